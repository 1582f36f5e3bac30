#pragma once
// Sync in the browser: the relay over fetch() (sync.js), the sync client on
// the open database, and online sign-in with the first snapshot of the
// organisation. The engine is sync/ (Replica, SyncClient); this file plugs it
// into the page: when to start and stop, which token, what the UI shows.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "sync/client.h"
#include "sync/link.h"
#include "sync/protocol.h"
#include "sync/replica.h"
#include "sync/transport.h"
#include "ui/signin_screen.h"

namespace crm::web {

struct Platform;

// The relay over fetch(): each request gets an id; sync.js answers with its status and bytes. What
// is sent and what an answer means is sync/protocol.h, as for the native transport.
class FetchTransport final : public sync::Transport {
 public:
  void Configure(const std::string& server, const std::string& token);
  // The token of a change's author on this device, for pushes (empty: the configured one).
  void SetAuthorTokens(std::function<std::string(int64_t userId)> tokenFor) { m_authorToken = std::move(tokenFor); }
  void Push(const sync::PushRequest& request, std::function<void(Result<sync::PushOutcome>)> done) override;
  void Pull(int64_t afterSeq, int limit, int waitSeconds, std::function<void(Result<sync::PullResponse>)> done) override;
  void Snapshot(std::function<void(Result<sync::SnapshotResponse>)> done) override;
  void Scope(const sync::ScopeRequest& request, std::function<void(Result<sync::ScopeResponse>)> done) override;
  void Directory(int64_t since, int64_t afterId, std::function<void(Result<sync::DirectoryResponse>)> done) override;
  void ReportWiped(std::function<void(crm::Status)> done) override;
  // Online sign-in at the configured relay; `kind` says how the relay answered, for the sign-in screen's words.
  void SignIn(const sync::SignInRequest& request,
              std::function<void(sync::AnswerKind kind, Result<sync::RelaySession>)> done);
  // Seconds the relay asked to wait before the next try (429/503 Retry-After), 0 when it did not.
  int RetryAfterSeconds() const override { return m_retryAfter; }

  // From sync.js: the answer to request `id` (status 0: none came, and `answer.failure` says why).
  void Answer(int id, const sync::HttpAnswer& answer);
  // Requests in flight are answered to nobody (the database they were for is closing).
  void Forget() { m_waiting.clear(); }

 private:
  using Handler = std::function<void(const sync::HttpAnswer&)>;
  void Send(const sync::HttpRequest& request, Handler handler);

  std::map<int, Handler> m_waiting;
  int m_nextId = 1;
  std::string m_token;
  int m_retryAfter = 0;
  std::function<std::string(int64_t)> m_authorToken;
};

class BrowserSync {
 public:
  explicit BrowserSync(Platform& platform) : m_platform(platform) {}

  // After the database opened: starts syncing when the device is linked to an organisation.
  void Attach();
  // Before the database closes or is replaced: the replica lets go of it.
  void Detach();
  // Once per frame: the client's next step, and the status the UI shows.
  void Frame();
  // The person signed in changed (attribution, and whose token).
  void SignedIn(int64_t userId);
  void Wake(bool online);

  // Online sign-in, from the sign-in screen: relay → token → (first time) snapshot → linked.
  void SignIn(const ui::OnlineSignInRequest& request);
  void SignInAnswered(const sync::RelaySession& session);
  void SignInFailed(sync::AnswerKind kind, const Error& error);

  void Answer(int id, const sync::HttpAnswer& answer) { m_transport.Answer(id, answer); }

  bool Active() const { return m_client != nullptr; }
  // Received changes wait to be applied, a slice per frame.
  bool Applying() const { return m_client && m_client->Applying(); }
  sync::SyncStatus Status();
  std::string StateJson();

 private:
  void StartClient(const sync::SyncLink& link);
  // An administrator revoked this device (SyncClient::WipeDue): tell the relay, then erase the device's
  // data (core/wipe.h), store the empty database over the old one, and start as a fresh device.
  void Wipe();
  void EraseDevice();
  void FinishSignIn(const sync::OnlineIdentity& identity);
  void ShowSignInError(const std::string& message);
  void ShowSignInProgress(const char* message);

  Platform& m_platform;
  FetchTransport m_transport;
  std::unique_ptr<sync::Replica> m_replica;
  std::unique_ptr<sync::SyncClient> m_client;
  std::optional<sync::SyncLink> m_link;
  std::string m_token;
  std::optional<Error> m_lastError;  // outside the client: sign-in, bootstrap
  int64_t m_shownSeq = -1;  // the position the screens last reloaded for
  bool m_wiping = false;    // the relay is being told; the erasing follows its answer

  // An online sign-in in progress.
  struct PendingSignIn {
    std::string server;
    std::string account;
    std::string organisation;
    std::string user;
    std::string password;  // wraps the device's data key for this person once signed in (storage.h Protect)
  };
  std::optional<PendingSignIn> m_signIn;
};

BrowserSync& GetSync();

}  // namespace crm::web
