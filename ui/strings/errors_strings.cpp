// Errors worded for people (ui/errors.cpp): refusals naming whom they are about, the problems that have no field,
// and, for errors core gives no problem, one wording per error code (core's English message is for logs only).
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"errors.someone", "其他同事", "another person"},
    {"errors.not_your_customer", "这是%s的客户，只有%s或其主管可以修改", "This is %s's customer; only %s or their supervisor can change it"},
    {"errors.supervisors_only", "只有主管（在本组内）、领导和管理员可以转交客户", "Only supervisors (within their team), leaders and admins can hand customers over"},
    {"errors.admins_only", "只有管理员可以管理人员、团队和自定义字段", "Only admins can manage people, teams and custom fields"},
    {"errors.leaders_only", "只有领导和管理员可以修改设置", "Only leaders and admins can change the settings"},
    {"errors.not_your_assignee", "销售只能给自己安排工作，主管给本组，领导和管理员可以给任何人", "Reps plan work for themselves, supervisors for their team, leaders and admins for anyone"},
    {"errors.not_your_import", "只有导入人、主管、领导和管理员可以更改这次导入", "Only the person who imported, supervisors, leaders and admins can change this import"},
    {"errors.not_signed_in", "请先登录", "Sign in first"},
    {"errors.already_owned", "已被%s认领，只能认领公海里的客户", "%s holds this customer already; only customers in the pool can be claimed"},
    {"errors.already_yours", "这已经是你的客户", "This customer is yours already"},
    {"errors.already_in_pool", "这位客户已经在公海里", "This customer is in the pool already"},
    {"errors.same_owner", "这些客户已经归这个人负责", "These customers belong to this person already"},
    {"errors.not_in_trash", "这位客户不在回收站里", "This customer is not in the trash"},
    {"errors.merged", "这位客户已合并到另一位客户，不能恢复或再合并", "This customer was merged into another; it cannot be restored or merged again"},
    {"errors.same_customer", "不能把客户合并到它自己", "A customer cannot be merged into itself"},
    {"errors.empty_file", "文件是空的（没有表头行）", "The file is empty (no header row)"},
    {"errors.not_decodable", "不是%s编码的文字，请换一种编码", "Not %s text; choose another encoding"},
    {"errors.nothing_to_undo", "没有可以撤销的导入", "There is no import to undo"},
    // Sync, as the status bar says it.
    {"errors.relay_unreachable", "连不上同步服务器，修改已保存在本机，联网后自动同步", "Cannot reach the sync server; changes are kept on this device and sync when it is back"},
    {"errors.relay_busy", "同步服务器正忙，稍后自动重试", "The sync server is busy; trying again shortly"},
    {"errors.relay_sign_in", "同步服务器不再接受本设备的登录，请重新登录", "The sync server no longer accepts this device's sign-in; sign in again"},
    {"errors.device_revoked", "此设备已被管理员停用，本机数据将被清除", "An administrator revoked this device; its data is being erased"},
    {"errors.relay_forbids", "同步服务器不允许你的账号做这件事", "The sync server does not allow your account to do this"},
    {"errors.relay_rejected", "同步服务器没有接受请求，请检查服务器地址，或更新应用", "The sync server did not accept the request; check its address, or update the app"},
    {"errors.relay_refused_change", "同步服务器拒绝了本机的一项修改（%s），已在本机撤回，详见同步冲突记录", "The sync server refused a change made here (%s); it was taken back on this device, see the sync conflicts"},
    // Errors without a problem, by their code.
    {"errors.code.generic", "操作没有完成，请再试一次", "It did not work; try again"},
    {"errors.code.invalid", "输入有误，请检查后再试", "Something in the input is wrong; check it and try again"},
    {"errors.code.not_found", "找不到（可能已被删除）", "Not found (it may have been deleted)"},
    {"errors.code.denied", "你的角色不能做这项更改", "Your role does not allow this change"},
    {"errors.code.conflict", "和已有的数据冲突，请刷新后再试", "It clashes with data already there; reload and try again"},
    {"errors.code.storage", "本机存储出错，更改没有保存", "The device's storage failed; the change was not saved"},
    {"errors.code.full", "存储空间已满，请清理后再试", "The storage is full; free some space and try again"},
    {"errors.code.corrupt", "数据已损坏，无法读取", "The data is damaged and cannot be read"},
    {"errors.code.schema", "数据来自更新版本的应用，请先更新应用", "The data comes from a newer version of the app; update the app first"},
    // The encodings in words, for the import's "detected" line.
    {"encoding.utf8", "UTF-8（通用）", "UTF-8"},
    {"encoding.gb18030", "GB18030（简体中文）", "GB18030 (Simplified Chinese)"},
};
}  // namespace

extern const KeyedTexts k_errors_strings = {kTexts, sizeof(kTexts) / sizeof(kTexts[0])};

}  // namespace crm::ui
