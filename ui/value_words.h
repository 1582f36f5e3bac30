#pragma once
// Stored values as people know them, for the audit trail and the conflict log. The record registry
// (core/records.h) says what a column holds — a time, a date, a code of a vocabulary, a row of another
// table — and the words follow from it: 2026-12-07 14:05, 张三, 意向客户, 移入回收站; nothing is 空, and a
// long text ends in "…". No column is worded by a case of its own.
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "ui/i18n.h"
#include "ui/reload.h"

namespace crm::ui {

struct AppState;

// Names of the rows values refer to (users, teams, customers …), read from the database on first use and
// kept until a table that names rows changes: a line drawn every frame reads nothing.
struct ValueNames {
  LoadStamp loaded;
  std::map<std::pair<std::string, int64_t>, std::optional<std::string>> names;  // nullopt: no such row
};

// A row's name ("张三", "佛山华艺门业"); 未知 / unknown when its table names no rows or the row is not there.
std::string NameOfRow(AppState& state, std::string_view table, int64_t id);
// One stored value of a column of a table.
std::string ValueWords(AppState& state, std::string_view table, std::string_view column, const std::optional<std::string>& value);
// A change of a column: "旧 → 新"; the trash mark's as 移入回收站 / 已恢复.
std::string ChangeWords(AppState& state, std::string_view table, std::string_view column,
                        const std::optional<std::string>& before, const std::optional<std::string>& after);
// The row a change is about: its table's label, and its name where it has one and is not a customer
// (the customer is named by itself): 联系人「王经理」.
std::string RowWords(AppState& state, std::string_view table, int64_t id);
// A time as the organisation's local date and time (2026-12-07 14:05).
std::string MomentWords(const AppState& state, int64_t ms);
// A keyed text (ui/strings/change_words_strings.cpp) with its {placeholders} filled.
std::string FillText(Lang lang, const char* key, std::initializer_list<std::pair<const char*, std::string>> values);

}  // namespace crm::ui
