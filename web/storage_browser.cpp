// Durable storage in the browser: the journal (sync/journal.h) decides what to
// write; storage.js writes it to IndexedDB. See web/storage.h.
//
// [SECTION] index
//  - start and load (Start, Loaded, OpenDatabase)
//  - capture and write (Persist, Pump, Submit, Written)
//  - writer tabs (take over, lock lost), usage estimate
//  - backup and restore, relay snapshots (Replace)
//  - encryption at rest (keyring, unlock, Protect, ForgetKeys)
//  - entry points for storage.js
#include <emscripten.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <utility>

#include "core/accounts.h"
#include "core/enums.h"
#include "core/org.h"
#include "core/schema.h"
#include "core/text.h"
#include "web/platform.h"
#include "web/storage.h"
#include "web/sync_browser.h"

namespace crm::web {

namespace {

// Calls into storage.js. Pointers and sizes are plain numbers on the JS side; it
// copies what it needs before returning, so C++ buffers may change right after.
EM_JS(void, JsStorageStart, (), { Module.crmStorage.start(); });
EM_JS(void, JsStorageWrite,
      (double batch, const uint8_t* records, size_t recordsSize, const uint8_t* header, size_t headerSize,
       const uint8_t* image, size_t imageSize),
      { Module.crmStorage.write(batch, records, recordsSize, header, headerSize, image, imageSize); });
EM_JS(void, JsStorageDurable, (double seq), { Module.crmStorage.durable(seq); });
EM_JS(void, JsStorageRelease, (), { Module.crmStorage.release(); });
EM_JS(void, JsStorageTakeOver, (), { Module.crmStorage.takeOver(); });
EM_JS(void, JsStorageEstimate, (), { Module.crmStorage.estimate(); });
EM_JS(void, JsStorageDownload, (const uint8_t* data, size_t size, const char* name),
      { Module.crmStorage.download(data, size, UTF8ToString(name)); });
EM_JS(void, JsStoragePickFile, (), { Module.crmStorage.pickFile(); });
EM_JS(void, JsStorageApplyUpdate, (), { Module.crmStorage.applyUpdate(); });
// User ids are 63-bit: they cross as decimal strings (a JavaScript number would round them).
EM_JS(void, JsStorageProtect, (const char* userId, const char* name, const char* role, const char* kind, const char* secret),
      { Module.crmStorage.protect(UTF8ToString(userId), UTF8ToString(name), UTF8ToString(role), UTF8ToString(kind), UTF8ToString(secret)); });
EM_JS(void, JsStorageForgetKeys, (), { Module.crmStorage.forgetAll(); });
EM_JS(void, JsStorageUnlock, (const char* userId, const char* secret, double nowMs, int attemptsBeforeWait, double waitMs),
      { Module.crmStorage.unlock(UTF8ToString(userId), UTF8ToString(secret), nowMs, attemptsBeforeWait, waitMs); });

// Idle long enough to write a snapshot without delaying anyone's edit.
constexpr double kIdleSnapshotMs = 3000;
constexpr double kEstimateEveryMs = 10000;


}  // namespace

BrowserStorage& GetStorage() {
  // Intentionally never destroyed, like the platform: the page owns the process.
  static BrowserStorage* storage = new BrowserStorage(GetPlatform());
  return *storage;
}

void BrowserStorage::WireCallbacks() {
  ui::AppState& app = m_platform.app;
  app.requestPersist = [this] { Persist(); };
  app.storage.takeOver = [this] { TakeOver(); };
  app.storage.exportBackup = [this] { ExportBackup(); };
  app.storage.chooseRestoreFile = [] { JsStoragePickFile(); };
  app.storage.confirmRestore = [this] { ConfirmRestore(); };
  app.storage.cancelRestore = [this] {
    m_pendingRestore.reset();
    m_platform.app.storage.restorePending = false;
  };
  app.storage.applyUpdate = [this] { ApplyUpdate(); };
  app.unlock.tryUnlock = [this](int64_t userId, const std::string& secret) {
    // The same waits after wrong secrets as the lock screen's PIN (core/accounts.h).
    JsStorageUnlock(std::to_string(userId).c_str(), secret.c_str(), static_cast<double>(m_platform.app.nowMs), kPinAttemptsBeforeWait,
                    static_cast<double>(kPinWaitMs));
  };
  app.unlock.protect = [this](const ui::DeviceKeyEntry& who, const std::string& secret) { Protect(who, secret); };
}

void BrowserStorage::Start() {
  WireCallbacks();
  m_openStartedMs = emscripten_get_now();
  JsStorageStart();
}

void BrowserStorage::OtherTab() { m_platform.app.storage.role = ui::WriterRole::OtherTab; }

void BrowserStorage::OpenFailed(const std::string& message) { m_platform.app.fatalError = message; }

void BrowserStorage::Loaded(sync::Bytes snapshotHeader, sync::SqliteBuffer snapshotImage, const uint8_t* log, size_t logSize,
                            bool evicted) {
  ui::AppState& app = m_platform.app;
  double started = emscripten_get_now();
  auto db = Db::OpenMemory();
  if (!db) return OpenFailed(db.Message());
  auto report = sync::Recover(db.Value(), snapshotHeader, std::move(snapshotImage), log, logSize);
  if (!report) return OpenFailed(report.Message());
  m_recoverMs = emscripten_get_now() - started;
  m_lastRecovery = report.Value();
  if (auto opened = OpenDatabase(std::move(db).Value(), report.Value()); !opened) return OpenFailed(opened.Message());
  m_openMs = emscripten_get_now() - started;
  app.storage.evicted = evicted;
  if (!report.Value().problem.empty()) app.storage.notice = report.Value().problem;
  // The person who unlocked the device proved their secret: they are signed in.
  if (int64_t unlockedBy = std::exchange(m_unlockedBy, 0); unlockedBy && app.db) {
    if (auto actor = MarkSignedIn(*app.db, unlockedBy, app.nowMs)) ui::EnterSession(app, actor.Value());
  }
  // Migration and the local owner may have changed the database: save that now.
  Persist();
  RequestEstimate();
}

Status BrowserStorage::OpenDatabase(Db db, const sync::RecoveryReport& report) {
  ui::AppState& app = m_platform.app;
  CloseDatabase();
  m_platform.db.emplace(std::move(db));
  Db& live = *m_platform.db;
  CRM_ASSIGN_OR_RETURN(sync::Journal journal, sync::Journal::Start(live, report));
  m_journal.emplace(std::move(journal));
  m_durable = m_journal->Mark();
  CRM_TRY(Migrate(live));
  // Cheap unless the statistics are missing or stale (then tens of milliseconds, once): they are not in
  // the journal's log, so a book analysed since its last snapshot is analysed again after a reload.
  if (Status stats = RefreshPlannerStatistics(live); !stats) std::fprintf(stderr, "planner statistics: %s\n", stats.Message().c_str());
  app.storage.role = ui::WriterRole::Writer;
  m_releasing = false;
  // The device's session: welcome, lock screen, or the last user of a personal device (session.cpp).
  app.fatalError.clear();
  OnDatabaseReady(m_platform);
  if (!app.fatalError.empty()) return MakeError(ErrorCode::Storage, app.fatalError);
  return Ok();
}

void BrowserStorage::CloseDatabase() {
  ui::AppState& app = m_platform.app;
  GetSync().Detach();  // the sync replica observes the connection: it goes first
  m_journal.reset();  // the session must go before its connection
  app.db = nullptr;
  m_platform.db.reset();
  m_queue.clear();
  m_pendingRestore.reset();
  app.storage.restorePending = false;
}

void BrowserStorage::CaptureIntoQueue() {
  if (!m_journal) return;
  auto record = m_journal->Capture();
  if (!record) return Fail(record.Message());
  if (record.Value().empty()) return;
  m_lastRecordBytes = record.Value().size();
  m_queue.push_back(std::move(record).Value());
  m_lastEditMs = emscripten_get_now();
}

void BrowserStorage::Persist() {
  if (!m_journal || m_platform.app.storage.role != ui::WriterRole::Writer) return;
  CaptureIntoQueue();
  Pump();
  SetIdleState();
}

void BrowserStorage::Frame() {
  ui::AppState& app = m_platform.app;
  if (m_journal && app.storage.role == ui::WriterRole::Writer) {
    Persist();
    // A transaction left open by a screen: its changes are not saved until it ends.
    if (app.db && app.db->InTransaction()) app.saveState = ui::SaveState::Unsaved;
  }
  if (m_updateRequested && !m_inFlight && m_queue.empty()) {
    m_updateRequested = false;
    JsStorageApplyUpdate();
  }
  double now = emscripten_get_now();
  if (now - m_lastEstimateMs > kEstimateEveryMs && app.storage.role == ui::WriterRole::Writer) RequestEstimate();
}

void BrowserStorage::BeginBulkLoad() {
  if (!m_journal) return;
  CaptureIntoQueue();  // what came before is saved as usual
  Pump();
  m_journal->Suspend();
}

void BrowserStorage::ForceSnapshot() {
  m_snapshotRequested = true;
  Persist();
}

void BrowserStorage::Pump() {
  if (m_inFlight || !m_journal) return;
  Batch batch;
  batch.id = m_nextBatch++;
  if (m_restoreConfirmed && m_pendingRestore && m_queue.empty()) {
    // The backup becomes the new snapshot; the log before it is deleted in the same
    // IndexedDB transaction, so a crash leaves either the old data or the backup.
    m_restoreConfirmed = false;
    m_snapshotRequested = false;  // the restored database's snapshot is the one asked for
    Db& restored = m_pendingRestore->db;
    sync::RecoveryReport continueAt;
    continueAt.lastSeq = m_journal->LastSeq();
    auto started = sync::Journal::Start(restored, continueAt);
    if (!started) return Fail(started.Message());
    sync::Journal probe = std::move(started).Value();
    auto snapshot = probe.TakeSnapshot();
    if (!snapshot) return Fail(snapshot.Message());
    batch.snapshot.emplace(std::move(snapshot).Value());
    batch.markAfter = probe.Mark();
    batch.restore.emplace(std::move(*m_pendingRestore));
    batch.fromRelay = m_pendingFromRelay;
    m_pendingRestore.reset();
    m_pendingFromRelay = false;
    return Submit(std::move(batch));
  }
  bool idle = emscripten_get_now() - m_lastEditMs > kIdleSnapshotMs;
  if (m_snapshotRequested || m_journal->WantsSnapshot(idle)) {
    m_snapshotRequested = false;
    CaptureIntoQueue();  // the snapshot covers these; they are kept only to undo them if it fails
    auto snapshot = m_journal->TakeSnapshot();
    if (!snapshot) return Fail(snapshot.Message());
    batch.records = std::move(m_queue);
    m_queue.clear();
    batch.sendRecords = false;
    batch.snapshot.emplace(std::move(snapshot).Value());
    batch.markAfter = m_journal->Mark();
    return Submit(std::move(batch));
  }
  if (m_queue.empty()) return;
  batch.records = std::move(m_queue);
  m_queue.clear();
  batch.markAfter = m_journal->Mark();
  Submit(std::move(batch));
}

void BrowserStorage::Submit(Batch batch) {
  sync::Bytes records;
  if (batch.sendRecords) {
    for (const sync::Bytes& record : batch.records) records.insert(records.end(), record.begin(), record.end());
  }
  m_inFlight.emplace(std::move(batch));
  sync::Snapshot* snapshot = m_inFlight->snapshot ? &*m_inFlight->snapshot : nullptr;
  m_platform.app.saveState = ui::SaveState::Saving;
  // storage.js copies the records and the image before it returns, so a borrowed
  // snapshot image (valid until the next write) is safe here.
  JsStorageWrite(static_cast<double>(m_inFlight->id), records.data(), records.size(), snapshot ? snapshot->header.data() : nullptr,
                 snapshot ? snapshot->header.size() : 0, snapshot ? snapshot->image : nullptr, snapshot ? snapshot->size : 0);
  if (snapshot) {
    // The image is in JavaScript's hands now; do not keep a second copy alive.
    snapshot->owned = sync::SqliteBuffer();
    snapshot->image = nullptr;
  }
}

void BrowserStorage::Written(uint64_t batchId, const std::string& errorName, const std::string& errorMessage) {
  ui::AppState& app = m_platform.app;
  if (!m_inFlight || m_inFlight->id != batchId) return;
  Batch batch = std::move(*m_inFlight);
  m_inFlight.reset();
  if (!m_journal) return;  // the database was closed meanwhile (taken over)
  if (errorName.empty()) {
    if (batch.restore) {
      // The backup is durable: switch to it.
      sync::RecoveryReport report;
      report.snapshotSeq = batch.markAfter.seq;
      report.lastSeq = batch.markAfter.seq;
      Db restored = std::move(batch.restore->db);
      if (auto opened = OpenDatabase(std::move(restored), report); !opened) return OpenFailed(opened.Message());
      app.storage.backupFailed = false;
      if (!batch.fromRelay) {
        app.storage.backupMessage = std::string(ui::Tr(app.lang, ui::Str::BackupRestored)) + ": " + app.storage.restoreFile;
      }
      m_durable = m_journal->Mark();
      Persist();
    } else {
      m_durable = batch.markAfter;
    }
    m_failureShown = false;
    JsStorageDurable(static_cast<double>(m_durable.seq));
    Pump();
    SetIdleState();
    if (batch.snapshot) RequestEstimate();
    if (m_releasing && !m_inFlight && m_queue.empty()) ReleaseWriter();
    return;
  }

  // The write failed: nothing of this batch is stored. Take back its changes and
  // everything captured after them, so what the app shows is what is saved.
  std::vector<sync::Bytes> undo = std::move(batch.records);
  for (sync::Bytes& record : m_queue) undo.push_back(std::move(record));
  m_queue.clear();
  if (auto undone = m_journal->Undo(undo, m_durable); !undone) {
    app.fatalError = std::string(ui::Tr(app.lang, ui::Str::StorageFailed)) + ": " + errorMessage +
                     " — cannot take back the unsaved change (" + undone.Message() + "); reload the page to see what is saved";
    return;
  }
  bool full = errorName == "QuotaExceededError";
  std::string message = std::string(ui::Tr(app.lang, full ? ui::Str::StorageFull : ui::Str::StorageWriteFailed)) + " (" +
                        errorName + ": " + errorMessage + ")";
  if (batch.restore) {
    app.storage.backupFailed = true;
    app.storage.backupMessage = std::string(ui::Tr(app.lang, ui::Str::BackupRefused)) + message;
  }
  app.saveState = ui::SaveState::Failed;
  app.saveError = message;
  m_failureShown = true;
  (void)ui::RefreshCounts(app);
  RequestEstimate();
  if (m_releasing) ReleaseWriter();
}

void BrowserStorage::SetIdleState() {
  ui::AppState& app = m_platform.app;
  if (m_inFlight || !m_queue.empty()) {
    app.saveState = ui::SaveState::Saving;
    return;
  }
  // A failure stays on screen until a later change is saved.
  if (m_failureShown) return;
  app.saveState = ui::ForgetsOnClose(app.storage) ? ui::SaveState::InWindowOnly : ui::SaveState::Saved;
  app.saveError.clear();
}

void BrowserStorage::Fail(const std::string& message) {
  ui::AppState& app = m_platform.app;
  app.saveState = ui::SaveState::Failed;
  app.saveError = message;
}

void BrowserStorage::TakeoverRequested() {
  ui::AppState& app = m_platform.app;
  if (app.storage.role != ui::WriterRole::Writer) return;
  // Save what was committed, then let go once IndexedDB has it.
  CaptureIntoQueue();
  Pump();
  m_releasing = true;
  app.storage.role = ui::WriterRole::TakenOver;
  if (!m_inFlight && m_queue.empty()) ReleaseWriter();
}

void BrowserStorage::ReleaseWriter() {
  m_releasing = false;
  CloseDatabase();
  m_platform.app.storage.role = ui::WriterRole::TakenOver;
  JsStorageRelease();
}

void BrowserStorage::LockLost() {
  // The lock was stolen (this tab did not answer in time): stop writing at once.
  m_inFlight.reset();
  m_releasing = false;
  CloseDatabase();
  m_platform.app.storage.role = ui::WriterRole::TakenOver;
}

void BrowserStorage::TakeOver() {
  ui::AppState& app = m_platform.app;
  if (app.storage.role != ui::WriterRole::OtherTab && app.storage.role != ui::WriterRole::TakenOver) return;
  app.storage.role = ui::WriterRole::TakingOver;
  m_openStartedMs = emscripten_get_now();
  JsStorageTakeOver();
}

void BrowserStorage::Estimated(double usage, double quota, bool persisted) {
  ui::StorageUiState& storage = m_platform.app.storage;
  storage.usageBytes = usage;
  storage.quotaBytes = quota;
  storage.persisted = persisted;
  storage.estimateUnknown = false;
}

void BrowserStorage::EstimateUnknown() {
  ui::StorageUiState& storage = m_platform.app.storage;
  storage.estimateUnknown = true;
  storage.persisted = false;
}

void BrowserStorage::MemoryOnly(const std::string& reason) {
  ui::StorageUiState& storage = m_platform.app.storage;
  storage.memoryOnly = true;
  storage.memoryReason = reason;
}

void BrowserStorage::BlobsRefused(bool privateWindow) {
  ui::StorageUiState& storage = m_platform.app.storage;
  storage.blobsRefused = true;
  if (privateWindow) storage.privateWindow = true;
}

void BrowserStorage::RequestEstimate() {
  m_lastEstimateMs = emscripten_get_now();
  JsStorageEstimate();
}

void BrowserStorage::ExportBackup() {
  ui::AppState& app = m_platform.app;
  if (!app.db) return;
  CaptureIntoQueue();
  auto file = sync::ExportBackup(*app.db);
  if (!file) {
    app.storage.backupFailed = true;
    app.storage.backupMessage = file.Message();
    return;
  }
  char name[64];
  std::time_t now = std::time(nullptr);
  std::strftime(name, sizeof name, "crm-backup-%Y%m%d-%H%M%S.sqlite", std::localtime(&now));
  JsStorageDownload(file.Value().data(), file.Value().size(), name);
  app.storage.backupFailed = false;
  app.storage.backupMessage = std::string(ui::Tr(app.lang, ui::Str::BackupExported)) + ": " + name;
  Pump();
}

void BrowserStorage::FileChosen(sync::SqliteBuffer file, const std::string& name) {
  ui::AppState& app = m_platform.app;
  m_pendingRestore.reset();
  app.storage.restorePending = false;
  auto checked = sync::CheckBackup(std::move(file));
  if (!checked) {
    app.storage.backupFailed = true;
    app.storage.backupMessage = std::string(ui::Tr(app.lang, ui::Str::BackupRefused)) + checked.Message();
    return;
  }
  app.storage.restoreFile = name;
  app.storage.restoreCustomers = checked.Value().info.customers;
  app.storage.restoreBytes = static_cast<double>(checked.Value().info.bytes);
  app.storage.restorePending = true;
  app.storage.backupMessage.clear();
  m_pendingRestore.emplace(std::move(checked).Value());
}

void BrowserStorage::Replace(Db db) {
  sync::BackupInfo info;
  m_pendingRestore.emplace(sync::CheckedBackup{std::move(db), info});
  m_pendingFromRelay = true;
  CaptureIntoQueue();
  m_restoreConfirmed = true;
  Pump();
  SetIdleState();
}

void BrowserStorage::ConfirmRestore() {
  if (!m_pendingRestore) return;
  m_platform.app.storage.restorePending = false;
  CaptureIntoQueue();
  m_restoreConfirmed = true;
  Pump();
  SetIdleState();
}

void BrowserStorage::KeyringRead(bool sealed) {
  ui::UnlockState& unlock = m_platform.app.unlock;
  unlock.keyring.clear();
  unlock.encrypted = sealed;
}

void BrowserStorage::KeyringEntry(int64_t userId, const std::string& name, const std::string& role, const std::string& kind) {
  ui::DeviceKeyEntry entry;
  entry.userId = userId;
  entry.name = name;
  entry.role = ParseRole(role).ValueOr(Role::Rep);
  entry.kind = kind == ui::Code(ui::DeviceKeyKind::Password) ? ui::DeviceKeyKind::Password : ui::DeviceKeyKind::Pin;
  m_platform.app.unlock.keyring.push_back(entry);
}

void BrowserStorage::Locked() {
  ui::AppState& app = m_platform.app;
  app.unlock.userId = app.unlock.keyring.size() == 1 ? app.unlock.keyring.front().userId : 0;
  app.unlock.focusField = true;
  app.screen = ui::Screen::Unlock;
  // This tab holds the writer's lock but has opened nothing (a take-over included): the unlock step shows.
  app.storage.role = ui::WriterRole::Starting;
  // Sealed data and nobody to open it: the keys went missing; the data cannot be read here.
  if (app.unlock.keyring.empty()) OpenFailed("the saved data is encrypted and this device holds no key to open it");
}

void BrowserStorage::Unlocked(int64_t userId) {
  ui::UnlockState& unlock = m_platform.app.unlock;
  m_unlockedBy = userId;
  unlock.busy = false;
  unlock.secret.clear();
  unlock.secretError.clear();
  m_platform.app.screen = ui::Screen::Loading;
}

void BrowserStorage::UnlockRefused(int64_t waitUntil) { ui::UnlockRefused(m_platform.app, waitUntil); }

void BrowserStorage::NotEncrypted(const std::string& reason) {
  ui::UnlockState& unlock = m_platform.app.unlock;
  unlock.encrypted = false;
  unlock.keyring.clear();
  std::fprintf(stderr, "not encrypted: %s\n", reason.c_str());
}

void BrowserStorage::Protect(const ui::DeviceKeyEntry& who, const std::string& secret) {
  ui::AppState& app = m_platform.app;
  JsStorageProtect(std::to_string(who.userId).c_str(), who.name.c_str(), Code(who.role), ui::Code(who.kind), secret.c_str());
  // The first wrap makes the key: everything saved so far is saved again, sealed, replacing the plain copy.
  if (!app.unlock.encrypted) {
    app.unlock.encrypted = true;
    m_snapshotRequested = true;
  }
  // (Saved with the commit that follows a sign-in or a new person: every caller persists next.)
}

void BrowserStorage::ForgetKeys() {
  ui::UnlockState& unlock = m_platform.app.unlock;
  JsStorageForgetKeys();
  unlock.keyring.clear();
  unlock.encrypted = false;
}

void BrowserStorage::UpdateAvailable() { m_platform.app.storage.updateAvailable = true; }

void BrowserStorage::ApplyUpdate() {
  // The page reloads into the new version only after everything is saved (Frame checks).
  m_updateRequested = true;
  Persist();
}

std::string BrowserStorage::StateJson() const {
  const ui::StorageUiState& storage = m_platform.app.storage;
  char numbers[768];
  std::snprintf(numbers, sizeof numbers,
                "\"capturedSeq\":%llu,\"durableSeq\":%llu,\"queued\":%zu,\"inFlight\":%s,\"logRecords\":%zu,\"logBytes\":%zu,"
                "\"lastRecordBytes\":%zu,\"usage\":%.0f,\"quota\":%.0f,\"persisted\":%s,\"evicted\":%s,\"recoverMs\":%.2f,"
                "\"restorePending\":%s,\"restoreCustomers\":%lld,\"updateAvailable\":%s,\"backupFailed\":%s,"
                "\"openMs\":%.2f,\"checkMs\":%.2f,\"loadMs\":%.2f,\"replayMs\":%.2f",
                static_cast<unsigned long long>(CapturedSeq()), static_cast<unsigned long long>(m_durable.seq), m_queue.size(),
                m_inFlight ? "true" : "false", m_journal ? m_journal->LogRecords() : 0, m_journal ? m_journal->LogBytes() : 0,
                m_lastRecordBytes, storage.usageBytes, storage.quotaBytes, storage.persisted ? "true" : "false",
                storage.evicted ? "true" : "false", m_recoverMs, storage.restorePending ? "true" : "false",
                static_cast<long long>(storage.restoreCustomers), storage.updateAvailable ? "true" : "false",
                storage.backupFailed ? "true" : "false", m_openMs, m_lastRecovery.checkMs, m_lastRecovery.loadMs,
                m_lastRecovery.replayMs);
  // Where the data is kept: "indexeddb", or "memory" (no IndexedDB); a private window keeps it until closed.
  std::string kept = std::string(",\"mode\":") + (storage.memoryOnly ? "\"memory\"" : "\"indexeddb\"") +
                     ",\"memoryReason\":" + JsonString(storage.memoryReason) + ",\"privateWindow\":" + (storage.privateWindow ? "true" : "false") +
                     ",\"restoredFromServer\":" + (storage.restoredFromServer ? "true" : "false") +
                     ",\"forgetsOnClose\":" + (ui::ForgetsOnClose(storage) ? "true" : "false") +
                     ",\"snapshotFormat\":" + (storage.memoryOnly ? "\"none\"" : storage.blobsRefused ? "\"arraybuffer\"" : "\"blob\"") +
                     ",\"estimate\":" + (storage.estimateUnknown ? "\"unavailable\"" : storage.usageBytes >= 0 ? "\"known\"" : "\"pending\"");
  return std::string("{\"role\":") + JsonString(ui::WriterRoleName(storage.role)) + "," + numbers + kept +
         ",\"notice\":" + JsonString(storage.notice) + ",\"backupMessage\":" + JsonString(storage.backupMessage) + "}";
}

void StartStorage() { GetStorage().Start(); }
void StorageFrame() { GetStorage().Frame(); }

// ---- Entry points for storage.js -------------------------------------------------

extern "C" {

EMSCRIPTEN_KEEPALIVE uint8_t* crm_storage_alloc(double size) {
  return sync::SqliteBuffer::Allocate(static_cast<size_t>(size)).Release();
}

EMSCRIPTEN_KEEPALIVE void crm_storage_loaded(const uint8_t* header, double headerSize, uint8_t* image, double imageSize,
                                             const uint8_t* log, double logSize, int evicted) {
  sync::Bytes snapshotHeader(header, header + static_cast<size_t>(headerSize));
  sync::SqliteBuffer snapshot = image ? sync::SqliteBuffer::Adopt(image, static_cast<size_t>(imageSize)) : sync::SqliteBuffer();
  GetStorage().Loaded(std::move(snapshotHeader), std::move(snapshot), log, static_cast<size_t>(logSize), evicted != 0);
}

EMSCRIPTEN_KEEPALIVE void crm_storage_open_failed(const char* message) { GetStorage().OpenFailed(message ? message : "storage failed"); }
EMSCRIPTEN_KEEPALIVE void crm_storage_other_tab() { GetStorage().OtherTab(); }
EMSCRIPTEN_KEEPALIVE void crm_storage_takeover_requested() { GetStorage().TakeoverRequested(); }
EMSCRIPTEN_KEEPALIVE void crm_storage_lock_lost() { GetStorage().LockLost(); }
EMSCRIPTEN_KEEPALIVE void crm_storage_written(double batch, const char* errorName, const char* errorMessage) {
  GetStorage().Written(static_cast<uint64_t>(batch), errorName ? errorName : "", errorMessage ? errorMessage : "");
}
EMSCRIPTEN_KEEPALIVE void crm_storage_estimated(double usage, double quota, int persisted) {
  GetStorage().Estimated(usage, quota, persisted != 0);
}
EMSCRIPTEN_KEEPALIVE void crm_storage_estimate_unknown() { GetStorage().EstimateUnknown(); }
EMSCRIPTEN_KEEPALIVE void crm_storage_memory_only(const char* reason) { GetStorage().MemoryOnly(reason ? reason : ""); }
EMSCRIPTEN_KEEPALIVE void crm_storage_blobs_refused(int privateWindow) { GetStorage().BlobsRefused(privateWindow != 0); }
EMSCRIPTEN_KEEPALIVE void crm_storage_file_chosen(uint8_t* data, double size, const char* name) {
  GetStorage().FileChosen(sync::SqliteBuffer::Adopt(data, static_cast<size_t>(size)), name ? name : "");
}
EMSCRIPTEN_KEEPALIVE void crm_storage_update_available() { GetStorage().UpdateAvailable(); }
EMSCRIPTEN_KEEPALIVE void crm_storage_keyring(int sealed) { GetStorage().KeyringRead(sealed != 0); }
EMSCRIPTEN_KEEPALIVE void crm_storage_keyring_entry(const char* userId, const char* name, const char* role, const char* kind) {
  GetStorage().KeyringEntry(userId ? std::strtoll(userId, nullptr, 10) : 0, name ? name : "", role ? role : "", kind ? kind : "");
}
EMSCRIPTEN_KEEPALIVE void crm_storage_locked() { GetStorage().Locked(); }
EMSCRIPTEN_KEEPALIVE void crm_storage_not_encrypted(const char* reason) { GetStorage().NotEncrypted(reason ? reason : ""); }
EMSCRIPTEN_KEEPALIVE void crm_storage_unlocked(const char* userId) {
  GetStorage().Unlocked(userId ? std::strtoll(userId, nullptr, 10) : 0);
}
EMSCRIPTEN_KEEPALIVE void crm_storage_unlock_refused(double waitUntil) {
  GetStorage().UnlockRefused(static_cast<int64_t>(waitUntil));
}

}  // extern "C"

}  // namespace crm::web
