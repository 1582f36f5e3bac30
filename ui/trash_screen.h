#pragma once
// The trash (回收站): customers moved there (by hand, by undoing an import, or
// folded into another by a merge), newest first, each with 恢复. A merged one
// cannot come back (core says so, and the screen shows it).
#include <string>

#include "ui/customer_list.h"

namespace crm::ui {

struct AppState;

struct TrashScreenState {
  CustomerListView list;
  std::string error;
  std::string message;
};

void DrawTrash(AppState& state);

}  // namespace crm::ui
