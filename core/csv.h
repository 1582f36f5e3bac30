#pragma once
// Streaming CSV (RFC 4180): the reader pulls bytes from a source and yields one
// record at a time, so a million-row import never holds the file; the writer
// pushes quoted records to a sink through a small buffer.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace crm {

// Pulls up to `capacity` bytes into `buffer`; 0 means the end of the data.
using ByteSource = std::function<Result<size_t>(char* buffer, size_t capacity)>;
// Accepts the next piece of output.
using ByteSink = std::function<Status(std::string_view bytes)>;

// A source over an in-memory string (tests, previews of a pasted text).
ByteSource StringSource(std::string text);
// A sink appending to a string the caller keeps alive.
ByteSink StringSink(std::string* out);

struct CsvRecord {
  std::vector<std::string> fields;
  int64_t line = 0;      // 1-based physical line where the record starts
  int64_t lastLine = 0;  // physical line where it ends (later than `line` when a quoted field holds newlines)
};

struct CsvReaderOptions {
  char delimiter = ',';
  // A record longer than this is refused: it is almost always an unterminated quote
  // swallowing the rest of the file, and the limit keeps memory bounded.
  size_t maxRecordBytes = 1 << 20;
};

class CsvReader {
 public:
  explicit CsvReader(ByteSource source, CsvReaderOptions options = {});
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record into `record`: true when one was read, false at the end.
  // Empty lines are skipped. After an error every later call returns the same error.
  Result<bool> Next(CsvRecord& record);
  // Bytes consumed from the source so far (for progress).
  int64_t BytesRead() const { return m_bytesRead; }

 private:
  // The next byte, -1 at the end, -2 when the source failed (m_error holds why).
  int Get();
  int Peek();

  ByteSource m_source;
  CsvReaderOptions m_options;
  std::vector<char> m_buffer;
  size_t m_pos = 0;
  size_t m_end = 0;
  bool m_eof = false;
  bool m_failed = false;
  Error m_error;
  int64_t m_line = 1;
  int64_t m_bytesRead = 0;
};

struct CsvWriterOptions {
  char delimiter = ',';
  bool crlf = true;  // Excel's line end; false writes LF
};

class CsvWriter {
 public:
  explicit CsvWriter(ByteSink sink, CsvWriterOptions options = {});
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  // Raw bytes, unquoted (a BOM before the header).
  Status WriteRaw(std::string_view bytes);
  // One record; fields holding the delimiter, a quote, CR or LF are quoted with doubled quotes.
  Status WriteRecord(const std::vector<std::string>& fields);
  // Hands buffered bytes to the sink; call once at the end.
  Status Flush();

 private:
  ByteSink m_sink;
  CsvWriterOptions m_options;
  std::string m_buffer;
};

// A field as it appears in a CSV line (quoted when needed).
std::string CsvEscape(std::string_view field, char delimiter = ',');

}  // namespace crm
