#include "ui/customer_sections/timeline_section.h"

#include <cstdio>

#include "core/table_changes.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/customer_sections.h"
#include "ui/errors.h"
#include "ui/labels.h"

namespace crm::ui {

using customer_detail::DateTime;

void LoadTimelineSection(AppState& state, CustomerDetailState& detail) {
  if (auto activities = ActivitiesOf(*state.db, detail.customerId)) detail.timeline.activities = std::move(activities).Value();
  else detail.error = DescribeError(state.lang, activities.GetError());
}

void DrawTimelineSection(AppState& state, CustomerDetailState& detail) {
  TimelineSectionState& d = detail.timeline;
  Lang lang = state.lang;
  if (d.activities.empty()) ImGui::TextDisabled("%s", Tr(lang, Str::NoActivities));
  char nth[64];
  for (const Activity& a : d.activities) {
    ImGui::Separator();
    std::snprintf(nth, sizeof nth, Tr(lang, Str::NthFollowup), a.sequence);
    std::string head = std::string(nth) + "  ·  " + DateTime(state, a.fields.occurredAt) + "  ·  " + LabelOf(lang, a.fields.kind) +
                       "  ·  " + UserName(state, a.userId);
    if (a.fields.contactId) {
      // The contacts section keeps the customer's contacts.
      for (const Contact& contact : detail.contacts.contacts) {
        if (contact.id == *a.fields.contactId) head += "  ·  " + contact.fields.name;
      }
    }
    NoteText(head);
    ImGui::TextDisabled("%s", head.c_str());
    DataText(a.fields.summary);
    auto more = [&](Str label, const std::string& text) {
      if (text.empty()) return;
      std::string line = std::string(Tr(lang, label)) + ": " + text;
      NoteText(line);
      ImGui::TextWrapped("%s", line.c_str());
    };
    more(Str::VisitOpinion, a.fields.opinion);
    more(Str::VisitOutcome, a.fields.outcome);
    more(Str::VisitNextStep, a.fields.nextStep);
  }
}

namespace {
size_t ActivityCount(const CustomerDetailState& d) { return d.timeline.activities.size(); }
}  // namespace

extern const CustomerSection k_timeline_section = {"timeline", Str::Timeline, ActivityCount, LoadTimelineSection, DrawTimelineSection, TableBits({"activities"}), 30};

}  // namespace crm::ui
