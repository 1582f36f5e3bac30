#include "ui/storage_panel.h"

#include <cstdio>

#include "imgui.h"
#include "ui/app_state.h"
#include "ui/keyed_text.h"
#include "ui/value_words.h"
#include "ui/widgets.h"

namespace crm::ui {

namespace {
const ImVec4 kRed(0.85f, 0.2f, 0.2f, 1.0f);
const ImVec4 kGreen(0.25f, 0.6f, 0.3f, 1.0f);
const ImVec4 kAmber(0.75f, 0.5f, 0.05f, 1.0f);

void Wrapped(const ImVec4& color, const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

// Said plainly, with the ways to keep the data: a backup file, and (signed in) the customers as CSV.
void DrawForgetNotice(AppState& state) {
  StorageUiState& storage = state.storage;
  Wrapped(kRed, TrKey(state.lang, storage.memoryOnly ? "storage.memory_only" : "storage.private_window"));
  if (storage.memoryOnly && !storage.memoryReason.empty()) {
    ImGui::TextDisabled("%s: %s", TrKey(state.lang, "storage.browser_said"), storage.memoryReason.c_str());
  }
  // (The welcome screen has the storage panel's own backup button right below.)
  if (state.screen == Screen::Home && state.db) {
    std::string exportLabel = Label(state.lang, Str::BackupExport, "forget_backup_export");
    if (ImGui::Button(exportLabel.c_str()) && storage.exportBackup) storage.exportBackup();
    ImGui::SameLine();
    std::string csv = Label(TrKey(state.lang, "storage.export_csv"), "forget_export_csv");
    if (ImGui::Button(csv.c_str())) GoToPage(state, Page::ImportExport);
  }
}

// Whether the data here is encrypted, and how strongly, said plainly: a trial is not; PINs alone (a device not
// linked to a relay) can be tried one by one by whoever copies the browser's data.
void DrawEncryption(AppState& state) {
  if (state.screen != Screen::Home || ForgetsOnClose(state.storage)) return;
  const UnlockState& unlock = state.unlock;
  if (state.device.trial) {
    Wrapped(kAmber, TrKey(state.lang, "unlock.trial_not_encrypted"));
  } else if (!unlock.encrypted) {
    Wrapped(kAmber, TrKey(state.lang, "unlock.not_encrypted"));
  } else {
    Wrapped(kGreen, TrKey(state.lang, "unlock.encrypted"));
    bool pinsOnly = true;
    for (const DeviceKeyEntry& entry : unlock.keyring) {
      if (entry.kind != DeviceKeyKind::Pin) pinsOnly = false;
    }
    if (pinsOnly) Wrapped(kAmber, TrKey(state.lang, "unlock.pin_only_warning"));
  }
}

}  // namespace

bool ForgetsOnClose(const StorageUiState& storage) { return storage.memoryOnly || storage.privateWindow; }

std::string FormatBytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    unit++;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return buffer;
}

const char* WriterRoleName(WriterRole role) {
  switch (role) {
    case WriterRole::Starting: return "starting";
    case WriterRole::Writer: return "writer";
    case WriterRole::OtherTab: return "other-tab";
    case WriterRole::TakingOver: return "taking-over";
    case WriterRole::TakenOver: return "taken-over";
  }
  return "unknown";
}

void DrawStorageBlocked(AppState& state) {
  StorageUiState& storage = state.storage;
  ImGui::SeparatorText(Tr(state.lang, Str::AppTitle));
  ImGui::Spacing();
  if (storage.role == WriterRole::TakingOver) {
    ImGui::TextUnformatted(Tr(state.lang, Str::StorageTakingOver));
    return;
  }
  Wrapped(kAmber, Tr(state.lang, storage.role == WriterRole::TakenOver ? Str::StorageTakenOver : Str::StorageOtherTab));
  ImGui::Spacing();
  std::string label = Label(state.lang, Str::StorageUseHere, "take_over");
  if (PrimaryButton(label.c_str(), ImVec2(ImGui::GetFontSize() * 8.0f, ImGui::GetFrameHeight() * 1.6f)) && storage.takeOver) {
    storage.takeOver();
  }
}

void DrawStorageNotices(AppState& state) {
  StorageUiState& storage = state.storage;
  if (storage.updateAvailable) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextColored(kAmber, "%s", Tr(state.lang, Str::UpdateAvailable));
    ImGui::SameLine();
    std::string reload = Label(state.lang, Str::UpdateReload, "update_reload");
    if (ImGui::Button(reload.c_str()) && storage.applyUpdate) storage.applyUpdate();
  }
  if (storage.evicted) Wrapped(kRed, Tr(state.lang, Str::StorageEvicted));
  if (storage.restoredFromServer) {
    Wrapped(kGreen, FillText(state.lang, "storage.restored_from_server", {{"count", std::to_string(state.customerCount)}}));
  }
  if (!storage.notice.empty()) Wrapped(kAmber, std::string(Tr(state.lang, Str::StorageNotice)) + ": " + storage.notice);
  if (ForgetsOnClose(storage)) DrawForgetNotice(state);
}

void NoteRestoredFromServer(AppState& state) {
  StorageUiState& storage = state.storage;
  if (!storage.evicted || !state.sync.configured || state.sync.confirmedSeq <= 0 || state.customerCount <= 0) return;
  storage.evicted = false;
  storage.restoredFromServer = true;
}

void DrawStoragePanel(AppState& state) {
  StorageUiState& storage = state.storage;
  if (ForgetsOnClose(storage)) {
    ImGui::TextColored(kRed, "%s", TrKey(state.lang, "storage.in_this_window"));
  } else if (storage.estimateUnknown) {
    Wrapped(kAmber, TrKey(state.lang, "storage.estimate_unknown"));
  } else if (storage.usageBytes >= 0) {
    std::string usage = FormatBytes(storage.usageBytes);
    if (storage.quotaBytes > 0) usage += " / " + FormatBytes(storage.quotaBytes);
    ImGui::TextUnformatted(usage.c_str());
    ImGui::SameLine();
    ImGui::TextColored(storage.persisted ? kGreen : kAmber, "%s",
                       Tr(state.lang, storage.persisted ? Str::StoragePersisted : Str::StorageNotPersisted));
  }
  DrawEncryption(state);
  std::string exportLabel = Label(state.lang, Str::BackupExport, "backup_export");
  if (ImGui::Button(exportLabel.c_str()) && storage.exportBackup) storage.exportBackup();
  ImGui::SameLine();
  std::string restoreLabel = Label(state.lang, Str::BackupRestore, "backup_restore");
  if (ImGui::Button(restoreLabel.c_str()) && storage.chooseRestoreFile) storage.chooseRestoreFile();
  if (!storage.backupMessage.empty()) Wrapped(storage.backupFailed ? kRed : kGreen, storage.backupMessage);

  if (storage.restorePending) {
    // An explicit confirmation: a restore overwrites everything on the device.
    ImGui::Spacing();
    Wrapped(kRed, Tr(state.lang, Str::BackupConfirm));
    ImGui::Text("%s  ·  %s: %lld  ·  %s", storage.restoreFile.c_str(), Tr(state.lang, Str::BackupCustomers),
                static_cast<long long>(storage.restoreCustomers), FormatBytes(storage.restoreBytes).c_str());
    std::string replace = Label(state.lang, Str::BackupReplace, "restore_replace");
    if (PrimaryButton(replace.c_str()) && storage.confirmRestore) storage.confirmRestore();
    ImGui::SameLine();
    std::string cancel = Label(state.lang, Str::BackupCancel, "restore_cancel");
    if (ImGui::Button(cancel.c_str()) && storage.cancelRestore) storage.cancelRestore();
  }
}

}  // namespace crm::ui
