#include "core/followups.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/ids.h"
#include "core/org.h"
#include "core/records.h"
#include "core/validate.h"

namespace crm {

namespace {

constexpr int64_t kDayMs = 86400000;
constexpr const char* kSettingUtcOffset = "org.utc_offset_minutes";
// Timestamps before 2000-01-01 are typos (a year 0026, seconds instead of ms), not history.
constexpr int64_t kEarliestMs = 946684800000;
// Devices' clocks drift; an activity a little in the future is a skewed clock, a day is a mistake.
constexpr int64_t kFutureSlackMs = kDayMs;
// Planned follow-ups may be years ahead (a D customer, an anniversary), not centuries.
constexpr int64_t kLatestDueMs = 4102444800000;  // 2100-01-01

Result<int64_t> OffsetMs(Db& db) {
  CRM_ASSIGN_OR_RETURN(int64_t minutes, GetSettingInt(db, kSettingUtcOffset));
  return minutes * 60000;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

struct FollowupRow {
  int64_t id = 0;
  int64_t customerId = 0;
  FollowupReason reason = FollowupReason::ClassRule;
  FollowupStatus status = FollowupStatus::Open;
};

Result<FollowupRow> LoadFollowup(Db& db, int64_t followupId) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "SELECT id, customer_id, reason, status FROM followups WHERE id = ? AND deleted_at IS NULL"));
  stmt.Bind(1, followupId);
  CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return FieldError(ErrorCode::NotFound, "", Problem::NotFound, "follow-up: no follow-up with id " + std::to_string(followupId));
  FollowupRow row;
  row.id = stmt.Int64(0);
  row.customerId = stmt.Int64(1);
  CRM_ASSIGN_OR_RETURN(row.reason, ParseFollowupReason(stmt.Text(2)));
  CRM_ASSIGN_OR_RETURN(row.status, ParseFollowupStatus(stmt.Text(3)));
  return row;
}

Status RequireOpen(const FollowupRow& row) {
  if (row.status == FollowupStatus::Open) return Ok();
  return FieldError(ErrorCode::Conflict, "", Problem::AlreadyClosed,
                    std::string("follow-up: already ") + (row.status == FollowupStatus::Done ? "done" : "cancelled"));
}

// Marks a follow-up done; the caller has checked permission and that it is open.
Status MarkDone(Db& db, int64_t followupId, const std::string& result, std::optional<int64_t> activityId, int64_t doneAt,
                const Actor& actor) {
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, now, "followups",
      "status = 'done', done_at = ?1, result = ?2, activity_id = ?3", "id = ?4 AND status = 'open'"));
  stmt.Bind(1, doneAt).Bind(2, result).Bind(3, activityId).Bind(4, followupId);
  CRM_TRY(stmt.Run());
  if (activityId) {
    CRM_ASSIGN_OR_RETURN(Stmt link, PrepareSignedUpdate(db, actor, now, "activities", "followup_id = ?1", "id = ?2"));
    link.BindAll(followupId, *activityId);
    CRM_TRY(link.Run());
  }
  return Ok();
}

Error DueOutOfRange() { return FieldError(ErrorCode::Invalid, "due_at", Problem::OutOfRange, "due at: out of range"); }

Result<std::string> Clean(std::string_view text, const char* field, bool required) {
  return CleanText(text, field, kMaxTextLength, required);
}

// Follow-up rows as the lists read them, with the customer's name and grade.
constexpr const char* kFollowupColumns =
    "SELECT f.id, f.customer_id, c.name, f.owner_id, f.due_at, f.reason, f.status, f.done_at, coalesce(f.result, ''), "
    "coalesce(f.note, ''), c.grade FROM followups f JOIN customers c ON c.id = f.customer_id ";

Result<std::vector<Followup>> ReadFollowups(Stmt& stmt) {
  std::vector<Followup> list;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    Followup f;
    f.id = stmt.Int64(0);
    f.customerId = stmt.Int64(1);
    f.customerName = stmt.String(2);
    if (!stmt.IsNull(3)) f.ownerId = stmt.Int64(3);
    f.dueAt = stmt.Int64(4);
    f.reason = ParseFollowupReason(stmt.Text(5)).ValueOr(FollowupReason::Manual);
    f.status = ParseFollowupStatus(stmt.Text(6)).ValueOr(FollowupStatus::Open);
    if (!stmt.IsNull(7)) f.doneAt = stmt.Int64(7);
    f.result = stmt.String(8);
    f.note = stmt.String(9);
    f.grade = ParseGrade(stmt.Text(10)).ValueOr(Grade::C);
    list.push_back(std::move(f));
  }
  return list;
}

}  // namespace

Result<int64_t> LocalDayStart(Db& db, int64_t ms) {
  CRM_ASSIGN_OR_RETURN(int64_t offset, OffsetMs(db));
  return FloorDiv(ms + offset, kDayMs) * kDayMs - offset;
}

Result<int> IntervalDays(Db& db, Grade grade) {
  static const char* const kKeys[] = {kSettingIntervalA, kSettingIntervalB, kSettingIntervalC, kSettingIntervalD};
  auto index = static_cast<size_t>(grade);
  if (index > 3) return FieldError(ErrorCode::Invalid, "grade", Problem::UnknownCode, "class: unknown grade");
  CRM_ASSIGN_OR_RETURN(int64_t days, GetSettingInt(db, kKeys[index]));
  // 0 would plan a follow-up that is always due; one day is the tightest useful rhythm.
  return static_cast<int>(std::max<int64_t>(days, 1));
}

Status EnsureClassFollowup(Db& db, int64_t customerId, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(Stmt customer, db.Prepare(
      "SELECT grade, max(coalesce(last_activity_at, created_at), coalesce((SELECT max(done_at) FROM followups f "
      "  WHERE f.customer_id = c.id AND f.deleted_at IS NULL AND (f.status = 'done' OR "
      "  (f.status = 'cancelled' AND f.reason = 'class_rule'))), 0)), owner_id, deleted_at "
      "FROM customers c WHERE id = ?"));
  customer.Bind(1, customerId);
  CRM_ASSIGN_OR_RETURN(bool found, customer.Step());
  if (!found) return FieldError(ErrorCode::NotFound, "", Problem::NotFound, "customer: no customer with id " + std::to_string(customerId));
  // A customer in the trash needs no plan; its open follow-ups are hidden from the lists.
  if (!customer.IsNull(3)) return Ok();
  CRM_ASSIGN_OR_RETURN(Grade grade, ParseGrade(customer.Text(0)));
  int64_t base = customer.Int64(1);
  std::optional<int64_t> owner;
  if (!customer.IsNull(2)) owner = customer.Int64(2);
  customer.Reset();
  CRM_ASSIGN_OR_RETURN(int days, IntervalDays(db, grade));
  int64_t due = base + int64_t{days} * kDayMs;
  int64_t now = NowMs();

  // Earliest first: after a sync merge two devices may each have planned one; keep one.
  CRM_ASSIGN_OR_RETURN(Stmt open, db.Prepare(
      "SELECT id, due_at, owner_id FROM followups WHERE customer_id = ? AND status = 'open' AND reason = 'class_rule' "
      "AND deleted_at IS NULL ORDER BY due_at, id"));
  open.Bind(1, customerId);
  std::vector<int64_t> extra;
  std::optional<int64_t> keep;
  bool needsUpdate = false;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, open.Step());
    if (!row) break;
    if (keep) {
      extra.push_back(open.Int64(0));
      continue;
    }
    keep = open.Int64(0);
    std::optional<int64_t> rowOwner;
    if (!open.IsNull(2)) rowOwner = open.Int64(2);
    needsUpdate = open.Int64(1) != due || rowOwner != owner;
  }
  open.Reset();
  for (int64_t id : extra) {
    CRM_ASSIGN_OR_RETURN(Stmt cancel, PrepareSignedUpdate(db, actor, now, "followups",
        "status = 'cancelled', done_at = ?1, result = 'duplicate class follow-up'", "id = ?2"));
    cancel.BindAll(now, id);
    CRM_TRY(cancel.Run());
  }
  if (keep) {
    if (!needsUpdate) return Ok();
    CRM_ASSIGN_OR_RETURN(Stmt move, PrepareSignedUpdate(db, actor, now, "followups", "due_at = ?1, owner_id = ?2", "id = ?3"));
    move.Bind(1, due).Bind(2, owner).Bind(3, *keep);
    return move.Run();
  }
  CRM_ASSIGN_OR_RETURN(Stmt insert, db.Prepare(
      "INSERT INTO followups(id, customer_id, owner_id, due_at, reason, created_at, updated_at, created_by, updated_by, device_id) "
      "VALUES(?, ?, ?, ?, 'class_rule', ?, ?, ?, ?, ?)"));
  insert.Bind(1, NewId()).Bind(2, customerId).Bind(3, owner).Bind(4, due).Bind(5, now).Bind(6, now);
  insert.Bind(7, actor.userId).Bind(8, actor.userId).Bind(9, actor.deviceId);
  return insert.Run();
}

Result<int64_t> LogActivity(Db& db, const ActivityInput& input, const Actor& actor) {
  if (*Code(input.kind) == '\0') return FieldError(ErrorCode::Invalid, "kind", Problem::UnknownCode, "activity kind: unknown kind");
  CRM_ASSIGN_OR_RETURN(std::string summary, Clean(input.summary, "summary", true));
  CRM_ASSIGN_OR_RETURN(std::string opinion, Clean(input.opinion, "opinion", false));
  CRM_ASSIGN_OR_RETURN(std::string outcome, Clean(input.outcome, "outcome", false));
  CRM_ASSIGN_OR_RETURN(std::string nextStep, OnField(Clean(input.nextStep, "next step", false), "next_step"));
  int64_t now = NowMs();
  int64_t occurredAt = input.occurredAt == 0 ? now : input.occurredAt;
  if (occurredAt < kEarliestMs) {
    return FieldError(ErrorCode::Invalid, "occurred_at", Problem::OutOfRange, "occurred at: before the year 2000");
  }
  if (occurredAt > now + kFutureSlackMs) {
    return FieldError(ErrorCode::Invalid, "occurred_at", Problem::OutOfRange, "occurred at: in the future");
  }
  CRM_TRY(AuthorizeCustomerChange(db, actor, input.customerId));
  if (input.contactId) {
    CRM_ASSIGN_OR_RETURN(Stmt contact, db.Prepare("SELECT customer_id FROM contacts WHERE id = ? AND deleted_at IS NULL"));
    contact.Bind(1, *input.contactId);
    CRM_ASSIGN_OR_RETURN(bool found, contact.Step());
    if (!found) return FieldError(ErrorCode::NotFound, "contact", Problem::NotFound, "contact: no contact with id " + std::to_string(*input.contactId));
    if (contact.Int64(0) != input.customerId) {
      return FieldError(ErrorCode::Invalid, "contact", Problem::NotApplicable, "contact: belongs to another customer");
    }
  }

  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  int64_t id = NewId();
  CRM_ASSIGN_OR_RETURN(Stmt insert, db.Prepare(
      "INSERT INTO activities(id, customer_id, contact_id, kind, occurred_at, user_id, summary, opinion, outcome, next_step, "
      "created_at, updated_at, created_by, updated_by, device_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.BindNext(id).BindNext(input.customerId).BindNext(input.contactId).BindNext(Code(input.kind)).BindNext(occurredAt);
  insert.BindNext(actor.userId).BindNext(summary).BindNext(opinion).BindNext(outcome).BindNext(nextStep);
  insert.BindNext(now).BindNext(now).BindNext(actor.userId).BindNext(actor.userId).BindNext(actor.deviceId);
  CRM_TRY(insert.Run());
  // A late entry for an old visit must not move the last contact backwards.
  CRM_ASSIGN_OR_RETURN(Stmt bump, PrepareSignedUpdate(db, actor, now, "customers", "last_activity_at = ?1",
      "id = ?2 AND (last_activity_at IS NULL OR last_activity_at < ?1)"));
  bump.BindAll(occurredAt, input.customerId);
  CRM_TRY(bump.Run());

  // The visit answers the earliest open follow-up due by the end of its (local) day.
  CRM_ASSIGN_OR_RETURN(int64_t dayStart, LocalDayStart(db, occurredAt));
  CRM_ASSIGN_OR_RETURN(Stmt due, db.Prepare(
      "SELECT id FROM followups WHERE customer_id = ? AND status = 'open' AND deleted_at IS NULL AND due_at < ? "
      "ORDER BY due_at, id LIMIT 1"));
  due.BindAll(input.customerId, dayStart + kDayMs);
  CRM_ASSIGN_OR_RETURN(bool answers, due.Step());
  if (answers) {
    int64_t followupId = due.Int64(0);
    due.Reset();
    CRM_TRY(MarkDone(db, followupId, outcome.empty() ? summary : outcome, id, occurredAt, actor));
  }
  due.Reset();
  CRM_TRY(EnsureClassFollowup(db, input.customerId, actor));
  CRM_TRY(txn.Commit());
  return id;
}

Result<std::vector<Activity>> ActivitiesOf(Db& db, int64_t customerId, int limit) {
  if (limit <= 0 || limit > 10000) return MakeError(ErrorCode::Invalid, "limit: between 1 and 10000");
  CRM_TRY(HoldingOf(db, customerId, true));
  // The sequence counts every activity, so a page of the newest still says 第N次.
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "SELECT id, contact_id, kind, occurred_at, summary, coalesce(opinion, ''), coalesce(outcome, ''), "
      "coalesce(next_step, ''), user_id, followup_id, seq FROM (SELECT *, row_number() OVER (ORDER BY occurred_at, id) AS seq "
      "FROM activities WHERE customer_id = ? AND deleted_at IS NULL) ORDER BY seq DESC LIMIT ?"));
  stmt.BindAll(customerId, limit);
  std::vector<Activity> activities;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    Activity a;
    a.id = stmt.Int64(0);
    a.fields.customerId = customerId;
    if (!stmt.IsNull(1)) a.fields.contactId = stmt.Int64(1);
    a.fields.kind = ParseActivityKind(stmt.Text(2)).ValueOr(ActivityKind::Other);
    a.fields.occurredAt = stmt.Int64(3);
    a.fields.summary = stmt.String(4);
    a.fields.opinion = stmt.String(5);
    a.fields.outcome = stmt.String(6);
    a.fields.nextStep = stmt.String(7);
    a.userId = stmt.Int64(8);
    if (!stmt.IsNull(9)) a.followupId = stmt.Int64(9);
    a.sequence = static_cast<int>(stmt.Int64(10));
    activities.push_back(std::move(a));
  }
  return activities;
}

Result<int64_t> ScheduleFollowup(Db& db, int64_t customerId, int64_t dueAt, FollowupReason reason, std::string_view rawNote,
                                 const Actor& actor) {
  if (*Code(reason) == '\0') return FieldError(ErrorCode::Invalid, "reason", Problem::UnknownCode, "follow-up reason: unknown reason");
  if (reason == FollowupReason::ClassRule) {
    return FieldError(ErrorCode::Invalid, "reason", Problem::NotApplicable,
                      "follow-up reason: class_rule follow-ups are planned by the grade rule");
  }
  if (dueAt < kEarliestMs || dueAt >= kLatestDueMs) return DueOutOfRange();
  CRM_ASSIGN_OR_RETURN(std::string note, Clean(rawNote, "note", false));
  CRM_ASSIGN_OR_RETURN(User acting, AuthorizeCustomerChange(db, actor, customerId));
  CRM_ASSIGN_OR_RETURN(Holding holding, HoldingOf(db, customerId));
  // Planned for the customer's owner: the rule the relay holds every pushed follow-up to.
  CRM_TRY(CheckCanAssign(acting, holding, holding.ownerId, std::nullopt));
  int64_t id = NewId();
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt insert, db.Prepare(
      "INSERT INTO followups(id, customer_id, owner_id, due_at, reason, note, created_at, updated_at, created_by, updated_by, "
      "device_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.BindNext(id).BindNext(customerId).BindNext(holding.ownerId).BindNext(dueAt).BindNext(Code(reason));
  insert.BindNext(note.empty() ? std::optional<std::string>() : note);
  insert.BindNext(now).BindNext(now).BindNext(actor.userId).BindNext(actor.userId).BindNext(actor.deviceId);
  CRM_TRY(insert.Run());
  return id;
}

namespace {

// "YYYY-MM-DD" or "--MM-DD" → month and day; false for anything else (the column is validated on entry,
// but synced or imported rows may hold older formats).
bool MonthDay(std::string_view text, unsigned& month, unsigned& day) {
  if (text.size() < 5) return false;
  std::string_view md = text.substr(text.size() - 5);
  if (md[2] != '-') return false;
  for (size_t i : {0, 1, 3, 4}) {
    if (md[i] < '0' || md[i] > '9') return false;
  }
  month = static_cast<unsigned>((md[0] - '0') * 10 + (md[1] - '0'));
  day = static_cast<unsigned>((md[3] - '0') * 10 + (md[4] - '0'));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

}  // namespace

Result<int> PlanDateFollowups(Db& db, int64_t fromMs, int days, const Actor& actor) {
  if (days < 1 || days > 366) return FieldError(ErrorCode::Invalid, "days", Problem::OutOfRange, "days: between 1 and 366", 1, 366);
  if (fromMs < kEarliestMs || fromMs >= kLatestDueMs) return FieldError(ErrorCode::Invalid, "from", Problem::OutOfRange, "from: out of range");
  CRM_TRY(ActingUser(db, actor));
  CRM_ASSIGN_OR_RETURN(int64_t offset, OffsetMs(db));
  // Local day numbers (days since 1970-01-01 in the organisation's time zone).
  int64_t firstDay = FloorDiv(fromMs + offset, kDayMs);
  int64_t lastDay = firstDay + days - 1;
  int firstYear = 0;
  int lastYear = 0;
  unsigned m = 0;
  unsigned d = 0;
  CivilFromDays(firstDay, firstYear, m, d);
  CivilFromDays(lastDay, lastYear, m, d);

  struct Plan {
    int64_t customerId;
    std::optional<int64_t> ownerId;
    FollowupReason reason;
    int64_t dayNumber;
    int year;
  };
  std::vector<Plan> plans;
  CRM_ASSIGN_OR_RETURN(Stmt scan, db.Prepare(
      "SELECT id, owner_id, birthday, anniversary FROM customers WHERE deleted_at IS NULL AND "
      "(birthday IS NOT NULL OR anniversary IS NOT NULL)"));
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, scan.Step());
    if (!row) break;
    std::optional<int64_t> owner;
    if (!scan.IsNull(1)) owner = scan.Int64(1);
    for (int column : {2, 3}) {
      if (scan.IsNull(column)) continue;
      unsigned month = 0;
      unsigned day = 0;
      if (!MonthDay(scan.Text(column), month, day)) continue;
      for (int year = firstYear; year <= lastYear; year++) {
        unsigned actualDay = (month == 2 && day == 29 && !IsLeapYear(year)) ? 28 : day;
        int64_t dayNumber = DaysFromCivil(year, month, actualDay);
        if (dayNumber < firstDay || dayNumber > lastDay) continue;
        plans.push_back({scan.Int64(0), owner, column == 2 ? FollowupReason::Birthday : FollowupReason::Anniversary,
                         dayNumber, year});
      }
    }
  }
  scan.Reset();

  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  int planned = 0;
  int64_t now = NowMs();
  for (const Plan& plan : plans) {
    // Once per customer, reason and local year, whatever became of it (done, cancelled).
    int64_t yearStart = DaysFromCivil(plan.year, 1, 1) * kDayMs - offset;
    int64_t yearEnd = DaysFromCivil(plan.year + 1, 1, 1) * kDayMs - offset;
    CRM_ASSIGN_OR_RETURN(Stmt exists, db.Prepare(
        "SELECT 1 FROM followups WHERE customer_id = ? AND reason = ? AND due_at >= ? AND due_at < ? AND deleted_at IS NULL"));
    exists.Bind(1, plan.customerId).Bind(2, Code(plan.reason)).Bind(3, yearStart).Bind(4, yearEnd);
    CRM_ASSIGN_OR_RETURN(bool already, exists.Step());
    exists.Reset();
    if (already) continue;
    // 09:00 local: a greeting belongs in the morning of the day.
    int64_t due = plan.dayNumber * kDayMs - offset + 9 * 3600000;
    CRM_ASSIGN_OR_RETURN(Stmt insert, db.Prepare(
        "INSERT INTO followups(id, customer_id, owner_id, due_at, reason, created_at, updated_at, created_by, updated_by, "
        "device_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    insert.BindNext(NewId()).BindNext(plan.customerId).BindNext(plan.ownerId).BindNext(due).BindNext(Code(plan.reason));
    insert.BindNext(now).BindNext(now).BindNext(actor.userId).BindNext(actor.userId).BindNext(actor.deviceId);
    CRM_TRY(insert.Run());
    planned++;
  }
  CRM_TRY(txn.Commit());
  return planned;
}

Status CompleteFollowup(Db& db, int64_t followupId, std::string_view rawResult, std::optional<int64_t> activityId,
                        const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(FollowupRow row, LoadFollowup(db, followupId));
  CRM_TRY(RequireOpen(row));
  CRM_TRY(AuthorizeCustomerChange(db, actor, row.customerId));
  CRM_ASSIGN_OR_RETURN(std::string result, Clean(rawResult, "result", !activityId.has_value()));
  int64_t doneAt = NowMs();
  if (activityId) {
    CRM_ASSIGN_OR_RETURN(Stmt activity, db.Prepare(
        "SELECT customer_id, occurred_at, summary FROM activities WHERE id = ? AND deleted_at IS NULL"));
    activity.Bind(1, *activityId);
    CRM_ASSIGN_OR_RETURN(bool found, activity.Step());
    if (!found) {
      return FieldError(ErrorCode::NotFound, "activity", Problem::NotFound, "activity: no activity with id " + std::to_string(*activityId));
    }
    if (activity.Int64(0) != row.customerId) {
      return FieldError(ErrorCode::Invalid, "activity", Problem::NotApplicable, "activity: belongs to another customer");
    }
    if (result.empty()) result = activity.String(2);
  }
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_TRY(MarkDone(db, followupId, result, activityId, doneAt, actor));
  CRM_TRY(EnsureClassFollowup(db, row.customerId, actor));
  return txn.Commit();
}

Status CancelMergedClassFollowup(Db& db, int64_t keptId, int64_t mergedId, const Actor& actor, int64_t nowMs) {
  CRM_ASSIGN_OR_RETURN(Stmt cancel, PrepareSignedUpdate(db, actor, nowMs, "followups", "status = 'cancelled', note = 'merged'",
      "customer_id = ?2 AND status = 'open' AND deleted_at IS NULL AND reason = ?3 AND EXISTS (SELECT 1 FROM followups k "
      "WHERE k.customer_id = ?1 AND k.status = 'open' AND k.deleted_at IS NULL AND k.reason = ?3)"));
  cancel.BindAll(keptId, mergedId, Code(FollowupReason::ClassRule));
  return cancel.Run();
}

Status CancelFollowup(Db& db, int64_t followupId, std::string_view rawWhy, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(std::string why, Clean(rawWhy, "reason", true));
  CRM_ASSIGN_OR_RETURN(FollowupRow row, LoadFollowup(db, followupId));
  CRM_TRY(RequireOpen(row));
  CRM_TRY(AuthorizeCustomerChange(db, actor, row.customerId));
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, now, "followups", "status = 'cancelled', done_at = ?1, result = ?2",
                                                      "id = ?3"));
  stmt.BindAll(now, why, followupId);
  CRM_TRY(stmt.Run());
  if (row.reason == FollowupReason::ClassRule) CRM_TRY(EnsureClassFollowup(db, row.customerId, actor));
  return txn.Commit();
}

Result<std::vector<Followup>> DueFollowups(Db& db, const DueQuery& query) {
  if (query.limit <= 0 || query.limit > 10000) return MakeError(ErrorCode::Invalid, "limit: between 1 and 10000");
  if (query.ownerId && query.teamId) return MakeError(ErrorCode::Invalid, "owner: give a rep or a team, not both");
  int64_t now = query.nowMs ? query.nowMs : NowMs();
  CRM_ASSIGN_OR_RETURN(int64_t today, LocalDayStart(db, now));
  int64_t from = 0;
  int64_t to = INT64_MAX;
  switch (query.window) {
    case DueWindow::Overdue: to = today; break;
    case DueWindow::Today: from = today; to = today + kDayMs; break;
    case DueWindow::ThisWeek: from = today + kDayMs; to = today + 7 * kDayMs; break;
    case DueWindow::Upcoming: from = today + 7 * kDayMs; break;
  }
  // Parameters: ?1 the rep or team, ?2..?3 the due range, ?4 the limit, ?5… a team's members.
  static const std::string kSelect = std::string(kFollowupColumns) + "WHERE ";
  static const std::string kOpenInRangeRows =
      "f.status = 'open' AND f.due_at >= ?2 AND f.due_at < ?3 AND f.deleted_at IS NULL AND c.deleted_at IS NULL ";
  static const std::string kOpenInRange = kOpenInRangeRows + "ORDER BY f.due_at, f.id LIMIT ?4";
  std::string sql;
  std::vector<int64_t> members;
  if (query.ownerId) {
    // One range of followups_owner_due (owner_id, status, due_at), already in due order.
    sql = kSelect + "f.owner_id = ?1 AND " + kOpenInRange;
  } else if (query.teamId) {
    CRM_ASSIGN_OR_RETURN(Stmt team, db.Prepare("SELECT id FROM users WHERE team_id = ? AND deleted_at IS NULL"));
    team.Bind(1, *query.teamId);
    for (;;) {
      CRM_ASSIGN_OR_RETURN(bool row, team.Step());
      if (!row) break;
      members.push_back(team.Int64(0));
    }
    team.Reset();
    if (members.empty()) {
      CRM_ASSIGN_OR_RETURN(Stmt exists, db.Prepare("SELECT 1 FROM teams WHERE id = ? AND deleted_at IS NULL"));
      exists.Bind(1, *query.teamId);
      CRM_ASSIGN_OR_RETURN(bool found, exists.Step());
      if (!found) return MakeError(ErrorCode::NotFound, "team: no team with id " + std::to_string(*query.teamId));
      return std::vector<Followup>();
    }
    CRM_ASSIGN_OR_RETURN(int64_t users, db.QueryInt("SELECT count(*) FROM users WHERE deleted_at IS NULL"));
    auto size = static_cast<int64_t>(members.size());
    if (size * size < users) {
      // A small team in a large organisation: walking the whole organisation's due order (followups_due) would
      // read ~limit × users / members rows. Instead each member's range of followups_owner_due, already in
      // (due_at, id) order, feeds SQLite's merge of an ordered UNION ALL, which stops after `limit` rows in all.
      for (size_t i = 0; i < members.size(); i++) {
        if (i) sql += " UNION ALL ";
        sql += kSelect + "f.owner_id = ?" + std::to_string(5 + i) + " AND " + kOpenInRangeRows;
      }
      sql += "ORDER BY 5, 1 LIMIT ?4";
    } else {
      // A large share of the organisation: walk followups_due in due order and keep the team's rows.
      sql = kSelect + "f.owner_id IN (SELECT id FROM users WHERE team_id = ?1 AND deleted_at IS NULL) AND " + kOpenInRange;
      members.clear();
    }
  } else {
    sql = kSelect + kOpenInRange;  // everyone's: followups_due in due order
  }
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(sql));
  if (query.ownerId) stmt.Bind(1, *query.ownerId);
  else if (query.teamId) stmt.Bind(1, *query.teamId);
  else stmt.Bind(1, Null{});
  stmt.Bind(2, from).Bind(3, to).Bind(4, query.limit);
  for (size_t i = 0; i < members.size(); i++) stmt.Bind(static_cast<int>(5 + i), members[i]);
  return ReadFollowups(stmt);
}

int64_t LocalDayStartAt(int64_t ms, int64_t offsetMinutes) {
  int64_t offset = offsetMinutes * 60000;
  return FloorDiv(ms + offset, kDayMs) * kDayMs - offset;
}

Result<int64_t> UtcOffsetMinutes(Db& db) { return GetSettingInt(db, kSettingUtcOffset); }

std::string LocalDateText(int64_t ms, int64_t offsetMinutes) {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  CivilFromDays(FloorDiv(ms + offsetMinutes * 60000, kDayMs), year, month, day);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", year, month, day);
  return buffer;
}

std::string LocalDateTimeText(int64_t ms, int64_t offsetMinutes) {
  int64_t local = ms + offsetMinutes * 60000;
  int64_t minutes = (local - FloorDiv(local, kDayMs) * kDayMs) / 60000;
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, " %02d:%02d", static_cast<int>(minutes / 60), static_cast<int>(minutes % 60));
  return LocalDateText(ms, offsetMinutes) + buffer;
}

Result<int64_t> LocalDateToMs(Db& db, std::string_view date, int minuteOfDay, std::string_view field) {
  if (minuteOfDay < 0 || minuteOfDay >= 24 * 60) return MakeError(ErrorCode::Invalid, "minute of day: between 0 and 1439");
  CRM_ASSIGN_OR_RETURN(std::string normalized, NormalizeDate(date, field));
  if (normalized.compare(0, 2, "--") == 0) {
    return FieldError(ErrorCode::Invalid, std::string(field), Problem::BadDate, std::string(field) + ": needs a year");
  }
  int year = std::atoi(normalized.substr(0, 4).c_str());
  auto month = static_cast<unsigned>(std::atoi(normalized.substr(5, 2).c_str()));
  auto day = static_cast<unsigned>(std::atoi(normalized.substr(8, 2).c_str()));
  CRM_ASSIGN_OR_RETURN(int64_t offset, OffsetMs(db));
  return DaysFromCivil(year, month, day) * kDayMs - offset + int64_t{minuteOfDay} * 60000;
}

Result<std::vector<Followup>> FollowupsOf(Db& db, int64_t customerId, int limit) {
  if (limit <= 0 || limit > 10000) return MakeError(ErrorCode::Invalid, "limit: between 1 and 10000");
  CRM_TRY(HoldingOf(db, customerId, true));
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(std::string(kFollowupColumns) +
      "WHERE f.customer_id = ?1 AND f.deleted_at IS NULL ORDER BY f.status != 'open', "
      "CASE WHEN f.status = 'open' THEN f.due_at ELSE -coalesce(f.done_at, f.due_at) END, f.id LIMIT ?2"));
  stmt.BindAll(customerId, limit);
  return ReadFollowups(stmt);
}

Result<int64_t> RescheduleFollowup(Db& db, int64_t followupId, int64_t dueAt, const Actor& actor) {
  if (dueAt < kEarliestMs || dueAt >= kLatestDueMs) return DueOutOfRange();
  CRM_ASSIGN_OR_RETURN(FollowupRow row, LoadFollowup(db, followupId));
  CRM_TRY(RequireOpen(row));
  CRM_TRY(AuthorizeCustomerChange(db, actor, row.customerId));
  int64_t now = NowMs();
  if (row.reason != FollowupReason::ClassRule) {
    CRM_ASSIGN_OR_RETURN(Stmt move, PrepareSignedUpdate(db, actor, now, "followups", "due_at = ?1", "id = ?2 AND due_at != ?1"));
    move.BindAll(dueAt, followupId);
    CRM_TRY(move.Run());
    return followupId;
  }
  CRM_ASSIGN_OR_RETURN(int64_t offsetMinutes, UtcOffsetMinutes(db));
  std::string why = "rescheduled to " + LocalDateText(dueAt, offsetMinutes);
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_TRY(CancelFollowup(db, followupId, why, actor));
  CRM_ASSIGN_OR_RETURN(int64_t planned, ScheduleFollowup(db, row.customerId, dueAt, FollowupReason::Manual, why, actor));
  CRM_TRY(txn.Commit());
  return planned;
}

}  // namespace crm
