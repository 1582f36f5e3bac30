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
  std::string why;              // one line a person can read
};

// Sets the grade (reason required), records the history with the suggestion at that moment,
// and re-plans the grade-rule follow-up.
Status SetGrade(Db& db, int64_t customerId, Grade grade, std::string_view reason, const Actor& actor);
Result<std::vector<GradeChange>> GradeHistory(Db& db, int64_t customerId);
Result<GradeSuggestion> SuggestGrade(Db& db, int64_t customerId, int64_t nowMs = 0);

// Moves the lifecycle stage. Lost needs a reason other than None; WonBack only from Lost.
Status SetStage(Db& db, int64_t customerId, Stage stage, LostReason reason, const Actor& actor);
// Lost customers, most valuable first (about one in four can be won back).
Result<std::vector<CustomerRow>> WinBackList(Db& db, int limit = 200);

// An order, as far as grading needs it; also moves prospect → first deal → repeat.
Result<int64_t> AddOrder(Db& db, int64_t customerId, int64_t amountCents, std::optional<int64_t> costCents,
                         int64_t orderedAt, const Actor& actor);

}  // namespace crm
