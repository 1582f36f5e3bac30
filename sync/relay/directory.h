#pragma once
// The relay's answer to GET /v1/directory (docs/PROTOCOL.md "directory"): the company directory of the
// caller's organisation (core/directory.h), read from the relay's copy, a page at a time. Incremental when the
// device's directory is recent (the customers the log touched since its position), whole otherwise.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/db.h"
#include "core/scope.h"
#include "sync/relay/store.h"
#include "sync/wire.h"

namespace crm::relay {

// Customers in one answer (about 100 bytes each).
constexpr size_t kDirectoryPageEntries = 5000;
// Past this many log entries since the device's position, the whole directory is cheaper than the changes.
constexpr int64_t kDirectoryMaxIncrementalEntries = 5000;

struct DirectoryQuestion {
  int64_t since = 0;    // the device's directory position; 0: none
  int64_t afterId = 0;  // the page's cursor
};

// The answer at the copy's position `seq` for a person of `scope`, under the organisation's `key`. A scope of
// everything holds every customer already: its answer is whole and empty. `store` reads the log since `since`.
Result<sync::DirectoryResponse> AnswerDirectory(Db& copy, int64_t seq, Store& store, int64_t orgId, const ReadScope& scope,
                                                const std::string& key, const DirectoryQuestion& question);

}  // namespace crm::relay
