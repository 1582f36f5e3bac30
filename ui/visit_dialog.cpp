#include "ui/visit_dialog.h"

#include "core/followups.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/followup_actions.h"
#include "ui/labels.h"
#include "ui/widgets.h"

namespace crm::ui {

namespace {

void Save(AppState& state) {
  VisitDialogState& visit = state.visit;
  visit.summaryError.clear();
  visit.nextError.clear();
  visit.error.clear();
  // The next follow-up's date is checked before anything is written, so one tap never saves half.
  std::optional<int64_t> nextDue;
  if (visit.scheduleNext) {
    auto due = LocalDateToMs(*state.db, visit.nextDate, 9 * 60, "date");
    if (!due) {
      visit.nextError = DescribeError(state.lang, due.GetError());
      return;
    }
    nextDue = due.Value();
  }
  ActivityInput input;
  input.customerId = visit.customerId;
  input.kind = AllActivityKinds()[static_cast<size_t>(visit.kind)];
  input.summary = visit.summary;
  input.opinion = visit.opinion;
  input.outcome = visit.outcome;
  input.nextStep = visit.nextStep;
  if (visit.contact >= 0 && static_cast<size_t>(visit.contact) < visit.contacts.size()) {
    input.contactId = visit.contacts[static_cast<size_t>(visit.contact)].id;
  }
  auto logged = LogActivity(*state.db, input, state.actor);
  if (!logged) {
    ShowError(state.lang, logged.GetError(), {{"summary", &visit.summaryError}}, visit.error);
    return;
  }
  visit.lastActivityId = logged.Value();
  if (nextDue) {
    std::string note = !visit.nextStep.empty() ? visit.nextStep : visit.summary;
    auto planned = ScheduleFollowup(*state.db, visit.customerId, *nextDue, FollowupReason::Manual, note, state.actor);
    if (!planned) {
      // The visit is saved; only the plan failed: say so and keep the dialog for another try.
      AfterCommit(state);
      visit.scheduleNext = true;
      visit.error = std::string(Tr(state.lang, Str::VisitSavedPlanFailed)) + DescribeError(state.lang, planned.GetError());
      return;
    }
  }
  visit.open = false;
  state.detail.message = Tr(state.lang, nextDue ? Str::VisitSavedWithPlan : Str::VisitSaved);
  AfterCommit(state);
}

}  // namespace

void OpenVisitDialog(AppState& state, int64_t customerId, const std::string& customerName) {
  VisitDialogState& visit = state.visit;
  visit = VisitDialogState{};
  visit.open = true;
  visit.customerId = customerId;
  visit.customerName = customerName;
  visit.focusSummary = true;
  auto contacts = ContactsOf(*state.db, customerId);
  if (contacts) visit.contacts = std::move(contacts).Value();
}

void DrawVisitDialog(AppState& state) {
  VisitDialogState& visit = state.visit;
  if (!visit.open) return;
  bool open = true;
  std::string title = Label(std::string(Tr(state.lang, Str::LogVisit)) + " · " + visit.customerName, "visit_window");
  NoteText(title);
  if (BeginDialog(title, state.layout == Layout::Tablet ? nullptr : &open, 34)) {
    // The fields scroll when "more" does not fit; the error and the buttons stay under them.
    BeginDialogBody("##visit_body", DialogFooterHeight() + (visit.error.empty() ? 0 : ImGui::GetTextLineHeightWithSpacing() * 2));
    ImGui::TextUnformatted(Tr(state.lang, Str::VisitKind));
    std::vector<std::string> ids;
    for (ActivityKind kind : AllActivityKinds()) ids.emplace_back(Code(kind));
    int clicked = ChoiceButtons(LabelsOf(state.lang, AllActivityKinds()), "visit_kind_", ids, visit.kind);
    if (clicked >= 0) visit.kind = clicked;
    TextAreaField(Tr(state.lang, Str::VisitSummary), "visit_summary", visit.summary, visit.summaryError, 3, &visit.focusSummary);

    std::string next = Label(state.lang, Str::PlanNextFollowup, "visit_plan_next");
    if (ImGui::Checkbox(next.c_str(), &visit.scheduleNext) && visit.scheduleNext && visit.nextDate.empty()) {
      visit.nextPreset = 2;
      visit.nextDate = DateInDays(state, 7);
    }
    if (visit.scheduleNext) DrawDuePicker(state, "visit_next_", visit.nextDate, visit.nextPreset, visit.nextError);

    std::string more = Label(state.lang, visit.more ? Str::Less : Str::MoreFields, "visit_more");
    if (ImGui::Button(more.c_str())) visit.more = !visit.more;
    if (visit.more) {
      TextAreaField(Tr(state.lang, Str::VisitOpinion), "visit_opinion", visit.opinion, "", 2);
      TextField(Tr(state.lang, Str::VisitOutcome), "visit_outcome", visit.outcome, "");
      TextField(Tr(state.lang, Str::VisitNextStep), "visit_next_step", visit.nextStep, "");
      if (!visit.contacts.empty()) {
        ImGui::TextUnformatted(Tr(state.lang, Str::VisitContact));
        std::vector<std::string> names;
        for (const Contact& contact : visit.contacts) names.push_back(contact.fields.name);
        int picked = ChoiceButtons(names, "visit_contact_", {}, visit.contact);
        if (picked >= 0) visit.contact = picked == visit.contact ? -1 : picked;
      }
    }
    EndDialogBody();
    if (!visit.error.empty()) ErrorText(visit.error);
    ImGui::Spacing();
    std::string save = Label(state.lang, Str::Save, "save_visit");
    if (PrimaryButton(save.c_str(), ImVec2(ImGui::GetFontSize() * 8, 0))) Save(state);
    ImGui::SameLine();
    std::string cancel = Label(state.lang, Str::Cancel, "cancel_visit");
    if (ImGui::Button(cancel.c_str())) open = false;
  }
  EndDialog();
  if (!open) visit.open = false;
}

}  // namespace crm::ui
