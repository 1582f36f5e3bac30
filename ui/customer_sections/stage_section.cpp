#include "ui/customer_sections/stage_section.h"

#include "core/table_changes.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/customer_sections.h"
#include "ui/errors.h"
#include "ui/labels.h"
#include "ui/refusals.h"

namespace crm::ui {

using customer_detail::Report;

void LoadStageSection(AppState&, CustomerDetailState& detail) {
  StageSectionState& d = detail.stage;
  if (d.picked) return;
  d.picked = true;
  d.newStage = IndexOf(AllStages(), detail.customer->stage);
  d.lostReason = detail.customer->lostReason == LostReason::None ? -1 : IndexOf(AllLostReasons(), detail.customer->lostReason);
}

void DrawStageSection(AppState& state, CustomerDetailState& detail) {
  StageSectionState& d = detail.stage;
  const Customer& c = *detail.customer;
  Lang lang = state.lang;
  ImGui::Text("%s: %s", Tr(lang, Str::CurrentStage), LabelOf(lang, c.stage));
  if (c.lostReason != LostReason::None) ImGui::Text("%s: %s", Tr(lang, Str::LostReason), LabelOf(lang, c.lostReason));
  ImGui::SeparatorText(Tr(lang, Str::MoveStage));
  const std::string refusal = customer_detail::EditRefusal(state);
  ImGui::BeginDisabled(!refusal.empty());
  ImGui::BeginGroup();
  std::vector<std::string> ids;
  for (Stage stage : AllStages()) ids.emplace_back(Code(stage));
  int clicked = ChoiceButtons(LabelsOf(lang, AllStages()), "stage_", ids, d.newStage);
  if (clicked >= 0) d.newStage = clicked;
  bool lost = d.newStage >= 0 && AllStages()[static_cast<size_t>(d.newStage)] == Stage::Lost;
  if (lost) {
    ImGui::TextUnformatted(Tr(lang, Str::LostReason));
    std::vector<std::string> reasonIds;
    for (LostReason reason : AllLostReasons()) reasonIds.emplace_back(Code(reason));
    int reason = ChoiceButtons(LabelsOf(lang, AllLostReasons()), "lost_", reasonIds, d.lostReason);
    if (reason >= 0) d.lostReason = reason;
  }
  ImGui::EndGroup();
  ImGui::EndDisabled();
  ExplainRefusal(refusal, "stage_choice");
  if (!d.stageError.empty()) ErrorText(d.stageError);
  std::string save = Label(lang, Str::SaveStage, "save_stage");
  if (ActionButton(save.c_str(), refusal, /*primary=*/true) && d.newStage >= 0) {
    d.stageError.clear();
    LostReason reason = lost && d.lostReason >= 0 ? AllLostReasons()[static_cast<size_t>(d.lostReason)] : LostReason::None;
    Status set = SetStage(*state.db, c.id, AllStages()[static_cast<size_t>(d.newStage)], reason, state.actor);
    if (!set && set.Code() == ErrorCode::Invalid) d.stageError = DescribeError(lang, set.GetError());
    else Report(state, set, Str::StageSaved);
  }
}

extern const CustomerSection k_stage_section = {"stage", Str::Stage, nullptr, LoadStageSection, DrawStageSection, TableBits({"customers"}), 60};

}  // namespace crm::ui
