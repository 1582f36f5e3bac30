#pragma once
// Changeset capture through SQLite's session extension. A session never resets
// (sqlite3session_changeset returns everything since it was created), so each
// transaction or batch gets a fresh ChangesetCapture.
#include <cstdint>
#include <string>
#include <vector>

#include "core/db.h"

struct sqlite3_session;

namespace crm::sync {

using Bytes = std::vector<uint8_t>;

class ChangesetCapture {
 public:
  // Starts recording changes to `tables` (all tables when empty).
  static Result<ChangesetCapture> Start(Db& db, const std::vector<std::string>& tables = {});

  ChangesetCapture(ChangesetCapture&& other) noexcept;
  ChangesetCapture& operator=(ChangesetCapture&&) = delete;
  ChangesetCapture(const ChangesetCapture&) = delete;
  ~ChangesetCapture();

  // Everything recorded so far, as a changeset (empty when nothing changed).
  Result<Bytes> Changeset() const;

 private:
  explicit ChangesetCapture(sqlite3_session* session) : m_session(session) {}
  sqlite3_session* m_session = nullptr;
};

// Applies a changeset; a conflict of any kind fails the whole apply (the
// conflict policy proper belongs to the rebase engine).
Status ApplyStrict(Db& db, const Bytes& changeset);
// The inverse changeset, to undo `changeset`.
Result<Bytes> Invert(const Bytes& changeset);
// Number of row operations in a changeset; fails on malformed bytes.
Result<int> CountChanges(const Bytes& changeset);

// Walks a changeset's bytes completely, as SQLite's session format defines them, before anything
// reads its values: every section is a changeset ('T', never a patchset 'P'), every table header
// has 1..kMaxChangesetColumns columns, at least one key column and a short NUL-terminated name;
// every record is an INSERT with every new value defined, a DELETE with every old value defined,
// or an UPDATE whose key columns have an old value and no new one (keys never change) and whose
// other columns have both values or neither. The record ends exactly at the end of the bytes.
// ErrorCode::Corrupt names the first problem. What passes can be read with sqlite3changeset_old
// and _new without meeting an undefined value where a change needs one.
Status CheckChangesetFormat(const uint8_t* changeset, size_t size);
constexpr int kMaxChangesetColumns = 256;
constexpr size_t kMaxChangesetTableName = 64;

}  // namespace crm::sync
