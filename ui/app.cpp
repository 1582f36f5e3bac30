// The app's frame: the top bar, the navigation (a sidebar on a laptop, a tab
// bar on a tablet), the page or the open customer, the dialogs over them, and
// the status bar. Also the session (who is signed in) and what every commit
// sets off (counts, lists, persistence).
#include <algorithm>
#include <cstdio>

#include "core/followups.h"
#include "core/org.h"
#include "core/wipe.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/keyed_text.h"
#include "ui/widgets.h"

namespace crm::ui {

// [SECTION] names, style
// [SECTION] session and commits
// [SECTION] top bar and navigation
// [SECTION] the frame

// ---------------------------------------------------------------------------
// [SECTION] names, style

const char* ScreenName(Screen screen) {
  switch (screen) {
    case Screen::Loading: return "loading";
    case Screen::Welcome: return "welcome";
    case Screen::Locked: return "locked";
    case Screen::Home: return "home";
    case Screen::Unlock: return "unlock";
  }
  return "unknown";
}

const char* SaveStateName(SaveState saveState) {
  switch (saveState) {
    case SaveState::Saved: return "saved";
    case SaveState::Saving: return "saving";
    case SaveState::Unsaved: return "unsaved";
    case SaveState::Failed: return "failed";
    case SaveState::InWindowOnly: return "in-window-only";
  }
  return "unknown";
}

const char* LayoutName(Layout layout) { return layout == Layout::Tablet ? "tablet" : "laptop"; }

float FontSizeFor(Layout layout) { return layout == Layout::Tablet ? kTabletFontSize : kBaseFontSize; }

void ApplyStyle(Layout layout, float pixelRatio) {
  ImGuiStyle style;
  ImGui::StyleColorsLight(&style);
  bool tablet = layout == Layout::Tablet;
  style.WindowPadding = ImVec2(16, 14);
  // Tablet: frames and spacing sized for fingers (a button is about 48 CSS px tall with the larger font).
  style.FramePadding = tablet ? ImVec2(16, 13) : ImVec2(10, 6);
  style.ItemSpacing = tablet ? ImVec2(14, 12) : ImVec2(10, 8);
  style.ItemInnerSpacing = tablet ? ImVec2(10, 8) : ImVec2(6, 4);
  style.FrameRounding = 5;
  // A thin border: white fields and checkboxes stand out from the light background.
  style.FrameBorderSize = 1.0f;
  style.GrabRounding = 5;
  style.WindowRounding = tablet ? 8 : 4;
  style.ChildRounding = 4;
  style.PopupRounding = 4;
  style.ScrollbarSize = tablet ? 10 : 16;  // a finger drags the list itself; the bar only shows where you are
  style.GrabMinSize = tablet ? 24 : 12;
  style.TouchExtraPadding = tablet ? ImVec2(4, 4) : ImVec2(0, 0);
  style.Colors[ImGuiCol_WindowBg] = ImVec4(0.97f, 0.97f, 0.98f, 1.0f);
  style.Colors[ImGuiCol_ChildBg] = ImVec4(1.0f, 1.0f, 1.0f, 0.0f);
  style.Colors[ImGuiCol_Button] = ImVec4(0.88f, 0.91f, 0.96f, 1.0f);
  // No hover-only affordances on a tablet: a hovered button looks like any other.
  style.Colors[ImGuiCol_ButtonHovered] = tablet ? style.Colors[ImGuiCol_Button] : ImVec4(0.78f, 0.85f, 0.96f, 1.0f);
  style.Colors[ImGuiCol_ButtonActive] = ImVec4(0.66f, 0.77f, 0.94f, 1.0f);
  if (tablet) style.Colors[ImGuiCol_HeaderHovered] = style.Colors[ImGuiCol_Header];
  style.Colors[ImGuiCol_Text] = ImVec4(0.12f, 0.13f, 0.15f, 1.0f);
  style.Colors[ImGuiCol_Border] = ImVec4(0.78f, 0.80f, 0.85f, 1.0f);
  style.ScaleAllSizes(pixelRatio);
  ImGui::GetStyle() = style;
}

bool CanSupervise(const AppState& state) {
  return state.me.role == Role::Supervisor || state.me.role == Role::Leader || state.me.role == Role::Admin;
}

// ---------------------------------------------------------------------------
// [SECTION] session and commits

Status RefreshCounts(AppState& state) {
  if (!state.db) return Ok();
  CRM_ASSIGN_OR_RETURN(state.customerCount, CountCustomers(*state.db));
  state.overdueCount = state.screen == Screen::Home ? CountOverdue(state) : 0;
  return Ok();
}

Status RefreshOrganisation(AppState& state) {
  if (!state.db) return Ok();
  Db& db = *state.db;
  state.me = User{};
  if (state.actor.userId) {
    CRM_ASSIGN_OR_RETURN(state.me, GetUser(db, state.actor.userId));
  }
  CRM_ASSIGN_OR_RETURN(state.users, ListUsers(db));
  CRM_ASSIGN_OR_RETURN(state.teams, ListTeams(db));
  CRM_ASSIGN_OR_RETURN(state.utcOffsetMinutes, UtcOffsetMinutes(db));
  return Ok();
}

std::string UserName(const AppState& state, std::optional<int64_t> userId) {
  if (!userId) return "";
  for (const User& user : state.users) {
    if (user.id == *userId) return user.name;
  }
  return "#" + std::to_string(*userId);
}

void NoteDataChanges(AppState& state) {
  if (state.db) state.changes.Note(state.db->TakeChangedTables());
}

bool NeedsLoad(const AppState& state, LoadStamp& stamp, uint64_t tables, bool reload) {
  if (!reload && !state.changes.ChangedSince(tables, stamp.clock)) return false;
  stamp.clock = state.changes.Clock();
  stamp.loads++;
  return true;
}

void AfterCommit(AppState& state) {
  NoteDataChanges(state);
  if (auto refreshed = RefreshCounts(state); !refreshed) state.home.lastError = DescribeError(state.lang, refreshed.GetError());
  // Users, teams or the time zone may have changed (settings, sign-in).
  if (auto organisation = RefreshOrganisation(state); !organisation) state.home.lastError = DescribeError(state.lang, organisation.GetError());
  if (state.requestPersist) state.requestPersist();
}

namespace {
// What one person typed or opened never shows in the next person's session.
void ResetScreens(AppState& state) {
  for (const PageSpec& page : Pages()) page.reset(state);
  state.form = CustomerFormState{};
  state.detail = CustomerDetailState{};
  state.visit = VisitDialogState{};
  state.merge = MergeDialogState{};
  state.people.open = false;
  state.page = Page::Customers;
}
}  // namespace

void EnterSession(AppState& state, const Actor& actor) {
  state.actor = actor;
  state.userName.clear();
  if (state.db) {
    if (auto user = GetUser(*state.db, actor.userId)) state.userName = user.Value().name;
    // Signing in may have changed the device (a trial started or ended).
    if (auto settings = GetDeviceSettings(*state.db)) state.device = settings.Value();
  }
  double lastSwitchMs = state.signIn.lastSwitchMs;
  state.signIn = SignInState{};
  state.signIn.lastSwitchMs = lastSwitchMs;
  ResetScreens(state);
  state.lastInputMs = state.nowMs;
  state.screen = Screen::Home;
  RefreshAccounts(state);
  AfterCommit(state);  // the sign-in itself was written (last_sign_in_at)
}

void LockSession(AppState& state) {
  state.actor = Actor{};
  state.userName.clear();
  state.me = User{};
  ResetScreens(state);
  state.signIn = SignInState{};
  state.signIn.step = SignInStep::PickUser;
  RefreshAccounts(state);
  state.screen = state.signIn.accounts.empty() ? Screen::Welcome : Screen::Locked;
  if (state.screen == Screen::Welcome) state.signIn.step = SignInStep::Choose;
}

Status StartSession(AppState& state) {
  Db& db = *state.db;
  CRM_TRY(EnsureDeviceTables(db));
  CRM_ASSIGN_OR_RETURN(state.device, GetDeviceSettings(db));
  state.people.idleSeconds = state.device.idleLockSeconds;
  CRM_ASSIGN_OR_RETURN(std::vector<DeviceAccount> accounts, ListDeviceAccounts(db));
  CRM_TRY(RefreshCounts(state));
  if (accounts.empty()) {
    state.signIn = SignInState{};
    CRM_ASSIGN_OR_RETURN(state.signIn.wipedNotice, DeviceWasWiped(db));
    state.screen = Screen::Welcome;
    return Ok();
  }
  // A personal device resumes with its last user; a shared tablet starts locked.
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> last, LastSignedInUser(db));
  if (!state.device.shared && last) {
    CRM_ASSIGN_OR_RETURN(Actor actor, MarkSignedIn(db, *last, state.nowMs));
    EnterSession(state, actor);
    return Ok();
  }
  LockSession(state);
  return Ok();
}

void GoToPage(AppState& state, Page page) {
  state.page = page;
  state.detail.customerId = 0;
}

void OpenCustomer(AppState& state, int64_t customerId) {
  CustomerDetailState& detail = state.detail;
  if (detail.customerId != customerId) {
    detail = CustomerDetailState{};
    detail.customerId = customerId;
  }
  state.customers.list.highlightId = customerId;
}

// ---------------------------------------------------------------------------
// [SECTION] top bar and navigation

namespace {

bool MayOpen(const AppState& state, const PageSpec& page) { return !page.visible || page.visible(state); }

// The navigation's entries: the pages with a navigation id that the signed-in user may open.
std::vector<const PageSpec*> NavPages(const AppState& state) {
  std::vector<const PageSpec*> entries;
  for (const PageSpec& page : Pages()) {
    if (page.navId && MayOpen(state, page)) entries.push_back(&page);
  }
  return entries;
}

std::string NavLabel(const AppState& state, const PageSpec& entry) {
  std::string text = Tr(state.lang, entry.title);
  // Overdue follow-ups are counted on the agenda's entry, so they are never forgotten.
  if (entry.page == Page::Agenda && state.overdueCount > 0) text += "  (" + std::to_string(state.overdueCount) + ")";
  return text + "###" + entry.navId;
}

bool NavSelected(const AppState& state, Page page) { return state.page == page && !state.detail.customerId; }

void DrawTopBar(AppState& state) {
  const ImGuiStyle& style = ImGui::GetStyle();
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(Tr(state.lang, Str::AppTitle));
  auto buttonWidth = [&](const char* label) { return ImGui::CalcTextSize(label, nullptr, true).x + style.FramePadding.x * 2; };
  std::string lock = Label(state.lang, state.device.shared ? Str::SwitchUser : Str::Lock, "lock");
  std::string people = Label(state.lang, Str::PeopleAndDevice, "people");
  bool signedIn = state.screen == Screen::Home;
  // The right edge: who is signed in, lock, people, and the language switch (each language in its own script).
  std::string zh = Label(state.lang, Str::LangNameZh, "lang_zh");
  std::string en = Label(state.lang, Str::LangNameEn, "lang_en");
  float width = buttonWidth(zh.c_str()) + buttonWidth(en.c_str()) + style.ItemSpacing.x;
  if (signedIn) width += ImGui::CalcTextSize(state.userName.c_str()).x + buttonWidth(lock.c_str()) + buttonWidth(people.c_str()) +
                         style.ItemSpacing.x * 3;
  ImGui::SameLine(std::max(ImGui::GetCursorPosX() + style.ItemSpacing.x, ImGui::GetContentRegionMax().x - width));
  if (signedIn) {
    ImGui::AlignTextToFramePadding();
    DataText(state.userName);
    ImGui::SameLine();
    if (ImGui::Button(lock.c_str())) LockSession(state);
    ImGui::SameLine();
    if (ImGui::Button(people.c_str())) {
      state.people.open = true;
      state.people.idleSeconds = state.device.idleLockSeconds;
    }
    ImGui::SameLine();
  }
  if (ToggleButton(zh.c_str(), state.lang == Lang::Zh)) state.lang = Lang::Zh;
  ImGui::SameLine();
  if (ToggleButton(en.c_str(), state.lang == Lang::En)) state.lang = Lang::En;
}

// Laptop: a column of entries on the left, as wide as the longest.
void DrawSidebar(AppState& state, float height) {
  float width = ImGui::GetFontSize() * 7.5f;
  std::vector<const PageSpec*> entries = NavPages(state);
  for (const PageSpec* entry : entries) width = std::max(width, ImGui::CalcTextSize(NavLabel(state, *entry).c_str(), nullptr, true).x +
                                                                  ImGui::GetStyle().FramePadding.x * 3);
  // Flattened (here and in the page's children): Tab and the arrows go through the whole screen in order,
  // as they go through a web page, instead of stopping at each child window until Esc.
  ImGui::BeginChild("##nav", ImVec2(width, height), ImGuiChildFlags_None, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NavFlattened);
  for (const PageSpec* entry : entries) {
    std::string label = NavLabel(state, *entry);
    ImGui::PushStyleVar(ImGuiStyleVar_ButtonTextAlign, ImVec2(0.0f, 0.5f));
    bool pressed = NavSelected(state, entry->page) ? PrimaryButton(label.c_str(), ImVec2(-FLT_MIN, ImGui::GetFrameHeight() * 1.25f))
                                                   : ImGui::Button(label.c_str(), ImVec2(-FLT_MIN, ImGui::GetFrameHeight() * 1.25f));
    ImGui::PopStyleVar();
    if (pressed) GoToPage(state, entry->page);
  }
  ImGui::EndChild();
}

// Tablet: one row of equal tabs across the top, each a finger-sized target.
void DrawTabBar(AppState& state) {
  const ImGuiStyle& style = ImGui::GetStyle();
  std::vector<const PageSpec*> entries = NavPages(state);
  float count = static_cast<float>(entries.size());
  float width = (ImGui::GetContentRegionAvail().x - style.ItemSpacing.x * (count - 1)) / count;
  for (size_t i = 0; i < entries.size(); i++) {
    if (i) ImGui::SameLine();
    std::string label = NavLabel(state, *entries[i]);
    ImVec2 size(width, ImGui::GetFrameHeight());
    bool pressed = NavSelected(state, entries[i]->page) ? PrimaryButton(label.c_str(), size) : ImGui::Button(label.c_str(), size);
    if (pressed) GoToPage(state, entries[i]->page);
  }
}

void DrawTrialBanner(AppState& state) {
  if (!state.device.trial || state.screen != Screen::Home) return;
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(1.0f, 0.95f, 0.80f, 1.0f));
  ImGui::BeginChild("##trial_banner", ImVec2(0, 0), ImGuiChildFlags_AlwaysUseWindowPadding | ImGuiChildFlags_AutoResizeY,
                    ImGuiWindowFlags_NavFlattened);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(Tr(state.lang, Str::TrialBanner));
  ImGui::SameLine();
  ImGui::TextDisabled("%s", TrKey(state.lang, "unlock.trial_not_encrypted"));
  ImGui::SameLine();
  std::string convert = Label(state.lang, Str::ConvertTrial, "convert_trial");
  if (PrimaryButton(convert.c_str())) {
    state.signIn = SignInState{};
    state.signIn.step = SignInStep::Convert;
    state.signIn.focusField = true;
  }
  ImGui::EndChild();
  ImGui::PopStyleColor();
}

void DrawPage(AppState& state) {
  DrawStorageNotices(state);
  DrawTrialBanner(state);
  if (state.detail.customerId) {
    DrawCustomerDetail(state);
    return;
  }
  const PageSpec& page = PageSpecOf(state.page);
  if (page.titled) ImGui::SeparatorText(Tr(state.lang, page.title));
  page.draw(state);
}

void DrawSignedIn(AppState& state, float bodyHeight) {
  if (state.layout == Layout::Tablet) {
    DrawTabBar(state);
    ImGui::BeginChild("##page", ImVec2(0, bodyHeight - ImGui::GetFrameHeightWithSpacing()), ImGuiChildFlags_None,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NavFlattened);
  } else {
    DrawSidebar(state, bodyHeight);
    ImGui::SameLine();
    ImGui::BeginChild("##page", ImVec2(0, bodyHeight), ImGuiChildFlags_None,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NavFlattened);
  }
  DrawPage(state);
  ImGui::EndChild();
}

// Any input counts as activity: the idle lock measures from the last one.
void NoteActivity(AppState& state) {
  ImGuiIO& io = ImGui::GetIO();
  bool active = io.MouseDelta.x != 0 || io.MouseDelta.y != 0 || ImGui::IsAnyMouseDown() || io.MouseWheel != 0 ||
                io.InputQueueCharacters.Size > 0;
  for (int key = ImGuiKey_NamedKey_BEGIN; !active && key < ImGuiKey_NamedKey_END; key++) {
    if (ImGui::IsKeyDown(static_cast<ImGuiKey>(key))) active = true;
  }
  if (active || state.lastInputMs == 0) state.lastInputMs = state.nowMs;
}

void AutoLockIfIdle(AppState& state) {
  if (state.screen != Screen::Home || !state.device.shared) return;
  // A running import would stop with the session: the tablet waits for it before locking.
  if (state.import.job) return;
  if (state.nowMs - state.lastInputMs >= static_cast<int64_t>(state.device.idleLockSeconds) * 1000) LockSession(state);
}

// The text an input method is composing, drawn at the caret of the field it will land in,
// underlined as input methods show it, over everything else.
void DrawPreedit(AppState& state) {
  if (state.ime.preedit.empty() || !ImGui::GetIO().WantTextInput) return;
  NoteText(state.ime.preedit);
  ImDrawList* draw = ImGui::GetForegroundDrawList();
  ImVec2 size = ImGui::CalcTextSize(state.ime.preedit.c_str());
  ImVec2 at(state.ime.caret.x, state.ime.caret.y);
  float pad = ImGui::GetFontSize() * 0.15f;
  draw->AddRectFilled(ImVec2(at.x - pad, at.y - pad), ImVec2(at.x + size.x + pad, at.y + size.y + pad), IM_COL32(255, 255, 240, 255), 3);
  draw->AddRect(ImVec2(at.x - pad, at.y - pad), ImVec2(at.x + size.x + pad, at.y + size.y + pad), IM_COL32(120, 140, 180, 255), 3);
  draw->AddText(at, IM_COL32(20, 20, 30, 255), state.ime.preedit.c_str());
  draw->AddLine(ImVec2(at.x, at.y + size.y), ImVec2(at.x + size.x, at.y + size.y), IM_COL32(40, 80, 200, 255), 1.5f);
}

// The top bar sits at the top of the page window (one window, so Tab and Enter move through it and the
// page alike); the viewport's work area, where every dialog is placed, starts under it from the next
// frame, so no dialog covers who is signed in or the lock.
void DrawTopBarAndReserveIt(AppState& state) {
  DrawTopBar(state);
  ImGui::Separator();
  auto* viewport = static_cast<ImGuiViewportP*>(ImGui::GetMainViewport());
  viewport->BuildWorkOffsetMin.y += ImGui::GetCursorScreenPos().y - viewport->Pos.y;
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] the frame

bool WantsFrames(const AppState& state) {
  return state.import.job || state.import.exportJob || state.signIn.job || state.unlock.busy;
}

void DrawApp(AppState& state) {
  // Whatever was written since the last frame (a sync batch, an import step, a test's direct write).
  NoteDataChanges(state);
  if (state.db && NeedsLoad(state, state.countsLoaded, TableBits({"customers", "followups"}))) {
    if (auto refreshed = RefreshCounts(state); !refreshed) state.home.lastError = DescribeError(state.lang, refreshed.GetError());
  }
  NoteRestoredFromServer(state);
  NoteActivity(state);
  RunPinJob(state);
  AutoLockIfIdle(state);
  UpdateOfflineLock(state);
  // Away from the relay too long (sync/offline_lock.h): no page, dialog or shortcut shows a customer.
  const bool offlineLocked = OfflineLocked(state);
  bool home = state.screen == Screen::Home && state.db && state.signIn.step != SignInStep::Convert && !offlineLocked;
  if (home) {
    HandleShortcuts(state);
    RunImportExportJobs(state);
  }

  // The page fills the whole viewport; the work area (for dialogs) is what the top bar leaves.
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->Pos);
  ImGui::SetNextWindowSize(viewport->Size);
  ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                           ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
  ImGui::Begin("##app", nullptr, flags);
  ImGui::PopStyleVar();
  if (!state.fatalError.empty()) {
    ImGui::TextColored(ImVec4(0.85f, 0.2f, 0.2f, 1.0f), "%s", Tr(state.lang, Str::DatabaseError));
    ImGui::TextWrapped("%s", state.fatalError.c_str());
  } else if (state.storage.role != WriterRole::Starting && state.storage.role != WriterRole::Writer) {
    DrawStorageBlocked(state);
  } else if (state.screen == Screen::Unlock) {
    DrawTopBarAndReserveIt(state);  // the language switch: nothing else is open yet
    DrawUnlock(state);
  } else if (state.screen == Screen::Loading || !state.db) {
    ImGui::TextUnformatted(Tr(state.lang, Str::Loading));
  } else {
    DrawTopBarAndReserveIt(state);
    // Everything between the top bar and the status bar, which stays at the bottom whatever the page.
    float bodyHeight = ImGui::GetContentRegionAvail().y - StatusBarHeight(state) - ImGui::GetStyle().ItemSpacing.y;
    switch (state.screen) {
      case Screen::Welcome:
        ImGui::BeginChild("##welcome", ImVec2(0, bodyHeight), ImGuiChildFlags_None, ImGuiWindowFlags_NavFlattened);
        DrawStorageNotices(state);
        DrawWelcome(state);
        ImGui::SeparatorText(Tr(state.lang, Str::StorageUsage));
        DrawStoragePanel(state);  // a new device can start from a backup
        ImGui::EndChild();
        break;
      case Screen::Locked:
        ImGui::BeginChild("##locked", ImVec2(0, bodyHeight), ImGuiChildFlags_None, ImGuiWindowFlags_NavFlattened);
        DrawLocked(state);
        ImGui::EndChild();
        break;
      case Screen::Home:
        if (state.signIn.step == SignInStep::Convert) {
          ImGui::BeginChild("##convert", ImVec2(0, bodyHeight), ImGuiChildFlags_None, ImGuiWindowFlags_NavFlattened);
          DrawConvertTrial(state);
          ImGui::EndChild();
          break;
        }
        if (offlineLocked) {
          ImGui::BeginChild("##offline_lock", ImVec2(0, bodyHeight), ImGuiChildFlags_None, ImGuiWindowFlags_NavFlattened);
          DrawOfflineLock(state);
          ImGui::EndChild();
          break;
        }
        DrawSignedIn(state, bodyHeight);
        break;
      case Screen::Loading:
      case Screen::Unlock: break;
    }
    DrawStatusBar(state);
  }
  ImGui::End();
  if (state.screen == Screen::Home && state.db && !offlineLocked) {
    DrawCustomerForm(state);
    DrawVisitDialog(state);
    DrawMergeDialog(state);
    DrawPeople(state);
  }
  DrawPreedit(state);
  TouchDragScroll(state.touchScroll);
  ForgetVanishedFocus();
  DrawFocusRing();
}

}  // namespace crm::ui
