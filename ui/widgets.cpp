#include "ui/widgets.h"

#include <cmath>

#include "imgui_internal.h"
#include "imgui_stdlib.h"
#include "ui/fonts.h"

namespace crm::ui {

namespace {
const ImVec4 kPrimary(0.20f, 0.45f, 0.85f, 1.0f);
const ImVec4 kPrimaryHovered(0.26f, 0.52f, 0.92f, 1.0f);
const ImVec4 kPrimaryActive(0.15f, 0.38f, 0.75f, 1.0f);
const ImVec4 kOnPrimary(1.0f, 1.0f, 1.0f, 1.0f);
const ImVec4 kError(0.80f, 0.15f, 0.15f, 1.0f);
}  // namespace

bool PrimaryButton(const char* label, const ImVec2& size) {
  ImGui::PushStyleColor(ImGuiCol_Button, kPrimary);
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, kPrimaryHovered);
  ImGui::PushStyleColor(ImGuiCol_ButtonActive, kPrimaryActive);
  ImGui::PushStyleColor(ImGuiCol_Text, kOnPrimary);
  bool pressed = ImGui::Button(label, size);
  ImGui::PopStyleColor(4);
  return pressed;
}

bool ToggleButton(const char* label, bool selected) {
  if (!selected) return ImGui::Button(label);
  ImGui::PushStyleColor(ImGuiCol_Button, kPrimary);
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, kPrimaryHovered);
  ImGui::PushStyleColor(ImGuiCol_ButtonActive, kPrimaryActive);
  ImGui::PushStyleColor(ImGuiCol_Text, kOnPrimary);
  bool pressed = ImGui::Button(label);
  ImGui::PopStyleColor(4);
  return pressed;
}

int ChoiceButtons(const char* const* labels, const char* const* ids, int count, int selected) {
  int clicked = -1;
  const ImGuiStyle& style = ImGui::GetStyle();
  float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  for (int i = 0; i < count; i++) {
    std::string label = std::string(labels[i]) + "###" + ids[i];
    float width = ImGui::CalcTextSize(labels[i]).x + style.FramePadding.x * 2;
    if (i > 0) {
      float next = ImGui::GetItemRectMax().x + style.ItemSpacing.x;
      if (next + width <= right) ImGui::SameLine();
    }
    if (ToggleButton(label.c_str(), i == selected)) clicked = i;
  }
  return clicked;
}

void DataText(std::string_view text) {
  NoteText(text);
  ImGui::TextUnformatted(text.data(), text.data() + text.size());
}

void ErrorText(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, kError);
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

bool TextField(const char* label, const char* id, std::string& value, const std::string& error, const FieldOptions& options) {
  ImGui::TextUnformatted(label);
  NoteText(value);
  if (options.focus) ImGui::SetKeyboardFocusHere();
  std::string widgetId = std::string("##") + id;
  // The width a surrounding PushItemWidth set (a centred column), else the whole row.
  ImGui::SetNextItemWidth(ImGui::GetCurrentWindow()->DC.ItemWidthStack.Size > 0 ? ImGui::CalcItemWidth() : -FLT_MIN);
  if (!error.empty()) ImGui::PushStyleColor(ImGuiCol_Border, kError);
  if (!error.empty()) ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 2.0f);
  bool changed = options.hint ? ImGui::InputTextWithHint(widgetId.c_str(), options.hint, &value, options.flags)
                              : ImGui::InputText(widgetId.c_str(), &value, options.flags);
  if (!error.empty()) {
    ImGui::PopStyleVar();
    ImGui::PopStyleColor();
    ErrorText(error);
  }
  return changed;
}

void TouchScroll(TouchScrollState& state, bool enabled) {
  ImGuiIO& io = ImGui::GetIO();
  if (!enabled) {
    state = {};
    return;
  }
  ImGuiWindow* window = ImGui::GetCurrentWindow();
  bool hovered = ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows | ImGuiHoveredFlags_AllowWhenBlockedByActiveItem);
  // A drag starts past a small threshold, so a tap still taps.
  float threshold = ImGui::GetFontSize() * 0.5f;
  if (!state.dragging && hovered && ImGui::IsMouseDragging(ImGuiMouseButton_Left, threshold) &&
      ImGui::IsMouseHoveringRect(window->InnerRect.Min, window->InnerRect.Max, false) &&
      window->InnerRect.Contains(io.MouseClickedPos[0])) {
    state.dragging = true;
    // The row pressed at touch-down must not fire when the finger lifts.
    ImGui::ClearActiveID();
    ImGui::SetActiveID(window->GetID("##touch_scroll"), window);
    ImGui::SetScrollY(window, window->Scroll.y - (io.MousePos.y - io.MouseClickedPos[0].y));
    state.velocity = 0;
    return;
  }
  if (state.dragging) {
    if (ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
      ImGui::SetScrollY(window, window->Scroll.y - io.MouseDelta.y);
      if (io.DeltaTime > 0) state.velocity = -io.MouseDelta.y / io.DeltaTime;
    } else {
      state.dragging = false;
      ImGui::ClearActiveID();
    }
    return;
  }
  // A short glide after the finger lifts, decaying quickly.
  if (std::fabs(state.velocity) > 20.0f) {
    ImGui::SetScrollY(window, window->Scroll.y + state.velocity * io.DeltaTime);
    state.velocity *= std::pow(0.05f, io.DeltaTime);
  } else {
    state.velocity = 0;
  }
}

}  // namespace crm::ui
