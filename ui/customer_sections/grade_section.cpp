#include "ui/customer_sections/grade_section.h"

#include <cstdio>
#include <string>

#include "core/table_changes.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/customer_sections.h"
#include "ui/errors.h"
#include "ui/keyed_text.h"
#include "ui/labels.h"
#include "ui/refusals.h"
#include "ui/widgets.h"

namespace crm::ui {

using customer_detail::DateTime;
using customer_detail::Report;

void LoadGradeSection(AppState& state, CustomerDetailState& detail) {
  GradeSectionState& d = detail.grade;
  if (auto grades = GradeHistory(*state.db, detail.customerId)) d.grades = std::move(grades).Value();
  else detail.error = DescribeError(state.lang, grades.GetError());
  if (auto suggestion = SuggestGrade(*state.db, detail.customerId, state.nowMs)) d.suggestion = suggestion.Value(); else d.suggestion.reset();
  if (!d.picked) {
    d.picked = true;
    d.newGrade = IndexOf(AllGrades(), detail.customer->grade);
  }
}

namespace {

// Why the class is suggested, in the reader's language, from the suggestion's numbers (core's `why` is English).
std::string GradeWhy(Lang lang, const GradeSuggestion& s) {
  char part[256];
  std::string why;
  auto add = [&](const char* key, auto... args) {
    std::snprintf(part, sizeof part, TrKey(lang, key), args...);
    why += part;
  };
  add("grade_why.score", s.score);
  if (s.daysSinceActivity < 0) why += TrKey(lang, "grade_why.never_contacted");
  else add("grade_why.last_contact_days", static_cast<long long>(s.daysSinceActivity));
  add("grade_why.counts", s.activities90d, s.orders365d);
  double rate = s.costedRevenue365dCents > 0 ? 100.0 * static_cast<double>(s.margin365dCents) / static_cast<double>(s.costedRevenue365dCents) : 0;
  add("grade_why.margin", static_cast<double>(s.margin365dCents) / 100.0, static_cast<double>(s.revenue365dCents) / 100.0, rate);
  if (s.uncostedOrders > 0) add("grade_why.uncosted", static_cast<long long>(s.uncostedOrders));
  if (s.lost) why += TrKey(lang, "grade_why.lost");
  return why;
}

}  // namespace

void DrawGradeSection(AppState& state, CustomerDetailState& detail) {
  GradeSectionState& d = detail.grade;
  const Customer& c = *detail.customer;
  Lang lang = state.lang;
  const std::string refusal = customer_detail::EditRefusal(state);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(Tr(lang, Str::CurrentGrade));
  ImGui::SameLine();
  GradeBadge(c.grade);
  if (d.suggestion) {
    const GradeSuggestion& s = *d.suggestion;
    char line[160];
    std::snprintf(line, sizeof line, Tr(lang, Str::SuggestedGrade), GradeLabel(s.grade), s.score);
    ImGui::TextUnformatted(line);
    const std::string why = GradeWhy(lang, s);
    HintText(why);
    if (s.grade != c.grade) {
      std::string accept = Label(std::string(Tr(lang, Str::AcceptSuggestion)) + " " + GradeLabel(s.grade), "accept_grade");
      if (ActionButton(accept.c_str(), refusal, /*primary=*/true)) {
        Status set = SetGrade(*state.db, c.id, s.grade, std::string(Tr(lang, Str::AcceptedSuggestionReason)) + ": " + why,
                              state.actor);
        Report(state, set, Str::GradeSaved);
        if (set) d.newGrade = IndexOf(AllGrades(), s.grade);
      }
    }
  }
  ImGui::SeparatorText(Tr(lang, Str::SetGradeByHand));
  std::vector<std::string> labels;
  std::vector<std::string> ids;
  for (Grade grade : AllGrades()) {
    labels.emplace_back(GradeLabel(grade));
    ids.emplace_back(Code(grade));
  }
  ImGui::BeginDisabled(!refusal.empty());
  ImGui::BeginGroup();
  int clicked = ChoiceButtons(labels, "grade_", ids, d.newGrade);
  if (clicked >= 0) d.newGrade = clicked;
  TextField(Tr(lang, Str::GradeReason), "grade_reason", d.gradeReason, d.gradeError);
  ImGui::EndGroup();
  ImGui::EndDisabled();
  ExplainRefusal(refusal, "grade_choice");
  std::string save = Label(lang, Str::SaveGrade, "save_grade");
  if (ActionButton(save.c_str(), refusal, /*primary=*/true) && d.newGrade >= 0) {
    d.gradeError.clear();
    Status set = SetGrade(*state.db, c.id, AllGrades()[static_cast<size_t>(d.newGrade)], d.gradeReason, state.actor);
    if (!set && set.GetError().field == "reason") {
      d.gradeError = DescribeError(lang, set.GetError());
    } else {
      Report(state, set, Str::GradeSaved);
      if (set) d.gradeReason.clear();
    }
  }
  ImGui::SeparatorText(Tr(lang, Str::GradeHistory));
  if (d.grades.empty()) ImGui::TextDisabled("%s", Tr(lang, Str::NoGradeChanges));
  for (const GradeChange& g : d.grades) {
    std::string line = DateTime(state, g.at) + "  ·  " + (g.oldGrade ? GradeLabel(*g.oldGrade) : "—") + " → " +
                       GradeLabel(g.newGrade) + "  ·  " + UserName(state, g.byUserId);
    if (g.suggested) line += "  ·  " + std::string(Tr(lang, Str::Suggested)) + " " + GradeLabel(*g.suggested);
    NoteText(line);
    ImGui::TextUnformatted(line.c_str());
    if (!g.reason.empty()) {
      NoteText(g.reason);
      HintText(g.reason);
    }
  }
}

// Core's suggestion weighs the visits, the orders and the customer's stage and last contact.
extern const CustomerSection k_grade_section = {"grade", Str::Grade, nullptr, LoadGradeSection, DrawGradeSection,
                                                 TableBits({"grade_history", "activities", "orders", "customers"}), 50};

}  // namespace crm::ui
