#pragma once
// The core's closed vocabularies (core/enums.h) as the screens show them: each
// value's label in the current language, and the values in the order choices
// are offered. One table per vocabulary, so every screen says the same thing.
#include <algorithm>
#include <string>
#include <vector>

#include "core/enums.h"
#include "core/import.h"
#include "ui/i18n.h"

namespace crm::ui {

const char* LabelOf(Lang lang, CustomerKind value);
const char* LabelOf(Lang lang, Stage value);
const char* LabelOf(Lang lang, LostReason value);
const char* LabelOf(Lang lang, Source value);
const char* LabelOf(Lang lang, Credit value);
const char* LabelOf(Lang lang, Role value);
const char* LabelOf(Lang lang, ContactRole value);
const char* LabelOf(Lang lang, ActivityKind value);
const char* LabelOf(Lang lang, FollowupReason value);
const char* LabelOf(Lang lang, FollowupStatus value);
const char* LabelOf(Lang lang, FieldType value);
const char* LabelOf(Lang lang, ImportField value);
const char* LabelOf(Lang lang, Encoding value);
const char* GradeLabel(Grade grade);  // "A"…"D": the same in both languages
// The audit trail's words (core/audit.h: actions insert, update, delete, restore, purge); an unknown one is
// shown as it is.
std::string AuditActionLabel(Lang lang, const std::string& action);
// A synced table and a column of it as the record registry labels them (core/records.h; "customers", "city" →
// 城市), for the audit trail and the conflict log; what the registry does not label keeps its name.
std::string AuditTableLabel(Lang lang, const std::string& table);
std::string FieldLabel(Lang lang, const std::string& table, const std::string& column);

// Every value, in the order a choice offers them.
const std::vector<CustomerKind>& AllKinds();
const std::vector<Stage>& AllStages();
const std::vector<LostReason>& AllLostReasons();  // without None
const std::vector<Source>& AllSources();
const std::vector<Credit>& AllCredits();
const std::vector<Role>& AllRoles();
const std::vector<ContactRole>& AllContactRoles();
const std::vector<ActivityKind>& AllActivityKinds();
const std::vector<Grade>& AllGrades();
const std::vector<FieldType>& AllFieldTypes();
const std::vector<ImportField>& AllImportFields();

// Labels of a list of values, for ChoiceButtons / ChoiceMenu.
template <class E>
std::vector<std::string> LabelsOf(Lang lang, const std::vector<E>& values) {
  std::vector<std::string> out;
  out.reserve(values.size());
  for (E value : values) out.emplace_back(LabelOf(lang, value));
  return out;
}

// The value a choice's index picks, clamped into the list: an unset or stale index picks the nearest end.
template <class E>
E ValueAt(const std::vector<E>& values, int index) {
  return values[static_cast<size_t>(std::clamp(index, 0, static_cast<int>(values.size()) - 1))];
}

template <class E>
int IndexOf(const std::vector<E>& values, E value) {
  for (size_t i = 0; i < values.size(); i++) {
    if (values[i] == value) return static_cast<int>(i);
  }
  return 0;
}

}  // namespace crm::ui
