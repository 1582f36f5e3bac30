// A customer's contacts (联系人): the table and its fields (core/records.cpp).
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"contacts", "联系人", "Contacts"},
    {"contacts.name", "姓名", "Name"},
    {"contacts.role", "采购中的角色", "Role in the purchase"},
    {"contacts.title", "职务", "Title"},
    {"contacts.phone", "电话", "Phone"},
    {"contacts.wechat", "微信", "WeChat"},
    {"contacts.email", "邮箱", "Email"},
    {"contacts.birthday", "生日", "Birthday"},
    {"contacts.notes", "备注", "Notes"},
};
}  // namespace
extern const KeyedTexts k_contacts_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
