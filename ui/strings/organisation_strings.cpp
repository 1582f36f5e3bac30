// The organisation's records: settings, teams, users, custom field definitions, imports, the audit trail.
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"settings", "设置", "Settings"},
    {"settings.value", "设置值", "Value"},
    {"teams", "团队", "Teams"},
    {"teams.name", "团队名称", "Team name"},
    {"teams.supervisor_id", "主管", "Supervisor"},
    {"users", "人员", "People"},
    {"users.name", "姓名", "Name"},
    {"users.role", "角色", "Role"},
    {"users.team_id", "团队", "Team"},
    {"users.phone", "电话", "Phone"},
    {"users.active", "在职", "Active"},
    {"custom_fields", "自定义字段设置", "Custom field definitions"},
    {"custom_fields.key", "字段代码", "Field code"},
    {"custom_fields.label", "字段名称", "Field label"},
    {"custom_fields.type", "字段类型", "Field type"},
    {"custom_fields.choices", "选项", "Choices"},
    {"custom_fields.required", "必填", "Required"},
    {"imports", "导入", "Imports"},
    {"imports.file_name", "文件名", "File name"},
    {"imports.rows_ok", "成功行数", "Rows imported"},
    {"imports.rows_failed", "失败行数", "Rows failed"},
    {"imports.undone_at", "撤销时间", "Undone on"},
    {"audit_log", "修改记录", "Change history"},
    {"record.deleted_at", "回收站", "Trash"},
};
}  // namespace
extern const KeyedTexts k_organisation_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
