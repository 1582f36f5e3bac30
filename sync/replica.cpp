// [SECTION] index
// - Helpers: sessions, rows, pending changesets
// - Capture: the transaction observer and the outbox
// - Push: batches, acknowledgements, refusals
// - Rebase: revert pending, apply remote in order, re-apply pending
// - Bootstrap from a snapshot
// - Canonical dump
#include "sync/replica.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include "core/accounts.h"
#include "core/conflicts.h"
#include "core/ids.h"
#include "core/records.h"
#include "core/schema.h"
#include "core/scope.h"
#include "sync/apply.h"
#include "sync/changeset.h"
#include "sync/journal.h"
#include "sync/link.h"
#include "sync/offline_lock.h"

namespace crm::sync {

// ---------------------------------------------------------------------------
// [SECTION] Helpers: sessions, rows, pending changesets

namespace {

constexpr const char* kStateConfirmedSeq = "confirmed_seq";
constexpr const char* kStateScopeSince = "scope.since";  // ScopeRequest::since, until a scope answer is applied

Result<sqlite3_session*> NewSyncedSession(Db& db) {
  sqlite3_session* session = nullptr;
  int rc = sqlite3session_create(db.Handle(), "main", &session);
  if (rc != SQLITE_OK) return MakeError(ErrorCodeFromSqlite(rc), std::string("cannot start a session: ") + sqlite3_errstr(rc));
  for (const std::string& table : SyncedTables()) {
    rc = sqlite3session_attach(session, table.c_str());
    if (rc != SQLITE_OK) {
      sqlite3session_delete(session);
      return MakeError(ErrorCodeFromSqlite(rc), "cannot attach a session to " + table + ": " + sqlite3_errstr(rc));
    }
  }
  return session;
}

Result<Bytes> SessionChangeset(sqlite3_session* session) {
  int size = 0;
  void* data = nullptr;
  int rc = sqlite3session_changeset(session, &size, &data);
  if (rc != SQLITE_OK) return MakeError(ErrorCodeFromSqlite(rc), std::string("cannot read the changes: ") + sqlite3_errstr(rc));
  Bytes bytes(static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
  sqlite3_free(data);
  return bytes;
}

// A pending (unconfirmed, not refused) changeset of this device.
struct Pending {
  int64_t position = 0;
  int64_t changesetId = 0;
  Bytes pushBytes;
  Bytes effectBytes;
  bool conflicted = false;  // its last re-application met conflicts
};

Result<std::vector<Pending>> LoadPending(Db& db) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT position, changeset_id, push_bytes, effect_bytes, reapplied_with_conflicts "
                                             "FROM sync_outbox WHERE refused IS NULL ORDER BY position"));
  std::vector<Pending> pending;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    pending.push_back(Pending{stmt.Int64(0), stmt.Int64(1), stmt.Blob(2), stmt.Blob(3), stmt.Int64(4) != 0});
  }
  return pending;
}

// Reverts pending changesets, newest first: afterwards the database holds the confirmed state.
Status RevertPending(Db& db, const std::vector<Pending>& pending) {
  for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
    if (it->effectBytes.empty()) continue;
    CRM_ASSIGN_OR_RETURN(Bytes inverse, Invert(it->effectBytes));
    Status reverted = ApplyExact(db, inverse.data(), inverse.size());
    if (!reverted) {
      return MakeError(ErrorCode::Corrupt, "a pending local change no longer matches the database (" + reverted.Message() +
                                               "); it was changed outside the sync engine");
    }
  }
  return Ok();
}

// Re-applies pending changesets on the current state with the policy, recording each one's new effect.
Status ReapplyPending(Db& db, const std::vector<Pending>& pending) {
  CRM_ASSIGN_OR_RETURN(Stmt update, db.Prepare("UPDATE sync_outbox SET effect_bytes = ?, reapplied_with_conflicts = ? "
                                               "WHERE position = ?"));
  for (const Pending& change : pending) {
    CRM_ASSIGN_OR_RETURN(ChangesetCapture capture, ChangesetCapture::Start(db, SyncedTables()));
    ApplyOrigin origin;  // not ordered yet: its conflicts are logged once the relay has placed it
    CRM_ASSIGN_OR_RETURN(ApplyResult applied, ApplyWithPolicy(db, change.pushBytes.data(), change.pushBytes.size(), origin));
    CRM_ASSIGN_OR_RETURN(Bytes effect, capture.Changeset());
    bool conflicted = !applied.conflicts.empty();
    if (effect == change.effectBytes && conflicted == change.conflicted) continue;
    update.Reset();
    update.BindBlob(1, effect.data(), effect.size()).Bind(2, conflicted ? 1 : 0).Bind(3, change.position);
    CRM_TRY(update.Run());
  }
  return Ok();
}

// Switches capture off for the replica's own writes, and back on however the scope ends.
class CaptureOff {
 public:
  explicit CaptureOff(bool& capturing) : m_capturing(capturing), m_was(capturing) { capturing = false; }
  ~CaptureOff() { m_capturing = m_was; }
  CaptureOff(const CaptureOff&) = delete;
  CaptureOff& operator=(const CaptureOff&) = delete;

 private:
  bool& m_capturing;
  bool m_was;
};

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] Capture: the transaction observer and the outbox

Result<std::unique_ptr<Replica>> Replica::Open(Db& db) {
  if (db.GetTxnObserver()) return MakeError(ErrorCode::Invalid, "this database already has a sync replica");
  CRM_ASSIGN_OR_RETURN(int version, SchemaVersion(db));
  if (version < LatestSchemaVersion()) return MakeError(ErrorCode::Schema, "migrate the database before syncing it");
  std::unique_ptr<Replica> replica(new Replica(db));
  CRM_ASSIGN_OR_RETURN(replica->m_deviceId, crm::DeviceId(db));
  CRM_TRY(replica->LoadState());
  CRM_TRY(replica->StartSession());
  db.SetTxnObserver(replica.get());
  return replica;
}

Replica::~Replica() {
  // Writes made outside a transaction through Db::Exec wait in the session: keep them.
  (void)Flush();
  if (m_db.GetTxnObserver() == this) m_db.SetTxnObserver(nullptr);
  StopSession();
}

Status Replica::LoadState() {
  CRM_ASSIGN_OR_RETURN(auto confirmed, GetSyncState(m_db, kStateConfirmedSeq));
  m_confirmedSeq = confirmed ? std::stoll(*confirmed) : 0;
  CRM_ASSIGN_OR_RETURN(int64_t last, m_db.QueryInt("SELECT ifnull(max(position), 0) FROM sync_outbox"));
  m_nextPosition = last + 1;
  CRM_ASSIGN_OR_RETURN(int64_t inbox, m_db.QueryInt("SELECT count(*) FROM sync_inbox"));
  m_stalled = inbox > 0;
  return Ok();
}

Status Replica::SaveConfirmedSeq() { return SetSyncState(m_db, kStateConfirmedSeq, std::to_string(m_confirmedSeq)); }

Status Replica::StartSession() {
  StopSession();
  CRM_ASSIGN_OR_RETURN(m_session, NewSyncedSession(m_db));
  return Ok();
}

void Replica::StopSession() {
  if (m_session) sqlite3session_delete(m_session);
  m_session = nullptr;
}

Status Replica::BeforeCommit(Db& db) {
  if (!m_capturing || !m_session || sqlite3session_isempty(m_session)) return Ok();
  CRM_ASSIGN_OR_RETURN(Bytes changeset, SessionChangeset(m_session));
  if (changeset.empty()) return Ok();  // changed and changed back within the transaction
  CRM_ASSIGN_OR_RETURN(Stmt insert, db.Prepare(
      "INSERT INTO sync_outbox(position, changeset_id, user_id, device_id, schema_version, created_at, push_bytes, "
      "effect_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.BindNext(m_nextPosition).BindNext(NewId()).BindNext(m_author).BindNext(m_deviceId);
  insert.BindNext(LatestSchemaVersion()).BindNext(NowMs());
  insert.BindBlob(7, changeset.data(), changeset.size()).BindBlob(8, changeset.data(), changeset.size());
  CRM_TRY(insert.Run());
  m_nextPosition++;  // given back in AfterEnd when the commit fails
  return Ok();
}

void Replica::AfterEnd(Db& db, bool committed) {
  if (!committed) {
    // A failed commit took the outbox row with it: its position is free again.
    auto last = db.QueryInt("SELECT ifnull(max(position), 0) FROM sync_outbox");
    if (last) m_nextPosition = last.Value() + 1;
  }
  // A session never forgets: the next transaction starts from nothing.
  if (m_session && !sqlite3session_isempty(m_session)) (void)StartSession();
}

Status Replica::Flush() {
  if (!m_session || sqlite3session_isempty(m_session) || m_db.InTransaction()) return Ok();
  CRM_ASSIGN_OR_RETURN(Txn txn, m_db.Begin());
  return txn.Commit();
}

// ---------------------------------------------------------------------------
// [SECTION] Push: batches, acknowledgements, refusals

Result<PushRequest> Replica::NextPush(const PushLimits& limits) {
  CRM_TRY(Flush());
  CRM_ASSIGN_OR_RETURN(Stmt stmt, m_db.Prepare(
      "SELECT changeset_id, user_id, device_id, schema_version, created_at, push_bytes FROM sync_outbox "
      "WHERE refused IS NULL AND acked_seq IS NULL ORDER BY position LIMIT ?"));
  stmt.Bind(1, static_cast<int64_t>(limits.maxChangesets));
  PushRequest request;
  size_t bytes = 0;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ChangesetEnvelope envelope;
    envelope.changesetId = stmt.Int64(0);
    envelope.userId = stmt.Int64(1);
    envelope.deviceId = stmt.Int64(2);
    envelope.schemaVersion = static_cast<int32_t>(stmt.Int64(3));
    envelope.createdAtMs = stmt.Int64(4);
    envelope.changeset = stmt.Blob(5);
    // Whole transactions only; one larger than the byte limit still travels, alone. One author per
    // push: the relay takes each person's changes only with that person's own sign-in.
    if (!request.changesets.empty() && bytes + envelope.changeset.size() > limits.maxBytes) break;
    if (!request.changesets.empty() && envelope.userId != request.changesets.front().userId) break;
    bytes += envelope.changeset.size();
    request.changesets.push_back(std::move(envelope));
    if (request.changesets.size() >= limits.maxChangesets) break;
  }
  return request;
}

Status Replica::OnPushed(const PushResponse& response) {
  CaptureOff off(m_capturing);
  CRM_ASSIGN_OR_RETURN(Txn txn, m_db.Begin());
  CRM_ASSIGN_OR_RETURN(Stmt stmt, m_db.Prepare("UPDATE sync_outbox SET acked_seq = ? WHERE changeset_id = ?"));
  for (const PushAck& ack : response.acks) {
    if (ack.seq <= 0) return MakeError(ErrorCode::Corrupt, "the relay acknowledged a change without a position");
    stmt.Reset();
    stmt.Bind(1, ack.seq).Bind(2, ack.changesetId);
    CRM_TRY(stmt.Run());
  }
  return txn.Commit();
}

Status Replica::OnRefused(const PushRefusal& refusal) {
  CRM_TRY(Flush());
  CaptureOff off(m_capturing);
  CRM_ASSIGN_OR_RETURN(Txn txn, m_db.Begin());
  CRM_ASSIGN_OR_RETURN(std::vector<Pending> pending, LoadPending(m_db));
  auto refused = std::find_if(pending.begin(), pending.end(),
                              [&](const Pending& p) { return p.changesetId == refusal.changesetId; });
  if (refused == pending.end()) return Ok();  // already confirmed or refused
  // Take it out from under the changes made after it: revert all, re-apply the others.
  CRM_TRY(RevertPending(m_db, pending));
  std::string reason = refusal.reason;
  if (!refusal.table.empty()) reason += " (" + refusal.table + (refusal.row.empty() ? "" : " " + refusal.row) + ")";
  CRM_ASSIGN_OR_RETURN(Stmt mark, m_db.Prepare("UPDATE sync_outbox SET refused = ? WHERE changeset_id = ?"));
  mark.Bind(1, reason.empty() ? std::string("refused by the relay") : reason).Bind(2, refusal.changesetId);
  CRM_TRY(mark.Run());
  pending.erase(refused);
  CRM_TRY(ReapplyPending(m_db, pending));
  return txn.Commit();
}

// ---------------------------------------------------------------------------
// [SECTION] Rebase: revert pending, apply remote in order, re-apply pending

namespace {

Status KeepInInbox(Db& db, const SequencedChangeset& changeset) {
  PullResponse one;
  one.changesets.push_back(changeset);
  Bytes encoded = EncodePull(one);
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("INSERT OR REPLACE INTO sync_inbox(seq, envelope) VALUES (?, ?)"));
  stmt.Bind(1, changeset.seq).BindBlob(2, encoded.data(), encoded.size());
  return stmt.Run();
}

}  // namespace

Result<PullReport> Replica::OnPulled(const std::vector<SequencedChangeset>& changesets) {
  PullReport report;
  // Nothing new (an empty pull, or a duplicate delivery): no rebase.
  bool anyNew = std::any_of(changesets.begin(), changesets.end(), [&](const SequencedChangeset& c) { return c.seq > m_confirmedSeq; });
  if (!anyNew) return report;
  CRM_TRY(Flush());
  CaptureOff off(m_capturing);
  int64_t confirmedBefore = m_confirmedSeq;
  bool stalledBefore = m_stalled;
  auto rebase = [&]() -> Status {
    CRM_ASSIGN_OR_RETURN(Txn txn, m_db.Begin());
    CRM_ASSIGN_OR_RETURN(std::vector<Pending> pending, LoadPending(m_db));
    CRM_ASSIGN_OR_RETURN(Stmt confirmOwn, m_db.Prepare("DELETE FROM sync_outbox WHERE changeset_id = ? AND device_id = ?"));
    // Fast path: this device's own changes coming back first, in the order they were made, are
    // already applied exactly as the relay's order applies them (each one's effect was computed on
    // the confirmed state plus the ones before it, which is what the relay's order has). Those
    // whose last re-application met conflicts take the full path, so the conflict log is the same
    // on every device.
    size_t next = 0;
    while (next < changesets.size() && changesets[next].seq <= m_confirmedSeq) next++;
    size_t mine = 0;
    while (next < changesets.size() && mine < pending.size() && !m_stalled) {
      const SequencedChangeset& remote = changesets[next];
      const Pending& own = pending[mine];
      if (remote.seq != m_confirmedSeq + 1 || remote.envelope.deviceId != m_deviceId ||
          remote.envelope.changesetId != own.changesetId || own.conflicted ||
          remote.envelope.schemaVersion > LatestSchemaVersion()) {
        break;
      }
      confirmOwn.Reset();
      confirmOwn.Bind(1, own.changesetId).Bind(2, m_deviceId);
      CRM_TRY(confirmOwn.Run());
      m_confirmedSeq = remote.seq;
      report.applied++;
      report.own++;
      mine++;
      next++;
    }
    pending.erase(pending.begin(), pending.begin() + static_cast<long>(mine));
    bool more = false;
    for (size_t i = next; i < changesets.size(); i++) more = more || changesets[i].seq > m_confirmedSeq;
    if (!more) {
      CRM_TRY(SaveConfirmedSeq());
      return txn.Commit();
    }
    CRM_TRY(RevertPending(m_db, pending));
    int64_t now = NowMs();
    for (size_t i = next; i < changesets.size(); i++) {
      const SequencedChangeset& remote = changesets[i];
      if (remote.seq <= m_confirmedSeq) continue;  // delivered twice
      if (remote.seq != m_confirmedSeq + 1) {
        return MakeError(ErrorCode::Corrupt, "the relay skipped from position " + std::to_string(m_confirmedSeq) + " to " +
                                                 std::to_string(remote.seq));
      }
      const ChangesetEnvelope& envelope = remote.envelope;
      // A change from a newer app, and everything after it, waits for an app update.
      if (!m_stalled && envelope.schemaVersion > LatestSchemaVersion()) m_stalled = true;
      if (!m_stalled) {
        ApplyOrigin origin{remote.seq, envelope.userId, envelope.deviceId, now, m_partial};
        auto applied = ApplyWithPolicy(m_db, envelope.changeset.data(), envelope.changeset.size(), origin);
        if (!applied && applied.Code() == ErrorCode::Schema) {
          m_stalled = true;
        } else if (!applied) {
          return MakeError(applied.Code(), "change " + std::to_string(remote.seq) + " from the relay: " + applied.Message());
        } else {
          CRM_TRY(RecordConflicts(m_db, applied.Value().conflicts));
          report.conflicts += static_cast<int>(applied.Value().conflicts.size());
        }
      }
      if (m_stalled) {
        CRM_TRY(KeepInInbox(m_db, remote));
        report.stalled = true;
        m_confirmedSeq = remote.seq;  // kept, in order: the inbox continues where the data stops
        continue;
      }
      report.applied++;
      if (envelope.deviceId == m_deviceId) {
        auto own = std::find_if(pending.begin(), pending.end(),
                                [&](const Pending& p) { return p.changesetId == envelope.changesetId; });
        if (own != pending.end()) {
          pending.erase(own);
          report.own++;
        }
        confirmOwn.Reset();
        confirmOwn.Bind(1, envelope.changesetId).Bind(2, envelope.deviceId);
        CRM_TRY(confirmOwn.Run());
      }
      m_confirmedSeq = remote.seq;
    }
    CRM_TRY(ReapplyPending(m_db, pending));
    CRM_TRY(SaveConfirmedSeq());
    return txn.Commit();
  };
  Status done = rebase();
  if (!done) {
    m_confirmedSeq = confirmedBefore;
    m_stalled = stalledBefore;
    return done.GetError();
  }
  return report;
}

Result<PullReport> Replica::RetryInbox() {
  if (!m_stalled) return PullReport{};
  std::vector<SequencedChangeset> kept;
  {
    CRM_ASSIGN_OR_RETURN(Stmt stmt, m_db.Prepare("SELECT envelope FROM sync_inbox ORDER BY seq"));
    for (;;) {
      CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      Bytes bytes = stmt.Blob(0);
      CRM_ASSIGN_OR_RETURN(PullResponse decoded, DecodePull(bytes));
      for (SequencedChangeset& changeset : decoded.changesets) kept.push_back(std::move(changeset));
    }
  }
  if (kept.empty()) {
    m_stalled = false;
    return PullReport{};
  }
  // The inbox starts right after the applied data: step back to it and apply the kept changes in order.
  int64_t confirmedBefore = m_confirmedSeq;
  {
    CaptureOff off(m_capturing);
    CRM_ASSIGN_OR_RETURN(Txn txn, m_db.Begin());
    CRM_TRY(m_db.Exec("DELETE FROM sync_inbox"));
    m_confirmedSeq = kept.front().seq - 1;
    CRM_TRY(SaveConfirmedSeq());
    CRM_TRY(txn.Commit());
  }
  m_stalled = false;
  auto report = OnPulled(kept);
  if (!report) {
    // Back to the kept state: nothing is lost.
    CaptureOff off(m_capturing);
    m_confirmedSeq = confirmedBefore;
    CRM_ASSIGN_OR_RETURN(Txn txn, m_db.Begin());
    for (const SequencedChangeset& changeset : kept) CRM_TRY(KeepInInbox(m_db, changeset));
    CRM_TRY(SaveConfirmedSeq());
    CRM_TRY(txn.Commit());
    m_stalled = true;
  }
  return report;
}

Result<ScopeRequest> Replica::ScopeQuestion() {
  ScopeRequest question;
  CRM_ASSIGN_OR_RETURN(question.heldCustomers, HeldCustomers(m_db));
  CRM_ASSIGN_OR_RETURN(auto since, GetSyncState(m_db, kStateScopeSince));
  if (since) question.since = std::strtoll(since->c_str(), nullptr, 10);
  return question;
}

Status Replica::NoteScopeMismatch(int64_t first) {
  if (first < 1) return Ok();
  CRM_ASSIGN_OR_RETURN(auto since, GetSyncState(m_db, kStateScopeSince));
  if (since && std::strtoll(since->c_str(), nullptr, 10) <= first) return Ok();
  return SetSyncState(m_db, kStateScopeSince, std::to_string(first));
}

Result<bool> Replica::ApplyScope(const ScopeResponse& answer) {
  if (answer.seq != m_confirmedSeq || m_stalled) return false;
  CRM_ASSIGN_OR_RETURN(int64_t pending, PendingCount());
  if (pending > 0) return false;
  CRM_TRY(Flush());
  CaptureOff off(m_capturing);
  AuditPause quiet(m_db);
  CRM_ASSIGN_OR_RETURN(Txn txn, m_db.Begin());
  // Entering customers go first as well: rows of theirs that arrived before them (an activity pulled
  // while the customer itself was not here) are replaced by the relay's whole, current set.
  std::vector<int64_t> dropped = answer.leave;
  dropped.insert(dropped.end(), answer.enter.begin(), answer.enter.end());
  CRM_TRY(DropCustomers(m_db, dropped));
  CRM_TRY(DropRowsOfAbsentCustomers(m_db));
  if (!answer.rows.empty()) {
    CRM_TRY(CheckChangesetFormat(answer.rows.data(), answer.rows.size()));
    ApplyOrigin origin{answer.seq, 0, 0, NowMs()};
    // What conflicts remain are rows this device should not have had; nothing anybody changed is lost.
    CRM_TRY(ApplyWithPolicy(m_db, answer.rows.data(), answer.rows.size(), origin));
  }
  CRM_TRY(m_db.Exec(std::string("DELETE FROM sync_state WHERE key = '") + kStateScopeSince + "'"));
  CRM_TRY(txn.Commit());
  return true;
}

Result<int64_t> Replica::PendingCount() { return m_db.QueryInt("SELECT count(*) FROM sync_outbox WHERE refused IS NULL"); }
Result<int64_t> Replica::UnackedCount() {
  return m_db.QueryInt("SELECT count(*) FROM sync_outbox WHERE refused IS NULL AND acked_seq IS NULL");
}
Result<int64_t> Replica::RefusedCount() { return m_db.QueryInt("SELECT count(*) FROM sync_outbox WHERE refused IS NOT NULL"); }

Status Replica::RecordContact(int64_t nowMs) { return RecordRelayContact(m_db, nowMs); }

Status Replica::FillStatus(SyncStatus& status) {
  CRM_ASSIGN_OR_RETURN(status.pending, PendingCount());
  CRM_ASSIGN_OR_RETURN(status.refused, RefusedCount());
  CRM_ASSIGN_OR_RETURN(status.unseenConflicts, CountUnseenConflicts(m_db));
  status.confirmedSeq = m_confirmedSeq;
  CRM_ASSIGN_OR_RETURN(DirectoryPosition directory, LocalDirectoryPosition(m_db));
  status.directorySeq = directory.seq;
  status.needsAppUpdate = m_stalled;
  return Ok();
}

namespace {
// "customers: 1 updated; audit_log: 2 added", and the first customer touched.
void Summarize(const Bytes& changeset, RefusedChange& change) {
  std::vector<std::pair<std::string, std::array<int, 3>>> tables;  // added, updated, removed
  sqlite3_changeset_iter* iter = nullptr;
  if (sqlite3changeset_start(&iter, static_cast<int>(changeset.size()), const_cast<uint8_t*>(changeset.data())) != SQLITE_OK) return;
  while (sqlite3changeset_next(iter) == SQLITE_ROW) {
    const char* name = nullptr;
    int columns = 0, op = 0;
    sqlite3changeset_op(iter, &name, &columns, &op, nullptr);
    if (tables.empty() || tables.back().first != name) tables.push_back({name, {0, 0, 0}});
    tables.back().second[op == SQLITE_INSERT ? 0 : op == SQLITE_UPDATE ? 1 : 2]++;
    if (!change.customerId && std::string(name) == "customers") {
      sqlite3_value* key = nullptr;
      if (op == SQLITE_INSERT) sqlite3changeset_new(iter, 0, &key);
      else sqlite3changeset_old(iter, 0, &key);
      if (key && sqlite3_value_type(key) == SQLITE_INTEGER) change.customerId = sqlite3_value_int64(key);
    }
  }
  sqlite3changeset_finalize(iter);
  static const char* kVerbs[] = {"added", "updated", "removed"};
  for (const auto& [table, counts] : tables) {
    for (int i = 0; i < 3; i++) {
      if (!counts[static_cast<size_t>(i)]) continue;
      if (!change.summary.empty()) change.summary += "; ";
      change.summary += table + ": " + std::to_string(counts[static_cast<size_t>(i)]) + " " + kVerbs[i];
    }
  }
}
}  // namespace

Result<std::vector<RefusedChange>> ListRefused(Db& db, int limit) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT changeset_id, user_id, created_at, refused, push_bytes FROM sync_outbox "
                                             "WHERE refused IS NOT NULL ORDER BY position DESC LIMIT ?"));
  stmt.Bind(1, static_cast<int64_t>(limit));
  std::vector<RefusedChange> refused;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    RefusedChange change;
    change.changesetId = stmt.Int64(0);
    change.userId = stmt.Int64(1);
    change.createdAtMs = stmt.Int64(2);
    change.reason = stmt.String(3);
    Summarize(stmt.Blob(4), change);
    refused.push_back(std::move(change));
  }
  return refused;
}

// ---------------------------------------------------------------------------
// [SECTION] Bootstrap from a snapshot

namespace {

// Copies every row of `table` between two connections with the same table definition.
Status CopyTable(Db& from, Db& to, const std::string& table) {
  CRM_TRY(to.Exec("DELETE FROM \"" + table + "\""));
  CRM_ASSIGN_OR_RETURN(Stmt select, from.PrepareOnce("SELECT * FROM \"" + table + "\""));
  int columns = select.ColumnCount();
  // By name: the two sides agree on columns, not necessarily on their order.
  std::string names, placeholders;
  for (int i = 0; i < columns; i++) {
    names += std::string(i ? "," : "") + "\"" + select.ColumnName(i) + "\"";
    placeholders += i ? ",?" : "?";
  }
  CRM_ASSIGN_OR_RETURN(Stmt insert, to.PrepareOnce("INSERT INTO \"" + table + "\"(" + names + ") VALUES (" + placeholders + ")"));
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    insert.Reset();
    for (int i = 0; i < columns; i++) {
      switch (select.Type(i)) {
        case ValueType::Integer: insert.Bind(i + 1, select.Int64(i)); break;
        case ValueType::Real: insert.Bind(i + 1, select.Double(i)); break;
        case ValueType::Text: insert.Bind(i + 1, select.Text(i)); break;
        case ValueType::Blob: {
          std::vector<uint8_t> bytes = select.Blob(i);
          insert.BindBlob(i + 1, bytes.data(), bytes.size());
          break;
        }
        case ValueType::Null: insert.Bind(i + 1, Null{}); break;
      }
    }
    CRM_TRY(insert.Run());
  }
  return Ok();
}

Result<std::vector<std::string>> LocalTables(Db& db) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.PrepareOnce("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                                 "ORDER BY name"));
  std::vector<std::string> tables;
  const auto& synced = SyncedTables();
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    std::string name = stmt.String(0);
    if (IsDerivedTable(name) || std::find(synced.begin(), synced.end(), name) != synced.end()) continue;
    tables.push_back(std::move(name));
  }
  return tables;
}

}  // namespace

Result<Db> BootstrapFromSnapshot(Db& current, const SnapshotResponse& snapshot) {
  if (snapshot.schemaVersion > LatestSchemaVersion()) {
    return MakeError(ErrorCode::Schema, "the organisation's data was written by a newer app (schema " +
                                            std::to_string(snapshot.schemaVersion) + "): update the app");
  }
  CRM_ASSIGN_OR_RETURN(int64_t unacknowledged,
                       current.QueryInt("SELECT count(*) FROM sync_outbox WHERE refused IS NULL AND acked_seq IS NULL"));
  if (unacknowledged > 0) {
    return MakeError(ErrorCode::Invalid, std::to_string(unacknowledged) +
                                             " local changes have not reached the relay yet: push them before loading a snapshot");
  }
  SqliteBuffer image = SqliteBuffer::Allocate(snapshot.image.size());
  if (image.empty() && !snapshot.image.empty()) return MakeError(ErrorCode::Full, "not enough memory for the snapshot");
  if (!snapshot.image.empty()) std::memcpy(image.data(), snapshot.image.data(), snapshot.image.size());
  CRM_ASSIGN_OR_RETURN(Db next, Db::OpenMemory());
  CRM_TRY(LoadImage(next, std::move(image)));
  CRM_ASSIGN_OR_RETURN(int64_t intact, next.QueryInt("SELECT count(*) FROM pragma_quick_check WHERE quick_check <> 'ok'"));
  if (intact != 0) return MakeError(ErrorCode::Corrupt, "the snapshot from the relay is damaged");
  CRM_TRY(Migrate(next));
  CRM_ASSIGN_OR_RETURN(std::vector<std::string> local, LocalTables(current));
  CRM_ASSIGN_OR_RETURN(Txn txn, next.Begin());
  for (const std::string& table : local) CRM_TRY(CopyTable(current, next, table));
  CRM_TRY(SetSyncState(next, kStateConfirmedSeq, std::to_string(snapshot.seq)));
  // What the snapshot holds is confirmed; the rest of this device's changes go on top again.
  CRM_ASSIGN_OR_RETURN(Stmt drop, next.Prepare("DELETE FROM sync_outbox WHERE refused IS NULL AND acked_seq <= ?"));
  drop.Bind(1, snapshot.seq);
  CRM_TRY(drop.Run());
  CRM_ASSIGN_OR_RETURN(std::vector<Pending> pending, LoadPending(next));
  CRM_TRY(ReapplyPending(next, pending));
  CRM_TRY(txn.Commit());
  // The relay's copy keeps no planner statistics (it must stay the same bytes for the same log).
  (void)RefreshPlannerStatistics(next);
  return next;
}

// ---------------------------------------------------------------------------
// [SECTION] Canonical dump

Result<std::string> CanonicalDump(Db& db, const std::vector<int64_t>* customers) {
  std::string held;
  if (customers) {
    for (int64_t id : *customers) held += (held.empty() ? "" : ",") + std::to_string(id);
  }
  std::string out;
  for (const std::string& table : SyncedTables()) {
    CRM_ASSIGN_OR_RETURN(Stmt key, db.PrepareOnce("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk"));
    key.Bind(1, table);
    std::string order;
    for (;;) {
      CRM_ASSIGN_OR_RETURN(bool row, key.Step());
      if (!row) break;
      order += (order.empty() ? "" : ", ") + ("\"" + key.String(0) + "\"");
    }
    out += "== " + table + "\n";
    std::string where;
    const RecordType* type = FindRecordType(table);
    if (customers && type && type->scopeColumn) {
      where = std::string(" WHERE ") + (type->access == Access::Customer ? "" : std::string(type->scopeColumn) + " IS NULL OR ") +
              type->scopeColumn + " IN (" + held + ")";
    }
    CRM_ASSIGN_OR_RETURN(Stmt select, db.PrepareOnce("SELECT * FROM \"" + table + "\"" + where + " ORDER BY " + order));
    int columns = select.ColumnCount();
    for (;;) {
      CRM_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      for (int i = 0; i < columns; i++) {
        if (i) out += '|';
        // Typed and unambiguous: integers and reals bare (reals exact), 'text', x'blob', NULL.
        switch (select.Type(i)) {
          case ValueType::Integer: out += std::to_string(select.Int64(i)); break;
          case ValueType::Real: {
            char buffer[32];
            std::snprintf(buffer, sizeof buffer, "%.17g", select.Double(i));
            out += buffer;
            break;
          }
          case ValueType::Text: out += "'" + select.String(i) + "'"; break;
          case ValueType::Blob: {
            static const char* kHex = "0123456789abcdef";
            out += "x'";
            for (uint8_t byte : select.Blob(i)) {
              out += kHex[byte >> 4];
              out += kHex[byte & 15];
            }
            out += "'";
            break;
          }
          case ValueType::Null: out += "NULL"; break;
        }
      }
      out += '\n';
    }
  }
  return out;
}

}  // namespace crm::sync
