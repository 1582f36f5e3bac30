// Visit records (拜访/跟进记录): the table and its fields (core/records.cpp).
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"activities", "跟进记录", "Activities"},
    {"activities.contact_id", "联系人", "Contact"},
    {"activities.kind", "方式", "Kind"},
    {"activities.occurred_at", "时间", "When"},
    {"activities.user_id", "记录人", "Recorded by"},
    {"activities.summary", "拜访小结", "Summary"},
    {"activities.opinion", "客户意见", "Customer's opinion"},
    {"activities.outcome", "结果", "Outcome"},
    {"activities.next_step", "下一步", "Next step"},
};
}  // namespace
extern const KeyedTexts k_activities_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
