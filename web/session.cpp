// What happens once the database is open, whichever storage opened it: the
// device's own tables, persistence after commits, and the first screen
// (welcome, lock screen, or the last user of a personal device).
#include <emscripten.h>

#include "core/ids.h"
#include "web/platform.h"
#include "web/sync_browser.h"

namespace crm::web {

void OnDatabaseReady(Platform& platform) {
  ui::AppState& app = platform.app;
  app.db = &*platform.db;
  app.nowMs = NowMs() + static_cast<int64_t>(platform.clockOffsetMs);
  // app.requestPersist is the storage's (storage_browser.cpp): it saves after each commit.
  // Online sign-in goes to the relay (sync_browser.cpp); a linked device syncs from here on.
  app.requestOnlineSignIn = [](const ui::OnlineSignInRequest& request) { GetSync().SignIn(request); };
  if (auto started = ui::StartSession(app); !started) app.fatalError = started.Message();
  GetSync().Attach();
}

}  // namespace crm::web
