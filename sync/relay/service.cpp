// The relay's API handlers.
//
// [SECTION] helpers: JSON bodies, errors, parsing
// [SECTION] authentication and limits
// [SECTION] set-up, sign-in, sign-out
// [SECTION] push, pull, snapshot
// [SECTION] admin
// [SECTION] operations: healthz, metrics
// [SECTION] dispatch
#include "sync/relay/service.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <iterator>
#include <mutex>
#include <set>
#include <unordered_map>

#include "core/db.h"
#include "core/ids.h"
#include "core/org.h"
#include "core/schema.h"
#include "core/scope.h"
#include "core/sha256.h"
#include "core/validate.h"
#include "sync/changeset.h"
#include "sync/protocol.h"
#include "sync/scope_filter.h"
#include "sync/relay/copies.h"
#include "sync/relay/directory.h"
#include "sync/relay/log.h"

namespace crm::relay {

using nlohmann::json;

namespace {

constexpr const char* kRelayVersion = "0.1.0";
constexpr const char* kBinaryType = "application/x-crm";
constexpr const char* kJsonType = "application/json";
constexpr int64_t kTouchEveryMs = 60 * 1000;
constexpr size_t kMaxJsonBytes = 64 * 1024;
constexpr size_t kScopeCustomersPerAnswer = 500;  // customers entering a scope whose rows one answer carries
constexpr int kUnheldPullRetrySeconds = 3;  // a long-poll past the held-pull caps: ask again after this  // sign-in and admin bodies are a few hundred bytes

// ---------------------------------------------------------------------------
// [SECTION] helpers: JSON bodies, errors, parsing

std::string Dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

ApiResponse Json(int status, const json& body) { return ApiResponse{status, kJsonType, Dump(body), {}}; }

ApiResponse Fail(int status, const std::string& code, const std::string& message) {
  return Json(status, json{{"error", code}, {"message", message}});
}

ApiResponse NoContent() { return ApiResponse{204, "", "", {}}; }

const char* CodeForStatus(int status) {
  switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 409: return "conflict";
    case 413: return "too_large";
    case 422: return "refused";
    case 429: return "too_many_requests";
    default: return "unavailable";
  }
}

// An error value from core or the store, as the protocol's status.
ApiResponse FromError(const Error& error) {
  int status = 503;
  switch (error.code) {
    case ErrorCode::Invalid:
    case ErrorCode::Schema: status = 400; break;
    case ErrorCode::NotFound: status = 404; break;
    case ErrorCode::Denied: status = 403; break;
    case ErrorCode::Conflict: status = 409; break;
    default: status = 503; break;
  }
  if (status != 503) return Fail(status, CodeForStatus(status), error.message);
  Log("error", "store unavailable", {{"error", error.message}});
  ApiResponse response = Fail(503, "unavailable", "the relay's store is unavailable; try again later");
  response.headers.emplace_back("Retry-After", "2");
  return response;
}

// A parse failure with the field it is about: a 400.
struct BodyError {
  std::string message;
};

class JsonBody {
 public:
  static Result<JsonBody> Parse(const std::string& body) {
    if (body.size() > kMaxJsonBytes) return MakeError(ErrorCode::Invalid, "the JSON body is too large");
    json value = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return MakeError(ErrorCode::Invalid, "the body is not valid JSON");
    if (!value.is_object()) return MakeError(ErrorCode::Invalid, "the body must be a JSON object");
    return JsonBody(std::move(value));
  }

  Result<std::string> Text(const char* field, bool required = true) const {
    auto found = m_value.find(field);
    if (found == m_value.end() || found->is_null()) {
      if (required) return MakeError(ErrorCode::Invalid, std::string(field) + ": missing");
      return std::string();
    }
    if (!found->is_string()) return MakeError(ErrorCode::Invalid, std::string(field) + ": must be a string");
    return found->get<std::string>();
  }

  // A 64-bit id, as a decimal string (the protocol's form) or a JSON integer.
  Result<std::optional<int64_t>> Id(const char* field, bool required = true) const {
    auto found = m_value.find(field);
    if (found == m_value.end() || found->is_null()) {
      if (required) return MakeError(ErrorCode::Invalid, std::string(field) + ": missing");
      return std::optional<int64_t>();
    }
    if (found->is_number_integer()) {
      if (found->is_number_unsigned() && found->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
        return MakeError(ErrorCode::Invalid, std::string(field) + ": out of range");
      }
      int64_t value = found->get<int64_t>();
      if (value <= 0) return MakeError(ErrorCode::Invalid, std::string(field) + ": must be positive");
      return std::optional<int64_t>(value);
    }
    if (!found->is_string()) return MakeError(ErrorCode::Invalid, std::string(field) + ": must be a decimal string");
    return ParseId(found->get<std::string>(), field);
  }

  // true or false; `fallback` when absent or null.
  Result<bool> Flag(const char* field, bool fallback) const {
    auto found = m_value.find(field);
    if (found == m_value.end() || found->is_null()) return fallback;
    if (!found->is_boolean()) return MakeError(ErrorCode::Invalid, std::string(field) + ": must be true or false");
    return found->get<bool>();
  }

  // Present, even as null: for fields where null means something (no team) and absence is a mistake.
  bool Has(const char* field) const { return m_value.find(field) != m_value.end(); }

  static Result<std::optional<int64_t>> ParseId(const std::string& text, const std::string& field) {
    if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) {
      return MakeError(ErrorCode::Invalid, field + ": must be a positive decimal number");
    }
    unsigned long long value = std::strtoull(text.c_str(), nullptr, 10);
    if (value == 0 || value > static_cast<unsigned long long>(INT64_MAX)) {
      return MakeError(ErrorCode::Invalid, field + ": out of range");
    }
    return std::optional<int64_t>(static_cast<int64_t>(value));
  }

 private:
  explicit JsonBody(json value) : m_value(std::move(value)) {}
  json m_value;
};

// Decimal query parameters, strictly: "12", not "12abc" or "-1".
Result<int64_t> QueryInt(const ApiRequest& request, const char* name, int64_t fallback, int64_t low, int64_t high) {
  auto found = request.query.find(name);
  if (found == request.query.end() || found->second.empty()) return fallback;
  const std::string& text = found->second;
  if (text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) {
    return MakeError(ErrorCode::Invalid, std::string(name) + ": must be a non-negative integer");
  }
  int64_t value = static_cast<int64_t>(std::strtoull(text.c_str(), nullptr, 10));
  if (value < low || value > high) {
    return MakeError(ErrorCode::Invalid, std::string(name) + ": must be between " + std::to_string(low) + " and " + std::to_string(high));
  }
  return value;
}

Status CheckPassword(const std::string& password) {
  if (password.size() < kMinPasswordLength) {
    return MakeError(ErrorCode::Invalid, "password: at least " + std::to_string(kMinPasswordLength) + " characters");
  }
  if (password.size() > kMaxPasswordLength) return MakeError(ErrorCode::Invalid, "password: too long");
  return Ok();
}

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t at = 0;
  while (at < path.size()) {
    size_t next = path.find('/', at);
    if (next == std::string::npos) next = path.size();
    if (next > at) parts.push_back(path.substr(at, next - at));
    at = next + 1;
  }
  return parts;
}

// Only so many Argon2id hashes at once: each takes 64 MiB and a core for a while. A request that
// may hash is admitted first; past `slots + maxWaiting` admitted ones it is refused at once (503),
// as each waiter holds a server thread and sign-in floods would otherwise queue without bound.
class Gate {
 public:
  Gate(int slots, int maxWaiting) : m_free(slots), m_maxAdmitted(slots + std::max(0, maxWaiting)) {}
  bool Admit() {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_admitted >= m_maxAdmitted) return false;
    m_admitted++;
    return true;
  }
  void Release() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_admitted--;
  }
  void Enter() {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_cv.wait(lock, [&] { return m_free > 0; });
    m_free--;
  }
  void Leave() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_free++;
    }
    m_cv.notify_one();
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  int m_free;
  const int m_maxAdmitted;
  int m_admitted = 0;
};

// One request's admission, for the whole request.
struct GateAdmission {
  explicit GateAdmission(Gate& gate) : m_gate(gate), m_admitted(gate.Admit()) {}
  ~GateAdmission() {
    if (m_admitted) m_gate.Release();
  }
  Gate& m_gate;
  const bool m_admitted;
};

// "application/json", any parameters (charset) after it, any case.
bool IsJsonType(const std::string& contentType) {
  std::string type = contentType.substr(0, contentType.find(';'));
  size_t start = type.find_first_not_of(" \t");
  size_t end = type.find_last_not_of(" \t");
  if (start == std::string::npos) return false;
  type = type.substr(start, end - start + 1);
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type == "application/json";
}

// nlohmann keeps the last of repeated keys; another parser would keep the first. A body whose
// meaning depends on the parser is refused (at any depth).
bool HasDuplicateKey(const std::string& body) {
  std::vector<std::set<std::string>> open;
  bool duplicate = false;
  json::parser_callback_t check = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      open.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      if (!open.empty()) open.pop_back();
    } else if (event == json::parse_event_t::key && !open.empty() && parsed.is_string()) {
      if (!open.back().insert(parsed.get<std::string>()).second) duplicate = true;
    }
    return true;
  };
  json parsed = json::parse(body, check, /*allow_exceptions=*/false);
  (void)parsed;
  return duplicate;
}

struct GateScope {
  explicit GateScope(Gate& gate) : m_gate(gate) { gate.Enter(); }
  ~GateScope() { m_gate.Leave(); }
  Gate& m_gate;
};

std::string Decimal(int64_t value) { return std::to_string(value); }

}  // namespace

std::string EndpointLabel(const std::string& method, const std::string& path) {
  std::vector<std::string> parts = SplitPath(path);
  std::string label;
  for (size_t i = 0; i < parts.size(); i++) {
    bool id = !parts[i].empty() && parts[i].find_first_not_of("0123456789") == std::string::npos;
    label += "/" + (id ? std::string("{id}") : parts[i]);
  }
  static const std::set<std::string> kKnown = {
      "/v1/setup", "/v1/signin", "/v1/signout", "/v1/push", "/v1/pull", "/v1/snapshot", "/v1/scope", "/v1/admin/users",
      "/v1/admin/users/{id}/password", "/v1/admin/users/{id}/role", "/v1/admin/users/{id}/team", "/v1/admin/teams",
      "/v1/admin/teams/{id}/name", "/v1/admin/devices", "/v1/admin/devices/{id}/revoke", "/v1/wiped",
      "/v1/directory", "/v1/device_key", "/healthz", "/metrics"};
  if (!kKnown.count(label)) label = path.rfind("/v1/", 0) == 0 ? "/v1/other" : "static";
  return method + " " + label;
}

struct Service::Impl {
  explicit Impl(Service& service) : self(service), hashGate(2, service.m_options.maxHashWaiting), deviceLimiter(service.m_options.deviceRate),
                                    signInLimiter(service.m_options.signInRate) {}

  Service& self;
  Gate hashGate;
  RateLimiter deviceLimiter;
  RateLimiter signInLimiter;
  SignInLockout lockout;
  std::mutex touchMutex;
  std::unordered_map<int64_t, int64_t> lastTouch;  // device → when last_seen was written
  std::atomic<int> waiting{0};                     // pulls held open right now
  std::mutex heldMutex;                            // the held-pull counts below
  int heldAll = 0;
  std::unordered_map<int64_t, int> heldByOrg;
  std::map<std::pair<int64_t, int64_t>, int> heldByDevice;  // (organisation, device)

  // A held pull's place, if the caps (RelayOptions::maxHeldPulls…) leave one; released with the object.
  struct Hold {
    Impl* impl = nullptr;
    int64_t org = 0, device = 0;
    Hold() = default;
    Hold(const Hold&) = delete;
    ~Hold() {
      if (!impl) return;
      std::lock_guard<std::mutex> lock(impl->heldMutex);
      impl->heldAll--;
      if (--impl->heldByOrg[org] == 0) impl->heldByOrg.erase(org);
      if (--impl->heldByDevice[{org, device}] == 0) impl->heldByDevice.erase({org, device});
    }
  };
  bool TryHold(Hold& hold, int64_t org, int64_t device) {
    std::lock_guard<std::mutex> lock(heldMutex);
    auto byOrg = heldByOrg.find(org);
    auto byDevice = heldByDevice.find({org, device});
    if (heldAll >= options().maxHeldPulls || (byOrg != heldByOrg.end() && byOrg->second >= options().maxHeldPullsPerOrg) ||
        (byDevice != heldByDevice.end() && byDevice->second >= options().maxHeldPullsPerDevice)) {
      return false;
    }
    heldAll++;
    heldByOrg[org]++;
    heldByDevice[{org, device}]++;
    hold.impl = this;
    hold.org = org;
    hold.device = device;
    return true;
  }

  const RelayOptions& options() const { return self.m_options; }
  Store& store() { return *self.m_store; }
  OrgCopies& copies() { return *self.m_copies; }
  Metrics& metrics() { return self.m_metrics; }

  // -------------------------------------------------------------------------
  // [SECTION] authentication and limits

  struct Caller {
    TokenRecord token;
    std::string tokenHash;
  };

  // The caller behind the bearer token; a 401 response when there is none, a 403 device_revoked when
  // its device was revoked (`endpoint`: the path's second part, "push", "pull"…).
  std::optional<ApiResponse> Authenticate(const ApiRequest& request, const std::string& endpoint, Caller& caller) {
    const std::string prefix = "Bearer ";
    const std::string& header = request.authorization;
    auto unauthorized = [](const std::string& message) { return Fail(401, "unauthorized", message); };
    if (header.compare(0, prefix.size(), prefix) != 0) return unauthorized("sign in first (Authorization: Bearer <token>)");
    std::string token = header.substr(prefix.size());
    if (token.size() != 64 || token.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return unauthorized("the token is not one the relay hands out");
    }
    caller.tokenHash = TokenHash(token);
    Result<std::optional<TokenRecord>> found = [&] {
      ScopedTimer timer(metrics(), "crm_relay_store_seconds", "op=\"find_token\"");
      return store().FindToken(caller.tokenHash, NowMs());
    }();
    if (!found) return FromError(found.GetError());
    if (found.Value()) {
      caller.token = *found.Value();
    } else if (auto revoked = FromRevokedDevice(endpoint, caller)) {
      return *revoked;
    }
    auto active = copies().MayAct(caller.token.orgId, caller.token.userId);
    if (!active) return FromError(active.GetError());
    if (!active.Value()) return unauthorized("the account was deactivated (or removed) by an administrator");
    Touch(caller.token);
    return std::nullopt;
  }

  // 403 device_revoked: the device must erase its data (docs/PROTOCOL.md, "Admin").
  static ApiResponse DeviceRevoked(const DeviceRevocation& revocation) {
    return Json(403, json{{"error", "device_revoked"},
                          {"message", "an administrator revoked this device: its data must be erased"},
                          {"wipe", true},
                          {"keep_unsent", revocation.keepUnsent}});
  }

  // A token that FindToken did not accept: of a revoked device, it gets device_revoked (even ended or
  // expired), except that with keep_unsent its live tokens still push (nullopt: go on as `caller`),
  // and POST /v1/wiped records that the device erased its data. Any other token: 401.
  std::optional<ApiResponse> FromRevokedDevice(const std::string& endpoint, Caller& caller) {
    auto found = store().FindRevokedDeviceToken(caller.tokenHash, NowMs());
    if (!found) return FromError(found.GetError());
    if (!found.Value()) return Fail(401, "unauthorized", "the token is unknown, expired or revoked: sign in again");
    const RevokedDeviceToken& revoked = *found.Value();
    const TokenRecord& token = revoked.token;
    if (endpoint == "wiped") {
      if (auto marked = store().MarkDeviceWiped(token.orgId, token.deviceId, NowMs()); !marked) return FromError(marked.GetError());
      Log("info", "device wiped", {{"org", Decimal(token.orgId)}, {"device", Decimal(token.deviceId)}});
      return NoContent();
    }
    if (endpoint == "push" && revoked.live && revoked.revocation.keepUnsent && !revoked.revocation.wiped) {
      caller.token = token;
      return std::nullopt;
    }
    return DeviceRevoked(revoked.revocation);
  }

  // last_seen for the admin's device list; written at most once a minute per device.
  void Touch(const TokenRecord& token) {
    int64_t now = NowMs();
    {
      std::lock_guard<std::mutex> lock(touchMutex);
      int64_t& last = lastTouch[token.deviceId];
      if (now - last < kTouchEveryMs) return;
      last = now;
    }
    if (auto touched = store().TouchDevice(token.orgId, token.deviceId, token.userId, now); !touched) {
      Log("warn", "cannot record device activity", {{"error", touched.Message()}});
    }
  }

  std::optional<ApiResponse> Limit(RateLimiter& limiter, const std::string& key) {
    int wait = limiter.Take(key);
    if (wait == 0) return std::nullopt;
    metrics().Add("crm_relay_rate_limited_total", "");
    ApiResponse response = Fail(429, "too_many_requests", "too many requests; try again in " + std::to_string(wait) + " s");
    response.headers.emplace_back("Retry-After", std::to_string(wait));
    return response;
  }

  std::optional<ApiResponse> LimitDevice(const Caller& caller) {
    return Limit(deviceLimiter, Decimal(caller.token.orgId) + ":" + Decimal(caller.token.deviceId));
  }

  // -------------------------------------------------------------------------
  // [SECTION] set-up, sign-in, sign-out

  struct DeviceFields {
    int64_t id = 0;
    DeviceClaim claim;
  };

  ApiResponse SignedIn(int status, int64_t orgId, const User& user, const DeviceFields& device) {
    std::string token = NewToken();
    int64_t now = NowMs();
    TokenRecord record{orgId, user.id, device.id, now + options().tokenLifetimeMs};
    if (auto added = store().AddToken(TokenHash(token), record, device.claim, now); !added) {
      if (added.Code() == ErrorCode::Denied) return Fail(403, "forbidden", added.Message());
      return FromError(added.GetError());
    }
    metrics().Add("crm_relay_signins_total", "result=\"ok\"");
    return Json(status, json{{"organisation_id", Decimal(orgId)},
                             {"user_id", Decimal(user.id)},
                             {"role", Code(user.role)},
                             {"token", token},
                             {"expires_at", record.expiresAt}});
  }

  // The device's id and the secret it proves it with (docs/PROTOCOL.md, "Identity").
  Result<DeviceFields> ReadDevice(const JsonBody& body) {
    CRM_ASSIGN_OR_RETURN(std::optional<int64_t> id, body.Id("device_id"));
    CRM_ASSIGN_OR_RETURN(std::string raw, body.Text("device_name", false));
    CRM_ASSIGN_OR_RETURN(std::string name, CleanText(raw, "device_name", 100));
    CRM_ASSIGN_OR_RETURN(std::string secret, body.Text("device_secret"));
    if (secret.size() < kMinDeviceSecret || secret.size() > kMaxDeviceSecret) {
      return MakeError(ErrorCode::Invalid, "device_secret: " + std::to_string(kMinDeviceSecret) + " to " +
                                               std::to_string(kMaxDeviceSecret) + " characters");
    }
    return DeviceFields{*id, DeviceClaim{name, TokenHash(secret)}};
  }

  ApiResponse Setup(const ApiRequest& request) {
    if (auto limited = Limit(signInLimiter, request.remote)) return *limited;
    auto body = JsonBody::Parse(request.body);
    if (!body) return FromError(body.GetError());
    auto setupToken = body.Value().Text("setup_token");
    auto rawOrg = body.Value().Text("organisation");
    auto rawAdmin = body.Value().Text("admin_name");
    auto password = body.Value().Text("password");
    for (const auto* field : {&setupToken, &rawOrg, &rawAdmin, &password}) {
      if (!*field) return FromError(field->GetError());
    }
    auto orgName = CleanText(rawOrg.Value(), "organisation", 100, true);
    if (!orgName) return FromError(orgName.GetError());
    auto adminName = CleanText(rawAdmin.Value(), "admin_name", 50, true);
    if (!adminName) return FromError(adminName.GetError());
    if (auto ok = CheckPassword(password.Value()); !ok) return FromError(ok.GetError());
    auto device = ReadDevice(body.Value());
    if (!device) return FromError(device.GetError());

    // The admin's users row, made as core makes a first user, is the organisation's seq 1.
    auto scratch = Db::OpenMemory();
    if (!scratch) return FromError(scratch.GetError());
    Db& db = scratch.Value();
    if (auto migrated = Migrate(db); !migrated) return FromError(migrated.GetError());
    int64_t adminId = 0;
    Result<sync::Bytes> changeset = [&]() -> Result<sync::Bytes> {
      CRM_ASSIGN_OR_RETURN(sync::ChangesetCapture capture, sync::ChangesetCapture::Start(db, SyncedTables()));
      CRM_ASSIGN_OR_RETURN(adminId, crm::CreateUser(db, adminName.Value(), Role::Admin, std::nullopt, Actor{0, 0}));
      return capture.Changeset();
    }();
    if (!changeset) return FromError(changeset.GetError());

    Result<std::string> hash = [&] {
      GateScope gate(hashGate);
      return HashPassword(password.Value(), options().passwordCost);
    }();
    if (!hash) return FromError(hash.GetError());
    NewOrganisation org;
    org.setupTokenHash = TokenHash(setupToken.Value());
    org.orgId = NewId();
    org.name = orgName.Value();
    org.adminUserId = adminId;
    org.adminPasswordHash = hash.Value();
    org.now = NowMs();
    org.first.seq = 1;
    org.first.acceptedAtMs = org.now;
    org.first.envelope = sync::ChangesetEnvelope{NewId(), adminId, 0, LatestSchemaVersion(), org.now, std::move(changeset).Value()};
    if (auto created = store().CreateOrganisation(org); !created) {
      if (created.Code() == ErrorCode::Denied) {
        return Fail(401, "unauthorized", created.Message() + " (crm-relay prints one at first start; --new-setup-token makes another)");
      }
      if (created.Code() == ErrorCode::Conflict) return Fail(409, "conflict", created.Message());
      return FromError(created.GetError());
    }
    Log("info", "organisation created", {{"org", Decimal(org.orgId)}, {"name", org.name}, {"admin", adminName.Value()}});
    User admin;
    admin.id = adminId;
    admin.name = adminName.Value();
    admin.role = Role::Admin;
    return SignedIn(201, org.orgId, admin, device.Value());
  }

  // A sign-in naming a revoked device, with the secret its id is bound to: device_revoked.
  std::optional<ApiResponse> RevokedSignIn(int64_t orgId, const DeviceFields& device) {
    auto revocation = store().FindDeviceRevocation(orgId, device.id);
    if (!revocation) return FromError(revocation.GetError());
    if (!revocation.Value()) return std::nullopt;
    const auto& bound = revocation.Value()->secretHash;
    if (!bound || !ConstantTimeEqual(*bound, device.claim.secretHash)) return std::nullopt;  // AddToken refuses it (403)
    return DeviceRevoked(*revocation.Value());
  }

  ApiResponse SignIn(const ApiRequest& request) {
    if (auto limited = Limit(signInLimiter, request.remote)) return *limited;
    auto body = JsonBody::Parse(request.body);
    if (!body) return FromError(body.GetError());
    auto orgName = body.Value().Text("organisation");
    auto userName = body.Value().Text("user");
    auto password = body.Value().Text("password");
    for (const auto* field : {&orgName, &userName, &password}) {
      if (!*field) return FromError(field->GetError());
    }
    auto device = ReadDevice(body.Value());
    if (!device) return FromError(device.GetError());

    // Repeated failures lock the account as typed (existing or not) for a while; no password is checked then.
    const std::string account = orgName.Value() + '\x1f' + userName.Value();
    if (int wait = lockout.WaitSeconds(account, request.remote); wait > 0) {
      metrics().Add("crm_relay_signins_total", "result=\"locked\"");
      ApiResponse response = Fail(429, "locked", "too many failed sign-ins for this account; try again in " + std::to_string(wait) + " s");
      response.headers.emplace_back("Retry-After", std::to_string(wait));
      return response;
    }
    // Wrong organisation, user or password: one answer, after the same work.
    auto refuse = [&](bool burn) {
      if (burn) {
        GateScope gate(hashGate);
        BurnPasswordTime(options().passwordCost);
      }
      lockout.Failed(account, request.remote);
      metrics().Add("crm_relay_signins_total", "result=\"refused\"");
      return Fail(401, "unauthorized", "wrong organisation, user or password");
    };
    auto org = store().FindOrganisation(orgName.Value());
    if (!org) return FromError(org.GetError());
    if (!org.Value()) return refuse(true);
    const int64_t orgId = org.Value()->id;
    if (auto revoked = RevokedSignIn(orgId, device.Value())) return *revoked;
    std::optional<User> user;
    Status looked = copies().WithCopy(orgId, [&](Db& copy, int64_t) -> Status {
      auto found = FindUserByName(copy, userName.Value());
      if (found && found.Value().active) user = found.Value();
      return Ok();
    });
    if (!looked) return FromError(looked.GetError());
    if (!user) return refuse(true);
    auto stored = store().PasswordHash(orgId, user->id);
    if (!stored) return FromError(stored.GetError());
    if (!stored.Value()) return refuse(true);
    bool verified = [&] {
      GateScope gate(hashGate);
      return VerifyPassword(*stored.Value(), password.Value());
    }();
    if (!verified) return refuse(false);
    lockout.Succeeded(account, request.remote);
    return SignedIn(200, orgId, *user, device.Value());
  }

  ApiResponse SignOut(const Caller& caller) {
    if (auto revoked = store().RevokeToken(caller.tokenHash, NowMs()); !revoked) return FromError(revoked.GetError());
    return NoContent();
  }

  // -------------------------------------------------------------------------
  // [SECTION] push, pull, snapshot

  ApiResponse Refused(const Refusal& refusal) {
    metrics().Add("crm_relay_changesets_refused_total", "");
    Log("info", "push refused", {{"changeset", Decimal(refusal.changesetId)}, {"table", refusal.table}, {"row", refusal.row},
                                 {"reason", refusal.reason}});
    std::string where = refusal.table.empty() ? "" : " (" + refusal.table + (refusal.row.empty() ? "" : " " + refusal.row) + ")";
    return Json(422, json{{"error", "refused"},
                          {"message", "changeset " + Decimal(refusal.changesetId) + " refused" + where + ": " + refusal.reason},
                          {"changeset_id", Decimal(refusal.changesetId)},
                          {"table", refusal.table},
                          {"row", refusal.row},
                          {"reason", refusal.reason}});
  }

  ApiResponse Push(const ApiRequest& request, const Caller& caller) {
    if (request.body.size() > options().maxBodyBytes) return Fail(413, "too_large", "the push is larger than the relay accepts");
    auto decoded = sync::DecodePush(reinterpret_cast<const uint8_t*>(request.body.data()), request.body.size());
    if (!decoded) return Fail(400, "bad_request", "malformed push: " + decoded.Message());
    const auto& changesets = decoded.Value().changesets;
    if (changesets.empty()) return Fail(400, "bad_request", "the push holds no changeset");
    if (static_cast<int>(changesets.size()) > options().maxBatch) {
      return Fail(413, "too_large", "a push holds at most " + std::to_string(options().maxBatch) + " changesets; this one has " +
                                        std::to_string(changesets.size()));
    }
    metrics().Add("crm_relay_pushes_total", "");
    const TokenRecord& token = caller.token;
    std::set<int64_t> seen;
    for (const auto& envelope : changesets) {
      if (!seen.insert(envelope.changesetId).second) {
        return Fail(400, "bad_request", "changeset " + Decimal(envelope.changesetId) + " appears twice in the push");
      }
      auto refuse = [&](const std::string& reason) { return Refused(Refusal{envelope.changesetId, "", "", reason}); };
      if (envelope.deviceId != token.deviceId) {
        return refuse("made on device " + Decimal(envelope.deviceId) + ", pushed with the token of device " + Decimal(token.deviceId));
      }
      // A token speaks for one person on one device: on a shared tablet each person's changes travel with their own.
      if (envelope.userId != token.userId) {
        return refuse("made by user " + Decimal(envelope.userId) + ", pushed with the sign-in of user " + Decimal(token.userId));
      }
      if (envelope.changeset.size() > kMaxChangesetBytes) {
        return refuse("the change is " + std::to_string(envelope.changeset.size() >> 20) + " MiB; the relay takes at most " +
                      std::to_string(kMaxChangesetBytes >> 20) + " MiB in one change");
      }
      if (envelope.schemaVersion > LatestSchemaVersion()) {
        return refuse("made by a newer app (schema " + std::to_string(envelope.schemaVersion) + "; this relay knows up to " +
                      std::to_string(LatestSchemaVersion()) + "): update the relay");
      }
      if (envelope.schemaVersion < 1) return refuse("schema version " + std::to_string(envelope.schemaVersion) + " is not valid");
    }
    auto outcome = copies().Accept(token.orgId, token.deviceId, changesets);
    if (!outcome) return FromError(outcome.GetError());
    if (outcome.Value().refusal) return Refused(*outcome.Value().refusal);
    metrics().Add("crm_relay_changesets_accepted_total", "", outcome.Value().accepted);
    sync::PushResponse response{outcome.Value().acks, outcome.Value().headSeq};
    std::vector<uint8_t> bytes = sync::EncodePushResponse(response);
    return ApiResponse{200, kBinaryType, std::string(bytes.begin(), bytes.end()), {}};
  }

  ApiResponse Pull(const ApiRequest& request, const Caller& caller) {
    auto after = QueryInt(request, "after", 0, 0, INT64_MAX);
    auto limit = QueryInt(request, "limit", kMaxPullLimit, 1, kMaxPullLimit);
    auto wait = QueryInt(request, "wait", 0, 0, 3600);
    for (const auto* parameter : {&after, &limit, &wait}) {
      if (!*parameter) return Fail(400, "bad_request", parameter->Message());
    }
    const int64_t orgId = caller.token.orgId;
    const int64_t seconds = std::min<int64_t>(wait.Value(), options().maxWaitSeconds);
    auto read = [&]() -> Result<sync::PullResponse> {
      sync::PullResponse response;
      ScopedTimer timer(metrics(), "crm_relay_store_seconds", "op=\"read_log\"");
      CRM_ASSIGN_OR_RETURN(response.headSeq, store().HeadSeq(orgId));
      CRM_ASSIGN_OR_RETURN(std::vector<LogEntry> entries, store().ReadLog(orgId, after.Value(), static_cast<int>(limit.Value())));
      for (auto& entry : entries) {
        response.headSeq = std::max(response.headSeq, entry.seq);
        response.changesets.push_back(sync::SequencedChangeset{entry.seq, std::move(entry.envelope)});
      }
      return response;
    };
    auto response = read();
    if (!response) return FromError(response.GetError());
    // Wait only when the device is level with the head; a device ahead of it (the relay was
    // restored from an older backup) learns that at once from headSeq.
    Hold hold;
    std::vector<std::pair<std::string, std::string>> headers;
    if (response.Value().changesets.empty() && seconds > 0 && response.Value().headSeq == after.Value() &&
        !TryHold(hold, orgId, caller.token.deviceId)) {
      // Past a cap: an answer now, not a thread taken from others; the client asks again after a while.
      metrics().Add("crm_relay_pull_holds_refused_total", "");
      headers.emplace_back("Retry-After", std::to_string(kUnheldPullRetrySeconds));
    } else if (response.Value().changesets.empty() && seconds > 0 && response.Value().headSeq == after.Value()) {
      metrics().Add("crm_relay_pull_waits_total", "");
      metrics().Set("crm_relay_pulls_waiting", "", ++waiting);
      copies().WaitForHead(orgId, after.Value(), std::chrono::steady_clock::now() + std::chrono::seconds(seconds));
      metrics().Set("crm_relay_pulls_waiting", "", --waiting);
      response = read();
      if (!response) return FromError(response.GetError());
    }
    if (Status scoped = ScopePull(caller, response.Value()); !scoped) return FromError(scoped.GetError());
    if (!response.Value().scopeDigest.empty()) headers.emplace_back("X-CRM-Scope", sync::ScopeHeader(response.Value()));
    std::vector<uint8_t> bytes = sync::EncodePull(response.Value());
    return ApiResponse{200, kBinaryType, std::string(bytes.begin(), bytes.end()), std::move(headers)};
  }

  // A device holds what every person signed in on it may read (a shared tablet: the union of their
  // scopes), as the store's tokens say; the device never claims who is on it. A sign-out or an expired
  // token narrows it.
  Result<std::set<int64_t>> PeopleOnDevice(const Caller& caller) {
    return store().SignedInUsers(caller.token.orgId, caller.token.deviceId, NowMs());
  }

  // A device receives the rows its people may read (core/scope.h): every changeset of a scoped pull is
  // cut to them, judged by the copy as it is now (caught up past every changeset read), and the answer
  // carries the scope's fingerprint. Leaders and admins receive the log as it is.
  Status ScopePull(const Caller& caller, sync::PullResponse& response) {
    CRM_ASSIGN_OR_RETURN(std::set<int64_t> people, PeopleOnDevice(caller));
    return copies().WithCopy(caller.token.orgId, [&](Db& copy, int64_t) -> Status {
      CRM_ASSIGN_OR_RETURN(ReadScope scope, ReadScopeOfDevice(copy, caller.token.userId, people));
      return sync::CutPullToScope(copy, scope, response);
    });
  }

  // A scoped device's holding against its scope: which customers to drop, and the rows of those
  // that entered it (a bounded number per answer; the device asks again while `more`), or that may
  // have missed changes while it held them out of scope (ScopeRequest::since).
  ApiResponse Scope(const ApiRequest& request, const Caller& caller) {
    if (request.body.size() > options().maxBodyBytes) return Fail(413, "too_large", "the list is larger than the relay accepts");
    auto decoded = sync::DecodeScopeRequest(reinterpret_cast<const uint8_t*>(request.body.data()), request.body.size());
    if (!decoded) return Fail(400, "bad_request", decoded.Message());
    const sync::ScopeRequest& question = decoded.Value();
    if (question.since < 0) return Fail(400, "bad_request", "since: must be a position (0 or more)");
    auto people = PeopleOnDevice(caller);
    if (!people) return FromError(people.GetError());
    std::optional<sync::ScopeResponse> answer;
    Status status = copies().WithCopy(caller.token.orgId, [&](Db& copy, int64_t seq) -> Status {
      CRM_ASSIGN_OR_RETURN(ReadScope scope, ReadScopeOfDevice(copy, caller.token.userId, people.Value()));
      std::set<int64_t> stale;
      for (int64_t after = question.since - 1; question.since > 0 && after < seq;) {
        CRM_ASSIGN_OR_RETURN(std::vector<LogEntry> entries, store().ReadLog(caller.token.orgId, after, kMaxPullLimit));
        if (entries.empty()) break;
        for (const LogEntry& entry : entries) CRM_TRY(sync::CustomersTouched(copy, entry.envelope.changeset, stale));
        after = entries.back().seq;
      }
      CRM_ASSIGN_OR_RETURN(answer, sync::AnswerScope(copy, seq, scope, question.heldCustomers, stale, kScopeCustomersPerAnswer));
      return Ok();
    });
    if (!status) return FromError(status.GetError());
    std::vector<uint8_t> bytes = sync::EncodeScopeResponse(*answer);
    return ApiResponse{200, kBinaryType, std::string(bytes.begin(), bytes.end()), {}};
  }

  // The company directory for the caller's duplicate check (sync/relay/directory.h): a page of it, under the
  // organisation's key (made at the first question and kept in the store).
  ApiResponse Directory(const ApiRequest& request, const Caller& caller) {
    auto since = QueryInt(request, "since", 0, 0, INT64_MAX);
    auto after = QueryInt(request, "after", 0, 0, INT64_MAX);
    for (const auto* parameter : {&since, &after}) {
      if (!*parameter) return Fail(400, "bad_request", parameter->Message());
    }
    auto key = store().DirectoryKey(caller.token.orgId, NewToken(), NowMs());
    if (!key) return FromError(key.GetError());
    std::optional<sync::DirectoryResponse> answer;
    Status status = copies().WithCopy(caller.token.orgId, [&](Db& copy, int64_t seq) -> Status {
      CRM_ASSIGN_OR_RETURN(ReadScope scope, ReadScopeOf(copy, caller.token.userId));
      CRM_ASSIGN_OR_RETURN(answer, AnswerDirectory(copy, seq, store(), caller.token.orgId, scope, key.Value(),
                                                   DirectoryQuestion{since.Value(), after.Value()}));
      return Ok();
    });
    if (!status) return FromError(status.GetError());
    std::vector<uint8_t> bytes = sync::EncodeDirectory(*answer);
    return ApiResponse{200, kBinaryType, std::string(bytes.begin(), bytes.end()), {}};
  }

  // This device's share of its encryption key for this person (docs/PROTOCOL.md, "Device keys"): the same 32 bytes
  // every time, derived from the relay's secret, so a copied disk alone does not open the device's data; a revoked
  // device is told to wipe instead (Authenticate).
  ApiResponse DeviceKey(const Caller& caller) {
    auto secret = store().DeviceKeySecret(NewToken());
    if (!secret) return FromError(secret.GetError());
    const TokenRecord& token = caller.token;
    Sha256Digest key = HmacSha256(secret.Value(), "crm-device-key|" + Decimal(token.orgId) + "|" + Decimal(token.deviceId) + "|" +
                                                      Decimal(token.userId));
    return Json(200, json{{"key", ToHex(key)}});
  }

  ApiResponse Snapshot(const Caller& caller) {
    // A scoped device's snapshot holds its scope only.
    auto people = PeopleOnDevice(caller);
    if (!people) return FromError(people.GetError());
    std::optional<sync::SnapshotResponse> scoped;
    Status status = copies().WithCopy(caller.token.orgId, [&](Db& copy, int64_t seq) -> Status {
      CRM_ASSIGN_OR_RETURN(ReadScope scope, ReadScopeOfDevice(copy, caller.token.userId, people.Value()));
      if (scope.everything) return Ok();
      sync::SnapshotResponse snapshot;
      snapshot.seq = seq;
      snapshot.schemaVersion = LatestSchemaVersion();
      CRM_ASSIGN_OR_RETURN(snapshot.image, sync::ScopedImage(copy, scope));
      scoped = std::move(snapshot);
      return Ok();
    });
    if (!status) return FromError(status.GetError());
    auto snapshot = scoped ? Result<sync::SnapshotResponse>(std::move(*scoped)) : copies().Snapshot(caller.token.orgId);
    if (!snapshot) return FromError(snapshot.GetError());
    std::vector<uint8_t> bytes = sync::EncodeSnapshot(snapshot.Value());
    return ApiResponse{200, kBinaryType, std::string(bytes.begin(), bytes.end()), {}};
  }

  // -------------------------------------------------------------------------
  // [SECTION] admin

  // The caller's users row in the organisation's copy, which must say admin.
  std::optional<ApiResponse> RequireAdmin(const Caller& caller, User& admin) {
    std::optional<User> found;
    Status looked = copies().WithCopy(caller.token.orgId, [&](Db& copy, int64_t) -> Status {
      auto user = ActingUser(copy, Actor{caller.token.userId, 0});
      if (user) found = user.Value();
      return Ok();
    });
    if (!looked) return FromError(looked.GetError());
    if (!found) return Fail(403, "forbidden", "your account is unknown or deactivated");
    if (auto allowed = CheckCanAdminister(*found); !allowed) return Fail(403, "forbidden", allowed.Message());
    admin = *found;
    return std::nullopt;
  }

  // A user of the caller's organisation (404 otherwise: another organisation's ids do not exist here).
  Result<User> OrgUser(int64_t orgId, int64_t userId) {
    std::optional<User> found;
    Status status = copies().WithCopy(orgId, [&](Db& copy, int64_t) -> Status {
      CRM_ASSIGN_OR_RETURN(User user, GetUser(copy, userId));
      found = user;
      return Ok();
    });
    if (!status) return status.GetError();
    return *found;
  }

  // A change the relay makes for the admin on the organisation's copy, checked and logged like a
  // push (devices receive it by pull); the error response when it was not made.
  std::optional<ApiResponse> AdminChange(const Caller& caller, const User& admin, const std::function<Status(Db&)>& change) {
    auto outcome = copies().AcceptRelayChange(caller.token.orgId, admin.id, change);
    if (!outcome) return FromError(outcome.GetError());
    if (outcome.Value().refusal) return Refused(*outcome.Value().refusal);
    metrics().Add("crm_relay_changesets_accepted_total", "", outcome.Value().accepted);
    return std::nullopt;
  }

  ApiResponse ListUsers(const Caller& caller) {
    std::vector<User> users;
    Status listed = copies().WithCopy(caller.token.orgId, [&](Db& copy, int64_t) -> Status {
      CRM_ASSIGN_OR_RETURN(users, crm::ListUsers(copy));
      return Ok();
    });
    if (!listed) return FromError(listed.GetError());
    auto withPassword = store().UsersWithPassword(caller.token.orgId);
    if (!withPassword) return FromError(withPassword.GetError());
    json list = json::array();
    for (const User& user : users) {
      list.push_back(json{{"id", Decimal(user.id)},
                          {"name", user.name},
                          {"role", Code(user.role)},
                          {"team_id", user.teamId ? json(Decimal(*user.teamId)) : json(nullptr)},
                          {"active", user.active},
                          {"has_password", withPassword.Value().count(user.id) > 0}});
    }
    return Json(200, json{{"users", list}});
  }

  ApiResponse CreateUser(const ApiRequest& request, const Caller& caller, const User& admin) {
    auto body = JsonBody::Parse(request.body);
    if (!body) return FromError(body.GetError());
    auto name = body.Value().Text("name");
    auto roleText = body.Value().Text("role");
    auto password = body.Value().Text("password");
    for (const auto* field : {&name, &roleText, &password}) {
      if (!*field) return FromError(field->GetError());
    }
    auto teamId = body.Value().Id("team_id", false);
    if (!teamId) return FromError(teamId.GetError());
    auto role = ParseRole(roleText.Value());
    if (!role) return FromError(role.GetError());
    if (auto ok = CheckPassword(password.Value()); !ok) return FromError(ok.GetError());
    auto clean = CleanText(name.Value(), "name", 50, true);
    if (!clean) return FromError(clean.GetError());
    Result<std::string> hash = [&] {
      GateScope gate(hashGate);
      return HashPassword(password.Value(), options().passwordCost);
    }();
    if (!hash) return FromError(hash.GetError());
    int64_t userId = 0;
    auto failed = AdminChange(caller, admin, [&](Db& copy) -> Status {
      // Sign-in finds people by name: two live users with one name could not sign in.
      if (auto existing = FindUserByName(copy, clean.Value()); existing || existing.Code() == ErrorCode::Conflict) {
        return MakeError(ErrorCode::Conflict, "name: a user called '" + clean.Value() + "' exists already");
      }
      CRM_ASSIGN_OR_RETURN(userId, crm::CreateUser(copy, clean.Value(), role.Value(), teamId.Value(), Actor{admin.id, 0}));
      return Ok();
    });
    if (failed) return *failed;
    if (auto set = store().SetPassword(caller.token.orgId, userId, hash.Value(), NowMs()); !set) return FromError(set.GetError());
    Log("info", "user created", {{"org", Decimal(caller.token.orgId)}, {"user", Decimal(userId)}, {"role", roleText.Value()}});
    return Json(201, json{{"user_id", Decimal(userId)}});
  }

  ApiResponse SetPassword(const ApiRequest& request, const Caller& caller, int64_t userId) {
    auto body = JsonBody::Parse(request.body);
    if (!body) return FromError(body.GetError());
    auto password = body.Value().Text("password");
    if (!password) return FromError(password.GetError());
    if (auto ok = CheckPassword(password.Value()); !ok) return FromError(ok.GetError());
    auto user = OrgUser(caller.token.orgId, userId);
    if (!user) return FromError(user.GetError());
    Result<std::string> hash = [&] {
      GateScope gate(hashGate);
      return HashPassword(password.Value(), options().passwordCost);
    }();
    if (!hash) return FromError(hash.GetError());
    if (auto set = store().SetPassword(caller.token.orgId, userId, hash.Value(), NowMs()); !set) return FromError(set.GetError());
    // The old password's sign-ins end with it, on every device.
    if (auto revoked = store().RevokeUserTokens(caller.token.orgId, userId, NowMs()); !revoked) return FromError(revoked.GetError());
    return NoContent();
  }

  ApiResponse SetRole(const ApiRequest& request, const Caller& caller, const User& admin, int64_t userId) {
    auto body = JsonBody::Parse(request.body);
    if (!body) return FromError(body.GetError());
    auto roleText = body.Value().Text("role");
    if (!roleText) return FromError(roleText.GetError());
    auto role = ParseRole(roleText.Value());
    if (!role) return FromError(role.GetError());
    auto user = OrgUser(caller.token.orgId, userId);
    if (!user) return FromError(user.GetError());
    if (user.Value().role == role.Value()) return NoContent();
    // Core's rule (at least one active admin), as for a role changed on a device.
    if (auto failed = AdminChange(caller, admin, [&](Db& copy) { return crm::SetUserRole(copy, userId, role.Value(), Actor{admin.id, 0}); })) {
      return *failed;
    }
    return NoContent();
  }

  ApiResponse SetTeam(const ApiRequest& request, const Caller& caller, const User& admin, int64_t userId) {
    auto body = JsonBody::Parse(request.body);
    if (!body) return FromError(body.GetError());
    if (!body.Value().Has("team_id")) return Fail(400, "bad_request", "team_id: missing (null takes the person out of their team)");
    auto teamId = body.Value().Id("team_id", false);
    if (!teamId) return FromError(teamId.GetError());
    auto user = OrgUser(caller.token.orgId, userId);
    if (!user) return FromError(user.GetError());
    if (user.Value().teamId == teamId.Value()) return NoContent();
    if (auto failed = AdminChange(caller, admin, [&](Db& copy) { return crm::SetUserTeam(copy, userId, teamId.Value(), Actor{admin.id, 0}); })) {
      return *failed;
    }
    return NoContent();
  }

  // Teams with their supervisor and how many active people they have.
  ApiResponse ListTeams(const Caller& caller) {
    std::vector<Team> teams;
    std::map<int64_t, int> members;
    Status listed = copies().WithCopy(caller.token.orgId, [&](Db& copy, int64_t) -> Status {
      CRM_ASSIGN_OR_RETURN(teams, crm::ListTeams(copy));
      CRM_ASSIGN_OR_RETURN(std::vector<User> users, crm::ListUsers(copy));
      for (const User& user : users) {
        if (user.active && user.teamId) members[*user.teamId]++;
      }
      return Ok();
    });
    if (!listed) return FromError(listed.GetError());
    json list = json::array();
    for (const Team& team : teams) {
      list.push_back(json{{"id", Decimal(team.id)},
                          {"name", team.name},
                          {"supervisor_id", team.supervisorId ? json(Decimal(*team.supervisorId)) : json(nullptr)},
                          {"members", members[team.id]}});
    }
    return Json(200, json{{"teams", list}});
  }

  // Core's CreateTeam and RenameTeam hold the rules (name required, at most 50 characters, unique).
  ApiResponse CreateTeam(const ApiRequest& request, const Caller& caller, const User& admin) {
    auto body = JsonBody::Parse(request.body);
    if (!body) return FromError(body.GetError());
    auto name = body.Value().Text("name");
    if (!name) return FromError(name.GetError());
    auto supervisorId = body.Value().Id("supervisor_id", false);
    if (!supervisorId) return FromError(supervisorId.GetError());
    int64_t teamId = 0;
    auto failed = AdminChange(caller, admin, [&](Db& copy) -> Status {
      CRM_ASSIGN_OR_RETURN(teamId, crm::CreateTeam(copy, name.Value(), supervisorId.Value(), Actor{admin.id, 0}));
      return Ok();
    });
    if (failed) return *failed;
    Log("info", "team created", {{"org", Decimal(caller.token.orgId)}, {"team", Decimal(teamId)}});
    return Json(201, json{{"team_id", Decimal(teamId)}});
  }

  ApiResponse RenameTeam(const ApiRequest& request, const Caller& caller, const User& admin, int64_t teamId) {
    auto body = JsonBody::Parse(request.body);
    if (!body) return FromError(body.GetError());
    auto name = body.Value().Text("name");
    if (!name) return FromError(name.GetError());
    if (auto failed = AdminChange(caller, admin, [&](Db& copy) { return crm::RenameTeam(copy, teamId, name.Value(), Actor{admin.id, 0}); })) {
      return *failed;
    }
    return NoContent();
  }

  ApiResponse ListDevices(const Caller& caller) {
    auto devices = store().ListDevices(caller.token.orgId);
    if (!devices) return FromError(devices.GetError());
    json list = json::array();
    for (const DeviceRecord& device : devices.Value()) {
      list.push_back(json{{"id", Decimal(device.id)},
                          {"name", device.name},
                          {"user_id", Decimal(device.userId)},
                          {"last_seen", device.lastSeen},
                          {"revoked", device.revoked},
                          {"keep_unsent", device.keepUnsent},
                          {"wiped", device.wiped}});
    }
    return Json(200, json{{"devices", list}});
  }

  // Body (optional): {"keep_unsent": true|false}, false when absent.
  ApiResponse RevokeDevice(const ApiRequest& request, const Caller& caller, int64_t deviceId) {
    bool keepUnsent = false;
    if (!request.body.empty()) {
      auto body = JsonBody::Parse(request.body);
      if (!body) return FromError(body.GetError());
      auto keep = body.Value().Flag("keep_unsent", false);
      if (!keep) return FromError(keep.GetError());
      keepUnsent = keep.Value();
    }
    if (auto revoked = store().RevokeDevice(caller.token.orgId, deviceId, keepUnsent, NowMs()); !revoked) {
      return FromError(revoked.GetError());
    }
    Log("info", "device revoked", {{"org", Decimal(caller.token.orgId)}, {"device", Decimal(deviceId)},
                                   {"keep_unsent", keepUnsent ? "true" : "false"}});
    return NoContent();
  }

  ApiResponse Admin(const ApiRequest& request, const Caller& caller, const std::vector<std::string>& parts) {
    User admin;
    if (auto denied = RequireAdmin(caller, admin)) return *denied;
    const bool get = request.method == "GET";
    const bool post = request.method == "POST";
    auto idAt = [&](size_t index) -> Result<std::optional<int64_t>> { return JsonBody::ParseId(parts[index], "id"); };
    // parts: v1 admin users|teams|devices [id] [action]
    if (parts.size() == 3 && parts[2] == "users") {
      if (get) return ListUsers(caller);
      if (post) return CreateUser(request, caller, admin);
    } else if (parts.size() == 3 && parts[2] == "teams") {
      if (get) return ListTeams(caller);
      if (post) return CreateTeam(request, caller, admin);
    } else if (parts.size() == 5 && parts[2] == "teams" && parts[4] == "name" && post) {
      auto id = idAt(3);
      if (!id) return Fail(404, "not_found", "no such team");
      return RenameTeam(request, caller, admin, *id.Value());
    } else if (parts.size() == 3 && parts[2] == "devices") {
      if (get) return ListDevices(caller);
    } else if (parts.size() == 5 && parts[2] == "users" && post) {
      auto id = idAt(3);
      if (!id) return Fail(404, "not_found", "no such user");
      if (parts[4] == "password") return SetPassword(request, caller, *id.Value());
      if (parts[4] == "role") return SetRole(request, caller, admin, *id.Value());
      if (parts[4] == "team") return SetTeam(request, caller, admin, *id.Value());
    } else if (parts.size() == 5 && parts[2] == "devices" && parts[4] == "revoke" && post) {
      auto id = idAt(3);
      if (!id) return Fail(404, "not_found", "no such device");
      return RevokeDevice(request, caller, *id.Value());
    }
    return Fail(404, "not_found", "no such admin endpoint: " + request.method + " " + request.path);
  }

  // -------------------------------------------------------------------------
  // [SECTION] operations: healthz, metrics

  ApiResponse Healthz() {
    auto orgs = store().CountOrganisations();
    json body{{"status", orgs ? "ok" : "unavailable"}, {"version", kRelayVersion}, {"sqlite", SqliteVersion()},
              {"wire", sync::kWireVersion}, {"store", store().Kind()}};
    return Json(orgs ? 200 : 503, body);
  }

  ApiResponse MetricsText() {
    return ApiResponse{200, "text/plain; version=0.0.4", metrics().Render(), {}};
  }

  // -------------------------------------------------------------------------
  // [SECTION] dispatch

  ApiResponse Route(const ApiRequest& request) {
    const std::string& path = request.path;
    const bool get = request.method == "GET";
    const bool post = request.method == "POST";
    if (path == "/healthz" && get) return Healthz();
    if (path == "/metrics" && get) return MetricsText();
    std::vector<std::string> parts = SplitPath(path);
    if (parts.size() < 2 || parts[0] != "v1") return Fail(404, "not_found", "no such endpoint: " + path);
    if (post && parts[1] != "push" && request.body.size() > kMaxJsonBytes) {
      return Fail(413, "too_large", "the body is larger than this endpoint accepts (64 KiB)");
    }
    const bool jsonEndpoint = post && (parts[1] == "setup" || parts[1] == "signin" || parts[1] == "admin");
    if (jsonEndpoint && !request.body.empty()) {
      if (!IsJsonType(request.contentType)) {
        return Fail(415, "unsupported_media_type", "send the body as Content-Type: application/json");
      }
      if (HasDuplicateKey(request.body)) return Fail(400, "bad_request", "the JSON body repeats a key");
    }
    // These may hash a password: refused at once when too many already wait for the hash slots.
    std::optional<GateAdmission> admission;
    if (jsonEndpoint && !admission.emplace(hashGate).m_admitted) {
      metrics().Add("crm_relay_busy_total", "");
      ApiResponse busy = Fail(503, "busy", "the relay is busy checking passwords; try again in a moment");
      busy.headers.emplace_back("Retry-After", "1");
      return busy;
    }
    if (parts.size() == 2 && parts[1] == "setup" && post) return Setup(request);
    if (parts.size() == 2 && parts[1] == "signin" && post) return SignIn(request);

    static const std::set<std::string> kAuthenticated = {"signout", "push", "pull", "snapshot", "scope", "admin", "wiped",
                                                               "directory", "device_key"};
    if (!kAuthenticated.count(parts[1])) return Fail(404, "not_found", "no such endpoint: " + path);
    Caller caller;
    if (auto denied = Authenticate(request, parts[1], caller)) return *denied;
    if (auto limited = LimitDevice(caller)) return *limited;
    if (parts.size() == 2) {
      if (parts[1] == "signout" && post) return SignOut(caller);
      if (parts[1] == "push" && post) return Push(request, caller);
      if (parts[1] == "pull" && get) return Pull(request, caller);
      if (parts[1] == "snapshot" && get) return Snapshot(caller);
      if (parts[1] == "scope" && post) return Scope(request, caller);
      if (parts[1] == "directory" && get) return Directory(request, caller);
      if (parts[1] == "device_key" && post) return DeviceKey(caller);
      // A revoked device's report is answered in Authenticate; this device is not revoked.
      if (parts[1] == "wiped" && post) return Fail(409, "conflict", "this device is not revoked: it has nothing to wipe");
    }
    if (parts[1] == "admin") return Admin(request, caller, parts);
    return Fail(404, "not_found", "no such endpoint: " + request.method + " " + path);
  }
};

Service::Service(const RelayOptions& options) : m_options(options) {}

Service::~Service() {
  if (m_copies) m_copies->Shutdown();
  m_impl.reset();
  m_copies.reset();
  if (m_store) m_store->Close();
}

Result<std::unique_ptr<Service>> Service::Open(const RelayOptions& options) {
  CRM_TRY(InitCrypto());
  std::unique_ptr<Service> service(new Service(options));
  CRM_ASSIGN_OR_RETURN(service->m_store, OpenStore(options.store, options.storeOptions));
  std::string dir = options.copiesDir.empty() ? DefaultCopiesDir(options.store) : options.copiesDir;
  CRM_ASSIGN_OR_RETURN(service->m_copies, OrgCopies::Open(*service->m_store, dir, service->m_metrics, options.maxOpenCopies));
  service->m_impl = std::make_unique<Impl>(*service);
  OrgCopies* copies = service->m_copies.get();
  service->m_store->OnRemoteHead([copies](int64_t orgId, int64_t head) { copies->NoteHead(orgId, head); });
  Store* store = service->m_store.get();
  service->m_metrics.SetCollector([store](Metrics& metrics) {
    if (auto orgs = store->CountOrganisations()) metrics.Set("crm_relay_orgs", "", static_cast<double>(orgs.Value()));
  });
  service->m_metrics.Set("crm_relay_info", "version=\"" + std::string(kRelayVersion) + "\",store=\"" + store->Kind() + "\"", 1);
  return service;
}

ApiResponse Service::Handle(const ApiRequest& request) {
  ApiResponse response;
  try {
    response = m_impl->Route(request);
  } catch (const std::exception& e) {
    // Nothing below throws by design; a bug must still not take the relay down.
    Log("error", "handler failed", {{"path", request.path}, {"error", e.what()}});
    response = Fail(500, "internal", "internal error");
  }
  m_metrics.Add("crm_relay_requests_total",
                "endpoint=\"" + EndpointLabel(request.method, request.path) + "\",status=\"" + std::to_string(response.status) + "\"");
  return response;
}

Result<std::string> Service::NewSetupToken() {
  std::string token = NewToken();
  CRM_TRY(m_store->AddSetupToken(TokenHash(token), NowMs()));
  return token;
}

Result<std::string> Service::IssueStartupSetupToken() {
  CRM_ASSIGN_OR_RETURN(int64_t orgs, m_store->CountOrganisations());
  if (orgs > 0) return std::string();
  CRM_ASSIGN_OR_RETURN(int64_t unused, m_store->CountUnusedSetupTokens(NowMs()));
  if (unused > 0) {
    Log("info", "waiting for set-up: use the set-up token printed at first start, or make a new one with crm-relay --new-setup-token");
    return std::string();
  }
  CRM_ASSIGN_OR_RETURN(std::string token, NewSetupToken());
  Log("info", "set-up token (one use: POST /v1/setup creates an organisation and its admin)", {{"setup_token", token}});
  return token;
}

void Service::Shutdown() {
  if (m_copies) m_copies->Shutdown();
}

}  // namespace crm::relay
