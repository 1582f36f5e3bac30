#include "sync/client.h"

#include <algorithm>

#include "core/scope.h"

namespace crm::sync {

namespace {
constexpr int64_t kContactRecordEveryMs = 10 * 60 * 1000;
}  // namespace

SyncClient::SyncClient(Replica& replica, Transport& transport, SyncClientOptions options)
    : m_replica(replica), m_transport(transport), m_options(options) {
  m_status.configured = true;
}

SyncClient::~SyncClient() { *m_alive = false; }

void SyncClient::Wake() {
  m_retryAtMs = 0;
  m_morePull = true;
}

void SyncClient::Succeeded(int64_t nowMs) {
  m_status.online = true;
  m_status.signInNeeded = false;
  m_status.lastError.reset();
  m_backoffMs = 0;
  m_retryAtMs = 0;
  // Now and then, not at every answer (each is a write the device stores); the lock counts in days.
  if (m_contactRecordedMs == 0 || nowMs - m_contactRecordedMs >= kContactRecordEveryMs) {
    if (m_replica.RecordContact(nowMs)) m_contactRecordedMs = nowMs;
  }
}

void SyncClient::OnRevoked(const Error& error) {
  // Told again (the push of what was unsent was refused too): the relay takes no more of it.
  m_pushUnsent = !m_status.deviceRevoked && error.arg != 0;
  m_status.deviceRevoked = true;
  m_status.online = true;
}

void SyncClient::TickRevoked(int64_t nowMs) {
  if (m_status.wipeDue || m_pushInFlight) return;
  if (m_pushUnsent) {
    if (nowMs < m_retryAtMs) return;  // the network is out: what is unsent waits for it
    auto request = m_replica.NextPush(m_options.push);
    if (request && !request.Value().changesets.empty()) return StartPush(nowMs);
  }
  m_status.wipeDue = true;
}

void SyncClient::Failed(const Error& error, int64_t nowMs, int retryAfterSeconds) {
  m_status.lastError = error;
  if (error.code == ErrorCode::Storage) m_status.online = false;
  if (error.problem == Problem::DeviceRevoked) {
    OnRevoked(error);
  } else if (m_status.deviceRevoked && error.code != ErrorCode::Storage) {
    m_pushUnsent = false;  // what was unsent cannot go (a fault other than the network): the wipe goes on
  } else if (error.code == ErrorCode::Denied) {
    m_status.signInNeeded = true;
  }
  m_backoffMs = m_backoffMs == 0 ? m_options.minRetryMs : std::min(m_backoffMs * 2, m_options.maxRetryMs);
  // A busy relay's Retry-After is honoured when it asks for longer than the back-off (within its cap).
  m_retryAtMs = nowMs + std::max(m_backoffMs, std::min(int64_t{retryAfterSeconds} * 1000, m_options.maxRetryMs));
}

void SyncClient::Tick(int64_t nowMs) {
  m_nowMs = nowMs;
  if (m_status.deviceRevoked) return TickRevoked(nowMs);
  ApplyReceived(nowMs);
  if (m_status.signInNeeded || nowMs < m_retryAtMs) return;
  if (!m_pushInFlight) StartPush(nowMs);
  // Once level with the last head this device heard of: a scope answer applies only at its own position.
  if (m_scopeCheck && !m_scopeInFlight && !m_pushInFlight && m_received.empty() && m_replica.ConfirmedSeq() >= m_status.headSeq) {
    StartScope(nowMs);
  }
  if (!m_pullInFlight && m_received.empty() && !m_replica.Stalled() && nowMs >= m_pullAtMs) StartPull(nowMs);
  if (!m_scopeDigest.empty() && !m_directoryInFlight && m_received.empty() && nowMs >= m_directoryAtMs &&
      m_replica.ConfirmedSeq() >= m_status.headSeq) {
    StartDirectory(nowMs);
  }
}

void SyncClient::StartPush(int64_t nowMs) {
  auto request = m_replica.NextPush(m_options.push);
  if (!request) return Failed(request.GetError(), nowMs);
  if (request.Value().changesets.empty()) return;
  m_pushInFlight = true;
  std::weak_ptr<bool> alive = m_alive;
  m_transport.Push(request.Value(), [this, alive, nowMs](Result<PushOutcome> outcome) {
    if (alive.expired() || !*alive.lock()) return;
    OnPushed(std::move(outcome), nowMs);
  });
}

void SyncClient::OnPushed(Result<PushOutcome> outcome, int64_t sentMs) {
  m_pushInFlight = false;
  if (!outcome) return Failed(outcome.GetError(), std::max(m_nowMs, sentMs), m_transport.RetryAfterSeconds());
  Succeeded(std::max(m_nowMs, sentMs));
  const PushOutcome& result = outcome.Value();
  if (result.refusal) {
    crm::Status taken = m_replica.OnRefused(*result.refusal);
    Error refused = MakeError(ErrorCode::Denied, "the relay refused a change: " + result.refusal->reason);
    if (!taken) refused.message += " (" + taken.Message() + ")";
    refused.problem = Problem::RelayRefusedChange;
    refused.value = result.refusal->table;
    m_status.lastError = std::move(refused);
    return;
  }
  m_status.headSeq = std::max(m_status.headSeq, result.response.headSeq);
  if (crm::Status recorded = m_replica.OnPushed(result.response); !recorded) return Failed(recorded.GetError(), m_nowMs);
  // Our changes are in the relay's order now: pull them back (with whatever came before them).
  m_morePull = true;
}

void SyncClient::StartPull(int64_t nowMs) {
  // Long-poll only when there is nothing to fetch that we know of.
  auto unacked = m_replica.UnackedCount();
  bool caughtUp = !m_morePull && unacked && unacked.Value() == 0 && !m_pushInFlight;
  int wait = caughtUp ? m_options.longPollSeconds : 0;
  m_pullInFlight = true;
  std::weak_ptr<bool> alive = m_alive;
  m_transport.Pull(m_replica.ConfirmedSeq(), m_options.pullLimit, wait, [this, alive, nowMs](Result<PullResponse> response) {
    if (alive.expired() || !*alive.lock()) return;
    OnPulled(std::move(response), nowMs);
  });
}

void SyncClient::OnPulled(Result<PullResponse> response, int64_t sentMs) {
  m_pullInFlight = false;
  if (!response) return Failed(response.GetError(), std::max(m_nowMs, sentMs), m_transport.RetryAfterSeconds());
  Succeeded(std::max(m_nowMs, sentMs));
  PullResponse& pulled = response.Value();
  m_status.headSeq = std::max(m_status.headSeq, pulled.headSeq);
  m_replica.SetPartial(!pulled.scopeDigest.empty());
  if (!pulled.scopeDigest.empty()) {
    // What this device holds against the scope the answer was cut to: where they differ, changes of a
    // customer held here may have been left out of this answer, so the scope answer brings it again.
    m_scopeDigest = pulled.scopeDigest;
    auto question = m_replica.ScopeQuestion();
    if (!question) return Failed(question.GetError(), m_nowMs);
    const bool differs = ScopeDigest(question.Value().heldCustomers) != m_scopeDigest;
    int64_t since = differs && !pulled.changesets.empty() ? pulled.changesets.front().seq : 0;
    if (pulled.scopeRefreshFrom > 0) since = since > 0 ? std::min(since, pulled.scopeRefreshFrom) : pulled.scopeRefreshFrom;
    if (since > 0) {
      if (crm::Status noted = m_replica.NoteScopeMismatch(since); !noted) return Failed(noted.GetError(), m_nowMs);
    }
    m_scopeCheck = differs || since > 0 || question.Value().since > 0;
  }
  int64_t last = pulled.changesets.empty() ? m_replica.ConfirmedSeq() : pulled.changesets.back().seq;
  m_morePull = last < pulled.headSeq;
  // The relay would not hold this long-poll (it holds as many as it takes): ask again after a while,
  // not at once. A push still goes as soon as there is one.
  if (pulled.changesets.empty() && pulled.retryAfterSeconds > 0) {
    m_pullAtMs = std::max(m_nowMs, sentMs) + std::min<int64_t>(pulled.retryAfterSeconds, 60) * 1000;
  }
  if (pulled.changesets.empty()) {
    auto unacked = m_replica.UnackedCount();
    if (!m_morePull && unacked && unacked.Value() == 0) m_status.lastSyncMs = m_nowMs;
    return;
  }
  if (m_status.progressTotal == 0 || m_status.progressDone >= m_status.progressTotal) {
    m_status.progressDone = 0;
    m_status.progressTotal = pulled.headSeq - m_replica.ConfirmedSeq();
  }
  m_received = std::move(pulled.changesets);
  m_receivedDone = 0;
  ApplyReceived(m_nowMs);
}

void SyncClient::ApplyReceived(int64_t nowMs) {
  if (m_received.empty()) return;
  size_t end = std::min(m_received.size(), m_receivedDone + m_options.applyPerTick);
  std::vector<SequencedChangeset> slice(std::make_move_iterator(m_received.begin() + static_cast<long>(m_receivedDone)),
                                        std::make_move_iterator(m_received.begin() + static_cast<long>(end)));
  auto report = m_replica.OnPulled(slice);
  if (!report) {
    // Nothing of the slice was applied; fetch it again later rather than hold bytes that failed.
    m_received.clear();
    m_receivedDone = 0;
    return Failed(report.GetError(), nowMs);
  }
  m_status.progressDone += static_cast<int64_t>(slice.size());
  m_receivedDone = end;
  if (m_receivedDone >= m_received.size() || report.Value().stalled) {
    m_received.clear();
    m_receivedDone = 0;
    if (!m_morePull) {
      auto unacked = m_replica.UnackedCount();
      if (unacked && unacked.Value() == 0) m_status.lastSyncMs = nowMs;
    }
  }
}

void SyncClient::StartScope(int64_t nowMs) {
  // Local changes reach the relay first (a customer leaving this device takes nothing unsent with it).
  auto pending = m_replica.PendingCount();
  if (!pending || pending.Value() > 0) return;
  auto question = m_replica.ScopeQuestion();
  if (!question) return Failed(question.GetError(), nowMs);
  if (ScopeDigest(question.Value().heldCustomers) == m_scopeDigest && question.Value().since == 0) {
    m_scopeCheck = false;
    return;
  }
  m_scopeInFlight = true;
  std::weak_ptr<bool> alive = m_alive;
  m_transport.Scope(question.Value(), [this, alive, nowMs](Result<ScopeResponse> answer) {
    if (alive.expired() || !*alive.lock()) return;
    OnScope(std::move(answer), nowMs);
  });
}

void SyncClient::OnScope(Result<ScopeResponse> answer, int64_t sentMs) {
  m_scopeInFlight = false;
  if (!answer) return Failed(answer.GetError(), std::max(m_nowMs, sentMs), m_transport.RetryAfterSeconds());
  Succeeded(std::max(m_nowMs, sentMs));
  auto applied = m_replica.ApplyScope(answer.Value());
  if (!applied) return Failed(applied.GetError(), m_nowMs);
  if (!applied.Value()) {
    // The relay has moved on since this device's position (or a change is pending): pull, then ask again.
    m_morePull = true;
    return;
  }
  const ScopeResponse& done = answer.Value();
  m_scopeDigest = done.digest;
  // Ask again while more customers enter (an answer that moved nothing ends the round either way).
  m_scopeCheck = done.more;
}

void SyncClient::StartDirectory(int64_t nowMs) {
  if (m_directoryAfter == 0) {
    auto position = m_replica.Directory();
    if (!position) return Failed(position.GetError(), nowMs);
    if (position.Value().seq >= m_replica.ConfirmedSeq() && !m_directoryWhole) {
      m_directoryAtMs = nowMs + m_options.directoryIntervalMs;  // up to date
      return;
    }
    m_directorySince = m_directoryWhole ? 0 : std::max<int64_t>(position.Value().seq, 0);
    m_directoryWhole = false;
    m_directorySeq = 0;
  }
  m_directoryInFlight = true;
  std::weak_ptr<bool> alive = m_alive;
  m_transport.Directory(m_directorySince, m_directoryAfter, [this, alive, nowMs](Result<DirectoryResponse> answer) {
    if (alive.expired() || !*alive.lock()) return;
    OnDirectory(std::move(answer), nowMs);
  });
}

void SyncClient::OnDirectory(Result<DirectoryResponse> answer, int64_t sentMs) {
  m_directoryInFlight = false;
  const int64_t now = std::max(m_nowMs, sentMs);
  if (!answer) {
    // Begin the round again later; the duplicate check keeps what the directory held.
    m_directoryAfter = 0;
    m_directoryAtMs = now + m_options.maxRetryMs;
    return;
  }
  const DirectoryResponse& page = answer.Value();
  auto known = m_replica.Directory();
  if (known && !page.full && known.Value().key != page.key) {
    // Digests under another key match nothing: the whole directory again.
    m_directoryWhole = true;
    m_directoryAfter = 0;
    return StartDirectory(now);
  }
  if (m_directoryAfter == 0) m_directorySeq = page.seq;
  DirectoryPage stored;
  stored.full = page.full;
  stored.afterId = m_directoryAfter;
  int64_t last = m_directoryAfter;
  if (!page.entries.empty()) last = std::max(last, page.entries.back().customerId);
  if (!page.removed.empty()) last = std::max(last, page.removed.back());
  if (page.full && page.more) stored.throughId = last;
  stored.entries = page.entries;
  stored.removed = page.removed;
  stored.finished = !page.more;
  stored.position = DirectoryPosition{m_directorySeq, page.key};
  if (crm::Status kept = m_replica.StoreDirectory(stored); !kept) {
    m_directoryAfter = 0;
    m_directoryAtMs = now + m_options.maxRetryMs;
    return;
  }
  if (page.more && last > m_directoryAfter) {
    m_directoryAfter = last;
    return;  // the next page at the next tick
  }
  m_directoryAfter = 0;
  m_directoryAtMs = now + m_options.directoryIntervalMs;
}

SyncStatus SyncClient::Status() {
  SyncStatus status = m_status;
  if (crm::Status filled = m_replica.FillStatus(status); !filled && !status.lastError) status.lastError = filled.GetError();
  if (status.confirmedSeq >= status.headSeq) {
    status.progressDone = 0;
    status.progressTotal = 0;
  }
  return status;
}

}  // namespace crm::sync
