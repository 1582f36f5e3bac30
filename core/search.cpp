#include "core/search.h"

#include <algorithm>
#include <unordered_set>

#include "core/search_tokenizer.h"
#include "core/text.h"
#include "core/validate.h"

namespace crm {

namespace {

bool IsWordToken(std::string_view token) {
  unsigned char first = static_cast<unsigned char>(token.front());
  return first < 0x80 || (first >= 0xC3 && first <= 0xC9);  // ASCII or accented Latin (U+00C0–U+024F)
}

// Splits on ASCII white space and the ideographic space.
std::vector<std::string_view> SplitTerms(std::string_view query) {
  std::vector<std::string_view> terms;
  size_t start = 0;
  auto push = [&](size_t end) {
    if (end > start) terms.push_back(query.substr(start, end - start));
  };
  for (size_t i = 0; i < query.size();) {
    char c = query[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      push(i);
      start = ++i;
    } else if (query.compare(i, 3, "\xE3\x80\x80") == 0) {
      push(i);
      i += 3;
      start = i;
    } else {
      i++;
    }
  }
  push(query.size());
  return terms;
}

// Up to this many matches are ranked by relevance; beyond, by recency (see SearchCustomers).
constexpr int kRankedMatches = 500;

const char* kHitColumns =
    "c.id, c.name, coalesce(c.phone, ''), coalesce(c.city, ''), c.grade, c.stage, c.owner_id, coalesce(u.name, ''), "
    "c.deleted_at IS NOT NULL";

SearchHit ReadHit(const Stmt& stmt, SearchMatch match) {
  SearchHit hit;
  hit.id = stmt.Int64(0);
  hit.name = stmt.String(1);
  hit.phone = stmt.String(2);
  hit.city = stmt.String(3);
  hit.grade = ParseGrade(stmt.Text(4)).ValueOr(Grade::C);
  hit.stage = ParseStage(stmt.Text(5)).ValueOr(Stage::Prospect);
  if (!stmt.IsNull(6)) hit.ownerId = stmt.Int64(6);
  hit.ownerName = stmt.String(7);
  hit.inTrash = stmt.Int64(8) != 0;
  hit.match = match;
  return hit;
}

// The filter every hit passes, with its parameters bound from `first`.
std::string FilterClause(const SearchOptions& options) {
  std::string where = options.includeTrash ? "1" : "c.deleted_at IS NULL";
  if (options.poolOnly) where += " AND c.owner_id IS NULL";
  if (options.ownerId) where += " AND c.owner_id = :owner";
  return where;
}

void BindFilter(Stmt& stmt, const SearchOptions& options, int ownerIndex) {
  if (options.ownerId) stmt.Bind(ownerIndex, *options.ownerId);
}

}  // namespace

std::string SearchExpression(std::string_view query) {
  std::string expression;
  for (std::string_view term : SplitTerms(query)) {
    std::string lastToken;
    TokenizeForSearch(term, false, [&](std::string_view token, size_t, size_t, bool) { lastToken = token; });
    if (lastToken.empty()) continue;
    // The term itself, quoted, is a phrase for the tokenizer to split; its first word may be a
    // suffix (they are indexed) and its last a prefix (the '*'): together, any substring.
    std::string phrase = "\"";
    for (char c : term) phrase += c == '"' ? std::string("\"\"") : std::string(1, c);
    phrase += "\"";
    if (IsWordToken(lastToken)) phrase += " *";
    expression += (expression.empty() ? "" : " AND ") + phrase;
  }
  return expression;
}

Result<std::vector<SearchHit>> SearchCustomers(Db& db, std::string_view query, const SearchOptions& options) {
  if (options.limit < 1 || options.limit > 500) return MakeError(ErrorCode::Invalid, "search: limit must be 1 to 500");
  if (!IsValidUtf8(query)) return FieldError(ErrorCode::Invalid, "search", Problem::BadText, "search: the query is not valid UTF-8 text");
  std::string trimmed = Trim(query);
  if (Utf8Length(trimmed) > kMaxSearchQueryLength) {
    return FieldError(ErrorCode::Invalid, "search", Problem::TooLong,
                      "search: the query is longer than " + std::to_string(kMaxSearchQueryLength) + " characters",
                      static_cast<int64_t>(kMaxSearchQueryLength));
  }
  std::vector<SearchHit> hits;
  std::unordered_set<int64_t> seen;
  if (trimmed.empty()) return hits;
  const std::string filter = FilterClause(options);

  // An exact phone number (of the customer or of a contact) is the strongest signal there is.
  if (auto phone = NormalizePhone(trimmed); phone && phone.Value().size() >= 5) {
    CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
        std::string("SELECT ") + kHitColumns + " FROM customers c LEFT JOIN users u ON u.id = c.owner_id WHERE c.id IN ("
        "SELECT customer_id FROM customer_phones WHERE normalized = :phone AND deleted_at IS NULL UNION "
        "SELECT customer_id FROM contacts WHERE phone_normalized = :phone AND deleted_at IS NULL) AND " + filter +
        " ORDER BY c.deleted_at IS NOT NULL, c.updated_at DESC LIMIT :limit"));
    stmt.Bind(1, phone.Value());
    BindFilter(stmt, options, 2);
    stmt.Bind(options.ownerId ? 3 : 2, static_cast<int64_t>(options.limit));
    for (;;) {
      CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      hits.push_back(ReadHit(stmt, SearchMatch::PhoneExact));
      seen.insert(hits.back().id);
    }
  }

  std::string expression = SearchExpression(trimmed);
  if (expression.empty() || static_cast<int>(hits.size()) >= options.limit) return hits;

  // How broad is the query? Reading matches in index order stops early, so this is cheap. After an
  // exact phone, the matches are read with their customers: when the number matches no one else (the
  // usual case), the ranking below would add nothing and is skipped.
  const bool afterPhone = !hits.empty();
  CRM_ASSIGN_OR_RETURN(Stmt probe, db.Prepare(afterPhone ? "SELECT d.id FROM customer_fts f JOIN customer_fts_doc d ON "
                                                           "d.docid = f.rowid WHERE customer_fts MATCH ? LIMIT ?"
                                                         : "SELECT rowid FROM customer_fts WHERE customer_fts MATCH ? LIMIT ?"));
  probe.Bind(1, expression).Bind(2, static_cast<int64_t>(kRankedMatches + 1));
  int matches = 0;
  bool onlySeen = afterPhone;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, probe.Step());
    if (!row) break;
    matches++;
    if (onlySeen && !seen.count(probe.Int64(0))) onlySeen = false;
  }
  probe.Reset();
  if (onlySeen && matches <= kRankedMatches) return hits;
  auto full = [&]() { return static_cast<int>(hits.size()) >= options.limit; };

  if (matches <= kRankedMatches) {
    // Few matches: rank them all. Exact name, then name prefix, then bm25 with the name weighing
    // most, then phone, contact, tag, address.
    CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
        std::string("SELECT ") + kHitColumns + ", CASE WHEN c.name = :text THEN 0 WHEN substr(c.name, 1, length(:text)) = :text "
        "THEN 1 ELSE 2 END AS closeness FROM customer_fts f JOIN customer_fts_doc d ON d.docid = f.rowid "
        "JOIN customers c ON c.id = d.id "
        "LEFT JOIN users u ON u.id = c.owner_id WHERE customer_fts MATCH :expression AND " + filter +
        " ORDER BY c.deleted_at IS NOT NULL, closeness, bm25(customer_fts, 10.0, 8.0, 5.0, 3.0, 2.0), c.updated_at DESC "
        "LIMIT :limit"));
    stmt.Bind(1, trimmed);
    stmt.Bind(2, expression);
    BindFilter(stmt, options, 3);
    stmt.Bind(options.ownerId ? 4 : 3, static_cast<int64_t>(options.limit + hits.size()));
    while (!full()) {
      CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      if (!seen.insert(stmt.Int64(0)).second) continue;
      int64_t closeness = stmt.Int64(9);
      hits.push_back(ReadHit(stmt, closeness == 0   ? SearchMatch::NameExact
                                   : closeness == 1 ? SearchMatch::NamePrefix
                                                    : SearchMatch::Text));
    }
    return hits;
  }

  // Many matches ("门窗" in a book of door dealers): every one contains the text equally, so after
  // exact and prefix names (from the name index) the most recently changed come first. The matching
  // ids go into a set; the customers are then walked newest first until the page is full.
  if (!options.includeTrash) {
    CRM_ASSIGN_OR_RETURN(Stmt names, db.Prepare(
        std::string("SELECT ") + kHitColumns + " FROM customers c LEFT JOIN users u ON u.id = c.owner_id "
        "WHERE c.deleted_at IS NULL AND c.name >= :text AND c.name < :text || char(1114111) AND " + filter +
        " ORDER BY c.name = :text DESC, c.updated_at DESC LIMIT :limit"));
    names.Bind(1, trimmed);
    BindFilter(names, options, 2);
    names.Bind(options.ownerId ? 3 : 2, static_cast<int64_t>(options.limit));
    while (!full()) {
      CRM_ASSIGN_OR_RETURN(bool row, names.Step());
      if (!row) break;
      if (!seen.insert(names.Int64(0)).second) continue;
      hits.push_back(ReadHit(names, names.Text(1) == trimmed ? SearchMatch::NameExact : SearchMatch::NamePrefix));
    }
  }
  // The index numbers its documents densely (docid); the walk below goes over customer ids. With
  // few matches, their customer ids are looked up once; with many, the walk looks up each customer's
  // docid instead (it meets a match every few rows). Either way a sorted vector, searched by halves.
  std::vector<int64_t> matching;
  CRM_ASSIGN_OR_RETURN(Stmt all, db.Prepare("SELECT rowid FROM customer_fts WHERE customer_fts MATCH ? ORDER BY rowid"));
  all.Bind(1, expression);
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, all.Step());
    if (!row) break;
    matching.push_back(all.Int64(0));
  }
  all.Reset();
  CRM_ASSIGN_OR_RETURN(int64_t documents, db.QueryInt("SELECT coalesce(max(docid), 0) FROM customer_fts_doc"));
  const size_t wanted = static_cast<size_t>(options.limit) - hits.size();
  // Walking meets a match every documents / matches rows: wanted × that many docid lookups,
  // against one customer-id lookup per match.
  const bool walkLooksUp = static_cast<double>(wanted) * static_cast<double>(documents) <
                           static_cast<double>(matching.size()) * static_cast<double>(matching.size());
  if (!walkLooksUp) {
    // One statement for all the lookups: a step per match would cost more than the lookup itself.
    matching.clear();
    CRM_ASSIGN_OR_RETURN(Stmt ids, db.Prepare("SELECT d.id FROM customer_fts f JOIN customer_fts_doc d ON d.docid = f.rowid "
                                              "WHERE customer_fts MATCH ?"));
    ids.Bind(1, expression);
    for (;;) {
      CRM_ASSIGN_OR_RETURN(bool row, ids.Step());
      if (!row) break;
      matching.push_back(ids.Int64(0));
    }
    ids.Reset();
    std::sort(matching.begin(), matching.end());
  }
  // The walk reads ids only (the (deleted_at, updated_at) index covers it); rows are read for hits.
  std::vector<int64_t> newest;
  for (const char* part : {"c.deleted_at IS NULL", "c.deleted_at IS NOT NULL"}) {
    if (newest.size() >= wanted || (!options.includeTrash && std::string_view(part) != "c.deleted_at IS NULL")) break;
    CRM_ASSIGN_OR_RETURN(Stmt walk, db.Prepare(std::string("SELECT c.id") +
                                               (walkLooksUp ? ", (SELECT docid FROM customer_fts_doc d WHERE d.id = c.id)" : ", 0") +
                                               " FROM customers c WHERE " + part + " AND " + filter +
                                               " ORDER BY c.updated_at DESC"));
    BindFilter(walk, options, 1);
    while (newest.size() < wanted) {
      CRM_ASSIGN_OR_RETURN(bool row, walk.Step());
      if (!row) break;
      int64_t id = walk.Int64(0);
      int64_t key = walkLooksUp ? walk.Int64(1) : id;
      if (std::binary_search(matching.begin(), matching.end(), key) && seen.insert(id).second) newest.push_back(id);
    }
  }
  CRM_ASSIGN_OR_RETURN(Stmt read, db.Prepare(std::string("SELECT ") + kHitColumns +
                                             " FROM customers c LEFT JOIN users u ON u.id = c.owner_id WHERE c.id = ?"));
  for (int64_t id : newest) {
    read.Bind(1, id);
    CRM_ASSIGN_OR_RETURN(bool row, read.Step());
    if (row) hits.push_back(ReadHit(read, SearchMatch::Text));
    read.Reset();
  }
  return hits;
}

}  // namespace crm
