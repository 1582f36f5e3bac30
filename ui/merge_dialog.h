#pragma once
// Merging duplicates (合并重复客户): from a customer, pick the other record
// (core's duplicate candidates, or any customer found by search), pick which one
// survives, confirm. Core moves all history (contacts, visits, follow-ups,
// orders, class history) to the survivor in one audited transaction; the other
// goes to the trash, marked as merged.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/duplicates.h"
#include "core/search.h"

namespace crm::ui {

struct AppState;

struct MergeDialogState {
  bool open = false;
  int64_t customerId = 0;  // the customer the dialog was opened from
  std::string customerName;
  std::vector<DuplicateCandidate> candidates;
  std::string search;
  std::string searched;  // the text `hits` answer
  std::vector<SearchHit> hits;
  int64_t otherId = 0;  // the record picked to merge with
  std::string otherName;
  bool keepThis = true;  // the survivor: the customer the dialog was opened from, or the other
  bool confirming = false;
  std::string error;
  std::optional<MergeSummary> done;
};

void OpenMergeDialog(AppState& state, int64_t customerId);
void DrawMergeDialog(AppState& state);

}  // namespace crm::ui
