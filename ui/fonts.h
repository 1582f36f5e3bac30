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
// 王堃 renders as glyphs, not '?'; a symbol font holds emoji and symbols (🏠 ☎ ∅).
// Name characters of CJK Extension B–F (𠮷) come from files fetched only when
// such a character first appears (one file per 4096 code points, megabytes each).
// A character no font has is drawn as a box (□), never as '?'.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "imgui.h"

namespace crm::ui {

struct FontFiles {
  std::string latin;    // e.g. /fonts/latin.ttf
  std::string cjk;      // e.g. /fonts/cjk.ttf
  std::string symbols;  // e.g. /fonts/symbols.ttf: emoji and symbols, monochrome
  std::string hanExtensionDir;  // e.g. /fonts/han-ext: CJK Extension B–F, fetched on demand; "" for none
};

// The file of the on-demand Han font holding `codepoint` (CJK Extension B–F), or "" for other characters.
std::string HanExtensionFile(const FontFiles& files, uint32_t codepoint);
// The file name alone ("han-20.ttf"), as the platform finds it beside the app.
std::string HanExtensionFileName(uint32_t codepoint);

// Drawn for a character that no font has: a box, so a reader sees something is there.
constexpr uint32_t kMissingGlyphChar = 0x25A1;  // □

constexpr float kBaseFontSize = 17.0f;    // CSS pixels, laptop layout
constexpr float kTabletFontSize = 20.0f;  // CSS pixels, tablet layout: larger text and touch targets

// Rebuilds io.Fonts for `pixelRatio`. The atlas holds Latin, every UI string
// and `extraText` (data on screen whose glyphs must exist); `hanExtensions` are
// the on-demand Han files present so far.
Status BuildFonts(ImGuiIO& io, const FontFiles& files, float pixelRatio, const std::string& extraText,
                  float cssSize = kBaseFontSize, const std::set<std::string>& hanExtensions = {});

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

  // On-demand font files some text needs and no one has fetched yet; each is handed out once. The
  // platform fetches them to the path named and calls FileArrived (natively they are on disk already).
  std::vector<std::string> TakeFilesToFetch();
  // The fetch of `path` ended: its characters are asked for again, or drawn as boxes when it failed.
  void FileArrived(const std::string& path, bool ok);
  const std::set<std::string>& LoadedFiles() const { return m_loadedFiles; }
  size_t WaitingCount() const { return m_waiting.size(); }

 private:
  // Sorts the pending codepoints whose on-demand file is not loaded: loads it when present, else waits for it.
  void HoldForFiles();

  FontFiles m_files;
  std::set<std::string> m_loadedFiles;        // on-demand files in the atlas
  std::map<uint32_t, std::string> m_waiting;  // codepoint -> the on-demand file being fetched for it
  std::vector<std::string> m_toFetch;
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
