#pragma once
// RAII over SQLite, in the manner of SQLiteCpp: Db owns the connection and a
// prepared-statement cache, Stmt is a borrowed or owned statement that resets
// itself when it goes out of scope, and Txn rolls back unless committed.
// sqlite3.h stays out of this header; only the sync layer reaches the raw handle.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;
struct sqlite3_value;

namespace crm {

class Db;
class Txn;

namespace detail {
// One cached statement; its node address is stable while it is in the cache (an idle one may be
// dropped when the cache is full, never one in use).
struct StmtCacheSlot {
  sqlite3_stmt* stmt = nullptr;
  bool inUse = false;
};
}  // namespace detail

// A NULL to bind; distinct from an empty string.
struct Null {};

// The storage class of a result value.
enum class ValueType { Integer, Real, Text, Blob, Null };

class Stmt {
 public:
  Stmt() = default;
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Binding: parameters are 1-based, as in SQLite.
  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Stmt& Bind(int index, double value);
  Stmt& Bind(int index, std::string_view text);
  Stmt& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Stmt& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Stmt& Bind(int index, Null);
  // The highest parameter number the statement uses.
  int ParameterCount() const;
  Stmt& BindBlob(int index, const void* data, size_t size);
  // A value as SQLite holds it (from a changeset or another statement), for the sync layer.
  Stmt& BindValue(int index, const sqlite3_value* value);
  Stmt& Bind(int index, const std::optional<int64_t>& value) { return value ? Bind(index, *value) : Bind(index, Null{}); }
  Stmt& Bind(int index, const std::optional<std::string>& value) { return value ? Bind(index, *value) : Bind(index, Null{}); }
  // A sorted list of ids for crm_in_set(?, x), the SQL function every connection has, which looks x up
  // in it by halves. The statement holds the list until it is reset or released.
  Stmt& BindIdSet(int index, std::shared_ptr<const std::vector<int64_t>> sortedIds);
  // The index of a named parameter (":owner"), or 0 when the statement has none by that name.
  int ParameterIndex(const char* name) const;
  // Binds the next parameter (1, 2, 3… since the last Reset), for long column lists.
  template <class T>
  Stmt& BindNext(T&& value) {
    return Bind(++m_nextIndex, std::forward<T>(value));
  }
  template <class... Args>
  Stmt& BindAll(Args&&... args) {
    int index = 1;
    (Bind(index++, std::forward<Args>(args)), ...);
    return *this;
  }

  // Steps once: true when a row is available, false when done.
  Result<bool> Step();
  // Runs to completion, for statements that return no rows.
  Status Run();

  int ColumnCount() const;
  std::string ColumnName(int column) const;
  ValueType Type(int column) const;
  bool IsNull(int column) const;
  int64_t Int64(int column) const;
  double Double(int column) const;
  std::string_view Text(int column) const;  // valid until the next Step/Reset
  std::string String(int column) const { return std::string(Text(column)); }
  std::vector<uint8_t> Blob(int column) const;
  size_t ColumnBytes(int column) const;  // the size of a text or blob value
  // The column's value as SQLite holds it, valid until the next Step/Reset; for the sync layer.
  sqlite3_value* Value(int column) const;

  void Reset();
  bool IsValid() const { return m_stmt != nullptr; }

 private:
  friend class Db;
  Stmt(Db* db, sqlite3_stmt* stmt, detail::StmtCacheSlot* slot);
  void Release();
  Status FinishImplicit();

  Db* m_db = nullptr;
  sqlite3_stmt* m_stmt = nullptr;
  detail::StmtCacheSlot* m_slot = nullptr;  // null when the statement is not cached
  // A write outside any transaction, on a database with a TxnObserver, runs in a transaction of its
  // own, so the observer sees every commit (a lone UPDATE is a transaction too).
  std::unique_ptr<Txn> m_implicit;
  int m_nextIndex = 0;
  Status m_bindStatus;  // first bind failure, reported by Step/Run
  std::vector<std::shared_ptr<const std::vector<int64_t>>> m_idSets;  // bound by BindIdSet
};

enum class TxnKind { Deferred, Immediate };

// Told about every top-level transaction that goes through Db::Begin: the sync layer stores each
// transaction's changeset in the outbox within the same commit (sync/replica.h).
class TxnObserver {
 public:
  virtual ~TxnObserver() = default;
  // Inside the transaction, just before COMMIT; a failure rolls the whole transaction back.
  virtual Status BeforeCommit(Db& db) = 0;
  // After the transaction ended, committed or rolled back.
  virtual void AfterEnd(Db& db, bool committed) = 0;
};

class Txn {
 public:
  Txn(Txn&& other) noexcept;
  Txn& operator=(Txn&&) = delete;
  Txn(const Txn&) = delete;
  ~Txn();

  Status Commit();
  void Rollback();
  bool IsOpen() const { return m_db != nullptr; }

 private:
  friend class Db;
  Txn(Db* db, std::string savepoint) : m_db(db), m_savepoint(std::move(savepoint)) {}
  Db* m_db = nullptr;
  std::string m_savepoint;  // empty for a top-level transaction
};

struct DbOptions {
  bool readOnly = false;
  bool create = true;
  int busyTimeoutMs = 5000;
};

class Db {
 public:
  static Result<Db> Open(const std::string& path, const DbOptions& options = {});
  static Result<Db> OpenMemory() { return Open(":memory:"); }

  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  // A statement from the cache: prepared once per connection, reset on release.
  Result<Stmt> Prepare(std::string_view sql);
  // A statement outside the cache, for one-off SQL.
  Result<Stmt> PrepareOnce(std::string_view sql);

  // Runs a query expected to return one integer (COUNT(*), PRAGMA user_version…).
  Result<int64_t> QueryInt(std::string_view sql);

  // A transaction, or a savepoint when one is already open.
  Result<Txn> Begin(TxnKind kind = TxnKind::Immediate);
  bool InTransaction() const;

  int64_t LastInsertRowId() const;
  int Changes() const;
  std::string Path() const { return m_path; }
  size_t CachedStatementCount() const { return m_cache.size(); }
  static constexpr size_t kMaxCachedStatements = 1024;

  // The raw handle, for the sync layer's session extension.
  sqlite3* Handle() const { return m_db; }

  // The error of the last call on this connection, as a value.
  Error LastError(std::string_view context) const;

  // Counts that stay valid until the next change through this connection (sqlite3_total_changes):
  // list screens ask for the same total with every page. One connection per database file is the
  // app's rule; another writer's changes are not seen by this cache.
  std::optional<int64_t> CachedCount(const std::string& key) const;
  void RememberCount(const std::string& key, int64_t count);
  // Sorted id lists derived from the data (the customers with a tag, the documents matching a search),
  // kept on the same terms for crm_in_set: a scrolling list reads the same membership for every page.
  std::shared_ptr<const std::vector<int64_t>> CachedIdSet(const std::string& key) const;
  void RememberIdSet(const std::string& key, std::shared_ptr<const std::vector<int64_t>> sortedIds);
  // Forgets every cached count and id list: the database's content was replaced (sqlite3_deserialize
  // does not move the change counter).
  void ForgetDerived();

  // While suppressed, the audit triggers write nothing: used when applying changes that
  // were audited where they were made (sync), so the trail holds each change once.
  void SetAuditSuppressed(bool suppressed);
  bool AuditSuppressed() const;

  // The tables (core/table_changes.h bits) that transactions committed since the last call touched; the
  // next call starts from nothing. A new connection reports every table: nobody has read its content.
  uint64_t TakeChangedTables();
  // Writes SQLite's update hook does not report (WITHOUT ROWID tables such as settings) are noted by
  // their writer: with the transaction in progress (dropped if it rolls back), or at once outside one.
  void NoteTablesChanged(uint64_t tables);

  // At most one observer; null removes it. The observer must outlive its registration.
  void SetTxnObserver(TxnObserver* observer);
  TxnObserver* GetTxnObserver() const;

 private:
  friend class Stmt;
  friend class Txn;
  Db(sqlite3* db, std::string path) : m_db(db), m_path(std::move(path)) {}
  void Close();

  // Per-connection state read by SQL functions; on the heap so its address survives a move of the Db.
  struct ConnectionState {
    bool auditSuppressed = false;
    TxnObserver* observer = nullptr;
    int64_t derivedAtChange = -1;  // total_changes when `counts` and `idSets` were filled
    uint64_t tablesInTransaction = 0;  // touched by the transaction in progress
    uint64_t tablesCommitted = ~uint64_t{0};  // touched by committed transactions, until TakeChangedTables
    std::unordered_map<std::string, int64_t> counts;
    std::unordered_map<std::string, std::shared_ptr<const std::vector<int64_t>>> idSets;
  };
  // The derived caches, emptied first when the data changed since they were filled.
  ConnectionState& Derived();
  // SQLite's update, commit and rollback hooks, with the ConnectionState as their argument.
  static void OnRowChanged(void* state, int operation, const char* database, const char* table, long long rowid);
  static int OnCommit(void* state);
  static void OnRollback(void* state);

  sqlite3* m_db = nullptr;
  std::string m_path;
  std::unordered_map<std::string, detail::StmtCacheSlot> m_cache;
  std::unique_ptr<ConnectionState> m_state = std::make_unique<ConnectionState>();
  int m_savepointDepth = 0;
};

// SQLite's version string, e.g. "3.53.2".
const char* SqliteVersion();

// Maps an SQLite result code to an ErrorCode (SQLITE_FULL → Full, …).
ErrorCode ErrorCodeFromSqlite(int rc);

}  // namespace crm
