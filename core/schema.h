#pragma once
// Versioned schema. Migrations are append-only: a database made by any earlier
// version of the app opens in every later one. PRAGMA user_version holds the
// version; a database from a newer app is refused, never silently downgraded.
#include <string>
#include <string_view>
#include <vector>

#include "core/db.h"

namespace crm {

struct Migration {
  int version;
  const char* name;
  std::string sql;
};

// Tables derived from others on this device (the search index and its FTS5 shadow tables):
// never synced, never journalled; triggers rebuild them when their sources change.
bool IsDerivedTable(std::string_view name);
// Tables that travel between devices (changesets, audit, trash): those the record registry describes
// (core/records.h), in its order. Local-only tables (app_meta, device accounts, sync bookkeeping) are not.
const std::vector<std::string>& SyncedTables();

const std::vector<Migration>& Migrations();
int LatestSchemaVersion();

Result<int> SchemaVersion(Db& db);
// Brings the database to LatestSchemaVersion() inside one transaction per step.
Status Migrate(Db& db);
// Migrates to a given version only; for upgrade tests.
Status MigrateTo(Db& db, int version);

// Keeps the query planner's statistics (sqlite_stat1) in step with the data: tables never analysed, or
// grown or shrunk tenfold since, are sampled (a few hundred rows per index: milliseconds at 100k
// customers); otherwise it only compares counts. Without statistics SQLite takes deleted_at, first in
// the list indexes, for a selective column, and an exact phone or an overdue filter walks the whole
// book. Run after opening and after bulk changes (import, a snapshot from the relay). Not synced.
Status RefreshPlannerStatistics(Db& db);

}  // namespace crm
