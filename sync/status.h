#pragma once
// What the UI shows about sync: always visible in the status bar.
#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"

namespace crm::sync {

struct SyncStatus {
  bool configured = false;      // this device syncs (an online account); false for local and trial data
  bool online = false;          // the last request reached the relay
  bool signInNeeded = false;    // the relay refused the device's token: sign in again
  bool deviceRevoked = false;   // an administrator revoked this device: its data is to be erased
  bool wipeDue = false;         // …and now is the time (what was unsent is pushed, when the relay takes it)
  bool needsAppUpdate = false;  // a change from a newer app arrived: update the app (local changes are kept)
  int64_t pending = 0;          // local changes the relay has not yet confirmed back
  int64_t refused = 0;          // local changes the relay refused (taken back here; see the conflict log)
  int64_t lastSyncMs = 0;       // last time the device was up to date with the relay; 0: never
  std::optional<Error> lastError;  // what went wrong last, coded for wording; empty when the last attempt worked
  int64_t unseenConflicts = 0;
  int64_t confirmedSeq = 0;     // where this device stands in the relay's order
  int64_t headSeq = 0;          // where the relay stands, as last heard
  int64_t directorySeq = -1;    // the relay position the company directory was read at (-1: never; core/directory.h)
  // A big pull or a bootstrap: changesets applied so far of those known to be waiting.
  int64_t progressDone = 0;
  int64_t progressTotal = 0;
};

}  // namespace crm::sync
