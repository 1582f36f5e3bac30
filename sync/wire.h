#pragma once
// The wire format between devices and the relay: cereal portable binary with a
// format version in every message. Decoding never throws out of this module:
// truncated or hostile bytes come back as an error value.
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace crm::sync {

constexpr uint32_t kWireVersion = 1;

// One locally committed transaction, as it travels to the relay.
struct ChangesetEnvelope {
  int64_t changesetId = 0;  // device-unique; pushes are idempotent on it
  int64_t userId = 0;
  int64_t deviceId = 0;
  int32_t schemaVersion = 0;
  int64_t createdAtMs = 0;
  std::vector<uint8_t> changeset;
};

struct PushRequest {
  std::vector<ChangesetEnvelope> changesets;
};

std::vector<uint8_t> EncodePush(const PushRequest& request);
Result<PushRequest> DecodePush(const std::vector<uint8_t>& bytes);

}  // namespace crm::sync
