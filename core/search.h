#pragma once
// One search box over the customer database: a query string finds customers by
// name, phone, contact (name or phone), tag or address. Chinese substrings of
// any length match (see search_tokenizer.h); every whitespace-separated term must
// match somewhere. Ranking: an exact phone match first, then an exact name, then
// a name that starts with the query, then by relevance (name weighs most).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/db.h"
#include "core/enums.h"

namespace crm {

constexpr size_t kMaxSearchQueryLength = 100;  // code points

enum class SearchMatch { PhoneExact, NameExact, NamePrefix, Text };

struct SearchOptions {
  int limit = 50;                 // 1..500
  bool includeTrash = false;      // trashed (and merged) customers too
  std::optional<int64_t> ownerId; // only this owner's customers
  bool poolOnly = false;          // only the public pool
};

struct SearchHit {
  int64_t id = 0;
  std::string name;
  std::string phone;  // the main phone
  std::string city;
  Grade grade = Grade::C;
  Stage stage = Stage::Prospect;
  std::optional<int64_t> ownerId;  // empty: in the public pool
  std::string ownerName;
  bool inTrash = false;
  SearchMatch match = SearchMatch::Text;
};

// An empty (or all-blank) query gives no hits; an invalid one (bad UTF-8, too long) an Invalid error.
Result<std::vector<SearchHit>> SearchCustomers(Db& db, std::string_view query, const SearchOptions& options = {});

// The FTS5 MATCH expression for a query, or empty when nothing in it can be searched. Exposed for tests.
std::string SearchExpression(std::string_view query);

}  // namespace crm
