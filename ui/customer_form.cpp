#include "ui/customer_form.h"

#include <algorithm>

#include "core/customers.h"
#include "core/handover.h"
#include "core/ownership.h"
#include "core/text.h"
#include "imgui.h"
#include "imgui_stdlib.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/keyed_text.h"
#include "ui/labels.h"
#include "ui/widgets.h"

namespace crm::ui {

// [SECTION] field errors
// [SECTION] reading and writing the form
// [SECTION] duplicates
// [SECTION] drawing

namespace {

// ---------------------------------------------------------------------------
// [SECTION] field errors

// Core's field ids (Error::field) and the form field each error goes under.
struct FieldOfError {
  const char* id;
  FormField field;
};
constexpr FieldOfError kFieldIds[] = {
    {"name", FormField::Name},         {"phone", FormField::Phones},        {"city", FormField::City},
    {"kind", FormField::Kind},         {"grade", FormField::Grade},         {"province", FormField::Province},
    {"district", FormField::District}, {"street", FormField::Street},       {"industry", FormField::Industry},
    {"scale", FormField::Scale},       {"brands", FormField::Brands},       {"source", FormField::Source},
    {"credit", FormField::Credit},     {"birthday", FormField::Birthday},   {"anniversary", FormField::Anniversary},
    {"preferences", FormField::Preferences}, {"tags", FormField::Tags},     {"notes", FormField::Notes},
};

std::string& ErrorOf(CustomerFormState& form, FormField field) { return form.errors[static_cast<int>(field)]; }

void ClearErrors(CustomerFormState& form) {
  for (std::string& error : form.errors) error.clear();
  for (std::string& error : form.customErrors) error.clear();
  form.formError.clear();
}

void ShowFormError(AppState& state, const Error& error) {
  CustomerFormState& form = state.form;
  std::string text = DescribeError(state.lang, error);
  for (const FieldOfError& entry : kFieldIds) {
    if (error.field == entry.id) {
      ErrorOf(form, entry.field) = std::move(text);
      return;
    }
  }
  for (size_t i = 0; i < form.fields.size() && i < form.customErrors.size(); i++) {
    if (error.field == CustomFieldId(form.fields[i])) {
      form.customErrors[i] = std::move(text);
      return;
    }
  }
  form.formError = std::move(text);
}

// ---------------------------------------------------------------------------
// [SECTION] reading and writing the form

// "a / b, c" → {"a", "b", "c"}: phones and tags are typed in one field each.
std::vector<std::string> SplitList(const std::string& text, bool spacesSplit) {
  std::vector<std::string> out;
  std::string current;
  auto flush = [&] {
    std::string trimmed = Trim(current);
    if (!trimmed.empty()) out.push_back(trimmed);
    current.clear();
  };
  const char* separators[] = {"/", ",", ";", "\n", "，", "、", "；"};
  for (size_t i = 0; i < text.size();) {
    bool split = false;
    for (const char* sep : separators) {
      size_t length = std::char_traits<char>::length(sep);
      if (text.compare(i, length, sep) == 0) {
        flush();
        i += length;
        split = true;
        break;
      }
    }
    if (split) continue;
    if (spacesSplit && text[i] == ' ') {
      flush();
      i++;
      continue;
    }
    current += text[i++];
  }
  flush();
  return out;
}

std::string JoinList(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

CustomerInput ReadForm(const CustomerFormState& form) {
  CustomerInput input;
  input.name = form.name;
  input.phones = SplitList(form.phones, false);
  input.address = {form.province, form.city, form.district, form.street};
  input.kind = ValueAt(AllKinds(), form.kind);
  input.grade = ValueAt(AllGrades(), form.grade);
  input.source = ValueAt(AllSources(), form.source);
  input.credit = ValueAt(AllCredits(), form.credit);
  input.industry = form.industry;
  input.scale = form.scale;
  input.brands = form.brands;
  input.birthday = form.birthday;
  input.anniversary = form.anniversary;
  input.preferences = form.preferences;
  input.notes = form.notes;
  input.tags = SplitList(form.tags, false);
  for (size_t i = 0; i < form.fields.size() && i < form.customValues.size(); i++) {
    // An empty optional field is left out; a required one goes to core, which names it.
    if (!Trim(form.customValues[i]).empty() || form.fields[i].required) input.custom.emplace_back(form.fields[i].id, form.customValues[i]);
  }
  input.toPool = form.toPool;
  return input;
}

void LoadCustomFields(AppState& state) {
  CustomerFormState& form = state.form;
  auto fields = ListCustomFields(*state.db);
  form.fields = fields ? std::move(fields).Value() : std::vector<CustomField>();
  if (!fields) form.formError = DescribeError(state.lang, fields.GetError());
  form.customValues.assign(form.fields.size(), "");
  form.customErrors.assign(form.fields.size(), "");
}

void CheckDuplicatesNow(AppState& state);

void Save(AppState& state) {
  CustomerFormState& form = state.form;
  ClearErrors(form);
  // A save pressed inside the typing pause must judge the duplicates of what is typed now, not of a moment ago;
  // otherwise the late check would withdraw the "save anyway" question the user is about to answer.
  CheckDuplicatesNow(state);
  CustomerInput input = ReadForm(form);
  // Validation first, so a wrong field is named before anyone is asked about duplicates; every wrong field at once.
  auto problems = CheckCustomerInput(*state.db, input, nullptr);
  if (!problems) {
    ShowFormError(state, problems.GetError());
    return;
  }
  if (!problems.Value().empty()) {
    for (const Error& problem : problems.Value()) ShowFormError(state, problem);
    return;
  }
  if (!form.duplicates.empty() && !form.duplicatesConfirm) {
    form.duplicatesConfirm = true;
    return;
  }
  if (form.editingId) {
    Status updated = UpdateCustomer(*state.db, form.editingId, input, state.actor);
    if (!updated) {
      ShowFormError(state, updated.GetError());
      return;
    }
  } else {
    auto created = CreateCustomer(*state.db, input, state.actor);
    if (!created) {
      ShowFormError(state, created.GetError());
      return;
    }
    state.customers.lastCreatedId = created.Value();
    state.customers.list.highlightId = created.Value();
  }
  form.open = false;
  AfterCommit(state);
}

// ---------------------------------------------------------------------------
// [SECTION] duplicates

std::string DuplicateKey(const CustomerFormState& form) { return form.name + "\x1f" + form.phones + "\x1f" + form.city; }

// Asks core who this might already be, unless the answer for exactly this input is already shown.
void CheckDuplicatesNow(AppState& state) {
  CustomerFormState& form = state.form;
  std::string key = DuplicateKey(form);
  if (key == form.checkedKey) return;
  form.checkedKey = key;
  form.duplicatesConfirm = false;
  form.handOverFor = 0;  // the list is asked anew: a request is asked from what it shows
  CustomerInput input = ReadForm(form);
  if (Trim(input.name).empty() && input.phones.empty()) {
    form.duplicates.clear();
    return;
  }
  auto found = FindDuplicates(*state.db, input, form.editingId ? std::optional<int64_t>(form.editingId) : std::nullopt, 5);
  form.duplicates = found ? std::move(found).Value() : std::vector<DuplicateCandidate>();
}

// Waits for a pause in typing before asking, so the list does not flicker with every character.
void CheckDuplicates(AppState& state) {
  if (DuplicateKey(state.form) == state.form.checkedKey) return;
  if (state.nowMs - state.form.typedAtMs < 250) return;
  CheckDuplicatesNow(state);
}

const char* ReasonText(Lang lang, const DuplicateCandidate& candidate) {
  switch (candidate.reason) {
    case DuplicateReason::SamePhone: return Tr(lang, Str::DupSamePhone);
    case DuplicateReason::SameName: return Tr(lang, Str::DupSameName);
    case DuplicateReason::SimilarName: return Tr(lang, Str::DupSimilarName);
  }
  return "";
}

// Whose the candidate is, in words: the pool (which a rep may claim), or its owner; one this device does not hold
// is "already a customer of 张三".
std::string HolderText(Lang lang, const DuplicateCandidate& d) {
  if (!d.ownerId) return d.inTrash ? Tr(lang, Str::PublicPool) : TrKeyWith(lang, "handover.in_pool", "");
  if (d.elsewhere) return TrKeyWith(lang, "handover.customer_of", d.ownerName);
  return d.ownerName;
}

void SendHandOver(AppState& state, const DuplicateCandidate& d) {
  CustomerFormState& form = state.form;
  auto asked = RequestHandOver(*state.db, d.id, form.handOverNote, state.actor);
  if (!asked) {
    form.handOverError = DescribeError(state.lang, asked.GetError());
    return;
  }
  form.handOverError.clear();
  form.handOverSent = TrKeyWith(state.lang, "handover.sent", d.ownerName);
  form.handOverFor = 0;
  form.handOverNote.clear();
  AfterCommit(state);
}

// The note and the send button under the candidate being asked for.
void DrawHandOverRequest(AppState& state, const DuplicateCandidate& d) {
  CustomerFormState& form = state.form;
  TextField(TrKeyWith(state.lang, "handover.note", "").c_str(), "handover_note", form.handOverNote, form.handOverError);
  if (PrimaryButton(Label(TrKeyWith(state.lang, "handover.send", ""), "handover_send").c_str())) SendHandOver(state, d);
}

void DrawDuplicates(AppState& state) {
  CustomerFormState& form = state.form;
  if (form.duplicates.empty()) return;
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(1.0f, 0.95f, 0.82f, 1.0f));
  ImGui::BeginChild("##duplicates", ImVec2(0, 0), ImGuiChildFlags_AlwaysUseWindowPadding | ImGuiChildFlags_AutoResizeY,
                    ImGuiWindowFlags_NavFlattened);
  WarningText(Tr(state.lang, form.duplicatesConfirm ? Str::DupConfirm : Str::DupWarning));
  for (size_t i = 0; i < form.duplicates.size(); i++) {
    const DuplicateCandidate& d = form.duplicates[i];
    std::string line = d.name;
    if (!d.phone.empty()) line += "  ·  " + d.phone;
    if (!d.city.empty()) line += "  ·  " + d.city;
    line += "  ·  " + HolderText(state.lang, d);
    line += "  ·  " + std::string(ReasonText(state.lang, d));
    if (d.reason == DuplicateReason::SamePhone && !d.matchedPhone.empty()) line += " " + d.matchedPhone;
    if (d.inTrash) line += "  ·  " + std::string(Tr(state.lang, Str::InTrash));
    // The button first, so a long line never pushes it out of the dialog. One this device does not hold cannot
    // be opened here: its owner's supervisor may hand it over instead.
    const std::string index = std::to_string(i);
    bool open = false, ask = false, claim = false;
    if (d.elsewhere) {
      ask = ImGui::Button(Label(TrKeyWith(state.lang, "handover.ask", ""), "handover_ask_" + index).c_str());
    } else {
      open = ImGui::Button(Label(Tr(state.lang, Str::OpenExisting), "open_existing_" + index).c_str());
      if (!d.ownerId && !d.inTrash) {
        ImGui::SameLine();
        claim = ImGui::Button(Label(Tr(state.lang, Str::Claim), "dup_claim_" + index).c_str());
      }
    }
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    NoteText(line);
    ImGui::TextWrapped("%s", line.c_str());
    if (ask) {
      form.handOverFor = d.id;
      form.handOverError.clear();
      form.handOverSent.clear();
    }
    if (d.elsewhere && form.handOverFor == d.id) DrawHandOverRequest(state, d);
    if (claim) {
      Status claimed = ClaimCustomer(*state.db, d.id, state.actor);
      if (!claimed) {
        form.formError = DescribeError(state.lang, claimed.GetError());
        break;
      }
      AfterCommit(state);
      open = true;
    }
    if (open) {
      int64_t id = d.id;
      form.open = false;
      if (d.inTrash) {
        GoToPage(state, Page::Trash);
      } else {
        OpenCustomer(state, id);
      }
      break;
    }
  }
  if (!form.handOverSent.empty()) SuccessText(form.handOverSent);
  if (form.duplicatesConfirm) {
    std::string anyway = Label(state.lang, Str::SaveAnyway, "save_anyway");
    if (ImGui::Button(anyway.c_str())) Save(state);
  }
  ImGui::EndChild();
  ImGui::PopStyleColor();
}

// ---------------------------------------------------------------------------
// [SECTION] drawing

// A text field whose edits restart the duplicate check's pause.
void Field(AppState& state, Str label, const char* id, std::string& value, FormField field, const FieldOptions& options = {}) {
  if (TextField(Tr(state.lang, label), id, value, ErrorOf(state.form, field), options)) state.form.typedAtMs = state.nowMs;
}

void Choices(AppState& state, Str label, const char* idPrefix, const std::vector<std::string>& labels,
             const std::vector<std::string>& ids, int& selected, FormField field) {
  ImGui::TextUnformatted(Tr(state.lang, label));
  int clicked = ChoiceButtons(labels, idPrefix, ids, selected);
  if (clicked >= 0) selected = clicked;
  const std::string& error = ErrorOf(state.form, field);
  if (!error.empty()) ErrorText(error);
}

template <class E>
std::vector<std::string> Codes(const std::vector<E>& values) {
  std::vector<std::string> out;
  for (E value : values) out.emplace_back(Code(value));
  return out;
}

void DrawFields(AppState& state) {
  CustomerFormState& form = state.form;
  FieldOptions nameOptions;
  nameOptions.focusRequest = &form.focusName;
  Field(state, Str::CustomerName, "customer_name", form.name, FormField::Name, nameOptions);
  FieldOptions phoneOptions;
  phoneOptions.hint = Tr(state.lang, Str::PhonesHint);
  Field(state, Str::Phone, "customer_phone", form.phones, FormField::Phones, phoneOptions);
  Field(state, Str::City, "customer_city", form.city, FormField::City);
  Choices(state, Str::Kind, "kind_", LabelsOf(state.lang, AllKinds()), Codes(AllKinds()), form.kind, FormField::Kind);
  if (!form.editingId) {
    // Class and owner change later through their own audited steps (detail: class, ownership).
    std::vector<std::string> grades;
    for (Grade grade : AllGrades()) grades.emplace_back(GradeLabel(grade));
    Choices(state, Str::Grade, "form_grade_", grades, Codes(AllGrades()), form.grade, FormField::Grade);
    std::string pool = Label(state.lang, Str::CreateInPool, "form_to_pool");
    ImGui::Checkbox(pool.c_str(), &form.toPool);
  }
  ImGui::SeparatorText(Tr(state.lang, Str::MoreDetails));
  Field(state, Str::Province, "customer_province", form.province, FormField::Province);
  Field(state, Str::District, "customer_district", form.district, FormField::District);
  Field(state, Str::Street, "customer_street", form.street, FormField::Street);
  Field(state, Str::Industry, "customer_industry", form.industry, FormField::Industry);
  Field(state, Str::Scale, "customer_scale", form.scale, FormField::Scale);
  Field(state, Str::Brands, "customer_brands", form.brands, FormField::Brands);
  Choices(state, Str::SourceLabel, "source_", LabelsOf(state.lang, AllSources()), Codes(AllSources()), form.source, FormField::Source);
  Choices(state, Str::CreditLabel, "credit_", LabelsOf(state.lang, AllCredits()), Codes(AllCredits()), form.credit, FormField::Credit);
  FieldOptions dateOptions;
  dateOptions.hint = Tr(state.lang, Str::DateHint);
  Field(state, Str::Birthday, "customer_birthday", form.birthday, FormField::Birthday, dateOptions);
  Field(state, Str::Anniversary, "customer_anniversary", form.anniversary, FormField::Anniversary, dateOptions);
  FieldOptions tagOptions;
  tagOptions.hint = Tr(state.lang, Str::TagsHint);
  Field(state, Str::Tags, "customer_tags", form.tags, FormField::Tags, tagOptions);
  TextAreaField(Tr(state.lang, Str::Preferences), "customer_preferences", form.preferences, ErrorOf(form, FormField::Preferences), 2);
  TextAreaField(Tr(state.lang, Str::Notes), "customer_notes", form.notes, ErrorOf(form, FormField::Notes), 3);
  if (!form.fields.empty()) ImGui::SeparatorText(Tr(state.lang, Str::CustomFields));
  for (size_t i = 0; i < form.fields.size(); i++) {
    const CustomField& field = form.fields[i];
    std::string label = field.label + (field.required ? " *" : "");
    NoteText(label);
    std::string id = "custom_" + field.key;
    if (field.type == FieldType::Choice) {
      ImGui::TextUnformatted(label.c_str());
      int selected = -1;
      for (size_t c = 0; c < field.choices.size(); c++) {
        if (field.choices[c] == form.customValues[i]) selected = static_cast<int>(c);
      }
      int clicked = ChoiceButtons(field.choices, id + "_", {}, selected);
      if (clicked >= 0) form.customValues[i] = clicked == selected ? "" : field.choices[static_cast<size_t>(clicked)];
      if (!form.customErrors[i].empty()) ErrorText(form.customErrors[i]);
    } else {
      FieldOptions options;
      if (field.type == FieldType::Date) options.hint = Tr(state.lang, Str::DateHint);
      TextField(label.c_str(), id.c_str(), form.customValues[i], form.customErrors[i], options);
    }
  }
}

}  // namespace

const std::string& FormError(const CustomerFormState& form, FormField field) { return form.errors[static_cast<int>(field)]; }

void OpenNewCustomerForm(AppState& state) {
  state.form = CustomerFormState{};
  state.form.open = true;
  state.form.focusName = true;
  state.form.kind = IndexOf(AllKinds(), CustomerKind::Other);
  LoadCustomFields(state);
}

void OpenEditCustomerForm(AppState& state, int64_t customerId) {
  auto loaded = GetCustomer(*state.db, customerId);
  if (!loaded) {
    state.detail.error = DescribeError(state.lang, loaded.GetError());
    return;
  }
  const Customer& c = loaded.Value();
  CustomerFormState& form = state.form;
  form = CustomerFormState{};
  form.open = true;
  form.focusName = true;
  form.editingId = customerId;
  const CustomerInput& f = c.fields;
  form.name = f.name;
  form.phones = JoinList(f.phones, " / ");
  form.city = f.address.city;
  form.province = f.address.province;
  form.district = f.address.district;
  form.street = f.address.street;
  form.industry = f.industry;
  form.scale = f.scale;
  form.brands = f.brands;
  form.birthday = f.birthday;
  form.anniversary = f.anniversary;
  form.preferences = f.preferences;
  form.notes = f.notes;
  form.tags = JoinList(f.tags, "、");
  form.kind = IndexOf(AllKinds(), f.kind);
  form.grade = IndexOf(AllGrades(), c.grade);
  form.source = IndexOf(AllSources(), f.source);
  form.credit = IndexOf(AllCredits(), f.credit);
  LoadCustomFields(state);
  for (const auto& [fieldId, value] : f.custom) {
    for (size_t i = 0; i < form.fields.size(); i++) {
      if (form.fields[i].id == fieldId) form.customValues[i] = value;
    }
  }
  // What is stored is not a duplicate of itself; only edits are checked.
  form.checkedKey = form.name + "\x1f" + form.phones + "\x1f" + form.city;
}

void DrawCustomerForm(AppState& state) {
  CustomerFormState& form = state.form;
  if (!form.open) return;
  CheckDuplicates(state);
  bool open = true;
  std::string title = Label(state.lang, form.editingId ? Str::EditCustomer : Str::NewCustomer, "new_customer_window");
  if (BeginDialog(title, state.layout == Layout::Tablet ? nullptr : &open, 36, 0.9f)) {
    // The fields scroll; the duplicates, errors and buttons stay in sight under them.
    float footer = DialogFooterHeight() + (form.formError.empty() ? 0 : ImGui::GetTextLineHeightWithSpacing() * 2);
    if (!form.duplicates.empty()) footer += ImGui::GetFrameHeightWithSpacing() * (static_cast<float>(form.duplicates.size()) + 2.2f);
    // A hand-over being asked for: its note (label and field) and its button; or the confirmation once asked.
    if (form.handOverFor != 0) footer += ImGui::GetFrameHeightWithSpacing() * 3;
    if (!form.handOverSent.empty()) footer += ImGui::GetTextLineHeightWithSpacing() * 2;
    ImGui::BeginChild("##form_fields", ImVec2(0, -footer), ImGuiChildFlags_None, ImGuiWindowFlags_NavFlattened);
    DrawFields(state);
    ImGui::EndChild();
    DrawDuplicates(state);
    if (!form.formError.empty()) ErrorText(form.formError);
    std::string save = Label(state.lang, Str::Save, "save_customer");
    if (PrimaryButton(save.c_str())) Save(state);
    ImGui::SameLine();
    std::string cancel = Label(state.lang, Str::Cancel, "cancel_customer");
    if (ImGui::Button(cancel.c_str())) open = false;
  }
  EndDialog();
  if (!open) form.open = false;
}

}  // namespace crm::ui
