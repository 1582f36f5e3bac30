// Storage, first version: the database file lives in Emscripten's IDBFS and
// the whole file is synced to IndexedDB after each commit. Its cost grows with
// the database; the durable O(edit) design replaces this file.
#include <emscripten.h>

#include "core/schema.h"
#include "web/platform.h"

namespace crm::web {

extern "C" {
EMSCRIPTEN_KEEPALIVE void crm_storage_mounted(const char* error) { OnStorageMounted(error ? error : ""); }
EMSCRIPTEN_KEEPALIVE void crm_storage_persisted(const char* error);
}

void MountStorage() {
  EM_ASM({
    try {
      FS.mkdir("/data");
      FS.mount(IDBFS, {}, "/data");
    } catch (e) {
      Module.ccall("crm_storage_mounted", null, ["string"], ["cannot mount storage: " + e]);
      return;
    }
    FS.syncfs(true, function(err) {
      Module.ccall("crm_storage_mounted", null, ["string"], [err ? "cannot load saved data: " + err : ""]);
    });
  });
}

void OnStorageMounted(const std::string& error) {
  Platform& platform = GetPlatform();
  ui::AppState& app = platform.app;
  if (!error.empty()) {
    app.fatalError = error;
    return;
  }
  auto db = Db::Open(kDatabasePath);
  if (!db) {
    app.fatalError = db.Message();
    return;
  }
  if (auto migrated = Migrate(db.Value()); !migrated) {
    app.fatalError = migrated.Message();
    return;
  }
  platform.db.emplace(std::move(db).Value());
  OnDatabaseReady(platform);
}

void RequestPersist(Platform& platform) {
  if (platform.persistInFlight) {
    platform.persistQueued = true;
    platform.app.saveState = ui::SaveState::Unsaved;
    return;
  }
  platform.persistInFlight = true;
  platform.app.saveState = ui::SaveState::Saving;
  EM_ASM({
    FS.syncfs(false, function(err) {
      Module.ccall("crm_storage_persisted", null, ["string"], [err ? String(err) : ""]);
    });
  });
}

extern "C" EMSCRIPTEN_KEEPALIVE void crm_storage_persisted(const char* error) {
  Platform& platform = GetPlatform();
  platform.persistInFlight = false;
  if (error && *error) {
    platform.app.saveState = ui::SaveState::Failed;
    platform.app.saveError = error;
    return;
  }
  if (platform.persistQueued) {
    platform.persistQueued = false;
    RequestPersist(platform);
    return;
  }
  platform.app.saveState = ui::SaveState::Saved;
  platform.app.saveError.clear();
}

}  // namespace crm::web
