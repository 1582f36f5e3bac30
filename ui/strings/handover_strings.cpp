// The company directory's warning in the customer form, and hand-over requests (core/handover.h): asked for
// from the warning, decided in the pool screen's tab.
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"handover_requests", "移交申请", "Hand-over requests"},
    {"handover_requests.customer_id", "客户", "Customer"},
    {"handover_requests.requested_by", "申请人", "Asked by"},
    {"handover_requests.note", "说明", "Note"},
    {"handover_requests.state", "状态", "State"},
    {"handover_requests.decided_by", "处理人", "Decided by"},
    {"handover_requests.state.requested", "待处理", "waiting"},
    {"handover_requests.state.granted", "已同意", "granted"},
    {"handover_requests.state.declined", "已拒绝", "declined"},
    // %s: the owner's name.
    {"handover.customer_of", "已是%s的客户", "already a customer of %s"},
    {"handover.in_pool", "在公海中，可以认领", "in the public pool: claim it"},
    {"handover.not_on_device", "（不在本设备上）", "(not on this device)"},
    {"handover.ask", "申请移交", "Ask for hand-over"},
    {"handover.note", "说明（可不填）", "Note (optional)"},
    {"handover.send", "发送申请", "Send request"},
    // %s: the owner's name.
    {"handover.sent", "已申请：%s的主管会处理", "Requested: %s's supervisor decides"},
    {"handover.none", "没有待处理的移交申请。", "No hand-over requests are waiting."},
    {"handover.intro", "业务员申请接手别人的客户；同意后客户连同全部记录移交给申请人。",
     "A rep asks for someone else's customer; once granted, the customer moves to them with its whole history."},
    // Who asks, the customer, its owner.
    {"handover.line", "%s 申请接手「%s」（现属%s）", "%s asks for \"%s\" (now %s's)"},
    {"handover.grant", "同意", "Grant"},
    {"handover.decline", "拒绝", "Decline"},
    {"handover.granted", "已移交", "Handed over"},
    {"handover.declined", "已拒绝", "Declined"},
};
}  // namespace
extern const KeyedTexts k_handover_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
