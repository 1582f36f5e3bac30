#include "sync/backup.h"

#include <sqlite3.h>

#include <cstring>

#include "core/customers.h"
#include "core/schema.h"

namespace crm::sync {

namespace {
constexpr size_t kApplicationIdOffset = 68;  // in the 100-byte SQLite header, big-endian
constexpr char kSqliteMagic[] = "SQLite format 3";  // 16 bytes with its terminating zero

uint32_t ReadBigEndian(const uint8_t* at) {
  return static_cast<uint32_t>(at[0]) << 24 | static_cast<uint32_t>(at[1]) << 16 | static_cast<uint32_t>(at[2]) << 8 | at[3];
}
}  // namespace

Result<SqliteBuffer> ExportBackup(Db& db) {
  if (!sqlite3_get_autocommit(db.Handle())) return MakeError(ErrorCode::Storage, "cannot export while a change is in progress");
  sqlite3_int64 size = 0;
  unsigned char* image = sqlite3_serialize(db.Handle(), "main", &size, 0);
  if (!image) return MakeError(ErrorCode::Storage, "cannot copy the database for export (out of memory?)");
  SqliteBuffer file = SqliteBuffer::Adopt(image, static_cast<size_t>(size));
  // The id goes into the copy only: the header field is what PRAGMA application_id
  // writes, and stamping the copy keeps the live database (and its journal) untouched.
  if (file.size() >= 100) {
    uint8_t* at = file.data() + kApplicationIdOffset;
    at[0] = static_cast<uint8_t>(kBackupApplicationId >> 24);
    at[1] = static_cast<uint8_t>(kBackupApplicationId >> 16);
    at[2] = static_cast<uint8_t>(kBackupApplicationId >> 8);
    at[3] = static_cast<uint8_t>(kBackupApplicationId);
  }
  return file;
}

Result<CheckedBackup> CheckBackup(SqliteBuffer file) {
  const size_t bytes = file.size();
  if (bytes < 512 || std::memcmp(file.data(), kSqliteMagic, sizeof kSqliteMagic) != 0) {
    return MakeError(ErrorCode::Invalid, "this file is not a CRM backup (not an SQLite database)");
  }
  uint32_t applicationId = ReadBigEndian(file.data() + kApplicationIdOffset);
  // 0 is a plain SQLite file, e.g. one kept by crm-cli: accepted when its tables are ours (checked below).
  if (applicationId != kBackupApplicationId && applicationId != 0) {
    return MakeError(ErrorCode::Invalid, "this file is a database of another application, not a CRM backup");
  }
  CRM_ASSIGN_OR_RETURN(Db db, Db::OpenMemory());
  if (auto loaded = LoadImage(db, std::move(file)); !loaded) {
    return MakeError(ErrorCode::Corrupt, "the backup is damaged: " + loaded.Message());
  }
  // integrity_check reports damage as rows, or fails outright on a badly broken file.
  {
    auto check = db.PrepareOnce("PRAGMA integrity_check(5)");
    if (!check) return MakeError(ErrorCode::Corrupt, "the backup is damaged: " + check.Message());
    std::string problems;
    while (true) {
      auto row = check.Value().Step();
      if (!row) return MakeError(ErrorCode::Corrupt, "the backup is damaged: " + row.Message());
      if (!row.Value()) break;
      std::string line = check.Value().String(0);
      if (line != "ok") problems += (problems.empty() ? "" : "; ") + line;
    }
    if (!problems.empty()) return MakeError(ErrorCode::Corrupt, "the backup is damaged: " + problems);
  }
  CRM_ASSIGN_OR_RETURN(int version, SchemaVersion(db));
  auto tables = db.QueryInt("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('app_meta', 'customers')");
  if (!tables) return MakeError(ErrorCode::Corrupt, "the backup is damaged: " + tables.Message());
  if (version < 1 || tables.Value() != 2) return MakeError(ErrorCode::Invalid, "this database holds no CRM data (not a CRM backup)");
  if (version > LatestSchemaVersion()) {
    return MakeError(ErrorCode::Schema, "this backup was made by a newer version of the app (schema " + std::to_string(version) +
                                            "); update the app first");
  }
  if (auto migrated = Migrate(db); !migrated) return MakeError(migrated.Code(), "cannot bring the backup up to date: " + migrated.Message());
  // The live database carries no application id; the journal's snapshots must look like it.
  CRM_TRY(db.Exec("PRAGMA application_id = 0"));
  CRM_ASSIGN_OR_RETURN(int64_t customers, CountCustomers(db));
  CheckedBackup checked{std::move(db), BackupInfo{version, customers, bytes}};
  return checked;
}

}  // namespace crm::sync
