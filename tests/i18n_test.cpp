#include "ui/i18n.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "chinese_text.h"
#include "core/records.h"
#include "core/text.h"
#include "ui/errors.h"
#include "ui/keyed_text.h"
#include "ui/labels.h"

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

// Each feature's keyed texts (ui/strings/): both languages, valid UTF-8, a key defined once, the same conversions.
TEST(I18n, KeyedTextsExistInBothLanguagesOnce) {
  struct Seen {
    std::set<std::string> keys;
    int count = 0;
  } seen;
  ForEachKeyedText([](const KeyedText& text, void* context) {
    auto& seen = *static_cast<Seen*>(context);
    seen.count++;
    EXPECT_TRUE(seen.keys.insert(text.key).second) << "key defined twice: " << text.key;
    EXPECT_TRUE(text.zh && *text.zh && IsValidUtf8(text.zh)) << text.key;
    EXPECT_TRUE(text.en && *text.en && IsValidUtf8(text.en)) << text.key;
    EXPECT_EQ(Conversions(text.zh), Conversions(text.en)) << text.key;
  }, &seen);
  EXPECT_GT(seen.count, 0);
  EXPECT_EQ(TrKey(Lang::Zh, "no.such.key"), nullptr);
}

// Every label key the record registry names (tables and fields) has its texts: a new record type without its
// strings file fails here.
TEST(I18n, EveryRecordLabelHasItsTexts) {
  for (const RecordType& type : RecordTypes()) {
    std::vector<const char*> keys = {type.label};
    for (const FieldSpec& field : type.fields) {
      if (field.label) keys.push_back(field.label);
    }
    for (const char* key : keys) {
      EXPECT_NE(TrKey(Lang::Zh, key), nullptr) << "no Chinese text for " << key;
      EXPECT_NE(TrKey(Lang::En, key), nullptr) << "no English text for " << key;
    }
  }
  EXPECT_EQ(FieldLabel(Lang::Zh, "contacts", "name"), "姓名");
  EXPECT_EQ(FieldLabel(Lang::Zh, "customers", "name"), "客户名称");
  EXPECT_EQ(FieldLabel(Lang::En, "customers", "deleted_at"), "Trash");
  EXPECT_EQ(FieldLabel(Lang::Zh, "settings", "pool.days"), "pool.days") << "what the registry does not label keeps its name";
  EXPECT_EQ(AuditTableLabel(Lang::Zh, "customer_tags"), "标签");
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

TEST(I18n, CoreErrorsAreWordedFromTheirProblemNotTheirMessage) {
  EXPECT_EQ(DescribeError(Lang::Zh, FieldError(ErrorCode::Invalid, "name", Problem::Required, "name: required")), "必填");
  EXPECT_EQ(DescribeError(Lang::En, FieldError(ErrorCode::Invalid, "pin", Problem::DigitCount, "PIN: 4 to 8 digits", 4, 8)),
            "4 to 8 digits");
  EXPECT_EQ(DescribeError(Lang::Zh, FieldError(ErrorCode::Denied, "pin", Problem::WrongPin, "PIN: wrong PIN")), "PIN 码错误");
  EXPECT_EQ(DescribeError(Lang::Zh, FieldError(ErrorCode::Denied, "pin", Problem::WaitSeconds, "PIN: too many wrong PINs, wait 29 s", 29)),
            "错误次数过多，请 29 秒后再试");
  EXPECT_EQ(DescribeError(Lang::Zh, FieldError(ErrorCode::Invalid, "notes", Problem::TooLong, "notes: at most 2000 characters", 2000)),
            "太长了（最多 2000 个字）");
  // The wording comes from the Problem alone: a message in any form reads the same.
  EXPECT_EQ(DescribeError(Lang::Zh, FieldError(ErrorCode::Invalid, "phone", Problem::BadPhone, "anything")), Tr(Lang::Zh, Str::ErrBadPhone));
  // An error with no Problem: the English reader gets core's message, the Chinese one its code worded, never the English.
  EXPECT_EQ(DescribeError(Lang::En, MakeError(ErrorCode::Storage, "disk I/O error")), "disk I/O error");
  EXPECT_EQ(DescribeError(Lang::Zh, MakeError(ErrorCode::Storage, "disk I/O error")), TrKey(Lang::Zh, "errors.code.storage"));
  EXPECT_EQ(DescribeError(Lang::Zh, MakeError(ErrorCode::Denied, "revoked")),
            std::string(Tr(Lang::Zh, Str::NotAllowed)) + TrKey(Lang::Zh, "errors.code.denied"));
  // A refusal names whose customer it is, in both languages.
  Error denied = Refusal(Problem::NotYourCustomer, "李四 (rep) may not change this customer: it belongs to another rep", "张三", 7);
  EXPECT_EQ(DescribeError(Lang::Zh, denied), "没有权限：这是张三的客户，只有张三或其主管可以修改");
  EXPECT_EQ(DescribeError(Lang::En, denied), "Not allowed: This is 张三's customer; only 张三 or their supervisor can change it");
  // The encoding a file is not in, in words.
  Error undecodable = FieldError(ErrorCode::Corrupt, "", Problem::NotDecodable, "bytes that are not valid gb18030 text");
  undecodable.value = "gb18030";
  EXPECT_EQ(DescribeError(Lang::Zh, undecodable), "不是GB18030（简体中文）编码的文字，请换一种编码");
  EXPECT_EQ(EncodingInWords(Lang::Zh, Encoding::Gb18030), "GB18030（简体中文）");
  EXPECT_EQ(EncodingInWords(Lang::En, Encoding::Utf8), "UTF-8");
}

TEST(I18n, EveryProblemHasAWordingInBothLanguages) {
  for (int i = static_cast<int>(Problem::Required); i <= static_cast<int>(kLastProblem); i++) {
    Error error = FieldError(ErrorCode::Invalid, "field", static_cast<Problem>(i), "field: english", 1, 2);
    for (Lang lang : {Lang::Zh, Lang::En}) {
      std::string text = DescribeError(lang, error);
      EXPECT_FALSE(text.empty()) << i;
      EXPECT_EQ(text.find("english"), std::string::npos) << "problem " << i << " is not worded: " << text;
    }
  }
}

// Whatever error reaches a Chinese screen reads in Chinese: every code with every problem, a person named or not,
// and core's English message never shown.
TEST(I18n, EveryErrorReadsInChineseWithoutEnglishWords) {
  for (int code = 0; code <= static_cast<int>(kLastErrorCode); code++) {
    for (int problem = 0; problem <= static_cast<int>(kLastProblem); problem++) {
      for (const char* person : {"", "张三"}) {
        Error error = FieldError(static_cast<ErrorCode>(code), "phone", static_cast<Problem>(problem),
                                 "phone: the English message for logs", 3, 9);
        error.value = person;
        std::string text = DescribeError(Lang::Zh, error);
        EXPECT_FALSE(text.empty()) << ErrorCodeName(error.code) << " × problem " << problem;
        EXPECT_EQ(chinese_text::ForeignWords(text), std::vector<std::string>{})
            << ErrorCodeName(error.code) << " × problem " << problem << ": " << text;
      }
    }
  }
}

// Every text of the app in Chinese: Str's table and every feature's keyed texts.
TEST(I18n, EveryChineseTextIsChinese) {
  for (int i = 0; i < static_cast<int>(Str::Count); i++) {
    std::string zh = Tr(Lang::Zh, static_cast<Str>(i));
    EXPECT_EQ(chinese_text::ForeignWords(zh), std::vector<std::string>{}) << "string " << i << ": " << zh;
  }
  ForEachKeyedText([](const KeyedText& text, void*) {
    EXPECT_EQ(chinese_text::ForeignWords(text.zh), std::vector<std::string>{}) << text.key << ": " << text.zh;
  }, nullptr);
  // The check itself: an English word is caught, the allowed names and printf conversions are not.
  EXPECT_EQ(chinese_text::ForeignWords("没有权限：rep may not"), (std::vector<std::string>{"rep", "may", "not"}));
  EXPECT_TRUE(chinese_text::ForeignWords("PIN 码错误 %lld 位，CSV / Excel，UTF-8，A 类，store_area").empty());
}

TEST(I18n, AnErrorGoesUnderTheFieldItNamesOrOnTheFormsLine) {
  std::string name, phone, general;
  ShowError(Lang::Zh, FieldError(ErrorCode::Invalid, "phone", Problem::BadPhone, "contact phone: bad"),
            {{"name", &name}, {"phone", &phone}}, general);
  EXPECT_EQ(phone, Tr(Lang::Zh, Str::ErrBadPhone));
  EXPECT_TRUE(name.empty());
  EXPECT_TRUE(general.empty());
  ShowError(Lang::Zh, FieldError(ErrorCode::Invalid, "title", Problem::TooLong, "title: at most 50 characters", 50),
            {{"name", &name}, {"phone", &phone}}, general);
  EXPECT_EQ(general, "太长了（最多 50 个字）") << "a field the form does not show: the form's line";
}

// Screens route errors by Error::field and word them by Error::problem; none reads core's English text.
TEST(I18n, NoScreenParsesAnErrorMessage) {
  namespace fs = std::filesystem;
  int files = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(fs::path(CRM_SOURCE_DIR) / "ui")) {
    if (entry.path().extension() != ".cpp" && entry.path().extension() != ".h") continue;
    files++;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    std::string source = text.str();
    for (const char* forbidden : {"Message().rfind(", "Message().find(", "Message().compare(", "message.rfind(", "FieldErrorText"}) {
      EXPECT_EQ(source.find(forbidden), std::string::npos) << entry.path().filename() << " uses " << forbidden;
    }
  }
  EXPECT_GT(files, 10) << "the ui sources were not found under " << CRM_SOURCE_DIR;
}

}  // namespace
}  // namespace crm::ui
