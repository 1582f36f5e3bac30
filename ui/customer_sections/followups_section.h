#pragma once
// Follow-ups (回访): planned and done, each completed or moved right here.
#include <vector>

#include "core/followups.h"
#include "ui/followup_actions.h"

namespace crm::ui {

struct AppState;
struct CustomerDetailState;

struct FollowupsSectionState {
  std::vector<Followup> followups;
  FollowupActionState followupActions;
};

void LoadFollowupsSection(AppState& state, CustomerDetailState& detail);
void DrawFollowupsSection(AppState& state, CustomerDetailState& detail);

}  // namespace crm::ui
