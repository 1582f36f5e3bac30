#pragma once
// Timeline (跟进记录): the visits and calls, numbered (第N次跟进), newest first.
#include <vector>

#include "core/followups.h"

namespace crm::ui {

struct AppState;
struct CustomerDetailState;

struct TimelineSectionState {
  std::vector<Activity> activities;
};

void LoadTimelineSection(AppState& state, CustomerDetailState& detail);
void DrawTimelineSection(AppState& state, CustomerDetailState& detail);

}  // namespace crm::ui
