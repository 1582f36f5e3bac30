// Encryption at rest: the unlock step of a device whose data is encrypted (ui/signin_screen.cpp), and what
// the storage panel and the trial banner say about it (ui/storage_panel.cpp, ui/app.cpp).
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"unlock.title", "解锁此设备", "Unlock this device"},
    {"unlock.intro", "本机数据已加密。请选择您的名字，并输入您的 PIN 码或密码。",
     "The data on this device is encrypted. Choose your name and enter your PIN or password."},
    {"unlock.wrong_password", "密码错误", "Wrong password"},
    {"unlock.password_hint", "使用您在线登录时的密码，无需联网。", "Your online sign-in password; no connection needed."},
    {"unlock.encrypted", "本机数据已加密保存。", "The data on this device is stored encrypted."},
    {"unlock.pin_only_warning",
     "本机只用 PIN 码保护：若有人复制了浏览器的数据，短 PIN 码可以被逐个试出。登录服务器（在线账号）可获得更强的保护。",
     "This device is protected by PINs only: someone who copies the browser's data can try every short PIN. "
     "Sign in to a server (an online account) for stronger protection."},
    {"unlock.not_encrypted", "本机数据未加密。", "The data on this device is not encrypted."},
    {"unlock.trial_not_encrypted", "试用数据未加密。", "Trial data is not encrypted."},
};
}  // namespace
extern const KeyedTexts k_unlock_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
