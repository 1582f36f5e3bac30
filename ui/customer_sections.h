#pragma once
// The sections of a customer's detail, as one table: the detail screen draws
// its section buttons, loads and draws through it. A new section is a file
// under ui/customer_sections/ (its state struct, load and draw), a member for
// its state in CustomerDetailState, and one row in CustomerSections().
#include <cstddef>
#include <cstdint>
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
};

const std::vector<CustomerSection>& CustomerSections();
// The section's index in CustomerSections(), or -1.
int CustomerSectionIndex(std::string_view id);

// What the sections share with the header.
namespace customer_detail {
// The outcome of an action: success text, or core's message (a permission error reads as such).
void Report(AppState& state, const Status& status, Str success);
std::string Date(const AppState& state, int64_t ms);
std::string DateTime(const AppState& state, int64_t ms);
}  // namespace customer_detail

}  // namespace crm::ui
