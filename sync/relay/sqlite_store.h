#pragma once
// The default store: one SQLite file in WAL mode (synchronous=FULL, so a commit
// is on disk before the relay answers), with a small pool of connections.
#include <memory>
#include <string>

#include "sync/relay/store.h"

namespace crm::relay {

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const StoreOptions& options);

}  // namespace crm::relay
