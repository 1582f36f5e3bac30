#pragma once
// The relay's check of a pushed changeset, before anything is stored. Every
// row is decoded and held against the organisation's copy with the same rules
// as core (core/org.h): which tables a role may write, whose customers a user
// may change (the holding before the change, from the copy, and after it),
// child rows by their customer's holding, audit rows insert-only, and every
// written row signed by the changeset's author and device.
#include <cstdint>
#include <optional>
#include <string>

#include "core/db.h"
#include "sync/wire.h"

namespace crm::relay {

// Why a push was refused (a 422), naming the changeset, and where known the table and row.
struct Refusal {
  int64_t changesetId = 0;
  std::string table;
  std::string row;
  std::string reason;
};

// Checks one changeset against `copy` as it stands just before the changeset would be applied
// (earlier changesets of the same push already applied). The author is envelope.userId, as the
// copy's users table has them; the device is envelope.deviceId. The shape is checked too (a synced
// table, no more columns than here, the primary key in place: sync::CheckFits's rules). An error
// value means the copy itself failed.
Result<std::optional<Refusal>> CheckChangeset(Db& copy, const sync::ChangesetEnvelope& envelope);

// Rules over the whole organisation (core: CheckOrganisationUsers — at least one active admin, unique
// live names), checked on `copy` right after `envelope` was applied to it, inside the transaction that
// the caller rolls back on a refusal. Only for changesets that touch the tables those rules are about.
Result<std::optional<Refusal>> CheckAppliedChangeset(Db& copy, const sync::ChangesetEnvelope& envelope);

}  // namespace crm::relay
