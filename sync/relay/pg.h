#pragma once
// Small RAII wrappers over libpq, in the manner of core/db.h: a connection, a
// result that frees itself, a transaction that rolls back unless committed,
// and a pool. Errors are values; libpq's messages are kept for the operator.
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"

struct pg_conn;
struct pg_result;

namespace crm::relay {

// A query parameter: text for numbers and strings, binary for bytea.
struct PgParam {
  std::string value;
  bool binary = false;
  bool null = false;
  static PgParam Int(int64_t v) { return PgParam{std::to_string(v), false, false}; }
  static PgParam Text(std::string v) { return PgParam{std::move(v), false, false}; }
  static PgParam Bytes(const std::vector<uint8_t>& v) { return PgParam{std::string(v.begin(), v.end()), true, false}; }
  static PgParam Null() { return PgParam{"", false, true}; }
};

// Results always come back in binary format (bytea without escaping); readers decode by column type.
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(pg_result* result) : m_result(result) {}
  PgResult(PgResult&& other) noexcept : m_result(other.m_result) { other.m_result = nullptr; }
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult();

  int Rows() const;
  bool IsNull(int row, int column) const;
  int64_t Int64(int row, int column) const;  // int2, int4, int8 or bool
  std::string Text(int row, int column) const;
  std::vector<uint8_t> Bytes(int row, int column) const;
  int64_t AffectedRows() const;

 private:
  pg_result* m_result = nullptr;
};

class PgConn {
 public:
  static Result<std::unique_ptr<PgConn>> Connect(const std::string& conninfo);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // One or more statements without parameters or rows.
  Status Exec(const std::string& sql);
  Result<PgResult> Query(const std::string& sql, const std::vector<PgParam>& params = {});
  bool Healthy() const;
  pg_conn* Handle() const { return m_conn; }

 private:
  explicit PgConn(pg_conn* conn) : m_conn(conn) {}
  pg_conn* m_conn = nullptr;
};

class PgTxn {
 public:
  static Result<PgTxn> Begin(PgConn& conn);
  PgTxn(PgTxn&& other) noexcept : m_conn(other.m_conn) { other.m_conn = nullptr; }
  PgTxn& operator=(PgTxn&&) = delete;
  PgTxn(const PgTxn&) = delete;
  ~PgTxn() { Rollback(); }
  Status Commit();
  void Rollback();

 private:
  explicit PgTxn(PgConn* conn) : m_conn(conn) {}
  PgConn* m_conn = nullptr;
};

// Connections shared by the request threads; a broken one is dropped and replaced on next use.
class PgPool {
 public:
  class Lease {
   public:
    Lease(PgPool* pool, std::unique_ptr<PgConn> conn) : m_pool(pool), m_conn(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (m_conn) m_pool->Return(std::move(m_conn));
    }
    PgConn& operator*() { return *m_conn; }
    PgConn* operator->() { return m_conn.get(); }

   private:
    PgPool* m_pool;
    std::unique_ptr<PgConn> m_conn;
  };

  PgPool(std::string conninfo, int size) : m_conninfo(std::move(conninfo)), m_size(size) {}
  Result<Lease> Borrow();
  const std::string& Conninfo() const { return m_conninfo; }

 private:
  void Return(std::unique_ptr<PgConn> conn);
  std::string m_conninfo;
  int m_size;
  int m_open = 0;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::vector<std::unique_ptr<PgConn>> m_idle;
};

// Hides the password of a conninfo string or URI, for logs.
std::string RedactConninfo(const std::string& conninfo);

}  // namespace crm::relay
