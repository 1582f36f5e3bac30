#pragma once
// Settings (设置): the follow-up rhythm per class A/B/C/D and the pool's days
// (leaders and admins change them), custom fields and users (admins), the
// device's local storage (usage, backup, restore), people and device, and
// what version this is. Core checks every permission; its refusals are shown.
#include <cstdint>
#include <string>
#include <vector>

#include "core/custom_fields.h"
#include "ui/reload.h"
#include "ui/widgets.h"

namespace crm::ui {

struct AppState;

enum class SettingsSection { Rules, CustomFields, Users, Storage, Device, Display, About };

struct SettingsScreenState {
  SettingsSection section = SettingsSection::Rules;
  LoadStamp loaded;
  int intervals[4] = {7, 14, 30, 90};  // days per class, as edited
  int poolDays = 30;
  int protectDays = 7;
  bool repSeesTeam = false;  // scope.rep_sees_team
  int offlineLockDays = 0;   // device.offline_lock_days; 0: off
  std::string offlineLockError;
  std::string rulesError, rulesMessage;
  // Custom fields.
  std::vector<CustomField> fields;
  std::string fieldKey, fieldLabel, fieldChoices;
  int fieldType = 0;
  bool fieldRequired = false;
  std::string fieldKeyError, fieldLabelError, fieldChoicesError, fieldError, fieldMessage;
  // Users and teams.
  std::string userName;
  int userRole = 0;
  int userTeam = -1;  // index into AppState::teams, -1: none
  std::string userNameError, userError, userMessage;
  std::string teamName, teamError;
  std::string displayError;  // the device refused a display setting
};

void DrawSettings(AppState& state);

}  // namespace crm::ui
