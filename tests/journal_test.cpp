// Index of this file:
// [SECTION] a device and its store (helpers)
// [SECTION] JournalFraming: records, checksums, torn tails
// [SECTION] Journal: capture, recovery, snapshots, undo, replay rules
#include "sync/journal.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstring>
#include <string>

#include "core/customers.h"
#include "core/org.h"
#include "core/schema.h"

namespace crm::sync {
namespace {

// Every row of every table, and the schema, as text: two databases with the same
// dump hold the same data.
std::string Dump(Db& db) {
  std::string out;
  std::vector<std::string> tables;
  {
    auto list = db.PrepareOnce("SELECT name, type, coalesce(sql, '') FROM sqlite_schema ORDER BY name");
    EXPECT_TRUE(list);
    while (list.Value().Step().ValueOr(false)) {
      out += list.Value().String(1) + " " + list.Value().String(0) + ": " + list.Value().String(2) + "\n";
      if (list.Value().String(1) == "table" && list.Value().String(2).rfind("CREATE VIRTUAL", 0) != 0) {
        tables.push_back(list.Value().String(0));
      }
    }
  }
  for (const std::string& table : tables) {
    auto columns = db.QueryInt("SELECT count(*) FROM pragma_table_info('" + table + "')").ValueOr(0);
    std::string order;
    for (int i = 1; i <= columns; i++) order += (i > 1 ? "," : "") + std::to_string(i);
    auto rows = db.PrepareOnce("SELECT * FROM \"" + table + "\" ORDER BY " + order);
    EXPECT_TRUE(rows) << table << ": " << rows.Message();
    if (!rows) continue;
    out += "[" + table + "]\n";
    while (rows.Value().Step().ValueOr(false)) {
      for (int c = 0; c < rows.Value().ColumnCount(); c++) {
        out += rows.Value().IsNull(c) ? std::string("NULL") : "'" + rows.Value().String(c) + "'";
        out += "|";
      }
      out += "\n";
    }
  }
  return out;
}

Db Fresh() {
  Db db = Db::OpenMemory().Value();
  EXPECT_TRUE(LoadImage(db, SqliteBuffer()));
  return db;
}

// The device's state as it would be stored: the records the journal wrote, in order.
struct Store {
  Bytes snapshotHeader;
  Bytes snapshotImage;
  Bytes log;  // concatenated records after the snapshot

  uint64_t SnapshotSeq() const { return snapshotHeader.empty() ? 0 : DecodeHeader(snapshotHeader.data(), snapshotHeader.size()).Value().seq; }
  LogScan Scan() const { return ScanLog(log.data(), log.size(), SnapshotSeq()); }
  void Append(const Bytes& record) { log.insert(log.end(), record.begin(), record.end()); }
  void Put(const Snapshot& snapshot) {
    snapshotHeader = snapshot.header;
    snapshotImage.assign(snapshot.image, snapshot.image + snapshot.size);
    log.clear();  // the snapshot replaces the log in the same (atomic) write
  }
  SqliteBuffer Image() const {
    if (snapshotHeader.empty()) return SqliteBuffer();
    SqliteBuffer buffer = SqliteBuffer::Allocate(snapshotImage.size());
    std::memcpy(buffer.data(), snapshotImage.data(), snapshotImage.size());
    return buffer;
  }
  Result<RecoveryReport> Open(Db& db) const { return Recover(db, snapshotHeader, Image(), log.data(), log.size()); }
};

// A migrated database with its owner, and a journal that has recorded its creation.
struct Device {
  Db db = Fresh();
  Store store;
  Actor owner;
  std::optional<Journal> journal;

  Device() {
    auto started = Journal::Start(db, RecoveryReport{});
    EXPECT_TRUE(started) << started.Message();
    journal.emplace(std::move(started).Value());
    EXPECT_TRUE(Migrate(db));
    owner = EnsureLocalOwner(db, "管理员", 1).Value();
    Save();
  }

  // What the platform does after each user action.
  void Save() {
    if (journal->WantsSnapshot(false)) {
      auto snapshot = journal->TakeSnapshot();
      ASSERT_TRUE(snapshot) << snapshot.Message();
      store.Put(snapshot.Value());
      return;
    }
    auto record = journal->Capture();
    ASSERT_TRUE(record) << record.Message();
    if (!record.Value().empty()) store.Append(record.Value());
  }
};

// [SECTION] JournalFraming: records, checksums, torn tails

TEST(JournalFraming, Crc32MatchesTheStandardCheckValue) {
  const char* text = "123456789";
  EXPECT_EQ(Crc32(reinterpret_cast<const uint8_t*>(text), 9), 0xCBF43926u);
  // Long input goes through the 8-byte path; the result must not depend on how it is split.
  Bytes data(1000);
  for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<uint8_t>(i * 7 + 3);
  uint32_t whole = Crc32(data.data(), data.size());
  EXPECT_EQ(Crc32(data.data() + 333, data.size() - 333, Crc32(data.data(), 333)), whole);
}

Bytes Payload(int n) {
  Bytes payload(static_cast<size_t>(10 + n * 13));
  for (size_t i = 0; i < payload.size(); i++) payload[i] = static_cast<uint8_t>(n + i);
  return payload;
}

Bytes Log(uint64_t first, int count) {
  Bytes log;
  for (int i = 0; i < count; i++) {
    Bytes payload = Payload(i);
    Bytes record = EncodeRecord(RecordKind::Changeset, first + i, payload.data(), payload.size());
    log.insert(log.end(), record.begin(), record.end());
  }
  return log;
}

TEST(JournalFraming, ScanSplitsConcatenatedRecords) {
  Bytes log = Log(1, 5);
  LogScan scan = ScanLog(log.data(), log.size(), 0);
  ASSERT_EQ(scan.records.size(), 5u);
  EXPECT_TRUE(scan.stopReason.empty()) << scan.stopReason;
  EXPECT_EQ(scan.ignoredBytes, 0u);
  for (int i = 0; i < 5; i++) {
    Bytes expected = Payload(i);
    EXPECT_EQ(scan.records[i].header.seq, static_cast<uint64_t>(i + 1));
    ASSERT_EQ(scan.records[i].header.length, expected.size());
    EXPECT_EQ(0, std::memcmp(scan.records[i].payload, expected.data(), expected.size()));
  }
}

TEST(JournalFraming, EveryTornTailLengthKeepsTheRecordsBeforeIt) {
  Bytes log = Log(1, 4);
  size_t lastStart = Log(1, 3).size();
  for (size_t cut = lastStart + 1; cut < log.size(); cut++) {
    LogScan scan = ScanLog(log.data(), cut, 0);
    EXPECT_EQ(scan.records.size(), 3u) << "cut at " << cut;
    EXPECT_EQ(scan.validBytes, lastStart);
    EXPECT_EQ(scan.ignoredBytes, cut - lastStart);
    EXPECT_FALSE(scan.stopReason.empty());
  }
}

TEST(JournalFraming, AFlippedBitAnywhereStopsAtThatRecord) {
  Bytes log = Log(1, 3);
  size_t second = Log(1, 1).size();
  size_t third = Log(1, 2).size();
  for (size_t at = second; at < third; at++) {
    Bytes damaged = log;
    damaged[at] ^= 0x10;
    LogScan scan = ScanLog(damaged.data(), damaged.size(), 0);
    EXPECT_EQ(scan.records.size(), 1u) << "bit flipped at " << at;
    EXPECT_EQ(scan.ignoredBytes, log.size() - second);
  }
}

TEST(JournalFraming, SkipsRecordsTheSnapshotCoversAndStopsAtAGap) {
  Bytes log = Log(5, 4);  // 5..8
  LogScan after6 = ScanLog(log.data(), log.size(), 6);
  ASSERT_EQ(after6.records.size(), 2u);
  EXPECT_EQ(after6.records[0].header.seq, 7u);
  EXPECT_TRUE(after6.stopReason.empty());

  LogScan gap = ScanLog(log.data(), log.size(), 2);  // 3 and 4 are missing
  EXPECT_TRUE(gap.records.empty());
  EXPECT_NE(gap.stopReason.find("missing"), std::string::npos) << gap.stopReason;
}

TEST(JournalFraming, RejectsWhatIsNotARecord) {
  Bytes junk(64, 0x41);
  EXPECT_EQ(DecodeHeader(junk.data(), junk.size()).Code(), ErrorCode::Corrupt);
  EXPECT_EQ(DecodeHeader(junk.data(), 10).Code(), ErrorCode::Corrupt);
  LogScan scan = ScanLog(junk.data(), junk.size(), 0);
  EXPECT_TRUE(scan.records.empty());
  EXPECT_EQ(scan.ignoredBytes, junk.size());
}

// [SECTION] Journal: capture, recovery, snapshots, undo, replay rules

TEST(Journal, LoadingAnImageForgetsWhatWasDerivedFromTheOldContent) {
  Db source = Fresh();
  ASSERT_TRUE(source.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3)"));
  sqlite3_int64 size = 0;
  unsigned char* image = sqlite3_serialize(source.Handle(), "main", &size, 0);
  ASSERT_NE(image, nullptr);
  Db db = Fresh();
  db.RememberCount("rows of t", 0);
  ASSERT_TRUE(LoadImage(db, SqliteBuffer::Adopt(image, static_cast<size_t>(size))));
  EXPECT_EQ(db.CachedCount("rows of t"), std::nullopt) << "sqlite3_deserialize leaves the change counter as it was";
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM t").ValueOr(-1), 3);
}

TEST(Journal, RecoveryRebuildsTheSameDatabaseFromTheLog) {
  Device device;
  for (int i = 0; i < 20; i++) {
    auto id = AddCustomer(device.db, "客户 " + std::to_string(i), device.owner);
    ASSERT_TRUE(id) << id.Message();
    if (i % 3 == 0) {
      CustomerInput input;
      input.name = "改名 " + std::to_string(i);
      input.phones = {"1380013800" + std::to_string(i % 10)};
      ASSERT_TRUE(UpdateCustomer(device.db, id.Value(), input, device.owner));
    }
    if (i % 7 == 0) {
      ASSERT_TRUE(TrashCustomer(device.db, id.Value(), device.owner));
    }
    device.Save();
  }
  EXPECT_GE(device.journal->LastSeq(), 20u);
  Db reopened = Db::OpenMemory().Value();
  auto report = device.store.Open(reopened);
  ASSERT_TRUE(report) << report.Message();
  EXPECT_TRUE(report.Value().problem.empty()) << report.Value().problem;
  EXPECT_EQ(report.Value().lastSeq, device.journal->LastSeq());
  // Audit rows written by triggers come back once, with their original ids.
  EXPECT_GT(reopened.QueryInt("SELECT count(*) FROM audit_log").Value(), 20);
  EXPECT_EQ(Dump(reopened), Dump(device.db));
  EXPECT_EQ(reopened.QueryInt("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'").Value(), 0);
}

TEST(Journal, TriggersWorkAgainAfterReplay) {
  // Replay turns triggers off; edits made after opening must be audited and indexed again.
  Device device;
  ASSERT_TRUE(AddCustomer(device.db, "回放前", device.owner));
  device.Save();
  Db reopened = Db::OpenMemory().Value();
  auto report = device.store.Open(reopened);
  ASSERT_TRUE(report) << report.Message();
  int64_t auditBefore = reopened.QueryInt("SELECT count(*) FROM audit_log").Value();
  auto id = AddCustomer(reopened, "回放后", device.owner);
  ASSERT_TRUE(id) << id.Message();
  EXPECT_GT(reopened.QueryInt("SELECT count(*) FROM audit_log").Value(), auditBefore) << "the audit trigger fired";
  EXPECT_EQ(reopened.QueryInt("SELECT count(*) FROM customer_fts WHERE customer_fts MATCH '\"回放后\"'").Value(), 1)
      << "the search index trigger fired";
}

TEST(Journal, SchemaChangesAreSavedByASnapshotAndEditsContinueAfterIt) {
  Device device;  // Migrate ran under the journal: DDL is not in changesets, so a snapshot was due
  EXPECT_FALSE(device.store.snapshotHeader.empty());
  ASSERT_TRUE(AddCustomer(device.db, "快照之后", device.owner));
  device.Save();
  EXPECT_FALSE(device.store.log.empty());
  EXPECT_FALSE(device.journal->WantsSnapshot(false));

  ASSERT_TRUE(device.db.Exec("CREATE TABLE local_notes(id INTEGER PRIMARY KEY, text TEXT)"));
  EXPECT_TRUE(device.journal->Capture().Value().empty()) << "DDL is not in a changeset";
  EXPECT_TRUE(device.journal->WantsSnapshot(false)) << "so the schema change needs a snapshot";
  device.Save();
  EXPECT_TRUE(device.store.log.empty()) << "the snapshot replaced the log";
  ASSERT_TRUE(device.db.Exec("INSERT INTO local_notes VALUES(1, '便签')"));
  device.Save();

  Db reopened = Db::OpenMemory().Value();
  auto report = device.store.Open(reopened);
  ASSERT_TRUE(report) << report.Message();
  EXPECT_GT(report.Value().snapshotSeq, 0u);
  EXPECT_EQ(report.Value().appliedRecords, 1u);
  EXPECT_EQ(Dump(reopened), Dump(device.db));
}

TEST(Journal, RolledBackWorkIsNeverRecorded) {
  Device device;
  size_t before = device.store.log.size();
  {
    auto txn = device.db.Begin();
    ASSERT_TRUE(txn);
    ASSERT_TRUE(AddCustomer(device.db, "撤销的客户", device.owner));
    device.Save();  // inside the transaction: nothing yet
    EXPECT_EQ(device.store.log.size(), before);
    txn.Value().Rollback();
  }
  device.Save();
  EXPECT_EQ(device.store.log.size(), before) << "a rolled-back insert left a record";

  // A savepoint rolled back inside a committed transaction: only the committed part is recorded.
  {
    auto txn = device.db.Begin();
    ASSERT_TRUE(AddCustomer(device.db, "保留", device.owner));
    {
      auto inner = device.db.Begin();
      ASSERT_TRUE(AddCustomer(device.db, "丢弃", device.owner));
      inner.Value().Rollback();
    }
    ASSERT_TRUE(txn.Value().Commit());
  }
  device.Save();
  LogScan scan = device.store.Scan();
  ASSERT_EQ(scan.records.size(), 1u);
  Db reopened = Db::OpenMemory().Value();
  ASSERT_TRUE(device.store.Open(reopened));
  EXPECT_EQ(reopened.QueryInt("SELECT count(*) FROM customers WHERE name = '保留'").Value(), 1);
  EXPECT_EQ(reopened.QueryInt("SELECT count(*) FROM customers WHERE name IN ('丢弃', '撤销的客户')").Value(), 0);
  EXPECT_EQ(Dump(reopened), Dump(device.db));
}

TEST(Journal, ATornTailIsLeftOutAndReported) {
  Device device;
  for (int i = 0; i < 5; i++) {
    ASSERT_TRUE(AddCustomer(device.db, "客户 " + std::to_string(i), device.owner));
    device.Save();
  }
  std::string afterFour;
  {
    Db four = Db::OpenMemory().Value();
    Store copy = device.store;
    LogScan scan = copy.Scan();
    ASSERT_EQ(scan.records.size(), 5u);
    copy.log.resize(copy.log.size() - scan.records.back().header.length / 2);  // the last write was torn
    auto report = copy.Open(four);
    ASSERT_TRUE(report) << report.Message();
    EXPECT_EQ(report.Value().appliedRecords, 4u);
    EXPECT_GT(report.Value().ignoredBytes, 0u);
    EXPECT_FALSE(report.Value().problem.empty());
    EXPECT_EQ(CountCustomers(four).Value(), 4);
    EXPECT_EQ(four.QueryInt("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'").Value(), 0);
    // The next edit continues after the last good record, so the log has no gap.
    auto journal = Journal::Start(four, report.Value());
    ASSERT_TRUE(journal);
    EXPECT_EQ(journal.Value().LastSeq(), report.Value().lastSeq);
  }
}

TEST(Journal, ARecordThatDoesNotFitStopsReplayAfterTheOnesBeforeIt) {
  Db db = Fresh();
  ASSERT_TRUE(db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"));
  auto journal = Journal::Start(db, RecoveryReport{});
  ASSERT_TRUE(journal);
  Store store;
  store.Put(journal.Value().TakeSnapshot().Value());
  ASSERT_TRUE(db.Exec("INSERT INTO t VALUES(1, 'a')"));
  store.Append(journal.Value().Capture().Value());
  ASSERT_TRUE(db.Exec("INSERT INTO t VALUES(2, 'b')"));
  store.Append(journal.Value().Capture().Value());
  // A third record that cannot apply: it updates a row this database never had.
  Db other = Fresh();
  ASSERT_TRUE(other.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES(9, 'zzz')"));
  auto otherJournal = Journal::Start(other, RecoveryReport{});
  ASSERT_TRUE(other.Exec("UPDATE t SET v = 'c' WHERE id = 9"));
  Bytes bad = otherJournal.Value().Capture().Value();
  Bytes payload(bad.begin() + kRecordHeaderSize, bad.end());
  store.Append(EncodeRecord(RecordKind::Changeset, 4, payload.data(), payload.size()));
  ASSERT_TRUE(db.Exec("INSERT INTO t VALUES(3, 'd')"));
  Bytes fourth = journal.Value().Capture().Value();
  Bytes fourthPayload(fourth.begin() + kRecordHeaderSize, fourth.end());
  store.Append(EncodeRecord(RecordKind::Changeset, 5, fourthPayload.data(), fourthPayload.size()));

  Db reopened = Db::OpenMemory().Value();
  auto report = store.Open(reopened);
  ASSERT_TRUE(report) << report.Message();
  EXPECT_EQ(report.Value().appliedRecords, 2u);
  EXPECT_EQ(report.Value().lastSeq, 3u);
  EXPECT_NE(report.Value().problem.find("record 4"), std::string::npos) << report.Value().problem;
  EXPECT_EQ(reopened.QueryInt("SELECT count(*) FROM t").Value(), 2);
  EXPECT_EQ(reopened.QueryInt("SELECT count(*) FROM t WHERE v = 'a'").Value(), 1);
}

TEST(Journal, ADamagedSnapshotIsAnErrorNotAnEmptyDatabase) {
  Device device;
  Store copy = device.store;
  ASSERT_FALSE(copy.snapshotImage.empty());
  copy.snapshotImage[copy.snapshotImage.size() / 2] ^= 1;
  Db reopened = Db::OpenMemory().Value();
  auto report = copy.Open(reopened);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.Code(), ErrorCode::Corrupt);
}

TEST(Journal, UndoTakesBackChangesThatCouldNotBeStored) {
  Device device;
  ASSERT_TRUE(AddCustomer(device.db, "已保存", device.owner));
  device.Save();
  std::string durable = Dump(device.db);
  JournalMark mark = device.journal->Mark();

  ASSERT_TRUE(AddCustomer(device.db, "未保存一", device.owner));
  Bytes first = device.journal->Capture().Value();
  auto id = AddCustomer(device.db, "未保存二", device.owner);
  ASSERT_TRUE(id);
  Bytes second = device.journal->Capture().Value();
  CustomerInput input;
  input.name = "已保存 改";
  ASSERT_TRUE(UpdateCustomer(device.db, id.Value(), input, device.owner));  // not even captured yet
  ASSERT_TRUE(device.journal->Undo({first, second}, mark));
  EXPECT_EQ(Dump(device.db), durable);
  EXPECT_EQ(device.journal->LastSeq(), mark.seq);
  // The undo itself is not a change to record.
  EXPECT_TRUE(device.journal->Capture().Value().empty());

  ASSERT_TRUE(AddCustomer(device.db, "之后", device.owner));
  device.Save();
  Db reopened = Db::OpenMemory().Value();
  auto report = device.store.Open(reopened);
  ASSERT_TRUE(report) << report.Message();
  EXPECT_TRUE(report.Value().problem.empty()) << report.Value().problem;
  EXPECT_EQ(Dump(reopened), Dump(device.db));
}

TEST(Journal, SnapshotIsDueAfterManyRecordsOrWhenIdle) {
  Db db = Fresh();
  JournalPolicy policy;
  policy.snapshotAfterRecords = 5;
  policy.idleSnapshotAfterRecords = 2;
  auto journal = Journal::Start(db, RecoveryReport{}, policy);
  ASSERT_TRUE(journal);
  ASSERT_TRUE(db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"));
  ASSERT_TRUE(journal.Value().TakeSnapshot());
  for (int i = 0; i < 5; i++) {
    EXPECT_FALSE(journal.Value().WantsSnapshot(false));
    EXPECT_EQ(journal.Value().WantsSnapshot(true), i >= 2);
    ASSERT_TRUE(db.Exec("INSERT INTO t(v) VALUES('x')"));
    EXPECT_FALSE(journal.Value().Capture().Value().empty());
  }
  EXPECT_TRUE(journal.Value().WantsSnapshot(false));
}

TEST(Journal, ABulkLoadWhileSuspendedIsSavedByTheNextSnapshot) {
  Device device;
  device.journal->Suspend();
  {
    auto txn = device.db.Begin();
    for (int i = 0; i < 50; i++) ASSERT_TRUE(AddCustomer(device.db, "批量 " + std::to_string(i), device.owner));
    ASSERT_TRUE(txn.Value().Commit());
  }
  EXPECT_TRUE(device.journal->Capture().Value().empty()) << "nothing is recorded while suspended";
  EXPECT_TRUE(device.journal->WantsSnapshot(false));
  device.Save();
  ASSERT_TRUE(AddCustomer(device.db, "之后", device.owner));
  device.Save();
  EXPECT_EQ(device.store.Scan().records.size(), 1u) << "recording resumed after the snapshot";
  Db reopened = Db::OpenMemory().Value();
  ASSERT_TRUE(device.store.Open(reopened));
  EXPECT_EQ(CountCustomers(reopened).Value(), 51);
  EXPECT_EQ(Dump(reopened), Dump(device.db));
}

TEST(Journal, AMostlyFreeDatabaseIsCompactedBeforeItsSnapshot) {
  Device device;
  ASSERT_TRUE(device.db.Exec("CREATE TABLE bulk(id INTEGER PRIMARY KEY NOT NULL, text TEXT NOT NULL)"));
  ASSERT_TRUE(device.db.Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
                             "INSERT INTO bulk SELECT i * 7919, printf('%.500c', 'x') FROM n"));
  device.Save();
  ASSERT_TRUE(device.db.Exec("DELETE FROM bulk WHERE id % 10 <> 0"));
  device.Save();
  int64_t pages = device.db.QueryInt("PRAGMA page_count").Value();
  int64_t free = device.db.QueryInt("PRAGMA freelist_count").Value();
  ASSERT_GE(free * 4, pages) << "the test needs a mostly free database";
  auto snapshot = device.journal->TakeSnapshot();
  ASSERT_TRUE(snapshot) << snapshot.Message();
  device.store.Put(snapshot.Value());
  int64_t pageSize = device.db.QueryInt("PRAGMA page_size").Value();
  EXPECT_LE(snapshot.Value().size, static_cast<size_t>((pages - free / 2) * pageSize)) << "the free pages were left out";
  EXPECT_EQ(device.db.QueryInt("PRAGMA freelist_count").Value(), 0);
  EXPECT_FALSE(device.journal->WantsSnapshot(false)) << "compacting is not a schema change of its own";
  ASSERT_TRUE(AddCustomer(device.db, "压缩之后", device.owner));
  device.Save();
  Db reopened = Db::OpenMemory().Value();
  auto report = device.store.Open(reopened);
  ASSERT_TRUE(report) << report.Message();
  EXPECT_EQ(report.Value().appliedRecords, 1u);
  EXPECT_EQ(Dump(reopened), Dump(device.db));
  EXPECT_EQ(reopened.QueryInt("SELECT count(*) FROM bulk").Value(), 300);
}

// The planner's statistics are made from the data (ANALYZE, PRAGMA optimize) and not recorded: recorded
// by rowid they did not replay onto the table SQLite creates, and every edit after them was left out.
TEST(Journal, PlannerStatisticsAreNotRecordedAndEditsAfterThemReplay) {
  Device device;
  for (int i = 0; i < 30; i++) ASSERT_TRUE(AddCustomer(device.db, "统计前 " + std::to_string(i), device.owner));
  device.Save();
  ASSERT_TRUE(RefreshPlannerStatistics(device.db));
  device.Save();  // sqlite_stat1 is new: a schema change, saved by a snapshot
  ASSERT_TRUE(AddCustomer(device.db, "统计后", device.owner));
  ASSERT_TRUE(device.db.Exec("ANALYZE"));  // rows of sqlite_stat1 rewritten, no schema change
  ASSERT_TRUE(AddCustomer(device.db, "再次统计后", device.owner));
  device.Save();
  ASSERT_TRUE(AddCustomer(device.db, "最后一位", device.owner));
  device.Save();

  Db reopened = Db::OpenMemory().Value();
  auto report = device.store.Open(reopened);
  ASSERT_TRUE(report) << report.Message();
  EXPECT_TRUE(report.Value().problem.empty()) << report.Value().problem;
  EXPECT_EQ(report.Value().lastSeq, device.journal->LastSeq());
  const char* names = "SELECT group_concat(name, '|') FROM (SELECT name FROM customers ORDER BY name)";
  auto Names = [&](Db& db) {
    auto stmt = db.PrepareOnce(names);
    EXPECT_TRUE(stmt && stmt.Value().Step().ValueOr(false));
    return stmt ? stmt.Value().String(0) : std::string();
  };
  EXPECT_EQ(Names(reopened), Names(device.db));
  EXPECT_EQ(reopened.QueryInt("SELECT count(*) FROM customers").Value(), 33);
  EXPECT_GT(reopened.QueryInt("SELECT count(*) FROM sqlite_stat1").Value(), 0) << "the snapshot carried the statistics";
}

TEST(Journal, TablesWithoutAPrimaryKeyAreRecordedByRowid) {
  Db db = Fresh();
  ASSERT_TRUE(db.Exec("CREATE TABLE plain(a TEXT, b INTEGER)"));
  auto journal = Journal::Start(db, RecoveryReport{});
  ASSERT_TRUE(journal);
  Store store;
  store.Put(journal.Value().TakeSnapshot().Value());
  ASSERT_TRUE(db.Exec("INSERT INTO plain VALUES('一', 1), ('二', 2); UPDATE plain SET b = 3 WHERE a = '一'"));
  store.Append(journal.Value().Capture().Value());
  Db reopened = Db::OpenMemory().Value();
  ASSERT_TRUE(store.Open(reopened));
  EXPECT_EQ(Dump(reopened), Dump(db));
  EXPECT_EQ(reopened.QueryInt("SELECT b FROM plain WHERE a = '一'").Value(), 3);
}

// A full-text index kept by triggers: its shadow tables are recorded like any table,
// and replay with triggers off rebuilds an index that passes FTS5's own check.
TEST(Journal, FullTextIndexMaintainedByTriggersReplaysExactly) {
  Db db = Fresh();
  ASSERT_TRUE(db.Exec(
      "CREATE TABLE docs(id INTEGER PRIMARY KEY, body TEXT);"
      "CREATE VIRTUAL TABLE docs_fts USING fts5(body, content='docs', content_rowid='id', tokenize='trigram');"
      "CREATE TRIGGER docs_ai AFTER INSERT ON docs BEGIN INSERT INTO docs_fts(rowid, body) VALUES (new.id, new.body); END;"
      "CREATE TRIGGER docs_ad AFTER DELETE ON docs BEGIN INSERT INTO docs_fts(docs_fts, rowid, body) VALUES('delete', old.id, old.body); END;"
      "CREATE TRIGGER docs_au AFTER UPDATE ON docs BEGIN INSERT INTO docs_fts(docs_fts, rowid, body) VALUES('delete', old.id, old.body);"
      "  INSERT INTO docs_fts(rowid, body) VALUES (new.id, new.body); END;"));
  auto journal = Journal::Start(db, RecoveryReport{});
  ASSERT_TRUE(journal);
  Store store;
  store.Put(journal.Value().TakeSnapshot().Value());
  for (int i = 0; i < 30; i++) {
    ASSERT_TRUE(db.Exec("INSERT INTO docs(body) VALUES('广州门窗经销商 " + std::to_string(i) + "')"));
    if (i % 4 == 0) {
      ASSERT_TRUE(db.Exec("UPDATE docs SET body = '深圳装饰公司 " + std::to_string(i) + "' WHERE id = " + std::to_string(i / 2 + 1)));
    }
    if (i % 9 == 0) {
      ASSERT_TRUE(db.Exec("DELETE FROM docs WHERE id = " + std::to_string(i / 3 + 1)));
    }
    store.Append(journal.Value().Capture().Value());
  }
  Db reopened = Db::OpenMemory().Value();
  auto report = store.Open(reopened);
  ASSERT_TRUE(report) << report.Message();
  EXPECT_EQ(Dump(reopened), Dump(db));
  EXPECT_TRUE(reopened.Exec("INSERT INTO docs_fts(docs_fts) VALUES('integrity-check')"));
  EXPECT_EQ(reopened.QueryInt("SELECT count(*) FROM docs_fts WHERE docs_fts MATCH '装饰公司'").Value(),
            db.QueryInt("SELECT count(*) FROM docs_fts WHERE docs_fts MATCH '装饰公司'").Value());
}

TEST(Journal, AChangesetForAReshapedTableIsRefusedNotSkipped) {
  Db source = Fresh();
  ASSERT_TRUE(source.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b TEXT)"));
  auto journal = Journal::Start(source, RecoveryReport{});
  ASSERT_TRUE(journal);
  ASSERT_TRUE(source.Exec("INSERT INTO t VALUES(1, 'x', 'y')"));
  Bytes record = journal.Value().Capture().Value();
  Db other = Fresh();
  ASSERT_TRUE(other.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT)"));
  Status replayed = ReplayChangeset(other, record.data() + kRecordHeaderSize, record.size() - kRecordHeaderSize);
  ASSERT_FALSE(replayed);
  EXPECT_EQ(replayed.Code(), ErrorCode::Schema);
}

}  // namespace
}  // namespace crm::sync
