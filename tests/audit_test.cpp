#include "core/audit.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

TEST(Audit, EveryChangedFieldIsOneEntryWithOldAndNew) {
  TestOrg org;
  int64_t id = org.Customer("审计客户", org.repA, {"13800138000"}, "佛山市");
  CustomerInput edit;
  edit.name = "审计客户（新）";
  edit.address.city = "广州市";
  edit.phones = {"13800138000"};
  ASSERT_TRUE(UpdateCustomer(org.db, id, edit, org.repA));
  int names = 0, cities = 0;
  for (const AuditEntry& e : AuditForCustomer(org.db, id).Value()) {
    if (e.table != "customers" || e.action != "update") continue;
    if (e.field == "name") names += e.oldValue == std::optional<std::string>("审计客户") && e.newValue == std::optional<std::string>("审计客户（新）");
    if (e.field == "city") cities += e.newValue == std::optional<std::string>("广州市");
    EXPECT_NE(e.field, "updated_at") << "bookkeeping columns are not changes";
  }
  EXPECT_EQ(names, 1);
  EXPECT_EQ(cities, 1);
}

TEST(Audit, ChildRowsAreFiledUnderTheirCustomer) {
  TestOrg org;
  int64_t id = org.Customer("子表客户", org.repA, {"13800138000"});
  bool phone = false;
  for (const AuditEntry& e : AuditForCustomer(org.db, id).Value()) phone |= e.table == "customer_phones" && e.action == "insert";
  EXPECT_TRUE(phone);
}

TEST(Audit, SuppressedWhileApplyingChangesAuditedElsewhere) {
  TestOrg org;
  int64_t before = org.db.QueryInt("SELECT count(*) FROM audit_log").Value();
  org.db.SetAuditSuppressed(true);
  org.Customer("同步来的客户", org.repA);
  org.db.SetAuditSuppressed(false);
  EXPECT_EQ(org.db.QueryInt("SELECT count(*) FROM audit_log").Value(), before);
  org.Customer("本机客户", org.repA);
  EXPECT_GT(org.db.QueryInt("SELECT count(*) FROM audit_log").Value(), before);
}

TEST(Audit, SettingsAreAuditedByKey) {
  TestOrg org;
  ASSERT_TRUE(SetSettingInt(org.db, kSettingPoolDays, 20, org.admin));
  ASSERT_TRUE(SetSettingInt(org.db, kSettingPoolDays, 25, org.admin));
  bool changed = false;
  for (const AuditEntry& e : AuditForUser(org.db, org.admin.userId).Value()) {
    changed |= e.table == "settings" && e.field == kSettingPoolDays && e.oldValue == std::optional<std::string>("20") &&
               e.newValue == std::optional<std::string>("25");
  }
  EXPECT_TRUE(changed);
}

TEST(Audit, BadLimitsAreRefused) {
  TestOrg org;
  EXPECT_FALSE(AuditForCustomer(org.db, 1, 0));
  EXPECT_FALSE(AuditForUser(org.db, 1, 0, -3));
}

}  // namespace
}  // namespace crm
