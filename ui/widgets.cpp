#include "ui/widgets.h"

#include <algorithm>

#include "imgui_internal.h"
#include "imgui_stdlib.h"
#include "ui/fonts.h"
#include "ui/item_probe.h"

namespace crm::ui {

namespace {
const ImVec4 kPrimary(0.20f, 0.45f, 0.85f, 1.0f);
const ImVec4 kPrimaryHovered(0.26f, 0.52f, 0.92f, 1.0f);
const ImVec4 kPrimaryActive(0.15f, 0.38f, 0.75f, 1.0f);
const ImVec4 kOnPrimary(1.0f, 1.0f, 1.0f, 1.0f);
const ImVec4 kError(0.80f, 0.15f, 0.15f, 1.0f);
const ImVec4 kSuccess(0.18f, 0.55f, 0.28f, 1.0f);
const ImVec4 kWarning(0.72f, 0.48f, 0.05f, 1.0f);

void ColoredWrapped(const ImVec4& color, const std::string& text) {
  NoteText(text);
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}
}  // namespace

std::string Label(Lang lang, Str text, const char* id) { return std::string(Tr(lang, text)) + "###" + id; }
std::string Label(const std::string& text, const std::string& id) { return text + "###" + id; }

void SuccessText(const std::string& text) { ColoredWrapped(kSuccess, text); }
void WarningText(const std::string& text) { ColoredWrapped(kWarning, text); }

bool TextAreaField(const char* label, const char* id, std::string& value, const std::string& error, float lines, bool* focusRequest) {
  ImGui::TextUnformatted(label);
  NoteText(value);
  if (focusRequest && *focusRequest && FocusNextItem()) *focusRequest = false;
  std::string widgetId = std::string("##") + id;
  if (!error.empty()) ImGui::PushStyleColor(ImGuiCol_Border, kError);
  if (!error.empty()) ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 2.0f);
  NameNextItem(label);  // the screen reader hears the label drawn above the field
  bool changed = ImGui::InputTextMultiline(widgetId.c_str(), &value,
                                           ImVec2(-FLT_MIN, ImGui::GetTextLineHeight() * lines + ImGui::GetStyle().FramePadding.y * 2));
  if (!error.empty()) {
    ImGui::PopStyleVar();
    ImGui::PopStyleColor();
    ErrorText(error);
  }
  return changed;
}

ImVec4 GradeColor(Grade grade) {
  switch (grade) {
    case Grade::A: return ImVec4(0.80f, 0.22f, 0.18f, 1.0f);
    case Grade::B: return ImVec4(0.90f, 0.55f, 0.10f, 1.0f);
    case Grade::C: return ImVec4(0.25f, 0.50f, 0.80f, 1.0f);
    case Grade::D: return ImVec4(0.50f, 0.52f, 0.56f, 1.0f);
  }
  return ImVec4(0.5f, 0.5f, 0.5f, 1.0f);
}

void GradeBadgeAt(ImDrawList* draw, ImVec2 at, Grade grade, float size) {
  draw->AddRectFilled(at, ImVec2(at.x + size, at.y + size), ImGui::GetColorU32(GradeColor(grade)), size * 0.2f);
  const char* letter = Code(grade);
  ImVec2 text = ImGui::CalcTextSize(letter);
  draw->AddText(ImVec2(at.x + (size - text.x) / 2, at.y + (size - text.y) / 2), IM_COL32(255, 255, 255, 255), letter);
}

void GradeBadge(Grade grade) {
  float size = ImGui::GetTextLineHeight();
  ImVec2 at = ImGui::GetCursorScreenPos();
  // On a line aligned to frame padding (next to buttons), the badge sits where the text does.
  at.y += ImGui::GetCurrentWindow()->DC.CurrLineTextBaseOffset;
  GradeBadgeAt(ImGui::GetWindowDrawList(), at, grade, size);
  ImGui::Dummy(ImVec2(size, size));
}

void Chip(const char* text, const ImVec4& background, const ImVec4& foreground) {
  ImVec2 size = ImGui::CalcTextSize(text);
  float pad = ImGui::GetFontSize() * 0.3f;
  ImVec2 at = ImGui::GetCursorScreenPos();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(at, ImVec2(at.x + size.x + pad * 2, at.y + size.y), ImGui::GetColorU32(background), size.y * 0.3f);
  draw->AddText(ImVec2(at.x + pad, at.y), ImGui::GetColorU32(foreground), text);
  ImGui::Dummy(ImVec2(size.x + pad * 2, size.y));
}

bool BeginDialog(const std::string& titleAndId, bool* open, float widthInFonts, float heightFraction) {
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  float width = std::min(viewport->WorkSize.x * 0.94f, ImGui::GetFontSize() * widthInFonts);
  float height = heightFraction > 0 ? viewport->WorkSize.y * heightFraction : 0;
  ImGui::SetNextWindowPos(ImVec2(viewport->WorkPos.x + viewport->WorkSize.x / 2, viewport->WorkPos.y + viewport->WorkSize.y * 0.04f),
                          ImGuiCond_Always, ImVec2(0.5f, 0.0f));
  ImGui::SetNextWindowSize(ImVec2(width, height), ImGuiCond_Always);
  if (heightFraction <= 0) ImGui::SetNextWindowSizeConstraints(ImVec2(width, 0), ImVec2(width, viewport->WorkSize.y * 0.92f));
  ImGuiWindowFlags flags = ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove |
                           ImGuiWindowFlags_NoResize;
  if (heightFraction <= 0) flags |= ImGuiWindowFlags_AlwaysAutoResize;
  // Dialogs take the focus from the screen behind them on the frame they open (only then: a text field
  // inside keeps the keyboard afterwards).
  ImGuiWindow* existing = ImGui::FindWindowByName(titleAndId.c_str());
  if (!existing || !existing->WasActive) ImGui::SetNextWindowFocus();
  return ImGui::Begin(titleAndId.c_str(), open, flags);
}

void EndDialog() { ImGui::End(); }

namespace {
// Where an auto-height dialog keeps its body's content height from the last frame (its own state storage).
ImGuiID BodyHeightKey() { return ImGui::GetID("##dialog_body_height"); }
}  // namespace

void BeginDialogBody(const char* id, float footerHeight) {
  ImGuiWindow* dialog = ImGui::GetCurrentWindow();
  // The body takes the keyboard with its dialog, so a field in it can take the focus on the first frame.
  bool focusBody = ImGui::IsWindowAppearing() && ImGui::IsWindowFocused();
  float height = -footerHeight;
  if (dialog->Flags & ImGuiWindowFlags_AlwaysAutoResize) {
    // Auto height: as tall as the content was, at most what the work area leaves once the footer is placed.
    const ImGuiStyle& style = ImGui::GetStyle();
    float room = ImGui::GetMainViewport()->WorkSize.y * 0.92f - dialog->TitleBarHeight() - style.WindowPadding.y * 2 - footerHeight;
    room = std::max(room, ImGui::GetFrameHeight());
    height = std::min(room, ImGui::GetStateStorage()->GetFloat(BodyHeightKey(), room));
  }
  ImGui::BeginChild(id, ImVec2(0, height), ImGuiChildFlags_None, ImGuiWindowFlags_NavFlattened);
  if (focusBody) ImGui::FocusWindow(ImGui::GetCurrentWindow());
}

void EndDialogBody() {
  const ImGuiWindow* body = ImGui::GetCurrentWindow();
  float contentHeight = body->DC.CursorMaxPos.y - body->DC.CursorStartPos.y + body->WindowPadding.y * 2;
  ImGui::EndChild();
  ImGui::GetStateStorage()->SetFloat(BodyHeightKey(), std::max(contentHeight, 1.0f));
}

float DialogFooterHeight(float buttonRows) {
  return ImGui::GetFrameHeightWithSpacing() * buttonRows + ImGui::GetStyle().ItemSpacing.y;
}

float NumberFieldWidth(float numberWidth) {
  return numberWidth + 2 * (ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x);
}

bool EscapePressed() { return ImGui::IsKeyPressed(ImGuiKey_Escape, false); }

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
  if (!selected) return ImGui::Button(label);
  ImGui::PushStyleColor(ImGuiCol_Button, kPrimary);
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, kPrimaryHovered);
  ImGui::PushStyleColor(ImGuiCol_ButtonActive, kPrimaryActive);
  ImGui::PushStyleColor(ImGuiCol_Text, kOnPrimary);
  bool pressed = ImGui::Button(label);
  ImGui::PopStyleColor(4);
  return pressed;
}

int ChoiceButtons(const char* const* labels, const char* const* ids, int count, int selected) {
  int clicked = -1;
  const ImGuiStyle& style = ImGui::GetStyle();
  float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  for (int i = 0; i < count; i++) {
    std::string label = std::string(labels[i]) + "###" + ids[i];
    float width = ImGui::CalcTextSize(labels[i]).x + style.FramePadding.x * 2;
    if (i > 0) {
      float next = ImGui::GetItemRectMax().x + style.ItemSpacing.x;
      if (next + width <= right) ImGui::SameLine();
    }
    if (ToggleButton(label.c_str(), i == selected)) clicked = i;
  }
  return clicked;
}

int ChoiceButtons(const std::vector<std::string>& labels, const std::string& idPrefix, const std::vector<std::string>& idSuffixes,
                  int selected) {
  std::vector<const char*> labelPointers;
  std::vector<std::string> ids;
  std::vector<const char*> idPointers;
  ids.reserve(labels.size());
  for (size_t i = 0; i < labels.size(); i++) {
    NoteText(labels[i]);
    labelPointers.push_back(labels[i].c_str());
    ids.push_back(idPrefix + (i < idSuffixes.size() ? idSuffixes[i] : std::to_string(i)));
  }
  for (const std::string& id : ids) idPointers.push_back(id.c_str());
  return ChoiceButtons(labelPointers.data(), idPointers.data(), static_cast<int>(labels.size()), selected);
}

int ChoiceMenu(const char* id, const std::string& title, const std::vector<std::string>& items, int selected,
               const char* placeholder) {
  std::string current = selected >= 0 && selected < static_cast<int>(items.size()) ? items[static_cast<size_t>(selected)] : placeholder;
  NoteText(current);
  std::string label = (title.empty() ? current : title + ": " + current) + " \u25BC###" + id;
  std::string popup = std::string("##menu_") + id;
  if (ImGui::Button(label.c_str())) ImGui::OpenPopup(popup.c_str());
  int picked = -1;
  if (ImGui::BeginPopup(popup.c_str())) {
    float width = ImGui::GetFontSize() * 10;
    for (const std::string& item : items) width = std::max(width, ImGui::CalcTextSize(item.c_str()).x + ImGui::GetFontSize() * 2);
    for (size_t i = 0; i < items.size(); i++) {
      NoteText(items[i]);
      std::string itemLabel = items[i] + "###" + id + "_" + std::to_string(i);
      // As tall as a button, so a finger hits the one it means.
      if (ImGui::Selectable(itemLabel.c_str(), static_cast<int>(i) == selected, ImGuiSelectableFlags_None,
                            ImVec2(width, ImGui::GetFrameHeight()))) {
        picked = static_cast<int>(i);
      }
    }
    ImGui::EndPopup();
  }
  return picked;
}

void DataText(std::string_view text) {
  NoteText(text);
  ImGui::TextUnformatted(text.data(), text.data() + text.size());
}

void ErrorText(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, kError);
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

void HintText(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

bool FocusNextItem() {
  ImGuiContext& g = *ImGui::GetCurrentContext();
  if (g.NavWindow != g.CurrentWindow) {
    ImGui::FocusWindow(g.CurrentWindow);
    return false;
  }
  ImGui::SetKeyboardFocusHere();
  return true;
}

bool TextField(const char* label, const char* id, std::string& value, const std::string& error, const FieldOptions& options) {
  ImGui::TextUnformatted(label);
  NoteText(value);
  if (options.focus) FocusNextItem();
  if (options.focusRequest && *options.focusRequest && FocusNextItem()) *options.focusRequest = false;
  std::string widgetId = std::string("##") + id;
  // The width a surrounding PushItemWidth set (a centred column), else the whole row.
  ImGui::SetNextItemWidth(ImGui::GetCurrentWindow()->DC.ItemWidthStack.Size > 0 ? ImGui::CalcItemWidth() : -FLT_MIN);
  if (!error.empty()) ImGui::PushStyleColor(ImGuiCol_Border, kError);
  if (!error.empty()) ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 2.0f);
  NameNextItem(label);  // the screen reader hears the label drawn above the field
  bool changed = options.hint ? ImGui::InputTextWithHint(widgetId.c_str(), options.hint, &value, options.flags)
                              : ImGui::InputText(widgetId.c_str(), &value, options.flags);
  if (!error.empty()) {
    ImGui::PopStyleVar();
    ImGui::PopStyleColor();
    ErrorText(error);
  }
  return changed;
}

}  // namespace crm::ui
