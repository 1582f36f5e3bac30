#pragma once
// The conflict log: what the sync policy decided when two changes met. Every
// device applies the relay's one order with one policy, so each records the
// same conflicts for the confirmed data; people read them here ("who changed
// my customer's phone back?"), and the sync layer writes them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/db.h"

namespace crm {

enum class ConflictKind { Data, NotFound, Conflict, Constraint, ForeignKey };
const char* Code(ConflictKind kind);
Result<ConflictKind> ParseConflictKind(std::string_view code);

struct ConflictEntry {
  int64_t id = 0;
  int64_t seq = 0;  // relay position of the change that won or was dropped
  int64_t at = 0;   // when this device resolved it (ms)
  ConflictKind kind = ConflictKind::Data;
  std::string table;
  std::string rowKey;  // the row's primary key, as text
  std::optional<int64_t> customerId;
  std::string field;  // empty: the whole row
  std::optional<std::string> lostValue;
  std::optional<std::string> wonValue;
  std::string resolution;  // replaced (later value won), dropped (change not applied), deleted (row removed)
  int64_t winnerUser = 0;
  int64_t winnerDevice = 0;
  std::optional<int64_t> loserUser;  // who wrote the value that lost, where the row says
  bool seen = false;
  // When each of the two changes was made, and the losing one's device: ListConflicts reads them from the
  // audit trail, which travelled with both changes. Not stored in the log: a column of its own would raise
  // the schema version, and devices not yet updated would stop taking changes.
  std::optional<int64_t> winnerAt;
  std::optional<int64_t> loserAt;
  std::optional<int64_t> loserDevice;
};

struct ConflictQuery {
  std::optional<int64_t> customerId;
  bool unseenOnly = false;
  int64_t beforeId = 0;  // paging: entries older than this id (0: from the newest)
  int limit = 100;
};

// Newest first, with who wrote each value when (from the audit trail, where it has them).
Result<std::vector<ConflictEntry>> ListConflicts(Db& db, const ConflictQuery& query = {});
Result<int64_t> CountUnseenConflicts(Db& db);
// Marks every entry up to and including `upToId` as seen (0: all).
Status MarkConflictsSeen(Db& db, int64_t upToId = 0);
// Appends entries (ids are assigned here); for the sync layer.
Status RecordConflicts(Db& db, const std::vector<ConflictEntry>& entries);

}  // namespace crm
