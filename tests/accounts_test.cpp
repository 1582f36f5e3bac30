#include "core/accounts.h"

#include <gtest/gtest.h>

#include "core/audit.h"
#include "core/org.h"
#include "core/schema.h"
#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

struct DeviceOrg : TestOrg {
  DeviceOrg() {
    EXPECT_TRUE(EnsureDeviceTables(db));
    EXPECT_TRUE(SaveDeviceAccount(db, admin.userId, AccountKind::Local, std::nullopt));
    EXPECT_TRUE(SaveDeviceAccount(db, store.userId, AccountKind::Local, std::nullopt));
  }
};

TEST(Accounts, DeviceTablesAreIdempotentAndLocalOnly) {
  DeviceOrg org;
  EXPECT_TRUE(EnsureDeviceTables(org.db));
  for (const std::string& table : SyncedTables()) EXPECT_NE(table, "device_accounts");
}

TEST(Accounts, DeviceIdIsRandomAndStable) {
  DeviceOrg org;
  int64_t id = DeviceId(org.db).Value();
  EXPECT_GT(id, 0);
  EXPECT_EQ(DeviceId(org.db).Value(), id);
  Db other = Db::OpenMemory().Value();
  ASSERT_TRUE(Migrate(other));
  EXPECT_NE(DeviceId(other).Value(), id);
}

TEST(Accounts, PinRules) {
  EXPECT_TRUE(ValidatePin("1234"));
  EXPECT_TRUE(ValidatePin("12345678"));
  EXPECT_EQ(ValidatePin("").Message(), "PIN: required");
  EXPECT_EQ(ValidatePin("").GetError().problem, Problem::Required);
  EXPECT_EQ(ValidatePin("123").Message(), "PIN: 4 to 8 digits");
  Error length = ValidatePin("123").GetError();
  EXPECT_EQ(length.field, "pin");
  EXPECT_EQ(length.problem, Problem::DigitCount);
  EXPECT_EQ(length.arg, static_cast<int64_t>(kMinPinDigits));
  EXPECT_EQ(length.arg2, static_cast<int64_t>(kMaxPinDigits));
  EXPECT_EQ(ValidatePin("12a4").GetError().problem, Problem::DigitsOnly);
  EXPECT_EQ(ValidatePin("123456789").Message(), "PIN: 4 to 8 digits");
  EXPECT_EQ(ValidatePin("12a4").Message(), "PIN: digits only");
  EXPECT_EQ(ValidatePin("１２３４").Message(), "PIN: digits only");
}

TEST(Accounts, OnlyASaltedHashIsStored) {
  DeviceOrg org;
  ASSERT_TRUE(SetPinBlocking(org.db, org.admin.userId, "2468"));
  ASSERT_TRUE(SetPinBlocking(org.db, org.store.userId, "2468"));
  auto stmt = org.db.Prepare("SELECT pin_hash FROM device_accounts ORDER BY user_id").Value();
  std::vector<std::string> hashes;
  while (stmt.Step().Value()) hashes.push_back(stmt.String(0));
  ASSERT_EQ(hashes.size(), 2u);
  EXPECT_EQ(hashes[0].find("2468"), std::string::npos);
  EXPECT_EQ(hashes[0].rfind("pbkdf2-sha256$" + std::to_string(kPinIterations) + "$", 0), 0u) << hashes[0];
  EXPECT_NE(hashes[0], hashes[1]) << "the same PIN hashes differently for two users: salts differ";
}

TEST(Accounts, SignInWithTheRightPinOnly) {
  DeviceOrg org;
  ASSERT_TRUE(SetPinBlocking(org.db, org.store.userId, "1357"));
  auto actor = SignInBlocking(org.db, org.store.userId, "1357", 1000);
  ASSERT_TRUE(actor) << actor.Message();
  EXPECT_EQ(actor.Value().userId, org.store.userId);
  EXPECT_EQ(actor.Value().deviceId, DeviceId(org.db).Value());
  auto wrong = SignInBlocking(org.db, org.store.userId, "1358", 2000);
  EXPECT_EQ(wrong.Code(), ErrorCode::Denied);
  EXPECT_EQ(wrong.Message(), "PIN: wrong PIN");
  EXPECT_EQ(wrong.GetError().field, "pin");
  EXPECT_EQ(wrong.GetError().problem, Problem::WrongPin);
  EXPECT_EQ(LastSignedInUser(org.db).Value(), org.store.userId);
}

TEST(Accounts, TooManyWrongPinsMeanAWait) {
  DeviceOrg org;
  ASSERT_TRUE(SetPinBlocking(org.db, org.store.userId, "1357"));
  int64_t now = 1'000'000;
  for (int i = 0; i < kPinAttemptsBeforeWait; i++) EXPECT_FALSE(SignInBlocking(org.db, org.store.userId, "0000", now));
  auto waiting = SignInBlocking(org.db, org.store.userId, "1357", now + 1000);
  EXPECT_EQ(waiting.Code(), ErrorCode::Denied);
  EXPECT_EQ(waiting.Message(), "PIN: too many wrong PINs, wait 29 s");
  EXPECT_EQ(waiting.GetError().problem, Problem::WaitSeconds);
  EXPECT_EQ(waiting.GetError().arg, 29);
  EXPECT_TRUE(SignInBlocking(org.db, org.store.userId, "1357", now + kPinWaitMs + 1));
  // A success clears the count.
  EXPECT_FALSE(SignInBlocking(org.db, org.store.userId, "0000", now + kPinWaitMs + 2));
  EXPECT_TRUE(SignInBlocking(org.db, org.store.userId, "1357", now + kPinWaitMs + 3));
}

TEST(Accounts, SlicedCheckMatchesTheBlockingOne) {
  DeviceOrg org;
  ASSERT_TRUE(SetPinBlocking(org.db, org.admin.userId, "9753"));
  auto check = BeginPinCheck(org.db, org.admin.userId, "9753", 10);
  ASSERT_TRUE(check) << check.Message();
  EXPECT_EQ(FinishPinCheck(org.db, check.Value(), 10).Message(), "PIN: check not finished");
  int slices = 0;
  while (!check.Value().kdf.Step(4000)) slices++;
  EXPECT_GT(slices, 5);
  EXPECT_TRUE(FinishPinCheck(org.db, check.Value(), 10));
}

TEST(Accounts, WithoutPinOnlyWhenNoneIsSet) {
  DeviceOrg org;
  EXPECT_TRUE(SignInWithoutPin(org.db, org.admin.userId, 5));
  ASSERT_TRUE(SetPinBlocking(org.db, org.admin.userId, "1111"));
  EXPECT_EQ(SignInWithoutPin(org.db, org.admin.userId, 6).Code(), ErrorCode::Denied);
  EXPECT_EQ(SignInWithoutPin(org.db, org.repA.userId, 6).Code(), ErrorCode::NotFound);
}

TEST(Accounts, ListShowsNamesRolesAndKinds) {
  DeviceOrg org;
  ASSERT_TRUE(SetPinBlocking(org.db, org.store.userId, "4321"));
  auto accounts = ListDeviceAccounts(org.db).Value();
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].name, "管理员");
  EXPECT_EQ(accounts[0].role, Role::Admin);
  EXPECT_FALSE(accounts[0].hasPin);
  EXPECT_EQ(accounts[1].name, "门店小刘");
  EXPECT_TRUE(accounts[1].hasPin);
  // A deactivated user disappears from the sign-in list.
  ASSERT_TRUE(SetUserActive(org.db, org.store.userId, false, org.admin));
  EXPECT_EQ(ListDeviceAccounts(org.db).Value().size(), 1u);
}

TEST(Accounts, OnlineLinkIsRecorded) {
  DeviceOrg org;
  EXPECT_EQ(LinkOnlineAccount(org.db, org.admin.userId, "", "t").Message(), "account: required");
  ASSERT_TRUE(LinkOnlineAccount(org.db, org.admin.userId, "boss@example.com", "token"));
  auto account = GetDeviceAccount(org.db, org.admin.userId).Value();
  EXPECT_EQ(account.kind, AccountKind::Online);
  EXPECT_EQ(account.serverAccount, "boss@example.com");
}

TEST(Accounts, SettingsRoundTripAndAreChecked) {
  DeviceOrg org;
  DeviceSettings settings = GetDeviceSettings(org.db).Value();
  EXPECT_FALSE(settings.shared);
  EXPECT_EQ(settings.idleLockSeconds, 120);
  settings.shared = true;
  settings.idleLockSeconds = 300;
  ASSERT_TRUE(SaveDeviceSettings(org.db, settings));
  EXPECT_TRUE(GetDeviceSettings(org.db).Value().shared);
  EXPECT_EQ(GetDeviceSettings(org.db).Value().idleLockSeconds, 300);
  settings.idleLockSeconds = 5;
  EXPECT_EQ(SaveDeviceSettings(org.db, settings).Message(), "idle lock: 15 to 3600 seconds");
}

// The display settings (theme, text size) stay on the device; a size the app does not offer is refused, and a
// damaged stored one reads as the normal size so the app still opens.
TEST(Accounts, DisplaySettingsRoundTripAndAreChecked) {
  DeviceOrg org;
  DeviceSettings settings = GetDeviceSettings(org.db).Value();
  EXPECT_FALSE(settings.highContrast);
  EXPECT_EQ(settings.textScalePercent, 100);
  settings.highContrast = true;
  settings.textScalePercent = 150;
  ASSERT_TRUE(SaveDeviceSettings(org.db, settings));
  EXPECT_TRUE(GetDeviceSettings(org.db).Value().highContrast);
  EXPECT_EQ(GetDeviceSettings(org.db).Value().textScalePercent, 150);
  settings.textScalePercent = 110;
  Status refused = SaveDeviceSettings(org.db, settings);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.GetError().field, "text_scale");
  EXPECT_EQ(GetDeviceSettings(org.db).Value().textScalePercent, 150);
  ASSERT_TRUE(org.db.Exec("UPDATE app_meta SET value = 'big' WHERE key = 'device.text_scale'"));
  EXPECT_EQ(GetDeviceSettings(org.db).Value().textScalePercent, 100);
}

TEST(Accounts, ChangesAreAttributedToWhoeverIsSignedIn) {
  DeviceOrg org;
  ASSERT_TRUE(SetPinBlocking(org.db, org.admin.userId, "1111"));
  ASSERT_TRUE(SetPinBlocking(org.db, org.store.userId, "2222"));
  Actor first = SignInBlocking(org.db, org.admin.userId, "1111", 1).Value();
  int64_t a = AddCustomer(org.db, "先来的客户", first).Value();
  Actor second = SignInBlocking(org.db, org.store.userId, "2222", 2).Value();
  int64_t b = AddCustomer(org.db, "后来的客户", second).Value();
  EXPECT_EQ(GetCustomer(org.db, a).Value().createdBy, org.admin.userId);
  EXPECT_EQ(GetCustomer(org.db, b).Value().createdBy, org.store.userId);
  auto audit = AuditForCustomer(org.db, b).Value();
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back().userId, org.store.userId);
  EXPECT_EQ(audit.back().deviceId, DeviceId(org.db).Value());
}

}  // namespace
}  // namespace crm
