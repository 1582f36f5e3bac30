#pragma once
// What the user sees of local storage: which tab writes, how much space is used,
// notices (data evicted by the browser, a damaged tail left out), backup and
// restore, and the offer to reload into a new version. The platform fills the
// state and the callbacks; the screens never call the browser themselves.
#include <cstdint>
#include <functional>
#include <string>

namespace crm::ui {

struct AppState;

// Which tab of this browser profile writes the database (one writer per profile).
enum class WriterRole { Starting, Writer, OtherTab, TakingOver, TakenOver };

struct StorageUiState {
  WriterRole role = WriterRole::Starting;
  double usageBytes = -1;  // navigator.storage.estimate(); negative until known
  double quotaBytes = -1;
  bool persisted = false;  // navigator.storage.persist() granted
  bool evicted = false;    // the browser deleted data this device had saved
  bool restoredFromServer = false;  // ...and signing in online brought the organisation's data back
  std::string notice;      // e.g. a damaged tail left out at open; shown until dismissed

  // When the browser keeps nothing past this window (web/storage.js finds out):
  bool memoryOnly = false;     // no IndexedDB (missing, switched off, refusing to open): nothing is written
  std::string memoryReason;    // the browser's refusal, in its own words
  bool privateWindow = false;  // IndexedDB works but is emptied at close (WebKit's private window refused a Blob)
  bool blobsRefused = false;   // snapshots are stored as ArrayBuffers
  bool estimateUnknown = false;  // no navigator.storage: usage and persistence cannot be told

  // Backup and restore.
  std::string backupMessage;   // the last export's or restore's outcome
  bool backupFailed = false;
  bool restorePending = false;  // a checked backup waits for the user's confirmation
  std::string restoreFile;
  int64_t restoreCustomers = 0;
  double restoreBytes = 0;

  bool updateAvailable = false;  // a new version is installed and waits for a reload

  std::function<void()> takeOver;
  std::function<void()> exportBackup;
  std::function<void()> chooseRestoreFile;
  std::function<void()> confirmRestore;
  std::function<void()> cancelRestore;
  std::function<void()> applyUpdate;
};

// Whether the data of this window is gone once it is closed.
bool ForgetsOnClose(const StorageUiState& storage);
// The whole window while another tab writes (or took over from this one).
void DrawStorageBlocked(AppState& state);
// What must be seen whatever page is open: a new version to reload into, evicted data, a damaged tail,
// a window that forgets its data when closed.
void DrawStorageNotices(AppState& state);
// Evicted data comes back when the person signs in online: once the relay's data is here, the notice says so
// instead of still saying it is gone.
void NoteRestoredFromServer(AppState& state);
// Usage, backup and restore (settings, and the welcome screen of a new device).
void DrawStoragePanel(AppState& state);
// "1.5 MB"
std::string FormatBytes(double bytes);
const char* WriterRoleName(WriterRole role);

}  // namespace crm::ui
