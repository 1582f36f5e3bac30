#pragma once
// Field rules shared by forms, imports, the CLI and the relay: each returns the
// normalized value or an error that names the field (Error::field is `field`).
#include <string>
#include <string_view>

#include "core/result.h"

namespace crm {

// Mobile (11 digits, optional +86/0086), landline with area code (0757-8123456, 4-digit
// extension allowed), or any international number of 7–15 digits. Returns digits only
// ("+86 138-0013-8000" → "13800138000").
Result<std::string> NormalizePhone(std::string_view text, std::string_view field = "phone");

// "YYYY-MM-DD" (also YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日) or a yearless "MM-DD" for birthdays.
// Returns "YYYY-MM-DD" or "--MM-DD". Checks the calendar (no 2023-02-29).
Result<std::string> NormalizeDate(std::string_view text, std::string_view field = "date");

// Trimmed, valid UTF-8, at most `maxChars` code points; `required` refuses empty.
Result<std::string> CleanText(std::string_view text, std::string_view field, size_t maxChars, bool required = false);

// The same error about another field id: a form whose field ids differ from the
// name the message gives ("contact phone: …" is the contact form's "phone").
Error WithField(Error error, std::string_view field);
template <class T>
Result<T> OnField(Result<T> result, std::string_view field) {
  if (!result) return WithField(result.GetError(), field);
  return result;
}

// Days since 1970-01-01 for a "YYYY-MM-DD" date, and back (proleptic Gregorian).
int64_t DaysFromCivil(int year, unsigned month, unsigned day);
void CivilFromDays(int64_t days, int& year, unsigned& month, unsigned& day);

}  // namespace crm
