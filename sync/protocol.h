#pragma once
// The client side of the relay's HTTP protocol (docs/PROTOCOL.md), without the network: what each
// call sends (method, path and query, headers, body) and what each answer means (the typed result
// sync/transport.h names, or its Error). Transports only move bytes: cpp-httplib natively
// (sync/net/http_transport.cpp), fetch() in the browser (web/sync_browser.cpp, web/sync.js), so
// both speak the protocol the same way: the same paths, errors, refusals and Retry-After.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "sync/transport.h"
#include "sync/wire.h"

namespace crm::sync {

inline constexpr char kBinaryContentType[] = "application/x-crm";
inline constexpr char kJsonContentType[] = "application/json";

// A Retry-After the relay gives is kept within these bounds (seconds).
inline constexpr int kMinRetryAfterSeconds = 1;
inline constexpr int kMaxRetryAfterSeconds = 3600;
// Snapshots are the organisation's whole data: they get at least this long to arrive.
inline constexpr int kSnapshotTimeoutSeconds = 120;

// What set-up and sign-in give a device.
struct RelaySession {
  int64_t organisationId = 0;
  int64_t userId = 0;
  std::string role;
  std::string token;
  int64_t expiresAt = 0;  // ms
};

// deviceSecret proves the device id (docs/PROTOCOL.md, "Identity").
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

struct HttpHeader {
  std::string name;
  std::string value;
};

// One request, ready to send.
struct HttpRequest {
  std::string what;    // names the call in error messages: "push", "sign-in"
  std::string method;  // "GET" or "POST"
  std::string target;  // the path with its query
  std::vector<HttpHeader> headers;  // besides Content-Type
  std::string contentType;          // of the body; empty when there is none
  std::vector<uint8_t> body;
  int holdSeconds = 0;     // the relay may hold the answer this long (a long-poll)
  int minimumSeconds = 0;  // the answer may take at least this long to arrive (a snapshot)
};

// One answer, as the transport received it (borrowed: read before the transport's buffers go).
struct HttpAnswer {
  int status = 0;               // 0: no answer came (no network, refused, timed out)
  std::string_view body;        // bytes
  std::string_view retryAfter;  // the Retry-After header; empty when absent
  std::string_view failure;     // with status 0: why, for the message
  std::string_view scope;       // the X-CRM-Scope header of a pull (PullResponse::scopeDigest); empty when absent
};

// How the protocol reads an answer's status (docs/PROTOCOL.md, "Endpoints").
enum class AnswerKind {
  NoAnswer,      // 0: the network or the relay is down               → Storage
  Success,       // 2xx
  Unauthorized,  // 401: unknown, expired or revoked token; wrong password → Denied
  Forbidden,     // 403: the role does not allow it, or the device was revoked → Denied
  NotFound,      // 404: no such path (no relay at that address) or record → Invalid
  Refused,       // 422: a changeset refused (push)                   → PushOutcome::refusal
  Busy,          // 429, 5xx: retry later                              → Storage
  BadRequest,    // anything else: the relay did not understand      → Invalid
};
AnswerKind ClassifyStatus(int status);

// The error for an answer that is not the call's success, with the relay's own message. A 403
// device_revoked is Problem::DeviceRevoked (arg 1: keep_unsent, push what is unsent first): the
// device erases its data, which is not the same as signing in again.
Error AnswerError(const std::string& what, const HttpAnswer& answer);

// Seconds from a Retry-After header (delta-seconds; an HTTP date is not used by the relay), within
// kMinRetryAfterSeconds..kMaxRetryAfterSeconds; `fallback` when absent, negative or unreadable.
int ParseRetryAfter(std::string_view header, int fallback);
// The wait an answer asks for before the next request: Retry-After on 429 and 503 (at least 1 s), else 0.
int RetryAfterOf(const HttpAnswer& answer);

// The read timeout for a request, given the transport's usual one.
int TimeoutSecondsFor(const HttpRequest& request, int baseSeconds);

// The X-CRM-Scope header of a scoped pull: the fingerprint, then ";from=N" when a row moved into the scope.
std::string ScopeHeader(const PullResponse& response);

// --- requests. `token` empty: no Authorization header.
HttpRequest PushCall(const PushRequest& request, const std::string& token);
HttpRequest PullCall(int64_t afterSeq, int limit, int waitSeconds, const std::string& token);
HttpRequest SnapshotCall(const std::string& token);
HttpRequest ScopeCall(const ScopeRequest& request, const std::string& token);
// The company directory: what changed since position `since` (0: all of it), customers past `afterId`.
HttpRequest DirectoryCall(int64_t since, int64_t afterId, const std::string& token);
HttpRequest SignInCall(const SignInRequest& request);
HttpRequest SetupCall(const SetupRequest& request);
HttpRequest SignOutCall(const std::string& token);
// A revoked device reports that it is erasing its data (docs/PROTOCOL.md, "Admin").
HttpRequest WipedCall(const std::string& token);

// --- answers: the typed result, or the error sync/transport.h names.
Result<PushOutcome> ReadPushAnswer(const HttpAnswer& answer);
// retryAfterSeconds: the relay's Retry-After on an answer it would not hold (docs/PROTOCOL.md, pull).
Result<PullResponse> ReadPullAnswer(const HttpAnswer& answer);
Result<SnapshotResponse> ReadSnapshotAnswer(const HttpAnswer& answer);
Result<ScopeResponse> ReadScopeAnswer(const HttpAnswer& answer);
Result<DirectoryResponse> ReadDirectoryAnswer(const HttpAnswer& answer);
// Sign-in and set-up answer alike.
Result<RelaySession> ReadSessionAnswer(const std::string& what, const HttpAnswer& answer);
Status ReadSignOutAnswer(const HttpAnswer& answer);
Status ReadWipedAnswer(const HttpAnswer& answer);

}  // namespace crm::sync
