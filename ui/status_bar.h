#pragma once
// The status bar, always at the bottom of the signed-in app: whether the last
// change is saved on this device, the sync status, and the book's size.
//
// The sync part shows crm::sync::SyncStatus (sync/status.h), which the platform
// copies from the sync client every frame: offline/online, changes waiting,
// the last sync, the last error, refused changes, a sign-in or app update that
// is needed, and the unseen conflicts (a button to the conflict log).
#include "sync/status.h"

namespace crm::ui {

struct AppState;

using SyncStatusView = sync::SyncStatus;

void DrawStatusBar(AppState& state);
// Its height in the current style (the app reserves it at the bottom).
float StatusBarHeight(const AppState& state);

}  // namespace crm::ui
