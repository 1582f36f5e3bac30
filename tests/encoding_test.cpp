#include "core/encoding.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace crm {
namespace {

// GB18030 bytes fixed by the standard (GB 18030-2005 code charts), independent of any library.
constexpr const char* kKeHuGb = "\xBF\xCD\xBB\xA7";  // 客户
constexpr const char* kKeHuUtf8 = "客户";

std::string DecodeAll(TextDecoder& decoder, size_t readSize) {
  std::string out;
  std::vector<char> chunk(readSize);
  for (;;) {
    auto got = decoder.Read(chunk.data(), chunk.size());
    EXPECT_TRUE(got) << got.Message();
    if (!got || got.Value() == 0) break;
    out.append(chunk.data(), got.Value());
  }
  return out;
}

// Hands out the bytes `step` at a time, to split multi-byte characters across reads.
ByteSource SteppedSource(std::string text, size_t step) {
  auto state = std::make_shared<std::pair<std::string, size_t>>(std::move(text), 0);
  return [state, step](char* buffer, size_t capacity) -> Result<size_t> {
    size_t n = std::min({capacity, step, state->first.size() - state->second});
    state->first.copy(buffer, n, state->second);
    state->second += n;
    return n;
  };
}

TEST(Encoding, ParsesNamesAndRefusesUnknown) {
  EXPECT_EQ(ParseEncoding("UTF-8").Value(), Encoding::Utf8);
  EXPECT_EQ(ParseEncoding("gbk").Value(), Encoding::Gb18030);
  EXPECT_EQ(ParseEncoding("auto").Value(), Encoding::Auto);
  auto bad = ParseEncoding("latin9", "--encoding");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.Message().find("--encoding"), std::string::npos);
}

TEST(Encoding, DetectsBomUtf8AndGb18030) {
  EXPECT_EQ(DetectEncoding("\xEF\xBB\xBFname", true), Encoding::Utf8);
  EXPECT_EQ(DetectEncoding(std::string("name,") + kKeHuUtf8, true), Encoding::Utf8);
  EXPECT_EQ(DetectEncoding(std::string("name,") + kKeHuGb, true), Encoding::Gb18030);
  // A sample cut inside a UTF-8 character is still UTF-8 when more may follow.
  std::string cut = std::string(kKeHuUtf8).substr(0, 4);
  EXPECT_EQ(DetectEncoding(cut, false), Encoding::Utf8);
  EXPECT_EQ(DetectEncoding(cut, true), Encoding::Gb18030);
  // Streaming detection reads past the first chunk when the file starts with ASCII.
  std::string late = std::string(200000, 'a') + "\n" + kKeHuGb;
  EXPECT_EQ(DetectEncoding(StringSource(late)).Value(), Encoding::Gb18030);
  EXPECT_EQ(DetectEncoding(StringSource(std::string(200000, 'a') + kKeHuUtf8)).Value(), Encoding::Utf8);
}

TEST(Encoding, DecodesGb18030AcrossChunkBoundaries) {
  // 客户 (two-byte), U+0080 (four-byte BMP: 81 30 81 30), U+20000 (four-byte supplementary: 95 32 82 36).
  std::string gb = std::string("a,") + kKeHuGb + "\x81\x30\x81\x30" + "\x95\x32\x82\x36" + "\n";
  std::string expected = std::string("a,") + kKeHuUtf8 + "\xC2\x80" + "\xF0\xA0\x80\x80" + "\n";
  for (size_t step : {1u, 2u, 3u, 5u, 4096u}) {
    auto decoder = TextDecoder::Open(SteppedSource(gb, step), Encoding::Gb18030);
    ASSERT_TRUE(decoder) << decoder.Message();
    EXPECT_EQ(DecodeAll(*decoder.Value(), 3), expected) << "step " << step;
    EXPECT_EQ(decoder.Value()->InvalidCount(), 0);
    EXPECT_EQ(decoder.Value()->BytesRead(), static_cast<int64_t>(gb.size()));
  }
}

TEST(Encoding, InvalidBytesAreReplacedAndReportedWithTheirLine) {
  std::string gb = std::string("ok\n") + kKeHuGb + "\nbad\xFF\n\x81";  // 0xFF never starts a character; 0x81 is cut
  std::vector<int64_t> lines;
  auto decoder = TextDecoder::Open(StringSource(gb), Encoding::Gb18030, [&](int64_t line) { lines.push_back(line); });
  ASSERT_TRUE(decoder);
  std::string out = DecodeAll(*decoder.Value(), 1024);
  EXPECT_EQ(lines, (std::vector<int64_t>{3, 4}));
  EXPECT_NE(out.find("bad\xEF\xBF\xBD"), std::string::npos);
  EXPECT_EQ(DecodeToUtf8(gb, Encoding::Gb18030).Message().find("line 3"), 0u);

  std::vector<int64_t> utfLines;
  auto utf = TextDecoder::Open(StringSource("a\n\xC3\x28\n"), Encoding::Utf8, [&](int64_t line) { utfLines.push_back(line); });
  ASSERT_TRUE(utf);
  EXPECT_EQ(DecodeAll(*utf.Value(), 7), "a\n\xEF\xBF\xBD(\n");
  EXPECT_EQ(utfLines, (std::vector<int64_t>{2}));
}

TEST(Encoding, Utf8BomIsDroppedEvenWhenSplit) {
  auto decoder = TextDecoder::Open(SteppedSource("\xEF\xBB\xBF名称\n", 1), Encoding::Utf8);
  ASSERT_TRUE(decoder);
  EXPECT_EQ(DecodeAll(*decoder.Value(), 2), "名称\n");
  EXPECT_EQ(DecodeToUtf8("\xEF\xBB\xBF" "ab", Encoding::Auto).Value(), "ab");
  EXPECT_FALSE(TextDecoder::Open(StringSource("x"), Encoding::Auto));
  EXPECT_FALSE(TextDecoder::Open(nullptr, Encoding::Utf8));
}

TEST(Encoding, EncodeGb18030RoundTrips) {
  std::string text = "客户名称,电话,地址\n张三五金店,\"广东省佛山市, 南海区\"\n𠀀\n";
  auto gb = EncodeGb18030(text);
  ASSERT_TRUE(gb) << gb.Message();
  EXPECT_EQ(gb.Value().substr(0, 4), kKeHuGb);
  EXPECT_EQ(DetectEncoding(gb.Value(), true), Encoding::Gb18030);
  EXPECT_EQ(DecodeToUtf8(gb.Value(), Encoding::Auto).Value(), text);
  // Four-byte BMP codes, fixed by the standard: U+0080 → 81 30 81 30, ¥ (U+00A5) → 81 30 84 36.
  EXPECT_EQ(EncodeGb18030("\xC2\x80¥").Value(), "\x81\x30\x81\x30\x81\x30\x84\x36");
  EXPECT_FALSE(EncodeGb18030("\xFF"));
}

// A GB18030 file's four-byte codes decode to the characters beyond U+FFFF they stand for, and back.
TEST(Encoding, Gb18030FourByteCodesAreAstralCharacters) {
  // 𠮷 U+20BB7 → 95 34 B2 35; 🏠 U+1F3E0 → 94 39 C6 32; ☎ U+260E (four-byte BMP) → 81 37 A3 38.
  std::string gb = std::string("\x95\x34\xB2\x35") + "\xD2\xB0\xBC\xD2" + "\x94\x39\xC6\x32" + "," + "\x81\x37\xA3\x38" + "\n";
  std::string utf8 = "𠮷野家🏠,☎\n";
  for (size_t step : {1u, 3u, 4096u}) {
    auto decoder = TextDecoder::Open(SteppedSource(gb, step), Encoding::Gb18030);
    ASSERT_TRUE(decoder) << decoder.Message();
    EXPECT_EQ(DecodeAll(*decoder.Value(), 5), utf8) << "step " << step;
    EXPECT_EQ(decoder.Value()->InvalidCount(), 0);
  }
  EXPECT_EQ(EncodeGb18030(utf8).Value(), gb);
}

}  // namespace
}  // namespace crm
