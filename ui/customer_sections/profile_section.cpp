#include "ui/customer_sections/profile_section.h"

#include "core/ownership.h"
#include "core/table_changes.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/customer_sections.h"
#include "ui/labels.h"
#include "ui/refusals.h"

namespace crm::ui {

using customer_detail::Date;
using customer_detail::DateTime;
using customer_detail::Report;

namespace {

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

}  // namespace

void LoadProfileSection(AppState& state, CustomerDetailState& detail) {
  if (auto fields = ListCustomFields(*state.db)) detail.profile.customFields = std::move(fields).Value();
}

void DrawProfileSection(AppState& state, CustomerDetailState& detail) {
  ProfileSectionState& d = detail.profile;
  const Customer& c = *detail.customer;
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
  // A supervisor moves one customer to another rep (a whole rep's book moves on the pool page); others see the
  // hand-over greyed out with who may.
  if (!state.users.empty()) {
    ImGui::Spacing();
    const std::string refusal = customer_detail::ReassignRefusal(state);
    std::vector<std::string> names;
    for (const User& user : state.users) names.push_back(user.name);
    ImGui::BeginDisabled(!refusal.empty());
    int picked = ChoiceMenu("reassign_to", Tr(lang, Str::HandOverTo), names, d.reassignTo, Tr(lang, Str::PickOne));
    ImGui::EndDisabled();
    ExplainRefusal(refusal, "reassign_to");
    if (picked >= 0) d.reassignTo = picked;
    if (d.reassignTo >= 0 && refusal.empty()) {
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

extern const CustomerSection k_profile_section = {"profile", Str::Profile, nullptr, LoadProfileSection, DrawProfileSection, TableBits({"custom_fields"}), 10};

}  // namespace crm::ui
