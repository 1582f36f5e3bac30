#pragma once
// The follow-up agenda (回访): overdue, today, the next six days, for the
// signed-in rep, or for the team (supervisors) or everyone (leaders, admins).
// A follow-up is completed with its result (core plans the next one by the
// class rule) or moved to another day, right in the list.
#include <cstdint>
#include <string>
#include <vector>

#include "core/followups.h"
#include "ui/followup_actions.h"
#include "ui/reload.h"
#include "ui/widgets.h"

namespace crm::ui {

struct AppState;

enum class AgendaScope { Mine, Team, Everyone };

struct AgendaScreenState {
  AgendaScope scope = AgendaScope::Mine;
  int teamIndex = 0;  // which team, for a leader looking at one
  LoadStamp loaded;
  std::string loadedKey;
  std::vector<Followup> overdue, today, week;
  std::string error;
  std::string message;
  FollowupActionState actions;
};

void DrawAgenda(AppState& state);
// The signed-in user's overdue follow-ups (the navigation's badge).
int64_t CountOverdue(AppState& state);

}  // namespace crm::ui
