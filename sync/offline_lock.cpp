#include "sync/offline_lock.h"

#include <cstdlib>
#include <string>

#include "core/org.h"
#include "sync/link.h"

namespace crm::sync {

namespace {
constexpr const char* kStateLastContact = "relay.last_contact_ms";
constexpr int64_t kDayMs = 24LL * 3600 * 1000;
}  // namespace

Result<int64_t> LastRelayContactMs(Db& db) {
  CRM_ASSIGN_OR_RETURN(auto stored, GetSyncState(db, kStateLastContact));
  if (!stored) return int64_t{0};
  return static_cast<int64_t>(std::strtoll(stored->c_str(), nullptr, 10));
}

Status RecordRelayContact(Db& db, int64_t nowMs) { return SetSyncState(db, kStateLastContact, std::to_string(nowMs)); }

bool OfflineLockDue(int64_t lockDays, int64_t lastContactMs, int64_t nowMs) {
  if (lockDays <= 0 || lastContactMs <= 0) return false;
  return nowMs - lastContactMs >= lockDays * kDayMs;
}

Result<OfflineLock> CheckOfflineLock(Db& db, int64_t nowMs) {
  OfflineLock lock;
  CRM_ASSIGN_OR_RETURN(auto link, LoadLink(db));
  if (!link) return lock;
  CRM_ASSIGN_OR_RETURN(lock.lockDays, GetSettingInt(db, kSettingOfflineLockDays));
  CRM_ASSIGN_OR_RETURN(lock.lastContactMs, LastRelayContactMs(db));
  if (lock.lastContactMs == 0) {
    CRM_TRY(RecordRelayContact(db, nowMs));
    lock.lastContactMs = nowMs;
  }
  lock.locked = OfflineLockDue(lock.lockDays, lock.lastContactMs, nowMs);
  return lock;
}

}  // namespace crm::sync
