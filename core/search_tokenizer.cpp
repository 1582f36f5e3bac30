#include "core/search_tokenizer.h"

#include <sqlite3.h>

#include <cstdint>
#include <new>
#include <vector>

namespace crm {

namespace {

enum class CharClass { Separator, Word, Ideograph };

// Decodes one code point at `pos`; an invalid byte reads as U+FFFD of length 1.
char32_t DecodeAt(std::string_view text, size_t pos, size_t* length) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(pos);
  if (lead < 0x80) {
    *length = 1;
    return lead;
  }
  int extra = lead >= 0xF0 && lead < 0xF5 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC2 && lead < 0xE0 ? 1 : -1;
  if (extra < 0 || pos + static_cast<size_t>(extra) >= text.size()) {
    *length = 1;
    return 0xFFFD;
  }
  char32_t cp = lead & (0x3F >> extra);
  for (int i = 1; i <= extra; i++) {
    unsigned char next = byte(pos + i);
    if ((next & 0xC0) != 0x80) {
      *length = 1;
      return 0xFFFD;
    }
    cp = (cp << 6) | (next & 0x3F);
  }
  *length = static_cast<size_t>(extra) + 1;
  return cp;
}

// Full-width ASCII (what a Chinese input method types in full-width mode) reads as ASCII; A–Z as a–z.
char32_t Fold(char32_t cp) {
  if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;
  if (cp == 0x3000) cp = ' ';
  if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
  return cp;
}

CharClass Classify(char32_t cp) {
  if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z')) return CharClass::Word;
  if (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) return CharClass::Word;  // accented Latin
  if ((cp >= 0x2E80 && cp <= 0x2FDF) || (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
      (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0x20000 && cp <= 0x3FFFF)) {
    return CharClass::Ideograph;
  }
  return CharClass::Separator;
}

void AppendUtf8(std::string& out, char32_t cp) {
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

// Longer words (hashes, URLs) are indexed whole, without suffixes, to bound the index.
constexpr size_t kMaxSuffixedWord = 24;

}  // namespace

void TokenizeForSearch(std::string_view text, bool withSuffixes, const SearchTokenSink& sink) {
  // Decode and classify once; then emit words and ideograph runs.
  struct Char {
    char32_t cp;
    CharClass kind;
    size_t begin;
    size_t end;
  };
  std::vector<Char> chars;
  chars.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    size_t length = 0;
    char32_t cp = Fold(DecodeAt(text, pos, &length));
    chars.push_back({cp, Classify(cp), pos, pos + length});
    pos += length;
  }
  std::string token;
  for (size_t i = 0; i < chars.size();) {
    if (chars[i].kind == CharClass::Separator) {
      i++;
      continue;
    }
    size_t runEnd = i;
    while (runEnd < chars.size() && chars[runEnd].kind == chars[i].kind) runEnd++;
    const size_t runChars = runEnd - i;
    if (chars[i].kind == CharClass::Word) {
      token.clear();
      std::vector<size_t> starts;
      for (size_t k = i; k < runEnd; k++) {
        starts.push_back(token.size());
        AppendUtf8(token, chars[k].cp);
      }
      sink(token, chars[i].begin, chars[runEnd - 1].end, false);
      if (withSuffixes && runChars <= kMaxSuffixedWord) {
        for (size_t k = 1; k < runChars; k++) {
          sink(std::string_view(token).substr(starts[k]), chars[i + k].begin, chars[runEnd - 1].end, true);
        }
      }
    } else if (withSuffixes) {
      // Indexing: each character, and with it (same position) the pair it starts.
      for (size_t k = i; k < runEnd; k++) {
        token.clear();
        AppendUtf8(token, chars[k].cp);
        sink(token, chars[k].begin, chars[k].end, false);
        if (k + 1 < runEnd) {
          AppendUtf8(token, chars[k + 1].cp);
          sink(token, chars[k].begin, chars[k + 1].end, true);
        }
      }
    } else if (runChars == 1) {
      token.clear();
      AppendUtf8(token, chars[i].cp);
      sink(token, chars[i].begin, chars[i].end, false);
    } else {
      // Querying: overlapping pairs, one per position, so a phrase of n characters needs n-1
      // lookups of rare pairs instead of n of common characters. A run followed by more of the
      // query also emits its last character, to keep the positions aligned with what follows.
      for (size_t k = i; k + 1 < runEnd; k++) {
        token.clear();
        AppendUtf8(token, chars[k].cp);
        AppendUtf8(token, chars[k + 1].cp);
        sink(token, chars[k].begin, chars[k + 1].end, false);
      }
      bool more = false;
      for (size_t k = runEnd; k < chars.size(); k++) more = more || chars[k].kind != CharClass::Separator;
      if (more) {
        token.clear();
        AppendUtf8(token, chars[runEnd - 1].cp);
        sink(token, chars[runEnd - 1].begin, chars[runEnd - 1].end, false);
      }
    }
    i = runEnd;
  }
}

std::string FoldForSearch(std::string_view text) {
  std::string out;
  for (size_t pos = 0; pos < text.size();) {
    size_t length = 0;
    char32_t cp = Fold(DecodeAt(text, pos, &length));
    if (Classify(cp) != CharClass::Separator) AppendUtf8(out, cp);
    pos += length;
  }
  return out;
}

// ---------------------------------------------------------------------------
// The FTS5 binding.

namespace {

struct Tokenizer {};

int CreateTokenizer(void*, const char**, int, Fts5Tokenizer** out) {
  *out = reinterpret_cast<Fts5Tokenizer*>(new (std::nothrow) Tokenizer());
  return *out ? SQLITE_OK : SQLITE_NOMEM;
}

void DeleteTokenizer(Fts5Tokenizer* tokenizer) { delete reinterpret_cast<Tokenizer*>(tokenizer); }

int Tokenize(Fts5Tokenizer*, void* context, int flags, const char* text, int size,
             int (*token)(void*, int, const char*, int, int, int)) {
  // Queries are matched against the suffixes already in the index, so they are not expanded themselves.
  bool document = (flags & FTS5_TOKENIZE_QUERY) == 0;
  int rc = SQLITE_OK;
  TokenizeForSearch(std::string_view(text ? text : "", static_cast<size_t>(size)), document,
                    [&](std::string_view piece, size_t begin, size_t end, bool colocated) {
                      if (rc != SQLITE_OK) return;
                      rc = token(context, colocated ? FTS5_TOKEN_COLOCATED : 0, piece.data(), static_cast<int>(piece.size()),
                                 static_cast<int>(begin), static_cast<int>(end));
                    });
  return rc;
}

fts5_api* Fts5Api(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
  return api;
}

}  // namespace

int RegisterSearchTokenizer(sqlite3* db) {
  fts5_api* api = Fts5Api(db);
  if (!api) return SQLITE_ERROR;
  fts5_tokenizer tokenizer{CreateTokenizer, DeleteTokenizer, Tokenize};
  return api->xCreateTokenizer(api, "crm", nullptr, &tokenizer, nullptr);
}

}  // namespace crm
