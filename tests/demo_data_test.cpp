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

namespace crm {
namespace {

PinRecord QuickPin(const char* pin) {
  std::string salt = NewPinSalt();
  return MakePinRecord(salt, [&] {
    Pbkdf2Sha256 kdf(pin, salt, 1000);
    kdf.Step(1000);
    return kdf;
  }());
}

TEST(DemoData, ConvertKeepingTheDemo) {
  Db db = FreshDevice();
  auto demo = SeedDemoOrganisation(db, DeviceId(db).Value()).Value();
  int64_t trialOwned = ListCustomers(db, [&] { CustomerQuery q; q.ownerId = demo.owner.userId; q.limit = 500; return q; }()).Value().total;
  ASSERT_GT(trialOwned, 0);
  auto owner = ConvertTrialToAccount(db, "李老板", QuickPin("8642"), true);
  ASSERT_TRUE(owner) << owner.Message();
  EXPECT_EQ(CountCustomers(db).Value(), demo.customers);
  CustomerQuery mine;
  mine.ownerId = owner.Value().userId;
  mine.limit = 500;
  EXPECT_EQ(ListCustomers(db, mine).Value().total, trialOwned);
  EXPECT_FALSE(GetDeviceSettings(db).Value().trial);
  auto accounts = ListDeviceAccounts(db).Value();
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].name, "李老板");
  EXPECT_EQ(accounts[0].kind, AccountKind::Local);
  EXPECT_TRUE(accounts[0].hasPin);
  EXPECT_TRUE(SignInBlocking(db, owner.Value().userId, "8642", 1));
  EXPECT_FALSE(GetUser(db, demo.owner.userId).Value().active);
}

TEST(DemoData, ConvertDroppingTheDemo) {
  Db db = FreshDevice();
  ASSERT_TRUE(SeedDemoOrganisation(db, DeviceId(db).Value()));
  auto owner = ConvertTrialToAccount(db, "李老板", QuickPin("8642"), false);
  ASSERT_TRUE(owner) << owner.Message();
  EXPECT_EQ(CountCustomers(db).Value(), 0);
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM users").Value(), 1);
  EXPECT_EQ(ListDeviceAccounts(db).Value().at(0).name, "李老板");
  EXPECT_EQ(ConvertTrialToAccount(db, "又一次", QuickPin("1111"), false).Code(), ErrorCode::Invalid);
}

TEST(DemoData, LocalAccountOnAFreshDeviceOnly) {
  Db db = FreshDevice();
  auto owner = CreateLocalAccount(db, "王店长", QuickPin("1234"));
  ASSERT_TRUE(owner) << owner.Message();
  EXPECT_EQ(GetUser(db, owner.Value().userId).Value().role, Role::Admin);
  EXPECT_EQ(LastSignedInUser(db).Value(), owner.Value().userId);
  EXPECT_EQ(CreateLocalAccount(db, "第二个", QuickPin("1234")).Code(), ErrorCode::Invalid);
  auto clerk = AddDeviceUser(db, "门店小王", Role::Store, QuickPin("5555"), owner.Value());
  ASSERT_TRUE(clerk) << clerk.Message();
  EXPECT_TRUE(SignInBlocking(db, clerk.Value(), "5555", 2));
  EXPECT_EQ(AddDeviceUser(db, "越权", Role::Store, QuickPin("5555"), Actor{clerk.Value(), 1}).Code(), ErrorCode::Denied);
}

}  // namespace
}  // namespace crm
