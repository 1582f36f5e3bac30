#include "core/demo_data.h"

#include <gtest/gtest.h>

#include <set>

#include "core/accounts.h"
#include "core/org.h"
#include "core/schema.h"

namespace crm {
namespace {

Db FreshDevice() {
  Db db = Db::OpenMemory().Value();
  EXPECT_TRUE(Migrate(db));
  EXPECT_TRUE(EnsureDeviceTables(db));
  return db;
}

TEST(DemoData, ATrialOrganisationWithChineseCustomers) {
  Db db = FreshDevice();
  auto demo = SeedDemoOrganisation(db, DeviceId(db).Value());
  ASSERT_TRUE(demo) << demo.Message();
  EXPECT_GE(demo.Value().customers, 30);
  EXPECT_EQ(CountCustomers(db).Value(), demo.Value().customers);
  EXPECT_EQ(demo.Value().staff.size(), 3u);
  EXPECT_TRUE(GetDeviceSettings(db).Value().trial);
  auto accounts = ListDeviceAccounts(db).Value();
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].kind, AccountKind::Trial);
  EXPECT_EQ(accounts[0].userId, demo.Value().owner.userId);

  CustomerQuery query;
  query.limit = 200;
  auto page = ListCustomers(db, query).Value();
  std::set<CustomerKind> kinds;
  bool rare = false, pooled = false;
  for (const CustomerRow& row : page.rows) {
    kinds.insert(GetCustomer(db, row.id).Value().fields.kind);
    if (row.name.find("堃") != std::string::npos || row.name.find("犇") != std::string::npos) rare = true;
    if (!row.ownerId) pooled = true;
  }
  EXPECT_TRUE(kinds.count(CustomerKind::Dealer) && kinds.count(CustomerKind::Designer) && kinds.count(CustomerKind::Contractor));
  EXPECT_TRUE(rare) << "names with rare characters exercise the glyph atlas";
  EXPECT_TRUE(pooled) << "some customers sit in the public pool";
}

TEST(DemoData, OnlyOnAnEmptyDevice) {
  Db db = FreshDevice();
  ASSERT_TRUE(EnsureLocalOwner(db, "已有用户", 1));
  EXPECT_EQ(SeedDemoOrganisation(db, 1).Code(), ErrorCode::Invalid);
}

TEST(DemoData, DroppingLeavesAnEmptyOrganisationAndKeepsTheDevice) {
  Db db = FreshDevice();
  int64_t device = DeviceId(db).Value();
  ASSERT_TRUE(SeedDemoOrganisation(db, device));
  ASSERT_TRUE(DropOrganisationData(db));
  EXPECT_EQ(CountCustomers(db).Value(), 0);
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM users").Value(), 0);
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM audit_log").Value(), 0);
  EXPECT_TRUE(ListDeviceAccounts(db).Value().empty());
  EXPECT_FALSE(GetDeviceSettings(db).Value().trial);
  EXPECT_EQ(DeviceId(db).Value(), device);
  // A real owner can start afresh.
  EXPECT_TRUE(EnsureLocalOwner(db, "李老板", device));
}

}  // namespace
}  // namespace crm
