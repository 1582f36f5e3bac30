#include "core/validate.h"

#include <gtest/gtest.h>

namespace crm {
namespace {

TEST(Phone, NormalizesCommonChineseForms) {
  EXPECT_EQ(NormalizePhone("138-0013-8000").Value(), "13800138000");
  EXPECT_EQ(NormalizePhone("+86 138 0013 8000").Value(), "13800138000");
  EXPECT_EQ(NormalizePhone("0086 13800138000").Value(), "13800138000");
  EXPECT_EQ(NormalizePhone("(0757) 8622-1234").Value(), "075786221234");
  EXPECT_EQ(NormalizePhone("１３８００１３８０００").Value(), "13800138000");  // full-width digits from an IME
  EXPECT_EQ(NormalizePhone(" 010-12345678 ").Value(), "01012345678");
}

TEST(Phone, RefusesWhatIsNotAPhone) {
  EXPECT_NE(NormalizePhone("12345").Message().find("has 5 digits"), std::string::npos);
  EXPECT_NE(NormalizePhone("1380013800012345").Message().find("has 16 digits"), std::string::npos);
  EXPECT_NE(NormalizePhone("138-abc-8000").Message().find("is not a phone number"), std::string::npos);
  EXPECT_NE(NormalizePhone("12000138000").Message().find("not a valid mobile number"), std::string::npos);
  EXPECT_NE(NormalizePhone("").Message().find("empty"), std::string::npos);
  EXPECT_NE(NormalizePhone("\xFF").Message().find("UTF-8"), std::string::npos);
  EXPECT_EQ(NormalizePhone("1", "联系电话").Message().rfind("联系电话:", 0), 0u) << "the field is named";
}

TEST(Date, AcceptsCommonFormsAndChecksTheCalendar) {
  EXPECT_EQ(NormalizeDate("2024-02-29").Value(), "2024-02-29");
  EXPECT_EQ(NormalizeDate("2024/2/9").Value(), "2024-02-09");
  EXPECT_EQ(NormalizeDate("2024.12.31").Value(), "2024-12-31");
  EXPECT_EQ(NormalizeDate("1980年3月5日").Value(), "1980-03-05");
  EXPECT_EQ(NormalizeDate("3月5日").Value(), "--03-05");
  EXPECT_EQ(NormalizeDate("02-29").Value(), "--02-29");
  EXPECT_EQ(NormalizeDate("--06-18").Value(), "--06-18");
  EXPECT_FALSE(NormalizeDate("2023-02-29"));
  EXPECT_FALSE(NormalizeDate("2024-13-01"));
  EXPECT_FALSE(NormalizeDate("2024-04-31"));
  EXPECT_FALSE(NormalizeDate("1850-01-01"));
  EXPECT_FALSE(NormalizeDate("next monday"));
  EXPECT_FALSE(NormalizeDate("2024-1"));
  EXPECT_FALSE(NormalizeDate("12345678-01-01"));
}

TEST(Date, CivilDayArithmeticRoundTrips) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1) - DaysFromCivil(2000, 2, 28), 2);  // 2000 is a leap year
  for (int64_t days = -800000; days < 800000; days += 997) {
    int year;
    unsigned month, day;
    CivilFromDays(days, year, month, day);
    ASSERT_EQ(DaysFromCivil(year, month, day), days);
  }
}

TEST(CleanText, TrimsChecksLengthAndControlCharacters) {
  EXPECT_EQ(CleanText("  王五  ", "name", 10).Value(), "王五");
  EXPECT_EQ(CleanText("", "notes", 10).Value(), "");
  EXPECT_EQ(CleanText("", "name", 10, true).Message(), "name: required");
  auto tooLong = CleanText("一二三四五六七八九十一", "name", 10);
  EXPECT_EQ(tooLong.GetError().field, "name");
  EXPECT_EQ(tooLong.GetError().problem, Problem::TooLong);
  EXPECT_EQ(tooLong.GetError().arg, 10) << "the most characters, for the wording";
  EXPECT_FALSE(CleanText("a\x01" "b", "name", 10));
  EXPECT_TRUE(CleanText("第一行\n第二行", "notes", 20));
}

}  // namespace
}  // namespace crm
