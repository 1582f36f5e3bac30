#include "ui/item_probe.h"

#include "imgui_internal.h"

namespace crm::ui {

void ItemProbe::Attach(ImGuiContext* context) {
  m_context = context;
  context->TestEngine = this;
  context->TestEngineHookItems = true;
}

namespace {
ProbedWindow Describe(const ImGuiWindow& window) {
  ProbedWindow probed;
  probed.id = window.ID;
  probed.parentId = (window.Flags & ImGuiWindowFlags_ChildWindow) && window.ParentWindow ? window.ParentWindow->ID : 0;
  probed.name = window.Name;
  probed.min = window.Pos;
  probed.max = ImVec2(window.Pos.x + window.Size.x, window.Pos.y + window.Size.y);
  probed.clipMin = window.InnerClipRect.Min;
  probed.clipMax = window.InnerClipRect.Max;
  probed.innerMin = window.InnerRect.Min;
  probed.scroll = window.Scroll;
  probed.scrollMax = window.ScrollMax;
  return probed;
}
}  // namespace

void ItemProbe::EndFrame() {
  m_last.swap(m_current);
  m_current.clear();
  m_lastWindows.clear();
  if (!m_context) return;
  // Every window an item was drawn in, and the windows around it.
  for (const ProbedItem& item : m_last) {
    for (ImGuiWindow* window = ImGui::FindWindowByID(item.windowId); window; window = window->ParentWindow) {
      bool known = false;
      for (const ProbedWindow& probed : m_lastWindows) known = known || probed.id == window->ID;
      if (known) break;
      m_lastWindows.push_back(Describe(*window));
      // A multi-line field draws its text in a child window registered under the field's own id.
      for (const ProbedItem& field : m_last) {
        if (field.textField && field.id == window->ChildId) m_lastWindows.back().textField = true;
      }
      if (!(window->Flags & ImGuiWindowFlags_ChildWindow)) break;
    }
  }
}

void ItemProbe::OnItemAdd(ImGuiID id, const ImVec2& min, const ImVec2& max, bool navigable) {
  ImGuiWindow* window = m_context ? m_context->CurrentWindow : nullptr;
  // Targets are told apart from what ImGui also registers: a window itself and its title bar, a child
  // window's entry in its parent, and the scrollbars, resize grips and borders (registered without data, or not navigable).
  // (ImGui's implicit "Debug" window, open in every frame, is never shown to anyone.)
  bool target = navigable && window && id != window->ID && id != window->MoveId && !window->IsFallbackWindow;
  for (int i = 0; target && i < window->DC.ChildWindows.Size; i++) target = window->DC.ChildWindows[i]->ChildId != id;
  // A table's column header does nothing when pressed unless the table sorts, reorders, hides or resizes
  // its columns; then it is a caption, not a control.
  const ImGuiTable* table = m_context ? m_context->CurrentTable : nullptr;
  constexpr ImGuiTableFlags kHeaderActions =
      ImGuiTableFlags_Sortable | ImGuiTableFlags_Reorderable | ImGuiTableFlags_Hideable | ImGuiTableFlags_Resizable;
  if (target && table && table->InnerWindow == window && (table->RowFlags & ImGuiTableRowFlags_Headers) &&
      !(table->Flags & kHeaderActions)) {
    target = false;
  }
  // A title bar's close (or collapse) button: drawn on the window's menu layer, with no label.
  bool titleBarButton = target && window->DC.NavLayerCurrent == ImGuiNavLayer_Menu && !(window->Flags & ImGuiWindowFlags_MenuBar);
  // Items may be submitted twice in one frame (e.g. re-layout): the last rectangle wins.
  for (ProbedItem& item : m_current) {
    if (item.id == id) {
      item.min = min;
      item.max = max;
      return;
    }
  }
  // A widget clipped out of its window gets no label (ImGui stops before naming it) but is still a target.
  ProbedItem item{id, titleBarButton ? "##title_bar_button" : "", min, max};
  item.interactive = target;
  item.windowId = window ? window->ID : 0;
  m_current.push_back(item);
}

void ItemProbe::OnItemInfo(ImGuiID id, const char* label, bool textField) {
  if (!label) return;
  for (auto it = m_current.rbegin(); it != m_current.rend(); ++it) {
    if (it->id == id) {
      it->label = label;
      it->textField = textField;
      // A multi-line field is registered under its own child window's id, like a child's entry, but is a target.
      if (textField) it->interactive = true;
      // Windows register themselves under their own name.
      if (m_context && ImGui::FindWindowByID(id) != nullptr) it->interactive = false;
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
void ImGuiTestEngineHook_ItemAdd(ImGuiContext* ctx, ImGuiID id, const ImRect& bb, const ImGuiLastItemData* data) {
  bool navigable = data && !(data->InFlags & ImGuiItemFlags_NoNav);
  if (auto* probe = static_cast<crm::ui::ItemProbe*>(ctx->TestEngine)) probe->OnItemAdd(id, bb.Min, bb.Max, navigable);
}

void ImGuiTestEngineHook_ItemInfo(ImGuiContext* ctx, ImGuiID id, const char* label, ImGuiItemStatusFlags flags) {
  bool textField = (flags & ImGuiItemStatusFlags_Inputable) != 0;
  if (auto* probe = static_cast<crm::ui::ItemProbe*>(ctx->TestEngine)) probe->OnItemInfo(id, label, textField);
}

void ImGuiTestEngineHook_Log(ImGuiContext*, const char*, ...) {}

const char* ImGuiTestEngine_FindItemDebugLabel(ImGuiContext*, ImGuiID) { return nullptr; }
