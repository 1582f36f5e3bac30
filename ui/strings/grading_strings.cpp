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
};
}  // namespace
extern const KeyedTexts k_grading_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
