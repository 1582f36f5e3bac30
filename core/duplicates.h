#pragma once
// Duplicates: before a customer is saved (form or import), who might it already
// be? The same phone anywhere (customer or contact, in the pool or the trash),
// or the same or a similar name in the same city. Merging folds one customer
// into another with all of its history, in one audited transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/customers.h"
#include "core/db.h"

namespace crm {

enum class DuplicateReason { SamePhone, SameName, SimilarName };

struct DuplicateCandidate {
  int64_t id = 0;
  std::string name;
  std::string phone;  // main phone
  std::string city;
  DuplicateReason reason = DuplicateReason::SamePhone;
  std::string matchedPhone;  // for SamePhone: the number both have
  std::optional<int64_t> ownerId;
  std::string ownerName;
  bool inTrash = false;
  // Not held on this device (a scoped device holds only its person's customers): known from the company
  // directory (core/directory.h), which carries the name, the city, the owner and keyed phone digests only.
  bool elsewhere = false;
};

// Strongest reason first (phone, same name, similar name), at most `limit`; customers this device holds and,
// after them for each reason, those the company directory knows that it does not hold. `excludeId` is the
// customer being edited. Phones in `candidate` may be unnormalized; invalid ones are ignored here
// (the form's validation reports them).
Result<std::vector<DuplicateCandidate>> FindDuplicates(Db& db, const CustomerInput& candidate,
                                                       std::optional<int64_t> excludeId = std::nullopt, int limit = 20);

// The comparable core of a company or person name: folded, without spaces or punctuation, and
// without legal-form or shop suffixes (有限公司, 经营部, 店 …). Exposed for tests and the import.
std::string NameKey(std::string_view name);

struct MergeSummary {
  // Per table a customer holds (core/records.h), in the registry's order: the rows that now belong to the kept
  // customer (moved, or made anew for tags and custom values; rows the kept one had already are dropped).
  std::vector<std::pair<std::string, int>> moved;
  int fieldsFilled = 0;  // empty fields of the kept customer taken from the merged one
  int Moved(std::string_view table) const;
};

// Folds `mergedId` into `keptId`: every row a customer holds moves to the kept customer, as its
// table's merge policy says (core/records.h); its empty fields are filled from the merged
// one; the merged customer goes to the trash with merged_into set (it cannot be restored). The
// actor must be allowed to change both. One transaction; the audit trail records every row moved.
Result<MergeSummary> MergeCustomers(Db& db, int64_t keptId, int64_t mergedId, const Actor& actor);

}  // namespace crm
