// Erasing a revoked device (core/wipe.h): no row is left in any table the database has (found by
// enumerating the schema, so a table added later is covered too), and no deleted name is left in
// the file's bytes.
#include "core/wipe.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/accounts.h"
#include "core/demo_data.h"
#include "core/ids.h"
#include "core/schema.h"
#include "test_support.h"

namespace crm::testing_support {
namespace {

constexpr const char* kName = "Zyxwvut 独特贸易";

std::string FileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool FilesHold(const std::filesystem::path& path, const std::string& text) {
  for (const char* suffix : {"", "-wal"}) {
    if (FileBytes(path.string() + suffix).find(text) != std::string::npos) return true;
  }
  return false;
}

// Every ordinary table of the schema with its row count (shadow tables of the search index are
// checked through the index itself and the file's bytes).
std::map<std::string, int64_t> RowCounts(Db& db) {
  std::map<std::string, int64_t> counts;
  auto tables = db.PrepareOnce("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name <> 'sqlite_schema'");
  EXPECT_TRUE(tables) << tables.Message();
  while (tables && tables.Value().Step().ValueOr(false)) {
    std::string name = tables.Value().String(0);
    counts[name] = db.QueryInt("SELECT count(*) FROM \"" + name + "\"").ValueOr(-1);
  }
  return counts;
}

TEST(Wipe, LeavesNoRowInAnyTableAndNoDeletedNameInTheFile) {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("crm_wipe_" + std::to_string(NewId()) + ".db");
  {
    Db db = Db::Open(path.string()).Value();
    ASSERT_TRUE(db.Exec("PRAGMA journal_mode = WAL"));
    ASSERT_TRUE(Migrate(db));
    ASSERT_TRUE(EnsureDeviceTables(db));
    int64_t deviceId = DeviceId(db).Value();
    ASSERT_TRUE(DeviceSecret(db));
    auto demo = SeedDemoOrganisation(db, deviceId);
    ASSERT_TRUE(demo) << demo.Message();
    CustomerInput input;
    input.name = kName;
    input.phones = {"13900001111"};
    ASSERT_TRUE(CreateCustomer(db, input, demo.Value().owner));
    // The sync engine's local tables, as a synced device has them.
    ASSERT_TRUE(db.Exec("INSERT INTO sync_state(key, value) VALUES('relay.token', 'secret-token');"
                        "INSERT INTO sync_outbox(changeset_id, user_id, device_id, schema_version, created_at, push_bytes, effect_bytes) "
                        "VALUES(1, 1, 1, 1, 1, x'00', x'00');"
                        "INSERT INTO sync_conflicts(seq, at, kind, table_name, row_key, field, resolution, winner_user, winner_device) "
                        "VALUES(1, 1, 'data', 'customers', '1', 'name', 'replaced', 1, 1);"
                        "ANALYZE;"));
    ASSERT_TRUE(db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
    ASSERT_TRUE(FilesHold(path, "Zyxwvut")) << "the test's name must be in the file before the wipe";
    int64_t filled = 0;
    for (const auto& [table, rows] : RowCounts(db)) filled += rows > 0;
    ASSERT_GT(filled, 10);

    Status wiped = WipeDevice(db);
    ASSERT_TRUE(wiped) << wiped.Message();
    for (const auto& [table, rows] : RowCounts(db)) EXPECT_EQ(rows, 0) << table;
    EXPECT_EQ(db.QueryInt("SELECT count(*) FROM customer_fts WHERE customer_fts MATCH 'zyxwvut'").ValueOr(-1), 0);
    EXPECT_FALSE(FilesHold(path, "Zyxwvut"));
    EXPECT_FALSE(FilesHold(path, "zyxwvut"));
    EXPECT_FALSE(FilesHold(path, "独特贸易"));
    EXPECT_FALSE(FilesHold(path, "secret-token"));
    // Still a working database at the same schema version, with a new device identity.
    EXPECT_EQ(SchemaVersion(db).ValueOr(0), LatestSchemaVersion());
    auto fresh = DeviceId(db);
    ASSERT_TRUE(fresh);
    EXPECT_NE(fresh.Value(), deviceId);

    // The notice is the one row a wiped device keeps, until it is dismissed.
    EXPECT_FALSE(DeviceWasWiped(db).ValueOr(true));
    ASSERT_TRUE(NoteDeviceWiped(db, 1234));
    EXPECT_TRUE(DeviceWasWiped(db).ValueOr(false));
    ASSERT_TRUE(DismissWipeNotice(db));
    EXPECT_FALSE(DeviceWasWiped(db).ValueOr(true));
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
}

TEST(Wipe, RefusesInsideATransaction) {
  TestOrg org;
  auto txn = org.db.Begin();
  ASSERT_TRUE(txn);
  EXPECT_FALSE(WipeDevice(org.db));
}

}  // namespace
}  // namespace crm::testing_support
