#include "core/text.h"

#include <gtest/gtest.h>

namespace crm {
namespace {

TEST(Utf8, AcceptsChineseAndEmoji) {
  EXPECT_TRUE(IsValidUtf8("王堃 喆 犇 客户"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));  // U+1F600
  EXPECT_TRUE(IsValidUtf8(""));
}

TEST(Utf8, RejectsMalformedSequences) {
  EXPECT_EQ(FirstInvalidUtf8("ab\xFF"), 2u);
  EXPECT_EQ(FirstInvalidUtf8("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("\xED\xA0\x80"), 0u);      // surrogate U+D800
  EXPECT_EQ(FirstInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // past U+10FFFF
  EXPECT_EQ(FirstInvalidUtf8("客\xE5\xAE"), 3u);         // truncated at the end
  EXPECT_EQ(FirstInvalidUtf8("\x80"), 0u);              // lone continuation byte
}

TEST(Utf8, CountsCodePoints) {
  EXPECT_EQ(Utf8Length("客户A"), 3u);
  EXPECT_EQ(Utf8Length(""), 0u);
}

TEST(Trim, StripsAsciiAndIdeographicSpaces) {
  EXPECT_EQ(Trim("  王五\t"), "王五");
  EXPECT_EQ(Trim("\xE3\x80\x80张三\xE3\x80\x80"), "张三");
  EXPECT_EQ(Trim(" \xE3\x80\x80 "), "");
  EXPECT_EQ(Trim("a b"), "a b");
}

// One escaping for every JSON the project writes (relay answers and logs, the browser bridge, test hooks).
TEST(Json, EscapesQuotesBackslashesAndControlsAndKeepsUtf8) {
  EXPECT_EQ(JsonEscape("门窗 \"A\" \\ 1"), "门窗 \\\"A\\\" \\\\ 1");
  EXPECT_EQ(JsonEscape("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(JsonEscape(std::string("x\x01y", 3)), "x\\u0001y");
  EXPECT_EQ(JsonString("王堃"), "\"王堃\"");
  EXPECT_EQ(JsonString(""), "\"\"");
}

}  // namespace
}  // namespace crm
