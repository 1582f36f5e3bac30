#include "core/enums.h"

#include <gtest/gtest.h>

namespace crm {
namespace {

TEST(Enums, CodesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(CustomerKind::Other); i++) {
    auto kind = static_cast<CustomerKind>(i);
    EXPECT_EQ(ParseCustomerKind(Code(kind)).Value(), kind);
  }
  for (int i = 0; i <= static_cast<int>(Stage::WonBack); i++) {
    auto stage = static_cast<Stage>(i);
    EXPECT_EQ(ParseStage(Code(stage)).Value(), stage);
  }
  for (int i = 0; i <= static_cast<int>(Role::Admin); i++) EXPECT_EQ(ParseRole(Code(static_cast<Role>(i))).Value(), static_cast<Role>(i));
}

TEST(Enums, ChineseLabelsAndCaseAreAccepted) {
  EXPECT_EQ(ParseCustomerKind("经销商").Value(), CustomerKind::Dealer);
  EXPECT_EQ(ParseCustomerKind("DEALER").Value(), CustomerKind::Dealer);
  EXPECT_EQ(ParseGrade("a").Value(), Grade::A);
  EXPECT_EQ(ParseLostReason("价格流失").Value(), LostReason::Price);
  EXPECT_EQ(ParseSource("转介绍").Value(), Source::Referral);
}

TEST(Enums, KindsAsChineseSpreadsheetsWriteThem) {
  EXPECT_EQ(ParseCustomerKind("个人").Value(), CustomerKind::Consumer);
  EXPECT_EQ(ParseCustomerKind("装修公司").Value(), CustomerKind::DecorationCompany);
  EXPECT_EQ(ParseCustomerKind("零售").Value(), CustomerKind::Consumer);  // a shop's walk-in customers
  EXPECT_EQ(ParseCustomerKind("批发商").Value(), CustomerKind::Dealer);
  EXPECT_EQ(ParseCustomerKind("家装设计师").Value(), CustomerKind::Designer);  // the word the sources use (docs/DESIGN.md note 8)
  EXPECT_EQ(ParseCustomerKind("工长").Value(), CustomerKind::Contractor);
  EXPECT_EQ(ParseCustomerKind("装饰公司").Value(), CustomerKind::DecorationCompany);
  EXPECT_FALSE(ParseCustomerKind("个"));
}

TEST(Enums, UnknownCodesNameTheFieldAndTheChoices) {
  auto kind = ParseCustomerKind("wholesaler", "客户类型");
  ASSERT_FALSE(kind);
  EXPECT_EQ(kind.Code(), ErrorCode::Invalid);
  EXPECT_NE(kind.Message().find("客户类型: unknown code 'wholesaler'"), std::string::npos);
  EXPECT_NE(kind.Message().find("dealer 经销商"), std::string::npos) << "the choices in both languages";
  EXPECT_EQ(kind.GetError().field, "客户类型");
  EXPECT_EQ(kind.GetError().problem, Problem::UnknownCode);
  EXPECT_FALSE(ParseGrade("E"));
  EXPECT_FALSE(ParseRole(""));
}

TEST(Enums, OutOfRangeValuesHaveNoCode) {
  EXPECT_STREQ(Code(static_cast<Grade>(9)), "");
  EXPECT_STREQ(LabelZh(Stage::Lost), "已流失");
}

}  // namespace
}  // namespace crm
