#include "core/customer_dates.h"

#include <algorithm>
#include <climits>
#include <tuple>

#include "core/followups.h"
#include "core/ids.h"
#include "core/org.h"
#include "core/records.h"
#include "core/text.h"
#include "core/validate.h"

namespace crm {

namespace {

constexpr int64_t kDayMs = 86400000;
constexpr size_t kTitleChars = 50;
constexpr size_t kNotesChars = 200;
constexpr int kEarliestYear = 1900;
// A greeting belongs in the morning of the day, as the birthday sweep plans it (core/followups.cpp).
constexpr int64_t kVisitMinuteOfDay = 9 * 60;

struct KindEntry {
  CustomerDateKind kind;
  const char* code;
};
constexpr KindEntry kKinds[] = {{CustomerDateKind::Birthday, "birthday"},
                                {CustomerDateKind::Wedding, "wedding"},
                                {CustomerDateKind::Opening, "opening"},
                                {CustomerDateKind::Founding, "founding"},
                                {CustomerDateKind::Other, "other"}};

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// "MM-DD" as stored, strictly; Feb 29 is a valid month-day (it comes round on Feb 28 in other years).
bool ParseMonthDay(std::string_view text, unsigned& month, unsigned& day) {
  if (text.size() != 5 || text[2] != '-') return false;
  for (size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  month = static_cast<unsigned>((text[0] - '0') * 10 + (text[1] - '0'));
  day = static_cast<unsigned>((text[3] - '0') * 10 + (text[4] - '0'));
  if (month < 1 || month > 12 || day < 1) return false;
  static const unsigned kLongest[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return day <= kLongest[month - 1];
}

}  // namespace

bool IsStoredMonthDay(std::string_view text) {
  unsigned month = 0, day = 0;
  return ParseMonthDay(text, month, day);
}

namespace {

// The input as stored: codes, trimmed texts, "MM-DD" and the year when known.
struct CleanDate {
  CustomerDateKind kind = CustomerDateKind::Other;
  std::string title;
  std::string monthDay;
  std::optional<int> year;
  std::string notes;
};

Result<std::optional<int>> ParseYear(std::string_view raw, int currentYear) {
  CRM_ASSIGN_OR_RETURN(std::string text, CleanText(raw, "year", 10));
  if (text.empty()) return std::optional<int>();
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return FieldError(ErrorCode::Invalid, "year", Problem::NotANumber, "year: '" + text + "' is not a number");
  }
  int year = text.size() > 4 ? INT_MAX : std::stoi(text);
  if (year < kEarliestYear || year > currentYear) {
    return FieldError(ErrorCode::Invalid, "year", Problem::OutOfRange,
                      "year: between " + std::to_string(kEarliestYear) + " and " + std::to_string(currentYear), kEarliestYear,
                      currentYear);
  }
  return std::optional<int>(year);
}

Result<CleanDate> Validate(const CustomerDateInput& input, int currentYear) {
  CleanDate out;
  if (*Code(input.kind) == '\0') return FieldError(ErrorCode::Invalid, "kind", Problem::UnknownCode, "kind: unknown code");
  out.kind = input.kind;
  CRM_ASSIGN_OR_RETURN(out.title, CleanText(input.title, "title", kTitleChars));
  // NormalizeDate checks the calendar: "--MM-DD" for a yearless date (Feb 29 allowed), else "YYYY-MM-DD".
  CRM_ASSIGN_OR_RETURN(std::string date, NormalizeDate(input.monthDay, "month_day"));
  out.monthDay = date.substr(date.size() - 5);
  CRM_ASSIGN_OR_RETURN(out.year, ParseYear(input.year, currentYear));
  if (date[0] != '-') {
    // A whole date typed into the month-day: its year is the date's year.
    int yearOfDate = std::stoi(date.substr(0, 4));
    if (out.year && *out.year != yearOfDate) {
      return FieldError(ErrorCode::Invalid, "year", Problem::NotApplicable,
                        "year: " + std::to_string(*out.year) + " is not the year of " + date);
    }
    if (yearOfDate < kEarliestYear || yearOfDate > currentYear) {
      return FieldError(ErrorCode::Invalid, "month_day", Problem::OutOfRange,
                        "month_day: the year is between " + std::to_string(kEarliestYear) + " and " + std::to_string(currentYear),
                        kEarliestYear, currentYear);
    }
    out.year = yearOfDate;
  }
  if (out.year && out.monthDay == "02-29" && !IsLeapYear(*out.year)) {
    return FieldError(ErrorCode::Invalid, "month_day", Problem::BadDate,
                      "month_day: " + std::to_string(*out.year) + " had no 29 February");
  }
  CRM_ASSIGN_OR_RETURN(out.notes, CleanText(input.notes, "notes", kNotesChars));
  return out;
}

int64_t TodayOf(int64_t nowMs, int64_t offsetMinutes) { return LocalDayNumber(nowMs ? nowMs : NowMs(), offsetMinutes); }

Result<int> CurrentYear(Db& db) {
  CRM_ASSIGN_OR_RETURN(int64_t offset, UtcOffsetMinutes(db));
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  CivilFromDays(TodayOf(0, offset), year, month, day);
  return year;
}

std::optional<std::string> NonEmpty(const std::string& text) { return text.empty() ? std::nullopt : std::optional<std::string>(text); }
std::optional<int64_t> YearValue(const std::optional<int>& year) { return year ? std::optional<int64_t>(*year) : std::nullopt; }

Error NoSuchDate(int64_t dateId) {
  return FieldError(ErrorCode::NotFound, "", Problem::NotFound, "customer date: no date with id " + std::to_string(dateId));
}

Result<int64_t> CustomerOfDate(Db& db, int64_t dateId) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT customer_id FROM customer_dates WHERE id = ? AND deleted_at IS NULL"));
  stmt.Bind(1, dateId);
  CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return NoSuchDate(dateId);
  return stmt.Int64(0);
}

}  // namespace

const char* Code(CustomerDateKind kind) {
  for (const KindEntry& entry : kKinds) {
    if (entry.kind == kind) return entry.code;
  }
  return "";
}

Result<CustomerDateKind> ParseCustomerDateKind(std::string_view code) {
  for (const KindEntry& entry : kKinds) {
    if (code == entry.code) return entry.kind;
  }
  return FieldError(ErrorCode::Invalid, "kind", Problem::UnknownCode,
                    "kind: unknown code '" + std::string(code) + "' (expected birthday, wedding, opening, founding, other)");
}

bool IsCustomerDateKindCode(std::string_view code) { return ParseCustomerDateKind(code).IsOk(); }

const std::vector<CustomerDateKind>& AllCustomerDateKinds() {
  static const std::vector<CustomerDateKind> kAll = [] {
    std::vector<CustomerDateKind> all;
    for (const KindEntry& entry : kKinds) all.push_back(entry.kind);
    return all;
  }();
  return kAll;
}

int64_t LocalDayNumber(int64_t ms, int64_t offsetMinutes) {
  return (LocalDayStartAt(ms, offsetMinutes) + offsetMinutes * 60000) / kDayMs;
}

std::optional<Occurrence> NextOccurrence(std::string_view monthDay, int64_t today) {
  unsigned month = 0;
  unsigned day = 0;
  if (!ParseMonthDay(monthDay, month, day)) return std::nullopt;
  int year = 0;
  unsigned todayMonth = 0;
  unsigned todayDay = 0;
  CivilFromDays(today, year, todayMonth, todayDay);
  // This year's, or else next year's: one of the two is on or after today.
  for (int candidate : {year, year + 1}) {
    unsigned actualDay = (month == 2 && day == 29 && !IsLeapYear(candidate)) ? 28 : day;
    int64_t dayNumber = DaysFromCivil(candidate, month, actualDay);
    if (dayNumber >= today) return Occurrence{static_cast<int>(dayNumber - today), candidate, dayNumber};
  }
  return std::nullopt;
}

Result<int64_t> AddCustomerDate(Db& db, int64_t customerId, const CustomerDateInput& input, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_TRY(AuthorizeCustomerChange(db, actor, customerId));
  CRM_ASSIGN_OR_RETURN(int currentYear, CurrentYear(db));
  CRM_ASSIGN_OR_RETURN(CleanDate in, Validate(input, currentYear));
  int64_t id = NewId();
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "INSERT INTO customer_dates(id, customer_id, kind, title, month_day, year, notes, created_at, updated_at, created_by, "
      "updated_by, device_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt.BindNext(id).BindNext(customerId).BindNext(Code(in.kind)).BindNext(NonEmpty(in.title)).BindNext(in.monthDay);
  stmt.BindNext(YearValue(in.year)).BindNext(NonEmpty(in.notes));
  stmt.BindNext(now).BindNext(now).BindNext(actor.userId).BindNext(actor.userId).BindNext(actor.deviceId);
  CRM_TRY(stmt.Run());
  CRM_TRY(txn.Commit());
  return id;
}

Status UpdateCustomerDate(Db& db, int64_t dateId, const CustomerDateInput& input, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_ASSIGN_OR_RETURN(int64_t customerId, CustomerOfDate(db, dateId));
  CRM_TRY(AuthorizeCustomerChange(db, actor, customerId));
  CRM_ASSIGN_OR_RETURN(int currentYear, CurrentYear(db));
  CRM_ASSIGN_OR_RETURN(CleanDate in, Validate(input, currentYear));
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, NowMs(), "customer_dates",
      "kind = ?1, title = ?2, month_day = ?3, year = ?4, notes = ?5", "id = ?6"));
  stmt.BindAll(Code(in.kind), NonEmpty(in.title), in.monthDay, YearValue(in.year), NonEmpty(in.notes), dateId);
  CRM_TRY(stmt.Run());
  return txn.Commit();
}

Status TrashCustomerDate(Db& db, int64_t dateId, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_ASSIGN_OR_RETURN(int64_t customerId, CustomerOfDate(db, dateId));
  CRM_TRY(AuthorizeCustomerChange(db, actor, customerId));
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, now, "customer_dates", "deleted_at = ?1", "id = ?2"));
  stmt.BindAll(now, dateId);
  CRM_TRY(stmt.Run());
  return txn.Commit();
}

Result<std::vector<CustomerDate>> CustomerDatesOf(Db& db, int64_t customerId, int64_t nowMs) {
  CRM_ASSIGN_OR_RETURN(int64_t offset, UtcOffsetMinutes(db));
  int64_t today = TodayOf(nowMs, offset);
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "SELECT id, kind, coalesce(title, ''), month_day, year, coalesce(notes, '') FROM customer_dates "
      "WHERE customer_id = ? AND deleted_at IS NULL"));
  stmt.Bind(1, customerId);
  std::vector<CustomerDate> dates;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    CustomerDate date;
    date.id = stmt.Int64(0);
    date.customerId = customerId;
    date.kind = ParseCustomerDateKind(stmt.Text(1)).ValueOr(CustomerDateKind::Other);
    date.title = stmt.String(2);
    date.monthDay = stmt.String(3);
    if (!stmt.IsNull(4)) date.year = static_cast<int>(stmt.Int64(4));
    date.notes = stmt.String(5);
    // A month-day this app cannot read (a newer app's row) is listed last, with no occurrence.
    std::optional<Occurrence> next = NextOccurrence(date.monthDay, today);
    date.daysUntil = next ? next->daysUntil : INT_MAX;
    date.nextYear = next ? next->year : 0;
    dates.push_back(std::move(date));
  }
  std::sort(dates.begin(), dates.end(), [](const CustomerDate& a, const CustomerDate& b) {
    return std::tie(a.daysUntil, a.title, a.id) < std::tie(b.daysUntil, b.title, b.id);
  });
  return dates;
}

Result<int64_t> ScheduleDateFollowup(Db& db, int64_t dateId, const Actor& actor, int daysBefore, int64_t nowMs) {
  if (daysBefore < 0 || daysBefore > kMaxDaysBefore) {
    return FieldError(ErrorCode::Invalid, "days_before", Problem::OutOfRange,
                      "days before: between 0 and " + std::to_string(kMaxDaysBefore), 0, kMaxDaysBefore);
  }
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_ASSIGN_OR_RETURN(Stmt row, db.Prepare(
      "SELECT customer_id, kind, coalesce(title, ''), month_day FROM customer_dates WHERE id = ? AND deleted_at IS NULL"));
  row.Bind(1, dateId);
  CRM_ASSIGN_OR_RETURN(bool found, row.Step());
  if (!found) return NoSuchDate(dateId);
  int64_t customerId = row.Int64(0);
  bool birthday = row.Text(1) == Code(CustomerDateKind::Birthday);
  std::string title = row.String(2);
  std::string monthDay = row.String(3);
  row.Reset();
  CRM_TRY(AuthorizeCustomerChange(db, actor, customerId));

  CRM_ASSIGN_OR_RETURN(int64_t offset, UtcOffsetMinutes(db));
  int64_t today = TodayOf(nowMs, offset);
  std::optional<Occurrence> next = NextOccurrence(monthDay, today);
  if (!next) return FieldError(ErrorCode::Invalid, "month_day", Problem::BadDate, "month_day: '" + monthDay + "' is not MM-DD");
  int64_t day = std::max(today, next->dayNumber - daysBefore);
  int64_t dueAt = (day * 1440 + kVisitMinuteOfDay - offset) * 60000;
  FollowupReason reason = birthday ? FollowupReason::Birthday : FollowupReason::Anniversary;

  // Asked twice (a double tap, two devices' worth of habit): the open visit already planned answers.
  CRM_ASSIGN_OR_RETURN(Stmt planned, db.Prepare(
      "SELECT id FROM followups WHERE customer_id = ? AND reason = ? AND due_at = ? AND status = 'open' AND deleted_at IS NULL"));
  planned.BindAll(customerId, Code(reason), dueAt);
  CRM_ASSIGN_OR_RETURN(bool already, planned.Step());
  if (already) return planned.Int64(0);
  planned.Reset();

  std::string note = title.empty() ? monthDay : title + " " + monthDay;
  CRM_ASSIGN_OR_RETURN(int64_t id, ScheduleFollowup(db, customerId, dueAt, reason, note, actor));
  CRM_TRY(txn.Commit());
  return id;
}

}  // namespace crm
