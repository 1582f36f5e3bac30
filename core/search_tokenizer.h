#pragma once
// The search tokenizer ("crm") behind the customer search index. Chinese has no
// spaces, so each Han/kana/Hangul character is a token of its own, and the pair it
// starts is indexed at the same position: a one-character query looks up that
// character, a longer one a phrase of overlapping pairs. One- and two-character
// queries work, which a trigram index cannot do. A run of Latin letters or digits
// is one token, and when indexing, each of its suffixes is added at the same
// position, so a prefix query on a suffix finds any substring ("5678" in a phone
// number, "ong" in "Hong").
#include <functional>
#include <string>
#include <string_view>

struct sqlite3;

namespace crm {

// One token: folded text and the byte range it came from.
using SearchTokenSink = std::function<void(std::string_view token, size_t begin, size_t end, bool colocated)>;

// Splits `text` into folded tokens (full-width ASCII to ASCII, lower case). With
// `withSuffixes` (indexing), every word's suffixes and every character's pair follow
// as colocated tokens; without (querying), ideograph runs become overlapping pairs.
void TokenizeForSearch(std::string_view text, bool withSuffixes, const SearchTokenSink& sink);

// Folds text as the tokenizer does and keeps only what is indexed: the comparable key of a name.
std::string FoldForSearch(std::string_view text);

// Registers the "crm" FTS5 tokenizer on a connection. Db::Open calls it, so every
// connection that may touch the index (app, tests, relay) has it.
int RegisterSearchTokenizer(sqlite3* db);

}  // namespace crm
