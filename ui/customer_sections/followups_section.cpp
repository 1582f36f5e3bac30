#include "ui/customer_sections/followups_section.h"

#include <algorithm>

#include "core/table_changes.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/customer_sections.h"
#include "ui/errors.h"
#include "ui/labels.h"

namespace crm::ui {

using customer_detail::Date;
using customer_detail::DateTime;

void LoadFollowupsSection(AppState& state, CustomerDetailState& detail) {
  if (auto followups = FollowupsOf(*state.db, detail.customerId)) detail.followups.followups = std::move(followups).Value();
  else detail.error = DescribeError(state.lang, followups.GetError());
}

void DrawFollowupsSection(AppState& state, CustomerDetailState& detail) {
  FollowupsSectionState& d = detail.followups;
  Lang lang = state.lang;
  if (d.followups.empty()) ImGui::TextDisabled("%s", Tr(lang, Str::NoFollowups));
  int64_t today = LocalDayStartAt(state.nowMs, state.utcOffsetMinutes);
  for (const Followup& f : d.followups) {
    ImGui::PushID(static_cast<int>(f.id ^ (f.id >> 32)));
    ImGui::Separator();
    std::string line = Date(state, f.dueAt) + "  ·  " + LabelOf(lang, f.reason) + "  ·  " + LabelOf(lang, f.status);
    if (f.status == FollowupStatus::Open && f.dueAt < today) {
      Chip(Tr(lang, Str::DueOverdue), ImVec4(0.8f, 0.2f, 0.18f, 1));
      ImGui::SameLine();
    }
    NoteText(line);
    ImGui::TextUnformatted(line.c_str());
    if (!f.note.empty()) DataText(f.note);
    if (!f.result.empty()) {
      std::string result = std::string(Tr(lang, Str::Result)) + ": " + f.result;
      if (f.doneAt) result += "  (" + DateTime(state, *f.doneAt) + ")";
      NoteText(result);
      ImGui::TextDisabled("%s", result.c_str());
    }
    if (DrawFollowupActions(state, d.followupActions, f, customer_detail::EditRefusal(state))) detail.message = Tr(lang, Str::FollowupUpdated);
    ImGui::PopID();
  }
}

namespace {
size_t OpenFollowupCount(const CustomerDetailState& d) {
  return static_cast<size_t>(std::count_if(d.followups.followups.begin(), d.followups.followups.end(),
                                           [](const Followup& f) { return f.status == FollowupStatus::Open; }));
}
}  // namespace

extern const CustomerSection k_followups_section = {"followups", Str::Followups, OpenFollowupCount, LoadFollowupsSection, DrawFollowupsSection, TableBits({"followups"}), 40};

}  // namespace crm::ui
