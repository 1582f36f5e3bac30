#include "core/schema.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace crm {
namespace {

TEST(Schema, MigratesAnEmptyDatabaseToTheLatestVersion) {
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(Migrate(db));
  EXPECT_EQ(SchemaVersion(db).Value(), LatestSchemaVersion());
  // Idempotent: a second run changes nothing.
  ASSERT_TRUE(Migrate(db));
  EXPECT_EQ(SchemaVersion(db).Value(), LatestSchemaVersion());
}

TEST(Schema, VersionsAreStrictlyIncreasing) {
  int last = 0;
  for (const Migration& migration : Migrations()) {
    EXPECT_EQ(migration.version, last + 1) << migration.name;
    last = migration.version;
  }
}

TEST(Schema, EveryEarlierVersionUpgradesToTheLatest) {
  for (const Migration& migration : Migrations()) {
    Db db = Db::OpenMemory().Value();
    ASSERT_TRUE(MigrateTo(db, migration.version));
    EXPECT_EQ(SchemaVersion(db).Value(), migration.version);
    ASSERT_TRUE(Migrate(db)) << "from version " << migration.version;
    EXPECT_EQ(SchemaVersion(db).Value(), LatestSchemaVersion());
  }
}

// A database written by the foundation release (schema 1: bare customers) keeps its rows and
// gains every later column with its default, plus the audit triggers.
TEST(Schema, AVersionOneDatabaseWithDataUpgrades) {
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(MigrateTo(db, 1));
  ASSERT_TRUE(db.Exec("INSERT INTO customers(id, name, created_at, updated_at, created_by, updated_by, device_id) "
                      "VALUES(11, '老客户', 1, 1, 1, 1, 1), (12, '另一个老客户', 1, 1, 1, 1, 1)"));
  ASSERT_TRUE(Migrate(db));
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM customers WHERE grade = 'C' AND stage = 'prospect' AND kind = 'other'").Value(), 2);
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'audit_%'").Value(),
            3 * static_cast<int64_t>(SyncedTables().size() - 1));
  ASSERT_TRUE(db.Exec("UPDATE customers SET name = '老客户（改）', updated_at = 2 WHERE id = 11"));
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM audit_log WHERE row_id = 11 AND field = 'name'").Value(), 1);
}

TEST(Schema, RefusesADatabaseFromANewerApp) {
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(Migrate(db));
  ASSERT_TRUE(db.Exec("PRAGMA user_version = " + std::to_string(LatestSchemaVersion() + 1)));
  Status status = Migrate(db);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.Code(), ErrorCode::Schema);
  EXPECT_NE(status.Message().find("newer version"), std::string::npos);
}

TEST(Schema, SyncedTablesHaveExplicitNonNullIntegerKeys) {
  // The session extension needs an explicit PRIMARY KEY with no NULLs; keys are made on the device.
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(Migrate(db));
  auto tables = db.Prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  ASSERT_TRUE(tables);
  int checked = 0;
  while (tables.Value().Step().Value()) {
    std::string sql = tables.Value().String(1);
    std::string name = tables.Value().String(0);
    if (IsDerivedTable(name)) continue;
    EXPECT_NE(sql.find("PRIMARY KEY NOT NULL"), std::string::npos) << name;
    bool synced = std::find(SyncedTables().begin(), SyncedTables().end(), name) != SyncedTables().end();
    // Synced tables (but the append-only audit log) carry the bookkeeping columns and a soft delete.
    if (synced && name != "audit_log") {
      for (const char* column : {"created_at", "updated_at", "created_by", "updated_by", "device_id", "deleted_at"}) {
        EXPECT_NE(sql.find(column), std::string::npos) << name << " lacks " << column;
      }
    }
    EXPECT_EQ(sql.find("AUTOINCREMENT"), std::string::npos) << tables.Value().String(0);
    checked++;
  }
  EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace crm
