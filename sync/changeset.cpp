#include "sync/changeset.h"

#include <sqlite3.h>

#include <string>
#include <vector>

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

namespace {

// A cursor over the changeset's bytes; every read checks the bounds first.
class FormatReader {
 public:
  FormatReader(const uint8_t* data, size_t size) : m_data(data), m_size(size) {}
  bool AtEnd() const { return m_at >= m_size; }
  size_t Offset() const { return m_at; }
  bool Byte(uint8_t& out) {
    if (m_at >= m_size) return false;
    out = m_data[m_at++];
    return true;
  }
  uint8_t Peek() const { return m_data[m_at]; }
  bool Skip(uint64_t count) {
    if (count > m_size - m_at) return false;
    m_at += static_cast<size_t>(count);
    return true;
  }
  // SQLite's varint: big-endian groups of 7 bits, the ninth byte whole.
  bool Varint(uint64_t& out) {
    out = 0;
    for (int i = 0; i < 9; i++) {
      uint8_t byte = 0;
      if (!Byte(byte)) return false;
      if (i == 8) {
        out = (out << 8) | byte;
        return true;
      }
      out = (out << 7) | (byte & 0x7f);
      if (!(byte & 0x80)) return true;
    }
    return true;
  }
 private:
  const uint8_t* m_data;
  size_t m_size;
  size_t m_at = 0;
};

enum class ValueKind { Undefined, Defined, Bad };

ValueKind ReadValue(FormatReader& reader) {
  uint8_t type = 0;
  if (!reader.Byte(type)) return ValueKind::Bad;
  switch (type) {
    case 0: return ValueKind::Undefined;
    case 5: return ValueKind::Defined;  // NULL
    case 1:                             // integer, 8 bytes
    case 2:                             // real, 8 bytes
      return reader.Skip(8) ? ValueKind::Defined : ValueKind::Bad;
    case 3:  // text
    case 4: {  // blob
      uint64_t length = 0;
      if (!reader.Varint(length) || length > 0x7fffffff) return ValueKind::Bad;
      return reader.Skip(length) ? ValueKind::Defined : ValueKind::Bad;
    }
    default: return ValueKind::Bad;
  }
}

}  // namespace

Status CheckChangesetFormat(const uint8_t* changeset, size_t size) {
  auto corrupt = [](size_t offset, const std::string& what) {
    return MakeError(ErrorCode::Corrupt, "malformed changeset at byte " + std::to_string(offset) + ": " + what);
  };
  if (size == 0) return Ok();  // nothing to apply (the relay refuses empty pushes on its own)
  if (!changeset) return MakeError(ErrorCode::Corrupt, "malformed changeset");
  FormatReader reader(changeset, size);
  std::vector<bool> key;
  std::vector<ValueKind> old, next;
  bool inTable = false;
  bool hasRecord = false;
  while (!reader.AtEnd()) {
    const size_t at = reader.Offset();
    const uint8_t marker = reader.Peek();
    if (marker == 'T' || marker == 'P') {
      if (inTable && !hasRecord) return corrupt(at, "a table section without changes");
      if (marker == 'P') return corrupt(at, "a patchset section (only changesets are accepted)");
      uint8_t skipped = 0;
      reader.Byte(skipped);
      uint64_t columns = 0;
      if (!reader.Varint(columns) || columns < 1 || columns > static_cast<uint64_t>(kMaxChangesetColumns)) {
        return corrupt(at, "a table header needs 1 to " + std::to_string(kMaxChangesetColumns) + " columns");
      }
      key.assign(static_cast<size_t>(columns), false);
      bool anyKey = false;
      for (size_t i = 0; i < key.size(); i++) {
        uint8_t flag = 0;
        if (!reader.Byte(flag)) return corrupt(at, "a table header ends early");
        key[i] = flag != 0;
        anyKey = anyKey || key[i];
      }
      if (!anyKey) return corrupt(at, "a table without a primary key");
      size_t length = 0;
      for (;;) {
        uint8_t byte = 0;
        if (!reader.Byte(byte)) return corrupt(at, "a table name without its end");
        if (byte == 0) break;
        if (++length > kMaxChangesetTableName) return corrupt(at, "a table name longer than " + std::to_string(kMaxChangesetTableName) + " bytes");
      }
      if (length == 0) return corrupt(at, "a table without a name");
      inTable = true;
      hasRecord = false;
      continue;
    }
    if (!inTable) return corrupt(at, "a change before any table header");
    uint8_t op = 0, indirect = 0;
    reader.Byte(op);
    if (op != SQLITE_INSERT && op != SQLITE_DELETE && op != SQLITE_UPDATE) return corrupt(at, "an unknown operation");
    if (!reader.Byte(indirect) || indirect > 1) return corrupt(at, "a change without its flag");
    auto readRecord = [&](std::vector<ValueKind>& values) {
      values.assign(key.size(), ValueKind::Undefined);
      for (auto& value : values) {
        value = ReadValue(reader);
        if (value == ValueKind::Bad) return false;
      }
      return true;
    };
    if (op != SQLITE_INSERT && !readRecord(old)) return corrupt(at, "a change's old values are cut short or of an unknown type");
    if (op != SQLITE_DELETE && !readRecord(next)) return corrupt(at, "a change's new values are cut short or of an unknown type");
    for (size_t i = 0; i < key.size(); i++) {
      const std::string column = "column " + std::to_string(i);
      if (op == SQLITE_INSERT && next[i] != ValueKind::Defined) return corrupt(at, "an insert leaves " + column + " undefined");
      if (op == SQLITE_DELETE && old[i] != ValueKind::Defined) return corrupt(at, "a delete leaves " + column + " undefined");
      if (op != SQLITE_UPDATE) continue;
      if (key[i] && old[i] != ValueKind::Defined) return corrupt(at, "an update without its key (" + column + ")");
      if (key[i] && next[i] != ValueKind::Undefined) return corrupt(at, "an update changes the primary key (" + column + ")");
      if (!key[i] && old[i] != next[i]) return corrupt(at, "an update gives " + column + " a new value without the old one, or the reverse");
    }
    hasRecord = true;
  }
  if (inTable && !hasRecord) return corrupt(size, "a table section without changes");
  return Ok();
}

}  // namespace crm::sync
