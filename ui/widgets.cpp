#include "ui/widgets.h"

namespace crm::ui {

namespace {
const ImVec4 kPrimary(0.20f, 0.45f, 0.85f, 1.0f);
const ImVec4 kPrimaryHovered(0.26f, 0.52f, 0.92f, 1.0f);
const ImVec4 kPrimaryActive(0.15f, 0.38f, 0.75f, 1.0f);
const ImVec4 kOnPrimary(1.0f, 1.0f, 1.0f, 1.0f);
}  // namespace

bool PrimaryButton(const char* label, const ImVec2& size) {
  ImGui::PushStyleColor(ImGuiCol_Button, kPrimary);
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, kPrimaryHovered);
  ImGui::PushStyleColor(ImGuiCol_ButtonActive, kPrimaryActive);
  ImGui::PushStyleColor(ImGuiCol_Text, kOnPrimary);
  bool pressed = ImGui::Button(label, size);
  ImGui::PopStyleColor(4);
  return pressed;
}

bool ToggleButton(const char* label, bool selected) {
  if (!selected) return ImGui::SmallButton(label);
  ImGui::PushStyleColor(ImGuiCol_Button, kPrimary);
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, kPrimaryHovered);
  ImGui::PushStyleColor(ImGuiCol_ButtonActive, kPrimaryActive);
  ImGui::PushStyleColor(ImGuiCol_Text, kOnPrimary);
  bool pressed = ImGui::SmallButton(label);
  ImGui::PopStyleColor(4);
  return pressed;
}

}  // namespace crm::ui
