#pragma once
// The company directory: a minimal index of every customer of the organisation that travels to every
// scoped device, so the duplicate check (core/duplicates.h) still sees customers the device does not hold.
// Per customer it holds the owner, the name and the city (for the similar-name check) and a keyed digest of
// each phone number; never an address, a note, a contact or any history. The digest is HMAC-SHA256 under a
// random key of the organisation (the relay keeps it and hands it to its signed-in devices), over the number
// as NormalizePhone (core/validate.h) writes it, on the relay and on the device alike.
// The relay builds entries from its copy (ReadDirectory); a device keeps them in local-only tables
// (migration 8: directory_customers, directory_phones; never synced, erased by core/wipe.h).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/db.h"
#include "core/result.h"

namespace crm {

// Bytes of a phone digest: the first 12 of the HMAC (96 bits, no collision in any organisation's book).
constexpr size_t kPhoneDigestBytes = 12;
// Bytes of an organisation's directory key.
constexpr size_t kDirectoryKeyBytes = 32;

struct DirectoryEntry {
  int64_t customerId = 0;
  std::optional<int64_t> ownerId;  // empty: the public pool
  std::string name;
  std::string city;
  bool inTrash = false;
  std::vector<std::string> phoneDigests;  // PhoneDigest of each live phone, kPhoneDigestBytes each
};

// The digest of a phone as it travels: HMAC-SHA256(key, NormalizePhone(phone)) cut to kPhoneDigestBytes.
// Empty when `phone` is not a phone number.
std::string PhoneDigest(std::string_view key, std::string_view phone);

// --- the relay's side, from its copy of the organisation

// Entries of customers with an id past `afterId`, by id, at most `limit`; only those whose id is in
// temp.`onlyIdsTable` (core/scope.h FillIdTable) when it is given. Customers merged into another are left
// out: they are nobody's customer any more.
Result<std::vector<DirectoryEntry>> ReadDirectory(Db& copy, std::string_view key, int64_t afterId, size_t limit,
                                                  const std::string& onlyIdsTable = "");

// --- the device's side

// Where this device's directory stands: the relay position it was last read whole at (-1: never) and the key.
struct DirectoryPosition {
  int64_t seq = -1;
  std::string key;
};
Result<DirectoryPosition> LocalDirectoryPosition(Db& db);

// One page of an answer. `full`: the entries are every customer with an id in (afterId, throughId] (to the
// end when throughId is empty), so local entries in that range that are not among them go; otherwise the
// entries replace their customers' and `removed` go. `finished`: the last page: the directory stands at
// `position` from now on.
struct DirectoryPage {
  bool full = false;
  int64_t afterId = 0;
  std::optional<int64_t> throughId;
  std::vector<DirectoryEntry> entries;
  std::vector<int64_t> removed;
  bool finished = false;
  DirectoryPosition position;
};
Status StoreDirectoryPage(Db& db, const DirectoryPage& page);

// A customer of the directory this device does not hold, as the duplicate check sees it.
struct DirectoryHit {
  int64_t customerId = 0;
  std::string name;
  std::string city;
  std::optional<int64_t> ownerId;
  std::string ownerName;  // from the shared users table
  bool inTrash = false;
};
// Customers not held here with this phone (any form NormalizePhone accepts).
Result<std::vector<DirectoryHit>> DirectoryByPhone(Db& db, std::string_view phone);
// Customers not held here whose name key (core/duplicates.h NameKey) contains `probe`, at most `limit`.
Result<std::vector<DirectoryHit>> DirectoryByNameProbe(Db& db, std::string_view probe, int limit);

}  // namespace crm
