#include "core/org.h"

#include <map>

#include "core/ids.h"
#include "core/records.h"
#include "core/table_changes.h"
#include "core/validate.h"

namespace crm {

namespace {

constexpr size_t kMaxUserName = 50;

const std::map<std::string, int64_t>& SettingDefaults() {
  static const std::map<std::string, int64_t> kDefaults = {
      {kSettingPoolDays, 30},  {kSettingClaimProtectDays, 7}, {kSettingIntervalA, 7},
      {kSettingIntervalB, 14}, {kSettingIntervalC, 30},       {kSettingIntervalD, 90},
      {"org.utc_offset_minutes", 480}, {kSettingRepSeesTeam, 0}, {kSettingOfflineLockDays, 0},
  };
  return kDefaults;
}

Result<User> ReadUser(Stmt& stmt) {
  User user;
  user.id = stmt.Int64(0);
  user.name = stmt.String(1);
  CRM_ASSIGN_OR_RETURN(user.role, ParseRole(stmt.Text(2)));
  if (!stmt.IsNull(3)) user.teamId = stmt.Int64(3);
  user.phone = stmt.String(4);
  user.active = stmt.Int64(5) != 0;
  return user;
}

constexpr const char* kUserColumns = "SELECT id, name, role, team_id, coalesce(phone, ''), active FROM users ";

Result<bool> AnyUser(Db& db) {
  CRM_ASSIGN_OR_RETURN(int64_t count, db.QueryInt("SELECT count(*) FROM users WHERE deleted_at IS NULL"));
  return count > 0;
}

Status CheckTeamExists(Db& db, const std::optional<int64_t>& teamId) {
  if (!teamId) return Ok();
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT 1 FROM teams WHERE id = ? AND deleted_at IS NULL"));
  stmt.Bind(1, *teamId);
  CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return FieldError(ErrorCode::NotFound, "team", Problem::NotFound, "team: no team with id " + std::to_string(*teamId));
  return Ok();
}

// A team's name, cleaned, and free among the live teams other than `self`.
Result<std::string> CheckTeamName(Db& db, std::string_view rawName, std::optional<int64_t> self) {
  CRM_ASSIGN_OR_RETURN(std::string name, OnField(CleanText(rawName, "team name", kMaxUserName, true), "name"));
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT 1 FROM teams WHERE name = ? AND id IS NOT ? AND deleted_at IS NULL LIMIT 1"));
  stmt.Bind(1, name).Bind(2, self);
  CRM_ASSIGN_OR_RETURN(bool taken, stmt.Step());
  if (taken) return FieldError(ErrorCode::Conflict, "name", Problem::Duplicate, "name: a team called '" + name + "' exists already");
  return name;
}

}  // namespace

Result<int64_t> CreateUser(Db& db, std::string_view rawName, Role role, std::optional<int64_t> teamId, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(std::string name, CleanText(rawName, "name", kMaxUserName, true));
  CRM_ASSIGN_OR_RETURN(bool hasUsers, AnyUser(db));
  if (hasUsers) {
    CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
    CRM_TRY(CheckCanAdminister(acting));
  }
  CRM_TRY(CheckTeamExists(db, teamId));
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  int64_t id = NewId();
  int64_t now = NowMs();
  // On an empty database the first user writes their own row.
  int64_t author = hasUsers ? actor.userId : id;
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "INSERT INTO users(id, name, role, team_id, created_at, updated_at, created_by, updated_by, device_id) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt.Bind(1, id).Bind(2, name).Bind(3, Code(role));
  if (teamId) stmt.Bind(4, *teamId); else stmt.Bind(4, Null{});
  stmt.Bind(5, now).Bind(6, now).Bind(7, author).Bind(8, author).Bind(9, actor.deviceId);
  CRM_TRY(stmt.Run());
  CRM_TRY(CheckOrganisationUsers(db));
  CRM_TRY(txn.Commit());
  return id;
}

Result<Actor> EnsureLocalOwner(Db& db, std::string_view name, int64_t deviceId) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "SELECT id FROM users WHERE role = 'admin' AND active = 1 AND deleted_at IS NULL ORDER BY created_at LIMIT 1"));
  CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (found) return Actor{stmt.Int64(0), deviceId};
  CRM_ASSIGN_OR_RETURN(int64_t id, CreateUser(db, name, Role::Admin, std::nullopt, Actor{0, deviceId}));
  return Actor{id, deviceId};
}

Result<int64_t> CreateTeam(Db& db, std::string_view rawName, std::optional<int64_t> supervisorId, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(std::string name, CheckTeamName(db, rawName, std::nullopt));
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  CRM_TRY(CheckCanAdminister(acting));
  if (supervisorId) CRM_TRY(GetUser(db, *supervisorId));
  int64_t id = NewId();
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "INSERT INTO teams(id, name, supervisor_id, created_at, updated_at, created_by, updated_by, device_id) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt.Bind(1, id).Bind(2, name);
  if (supervisorId) stmt.Bind(3, *supervisorId); else stmt.Bind(3, Null{});
  stmt.Bind(4, now).Bind(5, now).Bind(6, actor.userId).Bind(7, actor.userId).Bind(8, actor.deviceId);
  CRM_TRY(stmt.Run());
  // Every rule (what a supervisor may change, what their device holds) follows membership.
  if (supervisorId) CRM_TRY(SetUserTeam(db, *supervisorId, id, actor));
  return id;
}

Status RenameTeam(Db& db, int64_t teamId, std::string_view rawName, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  CRM_TRY(CheckCanAdminister(acting));
  CRM_TRY(CheckTeamExists(db, teamId));
  CRM_ASSIGN_OR_RETURN(std::string name, CheckTeamName(db, rawName, teamId));
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, NowMs(), "teams", "name = ?1", "id = ?2"));
  stmt.BindAll(name, teamId);
  return stmt.Run();
}

Status SetUserTeam(Db& db, int64_t userId, std::optional<int64_t> teamId, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  CRM_TRY(CheckCanAdminister(acting));
  CRM_TRY(GetUser(db, userId));
  CRM_TRY(CheckTeamExists(db, teamId));
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, NowMs(), "users", "team_id = ?1", "id = ?2"));
  stmt.Bind(1, teamId).Bind(2, userId);
  return stmt.Run();
}

Status SetUserActive(Db& db, int64_t userId, bool active, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  CRM_TRY(CheckCanAdminister(acting));
  CRM_TRY(GetUser(db, userId));
  if (!active && userId == actor.userId) {
    return FieldError(ErrorCode::Invalid, "active", Problem::NotApplicable, "active: you cannot deactivate yourself");
  }
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, NowMs(), "users", "active = ?1", "id = ?2"));
  stmt.BindAll(active ? 1 : 0, userId);
  CRM_TRY(stmt.Run());
  CRM_TRY(CheckOrganisationUsers(db));
  return txn.Commit();
}

Status SetUserRole(Db& db, int64_t userId, Role role, const Actor& actor) {
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  CRM_TRY(CheckCanAdminister(acting));
  CRM_ASSIGN_OR_RETURN(User user, GetUser(db, userId));
  if (user.role == role) return Ok();
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_ASSIGN_OR_RETURN(Stmt stmt, PrepareSignedUpdate(db, actor, NowMs(), "users", "role = ?1", "id = ?2"));
  stmt.BindAll(Code(role), userId);
  CRM_TRY(stmt.Run());
  CRM_TRY(CheckOrganisationUsers(db));
  return txn.Commit();
}

Status CheckOrganisationUsers(Db& db) {
  CRM_ASSIGN_OR_RETURN(bool hasUsers, AnyUser(db));
  if (!hasUsers) return Ok();
  CRM_ASSIGN_OR_RETURN(int64_t admins, db.QueryInt(
      "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND deleted_at IS NULL"));
  if (admins == 0) {
    return FieldError(ErrorCode::Conflict, "role", Problem::NeedsAdmin, "role: the organisation needs at least one active admin");
  }
  CRM_ASSIGN_OR_RETURN(Stmt twice, db.Prepare(
      "SELECT name FROM users WHERE deleted_at IS NULL GROUP BY name HAVING count(*) > 1 LIMIT 1"));
  CRM_ASSIGN_OR_RETURN(bool duplicate, twice.Step());
  if (duplicate) {
    return FieldError(ErrorCode::Conflict, "name", Problem::Duplicate, "name: a user called '" + twice.String(0) + "' exists already");
  }
  return Ok();
}

Result<User> GetUser(Db& db, int64_t userId) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(std::string(kUserColumns) + "WHERE id = ? AND deleted_at IS NULL"));
  stmt.Bind(1, userId);
  CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return FieldError(ErrorCode::NotFound, "user", Problem::NotFound, "user: no user with id " + std::to_string(userId));
  return ReadUser(stmt);
}

Result<User> FindUserByName(Db& db, std::string_view rawName) {
  CRM_ASSIGN_OR_RETURN(std::string name, CleanText(rawName, "user name", kMaxUserName, true));
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(std::string(kUserColumns) + "WHERE name = ? AND deleted_at IS NULL LIMIT 2"));
  stmt.Bind(1, name);
  CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return FieldError(ErrorCode::NotFound, "user", Problem::NotFound, "user: nobody is called '" + name + "'");
  CRM_ASSIGN_OR_RETURN(User user, ReadUser(stmt));
  CRM_ASSIGN_OR_RETURN(bool another, stmt.Step());
  if (another) return MakeError(ErrorCode::Conflict, "user: several people are called '" + name + "'; use their id");
  return user;
}

Result<std::vector<User>> ListUsers(Db& db) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(std::string(kUserColumns) + "WHERE deleted_at IS NULL ORDER BY name"));
  std::vector<User> users;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    CRM_ASSIGN_OR_RETURN(User user, ReadUser(stmt));
    users.push_back(std::move(user));
  }
  return users;
}

Result<std::vector<Team>> ListTeams(Db& db) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT id, name, supervisor_id FROM teams WHERE deleted_at IS NULL ORDER BY name"));
  std::vector<Team> teams;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    Team team{stmt.Int64(0), stmt.String(1), std::nullopt};
    if (!stmt.IsNull(2)) team.supervisorId = stmt.Int64(2);
    teams.push_back(std::move(team));
  }
  return teams;
}

Result<User> ActingUser(Db& db, const Actor& actor) {
  auto user = GetUser(db, actor.userId);
  if (!user) {
    return Refusal(Problem::NotSignedIn, "not signed in as a known user (user " + std::to_string(actor.userId) + ")");
  }
  if (!user.Value().active) {
    return FieldError(ErrorCode::Denied, "", Problem::Deactivated, "the account of " + user.Value().name + " is deactivated");
  }
  return user;
}

Result<int64_t> GetSettingInt(Db& db, const char* key) {
  auto fallback = SettingDefaults().find(key);
  if (fallback == SettingDefaults().end()) return MakeError(ErrorCode::Invalid, std::string("setting: unknown key ") + key);
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT value FROM settings WHERE key = ? AND deleted_at IS NULL"));
  stmt.Bind(1, key);
  CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return fallback->second;
  return static_cast<int64_t>(std::strtoll(stmt.String(0).c_str(), nullptr, 10));
}

Status CheckSettingInt(const char* key, int64_t value) {
  if (SettingDefaults().count(key) == 0) return MakeError(ErrorCode::Invalid, std::string("setting: unknown key ") + key);
  // Day counts (pool period, intervals) are 0..3650; the time zone is minutes east of UTC (UTC−12 to UTC+14);
  // the offline lock is 0 (off) or up to kMaxOfflineLockDays.
  const bool zone = std::string_view(key) == "org.utc_offset_minutes";
  const bool lock = std::string_view(key) == kSettingOfflineLockDays;
  const int64_t low = zone ? -720 : 0;
  const int64_t high = zone ? 840 : lock ? kMaxOfflineLockDays : 3650;
  if (value < low || value > high) {
    return FieldError(ErrorCode::Invalid, key, Problem::OutOfRange,
                      std::string(key) + ": must be between " + std::to_string(low) + " and " + std::to_string(high), low, high);
  }
  return Ok();
}

Status SetSettingInt(Db& db, const char* key, int64_t value, const Actor& actor) {
  CRM_TRY(CheckSettingInt(key, value));
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  CRM_TRY(CheckCanChangeSettings(acting));
  int64_t now = NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "INSERT INTO settings(key, value, created_at, updated_at, created_by, updated_by, device_id) VALUES(?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, "
      "updated_by = excluded.updated_by, device_id = excluded.device_id, deleted_at = NULL"));
  stmt.BindAll(key, std::to_string(value), now, now, actor.userId, actor.userId, actor.deviceId);
  CRM_TRY(stmt.Run());
  // settings is WITHOUT ROWID: SQLite's update hook does not report it.
  db.NoteTablesChanged(TableBit("settings"));
  return Ok();
}

// --- permission rules ---

Status CheckCanChangeCustomer(const User& actor, const Holding& target) {
  auto deny = [&](const char* why) {
    return Refusal(Problem::NotYourCustomer,
                   actor.name + " (" + Code(actor.role) + ") may not change this customer: " + why,
                   target.ownerName, target.ownerId.value_or(0));
  };
  switch (actor.role) {
    case Role::Leader:
    case Role::Admin: return Ok();
    case Role::Supervisor:
      if (!target.ownerId || *target.ownerId == actor.id) return Ok();
      if (actor.teamId && target.teamId == actor.teamId) return Ok();
      return deny("it belongs to another team");
    case Role::Store:
      if (!target.ownerId || *target.ownerId == actor.id) return Ok();
      if (actor.teamId && target.teamId == actor.teamId) return Ok();
      return deny("it belongs to another store");
    case Role::Rep:
      if (!target.ownerId || *target.ownerId == actor.id) return Ok();
      return deny("it belongs to another rep");
  }
  return deny("unknown role");
}

Status CheckCanReassign(const User& actor, const Holding& from, const std::optional<int64_t>& toTeamId) {
  if (actor.role == Role::Leader || actor.role == Role::Admin) return Ok();
  if (actor.role == Role::Supervisor && actor.teamId && (!from.ownerId || from.teamId == actor.teamId) &&
      toTeamId == actor.teamId) {
    return Ok();
  }
  return Refusal(Problem::SupervisorsOnly,
                 actor.name + " (" + Code(actor.role) +
                     ") may not reassign customers: supervisors move customers within their team, leaders and admins anywhere",
                 from.ownerName, from.ownerId.value_or(0));
}

Status CheckCanAdminister(const User& actor) {
  if (actor.role == Role::Admin) return Ok();
  return Refusal(Problem::AdminsOnly, actor.name + " (" + Code(actor.role) + ") may not manage users, teams or fields: admins only");
}

Status CheckCanChangeSettings(const User& actor) {
  if (actor.role == Role::Admin || actor.role == Role::Leader) return Ok();
  return Refusal(Problem::LeadersOnly, actor.name + " (" + Code(actor.role) + ") may not change settings: leaders and admins only");
}

Status CheckCanAssign(const User& actor, const Holding& customer, const std::optional<int64_t>& assigneeId,
                      const std::optional<int64_t>& assigneeTeamId) {
  if (!assigneeId || *assigneeId == actor.id || assigneeId == customer.ownerId) return Ok();
  switch (actor.role) {
    case Role::Leader:
    case Role::Admin: return Ok();
    case Role::Supervisor:
    case Role::Store:
      if (actor.teamId && assigneeTeamId == actor.teamId) return Ok();
      break;
    case Role::Rep: break;
  }
  return Refusal(Problem::NotYourAssignee,
                 actor.name + " (" + Code(actor.role) + ") may not give work to user " + std::to_string(*assigneeId) +
                     ": reps plan for themselves, supervisors for their team, leaders and admins for anyone",
                 {}, *assigneeId);
}

Status CheckCanChangeImport(const User& actor, int64_t importedBy) {
  if (importedBy == actor.id || actor.role == Role::Supervisor || actor.role == Role::Leader || actor.role == Role::Admin) return Ok();
  return Refusal(Problem::NotYourImport,
                 actor.name + " (" + Code(actor.role) +
                     ") may not change another user's import: the importer, supervisors, leaders and admins only",
                 {}, importedBy);
}

Result<int64_t> ClaimProtectionEnd(Db& db, int64_t claimedAtMs) {
  CRM_ASSIGN_OR_RETURN(int64_t days, GetSettingInt(db, kSettingClaimProtectDays));
  return claimedAtMs + days * 86400000;
}

Result<Holding> HoldingOf(Db& db, int64_t customerId, bool allowDeleted) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT c.owner_id, c.team_id, c.deleted_at, c.name, coalesce(u.name, '') "
                                             "FROM customers c LEFT JOIN users u ON u.id = c.owner_id WHERE c.id = ?"));
  stmt.Bind(1, customerId);
  CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return FieldError(ErrorCode::NotFound, "", Problem::NotFound, "customer: no customer with id " + std::to_string(customerId));
  if (!allowDeleted && !stmt.IsNull(2)) {
    return FieldError(ErrorCode::Invalid, "", Problem::InTrash, "customer: '" + stmt.String(3) + "' is in the trash; restore it first");
  }
  Holding holding;
  if (!stmt.IsNull(0)) holding.ownerId = stmt.Int64(0);
  if (!stmt.IsNull(1)) holding.teamId = stmt.Int64(1);
  holding.ownerName = stmt.String(4);
  return holding;
}

Result<User> AuthorizeCustomerChange(Db& db, const Actor& actor, int64_t customerId, bool allowDeleted) {
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  CRM_ASSIGN_OR_RETURN(Holding holding, HoldingOf(db, customerId, allowDeleted));
  CRM_TRY(CheckCanChangeCustomer(acting, holding));
  return acting;
}

Status CanEditCustomer(Db& db, const Actor& actor, int64_t customerId) {
  CRM_TRY(AuthorizeCustomerChange(db, actor, customerId));
  return Ok();
}

Status CanReassignCustomer(Db& db, const Actor& actor, int64_t customerId) {
  CRM_ASSIGN_OR_RETURN(User acting, ActingUser(db, actor));
  CRM_ASSIGN_OR_RETURN(Holding holding, HoldingOf(db, customerId));
  // A supervisor's moves stay in their team: the one destination always open to them is their own team.
  return CheckCanReassign(acting, holding, acting.teamId);
}

}  // namespace crm
