#include "ui/customer_detail_screen.h"

#include <algorithm>
#include <cstdio>

#include "core/ownership.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/conflicts_screen.h"
#include "ui/customer_form.h"
#include "ui/errors.h"
#include "ui/labels.h"
#include "ui/merge_dialog.h"
#include "ui/visit_dialog.h"

namespace crm::ui {

// [SECTION] loading
// [SECTION] header and actions
// [SECTION] profile
// [SECTION] contacts
// [SECTION] timeline and follow-ups
// [SECTION] class and stage
// [SECTION] audit trail
// [SECTION] the screen

namespace {

// ---------------------------------------------------------------------------
// [SECTION] loading

void Load(AppState& state) {
  CustomerDetailState& d = state.detail;
  if (d.loadedId == d.customerId && d.loadedVersion == state.dataVersion) return;
  bool another = d.loadedId != d.customerId;
  d.loadedId = d.customerId;
  d.loadedVersion = state.dataVersion;
  Db& db = *state.db;
  auto customer = GetCustomer(db, d.customerId);
  if (!customer) {
    d.customer.reset();
    d.error = DescribeError(state.lang, customer.GetError());
    return;
  }
  d.customer = std::move(customer).Value();
  // Each part is read on its own: one failing does not hide the others.
  auto note = [&](const Error& error) { d.error = DescribeError(state.lang, error); };
  if (auto contacts = ContactsOf(db, d.customerId)) d.contacts = std::move(contacts).Value(); else note(contacts.GetError());
  if (auto activities = ActivitiesOf(db, d.customerId)) d.activities = std::move(activities).Value(); else note(activities.GetError());
  if (auto followups = FollowupsOf(db, d.customerId)) d.followups = std::move(followups).Value(); else note(followups.GetError());
  if (auto grades = GradeHistory(db, d.customerId)) d.grades = std::move(grades).Value(); else note(grades.GetError());
  if (auto suggestion = SuggestGrade(db, d.customerId, state.nowMs)) d.suggestion = suggestion.Value(); else d.suggestion.reset();
  if (auto audit = AuditForCustomer(db, d.customerId, 300)) d.audit = std::move(audit).Value(); else note(audit.GetError());
  if (auto fields = ListCustomFields(db)) d.customFields = std::move(fields).Value();
  ConflictQuery conflicts;
  conflicts.customerId = d.customerId;
  conflicts.limit = 50;
  if (auto found = ListConflicts(db, conflicts)) d.conflicts = std::move(found).Value(); else note(found.GetError());
  if (another) {
    d.newGrade = IndexOf(AllGrades(), d.customer->grade);
    d.newStage = IndexOf(AllStages(), d.customer->stage);
    d.lostReason = d.customer->lostReason == LostReason::None ? -1 : IndexOf(AllLostReasons(), d.customer->lostReason);
  }
}

std::string Date(const AppState& state, int64_t ms) { return LocalDateText(ms, state.utcOffsetMinutes); }
std::string DateTime(const AppState& state, int64_t ms) { return LocalDateTimeText(ms, state.utcOffsetMinutes); }

// The outcome of an action: success text, or core's message (a permission error reads as such).
void Report(AppState& state, const Status& status, Str success) {
  CustomerDetailState& d = state.detail;
  if (status) {
    d.error.clear();
    d.message = Tr(state.lang, success);
    AfterCommit(state);
  } else {
    d.message.clear();
    d.error = DescribeError(state.lang, status.GetError());
  }
}

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

  // The first button is the one used most: a visit is logged in three taps from here.
  std::string visit = Label(state.lang, Str::LogVisit, "log_visit");
  if (PrimaryButton(visit.c_str())) OpenVisitDialog(state, c.id, c.fields.name);
  ImGui::SameLine();
  std::string schedule = Label(state.lang, Str::ScheduleFollowup, "schedule_followup");
  if (ImGui::Button(schedule.c_str())) {
    d.scheduleOpen = !d.scheduleOpen;
    d.scheduleError.clear();
    if (d.scheduleOpen && d.scheduleDate.empty()) {
      d.schedulePreset = 0;
      d.scheduleDate = DateInDays(state, 1);
    }
  }
  ImGui::SameLine();
  std::string edit = Label(state.lang, Str::Edit, "edit_customer");
  if (ImGui::Button(edit.c_str())) OpenEditCustomerForm(state, c.id);
  ImGui::SameLine();
  std::string merge = Label(state.lang, Str::MergeDuplicates, "merge_customer");
  if (ImGui::Button(merge.c_str())) OpenMergeDialog(state, c.id);
  ImGui::SameLine();
  if (!c.ownerId) {
    std::string claim = Label(state.lang, Str::Claim, "claim_customer");
    if (ImGui::Button(claim.c_str())) Report(state, ClaimCustomer(*state.db, c.id, state.actor), Str::Claimed);
  } else {
    std::string release = Label(state.lang, Str::ReleaseToPool, "release_customer");
    if (ImGui::Button(release.c_str())) Report(state, ReleaseToPool(*state.db, c.id, state.actor), Str::Released);
  }
  ImGui::SameLine();
  std::string trash = Label(state.lang, Str::MoveToTrash, "trash_customer");
  if (ImGui::Button(trash.c_str())) d.confirmTrash = true;
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

// ---------------------------------------------------------------------------
// [SECTION] profile

void Row(const char* label, const std::string& value) {
  if (value.empty()) return;
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextDisabled("%s", label);
  ImGui::TableNextColumn();
  NoteText(value);
  ImGui::TextWrapped("%s", value.c_str());
}

std::string Join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

void DrawProfile(AppState& state) {
  CustomerDetailState& d = state.detail;
  const Customer& c = *d.customer;
  const CustomerInput& f = c.fields;
  Lang lang = state.lang;
  if (ImGui::BeginTable("##profile", 2, ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 9);
    ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
    Row(Tr(lang, Str::Kind), LabelOf(lang, f.kind));
    Row(Tr(lang, Str::Phone), Join(f.phones, " / "));
    std::string address = f.address.province + f.address.city + f.address.district + f.address.street;
    Row(Tr(lang, Str::Address), address);
    Row(Tr(lang, Str::Industry), f.industry);
    Row(Tr(lang, Str::Scale), f.scale);
    Row(Tr(lang, Str::Brands), f.brands);
    Row(Tr(lang, Str::SourceLabel), LabelOf(lang, f.source));
    Row(Tr(lang, Str::CreditLabel), LabelOf(lang, f.credit));
    Row(Tr(lang, Str::Birthday), f.birthday);
    Row(Tr(lang, Str::Anniversary), f.anniversary);
    Row(Tr(lang, Str::Preferences), f.preferences);
    Row(Tr(lang, Str::Tags), Join(f.tags, "、"));
    Row(Tr(lang, Str::Notes), f.notes);
    for (const auto& [fieldId, value] : f.custom) {
      for (const CustomField& field : d.customFields) {
        if (field.id == fieldId) Row(field.label.c_str(), value);
      }
    }
    Row(Tr(lang, Str::Grade), GradeLabel(c.grade));
    Row(Tr(lang, Str::Stage), LabelOf(lang, c.stage));
    if (c.lostReason != LostReason::None) Row(Tr(lang, Str::LostReason), LabelOf(lang, c.lostReason));
    Row(Tr(lang, Str::Owner), c.ownerId ? UserName(state, c.ownerId) : std::string(Tr(lang, Str::PublicPool)));
    for (const Team& team : state.teams) {
      if (c.teamId && team.id == *c.teamId) Row(Tr(lang, Str::Team), team.name);
    }
    Row(Tr(lang, Str::CreatedAt), DateTime(state, c.createdAt) + "  ·  " + UserName(state, c.createdBy));
    Row(Tr(lang, Str::UpdatedAt), DateTime(state, c.updatedAt) + "  ·  " + UserName(state, c.updatedBy));
    if (c.lastActivityAt) Row(Tr(lang, Str::LastContact), DateTime(state, *c.lastActivityAt));
    if (c.claimedAt) Row(Tr(lang, Str::ClaimedAt), DateTime(state, *c.claimedAt));
    if (c.protectedUntil) Row(Tr(lang, Str::ProtectedUntil), Date(state, *c.protectedUntil));
    if (c.lostAt) Row(Tr(lang, Str::LostAt), Date(state, *c.lostAt));
    ImGui::EndTable();
  }
  // A supervisor moves one customer to another rep (a whole rep's book moves on the pool page).
  if (CanSupervise(state) && !state.users.empty()) {
    ImGui::Spacing();
    std::vector<std::string> names;
    for (const User& user : state.users) names.push_back(user.name);
    int picked = ChoiceMenu("reassign_to", Tr(lang, Str::HandOverTo), names, d.reassignTo, Tr(lang, Str::PickOne));
    if (picked >= 0) d.reassignTo = picked;
    if (d.reassignTo >= 0) {
      ImGui::SameLine();
      std::string go = Label(lang, Str::HandOver, "reassign_one");
      if (ImGui::Button(go.c_str())) {
        Report(state, ReassignCustomer(*state.db, c.id, state.users[static_cast<size_t>(d.reassignTo)].id, state.actor),
               Str::HandedOver);
        d.reassignTo = -1;
      }
    }
  }
}

// ---------------------------------------------------------------------------
// [SECTION] contacts

void OpenContactForm(CustomerDetailState& d, const Contact* contact) {
  d.contact = ContactFormState{};
  d.contact.open = true;
  if (!contact) return;
  d.contact.editingId = contact->id;
  const ContactInput& f = contact->fields;
  d.contact.name = f.name;
  d.contact.title = f.title;
  d.contact.phone = f.phone;
  d.contact.wechat = f.wechat;
  d.contact.email = f.email;
  d.contact.birthday = f.birthday;
  d.contact.notes = f.notes;
  d.contact.role = IndexOf(AllContactRoles(), f.role);
}

void SaveContact(AppState& state) {
  CustomerDetailState& d = state.detail;
  ContactFormState& form = d.contact;
  form.nameError.clear();
  form.phoneError.clear();
  form.emailError.clear();
  form.birthdayError.clear();
  form.error.clear();
  ContactInput input;
  input.name = form.name;
  input.role = AllContactRoles()[static_cast<size_t>(std::clamp(form.role, 0, static_cast<int>(AllContactRoles().size()) - 1))];
  input.title = form.title;
  input.phone = form.phone;
  input.wechat = form.wechat;
  input.email = form.email;
  input.birthday = form.birthday;
  input.notes = form.notes;
  Status saved = Ok();
  if (form.editingId) {
    saved = UpdateContact(*state.db, form.editingId, input, state.actor);
  } else if (auto added = AddContact(*state.db, d.customerId, input, state.actor); !added) {
    saved = added.GetError();
  }
  if (!saved) {
    ShowError(state.lang, saved.GetError(),
              {{"name", &form.nameError}, {"phone", &form.phoneError}, {"email", &form.emailError}, {"birthday", &form.birthdayError}},
              form.error);
    return;
  }
  form.open = false;
  Report(state, Ok(), Str::ContactSaved);
}

void DrawContactForm(AppState& state) {
  ContactFormState& form = state.detail.contact;
  Lang lang = state.lang;
  ImGui::SeparatorText(Tr(lang, form.editingId ? Str::EditContact : Str::AddContact));
  TextField(Tr(lang, Str::PersonName), "contact_name", form.name, form.nameError);
  ImGui::TextUnformatted(Tr(lang, Str::ContactRole));
  std::vector<std::string> ids;
  for (ContactRole role : AllContactRoles()) ids.emplace_back(Code(role));
  int clicked = ChoiceButtons(LabelsOf(lang, AllContactRoles()), "contact_role_", ids, form.role);
  if (clicked >= 0) form.role = clicked;
  TextField(Tr(lang, Str::JobTitle), "contact_title", form.title, "");
  TextField(Tr(lang, Str::Phone), "contact_phone", form.phone, form.phoneError);
  TextField(Tr(lang, Str::WeChat), "contact_wechat", form.wechat, "");
  TextField(Tr(lang, Str::Email), "contact_email", form.email, form.emailError);
  FieldOptions dateOptions;
  dateOptions.hint = Tr(lang, Str::DateHint);
  TextField(Tr(lang, Str::Birthday), "contact_birthday", form.birthday, form.birthdayError, dateOptions);
  TextField(Tr(lang, Str::Notes), "contact_notes", form.notes, "");
  if (!form.error.empty()) ErrorText(form.error);
  std::string save = Label(lang, Str::Save, "save_contact");
  if (PrimaryButton(save.c_str())) SaveContact(state);
  ImGui::SameLine();
  std::string cancel = Label(lang, Str::Cancel, "cancel_contact");
  if (ImGui::Button(cancel.c_str())) form.open = false;
}

void DrawContacts(AppState& state) {
  CustomerDetailState& d = state.detail;
  Lang lang = state.lang;
  if (!d.contact.open) {
    std::string add = Label(lang, Str::AddContact, "add_contact");
    if (ImGui::Button(add.c_str())) OpenContactForm(d, nullptr);
  } else {
    DrawContactForm(state);
  }
  if (d.contacts.empty()) ImGui::TextDisabled("%s", Tr(lang, Str::NoContacts));
  for (const Contact& contact : d.contacts) {
    ImGui::PushID(static_cast<int>(contact.id ^ (contact.id >> 32)));
    ImGui::Separator();
    const ContactInput& f = contact.fields;
    std::string line = f.name + "  ·  " + LabelOf(lang, f.role);
    if (!f.title.empty()) line += "  ·  " + f.title;
    DataText(line);
    std::string reach;
    auto add = [&reach](const char* label, const std::string& value) {
      if (!value.empty()) reach += (reach.empty() ? "" : "  ·  ") + std::string(label) + " " + value;
    };
    add(Tr(lang, Str::Phone), f.phone);
    add(Tr(lang, Str::WeChat), f.wechat);
    add(Tr(lang, Str::Email), f.email);
    add(Tr(lang, Str::Birthday), f.birthday);
    if (!reach.empty()) {
      NoteText(reach);
      ImGui::TextDisabled("%s", reach.c_str());
    }
    if (!f.notes.empty()) DataText(f.notes);
    std::string edit = Label(lang, Str::Edit, ("edit_contact_" + f.name).c_str());
    if (ImGui::Button(edit.c_str())) OpenContactForm(d, &contact);
    ImGui::SameLine();
    std::string remove = Label(lang, Str::Remove, ("remove_contact_" + f.name).c_str());
    if (ImGui::Button(remove.c_str())) Report(state, TrashContact(*state.db, contact.id, state.actor), Str::ContactRemoved);
    ImGui::PopID();
  }
}

// ---------------------------------------------------------------------------
// [SECTION] timeline and follow-ups

void DrawTimeline(AppState& state) {
  CustomerDetailState& d = state.detail;
  Lang lang = state.lang;
  if (d.activities.empty()) ImGui::TextDisabled("%s", Tr(lang, Str::NoActivities));
  char nth[64];
  for (const Activity& a : d.activities) {
    ImGui::Separator();
    std::snprintf(nth, sizeof nth, Tr(lang, Str::NthFollowup), a.sequence);
    std::string head = std::string(nth) + "  ·  " + DateTime(state, a.fields.occurredAt) + "  ·  " + LabelOf(lang, a.fields.kind) +
                       "  ·  " + UserName(state, a.userId);
    if (a.fields.contactId) {
      for (const Contact& contact : d.contacts) {
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

void DrawFollowups(AppState& state) {
  CustomerDetailState& d = state.detail;
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
    if (DrawFollowupActions(state, d.followupActions, f)) d.message = Tr(lang, Str::FollowupUpdated);
    ImGui::PopID();
  }
}

// ---------------------------------------------------------------------------
// [SECTION] class and stage

void DrawGrade(AppState& state) {
  CustomerDetailState& d = state.detail;
  const Customer& c = *d.customer;
  Lang lang = state.lang;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(Tr(lang, Str::CurrentGrade));
  ImGui::SameLine();
  GradeBadge(c.grade);
  if (d.suggestion) {
    const GradeSuggestion& s = *d.suggestion;
    char line[160];
    std::snprintf(line, sizeof line, Tr(lang, Str::SuggestedGrade), GradeLabel(s.grade), s.score);
    ImGui::TextUnformatted(line);
    NoteText(s.why);
    ImGui::TextDisabled("%s", s.why.c_str());
    if (s.grade != c.grade) {
      std::string accept = Label(std::string(Tr(lang, Str::AcceptSuggestion)) + " " + GradeLabel(s.grade), "accept_grade");
      if (PrimaryButton(accept.c_str())) {
        Status set = SetGrade(*state.db, c.id, s.grade, std::string(Tr(lang, Str::AcceptedSuggestionReason)) + ": " + s.why,
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
  int clicked = ChoiceButtons(labels, "grade_", ids, d.newGrade);
  if (clicked >= 0) d.newGrade = clicked;
  TextField(Tr(lang, Str::GradeReason), "grade_reason", d.gradeReason, d.gradeError);
  std::string save = Label(lang, Str::SaveGrade, "save_grade");
  if (PrimaryButton(save.c_str()) && d.newGrade >= 0) {
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
      ImGui::TextDisabled("%s", g.reason.c_str());
    }
  }
}

void DrawStage(AppState& state) {
  CustomerDetailState& d = state.detail;
  const Customer& c = *d.customer;
  Lang lang = state.lang;
  ImGui::Text("%s: %s", Tr(lang, Str::CurrentStage), LabelOf(lang, c.stage));
  if (c.lostReason != LostReason::None) ImGui::Text("%s: %s", Tr(lang, Str::LostReason), LabelOf(lang, c.lostReason));
  ImGui::SeparatorText(Tr(lang, Str::MoveStage));
  std::vector<std::string> ids;
  for (Stage stage : AllStages()) ids.emplace_back(Code(stage));
  int clicked = ChoiceButtons(LabelsOf(lang, AllStages()), "stage_", ids, d.newStage);
  if (clicked >= 0) d.newStage = clicked;
  bool lost = d.newStage >= 0 && AllStages()[static_cast<size_t>(d.newStage)] == Stage::Lost;
  if (lost) {
    ImGui::TextUnformatted(Tr(lang, Str::LostReason));
    std::vector<std::string> reasonIds;
    for (LostReason reason : AllLostReasons()) reasonIds.emplace_back(Code(reason));
    int reason = ChoiceButtons(LabelsOf(lang, AllLostReasons()), "lost_", reasonIds, d.lostReason);
    if (reason >= 0) d.lostReason = reason;
  }
  if (!d.stageError.empty()) ErrorText(d.stageError);
  std::string save = Label(lang, Str::SaveStage, "save_stage");
  if (PrimaryButton(save.c_str()) && d.newStage >= 0) {
    d.stageError.clear();
    LostReason reason = lost && d.lostReason >= 0 ? AllLostReasons()[static_cast<size_t>(d.lostReason)] : LostReason::None;
    Status set = SetStage(*state.db, c.id, AllStages()[static_cast<size_t>(d.newStage)], reason, state.actor);
    if (!set && set.Code() == ErrorCode::Invalid) d.stageError = DescribeError(lang, set.GetError());
    else Report(state, set, Str::StageSaved);
  }
}

// ---------------------------------------------------------------------------
// [SECTION] audit trail

void DrawAudit(AppState& state) {
  CustomerDetailState& d = state.detail;
  Lang lang = state.lang;
  if (!d.conflicts.empty()) {
    ImGui::SeparatorText(Tr(lang, Str::ConflictLog));
    for (const ConflictEntry& e : d.conflicts) {
      std::string line = ConflictLine(state, e);
      NoteText(line);
      ImGui::TextWrapped("%s", line.c_str());
    }
    ImGui::SeparatorText(Tr(lang, Str::AuditTrail));
  }
  if (d.audit.empty()) ImGui::TextDisabled("%s", Tr(lang, Str::NoAudit));
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(d.audit.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; i++) {
      const AuditEntry& e = d.audit[static_cast<size_t>(i)];
      std::string line = DateTime(state, e.at) + "  ·  " + UserName(state, e.userId) + "  ·  " + AuditActionLabel(lang, e.action) +
                         "  ·  " + AuditTableLabel(lang, e.table);
      if (!e.field.empty()) {
        line += " · " + FieldLabel(lang, e.field) + ": " + e.oldValue.value_or("∅") + " → " + e.newValue.value_or("∅");
      }
      if (line.size() > 240) line = line.substr(0, 240) + "…";
      NoteText(line);
      ImGui::TextUnformatted(line.c_str());
    }
  }
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
  char contacts[64], activities[64], followups[64];
  std::snprintf(contacts, sizeof contacts, "%s (%zu)", Tr(state.lang, Str::Contacts), d.contacts.size());
  std::snprintf(activities, sizeof activities, "%s (%zu)", Tr(state.lang, Str::Timeline), d.activities.size());
  size_t open = static_cast<size_t>(std::count_if(d.followups.begin(), d.followups.end(),
                                                  [](const Followup& f) { return f.status == FollowupStatus::Open; }));
  std::snprintf(followups, sizeof followups, "%s (%zu)", Tr(state.lang, Str::Followups), open);
  std::vector<std::string> sections = {Tr(state.lang, Str::Profile), contacts, activities, followups,
                                       Tr(state.lang, Str::Grade), Tr(state.lang, Str::Stage), Tr(state.lang, Str::AuditTrail)};
  std::vector<std::string> ids = {"profile", "contacts", "timeline", "followups", "grade", "stage", "audit"};
  int clicked = ChoiceButtons(sections, "section_", ids, static_cast<int>(d.section));
  if (clicked >= 0) d.section = static_cast<DetailSection>(clicked);
  ImGui::BeginChild("##detail_body", ImVec2(0, 0), ImGuiChildFlags_Border);
  TouchScroll(d.scroll, state.layout == Layout::Tablet);
  switch (d.section) {
    case DetailSection::Profile: DrawProfile(state); break;
    case DetailSection::Contacts: DrawContacts(state); break;
    case DetailSection::Timeline: DrawTimeline(state); break;
    case DetailSection::Followups: DrawFollowups(state); break;
    case DetailSection::Grade: DrawGrade(state); break;
    case DetailSection::Stage: DrawStage(state); break;
    case DetailSection::Audit: DrawAudit(state); break;
  }
  ImGui::EndChild();
}

}  // namespace crm::ui
