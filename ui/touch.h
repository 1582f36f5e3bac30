#pragma once
// Touch screens: a finger dragging anywhere that is not a text field or slider
// scrolls the window or list under it (ImGui itself scrolls only by wheel and
// scrollbar). One drag state for the whole app, run once a frame from DrawApp.
#include "imgui.h"

namespace crm::ui {

struct TouchScrollState {
  bool pressed = false;     // a finger is down and may become a scroll
  bool dragging = false;    // it moved past the tap threshold: the window follows it
  ImGuiID windowId = 0;     // the window that scrolls (the nearest scrollable one under the finger)
  ImVec2 startScroll{0, 0};  // that window's scroll when the finger went down
  float velocity = 0;       // pixels per second after the finger lifts, for a short glide
};

// Call once per frame after every window was submitted (so a widget pressed this frame holds the active id).
void TouchDragScroll(TouchScrollState& state);

}  // namespace crm::ui
