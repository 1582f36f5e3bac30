#include "core/schema.h"

#include <gtest/gtest.h>

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
    EXPECT_NE(sql.find("PRIMARY KEY NOT NULL"), std::string::npos) << tables.Value().String(0);
    EXPECT_EQ(sql.find("AUTOINCREMENT"), std::string::npos) << tables.Value().String(0);
    checked++;
  }
  EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace crm
