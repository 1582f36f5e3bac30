#include "core/encoding.h"

#include <iconv.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "core/text.h"

namespace crm {

namespace {

constexpr size_t kChunk = 64 * 1024;
constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  return out;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length of the UTF-8 sequence at `p`: >0 valid, 0 invalid, -1 cut short by the end of the data.
int Utf8SequenceLength(const unsigned char* p, size_t available) {
  unsigned char b = p[0];
  if (b < 0x80) return 1;
  int length;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    length = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    length = 3;
    if (b == 0xE0) lo = 0xA0;  // overlong
    if (b == 0xED) hi = 0x9F;  // surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    length = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (int i = 1; i < length; i++) {
    if (static_cast<size_t>(i) >= available) return -1;
    unsigned char c = p[i];
    if (i == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) return 0;
  }
  return length;
}

// GB18030 structure: 1 (ASCII), 2 (lead 81–FE, trail 40–7E/80–FE) or 4 bytes
// (81–FE, 30–39, 81–FE, 30–39). >0 length, 0 invalid, -1 cut short.
int Gb18030SequenceLength(const unsigned char* p, size_t available) {
  unsigned char b = p[0];
  if (b < 0x80) return 1;
  if (b == 0x80 || b == 0xFF) return 0;
  if (available < 2) return -1;
  unsigned char b2 = p[1];
  if ((b2 >= 0x40 && b2 <= 0x7E) || (b2 >= 0x80 && b2 <= 0xFE)) return 2;
  if (b2 < 0x30 || b2 > 0x39) return 0;
  if (available < 3) return -1;
  if (p[2] < 0x81 || p[2] > 0xFE) return 0;
  if (available < 4) return -1;
  if (p[3] < 0x30 || p[3] > 0x39) return 0;
  return 4;
}

// The four-byte range 90308130–E3329A35 maps linearly onto U+10000–U+10FFFF. Decoded here
// because musl's iconv (the wasm build) gets this range wrong; 0 when outside it.
uint32_t Gb18030Supplementary(const unsigned char* p) {
  if (p[0] < 0x90 || p[0] > 0xE3) return 0;
  uint32_t linear = (((p[0] - 0x90u) * 10 + (p[1] - 0x30u)) * 126 + (p[2] - 0x81u)) * 10 + (p[3] - 0x30u);
  return linear <= 0xFFFFF ? 0x10000 + linear : 0;
}

class Iconv {
 public:
  Iconv(const char* to, const char* from) : m_cd(iconv_open(to, from)) {}
  ~Iconv() {
    if (Ok()) iconv_close(m_cd);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;
  bool Ok() const { return m_cd != reinterpret_cast<iconv_t>(-1); }
  iconv_t Handle() const { return m_cd; }

 private:
  iconv_t m_cd;
};

// Shared by both decoders: pulls raw chunks, keeps an incomplete tail for the next round,
// counts lines and drops a leading BOM from the output.
class DecoderBase : public TextDecoder {
 public:
  DecoderBase(ByteSource source, InvalidBytesHandler onInvalid)
      : m_source(std::move(source)), m_onInvalid(std::move(onInvalid)) {}

  Result<size_t> Read(char* buffer, size_t capacity) override {
    if (!buffer && capacity > 0) return MakeError(ErrorCode::Invalid, "buffer: null");
    while (m_outPos >= m_out.size() && !m_done) {
      m_out.clear();
      m_outPos = 0;
      CRM_TRY(Fill());
      if (m_atStart && (m_out.size() >= kBom.size() || m_done)) {
        if (m_out.compare(0, kBom.size(), kBom) == 0) m_outPos = kBom.size();
        m_atStart = false;
      }
      if (m_atStart) {
        // Fewer than three bytes so far: wait for more before deciding about a BOM.
        m_carry = std::move(m_out);
        m_out.clear();
      }
    }
    size_t n = std::min(capacity, m_out.size() - m_outPos);
    std::memcpy(buffer, m_out.data() + m_outPos, n);
    m_outPos += n;
    return n;
  }
  int64_t BytesRead() const override { return m_bytesRead; }
  int64_t InvalidCount() const override { return m_invalid; }

 protected:
  // Converts as much of m_in as it can; `final` when no more input will come.
  virtual void Convert(bool final) = 0;

  void Invalid(size_t skip, size_t& pos) {
    m_invalid++;
    if (m_onInvalid) m_onInvalid(m_line);
    m_out += kReplacement;
    CountLines(pos, pos + skip);
    pos += skip;
  }
  void CountLines(size_t from, size_t to) {
    for (size_t i = from; i < to; i++) m_line += m_in[i] == '\n';
  }

  std::string m_in;   // raw bytes not yet converted
  std::string m_out;  // converted bytes not yet handed out
  int64_t m_line = 1;

 private:
  Status Fill() {
    std::string carry = std::move(m_carry);
    m_carry.clear();
    m_out = carry;
    char chunk[4096];
    size_t before = m_in.size();
    while (m_in.size() - before < kChunk) {
      CRM_ASSIGN_OR_RETURN(size_t got, m_source(chunk, sizeof chunk));
      if (got == 0) {
        m_sourceDone = true;
        break;
      }
      m_in.append(chunk, std::min(got, sizeof chunk));
      m_bytesRead += static_cast<int64_t>(std::min(got, sizeof chunk));
    }
    Convert(m_sourceDone);
    if (m_sourceDone && m_in.empty()) m_done = true;
    return Ok();
  }

  ByteSource m_source;
  InvalidBytesHandler m_onInvalid;
  std::string m_carry;
  size_t m_outPos = 0;
  bool m_atStart = true;
  bool m_sourceDone = false;
  bool m_done = false;
  int64_t m_bytesRead = 0;
  int64_t m_invalid = 0;
};

class Utf8Decoder : public DecoderBase {
 public:
  using DecoderBase::DecoderBase;

 protected:
  void Convert(bool final) override {
    size_t pos = 0;
    size_t runStart = 0;
    const auto* bytes = reinterpret_cast<const unsigned char*>(m_in.data());
    while (pos < m_in.size()) {
      int length = Utf8SequenceLength(bytes + pos, m_in.size() - pos);
      if (length > 0) {
        m_line += bytes[pos] == '\n';
        pos += static_cast<size_t>(length);
        continue;
      }
      if (length < 0 && !final) break;  // the rest arrives with the next chunk
      m_out.append(m_in, runStart, pos - runStart);
      Invalid(1, pos);
      runStart = pos;
    }
    m_out.append(m_in, runStart, pos - runStart);
    m_in.erase(0, pos);
  }
};

class Gb18030Decoder : public DecoderBase {
 public:
  Gb18030Decoder(ByteSource source, InvalidBytesHandler onInvalid)
      : DecoderBase(std::move(source), std::move(onInvalid)), m_iconv("UTF-8", "GB18030") {}
  bool Ready() const { return m_iconv.Ok(); }

 protected:
  void Convert(bool final) override {
    size_t pos = 0;
    size_t runStart = 0;
    const auto* bytes = reinterpret_cast<const unsigned char*>(m_in.data());
    while (pos < m_in.size()) {
      int length = Gb18030SequenceLength(bytes + pos, m_in.size() - pos);
      if (length < 0 && !final) break;
      uint32_t supplementary = length == 4 ? Gb18030Supplementary(bytes + pos) : 0;
      if (length > 0 && !(length == 4 && bytes[pos] >= 0x90)) {
        pos += static_cast<size_t>(length);
        continue;
      }
      // Runs of ordinary sequences go through iconv in one call; the rest is handled here.
      IconvRun(runStart, pos);
      if (supplementary) {
        AppendUtf8(m_out, supplementary);
        pos += 4;
      } else {
        Invalid(length > 0 ? static_cast<size_t>(length) : 1, pos);
      }
      runStart = pos;
    }
    IconvRun(runStart, pos);
    m_in.erase(0, pos);
  }

 private:
  void IconvRun(size_t from, size_t to) {
    while (from < to) {
      char* in = m_in.data() + from;
      size_t inLeft = to - from;
      char out[16 * 1024];
      char* outPtr = out;
      size_t outLeft = sizeof out;
      size_t rc = iconv(m_iconv.Handle(), &in, &inLeft, &outPtr, &outLeft);
      int error = rc == static_cast<size_t>(-1) ? errno : 0;
      m_out.append(out, static_cast<size_t>(outPtr - out));
      size_t consumed = static_cast<size_t>(in - (m_in.data() + from));
      CountLines(from, from + consumed);
      from += consumed;
      if (error == E2BIG) continue;
      if (error != 0 && from < to) {
        // A well-formed but unassigned sequence (or one iconv refuses): replaced and reported.
        int length = Gb18030SequenceLength(reinterpret_cast<const unsigned char*>(m_in.data() + from), to - from);
        Invalid(length > 0 ? static_cast<size_t>(length) : 1, from);
        iconv(m_iconv.Handle(), nullptr, nullptr, nullptr, nullptr);
      }
    }
  }

  Iconv m_iconv;
};

// UTF-8 → GB18030 for builds whose iconv cannot encode it (musl): the reverse of the
// decoder over every two- and four-byte BMP code, built once.
std::unordered_map<uint32_t, uint32_t> BuildGb18030ReverseTable() {
  std::unordered_map<uint32_t, uint32_t> table;
  {
    Iconv cd("UTF-8", "GB18030");
    if (!cd.Ok()) return table;
    auto add = [&](const unsigned char* seq, size_t length) {
      char* in = reinterpret_cast<char*>(const_cast<unsigned char*>(seq));
      size_t inLeft = length;
      char out[8];
      char* outPtr = out;
      size_t outLeft = sizeof out;
      if (iconv(cd.Handle(), &in, &inLeft, &outPtr, &outLeft) == static_cast<size_t>(-1)) {
        iconv(cd.Handle(), nullptr, nullptr, nullptr, nullptr);
        return;
      }
      const auto* u = reinterpret_cast<const unsigned char*>(out);
      size_t n = static_cast<size_t>(outPtr - out);
      uint32_t cp = 0;
      if (n == 2) cp = ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu);
      else if (n == 3) cp = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
      else return;
      uint32_t code = 0;
      for (size_t i = 0; i < length; i++) code = (code << 8) | seq[i];
      table.emplace(cp, code);
    };
    unsigned char seq[4];
    for (unsigned b1 = 0x81; b1 <= 0xFE; b1++) {
      for (unsigned b2 = 0x40; b2 <= 0xFE; b2++) {
        if (b2 == 0x7F) continue;
        seq[0] = static_cast<unsigned char>(b1);
        seq[1] = static_cast<unsigned char>(b2);
        add(seq, 2);
      }
    }
    // The four-byte BMP codes (81308130–8431A439) take, in order, every code point from U+0080 up
    // that has no one- or two-byte code, surrogates excluded. Derived rather than decoded, as
    // musl decodes each of them by scanning its two-byte table (seconds per file in wasm).
    uint32_t index = 0;
    std::vector<std::pair<uint32_t, uint32_t>> fourByte;
    for (uint32_t cp = 0x80; cp <= 0xFFFF && index <= 39419; cp++) {
      if ((cp >= 0xD800 && cp <= 0xDFFF) || table.count(cp)) continue;
      uint32_t code = ((0x81 + index / 12600) << 24) | ((0x30 + index / 1260 % 10) << 16) |
                      ((0x81 + index / 10 % 126) << 8) | (0x30 + index % 10);
      fourByte.emplace_back(cp, code);
      index++;
    }
    for (const auto& [cp, code] : fourByte) table.emplace(cp, code);
  }
  return table;
}

const std::unordered_map<uint32_t, uint32_t>& Gb18030ReverseTable() {
  static const std::unordered_map<uint32_t, uint32_t> kTable = BuildGb18030ReverseTable();
  return kTable;
}

}  // namespace

Result<Encoding> ParseEncoding(std::string_view text, std::string_view field) {
  std::string lower = Lower(Trim(text));
  if (lower == "auto" || lower.empty()) return Encoding::Auto;
  if (lower == "utf-8" || lower == "utf8") return Encoding::Utf8;
  if (lower == "gb18030" || lower == "gbk" || lower == "gb2312" || lower == "cp936") return Encoding::Gb18030;
  return FieldError(ErrorCode::Invalid, std::string(field), Problem::UnknownCode,
                    std::string(field) + ": unknown encoding '" + std::string(text) + "' (expected auto, utf-8 or gb18030)");
}

const char* EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::Auto: return "auto";
    case Encoding::Utf8: return "utf-8";
    case Encoding::Gb18030: return "gb18030";
  }
  return "unknown";
}

Encoding DetectEncoding(std::string_view sample, bool complete) {
  if (sample.substr(0, kBom.size()) == kBom) return Encoding::Utf8;
  const auto* bytes = reinterpret_cast<const unsigned char*>(sample.data());
  for (size_t pos = 0; pos < sample.size();) {
    int length = Utf8SequenceLength(bytes + pos, sample.size() - pos);
    if (length < 0 && !complete) return Encoding::Utf8;
    if (length <= 0) return Encoding::Gb18030;
    pos += static_cast<size_t>(length);
  }
  return Encoding::Utf8;
}

Result<Encoding> DetectEncoding(const ByteSource& source) {
  if (!source) return MakeError(ErrorCode::Invalid, "source: none given");
  std::string window;
  std::vector<char> chunk(kChunk);
  bool atStart = true;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(size_t got, source(chunk.data(), chunk.size()));
    window.append(chunk.data(), std::min(got, chunk.size()));
    // A BOM settles it without reading the rest of the file.
    if (atStart && window.compare(0, kBom.size(), kBom) == 0) return Encoding::Utf8;
    atStart = false;
    if (DetectEncoding(window, got == 0) == Encoding::Gb18030) return Encoding::Gb18030;
    if (got == 0) return Encoding::Utf8;
    // Keep only a possibly cut sequence at the end (at most 3 bytes) for the next round.
    size_t keep = 0;
    for (size_t i = window.size(); i > 0 && window.size() - i < 3; i--) {
      auto b = static_cast<unsigned char>(window[i - 1]);
      if (b >= 0xC0) {
        keep = window.size() - (i - 1);
        break;
      }
      if (b < 0x80) break;
    }
    window.erase(0, window.size() - keep);
  }
}

Result<std::unique_ptr<TextDecoder>> TextDecoder::Open(ByteSource source, Encoding encoding,
                                                       InvalidBytesHandler onInvalid) {
  if (!source) return MakeError(ErrorCode::Invalid, "source: none given");
  if (encoding == Encoding::Utf8) {
    return std::unique_ptr<TextDecoder>(new Utf8Decoder(std::move(source), std::move(onInvalid)));
  }
  if (encoding == Encoding::Gb18030) {
    auto decoder = std::make_unique<Gb18030Decoder>(std::move(source), std::move(onInvalid));
    if (!decoder->Ready()) return MakeError(ErrorCode::Generic, "encoding: this build's iconv cannot decode GB18030");
    return std::unique_ptr<TextDecoder>(std::move(decoder));
  }
  return MakeError(ErrorCode::Invalid, "encoding: detect the encoding before decoding (auto is not a decoder)");
}

ByteSource TextDecoder::AsSource(TextDecoder* decoder) {
  return [decoder](char* buffer, size_t capacity) -> Result<size_t> {
    if (!decoder) return MakeError(ErrorCode::Invalid, "decoder: null");
    return decoder->Read(buffer, capacity);
  };
}

Result<std::string> DecodeToUtf8(std::string_view bytes, Encoding encoding) {
  if (encoding == Encoding::Auto) encoding = DetectEncoding(bytes, true);
  int64_t badLine = 0;
  CRM_ASSIGN_OR_RETURN(auto decoder, TextDecoder::Open(StringSource(std::string(bytes)), encoding, [&](int64_t line) {
                         if (!badLine) badLine = line;
                       }));
  std::string out;
  std::vector<char> chunk(kChunk);
  for (;;) {
    CRM_ASSIGN_OR_RETURN(size_t got, decoder->Read(chunk.data(), chunk.size()));
    if (got == 0) break;
    out.append(chunk.data(), got);
  }
  if (badLine) {
    return MakeError(ErrorCode::Corrupt, "line " + std::to_string(badLine) + ": bytes that are not valid " +
                                             EncodingName(encoding) + " text");
  }
  return out;
}

Result<std::string> EncodeGb18030(std::string_view utf8) {
  size_t bad = FirstInvalidUtf8(utf8);
  if (bad != std::string_view::npos) {
    return MakeError(ErrorCode::Invalid, "text: not valid UTF-8 at byte " + std::to_string(bad));
  }
  std::string out;
  Iconv cd("GB18030", "UTF-8");
  if (cd.Ok()) {
    std::string input(utf8);
    char* in = input.data();
    size_t inLeft = input.size();
    while (inLeft > 0) {
      char chunk[16 * 1024];
      char* outPtr = chunk;
      size_t outLeft = sizeof chunk;
      size_t rc = iconv(cd.Handle(), &in, &inLeft, &outPtr, &outLeft);
      int error = rc == static_cast<size_t>(-1) ? errno : 0;
      out.append(chunk, static_cast<size_t>(outPtr - chunk));
      if (error != 0 && error != E2BIG) {
        return MakeError(ErrorCode::Invalid, "text: a character GB18030 cannot hold at byte " +
                                                 std::to_string(input.size() - inLeft));
      }
    }
    return out;
  }
  const auto& table = Gb18030ReverseTable();
  if (table.empty()) return MakeError(ErrorCode::Generic, "encoding: this build's iconv has no GB18030");
  const auto* bytes = reinterpret_cast<const unsigned char*>(utf8.data());
  for (size_t pos = 0; pos < utf8.size();) {
    int length = Utf8SequenceLength(bytes + pos, utf8.size() - pos);
    uint32_t cp = bytes[pos];
    if (length == 2) cp = ((bytes[pos] & 0x1Fu) << 6) | (bytes[pos + 1] & 0x3Fu);
    if (length == 3) cp = ((bytes[pos] & 0x0Fu) << 12) | ((bytes[pos + 1] & 0x3Fu) << 6) | (bytes[pos + 2] & 0x3Fu);
    if (length == 4) {
      cp = ((bytes[pos] & 0x07u) << 18) | ((bytes[pos + 1] & 0x3Fu) << 12) | ((bytes[pos + 2] & 0x3Fu) << 6) |
           (bytes[pos + 3] & 0x3Fu);
    }
    pos += static_cast<size_t>(length);
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp >= 0x10000) {
      uint32_t linear = cp - 0x10000;
      out += static_cast<char>(0x90 + linear / 12600);
      out += static_cast<char>(0x30 + linear / 1260 % 10);
      out += static_cast<char>(0x81 + linear / 10 % 126);
      out += static_cast<char>(0x30 + linear % 10);
    } else {
      auto found = table.find(cp);
      if (found == table.end()) {
        return MakeError(ErrorCode::Invalid, "text: a character GB18030 cannot hold at byte " + std::to_string(pos));
      }
      uint32_t code = found->second;
      if (code > 0xFFFF) {
        out += static_cast<char>(code >> 24);
        out += static_cast<char>((code >> 16) & 0xFF);
      }
      out += static_cast<char>((code >> 8) & 0xFF);
      out += static_cast<char>(code & 0xFF);
    }
  }
  return out;
}

}  // namespace crm
