// A customer's important dates (重要日期): birthdays, anniversaries, opening and founding days, the next to come
// round first, each with a button that plans the return visit for it. Its words are the keyed texts of
// ui/strings/customer_dates_strings.cpp; its state lives in SectionState (ui/customer_sections.h).
#include <algorithm>
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

#include "core/customer_dates.h"
#include "core/table_changes.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/customer_sections.h"
#include "ui/errors.h"
#include "ui/keyed_text.h"
#include "ui/labels.h"
#include "ui/refusals.h"

namespace crm::ui {

namespace {

constexpr const char* kSectionId = "dates";
constexpr const char* kTable = "customer_dates";
// The leads a return visit may be planned with, in days before the date (0: on the day).
constexpr int kLeadDays[] = {0, 1, 3, 7};

struct DateFormState {
  bool open = false;
  int64_t editingId = 0;  // 0: a new date
  int kind = 0;           // index into AllCustomerDateKinds()
  std::string title, monthDay, year, notes;
  std::string kindError, titleError, monthDayError, yearError, notesError, error;
};

struct DatesSectionState : CustomerSectionState {
  std::vector<CustomerDate> dates;
  DateFormState form;
  int lead = 0;  // index into kLeadDays
};

DatesSectionState& StateOf(CustomerDetailState& detail) { return SectionState<DatesSectionState>(detail, kSectionId); }

// This section's words; a key without a text shows as itself (the i18n guard test keeps that from shipping).
std::string Text(Lang lang, const std::string& key) {
  const char* text = TrKey(lang, key);
  return text ? text : key;
}
// A text with a number; for 1 the key's ".one" text ("tomorrow", not "in 1 days").
std::string Formatted(Lang lang, const char* key, int number) {
  if (number == 1) {
    if (const char* one = TrKey(lang, std::string(key) + ".one")) return one;
  }
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, Text(lang, key).c_str(), number);
  return buffer;
}
std::string KindLabel(Lang lang, CustomerDateKind kind) { return Text(lang, std::string(kTable) + ".kind." + Code(kind)); }
std::string Field(Lang lang, const char* column) { return FieldLabel(lang, kTable, column); }

// The outcome of an action, its success worded from this section's keyed texts.
void ReportDone(AppState& state, const Status& status, const char* successKey) {
  customer_detail::Report(state, status, Text(state.lang, successKey));
}

void OpenDateForm(DatesSectionState& d, const CustomerDate* date) {
  d.form = DateFormState{};
  d.form.open = true;
  if (!date) return;
  d.form.editingId = date->id;
  d.form.kind = IndexOf(AllCustomerDateKinds(), date->kind);
  d.form.title = date->title;
  d.form.monthDay = date->monthDay;
  d.form.year = date->year ? std::to_string(*date->year) : "";
  d.form.notes = date->notes;
}

void SaveDate(AppState& state, DatesSectionState& d) {
  DateFormState& form = d.form;
  for (std::string* error : {&form.kindError, &form.titleError, &form.monthDayError, &form.yearError, &form.notesError, &form.error}) {
    error->clear();
  }
  const std::vector<CustomerDateKind>& kinds = AllCustomerDateKinds();
  CustomerDateInput input;
  input.kind = ValueAt(kinds, form.kind);
  input.title = form.title;
  input.monthDay = form.monthDay;
  input.year = form.year;
  input.notes = form.notes;
  Status saved = Ok();
  if (form.editingId) {
    saved = UpdateCustomerDate(*state.db, form.editingId, input, state.actor);
  } else if (auto added = AddCustomerDate(*state.db, state.detail.customerId, input, state.actor); !added) {
    saved = added.GetError();
  }
  if (!saved) {
    ShowError(state.lang, saved.GetError(),
              {{"kind", &form.kindError}, {"title", &form.titleError}, {"month_day", &form.monthDayError},
               {"year", &form.yearError}, {"notes", &form.notesError}},
              form.error);
    return;
  }
  form.open = false;
  ReportDone(state, Ok(), "customer_dates.saved");
}

void DrawDateForm(AppState& state, DatesSectionState& d) {
  DateFormState& form = d.form;
  Lang lang = state.lang;
  ImGui::SeparatorText(Text(lang, form.editingId ? "customer_dates.edit" : "customer_dates.add").c_str());
  ImGui::TextUnformatted(Field(lang, "kind").c_str());
  std::vector<std::string> labels;
  std::vector<std::string> ids;
  for (CustomerDateKind kind : AllCustomerDateKinds()) {
    labels.push_back(KindLabel(lang, kind));
    ids.emplace_back(Code(kind));
  }
  int clicked = ChoiceButtons(labels, "date_kind_", ids, form.kind);
  if (clicked >= 0) form.kind = clicked;
  if (!form.kindError.empty()) ErrorText(form.kindError);
  FieldOptions titleOptions;
  std::string titleHint = Text(lang, "customer_dates.title_hint");
  titleOptions.hint = titleHint.c_str();
  TextField(Field(lang, "title").c_str(), "date_title", form.title, form.titleError, titleOptions);
  FieldOptions monthDayOptions;
  std::string monthDayHint = Text(lang, "customer_dates.month_day_hint");
  monthDayOptions.hint = monthDayHint.c_str();
  TextField(Field(lang, "month_day").c_str(), "date_month_day", form.monthDay, form.monthDayError, monthDayOptions);
  FieldOptions yearOptions;
  std::string yearHint = Text(lang, "customer_dates.year_hint");
  yearOptions.hint = yearHint.c_str();
  yearOptions.flags = ImGuiInputTextFlags_CharsDecimal;
  TextField(Field(lang, "year").c_str(), "date_year", form.year, form.yearError, yearOptions);
  TextField(Field(lang, "notes").c_str(), "date_notes", form.notes, form.notesError);
  if (!form.error.empty()) ErrorText(form.error);
  std::string save = Label(lang, Str::Save, "save_date");
  if (PrimaryButton(save.c_str())) SaveDate(state, d);
  ImGui::SameLine();
  std::string cancel = Label(lang, Str::Cancel, "cancel_date");
  if (ImGui::Button(cancel.c_str())) form.open = false;
}

// "生日 · 老板生日", then "05-12 · 1980 · 满 46 岁 · 还有 12 天".
std::string WhenLine(Lang lang, const CustomerDate& date) {
  std::string line = date.monthDay;
  if (date.year) line += "  ·  " + std::to_string(*date.year);
  if (date.year && date.nextYear > *date.year) {
    int count = date.nextYear - *date.year;
    line += "  ·  " + Formatted(lang, date.kind == CustomerDateKind::Birthday ? "customer_dates.turns" : "customer_dates.years", count);
  }
  if (date.nextYear) {
    line += "  ·  " + (date.daysUntil == 0 ? Text(lang, "customer_dates.today") : Formatted(lang, "customer_dates.in_days", date.daysUntil));
  }
  return line;
}

void DrawLeadChoice(Lang lang, DatesSectionState& d) {
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(Text(lang, "customer_dates.ahead").c_str());
  ImGui::SameLine();
  std::vector<std::string> labels;
  std::vector<std::string> ids;
  for (int days : kLeadDays) {
    labels.push_back(days == 0 ? Text(lang, "customer_dates.on_the_day") : Formatted(lang, "customer_dates.days_ahead", days));
    ids.push_back(std::to_string(days));
  }
  int clicked = ChoiceButtons(labels, "date_lead_", ids, d.lead);
  if (clicked >= 0) d.lead = clicked;
}

void LoadDatesSection(AppState& state, CustomerDetailState& detail) {
  if (auto dates = CustomerDatesOf(*state.db, detail.customerId, state.nowMs)) StateOf(detail).dates = std::move(dates).Value();
  else detail.error = DescribeError(state.lang, dates.GetError());
}

void DrawDatesSection(AppState& state, CustomerDetailState& detail) {
  DatesSectionState& d = StateOf(detail);
  Lang lang = state.lang;
  const std::string refusal = customer_detail::EditRefusal(state);
  if (!d.form.open) {
    std::string add = Label(Text(lang, "customer_dates.add"), "add_date");
    if (ActionButton(add.c_str(), refusal)) OpenDateForm(d, nullptr);
  } else {
    DrawDateForm(state, d);
  }
  if (d.dates.empty()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", Text(lang, "customer_dates.none").c_str());
    ImGui::PopTextWrapPos();
    return;
  }
  ImGui::Spacing();
  DrawLeadChoice(lang, d);
  // Rows are found by their place in the list (date_plan_0 is the next to come round): titles may be empty or alike.
  for (size_t i = 0; i < d.dates.size(); i++) {
    const CustomerDate& date = d.dates[i];
    std::string row = std::to_string(i);
    ImGui::PushID(static_cast<int>(date.id ^ (date.id >> 32)));
    ImGui::Separator();
    std::string what = KindLabel(lang, date.kind);
    if (!date.title.empty()) what += "  ·  " + date.title;
    DataText(what);
    std::string when = WhenLine(lang, date);
    NoteText(when);
    ImGui::TextDisabled("%s", when.c_str());
    if (!date.notes.empty()) DataText(date.notes);
    std::string plan = Label(Text(lang, "customer_dates.plan"), "date_plan_" + row);
    if (ActionButton(plan.c_str(), refusal)) {
      int lead = kLeadDays[std::clamp(d.lead, 0, static_cast<int>(std::size(kLeadDays)) - 1)];
      auto planned = ScheduleDateFollowup(*state.db, date.id, state.actor, lead, state.nowMs);
      ReportDone(state, planned ? Ok() : Status(planned.GetError()), "customer_dates.planned");
    }
    ImGui::SameLine();
    std::string edit = Label(lang, Str::Edit, ("date_edit_" + row).c_str());
    if (ActionButton(edit.c_str(), refusal)) OpenDateForm(d, &date);
    ImGui::SameLine();
    std::string remove = Label(lang, Str::Remove, ("date_remove_" + row).c_str());
    if (ActionButton(remove.c_str(), refusal)) ReportDone(state, TrashCustomerDate(*state.db, date.id, state.actor), "customer_dates.removed");
    ImGui::PopID();
  }
}

size_t DateCount(const CustomerDetailState& detail) {
  auto found = detail.sectionStates.find(kSectionId);
  return found == detail.sectionStates.end() ? 0 : static_cast<const DatesSectionState&>(*found->second).dates.size();
}

}  // namespace

// Between the follow-ups (40) and the class (50): the dates are where return visits come from. Its button reads the
// registry's label key (重要日期); the Str is what it would read without one.
extern const CustomerSection k_dates_section = {kSectionId, Str::Anniversary, DateCount, LoadDatesSection, DrawDatesSection,
                                                TableBits({"customer_dates"}), 45, "customer_dates"};

}  // namespace crm::ui
