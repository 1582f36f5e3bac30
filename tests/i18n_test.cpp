#include "ui/i18n.h"

#include <gtest/gtest.h>

#include <string>

#include "core/text.h"

namespace crm::ui {
namespace {

TEST(I18n, EveryStringExistsInBothLanguagesAndIsValidUtf8) {
  for (int i = 0; i < static_cast<int>(Str::Count); i++) {
    std::string zh = Tr(Lang::Zh, static_cast<Str>(i));
    std::string en = Tr(Lang::En, static_cast<Str>(i));
    EXPECT_FALSE(zh.empty()) << i;
    EXPECT_FALSE(en.empty()) << i;
    EXPECT_TRUE(IsValidUtf8(zh)) << i;
    EXPECT_TRUE(IsValidUtf8(en)) << i;
  }
}

TEST(I18n, ChineseTextsAreChinese) {
  EXPECT_EQ(std::string(Tr(Lang::Zh, Str::AddRecord)), "添加一位客户");
  EXPECT_EQ(std::string(Tr(Lang::En, Str::AddRecord)), "Add a customer");
}

TEST(I18n, LanguageFollowsTheBrowserLocale) {
  EXPECT_EQ(LangFromLocale("zh-CN"), Lang::Zh);
  EXPECT_EQ(LangFromLocale("zh"), Lang::Zh);
  EXPECT_EQ(LangFromLocale("zh-Hans-CN"), Lang::Zh);
  EXPECT_EQ(LangFromLocale("en-US"), Lang::En);
  EXPECT_EQ(LangFromLocale(""), Lang::En);
}

TEST(I18n, CoreErrorsReadWellNextToTheirField) {
  EXPECT_EQ(FieldErrorText(Lang::Zh, "name: required"), "必填");
  EXPECT_EQ(FieldErrorText(Lang::En, "PIN: 4 to 8 digits"), "4 to 8 digits");
  EXPECT_EQ(FieldErrorText(Lang::Zh, "PIN: wrong PIN"), "PIN 码错误");
  EXPECT_EQ(FieldErrorText(Lang::Zh, "PIN: too many wrong PINs, wait 29 s"), "错误次数过多，请 29 秒后再试");
  EXPECT_EQ(FieldErrorText(Lang::En, "phone: '12' is too short"), "'12' is too short");
  EXPECT_EQ(FieldErrorText(Lang::En, "no field here"), "no field here");
}

}  // namespace
}  // namespace crm::ui
