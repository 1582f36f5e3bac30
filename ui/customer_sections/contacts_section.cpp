#include "ui/customer_sections/contacts_section.h"

#include <algorithm>

#include "core/table_changes.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/customer_sections.h"
#include "ui/errors.h"
#include "ui/labels.h"
#include "ui/refusals.h"

namespace crm::ui {

using customer_detail::Report;

namespace {

void OpenContactForm(ContactsSectionState& d, const Contact* contact) {
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
  ContactFormState& form = d.contacts.contact;
  form.nameError.clear();
  form.phoneError.clear();
  form.emailError.clear();
  form.birthdayError.clear();
  form.error.clear();
  ContactInput input;
  input.name = form.name;
  input.role = ValueAt(AllContactRoles(), form.role);
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
  ContactFormState& form = state.detail.contacts.contact;
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

}  // namespace

void LoadContactsSection(AppState& state, CustomerDetailState& detail) {
  if (auto contacts = ContactsOf(*state.db, detail.customerId)) detail.contacts.contacts = std::move(contacts).Value();
  else detail.error = DescribeError(state.lang, contacts.GetError());
}

void DrawContactsSection(AppState& state, CustomerDetailState& detail) {
  ContactsSectionState& d = detail.contacts;
  Lang lang = state.lang;
  const std::string refusal = customer_detail::EditRefusal(state);
  if (!d.contact.open) {
    std::string add = Label(lang, Str::AddContact, "add_contact");
    if (ActionButton(add.c_str(), refusal)) OpenContactForm(d, nullptr);
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
    if (ActionButton(edit.c_str(), refusal)) OpenContactForm(d, &contact);
    ImGui::SameLine();
    std::string remove = Label(lang, Str::Remove, ("remove_contact_" + f.name).c_str());
    if (ActionButton(remove.c_str(), refusal)) Report(state, TrashContact(*state.db, contact.id, state.actor), Str::ContactRemoved);
    ImGui::PopID();
  }
}

namespace {
size_t ContactCount(const CustomerDetailState& d) { return d.contacts.contacts.size(); }
}  // namespace

extern const CustomerSection k_contacts_section = {"contacts", Str::Contacts, ContactCount, LoadContactsSection, DrawContactsSection, TableBits({"contacts"}), 20};

}  // namespace crm::ui
