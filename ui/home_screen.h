#pragma once
// About (settings → 关于): app and SQLite versions, the number of stored
// customers, and a quick add of a sample customer (a name only) for trying the
// app out.
#include <string>

namespace crm::ui {

struct AppState;

struct HomeScreenState {
  std::string lastError;  // shown under the button until the next success
  int added = 0;          // customers added in this session, for their sample names
};

void DrawHome(AppState& state);

}  // namespace crm::ui
