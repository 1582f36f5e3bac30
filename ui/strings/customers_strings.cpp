// The customer record's words: the table, its fields, its phones, tags and custom values (core/records.cpp).
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"customers", "客户", "Customers"},
    {"customers.name", "客户名称", "Customer name"},
    {"customers.kind", "类型", "Kind"},
    {"customers.phone", "电话", "Phone"},
    {"customers.province", "省份", "Province"},
    {"customers.city", "城市", "City"},
    {"customers.district", "区县", "District"},
    {"customers.street", "详细地址", "Street address"},
    {"customers.industry", "行业", "Industry"},
    {"customers.scale", "规模", "Scale"},
    {"customers.brands", "经营类别/代理品牌", "Brands carried"},
    {"customers.source", "来源渠道", "Source"},
    {"customers.credit", "信用", "Credit"},
    {"customers.birthday", "生日", "Birthday"},
    {"customers.anniversary", "纪念日", "Anniversary"},
    {"customers.preferences", "偏好与习惯", "Preferences and habits"},
    {"customers.notes", "备注", "Notes"},
    {"customers.owner_id", "负责人", "Owner"},
    {"customers.team_id", "团队", "Team"},
    {"customers.claimed_at", "领取时间", "Claimed"},
    {"customers.protected_until", "保护期至", "Protected until"},
    {"customers.pooled_at", "进入公海时间", "Returned to the pool"},
    {"customers.grade", "客户分类", "Class"},
    {"customers.stage", "阶段", "Stage"},
    {"customers.lost_reason", "流失原因", "Reason lost"},
    {"customers.lost_at", "流失时间", "Lost on"},
    {"customers.last_activity_at", "最近跟进", "Last activity"},
    {"customers.merged_into", "合并到", "Merged into"},
    {"customer_phones", "电话", "Phone"},
    {"customer_phones.phone", "电话", "Phone"},
    {"customer_phones.label", "电话说明", "Phone label"},
    {"customer_tags", "标签", "Tags"},
    {"customer_tags.tag", "标签", "Tag"},
    {"custom_values", "自定义字段", "Custom fields"},
    {"custom_values.field_id", "字段", "Field"},
    {"custom_values.value", "字段值", "Value"},
};
}  // namespace
extern const KeyedTexts k_customers_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
