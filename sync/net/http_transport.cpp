#include "sync/net/http_transport.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "core/sha256.h"

namespace crm::sync {

using nlohmann::json;

namespace {

constexpr const char* kBinaryType = "application/x-crm";

std::string Dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// A string field, or "" when absent or of another type (json::value would throw on a number).
std::string TextOf(const json& body, const char* field) {
  auto found = body.find(field);
  return found != body.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::string MessageOf(const httplib::Result& result) {
  json body = json::parse(result->body, nullptr, false);
  if (body.is_object() && !TextOf(body, "message").empty()) return TextOf(body, "message");
  return "HTTP " + std::to_string(result->status);
}

// An answer that is not a success, as the error transport.h names for it.
Error StatusError(const httplib::Result& result, const std::string& what) {
  int status = result->status;
  std::string message = what + ": " + MessageOf(result);
  if (status == 401 || status == 403) return MakeError(ErrorCode::Denied, message);
  if (status == 429 || status >= 500) return MakeError(ErrorCode::Storage, message);
  return MakeError(ErrorCode::Invalid, message);
}

Error NetworkError(const httplib::Result& result, const HttpEndpoint& endpoint, const std::string& what) {
  return MakeError(ErrorCode::Storage, what + ": the relay at " + endpoint.host + ":" + std::to_string(endpoint.port) +
                                           " is unreachable (" + httplib::to_string(result.error()) + ")");
}

void Configure(httplib::Client& client, int connectTimeoutMs, int readTimeoutSeconds) {
  client.set_connection_timeout(0, connectTimeoutMs * 1000);
  client.set_read_timeout(readTimeoutSeconds, 0);
  client.set_write_timeout(30, 0);
  client.set_keep_alive(true);
}

std::string IdText(const json& body, const char* field) {
  auto found = body.find(field);
  if (found == body.end()) return "";
  if (found->is_string()) return found->get<std::string>();
  if (found->is_number_integer()) return std::to_string(found->get<int64_t>());
  return "";
}

Result<RelaySession> ParseSession(const std::string& text) {
  json body = json::parse(text, nullptr, false);
  if (!body.is_object() || !body.contains("token") || !body["token"].is_string()) {
    return MakeError(ErrorCode::Corrupt, "the relay's sign-in answer is not what the protocol says");
  }
  RelaySession session;
  session.organisationId = std::strtoll(IdText(body, "organisation_id").c_str(), nullptr, 10);
  session.userId = std::strtoll(IdText(body, "user_id").c_str(), nullptr, 10);
  session.role = TextOf(body, "role");
  session.token = body["token"].get<std::string>();
  auto expires = body.find("expires_at");
  session.expiresAt = expires != body.end() && expires->is_number_integer() ? expires->get<int64_t>() : 0;
  return session;
}

Result<RelaySession> PostSession(const HttpEndpoint& endpoint, const char* path, const json& request, const std::string& what) {
  httplib::Client client(endpoint.host, endpoint.port);
  Configure(client, 3000, 30);
  auto result = client.Post(path, Dump(request), "application/json");
  if (!result) return NetworkError(result, endpoint, what);
  if (result->status != 200 && result->status != 201) return StatusError(result, what);
  return ParseSession(result->body);
}

}  // namespace

namespace {

// A secret per device id, keyed by randomness made once in this process: unguessable by anyone else.
std::string SecretFor(int64_t deviceId, const std::string& given) {
  if (!given.empty()) return given;
  static const std::string key = std::to_string(NewId()) + std::to_string(NewId()) + std::to_string(NewId()) + std::to_string(NewId());
  return ToHex(HmacSha256(key, std::to_string(deviceId)));
}

}  // namespace

Result<RelaySession> SignIn(const HttpEndpoint& endpoint, const SignInRequest& request) {
  json body{{"organisation", request.organisation}, {"user", request.user}, {"password", request.password},
            {"device_id", std::to_string(request.deviceId)}, {"device_name", request.deviceName},
            {"device_secret", SecretFor(request.deviceId, request.deviceSecret)}};
  return PostSession(endpoint, "/v1/signin", body, "sign-in");
}

Result<RelaySession> SetUp(const HttpEndpoint& endpoint, const SetupRequest& request) {
  json body{{"setup_token", request.setupToken}, {"organisation", request.organisation}, {"admin_name", request.adminName},
            {"password", request.password}, {"device_id", std::to_string(request.deviceId)}, {"device_name", request.deviceName},
            {"device_secret", SecretFor(request.deviceId, request.deviceSecret)}};
  return PostSession(endpoint, "/v1/setup", body, "set-up");
}

Status SignOut(const HttpEndpoint& endpoint, const std::string& token) {
  httplib::Client client(endpoint.host, endpoint.port);
  Configure(client, 3000, 30);
  httplib::Headers headers{{"Authorization", "Bearer " + token}};
  auto result = client.Post("/v1/signout", headers, "", "application/json");
  if (!result) return NetworkError(result, endpoint, "sign-out");
  if (result->status != 204) return StatusError(result, "sign-out");
  return Ok();
}

struct HttpTransport::Impl {
  HttpTransportOptions options;
  std::mutex mutex;  // httplib::Client is not safe to share between threads
  std::unique_ptr<httplib::Client> client;
  int retryAfter = 0;

  httplib::Client& Client() {
    if (!client) {
      client = std::make_unique<httplib::Client>(options.endpoint.host, options.endpoint.port);
      Configure(*client, options.connectTimeoutMs, options.readTimeoutSeconds);
    }
    return *client;
  }

  httplib::Headers Headers() const { return {{"Authorization", "Bearer " + options.token}, {"Accept", kBinaryType}}; }

  // Keeps the relay's Retry-After, and drops the connection after a failure (it may be half-dead).
  void Note(const httplib::Result& result) {
    retryAfter = 0;
    if (!result) {
      client.reset();
      return;
    }
    if (result->status == 429 || result->status == 503) {
      retryAfter = std::max(1, std::atoi(result->get_header_value("Retry-After").c_str()));
    }
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
  std::vector<uint8_t> bytes = EncodePush(request);
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  httplib::Client& client = m_impl->Client();
  client.set_read_timeout(m_impl->options.readTimeoutSeconds, 0);
  auto result = client.Post("/v1/push", m_impl->Headers(), reinterpret_cast<const char*>(bytes.data()), bytes.size(), kBinaryType);
  m_impl->Note(result);
  if (!result) return NetworkError(result, m_impl->options.endpoint, "push");
  if (result->status == 422) {
    json body = json::parse(result->body, nullptr, false);
    if (!body.is_object()) return MakeError(ErrorCode::Corrupt, "push: the relay refused the push but its answer does not say why");
    PushRefusal refusal;
    refusal.changesetId = std::strtoll(IdText(body, "changeset_id").c_str(), nullptr, 10);
    refusal.table = TextOf(body, "table");
    refusal.row = TextOf(body, "row");
    refusal.reason = TextOf(body, "reason");
    if (refusal.reason.empty()) refusal.reason = TextOf(body, "message");
    PushOutcome outcome;
    outcome.refusal = std::move(refusal);
    return outcome;
  }
  if (result->status != 200) return StatusError(result, "push");
  auto decoded = DecodePushResponse(std::vector<uint8_t>(result->body.begin(), result->body.end()));
  if (!decoded) {
    return MakeError(decoded.Code() == ErrorCode::Schema ? ErrorCode::Schema : ErrorCode::Corrupt, "push: " + decoded.Message());
  }
  PushOutcome outcome;
  outcome.response = std::move(decoded).Value();
  return outcome;
}

Result<PullResponse> HttpTransport::PullNow(int64_t afterSeq, int limit, int waitSeconds) {
  std::string path = "/v1/pull?after=" + std::to_string(afterSeq) + "&limit=" + std::to_string(limit) +
                     "&wait=" + std::to_string(std::max(0, waitSeconds));
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  httplib::Client& client = m_impl->Client();
  client.set_read_timeout(m_impl->options.readTimeoutSeconds + std::max(0, waitSeconds), 0);
  auto result = client.Get(path.c_str(), m_impl->Headers());
  m_impl->Note(result);
  if (!result) return NetworkError(result, m_impl->options.endpoint, "pull");
  if (result->status != 200) return StatusError(result, "pull");
  auto decoded = DecodePull(reinterpret_cast<const uint8_t*>(result->body.data()), result->body.size());
  if (!decoded) {
    return MakeError(decoded.Code() == ErrorCode::Schema ? ErrorCode::Schema : ErrorCode::Corrupt, "pull: " + decoded.Message());
  }
  decoded.Value().retryAfterSeconds = std::atoi(result->get_header_value("Retry-After").c_str());
  return decoded;
}

Result<SnapshotResponse> HttpTransport::SnapshotNow() {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  httplib::Client& client = m_impl->Client();
  client.set_read_timeout(std::max(120, m_impl->options.readTimeoutSeconds), 0);
  auto result = client.Get("/v1/snapshot", m_impl->Headers());
  m_impl->Note(result);
  if (!result) return NetworkError(result, m_impl->options.endpoint, "snapshot");
  if (result->status != 200) return StatusError(result, "snapshot");
  auto decoded = DecodeSnapshot(std::vector<uint8_t>(result->body.begin(), result->body.end()));
  if (!decoded) {
    return MakeError(decoded.Code() == ErrorCode::Schema ? ErrorCode::Schema : ErrorCode::Corrupt, "snapshot: " + decoded.Message());
  }
  return decoded;
}

void HttpTransport::Push(const PushRequest& request, std::function<void(Result<PushOutcome>)> done) { done(PushNow(request)); }

void HttpTransport::Pull(int64_t afterSeq, int limit, int waitSeconds, std::function<void(Result<PullResponse>)> done) {
  done(PullNow(afterSeq, limit, waitSeconds));
}

void HttpTransport::Snapshot(std::function<void(Result<SnapshotResponse>)> done) { done(SnapshotNow()); }

}  // namespace crm::sync
