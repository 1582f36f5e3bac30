#include "core/audit.h"

#include "core/schema.h"

namespace crm {

namespace {

// Bookkeeping columns are the "who/when" of every audit row, not changes of their own.
bool IsBookkeeping(const std::string& column) {
  return column == "created_at" || column == "created_by" || column == "updated_at" || column == "updated_by" ||
         column == "device_id";
}

std::string Quote(const std::string& identifier) { return "\"" + identifier + "\""; }

struct TableShape {
  std::vector<std::string> columns;
  std::string key;  // primary key column
  bool hasCustomerId = false;
};

Result<TableShape> ShapeOf(Db& db, const std::string& table) {
  TableShape shape;
  CRM_ASSIGN_OR_RETURN(Stmt info, db.PrepareOnce("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid"));
  info.Bind(1, table);
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, info.Step());
    if (!row) break;
    std::string name = info.String(0);
    if (info.Int64(1) == 1) shape.key = name;
    if (name == "customer_id") shape.hasCustomerId = true;
    shape.columns.push_back(name);
  }
  if (shape.columns.empty()) return MakeError(ErrorCode::Schema, "audit: no table " + table);
  return shape;
}

}  // namespace

Status InstallAuditTriggers(Db& db) {
  for (const std::string& table : SyncedTables()) {
    if (table == "audit_log") continue;
    CRM_ASSIGN_OR_RETURN(TableShape shape, ShapeOf(db, table));
    for (const char* event : {"insert", "update", "delete"}) {
      CRM_TRY(db.Exec("DROP TRIGGER IF EXISTS audit_" + table + "_" + event));
    }
    // Tables keyed by text (settings) record the key as the field and row 0.
    bool textKey = table == "settings";
    auto rowOf = [&](const char* alias) { return textKey ? std::string("0") : std::string(alias) + "." + Quote(shape.key); };
    auto customerOf = [&](const char* alias) {
      if (table == "customers") return std::string(alias) + ".id";
      return shape.hasCustomerId ? std::string(alias) + ".customer_id" : std::string("NULL");
    };
    const std::string head =
        "INSERT INTO audit_log(id, at, user_id, device_id, table_name, row_id, customer_id, action, field, old_value, new_value) ";

    std::string insert = "CREATE TRIGGER audit_" + table + "_insert AFTER INSERT ON " + table + " WHEN crm_audit() BEGIN " +
                         head + "VALUES(crm_new_id(), NEW.updated_at, NEW.updated_by, NEW.device_id, '" + table + "', " +
                         rowOf("NEW") + ", " + customerOf("NEW") + ", 'insert', " +
                         (textKey ? "NEW.key, NULL, NEW.value" : "NULL, NULL, NULL") + "); END;";
    CRM_TRY(db.Exec(insert));

    std::string changes;
    for (const std::string& column : shape.columns) {
      if (IsBookkeeping(column) || column == shape.key) continue;
      if (!changes.empty()) changes += " UNION ALL ";
      std::string field = textKey && column == "value" ? "NEW.key" : "'" + column + "'";
      changes += "SELECT " + field + " AS f, OLD." + Quote(column) + " AS o, NEW." + Quote(column) + " AS n WHERE OLD." +
                 Quote(column) + " IS NOT NEW." + Quote(column);
    }
    std::string update = "CREATE TRIGGER audit_" + table + "_update AFTER UPDATE ON " + table + " WHEN crm_audit() BEGIN " +
                         head + "SELECT crm_new_id(), NEW.updated_at, NEW.updated_by, NEW.device_id, '" + table + "', " +
                         rowOf("NEW") + ", " + customerOf("NEW") +
                         ", CASE WHEN f = 'deleted_at' AND n IS NOT NULL THEN 'delete' WHEN f = 'deleted_at' THEN 'restore' "
                         "ELSE 'update' END, f, o, n FROM (" + changes + "); END;";
    CRM_TRY(db.Exec(update));

    std::string purge = "CREATE TRIGGER audit_" + table + "_delete AFTER DELETE ON " + table + " WHEN crm_audit() BEGIN " +
                        head + "VALUES(crm_new_id(), CAST(unixepoch('subsec') * 1000 AS INTEGER), OLD.updated_by, OLD.device_id, '" +
                        table + "', " + rowOf("OLD") + ", " + customerOf("OLD") + ", 'purge', NULL, NULL, NULL); END;";
    CRM_TRY(db.Exec(purge));
  }
  return Ok();
}

namespace {

Result<std::vector<AuditEntry>> ReadEntries(Stmt& stmt) {
  std::vector<AuditEntry> entries;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    AuditEntry entry;
    entry.id = stmt.Int64(0);
    entry.at = stmt.Int64(1);
    entry.userId = stmt.Int64(2);
    entry.deviceId = stmt.Int64(3);
    entry.table = stmt.String(4);
    entry.rowId = stmt.Int64(5);
    if (!stmt.IsNull(6)) entry.customerId = stmt.Int64(6);
    entry.action = stmt.String(7);
    entry.field = stmt.String(8);
    if (!stmt.IsNull(9)) entry.oldValue = stmt.String(9);
    if (!stmt.IsNull(10)) entry.newValue = stmt.String(10);
    entries.push_back(std::move(entry));
  }
  return entries;
}

constexpr const char* kColumns =
    "SELECT id, at, user_id, device_id, table_name, row_id, customer_id, action, field, old_value, new_value FROM audit_log ";

}  // namespace

Result<std::vector<AuditEntry>> AuditForCustomer(Db& db, int64_t customerId, int limit) {
  if (limit <= 0) return MakeError(ErrorCode::Invalid, "limit: must be positive");
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(std::string(kColumns) + "WHERE customer_id = ? ORDER BY at DESC, rowid DESC LIMIT ?"));
  stmt.BindAll(customerId, limit);
  return ReadEntries(stmt);
}

Result<std::vector<AuditEntry>> AuditForUser(Db& db, int64_t userId, int64_t sinceMs, int limit) {
  if (limit <= 0) return MakeError(ErrorCode::Invalid, "limit: must be positive");
  CRM_ASSIGN_OR_RETURN(Stmt stmt,
                       db.Prepare(std::string(kColumns) + "WHERE user_id = ? AND at >= ? ORDER BY at DESC, rowid DESC LIMIT ?"));
  stmt.BindAll(userId, sinceMs, limit);
  return ReadEntries(stmt);
}

}  // namespace crm
