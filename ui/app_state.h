#pragma once
// The application's whole state, owned by the platform layer and handed to
// every screen: no screen keeps state in statics (as in hello_imgui's AppState).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/accounts.h"
#include "core/customers.h"
#include "core/db.h"
#include "ui/customers_screen.h"
#include "ui/fonts.h"
#include "ui/home_screen.h"
#include "ui/i18n.h"
#include "ui/item_probe.h"
#include "ui/people_screen.h"
#include "ui/signin_screen.h"
#include "ui/storage_panel.h"

namespace crm::ui {

// Welcome: a device nobody has set up (trial, local account, online sign-in).
// Locked: accounts exist, nobody is signed in (shared tablet, or after Lock).
enum class Screen { Loading, Welcome, Locked, Home };

// Where the last commit stands on its way to durable storage.
enum class SaveState { Saved, Saving, Unsaved, Failed };

// Laptop: mouse and keyboard, compact, shortcuts. Tablet: touch, large targets, drag to scroll, no hover.
enum class Layout { Laptop, Tablet };

// The input method's state, fed by the platform's text-input bridge.
struct ImeState {
  std::string preedit;    // text being composed, not yet committed; drawn at the caret
  ImVec2 caret{0, 0};     // where ImGui's focused text field has its caret (display pixels)
  float lineHeight = 0;
  bool wantText = false;  // a text field is active (the platform focuses its hidden input)
};

struct AppState {
  std::string appVersion;
  Lang lang = Lang::Zh;
  Screen screen = Screen::Loading;
  Actor actor;           // who is signed in: every core call that writes passes it
  std::string userName;  // shown in the top bar

  // Owned by the platform; null until storage is open.
  Db* db = nullptr;
  std::string fatalError;  // shown instead of the screens when the database cannot be used

  int64_t customerCount = 0;
  SaveState saveState = SaveState::Saved;
  std::string saveError;

  // The platform persists committed data when told; screens call this after a commit.
  std::function<void()> requestPersist;
  // Online sign-in against the relay, provided by the platform once the relay has an auth API; empty until then.
  std::function<void(const OnlineSignInRequest&)> requestOnlineSignIn;

  // Device and layout.
  DeviceSettings device;
  Layout layout = Layout::Laptop;
  bool layoutAuto = true;          // follow the platform's guess (coarse pointer → tablet)
  Layout detectedLayout = Layout::Laptop;

  // Time, from the platform each frame (ms since the epoch), and the last input, for the idle lock.
  int64_t nowMs = 0;
  int64_t lastInputMs = 0;

  GlyphAtlas glyphs;
  ImeState ime;

  SignInState signIn;
  StorageUiState storage;  // local storage: writer tab, usage, backup (ui/storage_panel.h)

  HomeScreenState home;
  CustomersScreenState customers;
  PeopleScreenState people;
  ItemProbe probe;
  uint64_t frameCount = 0;
};

// Re-reads the counts the screens show, after a commit or at start-up.
Status RefreshCounts(AppState& state);

// After storage opens: reads the device's accounts and settings and picks the
// first screen (Welcome, Locked, or Home for a personal device's last user).
Status StartSession(AppState& state);
// Signs `actor` in: the top bar, attribution and lists follow them.
void EnterSession(AppState& state, const Actor& actor);
// Locks the app: nobody is signed in until a PIN is entered.
void LockSession(AppState& state);
// After any commit: counts and lists refresh, the platform persists.
void AfterCommit(AppState& state);

// Draws the current screen in a window that fills the display.
void DrawApp(AppState& state);

// The style for a layout at a pixel ratio; the platform calls it after the fonts change.
void ApplyStyle(Layout layout, float pixelRatio);
float FontSizeFor(Layout layout);

const char* ScreenName(Screen screen);
const char* SaveStateName(SaveState saveState);
const char* LayoutName(Layout layout);

}  // namespace crm::ui
