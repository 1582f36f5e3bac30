// The offline lock (sync/offline_lock.h): the organisation's setting (ui/settings_screen.cpp) and the
// screen a device shows while it is locked (ui/offline_lock_screen.cpp).
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"offline_lock.days", "离线锁定天数", "Offline lock (days)"},
    {"offline_lock.days_hint",
     "同步的设备超过这么多天没有连上同步服务器就锁定：不显示任何客户资料，连上后自动解锁。0 为不锁定；最多 90 天。"
     "这是设备自己遵守的规定，服务器不强制；丢失的设备请由管理员停用。",
     "A syncing device that has not reached the sync server for this many days locks: it shows no customer data, "
     "and unlocks by itself once it reaches the server. 0: never; at most 90 days. The device keeps this rule "
     "itself, the server does not enforce it; an administrator revokes a lost device."},
    {"offline_lock.title", "设备已锁定", "This device is locked"},
    {"offline_lock.why", "本设备已超过 {days} 天没有连上同步服务器。按公司的规定，锁定期间不显示客户资料。",
     "This device has not reached the sync server for {days} days or more. Your organisation's rule: while it is "
     "locked, it shows no customer data."},
    {"offline_lock.unlock", "请连接网络：设备一连上同步服务器就会自动解锁，不需要其他操作。",
     "Connect to the network: the device unlocks by itself as soon as it reaches the sync server."},
    {"offline_lock.last_contact", "上次连上服务器：{when}", "Last reached the server: {when}"},
};
}  // namespace
extern const KeyedTexts k_offline_lock_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
