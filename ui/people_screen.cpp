#include "ui/people_screen.h"

#include <algorithm>

#include "core/org.h"
#include "core/validate.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/refusals.h"
#include "ui/widgets.h"

namespace crm::ui {

namespace {
constexpr Role kRoles[] = {Role::Rep, Role::Store, Role::Supervisor, Role::Leader, Role::Admin};
constexpr Str kRoleLabels[] = {Str::RoleRep, Str::RoleStore, Str::RoleSupervisor, Str::RoleLeader, Str::RoleAdmin};

const char* RoleText(Lang lang, Role role) {
  for (size_t i = 0; i < std::size(kRoles); i++) {
    if (kRoles[i] == role) return Tr(lang, kRoleLabels[i]);
  }
  return "";
}

void SaveSettings(AppState& state) {
  PeopleScreenState& people = state.people;
  DeviceSettings settings = state.device;
  settings.idleLockSeconds = people.idleSeconds;
  auto saved = SaveDeviceSettings(*state.db, settings);
  if (!saved) {
    people.settingsError = DescribeError(state.lang, saved.GetError());
    return;
  }
  people.settingsError.clear();
  state.device = settings;
  if (state.requestPersist) state.requestPersist();
}

void DrawAddUser(AppState& state) {
  PeopleScreenState& people = state.people;
  ImGui::SeparatorText(Tr(state.lang, Str::AddUser));
  TextField(Tr(state.lang, Str::PersonName), "new_user_name", people.name, people.nameError);
  ImGui::TextUnformatted(Tr(state.lang, Str::Role));
  const char* labels[std::size(kRoles)];
  std::string ids[std::size(kRoles)];
  const char* idPointers[std::size(kRoles)];
  for (size_t i = 0; i < std::size(kRoles); i++) {
    labels[i] = Tr(state.lang, kRoleLabels[i]);
    ids[i] = std::string("role_") + Code(kRoles[i]);
    idPointers[i] = ids[i].c_str();
  }
  int clicked = ChoiceButtons(labels, idPointers, static_cast<int>(std::size(kRoles)), people.role);
  if (clicked >= 0) people.role = clicked;
  FieldOptions pinOptions;
  pinOptions.flags = ImGuiInputTextFlags_Password | ImGuiInputTextFlags_CharsDecimal;
  TextField(Tr(state.lang, Str::Pin), "new_user_pin", people.pin, people.pinError, pinOptions);
  bool busy = PinJobRunning(state);
  ImGui::BeginDisabled(busy);
  std::string add = std::string(Tr(state.lang, busy ? Str::Checking : Str::AddUser)) + "###add_user";
  // Adding a person is an admin's (core's CreateUser refuses others): the button says so before the PIN is typed.
  if (ActionButton(add.c_str(), RefusalText(state.lang, CheckCanAdminister(state.me)), /*primary=*/true)) {
    people.nameError.clear();
    people.pinError.clear();
    people.message.clear();
    if (auto name = CleanText(people.name, "name", 50, true); !name) people.nameError = DescribeError(state.lang, name.GetError());
    if (auto pin = ValidatePin(people.pin); !pin) people.pinError = DescribeError(state.lang, pin.GetError());
    if (people.nameError.empty() && people.pinError.empty()) {
      state.signIn.newUserRole = kRoles[std::clamp(people.role, 0, static_cast<int>(std::size(kRoles)) - 1)];
      StartNewPinJob(state, PinJob::Purpose::NewUser, people.pin);
    }
  }
  ImGui::EndDisabled();
  if (!people.message.empty()) ImGui::TextColored(ImVec4(0.2f, 0.55f, 0.3f, 1), "%s", people.message.c_str());
}


void DrawDevice(AppState& state) {
  PeopleScreenState& people = state.people;
  ImGui::SeparatorText(Tr(state.lang, Str::ThisDevice));
  bool shared = state.device.shared;
  std::string sharedLabel = std::string(Tr(state.lang, Str::SharedTablet)) + "###shared";
  if (ImGui::Checkbox(sharedLabel.c_str(), &shared)) {
    state.device.shared = shared;
    SaveSettings(state);
  }
  ImGui::TextUnformatted(Tr(state.lang, Str::IdleLock));
  // Room for a few digits besides the − and + buttons, so a finger can tap into the number too.
  ImGui::SetNextItemWidth(NumberFieldWidth(ImGui::GetFontSize() * 5));
  if (ImGui::InputInt("##idle_lock", &people.idleSeconds, 15, 60)) SaveSettings(state);
  if (!people.settingsError.empty()) ErrorText(people.settingsError);

  ImGui::SeparatorText(Tr(state.lang, Str::Layout));
  const char* labels[] = {Tr(state.lang, Str::LayoutAuto), Tr(state.lang, Str::LayoutLaptop), Tr(state.lang, Str::LayoutTablet)};
  const char* ids[] = {"layout_auto", "layout_laptop", "layout_tablet"};
  int selected = state.layoutAuto ? 0 : state.layout == Layout::Laptop ? 1 : 2;
  int clicked = ChoiceButtons(labels, ids, static_cast<int>(std::size(ids)), selected);
  if (clicked >= 0) {
    state.layoutAuto = clicked == 0;
    if (clicked == 1) state.layout = Layout::Laptop;
    if (clicked == 2) state.layout = Layout::Tablet;
  }
}
}  // namespace

void DrawPeople(AppState& state) {
  PeopleScreenState& people = state.people;
  if (!people.open) return;
  bool open = true;
  bool tablet = state.layout == Layout::Tablet;
  std::string title = std::string(Tr(state.lang, Str::PeopleAndDevice)) + "###people_window";
  if (BeginDialog(title, tablet ? nullptr : &open, 34, 0.85f)) {
    // The lists and settings scroll; Close stays under them, always in reach.
    BeginDialogBody("##people_body", DialogFooterHeight());
    ImGui::SeparatorText(Tr(state.lang, Str::UsersOnDevice));
    for (const DeviceAccount& account : state.signIn.accounts) {
      DataText(account.name);
      ImGui::SameLine();
      ImGui::TextDisabled("%s · %s", RoleText(state.lang, account.role), Tr(state.lang, account.hasPin ? Str::PinSet : Str::NoPin));
    }
    DrawAddUser(state);
    DrawDevice(state);
    EndDialogBody();
    ImGui::Spacing();
    std::string close = std::string(Tr(state.lang, Str::Close)) + "###people_close";
    if (ImGui::Button(close.c_str())) open = false;
  }
  EndDialog();
  if (!open || (!ImGui::GetIO().WantTextInput && EscapePressed())) people.open = false;
}

}  // namespace crm::ui
