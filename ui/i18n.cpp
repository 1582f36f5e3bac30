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
