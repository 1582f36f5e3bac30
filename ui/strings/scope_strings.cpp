// Who receives which customers (core/scope.h): the organisation's setting in the settings screen.
#include "ui/keyed_text.h"

namespace crm::ui {
namespace {
constexpr KeyedText kTexts[] = {
    {"scope.rep_sees_team", "业务员的设备也接收同组同事的客户", "Reps' devices also receive their team's customers"},
    {"scope.rep_sees_team_hint",
     "关闭时，业务员的设备只保存自己的客户和公海客户；客户属于公司，员工离职时不会带走别人的客户。",
     "When off, a rep's device holds only their own customers and the pool: the customers belong to the company, "
     "and nobody who leaves takes anyone else's."},
    {"scope.customer_left_device", "这位客户已不在本设备上：可能已被删除或合并，或已转给其他同事。",
     "This customer is no longer on this device: deleted, merged, or handed to a colleague."},
};
}  // namespace
extern const KeyedTexts k_scope_strings = {kTexts, sizeof kTexts / sizeof kTexts[0]};
}  // namespace crm::ui
