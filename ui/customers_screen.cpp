#include "ui/customers_screen.h"

#include <algorithm>
#include <cstdio>

#include "imgui.h"
#include "imgui_stdlib.h"
#include "ui/app_state.h"
#include "ui/labels.h"
#include "ui/widgets.h"

namespace crm::ui {

namespace {

// Typing pauses this long before the list asks core again: each keystroke must not be a query over the book.
constexpr int64_t kSearchPauseMs = 200;

// No "next follow-up" order here: core computes it per customer and sorts the whole book (about 100 ms at
// 100k customers in the browser), too slow for a frame; the agenda (回访) is the list in due order, and the
// follow-up filter narrows this list to overdue, today or this week.
constexpr CustomerSort kSorts[] = {CustomerSort::UpdatedAt, CustomerSort::Name, CustomerSort::LastActivity, CustomerSort::Grade,
                                   CustomerSort::CreatedAt};
constexpr Str kSortLabels[] = {Str::SortUpdated, Str::SortName, Str::SortLastContact, Str::SortGrade, Str::SortCreated};
constexpr FollowupFilter kFollowups[] = {FollowupFilter::Any, FollowupFilter::Overdue, FollowupFilter::DueToday,
                                         FollowupFilter::DueThisWeek, FollowupFilter::NoPlan};
constexpr Str kFollowupLabels[] = {Str::FilterAny, Str::DueOverdue, Str::DueToday, Str::DueThisWeek, Str::NoPlan};

std::vector<std::string> OwnerChoices(const AppState& state) {
  std::vector<std::string> items = {Tr(state.lang, Str::FilterAny), Tr(state.lang, Str::Mine), Tr(state.lang, Str::PublicPool)};
  for (const User& user : state.users) items.push_back(user.name);
  return items;
}

// The screen's choices as a core query.
void BuildQuery(AppState& state) {
  CustomersScreenState& screen = state.customers;
  CustomerQuery& q = screen.list.query;
  q = CustomerQuery{};
  screen.list.readsTables = PageReads(Page::Customers);
  if (screen.grade > 0) q.grade = AllGrades()[static_cast<size_t>(screen.grade - 1)];
  if (screen.stage > 0) q.stage = AllStages()[static_cast<size_t>(screen.stage - 1)];
  if (screen.owner == 1) q.ownerId = state.actor.userId;
  if (screen.owner == 2) q.poolOnly = true;
  if (screen.owner >= 3 && static_cast<size_t>(screen.owner - 3) < state.users.size()) {
    q.ownerId = state.users[static_cast<size_t>(screen.owner - 3)].id;
  }
  q.followup = kFollowups[std::clamp(screen.followup, 0, static_cast<int>(std::size(kFollowups)) - 1)];
  q.tag = screen.tag;
  q.search = screen.appliedSearch;
  q.sort = kSorts[std::clamp(screen.sort, 0, static_cast<int>(std::size(kSorts)) - 1)];
  q.descending = !screen.ascending;
}

bool Filtered(const CustomersScreenState& screen) {
  return screen.grade || screen.stage || screen.owner || screen.followup || !screen.tag.empty();
}

void DrawFilters(AppState& state) {
  CustomersScreenState& screen = state.customers;
  Lang lang = state.lang;
  std::vector<std::string> grades = {Tr(lang, Str::FilterAny), "A", "B", "C", "D"};
  auto sameLineIfFits = [](float width) {
    float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width <= right) ImGui::SameLine();
  };
  auto menuWidth = [](const std::string& text) { return ImGui::CalcTextSize(text.c_str()).x + ImGui::GetFontSize() * 3; };
  int picked = ChoiceMenu("filter_grade", Tr(lang, Str::Grade), grades, screen.grade);
  if (picked >= 0) screen.grade = picked;
  std::vector<std::string> stages = {Tr(lang, Str::FilterAny)};
  for (const std::string& label : LabelsOf(lang, AllStages())) stages.push_back(label);
  sameLineIfFits(menuWidth(std::string(Tr(lang, Str::Stage)) + stages[static_cast<size_t>(screen.stage)]));
  if ((picked = ChoiceMenu("filter_stage", Tr(lang, Str::Stage), stages, screen.stage)) >= 0) screen.stage = picked;
  std::vector<std::string> owners = OwnerChoices(state);
  screen.owner = std::clamp(screen.owner, 0, static_cast<int>(owners.size()) - 1);
  sameLineIfFits(menuWidth(std::string(Tr(lang, Str::Owner)) + owners[static_cast<size_t>(screen.owner)]));
  if ((picked = ChoiceMenu("filter_owner", Tr(lang, Str::Owner), owners, screen.owner)) >= 0) screen.owner = picked;
  std::vector<std::string> followups;
  for (Str label : kFollowupLabels) followups.emplace_back(Tr(lang, label));
  sameLineIfFits(menuWidth(std::string(Tr(lang, Str::Followup)) + followups[static_cast<size_t>(screen.followup)]));
  if ((picked = ChoiceMenu("filter_followup", Tr(lang, Str::Followup), followups, screen.followup)) >= 0) screen.followup = picked;
  std::vector<std::string> sorts;
  for (Str label : kSortLabels) sorts.emplace_back(Tr(lang, label));
  sameLineIfFits(menuWidth(std::string(Tr(lang, Str::Sort)) + sorts[static_cast<size_t>(screen.sort)]) +
                 ImGui::GetFrameHeight() * 2);
  if ((picked = ChoiceMenu("sort", Tr(lang, Str::Sort), sorts, screen.sort)) >= 0) screen.sort = picked;
  ImGui::SameLine(0, ImGui::GetStyle().ItemInnerSpacing.x);
  std::string direction = Label(Tr(lang, screen.ascending ? Str::Ascending : Str::Descending), "sort_direction");
  if (ImGui::Button(direction.c_str())) screen.ascending = !screen.ascending;
  float tagWidth = ImGui::GetFontSize() * 7;
  sameLineIfFits(tagWidth + ImGui::CalcTextSize(Tr(lang, Str::Tags)).x);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(Tr(lang, Str::Tags));
  ImGui::SameLine(0, ImGui::GetStyle().ItemInnerSpacing.x);
  ImGui::SetNextItemWidth(tagWidth);
  NoteText(screen.tag);
  ImGui::InputTextWithHint("##filter_tag", Tr(lang, Str::TagExact), &screen.tag);
  if (Filtered(screen)) {
    std::string clear = Label(lang, Str::ClearFilters, "clear_filters");
    sameLineIfFits(ImGui::CalcTextSize(clear.c_str(), nullptr, true).x + ImGui::GetFontSize());
    if (ImGui::Button(clear.c_str())) {
      screen.grade = screen.stage = screen.owner = screen.followup = 0;
      screen.tag.clear();
    }
  }
}

}  // namespace

void HandleShortcuts(AppState& state) {
  ImGuiIO& io = ImGui::GetIO();
  // Esc closes the topmost thing, even while one of its fields has the keyboard.
  if (ImGui::IsKeyPressed(ImGuiKey_Escape, false)) {
    if (state.form.open) {
      state.form.open = false;
      return;
    }
    if (state.visit.open) {
      state.visit.open = false;
      return;
    }
    if (state.merge.open) {
      state.merge.open = false;
      return;
    }
    if (state.people.open) return;  // the people window closes itself
    if (!io.WantTextInput && state.detail.customerId) {
      state.detail.customerId = 0;
      return;
    }
  }
  if (ImGui::IsKeyChordPressed(ImGuiMod_Ctrl | ImGuiKey_N)) {
    OpenNewCustomerForm(state);
    return;
  }
  // '/' only when no field has the keyboard: inside a field it is a character.
  bool dialog = state.form.open || state.visit.open || state.merge.open || state.people.open;
  if (!io.WantTextInput && !dialog && ImGui::IsKeyPressed(ImGuiKey_Slash, false)) {
    GoToPage(state, Page::Customers);
    state.customers.focusSearch = true;
  }
}

// No "press /" on a tablet: it has no keyboard to press it on.
const char* SearchHint(const AppState& state) {
  return Tr(state.lang, state.layout == Layout::Tablet ? Str::SearchHintTouch : Str::SearchHint);
}

void DrawCustomers(AppState& state) {
  CustomersScreenState& screen = state.customers;
  bool tablet = state.layout == Layout::Tablet;
  const ImGuiStyle& style = ImGui::GetStyle();

  std::string newLabel = Label(std::string(Tr(state.lang, Str::NewCustomer)) + (tablet ? "" : "  Ctrl+N"), "new_customer");
  std::string filtersLabel = Label(state.lang, Str::Filters, "toggle_filters");
  float newWidth = ImGui::CalcTextSize(newLabel.c_str(), nullptr, true).x + style.FramePadding.x * 2;
  float filtersWidth = tablet ? ImGui::CalcTextSize(filtersLabel.c_str(), nullptr, true).x + style.FramePadding.x * 2 + style.ItemSpacing.x : 0;
  if (screen.focusSearch && FocusNextItem()) screen.focusSearch = false;
  NoteText(screen.search);
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - newWidth - filtersWidth - style.ItemSpacing.x);
  NameNextItem(SearchHint(state));
  bool enter = ImGui::InputTextWithHint("##search", SearchHint(state), &screen.search,
                                        ImGuiInputTextFlags_EnterReturnsTrue);
  if (screen.search != screen.appliedSearch) {
    if (ImGui::IsItemEdited()) screen.searchChangedMs = state.nowMs;
    if (enter || state.nowMs - screen.searchChangedMs >= kSearchPauseMs) screen.appliedSearch = screen.search;
  }
  if (tablet) {
    ImGui::SameLine();
    if (ToggleButton(filtersLabel.c_str(), screen.showFilters || Filtered(screen))) screen.showFilters = !screen.showFilters;
  }
  ImGui::SameLine();
  if (PrimaryButton(newLabel.c_str())) OpenNewCustomerForm(state);
  // On a tablet the filters fold away: the list keeps the height a finger scrolls.
  if (!tablet || screen.showFilters) DrawFilters(state);
  BuildQuery(state);
  RefreshList(state, screen.list);
  char count[96];
  std::snprintf(count, sizeof count, Tr(state.lang, screen.list.moreBeyond ? Str::CustomersFoundMore : Str::CustomersFound),
                static_cast<long long>(screen.list.total));
  ImGui::TextDisabled("%s", count);
  if (!tablet) {
    ImGui::SameLine();
    ImGui::TextDisabled("  ·  %s", Tr(state.lang, Str::Shortcuts));
  }
  ListClick click = DrawCustomerList(state, screen.list, "##customer_list");
  if (click.openId) OpenCustomer(state, click.openId);
}

}  // namespace crm::ui
