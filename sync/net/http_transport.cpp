#include "sync/net/http_transport.h"

#include <httplib.h>

#include "core/ids.h"
#include "core/sha256.h"

namespace crm::sync {

namespace {

// What came back for one request, kept alive while the protocol reads it (HttpAnswer borrows).
struct Exchange {
  httplib::Result result;
  std::string retryAfter;
  std::string scope;
  std::string failure;

  HttpAnswer Answer() const {
    if (!result) return HttpAnswer{0, {}, {}, failure, {}};
    return HttpAnswer{result->status, result->body, retryAfter, {}, scope};
  }
};

Exchange Send(httplib::Client& client, const HttpRequest& request, const HttpEndpoint& endpoint) {
  httplib::Headers headers;
  for (const HttpHeader& header : request.headers) headers.emplace(header.name, header.value);
  Exchange exchange{request.method == "GET"
                        ? client.Get(request.target, headers)
                        : client.Post(request.target, headers, reinterpret_cast<const char*>(request.body.data()),
                                      request.body.size(), request.contentType)};
  if (exchange.result) {
    exchange.retryAfter = exchange.result->get_header_value("Retry-After");
    exchange.scope = exchange.result->get_header_value("X-CRM-Scope");
  } else {
    exchange.failure = endpoint.host + ":" + std::to_string(endpoint.port) + ": " + httplib::to_string(exchange.result.error());
  }
  return exchange;
}

void Configure(httplib::Client& client, int connectTimeoutMs, int readTimeoutSeconds) {
  client.set_connection_timeout(0, connectTimeoutMs * 1000);
  client.set_read_timeout(readTimeoutSeconds, 0);
  client.set_write_timeout(30, 0);
  client.set_keep_alive(true);
}

constexpr int kConnectTimeoutMs = 3000;
constexpr int kReadTimeoutSeconds = 30;

// Set-up, sign-in and sign-out: one request each, on a connection of its own.
Exchange SendOnce(const HttpEndpoint& endpoint, const HttpRequest& request) {
  httplib::Client client(endpoint.host, endpoint.port);
  Configure(client, kConnectTimeoutMs, TimeoutSecondsFor(request, kReadTimeoutSeconds));
  return Send(client, request, endpoint);
}

// A secret per device id, keyed by randomness made once in this process: unguessable by anyone else.
std::string SecretFor(int64_t deviceId, const std::string& given) {
  if (!given.empty()) return given;
  static const std::string key = std::to_string(NewId()) + std::to_string(NewId()) + std::to_string(NewId()) + std::to_string(NewId());
  return ToHex(HmacSha256(key, std::to_string(deviceId)));
}

}  // namespace

Result<RelaySession> SignIn(const HttpEndpoint& endpoint, const SignInRequest& request) {
  SignInRequest sent = request;
  sent.deviceSecret = SecretFor(request.deviceId, request.deviceSecret);
  HttpRequest call = SignInCall(sent);
  return ReadSessionAnswer(call.what, SendOnce(endpoint, call).Answer());
}

Result<RelaySession> SetUp(const HttpEndpoint& endpoint, const SetupRequest& request) {
  SetupRequest sent = request;
  sent.deviceSecret = SecretFor(request.deviceId, request.deviceSecret);
  HttpRequest call = SetupCall(sent);
  return ReadSessionAnswer(call.what, SendOnce(endpoint, call).Answer());
}

Status SignOut(const HttpEndpoint& endpoint, const std::string& token) {
  return ReadSignOutAnswer(SendOnce(endpoint, SignOutCall(token)).Answer());
}

struct HttpTransport::Impl {
  HttpTransportOptions options;
  std::mutex mutex;  // httplib::Client is not safe to share between threads
  std::unique_ptr<httplib::Client> client;
  int retryAfter = 0;

  // Sends on the kept connection; keeps the relay's Retry-After, and drops the connection after a
  // failure (it may be half-dead).
  Exchange Send(const HttpRequest& request) {
    if (!client) {
      client = std::make_unique<httplib::Client>(options.endpoint.host, options.endpoint.port);
      Configure(*client, options.connectTimeoutMs, options.readTimeoutSeconds);
    }
    client->set_read_timeout(TimeoutSecondsFor(request, options.readTimeoutSeconds), 0);
    Exchange exchange = sync::Send(*client, request, options.endpoint);
    if (!exchange.result) client.reset();
    retryAfter = RetryAfterOf(exchange.Answer());
    return exchange;
  }
};

HttpTransport::HttpTransport(HttpTransportOptions options) : m_impl(std::make_unique<Impl>()) {
  m_impl->options = std::move(options);
}

HttpTransport::~HttpTransport() = default;

void HttpTransport::SetToken(std::string token) {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  m_impl->options.token = std::move(token);
}

void HttpTransport::SetEndpoint(HttpEndpoint endpoint) {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  m_impl->options.endpoint = std::move(endpoint);
  m_impl->client.reset();
}

int HttpTransport::RetryAfterSeconds() const {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  return m_impl->retryAfter;
}

Result<PushOutcome> HttpTransport::PushNow(const PushRequest& request) {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  return ReadPushAnswer(m_impl->Send(PushCall(request, m_impl->options.token)).Answer());
}

Result<PullResponse> HttpTransport::PullNow(int64_t afterSeq, int limit, int waitSeconds) {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  return ReadPullAnswer(m_impl->Send(PullCall(afterSeq, limit, waitSeconds, m_impl->options.token)).Answer());
}

Result<ScopeResponse> HttpTransport::ScopeNow(const ScopeRequest& request) {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  return ReadScopeAnswer(m_impl->Send(ScopeCall(request, m_impl->options.token)).Answer());
}

Result<DirectoryResponse> HttpTransport::DirectoryNow(int64_t since, int64_t afterId) {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  return ReadDirectoryAnswer(m_impl->Send(DirectoryCall(since, afterId, m_impl->options.token)).Answer());
}

Result<SnapshotResponse> HttpTransport::SnapshotNow() {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  return ReadSnapshotAnswer(m_impl->Send(SnapshotCall(m_impl->options.token)).Answer());
}

Status HttpTransport::ReportWipedNow() {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  return ReadWipedAnswer(m_impl->Send(WipedCall(m_impl->options.token)).Answer());
}

void HttpTransport::ReportWiped(std::function<void(Status)> done) { done(ReportWipedNow()); }

void HttpTransport::Push(const PushRequest& request, std::function<void(Result<PushOutcome>)> done) { done(PushNow(request)); }

void HttpTransport::Pull(int64_t afterSeq, int limit, int waitSeconds, std::function<void(Result<PullResponse>)> done) {
  done(PullNow(afterSeq, limit, waitSeconds));
}

void HttpTransport::Snapshot(std::function<void(Result<SnapshotResponse>)> done) { done(SnapshotNow()); }
void HttpTransport::Scope(const ScopeRequest& request, std::function<void(Result<ScopeResponse>)> done) {
  done(ScopeNow(request));
}
void HttpTransport::Directory(int64_t since, int64_t afterId, std::function<void(Result<DirectoryResponse>)> done) {
  done(DirectoryNow(since, afterId));
}

}  // namespace crm::sync
