#pragma once
// What a scoped device receives from the relay's copy (core/scope.h says which customers): the rows of
// a logged changeset it may read, the full current rows of customers that entered its scope, and a
// snapshot image holding only its scope. Everything is read from the relay's copy, caught up with the
// log, so "whose customer is this row" is answered as of now: a row of a customer that has left a
// device's scope is no longer sent there, and the device drops that customer when it reconciles.
#include <cstdint>
#include <string>
#include <vector>

#include "core/db.h"
#include "core/scope.h"
#include "sync/changeset.h"

namespace crm::sync {

// The changes of `changeset` whose rows `scope` may read, in order; the same bytes when it may read
// them all, empty when none. A row whose customer the copy no longer has is left out.
Result<Bytes> FilterChangeset(Db& copy, const Bytes& changeset, const ReadScope& scope);

// A changeset of INSERTs: every row of these customers and of the rows that follow them (registry
// scopeColumn: contacts, phones, activities, audit rows…), as the copy holds them now.
Result<Bytes> CustomerRows(Db& copy, const std::vector<int64_t>& customerIds);

// An SQLite image at the copy's schema holding the organisation's shared rows (users, teams, settings,
// field definitions, imports) and the customers of `scope` with their rows; the copy's local tables
// stay out. `copy` must be a file database (it is attached read-only).
Result<Bytes> ScopedImage(Db& copy, const ReadScope& scope);

}  // namespace crm::sync
