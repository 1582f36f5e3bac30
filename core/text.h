#pragma once
// Text rules shared by every entry point: input from forms, files and the
// network is checked here, so a bad byte is refused where it was entered.
#include <cstddef>
#include <string>
#include <string_view>

namespace crm {

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool IsValidUtf8(std::string_view text);
// Byte offset of the first invalid sequence, or npos.
size_t FirstInvalidUtf8(std::string_view text);
// Number of code points in valid UTF-8.
size_t Utf8Length(std::string_view text);
// Strips ASCII and full-width (U+3000) spaces from both ends.
std::string Trim(std::string_view text);

// JSON string escaping (RFC 8259): quotes, backslashes and control characters; UTF-8 passes through.
std::string JsonEscape(std::string_view text);
// The same in double quotes: a JSON string value.
std::string JsonString(std::string_view text);

}  // namespace crm
