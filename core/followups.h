#pragma once
// Activities (拜访记录) and the follow-up plan (回访计划): interval rules per
// grade, event follow-ups, due/overdue/upcoming lists per rep and team, and
// completing a follow-up, which records the result and plans the next one.
#include <cstdint>
#include <optional>
#include <string>
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

// Logs an activity; it also moves the customer's last-activity time and, when it answers an open
// follow-up, completes it (see CompleteFollowup).
Result<int64_t> LogActivity(Db& db, const ActivityInput& input, const Actor& actor);
Result<std::vector<Activity>> ActivitiesOf(Db& db, int64_t customerId, int limit = 200);

// The grade rule's interval in days (organisation settings, defaults A 7, B 14, C 30, D 90).
Result<int> IntervalDays(Db& db, Grade grade);
// Makes sure the customer has an open grade-rule follow-up (called on create, grade change, claim).
Status EnsureClassFollowup(Db& db, int64_t customerId, const Actor& actor);
// Plans a follow-up by hand or for an event (first use, complaint, in use…).
Result<int64_t> ScheduleFollowup(Db& db, int64_t customerId, int64_t dueAt, FollowupReason reason, std::string_view note,
                                 const Actor& actor);
// Plans birthday and anniversary follow-ups falling within [fromMs, fromMs + days).
Result<int> PlanDateFollowups(Db& db, int64_t fromMs, int days, const Actor& actor);
// Records the result, links the activity (if any) and plans the next grade-rule follow-up.
Status CompleteFollowup(Db& db, int64_t followupId, std::string_view result, std::optional<int64_t> activityId,
                        const Actor& actor);
Status CancelFollowup(Db& db, int64_t followupId, std::string_view why, const Actor& actor);

enum class DueWindow { Overdue, Today, ThisWeek, Upcoming };
struct DueQuery {
  DueWindow window = DueWindow::Today;
  std::optional<int64_t> ownerId;  // one rep
  std::optional<int64_t> teamId;   // or a whole team
  int64_t nowMs = 0;               // 0: the clock
  int limit = 200;
};
Result<std::vector<Followup>> DueFollowups(Db& db, const DueQuery& query);

}  // namespace crm
