#pragma once
// Organisation: users, roles, teams and settings, and the permission rules.
// Permission checks live here, in core, so the UI, the CLI and the relay all
// apply the same rules; a denied action is an ErrorCode::Denied value.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/customers.h"
#include "core/db.h"
#include "core/enums.h"

namespace crm {

struct User {
  int64_t id = 0;
  std::string name;
  Role role = Role::Rep;
  std::optional<int64_t> teamId;
  std::string phone;
  bool active = true;
};

struct Team {
  int64_t id = 0;
  std::string name;
  std::optional<int64_t> supervisorId;
};

// The first user of a new local database (trial or first start): an admin owning this device.
// Returns the existing first admin when there is one.
Result<Actor> EnsureLocalOwner(Db& db, std::string_view name, int64_t deviceId);

// Users and teams: admin only (the first user may be created by anyone on an empty database).
Result<int64_t> CreateUser(Db& db, std::string_view name, Role role, std::optional<int64_t> teamId, const Actor& actor);
// A team's name is required, at most 50 characters, and unique among the organisation's live teams
// (Conflict on field "name" otherwise). The supervisor named joins the team.
Result<int64_t> CreateTeam(Db& db, std::string_view name, std::optional<int64_t> supervisorId, const Actor& actor);
Status RenameTeam(Db& db, int64_t teamId, std::string_view name, const Actor& actor);
Status SetUserTeam(Db& db, int64_t userId, std::optional<int64_t> teamId, const Actor& actor);
Status SetUserActive(Db& db, int64_t userId, bool active, const Actor& actor);
Status SetUserRole(Db& db, int64_t userId, Role role, const Actor& actor);
// What every change of users must leave true (core's user functions and the relay, after applying a
// pushed change of users, both check it): at least one active admin, and no two live users with one
// name (sign-in finds people by name). Conflict naming the field when broken.
Status CheckOrganisationUsers(Db& db);
Result<User> GetUser(Db& db, int64_t userId);
// By exact name among live users; an error when none or several match.
Result<User> FindUserByName(Db& db, std::string_view name);
Result<std::vector<User>> ListUsers(Db& db);
Result<std::vector<Team>> ListTeams(Db& db);
// The user behind an actor; Denied when unknown or deactivated.
Result<User> ActingUser(Db& db, const Actor& actor);

// Settings (admin or leader to change). Known keys and defaults are in org.cpp.
constexpr const char* kSettingPoolDays = "pool.return_after_days";         // 30
constexpr const char* kSettingClaimProtectDays = "pool.claim_protect_days";  // 7
constexpr const char* kSettingIntervalA = "followup.interval_days.A";        // 7
constexpr const char* kSettingIntervalB = "followup.interval_days.B";        // 14
constexpr const char* kSettingIntervalC = "followup.interval_days.C";        // 30
constexpr const char* kSettingIntervalD = "followup.interval_days.D";        // 90
constexpr const char* kSettingRepSeesTeam = "scope.rep_sees_team";          // 0; 1: reps read their team's customers
// 0 (off): a linked device that has not reached the relay for this many days locks until it has (sync/offline_lock.h).
constexpr const char* kSettingOfflineLockDays = "device.offline_lock_days";
constexpr int64_t kMaxOfflineLockDays = 90;
Result<int64_t> GetSettingInt(Db& db, const char* key);
// Invalid for an unknown key; OutOfRange (field: the key; arg, arg2: the bounds) for a value outside the key's range.
Status CheckSettingInt(const char* key, int64_t value);
Status SetSettingInt(Db& db, const char* key, int64_t value, const Actor& actor);

// --- permission rules (pure functions of the acting user and the target) ---

// Who holds a customer: the owner (empty: the public pool) and the owner's team.
struct Holding {
  std::optional<int64_t> ownerId;
  std::optional<int64_t> teamId;
  std::string ownerName;  // for the refusal's wording ("this is 张三's customer")
};

// rep: own customers and the pool's; store staff: also their store's (team's);
// supervisor: their team's, their own and the pool's; leader and admin: everything.
Status CheckCanChangeCustomer(const User& actor, const Holding& target);
// Moving customers between owners: supervisors within their team, leaders and admins anywhere.
Status CheckCanReassign(const User& actor, const Holding& from, const std::optional<int64_t>& toTeamId);
// Organisation settings, users and custom field definitions.
Status CheckCanAdminister(const User& actor);
Status CheckCanChangeSettings(const User& actor);
// Who a follow-up may be for (core plans them for the customer's owner): nobody (a pool customer's),
// the actor, the owner of the customer it is about, a member of the actor's team (supervisors, store
// staff), anyone (leaders, admins). The assignee's team is nullopt when unknown.
Status CheckCanAssign(const User& actor, const Holding& customer, const std::optional<int64_t>& assigneeId,
                      const std::optional<int64_t>& assigneeTeamId);
// An import's bookkeeping row (its counts, its undo): the person who imported, or supervisors and up.
Status CheckCanChangeImport(const User& actor, int64_t importedBy);
// The latest a claim made at `claimedAtMs` protects a customer from the pool (pool.claim_protect_days).
Result<int64_t> ClaimProtectionEnd(Db& db, int64_t claimedAtMs);

// The holding of a stored customer; NotFound when it does not exist, Invalid when it is in the trash
// (unless `allowDeleted`).
Result<Holding> HoldingOf(Db& db, int64_t customerId, bool allowDeleted = false);
// Loads the actor and checks they may change the customer.
Result<User> AuthorizeCustomerChange(Db& db, const Actor& actor, int64_t customerId, bool allowDeleted = false);
// Whether the actor may change the customer (edit, trash, release, log a visit, plan, contacts, class, stage…):
// the check every such write makes, for screens to grey out what it would refuse, with the same reason.
Status CanEditCustomer(Db& db, const Actor& actor, int64_t customerId);
// Whether the actor may move the customer to another person at all (to someone in their own team, for a
// supervisor): screens offer the hand-over only then; the move itself checks its destination.
Status CanReassignCustomer(Db& db, const Actor& actor, int64_t customerId);

}  // namespace crm
