#pragma once
// Every user-visible string goes through Tr(). Keys are an enum, so a missing
// translation is a compile error, not a blank label at run time.
#include <string>
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
  // Welcome and sign-in
  WelcomeTitle,
  WelcomeIntro,
  StartTrial,
  StartTrialHint,
  CreateLocalAccount,
  CreateLocalAccountHint,
  SignInOnline,
  SignInOnlineHint,
  OnlineUnavailable,
  ServerAddress,
  AccountField,
  Password,
  YourName,
  Pin,
  PinAgain,
  PinMismatch,
  Create,
  Back,
  Cancel,
  Save,
  Close,
  WhoIsUsing,
  EnterPin,
  Unlock,
  Checking,
  Lock,
  SwitchUser,
  LockedTitle,
  PreparingDemo,
  // Trial
  TrialBanner,
  ConvertTrial,
  ConvertTitle,
  KeepDemo,
  DropDemo,
  // People and device
  PeopleAndDevice,
  UsersOnDevice,
  AddUser,
  Role,
  RoleRep,
  RoleSupervisor,
  RoleLeader,
  RoleStore,
  RoleAdmin,
  SharedTablet,
  IdleLock,
  Seconds,
  Layout,
  LayoutAuto,
  LayoutLaptop,
  LayoutTablet,
  PinSet,
  NoPin,
  PersonName,
  ThisDevice,
  // Customers
  Customers,
  Search,
  SearchHint,
  NewCustomer,
  NoCustomers,
  NoMatches,
  CustomerName,
  Phone,
  City,
  Kind,
  Owner,
  PublicPool,
  Created,
  Shortcuts,
  ShownOf,
  KindDealer,
  KindSubDistributor,
  KindConsumer,
  KindDesigner,
  KindContractor,
  KindDecorationCompany,
  KindIndustrial,
  KindOther,
  // Errors shown next to fields
  ErrRequired,
  ErrDigitsOnly,
  ErrPinLength,
  ErrWrongPin,
  ErrWaitSeconds,
  ErrTooLong,
  LangNameZh,  // each language named in its own script, the same in both tables
  LangNameEn,
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
  // Sync and online sign-in
  AccountFormat,
  ServerFormat,
  SigningIn,
  LoadingOrganisation,
  RelayUnreachable,
  WrongAccountOrPassword,
  LinkedToAnotherOrganisation,
  LocalDataWouldBeReplaced,
  Count
};

const char* Tr(Lang lang, Str key);
// "zh", "zh-CN", "zh-Hans-CN" → Zh; anything else → En.
Lang LangFromLocale(std::string_view locale);
// Every string of every language, for building the glyph atlas.
void ForEachString(void (*visit)(const char* text, void* context), void* context);

// Core errors read "field: problem" in English. For the message under a field,
// drops the field name (the field's label is right there) and translates the
// problems people meet most; anything else is shown as it is.
std::string FieldErrorText(Lang lang, std::string_view coreMessage);

}  // namespace crm::ui
