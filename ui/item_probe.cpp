#include "ui/item_probe.h"

#include <cmath>
#include <map>
#include <utility>

#include "imgui_internal.h"

namespace crm::ui {

void ItemProbe::Attach(ImGuiContext* context, ProbeMode mode) {
  m_context = context;
  m_mode = mode;
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
  m_focusedLast = std::move(m_focused);
  m_focused = FocusedItem{};
  m_lastWindows.clear();
  if (!m_context || m_mode == ProbeMode::FocusOnly) return;
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
  if (m_mode == ProbeMode::FocusOnly) return;
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

void ItemProbe::OnItemInfo(ImGuiID id, const char* label, int flags) {
  bool textField = (flags & ImGuiItemStatusFlags_Inputable) != 0;
  if (!label) return;
  std::string name = std::move(m_nextName);
  m_nextName.clear();
  if (m_context && id != 0 && id == m_context->NavId) {
    m_focused = FocusedItem{id, label, std::move(name), flags};
    // A text field being typed into: its text is ImGui's edit buffer (the caller's string lags a frame behind).
    const ImGuiInputTextState& edit = m_context->InputTextState;
    if ((flags & ImGuiItemStatusFlags_Inputable) && m_context->ActiveId == id && edit.ID == id) {
      m_focused.editing = true;
      m_focused.password = (edit.Flags & ImGuiInputTextFlags_Password) != 0;
      if (!m_focused.password && edit.CurLenW > 0) {
        m_focused.text.resize(static_cast<size_t>(edit.CurLenW) * 4 + 1);
        int written = ImTextStrToUtf8(m_focused.text.data(), static_cast<int>(m_focused.text.size()), edit.TextW.Data,
                                      edit.TextW.Data + edit.CurLenW);
        m_focused.text.resize(static_cast<size_t>(written));
      }
    }
  }
  if (m_mode == ProbeMode::FocusOnly) return;
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

void NameNextItem(std::string_view name) {
  ImGuiContext* context = ImGui::GetCurrentContext();
  if (auto* probe = context ? static_cast<ItemProbe*>(context->TestEngine) : nullptr) probe->SetNextName(name);
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

namespace {

struct GlyphOf {
  const ImFontGlyph* glyph;
  float fontSize;
};

void AppendUtf8(std::string& out, unsigned int c) {
  char buffer[5];
  out += ImTextCharToUtf8(buffer, c);  // returns the buffer, 0-terminated
}

}  // namespace

std::vector<std::string> DrawnTexts(const ImDrawData& data, const ImFontAtlas& atlas) {
  // A glyph's quad carries the glyph's atlas rectangle as its texture coordinates, unchanged unless clipped.
  std::map<std::pair<float, float>, std::vector<GlyphOf>> byCorner;
  for (const ImFont* font : atlas.Fonts) {
    for (const ImFontGlyph& glyph : font->Glyphs) {
      if (glyph.Visible) byCorner[{glyph.U0, glyph.V0}].push_back(GlyphOf{&glyph, font->FontSize});
    }
  }
  std::vector<std::string> runs;
  for (int l = 0; l < data.CmdListsCount; l++) {
    const ImVector<ImDrawVert>& vertices = data.CmdLists[l]->VtxBuffer;
    std::string run;
    float penEnd = 0, baseline = 0;
    auto flush = [&] {
      if (!run.empty()) runs.push_back(std::move(run));
      run.clear();
    };
    for (int v = 0; v + 3 < vertices.Size; v++) {
      const ImDrawVert& topLeft = vertices[v];
      const ImDrawVert& bottomRight = vertices[v + 2];
      auto found = byCorner.find({topLeft.uv.x, topLeft.uv.y});
      if (found == byCorner.end()) continue;
      const GlyphOf* match = nullptr;
      for (const GlyphOf& candidate : found->second) {
        if (candidate.glyph->U1 == bottomRight.uv.x && candidate.glyph->V1 == bottomRight.uv.y) match = &candidate;
      }
      if (!match || match->glyph->X1 <= match->glyph->X0) continue;
      const ImFontGlyph& glyph = *match->glyph;
      float scale = (bottomRight.pos.x - topLeft.pos.x) / (glyph.X1 - glyph.X0);
      float em = match->fontSize * scale;
      float pen = topLeft.pos.x - glyph.X0 * scale;
      float line = topLeft.pos.y - glyph.Y0 * scale;
      bool sameLine = !run.empty() && std::fabs(line - baseline) < em * 0.5f && pen > penEnd - em * 0.1f;
      if (!sameLine) flush();
      else if (pen - penEnd > em * 0.1f) run += ' ';
      AppendUtf8(run, glyph.Codepoint);
      penEnd = pen + glyph.AdvanceX * scale;
      baseline = line;
      v += 3;
    }
    flush();
  }
  return runs;
}

}  // namespace crm::ui

// ImGui's test-engine hooks (declared in imgui_internal.h when IMGUI_ENABLE_TEST_ENGINE is set).
void ImGuiTestEngineHook_ItemAdd(ImGuiContext* ctx, ImGuiID id, const ImRect& bb, const ImGuiLastItemData* data) {
  bool navigable = data && !(data->InFlags & ImGuiItemFlags_NoNav);
  if (auto* probe = static_cast<crm::ui::ItemProbe*>(ctx->TestEngine)) probe->OnItemAdd(id, bb.Min, bb.Max, navigable);
}

void ImGuiTestEngineHook_ItemInfo(ImGuiContext* ctx, ImGuiID id, const char* label, ImGuiItemStatusFlags flags) {
  if (auto* probe = static_cast<crm::ui::ItemProbe*>(ctx->TestEngine)) probe->OnItemInfo(id, label, flags);
}

void ImGuiTestEngineHook_Log(ImGuiContext*, const char*, ...) {}

const char* ImGuiTestEngine_FindItemDebugLabel(ImGuiContext*, ImGuiID) { return nullptr; }
