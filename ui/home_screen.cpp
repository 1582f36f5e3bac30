#include "ui/home_screen.h"

#include "imgui.h"
#include "ui/app_state.h"
#include "ui/widgets.h"

namespace crm::ui {

namespace {
void AddSampleCustomer(AppState& state) {
  HomeScreenState& home = state.home;
  std::string name = std::string(Tr(state.lang, Str::SampleCustomerName)) + " " + std::to_string(state.customerCount + 1);
  auto added = AddCustomer(*state.db, name, state.actor);
  if (!added) {
    home.lastError = added.Message();
    return;
  }
  home.lastError.clear();
  home.added++;
  if (auto refreshed = RefreshCounts(state); !refreshed) home.lastError = refreshed.Message();
  if (state.requestPersist) state.requestPersist();
}
}  // namespace

void DrawHome(AppState& state) {
  ImGui::SeparatorText(Tr(state.lang, Str::AppTitle));
  if (ImGui::BeginTable("##facts", 2, ImGuiTableFlags_SizingFixedFit)) {
    auto row = [&](Str label, const std::string& value) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%s", Tr(state.lang, label));
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(value.c_str());
    };
    row(Str::AppVersion, state.appVersion);
    row(Str::SqliteVersion, SqliteVersion());
    row(Str::StoredRecords, std::to_string(state.customerCount));
    ImGui::EndTable();
  }
  ImGui::Spacing();
  // The visible text is translated; the ###add_customer id keeps the widget findable in every language.
  std::string label = std::string(Tr(state.lang, Str::AddRecord)) + "###add_customer";
  if (PrimaryButton(label.c_str(), ImVec2(ImGui::GetFontSize() * 10.0f, ImGui::GetFrameHeight() * 1.6f))) {
    AddSampleCustomer(state);
  }
  if (!state.home.lastError.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.85f, 0.2f, 0.2f, 1.0f));
    ImGui::TextWrapped("%s", state.home.lastError.c_str());
    ImGui::PopStyleColor();
  }
}

}  // namespace crm::ui
