#pragma once
// A customer's important dates (重要日期): the owner's birthday, a wedding anniversary, the shop's opening
// day (店庆), the company's founding day… several per customer, each a month and day that comes round every
// year, with the year when it is known. The return visits (回访) the firm pays on those days are planned from
// here (ScheduleDateFollowup). Time: local days at the organisation's offset, as core/followups.h says.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/customers.h"
#include "core/db.h"

namespace crm {

// What the date is; the stored codes are birthday, wedding, opening, founding, other.
enum class CustomerDateKind { Birthday, Wedding, Opening, Founding, Other };

const char* Code(CustomerDateKind kind);
// The stored code, exactly (no label, no other case); the error names the field "kind".
Result<CustomerDateKind> ParseCustomerDateKind(std::string_view code);
// The record registry's vocabulary of the kind column (core/records.cpp): the relay holds pushed rows to it.
bool IsCustomerDateKindCode(std::string_view code);
// In the order a form offers them.
const std::vector<CustomerDateKind>& AllCustomerDateKinds();
// "MM-DD" as stored, a day of that month (02-29 included): the registry's format of month_day, which the relay holds.
bool IsStoredMonthDay(std::string_view text);

struct CustomerDateInput {
  CustomerDateKind kind = CustomerDateKind::Birthday;
  std::string title;     // optional, ≤ 50 characters ("老板生日")
  std::string monthDay;  // "MM-DD", also "5-12", "5月12日", "--05-12"; 02-29 allowed. A full date gives the year too.
  std::string year;      // optional digits, 1900 to this year
  std::string notes;     // optional, ≤ 200 characters
};

struct CustomerDate {
  int64_t id = 0;
  int64_t customerId = 0;
  CustomerDateKind kind = CustomerDateKind::Other;
  std::string title;
  std::string monthDay;  // "MM-DD"
  std::optional<int> year;
  std::string notes;
  // Filled by CustomerDatesOf: in how many days it comes round (0: today), and that occurrence's year.
  int daysUntil = 0;
  int nextYear = 0;
};

// Writes: the actor must be allowed to change the customer (AuthorizeCustomerChange); invalid input is an error
// naming its field ("kind", "title", "month_day", "year", "notes"). Each is one transaction.
Result<int64_t> AddCustomerDate(Db& db, int64_t customerId, const CustomerDateInput& input, const Actor& actor);
Status UpdateCustomerDate(Db& db, int64_t dateId, const CustomerDateInput& input, const Actor& actor);
// To the trash (deleted_at), as every synced row.
Status TrashCustomerDate(Db& db, int64_t dateId, const Actor& actor);

// The customer's live dates, the next to come round first (from the local day of `nowMs`; 0: the clock).
Result<std::vector<CustomerDate>> CustomerDatesOf(Db& db, int64_t customerId, int64_t nowMs = 0);

struct Occurrence {
  int daysUntil = 0;       // 0: today
  int year = 0;            // the year it falls in
  int64_t dayNumber = 0;   // local days since 1970-01-01
};
// When a stored "MM-DD" next comes round on or after the local day `today` (days since 1970-01-01); 02-29 falls
// on 02-28 in other years. Pure, so a screen can ask every frame. Nothing for a malformed month-day (a synced row
// from a newer app, say).
std::optional<Occurrence> NextOccurrence(std::string_view monthDay, int64_t today);
// The local day number (days since 1970-01-01) of a time at `offsetMinutes` from UTC.
int64_t LocalDayNumber(int64_t ms, int64_t offsetMinutes);

// The most days before a date its return visit may be planned.
constexpr int kMaxDaysBefore = 60;
// Plans a return visit (ScheduleFollowup: reason birthday for a birthday, anniversary for the others; the
// customer's owner) at 09:00 local, `daysBefore` days (0..kMaxDaysBefore) before the date's next occurrence, or
// today when that day is already past. Planning the same visit again returns the open one instead of a second.
Result<int64_t> ScheduleDateFollowup(Db& db, int64_t dateId, const Actor& actor, int daysBefore = 0, int64_t nowMs = 0);

}  // namespace crm
