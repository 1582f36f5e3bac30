#include "sync/offline_lock.h"

#include <gtest/gtest.h>

#include "core/org.h"
#include "sync/link.h"
#include "test_support.h"

namespace crm::sync {
namespace {

using testing_support::TestOrg;

constexpr int64_t kDay = 24LL * 3600 * 1000;
constexpr int64_t kStart = 1700000000000;

TEST(OfflineLock, LocksOnlyOnceTheOrganisationsDaysHavePassed) {
  EXPECT_FALSE(OfflineLockDue(0, kStart, kStart + 400 * kDay)) << "off by default";
  EXPECT_FALSE(OfflineLockDue(7, kStart, kStart + 7 * kDay - 1));
  EXPECT_TRUE(OfflineLockDue(7, kStart, kStart + 7 * kDay));
  EXPECT_TRUE(OfflineLockDue(1, kStart, kStart + 30 * kDay));
  EXPECT_FALSE(OfflineLockDue(7, kStart, kStart - 30 * kDay)) << "a clock set back before the last contact";
  EXPECT_FALSE(OfflineLockDue(7, 0, kStart)) << "no contact recorded";
}

struct LinkedDevice {
  TestOrg org;
  LinkedDevice() {
    EXPECT_TRUE(LinkSignedInUser(org.db, SyncLink{"https://crm.example.com", 42},
                                 OnlineIdentity{42, org.repA.userId, "张三@美家门窗", "token-a"}, kStart));
  }
  OfflineLock At(int64_t nowMs) {
    auto lock = CheckOfflineLock(org.db, nowMs);
    EXPECT_TRUE(lock) << lock.Message();
    return lock.ValueOr(OfflineLock{});
  }
};

TEST(OfflineLock, ALinkedDeviceLocksAfterTheDaysAwayAndAContactUnlocksIt) {
  LinkedDevice device;
  EXPECT_EQ(LastRelayContactMs(device.org.db).Value(), kStart) << "the sign-in was a contact";
  EXPECT_FALSE(device.At(kStart + 100 * kDay).locked) << "the organisation did not turn the lock on";

  ASSERT_TRUE(SetSettingInt(device.org.db, kSettingOfflineLockDays, 3, device.org.admin));
  OfflineLock away = device.At(kStart + 3 * kDay + 1);
  EXPECT_TRUE(away.locked);
  EXPECT_EQ(away.lockDays, 3);
  EXPECT_EQ(away.lastContactMs, kStart) << "the locked screen says when";
  EXPECT_FALSE(device.At(kStart + 2 * kDay).locked);

  ASSERT_TRUE(RecordRelayContact(device.org.db, kStart + 3 * kDay + 5));
  EXPECT_FALSE(device.At(kStart + 3 * kDay + 10).locked) << "reaching the relay unlocks";
}

TEST(OfflineLock, ADeviceWithoutALinkNeverLocks) {
  TestOrg org;  // local accounts (or a trial): nothing to reach
  ASSERT_TRUE(SetSettingInt(org.db, kSettingOfflineLockDays, 1, org.admin));
  auto lock = CheckOfflineLock(org.db, kStart + 365 * kDay);
  ASSERT_TRUE(lock) << lock.Message();
  EXPECT_FALSE(lock.Value().locked);
  EXPECT_EQ(LastRelayContactMs(org.db).Value(), 0) << "nothing recorded for a device that never syncs";
}

TEST(OfflineLock, ALinkedDeviceWithNoContactRecordedCountsFromItsFirstCheck) {
  LinkedDevice device;
  ASSERT_TRUE(device.org.db.Exec("DELETE FROM sync_state WHERE key = 'relay.last_contact_ms'"));  // synced with an older app
  ASSERT_TRUE(SetSettingInt(device.org.db, kSettingOfflineLockDays, 2, device.org.admin));
  EXPECT_FALSE(device.At(kStart + 10 * kDay).locked) << "its time away cannot be told: it counts from now";
  EXPECT_EQ(LastRelayContactMs(device.org.db).Value(), kStart + 10 * kDay);
  EXPECT_TRUE(device.At(kStart + 12 * kDay).locked);
}

}  // namespace
}  // namespace crm::sync
