#include "ui/customer_sections/audit_section.h"

#include "core/records.h"
#include "core/table_changes.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/conflicts_screen.h"
#include "ui/customer_sections.h"
#include "ui/errors.h"
#include "ui/labels.h"
#include "ui/value_words.h"

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

std::string AuditLine(AppState& state, const AuditEntry& e) {
  Lang lang = state.lang;
  std::string line = DateTime(state, e.at) + "  ·  " + NameOfRow(state, "users", e.userId) + "  ·  ";
  // To the trash and back is what happened to the row; any other change is a field's, old → new, in words.
  if (IsTrashMark(e.field)) {
    line += ChangeWords(state, e.table, e.field, e.oldValue, e.newValue) + "  ·  " + RowWords(state, e.table, e.rowId);
  } else {
    line += AuditActionLabel(lang, e.action) + "  ·  " + RowWords(state, e.table, e.rowId);
    if (!e.field.empty()) line += " · " + FieldLabel(lang, e.table, e.field) + ": " + ChangeWords(state, e.table, e.field, e.oldValue, e.newValue);
  }
  return line;
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
      std::string line = AuditLine(state, e);
      NoteText(line);
      ImGui::TextUnformatted(line.c_str());
    }
  }
}

extern const CustomerSection k_audit_section = {"audit", Str::AuditTrail, nullptr, LoadAuditSection, DrawAuditSection, TableBits({"audit_log", "sync_conflicts"}), 90};

}  // namespace crm::ui
