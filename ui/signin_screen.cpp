// [SECTION] index
//  - layout helpers (centred column, titles, big choices)
//  - new accounts, online sign-in, PIN jobs
//  - welcome, lock screen, trial conversion
//  - unlock (encrypted data) and wrapping the data key
#include "ui/signin_screen.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/demo_data.h"
#include "core/enums.h"
#include "core/validate.h"
#include "core/wipe.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/keyed_text.h"
#include "ui/labels.h"
#include "ui/widgets.h"
#include "sync/link.h"

namespace crm::ui {

namespace {

constexpr size_t kMaxNameChars = 50;

// A column of content centred on the screen, at most `width` font-heights wide.
void BeginCentredColumn(float widthInFonts) {
  float width = ImGui::GetFontSize() * widthInFonts;
  float avail = ImGui::GetContentRegionAvail().x;
  if (width < avail) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (avail - width) / 2);
  ImGui::BeginGroup();
  ImGui::PushItemWidth(std::min(width, avail));
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + std::min(width, avail));
}

void EndCentredColumn() {
  ImGui::PopTextWrapPos();
  ImGui::PopItemWidth();
  ImGui::EndGroup();
}

float ColumnWidth() { return ImGui::CalcItemWidth(); }

// A heading with a rule under it as wide as the column (SeparatorText would run to the window's edge).
void ColumnTitle(const char* text) {
  ImGui::TextUnformatted(text);
  ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::GetWindowDrawList()->AddLine(ImVec2(at.x, at.y), ImVec2(at.x + ColumnWidth(), at.y), ImGui::GetColorU32(ImGuiCol_Separator),
                                      std::max(1.0f, ImGui::GetFontSize() / 14.0f));
  ImGui::Dummy(ImVec2(ColumnWidth(), ImGui::GetStyle().ItemSpacing.y));
}

// A large, full-width choice with a line of explanation under it.
bool BigChoice(AppState& state, Str title, Str hint, const char* id, bool primary) {
  std::string label = std::string(Tr(state.lang, title)) + "###" + id;
  ImVec2 size(ColumnWidth(), ImGui::GetFrameHeight() * 1.8f);
  bool pressed = primary ? PrimaryButton(label.c_str(), size) : ImGui::Button(label.c_str(), size);
  ImGui::TextDisabled("%s", Tr(state.lang, hint));
  ImGui::Spacing();
  return pressed;
}

// While the device makes a person wait after wrong secrets, the field is closed and the wait counts down live.
bool CountDownWait(AppState& state, int64_t& waitUntil, std::string& secret, std::string& error, bool& focus) {
  if (waitUntil > state.nowMs) {
    char wait[128];
    std::snprintf(wait, sizeof wait, Tr(state.lang, Str::ErrWaitSeconds), static_cast<int>((waitUntil - state.nowMs + 999) / 1000));
    error = wait;
    secret.clear();
    return true;
  }
  if (waitUntil) {
    waitUntil = 0;
    error.clear();
    focus = true;
  }
  return false;
}

void GoTo(AppState& state, SignInStep step) {
  SignInState& s = state.signIn;
  s.step = step;
  s.pin.clear();
  s.pinAgain.clear();
  s.password.clear();
  s.nameError.clear();
  s.pinError.clear();
  s.pinAgainError.clear();
  s.formError.clear();
  s.focusField = true;
}

// Checks name and both PINs; errors land next to their fields.
bool ValidateNewAccountFields(AppState& state) {
  SignInState& s = state.signIn;
  s.nameError.clear();
  s.pinError.clear();
  s.pinAgainError.clear();
  s.formError.clear();
  if (auto name = CleanText(s.name, "name", kMaxNameChars, true); !name) s.nameError = DescribeError(state.lang, name.GetError());
  if (auto pin = ValidatePin(s.pin); !pin) s.pinError = DescribeError(state.lang, pin.GetError());
  else if (s.pin != s.pinAgain) s.pinAgainError = Tr(state.lang, Str::PinMismatch);
  return s.nameError.empty() && s.pinError.empty() && s.pinAgainError.empty();
}

void StartTrial(AppState& state) {
  SignInState& s = state.signIn;
  auto device = DeviceId(*state.db);
  if (!device) {
    s.formError = DescribeError(state.lang, device.GetError());
    return;
  }
  auto demo = SeedDemoOrganisation(*state.db, device.Value());
  if (!demo) {
    s.formError = DescribeError(state.lang, demo.GetError());
    return;
  }
  auto signedIn = MarkSignedIn(*state.db, demo.Value().owner.userId, state.nowMs);
  if (!signedIn) {
    s.formError = DescribeError(state.lang, signedIn.GetError());
    return;
  }
  EnterSession(state, signedIn.Value());
}

void DrawPinFields(AppState& state, bool again) {
  SignInState& s = state.signIn;
  FieldOptions pinOptions;
  pinOptions.flags = ImGuiInputTextFlags_Password | ImGuiInputTextFlags_CharsDecimal;
  TextField(Tr(state.lang, Str::Pin), "pin", s.pin, s.pinError, pinOptions);
  if (again) TextField(Tr(state.lang, Str::PinAgain), "pin_again", s.pinAgain, s.pinAgainError, pinOptions);
}

void DrawCreateAccount(AppState& state) {
  SignInState& s = state.signIn;
  ColumnTitle(Tr(state.lang, Str::CreateLocalAccount));
  FieldOptions nameOptions;
  nameOptions.focusRequest = &s.focusField;
  TextField(Tr(state.lang, Str::YourName), "account_name", s.name, s.nameError, nameOptions);
  DrawPinFields(state, true);
  ImGui::Spacing();
  bool busy = PinJobRunning(state);
  ImGui::BeginDisabled(busy);
  std::string create = std::string(Tr(state.lang, busy ? Str::Checking : Str::Create)) + "###create_account";
  if (PrimaryButton(create.c_str(), ImVec2(ColumnWidth(), ImGui::GetFrameHeight() * 1.5f)) && ValidateNewAccountFields(state)) {
    StartNewPinJob(state, PinJob::Purpose::NewAccount, s.pin);
  }
  std::string back = std::string(Tr(state.lang, Str::Back)) + "###back";
  if (ImGui::Button(back.c_str())) GoTo(state, SignInStep::Choose);
  ImGui::EndDisabled();
  if (!s.formError.empty()) ErrorText(s.formError);
}

void DrawOnline(AppState& state) {
  SignInState& s = state.signIn;
  ColumnTitle(Tr(state.lang, Str::SignInOnline));
  FieldOptions first;
  first.focusRequest = &s.focusField;
  TextField(Tr(state.lang, Str::ServerAddress), "server", s.server, "", first);
  TextField(Tr(state.lang, Str::AccountField), "online_account", s.account, s.nameError);
  FieldOptions secret;
  secret.flags = ImGuiInputTextFlags_Password;
  TextField(Tr(state.lang, Str::Password), "password", s.password, s.pinError, secret);
  ImGui::Spacing();
  std::string go = std::string(Tr(state.lang, Str::SignInOnline)) + "###online_submit";
  ImGui::BeginDisabled(s.onlineBusy);
  bool submit = PrimaryButton(go.c_str(), ImVec2(ColumnWidth(), ImGui::GetFrameHeight() * 1.5f));
  ImGui::EndDisabled();
  if (submit) {
    s.formError.clear();
    s.nameError = s.account.empty() ? Tr(state.lang, Str::ErrRequired) : "";
    s.pinError = s.password.empty() ? Tr(state.lang, Str::ErrRequired) : "";
    if (s.nameError.empty() && s.pinError.empty()) {
      if (state.requestOnlineSignIn) state.requestOnlineSignIn(OnlineSignInRequest{s.server, s.account, s.password});
      else s.formError = Tr(state.lang, Str::OnlineUnavailable);
    }
  }
  std::string back = std::string(Tr(state.lang, Str::Back)) + "###back";
  if (ImGui::Button(back.c_str())) GoTo(state, SignInStep::Choose);
  if (!s.formNotice.empty()) ImGui::TextDisabled("%s", s.formNotice.c_str());
  if (!s.formError.empty()) ErrorText(s.formError);
}

const char* RoleLabel(Lang lang, Role role) {
  switch (role) {
    case Role::Rep: return Tr(lang, Str::RoleRep);
    case Role::Supervisor: return Tr(lang, Str::RoleSupervisor);
    case Role::Leader: return Tr(lang, Str::RoleLeader);
    case Role::Store: return Tr(lang, Str::RoleStore);
    case Role::Admin: return Tr(lang, Str::RoleAdmin);
  }
  return "";
}

// When the device makes this person wait after wrong PINs (core keeps it with the account).
void ReadPinWait(AppState& state) {
  SignInState& s = state.signIn;
  auto account = GetDeviceAccount(*state.db, s.userId);
  s.pinWaitUntil = account ? account.Value().pinWaitUntil : 0;
}

// A refused PIN leaves the field empty: the next one is typed afresh, not appended to the old one.
void RefusePin(AppState& state, const Error& error) {
  SignInState& s = state.signIn;
  s.pin.clear();
  s.pinError = DescribeError(state.lang, error);
  s.focusField = true;
  ReadPinWait(state);
}

void PickUser(AppState& state, const DeviceAccount& account) {
  SignInState& s = state.signIn;
  s.userId = account.userId;
  s.name = account.name;
  if (!account.hasPin) {
    auto actor = SignInWithoutPin(*state.db, account.userId, state.nowMs);
    if (!actor) {
      s.formError = DescribeError(state.lang, actor.GetError());
      return;
    }
    EnterSession(state, actor.Value());
    return;
  }
  GoTo(state, SignInStep::EnterPin);
  ReadPinWait(state);
}

void SubmitPin(AppState& state) {
  SignInState& s = state.signIn;
  s.pinError.clear();
  auto check = BeginPinCheck(*state.db, s.userId, s.pin, state.nowMs);
  if (!check) {
    // The PIN step shows only the PIN field: every refusal (wrong, wait N seconds, …) goes under it.
    RefusePin(state, check.GetError());
    return;
  }
  s.job = PinJob{PinJob::Purpose::Verify, std::string(), std::move(check).Value(), state.nowMs};
}

bool IsInKeyring(const AppState& state, int64_t userId) {
  for (const DeviceKeyEntry& entry : state.unlock.keyring) {
    if (entry.userId == userId) return true;
  }
  return false;
}

void FinishJob(AppState& state) {
  SignInState& s = state.signIn;
  PinJob job = std::move(*s.job);
  s.job.reset();
  Db& db = *state.db;
  switch (job.purpose) {
    case PinJob::Purpose::Verify: {
      auto actor = FinishPinCheck(db, job.check, state.nowMs);
      std::string pin = std::move(s.pin);
      s.pin.clear();
      if (!actor) {
        RefusePin(state, actor.GetError());
        return;
      }
      s.lastSwitchMs = static_cast<double>(state.nowMs - job.startedMs);
      // A person of a device saved before encryption (or added before it) gets their wrap at their next PIN.
      if (!IsInKeyring(state, actor.Value().userId)) ProtectDeviceFor(state, actor.Value().userId, DeviceKeyKind::Pin, pin);
      EnterSession(state, actor.Value());
      return;
    }
    case PinJob::Purpose::NewAccount: {
      auto actor = CreateLocalAccount(db, s.name, MakePinRecord(job.salt, job.check.kdf));
      if (!actor) {
        ShowError(state.lang, actor.GetError(), {{"name", &s.nameError}, {"pin", &s.pinError}}, s.formError);
        return;
      }
      ProtectDeviceFor(state, actor.Value().userId, DeviceKeyKind::Pin, s.pin);
      EnterSession(state, actor.Value());
      return;
    }
    case PinJob::Purpose::Convert: {
      auto actor = ConvertTrialToAccount(db, s.name, MakePinRecord(job.salt, job.check.kdf), s.keepDemo);
      if (!actor) {
        ShowError(state.lang, actor.GetError(), {{"name", &s.nameError}, {"pin", &s.pinError}}, s.formError);
        return;
      }
      auto settings = GetDeviceSettings(db);
      if (settings) state.device = settings.Value();
      ProtectDeviceFor(state, actor.Value().userId, DeviceKeyKind::Pin, s.pin);
      EnterSession(state, actor.Value());
      return;
    }
    case PinJob::Purpose::NewUser: {
      PeopleScreenState& people = state.people;
      auto added = AddDeviceUser(db, people.name, s.newUserRole, MakePinRecord(job.salt, job.check.kdf), state.actor);
      if (!added) {
        // The add-user form has no line of its own for other errors; they go under the name.
        ShowError(state.lang, added.GetError(), {{"name", &people.nameError}, {"pin", &people.pinError}}, people.nameError);
        return;
      }
      ProtectDeviceFor(state, added.Value(), DeviceKeyKind::Pin, people.pin);
      people.message = std::string(Tr(state.lang, Str::Created)) + ": " + people.name;
      people.name.clear();
      people.pin.clear();
      RefreshAccounts(state);
      AfterCommit(state);
      return;
    }
  }
}

}  // namespace

bool PinJobRunning(const AppState& state) { return state.signIn.job.has_value(); }

void StartNewPinJob(AppState& state, PinJob::Purpose purpose, const std::string& pin) {
  std::string salt = NewPinSalt();
  state.signIn.job = PinJob{purpose, salt, PinCheck{0, std::string(), Pbkdf2Sha256(pin, salt, kPinIterations)}, state.nowMs};
}

void RunPinJob(AppState& state) {
  if (!state.signIn.job || !state.db) return;
  // About 12 ms of hashing per frame: the frame stays far below 50 ms and a check takes a few frames.
  auto started = std::chrono::steady_clock::now();
  Pbkdf2Sha256& kdf = state.signIn.job->check.kdf;
  while (!kdf.Done()) {
    kdf.Step(500);
    if (std::chrono::steady_clock::now() - started > std::chrono::milliseconds(12)) break;
  }
  if (kdf.Done()) FinishJob(state);
}

void RefreshAccounts(AppState& state) {
  if (!state.db) return;
  auto accounts = ListDeviceAccounts(*state.db);
  if (accounts) state.signIn.accounts = std::move(accounts).Value();
  else state.signIn.formError = DescribeError(state.lang, accounts.GetError());
}

// Shown until closed; kept in the database, so it is there again after a reload.
void DrawWipedNotice(AppState& state) {
  SignInState& s = state.signIn;
  if (!s.wipedNotice) return;
  WarningText(TrKey(state.lang, "device_wipe.notice"));
  if (ImGui::Button(TrKey(state.lang, "device_wipe.close"))) {
    if (Status dismissed = DismissWipeNotice(*state.db); !dismissed) {
      s.formError = DescribeError(state.lang, dismissed.GetError());
    } else {
      s.wipedNotice = false;
      if (state.requestPersist) state.requestPersist();
    }
  }
  ImGui::Spacing();
}

void DrawWelcome(AppState& state) {
  SignInState& s = state.signIn;
  ImGui::Spacing();
  BeginCentredColumn(26);
  DrawWipedNotice(state);
  switch (s.step) {
    case SignInStep::CreateAccount: DrawCreateAccount(state); break;
    case SignInStep::Online: DrawOnline(state); break;
    default: {
      ColumnTitle(Tr(state.lang, Str::WelcomeTitle));
      ImGui::TextWrapped("%s", Tr(state.lang, Str::WelcomeIntro));
      ImGui::Spacing();
      if (BigChoice(state, Str::StartTrial, Str::StartTrialHint, "start_trial", true)) StartTrial(state);
      if (BigChoice(state, Str::CreateLocalAccount, Str::CreateLocalAccountHint, "create_local", false)) {
        GoTo(state, SignInStep::CreateAccount);
      }
      if (BigChoice(state, Str::SignInOnline, Str::SignInOnlineHint, "sign_in_online", false)) GoTo(state, SignInStep::Online);
      if (!s.formError.empty()) ErrorText(s.formError);
    }
  }
  EndCentredColumn();
}

void DrawLocked(AppState& state) {
  SignInState& s = state.signIn;
  ImGui::Spacing();
  BeginCentredColumn(24);
  if (s.step == SignInStep::Online) {
    DrawOnline(state);
  } else if (s.step == SignInStep::EnterPin) {
    ColumnTitle(Tr(state.lang, Str::EnterPin));
    NoteText(s.name);
    ImGui::TextUnformatted(s.name.c_str());
    FieldOptions pinOptions;
    pinOptions.flags = ImGuiInputTextFlags_Password | ImGuiInputTextFlags_CharsDecimal | ImGuiInputTextFlags_EnterReturnsTrue;
    pinOptions.focusRequest = &s.focusField;
    bool busy = PinJobRunning(state);
    const bool waiting = CountDownWait(state, s.pinWaitUntil, s.pin, s.pinError, s.focusField);
    ImGui::BeginDisabled(busy || waiting);
    bool entered = TextField(Tr(state.lang, Str::Pin), "pin", s.pin, s.pinError, pinOptions);
    std::string unlock = std::string(Tr(state.lang, busy ? Str::Checking : Str::Unlock)) + "###unlock";
    if (PrimaryButton(unlock.c_str(), ImVec2(ColumnWidth(), ImGui::GetFrameHeight() * 1.5f)) || entered) SubmitPin(state);
    std::string back = std::string(Tr(state.lang, Str::Back)) + "###back";
    if (ImGui::Button(back.c_str())) GoTo(state, SignInStep::PickUser);
    ImGui::EndDisabled();
  } else {
    ColumnTitle(Tr(state.lang, Str::WhoIsUsing));
    for (const DeviceAccount& account : s.accounts) {
      NoteText(account.name);
      std::string label = account.name + "  ·  " + RoleLabel(state.lang, account.role) + "###user:" + account.name;
      if (ImGui::Button(label.c_str(), ImVec2(ColumnWidth(), ImGui::GetFrameHeight() * 1.6f))) {
        PickUser(state, account);
        break;
      }
    }
    // A person new to this shared device signs in with their own company account: the relay takes their
    // changes only with their own sign-in, so each person enrols once on the device.
    ImGui::Spacing();
    std::string online = std::string(Tr(state.lang, Str::SignInOnline)) + "###sign_in_online";
    if (ImGui::Button(online.c_str(), ImVec2(ColumnWidth(), 0))) GoTo(state, SignInStep::Online);
  }
  if (!s.formError.empty()) ErrorText(s.formError);
  EndCentredColumn();
}

void DrawConvertTrial(AppState& state) {
  SignInState& s = state.signIn;
  BeginCentredColumn(26);
  ColumnTitle(Tr(state.lang, Str::ConvertTitle));
  FieldOptions nameOptions;
  nameOptions.focusRequest = &s.focusField;
  TextField(Tr(state.lang, Str::YourName), "account_name", s.name, s.nameError, nameOptions);
  DrawPinFields(state, true);
  std::string keep = std::string(Tr(state.lang, Str::KeepDemo)) + "###keep_demo";
  std::string drop = std::string(Tr(state.lang, Str::DropDemo)) + "###drop_demo";
  if (ImGui::RadioButton(keep.c_str(), s.keepDemo)) s.keepDemo = true;
  if (ImGui::RadioButton(drop.c_str(), !s.keepDemo)) s.keepDemo = false;
  ImGui::Spacing();
  bool busy = PinJobRunning(state);
  ImGui::BeginDisabled(busy);
  std::string create = std::string(Tr(state.lang, busy ? Str::Checking : Str::Create)) + "###convert_submit";
  if (PrimaryButton(create.c_str(), ImVec2(ColumnWidth(), ImGui::GetFrameHeight() * 1.5f)) && ValidateNewAccountFields(state)) {
    StartNewPinJob(state, PinJob::Purpose::Convert, s.pin);
  }
  std::string cancel = std::string(Tr(state.lang, Str::Cancel)) + "###convert_cancel";
  if (ImGui::Button(cancel.c_str()) || (!busy && ImGui::IsKeyPressed(ImGuiKey_Escape, false))) GoTo(state, SignInStep::Choose);
  ImGui::EndDisabled();
  if (!s.formError.empty()) ErrorText(s.formError);
  EndCentredColumn();
}

std::string OnlineSignInErrorText(Lang lang, const Error& error) {
  switch (error.problem) {
    case Problem::RelaySignIn: return Tr(lang, Str::WrongAccountOrPassword);
    case Problem::DeviceRevoked: return TrKey(lang, "device_wipe.sign_in_refused");
    default: return DescribeError(lang, error);
  }
}

// ---------------------------------------------------------------------------
// [SECTION] unlock (encrypted data) and wrapping the data key

const char* Code(DeviceKeyKind kind) { return kind == DeviceKeyKind::Password ? "password" : "pin"; }

void ProtectDeviceFor(AppState& state, int64_t userId, DeviceKeyKind kind, const std::string& secret) {
  UnlockState& unlock = state.unlock;
  if (!unlock.protect || !state.db || state.device.trial || secret.empty()) return;
  if (kind == DeviceKeyKind::Pin) {
    auto link = sync::LoadLink(*state.db);
    if (!link || link.Value()) return;
  }
  auto user = GetUser(*state.db, userId);
  DeviceKeyEntry entry{userId, user ? user.Value().name : std::string(), user ? user.Value().role : Role::Rep, kind};
  unlock.protect(entry, secret);
  for (DeviceKeyEntry& known : unlock.keyring) {
    if (known.userId == userId) {
      known = entry;
      return;
    }
  }
  unlock.keyring.push_back(entry);
}

void UnlockRefused(AppState& state, int64_t waitUntil) {
  UnlockState& u = state.unlock;
  u.busy = false;
  u.secret.clear();
  u.waitUntil = waitUntil;
  u.focusField = true;
  bool password = false;
  for (const DeviceKeyEntry& entry : u.keyring) {
    if (entry.userId == u.userId) password = entry.kind == DeviceKeyKind::Password;
  }
  // (A wait is worded by the countdown itself.)
  u.secretError = password ? TrKey(state.lang, "unlock.wrong_password") : Tr(state.lang, Str::ErrWrongPin);
}

void DrawUnlock(AppState& state) {
  UnlockState& u = state.unlock;
  ImGui::Spacing();
  BeginCentredColumn(24);
  ColumnTitle(TrKey(state.lang, "unlock.title"));
  const DeviceKeyEntry* picked = nullptr;
  for (const DeviceKeyEntry& entry : u.keyring) {
    if (entry.userId == u.userId) picked = &entry;
  }
  ImGui::TextWrapped("%s", TrKey(state.lang, "unlock.intro"));
  ImGui::Spacing();
  if (!picked) {
    for (const DeviceKeyEntry& entry : u.keyring) {
      NoteText(entry.name);
      std::string label = entry.name + "  ·  " + RoleLabel(state.lang, entry.role) + "###unlock_user:" + entry.name;
      if (ImGui::Button(label.c_str(), ImVec2(ColumnWidth(), ImGui::GetFrameHeight() * 1.6f))) {
        u.userId = entry.userId;
        u.secret.clear();
        u.secretError.clear();
        u.waitUntil = 0;
        u.focusField = true;
        break;
      }
    }
  } else {
    NoteText(picked->name);
    ImGui::TextUnformatted(picked->name.c_str());
    bool password = picked->kind == DeviceKeyKind::Password;
    FieldOptions options;
    options.flags = ImGuiInputTextFlags_Password | ImGuiInputTextFlags_EnterReturnsTrue;
    if (!password) options.flags |= ImGuiInputTextFlags_CharsDecimal;
    options.focusRequest = &u.focusField;
    bool waiting = CountDownWait(state, u.waitUntil, u.secret, u.secretError, u.focusField);
    ImGui::BeginDisabled(u.busy || waiting);
    bool entered = TextField(Tr(state.lang, password ? Str::Password : Str::Pin), "unlock_secret", u.secret, u.secretError, options);
    std::string unlock = std::string(Tr(state.lang, u.busy ? Str::Checking : Str::Unlock)) + "###unlock_submit";
    if (PrimaryButton(unlock.c_str(), ImVec2(ColumnWidth(), ImGui::GetFrameHeight() * 1.5f)) || entered) {
      u.secretError.clear();
      if (u.secret.empty()) {
        u.secretError = Tr(state.lang, Str::ErrRequired);
      } else if (u.tryUnlock) {
        u.busy = true;
        u.tryUnlock(picked->userId, u.secret);
      }
    }
    if (password) ImGui::TextDisabled("%s", TrKey(state.lang, "unlock.password_hint"));
    std::string back = std::string(Tr(state.lang, Str::Back)) + "###back";
    if (ImGui::Button(back.c_str())) {
      u.userId = 0;
      u.secret.clear();
      u.secretError.clear();
    }
    ImGui::EndDisabled();
  }
  EndCentredColumn();
}

}  // namespace crm::ui
