#include "core/ownership.h"

#include "core/followups.h"
#include "core/ids.h"
#include "core/org.h"
#include "core/records.h"

namespace crm {

namespace {

constexpr int64_t kDayMs = 86400000;

// Moves the open follow-ups of a customer to its new owner (or to nobody, in the pool).
Status MoveOpenFollowups(Db& db, int64_t customerId, std::optional<int64_t> ownerId, const Actor& actor, int64_t now) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, now, "followups", "owner_id = ?1",
      "customer_id = ?2 AND status = 'open' AND deleted_at IS NULL AND owner_id IS NOT ?1"));
  stmt.Bind(1, ownerId).Bind(2, customerId);
  return stmt.Run();
}

Status SetOwner(Db& db, int64_t customerId, std::optional<int64_t> ownerId, std::optional<int64_t> teamId,
                const Actor& actor, int64_t now, bool claimed, int64_t protectedUntil) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, now, "customers",
      "owner_id = ?1, team_id = ?2, claimed_at = ?3, protected_until = ?4, pooled_at = ?5", "id = ?6"));
  stmt.Bind(1, ownerId).Bind(2, teamId);
  stmt.Bind(3, claimed ? std::optional<int64_t>(now) : std::nullopt);
  stmt.Bind(4, claimed ? std::optional<int64_t>(protectedUntil) : std::nullopt);
  stmt.Bind(5, ownerId ? std::nullopt : std::optional<int64_t>(now));
  stmt.Bind(6, customerId);
  CRM_TRY(stmt.Run());
  return MoveOpenFollowups(db, customerId, ownerId, actor, now);
}

}  // namespace

Result<int> ReassignCustomers(Db& db, int64_t fromUserId, int64_t toUserId, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  if (fromUserId == toUserId) {
    return FieldError(ErrorCode::Invalid, "to", Problem::SameOwner, "to: the customers already belong to this user");
  }
  CRM_ASSIGN_OR_RETURN(User from, GetUser(db, fromUserId));
  CRM_ASSIGN_OR_RETURN(User to, GetUser(db, toUserId));
  if (!to.active) return FieldError(ErrorCode::Invalid, "to", Problem::Deactivated, "to: " + to.name + "'s account is deactivated");
  CRM_TRY(CheckCanReassign(acting, Holding{from.id, from.teamId, from.name}, to.teamId));

  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  int64_t now = NowMs();
  // Open follow-ups travel with their customers; history (activities, orders) stays attached to the customer.
  CRM_ASSIGN_OR_RETURN(Stmt followups, PrepareSignedUpdate(db, actor, now, "followups", "owner_id = ?1",
      "status = 'open' AND deleted_at IS NULL AND customer_id IN (SELECT id FROM customers WHERE owner_id = ?2 AND deleted_at IS NULL)"));
  followups.BindAll(to.id, from.id);
  CRM_TRY(followups.Run());
  CRM_ASSIGN_OR_RETURN(Stmt customers, PrepareSignedUpdate(db, actor, now, "customers", "owner_id = ?1, team_id = ?2",
                                                           "owner_id = ?3 AND deleted_at IS NULL"));
  customers.Bind(1, to.id).Bind(2, to.teamId).Bind(3, from.id);
  CRM_TRY(customers.Run());
  int moved = db.Changes();
  CRM_TRY(txn.Commit());
  return moved;
}

Status ReassignCustomer(Db& db, int64_t customerId, std::optional<int64_t> toUserId, const Actor& actor) {
  if (!toUserId) return ReleaseToPool(db, customerId, actor);
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  CRM_ASSIGN_OR_RETURN(Holding holding, HoldingOf(db, customerId));
  CRM_ASSIGN_OR_RETURN(User to, GetUser(db, *toUserId));
  if (!to.active) return FieldError(ErrorCode::Invalid, "to", Problem::Deactivated, "to: " + to.name + "'s account is deactivated");
  if (holding.ownerId == to.id) return Ok();
  CRM_TRY(CheckCanReassign(acting, holding, to.teamId));
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_TRY(SetOwner(db, customerId, to.id, to.teamId, actor, NowMs(), false, 0));
  return txn.Commit();
}

Status ClaimCustomer(Db& db, int64_t customerId, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  CRM_ASSIGN_OR_RETURN(Holding holding, HoldingOf(db, customerId));
  if (holding.ownerId) {
    if (*holding.ownerId == acting.id) return FieldError(ErrorCode::Conflict, "", Problem::AlreadyYours, "customer: already yours");
    Error taken = FieldError(ErrorCode::Conflict, "", Problem::AlreadyOwned,
                             "customer: already taken by " + (holding.ownerName.empty() ? std::string("another user") : holding.ownerName) +
                                 "; only pool customers can be claimed",
                             *holding.ownerId);
    taken.value = holding.ownerName;
    return taken;
  }
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(int64_t protectedUntil, ClaimProtectionEnd(db, now));
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_TRY(SetOwner(db, customerId, acting.id, acting.teamId, actor, now, true, protectedUntil));
  CRM_TRY(EnsureClassFollowup(db, customerId, actor));
  return txn.Commit();
}

Status ReleaseToPool(Db& db, int64_t customerId, const Actor& actor) {
  CRM_TRY(AuthorizeCustomerChange(db, actor, customerId));
  CRM_ASSIGN_OR_RETURN(Holding holding, HoldingOf(db, customerId));
  if (!holding.ownerId) return FieldError(ErrorCode::Invalid, "", Problem::AlreadyInPool, "customer: already in the pool");
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_TRY(SetOwner(db, customerId, std::nullopt, std::nullopt, actor, NowMs(), false, 0));
  return txn.Commit();
}

Result<int> ReturnStaleToPool(Db& db, int64_t nowMs, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  // A sweep changes many reps' customers at once: leaders and admins (or the relay) run it.
  CRM_TRY(CheckCanChangeSettings(acting));
  if (nowMs <= 0) return MakeError(ErrorCode::Invalid, "now: must be a positive time");
  CRM_ASSIGN_OR_RETURN(int64_t days, GetSettingInt(db, kSettingPoolDays));
  if (days == 0) return 0;  // the organisation switched the rule off
  int64_t cutoff = nowMs - days * kDayMs;
  CRM_ASSIGN_OR_RETURN(Stmt stale, db.Prepare(
      "SELECT id FROM customers WHERE owner_id IS NOT NULL AND deleted_at IS NULL "
      "AND (protected_until IS NULL OR protected_until <= ?) "
      "AND coalesce(last_activity_at, claimed_at, created_at) < ?"));
  stale.BindAll(nowMs, cutoff);
  std::vector<int64_t> ids;
  while (stale.Step().ValueOr(false)) ids.push_back(stale.Int64(0));
  stale.Reset();
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  for (int64_t id : ids) CRM_TRY(SetOwner(db, id, std::nullopt, std::nullopt, actor, nowMs, false, 0));
  CRM_TRY(txn.Commit());
  return static_cast<int>(ids.size());
}

}  // namespace crm
