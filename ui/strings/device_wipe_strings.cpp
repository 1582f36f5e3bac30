// A device an administrator revoked erases its data (core/wipe.h) and says so on its welcome screen
// (ui/signin_screen.cpp) until the person closes the notice; a sign-in on it is refused, in words.
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"device_wipe.notice", "此设备已被管理员停用，本机数据已清除。", "An administrator revoked this device; its data was erased."},
    {"device_wipe.close", "知道了", "OK"},
    // An online sign-in on a device that was revoked (the relay answers device_revoked).
    {"device_wipe.sign_in_refused", "此设备已被管理员停用，不能再在这台设备上登录。请换一台设备，或联系管理员。",
     "An administrator revoked this device: nobody can sign in on it. Use another device, or ask your administrator."},
};
}  // namespace
extern const KeyedTexts k_device_wipe_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
