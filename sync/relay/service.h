#pragma once
// The relay's API (docs/PROTOCOL.md) without the HTTP around it: a request
// (method, path, query, bearer token, body) in, a response (status, type,
// body) out. server.cpp puts cpp-httplib in front of it; the fuzzer and some
// tests call it directly.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "sync/relay/auth.h"
#include "sync/relay/metrics.h"
#include "sync/relay/rate_limit.h"
#include "sync/relay/store.h"

namespace crm::relay {

class OrgCopies;

struct RelayOptions {
  std::string store = "sqlite:./relay.db";  // sqlite:PATH or postgres://…
  std::string copiesDir;                    // empty: DefaultCopiesDir(store)
  PasswordCost passwordCost = PasswordCost::Interactive;
  int64_t tokenLifetimeMs = 90LL * 24 * 3600 * 1000;
  RateLimit deviceRate{50, 200};  // push, pull, snapshot, admin: per device
  RateLimit signInRate{2, 20};    // set-up and sign-in: per remote address
  size_t maxBodyBytes = 16u << 20;
  int maxBatch = kMaxBatch;
  int maxWaitSeconds = 30;
  // Held pulls (wait > 0) each keep a server thread: past these a pull answers at once, with what
  // there is, so one device or organisation cannot take the threads others need.
  int maxHeldPullsPerDevice = 2;
  int maxHeldPullsPerOrg = 32;
  int maxHeldPulls = 64;  // all organisations; well below ServerOptions::threads
  // Requests waiting for one of the two Argon2id slots; past it: 503 with Retry-After.
  int maxHashWaiting = 8;
  size_t maxOpenCopies = 256;  // organisations' copies kept open at once
  StoreOptions storeOptions;
};

struct ApiRequest {
  std::string method;  // GET, POST
  std::string path;
  std::map<std::string, std::string> query;
  std::string authorization;  // the Authorization header
  std::string contentType;    // the Content-Type header
  std::string remote;         // the peer's address, for sign-in rate limits
  std::string body;
};

struct ApiResponse {
  int status = 200;
  std::string contentType;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class Service {
 public:
  static Result<std::unique_ptr<Service>> Open(const RelayOptions& options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  ApiResponse Handle(const ApiRequest& request);

  // At start: when the store has no organisation and no unused set-up token, makes one and
  // logs it (the operator reads it there). Returns the token, or "" when none was needed.
  Result<std::string> IssueStartupSetupToken();
  // A new one-time set-up token (crm-relay --new-setup-token).
  Result<std::string> NewSetupToken();

  // Ends waiting pulls at once; for a clean stop.
  void Shutdown();

  Metrics& GetMetrics() { return m_metrics; }
  Store& GetStore() { return *m_store; }
  OrgCopies& Copies() { return *m_copies; }
  const RelayOptions& Options() const { return m_options; }

 private:
  struct Impl;
  explicit Service(const RelayOptions& options);

  RelayOptions m_options;
  Metrics m_metrics;
  std::unique_ptr<Store> m_store;
  std::unique_ptr<OrgCopies> m_copies;
  std::unique_ptr<Impl> m_impl;
};

// The label a request is counted under in /metrics: the route, ids replaced by {id}.
std::string EndpointLabel(const std::string& method, const std::string& path);

}  // namespace crm::relay
