#include "sync/relay/copies.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/conflicts.h"
#include "core/ids.h"
#include "core/schema.h"
#include "sync/apply.h"
#include "sync/changeset.h"
#include "sync/link.h"
#include "sync/relay/log.h"

namespace crm::relay {

namespace {

constexpr int kCatchUpPage = 500;
constexpr int kAcceptAttempts = 8;

Status ApplyEntry(Db& copy, const LogEntry& entry) {
  const auto& envelope = entry.envelope;
  sync::ApplyOrigin origin{entry.seq, envelope.userId, envelope.deviceId, entry.acceptedAtMs};
  CRM_ASSIGN_OR_RETURN(sync::ApplyResult applied,
                       sync::ApplyWithPolicy(copy, envelope.changeset.data(), envelope.changeset.size(), origin));
  return RecordConflicts(copy, applied.conflicts);
}

// A device none of whose people is active any more is revoked, without keeping unsent changes: its
// data belongs to the company, and nobody is left who may see it (docs/PROTOCOL.md, "Admin").
void RevokeUnattendedDevices(Db& copy, Store& store, int64_t orgId, int64_t stoppedUserId) {
  std::set<int64_t> active;
  if (auto stmt = copy.Prepare("SELECT id FROM users WHERE active = 1 AND deleted_at IS NULL")) {
    while (stmt.Value().Step().ValueOr(false)) active.insert(stmt.Value().Int64(0));
  }
  auto holders = store.DeviceHolders(orgId, stoppedUserId);
  if (!holders) {
    Log("error", "cannot read the devices of a deactivated user", {{"org", std::to_string(orgId)}, {"error", holders.Message()}});
    return;
  }
  for (const auto& [deviceId, users] : holders.Value()) {
    bool attended = std::any_of(users.begin(), users.end(), [&](int64_t user) { return active.count(user) > 0; });
    if (attended) continue;
    if (auto revoked = store.RevokeDevice(orgId, deviceId, /*keepUnsent=*/false, NowMs()); !revoked) {
      Log("error", "cannot revoke the device of a deactivated user", {{"org", std::to_string(orgId)}, {"device", std::to_string(deviceId)},
                                                                      {"error", revoked.Message()}});
      continue;
    }
    Log("info", "device revoked: no active user left on it", {{"org", std::to_string(orgId)}, {"device", std::to_string(deviceId)}});
  }
}

// Ends the sign-ins of the users that the changes just committed to the copy stopped, and revokes the
// devices they leave without an active user.
void RevokeStoppedUsers(Db& copy, Store& store, int64_t orgId) {
  std::vector<int64_t> stopped;
  if (auto stmt = copy.Prepare("SELECT DISTINCT user_id FROM temp.relay_users_stopped")) {
    while (stmt.Value().Step().ValueOr(false)) stopped.push_back(stmt.Value().Int64(0));
  }
  (void)copy.Exec("DELETE FROM temp.relay_users_stopped");
  for (int64_t userId : stopped) {
    if (auto revoked = store.RevokeUserTokens(orgId, userId, NowMs()); !revoked) {
      Log("error", "cannot end the sign-ins of a deactivated user", {{"org", std::to_string(orgId)}, {"user", std::to_string(userId)},
                                                                   {"error", revoked.Message()}});
    }
    RevokeUnattendedDevices(copy, store, orgId, userId);
  }
}

Status SetCopyValue(Db& copy, const char* key, int64_t value) { return sync::SetSyncState(copy, key, std::to_string(value)); }

Result<std::optional<int64_t>> CopyValue(Db& copy, const char* key) {
  CRM_ASSIGN_OR_RETURN(std::optional<std::string> value, sync::GetSyncState(copy, key));
  if (!value) return std::optional<int64_t>();
  return std::optional<int64_t>(std::strtoll(value->c_str(), nullptr, 10));
}

Result<Db> OpenCopyFile(const std::string& path, int64_t orgId) {
  CRM_ASSIGN_OR_RETURN(Db copy, Db::Open(path));
  // The copy can be rebuilt from the log, so it need not be synced to disk on every commit.
  // secure_delete zeroes freed space: otherwise leftover bytes in reused pages depend on how the log
  // was grouped into transactions, and copies built from one log would differ on disk.
  // The statement journal of the per-changeset savepoints stays in memory (temp_store): on disk it
  // cost a write of every page a changeset touched.
  // Checkpoints every 8000 pages rather than 1000: a copy's pushes rewrite the same index and
  // search-index pages again and again, and a checkpoint in the request path cost a seventh of a push.
  CRM_TRY(copy.Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON; "
                    "PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 8000"));
  CRM_TRY(Migrate(copy));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> owner, CopyValue(copy, "relay.org"));
  if (owner && *owner != orgId) {
    return MakeError(ErrorCode::Corrupt, "the copy " + path + " belongs to organisation " + std::to_string(*owner));
  }
  if (!owner) CRM_TRY(SetCopyValue(copy, "relay.org", orgId));
  // Users a change deactivates or removes, noted on this connection only: their sign-ins end when the
  // push that stops them is accepted (RevokeStoppedUsers), so a later reactivation does not revive them.
  CRM_TRY(copy.Exec(
      "CREATE TEMP TABLE IF NOT EXISTS relay_users_stopped (user_id INTEGER NOT NULL);"
      "CREATE TEMP TRIGGER IF NOT EXISTS relay_user_stopped AFTER UPDATE OF active, deleted_at ON main.users "
      "WHEN old.active = 1 AND old.deleted_at IS NULL AND (new.active IS NOT 1 OR new.deleted_at IS NOT NULL) "
      "BEGIN INSERT INTO relay_users_stopped VALUES (old.id); END;"
      "CREATE TEMP TRIGGER IF NOT EXISTS relay_user_removed AFTER DELETE ON main.users "
      "BEGIN INSERT INTO relay_users_stopped VALUES (old.id); END;"));
  return copy;
}

}  // namespace

Result<std::unique_ptr<OrgCopies>> OrgCopies::Open(Store& store, const std::string& dir, Metrics& metrics, size_t maxOpen) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return MakeError(ErrorCode::Storage, "cannot create the folder of copies " + dir + ": " + error.message());
  std::string lockPath = (std::filesystem::path(dir) / "relay.lock").string();
  int fd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return MakeError(ErrorCode::Storage, "cannot open " + lockPath);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return MakeError(ErrorCode::Conflict, "another relay process uses the copies in " + dir +
                                              " (each relay process needs its own folder: --copies DIR)");
  }
  auto copies = std::unique_ptr<OrgCopies>(new OrgCopies(store, dir, metrics, fd));
  copies->m_maxOpen = std::max<size_t>(1, maxOpen);
  return copies;
}

OrgCopies::OrgCopies(Store& store, std::string dir, Metrics& metrics, int lockFd)
    : m_store(store), m_dir(std::move(dir)), m_metrics(metrics), m_lockFd(lockFd) {}

OrgCopies::~OrgCopies() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_orgs.clear();
  }
  if (m_lockFd >= 0) ::close(m_lockFd);
}

std::string OrgCopies::PathOf(int64_t orgId) const {
  return (std::filesystem::path(m_dir) / ("org-" + std::to_string(orgId) + ".db")).string();
}

std::shared_ptr<OrgCopies::OrgState> OrgCopies::State(int64_t orgId) {
  std::lock_guard<std::mutex> lock(m_mutex);
  auto& state = m_orgs[orgId];
  if (!state) state = std::make_shared<OrgState>();
  return state;
}

Status OrgCopies::EnsureOpen(OrgState& state, int64_t orgId) {
  state.lastUsed = NowMs();
  if (state.copy) return Ok();
  CloseIdleCopies(orgId);
  auto copy = OpenCopyFile(PathOf(orgId), orgId);
  if (!copy) {
    Log("warn", "copy unusable, rebuilding it from the log", {{"org", std::to_string(orgId)}, {"error", copy.Message()}});
    return Reset(state, orgId);
  }
  auto seq = CopyValue(copy.Value(), "relay.seq");
  if (!seq) return seq.GetError();
  state.copy = std::make_unique<Db>(std::move(copy).Value());
  state.copySeq = seq.Value().value_or(0);
  return Ok();
}

void OrgCopies::CloseIdleCopies(int64_t keepOrgId) {
  std::vector<std::pair<int64_t, std::shared_ptr<OrgState>>> open;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (auto& [id, state] : m_orgs) {
      if (id != keepOrgId) open.emplace_back(id, state);
    }
  }
  std::vector<std::pair<int64_t, std::shared_ptr<OrgState>>> idle;
  size_t count = 0;
  for (auto& [id, state] : open) {
    std::unique_lock<std::mutex> lock(state->copyMutex, std::try_to_lock);
    if (!lock.owns_lock()) {
      count++;  // in use: open, and not ours to close
      continue;
    }
    if (state->copy) {
      count++;
      idle.emplace_back(state->lastUsed, state);
    }
  }
  if (count < m_maxOpen) return;
  std::sort(idle.begin(), idle.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < idle.size() && count >= m_maxOpen; i++) {
    std::unique_lock<std::mutex> lock(idle[i].second->copyMutex, std::try_to_lock);
    if (!lock.owns_lock() || !idle[i].second->copy) continue;
    idle[i].second->copy.reset();  // reopened (and caught up) on next use
    count--;
  }
}

Status OrgCopies::Reset(OrgState& state, int64_t orgId) {
  state.copy.reset();
  state.copySeq = 0;
  std::string path = PathOf(orgId);
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::error_code ignored;
    std::filesystem::remove(path + suffix, ignored);
  }
  CRM_ASSIGN_OR_RETURN(Db copy, OpenCopyFile(path, orgId));
  state.copy = std::make_unique<Db>(std::move(copy));
  return Ok();
}

Status OrgCopies::CatchUp(OrgState& state, int64_t orgId, LogWriter* writer) {
  int64_t head = 0;
  if (writer) {
    head = writer->Head();
  } else {
    ScopedTimer timer(m_metrics, "crm_relay_store_seconds", "op=\"head\"");
    CRM_ASSIGN_OR_RETURN(head, m_store.HeadSeq(orgId));
  }
  if (state.copySeq > head) {
    // The log is shorter than the copy: the store was restored from an older backup. The log is the truth.
    Log("warn", "copy is ahead of the log, rebuilding it",
        {{"org", std::to_string(orgId)}, {"copy_seq", static_cast<long long>(state.copySeq)}, {"head", static_cast<long long>(head)}});
    CRM_TRY(Reset(state, orgId));
  }
  while (state.copySeq < head) {
    std::vector<LogEntry> entries;
    {
      ScopedTimer timer(m_metrics, "crm_relay_store_seconds", "op=\"read_log\"");
      auto read = writer ? writer->Read(state.copySeq, kCatchUpPage) : m_store.ReadLog(orgId, state.copySeq, kCatchUpPage);
      if (!read) return read.GetError();
      entries = std::move(read).Value();
    }
    if (entries.empty() || entries.front().seq != state.copySeq + 1) {
      return MakeError(ErrorCode::Corrupt, "the log of organisation " + std::to_string(orgId) + " has a gap after seq " +
                                               std::to_string(state.copySeq));
    }
    CRM_ASSIGN_OR_RETURN(Txn txn, state.copy->Begin());
    int64_t seq = state.copySeq;
    for (const LogEntry& entry : entries) {
      if (entry.seq != seq + 1) return MakeError(ErrorCode::Corrupt, "the log has a gap after seq " + std::to_string(seq));
      if (auto applied = ApplyEntry(*state.copy, entry); !applied) {
        return MakeError(ErrorCode::Storage, "cannot apply seq " + std::to_string(entry.seq) + " to the copy of organisation " +
                                                 std::to_string(orgId) + ": " + applied.Message());
      }
      seq = entry.seq;
    }
    CRM_TRY(SetCopyValue(*state.copy, "relay.seq", seq));
    CRM_TRY(txn.Commit());
    state.copySeq = seq;
  }
  {
    std::lock_guard<std::mutex> lock(state.headMutex);
    if (head > state.knownHead) state.knownHead = head;
    if (state.activeAtSeq == state.copySeq) return Ok();
  }
  RememberActiveUsers(state);
  return Ok();
}

void OrgCopies::RememberActiveUsers(OrgState& state) {
  if (!state.copy) return;
  std::set<int64_t> active;
  auto stmt = state.copy->Prepare("SELECT id FROM users WHERE active = 1 AND deleted_at IS NULL");
  if (!stmt) return;
  while (stmt.Value().Step().ValueOr(false)) active.insert(stmt.Value().Int64(0));
  std::lock_guard<std::mutex> lock(state.headMutex);
  state.activeUsers = std::move(active);
  state.activeAtSeq = state.copySeq;
}

Result<bool> OrgCopies::MayAct(int64_t orgId, int64_t userId) {
  auto state = State(orgId);
  {
    std::lock_guard<std::mutex> lock(state->headMutex);
    // Fresh while nothing newer than what the list was read at is known (pushes here and
    // notifications from other processes move knownHead).
    if (state->activeAtSeq >= 0 && state->activeAtSeq >= state->knownHead) return state->activeUsers.count(userId) > 0;
  }
  CRM_TRY(WithCopy(orgId, [](Db&, int64_t) { return Ok(); }));  // catches up and reads the list again
  std::lock_guard<std::mutex> lock(state->headMutex);
  return state->activeUsers.count(userId) > 0;
}

Result<AcceptOutcome> OrgCopies::Accept(int64_t orgId, int64_t deviceId, const std::vector<sync::ChangesetEnvelope>& changesets) {
  auto state = State(orgId);
  std::lock_guard<std::mutex> lock(state->copyMutex);
  CRM_TRY(EnsureOpen(*state, orgId));
  return AcceptLocked(*state, orgId, deviceId, changesets);
}

Result<AcceptOutcome> OrgCopies::AcceptLocked(OrgState& state, int64_t orgId, int64_t deviceId,
                                              const std::vector<sync::ChangesetEnvelope>& changesets) {
  std::vector<int64_t> ids;
  ids.reserve(changesets.size());
  for (const auto& envelope : changesets) ids.push_back(envelope.changesetId);

  for (int attempt = 0;; attempt++) {
    std::unique_ptr<LogWriter> writer;
    {
      ScopedTimer timer(m_metrics, "crm_relay_store_seconds", "op=\"begin_write\"");
      CRM_ASSIGN_OR_RETURN(writer, m_store.BeginWrite(orgId));
    }
    CRM_TRY(CatchUp(state, orgId, writer.get()));
    std::map<int64_t, int64_t> logged;
    {
      ScopedTimer timer(m_metrics, "crm_relay_store_seconds", "op=\"find_logged\"");
      CRM_ASSIGN_OR_RETURN(logged, writer->FindLogged(deviceId, ids));
    }
    AcceptOutcome outcome;
    const int64_t head = writer->Head();
    int64_t seq = head;
    std::vector<LogEntry> entries;
    std::map<int64_t, int64_t> given;
    {
      CRM_TRY(state.copy->Exec("DELETE FROM temp.relay_users_stopped"));  // what catching up replayed is history
      CRM_ASSIGN_OR_RETURN(Txn txn, state.copy->Begin());
      const int64_t now = NowMs();
      for (const auto& envelope : changesets) {
        if (logged.count(envelope.changesetId)) continue;
        CRM_ASSIGN_OR_RETURN(std::optional<Refusal> refusal, CheckChangeset(*state.copy, envelope));
        if (refusal) {
          outcome.refusal = std::move(refusal);
          outcome.headSeq = head;
          return outcome;  // the copy's transaction rolls back
        }
        LogEntry entry{seq + 1, now, envelope};
        if (auto applied = ApplyEntry(*state.copy, entry); !applied) {
          if (applied.Code() == ErrorCode::Storage || applied.Code() == ErrorCode::Full) return applied.GetError();
          outcome.refusal = Refusal{envelope.changesetId, "", "", "the change cannot be applied: " + applied.Message()};
          outcome.headSeq = head;
          return outcome;
        }
        CRM_ASSIGN_OR_RETURN(std::optional<Refusal> broken, CheckAppliedChangeset(*state.copy, envelope));
        if (broken) {
          outcome.refusal = std::move(broken);
          outcome.headSeq = head;
          return outcome;  // the copy's transaction rolls back
        }
        seq = entry.seq;
        given[envelope.changesetId] = seq;
        entries.push_back(std::move(entry));
      }
      if (!entries.empty()) {
        CRM_TRY(SetCopyValue(*state.copy, "relay.seq", seq));
        CRM_TRY(writer->Append(entries));
        Status committed;
        {
          ScopedTimer timer(m_metrics, "crm_relay_store_seconds", "op=\"append\"");
          committed = writer->Commit();
        }
        if (!committed) {
          txn.Rollback();
          if (committed.Code() == ErrorCode::Conflict && attempt + 1 < kAcceptAttempts) continue;  // the head moved: again
          return committed.GetError();
        }
        // The log has it now; a copy that fails to keep up is rebuilt from the log on next use.
        if (auto kept = txn.Commit(); !kept) {
          Log("warn", "copy commit failed; it will catch up from the log",
              {{"org", std::to_string(orgId)}, {"error", kept.Message()}});
          state.copy.reset();
        } else {
          state.copySeq = seq;
          RevokeStoppedUsers(*state.copy, m_store, orgId);
          RememberActiveUsers(state);
        }
      }
    }
    for (const auto& envelope : changesets) {
      auto found = logged.find(envelope.changesetId);
      int64_t at = found != logged.end() ? found->second : given[envelope.changesetId];
      outcome.acks.push_back(sync::PushAck{envelope.changesetId, at});
    }
    outcome.accepted = static_cast<int>(entries.size());
    outcome.headSeq = entries.empty() ? head : seq;
    if (!entries.empty()) NoteHead(orgId, seq);
    return outcome;
  }
}

Result<AcceptOutcome> OrgCopies::AcceptRelayChange(int64_t orgId, int64_t userId, const std::function<Status(Db&)>& change) {
  auto state = State(orgId);
  std::lock_guard<std::mutex> lock(state->copyMutex);
  CRM_TRY(EnsureOpen(*state, orgId));
  CRM_TRY(CatchUp(*state, orgId, nullptr));
  sync::ChangesetEnvelope envelope;
  envelope.changesetId = NewId();
  envelope.userId = userId;
  envelope.deviceId = 0;
  envelope.schemaVersion = LatestSchemaVersion();
  envelope.createdAtMs = NowMs();
  {
    CRM_ASSIGN_OR_RETURN(Txn txn, state->copy->Begin());
    {
      CRM_ASSIGN_OR_RETURN(sync::ChangesetCapture capture, sync::ChangesetCapture::Start(*state->copy, SyncedTables()));
      CRM_TRY(change(*state->copy));
      CRM_ASSIGN_OR_RETURN(envelope.changeset, capture.Changeset());
    }
    txn.Rollback();  // captured: it goes through the same check and log as any push
  }
  if (envelope.changeset.empty()) return MakeError(ErrorCode::Invalid, "nothing to change");
  return AcceptLocked(*state, orgId, 0, {envelope});
}

Status OrgCopies::WithCopy(int64_t orgId, const std::function<Status(Db& copy, int64_t seq)>& read) {
  auto state = State(orgId);
  std::lock_guard<std::mutex> lock(state->copyMutex);
  CRM_TRY(EnsureOpen(*state, orgId));
  CRM_TRY(CatchUp(*state, orgId, nullptr));
  return read(*state->copy, state->copySeq);
}

Result<sync::SnapshotResponse> OrgCopies::Snapshot(int64_t orgId) {
  sync::SnapshotResponse snapshot;
  CRM_TRY(WithCopy(orgId, [&](Db& copy, int64_t seq) -> Status {
    sqlite3_int64 size = 0;
    unsigned char* image = sqlite3_serialize(copy.Handle(), "main", &size, 0);
    if (!image) return MakeError(ErrorCode::Full, "cannot copy the organisation's database (out of memory?)");
    snapshot.image.assign(image, image + size);
    sqlite3_free(image);
    snapshot.seq = seq;
    snapshot.schemaVersion = LatestSchemaVersion();
    return Ok();
  }));
  // WAL is how the relay keeps its copy; the image is a plain database file (a device deserializes it).
  if (snapshot.image.size() >= 100) snapshot.image[18] = snapshot.image[19] = 1;
  return snapshot;
}

int64_t OrgCopies::WaitForHead(int64_t orgId, int64_t afterSeq, std::chrono::steady_clock::time_point deadline) {
  auto state = State(orgId);
  std::unique_lock<std::mutex> lock(state->headMutex);
  auto refresh = [&] {
    lock.unlock();
    auto head = m_store.HeadSeq(orgId);
    lock.lock();
    if (head && head.Value() > state->knownHead) state->knownHead = head.Value();
  };
  if (state->knownHead < 0) refresh();
  while (state->knownHead <= afterSeq && !m_shutdown) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    // Wake at least once a second to read the head from the store: a notification from another
    // relay process can be lost when its connection drops.
    state->headCv.wait_until(lock, std::min(deadline, now + std::chrono::seconds(1)));
    if (state->knownHead <= afterSeq && !m_shutdown) refresh();
  }
  return state->knownHead;
}

void OrgCopies::NoteHead(int64_t orgId, int64_t head) {
  auto state = State(orgId);
  {
    std::lock_guard<std::mutex> lock(state->headMutex);
    if (head > state->knownHead) state->knownHead = head;
  }
  state->headCv.notify_all();
}

void OrgCopies::Shutdown() {
  std::vector<std::shared_ptr<OrgState>> states;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_shutdown = true;
    for (auto& [id, state] : m_orgs) states.push_back(state);
  }
  for (auto& state : states) {
    { std::lock_guard<std::mutex> lock(state->headMutex); }
    state->headCv.notify_all();
  }
}

}  // namespace crm::relay
