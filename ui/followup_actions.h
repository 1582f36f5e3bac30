#pragma once
// What can be done to one follow-up (回访), wherever it is listed (the agenda,
// a customer's detail): complete it with its result (core plans the next one
// by the class rule) or move it to another day. And the due-date picker the
// visit dialog and the schedule form share: a few presets a finger can hit,
// or a date typed.
#include <cstdint>
#include <string>

#include "core/followups.h"

namespace crm::ui {

struct AppState;

struct FollowupActionState {
  enum class Mode { None, Complete, Reschedule };
  int64_t followupId = 0;  // the follow-up whose action row is open
  Mode mode = Mode::None;
  std::string result;
  std::string date;
  int preset = -1;
  std::string error;
  bool focus = false;
};

// The buttons of one follow-up (完成, 改期) and, when one was pressed, its small form under them.
// Returns true when the follow-up changed (the caller's list is stale).
// `refusal`: why the signed-in person may not act on it (ui/refusals.h), or empty.
bool DrawFollowupActions(AppState& state, FollowupActionState& actions, const Followup& followup,
                         const std::string& refusal = {});

// Presets (tomorrow, in 3 days, a week, two weeks, a month) that fill `date` (YYYY-MM-DD, local), and the
// date field itself. `preset` remembers which was picked (-1: typed). Ids start with `idPrefix`.
void DrawDuePicker(AppState& state, const char* idPrefix, std::string& date, int& preset, const std::string& error);
// The local date `days` from today, as the picker writes it.
std::string DateInDays(const AppState& state, int days);

}  // namespace crm::ui
