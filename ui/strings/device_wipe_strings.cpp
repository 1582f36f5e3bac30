// A device an administrator revoked erases its data (core/wipe.h) and says so on its welcome screen
// (ui/signin_screen.cpp) until the person closes the notice.
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"device_wipe.notice", "此设备已被管理员停用，本机数据已清除。", "An administrator revoked this device; its data was erased."},
    {"device_wipe.close", "知道了", "OK"},
};
}  // namespace
extern const KeyedTexts k_device_wipe_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
