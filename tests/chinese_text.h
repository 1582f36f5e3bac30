#pragma once
// What may stand in Latin letters on a Chinese screen: names of things that have no Chinese name (PIN, CSV,
// Excel, UTF-8, GB18030…), key names, and the language switch's "English". Everything else a Chinese reader sees
// must be Chinese: an English word there is a message that was not translated.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace crm::ui::chinese_text {

inline bool AllowedInChinese(std::string word) {
  static const char* const kAllowed[] = {"pin", "csv", "excel", "utf", "gb", "sqlite", "ctrl", "esc", "tab", "enter", "shift", "english", "https"};
  std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(std::begin(kAllowed), std::end(kAllowed), [&](const char* allowed) { return word == allowed; });
}

// The words of two or more ASCII letters in `text` that are not allowed on a Chinese screen; printf conversions
// (%lld, %s, %.1f) and named placeholders ({who}) are not words, nor are codes written with underscores (a field
// key's example, store_area).
inline std::vector<std::string> ForeignWords(std::string_view text) {
  std::vector<std::string> foreign;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '%') {
      size_t end = text.find_first_of("diouxXeEfgGcsp%", i + 1);
      i = end == std::string_view::npos ? text.size() : end + 1;
      continue;
    }
    if (text[i] == '{') {
      size_t end = text.find('}', i + 1);
      bool placeholder = end != std::string_view::npos && end > i + 1 &&
                         std::all_of(text.begin() + i + 1, text.begin() + end, [](char c) {
                           return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                         });
      i = placeholder ? end + 1 : i + 1;
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(text[i]))) {
      i++;
      continue;
    }
    size_t start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) i++;
    std::string word(text.substr(start, i - start));
    bool code = false;
    while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) code |= text[i++] == '_';
    if (!code && word.size() >= 2 && !AllowedInChinese(word)) foreign.push_back(word);
  }
  return foreign;
}

}  // namespace crm::ui::chinese_text
