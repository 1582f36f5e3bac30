#pragma once
// Contacts (联系人): the people at the customer, added, edited and removed here.
#include <cstdint>
#include <string>
#include <vector>

#include "core/contacts.h"

namespace crm::ui {

struct AppState;
struct CustomerDetailState;

struct ContactFormState {
  bool open = false;
  int64_t editingId = 0;  // 0: a new contact
  std::string name, title, phone, wechat, email, birthday, notes;
  int role = 0;  // index into AllContactRoles()
  std::string nameError, phoneError, emailError, birthdayError, error;
};

struct ContactsSectionState {
  std::vector<Contact> contacts;
  ContactFormState contact;
};

void LoadContactsSection(AppState& state, CustomerDetailState& detail);
void DrawContactsSection(AppState& state, CustomerDetailState& detail);

}  // namespace crm::ui
