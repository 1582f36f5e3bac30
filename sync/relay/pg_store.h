#pragma once
// The store for several relay processes: PostgreSQL through libpq. Each
// organisation's log is appended under a row lock on the organisation (SELECT …
// FOR UPDATE), so concurrent pushes on any process get one gap-free order;
// LISTEN/NOTIFY wakes the pulls waiting on the other processes.
#include <memory>
#include <string>

#include "sync/relay/store.h"

namespace crm::relay {

// `conninfo`: a libpq URI (postgres://user@host:port/db) or "key=value" string.
Result<std::unique_ptr<Store>> OpenPgStore(const std::string& conninfo, const StoreOptions& options);

}  // namespace crm::relay
