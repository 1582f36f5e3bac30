#pragma once
// Grading (A/B/C/D) and lifecycle. Grades change by hand with a reason, and
// every change is kept; a suggested grade is computed from recency, frequency
// and value (profit, not volume) for the user to accept or override. Lost
// customers record why, and form the win-back list.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/customers.h"
#include "core/db.h"
#include "core/enums.h"

namespace crm {

struct GradeChange {
  int64_t id = 0;
  int64_t customerId = 0;
  std::optional<Grade> oldGrade;
  Grade newGrade = Grade::C;
  std::optional<Grade> suggested;
  std::string reason;
  int64_t at = 0;
  int64_t byUserId = 0;
};

struct GradeSuggestion {
  Grade grade = Grade::C;
  double score = 0;             // 0..100
  int64_t daysSinceActivity = -1;  // -1: never
  int activities90d = 0;
  int orders365d = 0;
  int64_t revenue365dCents = 0;
  int64_t margin365dCents = 0;
  int64_t costedRevenue365dCents = 0;  // revenue of the orders with a cost (the margin rate's base)
  int64_t uncostedOrders = 0;   // orders in 365 days without a cost: they count no margin
  bool lost = false;            // a lost customer: D until won back
  std::string why;              // the same in one English line, for logs and the CLI (screens word the numbers)
};

// Sets the grade (reason required), records the history with the suggestion at that moment,
// and re-plans the grade-rule follow-up. Setting the current grade again records nothing.
Status SetGrade(Db& db, int64_t customerId, Grade grade, std::string_view reason, const Actor& actor);
Result<std::vector<GradeChange>> GradeHistory(Db& db, int64_t customerId);
// Suggestion formula (score 0..100; A ≥ 70, B ≥ 45, C ≥ 20, else D; a lost customer is D):
//   recency   0..30: last activity ≤7 days 30, ≤30 20, ≤90 10, ≤180 5, older or never 0;
//   frequency 0..30: 1.5 per activity in 90 days (max 10) + 2.5 per order in 365 days (max 6);
//   value     0..40: 30·min(1, √(margin₃₆₅ / ¥200,000)) + 10·min(1, margin rate / 30%),
//   margin = revenue − cost over orders with a cost; orders without cost add no margin. Profit, not
//   volume: ¥4M at 2% scores below ¥400k at 50% (docs/DESIGN.md note 9). `nowMs` 0: the clock.
Result<GradeSuggestion> SuggestGrade(Db& db, int64_t customerId, int64_t nowMs = 0);

// Moves the lifecycle stage. Lost needs a reason other than None (and sets lost_at); other stages
// take None and clear the reason; WonBack only from Lost.
Status SetStage(Db& db, int64_t customerId, Stage stage, LostReason reason, const Actor& actor);
// Lost (not deleted) customers by past margin, all time, highest first (about one in four can be won
// back: start with those worth most). Orders without a cost count no margin.
Result<std::vector<CustomerRow>> WinBackList(Db& db, int limit = 200);

// An order, as far as grading needs it (amount ≥ 0, cost ≥ 0 and ≤ 10× amount, cost empty when not yet
// checked); also moves the stage: prospect → first deal → repeat (2nd order), at risk → repeat,
// lost → won back. Loyal is never automatic: it is a judgement of tenure and share, set by hand.
Result<int64_t> AddOrder(Db& db, int64_t customerId, int64_t amountCents, std::optional<int64_t> costCents,
                         int64_t orderedAt, const Actor& actor);

}  // namespace crm
