#include "ui/merge_dialog.h"

#include <cstdio>

#include "core/customers.h"
#include "imgui.h"
#include "imgui_stdlib.h"
#include "ui/app_state.h"
#include "ui/labels.h"
#include "ui/errors.h"
#include "ui/widgets.h"

namespace crm::ui {

namespace {

void Pick(MergeDialogState& merge, int64_t id, const std::string& name) {
  merge.otherId = id;
  merge.otherName = name;
  merge.confirming = false;
  merge.error.clear();
}

void DrawCandidates(AppState& state) {
  MergeDialogState& merge = state.merge;
  Lang lang = state.lang;
  ImGui::TextUnformatted(Tr(lang, Str::MergePick));
  for (size_t i = 0; i < merge.candidates.size(); i++) {
    const DuplicateCandidate& c = merge.candidates[i];
    std::string line = c.name + "  ·  " + c.phone + "  ·  " + c.city + "  ·  " +
                       (c.ownerId ? c.ownerName : std::string(Tr(lang, Str::PublicPool)));
    NoteText(line);
    std::string label = Label(line, "merge_candidate_" + std::to_string(i));
    if (ImGui::Selectable(label.c_str(), merge.otherId == c.id, ImGuiSelectableFlags_None, ImVec2(0, ImGui::GetFrameHeight()))) {
      Pick(merge, c.id, c.name);
    }
  }
  if (merge.candidates.empty()) ImGui::TextDisabled("%s", Tr(lang, Str::MergeNoCandidates));
  // Any other customer, found by the same search as the list's.
  NoteText(merge.search);
  ImGui::SetNextItemWidth(-FLT_MIN);
  ImGui::InputTextWithHint("##merge_search", Tr(lang, Str::MergeSearchHint), &merge.search);
  if (merge.search != merge.searched) {
    merge.searched = merge.search;
    SearchOptions options;
    options.limit = 8;
    auto hits = SearchCustomers(*state.db, merge.search, options);
    merge.hits = hits ? std::move(hits).Value() : std::vector<SearchHit>();
  }
  for (size_t i = 0; i < merge.hits.size(); i++) {
    const SearchHit& h = merge.hits[i];
    if (h.id == merge.customerId) continue;
    std::string line = h.name + "  ·  " + h.phone + "  ·  " + h.city;
    NoteText(line);
    std::string label = Label(line, "merge_hit_" + std::to_string(i));
    if (ImGui::Selectable(label.c_str(), merge.otherId == h.id, ImGuiSelectableFlags_None, ImVec2(0, ImGui::GetFrameHeight()))) {
      Pick(merge, h.id, h.name);
    }
  }
}

void Merge(AppState& state) {
  MergeDialogState& merge = state.merge;
  int64_t kept = merge.keepThis ? merge.customerId : merge.otherId;
  int64_t folded = merge.keepThis ? merge.otherId : merge.customerId;
  auto merged = MergeCustomers(*state.db, kept, folded, state.actor);
  if (!merged) {
    merge.error = DescribeError(state.lang, merged.GetError());
    merge.confirming = false;
    return;
  }
  merge.done = merged.Value();
  AfterCommit(state);
  // The detail follows the survivor.
  OpenCustomer(state, kept);
}

}  // namespace

void OpenMergeDialog(AppState& state, int64_t customerId) {
  MergeDialogState& merge = state.merge;
  merge = MergeDialogState{};
  merge.open = true;
  merge.customerId = customerId;
  auto customer = GetCustomer(*state.db, customerId);
  if (!customer) {
    merge.error = DescribeError(state.lang, customer.GetError());
    return;
  }
  merge.customerName = customer.Value().fields.name;
  auto candidates = FindDuplicates(*state.db, customer.Value().fields, customerId, 10);
  if (candidates) merge.candidates = std::move(candidates).Value();
  else merge.error = DescribeError(state.lang, candidates.GetError());
}

void DrawMergeDialog(AppState& state) {
  MergeDialogState& merge = state.merge;
  if (!merge.open) return;
  Lang lang = state.lang;
  bool open = true;
  std::string title = Label(std::string(Tr(lang, Str::MergeDuplicates)) + " · " + merge.customerName, "merge_window");
  NoteText(title);
  if (BeginDialog(title, state.layout == Layout::Tablet ? nullptr : &open, 36)) {
    if (merge.done) {
      const MergeSummary& s = *merge.done;
      // Each table that gave the kept customer rows, as the record registry names it: "联系人 1、跟进记录 2".
      std::string moved;
      for (const auto& [table, count] : s.moved) {
        if (count == 0) continue;
        if (!moved.empty()) moved += lang == Lang::Zh ? "、" : ", ";
        moved += AuditTableLabel(lang, table) + " " + std::to_string(count);
      }
      if (moved.empty()) moved = "0";
      char summary[512];
      std::snprintf(summary, sizeof summary, Tr(lang, Str::MergeDone), moved.c_str(), s.fieldsFilled);
      SuccessText(summary);
      std::string close = Label(lang, Str::Close, "merge_close");
      if (PrimaryButton(close.c_str())) open = false;
    } else {
      // The candidates and the choice scroll; Close stays under them.
      BeginDialogBody("##merge_body", DialogFooterHeight());
      DrawCandidates(state);
      if (merge.otherId) {
        ImGui::SeparatorText(Tr(lang, Str::MergeSurvivor));
        std::string keepThis = Label(merge.customerName, "keep_this");
        std::string keepOther = Label(merge.otherName, "keep_other");
        NoteText(keepThis);
        NoteText(keepOther);
        if (ToggleButton(keepThis.c_str(), merge.keepThis)) merge.keepThis = true;
        ImGui::SameLine();
        if (ToggleButton(keepOther.c_str(), !merge.keepThis)) merge.keepThis = false;
        char explain[256];
        std::snprintf(explain, sizeof explain, Tr(lang, Str::MergeExplain),
                      (merge.keepThis ? merge.otherName : merge.customerName).c_str(),
                      (merge.keepThis ? merge.customerName : merge.otherName).c_str());
        NoteText(explain);
        ImGui::TextWrapped("%s", explain);
        if (!merge.confirming) {
          std::string go = Label(lang, Str::MergeNow, "merge_go");
          if (PrimaryButton(go.c_str())) merge.confirming = true;
        } else {
          WarningText(Tr(lang, Str::MergeConfirm));
          std::string confirm = Label(lang, Str::MergeConfirmButton, "merge_confirm");
          if (PrimaryButton(confirm.c_str())) Merge(state);
          ImGui::SameLine();
          std::string back = Label(lang, Str::Cancel, "merge_back");
          if (ImGui::Button(back.c_str())) merge.confirming = false;
        }
      }
      if (!merge.error.empty()) ErrorText(merge.error);
      EndDialogBody();
      ImGui::Spacing();
      std::string cancel = Label(lang, Str::Close, "merge_cancel");
      if (ImGui::Button(cancel.c_str())) open = false;
    }
  }
  EndDialog();
  if (!open) merge.open = false;
}

}  // namespace crm::ui
