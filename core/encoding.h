#pragma once
// Text encodings of imported files. Chinese Excel saves "CSV" in GB18030/GBK,
// other tools in UTF-8 (with or without a BOM): detect which, and decode to
// UTF-8 in streaming chunks. Bytes that do not decode become U+FFFD and their
// line is reported, so a row is flagged bad instead of silently garbled.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/csv.h"
#include "core/result.h"

namespace crm {

enum class Encoding { Auto, Utf8, Gb18030 };

// "auto", "utf-8"/"utf8", "gb18030"/"gbk"/"gb2312" (GB18030 is a superset of both), any case.
Result<Encoding> ParseEncoding(std::string_view text, std::string_view field = "encoding");
const char* EncodingName(Encoding encoding);

// From the start of a file: a UTF-8 BOM or valid UTF-8 → Utf8, anything else → Gb18030.
// When `complete` is false the sample was cut, so a truncated sequence at its end is allowed.
Encoding DetectEncoding(std::string_view sample, bool complete);
// Reads the whole source (stopping at the first byte that is not UTF-8).
Result<Encoding> DetectEncoding(const ByteSource& source);

// Called with the 1-based physical line of each undecodable byte sequence.
using InvalidBytesHandler = std::function<void(int64_t line)>;

// Decodes a source to UTF-8 chunk by chunk (a multi-byte character split across chunks is
// carried over). A leading UTF-8 BOM is dropped. Auto is not allowed here: detect first.
class TextDecoder {
 public:
  static Result<std::unique_ptr<TextDecoder>> Open(ByteSource source, Encoding encoding,
                                                   InvalidBytesHandler onInvalid = nullptr);
  virtual ~TextDecoder() = default;

  // UTF-8 output, as a ByteSource; 0 at the end.
  virtual Result<size_t> Read(char* buffer, size_t capacity) = 0;
  // Raw bytes taken from the source so far (for progress against a file size).
  virtual int64_t BytesRead() const = 0;
  // Undecodable sequences seen so far.
  virtual int64_t InvalidCount() const = 0;

  // Adapts a decoder to a ByteSource; the decoder must outlive it.
  static ByteSource AsSource(TextDecoder* decoder);
};

// Whole-buffer conversion; any undecodable byte is an error naming its line.
Result<std::string> DecodeToUtf8(std::string_view bytes, Encoding encoding);
// UTF-8 → GB18030 (tests build Chinese-Excel fixtures with it; exports stay UTF-8).
Result<std::string> EncodeGb18030(std::string_view utf8);

}  // namespace crm
