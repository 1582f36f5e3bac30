#pragma once
// Refusals before effort: an action the signed-in person may not take is drawn greyed out, with core's reason
// (the same check the write makes, worded by DescribeError), instead of failing after a form is filled.
// The reason shows on hover and, since touch has no hover, in a small popup when the control is tapped.
#include <string>

#include "core/result.h"
#include "ui/i18n.h"

namespace crm::ui {

// The worded reason a check refuses, or empty when it allows: what the helpers below take.
std::string RefusalText(Lang lang, const Status& check);

// A button that is greyed out while `refusal` is non-empty. Returns true when clicked (never while refused).
bool ActionButton(const char* label, const std::string& refusal, bool primary = false);

// For other controls: draw them between ImGui::BeginDisabled(!refusal.empty()) and EndDisabled() (in a group for
// several), then call this: the last item explains its refusal on hover and on a tap. `id` names the popup.
void ExplainRefusal(const std::string& refusal, const char* id);

}  // namespace crm::ui
