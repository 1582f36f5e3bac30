#include "imgui.h"
#include "ui/app_state.h"
#include "ui/widgets.h"

namespace crm::ui {

Status RefreshCounts(AppState& state) {
  if (!state.db) return Ok();
  CRM_ASSIGN_OR_RETURN(state.customerCount, CountCustomers(*state.db));
  return Ok();
}

const char* ScreenName(Screen screen) {
  switch (screen) {
    case Screen::Loading: return "loading";
    case Screen::Home: return "home";
  }
  return "unknown";
}

const char* SaveStateName(SaveState saveState) {
  switch (saveState) {
    case SaveState::Saved: return "saved";
    case SaveState::Saving: return "saving";
    case SaveState::Unsaved: return "unsaved";
    case SaveState::Failed: return "failed";
  }
  return "unknown";
}

namespace {
void DrawStatusBar(AppState& state) {
  Str text = Str::StorageSaved;
  ImVec4 color(0.25f, 0.6f, 0.3f, 1.0f);
  switch (state.saveState) {
    case SaveState::Saved: break;
    case SaveState::Saving: text = Str::StorageSaving; color = ImVec4(0.8f, 0.6f, 0.1f, 1.0f); break;
    case SaveState::Unsaved: text = Str::StorageUnsaved; color = ImVec4(0.8f, 0.6f, 0.1f, 1.0f); break;
    case SaveState::Failed: text = Str::StorageFailed; color = ImVec4(0.85f, 0.2f, 0.2f, 1.0f); break;
  }
  ImGui::TextColored(color, "%s", Tr(state.lang, text));
  if (state.saveState == SaveState::Failed && !state.saveError.empty()) {
    ImGui::SameLine();
    ImGui::TextWrapped("%s", state.saveError.c_str());
  }
  // The language switch sits at the right edge; each choice is written in its own language.
  const ImGuiStyle& style = ImGui::GetStyle();
  float width = ImGui::CalcTextSize("中文").x + ImGui::CalcTextSize("English").x + style.FramePadding.x * 4 + style.ItemSpacing.x;
  ImGui::SameLine(ImGui::GetContentRegionMax().x - width);
  if (ToggleButton("中文###lang_zh", state.lang == Lang::Zh)) state.lang = Lang::Zh;
  ImGui::SameLine();
  if (ToggleButton("English###lang_en", state.lang == Lang::En)) state.lang = Lang::En;
}
}  // namespace

void DrawApp(AppState& state) {
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                           ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
  ImGui::Begin("##app", nullptr, flags);
  ImGui::PopStyleVar();
  if (!state.fatalError.empty()) {
    ImGui::TextColored(ImVec4(0.85f, 0.2f, 0.2f, 1.0f), "%s", Tr(state.lang, Str::DatabaseError));
    ImGui::TextWrapped("%s", state.fatalError.c_str());
  } else if (state.storage.role != WriterRole::Starting && state.storage.role != WriterRole::Writer) {
    DrawStorageBlocked(state);
  } else if (state.screen == Screen::Loading || !state.db) {
    ImGui::TextUnformatted(Tr(state.lang, Str::Loading));
  } else {
    DrawStatusBar(state);
    ImGui::Separator();
    DrawHome(state);
    DrawStoragePanel(state);
  }
  ImGui::End();
}

}  // namespace crm::ui
