// Sync in the browser; see web/sync_browser.h.
#include "web/sync_browser.h"

#include <emscripten.h>

#include <cstdio>

#include "core/accounts.h"
#include "core/ids.h"
#include "core/schema.h"
#include "core/text.h"
#include "core/org.h"
#include "core/wipe.h"
#include "ui/errors.h"
#include "web/platform.h"
#include "web/storage.h"

namespace crm::web {

namespace {

EM_JS(void, JsSyncConfigure, (const char* server), { Module.crmSync.configure(UTF8ToString(server)); });
EM_JS(void, JsSyncRequest, (int id, const char* method, const char* path, const uint8_t* body, size_t size, int timeoutMs,
                            const char* headers),
      { Module.crmSync.request(id, UTF8ToString(method), UTF8ToString(path), body, size, timeoutMs, UTF8ToString(headers)); });
EM_JS(void, JsSyncAbortAll, (), { Module.crmSync.abortAll(); });

constexpr int kRequestTimeoutSeconds = 20;
constexpr int kLongPollSeconds = 25;

// A request's headers as the JSON object fetch() takes.
std::string HeadersJson(const sync::HttpRequest& request) {
  std::string json = "{";
  auto add = [&json](const std::string& name, const std::string& value) {
    if (json.size() > 1) json += ',';
    json += JsonString(name) + ':' + JsonString(value);
  };
  for (const sync::HttpHeader& header : request.headers) add(header.name, header.value);
  if (!request.contentType.empty()) add("Content-Type", request.contentType);
  return json + "}";
}

}  // namespace

// ---------------------------------------------------------------------------
// FetchTransport

void FetchTransport::Configure(const std::string& server, const std::string& token) {
  m_token = token;
  JsSyncConfigure(server.c_str());
}

void FetchTransport::Send(const sync::HttpRequest& request, Handler handler) {
  int id = m_nextId++;
  m_waiting.emplace(id, std::move(handler));
  int timeoutMs = sync::TimeoutSecondsFor(request, kRequestTimeoutSeconds) * 1000;
  JsSyncRequest(id, request.method.c_str(), request.target.c_str(), request.body.data(), request.body.size(), timeoutMs,
                HeadersJson(request).c_str());
}

void FetchTransport::Answer(int id, const sync::HttpAnswer& answer) {
  auto found = m_waiting.find(id);
  if (found == m_waiting.end()) return;  // forgotten: the database it was for has closed
  Handler handler = std::move(found->second);
  m_waiting.erase(found);
  m_retryAfter = sync::RetryAfterOf(answer);
  handler(answer);
}

void FetchTransport::Push(const sync::PushRequest& request, std::function<void(Result<sync::PushOutcome>)> done) {
  // A push holds one person's changes (Replica::NextPush) and goes with that person's own sign-in.
  std::string author = m_authorToken && !request.changesets.empty() ? m_authorToken(request.changesets.front().userId) : "";
  Send(sync::PushCall(request, author.empty() ? m_token : author),
       [done](const sync::HttpAnswer& answer) { done(sync::ReadPushAnswer(answer)); });
}

void FetchTransport::Pull(int64_t afterSeq, int limit, int waitSeconds, std::function<void(Result<sync::PullResponse>)> done) {
  Send(sync::PullCall(afterSeq, limit, waitSeconds, m_token),
       [done](const sync::HttpAnswer& answer) { done(sync::ReadPullAnswer(answer)); });
}

void FetchTransport::Snapshot(std::function<void(Result<sync::SnapshotResponse>)> done) {
  Send(sync::SnapshotCall(m_token), [done](const sync::HttpAnswer& answer) { done(sync::ReadSnapshotAnswer(answer)); });
}

void FetchTransport::Scope(const sync::ScopeRequest& request, std::function<void(Result<sync::ScopeResponse>)> done) {
  Send(sync::ScopeCall(request, m_token), [done](const sync::HttpAnswer& answer) { done(sync::ReadScopeAnswer(answer)); });
}

void FetchTransport::Directory(int64_t since, int64_t afterId, std::function<void(Result<sync::DirectoryResponse>)> done) {
  Send(sync::DirectoryCall(since, afterId, m_token), [done](const sync::HttpAnswer& answer) { done(sync::ReadDirectoryAnswer(answer)); });
}

void FetchTransport::ReportWiped(std::function<void(crm::Status)> done) {
  Send(sync::WipedCall(m_token), [done](const sync::HttpAnswer& answer) { done(sync::ReadWipedAnswer(answer)); });
}

void FetchTransport::SignIn(const sync::SignInRequest& request,
                            std::function<void(sync::AnswerKind, Result<sync::RelaySession>)> done) {
  sync::HttpRequest call = sync::SignInCall(request);
  Send(call, [done, what = call.what](const sync::HttpAnswer& answer) {
    done(sync::ClassifyStatus(answer.status), sync::ReadSessionAnswer(what, answer));
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
    m_lastError = link.GetError();
    return;
  }
  if (!link.Value()) return;  // a local or trial device: nothing to sync
  StartClient(*link.Value());
}

void BrowserSync::StartClient(const sync::SyncLink& link) {
  ui::AppState& app = m_platform.app;
  auto replica = sync::Replica::Open(*app.db);
  if (!replica) {
    m_lastError = replica.GetError();
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
  if (m_client->WipeDue()) return Wipe();
  // Remote changes arrive in answers between frames as well as in Tick: the screens reload whenever
  // the position moved since they last did.
  if (m_replica->ConfirmedSeq() != m_shownSeq) {
    m_shownSeq = m_replica->ConfirmedSeq();
    ui::AfterCommit(app);
  }
}

void BrowserSync::Wipe() {
  if (m_wiping) return;
  m_wiping = true;
  // The relay's answer does not matter: the data goes either way (it records the report when it can).
  m_transport.ReportWiped([this](crm::Status) { EraseDevice(); });
}

void BrowserSync::EraseDevice() {
  ui::AppState& app = m_platform.app;
  Detach();
  m_wiping = false;
  m_link.reset();
  m_token.clear();
  m_lastError.reset();
  if (!app.db) return;
  // Not recorded change by change: the erased database is stored as one snapshot, which replaces
  // the old snapshot and log in IndexedDB (web/storage.js), so nothing of the data stays there.
  BrowserStorage& storage = GetStorage();
  storage.BeginBulkLoad();
  crm::Status erased = WipeDevice(*app.db);
  if (erased) erased = NoteDeviceWiped(*app.db, app.nowMs);
  // The keyring goes in the same write as the erased snapshot: nobody's secret opens anything any more.
  storage.ForgetKeys();
  storage.ForceSnapshot();
  if (!erased) {
    app.fatalError = ui::DescribeError(app.lang, erased.GetError());
    return;
  }
  // A fresh device: nobody signed in, the welcome screen with the notice.
  ui::LockSession(app);
  OnDatabaseReady(m_platform);
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
  if (m_lastError && !status.lastError) status.lastError = m_lastError;
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
  m_signIn = PendingSignIn{server, request.account, request.account.substr(at + 1), request.account.substr(0, at), request.password};
  ShowSignInProgress(ui::Tr(app.lang, ui::Str::SigningIn));
  sync::SignInRequest signIn{m_signIn->organisation, m_signIn->user, request.password, deviceId.Value(), "browser",
                             deviceSecret.Value()};
  m_transport.Configure(server, "");
  m_transport.SignIn(signIn, [this](sync::AnswerKind kind, Result<sync::RelaySession> session) {
    if (!session) return SignInFailed(kind, session.GetError());
    SignInAnswered(session.Value());
  });
}

void BrowserSync::SignInFailed(sync::AnswerKind kind, const Error& error) {
  ui::AppState& app = m_platform.app;
  if (!m_signIn) return;
  if (kind == sync::AnswerKind::NoAnswer) {
    return ShowSignInError(std::string(ui::Tr(app.lang, ui::Str::RelayUnreachable)) + " (" + error.message + ")");
  }
  if (kind == sync::AnswerKind::NotFound) return ShowSignInError(std::string(ui::Tr(app.lang, ui::Str::NoRelayAtAddress)) + " (HTTP 404)");
  // Worded from the error's code, in the person's language: the relay's own sentence is English.
  ShowSignInError(ui::OnlineSignInErrorText(app.lang, error));
}

void BrowserSync::SignInAnswered(const sync::RelaySession& session) {
  ui::AppState& app = m_platform.app;
  if (!m_signIn || !app.db) return;
  const std::string& token = session.token;
  sync::OnlineIdentity identity{session.organisationId, session.userId, m_signIn->account, token};
  sync::SyncLink link{m_signIn->server, session.organisationId};
  auto current = sync::LoadLink(*app.db);
  if (!current) return ShowSignInError(current.Message());
  if (current.Value()) {
    if (current.Value()->organisationId != session.organisationId) {
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
    if (!snapshot) return ShowSignInError(ui::OnlineSignInErrorText(app.lang, snapshot.GetError()));
    if (!app.db) return ShowSignInError("the database closed during sign-in");
    auto next = sync::BootstrapFromSnapshot(*app.db, snapshot.Value());
    if (!next) return ShowSignInError(next.Message());
    auto signedIn = sync::LinkSignedInUser(next.Value(), link, identity, app.nowMs);
    if (!signedIn) return ShowSignInError(signedIn.Message());
    // The organisation's data gets a key of its own, opened by this person's password: whatever opened the
    // data before (a local account's PIN) opens none of it.
    BrowserStorage& storage = GetStorage();
    storage.ForgetKeys();
    auto user = GetUser(next.Value(), identity.userId);
    storage.Protect(ui::DeviceKeyEntry{identity.userId, user ? user.Value().name : m_signIn->user, user ? user.Value().role : Role::Rep,
                                       ui::DeviceKeyKind::Password},
                    m_signIn->password);
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
  ui::ProtectDeviceFor(app, identity.userId, ui::DeviceKeyKind::Password, m_signIn->password);
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
                "\"directorySeq\":%lld,\"lastSyncMs\":%lld,\"unseenConflicts\":%lld,\"needsAppUpdate\":%s,\"signInNeeded\":%s,"
                "\"lastError\":",
                Active() ? "true" : "false", status.online ? "true" : "false", static_cast<long long>(status.pending),
                static_cast<long long>(status.refused), static_cast<long long>(status.confirmedSeq),
                static_cast<long long>(status.headSeq), static_cast<long long>(status.directorySeq),
                static_cast<long long>(status.lastSyncMs),
                static_cast<long long>(status.unseenConflicts), status.needsAppUpdate ? "true" : "false",
                status.signInNeeded ? "true" : "false");
  return std::string(buffer) + JsonString(status.lastError ? status.lastError->message : std::string()) + "}";
}

}  // namespace crm::web

using crm::web::GetSync;

extern "C" {
EMSCRIPTEN_KEEPALIVE void crm_sync_answer(int id, int status, const uint8_t* body, int size, const char* retryAfter,
                                          const char* failure, const char* scope) {
  std::string_view bytes(reinterpret_cast<const char*>(body), size > 0 ? static_cast<size_t>(size) : 0);
  GetSync().Answer(id, crm::sync::HttpAnswer{status, bytes, retryAfter ? retryAfter : "", failure ? failure : "",
                                             scope ? scope : ""});
}
EMSCRIPTEN_KEEPALIVE void crm_sync_wake(int online) { GetSync().Wake(online != 0); }
}
