#pragma once
// Profile (资料): every field core keeps, custom fields included, and handing
// the customer to another rep (supervisors).
#include <vector>

#include "core/custom_fields.h"

namespace crm::ui {

struct AppState;
struct CustomerDetailState;

struct ProfileSectionState {
  std::vector<CustomField> customFields;
  int reassignTo = -1;  // the user the customer moves to (index into AppState::users)
};

void LoadProfileSection(AppState& state, CustomerDetailState& detail);
void DrawProfileSection(AppState& state, CustomerDetailState& detail);

}  // namespace crm::ui
