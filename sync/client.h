#pragma once
// Drives a Replica over a Transport: pushes local changes as soon as they
// exist, long-polls for remote ones, applies what arrives in slices (a huge
// pull never stalls a frame for long), backs off while the relay is out of
// reach, and keeps the status the UI shows. Never blocks: the platform calls
// Tick() from its main loop and the transport calls back when answers arrive.
#include <cstdint>
#include <memory>
#include <vector>

#include "sync/replica.h"
#include "sync/status.h"
#include "sync/transport.h"

namespace crm::sync {

struct SyncClientOptions {
  PushLimits push;
  int pullLimit = 1000;
  int longPollSeconds = 25;
  size_t applyPerTick = 500;  // remote changesets applied per Tick
  int64_t minRetryMs = 1000;  // back-off after a failure doubles from here…
  int64_t maxRetryMs = 60000;  // …up to here
  // A scoped device refreshes its company directory (core/directory.h) once caught up, at most this often.
  int64_t directoryIntervalMs = 10000;
};

class SyncClient {
 public:
  SyncClient(Replica& replica, Transport& transport, SyncClientOptions options = {});
  ~SyncClient();
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;

  // Starts what is due and applies a slice of what arrived. `nowMs` is the platform's clock.
  void Tick(int64_t nowMs);
  // Something changed (a local commit, the network came back, a new sign-in): no waiting for the back-off.
  void Wake();

  SyncStatus Status();
  bool PushInFlight() const { return m_pushInFlight; }
  bool PullInFlight() const { return m_pullInFlight; }
  // Nothing queued to apply and no request out: with nothing pending, the device is caught up.
  bool Quiet() const { return !m_pushInFlight && !m_pullInFlight && m_received.empty() && !m_scopeInFlight && !m_scopeCheck; }
  // Changesets have arrived and are applied a slice per Tick: the platform keeps ticking for them.
  bool Applying() const { return !m_received.empty(); }
  // The device was revoked and has pushed what it may: the platform erases it now (core/wipe.h).
  bool WipeDue() const { return m_status.wipeDue; }

 private:
  void StartPush(int64_t nowMs);
  void StartPull(int64_t nowMs);
  void ApplyReceived(int64_t nowMs);
  void OnPushed(Result<PushOutcome> outcome, int64_t sentMs);
  void OnPulled(Result<PullResponse> response, int64_t sentMs);
  // A scoped device compares what it holds with its scope once caught up, and reconciles.
  void StartScope(int64_t nowMs);
  void OnScope(Result<ScopeResponse> answer, int64_t sentMs);
  // The company directory: a scoped device, caught up, fetches what changed since its directory's position,
  // page by page. A failure is no sync failure (the directory only helps the duplicate check): it waits.
  void StartDirectory(int64_t nowMs);
  void OnDirectory(Result<DirectoryResponse> answer, int64_t sentMs);
  // retryAfterSeconds: the relay's Retry-After with the error (0: none).
  void Failed(const Error& error, int64_t nowMs, int retryAfterSeconds = 0);
  // The relay answered: the status says online, and the contact is recorded (sync/offline_lock.h).
  void Succeeded(int64_t nowMs);
  // A revoked device: pushes its outbox when the relay still takes it (keep_unsent), then is due to wipe.
  void OnRevoked(const Error& error);
  void TickRevoked(int64_t nowMs);

  Replica& m_replica;
  Transport& m_transport;
  SyncClientOptions m_options;
  // Callbacks outlive a client that was destroyed (a device restarted mid-request): they check this first.
  std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
  bool m_pushInFlight = false;
  bool m_pullInFlight = false;
  bool m_morePull = true;  // the relay has more than the last pull brought
  bool m_scopeInFlight = false;
  bool m_scopeCheck = false;    // this device's holding may differ from its scope: ask the relay once caught up
  std::string m_scopeDigest;    // the relay's fingerprint of this device's scope, from the last pull
  bool m_directoryInFlight = false;
  int64_t m_directoryAtMs = 0;    // no directory request before this
  int64_t m_directoryAfter = 0;   // the round's cursor: the last customer id of the page before
  int64_t m_directorySince = 0;   // the round's position asked from
  int64_t m_directorySeq = 0;     // the relay's position at the round's first page
  bool m_directoryWhole = false;  // the next round asks for the whole directory (the key changed)
  bool m_pushUnsent = false;  // revoked with keep_unsent: the outbox still goes before the wipe
  std::vector<SequencedChangeset> m_received;
  size_t m_receivedDone = 0;
  int64_t m_nowMs = 0;
  int64_t m_retryAtMs = 0;
  int64_t m_pullAtMs = 0;  // no pull before this (the relay asked to wait: Retry-After)
  int64_t m_backoffMs = 0;
  int64_t m_contactRecordedMs = 0;  // when this client last recorded a contact with the relay; 0: not yet
  SyncStatus m_status;
};

}  // namespace crm::sync
