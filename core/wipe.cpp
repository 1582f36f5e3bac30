#include "core/wipe.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/schema.h"

namespace crm {

namespace {

constexpr const char* kWipedKey = "device.wiped_at";
// Deleting a row can write another through a trigger (the search index refreshes a customer's
// document when a phone goes); passes repeat until nothing is left, a few at most.
constexpr int kMaxPasses = 8;

std::string Quoted(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

Result<std::vector<std::string>> Names(Db& db, const char* sql) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.PrepareOnce(sql));
  std::vector<std::string> names;
  while (true) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    names.push_back(stmt.String(0));
  }
  return names;
}

// Deletes the rows of every ordinary table and empties every full-text index; true when a pass
// found nothing left to delete.
Result<bool> DeletePass(Db& db, const std::vector<std::string>& tables, const std::vector<std::string>& indexes) {
  bool empty = true;
  for (const std::string& index : indexes) CRM_TRY(db.Exec("INSERT INTO " + Quoted(index) + "(" + Quoted(index) + ") VALUES('delete-all')"));
  for (const std::string& table : tables) {
    CRM_ASSIGN_OR_RETURN(int64_t rows, db.QueryInt("SELECT count(*) FROM " + Quoted(table)));
    if (rows == 0) continue;
    empty = false;
    CRM_TRY(db.Exec("DELETE FROM " + Quoted(table)));
  }
  return empty;
}

}  // namespace

Status WipeDevice(Db& db) {
  if (db.InTransaction()) return MakeError(ErrorCode::Storage, "cannot erase the device inside a transaction");
  // Ordinary tables (the planner's statistics too: they can hold sampled values), and full-text
  // indexes, which empty themselves and their shadow tables with 'delete-all'.
  CRM_ASSIGN_OR_RETURN(std::vector<std::string> tables,
                       Names(db, "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "
                                 "AND (name NOT LIKE 'sqlite\\_%' ESCAPE '\\' OR name LIKE 'sqlite\\_stat%' ESCAPE '\\')"));
  CRM_ASSIGN_OR_RETURN(std::vector<std::string> indexes,
                       Names(db, "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'"));
  // The search index's own tables first: a customer's row deleted after them finds no document to take out of
  // the emptied index (before them, its trigger would ask the index to delete what it no longer holds). The
  // catalogue's order is no order to rely on: it moves when a migration adds a table.
  std::stable_partition(tables.begin(), tables.end(), [](const std::string& name) { return IsDerivedTable(name); });
  // Freed pages are zeroed, so nothing of a deleted row stays in the file even before the VACUUM.
  CRM_TRY(db.Exec("PRAGMA secure_delete = ON"));
  bool wasSuppressed = db.AuditSuppressed();
  db.SetAuditSuppressed(true);  // erasing is not an edit of the organisation's data
  Status erased = [&]() -> Status {
    CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin(TxnKind::Immediate));
    for (int pass = 0;; pass++) {
      if (pass == kMaxPasses) return MakeError(ErrorCode::Storage, "erasing the device: rows keep coming back");
      CRM_ASSIGN_OR_RETURN(bool empty, DeletePass(db, tables, indexes));
      if (empty) break;
    }
    return txn.Commit();
  }();
  db.SetAuditSuppressed(wasSuppressed);
  CRM_TRY(erased);
  db.ForgetDerived();
  CRM_TRY(db.Exec("VACUUM"));
  // A file database in WAL mode: the log still holds the old pages until it is checkpointed away.
  CRM_ASSIGN_OR_RETURN(Stmt checkpoint, db.PrepareOnce("PRAGMA wal_checkpoint(TRUNCATE)"));
  CRM_TRY(checkpoint.Step());
  return Ok();
}

Status NoteDeviceWiped(Db& db, int64_t nowMs) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("INSERT OR REPLACE INTO app_meta(key, value) VALUES(?, ?)"));
  stmt.BindAll(std::string(kWipedKey), std::to_string(nowMs));
  return stmt.Run();
}

Result<bool> DeviceWasWiped(Db& db) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT 1 FROM app_meta WHERE key = ?"));
  stmt.Bind(1, std::string(kWipedKey));
  return stmt.Step();
}

Status DismissWipeNotice(Db& db) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("DELETE FROM app_meta WHERE key = ?"));
  stmt.Bind(1, std::string(kWipedKey));
  return stmt.Run();
}

}  // namespace crm
