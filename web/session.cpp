// What happens once the database is open, whichever storage opened it: the
// device's own tables, persistence after commits, and the first screen
// (welcome, lock screen, or the last user of a personal device).
#include <emscripten.h>

#include "core/ids.h"
#include "web/platform.h"

namespace crm::web {

void OnDatabaseReady(Platform& platform) {
  ui::AppState& app = platform.app;
  app.db = &*platform.db;
  app.nowMs = NowMs() + static_cast<int64_t>(platform.clockOffsetMs);
  // app.requestPersist is the storage's (storage_browser.cpp): it saves after each commit.
  // Online sign-in stays unset until the relay has an auth API: the sign-in screen then says it is not
  // available. When it exists, this is where a fetch() to the relay goes; on success it calls
  // LinkOnlineAccount (core/accounts.h) and enters the session.
  app.requestOnlineSignIn = nullptr;
  if (auto started = ui::StartSession(app); !started) app.fatalError = started.Message();
}

}  // namespace crm::web
