#pragma once
// Hand-over requests: a rep about to create a customer who is already someone else's (the company
// directory, core/directory.h, says whose) asks for it instead. The owner's supervisor, or a leader or an
// admin, grants the request (the customer moves to the rep through ReassignCustomer, core/ownership.h) or
// declines it. A synced record (core/records.h "handover_requests"): the relay holds every write to the
// same rules (a rep asks only as themselves; only someone who may move the customer decides).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/customers.h"
#include "core/db.h"
#include "core/org.h"

namespace crm {

enum class HandOverState { Requested, Granted, Declined };
const char* Code(HandOverState state);
// The stored codes, exactly ("requested", "granted", "declined"): the relay's vocabulary for the column.
bool IsHandOverStateCode(std::string_view code);

struct HandOverRequest {
  int64_t id = 0;
  int64_t customerId = 0;
  std::string customerName;  // empty when this device does not hold the customer
  int64_t requestedBy = 0;
  std::string requesterName;
  std::optional<int64_t> ownerId;  // the customer's owner as this device holds it
  std::string ownerName;
  std::string note;
  HandOverState state = HandOverState::Requested;
  int64_t createdAt = 0;
};

// Whether `actor` may decide a request about a customer held so: whoever may move it within its owner's team
// (the owner's supervisor), leaders and admins (CheckCanReassign).
Status CheckCanDecideHandOver(const User& actor, const Holding& customer);

// The actor asks for the customer (one this device need not hold). The note is at most 200 characters.
// Conflict (Problem::Duplicate) when the actor has an open request for it already; AlreadyYours when it is theirs.
Result<int64_t> RequestHandOver(Db& db, int64_t customerId, std::string_view note, const Actor& actor);
// Open requests this actor may decide, oldest first (customers held here only: the decider holds them).
Result<std::vector<HandOverRequest>> HandOversToDecide(Db& db, const Actor& actor);
// Grants: the customer moves to the requester (ReassignCustomer) and the request is closed, in one transaction.
Status GrantHandOver(Db& db, int64_t requestId, const Actor& actor);
Status DeclineHandOver(Db& db, int64_t requestId, const Actor& actor);

}  // namespace crm
