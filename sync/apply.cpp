#include "sync/apply.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "core/schema.h"

namespace crm::sync {

namespace {

// The columns every synced row carries to say who changed it when: they differ on every
// concurrent edit, so logging them would bury the real conflicts.
bool IsBookkeeping(const std::string& column) {
  return column == "created_at" || column == "created_by" || column == "updated_at" || column == "updated_by" ||
         column == "device_id";
}

struct TableInfo {
  std::vector<std::string> columns;
  std::vector<bool> key;
  int customerColumn = -1;   // customer_id, or the key of customers itself
  int updatedByColumn = -1;  // who wrote the row last: the loser of a conflict
};

using Tables = std::map<std::string, TableInfo>;

struct ChangesetShape {
  Tables tables;
  int changes = 0;
};

Result<TableInfo> ReadTable(Db& db, const std::string& name) {
  TableInfo info;
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid"));
  stmt.Bind(1, name);
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    std::string column = stmt.String(0);
    bool key = stmt.Int64(1) != 0;
    if (column == "customer_id" || (name == "customers" && key)) info.customerColumn = static_cast<int>(info.columns.size());
    if (column == "updated_by") info.updatedByColumn = static_cast<int>(info.columns.size());
    info.columns.push_back(std::move(column));
    info.key.push_back(key);
  }
  return info;
}

bool IsSynced(const std::string& table) {
  const auto& synced = SyncedTables();
  return std::find(synced.begin(), synced.end(), table) != synced.end();
}

// Reads every table a changeset touches and checks it fits (see CheckFits).
Result<ChangesetShape> ReadShape(Db& db, const uint8_t* changeset, size_t size) {
  sqlite3_changeset_iter* iter = nullptr;
  int rc = sqlite3changeset_start(&iter, static_cast<int>(size), const_cast<uint8_t*>(changeset));
  if (rc != SQLITE_OK) return MakeError(ErrorCode::Corrupt, std::string("malformed changeset: ") + sqlite3_errstr(rc));
  ChangesetShape shape;
  Tables& tables = shape.tables;
  Status status = Ok();
  while ((rc = sqlite3changeset_next(iter)) == SQLITE_ROW) {
    shape.changes++;
    const char* name = nullptr;
    int columns = 0, op = 0, indirect = 0;
    sqlite3changeset_op(iter, &name, &columns, &op, &indirect);
    std::string table = name;
    if (tables.count(table)) continue;
    if (!IsSynced(table)) {
      status = MakeError(ErrorCode::Schema, "changes to table '" + table + "' cannot be synced: " +
                                                (IsDerivedTable(table) ? "it is derived on each device"
                                                                       : "unknown here (from a newer app?) or local to a device"));
      break;
    }
    auto info = ReadTable(db, table);
    if (!info) {
      status = info.GetError();
      break;
    }
    if (info.Value().columns.empty()) {
      status = MakeError(ErrorCode::Schema, "table '" + table + "' does not exist here: the change comes from a newer app; update the app");
      break;
    }
    if (static_cast<size_t>(columns) > info.Value().columns.size()) {
      status = MakeError(ErrorCode::Schema, "table '" + table + "' has " + std::to_string(columns) + " columns in the change, " +
                                                std::to_string(info.Value().columns.size()) +
                                                " here: the change comes from a newer app; update the app");
      break;
    }
    unsigned char* pk = nullptr;
    int pkColumns = 0;
    sqlite3changeset_pk(iter, &pk, &pkColumns);
    for (int i = 0; i < columns; i++) {
      if ((pk[i] != 0) != info.Value().key[static_cast<size_t>(i)]) {
        status = MakeError(ErrorCode::Schema, "table '" + table + "' has its primary key elsewhere in the change");
        break;
      }
    }
    if (!status) break;
    tables.emplace(table, std::move(info).Value());
  }
  int finalized = sqlite3changeset_finalize(iter);
  if (!status) return status.GetError();
  if (rc != SQLITE_DONE || finalized != SQLITE_OK) return MakeError(ErrorCode::Corrupt, "malformed changeset");
  return shape;
}

bool SameValue(sqlite3_value* a, sqlite3_value* b) {
  int type = sqlite3_value_type(a);
  if (type != sqlite3_value_type(b)) return false;
  switch (type) {
    case SQLITE_NULL: return true;
    case SQLITE_INTEGER: return sqlite3_value_int64(a) == sqlite3_value_int64(b);
    case SQLITE_FLOAT: return sqlite3_value_double(a) == sqlite3_value_double(b);
    default: {
      int size = sqlite3_value_bytes(a);
      if (size != sqlite3_value_bytes(b)) return false;
      const void* x = type == SQLITE_TEXT ? static_cast<const void*>(sqlite3_value_text(a)) : sqlite3_value_blob(a);
      const void* y = type == SQLITE_TEXT ? static_cast<const void*>(sqlite3_value_text(b)) : sqlite3_value_blob(b);
      return size == 0 || std::memcmp(x, y, static_cast<size_t>(size)) == 0;
    }
  }
}

std::optional<std::string> ValueText(sqlite3_value* value) {
  if (!value) return std::nullopt;
  switch (sqlite3_value_type(value)) {
    case SQLITE_NULL: return std::nullopt;
    case SQLITE_INTEGER: return std::to_string(sqlite3_value_int64(value));
    case SQLITE_FLOAT: {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.17g", sqlite3_value_double(value));
      return std::string(buffer);
    }
    case SQLITE_TEXT:
      return std::string(reinterpret_cast<const char*>(sqlite3_value_text(value)), static_cast<size_t>(sqlite3_value_bytes(value)));
    default: {
      static const char* kHex = "0123456789abcdef";
      const auto* bytes = static_cast<const uint8_t*>(sqlite3_value_blob(value));
      int size = sqlite3_value_bytes(value);
      std::string text = "x'";
      for (int i = 0; i < std::min(size, 32); i++) {
        text += kHex[bytes[i] >> 4];
        text += kHex[bytes[i] & 15];
      }
      return text + (size > 32 ? "…'" : "'");
    }
  }
}

std::optional<int64_t> ValueInt(sqlite3_value* value) {
  if (!value || sqlite3_value_type(value) != SQLITE_INTEGER) return std::nullopt;
  return sqlite3_value_int64(value);
}

struct PolicyContext {
  const Tables* tables = nullptr;
  const ApplyOrigin* origin = nullptr;
  std::vector<ConflictEntry> conflicts;
};

// Old values exist for keys and changed columns (UPDATE, DELETE); new ones for INSERT and changed columns.
sqlite3_value* OldValue(sqlite3_changeset_iter* iter, int op, int column) {
  sqlite3_value* value = nullptr;
  if (op != SQLITE_INSERT) sqlite3changeset_old(iter, column, &value);
  return value;
}
sqlite3_value* NewValue(sqlite3_changeset_iter* iter, int op, int column) {
  sqlite3_value* value = nullptr;
  if (op != SQLITE_DELETE) sqlite3changeset_new(iter, column, &value);
  return value;
}
sqlite3_value* CurrentValue(sqlite3_changeset_iter* iter, int column) {
  sqlite3_value* value = nullptr;
  sqlite3changeset_conflict(iter, column, &value);
  return value;
}

// The row a change is about: its key as text and its customer, from whichever values it carries.
void DescribeRow(sqlite3_changeset_iter* iter, int op, int columns, const TableInfo& info, bool haveCurrent,
                 ConflictEntry& entry) {
  auto valueOf = [&](int column) {
    sqlite3_value* value = op == SQLITE_INSERT ? NewValue(iter, op, column) : OldValue(iter, op, column);
    if (!value && haveCurrent) value = CurrentValue(iter, column);
    if (!value && op == SQLITE_UPDATE) value = NewValue(iter, op, column);
    return value;
  };
  for (int i = 0; i < columns; i++) {
    if (!info.key[static_cast<size_t>(i)]) continue;
    if (!entry.rowKey.empty()) entry.rowKey += ",";
    entry.rowKey += ValueText(valueOf(i)).value_or("");
  }
  if (info.customerColumn >= 0 && info.customerColumn < columns) entry.customerId = ValueInt(valueOf(info.customerColumn));
  if (haveCurrent && info.updatedByColumn >= 0 && info.updatedByColumn < columns) {
    entry.loserUser = ValueInt(CurrentValue(iter, info.updatedByColumn));
  }
}

int OnConflict(void* opaque, int kind, sqlite3_changeset_iter* iter) {
  auto& context = *static_cast<PolicyContext*>(opaque);
  const ApplyOrigin& origin = *context.origin;
  ConflictEntry base;
  base.seq = origin.seq;
  base.at = origin.atMs;
  base.winnerUser = origin.userId;
  base.winnerDevice = origin.deviceId;

  if (kind == SQLITE_CHANGESET_FOREIGN_KEY) {
    int dangling = 0;
    sqlite3changeset_fk_conflicts(iter, &dangling);
    base.kind = ConflictKind::ForeignKey;
    base.lostValue = std::to_string(dangling) + " dangling reference(s)";
    base.resolution = "kept";
    context.conflicts.push_back(base);
    return SQLITE_CHANGESET_OMIT;
  }

  const char* name = nullptr;
  int columns = 0, op = 0, indirect = 0;
  sqlite3changeset_op(iter, &name, &columns, &op, &indirect);
  auto found = context.tables->find(name);
  if (found == context.tables->end()) return SQLITE_CHANGESET_ABORT;  // CheckFits read every table
  const TableInfo& info = found->second;
  base.table = name;
  bool haveCurrent = kind == SQLITE_CHANGESET_DATA || kind == SQLITE_CHANGESET_CONFLICT;
  DescribeRow(iter, op, columns, info, haveCurrent, base);
  auto log = [&](ConflictKind conflictKind, int column, sqlite3_value* lost, sqlite3_value* won, const char* resolution) {
    ConflictEntry entry = base;
    entry.kind = conflictKind;
    if (column >= 0) entry.field = info.columns[static_cast<size_t>(column)];
    entry.lostValue = ValueText(lost);
    entry.wonValue = ValueText(won);
    entry.resolution = resolution;
    context.conflicts.push_back(std::move(entry));
  };
  auto contested = [&](int column) { return !IsBookkeeping(info.columns[static_cast<size_t>(column)]); };

  switch (kind) {
    case SQLITE_CHANGESET_DATA:
      for (int i = 0; i < columns; i++) {
        if (info.key[static_cast<size_t>(i)] || !contested(i)) continue;
        sqlite3_value* current = CurrentValue(iter, i);
        if (op == SQLITE_UPDATE) {
          sqlite3_value* next = NewValue(iter, op, i);
          sqlite3_value* old = OldValue(iter, op, i);
          // Only columns this change set, whose value moved under it, to something else than it sets.
          if (!next || !old || !current || SameValue(current, old) || SameValue(current, next)) continue;
          log(ConflictKind::Data, i, current, next, "replaced");
        } else {  // DELETE of a row changed since
          sqlite3_value* old = OldValue(iter, op, i);
          if (!old || !current || SameValue(current, old)) continue;
          log(ConflictKind::Data, i, current, nullptr, "deleted");
        }
      }
      return SQLITE_CHANGESET_REPLACE;
    case SQLITE_CHANGESET_NOTFOUND:
      if (op == SQLITE_UPDATE) {
        bool logged = false;
        for (int i = 0; i < columns; i++) {
          sqlite3_value* next = NewValue(iter, op, i);
          if (!next || info.key[static_cast<size_t>(i)] || !contested(i)) continue;
          log(ConflictKind::NotFound, i, next, nullptr, "dropped");
          logged = true;
        }
        if (!logged) log(ConflictKind::NotFound, -1, nullptr, nullptr, "dropped");
      }
      return SQLITE_CHANGESET_OMIT;
    case SQLITE_CHANGESET_CONFLICT:
      for (int i = 0; i < columns; i++) {
        if (info.key[static_cast<size_t>(i)] || !contested(i)) continue;
        sqlite3_value* current = CurrentValue(iter, i);
        sqlite3_value* next = NewValue(iter, op, i);
        if (!current || !next || SameValue(current, next)) continue;
        log(ConflictKind::Conflict, i, current, next, "replaced");
      }
      return SQLITE_CHANGESET_REPLACE;
    case SQLITE_CHANGESET_CONSTRAINT: {
      std::string values;
      for (int i = 0; i < columns; i++) {
        sqlite3_value* next = NewValue(iter, op, i);
        if (!next || !contested(i)) continue;
        if (!values.empty()) values += ", ";
        values += info.columns[static_cast<size_t>(i)] + "=" + ValueText(next).value_or("NULL");
      }
      ConflictEntry entry = base;
      entry.kind = ConflictKind::Constraint;
      entry.lostValue = op == SQLITE_DELETE ? std::optional<std::string>("delete") : std::optional<std::string>(values);
      entry.resolution = "dropped";
      context.conflicts.push_back(std::move(entry));
      return SQLITE_CHANGESET_OMIT;
    }
    default:
      return SQLITE_CHANGESET_ABORT;
  }
}

int AbortOnConflict(void* context, int kind, sqlite3_changeset_iter*) {
  *static_cast<int*>(context) = kind;
  return SQLITE_CHANGESET_ABORT;
}

const char* KindName(int kind) {
  switch (kind) {
    case SQLITE_CHANGESET_DATA: return "DATA";
    case SQLITE_CHANGESET_NOTFOUND: return "NOTFOUND";
    case SQLITE_CHANGESET_CONFLICT: return "CONFLICT";
    case SQLITE_CHANGESET_CONSTRAINT: return "CONSTRAINT";
    case SQLITE_CHANGESET_FOREIGN_KEY: return "FOREIGN_KEY";
  }
  return "unknown";
}

}  // namespace

Status CheckFits(Db& db, const uint8_t* changeset, size_t size) {
  CRM_TRY(ReadShape(db, changeset, size));
  return Ok();
}

Result<ApplyResult> ApplyWithPolicy(Db& db, const uint8_t* changeset, size_t size, const ApplyOrigin& origin) {
  CRM_ASSIGN_OR_RETURN(ChangesetShape shape, ReadShape(db, changeset, size));
  PolicyContext context;
  context.tables = &shape.tables;
  context.origin = &origin;
  AuditPause pause(db);
  // No update loop: it retries UPDATEs that break a UNIQUE index as DELETE+INSERT (synced tables have
  // no UNIQUE index but their keys), and in 3.53 it misreads a CHECK failure under extended result
  // codes as an error instead of reporting a CONSTRAINT conflict.
  int rc = sqlite3changeset_apply_v2(db.Handle(), static_cast<int>(size), const_cast<uint8_t*>(changeset), nullptr,
                                     OnConflict, &context, nullptr, nullptr, SQLITE_CHANGESETAPPLY_NOUPDATELOOP);
  if (rc != SQLITE_OK) {
    return MakeError(ErrorCodeFromSqlite(rc), std::string("cannot apply changeset: ") + sqlite3_errmsg(db.Handle()));
  }
  ApplyResult result;
  result.changes = shape.changes;
  result.conflicts = std::move(context.conflicts);
  return result;
}

Status ApplyExact(Db& db, const uint8_t* changeset, size_t size) {
  AuditPause pause(db);
  int conflict = 0;
  int rc = sqlite3changeset_apply(db.Handle(), static_cast<int>(size), const_cast<uint8_t*>(changeset), nullptr,
                                  AbortOnConflict, &conflict);
  if (rc == SQLITE_OK) return Ok();
  if (conflict != 0) {
    return MakeError(ErrorCode::Conflict, std::string("change does not apply exactly (") + KindName(conflict) + " conflict)");
  }
  return MakeError(ErrorCodeFromSqlite(rc), std::string("cannot apply changeset: ") + sqlite3_errmsg(db.Handle()));
}

}  // namespace crm::sync
