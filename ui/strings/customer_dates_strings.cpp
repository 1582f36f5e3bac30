// A customer's important dates (重要日期): the table, its fields (core/records.cpp), the kinds of date
// (core/customer_dates.h) and the words of its section (ui/customer_sections/dates_section.cpp).
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"customer_dates", "重要日期", "Important dates"},
    {"customer_dates.kind", "类型", "Kind"},
    {"customer_dates.title", "名称", "Title"},
    {"customer_dates.month_day", "日期（月-日）", "Date (month-day)"},
    {"customer_dates.year", "年份", "Year"},
    {"customer_dates.notes", "备注", "Notes"},

    {"customer_dates.kind.birthday", "生日", "Birthday"},
    {"customer_dates.kind.wedding", "结婚纪念日", "Wedding anniversary"},
    {"customer_dates.kind.opening", "开业日（店庆）", "Opening day"},
    {"customer_dates.kind.founding", "公司成立日", "Company founding day"},
    {"customer_dates.kind.other", "其他", "Other"},

    {"customer_dates.add", "添加重要日期", "Add a date"},
    {"customer_dates.edit", "修改重要日期", "Edit the date"},
    {"customer_dates.none", "还没有记录重要日期。生日、纪念日、店庆都可以记在这里，到时安排回访。",
     "No important dates yet. Birthdays, anniversaries and opening days go here, to plan return visits on them."},
    {"customer_dates.title_hint", "如：老板生日", "e.g. the owner's birthday"},
    {"customer_dates.month_day_hint", "如 05-12 或 5月12日", "e.g. 05-12"},
    {"customer_dates.year_hint", "知道就填，如 1980", "if known, e.g. 1980"},
    {"customer_dates.today", "就是今天", "today"},
    {"customer_dates.in_days", "还有 %d 天", "in %d days"},
    {"customer_dates.in_days.one", "明天", "tomorrow"},
    {"customer_dates.turns", "满 %d 岁", "turns %d"},
    {"customer_dates.years", "%d 周年", "%d years"},
    {"customer_dates.years.one", "1 周年", "1 year"},
    {"customer_dates.plan", "安排回访", "Plan a follow-up"},
    {"customer_dates.ahead", "回访时间", "Follow-up"},
    {"customer_dates.on_the_day", "当天", "on the day"},
    {"customer_dates.days_ahead", "提前 %d 天", "%d days before"},
    {"customer_dates.days_ahead.one", "提前 1 天", "the day before"},
    {"customer_dates.saved", "重要日期已保存", "Date saved"},
    {"customer_dates.removed", "重要日期已删除", "Date removed"},
    {"customer_dates.planned", "回访已安排", "Follow-up planned"},
};
}  // namespace
extern const KeyedTexts k_customer_dates_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
