#pragma once
// How a device reaches the relay. Asynchronous, because the browser's fetch is:
// each call returns at once and calls `done` later (or before returning, for
// transports that are synchronous underneath). Implementations: fetch in
// web/sync_browser.cpp, an HTTP client natively (sync/net/), and the
// in-process fake relay of the tests.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/result.h"
#include "sync/wire.h"

namespace crm::sync {

// The relay refused a changeset of a push (422): nothing of the push was stored.
struct PushRefusal {
  int64_t changesetId = 0;
  std::string table;
  std::string row;
  std::string reason;
};

struct PushOutcome {
  PushResponse response;               // when accepted
  std::optional<PushRefusal> refusal;  // when refused
};

// Errors a transport reports, by ErrorCode:
//  - Storage: the network or the relay is unavailable (retry later; the device is offline);
//  - Denied: the token is unknown, expired or revoked (sign in again); with Problem::DeviceRevoked, the
//    device was revoked (erase its data);
//  - Invalid, Corrupt: the relay did not understand, or answered nonsense (a bug; retry later);
//  - Schema: the relay speaks another wire version.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void Push(const PushRequest& request, std::function<void(Result<PushOutcome>)> done) = 0;
  // Changesets after `afterSeq`, at most `limit`; waits up to `waitSeconds` when there are none.
  virtual void Pull(int64_t afterSeq, int limit, int waitSeconds, std::function<void(Result<PullResponse>)> done) = 0;
  virtual void Snapshot(std::function<void(Result<SnapshotResponse>)> done) = 0;
  // How this device's customers differ from its read scope (a scoped device, after a pull whose
  // scopeDigest differs from its own). A transport to a relay that scopes nothing never gets asked.
  virtual void Scope(const ScopeRequest& request, std::function<void(Result<ScopeResponse>)> done) {
    (void)request;
    done(MakeError(ErrorCode::Invalid, "this transport does not reconcile scopes"));
  }
  // A page of the company directory (core/directory.h), for the duplicate check on a scoped device.
  virtual void Directory(int64_t since, int64_t afterId, std::function<void(Result<DirectoryResponse>)> done) {
    (void)since;
    (void)afterId;
    done(MakeError(ErrorCode::Invalid, "this transport does not fetch the directory"));
  }
  // A revoked device is about to erase its data: the relay records it and takes no more of its pushes.
  virtual void ReportWiped(std::function<void(Status)> done) { done(Ok()); }
  // Seconds the relay asked to wait (Retry-After of a 429 or 503) in the answer just delivered; 0: none.
  virtual int RetryAfterSeconds() const { return 0; }
};

}  // namespace crm::sync
