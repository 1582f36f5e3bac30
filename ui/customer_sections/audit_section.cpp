#include "ui/customer_sections/audit_section.h"

#include "core/table_changes.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/conflicts_screen.h"
#include "ui/customer_sections.h"
#include "ui/errors.h"
#include "ui/labels.h"

namespace crm::ui {

using customer_detail::DateTime;

void LoadAuditSection(AppState& state, CustomerDetailState& detail) {
  AuditSectionState& d = detail.audit;
  Db& db = *state.db;
  if (auto audit = AuditForCustomer(db, detail.customerId, 300)) d.audit = std::move(audit).Value(); else detail.error = DescribeError(state.lang, audit.GetError());
  ConflictQuery conflicts;
  conflicts.customerId = detail.customerId;
  conflicts.limit = 50;
  if (auto found = ListConflicts(db, conflicts)) d.conflicts = std::move(found).Value(); else detail.error = DescribeError(state.lang, found.GetError());
}

void DrawAuditSection(AppState& state, CustomerDetailState& detail) {
  AuditSectionState& d = detail.audit;
  Lang lang = state.lang;
  if (!d.conflicts.empty()) {
    ImGui::SeparatorText(Tr(lang, Str::ConflictLog));
    for (const ConflictEntry& e : d.conflicts) {
      std::string line = ConflictLine(state, e);
      NoteText(line);
      ImGui::TextWrapped("%s", line.c_str());
    }
    ImGui::SeparatorText(Tr(lang, Str::AuditTrail));
  }
  if (d.audit.empty()) ImGui::TextDisabled("%s", Tr(lang, Str::NoAudit));
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(d.audit.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; i++) {
      const AuditEntry& e = d.audit[static_cast<size_t>(i)];
      std::string line = DateTime(state, e.at) + "  ·  " + UserName(state, e.userId) + "  ·  " + AuditActionLabel(lang, e.action) +
                         "  ·  " + AuditTableLabel(lang, e.table);
      if (!e.field.empty()) {
        line += " · " + FieldLabel(lang, e.table, e.field) + ": " + e.oldValue.value_or("∅") + " → " + e.newValue.value_or("∅");
      }
      if (line.size() > 240) line = line.substr(0, 240) + "…";
      NoteText(line);
      ImGui::TextUnformatted(line.c_str());
    }
  }
}

extern const CustomerSection k_audit_section = {"audit", Str::AuditTrail, nullptr, LoadAuditSection, DrawAuditSection, TableBits({"audit_log", "sync_conflicts"}), 90};

}  // namespace crm::ui
