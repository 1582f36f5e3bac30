#pragma once
// Durable browser storage (docs/DESIGN.md, notes 1 and 2): the database lives in
// memory; every committed change becomes one journal record, written to
// IndexedDB in its own transaction; "saved" is shown only once that transaction
// has completed. A snapshot replaces the log now and then. One tab per browser
// profile writes (Web Locks); another tab offers to take over.
//
// Encryption at rest: once a real organisation's data is here, storage.js seals every
// snapshot and record with a data key wrapped per person (the keyring); a device whose
// saved data is sealed shows the unlock step before anything is opened.
//
// The IndexedDB, Web Locks, service worker and file glue is JavaScript
// (storage.js); this file decides what to write and when, and keeps the app's
// state honest about it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sync/backup.h"
#include "sync/journal.h"
#include "ui/signin_screen.h"

namespace crm::web {

struct Platform;

class BrowserStorage {
 public:
  explicit BrowserStorage(Platform& platform) : m_platform(platform) {}

  // Elects the writer and, if this tab is it, loads the saved database.
  void Start();
  // Captures what was committed and sends it to IndexedDB. Cheap when nothing changed.
  void Persist();
  // Once per frame: catches commits no screen reported, idle snapshots, usage refresh.
  void Frame();

  // Answers from storage.js.
  void Loaded(sync::Bytes snapshotHeader, sync::SqliteBuffer snapshotImage, const uint8_t* log, size_t logSize, bool evicted);
  void OpenFailed(const std::string& message);
  void OtherTab();
  void TakeoverRequested();
  void LockLost();
  void Written(uint64_t batch, const std::string& errorName, const std::string& errorMessage);
  void Estimated(double usage, double quota, bool persisted);
  void EstimateUnknown();
  // No IndexedDB: the data lives in this window only; `reason` is the browser's refusal.
  void MemoryOnly(const std::string& reason);
  // A snapshot was refused as a Blob and went as an ArrayBuffer; WebKit refuses them so in a private window.
  void BlobsRefused(bool privateWindow);
  void FileChosen(sync::SqliteBuffer file, const std::string& name);
  void UpdateAvailable();
  // The keyring read at open (entries follow one by one), and whether the saved data is sealed.
  void KeyringRead(bool sealed);
  void KeyringEntry(int64_t userId, const std::string& name, const std::string& role, const std::string& kind);
  // The saved data is sealed: the unlock step shows until someone's secret opens it.
  void Locked();
  void Unlocked(int64_t userId);
  void UnlockRefused(int64_t waitUntil);
  // No data key could be made (no WebCrypto here): what is saved stays plain, and the storage panel says so.
  void NotEncrypted(const std::string& reason);

  // Wraps the data key for a person (the first wrap makes the key and re-saves everything sealed).
  void Protect(const ui::DeviceKeyEntry& who, const std::string& secret);
  // Drops the key and every wrap: what is saved next is plain (a wiped device) until a new Protect.
  void ForgetKeys();

  // For tests and the benchmark: the seq of the last captured record, and of the last durable one.
  uint64_t CapturedSeq() const { return m_journal ? m_journal->LastSeq() : 0; }
  uint64_t DurableSeq() const { return m_durable.seq; }
  // Switches to another database (an organisation's first snapshot from the relay): it is stored as
  // the new snapshot first and opened once durable; until then the current data stays.
  void Replace(Db db);
  // Bulk loading (test data): stop recording, then save the result as one snapshot.
  void BeginBulkLoad();
  void ForceSnapshot();
  std::string StateJson() const;

 private:
  struct Batch {
    uint64_t id = 0;
    std::vector<sync::Bytes> records;  // captured changes this batch makes durable (kept to undo them on failure)
    bool sendRecords = true;           // false when a snapshot in the same batch already covers them
    std::optional<sync::Snapshot> snapshot;
    std::optional<sync::CheckedBackup> restore;  // a backup to switch to once its snapshot is stored
    bool fromRelay = false;                      // …the relay's snapshot rather than a file
    sync::JournalMark markAfter;
  };

  void CaptureIntoQueue();
  void Pump();
  void Submit(Batch batch);
  void SetIdleState();
  void Fail(const std::string& message);
  void ReleaseWriter();
  void CloseDatabase();
  Status OpenDatabase(Db db, const sync::RecoveryReport& report);
  void TakeOver();
  void ExportBackup();
  void ConfirmRestore();
  void ApplyUpdate();
  void RequestEstimate();
  void WireCallbacks();

  Platform& m_platform;
  std::optional<sync::Journal> m_journal;
  std::vector<sync::Bytes> m_queue;  // captured, waiting for the batch in flight to finish
  std::optional<Batch> m_inFlight;
  sync::JournalMark m_durable;
  uint64_t m_nextBatch = 1;
  bool m_releasing = false;         // another tab asked to take over: finish writing, then let go
  bool m_snapshotRequested = false;
  bool m_restoreConfirmed = false;
  bool m_updateRequested = false;  // reload into the new version once nothing is being written
  bool m_failureShown = false;  // a failed write stays on screen until a later change is saved
  std::optional<sync::CheckedBackup> m_pendingRestore;
  bool m_pendingFromRelay = false;
  double m_lastEditMs = 0;
  double m_lastEstimateMs = -1e9;
  double m_openStartedMs = 0;
  double m_recoverMs = 0;
  double m_openMs = 0;  // recovery plus migration and first queries
  sync::RecoveryReport m_lastRecovery;
  size_t m_lastRecordBytes = 0;
  int64_t m_unlockedBy = 0;  // who unlocked the device: signed in once the database opens
};

// The storage of the page; lives as long as the page.
BrowserStorage& GetStorage();

}  // namespace crm::web
