// Index of this file:
// [SECTION] helpers: CRC-32, little-endian fields, triggers off during replay, table shape checks
// [SECTION] record framing: encode, decode, verify, scan a log
// [SECTION] recovery: snapshot image plus log replay
// [SECTION] the journal: capture, snapshots, undo of writes that failed
#include "sync/journal.h"

#include <sqlite3.h>

#include <array>
#include <chrono>
#include <cstring>
#include <unordered_map>

namespace crm::sync {

namespace {

// ---------------------------------------------------------------------------
// [SECTION] helpers

// Slicing-by-8 tables, built at compile time: a 17 MB snapshot is checked on
// every open, so the byte-at-a-time loop would cost a visible part of the start-up.
struct CrcTables {
  uint32_t t[8][256];
};

constexpr CrcTables MakeCrcTables() {
  CrcTables tables{};
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    tables.t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++) {
    for (int s = 1; s < 8; s++) tables.t[s][i] = (tables.t[s - 1][i] >> 8) ^ tables.t[0][tables.t[s - 1][i] & 0xFF];
  }
  return tables;
}

constexpr CrcTables kCrc = MakeCrcTables();

void PutU16(uint8_t* out, uint16_t v) {
  out[0] = static_cast<uint8_t>(v);
  out[1] = static_cast<uint8_t>(v >> 8);
}
void PutU32(uint8_t* out, uint32_t v) {
  for (int i = 0; i < 4; i++) out[i] = static_cast<uint8_t>(v >> (8 * i));
}
void PutU64(uint8_t* out, uint64_t v) {
  for (int i = 0; i < 8; i++) out[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t GetU32(const uint8_t* in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= static_cast<uint32_t>(in[i]) << (8 * i);
  return v;
}
uint64_t GetU64(const uint8_t* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= static_cast<uint64_t>(in[i]) << (8 * i);
  return v;
}

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

constexpr uint8_t kMagic[4] = {'C', 'R', 'M', 'J'};
constexpr int kMemdbCacheKiB = 32768;  // grows only with the pages touched
constexpr size_t kCrcOffset = 20;

Error SqliteError(Db& db, int rc, const std::string& context) {
  const char* detail = db.Handle() ? sqlite3_errmsg(db.Handle()) : sqlite3_errstr(rc);
  return MakeError(ErrorCodeFromSqlite(rc), context + ": " + detail);
}

// Triggers off while a recorded changeset is applied: the rows the triggers wrote
// when the change was made (audit entries, index tables) are in the changeset
// already; firing them again would write them twice, with other ids.
class TriggersOff {
 public:
  // The out-parameter reports the setting after the call, so the old one is read first (-1: leave as is).
  explicit TriggersOff(sqlite3* db) : m_db(db) {
    sqlite3_db_config(m_db, SQLITE_DBCONFIG_ENABLE_TRIGGER, -1, &m_was);
    sqlite3_db_config(m_db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
  }
  ~TriggersOff() { sqlite3_db_config(m_db, SQLITE_DBCONFIG_ENABLE_TRIGGER, m_was, nullptr); }
  TriggersOff(const TriggersOff&) = delete;
  TriggersOff& operator=(const TriggersOff&) = delete;

 private:
  sqlite3* m_db;
  int m_was = 1;
};

struct ReplayContext {
  int conflict = 0;
};

int AbortOnConflict(void* context, int kind, sqlite3_changeset_iter*) {
  static_cast<ReplayContext*>(context)->conflict = kind;
  return SQLITE_CHANGESET_ABORT;
}

// SQLite skips a table whose columns do not match the changeset with no more than a
// log message. A replay must never lose data that way, so the shapes are compared first.
Status CheckTableShapes(Db& db, const uint8_t* changeset, size_t size) {
  sqlite3_changeset_iter* iter = nullptr;
  int rc = sqlite3changeset_start(&iter, static_cast<int>(size), const_cast<uint8_t*>(changeset));
  if (rc != SQLITE_OK) return MakeError(ErrorCode::Corrupt, std::string("malformed changeset: ") + sqlite3_errstr(rc));
  std::unordered_map<std::string, int> checked;
  Status status = Ok();
  while ((rc = sqlite3changeset_next(iter)) == SQLITE_ROW) {
    const char* table = nullptr;
    int columns = 0;
    int op = 0;
    int indirect = 0;
    sqlite3changeset_op(iter, &table, &columns, &op, &indirect);
    auto found = checked.find(table);
    if (found != checked.end()) {
      if (found->second != columns) break;
      continue;
    }
    int have = 0;
    // Sessions record a table without a declared primary key with its rowid as an extra first column.
    auto stmt = db.PrepareOnce("SELECT count(*) + (CASE WHEN max(pk) = 0 THEN 1 ELSE 0 END) FROM pragma_table_info(?)");
    if (!stmt) {
      status = stmt.GetError();
      break;
    }
    stmt.Value().Bind(1, table);
    auto row = stmt.Value().Step();
    if (row && row.Value()) have = static_cast<int>(stmt.Value().Int64(0));
    if (have != columns) {
      status = MakeError(ErrorCode::Schema, std::string("saved change for table ") + table + " has " + std::to_string(columns) +
                                                " columns, the database has " + std::to_string(have));
      break;
    }
    checked.emplace(table, columns);
  }
  int finalized = sqlite3changeset_finalize(iter);
  if (!status) return status;
  if ((rc != SQLITE_DONE && rc != SQLITE_ROW) || finalized != SQLITE_OK) {
    return MakeError(ErrorCode::Corrupt, "malformed changeset");
  }
  return Ok();
}

}  // namespace

uint32_t Crc32(const uint8_t* data, size_t size, uint32_t crc) {
  uint32_t c = ~crc;
  while (size >= 8) {
    uint32_t one = c ^ (static_cast<uint32_t>(data[0]) | static_cast<uint32_t>(data[1]) << 8 |
                        static_cast<uint32_t>(data[2]) << 16 | static_cast<uint32_t>(data[3]) << 24);
    uint32_t two = static_cast<uint32_t>(data[4]) | static_cast<uint32_t>(data[5]) << 8 |
                   static_cast<uint32_t>(data[6]) << 16 | static_cast<uint32_t>(data[7]) << 24;
    c = kCrc.t[7][one & 0xFF] ^ kCrc.t[6][(one >> 8) & 0xFF] ^ kCrc.t[5][(one >> 16) & 0xFF] ^ kCrc.t[4][one >> 24] ^
        kCrc.t[3][two & 0xFF] ^ kCrc.t[2][(two >> 8) & 0xFF] ^ kCrc.t[1][(two >> 16) & 0xFF] ^ kCrc.t[0][two >> 24];
    data += 8;
    size -= 8;
  }
  while (size--) c = kCrc.t[0][(c ^ *data++) & 0xFF] ^ (c >> 8);
  return ~c;
}

Bytes EncodeHeader(RecordKind kind, uint64_t seq, const uint8_t* payload, size_t size) {
  Bytes header(kRecordHeaderSize, 0);
  std::memcpy(header.data(), kMagic, 4);
  header[4] = kRecordFormat;
  header[5] = static_cast<uint8_t>(kind);
  PutU16(header.data() + 6, 0);
  PutU64(header.data() + 8, seq);
  PutU32(header.data() + 16, static_cast<uint32_t>(size));
  uint32_t crc = Crc32(header.data(), kCrcOffset);
  crc = Crc32(payload, size, crc);
  PutU32(header.data() + kCrcOffset, crc);
  return header;
}

Bytes EncodeRecord(RecordKind kind, uint64_t seq, const uint8_t* payload, size_t size) {
  Bytes record = EncodeHeader(kind, seq, payload, size);
  record.insert(record.end(), payload, payload + size);
  return record;
}

// ---------------------------------------------------------------------------
// [SECTION] record framing

Result<RecordHeader> DecodeHeader(const uint8_t* data, size_t size) {
  if (size < kRecordHeaderSize) return MakeError(ErrorCode::Corrupt, "record header cut short");
  if (std::memcmp(data, kMagic, 4) != 0) return MakeError(ErrorCode::Corrupt, "not a journal record");
  if (data[4] != kRecordFormat) return MakeError(ErrorCode::Schema, "journal record format " + std::to_string(data[4]) + " is not known");
  if (data[5] != static_cast<uint8_t>(RecordKind::Changeset) && data[5] != static_cast<uint8_t>(RecordKind::Snapshot)) {
    return MakeError(ErrorCode::Corrupt, "unknown journal record kind " + std::to_string(data[5]));
  }
  RecordHeader header;
  header.kind = static_cast<RecordKind>(data[5]);
  header.seq = GetU64(data + 8);
  header.length = GetU32(data + 16);
  header.crc = GetU32(data + kCrcOffset);
  return header;
}

Status VerifyPayload(const uint8_t* header, const RecordHeader& decoded, const uint8_t* payload, size_t size) {
  if (size != decoded.length) {
    return MakeError(ErrorCode::Corrupt, "record " + std::to_string(decoded.seq) + " holds " + std::to_string(size) +
                                             " bytes, its header says " + std::to_string(decoded.length));
  }
  uint32_t crc = Crc32(header, kCrcOffset);
  crc = Crc32(payload, size, crc);
  if (crc != decoded.crc) return MakeError(ErrorCode::Corrupt, "record " + std::to_string(decoded.seq) + " fails its checksum");
  return Ok();
}

LogScan ScanLog(const uint8_t* data, size_t size, uint64_t afterSeq) {
  LogScan scan;
  size_t offset = 0;
  uint64_t expected = afterSeq + 1;
  while (offset < size) {
    const uint8_t* at = data + offset;
    size_t left = size - offset;
    auto header = DecodeHeader(at, left);
    if (!header) {
      scan.stopReason = header.Message();
      break;
    }
    const RecordHeader& h = header.Value();
    if (left - kRecordHeaderSize < h.length) {
      scan.stopReason = "record " + std::to_string(h.seq) + " is cut short (torn write)";
      break;
    }
    if (auto verified = VerifyPayload(at, h, at + kRecordHeaderSize, h.length); !verified) {
      scan.stopReason = verified.Message();
      break;
    }
    if (h.kind != RecordKind::Changeset) {
      scan.stopReason = "a snapshot record inside the log";
      break;
    }
    size_t total = kRecordHeaderSize + h.length;
    if (h.seq <= afterSeq) {  // already part of the snapshot
      offset += total;
      scan.validBytes = offset;
      continue;
    }
    if (h.seq != expected) {
      scan.stopReason = "record " + std::to_string(expected) + " is missing (found " + std::to_string(h.seq) + ")";
      break;
    }
    scan.records.push_back(LogRecord{h, at + kRecordHeaderSize});
    expected++;
    offset += total;
    scan.validBytes = offset;
  }
  scan.ignoredBytes = size - scan.validBytes;
  return scan;
}

SqliteBuffer SqliteBuffer::Allocate(size_t size) {
  // sqlite3_malloc64(0) is null; one byte keeps "allocated" and "failed" apart.
  void* data = sqlite3_malloc64(size ? size : 1);
  return data ? SqliteBuffer(static_cast<uint8_t*>(data), size) : SqliteBuffer();
}

SqliteBuffer::SqliteBuffer(SqliteBuffer&& other) noexcept : m_data(other.m_data), m_size(other.m_size) {
  other.m_data = nullptr;
  other.m_size = 0;
}

SqliteBuffer& SqliteBuffer::operator=(SqliteBuffer&& other) noexcept {
  if (this != &other) {
    if (m_data) sqlite3_free(m_data);
    m_data = other.m_data;
    m_size = other.m_size;
    other.m_data = nullptr;
    other.m_size = 0;
  }
  return *this;
}

SqliteBuffer::~SqliteBuffer() {
  if (m_data) sqlite3_free(m_data);
}

uint8_t* SqliteBuffer::Release() {
  uint8_t* data = m_data;
  m_data = nullptr;
  m_size = 0;
  return data;
}

// ---------------------------------------------------------------------------
// [SECTION] recovery

Status LoadImage(Db& db, SqliteBuffer image) {
  size_t size = image.size();
  unsigned flags = SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE;
  // An empty image still goes through sqlite3_deserialize: the database then lives in
  // SQLite's memdb, whose pages sqlite3_serialize can hand out without copying them.
  uint8_t* data = image.Release();
  int rc = sqlite3_deserialize(db.Handle(), "main", data, static_cast<sqlite3_int64>(size), static_cast<sqlite3_int64>(size), flags);
  if (rc != SQLITE_OK) return SqliteError(db, rc, "cannot load the saved database");
  db.ForgetDerived();  // counts and id lists of the content just replaced
  // memdb hands pages to the page cache by copying them out of the image; with the default 2 MB
  // cache a 100k book's queries spent a tenth of their time (in wasm) copying the same pages again.
  CRM_TRY(db.Exec("PRAGMA cache_size = -" + std::to_string(kMemdbCacheKiB)));
  if (size == 0) return Ok();
  // A damaged image must not pass for a database: read the schema now.
  auto tables = db.QueryInt("SELECT count(*) FROM sqlite_schema");
  if (!tables) return MakeError(ErrorCode::Corrupt, "the saved database is damaged: " + tables.Message());
  return Ok();
}

Status ReplayChangeset(Db& db, const uint8_t* changeset, size_t size) {
  CRM_TRY(CheckTableShapes(db, changeset, size));
  TriggersOff triggersOff(db.Handle());
  ReplayContext context;
  int rc = sqlite3changeset_apply(db.Handle(), static_cast<int>(size), const_cast<uint8_t*>(changeset), nullptr,
                                  AbortOnConflict, &context);
  if (rc == SQLITE_OK) return Ok();
  if (context.conflict != 0) {
    return MakeError(ErrorCode::Conflict, "saved change does not fit the database (conflict kind " +
                                              std::to_string(context.conflict) + ")");
  }
  return SqliteError(db, rc, "cannot apply saved change");
}

Result<RecoveryReport> Recover(Db& db, const Bytes& snapshotHeader, SqliteBuffer snapshotImage, const uint8_t* log,
                               size_t logSize) {
  RecoveryReport report;
  auto started = std::chrono::steady_clock::now();
  if (!snapshotHeader.empty()) {
    CRM_ASSIGN_OR_RETURN(RecordHeader header, DecodeHeader(snapshotHeader.data(), snapshotHeader.size()));
    if (header.kind != RecordKind::Snapshot) return MakeError(ErrorCode::Corrupt, "the saved snapshot is not a snapshot record");
    if (auto verified = VerifyPayload(snapshotHeader.data(), header, snapshotImage.data(), snapshotImage.size()); !verified) {
      return MakeError(ErrorCode::Corrupt, "the saved database snapshot is damaged: " + verified.Message());
    }
    report.checkMs = MsSince(started);
    started = std::chrono::steady_clock::now();
    CRM_TRY(LoadImage(db, std::move(snapshotImage)));
    report.snapshotSeq = header.seq;
  } else {
    CRM_TRY(LoadImage(db, SqliteBuffer()));
  }
  report.lastSeq = report.snapshotSeq;
  report.loadMs = MsSince(started);
  started = std::chrono::steady_clock::now();

  LogScan scan = ScanLog(log, logSize, report.snapshotSeq);
  // Fast path: the records merged into one changeset (sqlite3changegroup) and applied
  // at once; applying each costs a few milliseconds of statement set-up per table,
  // which made a 100k book with a few hundred records open seconds late. For a log
  // the journal wrote, the result is the same. What merging cannot see is a record
  // that contradicts an earlier record (not the snapshot): it is folded in. Should
  // the merged apply fail, the records are applied one by one to find the bad one.
  TriggersOff triggersOff(db.Handle());
  bool merged = false;
  if (scan.records.size() > 1) {
    sqlite3_changegroup* group = nullptr;
    int rc = sqlite3changegroup_new(&group);
    for (size_t i = 0; rc == SQLITE_OK && i < scan.records.size(); i++) {
      rc = sqlite3changegroup_add(group, static_cast<int>(scan.records[i].header.length), const_cast<uint8_t*>(scan.records[i].payload));
    }
    int size = 0;
    void* combined = nullptr;
    if (rc == SQLITE_OK) rc = sqlite3changegroup_output(group, &size, &combined);
    if (group) sqlite3changegroup_delete(group);
    if (rc == SQLITE_OK) {
      auto txn = db.Begin(TxnKind::Immediate);
      if (txn && ReplayChangeset(db, static_cast<uint8_t*>(combined), static_cast<size_t>(size))) {
        merged = txn.Value().Commit().IsOk();
      } else if (txn) {
        txn.Value().Rollback();
      }
    }
    sqlite3_free(combined);
  }
  if (merged) {
    for (const LogRecord& record : scan.records) {
      report.appliedRecords++;
      report.logBytes += kRecordHeaderSize + record.header.length;
      report.lastSeq = record.header.seq;
    }
  } else {
    // One transaction for the whole replay: each changeset still gets its own savepoint
    // inside sqlite3changeset_apply, so a bad one leaves the ones before it applied.
    CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin(TxnKind::Immediate));
    for (const LogRecord& record : scan.records) {
      if (auto applied = ReplayChangeset(db, record.payload, record.header.length); !applied) {
        scan.stopReason = "record " + std::to_string(record.header.seq) + ": " + applied.Message();
        scan.ignoredBytes = logSize - static_cast<size_t>(record.payload - kRecordHeaderSize - log);
        break;
      }
      report.appliedRecords++;
      report.logBytes += kRecordHeaderSize + record.header.length;
      report.lastSeq = record.header.seq;
    }
    CRM_TRY(txn.Commit());
  }
  report.replayMs = MsSince(started);
  report.ignoredBytes = scan.ignoredBytes;
  if (!scan.stopReason.empty()) {
    report.problem = scan.stopReason + "; " + std::to_string(scan.ignoredBytes) + " bytes after the last good change were left out";
  }
  return report;
}

// ---------------------------------------------------------------------------
// [SECTION] the journal

Result<Journal> Journal::Start(Db& db, const RecoveryReport& report, JournalPolicy policy) {
  Journal journal(db, policy);
  journal.m_seq = report.lastSeq;
  journal.m_logRecords = report.appliedRecords;
  journal.m_logBytes = report.logBytes;
  CRM_TRY(journal.Restart());
  return journal;
}

Journal::Journal(Journal&& other) noexcept
    : m_db(other.m_db),
      m_policy(other.m_policy),
      m_session(other.m_session),
      m_seq(other.m_seq),
      m_totalChanges(other.m_totalChanges),
      m_schemaCookie(other.m_schemaCookie),
      m_schemaChanged(other.m_schemaChanged),
      m_suspended(other.m_suspended),
      m_logRecords(other.m_logRecords),
      m_logBytes(other.m_logBytes) {
  other.m_session = nullptr;
}

Journal::~Journal() {
  if (m_session) sqlite3session_delete(m_session);
}

Result<int64_t> Journal::SchemaCookie() const { return m_db->QueryInt("PRAGMA schema_version"); }

Status Journal::Restart() {
  if (m_session) {
    sqlite3session_delete(m_session);
    m_session = nullptr;
  }
  int rc = sqlite3session_create(m_db->Handle(), "main", &m_session);
  if (rc != SQLITE_OK) return SqliteError(*m_db, rc, "cannot start recording changes");
  // Tables without a declared primary key are recorded by rowid instead of being skipped.
  int rowid = 1;
  sqlite3session_object_config(m_session, SQLITE_SESSION_OBJCONFIG_ROWID, &rowid);
  // The planner's statistics (ANALYZE, PRAGMA optimize) are rebuilt from the data and travel only in
  // snapshots: recorded by rowid they would not replay onto the table SQLite creates.
  sqlite3session_table_filter(
      m_session, [](void*, const char* table) { return std::strncmp(table, "sqlite_stat", 11) == 0 ? 0 : 1; }, nullptr);
  rc = sqlite3session_attach(m_session, nullptr);
  if (rc != SQLITE_OK) return SqliteError(*m_db, rc, "cannot record changes");
  m_totalChanges = sqlite3_total_changes64(m_db->Handle());
  CRM_ASSIGN_OR_RETURN(m_schemaCookie, SchemaCookie());
  return Ok();
}

void Journal::Suspend() {
  if (m_session) sqlite3session_delete(m_session);
  m_session = nullptr;
  m_suspended = true;
}

Result<Bytes> Journal::Capture() {
  if (m_suspended) return Bytes();
  sqlite3* handle = m_db->Handle();
  if (!sqlite3_get_autocommit(handle)) return Bytes();  // inside a transaction: wait for it to end
  NoteSchemaChange();
  if (sqlite3_total_changes64(handle) == m_totalChanges && sqlite3session_isempty(m_session)) return Bytes();
  int size = 0;
  void* data = nullptr;
  int rc = sqlite3session_changeset(m_session, &size, &data);
  if (rc != SQLITE_OK) return SqliteError(*m_db, rc, "cannot read the changes");
  Bytes record;
  if (size > 0) {
    record = EncodeRecord(RecordKind::Changeset, m_seq + 1, static_cast<uint8_t*>(data), static_cast<size_t>(size));
    m_seq++;
    m_logRecords++;
    m_logBytes += record.size();
  }
  sqlite3_free(data);
  CRM_TRY(Restart());  // m_schemaChanged stays set until a snapshot covers the new schema
  return record;
}

void Journal::NoteSchemaChange() {
  auto cookie = SchemaCookie();
  // When the cookie cannot be read, a snapshot is the safe answer.
  if (!cookie || cookie.Value() != m_schemaCookie) m_schemaChanged = true;
}

bool Journal::WantsSnapshot(bool idle) {
  if (m_suspended) return true;
  NoteSchemaChange();
  if (m_schemaChanged) return true;
  if (m_logRecords >= m_policy.snapshotAfterRecords || m_logBytes >= m_policy.snapshotAfterBytes) return true;
  return idle && m_logRecords >= m_policy.idleSnapshotAfterRecords;
}

void Journal::CompactIfMostlyFree() {
  auto pages = m_db->QueryInt("PRAGMA page_count");
  auto free = m_db->QueryInt("PRAGMA freelist_count");
  if (!pages || !free || free.Value() < kCompactMinFreePages || free.Value() * 8 < pages.Value()) return;
  // Best effort: a snapshot with free pages in it is still a good snapshot. VACUUM keeps every
  // rowid (all tables have integer keys) and is not a change the session records.
  (void)m_db->Exec("VACUUM");
}

Result<Snapshot> Journal::TakeSnapshot() {
  if (!sqlite3_get_autocommit(m_db->Handle())) return MakeError(ErrorCode::Storage, "cannot take a snapshot inside a transaction");
  CompactIfMostlyFree();
  Snapshot snapshot;
  sqlite3_int64 size = 0;
  // Without a copy when the database is in memdb (LoadImage): the image is valid until the next write.
  unsigned char* image = sqlite3_serialize(m_db->Handle(), "main", &size, SQLITE_SERIALIZE_NOCOPY);
  if (image) {
    snapshot.image = image;
    snapshot.borrowed = true;
  } else {
    image = sqlite3_serialize(m_db->Handle(), "main", &size, 0);
    if (!image) return MakeError(ErrorCode::Storage, "cannot serialize the database (out of memory?)");
    snapshot.owned = SqliteBuffer::Adopt(image, static_cast<size_t>(size));
    snapshot.image = snapshot.owned.data();
  }
  snapshot.size = static_cast<size_t>(size);
  snapshot.seq = m_seq + 1;
  snapshot.header = EncodeHeader(RecordKind::Snapshot, snapshot.seq, snapshot.image, snapshot.size);
  m_seq = snapshot.seq;
  m_suspended = false;
  m_logRecords = 0;
  m_logBytes = 0;
  m_schemaChanged = false;
  CRM_TRY(Restart());
  return snapshot;
}

Status Journal::Undo(const std::vector<Bytes>& records, const JournalMark& durable) {
  if (m_suspended) return MakeError(ErrorCode::Storage, "cannot take back changes while recording is suspended");
  // Anything not yet captured is newer than the records and is taken back first.
  CRM_ASSIGN_OR_RETURN(Bytes pending, Capture());
  std::vector<const Bytes*> order;
  for (const Bytes& record : records) order.push_back(&record);
  if (!pending.empty()) order.push_back(&pending);
  if (!order.empty()) {
    CRM_ASSIGN_OR_RETURN(Txn txn, m_db->Begin(TxnKind::Immediate));
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      const Bytes& record = **it;
      CRM_ASSIGN_OR_RETURN(RecordHeader header, DecodeHeader(record.data(), record.size()));
      CRM_TRY(VerifyPayload(record.data(), header, record.data() + kRecordHeaderSize, record.size() - kRecordHeaderSize));
      int size = 0;
      void* inverse = nullptr;
      int rc = sqlite3changeset_invert(static_cast<int>(header.length), record.data() + kRecordHeaderSize, &size, &inverse);
      if (rc != SQLITE_OK) return SqliteError(*m_db, rc, "cannot take back an unsaved change");
      Status applied = ReplayChangeset(*m_db, static_cast<uint8_t*>(inverse), static_cast<size_t>(size));
      sqlite3_free(inverse);
      CRM_TRY(applied);
    }
    CRM_TRY(txn.Commit());
  }
  m_seq = durable.seq;
  m_logRecords = durable.logRecords;
  m_logBytes = durable.logBytes;
  m_schemaChanged = durable.schemaChanged;
  return Restart();
}

}  // namespace crm::sync
