#include "sync/changeset.h"

#include <sqlite3.h>

namespace crm::sync {

Result<ChangesetCapture> ChangesetCapture::Start(Db& db, const std::vector<std::string>& tables) {
  sqlite3_session* session = nullptr;
  int rc = sqlite3session_create(db.Handle(), "main", &session);
  if (rc != SQLITE_OK) return MakeError(ErrorCodeFromSqlite(rc), std::string("cannot start a session: ") + sqlite3_errstr(rc));
  ChangesetCapture capture(session);
  if (tables.empty()) {
    rc = sqlite3session_attach(session, nullptr);
    if (rc != SQLITE_OK) return MakeError(ErrorCodeFromSqlite(rc), std::string("cannot attach session: ") + sqlite3_errstr(rc));
  }
  for (const std::string& table : tables) {
    rc = sqlite3session_attach(session, table.c_str());
    if (rc != SQLITE_OK) return MakeError(ErrorCodeFromSqlite(rc), "cannot attach session to " + table + ": " + sqlite3_errstr(rc));
  }
  return capture;
}

ChangesetCapture::ChangesetCapture(ChangesetCapture&& other) noexcept : m_session(other.m_session) { other.m_session = nullptr; }

ChangesetCapture::~ChangesetCapture() {
  if (m_session) sqlite3session_delete(m_session);
}

Result<Bytes> ChangesetCapture::Changeset() const {
  int size = 0;
  void* data = nullptr;
  int rc = sqlite3session_changeset(m_session, &size, &data);
  if (rc != SQLITE_OK) return MakeError(ErrorCodeFromSqlite(rc), std::string("cannot read changeset: ") + sqlite3_errstr(rc));
  Bytes bytes(static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
  sqlite3_free(data);
  return bytes;
}

namespace {
int AbortOnConflict(void* context, int kind, sqlite3_changeset_iter*) {
  *static_cast<int*>(context) = kind;
  return SQLITE_CHANGESET_ABORT;
}
}  // namespace

Status ApplyStrict(Db& db, const Bytes& changeset) {
  int conflict = 0;
  int rc = sqlite3changeset_apply(db.Handle(), static_cast<int>(changeset.size()), const_cast<uint8_t*>(changeset.data()),
                                  nullptr, AbortOnConflict, &conflict);
  if (rc == SQLITE_OK) return Ok();
  if (conflict != 0) return MakeError(ErrorCode::Conflict, "changeset conflict of kind " + std::to_string(conflict));
  return MakeError(ErrorCodeFromSqlite(rc), std::string("cannot apply changeset: ") + sqlite3_errstr(rc));
}

Result<Bytes> Invert(const Bytes& changeset) {
  int size = 0;
  void* data = nullptr;
  int rc = sqlite3changeset_invert(static_cast<int>(changeset.size()), changeset.data(), &size, &data);
  if (rc != SQLITE_OK) return MakeError(ErrorCodeFromSqlite(rc), std::string("cannot invert changeset: ") + sqlite3_errstr(rc));
  Bytes bytes(static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
  sqlite3_free(data);
  return bytes;
}

Result<int> CountChanges(const Bytes& changeset) {
  sqlite3_changeset_iter* iter = nullptr;
  int rc = sqlite3changeset_start(&iter, static_cast<int>(changeset.size()), const_cast<uint8_t*>(changeset.data()));
  if (rc != SQLITE_OK) return MakeError(ErrorCode::Corrupt, std::string("malformed changeset: ") + sqlite3_errstr(rc));
  int count = 0;
  while ((rc = sqlite3changeset_next(iter)) == SQLITE_ROW) count++;
  int finalized = sqlite3changeset_finalize(iter);
  if (rc != SQLITE_DONE || finalized != SQLITE_OK) return MakeError(ErrorCode::Corrupt, "malformed changeset after " + std::to_string(count) + " changes");
  return count;
}

}  // namespace crm::sync
