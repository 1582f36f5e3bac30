#pragma once
// An in-process relay for unit and property tests: a total order per
// organisation, idempotent pushes, pulls after a position, snapshots. And a
// transport to it that the test scripts: offline, lost answers, answers held
// back and delivered later (or twice).
#include <algorithm>
#include <deque>

#include <sqlite3.h>
#include <set>
#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "core/directory.h"
#include "core/schema.h"
#include "sync/apply.h"
#include "sync/backup.h"
#include "sync/journal.h"
#include "core/scope.h"
#include "sync/protocol.h"
#include "sync/scope_filter.h"
#include "sync/transport.h"
#include "sync/wire.h"

namespace crm::testing_support {

class FakeRelay {
 public:
  // `base` is the organisation's data at seq 0 (every device starts from a copy of it).
  explicit FakeRelay(Db& base) {
    auto image = sync::ExportBackup(base);
    // A named in-memory database (memdb VFS): the scope answers attach it, as the relay attaches its file.
    static int instances = 0;
    // (Filled by the backup API: deserializing into it would give it a private store of its own.)
    m_copy = Db::Open("file:/fake-relay-" + std::to_string(++instances) + "?vfs=memdb").Value();
    Db loaded = Db::OpenMemory().Value();
    (void)sync::LoadImage(loaded, std::move(image).Value());
    sqlite3_backup* backup = sqlite3_backup_init(m_copy.Handle(), "main", loaded.Handle(), "main");
    if (backup) {
      sqlite3_backup_step(backup, -1);
      sqlite3_backup_finish(backup);
    }
  }

  // Pulls and scope questions of scoped people are cut to their read scope (core/scope.h), as the relay's are:
  // a device's scope is the union of those of everyone signed in on it (`signedIn`, as the relay's tokens say).
  bool scoped = false;

  sync::PushResponse Push(const sync::PushRequest& request) {
    sync::PushResponse response;
    for (const sync::ChangesetEnvelope& envelope : request.changesets) {
      auto key = std::make_pair(envelope.deviceId, envelope.changesetId);
      auto found = m_index.find(key);
      int64_t seq = 0;
      if (found != m_index.end()) {
        seq = found->second;
        m_duplicatePushes++;
      } else {
        seq = static_cast<int64_t>(m_log.size()) + 1;
        m_log.push_back(sync::SequencedChangeset{seq, envelope});
        m_index.emplace(key, seq);
        auto applied = sync::ApplyWithPolicy(m_copy, envelope.changeset.data(), envelope.changeset.size(),
                                             sync::ApplyOrigin{seq, envelope.userId, envelope.deviceId, 0});
        if (!applied) m_applyErrors.push_back(applied.Message());
      }
      response.acks.push_back(sync::PushAck{envelope.changesetId, seq});
    }
    response.headSeq = static_cast<int64_t>(m_log.size());
    return response;
  }

  sync::PullResponse Pull(int64_t after, int limit, int64_t userId = 0, const std::set<int64_t>& signedIn = {}) {
    sync::PullResponse response = PullAll(after, limit);
    if (scoped && userId != 0) {
      auto scope = ReadScopeOfDevice(m_copy, userId, signedIn);
      if (!scope) m_applyErrors.push_back("scope: " + scope.Message());
      if (scope) {
        if (Status cut = sync::CutPullToScope(m_copy, scope.Value(), response); !cut) m_applyErrors.push_back(cut.Message());
      }
    }
    return response;
  }

  Result<sync::ScopeResponse> Scope(const sync::ScopeRequest& request, int64_t userId, const std::set<int64_t>& signedIn = {}) {
    CRM_ASSIGN_OR_RETURN(ReadScope scope, ReadScopeOfDevice(m_copy, userId, signedIn));
    std::set<int64_t> stale;
    for (size_t i = static_cast<size_t>(std::max<int64_t>(request.since - 1, 0)); request.since > 0 && i < m_log.size(); i++) {
      CRM_TRY(sync::CustomersTouched(m_copy, m_log[i].envelope.changeset, stale));
    }
    return sync::AnswerScope(m_copy, static_cast<int64_t>(m_log.size()), scope, request.heldCustomers, stale, 3);
  }

  // The company directory, always whole, two customers a page (the relay's answer, sync/relay/directory.h,
  // is tested against the relay itself).
  Result<sync::DirectoryResponse> Directory(int64_t afterId, int64_t userId) {
    CRM_ASSIGN_OR_RETURN(ReadScope scope, ReadScopeOf(m_copy, userId));
    sync::DirectoryResponse response;
    response.seq = static_cast<int64_t>(m_log.size());
    response.full = true;
    response.key = std::string(64, 'd');
    if (scope.everything) return response;
    CRM_ASSIGN_OR_RETURN(response.entries, ReadDirectory(m_copy, response.key, afterId, 3));
    response.more = response.entries.size() > 2;
    if (response.more) response.entries.resize(2);
    directoryPages++;
    return response;
  }
  int directoryPages = 0;

  sync::PullResponse PullAll(int64_t after, int limit) const {
    sync::PullResponse response;
    for (int64_t seq = after + 1; seq <= static_cast<int64_t>(m_log.size()) && static_cast<int>(response.changesets.size()) < limit;
         seq++) {
      response.changesets.push_back(m_log[static_cast<size_t>(seq - 1)]);
    }
    response.headSeq = static_cast<int64_t>(m_log.size());
    return response;
  }

  sync::SnapshotResponse Snapshot() {
    sync::SnapshotResponse snapshot;
    snapshot.seq = static_cast<int64_t>(m_log.size());
    snapshot.schemaVersion = LatestSchemaVersion();
    auto image = sync::ExportBackup(m_copy);
    snapshot.image.assign(image.Value().data(), image.Value().data() + image.Value().size());
    return snapshot;
  }

  const std::vector<sync::SequencedChangeset>& Log() const { return m_log; }
  Db& Copy() { return m_copy; }
  int DuplicatePushes() const { return m_duplicatePushes; }
  const std::vector<std::string>& ApplyErrors() const { return m_applyErrors; }

 private:
  Db m_copy = Db::OpenMemory().Value();
  std::vector<sync::SequencedChangeset> m_log;
  std::map<std::pair<int64_t, int64_t>, int64_t> m_index;
  int m_duplicatePushes = 0;
  std::vector<std::string> m_applyErrors;
};

// What the test does with the answer to a request.
// What the test does with the answer to a request: now, later (held), or never (the client times out).
enum class Delivery { Now, Hold, Lose };

class FakeTransport : public sync::Transport {
 public:
  explicit FakeTransport(FakeRelay& relay) : m_relay(relay) {}

  bool offline = false;  // requests fail as with no network; nothing reaches the relay
  int pullRetryAfterSeconds = 0;  // an empty pull answers as a relay past its held-pull caps does
  int busyRetryAfterSeconds = 0;  // with `offline`: the Retry-After a busy relay (429, 503) sends with its error
  int pulls = 0;
  int64_t userId = 0;  // whose scope pulls are cut to (a scoped FakeRelay)
  std::set<int64_t> alsoSignedIn;  // others signed in on this device (a shared tablet): the scope is the union
  int offlineRequests = 0;  // requests that failed because of `offline`
  // An administrator revoked the device: pulls answer 403 device_revoked, and so do pushes unless
  // the value is true (keep_unsent: the relay still takes them).
  std::optional<bool> revokedKeepUnsent;
  int wipedReports = 0;
  // Decides each answer's fate; by default every answer arrives at once.
  std::function<Delivery()> decide = [] { return Delivery::Now; };

  void Push(const sync::PushRequest& request, std::function<void(Result<sync::PushOutcome>)> done) override {
    if (offline) return Unreachable(done);
    if (revokedKeepUnsent && !*revokedKeepUnsent) return done(Revoked("push"));
    sync::PushOutcome outcome;
    if (refuseNext) {
      outcome.refusal = *refuseNext;
      refuseNext.reset();
    } else {
      outcome.response = m_relay.Push(request);  // the relay has it, whatever happens to the answer
    }
    Deliver([done, outcome]() { done(outcome); }, [done]() { done(MakeError(ErrorCode::Storage, "no answer (timed out)")); });
  }

  void Pull(int64_t afterSeq, int limit, int, std::function<void(Result<sync::PullResponse>)> done) override {
    if (offline) return Unreachable(done);
    if (revokedKeepUnsent) return done(Revoked("pull"));
    sync::PullResponse response = m_relay.Pull(afterSeq, limit, userId, alsoSignedIn);
    pulls++;
    if (response.changesets.empty()) response.retryAfterSeconds = pullRetryAfterSeconds;
    Deliver([done, response]() { done(response); }, [done]() { done(MakeError(ErrorCode::Storage, "no answer (timed out)")); });
  }

  void Scope(const sync::ScopeRequest& request, std::function<void(Result<sync::ScopeResponse>)> done) override {
    if (offline) return Unreachable(done);
    auto answer = m_relay.Scope(request, userId, alsoSignedIn);
    Deliver([done, answer]() { done(answer); }, [done]() { done(MakeError(ErrorCode::Storage, "no answer (timed out)")); });
  }

  void Directory(int64_t, int64_t afterId, std::function<void(Result<sync::DirectoryResponse>)> done) override {
    if (offline) return Unreachable(done);
    done(m_relay.Directory(afterId, userId));
  }

  void Snapshot(std::function<void(Result<sync::SnapshotResponse>)> done) override {
    if (offline) return Unreachable(done);
    done(m_relay.Snapshot());
  }

  void ReportWiped(std::function<void(Status)> done) override {
    wipedReports++;
    done(Ok());
  }

  int RetryAfterSeconds() const override { return offline ? busyRetryAfterSeconds : 0; }

  // Answers held back: delivered later, in any order the test picks (even twice).
  std::deque<std::function<void()>> held;
  std::optional<sync::PushRefusal> refuseNext;
  int lost = 0;

  void DeliverHeld(size_t index) {
    auto answer = held[index];
    held.erase(held.begin() + static_cast<long>(index));
    answer();
  }

  // The relay's answer to a revoked device, read as the client reads it (sync/protocol.h).
  Error Revoked(const char* what) const {
    std::string body = std::string(R"({"error":"device_revoked","message":"revoked","wipe":true,"keep_unsent":)") +
                       (*revokedKeepUnsent ? "true}" : "false}");
    return sync::AnswerError(what, sync::HttpAnswer{403, body, "", ""});
  }

 private:
  template <class Done>
  void Unreachable(const Done& done) {
    offlineRequests++;
    done(MakeError(ErrorCode::Storage, "offline"));
  }

  // A lost answer is what an HTTP client sees as a timeout: the request may well have been applied.
  void Deliver(std::function<void()> answer, std::function<void()> timeout) {
    switch (decide()) {
      case Delivery::Now: answer(); break;
      case Delivery::Hold: held.push_back(std::move(answer)); break;
      case Delivery::Lose:
        lost++;
        timeout();
        break;
    }
  }

  FakeRelay& m_relay;
};

}  // namespace crm::testing_support
