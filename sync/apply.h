#pragma once
// The conflict policy (docs/DESIGN.md note 5, docs/PROTOCOL.md "Conflicts"), in
// one function that every device and the relay run on the same total order, so
// that all of them end with the same data and the same conflict log.
//
//  - UPDATE whose old values no longer match (DATA): the changeset's values win
//    for the columns it changed; other columns keep what they had, so changes
//    to different columns of one row both survive. Each value it overwrote is
//    logged (the who/when bookkeeping columns aside).
//  - UPDATE of a row that is gone (NOTFOUND): dropped, and its values logged
//    (unless the row's customer is not held here: see ApplyOrigin::partial).
//    DELETE of a row that is gone: nothing to do.
//  - DELETE of a row that changed since (DATA): the delete, being later, wins;
//    the values it removed are logged.
//  - INSERT of a key that exists (CONFLICT): the insert, being later, wins;
//    the values it replaced are logged.
//  - A change that breaks a constraint (CONSTRAINT): dropped and logged.
//  - Foreign keys left dangling (FOREIGN_KEY): kept, and logged once.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/conflicts.h"
#include "core/db.h"

namespace crm::sync {

// Who and where the changeset comes from, for the conflict log.
struct ApplyOrigin {
  int64_t seq = 0;  // relay position (0 for a local change not yet ordered)
  int64_t userId = 0;
  int64_t deviceId = 0;
  int64_t atMs = 0;  // when this device applies it
  // This database holds a read scope, not the whole organisation. A change to a row it lacks, of a customer
  // it does not hold (or cannot tell), is then no conflict: the customer just entered the scope, and the
  // scope answer brings it whole (docs/PROTOCOL.md, scopes).
  bool partial = false;
};

struct ApplyResult {
  int changes = 0;  // row changes in the changeset
  std::vector<ConflictEntry> conflicts;
};

// A synced table's columns as this connection has them, read once per schema version.
struct SyncedTableShape {
  std::vector<std::string> columns;
  std::vector<bool> key;
  bool hasForeignKeys = false;
  int customerColumn = -1;   // customer_id, or the key of customers itself
  int updatedByColumn = -1;  // who wrote the row last
  int scopeColumn = -1;      // the customer whose readers receive the row (RecordType::scopeColumn)
};
// NotFound-free: a table this database lacks gives a shape without columns. The pointer stays valid
// until the schema changes.
Result<const SyncedTableShape*> TableShape(Db& db, const std::string& table);

// Checks that a changeset fits this database before anything is applied: every
// table exists here and is a synced table, has no more columns than here (a
// newer schema: refused, ErrorCode::Schema, naming the table), and keeps its
// primary key in the same place. Fewer columns are fine: a changeset from an
// older app leaves the columns added since at their defaults.
Status CheckFits(Db& db, const uint8_t* changeset, size_t size);

// Applies a changeset with the policy above. Outside a transaction it opens its own (all or nothing
// on errors other than conflicts); inside one, an error leaves what was applied so far to the
// caller's transaction, which the caller rolls back (every caller applies a batch in one transaction
// and aborts it on an error; a savepoint per changeset made the search index flush every time).
// Audit triggers are held off (the audit rows travel in the changeset); the search index triggers run.
Result<ApplyResult> ApplyWithPolicy(Db& db, const uint8_t* changeset, size_t size, const ApplyOrigin& origin);

// Applies exactly, or fails on the first conflict (reverting a device's own
// pending changes, whose effect is known exactly). Audit triggers held off.
Status ApplyExact(Db& db, const uint8_t* changeset, size_t size);

// Holds the audit triggers off for a scope.
class AuditPause {
 public:
  explicit AuditPause(Db& db) : m_db(db), m_was(db.AuditSuppressed()) { db.SetAuditSuppressed(true); }
  ~AuditPause() { m_db.SetAuditSuppressed(m_was); }
  AuditPause(const AuditPause&) = delete;
  AuditPause& operator=(const AuditPause&) = delete;

 private:
  Db& m_db;
  bool m_was;
};

}  // namespace crm::sync
