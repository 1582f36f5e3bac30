// The words of changes in the audit trail and the conflict log (ui/value_words.cpp, ui/conflicts_screen.cpp):
// a value that is not there, the trash mark's changes, and who made each of two competing changes when.
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"change_words.empty", "空", "empty"},
    {"change_words.trashed", "移入回收站", "moved to trash"},
    {"change_words.restored", "已恢复", "restored"},
    {"change_words.who_when", "{who} 在 {when}", "{who} on {when}"},
    {"change_words.unknown", "未知", "unknown"},
    {"change_words.someone", "另一处修改", "another change"},
    {"change_words.row", "{table}「{name}」", "{table} “{name}”"},
    {"change_words.replaced", "{winner} 改为「{won}」；{loser} 的修改「{lost}」被替换",
     "{winner} changed it to “{won}”; {loser}'s change “{lost}” was replaced"},
    {"change_words.deleted", "{winner} 删除了这条记录；{loser} 的修改「{lost}」随之删除",
     "{winner} deleted the record; {loser}'s change “{lost}” went with it"},
    {"change_words.dropped", "{winner} 的修改「{lost}」未生效：记录已不在",
     "{winner}'s change “{lost}” was not applied: the record was gone"},
    {"change_words.other", "{winner}：{what}", "{winner}: {what}"},
};
}  // namespace
extern const KeyedTexts k_change_words_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
