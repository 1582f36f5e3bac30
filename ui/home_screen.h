#pragma once
// Home: app and SQLite versions, the number of stored customers, and a button
// that adds one. The screen a new install shows first.
#include <string>

namespace crm::ui {

struct AppState;

struct HomeScreenState {
  std::string lastError;  // shown under the button until the next success
  int added = 0;          // customers added in this session, for their sample names
};

void DrawHome(AppState& state);

}  // namespace crm::ui
