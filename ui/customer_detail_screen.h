#pragma once
// A customer's detail (客户详情): the header with the actions (记录拜访 first: a
// visit is logged in three taps from here), then the sections of
// ui/customer_sections.h (profile, contacts, timeline, follow-ups, class,
// stage, audit trail), each drawn and reloaded on its own.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/customers.h"
#include "ui/customer_sections.h"
#include "ui/customer_sections/audit_section.h"
#include "ui/customer_sections/contacts_section.h"
#include "ui/customer_sections/followups_section.h"
#include "ui/customer_sections/grade_section.h"
#include "ui/customer_sections/profile_section.h"
#include "ui/customer_sections/stage_section.h"
#include "ui/customer_sections/timeline_section.h"
#include "ui/reload.h"
#include "ui/widgets.h"

namespace crm::ui {

struct AppState;

struct CustomerDetailState {
  int64_t customerId = 0;  // 0: no customer open
  int64_t loadedId = 0;
  LoadStamp customerLoad;               // the customer's own record (header, profile)
  std::vector<LoadStamp> sectionLoads;  // one per CustomerSections() entry
  std::optional<Customer> customer;
  // What the signed-in person may do here: the checks core's writes make (core/org.h), so the screen greys out
  // what would be refused, with the same reason. Read again when the customer, the people or the person change.
  LoadStamp permissionLoad;
  int64_t checkedActor = 0;
  Status editCheck;      // CanEditCustomer: every change to this customer and what belongs to it
  Status reassignCheck;  // CanReassignCustomer: handing it over
  std::string error;    // the last action's failure (permission errors included), until the next action
  std::string message;  // the last action's success
  int section = 0;      // the index in CustomerSections() shown

  // A follow-up planned by hand.
  bool scheduleOpen = false;
  std::string scheduleDate, scheduleNote, scheduleError;
  int schedulePreset = -1;
  bool confirmTrash = false;

  // Each section's own state (ui/customer_sections/).
  ProfileSectionState profile;
  ContactsSectionState contacts;
  TimelineSectionState timeline;
  FollowupsSectionState followups;
  GradeSectionState grade;
  StageSectionState stage;
  AuditSectionState audit;
  // The state of sections that keep their own (SectionState), by section id.
  std::map<std::string, std::unique_ptr<CustomerSectionState>> sectionStates;
};

template <class T>
T& SectionState(CustomerDetailState& detail, const char* sectionId) {
  std::unique_ptr<CustomerSectionState>& slot = detail.sectionStates[sectionId];
  if (!slot) slot = std::make_unique<T>();
  return static_cast<T&>(*slot);
}

void DrawCustomerDetail(AppState& state);

}  // namespace crm::ui
