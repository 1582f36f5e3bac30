#include "sync/scope_filter.h"

#include <sqlite3.h>

#include <map>
#include <memory>

#include "core/records.h"
#include "core/schema.h"
#include "sync/apply.h"

namespace crm::sync {

namespace {

struct IterCloser {
  void operator()(sqlite3_changeset_iter* iter) const { sqlite3changeset_finalize(iter); }
};
struct GroupCloser {
  void operator()(sqlite3_changegroup* group) const { sqlite3changegroup_delete(group); }
};

std::optional<int64_t> IntOf(sqlite3_value* value) {
  if (!value || sqlite3_value_type(value) != SQLITE_INTEGER) return std::nullopt;
  return sqlite3_value_int64(value);
}

// Whether the scope reads each customer, asked of the copy once per customer and changeset.
class Readers {
 public:
  Readers(Db& copy, const ReadScope& scope) : m_copy(copy), m_scope(scope) {}

  Result<bool> Reads(int64_t customerId) {
    auto known = m_known.find(customerId);
    if (known != m_known.end()) return known->second;
    CRM_ASSIGN_OR_RETURN(Stmt stmt, m_copy.PrepareOnce("SELECT owner_id, team_id FROM customers WHERE id = ?"));
    stmt.Bind(1, customerId);
    CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
    bool reads = false;
    if (found) {
      Holding holding;
      if (!stmt.IsNull(0)) holding.ownerId = stmt.Int64(0);
      if (!stmt.IsNull(1)) holding.teamId = stmt.Int64(1);
      reads = CanRead(m_scope, holding);
    }
    m_known.emplace(customerId, reads);
    return reads;
  }

  // The customer of an updated row whose customer column the change leaves as it was.
  Result<std::optional<int64_t>> StoredCustomer(const std::string& table, sqlite3_value* key) {
    const RecordType* type = FindRecordType(table);
    if (!type || !type->scopeColumn) return std::optional<int64_t>();
    CRM_ASSIGN_OR_RETURN(Stmt stmt, m_copy.PrepareOnce(std::string("SELECT ") + type->scopeColumn + " FROM " + table +
                                                       " WHERE " + type->key + " = ?"));
    if (sqlite3_value_type(key) == SQLITE_TEXT) {
      stmt.Bind(1, std::string(reinterpret_cast<const char*>(sqlite3_value_text(key)), sqlite3_value_bytes(key)));
    } else {
      stmt.Bind(1, static_cast<int64_t>(sqlite3_value_int64(key)));
    }
    CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
    if (!found || stmt.IsNull(0)) return std::optional<int64_t>();
    return std::optional<int64_t>(stmt.Int64(0));
  }

 private:
  Db& m_copy;
  const ReadScope& m_scope;
  std::map<int64_t, bool> m_known;
};

// Whether the scope may read one change: a row of no customer is everyone's; an updated row is read
// where it was or where it goes.
Result<bool> MayReadChange(Readers& readers, sqlite3_changeset_iter* iter, const std::string& table,
                           const SyncedTableShape& shape) {
  if (shape.scopeColumn < 0) return true;
  const char* name = nullptr;
  int columns = 0, op = 0, indirect = 0;
  sqlite3changeset_op(iter, &name, &columns, &op, &indirect);
  if (shape.scopeColumn >= columns) return false;
  std::vector<std::optional<int64_t>> customers;
  bool anyNull = false;
  auto consider = [&](sqlite3_value* value) {
    if (!value) return;
    if (sqlite3_value_type(value) == SQLITE_NULL) anyNull = true;
    if (auto id = IntOf(value)) customers.push_back(id);
  };
  sqlite3_value* value = nullptr;
  if (op == SQLITE_INSERT) {
    if (sqlite3changeset_new(iter, shape.scopeColumn, &value) == SQLITE_OK) consider(value);
  } else if (op == SQLITE_DELETE) {
    if (sqlite3changeset_old(iter, shape.scopeColumn, &value) == SQLITE_OK) consider(value);
  } else {
    if (sqlite3changeset_old(iter, shape.scopeColumn, &value) == SQLITE_OK) consider(value);
    value = nullptr;
    if (sqlite3changeset_new(iter, shape.scopeColumn, &value) == SQLITE_OK) consider(value);
    if (customers.empty() && !anyNull) {
      // The change leaves the customer column alone: the copy says whose row it is.
      int keyColumn = 0;
      while (keyColumn < columns && !shape.key[static_cast<size_t>(keyColumn)]) keyColumn++;
      sqlite3_value* key = nullptr;
      if (keyColumn < columns && sqlite3changeset_old(iter, keyColumn, &key) == SQLITE_OK && key) {
        CRM_ASSIGN_OR_RETURN(auto stored, readers.StoredCustomer(table, key));
        if (stored) customers.push_back(stored);
      }
    }
  }
  if (customers.empty()) return anyNull;  // a row of no customer (an audit row about a user): everyone's
  for (const auto& customer : customers) {
    CRM_ASSIGN_OR_RETURN(bool reads, readers.Reads(*customer));
    if (reads) return true;
  }
  return false;
}

}  // namespace

Result<Bytes> FilterChangeset(Db& copy, const Bytes& changeset, const ReadScope& scope) {
  if (scope.everything || changeset.empty()) return changeset;
  sqlite3_changeset_iter* raw = nullptr;
  if (sqlite3changeset_start(&raw, static_cast<int>(changeset.size()), const_cast<uint8_t*>(changeset.data())) != SQLITE_OK) {
    return MakeError(ErrorCode::Corrupt, "a logged changeset does not read");
  }
  std::unique_ptr<sqlite3_changeset_iter, IterCloser> iter(raw);
  sqlite3_changegroup* rawGroup = nullptr;
  if (sqlite3changegroup_new(&rawGroup) != SQLITE_OK) return MakeError(ErrorCode::Full, "out of memory filtering a changeset");
  std::unique_ptr<sqlite3_changegroup, GroupCloser> group(rawGroup);
  Readers readers(copy, scope);
  bool droppedAny = false;
  bool keptAny = false;
  int rc = SQLITE_OK;
  while ((rc = sqlite3changeset_next(iter.get())) == SQLITE_ROW) {
    const char* name = nullptr;
    int columns = 0, op = 0, indirect = 0;
    sqlite3changeset_op(iter.get(), &name, &columns, &op, &indirect);
    const std::string table = name ? name : "";
    CRM_ASSIGN_OR_RETURN(const SyncedTableShape* shape, TableShape(copy, table));
    CRM_ASSIGN_OR_RETURN(bool reads, MayReadChange(readers, iter.get(), table, *shape));
    if (!reads) {
      droppedAny = true;
      continue;
    }
    keptAny = true;
    if (sqlite3changegroup_add_change(group.get(), iter.get()) != SQLITE_OK) {
      return MakeError(ErrorCode::Corrupt, "a logged change of " + table + " could not be regrouped");
    }
  }
  if (rc != SQLITE_DONE) return MakeError(ErrorCode::Corrupt, "a logged changeset does not read to its end");
  if (!droppedAny) return changeset;
  if (!keptAny) return Bytes();
  int size = 0;
  void* out = nullptr;
  if (sqlite3changegroup_output(group.get(), &size, &out) != SQLITE_OK) return MakeError(ErrorCode::Full, "out of memory filtering a changeset");
  Bytes filtered(static_cast<uint8_t*>(out), static_cast<uint8_t*>(out) + size);
  sqlite3_free(out);
  return filtered;
}

namespace {

// A new in-memory database at the copy's schema, the copy attached as `src` (read-only).
Result<Db> AttachedTarget(Db& copy) {
  CRM_ASSIGN_OR_RETURN(Db target, Db::OpenMemory());
  CRM_TRY(Migrate(target));
  target.SetAuditSuppressed(true);  // the copy's audit rows come across as they are; nothing new is audited
  CRM_ASSIGN_OR_RETURN(Stmt attach, target.Prepare("ATTACH DATABASE ? AS src"));
  attach.Bind(1, "file:" + copy.Path() + "?mode=ro");
  CRM_TRY(attach.Run());
  return target;
}

// Copies the rows of the customers in temp.scope_ids (and, with `shared`, every row of no customer).
Status CopyRows(Db& target, bool shared) {
  for (const RecordType& type : RecordTypes()) {
    const std::string table = type.table;
    std::string where;
    if (!type.scopeColumn) {
      if (!shared) continue;
      where = "1";
    } else {
      where = std::string(type.scopeColumn) + " IN (SELECT id FROM temp.scope_ids)";
      if (shared && type.access != Access::Customer) where = "(" + where + " OR " + type.scopeColumn + " IS NULL)";
    }
    CRM_TRY(target.Exec("INSERT INTO main." + table + " SELECT * FROM src." + table + " WHERE " + where));
  }
  return Ok();
}

Status FillScopeIds(Db& target, const std::vector<int64_t>& ids) {
  CRM_TRY(target.Exec("CREATE TEMP TABLE IF NOT EXISTS scope_ids (id INTEGER PRIMARY KEY); DELETE FROM temp.scope_ids;"));
  CRM_ASSIGN_OR_RETURN(Stmt add, target.Prepare("INSERT OR IGNORE INTO temp.scope_ids (id) VALUES (?)"));
  for (int64_t id : ids) {
    add.Bind(1, id);
    CRM_TRY(add.Run());
    add.Reset();
  }
  return Ok();
}

}  // namespace

Result<Bytes> CustomerRows(Db& copy, const std::vector<int64_t>& customerIds) {
  if (customerIds.empty()) return Bytes();
  CRM_ASSIGN_OR_RETURN(Db target, AttachedTarget(copy));
  CRM_TRY(FillScopeIds(target, customerIds));
  CRM_ASSIGN_OR_RETURN(ChangesetCapture capture, ChangesetCapture::Start(target, SyncedTables()));
  CRM_TRY(CopyRows(target, /*shared=*/false));
  return capture.Changeset();
}

Result<Bytes> ScopedImage(Db& copy, const ReadScope& scope) {
  CRM_ASSIGN_OR_RETURN(std::vector<int64_t> ids, CustomersInScope(copy, scope));
  CRM_ASSIGN_OR_RETURN(Db target, AttachedTarget(copy));
  CRM_TRY(FillScopeIds(target, ids));
  {
    CRM_ASSIGN_OR_RETURN(Txn txn, target.Begin());
    CRM_TRY(CopyRows(target, /*shared=*/true));
    CRM_TRY(txn.Commit());
  }
  CRM_TRY(target.Exec("DETACH DATABASE src"));
  sqlite3_int64 size = 0;
  unsigned char* image = sqlite3_serialize(target.Handle(), "main", &size, 0);
  if (!image) return MakeError(ErrorCode::Full, "cannot copy the scoped database (out of memory?)");
  Bytes bytes(image, image + size);
  sqlite3_free(image);
  return bytes;
}

}  // namespace crm::sync
