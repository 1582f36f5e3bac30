#pragma once
// A device that keeps working through relay outages, as the sync engine does: every change is a
// real changeset captured with core on the device's own database, kept in an outbox until the
// relay acknowledges it, pushed oldest first in batches, and retried with exponential backoff
// while the relay is unreachable. For the kill -9 tests and the load benchmark.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/customers.h"
#include "core/ids.h"
#include "core/schema.h"
#include "sync/changeset.h"
#include "sync/net/http_transport.h"

namespace crm::testing_support {

class SimDevice {
 public:
  SimDevice(sync::HttpEndpoint endpoint, std::string org, std::string user, std::string password)
      : m_endpoint(endpoint), m_org(std::move(org)), m_user(std::move(user)), m_password(std::move(password)),
        m_deviceId(NewId()), m_db(Db::OpenMemory().Value()), m_transport(sync::HttpTransportOptions{endpoint, "", 2000, 30}) {
    (void)Migrate(m_db);
  }

  // Signs in, retrying while the relay is unreachable. Users must exist in the device's database for
  // core to write as them: the user's own row is enough (no permission needs others).
  bool SignIn(std::chrono::steady_clock::time_point deadline) {
    while (std::chrono::steady_clock::now() < deadline) {
      auto session = sync::SignIn(m_endpoint, sync::SignInRequest{m_org, m_user, m_password, m_deviceId, "sim"});
      if (session) {
        m_userId = session.Value().userId;
        m_transport.SetToken(session.Value().token);
        int64_t now = NowMs();
        return m_db.Exec("INSERT OR IGNORE INTO users (id, name, role, created_at, updated_at, created_by, updated_by, device_id) VALUES (" +
                         std::to_string(m_userId) + ", 'sim', '" + session.Value().role + "', " + std::to_string(now) + ", " +
                         std::to_string(now) + ", " + std::to_string(m_userId) + ", " + std::to_string(m_userId) + ", " +
                         std::to_string(m_deviceId) + ")")
            .IsOk();
      }
      m_lastError = session.Message();
      if (session.Code() != ErrorCode::Storage) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // One new customer as one captured changeset, into the outbox.
  void Generate(int count = 1) {
    for (int i = 0; i < count; i++) {
      auto capture = sync::ChangesetCapture::Start(m_db, SyncedTables());
      if (!capture) continue;
      auto added = AddCustomer(m_db, "客户 " + std::to_string(m_deviceId % 100000) + "-" + std::to_string(m_generated), Actor{m_userId, m_deviceId});
      auto bytes = capture.Value().Changeset();
      if (!added || !bytes || bytes.Value().empty()) {
        m_lastError = added ? "empty changeset" : added.Message();
        continue;
      }
      m_outbox.push_back(sync::ChangesetEnvelope{NewId(), m_userId, m_deviceId, LatestSchemaVersion(), NowMs(), std::move(bytes).Value()});
      m_generated++;
    }
  }

  // Pushes the oldest `batch` of the outbox once. True when acknowledged; false on a failure to
  // retry (the outbox is kept). Latency of successful pushes is recorded.
  bool PushOnce(int batch) {
    if (m_outbox.empty()) return true;
    size_t n = std::min(m_outbox.size(), static_cast<size_t>(batch));
    sync::PushRequest request;
    request.changesets.assign(m_outbox.begin(), m_outbox.begin() + static_cast<long>(n));
    auto started = std::chrono::steady_clock::now();
    auto outcome = m_transport.PushNow(request);
    if (!outcome) {
      m_lastError = outcome.Message();
      m_failures++;
      if (outcome.Code() == ErrorCode::Denied) m_denied++;
      return false;
    }
    if (outcome.Value().refusal) {
      m_lastError = "refused: " + outcome.Value().refusal->reason;
      m_refusals++;
      return false;
    }
    m_latenciesMs.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
    const auto& acks = outcome.Value().response.acks;
    if (acks.size() != n) {
      m_inconsistent++;
      return false;
    }
    for (size_t i = 0; i < n; i++) {
      if (acks[i].changesetId != m_outbox[i].changesetId) m_inconsistent++;
      auto [it, fresh] = m_acked.emplace(acks[i].changesetId, acks[i].seq);
      if (!fresh && it->second != acks[i].seq) m_inconsistent++;  // a retry must get the seq it had
      if (fresh && m_progress) m_progress->fetch_add(1);
    }
    m_outbox.erase(m_outbox.begin(), m_outbox.begin() + static_cast<long>(n));
    return true;
  }

  // Makes `total` changesets a few at a time and pushes them, through outages, until all are
  // acknowledged or the deadline passes.
  bool Work(int total, int batch, std::chrono::steady_clock::time_point deadline) {
    auto backoff = std::chrono::milliseconds(20);
    while (static_cast<int>(m_acked.size()) < total && std::chrono::steady_clock::now() < deadline) {
      if (m_generated < total) Generate(std::min(batch, total - m_generated));
      if (PushOnce(batch)) {
        backoff = std::chrono::milliseconds(20);
      } else {
        if (m_refusals > 0) return false;
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(500));
      }
    }
    return static_cast<int>(m_acked.size()) == total;
  }

  int64_t DeviceId() const { return m_deviceId; }
  int64_t UserId() const { return m_userId; }
  const std::map<int64_t, int64_t>& Acked() const { return m_acked; }
  const std::vector<double>& LatenciesMs() const { return m_latenciesMs; }
  size_t Pending() const { return m_outbox.size(); }
  int Failures() const { return m_failures; }
  int Refusals() const { return m_refusals; }
  int Inconsistent() const { return m_inconsistent; }
  const std::string& LastError() const { return m_lastError; }
  sync::HttpTransport& Transport() { return m_transport; }
  // Counts acknowledgements as they come, for a watcher on another thread.
  void SetProgress(std::atomic<int>* progress) { m_progress = progress; }
  void SetEndpoint(sync::HttpEndpoint endpoint) {
    m_endpoint = endpoint;
    m_transport.SetEndpoint(endpoint);
  }

 private:
  sync::HttpEndpoint m_endpoint;
  std::string m_org, m_user, m_password;
  int64_t m_deviceId;
  int64_t m_userId = 0;
  Db m_db;
  sync::HttpTransport m_transport;
  std::deque<sync::ChangesetEnvelope> m_outbox;
  std::map<int64_t, int64_t> m_acked;  // changesetId → seq the relay gave
  std::vector<double> m_latenciesMs;
  int m_generated = 0;
  int m_failures = 0, m_denied = 0, m_refusals = 0, m_inconsistent = 0;
  std::string m_lastError;
  std::atomic<int>* m_progress = nullptr;
};

}  // namespace crm::testing_support
