#include "ui/i18n.h"

namespace crm::ui {

namespace {
constexpr int kCount = static_cast<int>(Str::Count);

// Same order as the Str enum; the static_asserts below catch a missing entry.
constexpr const char* kZh[] = {
    "客户管理",
    "应用版本",
    "SQLite 版本",
    "已存客户数",
    "添加一位客户",
    "示例客户",
    "正在打开数据库…",
    "已保存",
    "正在保存…",
    "未保存",
    "保存失败",
    "语言",
    "数据库错误",
    "本应用已在另一个标签页中打开。为避免数据分叉，同一时间只有一个标签页可以保存更改。",
    "另一个标签页已接管本应用，此页不再保存更改。",
    "在此使用",
    "正在接管…",
    "本机存储",
    "持久保存",
    "浏览器在空间不足时可能清除",
    "存储空间已满：这次更改没有保存，已撤销。之前保存的数据不受影响。请导出备份或释放空间。",
    "这次更改没有保存，已撤销。之前保存的数据不受影响。",
    "浏览器已删除本机保存的数据（存储被清除）。同步功能上线后可从服务器恢复；也可以从备份恢复。",
    "注意",
    "导出备份",
    "从备份恢复…",
    "用这个备份替换本机的全部数据？当前数据将被覆盖。",
    "备份中的客户数",
    "替换",
    "取消",
    "备份已下载",
    "已从备份恢复",
    "无法恢复，当前数据未改动：",
    "有新版本可用。",
    "重新加载",
};
constexpr const char* kEn[] = {
    "Customer management",
    "App version",
    "SQLite version",
    "Customers stored",
    "Add a customer",
    "Sample customer",
    "Opening the database…",
    "Saved",
    "Saving…",
    "Not saved",
    "Saving failed",
    "Language",
    "Database error",
    "The app is open in another tab. Only one tab at a time saves changes, so the data never forks.",
    "Another tab took over the app; this tab no longer saves changes.",
    "Use here",
    "Taking over…",
    "Local storage",
    "persistent",
    "may be cleared by the browser when space is short",
    "Storage is full: this change was not saved and has been undone. Everything saved earlier is intact. Export a backup or free some space.",
    "This change was not saved and has been undone. Everything saved earlier is intact.",
    "The browser deleted the data saved on this device (storage evicted). Restore from a backup; restoring from the server comes with sync.",
    "Note",
    "Export backup",
    "Restore from backup…",
    "Replace all data on this device with this backup? The current data will be overwritten.",
    "Customers in the backup",
    "Replace",
    "Cancel",
    "Backup downloaded",
    "Restored from the backup",
    "Cannot restore; your current data is unchanged: ",
    "A new version is available.",
    "Reload",
};
static_assert(sizeof(kZh) / sizeof(kZh[0]) == kCount, "every Str needs a Chinese text");
static_assert(sizeof(kEn) / sizeof(kEn[0]) == kCount, "every Str needs an English text");
}  // namespace

const char* Tr(Lang lang, Str key) {
  int index = static_cast<int>(key);
  if (index < 0 || index >= kCount) return "?";
  return lang == Lang::Zh ? kZh[index] : kEn[index];
}

Lang LangFromLocale(std::string_view locale) {
  if (locale.size() >= 2 && (locale[0] == 'z' || locale[0] == 'Z') && (locale[1] == 'h' || locale[1] == 'H')) return Lang::Zh;
  return Lang::En;
}

void ForEachString(void (*visit)(const char* text, void* context), void* context) {
  for (int i = 0; i < kCount; i++) {
    visit(kZh[i], context);
    visit(kEn[i], context);
  }
}

}  // namespace crm::ui
