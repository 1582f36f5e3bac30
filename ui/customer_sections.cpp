#include "ui/customer_sections.h"

#include <algorithm>

#include "core/table_changes.h"
#include "ui/app_state.h"

namespace crm::ui {

namespace {
size_t ContactCount(const CustomerDetailState& d) { return d.contacts.contacts.size(); }
size_t ActivityCount(const CustomerDetailState& d) { return d.timeline.activities.size(); }
size_t OpenFollowupCount(const CustomerDetailState& d) {
  return static_cast<size_t>(std::count_if(d.followups.followups.begin(), d.followups.followups.end(),
                                           [](const Followup& f) { return f.status == FollowupStatus::Open; }));
}
}  // namespace

// The order is the order of the section buttons; the test hooks report the shown one by its index.
const std::vector<CustomerSection>& CustomerSections() {
  static const std::vector<CustomerSection> kSections = {
      {"profile", Str::Profile, nullptr, LoadProfileSection, DrawProfileSection, TableBits({"custom_fields"})},
      {"contacts", Str::Contacts, ContactCount, LoadContactsSection, DrawContactsSection, TableBits({"contacts"})},
      {"timeline", Str::Timeline, ActivityCount, LoadTimelineSection, DrawTimelineSection, TableBits({"activities"})},
      {"followups", Str::Followups, OpenFollowupCount, LoadFollowupsSection, DrawFollowupsSection, TableBits({"followups"})},
      // Core's suggestion weighs the visits, the orders and the customer's stage and last contact.
      {"grade", Str::Grade, nullptr, LoadGradeSection, DrawGradeSection,
       TableBits({"grade_history", "activities", "orders", "customers"})},
      {"stage", Str::Stage, nullptr, LoadStageSection, DrawStageSection, TableBits({"customers"})},
      {"audit", Str::AuditTrail, nullptr, LoadAuditSection, DrawAuditSection, TableBits({"audit_log", "sync_conflicts"})},
  };
  return kSections;
}

int CustomerSectionIndex(std::string_view id) {
  const std::vector<CustomerSection>& sections = CustomerSections();
  for (size_t i = 0; i < sections.size(); i++) {
    if (id == sections[i].id) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace crm::ui
