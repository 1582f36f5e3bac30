#include "sync/protocol.h"

#include <algorithm>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

namespace crm::sync {

using nlohmann::json;

namespace {

// A JSON body, or a discarded value when it is not JSON (never throws).
json ParseJson(std::string_view body) { return json::parse(body.begin(), body.end(), nullptr, false); }

std::vector<uint8_t> JsonBytes(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  return std::vector<uint8_t>(text.begin(), text.end());
}

// A string field, or "" when absent or of another type (json::get would throw on a number).
std::string TextOf(const json& body, const char* field) {
  if (!body.is_object()) return "";
  auto found = body.find(field);
  return found != body.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// An id the relay sends as a decimal string (or, leniently, a JSON integer); nothing else counts.
std::optional<int64_t> IdOf(const json& body, const char* field) {
  if (!body.is_object()) return std::nullopt;
  auto found = body.find(field);
  if (found == body.end()) return std::nullopt;
  if (found->is_number_integer()) return found->get<int64_t>();
  if (!found->is_string()) return std::nullopt;
  const std::string& text = found->get_ref<const std::string&>();
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  uint64_t value = std::stoull(text);
  if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return static_cast<int64_t>(value);
}

// The relay's own words from an error body ({"error", "message"}), or "" when it has none.
std::string RelayMessage(std::string_view body) {
  json parsed = ParseJson(body);
  std::string message = TextOf(parsed, "message");
  return message.empty() ? TextOf(parsed, "error") : message;
}

// A 403 that tells the device it was revoked and must erase its data.
std::optional<Error> DeviceRevokedError(const std::string& what, std::string_view body) {
  json parsed = ParseJson(body);
  if (TextOf(parsed, "error") != "device_revoked") return std::nullopt;
  auto keep = parsed.find("keep_unsent");
  bool keepUnsent = keep != parsed.end() && keep->is_boolean() && keep->get<bool>();
  Error error = MakeError(ErrorCode::Denied, what + ": an administrator revoked this device; its data is erased" +
                                                 std::string(keepUnsent ? " once its unsent changes are pushed" : ""));
  error.problem = Problem::DeviceRevoked;
  error.arg = keepUnsent ? 1 : 0;
  return error;
}

std::vector<HttpHeader> BinaryHeaders(const std::string& token) {
  std::vector<HttpHeader> headers{{"Accept", kBinaryContentType}};
  if (!token.empty()) headers.push_back({"Authorization", "Bearer " + token});
  return headers;
}

// A body that does not decode: another wire version stays Schema (update the app), anything else is Corrupt.
Error UndecodableError(const std::string& what, const Error& error) {
  return MakeError(error.code == ErrorCode::Schema ? ErrorCode::Schema : ErrorCode::Corrupt, what + ": " + error.message);
}

const uint8_t* DataOf(std::string_view body) { return reinterpret_cast<const uint8_t*>(body.data()); }

HttpRequest JsonCall(const char* what, const char* target, const json& body) {
  HttpRequest request;
  request.what = what;
  request.method = "POST";
  request.target = target;
  request.contentType = kJsonContentType;
  request.body = JsonBytes(body);
  return request;
}

}  // namespace

// ---------------------------------------------------------------------------
// Statuses, errors, Retry-After

AnswerKind ClassifyStatus(int status) {
  if (status <= 0) return AnswerKind::NoAnswer;
  if (status >= 200 && status < 300) return AnswerKind::Success;
  switch (status) {
    case 401: return AnswerKind::Unauthorized;
    case 403: return AnswerKind::Forbidden;
    case 404: return AnswerKind::NotFound;
    case 422: return AnswerKind::Refused;
    case 429: return AnswerKind::Busy;
    default: return status >= 500 ? AnswerKind::Busy : AnswerKind::BadRequest;
  }
}

Error AnswerError(const std::string& what, const HttpAnswer& answer) {
  AnswerKind kind = ClassifyStatus(answer.status);
  auto coded = [](Error error, Problem problem) {
    error.problem = problem;
    return error;
  };
  if (kind == AnswerKind::NoAnswer) {
    std::string why = answer.failure.empty() ? "no answer" : std::string(answer.failure);
    return coded(MakeError(ErrorCode::Storage, what + ": the relay is unreachable (" + why + ")"), Problem::RelayUnreachable);
  }
  std::string relay = RelayMessage(answer.body);
  std::string said = "(HTTP " + std::to_string(answer.status) + (relay.empty() ? "" : ": " + relay) + ")";
  switch (kind) {
    case AnswerKind::Unauthorized:
      return coded(MakeError(ErrorCode::Denied, what + ": the relay does not accept this sign-in " + said), Problem::RelaySignIn);
    case AnswerKind::Forbidden:
      if (std::optional<Error> revoked = DeviceRevokedError(what, answer.body)) return *revoked;
      return coded(MakeError(ErrorCode::Denied, what + ": the relay does not allow this " + said), Problem::RelayForbids);
    case AnswerKind::Busy:
      return coded(MakeError(ErrorCode::Storage, what + ": the relay is busy or unavailable, trying again later " + said),
                   Problem::RelayBusy);
    case AnswerKind::NotFound:
      return coded(MakeError(ErrorCode::Invalid, what + ": the relay does not know this address " + said), Problem::RelayRejected);
    default:
      return coded(MakeError(ErrorCode::Invalid, what + ": the relay did not accept the request " + said), Problem::RelayRejected);
  }
}

int ParseRetryAfter(std::string_view header, int fallback) {
  size_t begin = header.find_first_not_of(" \t");
  size_t end = header.find_last_not_of(" \t");
  if (begin == std::string_view::npos) return fallback;
  std::string_view digits = header.substr(begin, end - begin + 1);
  if (digits.find_first_not_of("0123456789") != std::string_view::npos) return fallback;
  // Counted with a ceiling, so a huge number cannot overflow.
  int seconds = 0;
  for (char digit : digits) seconds = std::min(kMaxRetryAfterSeconds, seconds * 10 + (digit - '0'));
  return std::max(kMinRetryAfterSeconds, seconds);
}

int RetryAfterOf(const HttpAnswer& answer) {
  if (answer.status != 429 && answer.status != 503) return 0;
  return ParseRetryAfter(answer.retryAfter, kMinRetryAfterSeconds);
}

int TimeoutSecondsFor(const HttpRequest& request, int baseSeconds) {
  return std::max(baseSeconds + std::max(0, request.holdSeconds), request.minimumSeconds);
}

// ---------------------------------------------------------------------------
// Requests

HttpRequest PushCall(const PushRequest& push, const std::string& token) {
  HttpRequest request;
  request.what = "push";
  request.method = "POST";
  request.target = "/v1/push";
  request.headers = BinaryHeaders(token);
  request.contentType = kBinaryContentType;
  request.body = EncodePush(push);
  return request;
}

HttpRequest PullCall(int64_t afterSeq, int limit, int waitSeconds, const std::string& token) {
  HttpRequest request;
  request.what = "pull";
  request.method = "GET";
  request.holdSeconds = std::max(0, waitSeconds);
  request.target = "/v1/pull?after=" + std::to_string(afterSeq) + "&limit=" + std::to_string(limit) +
                   "&wait=" + std::to_string(request.holdSeconds);
  request.headers = BinaryHeaders(token);
  return request;
}

HttpRequest ScopeCall(const ScopeRequest& scope, const std::string& token) {
  HttpRequest request;
  request.what = "scope";
  request.method = "POST";
  request.target = "/v1/scope";
  request.headers = BinaryHeaders(token);
  request.contentType = kBinaryContentType;
  request.body = EncodeScopeRequest(scope);
  request.minimumSeconds = kSnapshotTimeoutSeconds;  // may carry many customers' rows
  return request;
}

HttpRequest DirectoryCall(int64_t since, int64_t afterId, const std::string& token) {
  HttpRequest request;
  request.what = "directory";
  request.method = "GET";
  request.target = "/v1/directory?since=" + std::to_string(since) + "&after=" + std::to_string(afterId);
  request.headers = BinaryHeaders(token);
  return request;
}

HttpRequest SnapshotCall(const std::string& token) {
  HttpRequest request;
  request.what = "snapshot";
  request.method = "GET";
  request.target = "/v1/snapshot";
  request.headers = BinaryHeaders(token);
  request.minimumSeconds = kSnapshotTimeoutSeconds;
  return request;
}

// Device ids travel as decimal strings (docs/PROTOCOL.md, sign-in): JSON numbers lose digits past 2^53.
HttpRequest SignInCall(const SignInRequest& signIn) {
  json body{{"organisation", signIn.organisation}, {"user", signIn.user}, {"password", signIn.password},
            {"device_id", std::to_string(signIn.deviceId)}, {"device_name", signIn.deviceName},
            {"device_secret", signIn.deviceSecret}};
  return JsonCall("sign-in", "/v1/signin", body);
}

HttpRequest SetupCall(const SetupRequest& setup) {
  json body{{"setup_token", setup.setupToken}, {"organisation", setup.organisation}, {"admin_name", setup.adminName},
            {"password", setup.password}, {"device_id", std::to_string(setup.deviceId)}, {"device_name", setup.deviceName},
            {"device_secret", setup.deviceSecret}};
  return JsonCall("set-up", "/v1/setup", body);
}

HttpRequest SignOutCall(const std::string& token) {
  HttpRequest request;
  request.what = "sign-out";
  request.method = "POST";
  request.target = "/v1/signout";
  request.contentType = kJsonContentType;
  if (!token.empty()) request.headers.push_back({"Authorization", "Bearer " + token});
  return request;
}

HttpRequest WipedCall(const std::string& token) {
  HttpRequest request = SignOutCall(token);
  request.what = "wiped";
  request.target = "/v1/wiped";
  return request;
}

// ---------------------------------------------------------------------------
// Answers

Result<PushOutcome> ReadPushAnswer(const HttpAnswer& answer) {
  AnswerKind kind = ClassifyStatus(answer.status);
  PushOutcome outcome;
  if (kind == AnswerKind::Refused) {
    json body = ParseJson(answer.body);
    if (!body.is_object()) return MakeError(ErrorCode::Corrupt, "push: the relay refused the push but its answer does not say why");
    PushRefusal refusal;
    refusal.changesetId = IdOf(body, "changeset_id").value_or(0);
    refusal.table = TextOf(body, "table");
    refusal.row = TextOf(body, "row");
    refusal.reason = TextOf(body, "reason");
    if (refusal.reason.empty()) refusal.reason = TextOf(body, "message");
    if (refusal.reason.empty()) refusal.reason = "the relay gave no reason";
    outcome.refusal = std::move(refusal);
    return outcome;
  }
  if (kind != AnswerKind::Success) return AnswerError("push", answer);
  auto decoded = DecodePushResponse(DataOf(answer.body), answer.body.size());
  if (!decoded) return UndecodableError("push", decoded.GetError());
  outcome.response = std::move(decoded).Value();
  return outcome;
}

Result<PullResponse> ReadPullAnswer(const HttpAnswer& answer) {
  if (ClassifyStatus(answer.status) != AnswerKind::Success) return AnswerError("pull", answer);
  auto decoded = DecodePull(DataOf(answer.body), answer.body.size());
  if (!decoded) return UndecodableError("pull", decoded.GetError());
  decoded.Value().retryAfterSeconds = ParseRetryAfter(answer.retryAfter, 0);
  std::string_view scope = answer.scope.substr(0, 128);
  const size_t from = scope.find(";from=");
  decoded.Value().scopeDigest = std::string(scope.substr(0, from));
  if (from != std::string_view::npos) {
    decoded.Value().scopeRefreshFrom = std::max<int64_t>(0, std::strtoll(std::string(scope.substr(from + 6)).c_str(), nullptr, 10));
  }
  return decoded;
}

std::string ScopeHeader(const PullResponse& response) {
  if (response.scopeRefreshFrom <= 0) return response.scopeDigest;
  return response.scopeDigest + ";from=" + std::to_string(response.scopeRefreshFrom);
}

Result<ScopeResponse> ReadScopeAnswer(const HttpAnswer& answer) {
  if (ClassifyStatus(answer.status) != AnswerKind::Success) return AnswerError("scope", answer);
  auto decoded = DecodeScopeResponse(DataOf(answer.body), answer.body.size());
  if (!decoded) return UndecodableError("scope", decoded.GetError());
  return decoded;
}

Result<DirectoryResponse> ReadDirectoryAnswer(const HttpAnswer& answer) {
  if (ClassifyStatus(answer.status) != AnswerKind::Success) return AnswerError("directory", answer);
  auto decoded = DecodeDirectory(DataOf(answer.body), answer.body.size());
  if (!decoded) return UndecodableError("directory", decoded.GetError());
  return decoded;
}

Result<SnapshotResponse> ReadSnapshotAnswer(const HttpAnswer& answer) {
  if (ClassifyStatus(answer.status) != AnswerKind::Success) return AnswerError("snapshot", answer);
  auto decoded = DecodeSnapshot(DataOf(answer.body), answer.body.size());
  if (!decoded) return UndecodableError("snapshot", decoded.GetError());
  return decoded;
}

Result<RelaySession> ReadSessionAnswer(const std::string& what, const HttpAnswer& answer) {
  if (ClassifyStatus(answer.status) != AnswerKind::Success) return AnswerError(what, answer);
  json body = ParseJson(answer.body);
  auto organisation = IdOf(body, "organisation_id");
  auto user = IdOf(body, "user_id");
  std::string token = TextOf(body, "token");
  if (!organisation || !user || token.empty()) {
    return MakeError(ErrorCode::Corrupt, what + ": the relay's answer lacks the organisation, user or token");
  }
  RelaySession session;
  session.organisationId = *organisation;
  session.userId = *user;
  session.role = TextOf(body, "role");
  session.token = std::move(token);
  auto expires = body.find("expires_at");
  session.expiresAt = expires != body.end() && expires->is_number_integer() ? expires->get<int64_t>() : 0;
  return session;
}

Status ReadSignOutAnswer(const HttpAnswer& answer) {
  if (ClassifyStatus(answer.status) != AnswerKind::Success) return AnswerError("sign-out", answer);
  return Ok();
}

Status ReadWipedAnswer(const HttpAnswer& answer) {
  if (ClassifyStatus(answer.status) != AnswerKind::Success) return AnswerError("wiped", answer);
  return Ok();
}

}  // namespace crm::sync
