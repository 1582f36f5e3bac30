#include "ui/settings_screen.h"

#include <algorithm>
#include <cstdio>

#include "core/followups.h"
#include "core/org.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/keyed_text.h"
#include "ui/labels.h"
#include "ui/refusals.h"
#include "ui/widgets.h"

namespace crm::ui {

// [SECTION] follow-up rules and the pool
// [SECTION] custom fields
// [SECTION] users and teams
// [SECTION] the screen

namespace {

constexpr const char* kIntervalKeys[] = {kSettingIntervalA, kSettingIntervalB, kSettingIntervalC, kSettingIntervalD};

void Load(AppState& state) {
  SettingsScreenState& s = state.settings;
  if (!NeedsLoad(state, s.loaded, PageReads(Page::Settings))) return;
  Db& db = *state.db;
  for (int i = 0; i < 4; i++) s.intervals[i] = static_cast<int>(GetSettingInt(db, kIntervalKeys[i]).ValueOr(s.intervals[i]));
  s.poolDays = static_cast<int>(GetSettingInt(db, kSettingPoolDays).ValueOr(s.poolDays));
  s.protectDays = static_cast<int>(GetSettingInt(db, kSettingClaimProtectDays).ValueOr(s.protectDays));
  s.repSeesTeam = GetSettingInt(db, kSettingRepSeesTeam).ValueOr(0) != 0;
  s.offlineLockDays = static_cast<int>(GetSettingInt(db, kSettingOfflineLockDays).ValueOr(0));
  if (auto fields = ListCustomFields(db)) s.fields = std::move(fields).Value();
}

// ---------------------------------------------------------------------------
// [SECTION] follow-up rules and the pool

bool DaysField(const char* label, const char* id, int& value) {
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(label);
  ImGui::SameLine(ImGui::GetFontSize() * 12);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  std::string widget = std::string("##") + id;
  bool changed = ImGui::InputInt(widget.c_str(), &value, 1, 7);
  value = std::clamp(value, 0, 3650);
  return changed;
}

void SaveRules(AppState& state) {
  SettingsScreenState& s = state.settings;
  s.rulesError.clear();
  s.rulesMessage.clear();
  s.offlineLockError.clear();
  // A wrong number of days is said next to its field, and nothing is saved.
  if (Status lockDays = CheckSettingInt(kSettingOfflineLockDays, s.offlineLockDays); !lockDays) {
    s.offlineLockError = DescribeError(state.lang, lockDays.GetError());
    return;
  }
  Db& db = *state.db;
  Status saved = Ok();
  for (int i = 0; i < 4 && saved; i++) saved = SetSettingInt(db, kIntervalKeys[i], s.intervals[i], state.actor);
  if (saved) saved = SetSettingInt(db, kSettingPoolDays, s.poolDays, state.actor);
  if (saved) saved = SetSettingInt(db, kSettingClaimProtectDays, s.protectDays, state.actor);
  if (saved) saved = SetSettingInt(db, kSettingRepSeesTeam, s.repSeesTeam ? 1 : 0, state.actor);
  if (saved) saved = SetSettingInt(db, kSettingOfflineLockDays, s.offlineLockDays, state.actor);
  if (saved) {
    s.rulesMessage = Tr(state.lang, Str::RulesSaved);
  } else {
    s.rulesError = DescribeError(state.lang, saved.GetError());
  }
  AfterCommit(state);  // also re-reads what is stored, when a later setting was refused
}

void DrawRules(AppState& state) {
  SettingsScreenState& s = state.settings;
  Lang lang = state.lang;
  ImGui::TextWrapped("%s", Tr(lang, Str::RulesIntro));
  const Str labels[] = {Str::IntervalA, Str::IntervalB, Str::IntervalC, Str::IntervalD};
  const char* ids[] = {"interval_a", "interval_b", "interval_c", "interval_d"};
  for (int i = 0; i < 4; i++) DaysField(Tr(lang, labels[i]), ids[i], s.intervals[i]);
  ImGui::Spacing();
  DaysField(Tr(lang, Str::PoolDays), "pool_days", s.poolDays);
  DaysField(Tr(lang, Str::ProtectDays), "protect_days", s.protectDays);
  ImGui::Spacing();
  std::string seesTeam = std::string(TrKey(lang, "scope.rep_sees_team")) + "##rep_sees_team";
  ImGui::Checkbox(seesTeam.c_str(), &s.repSeesTeam);
  HintText(TrKey(lang, "scope.rep_sees_team_hint"));
  ImGui::Spacing();
  DaysField(TrKey(lang, "offline_lock.days"), "offline_lock_days", s.offlineLockDays);
  if (!s.offlineLockError.empty()) ErrorText(s.offlineLockError);
  HintText(TrKey(lang, "offline_lock.days_hint"));
  ImGui::Spacing();
  std::string save = Label(lang, Str::SaveRules, "save_rules");
  if (ActionButton(save.c_str(), RefusalText(lang, CheckCanChangeSettings(state.me)), /*primary=*/true)) SaveRules(state);
  if (!s.rulesError.empty()) ErrorText(s.rulesError);
  if (!s.rulesMessage.empty()) SuccessText(s.rulesMessage);
}

// ---------------------------------------------------------------------------
// [SECTION] custom fields

void DrawCustomFields(AppState& state) {
  SettingsScreenState& s = state.settings;
  Lang lang = state.lang;
  if (s.fields.empty()) ImGui::TextDisabled("%s", Tr(lang, Str::NoCustomFields));
  for (const CustomField& field : s.fields) {
    std::string line = field.label + "  ·  " + field.key + "  ·  " + LabelOf(lang, field.type);
    if (field.type == FieldType::Choice) {
      std::string choices;
      for (const std::string& c : field.choices) choices += (choices.empty() ? "" : "、") + c;
      line += " (" + choices + ")";
    }
    if (field.required) line += "  ·  " + std::string(Tr(lang, Str::Required));
    DataText(line);
  }
  ImGui::SeparatorText(Tr(lang, Str::AddCustomField));
  const std::string refusal = RefusalText(lang, CheckCanAdminister(state.me));
  TextField(Tr(lang, Str::FieldLabel), "field_label", s.fieldLabel, s.fieldLabelError);
  FieldOptions keyOptions;
  keyOptions.hint = "store_area";
  TextField(Tr(lang, Str::FieldKey), "field_key", s.fieldKey, s.fieldKeyError, keyOptions);
  ImGui::TextUnformatted(Tr(lang, Str::FieldType));
  std::vector<std::string> ids;
  for (FieldType type : AllFieldTypes()) ids.emplace_back(Code(type));
  int clicked = ChoiceButtons(LabelsOf(lang, AllFieldTypes()), "field_type_", ids, s.fieldType);
  if (clicked >= 0) s.fieldType = clicked;
  if (AllFieldTypes()[static_cast<size_t>(s.fieldType)] == FieldType::Choice) {
    FieldOptions choiceOptions;
    choiceOptions.hint = Tr(lang, Str::ChoicesHint);
    TextField(Tr(lang, Str::FieldChoices), "field_choices", s.fieldChoices, s.fieldChoicesError, choiceOptions);
  }
  std::string required = Label(lang, Str::FieldRequired, "field_required");
  ImGui::Checkbox(required.c_str(), &s.fieldRequired);
  std::string add = Label(lang, Str::AddCustomField, "add_field");
  if (ActionButton(add.c_str(), refusal, /*primary=*/true)) {
    s.fieldKeyError.clear();
    s.fieldLabelError.clear();
    s.fieldChoicesError.clear();
    s.fieldError.clear();
    s.fieldMessage.clear();
    CustomField field;
    field.key = s.fieldKey;
    field.label = s.fieldLabel;
    field.type = AllFieldTypes()[static_cast<size_t>(s.fieldType)];
    field.required = s.fieldRequired;
    field.position = static_cast<int>(s.fields.size());
    if (field.type == FieldType::Choice) {
      std::string current;
      for (char c : s.fieldChoices + ",") {
        if (c == ',' || c == '/') {
          if (!current.empty()) field.choices.push_back(current);
          current.clear();
        } else {
          current += c;
        }
      }
    }
    auto created = CreateCustomField(*state.db, field, state.actor);
    if (created) {
      s.fieldMessage = Tr(lang, Str::FieldAdded);
      s.fieldKey.clear();
      s.fieldLabel.clear();
      s.fieldChoices.clear();
      AfterCommit(state);
    } else {
      ShowError(lang, created.GetError(),
                {{"key", &s.fieldKeyError}, {"label", &s.fieldLabelError}, {"choices", &s.fieldChoicesError}}, s.fieldError);
    }
  }
  if (!s.fieldError.empty()) ErrorText(s.fieldError);
  if (!s.fieldMessage.empty()) SuccessText(s.fieldMessage);
}

// ---------------------------------------------------------------------------
// [SECTION] users and teams

void DrawUsers(AppState& state) {
  SettingsScreenState& s = state.settings;
  Lang lang = state.lang;
  const std::string refusal = RefusalText(lang, CheckCanAdminister(state.me));
  if (ImGui::BeginTable("##users", 4, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn(Tr(lang, Str::PersonName));
    ImGui::TableSetupColumn(Tr(lang, Str::Role));
    ImGui::TableSetupColumn(Tr(lang, Str::Team));
    ImGui::TableSetupColumn("");
    ImGui::TableHeadersRow();
    for (const User& user : state.users) {
      ImGui::PushID(static_cast<int>(user.id ^ (user.id >> 32)));
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::AlignTextToFramePadding();
      DataText(user.name);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(LabelOf(lang, user.role));
      ImGui::TableNextColumn();
      std::vector<std::string> teams = {Tr(lang, Str::NoTeam)};
      int current = 0;
      for (size_t i = 0; i < state.teams.size(); i++) {
        teams.push_back(state.teams[i].name);
        if (user.teamId && *user.teamId == state.teams[i].id) current = static_cast<int>(i + 1);
      }
      std::string teamId = "user_team_" + user.name;
      ImGui::BeginDisabled(!refusal.empty());
      int picked = ChoiceMenu(teamId.c_str(), "", teams, current);
      ImGui::EndDisabled();
      ExplainRefusal(refusal, teamId.c_str());
      if (picked >= 0 && picked != current) {
        std::optional<int64_t> team;
        if (picked > 0) team = state.teams[static_cast<size_t>(picked - 1)].id;
        Status set = SetUserTeam(*state.db, user.id, team, state.actor);
        if (set) AfterCommit(state);
        else s.userError = DescribeError(state.lang, set.GetError());
      }
      ImGui::TableNextColumn();
      if (user.id != state.actor.userId) {
        std::string toggle = Label(Tr(lang, user.active ? Str::Deactivate : Str::Activate), "user_active_" + user.name);
        if (ActionButton(toggle.c_str(), refusal)) {
          Status set = SetUserActive(*state.db, user.id, !user.active, state.actor);
          if (set) AfterCommit(state);
          else s.userError = DescribeError(state.lang, set.GetError());
        }
      } else {
        ImGui::TextDisabled("%s", Tr(lang, Str::You));
      }
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
  if (!s.userError.empty()) ErrorText(s.userError);
  if (!s.userMessage.empty()) SuccessText(s.userMessage);

  ImGui::SeparatorText(Tr(lang, Str::AddOrgUser));
  HintText(Tr(lang, Str::AddOrgUserHint));
  TextField(Tr(lang, Str::PersonName), "org_user_name", s.userName, s.userNameError);
  ImGui::TextUnformatted(Tr(lang, Str::Role));
  std::vector<std::string> roleIds;
  for (Role role : AllRoles()) roleIds.emplace_back(Code(role));
  int clicked = ChoiceButtons(LabelsOf(lang, AllRoles()), "org_role_", roleIds, s.userRole);
  if (clicked >= 0) s.userRole = clicked;
  std::vector<std::string> teams = {Tr(lang, Str::NoTeam)};
  for (const Team& team : state.teams) teams.push_back(team.name);
  int picked = ChoiceMenu("org_user_team", Tr(lang, Str::Team), teams, s.userTeam + 1);
  if (picked >= 0) s.userTeam = picked - 1;
  std::string add = Label(lang, Str::AddOrgUser, "add_org_user");
  if (ActionButton(add.c_str(), refusal, /*primary=*/true)) {
    s.userNameError.clear();
    s.userError.clear();
    s.userMessage.clear();
    std::optional<int64_t> team;
    if (s.userTeam >= 0 && static_cast<size_t>(s.userTeam) < state.teams.size()) team = state.teams[static_cast<size_t>(s.userTeam)].id;
    auto created = CreateUser(*state.db, s.userName, AllRoles()[static_cast<size_t>(s.userRole)], team, state.actor);
    if (created) {
      s.userMessage = Tr(lang, Str::UserAdded);
      s.userName.clear();
      AfterCommit(state);
    } else {
      ShowError(lang, created.GetError(), {{"name", &s.userNameError}}, s.userError);
    }
  }
  ImGui::SeparatorText(Tr(lang, Str::AddTeam));
  TextField(Tr(lang, Str::TeamName), "team_name", s.teamName, s.teamError);
  std::string addTeam = Label(lang, Str::AddTeam, "add_team");
  if (ActionButton(addTeam.c_str(), refusal)) {
    s.teamError.clear();
    auto created = CreateTeam(*state.db, s.teamName, std::nullopt, state.actor);
    if (created) {
      s.teamName.clear();
      AfterCommit(state);
    } else {
      s.teamError = DescribeError(lang, created.GetError());
    }
  }
}

void DrawDevice(AppState& state) {
  Lang lang = state.lang;
  ImGui::TextWrapped("%s", Tr(lang, Str::DeviceIntro));
  std::string open = Label(lang, Str::PeopleAndDevice, "settings_people");
  if (PrimaryButton(open.c_str())) {
    state.people.open = true;
    state.people.idleSeconds = state.device.idleLockSeconds;
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] the screen

void DrawSettings(AppState& state) {
  SettingsScreenState& s = state.settings;
  Load(state);
  std::vector<std::string> sections = {Tr(state.lang, Str::FollowupRules), Tr(state.lang, Str::CustomFields),
                                       Tr(state.lang, Str::Users),        Tr(state.lang, Str::StorageUsage),
                                       Tr(state.lang, Str::PeopleAndDevice), TrKey(state.lang, "display"),
                                       Tr(state.lang, Str::About)};
  int clicked = ChoiceButtons(sections, "settings_", {"rules", "fields", "users", "storage", "device", "display", "about"},
                              static_cast<int>(s.section));
  if (clicked >= 0) s.section = static_cast<SettingsSection>(clicked);
  ImGui::BeginChild("##settings_body", ImVec2(0, 0), ImGuiChildFlags_Border, ImGuiWindowFlags_NavFlattened);
  switch (s.section) {
    case SettingsSection::Rules: DrawRules(state); break;
    case SettingsSection::CustomFields: DrawCustomFields(state); break;
    case SettingsSection::Users: DrawUsers(state); break;
    case SettingsSection::Storage: DrawStoragePanel(state); break;
    case SettingsSection::Device: DrawDevice(state); break;
    case SettingsSection::Display: DrawDisplaySettings(state); break;
    case SettingsSection::About: DrawHome(state); break;
  }
  ImGui::EndChild();
}

}  // namespace crm::ui
