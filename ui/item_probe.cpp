#include "ui/item_probe.h"

#include "imgui_internal.h"

namespace crm::ui {

void ItemProbe::Attach(ImGuiContext* context) {
  context->TestEngine = this;
  context->TestEngineHookItems = true;
}

void ItemProbe::EndFrame() {
  m_last.swap(m_current);
  m_current.clear();
}

void ItemProbe::OnItemAdd(ImGuiID id, const ImVec2& min, const ImVec2& max) {
  // Items may be submitted twice in one frame (e.g. re-layout): the last rectangle wins.
  for (ProbedItem& item : m_current) {
    if (item.id == id) {
      item.min = min;
      item.max = max;
      return;
    }
  }
  m_current.push_back(ProbedItem{id, {}, min, max});
}

void ItemProbe::OnItemInfo(ImGuiID id, const char* label) {
  if (!label) return;
  for (auto it = m_current.rbegin(); it != m_current.rend(); ++it) {
    if (it->id == id) {
      it->label = label;
      return;
    }
  }
}

std::optional<ProbedItem> ItemProbe::Find(std::string_view wanted) const {
  for (const ProbedItem& item : m_last) {
    std::string_view label = item.label;
    if (label.empty()) continue;
    size_t hashes = label.find("##");
    std::string_view visible = label.substr(0, hashes);
    std::string_view idPart;  // "##add" → "add", "###add" → "add"
    if (hashes != std::string_view::npos) {
      size_t start = label.find_first_not_of('#', hashes);
      if (start != std::string_view::npos) idPart = label.substr(start);
    }
    if (label == wanted || visible == wanted || (!idPart.empty() && idPart == wanted)) return item;
  }
  return std::nullopt;
}

}  // namespace crm::ui

// ImGui's test-engine hooks (declared in imgui_internal.h when IMGUI_ENABLE_TEST_ENGINE is set).
void ImGuiTestEngineHook_ItemAdd(ImGuiContext* ctx, ImGuiID id, const ImRect& bb, const ImGuiLastItemData*) {
  if (auto* probe = static_cast<crm::ui::ItemProbe*>(ctx->TestEngine)) probe->OnItemAdd(id, bb.Min, bb.Max);
}

void ImGuiTestEngineHook_ItemInfo(ImGuiContext* ctx, ImGuiID id, const char* label, ImGuiItemStatusFlags) {
  if (auto* probe = static_cast<crm::ui::ItemProbe*>(ctx->TestEngine)) probe->OnItemInfo(id, label);
}

void ImGuiTestEngineHook_Log(ImGuiContext*, const char*, ...) {}

const char* ImGuiTestEngine_FindItemDebugLabel(ImGuiContext*, ImGuiID) { return nullptr; }
