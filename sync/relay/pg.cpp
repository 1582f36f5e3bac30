#include "sync/relay/pg.h"

#include <libpq-fe.h>

#include <chrono>
#include <cstring>
#include <regex>

namespace crm::relay {

namespace {

// Type oids from pg_type.h (stable across versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;

uint64_t BigEndian(const char* data, int size) {
  uint64_t value = 0;
  for (int i = 0; i < size; i++) value = (value << 8) | static_cast<uint8_t>(data[i]);
  return value;
}

Error ErrorOf(PGconn* conn, PGresult* result, const std::string& sql) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = result ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  ErrorCode code = ErrorCode::Storage;
  if (state) {
    std::string sqlstate = state;
    // unique violation; serialization failure and deadlock (retry)
    if (sqlstate == "23505" || sqlstate == "40001" || sqlstate == "40P01") code = ErrorCode::Conflict;
    else if (sqlstate.rfind("22", 0) == 0) code = ErrorCode::Invalid;
  }
  return MakeError(code, "postgres: " + message + " (in: " + sql.substr(0, 120) + ")");
}

}  // namespace

// ---------------------------------------------------------------------------
// PgResult

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    if (m_result) PQclear(m_result);
    m_result = other.m_result;
    other.m_result = nullptr;
  }
  return *this;
}

PgResult::~PgResult() {
  if (m_result) PQclear(m_result);
}

int PgResult::Rows() const { return m_result ? PQntuples(m_result) : 0; }

bool PgResult::IsNull(int row, int column) const { return PQgetisnull(m_result, row, column) != 0; }

int64_t PgResult::Int64(int row, int column) const {
  if (IsNull(row, column)) return 0;
  const char* data = PQgetvalue(m_result, row, column);
  int size = PQgetlength(m_result, row, column);
  Oid type = PQftype(m_result, column);
  if (PQfformat(m_result, column) == 0) return std::strtoll(data, nullptr, 10);
  switch (type) {
    case kBoolOid: return size == 1 && data[0] != 0;
    case kInt2Oid: return static_cast<int16_t>(BigEndian(data, 2));
    case kInt4Oid: return static_cast<int32_t>(BigEndian(data, 4));
    case kInt8Oid: return static_cast<int64_t>(BigEndian(data, 8));
    default: return size == 8 ? static_cast<int64_t>(BigEndian(data, 8)) : 0;
  }
}

std::string PgResult::Text(int row, int column) const {
  if (IsNull(row, column)) return std::string();
  return std::string(PQgetvalue(m_result, row, column), static_cast<size_t>(PQgetlength(m_result, row, column)));
}

std::vector<uint8_t> PgResult::Bytes(int row, int column) const {
  if (IsNull(row, column)) return {};
  const auto* data = reinterpret_cast<const uint8_t*>(PQgetvalue(m_result, row, column));
  return std::vector<uint8_t>(data, data + PQgetlength(m_result, row, column));
}

int64_t PgResult::AffectedRows() const {
  const char* text = m_result ? PQcmdTuples(m_result) : "";
  return text && *text ? std::strtoll(text, nullptr, 10) : 0;
}

// ---------------------------------------------------------------------------
// PgConn

Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (!conn) return MakeError(ErrorCode::Storage, "postgres: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    PQfinish(conn);
    return MakeError(ErrorCode::Storage, "postgres: cannot connect to " + RedactConninfo(conninfo) + ": " + message);
  }
  std::unique_ptr<PgConn> result(new PgConn(conn));
  // Quiet NOTICEs ("relation exists, skipping") instead of libpq printing them on stderr.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return result;
}

PgConn::~PgConn() {
  if (m_conn) PQfinish(m_conn);
}

bool PgConn::Healthy() const { return m_conn && PQstatus(m_conn) == CONNECTION_OK; }

Status PgConn::Exec(const std::string& sql) {
  PGresult* raw = PQexec(m_conn, sql.c_str());
  PgResult result(raw);  // frees it on every path
  ExecStatusType status = PQresultStatus(raw);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Ok();
  return ErrorOf(m_conn, raw, sql);
}

Result<PgResult> PgConn::Query(const std::string& sql, const std::vector<PgParam>& params) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  values.reserve(params.size());
  for (const PgParam& param : params) {
    values.push_back(param.null ? nullptr : param.value.data());
    lengths.push_back(static_cast<int>(param.value.size()));
    formats.push_back(param.binary ? 1 : 0);
  }
  PGresult* raw = PQexecParams(m_conn, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(), lengths.data(),
                               formats.data(), /*resultFormat=*/1);
  PgResult result(raw);
  ExecStatusType status = PQresultStatus(raw);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return ErrorOf(m_conn, raw, sql);
  return result;
}

// ---------------------------------------------------------------------------
// PgTxn

Result<PgTxn> PgTxn::Begin(PgConn& conn) {
  CRM_TRY(conn.Exec("BEGIN"));
  return PgTxn(&conn);
}

Status PgTxn::Commit() {
  if (!m_conn) return MakeError(ErrorCode::Invalid, "commit of a transaction that is no longer open");
  PgConn* conn = m_conn;
  m_conn = nullptr;
  PGresult* raw = PQexec(conn->Handle(), "COMMIT");
  PgResult result(raw);
  if (PQresultStatus(raw) != PGRES_COMMAND_OK) return ErrorOf(conn->Handle(), raw, "COMMIT");
  // COMMIT of a transaction that had failed "succeeds" as a ROLLBACK: only the command tag tells.
  if (std::strcmp(PQcmdStatus(raw), "COMMIT") != 0) return MakeError(ErrorCode::Storage, "postgres: the transaction was rolled back");
  return Ok();
}

void PgTxn::Rollback() {
  if (!m_conn) return;
  if (m_conn->Healthy()) (void)m_conn->Exec("ROLLBACK");
  m_conn = nullptr;
}

// ---------------------------------------------------------------------------
// PgPool

Result<PgPool::Lease> PgPool::Borrow() {
  std::unique_lock<std::mutex> lock(m_mutex);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (m_idle.empty() && m_open >= m_size) {
    if (m_cv.wait_until(lock, deadline) == std::cv_status::timeout && m_idle.empty() && m_open >= m_size) {
      return MakeError(ErrorCode::Storage, "postgres: every connection of the pool is busy");
    }
  }
  if (!m_idle.empty()) {
    std::unique_ptr<PgConn> conn = std::move(m_idle.back());
    m_idle.pop_back();
    return Lease(this, std::move(conn));
  }
  m_open++;
  lock.unlock();
  auto conn = PgConn::Connect(m_conninfo);
  if (!conn) {
    std::lock_guard<std::mutex> relock(m_mutex);
    m_open--;
    m_cv.notify_one();
    return conn.GetError();
  }
  return Lease(this, std::move(conn).Value());
}

void PgPool::Return(std::unique_ptr<PgConn> conn) {
  // A connection left inside a transaction (an error path) is rolled back before reuse.
  if (conn->Healthy() && PQtransactionStatus(conn->Handle()) != PQTRANS_IDLE) (void)conn->Exec("ROLLBACK");
  std::lock_guard<std::mutex> lock(m_mutex);
  if (conn->Healthy() && PQtransactionStatus(conn->Handle()) == PQTRANS_IDLE) {
    m_idle.push_back(std::move(conn));
  } else {
    m_open--;  // broken: dropped, a new one is opened when needed
  }
  m_cv.notify_one();
}

std::string RedactConninfo(const std::string& conninfo) {
  static const std::regex kUriPassword(R"((://[^:/@]*:)[^@]*@)");
  static const std::regex kKeyPassword(R"((password\s*=\s*)('[^']*'|\S+))");
  std::string text = std::regex_replace(conninfo, kUriPassword, "$1***@");
  return std::regex_replace(text, kKeyPassword, "$1***");
}

}  // namespace crm::relay
