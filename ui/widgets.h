#pragma once
// Small widgets shared by the screens, so every screen looks and behaves alike.
#include <string>
#include <string_view>
#include <vector>

#include "core/enums.h"
#include "imgui.h"
#include "ui/i18n.h"

namespace crm::ui {

// "可见文字###id": the text follows the language, the id stays findable by tests and focus requests.
std::string Label(Lang lang, Str text, const char* id);
std::string Label(const std::string& text, const std::string& id);

// The one main action of a screen: filled, with white text.
bool PrimaryButton(const char* label, const ImVec2& size = ImVec2(0, 0));
// A choice among a few: the selected one is filled.
bool ToggleButton(const char* label, bool selected);

// A row of choices (ToggleButtons) that wraps to the next line when the next one does not fit.
// `ids` are the ###ids; returns the index clicked this frame, or -1.
int ChoiceButtons(const char* const* labels, const char* const* ids, int count, int selected);

// The same over strings: ids are `idPrefix` + each entry of `idSuffixes`.
int ChoiceButtons(const std::vector<std::string>& labels, const std::string& idPrefix, const std::vector<std::string>& idSuffixes,
                  int selected);
// A button reading "title: value ▼" that opens a list to pick from (rows a finger can hit on a tablet).
// `id` is the button's ###id; the items' ids are id + "_" + their index. Returns the index picked this frame, or -1.
// `placeholder` is shown while nothing is selected (selected < 0).
int ChoiceMenu(const char* id, const std::string& title, const std::vector<std::string>& items, int selected,
               const char* placeholder = "");

// Data text (names, phones…): notes its glyphs for the atlas, then draws it.
void DataText(std::string_view text);

// A labelled single-line text field, full width, with its error (if any)
// right under it in red. `id` is the ###id tests and focus requests use.
// Returns true when the text changed. Notes the text for the glyph atlas.
struct FieldOptions {
  const char* hint = nullptr;
  ImGuiInputTextFlags flags = 0;
  bool focus = false;          // take keyboard focus this frame
  bool* focusRequest = nullptr;  // or: take it once it can, then clear the request (see FocusNextItem)
};

// Gives the next item the keyboard. ImGui 1.90 drops a focus request made in a window that is not yet
// the navigation window (as when a page's child window takes over from the sidebar): the window is
// focused first and the item on the next frame. Returns true once the request is placed; keep asking
// until then.
bool FocusNextItem();
bool TextField(const char* label, const char* id, std::string& value, const std::string& error,
               const FieldOptions& options = {});

// An error line in red (wrapped).
void ErrorText(const std::string& text);
// A line of good news in green, and a warning in amber (wrapped).
void SuccessText(const std::string& text);
void WarningText(const std::string& text);
// A greyed hint or explanation, wrapped: a long one must not make a narrow screen scroll sideways.
void HintText(const std::string& text);

// A multi-line text field (summaries, notes), full width, with its error under it.
bool TextAreaField(const char* label, const char* id, std::string& value, const std::string& error, float lines = 3,
                   bool* focusRequest = nullptr);

// A small coloured box with the class letter (A/B/C/D), drawn at `at` (screen position) or inline.
ImVec4 GradeColor(Grade grade);
void GradeBadgeAt(ImDrawList* draw, ImVec2 at, Grade grade, float size);
void GradeBadge(Grade grade);
// A small rounded tag with text (逾期, 今天, 公海…), drawn inline; returns its width.
void Chip(const char* text, const ImVec4& background, const ImVec4& foreground = ImVec4(1, 1, 1, 1));

// A centred window over the screen, as the forms and dialogs use: `widthInFonts` wide (at most 94% of the
// display), auto height or `heightFraction` of the display. Returns ImGui::Begin's answer; always call EndDialog.
// The dialog is placed in the viewport's work area, under the top bar. `open` null: no title-bar X (on a
// tablet the X is smaller than a finger; the dialog's own Close or Cancel closes it).
bool BeginDialog(const std::string& titleAndId, bool* open, float widthInFonts, float heightFraction = 0);
void EndDialog();
// The dialog's content, scrolling when it is taller than the room it has: the footer under it (its buttons,
// `footerHeight` tall) stays in sight. Between BeginDialog and the footer; always call EndDialogBody.
void BeginDialogBody(const char* id, float footerHeight);
void EndDialogBody();
// The height of a footer of `buttonRows` rows of buttons under a dialog's body.
float DialogFooterHeight(float buttonRows = 1);

// The width to give a number field with − and + buttons (ImGui::InputInt) so the number itself is
// `numberWidth` wide: the buttons are frame-height squares, finger-sized on a tablet.
float NumberFieldWidth(float numberWidth);

// Esc, unless a text field has the keyboard (where Esc leaves the field first).
bool EscapePressed();

}  // namespace crm::ui
