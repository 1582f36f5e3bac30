#include "ui/customers_screen.h"

#include <algorithm>
#include <cstdio>

#include "imgui.h"
#include "imgui_stdlib.h"
#include "ui/app_state.h"
#include "ui/widgets.h"

namespace crm::ui {

namespace {

constexpr CustomerKind kKinds[] = {CustomerKind::Dealer,     CustomerKind::SubDistributor,    CustomerKind::Consumer,
                                   CustomerKind::Designer,   CustomerKind::Contractor,        CustomerKind::DecorationCompany,
                                   CustomerKind::Industrial, CustomerKind::Other};
constexpr Str kKindLabels[] = {Str::KindDealer,     Str::KindSubDistributor, Str::KindConsumer,   Str::KindDesigner,
                               Str::KindContractor, Str::KindDecorationCompany, Str::KindIndustrial, Str::KindOther};
// The list reads one page; core search (another issue) replaces the in-memory filter below.
constexpr int kPageSize = 500;

void Reload(AppState& state) {
  CustomersScreenState& screen = state.customers;
  screen.stale = false;
  CustomerQuery query;
  query.limit = kPageSize;
  auto page = ListCustomers(*state.db, query);
  if (!page) {
    screen.loadError = page.Message();
    return;
  }
  screen.loadError.clear();
  screen.rows = std::move(page.Value().rows);
  screen.total = page.Value().total;
}

bool Matches(const CustomerRow& row, const std::string& search) {
  if (search.empty()) return true;
  return row.name.find(search) != std::string::npos || row.phone.find(search) != std::string::npos ||
         row.city.find(search) != std::string::npos;
}

void OpenForm(AppState& state) {
  NewCustomerForm& form = state.customers.form;
  form = NewCustomerForm{};
  form.open = true;
  form.focusName = true;
}

// Core messages name the field first ("phone: …"); the error goes under that field.
void ShowError(AppState& state, const std::string& message) {
  NewCustomerForm& form = state.customers.form;
  std::string text = FieldErrorText(state.lang, message);
  if (message.rfind("name", 0) == 0) form.nameError = text;
  else if (message.rfind("phone", 0) == 0) form.phoneError = text;
  else if (message.rfind("city", 0) == 0 || message.rfind("address", 0) == 0) form.cityError = text;
  else form.formError = message;
}

void SaveForm(AppState& state) {
  NewCustomerForm& form = state.customers.form;
  form.nameError.clear();
  form.phoneError.clear();
  form.cityError.clear();
  form.formError.clear();
  CustomerInput input;
  input.name = form.name;
  input.kind = kKinds[std::clamp(form.kind, 0, static_cast<int>(std::size(kKinds)) - 1)];
  if (!form.phone.empty()) input.phones = {form.phone};
  input.address.city = form.city;
  auto created = CreateCustomer(*state.db, input, state.actor);
  if (!created) {
    ShowError(state, created.Message());
    return;
  }
  state.customers.lastCreatedId = created.Value();
  form.open = false;
  AfterCommit(state);
}

void DrawForm(AppState& state) {
  NewCustomerForm& form = state.customers.form;
  if (!form.open) return;
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(viewport->WorkPos.x + viewport->WorkSize.x / 2, viewport->WorkPos.y + viewport->WorkSize.y * 0.08f),
                          ImGuiCond_Always, ImVec2(0.5f, 0.0f));
  ImGui::SetNextWindowSize(ImVec2(std::min(viewport->WorkSize.x * 0.92f, ImGui::GetFontSize() * 30), 0), ImGuiCond_Always);
  std::string title = std::string(Tr(state.lang, Str::NewCustomer)) + "###new_customer_window";
  bool open = true;
  ImGui::Begin(title.c_str(), &open, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove |
                                         ImGuiWindowFlags_AlwaysAutoResize);
  if (form.focusName) ImGui::SetWindowFocus();
  FieldOptions nameOptions;
  nameOptions.focus = form.focusName;
  form.focusName = false;
  TextField(Tr(state.lang, Str::CustomerName), "customer_name", form.name, form.nameError, nameOptions);
  ImGui::TextUnformatted(Tr(state.lang, Str::Kind));
  const char* labels[std::size(kKinds)];
  std::string ids[std::size(kKinds)];
  const char* idPointers[std::size(kKinds)];
  for (size_t i = 0; i < std::size(kKinds); i++) {
    labels[i] = Tr(state.lang, kKindLabels[i]);
    ids[i] = std::string("kind_") + Code(kKinds[i]);
    idPointers[i] = ids[i].c_str();
  }
  int clicked = ChoiceButtons(labels, idPointers, static_cast<int>(std::size(kKinds)), form.kind);
  if (clicked >= 0) form.kind = clicked;
  TextField(Tr(state.lang, Str::Phone), "customer_phone", form.phone, form.phoneError);
  TextField(Tr(state.lang, Str::City), "customer_city", form.city, form.cityError);
  ImGui::Spacing();
  std::string save = std::string(Tr(state.lang, Str::Save)) + "###save_customer";
  if (PrimaryButton(save.c_str())) SaveForm(state);
  ImGui::SameLine();
  std::string cancel = std::string(Tr(state.lang, Str::Cancel)) + "###cancel_customer";
  if (ImGui::Button(cancel.c_str())) open = false;
  if (!form.formError.empty()) ErrorText(form.formError);
  ImGui::End();
  if (!open) form.open = false;
}

}  // namespace

void HandleCustomerShortcuts(AppState& state) {
  CustomersScreenState& screen = state.customers;
  ImGuiIO& io = ImGui::GetIO();
  // Esc closes the form even while one of its fields has the keyboard.
  if (screen.form.open && ImGui::IsKeyPressed(ImGuiKey_Escape, false)) {
    screen.form.open = false;
    return;
  }
  if (ImGui::IsKeyChordPressed(ImGuiMod_Ctrl | ImGuiKey_N)) {
    OpenForm(state);
    return;
  }
  // '/' only when no field has the keyboard: inside a field it is a character.
  if (!io.WantTextInput && !screen.form.open && !state.people.open && ImGui::IsKeyPressed(ImGuiKey_Slash, false)) {
    screen.focusSearch = true;
  }
}

void DrawCustomers(AppState& state) {
  CustomersScreenState& screen = state.customers;
  if (screen.stale) Reload(state);
  bool tablet = state.layout == Layout::Tablet;

  ImGui::SeparatorText(Tr(state.lang, Str::Customers));
  std::string newLabel = std::string(Tr(state.lang, Str::NewCustomer)) + (tablet ? "" : "  Ctrl+N") + "###new_customer";
  float newWidth = ImGui::CalcTextSize(newLabel.c_str(), nullptr, true).x + ImGui::GetStyle().FramePadding.x * 2;
  // The search field takes what the button leaves.
  if (screen.focusSearch) {
    ImGui::SetKeyboardFocusHere();
    screen.focusSearch = false;
  }
  NoteText(screen.search);
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - newWidth - ImGui::GetStyle().ItemSpacing.x);
  ImGui::InputTextWithHint("##search", Tr(state.lang, Str::SearchHint), &screen.search);
  ImGui::SameLine();
  if (PrimaryButton(newLabel.c_str())) OpenForm(state);
  if (!tablet) ImGui::TextDisabled("%s", Tr(state.lang, Str::Shortcuts));
  if (!screen.loadError.empty()) ErrorText(screen.loadError);

  std::vector<const CustomerRow*> shown;
  for (const CustomerRow& row : screen.rows) {
    if (Matches(row, screen.search)) shown.push_back(&row);
  }
  char count[96];
  std::snprintf(count, sizeof count, Tr(state.lang, Str::ShownOf), static_cast<int>(shown.size()), static_cast<int>(screen.total));
  ImGui::TextDisabled("%s", count);

  // Rows are tall on a tablet: a finger needs about 48 CSS px.
  float rowHeight = ImGui::GetTextLineHeight() * 2.2f + ImGui::GetStyle().FramePadding.y * (tablet ? 1.4f : 2.0f) +
                    ImGui::GetStyle().ItemSpacing.y;
  ImGui::BeginChild("##customer_list", ImVec2(0, 0), ImGuiChildFlags_Border);
  TouchScroll(screen.scroll, tablet);
  if (shown.empty()) ImGui::TextDisabled("%s", Tr(state.lang, screen.rows.empty() ? Str::NoCustomers : Str::NoMatches));
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(shown.size()), rowHeight);
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; i++) {
      const CustomerRow& row = *shown[static_cast<size_t>(i)];
      ImGui::PushID(static_cast<int>(row.id ^ (row.id >> 32)));
      ImVec2 start = ImGui::GetCursorScreenPos();
      std::string rowLabel = "##row_" + row.name;
      ImGui::Selectable(rowLabel.c_str(), row.id == screen.lastCreatedId, ImGuiSelectableFlags_None,
                        ImVec2(0, rowHeight - ImGui::GetStyle().ItemSpacing.y));
      // The row's two lines are drawn over the selectable, not laid out as items: one item per row keeps
      // the clipper's arithmetic exact and the whole row one touch target.
      std::string detail = row.phone;
      if (!row.city.empty()) detail += (detail.empty() ? "" : "  ·  ") + row.city;
      std::string owner = row.ownerId ? row.ownerName : std::string(Tr(state.lang, Str::PublicPool));
      detail += (detail.empty() ? "" : "  ·  ") + std::string(Tr(state.lang, Str::Owner)) + ": " + owner;
      NoteText(row.name);
      NoteText(detail);
      ImDrawList* draw = ImGui::GetWindowDrawList();
      float padX = ImGui::GetStyle().FramePadding.x;
      float line = ImGui::GetTextLineHeight();
      float top = start.y + (rowHeight - ImGui::GetStyle().ItemSpacing.y - line * 2.1f) / 2;
      draw->AddText(ImVec2(start.x + padX, top), ImGui::GetColorU32(ImGuiCol_Text), row.name.c_str());
      draw->AddText(ImVec2(start.x + padX, top + line * 1.1f), ImGui::GetColorU32(ImGuiCol_TextDisabled), detail.c_str());
      ImGui::PopID();
    }
  }
  screen.scrollY = ImGui::GetScrollY();
  screen.scrollMaxY = ImGui::GetScrollMaxY();
  ImGui::EndChild();
  DrawForm(state);
}

}  // namespace crm::ui
