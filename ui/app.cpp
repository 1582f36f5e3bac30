#include <algorithm>

#include "core/org.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "ui/app_state.h"
#include "ui/widgets.h"

namespace crm::ui {

Status RefreshCounts(AppState& state) {
  if (!state.db) return Ok();
  CRM_ASSIGN_OR_RETURN(state.customerCount, CountCustomers(*state.db));
  return Ok();
}

const char* ScreenName(Screen screen) {
  switch (screen) {
    case Screen::Loading: return "loading";
    case Screen::Welcome: return "welcome";
    case Screen::Locked: return "locked";
    case Screen::Home: return "home";
  }
  return "unknown";
}

const char* SaveStateName(SaveState saveState) {
  switch (saveState) {
    case SaveState::Saved: return "saved";
    case SaveState::Saving: return "saving";
    case SaveState::Unsaved: return "unsaved";
    case SaveState::Failed: return "failed";
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
  style.GrabRounding = 5;
  style.WindowRounding = tablet ? 8 : 4;
  style.ScrollbarSize = tablet ? 10 : 16;  // a finger drags the list itself; the bar only shows where you are
  style.GrabMinSize = tablet ? 24 : 12;
  style.TouchExtraPadding = tablet ? ImVec2(4, 4) : ImVec2(0, 0);
  style.Colors[ImGuiCol_WindowBg] = ImVec4(0.97f, 0.97f, 0.98f, 1.0f);
  style.Colors[ImGuiCol_Button] = ImVec4(0.88f, 0.91f, 0.96f, 1.0f);
  style.Colors[ImGuiCol_ButtonHovered] = tablet ? style.Colors[ImGuiCol_Button] : ImVec4(0.78f, 0.85f, 0.96f, 1.0f);
  style.Colors[ImGuiCol_ButtonActive] = ImVec4(0.66f, 0.77f, 0.94f, 1.0f);
  style.Colors[ImGuiCol_Text] = ImVec4(0.12f, 0.13f, 0.15f, 1.0f);
  style.ScaleAllSizes(pixelRatio);
  ImGui::GetStyle() = style;
}

void AfterCommit(AppState& state) {
  if (auto refreshed = RefreshCounts(state); !refreshed) state.home.lastError = refreshed.Message();
  state.customers.stale = true;
  if (state.requestPersist) state.requestPersist();
}

void EnterSession(AppState& state, const Actor& actor) {
  state.actor = actor;
  state.userName.clear();
  if (state.db) {
    if (auto user = GetUser(*state.db, actor.userId)) state.userName = user.Value().name;
    // Signing in may have changed the device (a trial started or ended).
    if (auto settings = GetDeviceSettings(*state.db)) state.device = settings.Value();
  }
  // Nothing typed for the previous person survives into the next one's session.
  double lastSwitchMs = state.signIn.lastSwitchMs;
  state.signIn = SignInState{};
  state.signIn.lastSwitchMs = lastSwitchMs;
  state.customers = CustomersScreenState{};
  state.people.open = false;
  state.lastInputMs = state.nowMs;
  state.screen = Screen::Home;
  RefreshAccounts(state);
  AfterCommit(state);  // the sign-in itself was written (last_sign_in_at)
}

void LockSession(AppState& state) {
  state.actor = Actor{};
  state.userName.clear();
  state.customers = CustomersScreenState{};
  state.people.open = false;
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

namespace {

void DrawStatusBar(AppState& state) {
  Str text = Str::StorageSaved;
  ImVec4 color(0.25f, 0.6f, 0.3f, 1.0f);
  switch (state.saveState) {
    case SaveState::Saved: break;
    case SaveState::Saving: text = Str::StorageSaving; color = ImVec4(0.8f, 0.6f, 0.1f, 1.0f); break;
    case SaveState::Unsaved: text = Str::StorageUnsaved; color = ImVec4(0.8f, 0.6f, 0.1f, 1.0f); break;
    case SaveState::Failed: text = Str::StorageFailed; color = ImVec4(0.85f, 0.2f, 0.2f, 1.0f); break;
  }
  ImGui::AlignTextToFramePadding();
  ImGui::TextColored(color, "%s", Tr(state.lang, text));
  if (state.saveState == SaveState::Failed && !state.saveError.empty()) {
    ImGui::SameLine();
    ImGui::TextWrapped("%s", state.saveError.c_str());
  }
  const ImGuiStyle& style = ImGui::GetStyle();
  auto buttonWidth = [&](const char* label) { return ImGui::CalcTextSize(label, nullptr, true).x + style.FramePadding.x * 2; };
  std::string lock = std::string(Tr(state.lang, state.device.shared ? Str::SwitchUser : Str::Lock)) + "###lock";
  std::string people = std::string(Tr(state.lang, Str::PeopleAndDevice)) + "###people";
  bool signedIn = state.screen == Screen::Home;
  // The right edge: who is signed in, lock, people, and the language switch (each language in its own script).
  std::string zh = std::string(Tr(state.lang, Str::LangNameZh)) + "###lang_zh";
  std::string en = std::string(Tr(state.lang, Str::LangNameEn)) + "###lang_en";
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

void DrawTrialBanner(AppState& state) {
  if (!state.device.trial || state.screen != Screen::Home) return;
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(1.0f, 0.95f, 0.80f, 1.0f));
  ImGui::BeginChild("##trial_banner", ImVec2(0, 0), ImGuiChildFlags_AlwaysUseWindowPadding | ImGuiChildFlags_AutoResizeY);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(Tr(state.lang, Str::TrialBanner));
  ImGui::SameLine();
  std::string convert = std::string(Tr(state.lang, Str::ConvertTrial)) + "###convert_trial";
  if (PrimaryButton(convert.c_str())) {
    state.signIn = SignInState{};
    state.signIn.step = SignInStep::Convert;
    state.signIn.focusField = true;
  }
  ImGui::EndChild();
  ImGui::PopStyleColor();
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

}  // namespace

void DrawApp(AppState& state) {
  NoteActivity(state);
  RunPinJob(state);
  AutoLockIfIdle(state);
  if (state.screen == Screen::Home) HandleCustomerShortcuts(state);

  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
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
  } else if (state.screen == Screen::Loading || !state.db) {
    ImGui::TextUnformatted(Tr(state.lang, Str::Loading));
  } else {
    DrawStatusBar(state);
    ImGui::Separator();
    switch (state.screen) {
      case Screen::Welcome:
        DrawWelcome(state);
        DrawStoragePanel(state);  // a new device can start from a backup
        break;
      case Screen::Locked: DrawLocked(state); break;
      case Screen::Home:
        if (state.signIn.step == SignInStep::Convert) {
          DrawConvertTrial(state);
          break;
        }
        DrawTrialBanner(state);
        DrawStoragePanel(state);  // storage use, backup, update offer: above the list, never scrolled away
        DrawHome(state);
        DrawCustomers(state);
        DrawPeople(state);
        break;
      case Screen::Loading: break;
    }
  }
  ImGui::End();
  DrawPreedit(state);
}

}  // namespace crm::ui
