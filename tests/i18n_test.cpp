#include "ui/i18n.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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

// The conversions of a printf-style text, in order ("%d", "%s", "%.1f" …; "%%" is no conversion).
std::vector<std::string> Conversions(const std::string& text) {
  std::vector<std::string> found;
  for (size_t i = 0; i < text.size(); i++) {
    if (text[i] != '%') continue;
    if (i + 1 < text.size() && text[i + 1] == '%') {
      i++;
      continue;
    }
    size_t end = text.find_first_of("diouxXeEfgGcsp", i + 1);
    if (end == std::string::npos) {
      found.push_back(text.substr(i));
      break;
    }
    found.push_back(text.substr(i, end - i + 1));
    i = end;
  }
  return found;
}

// A text formatted with printf in one language and its arguments must fit the other as well.
TEST(I18n, BothLanguagesTakeTheSameFormatArguments) {
  EXPECT_EQ(Conversions("第 %d 次，%% 完成 %.1f，%lld 位"), (std::vector<std::string>{"%d", "%.1f", "%lld"}));
  EXPECT_NE(Conversions("显示 %d / %d"), Conversions("%d shown"));
  for (int i = 0; i < static_cast<int>(Str::Count); i++) {
    std::string zh = Tr(Lang::Zh, static_cast<Str>(i));
    std::string en = Tr(Lang::En, static_cast<Str>(i));
    EXPECT_EQ(Conversions(zh), Conversions(en)) << "string " << i << ": '" << zh << "' / '" << en << "'";
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
