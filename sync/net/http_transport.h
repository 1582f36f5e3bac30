#pragma once
// sync::Transport over HTTP/1.1 with cpp-httplib: how native devices (and the
// relay's own tests and benchmark) talk to crm-relay. Synchronous underneath:
// each call finishes, and calls `done`, before it returns; run it on a thread
// of its own where that matters. Plus the JSON calls around it: set-up,
// sign-in and sign-out.
//
// What is sent and what each answer means is sync/protocol.h (shared with the
// browser's transport); this file only moves the bytes.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/result.h"
#include "sync/protocol.h"
#include "sync/transport.h"

namespace crm::sync {

struct HttpEndpoint {
  std::string host = "127.0.0.1";
  int port = 8787;
};

// A sign-in's or set-up's deviceSecret left empty: a secret this process derives for the device id,
// the same for every sign-in of the id in this process (tests, the benchmark).
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
  void Scope(const ScopeRequest& request, std::function<void(Result<ScopeResponse>)> done) override;
  void Directory(int64_t since, int64_t afterId, std::function<void(Result<DirectoryResponse>)> done) override;
  void ReportWiped(std::function<void(Status)> done) override;

  // The same calls, returning their result (what the callbacks receive).
  Result<PushOutcome> PushNow(const PushRequest& request);
  Result<PullResponse> PullNow(int64_t afterSeq, int limit, int waitSeconds);
  Result<SnapshotResponse> SnapshotNow();
  Result<ScopeResponse> ScopeNow(const ScopeRequest& request);
  Result<DirectoryResponse> DirectoryNow(int64_t since, int64_t afterId);
  Status ReportWipedNow();

  void SetToken(std::string token);
  void SetEndpoint(HttpEndpoint endpoint);
  // Seconds the relay asked to wait before the next try (429/503 Retry-After), 0 when it did not.
  int RetryAfterSeconds() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace crm::sync
