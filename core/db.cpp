#include "core/db.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>

#include "core/ids.h"
#include "core/search_tokenizer.h"
#include "core/table_changes.h"

namespace crm {

ErrorCode ErrorCodeFromSqlite(int rc) {
  switch (rc & 0xff) {
    case SQLITE_FULL: return ErrorCode::Full;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return ErrorCode::Corrupt;
    case SQLITE_CONSTRAINT: return ErrorCode::Conflict;
    case SQLITE_NOTFOUND: return ErrorCode::NotFound;
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_READONLY: return ErrorCode::Denied;
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH: return ErrorCode::Invalid;
    default: return ErrorCode::Storage;
  }
}

const char* SqliteVersion() { return sqlite3_libversion(); }

// ---------------------------------------------------------------------------
// Stmt

Stmt::Stmt(Db* db, sqlite3_stmt* stmt, detail::StmtCacheSlot* slot) : m_db(db), m_stmt(stmt), m_slot(slot) {}

Stmt::Stmt(Stmt&& other) noexcept
    : m_db(other.m_db), m_stmt(other.m_stmt), m_slot(other.m_slot), m_implicit(std::move(other.m_implicit)),
      m_nextIndex(other.m_nextIndex), m_bindStatus(std::move(other.m_bindStatus)), m_idSets(std::move(other.m_idSets)) {
  other.m_stmt = nullptr;
  other.m_db = nullptr;
}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    Release();
    m_db = other.m_db;
    m_stmt = other.m_stmt;
    m_slot = other.m_slot;
    m_implicit = std::move(other.m_implicit);
    m_nextIndex = other.m_nextIndex;
    m_bindStatus = std::move(other.m_bindStatus);
    m_idSets = std::move(other.m_idSets);
    other.m_stmt = nullptr;
    other.m_db = nullptr;
  }
  return *this;
}

Stmt::~Stmt() { Release(); }

void Stmt::Release() {
  if (!m_stmt) return;
  (void)FinishImplicit();
  if (m_slot) {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    m_slot->inUse = false;
  } else {
    sqlite3_finalize(m_stmt);
  }
  m_stmt = nullptr;
  m_idSets.clear();
}

// The pointer type of an id set bound for crm_in_set (sqlite3_bind_pointer checks it on the way out).
constexpr const char* kIdSetType = "crm_id_set";

static Status BindResult(sqlite3_stmt* stmt, int rc, int index) {
  if (rc == SQLITE_OK) return Ok();
  return MakeError(ErrorCodeFromSqlite(rc), "cannot bind parameter " + std::to_string(index) + ": " +
                                                sqlite3_errstr(rc) + " in: " + sqlite3_sql(stmt));
}

#define CRM_BIND(call)                                              \
  do {                                                              \
    int rc_ = (call);                                               \
    if (m_bindStatus) m_bindStatus = BindResult(m_stmt, rc_, index); \
  } while (0)

Stmt& Stmt::Bind(int index, int64_t value) {
  CRM_BIND(sqlite3_bind_int64(m_stmt, index, value));
  return *this;
}
int Stmt::ParameterCount() const { return m_stmt ? sqlite3_bind_parameter_count(m_stmt) : 0; }

Stmt& Stmt::Bind(int index, double value) {
  CRM_BIND(sqlite3_bind_double(m_stmt, index, value));
  return *this;
}
Stmt& Stmt::Bind(int index, std::string_view text) {
  CRM_BIND(sqlite3_bind_text64(m_stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}
Stmt& Stmt::Bind(int index, Null) {
  CRM_BIND(sqlite3_bind_null(m_stmt, index));
  return *this;
}
Stmt& Stmt::BindBlob(int index, const void* data, size_t size) {
  // A zero-length blob is still a blob, not NULL.
  if (size == 0) {
    CRM_BIND(sqlite3_bind_zeroblob(m_stmt, index, 0));
  } else {
    CRM_BIND(sqlite3_bind_blob64(m_stmt, index, data, size, SQLITE_TRANSIENT));
  }
  return *this;
}
Stmt& Stmt::BindIdSet(int index, std::shared_ptr<const std::vector<int64_t>> sortedIds) {
  if (!sortedIds) return Bind(index, Null{});
  CRM_BIND(sqlite3_bind_pointer(m_stmt, index, const_cast<std::vector<int64_t>*>(sortedIds.get()), kIdSetType, nullptr));
  m_idSets.push_back(std::move(sortedIds));
  return *this;
}
#undef CRM_BIND

int Stmt::ParameterIndex(const char* name) const { return m_stmt ? sqlite3_bind_parameter_index(m_stmt, name) : 0; }

Result<bool> Stmt::Step() {
  if (!m_stmt) return MakeError(ErrorCode::Invalid, "step on an empty statement");
  if (!m_bindStatus) return m_bindStatus.GetError();
  if (!m_implicit && m_db->GetTxnObserver() && !m_db->InTransaction() && !sqlite3_stmt_busy(m_stmt) &&
      !sqlite3_stmt_readonly(m_stmt)) {
    CRM_ASSIGN_OR_RETURN(Txn txn, m_db->Begin());
    m_implicit = std::make_unique<Txn>(std::move(txn));
  }
  int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    if (Status committed = FinishImplicit(); !committed) return committed.GetError();
    return false;
  }
  Error error = m_db->LastError(sqlite3_sql(m_stmt));
  sqlite3_reset(m_stmt);
  m_implicit.reset();  // rolls back
  return error;
}

Status Stmt::FinishImplicit() {
  if (!m_implicit) return Ok();
  sqlite3_reset(m_stmt);
  std::unique_ptr<Txn> txn = std::move(m_implicit);
  return txn->Commit();
}

Status Stmt::Run() {
  for (;;) {
    auto row = Step();
    if (!row) return row.GetError();
    if (!row.Value()) return Ok();
  }
}

int Stmt::ColumnCount() const { return sqlite3_column_count(m_stmt); }
Stmt& Stmt::BindValue(int index, const sqlite3_value* value) {
  if (!m_stmt) return *this;
  int rc = value ? sqlite3_bind_value(m_stmt, index, value) : sqlite3_bind_null(m_stmt, index);
  if (m_bindStatus && rc != SQLITE_OK) m_bindStatus = BindResult(m_stmt, rc, index);
  return *this;
}

sqlite3_value* Stmt::Value(int column) const { return sqlite3_column_value(m_stmt, column); }

std::string Stmt::ColumnName(int column) const {
  const char* name = sqlite3_column_name(m_stmt, column);
  return name ? name : "";
}

ValueType Stmt::Type(int column) const {
  switch (sqlite3_column_type(m_stmt, column)) {
    case SQLITE_INTEGER: return ValueType::Integer;
    case SQLITE_FLOAT: return ValueType::Real;
    case SQLITE_TEXT: return ValueType::Text;
    case SQLITE_BLOB: return ValueType::Blob;
    default: return ValueType::Null;
  }
}

bool Stmt::IsNull(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }
int64_t Stmt::Int64(int column) const { return sqlite3_column_int64(m_stmt, column); }
double Stmt::Double(int column) const { return sqlite3_column_double(m_stmt, column); }
std::string_view Stmt::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(m_stmt, column);
  if (!text) return {};
  return std::string_view(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(m_stmt, column)));
}
std::vector<uint8_t> Stmt::Blob(int column) const {
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(m_stmt, column));
  int size = sqlite3_column_bytes(m_stmt, column);
  if (!data || size <= 0) return {};
  return std::vector<uint8_t>(data, data + size);
}

size_t Stmt::ColumnBytes(int column) const { return static_cast<size_t>(sqlite3_column_bytes(m_stmt, column)); }

void Stmt::Reset() {
  if (!m_stmt) return;
  (void)FinishImplicit();
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
  m_bindStatus = Ok();
  m_nextIndex = 0;
  m_idSets.clear();
}

// ---------------------------------------------------------------------------
// Txn

Txn::Txn(Txn&& other) noexcept : m_db(other.m_db), m_savepoint(std::move(other.m_savepoint)) { other.m_db = nullptr; }

Txn::~Txn() { Rollback(); }

Status Txn::Commit() {
  if (!m_db) return MakeError(ErrorCode::Invalid, "commit of a transaction that is no longer open");
  Db* db = m_db;
  TxnObserver* observer = m_savepoint.empty() ? db->GetTxnObserver() : nullptr;
  if (observer) {
    if (Status before = observer->BeforeCommit(*db); !before) {
      Rollback();
      return before;
    }
  }
  Status status = m_savepoint.empty() ? db->Exec("COMMIT") : db->Exec("RELEASE " + m_savepoint);
  if (!status) {
    // A failed COMMIT (disk full, I/O error) may leave the transaction open: roll it back so the
    // connection is usable and nothing half-written survives.
    Rollback();
    return status;
  }
  if (!m_savepoint.empty()) db->m_savepointDepth--;
  m_db = nullptr;
  if (observer) observer->AfterEnd(*db, true);
  return Ok();
}

void Txn::Rollback() {
  if (!m_db) return;
  if (m_savepoint.empty()) {
    if (m_db->InTransaction()) (void)m_db->Exec("ROLLBACK");
    if (TxnObserver* observer = m_db->GetTxnObserver()) observer->AfterEnd(*m_db, false);
  } else {
    (void)m_db->Exec("ROLLBACK TO " + m_savepoint);
    (void)m_db->Exec("RELEASE " + m_savepoint);
    m_db->m_savepointDepth--;
  }
  m_db = nullptr;
}

// ---------------------------------------------------------------------------
// Db

namespace {
// crm_new_id(): a device-made random key, for rows written by triggers (the audit trail).
void SqlNewId(sqlite3_context* context, int, sqlite3_value**) { sqlite3_result_int64(context, NewId()); }
// crm_audit(): whether the audit triggers record this change.
void SqlAuditEnabled(sqlite3_context* context, int, sqlite3_value**) {
  const auto* suppressed = static_cast<const bool*>(sqlite3_user_data(context));
  sqlite3_result_int(context, *suppressed ? 0 : 1);
}
// crm_in_set(set, x): whether x is in the sorted id list bound with Stmt::BindIdSet.
void SqlInSet(sqlite3_context* context, int, sqlite3_value** argv) {
  const auto* ids = static_cast<const std::vector<int64_t>*>(sqlite3_value_pointer(argv[0], kIdSetType));
  if (!ids) {
    sqlite3_result_error(context, "crm_in_set: the first argument is not an id set (Stmt::BindIdSet)", -1);
    return;
  }
  bool found = sqlite3_value_type(argv[1]) == SQLITE_INTEGER &&
               std::binary_search(ids->begin(), ids->end(), static_cast<int64_t>(sqlite3_value_int64(argv[1])));
  sqlite3_result_int(context, found ? 1 : 0);
}
}  // namespace

// The tables a transaction touches count once it commits: the update hook collects them, the commit hook
// moves them over, the rollback hook drops them.
void Db::OnRowChanged(void* state, int, const char*, const char* table, long long) {
  static_cast<ConnectionState*>(state)->tablesInTransaction |= TableBit(table);
}
int Db::OnCommit(void* state) {
  auto* connection = static_cast<ConnectionState*>(state);
  connection->tablesCommitted |= connection->tablesInTransaction;
  connection->tablesInTransaction = 0;
  return 0;
}
void Db::OnRollback(void* state) { static_cast<ConnectionState*>(state)->tablesInTransaction = 0; }

Result<Db> Db::Open(const std::string& path, const DbOptions& options) {
  sqlite3* handle = nullptr;
  int flags = options.readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (!options.readOnly && options.create) flags |= SQLITE_OPEN_CREATE;
  flags |= SQLITE_OPEN_URI;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot open database '" + path + "': " + (handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc));
    sqlite3_close_v2(handle);
    return MakeError(ErrorCodeFromSqlite(rc), message);
  }
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, options.busyTimeoutMs);
  // Plans do not depend on bound values. Without this, SQLite 3.53 bakes a bound LIMIT into the plan and marks
  // the statement stale at every new binding: each call of a cached "… LIMIT ?" statement was parsed and
  // planned again (a rep's due list spent a third of its time there).
  sqlite3_db_config(handle, SQLITE_DBCONFIG_ENABLE_QPSG, 1, nullptr);
  Db db(handle, path);
  sqlite3_create_function_v2(handle, "crm_new_id", 0, SQLITE_UTF8, nullptr, SqlNewId, nullptr, nullptr, nullptr);
  sqlite3_create_function_v2(handle, "crm_audit", 0, SQLITE_UTF8, &db.m_state->auditSuppressed, SqlAuditEnabled, nullptr,
                             nullptr, nullptr);
  sqlite3_update_hook(handle, &Db::OnRowChanged, db.m_state.get());
  sqlite3_commit_hook(handle, &Db::OnCommit, db.m_state.get());
  sqlite3_rollback_hook(handle, &Db::OnRollback, db.m_state.get());
  sqlite3_create_function_v2(handle, "crm_in_set", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, nullptr,
                             SqlInSet, nullptr, nullptr, nullptr);
  CRM_TRY(db.Exec("PRAGMA foreign_keys = ON"));
  // Reading the header proves the file is a database before anyone relies on it.
  auto probe = db.QueryInt("PRAGMA schema_version");
  if (!probe) return MakeError(probe.Code(), "'" + path + "' is not a usable database: " + probe.Message());
  if (int registered = RegisterSearchTokenizer(handle); registered != SQLITE_OK) {
    return MakeError(ErrorCodeFromSqlite(registered), "cannot register the search tokenizer");
  }
  return db;
}

Db::Db(Db&& other) noexcept
    : m_db(other.m_db), m_path(std::move(other.m_path)), m_cache(std::move(other.m_cache)),
      m_state(std::move(other.m_state)), m_savepointDepth(other.m_savepointDepth) {
  other.m_db = nullptr;
}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    Close();
    m_db = other.m_db;
    m_path = std::move(other.m_path);
    m_cache = std::move(other.m_cache);
    m_state = std::move(other.m_state);
    m_savepointDepth = other.m_savepointDepth;
    other.m_db = nullptr;
  }
  return *this;
}

Db::~Db() { Close(); }

Db::ConnectionState& Db::Derived() {
  int64_t changes = sqlite3_total_changes64(m_db);
  if (m_state->derivedAtChange != changes || m_state->counts.size() > 64 || m_state->idSets.size() > 8) {
    m_state->counts.clear();
    m_state->idSets.clear();
    m_state->derivedAtChange = changes;
  }
  return *m_state;
}

std::optional<int64_t> Db::CachedCount(const std::string& key) const {
  if (!m_db || m_state->derivedAtChange != sqlite3_total_changes64(m_db)) return std::nullopt;
  auto found = m_state->counts.find(key);
  if (found == m_state->counts.end()) return std::nullopt;
  return found->second;
}

void Db::RememberCount(const std::string& key, int64_t count) {
  if (m_db) Derived().counts[key] = count;
}

std::shared_ptr<const std::vector<int64_t>> Db::CachedIdSet(const std::string& key) const {
  if (!m_db || m_state->derivedAtChange != sqlite3_total_changes64(m_db)) return nullptr;
  auto found = m_state->idSets.find(key);
  return found == m_state->idSets.end() ? nullptr : found->second;
}

void Db::RememberIdSet(const std::string& key, std::shared_ptr<const std::vector<int64_t>> sortedIds) {
  if (m_db) Derived().idSets[key] = std::move(sortedIds);
}

void Db::ForgetDerived() {
  m_state->counts.clear();
  m_state->idSets.clear();
  m_state->derivedAtChange = -1;
  m_state->tablesCommitted = kAllTables;  // the whole content was replaced
}

uint64_t Db::TakeChangedTables() {
  uint64_t tables = m_state->tablesCommitted;
  m_state->tablesCommitted = 0;
  return tables;
}

void Db::NoteTablesChanged(uint64_t tables) {
  if (m_db && InTransaction()) m_state->tablesInTransaction |= tables;
  else m_state->tablesCommitted |= tables;
}

void Db::SetTxnObserver(TxnObserver* observer) { m_state->observer = observer; }
TxnObserver* Db::GetTxnObserver() const { return m_state ? m_state->observer : nullptr; }

void Db::Close() {
  if (!m_db) return;
  for (auto& entry : m_cache) sqlite3_finalize(entry.second.stmt);
  m_cache.clear();
  sqlite3_close_v2(m_db);
  m_db = nullptr;
}

Error Db::LastError(std::string_view context) const {
  int rc = sqlite3_extended_errcode(m_db);
  std::string message = sqlite3_errmsg(m_db);
  if (!context.empty()) message += " (in: " + std::string(context.substr(0, 200)) + ")";
  return MakeError(ErrorCodeFromSqlite(rc), std::move(message));
}

Status Db::Exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Ok();
  std::string what = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return MakeError(ErrorCodeFromSqlite(rc), what + " (in: " + text.substr(0, 200) + ")");
}

Result<Stmt> Db::PrepareOnce(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(m_db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return LastError(sql);
  if (!stmt) return MakeError(ErrorCode::Invalid, "empty SQL statement");
  return Stmt(this, stmt, nullptr);
}

Result<Stmt> Db::Prepare(std::string_view sql) {
  auto found = m_cache.find(std::string(sql));
  if (found != m_cache.end()) {
    // The same SQL used twice at once (a nested query) gets its own statement.
    if (found->second.inUse) return PrepareOnce(sql);
    found->second.inUse = true;
    return Stmt(this, found->second.stmt, &found->second);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(m_db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return LastError(sql);
  if (!stmt) return MakeError(ErrorCode::Invalid, "empty SQL statement");
  // SQL made from data (the sync apply's statement per table, operation and set of changed columns)
  // has no natural bound: past kMaxCachedStatements the idle statements are dropped and made again.
  if (m_cache.size() >= kMaxCachedStatements) {
    for (auto it = m_cache.begin(); it != m_cache.end();) {
      if (it->second.inUse) {
        ++it;
        continue;
      }
      sqlite3_finalize(it->second.stmt);
      it = m_cache.erase(it);
    }
  }
  auto inserted = m_cache.emplace(std::string(sql), detail::StmtCacheSlot{stmt, true});
  return Stmt(this, stmt, &inserted.first->second);
}

Result<int64_t> Db::QueryInt(std::string_view sql) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareOnce(sql));
  CRM_ASSIGN_OR_RETURN(bool hasRow, stmt.Step());
  if (!hasRow) return MakeError(ErrorCode::NotFound, "query returned no row: " + std::string(sql));
  return stmt.Int64(0);
}

Result<Txn> Db::Begin(TxnKind kind) {
  if (InTransaction()) {
    std::string name = "sp" + std::to_string(++m_savepointDepth);
    Status status = Exec("SAVEPOINT " + name);
    if (!status) {
      m_savepointDepth--;
      return status.GetError();
    }
    return Txn(this, name);
  }
  CRM_TRY(Exec(kind == TxnKind::Immediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  return Txn(this, "");
}

void Db::SetAuditSuppressed(bool suppressed) { m_state->auditSuppressed = suppressed; }
bool Db::AuditSuppressed() const { return m_state->auditSuppressed; }

bool Db::InTransaction() const { return sqlite3_get_autocommit(m_db) == 0; }
int64_t Db::LastInsertRowId() const { return sqlite3_last_insert_rowid(m_db); }
int Db::Changes() const { return sqlite3_changes(m_db); }

}  // namespace crm
