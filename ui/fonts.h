#pragma once
// Fonts: a Latin face merged with a CJK face (the CJK font has no Latin
// glyphs, the Latin one no Han glyphs), rasterised at the device's pixel
// ratio so text stays sharp on high-DPI screens.
//
// The atlas starts with Latin and every UI string, and grows from the text
// shown (a rebuild costs time in proportion to the glyphs it holds): screens note data text through
// NoteText() while drawing, the atlas collects codepoints it lacks, and the
// platform rebuilds it between frames. The shipped CJK subset holds GB2312 and
// the rarer name characters (web/fonts/extra_chars.txt), so a name such as
// 王堃 renders as glyphs, not '?'.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "core/result.h"
#include "imgui.h"

namespace crm::ui {

struct FontFiles {
  std::string latin;  // e.g. /fonts/latin.ttf
  std::string cjk;    // e.g. /fonts/cjk.ttf
};

constexpr float kBaseFontSize = 17.0f;    // CSS pixels, laptop layout
constexpr float kTabletFontSize = 20.0f;  // CSS pixels, tablet layout: larger text and touch targets

// Rebuilds io.Fonts for `pixelRatio`. The atlas holds Latin, every UI string
// and `extraText` (data on screen whose glyphs must exist).
Status BuildFonts(ImGuiIO& io, const FontFiles& files, float pixelRatio, const std::string& extraText,
                  float cssSize = kBaseFontSize);

class GlyphAtlas {
 public:
  void SetFiles(FontFiles files) { m_files = std::move(files); }
  const FontFiles& Files() const { return m_files; }

  // Queues every codepoint of `text` that the current atlas lacks. Cheap: one table lookup per character.
  void Require(std::string_view text);
  bool HasPending() const { return !m_pending.empty(); }

  // Between frames: rebuilds when the pixel ratio or size changed or codepoints are pending.
  // True when the atlas was rebuilt (the renderer must upload the new texture).
  Result<bool> Update(ImGuiIO& io, float pixelRatio, float cssSize);
  // The next Update rebuilds whatever changed (the texture was lost with its GL context).
  void Invalidate() { m_pixelRatio = 0; }

  double LastBuildMs() const { return m_lastBuildMs; }
  int Builds() const { return m_builds; }
  size_t ExtraCount() const { return m_extra.size(); }
  // Codepoints asked for that the shipped fonts do not have: asked once, never rebuilt for again.
  size_t MissingCount() const { return m_missing.size(); }

 private:
  FontFiles m_files;
  std::set<uint32_t> m_extra;    // codepoints added beyond the base ranges, kept across rebuilds
  std::set<uint32_t> m_pending;  // noted since the last rebuild, not in the atlas
  std::set<uint32_t> m_missing;  // not in the shipped fonts
  float m_pixelRatio = 0;
  float m_cssSize = 0;
  double m_lastBuildMs = 0;
  int m_builds = 0;
};

// Notes data text about to be drawn, so the glyph atlas grows to hold it. Finds
// the atlas through io.UserData, which the owner of the ImGui context points at
// its GlyphAtlas; does nothing when none is set.
void NoteText(std::string_view text);

}  // namespace crm::ui
