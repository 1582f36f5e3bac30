#pragma once
// Customers: a searchable list and a new-customer form, enough to exercise the
// platform (text input, glyphs, touch scrolling, shortcuts, attribution). The
// customer workflow issue grows it into the real list, detail and forms.
#include <cstdint>
#include <string>
#include <vector>

#include "core/customers.h"
#include "ui/widgets.h"

namespace crm::ui {

struct AppState;

struct NewCustomerForm {
  bool open = false;
  bool focusName = false;
  std::string name, phone, city;
  int kind = 0;  // index into the kinds offered
  std::string nameError, phoneError, cityError, formError;
};

struct CustomersScreenState {
  std::string search;
  bool focusSearch = false;
  bool stale = true;  // reload on the next frame (after a commit or a change of user)
  std::vector<CustomerRow> rows;  // as loaded, newest first
  int64_t total = 0;
  std::string loadError;
  NewCustomerForm form;
  TouchScrollState scroll;
  float scrollY = 0;  // the list's scroll offset in the last frame, for tests
  float scrollMaxY = 0;
  int64_t lastCreatedId = 0;
};

void DrawCustomers(AppState& state);
// Handles the screen's shortcuts: '/' search, Ctrl+N new customer, Esc close.
void HandleCustomerShortcuts(AppState& state);

}  // namespace crm::ui
