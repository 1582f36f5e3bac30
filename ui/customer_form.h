#pragma once
// The customer form (新建客户 / 编辑客户): every field core keeps for a customer,
// custom fields included. A wrong value gets core's error, in the user's
// language, right under its field. Before saving, who the customer might
// already be (core/duplicates.h: the same phone anywhere, a similar name in the
// same city) is shown as the user
// types, and a save with possible duplicates waits for "open the existing one"
// or "save anyway".
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/custom_fields.h"
#include "core/duplicates.h"
#include "ui/widgets.h"

namespace crm::ui {

struct AppState;

// The form's fields, for errors shown next to them.
enum class FormField { Name, Phones, City, Kind, Grade, Province, District, Street, Industry, Scale, Brands, Source, Credit,
                       Birthday, Anniversary, Preferences, Tags, Notes, Count };

struct CustomerFormState {
  bool open = false;
  int64_t editingId = 0;  // 0: a new customer
  bool focusName = false;
  std::string name, phones, city, province, district, street, industry, scale, brands, birthday, anniversary, preferences,
      tags, notes;
  int kind = 0;    // indexes into AllKinds() …
  int grade = 2;   // … AllGrades() (C) …
  int source = 0;  // … AllSources() …
  int credit = 0;  // … AllCredits()
  bool toPool = false;  // a new customer goes to the public pool instead of to the user
  std::vector<CustomField> fields;          // the organisation's custom fields, read when the form opens
  std::vector<std::string> customValues;    // one per field, as typed
  std::vector<std::string> customErrors;
  std::string errors[static_cast<int>(FormField::Count)];
  std::string formError;

  // Possible duplicates of what is typed, looked up a moment after the typing stops.
  std::vector<DuplicateCandidate> duplicates;
  std::string checkedKey;       // name|phones|city the list above answers
  int64_t typedAtMs = 0;
  bool duplicatesConfirm = false;  // Save was pressed with duplicates shown: waiting for "save anyway"
  // A customer of someone else that this device does not hold (the company directory): the rep may ask for it
  // instead (core/handover.h), with a note.
  int64_t handOverFor = 0;
  std::string handOverNote;
  std::string handOverError;
  std::string handOverSent;  // the confirmation once asked
};

// Opens the form empty, or filled from a stored customer.
void OpenNewCustomerForm(AppState& state);
void OpenEditCustomerForm(AppState& state, int64_t customerId);
void DrawCustomerForm(AppState& state);
const std::string& FormError(const CustomerFormState& form, FormField field);

}  // namespace crm::ui
