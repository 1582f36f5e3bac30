#include "ui/item_probe.h"

#include <cmath>
#include <map>
#include <utility>

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
void ImGuiTestEngineHook_ItemAdd(ImGuiContext* ctx, ImGuiID id, const ImRect& bb, const ImGuiLastItemData*) {
  if (auto* probe = static_cast<crm::ui::ItemProbe*>(ctx->TestEngine)) probe->OnItemAdd(id, bb.Min, bb.Max);
}

void ImGuiTestEngineHook_ItemInfo(ImGuiContext* ctx, ImGuiID id, const char* label, ImGuiItemStatusFlags) {
  if (auto* probe = static_cast<crm::ui::ItemProbe*>(ctx->TestEngine)) probe->OnItemInfo(id, label);
}

void ImGuiTestEngineHook_Log(ImGuiContext*, const char*, ...) {}

const char* ImGuiTestEngine_FindItemDebugLabel(ImGuiContext*, ImGuiID) { return nullptr; }
