#pragma once
// The application's whole state, owned by the platform layer and handed to
// every screen: no screen keeps state in statics (as in hello_imgui's AppState).
#include <cstdint>
#include <functional>
#include <string>

#include "core/customers.h"
#include "core/db.h"
#include "ui/home_screen.h"
#include "ui/i18n.h"
#include "ui/item_probe.h"
#include "ui/storage_panel.h"

namespace crm::ui {

enum class Screen { Loading, Home };

// Where the last commit stands on its way to durable storage.
enum class SaveState { Saved, Saving, Unsaved, Failed };

struct AppState {
  std::string appVersion;
  Lang lang = Lang::Zh;
  Screen screen = Screen::Loading;
  Actor actor;

  // Owned by the platform; null until storage is open.
  Db* db = nullptr;
  std::string fatalError;  // shown instead of the screens when the database cannot be used

  int64_t customerCount = 0;
  SaveState saveState = SaveState::Saved;
  std::string saveError;

  // The platform persists committed data when told; screens call this after a commit.
  std::function<void()> requestPersist;

  StorageUiState storage;  // local storage: writer tab, usage, backup (ui/storage_panel.h)

  HomeScreenState home;
  ItemProbe probe;
  uint64_t frameCount = 0;
};

// Re-reads the counts the screens show, after a commit or at start-up.
Status RefreshCounts(AppState& state);

// Draws the current screen in a window that fills the display.
void DrawApp(AppState& state);

const char* ScreenName(Screen screen);
const char* SaveStateName(SaveState saveState);

}  // namespace crm::ui
