#include "core/schema.h"

#include <string>

namespace crm {

// Every synced table: a primary key made on the device (random 64-bit, never
// AUTOINCREMENT), created/updated time, user and device, and a soft delete.
const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "customers and app metadata", R"sql(
        CREATE TABLE app_meta (
          key   TEXT PRIMARY KEY NOT NULL,
          value TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE customers (
          id          INTEGER PRIMARY KEY NOT NULL,
          name        TEXT NOT NULL CHECK (length(name) > 0),
          created_at  INTEGER NOT NULL,
          updated_at  INTEGER NOT NULL,
          created_by  INTEGER NOT NULL,
          updated_by  INTEGER NOT NULL,
          device_id   INTEGER NOT NULL,
          deleted_at  INTEGER
        );
        CREATE INDEX customers_live ON customers(deleted_at, updated_at);
      )sql"},
  };
  return kMigrations;
}

int LatestSchemaVersion() { return Migrations().back().version; }

Result<int> SchemaVersion(Db& db) {
  CRM_ASSIGN_OR_RETURN(int64_t version, db.QueryInt("PRAGMA user_version"));
  return static_cast<int>(version);
}

Status MigrateTo(Db& db, int target) {
  CRM_ASSIGN_OR_RETURN(int current, SchemaVersion(db));
  if (current > LatestSchemaVersion()) {
    return MakeError(ErrorCode::Schema, "this database was written by a newer version of the app (schema " +
                                            std::to_string(current) + ", this app knows up to " +
                                            std::to_string(LatestSchemaVersion()) + "): update the app");
  }
  for (const Migration& migration : Migrations()) {
    if (migration.version <= current || migration.version > target) continue;
    CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin(TxnKind::Immediate));
    Status applied = db.Exec(migration.sql);
    if (!applied) {
      return MakeError(applied.Code(), "migration " + std::to_string(migration.version) + " (" + migration.name +
                                           ") failed: " + applied.Message());
    }
    CRM_TRY(db.Exec("PRAGMA user_version = " + std::to_string(migration.version)));
    CRM_TRY(txn.Commit());
  }
  return Ok();
}

Status Migrate(Db& db) { return MigrateTo(db, LatestSchemaVersion()); }

}  // namespace crm
