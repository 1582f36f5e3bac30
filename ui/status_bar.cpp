#include "ui/status_bar.h"

#include <algorithm>
#include <cstdio>

#include "core/followups.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "ui/app_state.h"
#include "ui/errors.h"
#include "ui/keyed_text.h"
#include "ui/widgets.h"

namespace crm::ui {

namespace {
const ImVec4 kGreen(0.25f, 0.6f, 0.3f, 1.0f);
const ImVec4 kAmber(0.8f, 0.6f, 0.1f, 1.0f);
const ImVec4 kRed(0.85f, 0.2f, 0.2f, 1.0f);
const ImVec4 kGrey(0.45f, 0.47f, 0.50f, 1.0f);

// Centred on the text beside it: the text sits lower on a line aligned to frame padding (the tablet's bar).
void Dot(const ImVec4& color) {
  float size = ImGui::GetTextLineHeight() * 0.55f;
  float textOffset = ImGui::GetCurrentWindow()->DC.CurrLineTextBaseOffset;
  ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(at.x + size / 2, at.y + textOffset + ImGui::GetTextLineHeight() / 2),
                                              size / 2, ImGui::GetColorU32(color));
  ImGui::Dummy(ImVec2(size, textOffset + ImGui::GetTextLineHeight()));
  ImGui::SameLine(0, ImGui::GetStyle().ItemInnerSpacing.x);
}

void Separator() {
  ImGui::SameLine();
  ImGui::TextDisabled("|");
  ImGui::SameLine();
}

void DrawSaveState(AppState& state) {
  const char* text = Tr(state.lang, Str::StorageSaved);
  ImVec4 color = kGreen;
  switch (state.saveState) {
    case SaveState::Saved: break;
    case SaveState::Saving: text = Tr(state.lang, Str::StorageSaving); color = kAmber; break;
    case SaveState::Unsaved: text = Tr(state.lang, Str::StorageUnsaved); color = kAmber; break;
    case SaveState::Failed: text = Tr(state.lang, Str::StorageFailed); color = kRed; break;
    case SaveState::InWindowOnly: text = TrKey(state.lang, "storage.in_this_window"); color = kRed; break;
  }
  Dot(color);
  ImGui::TextColored(color, "%s", text);
  if (state.saveState == SaveState::Failed && !state.saveError.empty()) {
    ImGui::SameLine();
    ImGui::TextColored(kRed, "%s", state.saveError.c_str());
  }
}

// [SLOT: sync status] Drawn from AppState::sync (SyncStatusView): see status_bar.h.
void DrawSync(AppState& state) {
  const SyncStatusView& sync = state.sync;
  char buffer[160];
  if (!sync.configured) {
    Dot(kGrey);
    ImGui::TextDisabled("%s", Tr(state.lang, Str::SyncNotConfigured));
  } else {
    Dot(sync.online ? kGreen : kGrey);
    ImGui::TextUnformatted(Tr(state.lang, sync.online ? Str::SyncOnline : Str::SyncOffline));
    ImGui::SameLine();
    if (sync.progressTotal > 0) {
      std::snprintf(buffer, sizeof buffer, Tr(state.lang, Str::SyncProgress), static_cast<long long>(sync.progressDone),
                    static_cast<long long>(sync.progressTotal));
    } else {
      std::snprintf(buffer, sizeof buffer, Tr(state.lang, Str::SyncPending), static_cast<long long>(sync.pending));
    }
    ImGui::TextDisabled("%s", buffer);
    ImGui::SameLine();
    std::string when = sync.lastSyncMs > 0 ? LocalDateTimeText(sync.lastSyncMs, state.utcOffsetMinutes)
                                           : std::string(Tr(state.lang, Str::SyncNever));
    std::snprintf(buffer, sizeof buffer, Tr(state.lang, Str::SyncLast), when.c_str());
    ImGui::TextDisabled("%s", buffer);
  }
  if (sync.refused > 0) {
    ImGui::SameLine();
    std::snprintf(buffer, sizeof buffer, Tr(state.lang, Str::SyncRefused), static_cast<long long>(sync.refused));
    Chip(buffer, kAmber);
  }
  if (sync.signInNeeded) {
    ImGui::SameLine();
    Chip(Tr(state.lang, Str::SyncSignInNeeded), kAmber);
  }
  if (sync.needsAppUpdate) {
    ImGui::SameLine();
    Chip(Tr(state.lang, Str::SyncUpdate), kAmber);
  }
  if (sync.lastError) {
    ImGui::SameLine();
    ImGui::TextColored(kRed, "%s%s", Tr(state.lang, Str::SyncError), DescribeError(state.lang, *sync.lastError).c_str());
  }
}
}  // namespace

// A line of text on a laptop; on a tablet the conflict log's button is a full-size target, and the bar holds it.
float StatusBarHeight(const AppState& state) {
  float line = state.layout == Layout::Tablet ? ImGui::GetFrameHeight() : ImGui::GetTextLineHeight();
  return line + ImGui::GetStyle().WindowPadding.y * 1.5f;
}

void DrawStatusBar(AppState& state) {
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(ImGui::GetStyle().WindowPadding.x, ImGui::GetStyle().WindowPadding.y * 0.6f));
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0.92f, 0.93f, 0.95f, 1.0f));
  ImGui::BeginChild("##status_bar", ImVec2(0, StatusBarHeight(state)), ImGuiChildFlags_AlwaysUseWindowPadding,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NavFlattened);
  if (state.layout == Layout::Tablet) ImGui::AlignTextToFramePadding();
  DrawSaveState(state);
  Separator();
  DrawSync(state);
  Separator();
  char count[64];
  std::snprintf(count, sizeof count, Tr(state.lang, Str::StatusCustomers), static_cast<long long>(state.customerCount));
  ImGui::TextDisabled("%s", count);
  // The conflict log, always one click away; unseen conflicts are counted on the button, in red.
  if (state.screen == Screen::Home) {
    char label[96];
    bool unseen = state.sync.unseenConflicts > 0;
    if (unseen) {
      std::snprintf(label, sizeof label, Tr(state.lang, Str::SyncConflicts), static_cast<long long>(state.sync.unseenConflicts));
    } else {
      std::snprintf(label, sizeof label, "%s", Tr(state.lang, Str::ConflictLog));
    }
    std::string button = Label(label, "open_conflicts");
    float width = ImGui::CalcTextSize(button.c_str(), nullptr, true).x + ImGui::GetStyle().FramePadding.x * 2;
    ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetContentRegionMax().x - width));
    // On a laptop the bar is one text line high and the button keeps to it.
    bool tablet = state.layout == Layout::Tablet;
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(ImGui::GetStyle().FramePadding.x, tablet ? ImGui::GetStyle().FramePadding.y : 0));
    if (unseen) ImGui::PushStyleColor(ImGuiCol_Text, kRed);
    if (ImGui::Button(button.c_str())) GoToPage(state, Page::Conflicts);
    if (unseen) ImGui::PopStyleColor();
    ImGui::PopStyleVar();
  }
  ImGui::EndChild();
  ImGui::PopStyleColor();
  ImGui::PopStyleVar();
}

}  // namespace crm::ui
