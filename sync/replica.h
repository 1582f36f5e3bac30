#pragma once
// One device's side of sync, on its database: every committed local
// transaction becomes one changeset in the outbox (same commit); pushes send
// whole transactions; remote changesets are applied in the relay's order by
// rebasing (revert the pending local ones, apply the remote ones with the
// conflict policy, re-apply the pending ones and record their new effect).
//
// Invariant: the database = the confirmed state (the relay's log up to
// ConfirmedSeq(), folded with the policy) + the effects of the pending
// changesets, in capture order. Reverting them therefore applies exactly.
//
// No I/O here: SyncClient (sync/client.h) moves the bytes.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/db.h"
#include "core/directory.h"
#include "sync/status.h"
#include "sync/transport.h"
#include "sync/wire.h"

struct sqlite3_session;

namespace crm::sync {

struct PushLimits {
  size_t maxChangesets = 500;
  size_t maxBytes = 8u << 20;  // a single larger transaction still goes, alone
};

struct PullReport {
  int applied = 0;     // remote changesets applied
  int own = 0;         // of which this device's own, now confirmed
  int conflicts = 0;   // entries added to the conflict log
  bool stalled = false;  // stopped at a changeset from a newer app (kept in the inbox)
};

class Replica final : public TxnObserver {
 public:
  // Starts capturing on `db` (migrated). The replica registers itself as the database's
  // transaction observer until it is destroyed; one replica per database.
  static Result<std::unique_ptr<Replica>> Open(Db& db);
  ~Replica() override;
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  // The person signed in: every captured changeset names them.
  void SetAuthor(int64_t userId) { m_author = userId; }
  int64_t Author() const { return m_author; }
  int64_t DeviceId() const { return m_deviceId; }

  // TxnObserver: a top-level transaction's changes go to the outbox in the same commit.
  Status BeforeCommit(Db& db) override;
  void AfterEnd(Db& db, bool committed) override;
  // Changes written outside any transaction wait for the next one; this captures them now.
  Status Flush();

  // The next changesets to push, oldest first: whole transactions, and one author's only (the push goes
  // with that person's own sign-in).
  Result<PushRequest> NextPush(const PushLimits& limits = {});
  Status OnPushed(const PushResponse& response);
  // The relay refused a changeset: its effect is taken back here, the row kept (refused) to show why.
  Status OnRefused(const PushRefusal& refusal);

  int64_t ConfirmedSeq() const { return m_confirmedSeq; }
  // Applies remote changesets that follow ConfirmedSeq() (duplicates at or below it are skipped; a
  // gap is an error). One transaction: all of it or nothing.
  Result<PullReport> OnPulled(const std::vector<SequencedChangeset>& changesets);
  // Changesets kept from a newer app: retried (after an app update, at start).
  Result<PullReport> RetryInbox();

  // A scoped device (core/scope.h): the customers it holds, to ask the relay how they differ from its scope.
  Result<ScopeRequest> ScopeQuestion();
  // A pull from position `first` on was cut to a scope this device's holding did not match: kept (the
  // earliest) until a scope answer has been applied, so customers that may have missed changes come again.
  Status NoteScopeMismatch(int64_t first);
  // The relay's answer: customers that left the scope are dropped from this device, those that entered
  // arrive with every row (replacing any row of theirs already here). Applied only at the answer's
  // position with nothing pending (every local change pushed and confirmed first); false otherwise.
  Result<bool> ApplyScope(const ScopeResponse& answer);
  // Whether the relay cuts this device's pulls to a read scope (it says so with each pull's digest).
  void SetPartial(bool partial) { m_partial = partial; }
  bool Stalled() const { return m_stalled; }

  // The relay answered at `nowMs` (sync/offline_lock.h: a device away too long locks).
  Status RecordContact(int64_t nowMs);
  // The company directory this device keeps beside its data (core/directory.h): where it stands, and a page
  // of the relay's answer stored. Local-only tables: nothing here is captured or pushed.
  Result<DirectoryPosition> Directory() { return LocalDirectoryPosition(m_db); }
  Status StoreDirectory(const DirectoryPage& page) { return StoreDirectoryPage(m_db, page); }

  // Local counts for the status bar.
  Result<int64_t> PendingCount();
  Result<int64_t> UnackedCount();
  Result<int64_t> RefusedCount();
  // Fills the fields the replica knows.
  Status FillStatus(SyncStatus& status);

 private:
  explicit Replica(Db& db) : m_db(db) {}
  Status StartSession();
  void StopSession();
  Status LoadState();
  Status SaveConfirmedSeq();

  Db& m_db;
  sqlite3_session* m_session = nullptr;
  bool m_capturing = true;  // off while the replica applies remote changes itself
  int64_t m_author = 0;
  int64_t m_deviceId = 0;
  int64_t m_nextPosition = 1;
  int64_t m_confirmedSeq = 0;
  bool m_stalled = false;
  bool m_partial = false;  // the last pull was cut to a read scope (ApplyOrigin::partial)
};

// The state a new (or emptied) device starts from: a new database holding the
// snapshot's organisation data, this device's local tables copied from `current`
// (accounts, device id, outbox, conflict log), ConfirmedSeq() = snapshot.seq, and
// pending changes the snapshot does not contain re-applied on top. Every pending
// change must have been acknowledged first (push before bootstrapping), so the
// snapshot's seq tells which ones it already holds.
Result<Db> BootstrapFromSnapshot(Db& current, const SnapshotResponse& snapshot);

// A local change the relay refused: taken back on this device, kept to show the person what and why.
struct RefusedChange {
  int64_t changesetId = 0;
  int64_t userId = 0;
  int64_t createdAtMs = 0;
  std::string reason;
  std::string summary;  // what it changed, e.g. "customers: 1 updated; audit_log: 2 added"
  std::optional<int64_t> customerId;  // the first customer it touched, to open
};
Result<std::vector<RefusedChange>> ListRefused(Db& db, int limit = 100);

// The synced tables as canonical text (tables in order, rows by key), for checking
// that replicas converged. With `customers`, only the rows a device holding those customers holds
// (core/scope.h: the rows that follow them, and the rows of no customer).
Result<std::string> CanonicalDump(Db& db, const std::vector<int64_t>* customers = nullptr);

}  // namespace crm::sync
