#include "core/csv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace crm {
namespace {

std::vector<CsvRecord> ReadAll(const std::string& text, Status* status = nullptr) {
  CsvReader reader(StringSource(text));
  std::vector<CsvRecord> records;
  CsvRecord record;
  for (;;) {
    auto next = reader.Next(record);
    if (!next) {
      if (status) *status = next.GetError();
      break;
    }
    if (!next.Value()) break;
    records.push_back(record);
  }
  return records;
}

// A source that hands out one byte per call, so every boundary case is crossed.
ByteSource TrickleSource(std::string text) {
  auto state = std::make_shared<std::pair<std::string, size_t>>(std::move(text), 0);
  return [state](char* buffer, size_t capacity) -> Result<size_t> {
    if (capacity == 0 || state->second >= state->first.size()) return size_t{0};
    buffer[0] = state->first[state->second++];
    return size_t{1};
  };
}

TEST(Csv, QuotedFieldsWithCommasQuotesAndNewlines) {
  auto records = ReadAll("name,notes\r\n\"Acme, Inc.\",\"said \"\"hi\"\"\"\r\n\"two\r\nlines\",x\r\nlast,row");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"name", "notes"}));
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"Acme, Inc.", "said \"hi\""}));
  EXPECT_EQ(records[2].fields[0], "two\r\nlines");
  EXPECT_EQ(records[2].line, 3);
  EXPECT_EQ(records[2].lastLine, 4);
  // A final line without a newline is still a record, and its line counts the embedded break.
  EXPECT_EQ(records[3].fields, (std::vector<std::string>{"last", "row"}));
  EXPECT_EQ(records[3].line, 5);
}

TEST(Csv, LfLineEndsEmptyLinesAndEmptyFields) {
  auto records = ReadAll("a,b\n\n\r\n,\nc,\"\"\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"", ""}));
  EXPECT_EQ(records[1].line, 4);  // lines 2 and 3 were empty
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"c", ""}));
  EXPECT_EQ(records[2].line, 5);
}

TEST(Csv, UnterminatedQuoteIsAnErrorWithItsLine) {
  Status status;
  auto records = ReadAll("a,b\nok,1\n\"open,2\nmore\n", &status);
  EXPECT_EQ(records.size(), 2u);
  ASSERT_FALSE(status);
  EXPECT_NE(status.Message().find("line 3"), std::string::npos) << status.Message();
  EXPECT_NE(status.Message().find("unterminated"), std::string::npos);
}

TEST(Csv, ChunkBoundariesDoNotMatter) {
  std::string text = "x,\"a\"\"b\"\r\n\"c\r\nd\",e\r\n";
  CsvReader reader(TrickleSource(text));
  CsvRecord record;
  ASSERT_TRUE(reader.Next(record).Value());
  EXPECT_EQ(record.fields, (std::vector<std::string>{"x", "a\"b"}));
  ASSERT_TRUE(reader.Next(record).Value());
  EXPECT_EQ(record.fields, (std::vector<std::string>{"c\r\nd", "e"}));
  EXPECT_EQ(record.line, 2);
  EXPECT_FALSE(reader.Next(record).Value());
  EXPECT_EQ(reader.BytesRead(), static_cast<int64_t>(text.size()));
}

TEST(Csv, OversizedRecordIsRefused) {
  CsvReaderOptions options;
  options.maxRecordBytes = 100;
  CsvReader reader(StringSource("\"" + std::string(500, 'x')), options);
  CsvRecord record;
  auto next = reader.Next(record);
  ASSERT_FALSE(next);
  EXPECT_NE(next.Message().find("line 1"), std::string::npos);
}

TEST(Csv, SourceErrorsPropagate) {
  CsvReader reader([](char*, size_t) -> Result<size_t> { return MakeError(ErrorCode::Storage, "disk gone"); });
  CsvRecord record;
  auto next = reader.Next(record);
  ASSERT_FALSE(next);
  EXPECT_EQ(next.Code(), ErrorCode::Storage);
  CsvReader none(nullptr);
  EXPECT_FALSE(none.Next(record));
}

TEST(Csv, WriterQuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(CsvEscape("plain"), "plain");
  EXPECT_EQ(CsvEscape("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvEscape("say \"x\""), "\"say \"\"x\"\"\"");
  EXPECT_EQ(CsvEscape("l1\nl2"), "\"l1\nl2\"");
  std::string out;
  CsvWriter writer(StringSink(&out));
  ASSERT_TRUE(writer.WriteRecord({"名称", "a,b"}));
  ASSERT_TRUE(writer.WriteRecord({"x", ""}));
  ASSERT_TRUE(writer.Flush());
  EXPECT_EQ(out, "名称,\"a,b\"\r\nx,\r\n");
}

TEST(Csv, WriterAndReaderRoundTripAwkwardFields) {
  std::vector<std::vector<std::string>> rows = {
      {"客户, 有限公司", "\"quoted\"", "multi\r\nline\nfield"}, {"", " spaced ", "末尾"}, {"单列"}};
  std::string out;
  CsvWriter writer(StringSink(&out), CsvWriterOptions{',', false});
  for (const auto& row : rows) ASSERT_TRUE(writer.WriteRecord(row));
  ASSERT_TRUE(writer.Flush());
  auto records = ReadAll(out);
  ASSERT_EQ(records.size(), rows.size());
  for (size_t i = 0; i < rows.size(); i++) EXPECT_EQ(records[i].fields, rows[i]);
}

TEST(Csv, StreamsLargeInputRecordByRecord) {
  // 200k generated rows from a generating source: the reader never sees the whole text.
  const int kRows = 200000;
  auto state = std::make_shared<std::pair<int, std::string>>(0, std::string());
  ByteSource source = [state](char* buffer, size_t capacity) -> Result<size_t> {
    while (state->second.size() < capacity && state->first < kRows) {
      state->second += "客户" + std::to_string(state->first) + ",\"a,b\",1380013" + std::to_string(state->first % 10000) + "\n";
      state->first++;
    }
    size_t n = std::min(capacity, state->second.size());
    state->second.copy(buffer, n);
    state->second.erase(0, n);
    return n;
  };
  CsvReader reader(source);
  CsvRecord record;
  int count = 0;
  for (;;) {
    auto next = reader.Next(record);
    ASSERT_TRUE(next) << next.Message();
    if (!next.Value()) break;
    ASSERT_EQ(record.fields.size(), 3u);
    ASSERT_EQ(record.line, count + 1);
    count++;
  }
  EXPECT_EQ(count, kRows);
  // The generator's pending text stays within about one read chunk.
  EXPECT_LT(state->second.capacity(), 1u << 20);
}

}  // namespace
}  // namespace crm
