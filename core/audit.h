#pragma once
// The audit trail: every change to a synced table records who, when, from
// which device, and the old and new value of each changed field. Triggers
// write it, so no code path can forget; core functions only read it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/db.h"

namespace crm {

struct AuditEntry {
  int64_t id = 0;
  int64_t at = 0;
  int64_t userId = 0;
  int64_t deviceId = 0;
  std::string table;
  int64_t rowId = 0;
  std::optional<int64_t> customerId;
  std::string action;  // insert, update, delete (to trash), restore, purge
  std::string field;   // empty for insert and purge
  std::optional<std::string> oldValue;
  std::optional<std::string> newValue;
};

// (Re)creates the audit triggers of every synced table from its current columns.
Status InstallAuditTriggers(Db& db);

// Newest first.
Result<std::vector<AuditEntry>> AuditForCustomer(Db& db, int64_t customerId, int limit = 500);
Result<std::vector<AuditEntry>> AuditForUser(Db& db, int64_t userId, int64_t sinceMs = 0, int limit = 500);

}  // namespace crm
