// Where this window's data is kept when the browser will not keep it, and what the browser does not tell
// (ui/storage_panel.cpp; web/storage.js finds out).
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"storage.memory_only",
     "此浏览器不让本应用保存数据：数据只在这个窗口里，关闭窗口后就会丢失。关闭前请导出备份或客户 CSV。",
     "This browser does not let the app save: your data lives only in this window and is lost when you close it. "
     "Export a backup or the customers as CSV before closing."},
    {"storage.private_window",
     "这是无痕（隐私）窗口：关闭窗口后，浏览器会清除这里的数据。关闭前请导出备份或客户 CSV。",
     "This is a private window: the browser forgets its data when you close it. Export a backup or the customers "
     "as CSV before closing."},
    {"storage.browser_said", "浏览器的回答", "The browser said"},
    {"storage.restored_from_server", "浏览器曾删除本机的数据；已从服务器取回，现有 {count} 位客户。",
     "The browser had deleted this device's data; it was brought back from the server: {count} customers."},
    {"storage.in_this_window", "只在本窗口", "Only in this window"},
    {"storage.export_csv", "导出客户 CSV…", "Export customers as CSV…"},
    {"storage.estimate_unknown", "此浏览器不告知已用空间，也不告知是否会在空间不足时清除数据。",
     "This browser does not tell how much space is used, nor whether it may clear the data when space is short."},
};
}  // namespace
extern const KeyedTexts k_storage_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
