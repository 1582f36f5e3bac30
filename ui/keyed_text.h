#pragma once
// Texts looked up by a key, for what core describes as data: record types and their fields
// (core/records.h names each by a label key such as "contacts.name"). Each feature keeps its texts in
// its own file under ui/strings/, in both languages; the build lists the files, so a new feature adds
// one file and nothing else. The app's own words (buttons, titles) stay in Str (ui/i18n.h).
#include <cstddef>
#include <string>
#include <string_view>

#include "ui/i18n.h"

namespace crm::ui {

struct KeyedText {
  const char* key;
  const char* zh;
  const char* en;
};

// One feature's texts (ui/strings/<feature>_strings.cpp defines `extern const KeyedTexts k_<feature>_strings`).
struct KeyedTexts {
  const KeyedText* texts;
  size_t count;
};

// The text of a key in a language, or nullptr when no feature defines the key.
const char* TrKey(Lang lang, std::string_view key);

// A keyed text holding up to three %s, filled in order (a text with fewer ignores the rest); the key itself
// when no feature defines it.
std::string TrKeyWith(Lang lang, std::string_view key, const std::string& first, const std::string& second = {},
                      const std::string& third = {});

// Every keyed text of every feature, for the font atlas and the guard tests.
void ForEachKeyedText(void (*visit)(const KeyedText& text, void* context), void* context);

}  // namespace crm::ui
