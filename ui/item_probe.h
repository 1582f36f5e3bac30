#pragma once
// Records every ImGui item's label, id and rectangle during a frame, through
// ImGui's test-engine hooks, so browser tests can find a widget by its label
// and click it on the real canvas. Hooks are enabled only in test builds
// (ImGuiContext::TestEngineHookItems); release builds pay nothing.
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
};

class ItemProbe {
 public:
  // Attaches to the current ImGui context and turns the hooks on.
  void Attach(ImGuiContext* context);
  // Call after ImGui::Render(): the finished frame becomes the one Find() looks at.
  void EndFrame();

  // Finds an item of the last frame by its visible label, its full label, or its "##id"/"###id" part.
  std::optional<ProbedItem> Find(std::string_view label) const;
  const std::vector<ProbedItem>& LastFrame() const { return m_last; }

  // Called from the hooks.
  void OnItemAdd(ImGuiID id, const ImVec2& min, const ImVec2& max);
  void OnItemInfo(ImGuiID id, const char* label);

 private:
  std::vector<ProbedItem> m_current;
  std::vector<ProbedItem> m_last;
};

// The text a frame drew, read back from its glyphs in the draw data: every window (tooltips and popups too),
// exactly what a person sees (no "##id" parts, no text clipped away). One entry per run of text on a line;
// a gap of a space or more between glyphs reads as a space. For tests, after ImGui::Render().
std::vector<std::string> DrawnTexts(const ImDrawData& data, const ImFontAtlas& atlas);

}  // namespace crm::ui
