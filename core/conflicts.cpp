#include "core/conflicts.h"

#include "core/records.h"

namespace crm {

namespace {
constexpr const char* kCodes[] = {"data", "notfound", "conflict", "constraint", "foreign_key"};

void BindOptional(Stmt& stmt, const std::optional<std::string>& value) {
  if (value) stmt.BindNext(*value);
  else stmt.BindNext(Null{});
}
// The audit entry of a value written to the row's field by `user` no later than the conflict was resolved:
// when, and from which device. A text-keyed table (settings) files its key as the field, on row 0.
Status FindAuthorship(Db& db, const ConflictEntry& e, std::optional<int64_t> user, const std::optional<std::string>& value,
                      std::optional<int64_t>& at, std::optional<int64_t>* device) {
  if (!user || e.field.empty()) return Ok();
  const RecordType* type = FindRecordType(e.table);
  if (!type) return Ok();
  const bool textKey = type->textKey;
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "SELECT at, device_id FROM audit_log WHERE user_id = ?1 AND at <= ?2 AND table_name = ?3 AND row_id = ?4 "
      "AND field = ?5 AND new_value IS ?6 ORDER BY at DESC LIMIT 1"));
  stmt.Bind(1, *user).Bind(2, e.at).Bind(3, e.table);
  if (textKey) stmt.Bind(4, int64_t{0}).Bind(5, e.rowKey);
  else stmt.Bind(4, std::string_view(e.rowKey)).Bind(5, e.field);
  if (value) stmt.Bind(6, *value);
  else stmt.Bind(6, Null{});
  CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Ok();
  at = stmt.Int64(0);
  if (device) *device = stmt.Int64(1);
  return Ok();
}

}  // namespace

const char* Code(ConflictKind kind) { return kCodes[static_cast<int>(kind)]; }

Result<ConflictKind> ParseConflictKind(std::string_view code) {
  for (int i = 0; i < 5; i++) {
    if (code == kCodes[i]) return static_cast<ConflictKind>(i);
  }
  return MakeError(ErrorCode::Invalid, "unknown conflict kind '" + std::string(code) + "'");
}

Result<std::vector<ConflictEntry>> ListConflicts(Db& db, const ConflictQuery& query) {
  if (query.limit <= 0 || query.limit > 10000) return MakeError(ErrorCode::Invalid, "limit: between 1 and 10000");
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "SELECT id, seq, at, kind, table_name, row_key, customer_id, field, lost_value, won_value, resolution, "
      "winner_user, winner_device, loser_user, seen FROM sync_conflicts "
      "WHERE (?1 IS NULL OR customer_id = ?1) AND (?2 = 0 OR seen = 0) AND (?3 = 0 OR id < ?3) "
      "ORDER BY id DESC LIMIT ?4"));
  stmt.Bind(1, query.customerId).Bind(2, query.unseenOnly ? 1 : 0).Bind(3, query.beforeId).Bind(4, query.limit);
  std::vector<ConflictEntry> entries;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ConflictEntry e;
    e.id = stmt.Int64(0);
    e.seq = stmt.Int64(1);
    e.at = stmt.Int64(2);
    CRM_ASSIGN_OR_RETURN(e.kind, ParseConflictKind(stmt.Text(3)));
    e.table = stmt.String(4);
    e.rowKey = stmt.String(5);
    if (!stmt.IsNull(6)) e.customerId = stmt.Int64(6);
    e.field = stmt.String(7);
    if (!stmt.IsNull(8)) e.lostValue = stmt.String(8);
    if (!stmt.IsNull(9)) e.wonValue = stmt.String(9);
    e.resolution = stmt.String(10);
    e.winnerUser = stmt.Int64(11);
    e.winnerDevice = stmt.Int64(12);
    if (!stmt.IsNull(13)) e.loserUser = stmt.Int64(13);
    e.seen = stmt.Int64(14) != 0;
    entries.push_back(std::move(e));
  }
  for (ConflictEntry& e : entries) {
    CRM_TRY(FindAuthorship(db, e, e.winnerUser ? std::optional<int64_t>(e.winnerUser) : std::nullopt,
                           e.resolution == "dropped" ? e.lostValue : e.wonValue, e.winnerAt, nullptr));
    if (e.resolution != "dropped") CRM_TRY(FindAuthorship(db, e, e.loserUser, e.lostValue, e.loserAt, &e.loserDevice));
  }
  return entries;
}

Result<int64_t> CountUnseenConflicts(Db& db) {
  return db.QueryInt("SELECT count(*) FROM sync_conflicts WHERE seen = 0");
}

Status MarkConflictsSeen(Db& db, int64_t upToId) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("UPDATE sync_conflicts SET seen = 1 WHERE seen = 0 AND (?1 = 0 OR id <= ?1)"));
  stmt.Bind(1, upToId);
  return stmt.Run();
}

Status RecordConflicts(Db& db, const std::vector<ConflictEntry>& entries) {
  if (entries.empty()) return Ok();
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_ASSIGN_OR_RETURN(int64_t last, db.QueryInt("SELECT ifnull(max(id), 0) FROM sync_conflicts"));
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "INSERT INTO sync_conflicts(id, seq, at, kind, table_name, row_key, customer_id, field, lost_value, won_value, "
      "resolution, winner_user, winner_device, loser_user) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  for (const ConflictEntry& e : entries) {
    stmt.Reset();
    stmt.BindNext(++last).BindNext(e.seq).BindNext(e.at).BindNext(Code(e.kind)).BindNext(e.table).BindNext(e.rowKey);
    stmt.BindNext(e.customerId).BindNext(e.field);
    BindOptional(stmt, e.lostValue);
    BindOptional(stmt, e.wonValue);
    stmt.BindNext(e.resolution).BindNext(e.winnerUser).BindNext(e.winnerDevice).BindNext(e.loserUser);
    CRM_TRY(stmt.Run());
  }
  return txn.Commit();
}

}  // namespace crm
