#pragma once
// The status bar, always at the bottom of the signed-in app: whether the last
// change is saved on this device, the sync status, and the book's size.
//
// [SLOT: sync status] The sync engine (sync/status.h, on its way) will report
// crm::sync::SyncStatus; until then the app holds this mirror of its fields and
// nothing fills it, so the bar says "sync not set up — this device only". When
// the engine lands, the platform copies its status here every frame (or this
// struct becomes an alias of it) and the bar needs no change.
#include <cstdint>
#include <string>

namespace crm::ui {

struct AppState;

struct SyncStatusView {
  bool configured = false;     // an organisation server is set up on this device
  bool online = false;
  int64_t pending = 0;         // local changes not yet accepted by the relay
  int64_t lastSyncMs = 0;      // 0: never
  std::string lastError;
  int64_t unseenConflicts = 0; // entries of the conflict log nobody has looked at
  bool needsAppUpdate = false; // the relay speaks a newer protocol: reload into the new version
  int64_t progressDone = 0;    // a sync in progress (progressTotal > 0)
  int64_t progressTotal = 0;
};

void DrawStatusBar(AppState& state);
// Its height in the current style (the app reserves it at the bottom).
float StatusBarHeight();

}  // namespace crm::ui
