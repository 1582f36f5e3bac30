#pragma once
// Records every ImGui item's label, id and rectangle during a frame, through
// ImGui's test-engine hooks, so browser tests can find a widget by its label
// and click it on the real canvas (test builds: ProbeMode::AllItems). Every
// build also notes the item that has the keyboard focus, its label and value,
// for the screen reader (ProbeMode::FocusOnly: one id compared per item).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imgui.h"

namespace crm::ui {

struct ProbedItem {
  ImGuiID id = 0;
  std::string label;  // as passed to the widget, "##id" suffix included
  ImVec2 min, max;    // in ImGui display coordinates (framebuffer pixels)
  // A target a finger can press: a widget (button, field, checkbox, row…) or a window's title-bar button;
  // not a window, a child's navigation entry or a scrollbar.
  bool interactive = false;
  ImGuiID windowId = 0;  // the window it was drawn in
  bool textField = false;  // takes typing (a text or number field)
};

// A window of the frame, for telling whether an item in it can be scrolled into view.
struct ProbedWindow {
  ImGuiID id = 0;
  ImGuiID parentId = 0;  // 0 for a top-level window
  std::string name;
  ImVec2 min, max;            // the whole window
  ImVec2 clipMin, clipMax;    // where its content shows (ImGui's inner clip rectangle)
  ImVec2 innerMin;            // where its content starts, before scrolling
  ImVec2 scroll, scrollMax;
  // A multi-line text field's own window: it scrolls its text under the cursor by itself.
  bool textField = false;
};

// The control that has the keyboard focus (ImGui's NavId), as the last frame drew it.
struct FocusedItem {
  ImGuiID id = 0;
  std::string label;       // as passed to the widget
  std::string name;        // given by NameNextItem (the words of a field's label drawn above it)
  int flags = 0;           // ImGuiItemStatusFlags: checkable, checked, inputable…
  bool editing = false;    // a text field being typed into: `text` holds what it holds
  bool password = false;
  std::string text;
};

enum class ProbeMode { AllItems, FocusOnly };

class ItemProbe {
 public:
  // Attaches to the current ImGui context and turns the hooks on.
  void Attach(ImGuiContext* context, ProbeMode mode = ProbeMode::AllItems);
  // Call after ImGui::Render(): the finished frame becomes the one Find() looks at.
  void EndFrame();

  // Finds an item of the last frame by its visible label, its full label, or its "##id"/"###id" part.
  std::optional<ProbedItem> Find(std::string_view label) const;
  const std::vector<ProbedItem>& LastFrame() const { return m_last; }
  const FocusedItem& Focused() const { return m_focusedLast; }
  // The windows the last frame's items were drawn in, with their parents.
  const std::vector<ProbedWindow>& LastWindows() const { return m_lastWindows; }

  // Called from the hooks.
  // `navigable`: registered with item data and reachable by navigation (not a scrollbar, grip or border).
  void OnItemAdd(ImGuiID id, const ImVec2& min, const ImVec2& max, bool navigable);
  void OnItemInfo(ImGuiID id, const char* label, int flags = 0);  // flags: ImGuiItemStatusFlags
  void SetNextName(std::string_view name) { m_nextName = name; }

 private:
  ImGuiContext* m_context = nullptr;
  ProbeMode m_mode = ProbeMode::AllItems;
  FocusedItem m_focused;
  FocusedItem m_focusedLast;
  std::string m_nextName;
  std::vector<ProbedItem> m_current;
  std::vector<ProbedItem> m_last;
  std::vector<ProbedWindow> m_lastWindows;
};

// The text a frame drew, read back from its glyphs in the draw data: every window (tooltips and popups too),
// exactly what a person sees (no "##id" parts, no text clipped away). One entry per run of text on a line;
// a gap of a space or more between glyphs reads as a space. For tests, after ImGui::Render().
std::vector<std::string> DrawnTexts(const ImDrawData& data, const ImFontAtlas& atlas);

// Names the next item for the screen reader, when its own label shows no text (a text field whose label is
// drawn above it, a list row drawn by hand). Does nothing when no probe is attached.
void NameNextItem(std::string_view name);

}  // namespace crm::ui
