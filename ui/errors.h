#pragma once
// Core errors for people: worded from the error's Problem and numbers in the
// user's language (never from core's English message), and put under the form
// field the error names (Error::field), or on the form's error line.
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/encoding.h"
#include "core/result.h"
#include "ui/i18n.h"

namespace crm::ui {

// The error in the user's language, from its Problem (and the person or number it names); an error with no
// Problem by its code. Core's English message reaches English readers only, and only for errors without a
// Problem. A permission refusal starts with "Not allowed: " and says why and whose ("This is 张三's customer…").
std::string DescribeError(Lang lang, const Error& error);
// An encoding in words ("GB18030（简体中文）"), as the import says which one it detected.
std::string EncodingInWords(Lang lang, Encoding encoding);

// One field of a form: core's field id and the form's error text under that field.
struct FieldSlot {
  std::string_view field;
  std::string* error;
};

// Puts the worded error under its field when the form has one; otherwise on `general`.
void ShowError(Lang lang, const Error& error, std::initializer_list<FieldSlot> fields, std::string& general);

}  // namespace crm::ui
