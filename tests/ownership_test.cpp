#include "core/ownership.h"

#include <gtest/gtest.h>

#include "core/audit.h"
#include "core/ids.h"
#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;
constexpr int64_t kDay = 86400000;

TEST(Ownership, ARepLeavingHandsOverEveryCustomerWithHistory) {
  TestOrg org;
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; i++) ids.push_back(org.Customer(("客户" + std::to_string(i)).c_str(), org.repA));
  int64_t ofB = org.Customer("李四的客户", org.repB);
  auto moved = ReassignCustomers(org.db, org.repA.userId, org.repB.userId, org.supervisor);
  ASSERT_TRUE(moved) << moved.Message();
  EXPECT_EQ(moved.Value(), 5);
  for (int64_t id : ids) {
    EXPECT_EQ(GetCustomer(org.db, id).Value().ownerId, org.repB.userId);
    auto plans = org.db.QueryInt("SELECT count(*) FROM followups WHERE status = 'open' AND owner_id = " +
                                 std::to_string(org.repB.userId) + " AND customer_id = " + std::to_string(id));
    EXPECT_EQ(plans.Value(), 1) << "open follow-ups travel with the customer";
    bool audited = false;
    for (const AuditEntry& e : AuditForCustomer(org.db, id).Value()) {
      audited |= e.field == "owner_id" && e.oldValue == std::to_string(org.repA.userId) &&
                 e.newValue == std::to_string(org.repB.userId) && e.userId == org.supervisor.userId;
    }
    EXPECT_TRUE(audited);
  }
  EXPECT_EQ(GetCustomer(org.db, ofB).Value().ownerId, org.repB.userId);
}

TEST(Ownership, ReassignmentRespectsRoles) {
  TestOrg org;
  org.Customer("甲", org.repA);
  EXPECT_EQ(ReassignCustomers(org.db, org.repA.userId, org.repB.userId, org.repA).Code(), ErrorCode::Denied);
  EXPECT_EQ(ReassignCustomers(org.db, org.repA.userId, org.repWest.userId, org.supervisor).Code(), ErrorCode::Denied)
      << "a supervisor cannot move customers out of their team";
  EXPECT_TRUE(ReassignCustomers(org.db, org.repA.userId, org.repWest.userId, org.leader));
  EXPECT_EQ(ReassignCustomers(org.db, org.repA.userId, org.repA.userId, org.leader).GetError().problem, Problem::SameOwner);
  EXPECT_FALSE(ReassignCustomers(org.db, org.repA.userId, org.repA.userId, org.leader));
  EXPECT_EQ(ReassignCustomers(org.db, 999, org.repA.userId, org.leader).Code(), ErrorCode::NotFound);
}

TEST(Ownership, ClaimFromThePoolProtectsTheCustomer) {
  TestOrg org;
  int64_t id = org.PoolCustomer("公海客户");
  ASSERT_TRUE(ClaimCustomer(org.db, id, org.repA));
  Customer c = GetCustomer(org.db, id).Value();
  EXPECT_EQ(c.ownerId, org.repA.userId);
  ASSERT_TRUE(c.protectedUntil);
  EXPECT_NEAR(static_cast<double>(*c.protectedUntil - *c.claimedAt), 7.0 * kDay, 1.0);
  Status again = ClaimCustomer(org.db, id, org.repB);
  EXPECT_EQ(again.GetError().problem, Problem::AlreadyOwned);
  EXPECT_EQ(again.GetError().value, "张三");
  EXPECT_EQ(again.Code(), ErrorCode::Conflict);
  EXPECT_NE(again.Message().find("张三"), std::string::npos) << again.Message();
  // Not even a stale sweep right after the claim can take it back.
  EXPECT_EQ(ReturnStaleToPool(org.db, NowMs() + 5 * kDay, org.leader).Value(), 0);
}

TEST(Ownership, CustomersNobodyFollowsUpReturnToThePool) {
  TestOrg org;
  int64_t idle = org.Customer("久未跟进", org.repA);
  int64_t active = org.Customer("常联系", org.repA);
  int64_t now = NowMs() + 31 * kDay;
  ASSERT_TRUE(org.db.Exec("UPDATE customers SET last_activity_at = " + std::to_string(now - kDay) +
                          " WHERE id = " + std::to_string(active)));
  EXPECT_EQ(ReturnStaleToPool(org.db, now, org.repA).Code(), ErrorCode::Denied);
  auto returned = ReturnStaleToPool(org.db, now, org.leader);
  ASSERT_TRUE(returned) << returned.Message();
  EXPECT_EQ(returned.Value(), 1);
  EXPECT_FALSE(GetCustomer(org.db, idle).Value().ownerId);
  EXPECT_EQ(GetCustomer(org.db, active).Value().ownerId, org.repA.userId);
  // The period is the organisation's: 0 switches the rule off.
  ASSERT_TRUE(SetSettingInt(org.db, kSettingPoolDays, 0, org.admin));
  EXPECT_EQ(ReturnStaleToPool(org.db, now + 400 * kDay, org.leader).Value(), 0);
}

TEST(Ownership, ReleaseToPool) {
  TestOrg org;
  int64_t id = org.Customer("放回公海", org.repA);
  Status refused = ReleaseToPool(org.db, id, org.repB);
  EXPECT_EQ(refused.Code(), ErrorCode::Denied);
  EXPECT_EQ(refused.GetError().problem, Problem::NotYourCustomer);
  EXPECT_EQ(refused.GetError().value, "张三") << "the refusal names the owner";
  ASSERT_TRUE(ReleaseToPool(org.db, id, org.repA));
  Customer c = GetCustomer(org.db, id).Value();
  EXPECT_FALSE(c.ownerId);
  EXPECT_TRUE(c.fields.ownerId == std::nullopt);
  EXPECT_FALSE(ReleaseToPool(org.db, id, org.repA));
  auto planOwner = org.db.QueryInt("SELECT count(*) FROM followups WHERE owner_id IS NULL AND customer_id = " + std::to_string(id));
  EXPECT_EQ(planOwner.Value(), 1);
}

TEST(Ownership, SingleReassign) {
  TestOrg org;
  int64_t id = org.Customer("单个转移", org.repA);
  ASSERT_TRUE(ReassignCustomer(org.db, id, org.repB.userId, org.supervisor));
  EXPECT_EQ(GetCustomer(org.db, id).Value().ownerId, org.repB.userId);
  EXPECT_EQ(ReassignCustomer(org.db, id, org.repA.userId, org.repB).Code(), ErrorCode::Denied);
  ASSERT_TRUE(ReassignCustomer(org.db, id, std::nullopt, org.supervisor));
  EXPECT_FALSE(GetCustomer(org.db, id).Value().ownerId);
}

}  // namespace
}  // namespace crm
