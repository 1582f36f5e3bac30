#include "core/handover.h"

#include "core/ids.h"
#include "core/ownership.h"
#include "core/records.h"
#include "core/validate.h"

namespace crm {

namespace {

constexpr size_t kNoteChars = 200;

struct StateEntry {
  HandOverState state;
  const char* code;
};
constexpr StateEntry kStates[] = {{HandOverState::Requested, "requested"},
                                  {HandOverState::Granted, "granted"},
                                  {HandOverState::Declined, "declined"}};

HandOverState ParseState(std::string_view code) {
  for (const StateEntry& entry : kStates) {
    if (code == entry.code) return entry.state;
  }
  return HandOverState::Requested;
}

// The open request and its customer's holding, with the actor allowed to decide it.
Result<int64_t> OpenRequestCustomer(Db& db, int64_t requestId, const Actor& actor, User& acting) {
  CRM_ASSIGN_OR_RETURN(acting, ActingUser(db, actor));
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT customer_id, state FROM handover_requests WHERE id = ? AND deleted_at IS NULL"));
  stmt.Bind(1, requestId);
  CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return FieldError(ErrorCode::NotFound, "", Problem::NotFound, "hand-over: no request with id " + std::to_string(requestId));
  int64_t customerId = stmt.Int64(0);
  if (stmt.Text(1) != Code(HandOverState::Requested)) {
    return FieldError(ErrorCode::Invalid, "", Problem::NotApplicable, "hand-over: the request was decided already");
  }
  stmt.Reset();
  CRM_ASSIGN_OR_RETURN(Holding holding, HoldingOf(db, customerId, /*allowDeleted=*/true));
  CRM_TRY(CheckCanDecideHandOver(acting, holding));
  return customerId;
}

Status Close(Db& db, int64_t requestId, HandOverState state, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(Stmt update, PrepareSignedUpdate(db, actor, NowMs(), "handover_requests", "state = ?1, decided_by = ?2", "id = ?3"));
  update.BindAll(Code(state), actor.userId, requestId);
  return update.Run();
}

}  // namespace

const char* Code(HandOverState state) {
  for (const StateEntry& entry : kStates) {
    if (entry.state == state) return entry.code;
  }
  return "requested";
}

bool IsHandOverStateCode(std::string_view code) {
  for (const StateEntry& entry : kStates) {
    if (code == entry.code) return true;
  }
  return false;
}

Status CheckCanDecideHandOver(const User& actor, const Holding& customer) {
  return CheckCanReassign(actor, customer, customer.teamId);
}

Result<int64_t> RequestHandOver(Db& db, int64_t customerId, std::string_view note, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  CRM_ASSIGN_OR_RETURN(std::string cleanNote, CleanText(note, "note", kNoteChars));
  // A customer held here and already the actor's is nothing to ask for.
  if (auto holding = HoldingOf(db, customerId, /*allowDeleted=*/true); holding && holding.Value().ownerId == acting.id) {
    return FieldError(ErrorCode::Conflict, "", Problem::AlreadyYours, "hand-over: the customer is yours already");
  }
  CRM_ASSIGN_OR_RETURN(Stmt open, db.Prepare("SELECT 1 FROM handover_requests WHERE customer_id = ?1 AND requested_by = ?2 "
                                             "AND state = 'requested' AND deleted_at IS NULL"));
  open.BindAll(customerId, acting.id);
  CRM_ASSIGN_OR_RETURN(bool pending, open.Step());
  open.Reset();
  if (pending) return FieldError(ErrorCode::Conflict, "", Problem::Duplicate, "hand-over: you asked for this customer already");
  int64_t id = NewId();
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt insert, db.Prepare(
      "INSERT INTO handover_requests(id, customer_id, requested_by, note, state, created_at, updated_at, created_by, updated_by, "
      "device_id) VALUES(?1, ?2, ?3, ?4, 'requested', ?5, ?5, ?3, ?3, ?6)"));
  insert.BindAll(id, customerId, acting.id, cleanNote, now, actor.deviceId);
  CRM_TRY(insert.Run());
  return id;
}

Result<std::vector<HandOverRequest>> HandOversToDecide(Db& db, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "SELECT h.id, h.customer_id, c.name, h.requested_by, coalesce(r.name, ''), c.owner_id, c.team_id, coalesce(o.name, ''), "
      "coalesce(h.note, ''), h.state, h.created_at FROM handover_requests h JOIN customers c ON c.id = h.customer_id "
      "LEFT JOIN users r ON r.id = h.requested_by LEFT JOIN users o ON o.id = c.owner_id "
      "WHERE h.state = 'requested' AND h.deleted_at IS NULL ORDER BY h.created_at, h.id"));
  std::vector<HandOverRequest> requests;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    Holding holding;
    if (!stmt.IsNull(5)) holding.ownerId = stmt.Int64(5);
    if (!stmt.IsNull(6)) holding.teamId = stmt.Int64(6);
    if (!CheckCanDecideHandOver(acting, holding)) continue;
    HandOverRequest request;
    request.id = stmt.Int64(0);
    request.customerId = stmt.Int64(1);
    request.customerName = stmt.String(2);
    request.requestedBy = stmt.Int64(3);
    request.requesterName = stmt.String(4);
    request.ownerId = holding.ownerId;
    request.ownerName = stmt.String(7);
    request.note = stmt.String(8);
    request.state = ParseState(stmt.Text(9));
    request.createdAt = stmt.Int64(10);
    requests.push_back(std::move(request));
  }
  return requests;
}

Status GrantHandOver(Db& db, int64_t requestId, const Actor& actor) {
  User acting;
  CRM_ASSIGN_OR_RETURN(int64_t customerId, OpenRequestCustomer(db, requestId, actor, acting));
  CRM_ASSIGN_OR_RETURN(Stmt requester, db.Prepare("SELECT requested_by FROM handover_requests WHERE id = ?"));
  requester.Bind(1, requestId);
  CRM_TRY(requester.Step());
  int64_t toUserId = requester.Int64(0);
  requester.Reset();
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_TRY(ReassignCustomer(db, customerId, toUserId, actor));
  CRM_TRY(Close(db, requestId, HandOverState::Granted, actor));
  return txn.Commit();
}

Status DeclineHandOver(Db& db, int64_t requestId, const Actor& actor) {
  User acting;
  CRM_TRY(OpenRequestCustomer(db, requestId, actor, acting));
  return Close(db, requestId, HandOverState::Declined, actor);
}

}  // namespace crm
