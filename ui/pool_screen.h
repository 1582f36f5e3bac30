#pragma once
// The public pool (公海) and ownership: customers nobody works, with 认领 on each
// row (the claimer then holds it for the protection period); the lost customers
// (流失客户) as the win-back list, most valuable first; and, for supervisors,
// leaders and admins, moving all of a rep's customers to another rep (a rep
// leaves: the customers stay with the company), after a confirmation; and the
// hand-over requests waiting for them (ui/handover_list.h). Core's
// permission errors are shown as they come.
#include <cstdint>
#include <string>
#include <vector>

#include "core/customers.h"
#include "ui/customer_list.h"
#include "ui/handover_list.h"
#include "ui/widgets.h"

namespace crm::ui {

struct AppState;

enum class PoolTab { Pool, WinBack, Reassign, HandOvers };

struct PoolScreenState {
  PoolTab tab = PoolTab::Pool;
  CustomerListView pool;
  LoadStamp winBackLoaded;
  std::vector<CustomerRow> winBack;
  // Bulk reassignment.
  int from = -1;  // indexes into AppState::users
  int to = -1;
  int64_t fromCount = -1;  // customers the move would take, counted when `from` is picked
  bool confirming = false;
  HandOverListState handOvers;
  std::string error;
  std::string message;
};

void DrawPool(AppState& state);

}  // namespace crm::ui
