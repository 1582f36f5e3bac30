#include "ui/i18n.h"

#include <cstdio>
#include <cstdlib>

namespace crm::ui {

namespace {
constexpr int kCount = static_cast<int>(Str::Count);

struct Entry {
  Str key;
  const char* zh;
  const char* en;
};

// The key in each row lets the compiler check the table's order (see InOrder below).
constexpr Entry kStrings[] = {
    {Str::AppTitle, "客户管理", "Customer management"},
    {Str::AppVersion, "应用版本", "App version"},
    {Str::SqliteVersion, "SQLite 版本", "SQLite version"},
    {Str::StoredRecords, "已存客户数", "Customers stored"},
    {Str::AddRecord, "添加一位客户", "Add a customer"},
    {Str::SampleCustomerName, "示例客户", "Sample customer"},
    {Str::Loading, "正在打开数据库…", "Opening the database…"},
    {Str::StorageSaved, "已保存", "Saved"},
    {Str::StorageSaving, "正在保存…", "Saving…"},
    {Str::StorageUnsaved, "未保存", "Not saved"},
    {Str::StorageFailed, "保存失败", "Saving failed"},
    {Str::Language, "语言", "Language"},
    {Str::DatabaseError, "数据库错误", "Database error"},
    {Str::WelcomeTitle, "欢迎使用客户管理", "Welcome to Customer management"},
    {Str::WelcomeIntro, "客户资料保存在本设备上，没有网络也能用。", "Your customer records live on this device and work without a network."},
    {Str::StartTrial, "免费试用（带示例数据）", "Try it with sample data"},
    {Str::StartTrialHint, "无需账户。示例数据只保存在这个浏览器里。", "No account needed. The sample data stays in this browser."},
    {Str::CreateLocalAccount, "在本设备创建账户", "Create an account on this device"},
    {Str::CreateLocalAccountHint, "离线可用，以后可以关联在线账户。", "Works offline; link it to an online account later."},
    {Str::SignInOnline, "在线登录", "Sign in online"},
    {Str::SignInOnlineHint, "已有公司账户：登录后此设备离线也能继续使用。", "Have a company account: after signing in, this device keeps working offline."},
    {Str::OnlineUnavailable, "同步服务器尚未开放，暂时无法在线登录。可以先在本设备创建账户，服务器上线后再关联。",
     "The sync server is not available yet, so online sign-in cannot work. Create an account on this device now and link it when the server is up."},
    {Str::ServerAddress, "服务器地址", "Server address"},
    {Str::AccountField, "账号（手机号或邮箱）", "Account (phone or email)"},
    {Str::Password, "密码", "Password"},
    {Str::YourName, "您的姓名", "Your name"},
    {Str::Pin, "PIN 码（4–8 位数字）", "PIN (4–8 digits)"},
    {Str::PinAgain, "再次输入 PIN 码", "PIN again"},
    {Str::PinMismatch, "两次输入的 PIN 码不一致", "The two PINs differ"},
    {Str::Create, "创建", "Create"},
    {Str::Back, "返回", "Back"},
    {Str::Cancel, "取消", "Cancel"},
    {Str::Save, "保存", "Save"},
    {Str::Close, "关闭", "Close"},
    {Str::WhoIsUsing, "谁在使用这台设备？", "Who is using this device?"},
    {Str::EnterPin, "请输入 PIN 码", "Enter your PIN"},
    {Str::Unlock, "解锁", "Unlock"},
    {Str::Checking, "正在验证…", "Checking…"},
    {Str::Lock, "锁定", "Lock"},
    {Str::SwitchUser, "切换用户", "Switch user"},
    {Str::LockedTitle, "已锁定", "Locked"},
    {Str::PreparingDemo, "正在准备示例数据…", "Preparing the sample data…"},
    {Str::TrialBanner, "试用模式：数据只保存在这个浏览器里", "Trial: the data is kept only in this browser"},
    {Str::ConvertTrial, "创建正式账户", "Create a real account"},
    {Str::ConvertTitle, "把试用转为正式账户", "Turn the trial into a real account"},
    {Str::KeepDemo, "保留示例数据", "Keep the sample data"},
    {Str::DropDemo, "删除示例数据，从空白开始", "Drop the sample data and start empty"},
    {Str::PeopleAndDevice, "人员与设备", "People and device"},
    {Str::UsersOnDevice, "本设备上的用户", "Users on this device"},
    {Str::AddUser, "添加用户", "Add a user"},
    {Str::Role, "角色", "Role"},
    {Str::RoleRep, "业务员", "Sales rep"},
    {Str::RoleSupervisor, "主管", "Supervisor"},
    {Str::RoleLeader, "领导", "Leader"},
    {Str::RoleStore, "门店员工", "Store staff"},
    {Str::RoleAdmin, "管理员", "Admin"},
    {Str::SharedTablet, "共享平板（多人轮流使用，需 PIN 码）", "Shared tablet (people take turns, with PINs)"},
    {Str::IdleLock, "无操作自动锁定（秒）", "Auto-lock when idle (seconds)"},
    {Str::Seconds, "秒", "s"},
    {Str::Layout, "界面", "Layout"},
    {Str::LayoutAuto, "自动", "Auto"},
    {Str::LayoutLaptop, "电脑", "Laptop"},
    {Str::LayoutTablet, "平板", "Tablet"},
    {Str::PinSet, "已设 PIN", "PIN set"},
    {Str::NoPin, "未设 PIN", "No PIN"},
    {Str::PersonName, "姓名", "Name"},
    {Str::ThisDevice, "本设备", "This device"},
    {Str::Customers, "客户", "Customers"},
    {Str::Search, "搜索", "Search"},
    {Str::SearchHint, "按 / 搜索：名称、电话或城市", "Press / to search: name, phone or city"},
    {Str::NewCustomer, "新建客户", "New customer"},
    {Str::NoCustomers, "还没有客户", "No customers yet"},
    {Str::NoMatches, "没有匹配的客户", "No matching customers"},
    {Str::CustomerName, "客户名称", "Customer name"},
    {Str::Phone, "电话", "Phone"},
    {Str::City, "城市", "City"},
    {Str::Kind, "类型", "Kind"},
    {Str::Owner, "负责人", "Owner"},
    {Str::PublicPool, "公海", "Public pool"},
    {Str::Created, "已创建", "Created"},
    {Str::Shortcuts, "快捷键：/ 搜索 · Ctrl+N 新建客户 · Esc 关闭", "Shortcuts: / search · Ctrl+N new customer · Esc close"},
    {Str::ShownOf, "显示 %d / %d", "%d of %d shown"},
    {Str::KindDealer, "经销商", "Dealer"},
    {Str::KindSubDistributor, "分销商", "Sub-distributor"},
    {Str::KindConsumer, "终端消费者", "Consumer"},
    {Str::KindDesigner, "家装设计师", "Designer"},
    {Str::KindContractor, "包工头", "Contractor"},
    {Str::KindDecorationCompany, "装饰公司", "Decoration company"},
    {Str::KindIndustrial, "工业客户", "Industrial buyer"},
    {Str::KindOther, "其他", "Other"},
    {Str::ErrRequired, "必填", "Required"},
    {Str::ErrDigitsOnly, "只能输入数字", "Digits only"},
    {Str::ErrPinLength, "需要 4–8 位数字", "4 to 8 digits"},
    {Str::ErrWrongPin, "PIN 码错误", "Wrong PIN"},
    {Str::ErrWaitSeconds, "错误次数过多，请 %d 秒后再试", "Too many wrong PINs: wait %d s"},
    {Str::ErrTooLong, "太长了", "Too long"},
    {Str::LangNameZh, "中文", "中文"},
    {Str::LangNameEn, "English", "English"},
    // Local storage (ui/storage_panel.cpp).
    {Str::StorageOtherTab, "本应用已在另一个标签页中打开。为避免数据分叉，同一时间只有一个标签页可以保存更改。", "The app is open in another tab. Only one tab at a time saves changes, so the data never forks."},
    {Str::StorageTakenOver, "另一个标签页已接管本应用，此页不再保存更改。", "Another tab took over the app; this tab no longer saves changes."},
    {Str::StorageUseHere, "在此使用", "Use here"},
    {Str::StorageTakingOver, "正在接管…", "Taking over…"},
    {Str::StorageUsage, "本机存储", "Local storage"},
    {Str::StoragePersisted, "持久保存", "persistent"},
    {Str::StorageNotPersisted, "浏览器在空间不足时可能清除", "may be cleared by the browser when space is short"},
    {Str::StorageFull, "存储空间已满：这次更改没有保存，已撤销。之前保存的数据不受影响。请导出备份或释放空间。", "Storage is full: this change was not saved and has been undone. Everything saved earlier is intact. Export a backup or free some space."},
    {Str::StorageWriteFailed, "这次更改没有保存，已撤销。之前保存的数据不受影响。", "This change was not saved and has been undone. Everything saved earlier is intact."},
    {Str::StorageEvicted, "浏览器已删除本机保存的数据（存储被清除）。同步功能上线后可从服务器恢复；也可以从备份恢复。", "The browser deleted the data saved on this device (storage evicted). Restore from a backup; restoring from the server comes with sync."},
    {Str::StorageNotice, "注意", "Note"},
    {Str::BackupExport, "导出备份", "Export backup"},
    {Str::BackupRestore, "从备份恢复…", "Restore from backup…"},
    {Str::BackupConfirm, "用这个备份替换本机的全部数据？当前数据将被覆盖。", "Replace all data on this device with this backup? The current data will be overwritten."},
    {Str::BackupCustomers, "备份中的客户数", "Customers in the backup"},
    {Str::BackupReplace, "替换", "Replace"},
    {Str::BackupCancel, "取消", "Cancel"},
    {Str::BackupExported, "备份已下载", "Backup downloaded"},
    {Str::BackupRestored, "已从备份恢复", "Restored from the backup"},
    {Str::BackupRefused, "无法恢复，当前数据未改动：", "Cannot restore; your current data is unchanged: "},
    {Str::UpdateAvailable, "有新版本可用。", "A new version is available."},
    {Str::UpdateReload, "重新加载", "Reload"},
    {Str::AccountFormat, "请填写 用户名@公司名，例如 张三@美家门窗", "Enter name@company, for example 张三@美家门窗"},
    {Str::ServerFormat, "服务器地址以 https:// 开头；留空表示本站", "The server address starts with https://; leave it empty for this site"},
    {Str::SigningIn, "正在登录…", "Signing in…"},
    {Str::LoadingOrganisation, "已登录，正在下载公司的客户资料…", "Signed in; downloading the company's records…"},
    {Str::RelayUnreachable, "连不上同步服务器，请检查网络", "The sync server cannot be reached; check the network"},
    {Str::WrongAccountOrPassword, "账户或密码不对", "Wrong account or password"},
    {Str::LinkedToAnotherOrganisation, "此设备已关联另一家公司，不能用这个账户登录", "This device is linked to another company; this account cannot sign in here"},
    {Str::LocalDataWouldBeReplaced, "此设备上有本地客户资料，在线登录会被公司的资料替换。请先导出备份，或换一个浏览器配置文件登录", "This device holds local customer records that signing in would replace with the company's. Export a backup first, or sign in from another browser profile"},
};
static_assert(sizeof(kStrings) / sizeof(kStrings[0]) == kCount, "every Str needs a row in kStrings");

constexpr bool InOrder() {
  for (int i = 0; i < kCount; i++) {
    if (static_cast<int>(kStrings[i].key) != i) return false;
  }
  return true;
}
static_assert(InOrder(), "kStrings rows must follow the Str enum's order");
}  // namespace

const char* Tr(Lang lang, Str key) {
  int index = static_cast<int>(key);
  if (index < 0 || index >= kCount) return "?";
  return lang == Lang::Zh ? kStrings[index].zh : kStrings[index].en;
}

Lang LangFromLocale(std::string_view locale) {
  if (locale.size() >= 2 && (locale[0] == 'z' || locale[0] == 'Z') && (locale[1] == 'h' || locale[1] == 'H')) return Lang::Zh;
  return Lang::En;
}

void ForEachString(void (*visit)(const char* text, void* context), void* context) {
  for (const Entry& entry : kStrings) {
    visit(entry.zh, context);
    visit(entry.en, context);
  }
}

std::string FieldErrorText(Lang lang, std::string_view message) {
  // "name: required" → "required"; messages without a field stay whole.
  size_t colon = message.find(": ");
  std::string_view problem = colon == std::string_view::npos ? message : message.substr(colon + 2);
  if (problem == "required" || problem == "empty") return Tr(lang, Str::ErrRequired);
  if (problem == "digits only") return Tr(lang, Str::ErrDigitsOnly);
  if (problem == "4 to 8 digits") return Tr(lang, Str::ErrPinLength);
  if (problem == "wrong PIN") return Tr(lang, Str::ErrWrongPin);
  constexpr std::string_view kWait = "too many wrong PINs, wait ";
  if (problem.substr(0, kWait.size()) == kWait) {
    int seconds = std::atoi(std::string(problem.substr(kWait.size())).c_str());
    char buffer[128];
    std::snprintf(buffer, sizeof buffer, Tr(lang, Str::ErrWaitSeconds), seconds);
    return buffer;
  }
  if (problem.find("too long") != std::string_view::npos || problem.find("at most") != std::string_view::npos) {
    return Tr(lang, Str::ErrTooLong);
  }
  return std::string(colon == std::string_view::npos ? message : problem);
}

}  // namespace crm::ui
