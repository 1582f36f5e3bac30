#pragma once
// What a scoped device receives from the relay's copy (core/scope.h says which customers): the rows of
// a logged changeset it may read, the full current rows of customers that entered its scope, and a
// snapshot image holding only its scope. Everything is read from the relay's copy, caught up with the
// log, so "whose customer is this row" is answered as of now: a row of a customer that has left a
// device's scope is no longer sent there, and the device drops that customer when it reconciles.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/db.h"
#include "core/scope.h"
#include "sync/changeset.h"
#include "sync/wire.h"

namespace crm::sync {

// The changes of `changeset` whose rows `scope` may read, in order; the same bytes when it may read
// them all, empty when none. A row whose customer the copy no longer has is left out.
// `movedAcross` (when given) is set when a kept change moves a row between a customer the scope may
// read and one it may not (a merge): the device receiving it lacks the row's other columns, or would
// keep a row of a customer it does not hold, until it takes the customers again (scopeRefreshFrom).
Result<Bytes> FilterChangeset(Db& copy, const Bytes& changeset, const ReadScope& scope, bool* movedAcross = nullptr);

// The customers whose rows a changeset touches (as the copy says for updates that leave the customer
// column alone), added to `customers`.
Status CustomersTouched(Db& copy, const Bytes& changeset, std::set<int64_t>& customers);

// A pull answer cut to `scope`, with the scope's fingerprint; unchanged for a scope of everything.
Status CutPullToScope(Db& copy, const ReadScope& scope, PullResponse& response);

// The answer to a scope question at the copy's position `seq`: customers held but out of scope leave;
// customers in scope but not held enter with their rows (at most `maxEntering`; `more` says there are
// others), and so do the held ones in `stale` (all of them).
Result<ScopeResponse> AnswerScope(Db& copy, int64_t seq, const ReadScope& scope, std::vector<int64_t> held,
                                  const std::set<int64_t>& stale, size_t maxEntering);

// A changeset of INSERTs: every row of these customers and of the rows that follow them (registry
// scopeColumn: contacts, phones, activities, audit rows…), as the copy holds them now.
Result<Bytes> CustomerRows(Db& copy, const std::vector<int64_t>& customerIds);

// An SQLite image at the copy's schema holding the organisation's shared rows (users, teams, settings,
// field definitions, imports) and the customers of `scope` with their rows; the copy's local tables
// stay out. `copy` must be a file database (it is attached read-only).
Result<Bytes> ScopedImage(Db& copy, const ReadScope& scope);

}  // namespace crm::sync
