#include "ui/home_screen.h"

#include "imgui.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/widgets.h"

namespace crm::ui {

namespace {
void AddSampleCustomer(AppState& state) {
  HomeScreenState& home = state.home;
  std::string name = std::string(Tr(state.lang, Str::SampleCustomerName)) + " " + std::to_string(state.customerCount + 1);
  auto added = AddCustomer(*state.db, name, state.actor);
  if (!added) {
    home.lastError = DescribeError(state.lang, added.GetError());
    return;
  }
  home.lastError.clear();
  home.added++;
  AfterCommit(state);
}
}  // namespace

void DrawHome(AppState& state) {
  // One compact line of facts, so the customer list below keeps the height.
  ImGui::AlignTextToFramePadding();
  ImGui::TextDisabled("%s %s  ·  %s %s  ·  %s", Tr(state.lang, Str::AppVersion), state.appVersion.c_str(),
                      Tr(state.lang, Str::SqliteVersion), SqliteVersion(), Tr(state.lang, Str::StoredRecords));
  ImGui::SameLine();
  ImGui::Text("%lld", static_cast<long long>(state.customerCount));
  ImGui::SameLine();
  // The visible text is translated; the ###add_customer id keeps the widget findable in every language.
  std::string label = std::string(Tr(state.lang, Str::AddRecord)) + "###add_customer";
  if (ImGui::Button(label.c_str())) AddSampleCustomer(state);
  if (!state.home.lastError.empty()) ErrorText(state.home.lastError);
}

}  // namespace crm::ui
