#pragma once
// Which organisation and relay this device syncs with, and who on it signed in
// online. Local-only (sync_state, device_accounts): a device that is not linked
// keeps its data to itself (local accounts, trials).
#include <cstdint>
#include <optional>
#include <string>

#include "core/customers.h"
#include "core/db.h"

namespace crm::sync {

struct SyncLink {
  std::string server;  // the relay's origin, e.g. https://crm.example.com (empty: this page's origin)
  int64_t organisationId = 0;
};

// The device's own sync values (sync_state: the link below, the replica's confirmed position); none is synced.
Result<std::optional<std::string>> GetSyncState(Db& db, const char* key);
Status SetSyncState(Db& db, const char* key, const std::string& value);

Result<std::optional<SyncLink>> LoadLink(Db& db);
Status SaveLink(Db& db, const SyncLink& link);

// What an online sign-in brings back from the relay.
struct OnlineIdentity {
  int64_t organisationId = 0;
  int64_t userId = 0;
  std::string account;  // as typed: "用户@组织"
  std::string token;
};

// Records a successful online sign-in on a database that holds the organisation's data: the
// account works offline on this device from now on, and the session resumes with it. Accounts of
// people who are not in the organisation (a trial's demo users) are removed from this device.
Result<Actor> LinkSignedInUser(Db& db, const SyncLink& link, const OnlineIdentity& identity, int64_t nowMs);

// The device token to sync with: the person's own, else the most recently used online account's.
Result<std::string> TokenFor(Db& db, int64_t userId);

// Whether the device holds data of its own that an organisation's snapshot would replace:
// customers that are not a trial's sample data.
Result<int64_t> LocalCustomersAtRisk(Db& db);

}  // namespace crm::sync
