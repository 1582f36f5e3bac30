#pragma once
// Small widgets shared by the screens, so every screen looks and behaves alike.
#include <string>
#include <string_view>

#include "imgui.h"

namespace crm::ui {

// The one main action of a screen: filled, with white text.
bool PrimaryButton(const char* label, const ImVec2& size = ImVec2(0, 0));
// A choice among a few: the selected one is filled.
bool ToggleButton(const char* label, bool selected);

// A row of choices (ToggleButtons) that wraps to the next line when the next one does not fit.
// `ids` are the ###ids; returns the index clicked this frame, or -1.
int ChoiceButtons(const char* const* labels, const char* const* ids, int count, int selected);

// Data text (names, phones…): notes its glyphs for the atlas, then draws it.
void DataText(std::string_view text);

// A labelled single-line text field, full width, with its error (if any)
// right under it in red. `id` is the ###id tests and focus requests use.
// Returns true when the text changed. Notes the text for the glyph atlas.
struct FieldOptions {
  const char* hint = nullptr;
  ImGuiInputTextFlags flags = 0;
  bool focus = false;  // take keyboard focus this frame
};
bool TextField(const char* label, const char* id, std::string& value, const std::string& error,
               const FieldOptions& options = {});

// An error line in red (wrapped).
void ErrorText(const std::string& text);

// Drag-to-scroll for the current child window on touch screens: a finger
// dragging the list scrolls it, and the row under the finger is not clicked.
// ImGui has no touch scrolling; call right after BeginChild().
struct TouchScrollState {
  bool dragging = false;
  float velocity = 0;  // pixels per second after the finger lifts, for a short glide
};
void TouchScroll(TouchScrollState& state, bool enabled);

}  // namespace crm::ui
