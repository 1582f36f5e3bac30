#pragma once
// Stage (阶段): the lifecycle stage, moved here, with the reason when lost.
#include <string>

namespace crm::ui {

struct AppState;
struct CustomerDetailState;

struct StageSectionState {
  bool picked = false;  // newStage and lostReason start at the customer's, once
  int newStage = -1;
  int lostReason = -1;
  std::string stageError;
};

void LoadStageSection(AppState& state, CustomerDetailState& detail);
void DrawStageSection(AppState& state, CustomerDetailState& detail);

}  // namespace crm::ui
