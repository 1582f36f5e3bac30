#pragma once
// The application's whole state, owned by the platform layer and handed to
// every screen: no screen keeps state in statics (as in hello_imgui's AppState).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/accounts.h"
#include "core/customers.h"
#include "core/db.h"
#include "core/org.h"
#include "core/table_changes.h"
#include "ui/agenda_screen.h"
#include "ui/conflicts_screen.h"
#include "ui/customer_detail_screen.h"
#include "ui/customer_form.h"
#include "ui/customers_screen.h"
#include "ui/fonts.h"
#include "ui/home_screen.h"
#include "ui/i18n.h"
#include "ui/import_screen.h"
#include "ui/item_probe.h"
#include "ui/merge_dialog.h"
#include "ui/offline_lock_screen.h"
#include "ui/pages.h"
#include "ui/people_screen.h"
#include "ui/pool_screen.h"
#include "ui/reload.h"
#include "ui/settings_screen.h"
#include "ui/signin_screen.h"
#include "ui/status_bar.h"
#include "ui/theme.h"
#include "ui/touch.h"
#include "ui/storage_panel.h"
#include "ui/trash_screen.h"
#include "ui/value_words.h"
#include "ui/visit_dialog.h"

namespace crm::ui {

// Welcome: a device nobody has set up (trial, local account, online sign-in).
// Locked: accounts exist, nobody is signed in (shared tablet, or after Lock).
// Unlock: the saved data is encrypted and not opened yet (no database): someone gives their PIN or password.
enum class Screen { Loading, Welcome, Locked, Home, Unlock };

// Where the last commit stands on its way to durable storage. InWindowOnly: everything is handled, but the
// browser keeps nothing past this window (ui/storage_panel.h ForgetsOnClose).
enum class SaveState { Saved, Saving, Unsaved, Failed, InWindowOnly };

// Laptop: mouse and keyboard, compact, shortcuts. Tablet: touch, large targets, drag to scroll, no hover.
enum class Layout { Laptop, Tablet };

// The input method's state, fed by the platform's text-input bridge.
struct ImeState {
  std::string preedit;    // text being composed, not yet committed; drawn at the caret
  ImVec2 caret{0, 0};     // where ImGui's focused text field has its caret (display pixels)
  float lineHeight = 0;
  bool wantText = false;  // a text field is active (the platform focuses its hidden input)
};

// A file the user picked through the browser's file picker, handed over by the platform.
struct PickedFile {
  std::string name;
  std::string bytes;
};

struct AppState {
  std::string appVersion;
  Lang lang = Lang::Zh;
  Screen screen = Screen::Loading;
  Page page = Page::Customers;
  Actor actor;           // who is signed in: every core call that writes passes it
  std::string userName;  // shown in the top bar
  User me;               // the signed-in user (role and team decide what the screens offer)
  std::vector<User> users;  // the organisation's users, for owner names and choices
  std::vector<Team> teams;
  int64_t utcOffsetMinutes = 480;  // the organisation's time zone (dates are drawn every frame)
  ValueNames names;  // the names values refer to in the audit trail and the conflict log (ui/value_words.h)

  // Owned by the platform; null until storage is open.
  Db* db = nullptr;
  std::string fatalError;  // shown instead of the screens when the database cannot be used

  int64_t customerCount = 0;
  int64_t overdueCount = 0;  // the signed-in user's overdue follow-ups, for the navigation's badge
  LoadStamp countsLoaded;    // the two counts follow changes that did not come through a screen (a sync batch)
  SaveState saveState = SaveState::Saved;
  std::string saveError;
  // When each table last changed (every commit here, every sync batch applied): a screen re-reads what
  // it shows when a table it reads changed since it loaded (ui/reload.h). Fed from Db::TakeChangedTables.
  TableChangeLog changes;

  // The platform persists committed data when told; screens call this after a commit.
  std::function<void()> requestPersist;
  // Online sign-in against the relay, provided by the platform once the relay has an auth API; empty until then.
  std::function<void(const OnlineSignInRequest&)> requestOnlineSignIn;
  // Files in and out of the browser (web/): pick a CSV for the import, download an export.
  std::function<void()> pickImportFile;
  std::function<void(const std::string& bytes, const std::string& name, const std::string& mime)> downloadFile;

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
  TouchScrollState touchScroll;  // a finger scrolling whatever window is under it (ui/touch.h)

  SignInState signIn;
  UnlockState unlock;  // encryption at rest: the unlock step and the device's keyring (ui/signin_screen.h)
  StorageUiState storage;  // local storage: writer tab, usage, backup (ui/storage_panel.h)
  // Sync: what the status bar shows, copied from the sync client by the platform (ui/status_bar.h).
  SyncStatusView sync;

  HomeScreenState home;
  CustomersScreenState customers;
  CustomerFormState form;
  CustomerDetailState detail;
  VisitDialogState visit;
  MergeDialogState merge;
  AgendaScreenState agenda;
  PoolScreenState pool;
  ImportScreenState import;
  TrashScreenState trash;
  SettingsScreenState settings;
  OfflineLockScreenState offlineLock;
  ConflictsScreenState conflicts;
  PeopleScreenState people;
  ItemProbe probe;
  StyleKey appliedStyle;  // what ImGui's style was last built for (ui/theme.h UpdateStyle)
  uint64_t frameCount = 0;
};

// Re-reads the counts the screens show, after a commit or at start-up.
Status RefreshCounts(AppState& state);
// Re-reads the signed-in user, the organisation's users and teams, and its time zone.
Status RefreshOrganisation(AppState& state);
// A user's name from the list read at sign-in (empty when unknown).
std::string UserName(const AppState& state, std::optional<int64_t> userId);

// After storage opens: reads the device's accounts and settings and picks the
// first screen (Welcome, Locked, or Home for a personal device's last user).
Status StartSession(AppState& state);
// Signs `actor` in: the top bar, attribution and lists follow them.
void EnterSession(AppState& state, const Actor& actor);
// Locks the app: nobody is signed in until a PIN is entered.
void LockSession(AppState& state);
// After any commit: counts and lists refresh, the platform persists.
void AfterCommit(AppState& state);
// Takes the tables the database reports changed into AppState::changes; every frame, and after a commit.
void NoteDataChanges(AppState& state);

// Opens a page of the navigation (closing a customer's detail).
void GoToPage(AppState& state, Page page);
// Opens a customer's detail over the current page.
void OpenCustomer(AppState& state, int64_t customerId);

// Draws the current screen in a window that fills the display.
void DrawApp(AppState& state);
// A job advances a step per frame (an import or export in slices, a PIN being hashed): the platform keeps
// frames coming for it while nobody touches the device.
bool WantsFrames(const AppState& state);

// The style for a layout at a pixel ratio; the platform calls it after the fonts change.
void ApplyStyle(Layout layout, float pixelRatio);
float FontSizeFor(Layout layout);

const char* ScreenName(Screen screen);
const char* SaveStateName(SaveState saveState);
const char* LayoutName(Layout layout);

// Whether the signed-in user may manage others' customers (supervisors, leaders, admins).
bool CanSupervise(const AppState& state);

}  // namespace crm::ui
