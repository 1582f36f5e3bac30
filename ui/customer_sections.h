#pragma once
// The sections of a customer's detail, as one table: the detail screen draws
// its section buttons, loads and draws through it. A section is a file under
// ui/customer_sections/ that defines `extern const CustomerSection
// k_<file name>` (its id, label, order, load and draw); the build lists those
// files (ui/CMakeLists.txt), so a new section is that one file. Its state is
// its own struct, kept for it by the detail screen (SectionState below).
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ui/i18n.h"

namespace crm::ui {

struct AppState;
struct CustomerDetailState;

struct CustomerSection {
  const char* id;  // the section button is "section_" + id
  Str label;
  // Shown after the label in brackets (contacts, visits, open follow-ups); null: no count.
  size_t (*count)(const CustomerDetailState&);
  // Reads the section's data; run when the customer opens and whenever a table in readsTables changed.
  void (*load)(AppState&, CustomerDetailState&);
  void (*draw)(AppState&, CustomerDetailState&);
  uint64_t readsTables;  // core/table_changes.h bits
  int order;             // where its button stands among the others (ascending)
  // A label of the record registry's (core/records.h) instead of `label`, for sections of a record type.
  const char* labelKey = nullptr;
};

// The state a section keeps while a customer is open, when it is not a member of CustomerDetailState: created on
// first use, dropped with the rest of the detail's state when another customer opens.
struct CustomerSectionState {
  virtual ~CustomerSectionState() = default;
};
template <class T>
T& SectionState(CustomerDetailState& detail, const char* sectionId);

const std::vector<CustomerSection>& CustomerSections();
// The section's index in CustomerSections(), or -1.
int CustomerSectionIndex(std::string_view id);

// What the sections share with the header.
namespace customer_detail {
// The outcome of an action: success text, or core's message (a permission error reads as such).
void Report(AppState& state, const Status& status, Str success);
// The same with the success already worded (a section's keyed text).
void Report(AppState& state, const Status& status, const std::string& success);
std::string Date(const AppState& state, int64_t ms);
std::string DateTime(const AppState& state, int64_t ms);
// Why the signed-in person may not change this customer (core's CanEditCustomer, worded), or empty when they may:
// actions that change it are drawn through ActionButton (ui/refusals.h) with it.
std::string EditRefusal(const AppState& state);
// The same for handing it over to someone else (CanReassignCustomer).
std::string ReassignRefusal(const AppState& state);
}  // namespace customer_detail

}  // namespace crm::ui
