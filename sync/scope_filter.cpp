#include "sync/scope_filter.h"

#include <sqlite3.h>

#include <algorithm>
#include <functional>
#include <iterator>
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

// The customers one change is about: where the row was and where it goes (an update may move it).
// `ofNone`: the row belongs to no customer (an audit row about a user): everyone's.
struct ChangeCustomers {
  std::vector<std::optional<int64_t>> customers;
  bool ofNone = false;
  bool unreadable = false;  // fewer columns than the customer column's place
};

Result<ChangeCustomers> CustomersOfChange(Readers& readers, sqlite3_changeset_iter* iter, const std::string& table,
                                          const SyncedTableShape& shape) {
  ChangeCustomers found;
  const char* name = nullptr;
  int columns = 0, op = 0, indirect = 0;
  sqlite3changeset_op(iter, &name, &columns, &op, &indirect);
  if (shape.scopeColumn >= columns) {
    found.unreadable = true;
    return found;
  }
  std::vector<std::optional<int64_t>>& customers = found.customers;
  bool& anyNull = found.ofNone;
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
  return found;
}

// Walks every change of a logged changeset with its table's shape in the copy.
Status ForEachChange(Db& copy, const Bytes& changeset,
                     const std::function<Status(sqlite3_changeset_iter* iter, const std::string& table, int op,
                                                const SyncedTableShape& shape)>& visit) {
  if (changeset.empty()) return Ok();
  sqlite3_changeset_iter* raw = nullptr;
  if (sqlite3changeset_start(&raw, static_cast<int>(changeset.size()), const_cast<uint8_t*>(changeset.data())) != SQLITE_OK) {
    return MakeError(ErrorCode::Corrupt, "a logged changeset does not read");
  }
  std::unique_ptr<sqlite3_changeset_iter, IterCloser> iter(raw);
  int rc = SQLITE_OK;
  while ((rc = sqlite3changeset_next(iter.get())) == SQLITE_ROW) {
    const char* name = nullptr;
    int columns = 0, op = 0, indirect = 0;
    sqlite3changeset_op(iter.get(), &name, &columns, &op, &indirect);
    const std::string table = name ? name : "";
    CRM_ASSIGN_OR_RETURN(const SyncedTableShape* shape, TableShape(copy, table));
    CRM_TRY(visit(iter.get(), table, op, *shape));
  }
  if (rc != SQLITE_DONE) return MakeError(ErrorCode::Corrupt, "a logged changeset does not read to its end");
  return Ok();
}

// Whether the scope may read one change: a row of no customer is everyone's; an updated row is read
// where it was or where it goes.
Result<bool> MayReadChange(Readers& readers, sqlite3_changeset_iter* iter, const std::string& table,
                           const SyncedTableShape& shape) {
  if (shape.scopeColumn < 0) return true;
  CRM_ASSIGN_OR_RETURN(ChangeCustomers found, CustomersOfChange(readers, iter, table, shape));
  if (found.unreadable) return false;
  if (found.customers.empty()) return found.ofNone;
  for (const auto& customer : found.customers) {
    CRM_ASSIGN_OR_RETURN(bool reads, readers.Reads(*customer));
    if (reads) return true;
  }
  return false;
}

}  // namespace

Result<Bytes> FilterChangeset(Db& copy, const Bytes& changeset, const ReadScope& scope, bool* movedAcross) {
  if (scope.everything || changeset.empty()) return changeset;
  sqlite3_changegroup* rawGroup = nullptr;
  if (sqlite3changegroup_new(&rawGroup) != SQLITE_OK) return MakeError(ErrorCode::Full, "out of memory filtering a changeset");
  std::unique_ptr<sqlite3_changegroup, GroupCloser> group(rawGroup);
  Readers readers(copy, scope);
  bool droppedAny = false;
  bool keptAny = false;
  CRM_TRY(ForEachChange(copy, changeset, [&](sqlite3_changeset_iter* iter, const std::string& table, int op,
                                             const SyncedTableShape& shape) -> Status {
    CRM_ASSIGN_OR_RETURN(bool reads, MayReadChange(readers, iter, table, shape));
    if (!reads) {
      droppedAny = true;
      return Ok();
    }
    if (movedAcross && op == SQLITE_UPDATE && shape.scopeColumn >= 0) {
      // An update that moves the row between customers, one of which the scope may not read.
      sqlite3_value* from = nullptr;
      sqlite3_value* to = nullptr;
      if (sqlite3changeset_old(iter, shape.scopeColumn, &from) == SQLITE_OK && from &&
          sqlite3changeset_new(iter, shape.scopeColumn, &to) == SQLITE_OK && to) {
        for (sqlite3_value* side : {from, to}) {
          auto id = IntOf(side);
          if (!id) continue;
          CRM_ASSIGN_OR_RETURN(bool readsSide, readers.Reads(*id));
          if (!readsSide) *movedAcross = true;
        }
      }
    }
    keptAny = true;
    if (sqlite3changegroup_add_change(group.get(), iter) != SQLITE_OK) {
      return MakeError(ErrorCode::Corrupt, "a logged change of " + table + " could not be regrouped");
    }
    return Ok();
  }));
  if (!droppedAny) return changeset;
  if (!keptAny) return Bytes();
  int size = 0;
  void* out = nullptr;
  if (sqlite3changegroup_output(group.get(), &size, &out) != SQLITE_OK) return MakeError(ErrorCode::Full, "out of memory filtering a changeset");
  Bytes filtered(static_cast<uint8_t*>(out), static_cast<uint8_t*>(out) + size);
  sqlite3_free(out);
  return filtered;
}

Status CustomersTouched(Db& copy, const Bytes& changeset, std::set<int64_t>& customers) {
  ReadScope everything;
  everything.everything = true;
  Readers readers(copy, everything);
  return ForEachChange(copy, changeset, [&](sqlite3_changeset_iter* iter, const std::string& table, int,
                                            const SyncedTableShape& shape) -> Status {
    if (shape.scopeColumn < 0) return Ok();
    CRM_ASSIGN_OR_RETURN(ChangeCustomers found, CustomersOfChange(readers, iter, table, shape));
    for (const auto& customer : found.customers) customers.insert(*customer);
    return Ok();
  });
}

Status CutPullToScope(Db& copy, const ReadScope& scope, PullResponse& response) {
  if (scope.everything) return Ok();
  for (SequencedChangeset& sequenced : response.changesets) {
    bool movedAcross = false;
    CRM_ASSIGN_OR_RETURN(sequenced.envelope.changeset, FilterChangeset(copy, sequenced.envelope.changeset, scope, &movedAcross));
    if (movedAcross && response.scopeRefreshFrom == 0) response.scopeRefreshFrom = sequenced.seq;
  }
  CRM_ASSIGN_OR_RETURN(std::vector<int64_t> ids, CustomersInScope(copy, scope));
  response.scopeDigest = ScopeDigest(ids);
  return Ok();
}

Result<ScopeResponse> AnswerScope(Db& copy, int64_t seq, const ReadScope& scope, std::vector<int64_t> held,
                                  const std::set<int64_t>& stale, size_t maxEntering) {
  std::sort(held.begin(), held.end());
  held.erase(std::unique(held.begin(), held.end()), held.end());
  ScopeResponse answer;
  CRM_ASSIGN_OR_RETURN(std::vector<int64_t> inScope, CustomersInScope(copy, scope));
  answer.seq = seq;
  answer.digest = ScopeDigest(inScope);
  std::set_difference(held.begin(), held.end(), inScope.begin(), inScope.end(), std::back_inserter(answer.leave));
  std::vector<int64_t> entering;
  std::set_difference(inScope.begin(), inScope.end(), held.begin(), held.end(), std::back_inserter(entering));
  if (entering.size() > maxEntering) {
    entering.resize(maxEntering);
    answer.more = true;
  }
  // Held customers that may have missed changes come again, whole, all in this answer (the device
  // forgets `since` once it has applied one).
  for (int64_t id : stale) {
    if (std::binary_search(inScope.begin(), inScope.end(), id) && std::binary_search(held.begin(), held.end(), id)) {
      entering.push_back(id);
    }
  }
  CRM_ASSIGN_OR_RETURN(answer.rows, CustomerRows(copy, entering));
  answer.enter = std::move(entering);
  return answer;
}

namespace {

// A new in-memory database at the copy's schema, the copy attached as `src` (read-only).
Result<Db> AttachedTarget(Db& copy) {
  CRM_ASSIGN_OR_RETURN(Db target, Db::OpenMemory());
  CRM_TRY(Migrate(target));
  target.SetAuditSuppressed(true);  // the copy's audit rows come across as they are; nothing new is audited
  CRM_ASSIGN_OR_RETURN(Stmt attach, target.Prepare("ATTACH DATABASE ? AS src"));
  // A file copy is opened read-only; an in-process one (memdb VFS, tests) by its own URI.
  const std::string path = copy.Path();
  attach.Bind(1, path.rfind("file:", 0) == 0 ? path : "file:" + path + "?mode=ro");
  CRM_TRY(attach.Run());
  return target;
}

// Copies the rows of the customers in temp.scope_ids (and, with `shared`, every row of no customer);
// `inKeyOrder`: sorted by key, for tables whose indexes are built afterwards.
Status CopyRows(Db& target, bool shared, bool inKeyOrder = false) {
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
    std::string order = inKeyOrder ? std::string(" ORDER BY ") + type.key : std::string();
    CRM_TRY(target.Exec("INSERT INTO main." + table + " SELECT * FROM src." + table + " WHERE " + where + order));
  }
  return Ok();
}

// CopyRows(shared) for a whole image, built the way a bulk load should be. Row by row, the search
// index's triggers rebuild a customer's document once per phone, contact and tag, and every insert
// lands at a random place in each table and index (ids are random). Here the search triggers and the
// indexes are set aside, rows come across in key order (appends), the copy's search documents of the
// copied customers come too (renumbered densely, as the index wants), and the index and the indexes
// are built once each at the end. For a rep's image of a 100k book: 2.6 s became under 1 s.
Status CopyRowsInBulk(Db& target) {
  struct Definition {
    std::string kind, name, sql;
  };
  std::vector<Definition> setAside;
  {
    CRM_ASSIGN_OR_RETURN(Stmt list, target.Prepare("SELECT type, name, sql FROM main.sqlite_master WHERE sql IS NOT NULL AND "
                                                   "(type = 'index' OR (type = 'trigger' AND name LIKE 'customer\\_fts\\_%' ESCAPE '\\'))"));
    while (true) {
      CRM_ASSIGN_OR_RETURN(bool row, list.Step());
      if (!row) break;
      setAside.push_back({list.String(0), list.String(1), list.String(2)});
    }
  }
  for (const Definition& item : setAside) {
    CRM_TRY(target.Exec(std::string(item.kind == "index" ? "DROP INDEX" : "DROP TRIGGER") + " main.\"" + item.name + "\""));
  }
  CRM_TRY(CopyRows(target, /*shared=*/true, /*inKeyOrder=*/true));
  CRM_TRY(target.Exec("INSERT INTO main.customer_fts_doc(id, name, phone, contact, tag, address) "
                      "SELECT id, name, phone, contact, tag, address FROM src.customer_fts_doc "
                      "WHERE id IN (SELECT id FROM main.customers) ORDER BY docid"));
  CRM_TRY(target.Exec("INSERT INTO main.customer_fts(customer_fts) VALUES('rebuild')"));
  for (const Definition& item : setAside) CRM_TRY(target.Exec(item.sql));
  return Ok();
}

}  // namespace

Result<Bytes> CustomerRows(Db& copy, const std::vector<int64_t>& customerIds) {
  if (customerIds.empty()) return Bytes();
  CRM_ASSIGN_OR_RETURN(Db target, AttachedTarget(copy));
  CRM_TRY(FillIdTable(target, "scope_ids", customerIds));
  CRM_ASSIGN_OR_RETURN(ChangesetCapture capture, ChangesetCapture::Start(target, SyncedTables()));
  CRM_TRY(CopyRows(target, /*shared=*/false));
  return capture.Changeset();
}

Result<Bytes> ScopedImage(Db& copy, const ReadScope& scope) {
  CRM_ASSIGN_OR_RETURN(std::vector<int64_t> ids, CustomersInScope(copy, scope));
  CRM_ASSIGN_OR_RETURN(Db target, AttachedTarget(copy));
  CRM_TRY(FillIdTable(target, "scope_ids", ids));
  {
    CRM_ASSIGN_OR_RETURN(Txn txn, target.Begin());
    CRM_TRY(CopyRowsInBulk(target));
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
