#include "core/scope.h"

#include "core/records.h"
#include "core/sha256.h"

namespace crm {

Result<ReadScope> ReadScopeOf(Db& db, int64_t userId) {
  CRM_ASSIGN_OR_RETURN(User user, ActingUser(db, Actor{userId, 0}));
  ReadScope scope;
  switch (user.role) {
    case Role::Leader:
    case Role::Admin: scope.everything = true; break;
    case Role::Supervisor:
    case Role::Store:
      scope.ownerIds.insert(user.id);
      if (user.teamId) scope.teamIds.insert(*user.teamId);
      break;
    case Role::Rep: {
      scope.ownerIds.insert(user.id);
      CRM_ASSIGN_OR_RETURN(int64_t seesTeam, GetSettingInt(db, kSettingRepSeesTeam));
      if (seesTeam != 0 && user.teamId) scope.teamIds.insert(*user.teamId);
      break;
    }
  }
  return scope;
}

Result<ReadScope> ReadScopeOfDevice(Db& db, int64_t userId, const std::set<int64_t>& othersSignedIn) {
  CRM_ASSIGN_OR_RETURN(ReadScope scope, ReadScopeOf(db, userId));
  for (int64_t other : othersSignedIn) {
    if (scope.everything) break;
    if (other == userId) continue;
    auto theirs = ReadScopeOf(db, other);
    if (theirs) {
      Widen(scope, theirs.Value());
    } else if (theirs.Code() != ErrorCode::Denied) {
      return theirs.GetError();
    }
  }
  return scope;
}

void Widen(ReadScope& scope, const ReadScope& other) {
  scope.everything = scope.everything || other.everything;
  scope.ownerIds.insert(other.ownerIds.begin(), other.ownerIds.end());
  scope.teamIds.insert(other.teamIds.begin(), other.teamIds.end());
}

bool CanRead(const ReadScope& scope, const Holding& holding) {
  if (scope.everything || !holding.ownerId) return true;
  if (scope.ownerIds.count(*holding.ownerId) > 0) return true;
  return holding.teamId && scope.teamIds.count(*holding.teamId) > 0;
}

namespace {

// ", "-separated, for an SQL IN list (a handful of people and teams: the people signed in on one device).
std::string IdList(const std::set<int64_t>& ids) {
  std::string list;
  for (int64_t id : ids) list += (list.empty() ? "" : ", ") + std::to_string(id);
  return list;
}

}  // namespace

std::string ScopeCondition(const ReadScope& scope, const std::string& alias) {
  if (scope.everything) return "1";
  std::string condition = "(" + alias + ".owner_id IS NULL";
  if (!scope.ownerIds.empty()) condition += " OR " + alias + ".owner_id IN (" + IdList(scope.ownerIds) + ")";
  if (!scope.teamIds.empty()) condition += " OR " + alias + ".team_id IN (" + IdList(scope.teamIds) + ")";
  return condition + ")";
}

namespace {

Result<std::vector<int64_t>> Ids(Db& db, const std::string& sql) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(sql));
  std::vector<int64_t> ids;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ids.push_back(stmt.Int64(0));
  }
  return ids;
}

}  // namespace

Result<std::vector<int64_t>> CustomersInScope(Db& db, const ReadScope& scope) {
  return Ids(db, "SELECT c.id FROM customers c WHERE " + ScopeCondition(scope, "c") + " ORDER BY c.id");
}

Result<std::vector<int64_t>> HeldCustomers(Db& db) { return Ids(db, "SELECT id FROM customers ORDER BY id"); }

std::string ScopeDigest(const std::vector<int64_t>& sortedIds) {
  Sha256 hash;
  for (int64_t id : sortedIds) {
    uint8_t bytes[8];
    for (int i = 0; i < 8; i++) bytes[i] = static_cast<uint8_t>(static_cast<uint64_t>(id) >> (8 * i));
    hash.Update(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  }
  return ToHex(hash.Finish()).substr(0, 32);
}

Status FillIdTable(Db& db, const std::string& table, const std::vector<int64_t>& ids) {
  CRM_TRY(db.Exec("CREATE TEMP TABLE IF NOT EXISTS " + table + " (id INTEGER PRIMARY KEY); DELETE FROM temp." + table + ";"));
  CRM_ASSIGN_OR_RETURN(Stmt add, db.Prepare("INSERT OR IGNORE INTO temp." + table + " (id) VALUES (?)"));
  for (int64_t id : ids) {
    add.Bind(1, id);
    CRM_TRY(add.Run());
    add.Reset();
  }
  return Ok();
}

Status DropCustomers(Db& db, const std::vector<int64_t>& ids) {
  if (ids.empty()) return Ok();
  CRM_TRY(FillIdTable(db, "scope_dropped", ids));
  const bool wasSuppressed = db.AuditSuppressed();
  db.SetAuditSuppressed(true);
  Status dropped = Ok();
  // Rows that follow a customer first, the customers last (a row never outlives its customer here).
  for (auto type = RecordTypes().rbegin(); type != RecordTypes().rend() && dropped; ++type) {
    if (!type->scopeColumn || type->access == Access::Customer) continue;
    dropped = db.Exec(std::string("DELETE FROM ") + type->table + " WHERE " + type->scopeColumn +
                      " IN (SELECT id FROM temp.scope_dropped)");
  }
  if (dropped) dropped = db.Exec("DELETE FROM customers WHERE id IN (SELECT id FROM temp.scope_dropped)");
  db.SetAuditSuppressed(wasSuppressed);
  CRM_TRY(dropped);
  return db.Exec("DELETE FROM temp.scope_dropped");
}

Status DropRowsOfAbsentCustomers(Db& db) {
  const bool wasSuppressed = db.AuditSuppressed();
  db.SetAuditSuppressed(true);
  Status dropped = Ok();
  for (const RecordType& type : RecordTypes()) {
    if (!dropped) break;
    if (!type.scopeColumn || type.access == Access::Customer) continue;
    dropped = db.Exec(std::string("DELETE FROM ") + type.table + " WHERE " + type.scopeColumn + " IS NOT NULL AND " +
                      type.scopeColumn + " NOT IN (SELECT id FROM customers)");
  }
  db.SetAuditSuppressed(wasSuppressed);
  return dropped;
}

}  // namespace crm
