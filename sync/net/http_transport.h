#pragma once
// sync::Transport over HTTP/1.1 with cpp-httplib: how native devices (and the
// relay's own tests and benchmark) talk to crm-relay. Synchronous underneath:
// each call finishes, and calls `done`, before it returns; run it on a thread
// of its own where that matters. Plus the JSON calls around it: set-up,
// sign-in and sign-out.
//
// Errors follow sync/transport.h: no answer (network down, relay restarting),
// 429 and 5xx → Storage (retry later); 401 and 403 → Denied (sign in again);
// 400, 404, 413 → Invalid; an answer that does not decode → Corrupt (Schema
// when it is another wire version); 422 → PushOutcome::refusal.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/result.h"
#include "sync/transport.h"

namespace crm::sync {

struct HttpEndpoint {
  std::string host = "127.0.0.1";
  int port = 8787;
};

// What set-up and sign-in give a device.
struct RelaySession {
  int64_t organisationId = 0;
  int64_t userId = 0;
  std::string role;
  std::string token;
  int64_t expiresAt = 0;  // ms
};

// deviceSecret proves the device id (docs/PROTOCOL.md, "Identity"). Empty: a secret this process
// derives for the id, the same for every sign-in of the id in this process (tests, the benchmark).
struct SignInRequest {
  std::string organisation;
  std::string user;
  std::string password;
  int64_t deviceId = 0;
  std::string deviceName;
  std::string deviceSecret;
};

struct SetupRequest {
  std::string setupToken;
  std::string organisation;
  std::string adminName;
  std::string password;
  int64_t deviceId = 0;
  std::string deviceName;
  std::string deviceSecret;
};

Result<RelaySession> SignIn(const HttpEndpoint& endpoint, const SignInRequest& request);
Result<RelaySession> SetUp(const HttpEndpoint& endpoint, const SetupRequest& request);
Status SignOut(const HttpEndpoint& endpoint, const std::string& token);

struct HttpTransportOptions {
  HttpEndpoint endpoint;
  std::string token;
  int connectTimeoutMs = 3000;
  int readTimeoutSeconds = 30;  // a pull's wait is added on top
};

class HttpTransport : public Transport {
 public:
  explicit HttpTransport(HttpTransportOptions options);
  ~HttpTransport() override;

  void Push(const PushRequest& request, std::function<void(Result<PushOutcome>)> done) override;
  void Pull(int64_t afterSeq, int limit, int waitSeconds, std::function<void(Result<PullResponse>)> done) override;
  void Snapshot(std::function<void(Result<SnapshotResponse>)> done) override;

  // The same calls, returning their result (what the callbacks receive).
  Result<PushOutcome> PushNow(const PushRequest& request);
  Result<PullResponse> PullNow(int64_t afterSeq, int limit, int waitSeconds);
  Result<SnapshotResponse> SnapshotNow();

  void SetToken(std::string token);
  void SetEndpoint(HttpEndpoint endpoint);
  // Seconds the relay asked to wait before the next try (429/503 Retry-After), 0 when it did not.
  int RetryAfterSeconds() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace crm::sync
