// How this device shows the app (settings → display, ui/theme.cpp) and what the screen reader hears of the
// focused control (ui/theme.cpp FocusAnnouncement).
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"display", "显示", "Display"},
    {"display.intro", "这些设置只用于本设备，立即生效。", "These settings are for this device only and apply at once."},
    {"display.theme", "配色", "Colours"},
    {"display.theme_normal", "标准", "Standard"},
    {"display.theme_high_contrast", "高对比度", "High contrast"},
    {"display.text_size", "文字大小", "Text size"},
    {"display.keyboard_hint", "键盘：Tab 切换，Enter 或空格确认，方向键在列表中移动，Esc 关闭。",
     "Keyboard: Tab moves, Enter or Space activates, arrows move in lists, Esc closes."},
    {"display.checked", "已选中", "checked"},
    {"display.unchecked", "未选中", "not checked"},
    {"display.selected", "已选择", "selected"},
    {"display.hidden_text", "已隐藏", "hidden"},
};
}  // namespace
extern const KeyedTexts k_display_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
