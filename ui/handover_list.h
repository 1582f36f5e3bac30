#pragma once
// Hand-over requests waiting for a decision (core/handover.h): a tab of the pool screen. A supervisor sees those
// about their team's customers, leaders and admins all of them; each is granted (the customer moves to the rep
// who asked, with its history) or declined.
#include <string>
#include <vector>

#include "core/handover.h"
#include "ui/reload.h"

namespace crm::ui {

struct AppState;

struct HandOverListState {
  LoadStamp loaded;
  std::vector<HandOverRequest> requests;
  std::string error;
  std::string message;
};

void DrawHandOverRequests(AppState& state);

}  // namespace crm::ui
