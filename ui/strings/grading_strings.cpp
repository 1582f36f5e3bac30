// Customer classes (A/B/C/D) and their history, and orders as far as grading reads them (core/records.cpp).
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"grade_history", "分类变更记录", "Class history"},
    {"grade_history.old_grade", "原分类", "Previous class"},
    {"grade_history.new_grade", "新分类", "New class"},
    {"grade_history.suggested_grade", "建议分类", "Suggested class"},
    {"grade_history.reason", "原因", "Reason"},
    {"orders", "订单", "Orders"},
    {"orders.ordered_at", "下单时间", "Ordered on"},
    {"orders.amount_cents", "金额", "Amount"},
    {"orders.cost_cents", "成本", "Cost"},
    {"orders.status", "状态", "Status"},
    // Why a class is suggested (ui/customer_sections/grade_section.cpp), worded from the suggestion's numbers.
    {"grade_why.score", "得分 %.0f：", "score %.0f: "},
    {"grade_why.last_contact_days", "上次联系 %lld 天前", "last contact %lld days ago"},
    {"grade_why.never_contacted", "从未联系", "never contacted"},
    {"grade_why.counts", "，90 天内 %d 次联系，365 天内 %d 笔订单", ", %d activities in 90 days, %d orders in 365 days"},
    {"grade_why.margin", "，毛利 ¥%.0f（营业额 ¥%.0f，毛利率 %.0f%%）", ", margin ¥%.0f on revenue ¥%.0f (%.0f%%)"},
    {"grade_why.uncosted", "；%lld 笔订单没有成本，不计毛利", "; %lld orders without cost count no margin"},
    {"grade_why.lost", "；已流失：赢回之前为 D 类", "; lost customer: D until won back"},
};
}  // namespace
extern const KeyedTexts k_grading_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
