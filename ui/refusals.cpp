#include "ui/refusals.h"

#include "imgui.h"
#include "ui/errors.h"
#include "ui/widgets.h"

namespace crm::ui {

std::string RefusalText(Lang lang, const Status& check) { return check ? std::string() : DescribeError(lang, check.GetError()); }

bool ActionButton(const char* label, const std::string& refusal, bool primary) {
  ImGui::BeginDisabled(!refusal.empty());
  bool clicked = primary ? PrimaryButton(label) : ImGui::Button(label);
  ImGui::EndDisabled();
  ExplainRefusal(refusal, label);
  return clicked && refusal.empty();
}

void ExplainRefusal(const std::string& refusal, const char* id) {
  if (refusal.empty()) return;
  // The style's tooltip flags include AllowWhenDisabled: a greyed-out control still explains itself on hover.
  ImGui::SetItemTooltip("%s", refusal.c_str());
  ImGui::PushID(id);
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled) && ImGui::IsMouseReleased(ImGuiMouseButton_Left)) {
    ImGui::OpenPopup("##refusal");
  }
  if (ImGui::BeginPopup("##refusal")) {
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 22);
    ImGui::TextUnformatted(refusal.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndPopup();
  }
  ImGui::PopID();
}

}  // namespace crm::ui
