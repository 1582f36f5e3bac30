#pragma once
// The wire format between devices and the relay (docs/PROTOCOL.md): cereal
// portable binary, each message opened by its own magic and the format version.
// Decoding never throws out of this module: truncated or hostile bytes come
// back as an error value.
#include <cstdint>
#include <string>
#include <vector>

#include "core/directory.h"
#include "core/result.h"

namespace crm::sync {

constexpr uint32_t kWireVersion = 1;
// Limits a decoder enforces before it allocates: a message, and a snapshot (a whole organisation).
constexpr size_t kMaxMessageBytes = 64u << 20;
constexpr size_t kMaxSnapshotBytes = 2048u << 20;

// One locally committed transaction, as it travels to the relay.
struct ChangesetEnvelope {
  int64_t changesetId = 0;  // random, unique per device; pushes are idempotent on (device, changesetId)
  int64_t userId = 0;       // who made the change (signed in on the device at that moment)
  int64_t deviceId = 0;
  int32_t schemaVersion = 0;  // the author's schema: a newer one is never applied silently
  int64_t createdAtMs = 0;
  std::vector<uint8_t> changeset;  // SQLite session changeset of the synced tables
};

// Device → relay: whole transactions, in the device's capture order.
struct PushRequest {
  std::vector<ChangesetEnvelope> changesets;
};

// The relay's position for each changeset of a push (also for ones it had already: a retry).
struct PushAck {
  int64_t changesetId = 0;
  int64_t seq = 0;
};
struct PushResponse {
  std::vector<PushAck> acks;
  int64_t headSeq = 0;  // the organisation's last sequence number after this push
};

// Relay → device: accepted changesets in the organisation's total order.
struct SequencedChangeset {
  int64_t seq = 0;
  ChangesetEnvelope envelope;
};
struct PullResponse {
  std::vector<SequencedChangeset> changesets;  // consecutive, from the requested position + 1
  int64_t headSeq = 0;                         // more to pull while the last seq < headSeq
  // Not on the wire (the HTTP Retry-After of a pull): the relay would not hold this long-poll (too
  // many held already), so the device waits this long before it asks again.
  int retryAfterSeconds = 0;
  // Not on the wire (the X-CRM-Scope header of a pull): the fingerprint (core ScopeDigest) of the
  // customers this device may hold, as of the relay's copy; empty when the device receives everything.
  // A device whose own customers give another fingerprint reconciles (POST /v1/scope).
  std::string scopeDigest;
  // Not on the wire either (";from=N" after the fingerprint): a change from position N on moved a row
  // across the scope's edge (a merge), so the rows of the customers changed from N on come again
  // (ScopeRequest::since). 0: none.
  int64_t scopeRefreshFrom = 0;
};

// Relay → new device: the organisation's data at `seq`, as an SQLite database image.
struct SnapshotResponse {
  int64_t seq = 0;
  int32_t schemaVersion = 0;
  std::vector<uint8_t> image;
};

// Device → relay (POST /v1/scope): the customers this device holds, sorted by id.
struct ScopeRequest {
  std::vector<int64_t> heldCustomers;
  // 0, or the first position of a pull that was cut to a scope this device's holding did not match: a
  // customer it holds may have been out of scope then (its changes left out) and back in since. The
  // relay sends again the rows of held customers that changes from this position on touched.
  int64_t since = 0;
};
// Relay → device: how the device's holding differs from its scope, as of the relay's copy at `seq`.
struct ScopeResponse {
  int64_t seq = 0;
  std::string digest;            // the scope's fingerprint at `seq`
  std::vector<int64_t> leave;    // held but no longer in scope: the device drops them
  std::vector<int64_t> enter;    // in scope but not held (or held but maybe stale: ScopeRequest::since): their rows are in `rows`
  std::vector<uint8_t> rows;     // a changeset of INSERTs: every row of the entering customers, as of `seq`
  bool more = false;             // more customers enter than one answer carries: ask again
};

// Relay → device (GET /v1/directory?since=N&after=ID): the company directory (core/directory.h), a page at a
// time by customer id. `full`: every customer with an id past `after` up to the last entry's (to the end
// when not `more`); otherwise the customers touched since position `since` (docs/PROTOCOL.md "directory").
struct DirectoryResponse {
  int64_t seq = 0;    // the relay's position the directory is read at
  bool full = false;
  std::string key;    // the organisation's directory key (64 hex characters)
  std::vector<DirectoryEntry> entries;  // by customer id
  std::vector<int64_t> removed;         // customers of an incremental page that are nobody's any more (merged, gone)
  bool more = false;  // ask again with after = the last id of this page
};

std::vector<uint8_t> EncodePush(const PushRequest& request);
Result<PushRequest> DecodePush(const std::vector<uint8_t>& bytes);
std::vector<uint8_t> EncodePushResponse(const PushResponse& response);
Result<PushResponse> DecodePushResponse(const std::vector<uint8_t>& bytes);
std::vector<uint8_t> EncodePull(const PullResponse& response);
Result<PullResponse> DecodePull(const std::vector<uint8_t>& bytes);
std::vector<uint8_t> EncodeSnapshot(const SnapshotResponse& response);
Result<SnapshotResponse> DecodeSnapshot(const std::vector<uint8_t>& bytes);

std::vector<uint8_t> EncodeScopeRequest(const ScopeRequest& request);
Result<ScopeRequest> DecodeScopeRequest(const uint8_t* data, size_t size);
std::vector<uint8_t> EncodeScopeResponse(const ScopeResponse& response);
Result<ScopeResponse> DecodeScopeResponse(const uint8_t* data, size_t size);
std::vector<uint8_t> EncodeDirectory(const DirectoryResponse& response);
Result<DirectoryResponse> DecodeDirectory(const uint8_t* data, size_t size);

// The same, over a borrowed buffer (an HTTP body), to avoid a copy.
Result<PushRequest> DecodePush(const uint8_t* data, size_t size);
Result<PullResponse> DecodePull(const uint8_t* data, size_t size);
Result<PushResponse> DecodePushResponse(const uint8_t* data, size_t size);
Result<SnapshotResponse> DecodeSnapshot(const uint8_t* data, size_t size);

}  // namespace crm::sync
