// Sync in the browser; see web/sync_browser.h.
#include "web/sync_browser.h"

#include <emscripten.h>

#include <cstdio>

#include "core/accounts.h"
#include "core/ids.h"
#include "core/schema.h"
#include "core/text.h"
#include "web/platform.h"
#include "web/storage.h"

namespace crm::web {

namespace {

EM_JS(void, JsSyncConfigure, (const char* server, const char* token),
      { Module.crmSync.configure(UTF8ToString(server), UTF8ToString(token)); });
EM_JS(void, JsSyncRequest, (int id, const char* method, const char* path, const uint8_t* body, size_t size, int timeoutMs,
                            const char* token),
      { Module.crmSync.request(id, UTF8ToString(method), UTF8ToString(path), body, size, timeoutMs, UTF8ToString(token)); });
EM_JS(void, JsSyncSignIn, (const char* path, const char* fields), { Module.crmSync.signIn(UTF8ToString(path), UTF8ToString(fields)); });
EM_JS(void, JsSyncAbortAll, (), { Module.crmSync.abortAll(); });

constexpr int kRequestTimeoutMs = 20000;
constexpr int kLongPollSeconds = 25;


std::vector<std::string> SplitFields(const std::string& text) {
  std::vector<std::string> fields(1);
  for (char c : text) {
    if (c == '\x1f') fields.emplace_back();
    else fields.back() += c;
  }
  fields.resize(5);
  return fields;
}

std::optional<int64_t> ParseId(const std::string& text) {
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(text);
}

}  // namespace

// ---------------------------------------------------------------------------
// FetchTransport

void FetchTransport::Configure(const std::string& server, const std::string& token) {
  JsSyncConfigure(server.c_str(), token.c_str());
}

void FetchTransport::Send(const char* method, const std::string& path, const std::vector<uint8_t>& body, int timeoutMs,
                          Handler handler, const std::string& token) {
  int id = m_nextId++;
  m_waiting.emplace(id, std::move(handler));
  JsSyncRequest(id, method, path.c_str(), body.data(), body.size(), timeoutMs, token.c_str());
}

void FetchTransport::Answer(int id, int status, const uint8_t* body, size_t size, const std::string& fields, int retryAfter) {
  auto found = m_waiting.find(id);
  if (found == m_waiting.end()) return;  // forgotten: the database it was for has closed
  Handler handler = std::move(found->second);
  m_waiting.erase(found);
  handler(Reply{status, body, size, SplitFields(fields), retryAfter});
}

Error FetchTransport::HttpError(const Reply& reply) {
  const std::string& message = reply.fields[4];
  if (reply.status == 0) return MakeError(ErrorCode::Storage, "the relay cannot be reached (" + message + ")");
  if (reply.status == 401) return MakeError(ErrorCode::Denied, "the relay no longer accepts this device's sign-in: " + message);
  if (reply.status == 403) return MakeError(ErrorCode::Denied, message);
  if (reply.status == 429 || reply.status >= 500) return MakeError(ErrorCode::Storage, "the relay is busy: " + message);
  return MakeError(ErrorCode::Invalid, "the relay answered " + std::to_string(reply.status) + ": " + message);
}

void FetchTransport::Push(const sync::PushRequest& request, std::function<void(Result<sync::PushOutcome>)> done) {
  // A push holds one person's changes (Replica::NextPush) and goes with that person's own sign-in.
  std::string token = m_authorToken && !request.changesets.empty() ? m_authorToken(request.changesets.front().userId) : "";
  Send("POST", "/v1/push", sync::EncodePush(request), kRequestTimeoutMs, [done](const Reply& reply) {
    if (reply.status == 422) {
      sync::PushOutcome outcome;
      sync::PushRefusal refusal;
      refusal.changesetId = ParseId(reply.fields[0]).value_or(0);
      refusal.table = reply.fields[1];
      refusal.row = reply.fields[2];
      refusal.reason = reply.fields[3].empty() ? reply.fields[4] : reply.fields[3];
      outcome.refusal = refusal;
      return done(outcome);
    }
    if (reply.status != 200) return done(HttpError(reply));
    auto decoded = sync::DecodePushResponse(std::vector<uint8_t>(reply.body, reply.body + reply.size));
    if (!decoded) return done(decoded.GetError());
    sync::PushOutcome outcome;
    outcome.response = std::move(decoded).Value();
    done(outcome);
  }, token);
}

void FetchTransport::Pull(int64_t afterSeq, int limit, int waitSeconds, std::function<void(Result<sync::PullResponse>)> done) {
  std::string path = "/v1/pull?after=" + std::to_string(afterSeq) + "&limit=" + std::to_string(limit) +
                     "&wait=" + std::to_string(waitSeconds);
  Send("GET", path, {}, kRequestTimeoutMs + waitSeconds * 1000, [done](const Reply& reply) {
    if (reply.status != 200) return done(HttpError(reply));
    auto pulled = sync::DecodePull(reply.body, reply.size);
    if (pulled) pulled.Value().retryAfterSeconds = reply.retryAfter;
    done(std::move(pulled));
  });
}

void FetchTransport::Snapshot(std::function<void(Result<sync::SnapshotResponse>)> done) {
  Send("GET", "/v1/snapshot", {}, 120000, [done](const Reply& reply) {
    if (reply.status != 200) return done(HttpError(reply));
    done(sync::DecodeSnapshot(std::vector<uint8_t>(reply.body, reply.body + reply.size)));
  });
}

// ---------------------------------------------------------------------------
// BrowserSync

BrowserSync& GetSync() {
  static BrowserSync* sync = new BrowserSync(GetPlatform());  // lives as long as the page
  return *sync;
}

void BrowserSync::Attach() {
  Detach();
  ui::AppState& app = m_platform.app;
  if (!app.db) return;
  auto link = sync::LoadLink(*app.db);
  if (!link) {
    m_lastError = link.Message();
    return;
  }
  if (!link.Value()) return;  // a local or trial device: nothing to sync
  StartClient(*link.Value());
}

void BrowserSync::StartClient(const sync::SyncLink& link) {
  ui::AppState& app = m_platform.app;
  auto replica = sync::Replica::Open(*app.db);
  if (!replica) {
    m_lastError = replica.Message();
    return;
  }
  m_replica = std::move(replica).Value();
  m_shownSeq = -1;
  m_link = link;
  m_replica->SetAuthor(app.actor.userId);
  m_token = sync::TokenFor(*app.db, app.actor.userId).ValueOr("");
  m_transport.Configure(link.server, m_token);
  m_transport.SetAuthorTokens([this](int64_t userId) {
    return m_platform.app.db ? sync::TokenFor(*m_platform.app.db, userId).ValueOr(m_token) : m_token;
  });
  sync::SyncClientOptions options;
  options.longPollSeconds = kLongPollSeconds;
  m_client = std::make_unique<sync::SyncClient>(*m_replica, m_transport, options);
  // Changes kept from a newer app version are applied once this (updated) app runs.
  if (m_replica->Stalled()) (void)m_replica->RetryInbox();
}

void BrowserSync::Detach() {
  m_client.reset();
  m_replica.reset();
  m_transport.Forget();
  JsSyncAbortAll();
}

void BrowserSync::Frame() {
  if (!m_client) return;
  ui::AppState& app = m_platform.app;
  // Whoever is signed in now is the author of what they change, and syncs with their own token.
  if (app.actor.userId != m_replica->Author()) SignedIn(app.actor.userId);
  m_client->Tick(app.nowMs);
  // Remote changes arrive in answers between frames as well as in Tick: the screens reload whenever
  // the position moved since they last did.
  if (m_replica->ConfirmedSeq() != m_shownSeq) {
    m_shownSeq = m_replica->ConfirmedSeq();
    ui::AfterCommit(app);
  }
}

void BrowserSync::SignedIn(int64_t userId) {
  if (!m_replica || !m_platform.app.db) return;
  m_replica->SetAuthor(userId);
  std::string token = sync::TokenFor(*m_platform.app.db, userId).ValueOr(m_token);
  if (token != m_token) {
    m_token = token;
    m_transport.Configure(m_link ? m_link->server : "", m_token);
    if (m_client) m_client->Wake();
  }
}

void BrowserSync::Wake(bool) {
  if (m_client) m_client->Wake();
}

sync::SyncStatus BrowserSync::Status() {
  sync::SyncStatus status;
  if (m_client) status = m_client->Status();
  if (!m_lastError.empty() && status.lastError.empty()) status.lastError = m_lastError;
  return status;
}

// --- online sign-in ---

void BrowserSync::ShowSignInError(const std::string& message) {
  m_signIn.reset();
  m_platform.app.signIn.onlineBusy = false;
  m_platform.app.signIn.formNotice.clear();
  m_platform.app.signIn.formError = message;
}

void BrowserSync::ShowSignInProgress(const char* message) {
  m_platform.app.signIn.onlineBusy = true;
  m_platform.app.signIn.formError.clear();
  m_platform.app.signIn.formNotice = message;
}

void BrowserSync::SignIn(const ui::OnlineSignInRequest& request) {
  ui::AppState& app = m_platform.app;
  if (!app.db) return;
  // The account is "person@organisation": the same person name can exist in many organisations.
  size_t at = request.account.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 >= request.account.size()) {
    app.signIn.nameError = ui::Tr(app.lang, ui::Str::AccountFormat);
    return;
  }
  std::string server = request.server;
  while (!server.empty() && (server.back() == '/' || server.back() == ' ')) server.pop_back();
  if (!server.empty() && server.rfind("http://", 0) != 0 && server.rfind("https://", 0) != 0) {
    app.signIn.formError = ui::Tr(app.lang, ui::Str::ServerFormat);
    return;
  }
  auto deviceId = DeviceId(*app.db);
  if (!deviceId) return ShowSignInError(deviceId.Message());
  auto deviceSecret = DeviceSecret(*app.db);
  if (!deviceSecret) return ShowSignInError(deviceSecret.Message());
  m_signIn = PendingSignIn{server, request.account, request.account.substr(at + 1), request.account.substr(0, at)};
  ShowSignInProgress(ui::Tr(app.lang, ui::Str::SigningIn));
  std::string fields = "{\"organisation\":" + JsonString(m_signIn->organisation) + ",\"user\":" + JsonString(m_signIn->user) +
                       ",\"password\":" + JsonString(request.password) + ",\"device_id\":\"" +
                       std::to_string(deviceId.Value()) + "\",\"device_name\":\"browser\",\"device_secret\":" +
                       JsonString(deviceSecret.Value()) + "}";
  JsSyncConfigure(server.c_str(), "");
  JsSyncSignIn("/v1/signin", fields.c_str());
}

void BrowserSync::SignInFailed(int status, const std::string& message) {
  ui::AppState& app = m_platform.app;
  if (!m_signIn) return;
  if (status == 0) return ShowSignInError(std::string(ui::Tr(app.lang, ui::Str::RelayUnreachable)) + " (" + message + ")");
  if (status == 401) return ShowSignInError(ui::Tr(app.lang, ui::Str::WrongAccountOrPassword));
  if (status == 404) return ShowSignInError(std::string(ui::Tr(app.lang, ui::Str::NoRelayAtAddress)) + " (HTTP 404)");
  ShowSignInError(message);
}

void BrowserSync::SignInAnswered(const std::string& organisationId, const std::string& userId, const std::string&,
                                 const std::string& token) {
  ui::AppState& app = m_platform.app;
  if (!m_signIn || !app.db) return;
  auto organisation = ParseId(organisationId);
  auto user = ParseId(userId);
  if (!organisation || !user || token.empty()) return ShowSignInError("the relay's answer lacks the organisation, user or token");
  sync::OnlineIdentity identity{*organisation, *user, m_signIn->account, token};
  sync::SyncLink link{m_signIn->server, *organisation};
  auto current = sync::LoadLink(*app.db);
  if (!current) return ShowSignInError(current.Message());
  if (current.Value()) {
    if (current.Value()->organisationId != *organisation) {
      return ShowSignInError(ui::Tr(app.lang, ui::Str::LinkedToAnotherOrganisation));
    }
    return FinishSignIn(identity);
  }
  // The first sign-in on this device: the organisation's data replaces what is here, so nothing
  // of the user's own may be here (a trial's sample data may go).
  auto atRisk = sync::LocalCustomersAtRisk(*app.db);
  if (!atRisk) return ShowSignInError(atRisk.Message());
  if (atRisk.Value() > 0) {
    return ShowSignInError(std::string(ui::Tr(app.lang, ui::Str::LocalDataWouldBeReplaced)) + " (" +
                           std::to_string(atRisk.Value()) + ")");
  }
  ShowSignInProgress(ui::Tr(app.lang, ui::Str::LoadingOrganisation));
  m_transport.Configure(link.server, token);
  m_transport.Snapshot([this, identity, link](Result<sync::SnapshotResponse> snapshot) {
    ui::AppState& app = m_platform.app;
    if (!snapshot) return ShowSignInError(snapshot.Message());
    if (!app.db) return ShowSignInError("the database closed during sign-in");
    auto next = sync::BootstrapFromSnapshot(*app.db, snapshot.Value());
    if (!next) return ShowSignInError(next.Message());
    auto signedIn = sync::LinkSignedInUser(next.Value(), link, identity, app.nowMs);
    if (!signedIn) return ShowSignInError(signedIn.Message());
    m_signIn.reset();
    app.signIn.onlineBusy = false;
    app.signIn.formNotice.clear();
    // Stored as the new snapshot first, then opened: until then the old data stays.
    GetStorage().Replace(std::move(next).Value());
  });
}

void BrowserSync::FinishSignIn(const sync::OnlineIdentity& identity) {
  ui::AppState& app = m_platform.app;
  auto actor = sync::LinkSignedInUser(*app.db, sync::SyncLink{m_signIn->server, identity.organisationId}, identity, app.nowMs);
  if (!actor) return ShowSignInError(actor.Message());
  m_signIn.reset();
  app.signIn.onlineBusy = false;
  app.signIn.formNotice.clear();
  ui::EnterSession(app, actor.Value());
  ui::AfterCommit(app);
  Attach();
}

std::string BrowserSync::StateJson() {
  sync::SyncStatus status = Status();
  char buffer[512];
  std::snprintf(buffer, sizeof buffer,
                "{\"active\":%s,\"online\":%s,\"pending\":%lld,\"refused\":%lld,\"confirmedSeq\":%lld,\"headSeq\":%lld,"
                "\"lastSyncMs\":%lld,\"unseenConflicts\":%lld,\"needsAppUpdate\":%s,\"signInNeeded\":%s,\"lastError\":",
                Active() ? "true" : "false", status.online ? "true" : "false", static_cast<long long>(status.pending),
                static_cast<long long>(status.refused), static_cast<long long>(status.confirmedSeq),
                static_cast<long long>(status.headSeq), static_cast<long long>(status.lastSyncMs),
                static_cast<long long>(status.unseenConflicts), status.needsAppUpdate ? "true" : "false",
                status.signInNeeded ? "true" : "false");
  return std::string(buffer) + JsonString(status.lastError) + "}";
}

}  // namespace crm::web

using crm::web::GetSync;

extern "C" {
EMSCRIPTEN_KEEPALIVE void crm_sync_answer(int id, int status, const uint8_t* body, int size, const char* fields, double retryAfter) {
  GetSync().Answer(id, status, body, static_cast<size_t>(size), fields ? fields : "", static_cast<int>(retryAfter));
}
EMSCRIPTEN_KEEPALIVE void crm_sync_signed_in(const char* organisation, const char* user, const char* role, const char* token) {
  GetSync().SignInAnswered(organisation ? organisation : "", user ? user : "", role ? role : "", token ? token : "");
}
EMSCRIPTEN_KEEPALIVE void crm_sync_signin_failed(int status, const char* message) {
  GetSync().SignInFailed(status, message ? message : "");
}
EMSCRIPTEN_KEEPALIVE void crm_sync_wake(int online) { GetSync().Wake(online != 0); }
}
