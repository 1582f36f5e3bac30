#include "sync/backup.h"

#include <gtest/gtest.h>

#include <cstring>

#include "core/customers.h"
#include "core/org.h"
#include "core/schema.h"

namespace crm::sync {
namespace {

Db BookWith(int customers) {
  Db db = Db::OpenMemory().Value();
  EXPECT_TRUE(Migrate(db));
  Actor owner = EnsureLocalOwner(db, "管理员", 1).Value();
  for (int i = 0; i < customers; i++) EXPECT_TRUE(AddCustomer(db, "客户 " + std::to_string(i), owner));
  return db;
}

SqliteBuffer Copy(const SqliteBuffer& from, size_t size) {
  SqliteBuffer to = SqliteBuffer::Allocate(size);
  std::memcpy(to.data(), from.data(), std::min(size, from.size()));
  return to;
}

SqliteBuffer Export(Db& db) {
  auto file = ExportBackup(db);
  EXPECT_TRUE(file) << file.Message();
  return std::move(file).Value();
}

TEST(Backup, ExportedFileRestoresWithTheSameCustomers) {
  Db db = BookWith(25);
  SqliteBuffer file = Export(db);
  EXPECT_EQ(file.data()[68], 'C');
  EXPECT_EQ(file.data()[71], '1');
  // The live database is not stamped; only the copy.
  EXPECT_EQ(db.QueryInt("PRAGMA application_id").Value(), 0);
  auto checked = CheckBackup(std::move(file));
  ASSERT_TRUE(checked) << checked.Message();
  EXPECT_EQ(checked.Value().info.customers, 25);
  EXPECT_EQ(checked.Value().info.schemaVersion, LatestSchemaVersion());
  Db& restored = checked.Value().db;
  EXPECT_EQ(restored.QueryInt("SELECT count(*) FROM customers WHERE name = '客户 24'").Value(), 1);
  EXPECT_EQ(restored.QueryInt("SELECT count(*) FROM audit_log").Value(), db.QueryInt("SELECT count(*) FROM audit_log").Value());
  // Still writable after the restore: the app carries on editing it.
  Actor owner = EnsureLocalOwner(restored, "管理员", 1).Value();
  EXPECT_TRUE(AddCustomer(restored, "恢复之后", owner));
}

TEST(Backup, RefusesAFileThatIsNotADatabase) {
  SqliteBuffer junk = SqliteBuffer::Allocate(4096);
  std::memset(junk.data(), 'x', junk.size());
  auto checked = CheckBackup(std::move(junk));
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.Code(), ErrorCode::Invalid);
  EXPECT_NE(checked.Message().find("not a CRM backup"), std::string::npos) << checked.Message();

  auto empty = CheckBackup(SqliteBuffer::Allocate(0));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.Code(), ErrorCode::Invalid);
}

TEST(Backup, RefusesAnotherApplicationsDatabase) {
  Db other = Db::OpenMemory().Value();
  ASSERT_TRUE(other.Exec("PRAGMA application_id = 1234; CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT)"));
  // ExportBackup stamps ours; put theirs back, as a file of that application would have it.
  auto image = ExportBackup(other);
  ASSERT_TRUE(image);
  SqliteBuffer file = std::move(image).Value();
  file.data()[68] = 0;
  file.data()[69] = 0;
  file.data()[70] = 0x04;
  file.data()[71] = 0xD2;
  auto refused = CheckBackup(std::move(file));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.Message().find("another application"), std::string::npos) << refused.Message();
}

TEST(Backup, RefusesAPlainDatabaseWithoutCrmTables) {
  Db other = Db::OpenMemory().Value();
  ASSERT_TRUE(other.Exec("CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes VALUES(1, 'x')"));
  SqliteBuffer file = Export(other);
  std::memset(file.data() + 68, 0, 4);
  auto refused = CheckBackup(std::move(file));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.Code(), ErrorCode::Invalid);
  EXPECT_NE(refused.Message().find("no CRM data"), std::string::npos) << refused.Message();
}

TEST(Backup, RefusesADamagedFile) {
  Db db = BookWith(300);
  SqliteBuffer file = Export(db);
  int64_t pageSize = db.QueryInt("PRAGMA page_size").Value();
  int64_t root = db.QueryInt("SELECT rootpage FROM sqlite_schema WHERE name = 'customers'").Value();
  // Scribble over the customers table's root page (pages are numbered from 1).
  size_t at = static_cast<size_t>((root - 1) * pageSize);
  ASSERT_LT(at + 64, file.size());
  for (size_t i = 8; i < static_cast<size_t>(pageSize); i++) file.data()[at + i] = static_cast<uint8_t>(i * 31);
  auto refused = CheckBackup(std::move(file));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.Code(), ErrorCode::Corrupt) << refused.Message();
  EXPECT_NE(refused.Message().find("damaged"), std::string::npos) << refused.Message();
}

TEST(Backup, RefusesATruncatedFile) {
  Db db = BookWith(300);
  SqliteBuffer file = Export(db);
  auto refused = CheckBackup(Copy(file, file.size() / 2));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.Code(), ErrorCode::Corrupt) << refused.Message();
}

TEST(Backup, RefusesABackupFromANewerApp) {
  Db db = BookWith(1);
  ASSERT_TRUE(db.Exec("PRAGMA user_version = " + std::to_string(LatestSchemaVersion() + 1)));
  auto refused = CheckBackup(Export(db));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.Code(), ErrorCode::Schema);
  EXPECT_NE(refused.Message().find("newer version"), std::string::npos) << refused.Message();
}

}  // namespace
}  // namespace crm::sync
