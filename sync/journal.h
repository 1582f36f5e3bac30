#pragma once
// The durable local journal: the database lives in memory, every committed
// change is captured as a changeset (session extension) and written as one
// framed record to an append-only log; from time to time a snapshot
// (sqlite3_serialize) replaces the log. Opening = newest snapshot + replay of
// the log records that follow it. The cost of saving an edit grows with the
// edit, not with the database.
//
// This file knows nothing about where the bytes go (IndexedDB in the browser,
// plain buffers in tests): the platform stores records and hands them back.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/db.h"

struct sqlite3_session;

namespace crm::sync {

using Bytes = std::vector<uint8_t>;

// ---- Record framing -------------------------------------------------------
// Every record starts with a fixed header, so a log read back as one byte
// stream splits itself, and a torn or damaged record is recognised:
//   magic "CRMJ" | format u8 | kind u8 | reserved u16 | seq u64 | length u32 | crc32 u32
// All integers little-endian; the CRC covers the first 20 header bytes and the payload.
constexpr size_t kRecordHeaderSize = 24;
constexpr uint8_t kRecordFormat = 1;

enum class RecordKind : uint8_t { Changeset = 1, Snapshot = 2 };

struct RecordHeader {
  RecordKind kind = RecordKind::Changeset;
  uint64_t seq = 0;
  uint32_t length = 0;  // payload bytes after the header
  uint32_t crc = 0;
};

// CRC-32 (IEEE 802.3, as zlib), continuing from `crc`.
uint32_t Crc32(const uint8_t* data, size_t size, uint32_t crc = 0);

// The header for a payload; its CRC covers the header and the payload.
Bytes EncodeHeader(RecordKind kind, uint64_t seq, const uint8_t* payload, size_t size);
// Header and payload in one buffer.
Bytes EncodeRecord(RecordKind kind, uint64_t seq, const uint8_t* payload, size_t size);
// Reads a header; Corrupt when the bytes are too short or not a record of this format.
Result<RecordHeader> DecodeHeader(const uint8_t* data, size_t size);
// Checks that `payload` is the one the header was written for.
Status VerifyPayload(const uint8_t* header, const RecordHeader& decoded, const uint8_t* payload, size_t size);

// One record found in a log stream; `payload` points into the scanned bytes.
struct LogRecord {
  RecordHeader header;
  const uint8_t* payload = nullptr;
};

struct LogScan {
  std::vector<LogRecord> records;  // valid, consecutive records, in order
  size_t validBytes = 0;           // bytes covered by `records` (and skipped stale ones)
  size_t ignoredBytes = 0;         // bytes after the first bad record
  std::string stopReason;          // why scanning stopped early; empty when the whole stream was valid
};

// Splits concatenated records. Records with seq <= afterSeq are skipped (already
// in the snapshot); the rest must be consecutive from afterSeq + 1. Scanning stops
// at the first torn, damaged or out-of-order record: later records depend on it,
// so they are ignored too, and the caller reports them.
LogScan ScanLog(const uint8_t* data, size_t size, uint64_t afterSeq);

// ---- Buffers SQLite can own -----------------------------------------------
// A buffer from sqlite3_malloc64, so sqlite3_deserialize can take it without a copy.
class SqliteBuffer {
 public:
  SqliteBuffer() = default;
  static SqliteBuffer Allocate(size_t size);  // empty (data() null) when out of memory
  static SqliteBuffer Adopt(uint8_t* data, size_t size) { return SqliteBuffer(data, size); }
  SqliteBuffer(SqliteBuffer&& other) noexcept;
  SqliteBuffer& operator=(SqliteBuffer&& other) noexcept;
  SqliteBuffer(const SqliteBuffer&) = delete;
  SqliteBuffer& operator=(const SqliteBuffer&) = delete;
  ~SqliteBuffer();

  uint8_t* data() const { return m_data; }
  size_t size() const { return m_size; }
  bool empty() const { return m_data == nullptr; }
  uint8_t* Release();

 private:
  SqliteBuffer(uint8_t* data, size_t size) : m_data(data), m_size(size) {}
  uint8_t* m_data = nullptr;
  size_t m_size = 0;
};

// ---- Snapshots ------------------------------------------------------------
struct Snapshot {
  Bytes header;  // RecordKind::Snapshot header; its CRC covers the image
  // The database image. When `borrowed`, it points into the live database and is
  // valid only until the next write: copy it out before anything else runs.
  const uint8_t* image = nullptr;
  size_t size = 0;
  bool borrowed = false;
  SqliteBuffer owned;  // holds the image when it was copied
  uint64_t seq = 0;
};

// Makes `db` (freshly opened in memory) an in-memory copy of `image`, taking the
// buffer: the database is resizable and frees it on close. An empty buffer gives
// an empty database held the same way, so snapshots can later be taken without a copy.
Status LoadImage(Db& db, SqliteBuffer image);

// ---- Recovery ---------------------------------------------------------------
struct RecoveryReport {
  uint64_t snapshotSeq = 0;    // 0 when there was no snapshot
  uint64_t lastSeq = 0;        // seq of the last record applied (or the snapshot's)
  size_t appliedRecords = 0;
  size_t logBytes = 0;         // bytes of the applied records, for the snapshot policy
  size_t ignoredBytes = 0;     // torn or damaged tail that was left out
  std::string problem;         // a person-readable note when something was left out
  // Where the time went, for the open-time benchmark.
  double checkMs = 0;   // snapshot checksum
  double loadMs = 0;    // sqlite3_deserialize and the schema read
  double replayMs = 0;  // log records
};

// Opens the saved state into `db` (fresh, in memory): the snapshot, if any, then
// every valid log record after it. A snapshot that fails its checksum is an error
// (nothing would be safe to show); a bad log tail is reported and left out.
Result<RecoveryReport> Recover(Db& db, const Bytes& snapshotHeader, SqliteBuffer snapshotImage, const uint8_t* log,
                               size_t logSize);

// Applies one changeset exactly as recorded: triggers are off (their effects are
// in the changeset already), and any conflict fails the whole changeset.
Status ReplayChangeset(Db& db, const uint8_t* changeset, size_t size);

// ---- Capture ------------------------------------------------------------------
struct JournalPolicy {
  // A snapshot replaces the log once it holds this many records or bytes…
  size_t snapshotAfterRecords = 2000;
  size_t snapshotAfterBytes = 4u << 20;
  // …or when the log has grown to this fraction of the database and the user is idle.
  size_t idleSnapshotAfterRecords = 200;
};

// Where the journal stands: enough to return to it when writes after it fail.
struct JournalMark {
  uint64_t seq = 0;
  size_t logRecords = 0;
  size_t logBytes = 0;
  bool schemaChanged = false;
};

class Journal {
 public:
  // Starts capturing on `db` after recovery; the next record gets report.lastSeq + 1.
  static Result<Journal> Start(Db& db, const RecoveryReport& report, JournalPolicy policy = {});

  Journal(Journal&& other) noexcept;
  Journal& operator=(Journal&&) = delete;
  Journal(const Journal&) = delete;
  ~Journal();

  // Everything committed since the last capture, as one framed changeset record;
  // empty when nothing changed or a transaction is open (it is captured once it
  // commits; rolled-back work never appears). A fresh session follows each capture,
  // because a session never forgets what it has recorded.
  Result<Bytes> Capture();

  // True when the schema changed (DDL is not in changesets) or the log is long enough.
  bool WantsSnapshot(bool idle);
  // A snapshot of the current state; uncaptured changes are included and dropped
  // from the session. Its seq follows the last record, and it supersedes every record
  // up to and including it.
  Result<Snapshot> TakeSnapshot();

  // Takes back records that were captured but could not be stored (storage full):
  // their inverses are applied newest first, together with anything not yet
  // captured, so memory matches what is durable again. `records` are framed, in
  // capture order; `durable` is the mark of the last stored state, where the
  // journal continues.
  Status Undo(const std::vector<Bytes>& records, const JournalMark& durable);
  JournalMark Mark() const { return JournalMark{m_seq, m_logRecords, m_logBytes, m_schemaChanged}; }

  // Stops recording, for bulk loads where one snapshot is cheaper than a huge changeset
  // (and the session's bookkeeping of every row would slow the load down). Until the
  // next TakeSnapshot, Capture returns nothing and WantsSnapshot says yes.
  void Suspend();

  uint64_t LastSeq() const { return m_seq; }
  size_t LogRecords() const { return m_logRecords; }
  size_t LogBytes() const { return m_logBytes; }

 private:
  Journal(Db& db, JournalPolicy policy) : m_db(&db), m_policy(policy) {}
  Status Restart();  // a fresh session, and the change counters as of now
  // Every start reads and checksums the whole image, free pages too: when an eighth or more of it is
  // free (migration 6 leaves a 100k book a fifth free; many rows were purged), it is compacted first.
  void CompactIfMostlyFree();
  static constexpr int64_t kCompactMinFreePages = 256;
  Result<int64_t> SchemaCookie() const;
  void NoteSchemaChange();  // DDL leaves no trace in a changeset; the schema cookie shows it

  Db* m_db;
  JournalPolicy m_policy;
  sqlite3_session* m_session = nullptr;
  uint64_t m_seq = 0;
  int64_t m_totalChanges = 0;
  int64_t m_schemaCookie = 0;
  bool m_schemaChanged = false;
  bool m_suspended = false;
  size_t m_logRecords = 0;
  size_t m_logBytes = 0;
};

}  // namespace crm::sync
