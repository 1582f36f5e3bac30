#include "core/customer_dates.h"

#include <gtest/gtest.h>

#include "core/audit.h"
#include "core/duplicates.h"
#include "core/followups.h"
#include "core/ids.h"
#include "core/validate.h"
#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

constexpr int64_t kDayMs = 86400000;
constexpr int64_t kHourMs = 3600000;
constexpr int64_t kChinaOffsetMinutes = 480;  // the organisation's default

// A local (UTC+8) time as ms: the day, then hours into it.
int64_t LocalMs(int year, unsigned month, unsigned day, int hour = 10) {
  return DaysFromCivil(year, month, day) * kDayMs - 8 * kHourMs + hour * kHourMs;
}

CustomerDateInput Date(CustomerDateKind kind, const char* title, const char* monthDay, const char* year = "") {
  CustomerDateInput input;
  input.kind = kind;
  input.title = title;
  input.monthDay = monthDay;
  input.year = year;
  return input;
}

int ThisYear() {
  int year = 0;
  unsigned month = 0, day = 0;
  CivilFromDays(LocalDayNumber(NowMs(), kChinaOffsetMinutes), year, month, day);
  return year;
}

int64_t CountDates(Db& db) { return db.QueryInt("SELECT count(*) FROM customer_dates").Value(); }

TEST(CustomerDates, KindsAreTheirStoredCodesOnly) {
  for (CustomerDateKind kind : AllCustomerDateKinds()) {
    EXPECT_TRUE(IsCustomerDateKindCode(Code(kind))) << Code(kind);
    EXPECT_EQ(ParseCustomerDateKind(Code(kind)).Value(), kind);
  }
  EXPECT_EQ(AllCustomerDateKinds().size(), 5u);
  EXPECT_FALSE(IsCustomerDateKindCode("生日"));
  EXPECT_FALSE(IsCustomerDateKindCode("Birthday"));
  EXPECT_FALSE(IsCustomerDateKindCode(""));
  EXPECT_EQ(ParseCustomerDateKind("anniversary").GetError().field, "kind");
}

TEST(CustomerDates, AreListedTheNextToComeRoundFirst) {
  TestOrg org;
  int64_t shop = org.Customer("南海装饰", org.repA);
  auto boss = AddCustomerDate(org.db, shop, Date(CustomerDateKind::Birthday, "  老板生日 ", "5月12日", "1980"), org.repA);
  ASSERT_TRUE(boss) << boss.Message();
  ASSERT_TRUE(AddCustomerDate(org.db, shop, Date(CustomerDateKind::Opening, "店庆", "--03-08", "2015"), org.repA));
  CustomerDateInput wedding = Date(CustomerDateKind::Wedding, "", "10-01");
  wedding.notes = "送花";
  ASSERT_TRUE(AddCustomerDate(org.db, shop, wedding, org.repA));
  ASSERT_TRUE(AddCustomerDate(org.db, org.Customer("别家", org.repA), Date(CustomerDateKind::Other, "", "05-01"), org.repA));

  auto dates = CustomerDatesOf(org.db, shop, LocalMs(2025, 4, 1));
  ASSERT_TRUE(dates) << dates.Message();
  ASSERT_EQ(dates.Value().size(), 3u);
  const CustomerDate& first = dates.Value()[0];
  EXPECT_EQ(first.id, boss.Value());
  EXPECT_EQ(first.title, "老板生日") << "trimmed";
  EXPECT_EQ(first.monthDay, "05-12") << "stored as MM-DD";
  EXPECT_EQ(first.year, 1980);
  EXPECT_EQ(first.daysUntil, 41);  // April has 30 days: 29 left after the 1st, then 12
  EXPECT_EQ(first.nextYear, 2025);
  EXPECT_EQ(dates.Value()[1].kind, CustomerDateKind::Wedding);
  EXPECT_EQ(dates.Value()[1].notes, "送花");
  EXPECT_FALSE(dates.Value()[1].year.has_value());
  EXPECT_EQ(dates.Value()[2].title, "店庆");
  EXPECT_EQ(dates.Value()[2].nextYear, 2026) << "March 8 has passed this year";
  EXPECT_EQ(dates.Value()[2].daysUntil, DaysFromCivil(2026, 3, 8) - DaysFromCivil(2025, 4, 1));

  // A whole date typed into the month-day gives the year as well.
  auto founded = AddCustomerDate(org.db, shop, Date(CustomerDateKind::Founding, "公司成立", "2008-06-18"), org.repA);
  ASSERT_TRUE(founded) << founded.Message();
  for (const CustomerDate& date : CustomerDatesOf(org.db, shop).Value()) {
    if (date.id != founded.Value()) continue;
    EXPECT_EQ(date.monthDay, "06-18");
    EXPECT_EQ(date.year, 2008);
  }
}

TEST(CustomerDates, TheDayIsTheOrganisationsLocalDay) {
  TestOrg org;
  int64_t shop = org.Customer("南海装饰", org.repA);
  ASSERT_TRUE(AddCustomerDate(org.db, shop, Date(CustomerDateKind::Birthday, "", "05-12"), org.repA));
  // 17:00 UTC on May 11 is 01:00 on May 12 in China: the birthday is today there.
  int64_t lateUtc = DaysFromCivil(2025, 5, 11) * kDayMs + 17 * kHourMs;
  EXPECT_EQ(LocalDayNumber(lateUtc, kChinaOffsetMinutes), DaysFromCivil(2025, 5, 12));
  EXPECT_EQ(LocalDayNumber(lateUtc, 0), DaysFromCivil(2025, 5, 11));
  EXPECT_EQ(CustomerDatesOf(org.db, shop, lateUtc).Value()[0].daysUntil, 0);
}

TEST(CustomerDates, NextOccurrenceHandlesLeapDaysAndTheYearsEnd) {
  auto next = [](const char* monthDay, int year, unsigned month, unsigned day) {
    return NextOccurrence(monthDay, DaysFromCivil(year, month, day));
  };
  EXPECT_EQ(next("02-28", 2025, 2, 27)->daysUntil, 1);
  // Feb 29 comes round on Feb 28 in a common year, on Feb 29 in a leap year.
  EXPECT_EQ(next("02-29", 2025, 2, 27)->dayNumber, DaysFromCivil(2025, 2, 28));
  EXPECT_EQ(next("02-29", 2025, 2, 28)->daysUntil, 0);
  EXPECT_EQ(next("02-29", 2024, 2, 28)->dayNumber, DaysFromCivil(2024, 2, 29));
  EXPECT_EQ(next("02-29", 2025, 3, 1)->dayNumber, DaysFromCivil(2026, 2, 28));
  EXPECT_EQ(next("02-29", 2027, 3, 1)->dayNumber, DaysFromCivil(2028, 2, 29));
  // Over the year's end.
  auto newYear = next("01-02", 2025, 12, 30);
  EXPECT_EQ(newYear->daysUntil, 3);
  EXPECT_EQ(newYear->year, 2026);
  EXPECT_EQ(next("12-31", 2025, 12, 31)->daysUntil, 0);
  EXPECT_EQ(next("12-30", 2025, 12, 31)->daysUntil, 364);
  EXPECT_EQ(next("12-30", 2027, 12, 31)->daysUntil, 365) << "2028 is a leap year";
  // What a row may hold that the app cannot read.
  for (const char* bad : {"13-01", "02-30", "2-3", "", "--05-12", "ab-cd"}) EXPECT_FALSE(next(bad, 2025, 1, 1)) << bad;
}

TEST(CustomerDates, WrongInputNamesItsFieldAndProblemAndWritesNothing) {
  TestOrg org;
  int64_t shop = org.Customer("南海装饰", org.repA);
  auto problem = [&](const CustomerDateInput& input) {
    auto added = AddCustomerDate(org.db, shop, input, org.repA);
    EXPECT_FALSE(added);
    return std::make_pair(added.GetError().field, added.GetError().problem);
  };
  using P = std::pair<std::string, Problem>;
  EXPECT_EQ(problem(Date(CustomerDateKind::Birthday, "", "02-30")), P("month_day", Problem::BadDate));
  EXPECT_EQ(problem(Date(CustomerDateKind::Birthday, "", "13-01")), P("month_day", Problem::BadDate));
  EXPECT_EQ(problem(Date(CustomerDateKind::Birthday, "", "下个月")), P("month_day", Problem::BadDate));
  EXPECT_EQ(problem(Date(CustomerDateKind::Birthday, "", "  ")), P("month_day", Problem::Required));
  EXPECT_EQ(problem(Date(CustomerDateKind::Wedding, "", "02-29", "1981")), P("month_day", Problem::BadDate)) << "1981 had no Feb 29";
  EXPECT_EQ(problem(Date(static_cast<CustomerDateKind>(42), "", "05-12")), P("kind", Problem::UnknownCode));
  EXPECT_EQ(problem(Date(CustomerDateKind::Other, std::string(51 * 3, 'x').c_str(), "05-12")), P("title", Problem::TooLong));
  EXPECT_EQ(problem(Date(CustomerDateKind::Birthday, "", "05-12", "八零年")), P("year", Problem::NotANumber));
  EXPECT_EQ(problem(Date(CustomerDateKind::Birthday, "", "05-12", "1899")), P("year", Problem::OutOfRange));
  EXPECT_EQ(problem(Date(CustomerDateKind::Birthday, "", "05-12", std::to_string(ThisYear() + 1).c_str())), P("year", Problem::OutOfRange));
  EXPECT_EQ(problem(Date(CustomerDateKind::Birthday, "", "1980-05-12", "1981")), P("year", Problem::NotApplicable));
  CustomerDateInput wordy = Date(CustomerDateKind::Other, "", "05-12");
  wordy.notes = std::string(201, 'x');
  EXPECT_EQ(problem(wordy), P("notes", Problem::TooLong));
  auto range = AddCustomerDate(org.db, shop, Date(CustomerDateKind::Birthday, "", "05-12", "1899"), org.repA).GetError();
  EXPECT_EQ(range.arg, 1900);
  EXPECT_EQ(range.arg2, ThisYear());
  EXPECT_EQ(CountDates(org.db), 0);

  // What is fine: Feb 29 without a year or in a leap year, a title of exactly 50 characters.
  std::string fifty;
  for (int i = 0; i < 50; i++) fifty += "日";
  EXPECT_TRUE(AddCustomerDate(org.db, shop, Date(CustomerDateKind::Birthday, fifty.c_str(), "02-29"), org.repA));
  EXPECT_TRUE(AddCustomerDate(org.db, shop, Date(CustomerDateKind::Wedding, "", "02/29", "1980"), org.repA));
  EXPECT_EQ(CountDates(org.db), 2);
}

TEST(CustomerDates, OnlyThoseWhoMayChangeTheCustomerWriteItsDates) {
  TestOrg org;
  int64_t theirs = org.Customer("张三的客户", org.repA);
  auto denied = AddCustomerDate(org.db, theirs, Date(CustomerDateKind::Birthday, "", "05-12"), org.repWest);
  EXPECT_EQ(denied.Code(), ErrorCode::Denied);
  EXPECT_EQ(CountDates(org.db), 0);
  auto id = AddCustomerDate(org.db, theirs, Date(CustomerDateKind::Birthday, "", "05-12"), org.repA);
  ASSERT_TRUE(id) << id.Message();
  EXPECT_EQ(UpdateCustomerDate(org.db, id.Value(), Date(CustomerDateKind::Other, "改掉", "06-01"), org.repWest).Code(), ErrorCode::Denied);
  EXPECT_EQ(TrashCustomerDate(org.db, id.Value(), org.repWest).Code(), ErrorCode::Denied);
  EXPECT_EQ(ScheduleDateFollowup(org.db, id.Value(), org.repWest).Code(), ErrorCode::Denied);
  EXPECT_EQ(CustomerDatesOf(org.db, theirs).Value().at(0).monthDay, "05-12") << "nothing changed";
  // The team's supervisor may; a customer that does not exist is not found.
  EXPECT_TRUE(UpdateCustomerDate(org.db, id.Value(), Date(CustomerDateKind::Birthday, "主管补上", "05-12"), org.supervisor));
  EXPECT_EQ(AddCustomerDate(org.db, 777, Date(CustomerDateKind::Birthday, "", "05-12"), org.admin).Code(), ErrorCode::NotFound);
  EXPECT_EQ(UpdateCustomerDate(org.db, 777, Date(CustomerDateKind::Birthday, "", "05-12"), org.admin).Code(), ErrorCode::NotFound);
}

TEST(CustomerDates, ChangesAreAuditedAndTheTrashHidesThem) {
  TestOrg org;
  int64_t shop = org.Customer("南海装饰", org.repA);
  auto id = AddCustomerDate(org.db, shop, Date(CustomerDateKind::Opening, "店庆", "09-09"), org.repA);
  ASSERT_TRUE(id) << id.Message();
  ASSERT_TRUE(UpdateCustomerDate(org.db, id.Value(), Date(CustomerDateKind::Opening, "十周年店庆", "09-09", "2015"), org.repA));
  EXPECT_EQ(CustomerDatesOf(org.db, shop).Value().at(0).title, "十周年店庆");
  ASSERT_TRUE(TrashCustomerDate(org.db, id.Value(), org.repA));
  EXPECT_TRUE(CustomerDatesOf(org.db, shop).Value().empty());
  EXPECT_EQ(TrashCustomerDate(org.db, id.Value(), org.repA).Code(), ErrorCode::NotFound);

  bool inserted = false, retitled = false, trashed = false;
  for (const AuditEntry& entry : AuditForCustomer(org.db, shop).Value()) {
    if (entry.table != "customer_dates" || entry.rowId != id.Value()) continue;
    EXPECT_EQ(entry.userId, org.repA.userId);
    inserted |= entry.action == "insert";
    retitled |= entry.action == "update" && entry.field == "title" && entry.oldValue == "店庆" && entry.newValue == "十周年店庆";
    trashed |= entry.action == "delete";
  }
  EXPECT_TRUE(inserted);
  EXPECT_TRUE(retitled);
  EXPECT_TRUE(trashed);
}

TEST(CustomerDates, FollowTheKeptCustomerWhenTwoAreMerged) {
  TestOrg org;
  int64_t kept = org.Customer("南海装饰", org.repA);
  int64_t merged = org.Customer("南海装饰（重复）", org.repA);
  ASSERT_TRUE(AddCustomerDate(org.db, kept, Date(CustomerDateKind::Birthday, "老板生日", "05-12"), org.repA));
  ASSERT_TRUE(AddCustomerDate(org.db, merged, Date(CustomerDateKind::Opening, "店庆", "09-09"), org.repA));
  ASSERT_TRUE(AddCustomerDate(org.db, merged, Date(CustomerDateKind::Wedding, "", "10-01"), org.repA));
  auto summary = MergeCustomers(org.db, kept, merged, org.repA);
  ASSERT_TRUE(summary) << summary.Message();
  EXPECT_EQ(summary.Value().Moved("customer_dates"), 2);
  EXPECT_EQ(CustomerDatesOf(org.db, kept).Value().size(), 3u);
  EXPECT_TRUE(CustomerDatesOf(org.db, merged).Value().empty());
}

TEST(CustomerDates, AReturnVisitIsPlannedForTheNextOccurrence) {
  TestOrg org;
  int64_t shop = org.Customer("南海装饰", org.repA);
  int64_t now = LocalMs(2025, 5, 10);
  int64_t birthday = AddCustomerDate(org.db, shop, Date(CustomerDateKind::Birthday, "老板生日", "05-12"), org.repA).Value();
  int64_t opening = AddCustomerDate(org.db, shop, Date(CustomerDateKind::Opening, "店庆", "06-18"), org.repA).Value();

  // On the day by default, at 09:00 local; a birthday's visit has the birthday reason, the others the anniversary's.
  auto onTheDay = ScheduleDateFollowup(org.db, birthday, org.repA, 0, now);
  ASSERT_TRUE(onTheDay) << onTheDay.Message();
  auto early = ScheduleDateFollowup(org.db, opening, org.repA, 7, now);
  ASSERT_TRUE(early) << early.Message();
  // Three days before May 12 is already past: the visit is today.
  auto tooLate = ScheduleDateFollowup(org.db, birthday, org.repA, 3, now);
  ASSERT_TRUE(tooLate) << tooLate.Message();
  // Planned again: the same visit, not a second one.
  EXPECT_EQ(ScheduleDateFollowup(org.db, birthday, org.repA, 0, now).ValueOr(0), onTheDay.Value());

  int found = 0;
  for (const Followup& f : FollowupsOf(org.db, shop).Value()) {
    if (f.id == onTheDay.Value()) {
      EXPECT_EQ(f.reason, FollowupReason::Birthday);
      EXPECT_EQ(f.dueAt, LocalMs(2025, 5, 12, 9));
      EXPECT_EQ(f.ownerId, org.repA.userId);
      EXPECT_EQ(f.note, "老板生日 05-12");
      found++;
    } else if (f.id == early.Value()) {
      EXPECT_EQ(f.reason, FollowupReason::Anniversary);
      EXPECT_EQ(f.dueAt, LocalMs(2025, 6, 11, 9));
      found++;
    } else if (f.id == tooLate.Value()) {
      EXPECT_EQ(f.dueAt, LocalMs(2025, 5, 10, 9));
      found++;
    }
  }
  EXPECT_EQ(found, 3);
  auto wrongLead = ScheduleDateFollowup(org.db, birthday, org.repA, kMaxDaysBefore + 1, now);
  EXPECT_EQ(wrongLead.GetError().field, "days_before");
  EXPECT_EQ(wrongLead.GetError().problem, Problem::OutOfRange);
  ASSERT_TRUE(TrashCustomerDate(org.db, opening, org.repA));
  EXPECT_EQ(ScheduleDateFollowup(org.db, opening, org.repA, 0, now).Code(), ErrorCode::NotFound);
}

}  // namespace
}  // namespace crm
