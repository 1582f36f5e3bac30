#include "ui/customer_detail_screen.h"

#include <algorithm>
#include <cstdio>

#include "core/ownership.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "core/table_changes.h"
#include "ui/customer_form.h"
#include "ui/customer_sections.h"
#include "ui/errors.h"
#include "ui/keyed_text.h"
#include "ui/keyed_text.h"
#include "ui/labels.h"
#include "ui/merge_dialog.h"
#include "ui/refusals.h"
#include "ui/visit_dialog.h"

namespace crm::ui {

// [SECTION] loading
// [SECTION] header and actions
// [SECTION] the screen

namespace {

// ---------------------------------------------------------------------------
// [SECTION] loading

// What GetCustomer reads: the header and the profile show it.
uint64_t CustomerRecordTables() { return TableBits({"customers", "customer_phones", "customer_tags", "custom_values"}); }

// The customer when it opens or its record changed; then each section whose tables changed.
void Load(AppState& state) {
  CustomerDetailState& d = state.detail;
  bool another = d.loadedId != d.customerId;
  d.loadedId = d.customerId;
  if (NeedsLoad(state, d.customerLoad, CustomerRecordTables(), another)) {
    auto customer = GetCustomer(*state.db, d.customerId);
    if (!customer) {
      // Gone while open (a sync brought its deletion, a merge, or its hand-over out of this device's scope):
      // say so, rather than a bare "not found".
      const bool vanished = !another && d.customer && customer.Code() == ErrorCode::NotFound;
      d.customer.reset();
      d.error = vanished ? std::string(TrKey(state.lang, "scope.customer_left_device")) : DescribeError(state.lang, customer.GetError());
      return;
    }
    d.customer = std::move(customer).Value();
  }
  if (!d.customer) return;
  bool anotherActor = d.checkedActor != state.actor.userId;
  if (NeedsLoad(state, d.permissionLoad, CustomerRecordTables() | TableBits({"users", "teams"}), another || anotherActor)) {
    d.checkedActor = state.actor.userId;
    d.editCheck = CanEditCustomer(*state.db, state.actor, d.customerId);
    d.reassignCheck = CanReassignCustomer(*state.db, state.actor, d.customerId);
  }
  // Each section is read on its own: one failing does not hide the others.
  const std::vector<CustomerSection>& sections = CustomerSections();
  d.sectionLoads.resize(sections.size());
  for (size_t i = 0; i < sections.size(); i++) {
    if (NeedsLoad(state, d.sectionLoads[i], sections[i].readsTables, another)) sections[i].load(state, d);
  }
}

}  // namespace

namespace customer_detail {

std::string Date(const AppState& state, int64_t ms) { return LocalDateText(ms, state.utcOffsetMinutes); }
std::string DateTime(const AppState& state, int64_t ms) { return LocalDateTimeText(ms, state.utcOffsetMinutes); }

std::string EditRefusal(const AppState& state) { return RefusalText(state.lang, state.detail.editCheck); }
std::string ReassignRefusal(const AppState& state) { return RefusalText(state.lang, state.detail.reassignCheck); }

void Report(AppState& state, const Status& status, Str success) { Report(state, status, std::string(Tr(state.lang, success))); }

void Report(AppState& state, const Status& status, const std::string& success) {
  CustomerDetailState& d = state.detail;
  if (status) {
    d.error.clear();
    d.message = success;
    AfterCommit(state);
  } else {
    d.message.clear();
    d.error = DescribeError(state.lang, status.GetError());
  }
}

}  // namespace customer_detail

namespace {

using customer_detail::Report;

// ---------------------------------------------------------------------------
// [SECTION] header and actions

void DrawHeader(AppState& state) {
  CustomerDetailState& d = state.detail;
  const Customer& c = *d.customer;
  std::string back = Label(state.lang, Str::Back, "detail_back");
  if (ImGui::Button(back.c_str())) {
    d.customerId = 0;
    return;
  }
  ImGui::SameLine();
  ImGui::AlignTextToFramePadding();
  GradeBadge(c.grade);
  ImGui::SameLine();
  ImGui::AlignTextToFramePadding();
  DataText(c.fields.name);
  ImGui::SameLine();
  ImGui::TextDisabled("%s  ·  %s: %s", LabelOf(state.lang, c.stage), Tr(state.lang, Str::Owner),
                      c.ownerId ? UserName(state, c.ownerId).c_str() : Tr(state.lang, Str::PublicPool));
  if (c.deletedAt) {
    ImGui::SameLine();
    Chip(Tr(state.lang, Str::InTrash), ImVec4(0.5f, 0.5f, 0.5f, 1));
  }

  // The first button is the one used most: a visit is logged in three taps from here. What the person may not
  // do to this customer is greyed out with the reason, before any form is filled.
  const std::string refusal = customer_detail::EditRefusal(state);
  std::string visit = Label(state.lang, Str::LogVisit, "log_visit");
  if (ActionButton(visit.c_str(), refusal, /*primary=*/true)) OpenVisitDialog(state, c.id, c.fields.name);
  ImGui::SameLine();
  std::string schedule = Label(state.lang, Str::ScheduleFollowup, "schedule_followup");
  if (ActionButton(schedule.c_str(), refusal)) {
    d.scheduleOpen = !d.scheduleOpen;
    d.scheduleError.clear();
    if (d.scheduleOpen && d.scheduleDate.empty()) {
      d.schedulePreset = 0;
      d.scheduleDate = DateInDays(state, 1);
    }
  }
  ImGui::SameLine();
  std::string edit = Label(state.lang, Str::Edit, "edit_customer");
  if (ActionButton(edit.c_str(), refusal)) OpenEditCustomerForm(state, c.id);
  ImGui::SameLine();
  std::string merge = Label(state.lang, Str::MergeDuplicates, "merge_customer");
  if (ActionButton(merge.c_str(), refusal)) OpenMergeDialog(state, c.id);
  ImGui::SameLine();
  if (!c.ownerId) {
    std::string claim = Label(state.lang, Str::Claim, "claim_customer");
    if (ImGui::Button(claim.c_str())) Report(state, ClaimCustomer(*state.db, c.id, state.actor), Str::Claimed);
  } else {
    std::string release = Label(state.lang, Str::ReleaseToPool, "release_customer");
    if (ActionButton(release.c_str(), refusal)) Report(state, ReleaseToPool(*state.db, c.id, state.actor), Str::Released);
  }
  ImGui::SameLine();
  std::string trash = Label(state.lang, Str::MoveToTrash, "trash_customer");
  if (ActionButton(trash.c_str(), refusal)) d.confirmTrash = true;
  if (d.confirmTrash) {
    WarningText(Tr(state.lang, Str::ConfirmTrash));
    std::string yes = Label(state.lang, Str::MoveToTrash, "trash_confirm");
    if (PrimaryButton(yes.c_str())) {
      d.confirmTrash = false;
      Status trashed = TrashCustomer(*state.db, c.id, state.actor);
      Report(state, trashed, Str::Trashed);
      if (trashed) d.customerId = 0;
      return;
    }
    ImGui::SameLine();
    std::string no = Label(state.lang, Str::Cancel, "trash_cancel");
    if (ImGui::Button(no.c_str())) d.confirmTrash = false;
  }
  if (d.scheduleOpen) {
    ImGui::SeparatorText(Tr(state.lang, Str::ScheduleFollowup));
    DrawDuePicker(state, "schedule_", d.scheduleDate, d.schedulePreset, d.scheduleError);
    TextField(Tr(state.lang, Str::FollowupNote), "schedule_note", d.scheduleNote, "");
    std::string save = Label(state.lang, Str::Save, "save_schedule");
    if (PrimaryButton(save.c_str())) {
      auto due = LocalDateToMs(*state.db, d.scheduleDate, 9 * 60, "date");
      auto planned = due ? ScheduleFollowup(*state.db, c.id, due.Value(), FollowupReason::Manual, d.scheduleNote, state.actor)
                         : Result<int64_t>(due.GetError());
      if (planned) {
        d.scheduleOpen = false;
        d.scheduleNote.clear();
        d.scheduleDate.clear();
        Report(state, Ok(), Str::FollowupPlanned);
      } else {
        ShowError(state.lang, planned.GetError(), {{"date", &d.scheduleError}, {"due_at", &d.scheduleError}}, d.error);
      }
    }
    ImGui::SameLine();
    std::string cancel = Label(state.lang, Str::Cancel, "cancel_schedule");
    if (ImGui::Button(cancel.c_str())) d.scheduleOpen = false;
  }
  if (!d.error.empty()) ErrorText(d.error);
  if (!d.message.empty()) SuccessText(d.message);
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] the screen

void DrawCustomerDetail(AppState& state) {
  CustomerDetailState& d = state.detail;
  Load(state);
  if (!d.customer) {
    std::string back = Label(state.lang, Str::Back, "detail_back");
    if (ImGui::Button(back.c_str())) d.customerId = 0;
    if (!d.error.empty()) ErrorText(d.error);
    return;
  }
  DrawHeader(state);
  if (!d.customerId || !d.customer) return;
  const std::vector<CustomerSection>& sections = CustomerSections();
  std::vector<std::string> labels;
  std::vector<std::string> ids;
  for (const CustomerSection& section : sections) {
    const char* keyed = section.labelKey ? TrKey(state.lang, section.labelKey) : nullptr;
    std::string label = keyed ? keyed : Tr(state.lang, section.label);
    if (section.count) label += " (" + std::to_string(section.count(d)) + ")";
    labels.push_back(std::move(label));
    ids.emplace_back(section.id);
  }
  int clicked = ChoiceButtons(labels, "section_", ids, d.section);
  if (clicked >= 0) d.section = clicked;
  ImGui::BeginChild("##detail_body", ImVec2(0, 0), ImGuiChildFlags_Border, ImGuiWindowFlags_NavFlattened);
  ValueAt(sections, d.section).draw(state, d);
  ImGui::EndChild();
}

}  // namespace crm::ui
