#include "core/duplicates.h"

#include <gtest/gtest.h>

#include "core/audit.h"
#include "core/contacts.h"
#include "core/followups.h"
#include "core/search.h"
#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

std::vector<std::pair<std::string, DuplicateReason>> Reasons(const std::vector<DuplicateCandidate>& found) {
  std::vector<std::pair<std::string, DuplicateReason>> out;
  for (const auto& candidate : found) out.emplace_back(candidate.name, candidate.reason);
  return out;
}

CustomerInput Input(const char* name, std::vector<std::string> phones = {}, const char* city = "") {
  CustomerInput input;
  input.name = name;
  input.phones = std::move(phones);
  input.address.city = city;
  return input;
}

TEST(NameKey, StripsLegalFormsAndLeadingPlaces) {
  EXPECT_EQ(NameKey("佛山市顺德区美家门窗有限公司"), "美家门窗");
  EXPECT_EQ(NameKey("美家门窗 经销部"), "美家门窗");
  EXPECT_EQ(NameKey("ＡＢＣ Doors Co., Ltd."), "abcdoors");
  EXPECT_EQ(NameKey("王店"), "王店") << "too short to strip";
  EXPECT_EQ(NameKey("市场部"), "市场部");
}

TEST(FindDuplicates, SamePhoneAnywhereFirstThenNames) {
  TestOrg org;
  int64_t dealer = org.Customer("美家门窗经销部", org.repA, {"13912345678"}, "佛山市");
  int64_t pool = org.PoolCustomer("佛山美家门窗有限公司");
  int64_t similar = org.Customer("美家门窗顺德二店", org.repB, {}, "佛山市");
  org.Customer("美家门窗", org.repWest, {}, "广州市");  // another city: another customer
  int64_t trashed = org.Customer("旧号码客户", org.repA, {"13800001111"});
  ASSERT_TRUE(TrashCustomer(org.db, trashed, org.repA));
  int64_t company = org.Customer("某建材公司", org.repA);
  ASSERT_TRUE(AddContact(org.db, company, ContactInput{"刘经理", ContactRole::Buyer, "", "137 0000 2222"}, org.repA));

  auto found = FindDuplicates(org.db, Input("美家门窗", {"139-1234-5678"}, "佛山市")).Value();
  auto reasons = Reasons(found);
  ASSERT_EQ(reasons.size(), 3u);
  EXPECT_EQ(found[0].id, dealer);
  EXPECT_EQ(found[0].reason, DuplicateReason::SamePhone);
  EXPECT_EQ(found[0].matchedPhone, "13912345678");
  EXPECT_EQ(found[1].id, pool);
  EXPECT_EQ(found[1].reason, DuplicateReason::SameName);
  EXPECT_FALSE(found[1].ownerId) << "a pool customer is reported, so the rep claims it instead of re-entering it";
  EXPECT_EQ(found[2].id, similar);
  EXPECT_EQ(found[2].reason, DuplicateReason::SimilarName);

  auto inTrash = FindDuplicates(org.db, Input("新客户", {"13800001111"})).Value();
  ASSERT_EQ(inTrash.size(), 1u);
  EXPECT_TRUE(inTrash[0].inTrash);
  auto viaContact = FindDuplicates(org.db, Input("新客户", {"13700002222"})).Value();
  ASSERT_EQ(viaContact.size(), 1u);
  EXPECT_EQ(viaContact[0].id, company);

  // Editing a customer does not report itself.
  EXPECT_TRUE(FindDuplicates(org.db, Input("旧号码客户", {"13800001111"}), trashed).Value().empty());
  EXPECT_TRUE(FindDuplicates(org.db, Input("完全不同", {"not a phone"})).Value().empty());
  EXPECT_EQ(FindDuplicates(org.db, Input("x"), std::nullopt, 0).Code(), ErrorCode::Invalid);
}

TEST(MergeCustomers, MovesEverythingAndRetiresTheMergedOne) {
  TestOrg org;
  CustomerInput keptInput = Input("美家门窗", {"13912345678"}, "佛山市");
  keptInput.tags = {"铝合金"};
  int64_t kept = CreateCustomer(org.db, keptInput, org.repA).Value();
  CustomerInput mergedInput = Input("佛山美家门窗有限公司", {"13912345678", "0757-22334455"}, "");
  mergedInput.address.street = "乐从镇家具城A座";
  mergedInput.industry = "门窗";
  mergedInput.tags = {"铝合金", "大客户"};
  int64_t merged = CreateCustomer(org.db, mergedInput, org.repA).Value();
  ASSERT_TRUE(AddContact(org.db, merged, ContactInput{"陈采购", ContactRole::Buyer}, org.repA));
  ActivityInput visit;
  visit.customerId = merged;
  visit.kind = ActivityKind::Visit;
  visit.summary = "上门量尺寸";
  ASSERT_TRUE(LogActivity(org.db, visit, org.repA));

  auto summary = MergeCustomers(org.db, kept, merged, org.repA);
  ASSERT_TRUE(summary) << summary.Message();
  EXPECT_EQ(summary.Value().Moved("customer_phones"), 1) << "the shared number is not doubled";
  EXPECT_EQ(summary.Value().Moved("customer_tags"), 1);
  EXPECT_EQ(summary.Value().Moved("contacts"), 1);
  EXPECT_EQ(summary.Value().Moved("activities"), 1);
  EXPECT_EQ(summary.Value().fieldsFilled, 2);

  Customer after = GetCustomer(org.db, kept).Value();
  EXPECT_EQ(after.fields.phones, (std::vector<std::string>{"13912345678", "075722334455"}));
  EXPECT_EQ(after.fields.address.street, "乐从镇家具城A座");
  EXPECT_EQ(after.fields.address.city, "佛山市") << "kept values are never overwritten";
  EXPECT_EQ(after.fields.industry, "门窗");
  EXPECT_EQ(ContactsOf(org.db, kept).Value().size(), 1u);
  EXPECT_EQ(ActivitiesOf(org.db, kept).Value().size(), 1u);
  EXPECT_TRUE(after.lastActivityAt);
  EXPECT_EQ(org.db.QueryInt("SELECT count(*) FROM followups WHERE customer_id = " + std::to_string(kept) +
                            " AND status = 'open' AND reason = 'class_rule'").Value(), 1)
      << "one class follow-up after the merge";

  Customer gone = GetCustomer(org.db, merged).Value();
  EXPECT_EQ(gone.mergedInto, kept);
  EXPECT_TRUE(gone.deletedAt);
  EXPECT_EQ(RestoreCustomer(org.db, merged, org.repA).Code(), ErrorCode::Invalid);
  EXPECT_EQ(MergeCustomers(org.db, kept, merged, org.repA).Code(), ErrorCode::Invalid) << "merged only once";

  // Search finds the kept customer by the merged one's number, and not the merged one.
  auto hits = SearchCustomers(org.db, "22334455").Value();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, kept);
  // The audit trail shows the move of the merged customer's rows, by the actor.
  bool sawMergedInto = false;
  for (const AuditEntry& entry : AuditForCustomer(org.db, merged).Value()) {
    sawMergedInto = sawMergedInto || (entry.field == "merged_into" && entry.userId == org.repA.userId);
  }
  EXPECT_TRUE(sawMergedInto);
}

TEST(MergeCustomers, PermissionsAndBadIds) {
  TestOrg org;
  int64_t mine = org.Customer("甲", org.repA);
  int64_t theirs = org.Customer("乙", org.repWest);
  EXPECT_EQ(MergeCustomers(org.db, mine, theirs, org.repA).Code(), ErrorCode::Denied);
  EXPECT_EQ(MergeCustomers(org.db, mine, mine, org.repA).Code(), ErrorCode::Invalid);
  EXPECT_FALSE(MergeCustomers(org.db, mine, 424242, org.repA));
  EXPECT_TRUE(MergeCustomers(org.db, mine, theirs, org.leader));
  EXPECT_EQ(GetCustomer(org.db, theirs).Value().mergedInto, mine);
}

}  // namespace
}  // namespace crm
