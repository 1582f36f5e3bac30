#include "core/handover.h"

#include <gtest/gtest.h>

#include "core/ownership.h"
#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

std::optional<int64_t> OwnerOf(TestOrg& org, int64_t customer) { return HoldingOf(org.db, customer).Value().ownerId; }

TEST(HandOver, TheOwnersSupervisorGrantsAndTheCustomerMovesToWhoAsked) {
  TestOrg org;
  int64_t customer = org.Customer("美家门窗", org.repA, {"13912345678"});
  auto asked = RequestHandOver(org.db, customer, "他家是我表哥开的", org.repB);
  ASSERT_TRUE(asked) << asked.Message();
  auto again = RequestHandOver(org.db, customer, "", org.repB);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.GetError().problem, Problem::Duplicate);

  // The requester and other reps see nothing to decide; the supervisor of 张三's team does.
  EXPECT_TRUE(HandOversToDecide(org.db, org.repB).Value().empty());
  EXPECT_TRUE(HandOversToDecide(org.db, org.repA).Value().empty());
  auto pending = HandOversToDecide(org.db, org.supervisor).Value();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].customerName, "美家门窗");
  EXPECT_EQ(pending[0].requesterName, "李四");
  EXPECT_EQ(pending[0].ownerName, "张三");
  EXPECT_EQ(pending[0].note, "他家是我表哥开的");

  Status denied = GrantHandOver(org.db, asked.Value(), org.repB);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.GetError().problem, Problem::SupervisorsOnly);
  EXPECT_EQ(OwnerOf(org, customer), org.repA.userId);

  Status granted = GrantHandOver(org.db, asked.Value(), org.supervisor);
  ASSERT_TRUE(granted) << granted.Message();
  EXPECT_EQ(OwnerOf(org, customer), org.repB.userId);
  EXPECT_TRUE(HandOversToDecide(org.db, org.supervisor).Value().empty());
  EXPECT_EQ(org.db.QueryInt("SELECT count(*) FROM handover_requests WHERE state = 'granted' AND decided_by = " +
                            std::to_string(org.supervisor.userId)).Value(), 1);
  EXPECT_FALSE(DeclineHandOver(org.db, asked.Value(), org.supervisor)) << "decided already";
}

TEST(HandOver, DeclinedLeavesTheCustomerWhereItWasAndAnotherTeamsSupervisorCannotDecide) {
  TestOrg org;
  int64_t customer = org.Customer("西区客户", org.repWest);
  int64_t request = RequestHandOver(org.db, customer, "", org.repA).Value();
  EXPECT_TRUE(HandOversToDecide(org.db, org.supervisor).Value().empty()) << "王主管 leads 华东组, the customer is 华南组's";
  EXPECT_FALSE(DeclineHandOver(org.db, request, org.supervisor));
  ASSERT_EQ(HandOversToDecide(org.db, org.leader).Value().size(), 1u);
  ASSERT_TRUE(DeclineHandOver(org.db, request, org.leader));
  EXPECT_EQ(OwnerOf(org, customer), org.repWest.userId);
  EXPECT_TRUE(RequestHandOver(org.db, customer, "", org.repA)) << "a declined request may be asked again";
}

TEST(HandOver, NothingToAskForOnesOwnCustomerAndTheNoteIsBounded) {
  TestOrg org;
  int64_t customer = org.Customer("自己的", org.repA);
  auto own = RequestHandOver(org.db, customer, "", org.repA);
  ASSERT_FALSE(own);
  EXPECT_EQ(own.GetError().problem, Problem::AlreadyYours);
  int64_t other = org.Customer("别人的", org.repB);
  auto tooLong = RequestHandOver(org.db, other, std::string(201, 'x'), org.repA);
  ASSERT_FALSE(tooLong);
  EXPECT_EQ(tooLong.GetError().field, "note");
  EXPECT_TRUE(IsHandOverStateCode("granted"));
  EXPECT_FALSE(IsHandOverStateCode("Granted"));
}

}  // namespace
}  // namespace crm
