#include "sync/relay/directory.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <vector>

#include "sync/scope_filter.h"

namespace crm::relay {

namespace {

// The customers the log touched in (since, seq], sorted.
Result<std::vector<int64_t>> TouchedSince(Db& copy, Store& store, int64_t orgId, int64_t since, int64_t seq) {
  std::set<int64_t> touched;
  for (int64_t after = since; after < seq;) {
    CRM_ASSIGN_OR_RETURN(std::vector<LogEntry> entries, store.ReadLog(orgId, after, kMaxPullLimit));
    if (entries.empty()) break;
    for (const LogEntry& entry : entries) {
      if (entry.seq > seq) break;
      CRM_TRY(sync::CustomersTouched(copy, entry.envelope.changeset, touched));
    }
    after = entries.back().seq;
  }
  return std::vector<int64_t>(touched.begin(), touched.end());
}

}  // namespace

Result<sync::DirectoryResponse> AnswerDirectory(Db& copy, int64_t seq, Store& store, int64_t orgId, const ReadScope& scope,
                                                const std::string& key, const DirectoryQuestion& question) {
  sync::DirectoryResponse answer;
  answer.seq = seq;
  answer.key = key;
  if (scope.everything) {
    answer.full = true;
    return answer;
  }
  const bool incremental = question.since > 0 && question.since <= seq && seq - question.since <= kDirectoryMaxIncrementalEntries;
  if (!incremental) {
    answer.full = true;
    CRM_ASSIGN_OR_RETURN(answer.entries, ReadDirectory(copy, key, question.afterId, kDirectoryPageEntries + 1));
    answer.more = answer.entries.size() > kDirectoryPageEntries;
    if (answer.more) answer.entries.resize(kDirectoryPageEntries);
    return answer;
  }
  CRM_ASSIGN_OR_RETURN(std::vector<int64_t> touched, TouchedSince(copy, store, orgId, question.since, seq));
  auto first = std::upper_bound(touched.begin(), touched.end(), question.afterId);
  std::vector<int64_t> page(first, first + static_cast<long>(std::min<size_t>(kDirectoryPageEntries, std::distance(first, touched.end()))));
  answer.more = static_cast<size_t>(std::distance(first, touched.end())) > page.size();
  if (page.empty()) return answer;
  CRM_TRY(FillIdTable(copy, "directory_ids", page));
  CRM_ASSIGN_OR_RETURN(answer.entries, ReadDirectory(copy, key, question.afterId, page.size(), "directory_ids"));
  // Touched customers without an entry are nobody's any more (merged into another, or gone).
  std::set<int64_t> present;
  for (const DirectoryEntry& entry : answer.entries) present.insert(entry.customerId);
  for (int64_t id : page) {
    if (!present.count(id)) answer.removed.push_back(id);
  }
  return answer;
}

}  // namespace crm::relay
