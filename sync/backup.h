#pragma once
// Backups: the whole database as one SQLite file the user downloads, and the
// checks a file must pass before it may replace the data on this device. A
// wrong or damaged file is refused with a message that says why, and nothing
// on the device is touched.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/db.h"
#include "sync/journal.h"

namespace crm::sync {

// PRAGMA application_id of an exported backup: "CRM1".
constexpr uint32_t kBackupApplicationId = 0x43524D31;

// The database as a standalone SQLite file, stamped with kBackupApplicationId.
Result<SqliteBuffer> ExportBackup(Db& db);

struct BackupInfo {
  int schemaVersion = 0;
  int64_t customers = 0;  // live (not trashed) customers
  size_t bytes = 0;
};

struct CheckedBackup {
  Db db;  // the backup, opened in memory and migrated to this app's schema
  BackupInfo info;
};

// Opens `file` in a database of its own and checks it: an SQLite file, made by
// this app (application id, tables), intact (PRAGMA integrity_check), not from a
// newer version. Takes the buffer; on success the returned database owns it.
Result<CheckedBackup> CheckBackup(SqliteBuffer file);

}  // namespace crm::sync
