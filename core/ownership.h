#pragma once
// Ownership: the customer belongs to the company. Owners change in audited
// operations (a rep leaves: all their customers move with their history), and
// customers nobody works return to the public pool (公海), where a rep claims
// one and holds it for a protected period.
#include <cstdint>
#include <optional>

#include "core/customers.h"
#include "core/db.h"

namespace crm {

// Moves every live customer of `fromUserId`, with their open follow-ups, to `toUserId` in one
// transaction. Returns how many moved. Supervisors within their team; leaders and admins anywhere.
Result<int> ReassignCustomers(Db& db, int64_t fromUserId, int64_t toUserId, const Actor& actor);
// Moves one customer to a user, or to the pool when `toUserId` is empty.
Status ReassignCustomer(Db& db, int64_t customerId, std::optional<int64_t> toUserId, const Actor& actor);

// A rep takes a pool customer; it is then protected from returning to the pool for the
// organisation's claim-protection period.
Status ClaimCustomer(Db& db, int64_t customerId, const Actor& actor);
// The owner (or their supervisor) gives a customer back to the pool.
Status ReleaseToPool(Db& db, int64_t customerId, const Actor& actor);

// Returns to the pool every owned customer whose owner has not followed up (no activity) within
// the organisation's pool period, unless protected. `actor` is whoever runs the sweep; the audit
// shows it. Returns how many returned.
Result<int> ReturnStaleToPool(Db& db, int64_t nowMs, const Actor& actor);

}  // namespace crm
