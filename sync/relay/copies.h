#pragma once
// The relay's materialized copy of each organisation: an SQLite database made
// with core's Migrate, to which the relay applies its own log with the same
// conflict policy as every device (sync::ApplyWithPolicy). Pushes are checked
// against it, snapshots are served from it, and it can always be rebuilt from
// the log: delete the file and the next use replays the log into a new one.
//
// Also the point where pushes are ordered: Accept checks a push against the
// copy, appends it to the store's log (one writer per organisation at a time,
// across processes on PostgreSQL) and wakes the pulls that wait for it.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/db.h"
#include "sync/relay/metrics.h"
#include "sync/relay/push_check.h"
#include "sync/relay/store.h"
#include "sync/wire.h"

namespace crm::relay {

struct AcceptOutcome {
  std::vector<sync::PushAck> acks;  // one per pushed changeset, in the push's order
  int64_t headSeq = 0;
  int accepted = 0;                 // newly logged (the rest were retries)
  std::optional<Refusal> refusal;   // set: nothing was stored
};

class OrgCopies {
 public:
  // Takes an exclusive lock on `dir` (one relay process per folder of copies). At most `maxOpen`
  // copies stay open; the least recently used idle ones are closed beyond that.
  static Result<std::unique_ptr<OrgCopies>> Open(Store& store, const std::string& dir, Metrics& metrics, size_t maxOpen = 256);
  ~OrgCopies();
  OrgCopies(const OrgCopies&) = delete;
  OrgCopies& operator=(const OrgCopies&) = delete;

  // Checks every changeset (pushed by `deviceId`) against the copy, then logs them; all or nothing.
  // Changesets the log has already (same device and changeset id) get their earlier seq again.
  Result<AcceptOutcome> Accept(int64_t orgId, int64_t deviceId, const std::vector<sync::ChangesetEnvelope>& changesets);

  // A change the relay makes for `userId` (admin actions): `change` runs on the copy and is
  // captured, rolled back, then checked and logged like a push from device 0.
  Result<AcceptOutcome> AcceptRelayChange(int64_t orgId, int64_t userId, const std::function<Status(Db&)>& change);

  // Runs `read` on the copy, caught up with the log, under the organisation's lock.
  Status WithCopy(int64_t orgId, const std::function<Status(Db& copy, int64_t seq)>& read);

  // The copy as an SQLite file image, at a seq it is consistent with.
  Result<sync::SnapshotResponse> Snapshot(int64_t orgId);

  // Whether the user is a live, active member of the organisation (as of the copy, caught up with
  // the log when the head moved): a deactivated user's token no longer reads or writes anything.
  Result<bool> MayAct(int64_t orgId, int64_t userId);

  // Blocks until the organisation's head passes `afterSeq`, the deadline, or Shutdown.
  // Returns the head as last known.
  int64_t WaitForHead(int64_t orgId, int64_t afterSeq, std::chrono::steady_clock::time_point deadline);
  // Another process appended (PostgreSQL notifications).
  void NoteHead(int64_t orgId, int64_t head);
  // Wakes every waiting pull; waits return at once from now on.
  void Shutdown();

  std::string Dir() const { return m_dir; }
  // Where the copy of an organisation lives.
  std::string PathOf(int64_t orgId) const;

 private:
  struct OrgState {
    std::mutex copyMutex;  // the copy, and appends to the organisation's log from this process
    std::unique_ptr<Db> copy;
    int64_t copySeq = 0;
    int64_t lastUsed = 0;  // for closing idle copies (under copyMutex)
    std::mutex headMutex;
    std::condition_variable headCv;
    int64_t knownHead = -1;
    std::set<int64_t> activeUsers;  // under headMutex, as of activeAtSeq
    int64_t activeAtSeq = -1;
  };

  OrgCopies(Store& store, std::string dir, Metrics& metrics, int lockFd);
  std::shared_ptr<OrgState> State(int64_t orgId);
  Status EnsureOpen(OrgState& state, int64_t orgId);
  // Closes the least recently used idle copies beyond m_maxOpen (three files each: db, -wal, -shm).
  void CloseIdleCopies(int64_t keepOrgId);
  Status Reset(OrgState& state, int64_t orgId);
  Status CatchUp(OrgState& state, int64_t orgId, LogWriter* writer);
  // Reads the active users from the copy (under copyMutex) into the state.
  void RememberActiveUsers(OrgState& state);
  Result<AcceptOutcome> AcceptLocked(OrgState& state, int64_t orgId, int64_t deviceId,
                                     const std::vector<sync::ChangesetEnvelope>& changesets);

  Store& m_store;
  std::string m_dir;
  Metrics& m_metrics;
  int m_lockFd = -1;
  std::mutex m_mutex;
  std::map<int64_t, std::shared_ptr<OrgState>> m_orgs;
  std::atomic<bool> m_shutdown{false};
  size_t m_maxOpen = 256;
};

}  // namespace crm::relay
