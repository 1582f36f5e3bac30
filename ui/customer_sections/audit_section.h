#pragma once
// Audit trail (操作记录): who changed what and when, and above it what sync
// decided about this customer's fields (the conflict log).
#include <string>
#include <vector>

#include "core/audit.h"
#include "core/conflicts.h"

namespace crm::ui {

struct AppState;
struct CustomerDetailState;

struct AuditSectionState {
  std::vector<AuditEntry> audit;
  std::vector<ConflictEntry> conflicts;  // what sync decided about this customer's fields
};

void LoadAuditSection(AppState& state, CustomerDetailState& detail);
void DrawAuditSection(AppState& state, CustomerDetailState& detail);
// One entry as a person reads it: when, who, what happened to which row, old → new in words.
std::string AuditLine(AppState& state, const AuditEntry& entry);

}  // namespace crm::ui
