#include "core/validate.h"

#include <cstdio>
#include <string>
#include <vector>

#include "core/text.h"

namespace crm {

namespace {
// "field: what", with the field and the problem kept apart for the screens.
Error Invalid(std::string_view field, Problem problem, const std::string& what, int64_t arg = 0) {
  return FieldError(ErrorCode::Invalid, std::string(field), problem, std::string(field) + ": " + what, arg);
}

// Full-width digits (０–９, U+FF10–FF19) as typed by Chinese input methods.
bool TakeFullWidthDigit(std::string_view text, size_t& i, char& digit) {
  if (i + 2 < text.size() && static_cast<unsigned char>(text[i]) == 0xEF && static_cast<unsigned char>(text[i + 1]) == 0xBC) {
    auto third = static_cast<unsigned char>(text[i + 2]);
    if (third >= 0x90 && third <= 0x99) {
      digit = static_cast<char>('0' + (third - 0x90));
      i += 3;
      return true;
    }
  }
  return false;
}
}  // namespace

Result<std::string> NormalizePhone(std::string_view raw, std::string_view field) {
  if (!IsValidUtf8(raw)) return Invalid(field, Problem::BadText, "not valid UTF-8 text");
  std::string text = Trim(raw);
  if (text.empty()) return Invalid(field, Problem::Required, "empty");
  std::string digits;
  bool plus = false;
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    char digit = 0;
    if (c >= '0' && c <= '9') {
      digits += c;
      i++;
    } else if (TakeFullWidthDigit(text, i, digit)) {
      digits += digit;
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
      i++;
    } else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' || c == '/') {
      i++;
    } else {
      return Invalid(field, Problem::BadPhone, "'" + text + "' is not a phone number (only digits, spaces, + - ( ) are allowed)");
    }
  }
  // Country code for China, written as +86 or 0086, is dropped so one number has one form.
  if ((plus && digits.size() == 13 && digits.compare(0, 2, "86") == 0) ||
      (!plus && digits.size() == 15 && digits.compare(0, 4, "0086") == 0)) {
    digits = digits.substr(digits.size() - 11);
  }
  if (digits.size() < 7 || digits.size() > 15) {
    return Invalid(field, Problem::BadPhone, "'" + text + "' has " + std::to_string(digits.size()) + " digits (a phone number has 7 to 15)");
  }
  if (digits.size() == 11 && digits[0] == '1' && (digits[1] < '3' || digits[1] > '9')) {
    return Invalid(field, Problem::BadPhone, "'" + text + "' is not a valid mobile number (mobile numbers start with 13–19)");
  }
  return digits;
}

int64_t DaysFromCivil(int year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t days, int& year, unsigned& month, unsigned& day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(yoe + era * 400 + (month <= 2));
}

namespace {
bool IsLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }
unsigned DaysInMonth(int year, unsigned month) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}
}  // namespace

Result<std::string> NormalizeDate(std::string_view raw, std::string_view field) {
  if (!IsValidUtf8(raw)) return Invalid(field, Problem::BadText, "not valid UTF-8 text");
  std::string text = Trim(raw);
  if (text.empty()) return Invalid(field, Problem::Required, "empty");
  // Split into numbers; any of - / . 年 月 日 separates them.
  std::vector<int> parts;
  std::vector<size_t> widths;
  std::string current;
  auto flush = [&] {
    if (current.empty()) return;
    parts.push_back(current.size() > 6 ? -1 : std::stoi(current));
    widths.push_back(current.size());
    current.clear();
  };
  bool leadingDashes = text.compare(0, 2, "--") == 0;
  for (size_t i = leadingDashes ? 2 : 0; i < text.size();) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      current += c;
      i++;
    } else if (c == '-' || c == '/' || c == '.') {
      flush();
      i++;
    } else if (text.compare(i, 3, "年") == 0 || text.compare(i, 3, "月") == 0 || text.compare(i, 3, "日") == 0 ||
               text.compare(i, 3, "号") == 0) {
      flush();
      i += 3;
    } else {
      return Invalid(field, Problem::BadDate, "'" + text + "' is not a date (expected YYYY-MM-DD or MM-DD)");
    }
  }
  flush();
  int year = 0;
  int month = 0;
  int day = 0;
  if (parts.size() == 3 && widths[0] == 4 && !leadingDashes) {
    year = parts[0];
    month = parts[1];
    day = parts[2];
  } else if (parts.size() == 2 && widths[0] <= 2) {
    month = parts[0];
    day = parts[1];
  } else {
    return Invalid(field, Problem::BadDate, "'" + text + "' is not a date (expected YYYY-MM-DD or MM-DD)");
  }
  if (year != 0 && (year < 1900 || year > 2100)) return Invalid(field, Problem::BadDate, "year " + std::to_string(year) + " is out of range");
  if (month < 1 || month > 12) return Invalid(field, Problem::BadDate, "'" + text + "' has no month " + std::to_string(month));
  // A yearless date may be Feb 29 (a birthday); check it against a leap year.
  unsigned limit = DaysInMonth(year == 0 ? 2000 : year, static_cast<unsigned>(month));
  if (day < 1 || static_cast<unsigned>(day) > limit) {
    return Invalid(field, Problem::BadDate, "'" + text + "' does not exist (month " + std::to_string(month) + " has " +
                                                   std::to_string(limit) + " days)");
  }
  char buffer[40];  // room for any int, so no compiler sees a cut
  if (year == 0) {
    std::snprintf(buffer, sizeof buffer, "--%02d-%02d", month, day);
  } else {
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", year, month, day);
  }
  return std::string(buffer);
}

Result<std::string> CleanText(std::string_view raw, std::string_view field, size_t maxChars, bool required) {
  if (!IsValidUtf8(raw)) {
    return Invalid(field, Problem::BadText, "not valid UTF-8 text (bad byte at " + std::to_string(FirstInvalidUtf8(raw)) + ")");
  }
  std::string text = Trim(raw);
  if (required && text.empty()) return Invalid(field, Problem::Required, "required");
  if (Utf8Length(text) > maxChars) return Invalid(field, Problem::TooLong, "at most " + std::to_string(maxChars) + " characters", static_cast<int64_t>(maxChars));
  for (unsigned char c : text) {
    if (c < 0x20 && c != '\n' && c != '\t') return Invalid(field, Problem::BadText, "contains control characters");
  }
  return text;
}

Error WithField(Error error, std::string_view field) {
  error.field = std::string(field);
  return error;
}

}  // namespace crm
