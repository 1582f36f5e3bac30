#include "ui/theme.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "core/accounts.h"
#include "imgui_internal.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/keyed_text.h"
#include "ui/widgets.h"

namespace crm::ui {

// [SECTION] colours and contrast
// [SECTION] style
// [SECTION] focus ring and announcement
// [SECTION] settings

namespace {

const char* Text(Lang lang, const char* key) {
  const char* text = TrKey(lang, key);
  return text ? text : key;
}

ImVec4 Rgb(float r, float g, float b) { return ImVec4(r, g, b, 1.0f); }

// The row backgrounds of lists and menus are opaque and light in both themes, so the dark text drawn on
// them (names, the second line, the focus ring) keeps its contrast whether a row is selected, hovered or
// focused by the keyboard.
void StandardColours(ImGuiStyle& style) {
  ImVec4* c = style.Colors;
  c[ImGuiCol_Header] = Rgb(0.80f, 0.88f, 0.99f);
  c[ImGuiCol_HeaderHovered] = Rgb(0.87f, 0.92f, 0.99f);
  c[ImGuiCol_HeaderActive] = Rgb(0.72f, 0.83f, 0.98f);
  c[ImGuiCol_NavHighlight] = Rgb(0.05f, 0.25f, 0.70f);
}

// Black on white, borders and separators in black, selection in yellow, the focus ring in magenta: no
// information carried by a pale tint alone.
void HighContrastColours(ImGuiStyle& style) {
  ImVec4* c = style.Colors;
  const ImVec4 black = Rgb(0, 0, 0), white = Rgb(1, 1, 1);
  c[ImGuiCol_Text] = black;
  c[ImGuiCol_TextDisabled] = Rgb(0.25f, 0.25f, 0.25f);
  c[ImGuiCol_WindowBg] = white;
  c[ImGuiCol_ChildBg] = ImVec4(1, 1, 1, 0);
  c[ImGuiCol_PopupBg] = white;
  c[ImGuiCol_Border] = black;
  c[ImGuiCol_BorderShadow] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_FrameBg] = white;
  c[ImGuiCol_FrameBgHovered] = Rgb(0.88f, 0.92f, 1.0f);
  c[ImGuiCol_FrameBgActive] = Rgb(0.80f, 0.87f, 1.0f);
  c[ImGuiCol_TitleBg] = Rgb(0.85f, 0.85f, 0.85f);
  c[ImGuiCol_TitleBgActive] = Rgb(0.80f, 0.87f, 1.0f);
  c[ImGuiCol_TitleBgCollapsed] = Rgb(0.85f, 0.85f, 0.85f);
  c[ImGuiCol_MenuBarBg] = white;
  c[ImGuiCol_ScrollbarBg] = Rgb(0.92f, 0.92f, 0.92f);
  c[ImGuiCol_ScrollbarGrab] = Rgb(0.35f, 0.35f, 0.35f);
  c[ImGuiCol_ScrollbarGrabHovered] = Rgb(0.20f, 0.20f, 0.20f);
  c[ImGuiCol_ScrollbarGrabActive] = black;
  c[ImGuiCol_CheckMark] = black;
  c[ImGuiCol_SliderGrab] = black;
  c[ImGuiCol_SliderGrabActive] = black;
  c[ImGuiCol_Button] = white;
  c[ImGuiCol_ButtonHovered] = Rgb(0.85f, 0.90f, 1.0f);
  c[ImGuiCol_ButtonActive] = Rgb(0.70f, 0.80f, 1.0f);
  c[ImGuiCol_Header] = Rgb(1.0f, 0.87f, 0.25f);
  c[ImGuiCol_HeaderHovered] = Rgb(1.0f, 0.94f, 0.60f);
  c[ImGuiCol_HeaderActive] = Rgb(1.0f, 0.80f, 0.10f);
  c[ImGuiCol_Separator] = black;
  c[ImGuiCol_SeparatorHovered] = black;
  c[ImGuiCol_SeparatorActive] = black;
  c[ImGuiCol_TableHeaderBg] = Rgb(0.88f, 0.88f, 0.88f);
  c[ImGuiCol_TableBorderStrong] = black;
  c[ImGuiCol_TableBorderLight] = Rgb(0.30f, 0.30f, 0.30f);
  c[ImGuiCol_TableRowBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_TableRowBgAlt] = Rgb(0.95f, 0.95f, 0.95f);
  c[ImGuiCol_TextSelectedBg] = Rgb(1.0f, 0.87f, 0.25f);
  c[ImGuiCol_NavHighlight] = Rgb(0.75f, 0.0f, 0.50f);
  style.FrameBorderSize = std::max(style.FrameBorderSize, 2.0f);
  style.ChildBorderSize = std::max(style.ChildBorderSize, 2.0f);
  style.WindowBorderSize = std::max(style.WindowBorderSize, 2.0f);
  style.PopupBorderSize = std::max(style.PopupBorderSize, 2.0f);
}

float Linear(float channel) { return channel <= 0.04045f ? channel / 12.92f : std::pow((channel + 0.055f) / 1.055f, 2.4f); }
float Luminance(const ImVec4& c) { return 0.2126f * Linear(c.x) + 0.7152f * Linear(c.y) + 0.0722f * Linear(c.z); }

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] colours and contrast

float ContrastRatio(const ImVec4& a, const ImVec4& b) {
  float la = Luminance(a), lb = Luminance(b);
  return (std::max(la, lb) + 0.05f) / (std::min(la, lb) + 0.05f);
}

ImVec4 Over(const ImVec4& top, const ImVec4& bottom) {
  float a = top.w;
  return ImVec4(top.x * a + bottom.x * (1 - a), top.y * a + bottom.y * (1 - a), top.z * a + bottom.z * (1 - a), 1.0f);
}

ImU32 SecondaryTextColor(const AppState& state, bool selected) {
  // Standard: slate grey, darker on a selected row (at least 4.5:1 on white and on the selection's blue).
  // High contrast: near-black on both.
  if (state.device.highContrast) return ImGui::GetColorU32(Rgb(0.15f, 0.15f, 0.15f));
  return ImGui::GetColorU32(selected ? Rgb(0.20f, 0.25f, 0.34f) : Rgb(0.36f, 0.38f, 0.43f));
}

// ---------------------------------------------------------------------------
// [SECTION] style

float TextScale(const AppState& state) { return static_cast<float>(state.device.textScalePercent) / 100.0f; }

float AppFontSize(const AppState& state) { return FontSizeFor(state.layout) * TextScale(state); }

bool UpdateStyle(AppState& state, float pixelRatio) {
  StyleKey key{state.layout == Layout::Tablet, state.device.highContrast, state.device.textScalePercent, pixelRatio};
  if (key == state.appliedStyle) return false;
  // Paddings and spacing grow with the text, so a larger text keeps the proportions a layout was made for.
  ApplyStyle(state.layout, pixelRatio * TextScale(state));
  ImGuiStyle& style = ImGui::GetStyle();
  if (key.highContrast) {
    HighContrastColours(style);
  } else {
    StandardColours(style);
  }
  // No hover-only affordances on a tablet (as ApplyStyle sets them): a hovered control looks like any other.
  if (key.tablet) {
    style.Colors[ImGuiCol_ButtonHovered] = style.Colors[ImGuiCol_Button];
    style.Colors[ImGuiCol_HeaderHovered] = style.Colors[ImGuiCol_Header];
  }
  state.appliedStyle = key;
  return true;
}

// ---------------------------------------------------------------------------
// [SECTION] focus ring and announcement

void DrawFocusRing() {
  ImGuiContext& g = *GImGui;
  ImGuiWindow* window = g.NavWindow;
  if (!g.NavId || g.NavDisableHighlight || !window || g.NavWindowingTarget || !g.NavIdIsAlive) return;
  if (!window->Active || window->Hidden) return;
  ImRect item = ImGui::WindowRectRelToAbs(window, window->NavRectRel[g.NavLayer]);
  if (item.GetWidth() <= 0 || item.GetHeight() <= 0) return;
  // Thickness follows the text size (and so the pixel ratio): about 3 CSS pixels at the standard size.
  float thickness = std::max(2.0f, std::round(ImGui::GetFontSize() * 0.18f));
  float gap = std::max(1.0f, std::round(thickness * 0.5f));
  ImRect ring = item;
  ring.Expand(gap + thickness * 0.5f);
  ImDrawList* draw = window->DrawList;
  // Inside the window, as ImGui keeps its own ring: a row at the list's edge is not drawn over its border.
  draw->PushClipRect(window->ClipRect.Min, window->ClipRect.Max, false);
  float rounding = g.Style.FrameRounding + gap;
  ImU32 outer = ImGui::GetColorU32(ImGuiCol_NavHighlight);
  draw->AddRect(ring.Min, ring.Max, outer, rounding, 0, thickness);
  // A white line inside the coloured one: the ring stands out on dark fills (primary buttons) as on light ones.
  ImRect inner = ring;
  inner.Expand(-(thickness * 0.5f + 0.5f));
  draw->AddRect(inner.Min, inner.Max, IM_COL32(255, 255, 255, 255), std::max(0.0f, rounding - thickness), 0, 1.0f);
  draw->PopClipRect();
}

void ForgetVanishedFocus() {
  ImGuiContext& g = *GImGui;
  if (!g.NavId || g.NavIdIsAlive || g.ActiveId || g.NavAnyRequest || !g.NavWindow || !g.NavWindow->Active) return;
  // In the window's own focus scope: a focus request (FocusNextItem) is only taken by items of the scope it is in.
  ImGui::SetNavID(0, ImGuiNavLayer_Main, g.NavWindow->NavRootFocusScopeId, ImRect());
  g.NavDisableHighlight = true;
}

std::string FocusAnnouncement(const AppState& state) {
  const FocusedItem& focused = state.probe.Focused();
  if (!focused.id) return "";
  std::string_view label = focused.label;
  size_t hashes = label.find("##");
  std::string text(label.substr(0, hashes));
  if (text.empty()) text = focused.name;
  // A control nobody named is called by its id, the last resort: "filter_tag" → "filter tag".
  if (text.empty() && hashes != std::string_view::npos) {
    size_t start = label.find_first_not_of('#', hashes);
    if (start != std::string_view::npos) text = std::string(label.substr(start));
    std::replace(text.begin(), text.end(), '_', ' ');
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  auto add = [&text](const std::string& part) {
    if (!part.empty()) text += (text.empty() ? "" : "：") + part;
  };
  if (focused.editing) {
    add(focused.password ? (focused.text.empty() ? "" : Text(state.lang, "display.hidden_text")) : focused.text);
  } else if (focused.flags & ImGuiItemStatusFlags_Checkable) {
    add(Text(state.lang, (focused.flags & ImGuiItemStatusFlags_Checked) ? "display.checked" : "display.unchecked"));
  }
  return text;
}

// ---------------------------------------------------------------------------
// [SECTION] settings

void DrawDisplaySettings(AppState& state) {
  Lang lang = state.lang;
  ImGui::TextWrapped("%s", Text(lang, "display.intro"));
  DeviceSettings wanted = state.device;
  ImGui::SeparatorText(Text(lang, "display.theme"));
  const char* themes[] = {Text(lang, "display.theme_normal"), Text(lang, "display.theme_high_contrast")};
  const char* themeIds[] = {"theme_normal", "theme_high_contrast"};
  int theme = ChoiceButtons(themes, themeIds, 2, state.device.highContrast ? 1 : 0);
  if (theme >= 0) wanted.highContrast = theme == 1;
  ImGui::SeparatorText(Text(lang, "display.text_size"));
  std::string scales[std::size(kTextScales)], ids[std::size(kTextScales)];
  const char* scaleLabels[std::size(kTextScales)];
  const char* scaleIds[std::size(kTextScales)];
  int current = 0;
  for (size_t i = 0; i < std::size(kTextScales); i++) {
    scales[i] = std::to_string(kTextScales[i]) + "%";
    ids[i] = "text_scale_" + std::to_string(kTextScales[i]);
    scaleLabels[i] = scales[i].c_str();
    scaleIds[i] = ids[i].c_str();
    if (kTextScales[i] == state.device.textScalePercent) current = static_cast<int>(i);
  }
  int scale = ChoiceButtons(scaleLabels, scaleIds, static_cast<int>(std::size(kTextScales)), current);
  if (scale >= 0) wanted.textScalePercent = kTextScales[scale];
  ImGui::Spacing();
  ImGui::TextWrapped("%s", Text(lang, "display.keyboard_hint"));
  if (!state.settings.displayError.empty()) ErrorText(state.settings.displayError);
  if (wanted.highContrast == state.device.highContrast && wanted.textScalePercent == state.device.textScalePercent) return;
  // Applied at once: the next frame's atlas and style follow state.device (the platform rebuilds between frames).
  if (Status saved = SaveDeviceSettings(*state.db, wanted); !saved) {
    state.settings.displayError = DescribeError(lang, saved.GetError());
    return;
  }
  state.settings.displayError.clear();
  state.device = wanted;
  if (state.requestPersist) state.requestPersist();
}

}  // namespace crm::ui
