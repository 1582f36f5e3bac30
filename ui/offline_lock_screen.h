#pragma once
// The offline lock's screen (sync/offline_lock.h): a device that syncs and has not reached the relay for
// the organisation's number of days shows this instead of any customer data. Sync keeps trying meanwhile;
// the relay's next answer unlocks it (the screen works the lock out again every second).
#include <cstdint>
#include <string>

#include "sync/offline_lock.h"

namespace crm::ui {

struct AppState;

struct OfflineLockScreenState {
  sync::OfflineLock lock;
  int64_t checkedMs = 0;  // the platform's clock at the last check; 0: not checked yet
  std::string error;      // the check failed (the database): said on the screen, the device stays as it was
};

// Works the lock out again when a second has passed since the last check (the sync client records
// contacts in the database, outside any screen).
void UpdateOfflineLock(AppState& state);
// A signed-in person sees the locked screen instead of their customers.
bool OfflineLocked(const AppState& state);
void DrawOfflineLock(AppState& state);

}  // namespace crm::ui
