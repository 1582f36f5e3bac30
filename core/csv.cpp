#include "core/csv.h"

#include <algorithm>
#include <cstring>

namespace crm {

namespace {
constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kWriteChunk = 64 * 1024;
}  // namespace

ByteSource StringSource(std::string text) {
  auto state = std::make_shared<std::pair<std::string, size_t>>(std::move(text), 0);
  return [state](char* buffer, size_t capacity) -> Result<size_t> {
    if (!buffer && capacity > 0) return MakeError(ErrorCode::Invalid, "buffer: null");
    size_t n = std::min(capacity, state->first.size() - state->second);
    if (n > 0) std::memcpy(buffer, state->first.data() + state->second, n);
    state->second += n;
    return n;
  };
}

ByteSink StringSink(std::string* out) {
  return [out](std::string_view bytes) -> Status {
    if (!out) return MakeError(ErrorCode::Invalid, "sink: no output string");
    out->append(bytes.data(), bytes.size());
    return Ok();
  };
}

// ---------------------------------------------------------------------------
// Reader

CsvReader::CsvReader(ByteSource source, CsvReaderOptions options)
    : m_source(std::move(source)), m_options(options), m_buffer(kReadChunk) {
  if (!m_source) {
    m_failed = true;
    m_error = MakeError(ErrorCode::Invalid, "csv source: none given");
  }
  if (m_options.delimiter == '"' || m_options.delimiter == '\r' || m_options.delimiter == '\n') {
    m_failed = true;
    m_error = MakeError(ErrorCode::Invalid, "csv delimiter: must not be a quote or a line break");
  }
  if (m_options.maxRecordBytes == 0) m_options.maxRecordBytes = 1 << 20;
}

int CsvReader::Peek() {
  if (m_pos < m_end) return static_cast<unsigned char>(m_buffer[m_pos]);
  if (m_failed) return -2;
  if (m_eof) return -1;
  auto got = m_source(m_buffer.data(), m_buffer.size());
  if (!got) {
    m_failed = true;
    m_error = got.GetError();
    return -2;
  }
  if (got.Value() == 0) {
    m_eof = true;
    return -1;
  }
  m_pos = 0;
  m_end = std::min(got.Value(), m_buffer.size());
  m_bytesRead += static_cast<int64_t>(m_end);
  return static_cast<unsigned char>(m_buffer[m_pos]);
}

int CsvReader::Get() {
  int c = Peek();
  if (c >= 0) m_pos++;
  return c;
}

Result<bool> CsvReader::Next(CsvRecord& record) {
  if (m_failed) return m_error;
  record.fields.clear();
  std::string field;
  size_t recordBytes = 0;
  enum class State { FieldStart, Unquoted, Quoted, AfterQuote };
  State state = State::FieldStart;
  bool started = false;  // anything read for this record (an empty line is skipped)
  int64_t quoteLine = 0;
  record.line = m_line;
  auto endRecord = [&]() {
    record.fields.push_back(std::move(field));
    record.lastLine = m_line;
  };
  // A line end: CR LF, LF, or a lone CR (old Mac files), counted once.
  auto takeLineEnd = [&](int c) {
    if (c == '\r' && Peek() == '\n') Get();
    m_line++;
  };

  for (;;) {
    int c = Get();
    if (c == -2) return m_error;
    if (c == -1) {
      if (state == State::Quoted) {
        m_failed = true;
        m_error = MakeError(ErrorCode::Invalid, "line " + std::to_string(quoteLine) +
                                                    ": unterminated quoted field (the closing \" is missing)");
        return m_error;
      }
      if (!started) return false;
      endRecord();
      return true;
    }
    if (++recordBytes > m_options.maxRecordBytes) {
      m_failed = true;
      m_error = MakeError(ErrorCode::Invalid, "line " + std::to_string(record.line) + ": record longer than " +
                                                  std::to_string(m_options.maxRecordBytes) +
                                                  " bytes (an unterminated quote?)");
      return m_error;
    }
    char ch = static_cast<char>(c);
    switch (state) {
      case State::FieldStart:
      case State::Unquoted:
      case State::AfterQuote:
        if (ch == '\r' || ch == '\n') {
          takeLineEnd(c);
          if (!started) {
            // An empty line: skipped, the record starts on the next one.
            record.line = m_line;
            recordBytes = 0;
            continue;
          }
          record.fields.push_back(std::move(field));
          record.lastLine = m_line - 1;
          return true;
        }
        started = true;
        if (ch == m_options.delimiter) {
          record.fields.push_back(std::move(field));
          field.clear();
          state = State::FieldStart;
        } else if (ch == '"' && state == State::FieldStart) {
          state = State::Quoted;
          quoteLine = m_line;
        } else {
          // Text after a closing quote, or a quote inside an unquoted field, is kept as is (as Excel does).
          field += ch;
          if (state == State::FieldStart) state = State::Unquoted;
        }
        break;
      case State::Quoted:
        if (ch == '"') {
          if (Peek() == '"') {
            Get();
            field += '"';
          } else {
            state = State::AfterQuote;
          }
        } else {
          field += ch;
          if (ch == '\n' || (ch == '\r' && Peek() != '\n')) m_line++;
        }
        break;
    }
  }
}

// ---------------------------------------------------------------------------
// Writer

std::string CsvEscape(std::string_view field, char delimiter) {
  bool needsQuotes = field.find_first_of(std::string{'"', '\r', '\n', delimiter}) != std::string_view::npos;
  if (!needsQuotes) return std::string(field);
  std::string out;
  out.reserve(field.size() + 2);
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

CsvWriter::CsvWriter(ByteSink sink, CsvWriterOptions options) : m_sink(std::move(sink)), m_options(options) {
  m_buffer.reserve(kWriteChunk);
}

Status CsvWriter::WriteRaw(std::string_view bytes) {
  m_buffer.append(bytes.data(), bytes.size());
  if (m_buffer.size() >= kWriteChunk) return Flush();
  return Ok();
}

Status CsvWriter::WriteRecord(const std::vector<std::string>& fields) {
  if (m_options.delimiter == '"' || m_options.delimiter == '\r' || m_options.delimiter == '\n') {
    return MakeError(ErrorCode::Invalid, "csv delimiter: must not be a quote or a line break");
  }
  for (size_t i = 0; i < fields.size(); i++) {
    if (i) m_buffer += m_options.delimiter;
    m_buffer += CsvEscape(fields[i], m_options.delimiter);
  }
  m_buffer += m_options.crlf ? "\r\n" : "\n";
  if (m_buffer.size() >= kWriteChunk) return Flush();
  return Ok();
}

Status CsvWriter::Flush() {
  if (!m_sink) return MakeError(ErrorCode::Invalid, "csv sink: none given");
  if (m_buffer.empty()) return Ok();
  Status written = m_sink(m_buffer);
  m_buffer.clear();
  return written;
}

}  // namespace crm
