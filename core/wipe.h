#pragma once
// Erasing a device: when an administrator revokes it (or deactivates the last person who used it),
// every row of the organisation's data and of the device's own tables (accounts, search index,
// sync outbox and state, conflict log) goes, and the database is left as a fresh device's.
// The native tools and the browser share this one function.
#include <cstdint>

#include "core/db.h"
#include "core/result.h"

namespace crm {

// Deletes every row of every table in one transaction (the schema stays), then rewrites the file
// (VACUUM) so no page keeps a deleted row's bytes. The device id and secret go too: the next start
// makes new ones, as on a fresh device. Not inside a transaction.
Status WipeDevice(Db& db);

// The notice a wiped device shows on its welcome screen until the person closes it. Kept in the
// (otherwise empty) database, so it outlives the reload the browser does after a wipe.
Status NoteDeviceWiped(Db& db, int64_t nowMs);
Result<bool> DeviceWasWiped(Db& db);
Status DismissWipeNotice(Db& db);

}  // namespace crm
