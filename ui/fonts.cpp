#include "ui/fonts.h"

#include <cstdio>

#include "ui/i18n.h"

namespace crm::ui {

namespace {
bool Readable(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return false;
  std::fclose(file);
  return true;
}

void AddUiText(const char* text, void* context) { static_cast<ImFontGlyphRangesBuilder*>(context)->AddText(text); }
}  // namespace

Status BuildFonts(ImGuiIO& io, const FontFiles& files, float pixelRatio, const std::string& extraText) {
  if (!Readable(files.latin)) return MakeError(ErrorCode::NotFound, "font file missing: " + files.latin);
  if (!Readable(files.cjk)) return MakeError(ErrorCode::NotFound, "font file missing: " + files.cjk);

  // The ranges are read during Build() below; a later rebuild comes through here again, after Clear().
  ImFontGlyphRangesBuilder builder;
  builder.AddRanges(io.Fonts->GetGlyphRangesDefault());
  builder.AddRanges(io.Fonts->GetGlyphRangesChineseSimplifiedCommon());
  ForEachString(AddUiText, &builder);
  builder.AddText(extraText.c_str());
  ImVector<ImWchar> ranges;
  builder.BuildRanges(&ranges);

  io.Fonts->Clear();
  float size = kBaseFontSize * pixelRatio;
  ImFontConfig latin;
  latin.OversampleH = 2;
  latin.OversampleV = 1;
  std::snprintf(latin.Name, sizeof latin.Name, "Latin %.0fpx", size);
  if (!io.Fonts->AddFontFromFileTTF(files.latin.c_str(), size, &latin, ranges.Data)) {
    return MakeError(ErrorCode::Corrupt, "cannot load font " + files.latin);
  }
  ImFontConfig cjk;
  cjk.MergeMode = true;
  cjk.OversampleH = 1;
  cjk.OversampleV = 1;
  cjk.PixelSnapH = true;
  if (!io.Fonts->AddFontFromFileTTF(files.cjk.c_str(), size, &cjk, ranges.Data)) {
    return MakeError(ErrorCode::Corrupt, "cannot load font " + files.cjk);
  }
  if (!io.Fonts->Build()) return MakeError(ErrorCode::Storage, "cannot build the glyph atlas");
  io.FontGlobalScale = 1.0f;
  return Ok();
}

}  // namespace crm::ui
