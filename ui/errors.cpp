#include "ui/errors.h"

#include <cstdio>

namespace crm::ui {

namespace {

// The text for each Problem that has one fixed wording; OutOfRange, Denied and None are worded below.
struct Wording {
  Problem problem;
  Str text;
};
constexpr Wording kWordings[] = {
    {Problem::Required, Str::ErrRequired},         {Problem::TooLong, Str::ErrTooLong},
    {Problem::TooMany, Str::ErrTooMany},           {Problem::Repeated, Str::ErrRepeated},
    {Problem::BadText, Str::ErrBadText},           {Problem::BadFormat, Str::ErrBadFormat},
    {Problem::BadPhone, Str::ErrBadPhone},         {Problem::BadDate, Str::ErrBadDate},
    {Problem::BadEmail, Str::ErrBadEmail},         {Problem::NotANumber, Str::ErrNotANumber},
    {Problem::NotAChoice, Str::ErrNotAChoice},     {Problem::DigitsOnly, Str::ErrDigitsOnly},
    {Problem::DigitCount, Str::ErrDigitCount},     {Problem::UnknownCode, Str::ErrUnknownCode},
    {Problem::NotApplicable, Str::ErrNotApplicable}, {Problem::AlreadyClosed, Str::ErrAlreadyClosed},
    {Problem::InTrash, Str::ErrInTrash},           {Problem::NeedsAdmin, Str::ErrNeedsAdmin},
    {Problem::AlreadySetUp, Str::ErrAlreadySetUp}, {Problem::Duplicate, Str::ErrDuplicate},
    {Problem::Deactivated, Str::ErrDeactivated},   {Problem::NoPin, Str::ErrNoPin},
    {Problem::WrongPin, Str::ErrWrongPin},         {Problem::WaitSeconds, Str::ErrWaitSeconds},
    {Problem::NotFound, Str::ErrNotFound},
};

// The texts take at most two numbers (%d), in the order arg, arg2.
std::string Format(Lang lang, Str text, const Error& error) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, Tr(lang, text), static_cast<int>(error.arg), static_cast<int>(error.arg2));
  return buffer;
}

}  // namespace

std::string DescribeError(Lang lang, const Error& error) {
  switch (error.problem) {
    case Problem::None:
      return (error.code == ErrorCode::Denied ? std::string(Tr(lang, Str::NotAllowed)) : std::string()) + error.message;
    case Problem::OutOfRange:
      return Format(lang, error.arg || error.arg2 ? Str::ErrOutOfRangeBetween : Str::ErrOutOfRange, error);
    case Problem::Denied:
      // Core's message says why (whose customer it is); it is English, so only English readers get it.
      return std::string(Tr(lang, Str::NotAllowed)) + (lang == Lang::En ? error.message : Tr(lang, Str::ErrDenied));
    default: break;
  }
  for (const Wording& wording : kWordings) {
    if (wording.problem != error.problem) continue;
    std::string text = Format(lang, wording.text, error);
    if (!error.value.empty()) text += (lang == Lang::Zh ? "：「" : ": '") + error.value + (lang == Lang::Zh ? "」" : "'");
    return text;
  }
  return error.message;
}

void ShowError(Lang lang, const Error& error, std::initializer_list<FieldSlot> fields, std::string& general) {
  std::string text = DescribeError(lang, error);
  if (!error.field.empty()) {
    for (const FieldSlot& slot : fields) {
      if (slot.field == error.field) {
        *slot.error = std::move(text);
        return;
      }
    }
  }
  general = std::move(text);
}

}  // namespace crm::ui
