#pragma once
// A customer's detail (客户详情): the profile with every field core keeps, the
// contacts, the activity timeline (第N次跟进), the follow-ups, the class with its
// history and core's suggestion (accept, or override with a reason), the
// lifecycle stage with the lost reason, and the audit trail. 记录拜访 is the
// first button: a visit is logged in three taps from here.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/audit.h"
#include "core/conflicts.h"
#include "core/contacts.h"
#include "core/custom_fields.h"
#include "core/followups.h"
#include "core/grading.h"
#include "ui/followup_actions.h"
#include "ui/widgets.h"

namespace crm::ui {

struct AppState;

enum class DetailSection { Profile, Contacts, Timeline, Followups, Grade, Stage, Audit };

struct ContactFormState {
  bool open = false;
  int64_t editingId = 0;  // 0: a new contact
  std::string name, title, phone, wechat, email, birthday, notes;
  int role = 0;  // index into AllContactRoles()
  std::string nameError, phoneError, emailError, birthdayError, error;
};

struct CustomerDetailState {
  int64_t customerId = 0;  // 0: no customer open
  int64_t loadedId = 0;
  uint64_t loadedVersion = 0;
  std::optional<Customer> customer;
  std::vector<Contact> contacts;
  std::vector<Activity> activities;
  std::vector<Followup> followups;
  std::vector<GradeChange> grades;
  std::optional<GradeSuggestion> suggestion;
  std::vector<AuditEntry> audit;
  std::vector<ConflictEntry> conflicts;  // what sync decided about this customer's fields
  std::vector<CustomField> customFields;
  std::string error;    // the last action's failure (permission errors included), until the next action
  std::string message;  // the last action's success
  DetailSection section = DetailSection::Profile;

  // Class: override with a reason.
  int newGrade = -1;
  std::string gradeReason, gradeError;
  // Stage, with the reason when lost.
  int newStage = -1;
  int lostReason = -1;
  std::string stageError;
  // A follow-up planned by hand.
  bool scheduleOpen = false;
  std::string scheduleDate, scheduleNote, scheduleError;
  int schedulePreset = -1;
  // Moving the customer to another owner (supervisors).
  int reassignTo = -1;
  bool confirmTrash = false;
  ContactFormState contact;
  FollowupActionState followupActions;
  TouchScrollState scroll;
};

void DrawCustomerDetail(AppState& state);

}  // namespace crm::ui
