#include "ui/followup_actions.h"

#include "imgui.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/widgets.h"
#include "ui/refusals.h"

namespace crm::ui {

namespace {
constexpr int kPresetDays[] = {1, 3, 7, 14, 30};
constexpr Str kPresetLabels[] = {Str::InOneDay, Str::InThreeDays, Str::InAWeek, Str::InTwoWeeks, Str::InAMonth};
constexpr const char* kPresetIds[] = {"1d", "3d", "7d", "14d", "30d"};

void Open(FollowupActionState& actions, const Followup& followup, FollowupActionState::Mode mode) {
  actions = FollowupActionState{};
  actions.followupId = followup.id;
  actions.mode = mode;
  actions.focus = true;
}
}  // namespace

std::string DateInDays(const AppState& state, int days) {
  int64_t today = LocalDayStartAt(state.nowMs, state.utcOffsetMinutes);
  return LocalDateText(today + static_cast<int64_t>(days) * 86400000 + 12 * 3600000, state.utcOffsetMinutes);
}

void DrawDuePicker(AppState& state, const char* idPrefix, std::string& date, int& preset, const std::string& error) {
  std::vector<std::string> labels;
  std::vector<std::string> ids;
  for (size_t i = 0; i < std::size(kPresetDays); i++) {
    labels.emplace_back(Tr(state.lang, kPresetLabels[i]));
    ids.emplace_back(kPresetIds[i]);
  }
  int clicked = ChoiceButtons(labels, idPrefix, ids, preset);
  if (clicked >= 0) {
    preset = clicked;
    date = DateInDays(state, kPresetDays[clicked]);
  }
  FieldOptions options;
  options.hint = Tr(state.lang, Str::DateHintFull);
  std::string id = std::string(idPrefix) + "date";
  if (TextField(Tr(state.lang, Str::DueDate), id.c_str(), date, error, options)) preset = -1;
}

bool DrawFollowupActions(AppState& state, FollowupActionState& actions, const Followup& followup, const std::string& refusal) {
  std::string suffix = std::to_string(followup.id);
  if (followup.status != FollowupStatus::Open) return false;
  bool changed = false;
  std::string complete = Label(Tr(state.lang, Str::Complete), "complete_" + suffix);
  if (ActionButton(complete.c_str(), refusal, /*primary=*/true)) Open(actions, followup, FollowupActionState::Mode::Complete);
  ImGui::SameLine();
  std::string reschedule = Label(Tr(state.lang, Str::Reschedule), "reschedule_" + suffix);
  if (ActionButton(reschedule.c_str(), refusal)) Open(actions, followup, FollowupActionState::Mode::Reschedule);
  if (actions.followupId != followup.id || actions.mode == FollowupActionState::Mode::None) return false;

  ImGui::Indent();
  if (actions.mode == FollowupActionState::Mode::Complete) {
    FieldOptions options;
    options.focusRequest = &actions.focus;
    options.hint = Tr(state.lang, Str::ResultHint);
    TextField(Tr(state.lang, Str::Result), ("result_" + suffix).c_str(), actions.result, actions.error, options);
    std::string save = Label(Tr(state.lang, Str::SaveResult), "save_result_" + suffix);
    if (PrimaryButton(save.c_str())) {
      // Core records the result and plans the next follow-up by the class rule.
      Status done = CompleteFollowup(*state.db, followup.id, actions.result, std::nullopt, state.actor);
      if (done) {
        actions = FollowupActionState{};
        changed = true;
      } else {
        actions.error = DescribeError(state.lang, done.GetError());
      }
    }
  } else {
    DrawDuePicker(state, ("resched_" + suffix + "_").c_str(), actions.date, actions.preset, actions.error);
    std::string save = Label(Tr(state.lang, Str::SaveDate), "save_date_" + suffix);
    if (PrimaryButton(save.c_str())) {
      auto due = LocalDateToMs(*state.db, actions.date, 9 * 60, "date");
      auto moved = due ? RescheduleFollowup(*state.db, followup.id, due.Value(), state.actor) : Result<int64_t>(due.GetError());
      if (moved) {
        actions = FollowupActionState{};
        changed = true;
      } else {
        actions.error = DescribeError(state.lang, moved.GetError());
      }
    }
  }
  ImGui::SameLine();
  std::string cancel = Label(Tr(state.lang, Str::Cancel), "cancel_action_" + suffix);
  if (ImGui::Button(cancel.c_str())) actions = FollowupActionState{};
  ImGui::Unindent();
  if (changed) AfterCommit(state);
  return changed;
}

}  // namespace crm::ui
