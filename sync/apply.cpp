#include "sync/apply.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>

#include "core/records.h"
#include "core/schema.h"
#include "core/table_changes.h"
#include "sync/changeset.h"

namespace crm::sync {

namespace {

// The columns every synced row carries to say who changed it when: they differ on every
// concurrent edit, so logging them would bury the real conflicts.
bool IsBookkeeping(const std::string& column) {
  return column == "created_at" || column == "created_by" || column == "updated_at" || column == "updated_by" ||
         column == "device_id";
}

using TableInfo = SyncedTableShape;

// Shapes from the connection's cache (valid while the schema stays as it is, as during an apply).
using Tables = std::map<std::string, const TableInfo*>;

struct ChangesetShape {
  Tables tables;
  int changes = 0;
};

Result<TableInfo> ReadTable(Db& db, const std::string& name) {
  TableInfo info;
  // The registry names the column that holds a row's customer (its parent); a customer is its own.
  const RecordType* type = FindRecordType(name);
  const bool ownCustomer = type && type->access == Access::Customer;
  const std::string parent = type && type->parent ? type->parent : "";
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid"));
  stmt.Bind(1, name);
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    std::string column = stmt.String(0);
    bool key = stmt.Int64(1) != 0;
    if ((!parent.empty() && column == parent) || (ownCustomer && key)) info.customerColumn = static_cast<int>(info.columns.size());
    if (column == "updated_by") info.updatedByColumn = static_cast<int>(info.columns.size());
    if (type && type->scopeColumn && column == type->scopeColumn) info.scopeColumn = static_cast<int>(info.columns.size());
    info.columns.push_back(std::move(column));
    info.key.push_back(key);
  }
  CRM_ASSIGN_OR_RETURN(Stmt foreign, db.Prepare("SELECT count(*) FROM pragma_foreign_key_list(?)"));
  foreign.Bind(1, name);
  CRM_ASSIGN_OR_RETURN(bool row, foreign.Step());
  info.hasForeignKeys = row && foreign.Int64(0) > 0;
  return info;
}

// Table shapes per connection, read once per schema version: reading them for every changeset cost
// more than applying it.
struct ShapeCache {
  int64_t schemaVersion = -1;
  std::map<std::string, TableInfo> tables;
};

Result<ShapeCache*> CacheFor(Db& db) {
  auto* cache = static_cast<ShapeCache*>(sqlite3_get_clientdata(db.Handle(), "crm.sync.shapes"));
  if (!cache) {
    cache = new ShapeCache();
    sqlite3_set_clientdata(db.Handle(), "crm.sync.shapes", cache, [](void* p) { delete static_cast<ShapeCache*>(p); });
  }
  CRM_ASSIGN_OR_RETURN(Stmt version, db.Prepare("PRAGMA schema_version"));
  CRM_ASSIGN_OR_RETURN(bool row, version.Step());
  int64_t current = row ? version.Int64(0) : 0;
  if (current != cache->schemaVersion) {
    cache->tables.clear();
    cache->schemaVersion = current;
  }
  return cache;
}

}  // namespace

Result<const SyncedTableShape*> TableShape(Db& db, const std::string& table) {
  CRM_ASSIGN_OR_RETURN(ShapeCache * cache, CacheFor(db));
  auto found = cache->tables.find(table);
  if (found == cache->tables.end()) {
    CRM_ASSIGN_OR_RETURN(TableInfo info, ReadTable(db, table));
    found = cache->tables.emplace(table, std::move(info)).first;
  }
  return &found->second;
}

namespace {

bool IsSynced(const std::string& table) {
  const auto& synced = SyncedTables();
  return std::find(synced.begin(), synced.end(), table) != synced.end();
}

// The change's key columns are the table's, and every key column of the table is in the change.
bool KeyInPlace(sqlite3_changeset_iter* iter, const TableInfo& info, int columns) {
  unsigned char* pk = nullptr;
  int pkColumns = 0;
  if (sqlite3changeset_pk(iter, &pk, &pkColumns) != SQLITE_OK || !pk) return false;
  for (size_t i = 0; i < info.columns.size(); i++) {
    bool inChange = static_cast<int>(i) < columns && pk[i] != 0;
    if (inChange != info.key[i]) return false;
  }
  return true;
}

// Reads every table a changeset touches and checks it fits (see CheckFits).
Result<ChangesetShape> ReadShape(Db& db, const uint8_t* changeset, size_t size) {
  CRM_TRY(CheckChangesetFormat(changeset, size));
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
    // A table's header may repeat with another shape: every row is held against the table here.
    if (auto known = tables.find(table); known != tables.end()) {
      if (known->second->columns.size() < static_cast<size_t>(columns)) {
        status = MakeError(ErrorCode::Schema, "table '" + table + "' has more columns in the change than here: update the app");
        break;
      }
      if (!KeyInPlace(iter, *known->second, columns)) {
        status = MakeError(ErrorCode::Schema, "table '" + table + "' has its primary key elsewhere in the change");
        break;
      }
      continue;
    }
    if (!IsSynced(table)) {
      status = MakeError(ErrorCode::Schema, "changes to table '" + table + "' cannot be synced: " +
                                                (IsDerivedTable(table) ? "it is derived on each device"
                                                                       : "unknown here (from a newer app?) or local to a device"));
      break;
    }
    auto info = TableShape(db, table);
    if (!info) {
      status = info.GetError();
      break;
    }
    if (info.Value()->columns.empty()) {
      status = MakeError(ErrorCode::Schema, "table '" + table + "' does not exist here: the change comes from a newer app; update the app");
      break;
    }
    if (static_cast<size_t>(columns) > info.Value()->columns.size()) {
      status = MakeError(ErrorCode::Schema, "table '" + table + "' has " + std::to_string(columns) + " columns in the change, " +
                                                std::to_string(info.Value()->columns.size()) +
                                                " here: the change comes from a newer app; update the app");
      break;
    }
    if (!KeyInPlace(iter, *info.Value(), columns)) {
      status = MakeError(ErrorCode::Schema, "table '" + table + "' has its primary key elsewhere in the change");
      break;
    }
    tables.emplace(table, info.Value());
  }
  int finalized = sqlite3changeset_finalize(iter);
  if (!status) return status.GetError();
  if (rc != SQLITE_DONE || finalized != SQLITE_OK) return MakeError(ErrorCode::Corrupt, "malformed changeset");
  return shape;
}

// An undefined value (nullptr: the changeset has none for that column) equals only another undefined one.
bool SameValue(sqlite3_value* a, sqlite3_value* b) {
  if (!a || !b) return a == b;
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

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

// Applies a changeset row by row with the policy. SQLite's own sqlite3changeset_apply prepares its
// statements afresh for every table of every changeset (about 0.3 ms for a typical edit); here they
// come from the connection's statement cache, keyed by table, operation and the columns changed.
class PolicyApplier {
 public:
  PolicyApplier(Db& db, const Tables& tables, const ApplyOrigin& origin) : m_db(db), m_tables(tables), m_origin(origin) {}

  Status Apply(const uint8_t* changeset, size_t size) {
    sqlite3_changeset_iter* iter = nullptr;
    int rc = sqlite3changeset_start(&iter, static_cast<int>(size), const_cast<uint8_t*>(changeset));
    if (rc != SQLITE_OK) return MakeError(ErrorCode::Corrupt, "malformed changeset");
    Status status = Ok();
    while (status && (rc = sqlite3changeset_next(iter)) == SQLITE_ROW) status = ApplyOne(iter);
    int finalized = sqlite3changeset_finalize(iter);
    if (!status) return status;
    if (rc != SQLITE_DONE || finalized != SQLITE_OK) return MakeError(ErrorCode::Corrupt, "malformed changeset");
    return Ok();
  }

  std::vector<ConflictEntry> TakeConflicts() { return std::move(m_conflicts); }

 private:
  // The row's key (and, for a conflict, its current values) as this change sees it.
  struct Change {
    sqlite3_changeset_iter* iter = nullptr;
    const TableInfo* info = nullptr;
    std::string table;
    int columns = 0;
    int op = 0;
  };

  Status ApplyOne(sqlite3_changeset_iter* iter) {
    Change change;
    change.iter = iter;
    const char* name = nullptr;
    sqlite3changeset_op(iter, &name, &change.columns, &change.op, nullptr);
    change.table = name;
    auto found = m_tables.find(change.table);
    if (found == m_tables.end()) return MakeError(ErrorCode::Generic, "table '" + change.table + "' was not checked before the apply");
    change.info = found->second;
    switch (change.op) {
      case SQLITE_INSERT: return Insert(change);
      case SQLITE_UPDATE: return Update(change);
      default: return Delete(change);
    }
  }

  // --- SQL, by shape ---
  std::string KeyClause(const Change& change) const {
    std::string clause;
    for (int i = 0; i < change.columns; i++) {
      if (!change.info->key[static_cast<size_t>(i)]) continue;
      clause += (clause.empty() ? "" : " AND ") + Quoted(change.info->columns[static_cast<size_t>(i)]) + " = ?";
    }
    return clause;
  }
  Stmt& BindKey(Stmt& stmt, const Change& change, int& index) const {
    for (int i = 0; i < change.columns; i++) {
      if (!change.info->key[static_cast<size_t>(i)]) continue;
      sqlite3_value* value = change.op == SQLITE_INSERT ? NewValue(change.iter, change.op, i) : OldValue(change.iter, change.op, i);
      stmt.BindValue(++index, value);
    }
    return stmt;
  }
  std::string ColumnList(const Change& change) const {
    std::string list;
    for (int i = 0; i < change.columns; i++) list += std::string(i ? ", " : "") + Quoted(change.info->columns[static_cast<size_t>(i)]);
    return list;
  }

  // Loads the row's current values (the first `columns` columns); false when there is no such row.
  Result<bool> LoadCurrent(const Change& change) {
    CRM_ASSIGN_OR_RETURN(m_current, m_db.Prepare("SELECT " + ColumnList(change) + " FROM " + Quoted(change.table) + " WHERE " +
                                                 KeyClause(change)));
    int index = 0;
    BindKey(m_current, change, index);
    return m_current.Step();
  }
  sqlite3_value* Current(int column) const { return m_current.Value(column); }

  // A constraint failure is a conflict of its own; any other failure stops the apply.
  static bool IsConstraint(const Status& status) { return !status && status.Code() == ErrorCode::Conflict; }

  Status Insert(const Change& change) {
    CRM_ASSIGN_OR_RETURN(bool exists, LoadCurrent(change));
    if (exists) {
      // CONFLICT: the insert, being later, wins; the values it replaces are logged.
      ConflictEntry base = Base(change, /*current=*/true);
      for (int i = 0; i < change.columns; i++) {
        if (change.info->key[static_cast<size_t>(i)] || !Contested(change, i)) continue;
        sqlite3_value* next = NewValue(change.iter, change.op, i);
        if (SameValue(Current(i), next)) continue;
        Log(base, ConflictKind::Conflict, change, i, Current(i), next, "replaced");
      }
      m_current.Reset();
      CRM_ASSIGN_OR_RETURN(Stmt remove, m_db.Prepare("DELETE FROM " + Quoted(change.table) + " WHERE " + KeyClause(change)));
      int index = 0;
      BindKey(remove, change, index);
      CRM_TRY(remove.Run());
    } else {
      m_current.Reset();
    }
    std::string placeholders;
    for (int i = 0; i < change.columns; i++) placeholders += i ? ", ?" : "?";
    CRM_ASSIGN_OR_RETURN(Stmt insert, m_db.Prepare("INSERT INTO " + Quoted(change.table) + "(" + ColumnList(change) + ") VALUES (" +
                                                   placeholders + ")"));
    for (int i = 0; i < change.columns; i++) insert.BindValue(i + 1, NewValue(change.iter, change.op, i));
    Status inserted = insert.Run();
    if (IsConstraint(inserted)) return LogConstraint(change);
    return inserted;
  }

  Status Update(const Change& change) {
    std::string set, check;
    for (int i = 0; i < change.columns; i++) {
      if (!NewValue(change.iter, change.op, i)) continue;
      const std::string column = Quoted(change.info->columns[static_cast<size_t>(i)]);
      set += (set.empty() ? "" : ", ") + column + " = ?";
      check += " AND " + column + " IS ?";
    }
    if (set.empty()) return Ok();
    auto bindSet = [&](Stmt& stmt, int& index) {
      for (int i = 0; i < change.columns; i++) {
        if (sqlite3_value* next = NewValue(change.iter, change.op, i)) stmt.BindValue(++index, next);
      }
    };
    // The change as made: it applies when the row still holds the values it changed from.
    {
      CRM_ASSIGN_OR_RETURN(Stmt update, m_db.Prepare("UPDATE " + Quoted(change.table) + " SET " + set + " WHERE " + KeyClause(change) +
                                                     check));
      int index = 0;
      bindSet(update, index);
      BindKey(update, change, index);
      for (int i = 0; i < change.columns; i++) {
        if (NewValue(change.iter, change.op, i)) update.BindValue(++index, OldValue(change.iter, change.op, i));
      }
      Status updated = update.Run();
      if (IsConstraint(updated)) return LogConstraint(change);
      CRM_TRY(updated);
      if (m_db.Changes() > 0) return Ok();
    }
    CRM_ASSIGN_OR_RETURN(bool exists, LoadCurrent(change));
    if (!exists) {
      // NOTFOUND: the row is gone; the update is dropped and its values logged.
      m_current.Reset();
      if (m_origin.partial) {
        CRM_ASSIGN_OR_RETURN(bool held, CustomerHeld(change));
        if (!held) return Ok();
      }
      ConflictEntry base = Base(change, /*current=*/false);
      bool logged = false;
      for (int i = 0; i < change.columns; i++) {
        sqlite3_value* next = NewValue(change.iter, change.op, i);
        if (!next || change.info->key[static_cast<size_t>(i)] || !Contested(change, i)) continue;
        Log(base, ConflictKind::NotFound, change, i, next, nullptr, "dropped");
        logged = true;
      }
      if (!logged) Log(base, ConflictKind::NotFound, change, -1, nullptr, nullptr, "dropped");
      return Ok();
    }
    // DATA: later in the order wins for the columns it sets; what it overwrites is logged.
    ConflictEntry base = Base(change, /*current=*/true);
    for (int i = 0; i < change.columns; i++) {
      sqlite3_value* next = NewValue(change.iter, change.op, i);
      sqlite3_value* old = OldValue(change.iter, change.op, i);
      if (!next || change.info->key[static_cast<size_t>(i)] || !Contested(change, i)) continue;
      if (SameValue(Current(i), old) || SameValue(Current(i), next)) continue;
      Log(base, ConflictKind::Data, change, i, Current(i), next, "replaced");
    }
    m_current.Reset();
    CRM_ASSIGN_OR_RETURN(Stmt replace, m_db.Prepare("UPDATE " + Quoted(change.table) + " SET " + set + " WHERE " + KeyClause(change)));
    int index = 0;
    bindSet(replace, index);
    BindKey(replace, change, index);
    Status replaced = replace.Run();
    if (IsConstraint(replaced)) return LogConstraint(change);
    return replaced;
  }

  // Whether this database holds the customer a change's row follows. True for a table that follows no
  // customer; false when the change does not say which (an update that leaves the customer column
  // alone, of a row this database lacks).
  Result<bool> CustomerHeld(const Change& change) {
    const int column = change.info->scopeColumn;
    if (column < 0) return true;
    sqlite3_value* value = nullptr;
    if (sqlite3changeset_new(change.iter, column, &value) != SQLITE_OK || !value) {
      value = nullptr;
      if (sqlite3changeset_old(change.iter, column, &value) != SQLITE_OK || !value) return false;
    }
    if (sqlite3_value_type(value) != SQLITE_INTEGER) return false;
    CRM_ASSIGN_OR_RETURN(Stmt held, m_db.Prepare("SELECT 1 FROM customers WHERE id = ?"));
    held.Bind(1, static_cast<int64_t>(sqlite3_value_int64(value)));
    return held.Step();
  }

  Status Delete(const Change& change) {
    std::string check;
    for (int i = 0; i < change.columns; i++) {
      if (change.info->key[static_cast<size_t>(i)]) continue;
      check += " AND " + Quoted(change.info->columns[static_cast<size_t>(i)]) + " IS ?";
    }
    {
      CRM_ASSIGN_OR_RETURN(Stmt remove, m_db.Prepare("DELETE FROM " + Quoted(change.table) + " WHERE " + KeyClause(change) + check));
      int index = 0;
      BindKey(remove, change, index);
      for (int i = 0; i < change.columns; i++) {
        if (!change.info->key[static_cast<size_t>(i)]) remove.BindValue(++index, OldValue(change.iter, change.op, i));
      }
      Status removed = remove.Run();
      if (IsConstraint(removed)) return LogConstraint(change);
      CRM_TRY(removed);
      if (m_db.Changes() > 0) return Ok();
    }
    CRM_ASSIGN_OR_RETURN(bool exists, LoadCurrent(change));
    if (!exists) {
      m_current.Reset();
      return Ok();  // already gone: nothing to do
    }
    // DATA: the row changed since; the delete, being later, wins, and the values it removes are logged.
    ConflictEntry base = Base(change, /*current=*/true);
    for (int i = 0; i < change.columns; i++) {
      if (change.info->key[static_cast<size_t>(i)] || !Contested(change, i)) continue;
      sqlite3_value* old = OldValue(change.iter, change.op, i);
      if (SameValue(Current(i), old)) continue;
      Log(base, ConflictKind::Data, change, i, Current(i), nullptr, "deleted");
    }
    m_current.Reset();
    CRM_ASSIGN_OR_RETURN(Stmt remove, m_db.Prepare("DELETE FROM " + Quoted(change.table) + " WHERE " + KeyClause(change)));
    int index = 0;
    BindKey(remove, change, index);
    Status removed = remove.Run();
    if (IsConstraint(removed)) return LogConstraint(change);
    return removed;
  }

  // --- the conflict log ---
  bool Contested(const Change& change, int column) const {
    const std::string& name = change.info->columns[static_cast<size_t>(column)];
    return !IsBookkeeping(name) && TellsConflicts(change.table, name);
  }

  // Who won, and which row: its key as text, its customer, and (with a current row) who wrote it last.
  ConflictEntry Base(const Change& change, bool current) const {
    ConflictEntry entry;
    entry.seq = m_origin.seq;
    entry.at = m_origin.atMs;
    entry.winnerUser = m_origin.userId;
    entry.winnerDevice = m_origin.deviceId;
    entry.table = change.table;
    auto valueOf = [&](int column) {
      sqlite3_value* value =
          change.op == SQLITE_INSERT ? NewValue(change.iter, change.op, column) : OldValue(change.iter, change.op, column);
      if (!value && current) value = Current(column);
      if (!value && change.op == SQLITE_UPDATE) value = NewValue(change.iter, change.op, column);
      return value;
    };
    for (int i = 0; i < change.columns; i++) {
      if (!change.info->key[static_cast<size_t>(i)]) continue;
      if (!entry.rowKey.empty()) entry.rowKey += ",";
      entry.rowKey += ValueText(valueOf(i)).value_or("");
    }
    const TableInfo& info = *change.info;
    if (info.customerColumn >= 0 && info.customerColumn < change.columns) entry.customerId = ValueInt(valueOf(info.customerColumn));
    if (current && info.updatedByColumn >= 0 && info.updatedByColumn < change.columns) {
      entry.loserUser = ValueInt(Current(info.updatedByColumn));
    }
    return entry;
  }

  void Log(const ConflictEntry& base, ConflictKind kind, const Change& change, int column, sqlite3_value* lost, sqlite3_value* won,
           const char* resolution) {
    ConflictEntry entry = base;
    entry.kind = kind;
    if (column >= 0) entry.field = change.info->columns[static_cast<size_t>(column)];
    entry.lostValue = ValueText(lost);
    entry.wonValue = ValueText(won);
    entry.resolution = resolution;
    m_conflicts.push_back(std::move(entry));
  }

  // CONSTRAINT: the change breaks a rule here; it is dropped (the failed statement undid itself) and logged.
  Status LogConstraint(const Change& change) {
    std::string values;
    for (int i = 0; i < change.columns; i++) {
      sqlite3_value* next = NewValue(change.iter, change.op, i);
      if (!next || !Contested(change, i)) continue;
      if (!values.empty()) values += ", ";
      values += change.info->columns[static_cast<size_t>(i)] + "=" + ValueText(next).value_or("NULL");
    }
    ConflictEntry entry = Base(change, /*current=*/false);
    entry.kind = ConflictKind::Constraint;
    entry.lostValue = change.op == SQLITE_DELETE ? std::optional<std::string>("delete") : std::optional<std::string>(values);
    entry.resolution = "dropped";
    m_conflicts.push_back(std::move(entry));
    return Ok();
  }

  Db& m_db;
  const Tables& m_tables;
  const ApplyOrigin& m_origin;
  Stmt m_current;
  std::vector<ConflictEntry> m_conflicts;
};

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

namespace {
// As in ApplyWithPolicy, for SQLite's own apply: the update hook misses WITHOUT ROWID tables. A malformed
// changeset notes what it names before the fault; the apply then refuses it.
void NoteTablesNamed(Db& db, const uint8_t* changeset, size_t size) {
  sqlite3_changeset_iter* iter = nullptr;
  if (sqlite3changeset_start(&iter, static_cast<int>(size), const_cast<uint8_t*>(changeset)) != SQLITE_OK) return;
  uint64_t tables = 0;
  while (sqlite3changeset_next(iter) == SQLITE_ROW) {
    const char* name = nullptr;
    int columns = 0, op = 0;
    if (sqlite3changeset_op(iter, &name, &columns, &op, nullptr) == SQLITE_OK && name) tables |= TableBit(name);
  }
  sqlite3changeset_finalize(iter);
  db.NoteTablesChanged(tables);
}
}  // namespace

Result<ApplyResult> ApplyWithPolicy(Db& db, const uint8_t* changeset, size_t size, const ApplyOrigin& origin) {
  CRM_ASSIGN_OR_RETURN(ChangesetShape shape, ReadShape(db, changeset, size));
  AuditPause pause(db);
  std::optional<Txn> own;
  if (!db.InTransaction()) {
    CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
    own.emplace(std::move(txn));
  }
  // SQLite's update hook misses WITHOUT ROWID tables (settings): every table named is noted, with the transaction.
  for (const auto& table : shape.tables) db.NoteTablesChanged(TableBit(table.first));
  // Foreign keys are checked once at the end, as SQLite's own apply does: references that dangle
  // then are kept (another change may fill them) and logged once. Only where a table declares them:
  // setting the pragma expires every prepared statement (and trigger program) of the connection.
  bool foreignKeys = std::any_of(shape.tables.begin(), shape.tables.end(), [](const auto& t) { return t.second->hasForeignKeys; });
  auto setDefer = [&db](bool on) -> Status {
    CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(on ? "PRAGMA defer_foreign_keys = 1" : "PRAGMA defer_foreign_keys = 0"));
    return stmt.Run();
  };
  if (foreignKeys) CRM_TRY(setDefer(true));
  PolicyApplier applier(db, shape.tables, origin);
  Status applied = applier.Apply(changeset, size);
  ApplyResult result;
  result.changes = shape.changes;
  result.conflicts = applier.TakeConflicts();
  if (applied && foreignKeys) {
    int dangling = 0, unused = 0;
    sqlite3_db_status(db.Handle(), SQLITE_DBSTATUS_DEFERRED_FKS, &dangling, &unused, 0);
    if (dangling > 0) {
      ConflictEntry entry;
      entry.seq = origin.seq;
      entry.at = origin.atMs;
      entry.winnerUser = origin.userId;
      entry.winnerDevice = origin.deviceId;
      entry.kind = ConflictKind::ForeignKey;
      entry.lostValue = std::to_string(dangling) + " dangling reference(s)";
      entry.resolution = "kept";
      result.conflicts.push_back(std::move(entry));
    }
  }
  Status reset = foreignKeys ? setDefer(false) : Ok();
  if (!applied) return applied.GetError();
  CRM_TRY(reset);
  if (own) CRM_TRY(own->Commit());
  return result;
}

Status ApplyExact(Db& db, const uint8_t* changeset, size_t size) {
  NoteTablesNamed(db, changeset, size);
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
