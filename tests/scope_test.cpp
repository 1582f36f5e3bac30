#include "core/scope.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/records.h"
#include "core/followups.h"
#include "core/search.h"
#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

// Customers of every holding in the test organisation: the east team's reps, the west's, the pool.
struct ScopedOrg : TestOrg {
  int64_t ofA = 0, ofB = 0, ofWest = 0, ofStore = 0, pooled = 0;
  ScopedOrg() {
    ofA = Customer("张三的客户", repA, {"13800000001"});
    ofB = Customer("李四的客户", repB, {"13800000002"});
    ofWest = Customer("赵六的客户", repWest);
    ofStore = Customer("门店的客户", store);
    pooled = PoolCustomer("公海客户");
  }
  std::vector<int64_t> Scope(const Actor& who) {
    auto scope = ReadScopeOf(db, who.userId);
    EXPECT_TRUE(scope) << scope.Message();
    return CustomersInScope(db, scope.Value()).Value();
  }
};

std::vector<int64_t> Sorted(std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(Scope, EachRoleReadsWhatTheWriteRulesLetItChangeAndThePool) {
  ScopedOrg org;
  EXPECT_EQ(org.Scope(org.repA), Sorted({org.ofA, org.pooled}));
  EXPECT_EQ(org.Scope(org.repB), Sorted({org.ofB, org.pooled}));
  EXPECT_EQ(org.Scope(org.supervisor), Sorted({org.ofA, org.ofB, org.pooled}));
  EXPECT_EQ(org.Scope(org.store), Sorted({org.ofWest, org.ofStore, org.pooled}));
  EXPECT_EQ(org.Scope(org.leader).size(), 5u);
  EXPECT_EQ(org.Scope(org.admin).size(), 5u);
}

TEST(Scope, RepsReadTheirTeamOnlyWhenTheOrganisationSaysSo) {
  ScopedOrg org;
  ASSERT_TRUE(SetSettingInt(org.db, kSettingRepSeesTeam, 1, org.admin));
  EXPECT_EQ(org.Scope(org.repA), Sorted({org.ofA, org.ofB, org.pooled}));
  EXPECT_EQ(org.Scope(org.repWest), Sorted({org.ofWest, org.ofStore, org.pooled}));
}

// For one person, and for every pair signed in on one shared device (the union of their scopes).
TEST(Scope, TheSqlConditionAndThePureRuleAgreeForEveryPersonPairOfPeopleAndCustomer) {
  ScopedOrg org;
  const std::vector<Actor> everyone = {org.admin, org.leader, org.supervisor, org.repA, org.repB, org.repWest, org.store};
  for (int seesTeam : {0, 1}) {
    ASSERT_TRUE(SetSettingInt(org.db, kSettingRepSeesTeam, seesTeam, org.admin));
    for (const Actor& who : everyone) {
      for (const Actor& alsoHere : everyone) {
        ReadScope scope = ReadScopeOfDevice(org.db, who.userId, {who.userId, alsoHere.userId}).Value();
        std::vector<int64_t> byRule;
        for (int64_t id : HeldCustomers(org.db).Value()) {
          if (CanRead(scope, HoldingOf(org.db, id, true).Value())) byRule.push_back(id);
        }
        EXPECT_EQ(CustomersInScope(org.db, scope).Value(), byRule)
            << "users " << who.userId << " and " << alsoHere.userId << " team setting " << seesTeam;
      }
    }
  }
}

TEST(Scope, ADeviceHoldsTheUnionOfThePeopleSignedInOnIt) {
  ScopedOrg org;
  auto device = [&](const Actor& who, std::set<int64_t> signedIn) {
    auto scope = ReadScopeOfDevice(org.db, who.userId, signedIn);
    EXPECT_TRUE(scope) << scope.Message();
    return CustomersInScope(org.db, scope.Value()).Value();
  };
  EXPECT_EQ(device(org.repA, {org.repA.userId}), org.Scope(org.repA));
  EXPECT_EQ(device(org.repA, {org.repA.userId, org.repWest.userId}), Sorted({org.ofA, org.ofWest, org.pooled}));
  EXPECT_EQ(device(org.repWest, {org.repA.userId, org.store.userId}), Sorted({org.ofA, org.ofWest, org.ofStore, org.pooled}));
  EXPECT_EQ(device(org.repA, {org.leader.userId}).size(), 5u) << "a leader on the device: everything";
  // Someone deactivated adds nothing; the one asking must still be able to read.
  ASSERT_TRUE(SetUserActive(org.db, org.repB.userId, false, org.admin));
  EXPECT_EQ(device(org.repA, {org.repB.userId}), org.Scope(org.repA));
  EXPECT_EQ(ReadScopeOfDevice(org.db, org.repB.userId, {org.repA.userId}).Code(), ErrorCode::Denied);
}

TEST(Scope, ADeactivatedPersonReadsNothing) {
  ScopedOrg org;
  ASSERT_TRUE(SetUserActive(org.db, org.repB.userId, false, org.admin));
  EXPECT_EQ(ReadScopeOf(org.db, org.repB.userId).Code(), ErrorCode::Denied);
}

TEST(Scope, TheDigestChangesWithTheList) {
  EXPECT_EQ(ScopeDigest({1, 2, 3}), ScopeDigest({1, 2, 3}));
  EXPECT_NE(ScopeDigest({1, 2, 3}), ScopeDigest({1, 2}));
  EXPECT_NE(ScopeDigest({1, 2}), ScopeDigest({1, 3}));
  EXPECT_NE(ScopeDigest({}), ScopeDigest({0}));
}

TEST(Scope, DroppingACustomerTakesEveryRowThatFollowsItAndNothingElse) {
  ScopedOrg org;
  ActivityInput visit;
  visit.customerId = org.ofB;
  visit.summary = "上门量尺";
  ASSERT_TRUE(LogActivity(org.db, visit, org.repB));
  const int64_t auditBefore = org.db.QueryInt("SELECT count(*) FROM audit_log").Value();
  const int64_t auditOfB = org.db.QueryInt("SELECT count(*) FROM audit_log WHERE customer_id = " + std::to_string(org.ofB)).Value();
  ASSERT_GT(auditOfB, 0);

  ASSERT_TRUE(DropCustomers(org.db, {org.ofB}));
  for (const RecordType& type : RecordTypes()) {
    if (!type.scopeColumn) continue;
    EXPECT_EQ(org.db.QueryInt(std::string("SELECT count(*) FROM ") + type.table + " WHERE " + type.scopeColumn + " = " +
                              std::to_string(org.ofB)).Value(), 0) << type.table;
  }
  // Nothing new in the audit trail: the customer left this device, nobody changed it.
  EXPECT_EQ(org.db.QueryInt("SELECT count(*) FROM audit_log").Value(), auditBefore - auditOfB);
  EXPECT_TRUE(SearchCustomers(org.db, "李四的客户").Value().empty());
  EXPECT_FALSE(SearchCustomers(org.db, "张三的客户").Value().empty());
  EXPECT_EQ(HeldCustomers(org.db).Value(), Sorted({org.ofA, org.ofWest, org.ofStore, org.pooled}));
}

}  // namespace
}  // namespace crm
