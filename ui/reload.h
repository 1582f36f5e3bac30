#pragma once
// Screens reload only what changed: each keeps a LoadStamp per thing it reads
// and asks NeedsLoad with the tables (core/table_changes.h bits) that thing
// reads. AppState::changes knows when each table last changed.
#include <cstdint>

namespace crm::ui {

struct AppState;

struct LoadStamp {
  uint64_t clock = 0;  // AppState::changes' clock at the last load (0: never loaded)
  int loads = 0;       // how often it loaded, for tests
};

// True, and stamps the load, when it never loaded, `reload` is set (its query changed), or a table in
// `tables` changed since its last load.
bool NeedsLoad(const AppState& state, LoadStamp& stamp, uint64_t tables, bool reload = false);

}  // namespace crm::ui
