#pragma once
// Activities (拜访记录) and the follow-up plan (回访计划): interval rules per
// grade, event follow-ups, due/overdue/upcoming lists per rep and team, and
// completing a follow-up, which records the result and plans the next one.
//
// Time: all timestamps are ms since the Unix epoch. "Today" and "this week" are days in the
// organisation's local time, UTC + the setting "org.utc_offset_minutes" (default 480, China);
// a fixed offset, because Chinese time has no daylight saving and a wasm build has no tz data.
//
// The grade rule: every live customer (owned or in the pool) has exactly one open class_rule
// follow-up, due at base + IntervalDays(grade), where base is the latest of the last activity,
// the creation, the last completed follow-up and the last skipped (cancelled) class follow-up.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/customers.h"
#include "core/db.h"
#include "core/enums.h"

namespace crm {

struct ActivityInput {
  int64_t customerId = 0;
  std::optional<int64_t> contactId;
  ActivityKind kind = ActivityKind::Visit;
  int64_t occurredAt = 0;  // 0: now
  std::string summary;     // 拜访小结
  std::string opinion;     // 客户意见
  std::string outcome;
  std::string nextStep;
};

struct Activity {
  int64_t id = 0;
  ActivityInput fields;
  int64_t userId = 0;
  std::optional<int64_t> followupId;
  int sequence = 0;  // 1 for the first follow-up of this customer, 2 for the second… (第N次跟进)
};

struct Followup {
  int64_t id = 0;
  int64_t customerId = 0;
  std::string customerName;
  std::optional<int64_t> ownerId;
  int64_t dueAt = 0;
  FollowupReason reason = FollowupReason::ClassRule;
  FollowupStatus status = FollowupStatus::Open;
  std::optional<int64_t> doneAt;
  std::string result;
  std::string note;
  Grade grade = Grade::C;
};

// Logs an activity (the actor is its user; summary required, texts valid UTF-8 ≤ kMaxTextLength, contact of
// this customer, occurredAt after 2000 and at most a day ahead, 0: now). It moves the customer's last-activity
// time forward (never back), completes the earliest open follow-up due by the end of the activity's local day
// with the outcome (or the summary) as result, and re-plans the class follow-up from this contact.
Result<int64_t> LogActivity(Db& db, const ActivityInput& input, const Actor& actor);
// Newest first; `sequence` counts all of the customer's activities, oldest = 1.
Result<std::vector<Activity>> ActivitiesOf(Db& db, int64_t customerId, int limit = 200);

// The grade rule's interval in days (organisation settings, defaults A 7, B 14, C 30, D 90).
Result<int> IntervalDays(Db& db, Grade grade);
// Makes sure the customer has an open grade-rule follow-up (called on create, grade change, claim).
Status EnsureClassFollowup(Db& db, int64_t customerId, const Actor& actor);
// Plans a follow-up by hand or for an event (first use, complaint, in use…); not class_rule,
// which only the grade rule plans. Owned by the customer's owner.
Result<int64_t> ScheduleFollowup(Db& db, int64_t customerId, int64_t dueAt, FollowupReason reason, std::string_view note,
                                 const Actor& actor);
// Plans birthday and anniversary follow-ups on the local days from fromMs's day for `days` days
// (1..366), due 09:00 local; Feb 29 falls on Feb 28 in other years. Idempotent: never twice for one
// customer, reason and year, whatever became of the first. A sweep: any active user may run it.
// Returns how many were planned.
Result<int> PlanDateFollowups(Db& db, int64_t fromMs, int days, const Actor& actor);
// Records the result (required unless an activity of the same customer is linked), links the
// activity and plans the next grade-rule follow-up. Conflict when it is no longer open.
Status CompleteFollowup(Db& db, int64_t followupId, std::string_view result, std::optional<int64_t> activityId,
                        const Actor& actor);
// Cancels an open follow-up with a reason (required). Cancelling the class follow-up skips a round:
// the next one is planned one interval later.
Status CancelFollowup(Db& db, int64_t followupId, std::string_view why, const Actor& actor);
// Merging: one class follow-up per customer, so the merged customer's open one is cancelled when the kept
// customer has its own (the followups record's beforeMerge, core/records.cpp).
Status CancelMergedClassFollowup(Db& db, int64_t keptId, int64_t mergedId, const Actor& actor, int64_t nowMs);

// Local-time day boundaries: the start (ms) of the local day holding `ms`.
Result<int64_t> LocalDayStart(Db& db, int64_t ms);
// The same, pure: for screens that hold the offset (UtcOffsetMinutes) and draw every frame.
int64_t LocalDayStartAt(int64_t ms, int64_t offsetMinutes);
// The organisation's offset from UTC in minutes (the setting "org.utc_offset_minutes").
Result<int64_t> UtcOffsetMinutes(Db& db);
// "2026-03-02" and "2026-03-02 10:05" for a timestamp, in local time at `offsetMinutes`. Pure, so a list
// drawn every frame formats its dates without a query.
std::string LocalDateText(int64_t ms, int64_t offsetMinutes);
std::string LocalDateTimeText(int64_t ms, int64_t offsetMinutes);
// A local calendar date (the formats NormalizeDate accepts; a yearless date is refused) at `minuteOfDay`
// (0..1439) of that day, as ms. The error names `field`.
Result<int64_t> LocalDateToMs(Db& db, std::string_view date, int minuteOfDay = 9 * 60, std::string_view field = "date");

// A customer's follow-ups for its detail screen: the open ones by due date, then the done and
// cancelled ones, newest first, at most `limit` in all.
Result<std::vector<Followup>> FollowupsOf(Db& db, int64_t customerId, int limit = 200);
// Moves an open follow-up to another due time. An event or manual follow-up simply moves. The grade
// rule's own follow-up is never moved by hand (the rule would move it back at the next visit or grade
// change): it is skipped, as CancelFollowup does, with the reason "rescheduled to <date>", and a manual
// follow-up is planned at the new time in the same transaction. Returns the id of the follow-up now due
// at `dueAt`. Conflict when it is no longer open.
Result<int64_t> RescheduleFollowup(Db& db, int64_t followupId, int64_t dueAt, const Actor& actor);

// Disjoint windows, by local day: Overdue before today; Today; ThisWeek the next six days after
// today (a rolling week, as ListCustomers' DueThisWeek); Upcoming from the seventh day on.
enum class DueWindow { Overdue, Today, ThisWeek, Upcoming };
struct DueQuery {
  DueWindow window = DueWindow::Today;
  std::optional<int64_t> ownerId;  // one rep
  std::optional<int64_t> teamId;   // or a whole team (the owners' current team); neither: everyone
  int64_t nowMs = 0;               // 0: the clock
  int limit = 200;
};
Result<std::vector<Followup>> DueFollowups(Db& db, const DueQuery& query);

}  // namespace crm
