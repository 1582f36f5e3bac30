#pragma once
// Customers (客户): one search box (core search: name, phone, contact, tag,
// address; one or two Chinese characters are enough), filters by class, stage,
// owner, tag and follow-up state, a sort, and the virtualized list. A row opens
// the customer's detail; 新建客户 opens the form.
#include <cstdint>
#include <string>

#include "ui/customer_list.h"

namespace crm::ui {

struct AppState;

struct CustomersScreenState {
  std::string search;          // as typed
  std::string appliedSearch;   // what the list asks core for: the typed text after a short pause
  int64_t searchChangedMs = 0;
  bool focusSearch = false;
  // Filters, as indexes into the choices offered (0: any).
  int grade = 0;
  int stage = 0;
  int owner = 0;     // 0 anyone, 1 mine, 2 the pool, 3… a user (AppState::users order)
  int followup = 0;  // 0 any, 1 overdue, 2 due today, 3 due this week, 4 no plan
  std::string tag;
  int sort = 0;
  bool ascending = false;
  bool showFilters = false;  // the tablet layout folds the filters away behind one button
  CustomerListView list;
  int64_t lastCreatedId = 0;
};

void DrawCustomers(AppState& state);
// The app's shortcuts: '/' search, Ctrl+N new customer, Esc closes the topmost dialog or the detail.
void HandleShortcuts(AppState& state);
// The search field's placeholder: it names the / shortcut only where there is a keyboard.
const char* SearchHint(const AppState& state);

}  // namespace crm::ui
