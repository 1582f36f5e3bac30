#include "ui/touch.h"

#include <cmath>

#include "imgui_internal.h"

namespace crm::ui {

namespace {
bool CanScroll(const ImGuiWindow* window) {
  return (window->ScrollMax.y > 0 || window->ScrollMax.x > 0) && !(window->Flags & ImGuiWindowFlags_NoScrollWithMouse);
}

// The window the finger moves: the innermost one under it that has something to scroll.
ImGuiWindow* ScrollableUnder(ImGuiWindow* window) {
  for (; window; window = window->ParentWindow) {
    if (CanScroll(window)) return window;
    if (!(window->Flags & ImGuiWindowFlags_ChildWindow)) break;
  }
  return nullptr;
}

// A press that a widget uses for dragging itself: a text field (selects), a slider or drag (sets its
// value; both claim left/right), or a scrollbar.
bool WidgetOwnsDrag(const ImGuiContext& g, ImGuiWindow* window) {
  if (g.ActiveId == 0) return false;
  if (ImGui::GetInputTextState(g.ActiveId) != nullptr) return true;
  if (g.ActiveIdUsingNavDirMask != 0) return true;
  return g.ActiveId == ImGui::GetWindowScrollbarID(window, ImGuiAxis_X) ||
         g.ActiveId == ImGui::GetWindowScrollbarID(window, ImGuiAxis_Y);
}

ImGuiID TouchScrollId() { return ImHashStr("##touch_drag_scroll"); }
}  // namespace

void TouchDragScroll(TouchScrollState& state) {
  ImGuiContext& g = *ImGui::GetCurrentContext();
  ImGuiIO& io = g.IO;
  bool touch = io.MouseSource == ImGuiMouseSource_TouchScreen;
  if (touch && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
    ImGuiWindow* window = ScrollableUnder(g.HoveredWindow);
    state = TouchScrollState{};
    state.pressed = window != nullptr && !WidgetOwnsDrag(g, window);
    if (state.pressed) {
      state.windowId = window->ID;
      state.startScroll = window->Scroll;
    }
  }
  ImGuiWindow* window = state.windowId ? ImGui::FindWindowByID(state.windowId) : nullptr;
  if (!window) {
    state = TouchScrollState{};
    return;
  }
  if (ImGui::IsMouseDown(ImGuiMouseButton_Left) && (state.pressed || state.dragging)) {
    // A drag starts past a small threshold, so a tap still taps.
    if (!state.dragging && ImGui::IsMouseDragging(ImGuiMouseButton_Left, g.FontSize * 0.5f)) {
      state.dragging = true;
      // The button or row pressed at touch-down must not fire when the finger lifts.
      ImGui::ClearActiveID();
      ImGui::SetActiveID(TouchScrollId(), window);
    }
    if (state.dragging) {
      ImGui::KeepAliveID(TouchScrollId());
      ImVec2 moved(io.MousePos.x - io.MouseClickedPos[0].x, io.MousePos.y - io.MouseClickedPos[0].y);
      if (window->ScrollMax.y > 0) ImGui::SetScrollY(window, state.startScroll.y - moved.y);
      if (window->ScrollMax.x > 0) ImGui::SetScrollX(window, state.startScroll.x - moved.x);
      if (io.DeltaTime > 0) state.velocity = -io.MouseDelta.y / io.DeltaTime;
    }
    return;
  }
  if (state.dragging) {
    state.dragging = false;
    if (g.ActiveId == TouchScrollId()) ImGui::ClearActiveID();
  }
  state.pressed = false;
  // A short glide after the finger lifts, decaying quickly.
  if (std::fabs(state.velocity) > 20.0f) {
    ImGui::SetScrollY(window, window->Scroll.y + state.velocity * io.DeltaTime);
    state.velocity *= std::pow(0.05f, io.DeltaTime);
  } else {
    state = TouchScrollState{};
  }
}

}  // namespace crm::ui
