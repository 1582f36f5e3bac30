#include "ui/fonts.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <utility>

#include "ui/i18n.h"
#include "ui/keyed_text.h"

namespace crm::ui {

namespace {
bool Readable(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return false;
  std::fclose(file);
  return true;
}

constexpr float kCjkScale = 1.12f;
// CJK Extension B–F (U+20000–U+2EBEF): the on-demand Han font's range.
constexpr uint32_t kHanExtensionFirst = 0x20000;
constexpr uint32_t kHanExtensionLast = 0x2EBEF;

void AddUiText(const char* text, void* context) { static_cast<ImFontGlyphRangesBuilder*>(context)->AddText(text); }

// Decodes one UTF-8 sequence; returns its length (at least 1, so a bad byte is skipped) and the codepoint or 0.
size_t DecodeUtf8(std::string_view text, size_t i, uint32_t& codepoint) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || i + length > text.size()) {
    codepoint = 0;
    return 1;
  }
  codepoint = length == 1 ? lead : lead & (0xFF >> (length + 1));
  for (size_t k = 1; k < length; k++) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      codepoint = 0;
      return 1;
    }
    codepoint = (codepoint << 6) | (byte(i + k) & 0x3F);
  }
  return length;
}

void AppendUtf8(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}
}  // namespace

std::string HanExtensionFileName(uint32_t codepoint) {
  char name[32];
  std::snprintf(name, sizeof name, "han-%X.ttf", static_cast<unsigned>(codepoint >> 12));
  return name;
}

std::string HanExtensionFile(const FontFiles& files, uint32_t codepoint) {
  if (files.hanExtensionDir.empty() || codepoint < kHanExtensionFirst || codepoint > kHanExtensionLast) return "";
  return files.hanExtensionDir + "/" + HanExtensionFileName(codepoint);
}

Status BuildFonts(ImGuiIO& io, const FontFiles& files, float pixelRatio, const std::string& extraText, float cssSize,
                  const std::set<std::string>& hanExtensions) {
  if (!Readable(files.latin)) return MakeError(ErrorCode::NotFound, "font file missing: " + files.latin);
  if (!Readable(files.cjk)) return MakeError(ErrorCode::NotFound, "font file missing: " + files.cjk);

  // The ranges are read during Build() below; a later rebuild comes through here again, after Clear().
  ImFontGlyphRangesBuilder builder;
  // Latin and the UI's own strings only: Han characters of data join when first shown (GlyphAtlas), so a
  // rebuild rasterises hundreds of glyphs, not the thousands of a "common Chinese" range, and stays
  // within a frame's budget even at a pixel ratio of 2 or 3.
  builder.AddRanges(io.Fonts->GetGlyphRangesDefault());
  builder.AddChar(static_cast<ImWchar>(kMissingGlyphChar));
  ForEachString(AddUiText, &builder);
  ForEachKeyedText([](const KeyedText& text, void* context) {
    AddUiText(text.zh, context);
    AddUiText(text.en, context);
  }, &builder);
  builder.AddText(extraText.c_str());
  ImVector<ImWchar> ranges;
  builder.BuildRanges(&ranges);

  io.Fonts->Clear();
  float size = cssSize * pixelRatio;
  ImFontConfig latin;
  latin.OversampleH = 2;
  latin.OversampleV = 1;
  std::snprintf(latin.Name, sizeof latin.Name, "Latin %.0fpx", size);
  ImFont* font = io.Fonts->AddFontFromFileTTF(files.latin.c_str(), size, &latin, ranges.Data);
  if (!font) return MakeError(ErrorCode::Corrupt, "cannot load font " + files.latin);
  // Read when the atlas is built: a character no face has shows as a box, not as '?' (which reads as text).
  font->FallbackChar = static_cast<ImWchar>(kMissingGlyphChar);
  ImFontConfig cjk;
  cjk.MergeMode = true;
  cjk.OversampleH = 1;
  cjk.OversampleV = 1;
  cjk.PixelSnapH = true;
  // Droid Sans Fallback draws Han smaller than DejaVu draws Latin at the same size: a little larger, and
  // lowered onto the Latin baseline, the two scripts read as one text.
  float cjkSize = std::round(size * kCjkScale);
  cjk.GlyphOffset.y = std::round((cjkSize - size) * 0.35f);
  if (!io.Fonts->AddFontFromFileTTF(files.cjk.c_str(), cjkSize, &cjk, ranges.Data)) {
    return MakeError(ErrorCode::Corrupt, "cannot load font " + files.cjk);
  }
  // Merged after the text faces, so a character both have (→, ①) keeps the text face's look.
  ImFontConfig merged;
  merged.MergeMode = true;
  merged.OversampleH = 1;
  merged.OversampleV = 1;
  merged.PixelSnapH = true;
  if (!files.symbols.empty() && Readable(files.symbols) &&
      !io.Fonts->AddFontFromFileTTF(files.symbols.c_str(), size, &merged, ranges.Data)) {
    return MakeError(ErrorCode::Corrupt, "cannot load font " + files.symbols);
  }
  for (const std::string& file : hanExtensions) {
    if (!io.Fonts->AddFontFromFileTTF(file.c_str(), size, &merged, ranges.Data)) {
      return MakeError(ErrorCode::Corrupt, "cannot load font " + file);
    }
  }
  if (!io.Fonts->Build()) return MakeError(ErrorCode::Storage, "cannot build the glyph atlas");
  io.FontGlobalScale = 1.0f;
  return Ok();
}

void GlyphAtlas::Require(std::string_view text) {
  ImGuiIO& io = ImGui::GetIO();
  if (io.Fonts->Fonts.empty() || !io.Fonts->IsBuilt()) return;
  ImFont* font = io.Fonts->Fonts[0];
  for (size_t i = 0; i < text.size();) {
    uint32_t c = 0;
    i += DecodeUtf8(text, i, c);
    if (c < 0x20 || c > IM_UNICODE_CODEPOINT_MAX) continue;
    if (font->FindGlyphNoFallback(static_cast<ImWchar>(c))) continue;
    if (m_missing.count(c) || m_extra.count(c) || m_waiting.count(c)) continue;
    m_pending.insert(c);
  }
}

void GlyphAtlas::HoldForFiles() {
  for (auto it = m_pending.begin(); it != m_pending.end();) {
    std::string file = HanExtensionFile(m_files, *it);
    if (file.empty() || m_loadedFiles.count(file)) {
      ++it;
      continue;
    }
    if (Readable(file)) {
      m_loadedFiles.insert(file);
      ++it;
      continue;
    }
    bool asked = false;
    for (const auto& waiting : m_waiting) asked = asked || waiting.second == file;
    if (!asked) m_toFetch.push_back(file);
    m_waiting[*it] = file;
    it = m_pending.erase(it);
  }
}

std::vector<std::string> GlyphAtlas::TakeFilesToFetch() { return std::exchange(m_toFetch, {}); }

void GlyphAtlas::FileArrived(const std::string& path, bool ok) {
  for (auto it = m_waiting.begin(); it != m_waiting.end();) {
    if (it->second != path) {
      ++it;
      continue;
    }
    (ok ? m_pending : m_missing).insert(it->first);
    it = m_waiting.erase(it);
  }
}

Result<bool> GlyphAtlas::Update(ImGuiIO& io, float pixelRatio, float cssSize) {
  HoldForFiles();
  if (pixelRatio == m_pixelRatio && cssSize == m_cssSize && m_pending.empty()) return false;
  std::set<uint32_t> asked = m_pending;
  m_extra.insert(m_pending.begin(), m_pending.end());
  m_pending.clear();
  std::string extra;
  for (uint32_t c : m_extra) AppendUtf8(extra, c);

  auto started = std::chrono::steady_clock::now();
  Status built = BuildFonts(io, m_files, pixelRatio, extra, cssSize, m_loadedFiles);
  m_lastBuildMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  m_builds++;
  m_pixelRatio = pixelRatio;
  m_cssSize = cssSize;
  CRM_TRY(built);
  // What the fonts do not have is remembered, so it never triggers another rebuild.
  ImFont* font = io.Fonts->Fonts[0];
  for (uint32_t c : asked) {
    if (!font->FindGlyphNoFallback(static_cast<ImWchar>(c))) {
      m_missing.insert(c);
      m_extra.erase(c);
    }
  }
  return true;
}

void NoteText(std::string_view text) {
  if (auto* atlas = static_cast<GlyphAtlas*>(ImGui::GetIO().UserData)) atlas->Require(text);
}

}  // namespace crm::ui
