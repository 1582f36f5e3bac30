#pragma once
// Read scopes: which customers a device may hold. The company's customers stay with the company: a rep's
// device receives their own customers and the public pool, not the whole organisation. The rule is the
// write rule of core/org.h (who may change a customer may read it), widened by one organisation setting.
// Which rows follow a customer comes from the record registry (RecordType::scopeColumn). The relay filters
// what it sends with this; a device uses the same to know what it should hold.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/db.h"
#include "core/org.h"

namespace crm {

// Sets, so that one scope can be the union of several people's: a shared tablet holds what every person
// signed in on it may read.
struct ReadScope {
  bool everything = false;     // leaders and admins
  std::set<int64_t> ownerIds;  // these people's own customers
  std::set<int64_t> teamIds;   // customers held by these teams (supervisors, store staff; reps when allowed)
  // The public pool (no owner) is in every scope.
};

// The scope of a person as the organisation's data has it now; Denied for an unknown or deactivated person.
Result<ReadScope> ReadScopeOf(Db& db, int64_t userId);
// The scope of a device: the union of the scopes of `userId` (who asks; Denied as ReadScopeOf) and of
// the others signed in on the same device. Another person who may read nothing (deactivated, unknown)
// adds nothing.
Result<ReadScope> ReadScopeOfDevice(Db& db, int64_t userId, const std::set<int64_t>& othersSignedIn);
// Adds what `other` may read to `scope`.
void Widen(ReadScope& scope, const ReadScope& other);
// Whether the scope holds a customer held this way.
bool CanRead(const ReadScope& scope, const Holding& holding);
// The same rule as an SQL condition over the columns of customers (qualified by `alias`).
std::string ScopeCondition(const ReadScope& scope, const std::string& alias);
// The customers in the scope, the trash included, sorted by id.
Result<std::vector<int64_t>> CustomersInScope(Db& db, const ReadScope& scope);
// Every customer this database holds, sorted by id.
Result<std::vector<int64_t>> HeldCustomers(Db& db);
// A short fingerprint of a sorted id list: a device compares the relay's with its own to notice a scope change.
std::string ScopeDigest(const std::vector<int64_t>& sortedIds);

// Fills temp.`table` (one INTEGER PRIMARY KEY column `id`, made when missing) with exactly these ids: a
// set to join with, instead of an IN list of thousands of numbers.
Status FillIdTable(Db& db, const std::string& table, const std::vector<int64_t>& ids);

// Removes customers and every row that follows them (the registry's scopeColumn, audit rows included) from
// this database only: a customer left the device's scope. Writes no audit rows; the caller keeps sync capture
// off, since nothing here is a change anyone made.
Status DropCustomers(Db& db, const std::vector<int64_t>& ids);
// Removes rows that follow a customer this database does not hold (a merge moved them to one outside
// the scope). Like DropCustomers: no audit, and the caller keeps sync capture off.
Status DropRowsOfAbsentCustomers(Db& db);

}  // namespace crm
