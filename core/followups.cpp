#include "core/followups.h"

#include "core/ids.h"
#include "core/org.h"

namespace crm {

Result<int> IntervalDays(Db& db, Grade grade) {
  static const char* const kKeys[] = {kSettingIntervalA, kSettingIntervalB, kSettingIntervalC, kSettingIntervalD};
  auto index = static_cast<size_t>(grade);
  if (index > 3) return MakeError(ErrorCode::Invalid, "class: unknown code");
  CRM_ASSIGN_OR_RETURN(int64_t days, GetSettingInt(db, kKeys[index]));
  return static_cast<int>(days);
}

Status EnsureClassFollowup(Db& db, int64_t customerId, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(Stmt customer, db.Prepare(
      "SELECT grade, coalesce(last_activity_at, created_at), owner_id FROM customers WHERE id = ? AND deleted_at IS NULL"));
  customer.Bind(1, customerId);
  CRM_ASSIGN_OR_RETURN(bool found, customer.Step());
  if (!found) return MakeError(ErrorCode::NotFound, "customer: no customer with id " + std::to_string(customerId));
  CRM_ASSIGN_OR_RETURN(Grade grade, ParseGrade(customer.Text(0)));
  int64_t since = customer.Int64(1);
  std::optional<int64_t> owner;
  if (!customer.IsNull(2)) owner = customer.Int64(2);
  customer.Reset();
  CRM_ASSIGN_OR_RETURN(Stmt open, db.Prepare(
      "SELECT 1 FROM followups WHERE customer_id = ? AND reason = 'class_rule' AND status = 'open' AND deleted_at IS NULL"));
  open.Bind(1, customerId);
  CRM_ASSIGN_OR_RETURN(bool planned, open.Step());
  if (planned) return Ok();
  CRM_ASSIGN_OR_RETURN(int days, IntervalDays(db, grade));
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt insert, db.Prepare(
      "INSERT INTO followups(id, customer_id, owner_id, due_at, reason, created_at, updated_at, created_by, updated_by, device_id) "
      "VALUES(?, ?, ?, ?, 'class_rule', ?, ?, ?, ?, ?)"));
  insert.Bind(1, NewId()).Bind(2, customerId);
  if (owner) insert.Bind(3, *owner); else insert.Bind(3, Null{});
  insert.Bind(4, since + int64_t{days} * 86400000).Bind(5, now).Bind(6, now).Bind(7, actor.userId).Bind(8, actor.userId).Bind(9, actor.deviceId);
  return insert.Run();
}

}  // namespace crm
