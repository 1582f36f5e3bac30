#pragma once
// Small widgets shared by the screens, so every screen looks and behaves alike.
#include "imgui.h"

namespace crm::ui {

// The one main action of a screen: filled, with white text.
bool PrimaryButton(const char* label, const ImVec2& size = ImVec2(0, 0));
// A choice among a few: the selected one is filled.
bool ToggleButton(const char* label, bool selected);

}  // namespace crm::ui
