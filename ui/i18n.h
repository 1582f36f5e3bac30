#pragma once
// Every user-visible string goes through Tr(). Keys are an enum, so a missing
// translation is a compile error, not a blank label at run time.
#include <string_view>

namespace crm::ui {

enum class Lang { Zh, En };

enum class Str : int {
  AppTitle,
  AppVersion,
  SqliteVersion,
  StoredRecords,
  AddRecord,
  SampleCustomerName,
  Loading,
  StorageSaved,
  StorageSaving,
  StorageUnsaved,
  StorageFailed,
  Language,
  DatabaseError,
  // Local storage (ui/storage_panel.cpp).
  StorageOtherTab,
  StorageTakenOver,
  StorageUseHere,
  StorageTakingOver,
  StorageUsage,
  StoragePersisted,
  StorageNotPersisted,
  StorageFull,
  StorageWriteFailed,
  StorageEvicted,
  StorageNotice,
  BackupExport,
  BackupRestore,
  BackupConfirm,
  BackupCustomers,
  BackupReplace,
  BackupCancel,
  BackupExported,
  BackupRestored,
  BackupRefused,
  UpdateAvailable,
  UpdateReload,
  Count
};

const char* Tr(Lang lang, Str key);
// "zh", "zh-CN", "zh-Hans-CN" → Zh; anything else → En.
Lang LangFromLocale(std::string_view locale);
// Every string of every language, for building the glyph atlas.
void ForEachString(void (*visit)(const char* text, void* context), void* context);

}  // namespace crm::ui
