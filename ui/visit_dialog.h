#pragma once
// Logging a visit (记录拜访) in at most three taps from a customer: 记录拜访 →
// kind (拜访 is preselected) and the summary → 保存. The same dialog can plan
// the next follow-up (回访) with one more tap on a preset. Opinion, outcome and
// next step are there too, folded under 更多.
#include <cstdint>
#include <string>
#include <vector>

#include "core/contacts.h"

namespace crm::ui {

struct AppState;

struct VisitDialogState {
  bool open = false;
  int64_t customerId = 0;
  std::string customerName;
  int kind = 0;  // index into AllActivityKinds()
  std::string summary, opinion, outcome, nextStep;
  std::vector<Contact> contacts;
  int contact = -1;     // index into contacts, -1: none
  bool more = false;    // opinion, outcome, next step, contact shown
  bool scheduleNext = false;
  std::string nextDate;  // YYYY-MM-DD
  int nextPreset = -1;
  std::string summaryError, nextError, error;
  bool focusSummary = false;
  int64_t lastActivityId = 0;  // the last one logged, for tests
};

void OpenVisitDialog(AppState& state, int64_t customerId, const std::string& customerName);
void DrawVisitDialog(AppState& state);

}  // namespace crm::ui
