#pragma once
// Class (客户等级): the current class, core's suggestion (accept it, or set the
// class by hand with a reason), and the history of changes.
#include <optional>
#include <string>
#include <vector>

#include "core/grading.h"

namespace crm::ui {

struct AppState;
struct CustomerDetailState;

struct GradeSectionState {
  std::vector<GradeChange> grades;
  std::optional<GradeSuggestion> suggestion;
  bool picked = false;  // newGrade starts at the customer's class, once
  int newGrade = -1;
  std::string gradeReason, gradeError;
};

void LoadGradeSection(AppState& state, CustomerDetailState& detail);
void DrawGradeSection(AppState& state, CustomerDetailState& detail);

}  // namespace crm::ui
