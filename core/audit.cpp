#include "core/audit.h"

#include "core/records.h"

namespace crm {

namespace {

std::string Quote(const std::string& identifier) { return "\"" + identifier + "\""; }

// The table's columns as the database has them now (a migration may have added some the registry's
// description does not name yet: they are audited too); none while a later migration has yet to create it.
Result<std::vector<std::string>> ColumnsOf(Db& db, const std::string& table) {
  std::vector<std::string> columns;
  CRM_ASSIGN_OR_RETURN(Stmt info, db.PrepareOnce("SELECT name FROM pragma_table_info(?) ORDER BY cid"));
  info.Bind(1, table);
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, info.Step());
    if (!row) break;
    columns.push_back(info.String(0));
  }
  return columns;
}

}  // namespace

Status InstallAuditTriggers(Db& db) {
  for (const RecordType& type : RecordTypes()) {
    if (type.access == Access::AppendOnly) continue;  // the trail itself
    const std::string table = type.table;
    const std::string key = type.key;
    CRM_ASSIGN_OR_RETURN(std::vector<std::string> columns, ColumnsOf(db, table));
    if (columns.empty()) continue;
    for (const char* event : {"insert", "update", "delete"}) {
      CRM_TRY(db.Exec("DROP TRIGGER IF EXISTS audit_" + table + "_" + event));
    }
    // Tables keyed by text (settings) record the key as the field and row 0; a row names its customer (the
    // customer's own id, or the column that holds it) so a customer's trail is one query.
    const bool textKey = type.textKey;
    auto rowOf = [&](const char* alias) { return textKey ? std::string("0") : std::string(alias) + "." + Quote(key); };
    auto customerOf = [&](const char* alias) {
      if (type.access == Access::Customer) return std::string(alias) + "." + Quote(key);
      return type.parent ? std::string(alias) + "." + Quote(type.parent) : std::string("NULL");
    };
    const std::string textValue = type.auditValue ? type.auditValue : "";
    const std::string head =
        "INSERT INTO audit_log(id, at, user_id, device_id, table_name, row_id, customer_id, action, field, old_value, new_value) ";

    std::string insert = "CREATE TRIGGER audit_" + table + "_insert AFTER INSERT ON " + table + " WHEN crm_audit() BEGIN " +
                         head + "VALUES(crm_new_id(), NEW.updated_at, NEW.updated_by, NEW.device_id, '" + table + "', " +
                         rowOf("NEW") + ", " + customerOf("NEW") + ", 'insert', " +
                         (textKey ? "NEW." + Quote(key) + ", NULL, NEW." + Quote(textValue) : std::string("NULL, NULL, NULL")) + "); END;";
    CRM_TRY(db.Exec(insert));

    std::string changes;
    for (const std::string& column : columns) {
      if ((IsStandardColumn(column) && column != "deleted_at") || column == key) continue;
      if (!changes.empty()) changes += " UNION ALL ";
      std::string field = textKey && column == textValue ? "NEW." + Quote(key) : "'" + column + "'";
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
