#pragma once
// How the app looks on this device: the colour theme (standard or high contrast), the text size
// (100/125/150 %, the atlas is rebuilt at that size so text stays sharp, and the style's sizes grow with
// it), the keyboard focus ring, and what a screen reader is told about the focused control.
// The choices are device settings (core/accounts.h DeviceSettings), kept in the device's own storage.
#include <cstdint>
#include <string>

#include "imgui.h"

namespace crm::ui {

struct AppState;

// What the style was last built for; a change of any part rebuilds it.
struct StyleKey {
  bool tablet = false;
  bool highContrast = false;
  int textScalePercent = 0;
  float pixelRatio = 0;
  bool operator==(const StyleKey& other) const {
    return tablet == other.tablet && highContrast == other.highContrast && textScalePercent == other.textScalePercent &&
           pixelRatio == other.pixelRatio;
  }
};

// The text size factor of the device's setting (1, 1.25, 1.5).
float TextScale(const AppState& state);
// The font size the glyph atlas is built at: the layout's size times the text size (CSS pixels).
float AppFontSize(const AppState& state);
// Between frames, after the atlas is current: builds the style for the layout, theme and text size at
// `pixelRatio` when any of them changed since the last time. True when it did.
bool UpdateStyle(AppState& state, float pixelRatio);

// Secondary text (a list row's second line) readable on the row's background, selected or not.
ImU32 SecondaryTextColor(const AppState& state, bool selected);

// A thick two-tone ring around the control that has the keyboard focus, over ImGui's thin one; drawn
// only while the keyboard is navigating (Tab, arrows), as ImGui shows its own.
void DrawFocusRing();

// What a screen reader should say about the focused control: its label, then its value (a field's text,
// checked or not). Empty when nothing has the focus.
std::string FocusAnnouncement(const AppState& state);

// At the end of a frame: when the focused control is gone (the screen changed under it, as after signing in,
// or Esc left a flattened child window), the next Tab starts from the screen's first control, as on a new web
// page; ImGui would not move at all, nor take a focus request.
void ForgetVanishedFocus();

// WCAG's contrast ratio of two opaque colours (1 to 21), and `top` drawn over `bottom`.
float ContrastRatio(const ImVec4& a, const ImVec4& b);
ImVec4 Over(const ImVec4& top, const ImVec4& bottom);

// Settings → display: theme and text size, applied at once and kept on the device.
void DrawDisplaySettings(AppState& state);

}  // namespace crm::ui
