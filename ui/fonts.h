#pragma once
// Fonts: a Latin face merged with a CJK face (the CJK font has no Latin
// glyphs, the Latin one no Han glyphs), rasterised at the device's pixel
// ratio so text stays sharp on high-DPI screens.
#include <string>

#include "core/result.h"
#include "imgui.h"

namespace crm::ui {

struct FontFiles {
  std::string latin;  // e.g. /fonts/latin.ttf
  std::string cjk;    // e.g. /fonts/cjk.ttf
};

constexpr float kBaseFontSize = 17.0f;  // CSS pixels

// Rebuilds io.Fonts for `pixelRatio`. The atlas holds Latin, common Chinese,
// every UI string and `extraText` (data on screen whose glyphs must exist).
Status BuildFonts(ImGuiIO& io, const FontFiles& files, float pixelRatio, const std::string& extraText);

}  // namespace crm::ui
