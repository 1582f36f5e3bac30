// The return-visit plan (回访计划): the table and its fields (core/records.cpp).
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"followups", "回访计划", "Follow-ups"},
    {"followups.owner_id", "回访人", "Assigned to"},
    {"followups.due_at", "回访日期", "Follow-up date"},
    {"followups.reason", "回访原因", "Reason"},
    {"followups.status", "状态", "Status"},
    {"followups.done_at", "完成时间", "Done on"},
    {"followups.result", "回访结果", "Result"},
    {"followups.note", "说明", "Note"},
};
}  // namespace
extern const KeyedTexts k_followups_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
