#include "core/db.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace crm {
namespace {

Db MemoryDb() {
  auto db = Db::OpenMemory();
  EXPECT_TRUE(db) << db.Message();
  return std::move(db).Value();
}

TEST(Db, ExecAndQueryInt) {
  Db db = MemoryDb();
  ASSERT_TRUE(db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES(1,'a'),(2,'b')"));
  auto count = db.QueryInt("SELECT count(*) FROM t");
  ASSERT_TRUE(count);
  EXPECT_EQ(count.Value(), 2);
}

TEST(Db, SyntaxErrorIsAValueWithTheSql) {
  Db db = MemoryDb();
  Status status = db.Exec("CREATE TABLEX nope");
  ASSERT_FALSE(status);
  EXPECT_NE(status.Message().find("syntax error"), std::string::npos) << status.Message();
  EXPECT_NE(status.Message().find("CREATE TABLEX"), std::string::npos) << status.Message();
}

// SQL made from data (a changeset's set of changed columns) must not grow the cache without bound;
// a statement in use survives the clear-out.
TEST(Db, TheStatementCacheStaysBoundedAndKeepsStatementsInUse) {
  Db db = MemoryDb();
  ASSERT_TRUE(db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"));
  ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (1, 'one'), (2, 'two')"));
  auto held = db.Prepare("SELECT v FROM t ORDER BY id");
  ASSERT_TRUE(held);
  ASSERT_TRUE(held.Value().Step().Value());
  for (size_t i = 0; i < 3 * Db::kMaxCachedStatements; i++) {
    auto stmt = db.Prepare("SELECT v FROM t WHERE id = " + std::to_string(i));
    ASSERT_TRUE(stmt) << stmt.Message();
    EXPECT_LE(db.CachedStatementCount(), Db::kMaxCachedStatements + 1);
  }
  EXPECT_EQ(held.Value().String(0), "one");
  ASSERT_TRUE(held.Value().Step().Value());
  EXPECT_EQ(held.Value().String(0), "two");
}

TEST(Db, PreparedStatementsAreCachedAndReset) {
  Db db = MemoryDb();
  ASSERT_TRUE(db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"));
  for (int i = 0; i < 5; i++) {
    auto stmt = db.Prepare("INSERT INTO t(id, v) VALUES(?, ?)");
    ASSERT_TRUE(stmt) << stmt.Message();
    stmt.Value().BindAll(i, "value " + std::to_string(i));
    ASSERT_TRUE(stmt.Value().Run());
  }
  EXPECT_EQ(db.CachedStatementCount(), 1u);
  auto select = db.Prepare("SELECT v FROM t WHERE id = ?");
  ASSERT_TRUE(select);
  select.Value().Bind(1, 3);
  auto row = select.Value().Step();
  ASSERT_TRUE(row && row.Value());
  EXPECT_EQ(select.Value().Text(0), "value 3");
}

TEST(Db, NestedUseOfTheSameSqlGetsItsOwnStatement) {
  Db db = MemoryDb();
  ASSERT_TRUE(db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY); INSERT INTO t VALUES(1),(2)"));
  auto outer = db.Prepare("SELECT id FROM t ORDER BY id");
  ASSERT_TRUE(outer);
  ASSERT_TRUE(outer.Value().Step().Value());
  auto inner = db.Prepare("SELECT id FROM t ORDER BY id");
  ASSERT_TRUE(inner);
  ASSERT_TRUE(inner.Value().Step().Value());
  EXPECT_EQ(outer.Value().Int64(0), 1);
  EXPECT_EQ(inner.Value().Int64(0), 1);
  ASSERT_TRUE(outer.Value().Step().Value());
  EXPECT_EQ(outer.Value().Int64(0), 2);
}

TEST(Db, TextBlobAndNullRoundTrip) {
  Db db = MemoryDb();
  ASSERT_TRUE(db.Exec("CREATE TABLE t(a TEXT, b BLOB, c TEXT)"));
  const std::string chinese = "客户 王堃";
  const uint8_t bytes[] = {0, 1, 2, 255};
  auto insert = db.Prepare("INSERT INTO t VALUES(?, ?, ?)");
  ASSERT_TRUE(insert);
  insert.Value().Bind(1, chinese).BindBlob(2, bytes, sizeof bytes).Bind(3, Null{});
  ASSERT_TRUE(insert.Value().Run());
  auto select = db.Prepare("SELECT a, b, c FROM t");
  ASSERT_TRUE(select);
  ASSERT_TRUE(select.Value().Step().Value());
  EXPECT_EQ(select.Value().String(0), chinese);
  EXPECT_EQ(select.Value().Blob(1), std::vector<uint8_t>(bytes, bytes + 4));
  EXPECT_TRUE(select.Value().IsNull(2));
}

TEST(Db, BindOutOfRangeFailsAtStep) {
  Db db = MemoryDb();
  auto stmt = db.Prepare("SELECT ?");
  ASSERT_TRUE(stmt);
  stmt.Value().Bind(5, 1);
  auto row = stmt.Value().Step();
  ASSERT_FALSE(row);
  EXPECT_EQ(row.Code(), ErrorCode::Invalid);
}

TEST(Txn, RollsBackUnlessCommitted) {
  Db db = MemoryDb();
  ASSERT_TRUE(db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY)"));
  {
    auto txn = db.Begin();
    ASSERT_TRUE(txn);
    ASSERT_TRUE(db.Exec("INSERT INTO t VALUES(1)"));
  }
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM t").Value(), 0);
  EXPECT_FALSE(db.InTransaction());
  {
    auto txn = db.Begin();
    ASSERT_TRUE(txn);
    ASSERT_TRUE(db.Exec("INSERT INTO t VALUES(2)"));
    ASSERT_TRUE(txn.Value().Commit());
  }
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM t").Value(), 1);
}

TEST(Txn, NestedBeginIsASavepoint) {
  Db db = MemoryDb();
  ASSERT_TRUE(db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY)"));
  auto outer = db.Begin();
  ASSERT_TRUE(outer);
  ASSERT_TRUE(db.Exec("INSERT INTO t VALUES(1)"));
  {
    auto inner = db.Begin();
    ASSERT_TRUE(inner);
    ASSERT_TRUE(db.Exec("INSERT INTO t VALUES(2)"));
    // not committed: only the inner insert is undone
  }
  ASSERT_TRUE(outer.Value().Commit());
  EXPECT_EQ(db.QueryInt("SELECT group_concat(id) FROM t").Value(), 1);
}

TEST(Txn, FailedCommitLeavesNoTransactionOpen) {
  Db db = MemoryDb();
  ASSERT_TRUE(db.Exec("CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE c(p INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)"));
  auto txn = db.Begin();
  ASSERT_TRUE(txn);
  ASSERT_TRUE(db.Exec("INSERT INTO c VALUES(42)"));  // deferred foreign key: fails at COMMIT
  Status committed = txn.Value().Commit();
  EXPECT_FALSE(committed);
  EXPECT_EQ(committed.Code(), ErrorCode::Conflict);
  EXPECT_FALSE(db.InTransaction());
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM c").Value(), 0);
}

TEST(Db, OpeningAFileThatIsNotADatabaseFailsClearly) {
  std::string path = testing::TempDir() + "crm_not_a_db.txt";
  std::FILE* file = std::fopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  std::fputs("this is a spreadsheet, not a database, and it is long enough to have a header...........", file);
  std::fclose(file);
  auto db = Db::Open(path);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.Code(), ErrorCode::Corrupt) << db.Message();
  EXPECT_NE(db.Message().find("not a usable database"), std::string::npos) << db.Message();
  std::remove(path.c_str());
}

TEST(Db, SqliteHasTheSessionExtensionAndFts5) {
  Db db = MemoryDb();
  EXPECT_TRUE(db.Exec("CREATE VIRTUAL TABLE f USING fts5(name, tokenize='trigram')"));
  auto compiled = db.QueryInt("SELECT sqlite_compileoption_used('ENABLE_SESSION')");
  ASSERT_TRUE(compiled);
  EXPECT_EQ(compiled.Value(), 1);
  EXPECT_STREQ(SqliteVersion(), "3.53.2");
}

// SQLite 3.53 plans with a bound LIMIT's value and marks the statement stale at every new binding, unless the
// planner is told to ignore bound values (SQLITE_DBCONFIG_ENABLE_QPSG): a cached statement must stay prepared.
TEST(Db, ACachedStatementIsNotPreparedAgainForNewBindings) {
  Db db = MemoryDb();
  ASSERT_TRUE(db.Exec("CREATE TABLE t(x INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3), (4)"));
  const char* sql = "SELECT x FROM t WHERE x > ? ORDER BY x DESC LIMIT ?";
  for (int limit = 1; limit <= 3; limit++) {
    auto stmt = db.Prepare(sql);
    ASSERT_TRUE(stmt) << stmt.Message();
    stmt.Value().Bind(1, int64_t{0}).Bind(2, limit);
    int rows = 0;
    while (stmt.Value().Step().ValueOr(false)) rows++;
    EXPECT_EQ(rows, limit);
  }
  sqlite3_stmt* cached = nullptr;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db.Handle(), nullptr); s; s = sqlite3_next_stmt(db.Handle(), s)) {
    if (std::string(sqlite3_sql(s)) == sql) cached = s;
  }
  ASSERT_NE(cached, nullptr);
  EXPECT_EQ(sqlite3_stmt_status(cached, SQLITE_STMTSTATUS_REPREPARE, 0), 0);
}

TEST(Db, InSetLooksUpABoundIdListAndHoldsIt) {
  Db db = MemoryDb();
  ASSERT_TRUE(db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3), (5), (8), (13)"));
  auto stmt = db.Prepare("SELECT group_concat(id) FROM t WHERE crm_in_set(:set, id)");
  ASSERT_TRUE(stmt) << stmt.Message();
  auto ids = std::make_shared<const std::vector<int64_t>>(std::vector<int64_t>{2, 3, 4, 13, 99});
  std::weak_ptr<const std::vector<int64_t>> watched = ids;
  int index = stmt.Value().ParameterIndex(":set");
  EXPECT_EQ(index, 1);
  EXPECT_EQ(stmt.Value().ParameterIndex(":absent"), 0);
  stmt.Value().BindIdSet(index, std::move(ids));
  EXPECT_FALSE(watched.expired()) << "the statement holds the list while it is bound";
  ASSERT_TRUE(stmt.Value().Step().ValueOr(false));
  EXPECT_EQ(stmt.Value().Text(0), "2,3,13");
  stmt.Value().Reset();
  EXPECT_TRUE(watched.expired()) << "a reset lets it go";
  // Unbound (or bound to anything but an id list), the function fails as a value.
  auto unbound = stmt.Value().Step();
  ASSERT_FALSE(unbound);
  EXPECT_NE(unbound.Message().find("crm_in_set"), std::string::npos) << unbound.Message();
  stmt.Value().Reset();
  stmt.Value().Bind(1, int64_t{3});
  EXPECT_FALSE(stmt.Value().Step());
}

TEST(Db, DerivedCachesLastUntilTheDataChanges) {
  Db db = MemoryDb();
  ASSERT_TRUE(db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY)"));
  auto ids = std::make_shared<const std::vector<int64_t>>(std::vector<int64_t>{1, 2});
  db.RememberIdSet("set", ids);
  db.RememberCount("count", 2);
  EXPECT_EQ(db.CachedIdSet("set"), ids);
  EXPECT_EQ(db.CachedCount("count"), 2);
  EXPECT_EQ(db.CachedIdSet("other"), nullptr);
  ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (7)"));
  EXPECT_EQ(db.CachedIdSet("set"), nullptr) << "a change makes every derived list stale";
  EXPECT_EQ(db.CachedCount("count"), std::nullopt);
  db.RememberIdSet("set", ids);
  db.RememberCount("count", 3);
  db.ForgetDerived();
  EXPECT_EQ(db.CachedIdSet("set"), nullptr) << "replaced content forgets them too";
  EXPECT_EQ(db.CachedCount("count"), std::nullopt);
}

}  // namespace
}  // namespace crm
