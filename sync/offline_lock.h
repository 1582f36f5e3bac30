#pragma once
// The offline lock (issue text: "A device that has not reached the relay for N days locks until it
// has"). The organisation sets N (core/org.h kSettingOfflineLockDays, 0: off); the device records when
// it last reached the relay (sync_state, never synced): the sync client at every answer, a sign-in at
// its success. A locked device shows no customer data but keeps syncing; an answer unlocks it.
// It is the device's own promise: the relay does not enforce it (a device with a turned-back clock or a
// modified app is not stopped; an administrator revokes a lost device instead).
#include <cstdint>

#include "core/db.h"

namespace crm::sync {

// When the device last had an answer from the relay (ms since the epoch); 0 when it has none recorded.
Result<int64_t> LastRelayContactMs(Db& db);
Status RecordRelayContact(Db& db, int64_t nowMs);

// Whether `lockDays` (0: off) have passed since `lastContactMs` at `nowMs`. A clock set back before the
// last contact does not lock (the time away cannot be told).
bool OfflineLockDue(int64_t lockDays, int64_t lastContactMs, int64_t nowMs);

struct OfflineLock {
  bool locked = false;
  int64_t lockDays = 0;       // the organisation's setting; 0: off
  int64_t lastContactMs = 0;  // 0: none recorded
};

// The lock as it stands on this database at `nowMs`. A device that is not linked to a relay (local
// accounts, a trial) never locks. A linked device with no contact recorded (it last synced with an app
// from before the lock) records `nowMs`, so its days away count from now.
Result<OfflineLock> CheckOfflineLock(Db& db, int64_t nowMs);

}  // namespace crm::sync
