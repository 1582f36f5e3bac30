#include "core/org.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

TEST(Org, TheFirstUserIsALocalAdminAndIsReused) {
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(Migrate(db));
  auto first = EnsureLocalOwner(db, "本机用户", 9);
  ASSERT_TRUE(first) << first.Message();
  auto again = EnsureLocalOwner(db, "另一个名字", 9);
  ASSERT_TRUE(again);
  EXPECT_EQ(first.Value().userId, again.Value().userId);
  EXPECT_EQ(GetUser(db, first.Value().userId).Value().role, Role::Admin);
}

TEST(Org, OnlyAdminsManageUsersAndTeams) {
  TestOrg org;
  EXPECT_EQ(CreateUser(org.db, "新人", Role::Rep, org.east, org.repA).Code(), ErrorCode::Denied);
  EXPECT_EQ(CreateUser(org.db, "新人", Role::Rep, org.east, org.supervisor).Code(), ErrorCode::Denied);
  EXPECT_EQ(CreateTeam(org.db, "新组", std::nullopt, org.leader).Code(), ErrorCode::Denied);
  auto id = CreateUser(org.db, "新人", Role::Rep, org.east, org.admin);
  ASSERT_TRUE(id);
  EXPECT_EQ(CreateUser(org.db, "幽灵", Role::Rep, 123, org.admin).Code(), ErrorCode::NotFound);
  EXPECT_EQ(CreateUser(org.db, "", Role::Rep, org.east, org.admin).Message(), "name: required");
}

// Set up as an admin would: a supervisor made first, then the team naming them. The rules follow
// membership, so the supervisor joins it and may hand its customers over.
TEST(Org, ATeamsSupervisorJoinsItAndSupervisesItsCustomers) {
  TestOrg org;
  auto boss = CreateUser(org.db, "钱主管", Role::Supervisor, std::nullopt, org.admin);
  ASSERT_TRUE(boss) << boss.Message();
  auto team = CreateTeam(org.db, "华北组", boss.Value(), org.admin);
  ASSERT_TRUE(team) << team.Message();
  EXPECT_EQ(GetUser(org.db, boss.Value()).Value().teamId, team.Value());
  auto rep = CreateUser(org.db, "孙七", Role::Rep, team.Value(), org.admin);
  ASSERT_TRUE(rep);
  int64_t customer = org.Customer("孙七的客户", Actor{rep.Value(), 8});
  Actor supervisor{boss.Value(), 9};
  EXPECT_TRUE(CanReassignCustomer(org.db, supervisor, customer)) << CanReassignCustomer(org.db, supervisor, customer).Message();
}

TEST(Org, TeamNamesAreRequiredShortAndUnique) {
  TestOrg org;
  auto twice = CreateTeam(org.db, " 华东组 ", std::nullopt, org.admin);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.Code(), ErrorCode::Conflict);
  EXPECT_EQ(twice.GetError().field, "name");
  EXPECT_EQ(twice.GetError().problem, Problem::Duplicate);
  EXPECT_EQ(CreateTeam(org.db, "  ", std::nullopt, org.admin).GetError().problem, Problem::Required);
  EXPECT_EQ(CreateTeam(org.db, std::string(51, 'x'), std::nullopt, org.admin).GetError().problem, Problem::TooLong);

  // Renaming: admins only, to a free name; keeping its own name is no clash.
  EXPECT_EQ(RenameTeam(org.db, org.east, "一组", org.leader).Code(), ErrorCode::Denied);
  EXPECT_EQ(RenameTeam(org.db, org.east, "华南组", org.admin).Code(), ErrorCode::Conflict);
  EXPECT_EQ(RenameTeam(org.db, 424242, "一组", org.admin).Code(), ErrorCode::NotFound);
  EXPECT_EQ(RenameTeam(org.db, org.east, "", org.admin).GetError().field, "name");
  ASSERT_TRUE(RenameTeam(org.db, org.east, "华东组", org.admin));
  ASSERT_TRUE(RenameTeam(org.db, org.east, " 一组 ", org.admin));
  auto teams = ListTeams(org.db);
  ASSERT_TRUE(teams);
  ASSERT_EQ(teams.Value().size(), 2u);
  EXPECT_EQ(teams.Value()[0].name, "一组");
  // The old name is free again.
  EXPECT_TRUE(CreateTeam(org.db, "华东组", std::nullopt, org.admin));
}

TEST(Org, FindUserByNameAndAmbiguity) {
  TestOrg org;
  EXPECT_EQ(FindUserByName(org.db, "张三").Value().id, org.repA.userId);
  EXPECT_EQ(FindUserByName(org.db, "无名氏").Code(), ErrorCode::NotFound);
  // Core makes no second 张三; one that arrived otherwise (an older relay) makes the name ambiguous.
  EXPECT_EQ(CreateUser(org.db, "张三", Role::Rep, org.west, org.admin).Code(), ErrorCode::Conflict);
  ASSERT_TRUE(org.db.Exec("INSERT INTO users(id, name, role, created_at, updated_at, created_by, updated_by, device_id) "
                          "VALUES(777, '张三', 'rep', 1, 1, 1, 1, 1)"));
  EXPECT_EQ(FindUserByName(org.db, "张三").Code(), ErrorCode::Conflict);
}

TEST(Org, TheOrganisationKeepsAnActiveAdminAndUniqueNames) {
  TestOrg org;
  ASSERT_TRUE(CheckOrganisationUsers(org.db));
  auto demoted = SetUserRole(org.db, org.admin.userId, Role::Rep, org.admin);
  ASSERT_FALSE(demoted);
  EXPECT_EQ(demoted.Code(), ErrorCode::Conflict);
  EXPECT_NE(demoted.Message().find("at least one active admin"), std::string::npos) << demoted.Message();
  EXPECT_EQ(demoted.GetError().problem, Problem::NeedsAdmin);
  EXPECT_EQ(GetUser(org.db, org.admin.userId).Value().role, Role::Admin) << "the refused change left nothing behind";
  EXPECT_EQ(SetUserRole(org.db, org.repA.userId, Role::Admin, org.repA).Code(), ErrorCode::Denied);

  // With a second admin the first may step down; the last one still cannot deactivate themself.
  ASSERT_TRUE(SetUserRole(org.db, org.leader.userId, Role::Admin, org.admin));
  ASSERT_TRUE(SetUserRole(org.db, org.admin.userId, Role::Leader, org.admin));
  EXPECT_EQ(GetUser(org.db, org.admin.userId).Value().role, Role::Leader);
  EXPECT_FALSE(SetUserActive(org.db, org.leader.userId, false, org.leader));
  auto same = CreateUser(org.db, "李四", Role::Rep, std::nullopt, org.leader);
  EXPECT_EQ(same.Code(), ErrorCode::Conflict);
  EXPECT_NE(same.Message().find("name"), std::string::npos) << same.Message();
  EXPECT_EQ(same.GetError().field, "name");
  EXPECT_EQ(same.GetError().problem, Problem::Duplicate);

  // The check on its own, as the relay runs it after applying a pushed change of users.
  ASSERT_TRUE(org.db.Exec("UPDATE users SET active = 0 WHERE role = 'admin'"));
  EXPECT_EQ(CheckOrganisationUsers(org.db).Code(), ErrorCode::Conflict);
}

TEST(Org, FollowUpsGoToTheOwnerOrWhomTheActorMayGiveWork) {
  TestOrg org;
  User rep = GetUser(org.db, org.repA.userId).Value();
  User supervisor = GetUser(org.db, org.supervisor.userId).Value();
  User leader = GetUser(org.db, org.leader.userId).Value();
  User other = GetUser(org.db, org.repWest.userId).Value();
  User mate = GetUser(org.db, org.repB.userId).Value();
  Holding own{rep.id, rep.teamId};
  Holding pool{};
  EXPECT_TRUE(CheckCanAssign(rep, own, rep.id, rep.teamId));
  EXPECT_TRUE(CheckCanAssign(rep, pool, std::nullopt, std::nullopt));
  EXPECT_EQ(CheckCanAssign(rep, own, mate.id, mate.teamId).Code(), ErrorCode::Denied);
  EXPECT_EQ(CheckCanAssign(rep, pool, other.id, other.teamId).Code(), ErrorCode::Denied);
  EXPECT_TRUE(CheckCanAssign(supervisor, pool, mate.id, mate.teamId));
  EXPECT_TRUE(CheckCanAssign(supervisor, Holding{other.id, other.teamId}, other.id, other.teamId)) << "the customer's owner";
  EXPECT_EQ(CheckCanAssign(supervisor, pool, other.id, other.teamId).Code(), ErrorCode::Denied);
  EXPECT_TRUE(CheckCanAssign(leader, pool, other.id, other.teamId));
}

TEST(Org, ImportsAreChangedByTheirImporterOrSupervisorsAndUp) {
  TestOrg org;
  User rep = GetUser(org.db, org.repA.userId).Value();
  EXPECT_TRUE(CheckCanChangeImport(rep, rep.id));
  EXPECT_EQ(CheckCanChangeImport(rep, org.repB.userId).Code(), ErrorCode::Denied);
  EXPECT_TRUE(CheckCanChangeImport(GetUser(org.db, org.supervisor.userId).Value(), rep.id));
  EXPECT_TRUE(CheckCanChangeImport(GetUser(org.db, org.admin.userId).Value(), rep.id));
}

TEST(Org, AClaimProtectsForTheConfiguredDays) {
  TestOrg org;
  EXPECT_EQ(ClaimProtectionEnd(org.db, 1000).Value(), 1000 + 7 * 86400000LL);
  ASSERT_TRUE(SetSettingInt(org.db, kSettingClaimProtectDays, 2, org.admin));
  EXPECT_EQ(ClaimProtectionEnd(org.db, 1000).Value(), 1000 + 2 * 86400000LL);
}

TEST(Org, DeactivatedUsersAreDenied) {
  TestOrg org;
  ASSERT_TRUE(SetUserActive(org.db, org.repB.userId, false, org.admin));
  auto acting = ActingUser(org.db, org.repB);
  ASSERT_FALSE(acting);
  EXPECT_EQ(acting.Code(), ErrorCode::Denied);
  EXPECT_FALSE(SetUserActive(org.db, org.admin.userId, false, org.admin)) << "an admin cannot lock themself out";
}

TEST(Org, SettingsHaveDefaultsAndOnlyLeadersChangeThem) {
  TestOrg org;
  EXPECT_EQ(GetSettingInt(org.db, kSettingPoolDays).Value(), 30);
  EXPECT_EQ(GetSettingInt(org.db, kSettingIntervalA).Value(), 7);
  EXPECT_EQ(SetSettingInt(org.db, kSettingPoolDays, 45, org.repA).Code(), ErrorCode::Denied);
  ASSERT_TRUE(SetSettingInt(org.db, kSettingPoolDays, 45, org.leader));
  EXPECT_EQ(GetSettingInt(org.db, kSettingPoolDays).Value(), 45);
  ASSERT_TRUE(SetSettingInt(org.db, kSettingPoolDays, 60, org.admin));
  EXPECT_EQ(GetSettingInt(org.db, kSettingPoolDays).Value(), 60);
  EXPECT_FALSE(SetSettingInt(org.db, "no.such.key", 1, org.admin));
  EXPECT_FALSE(SetSettingInt(org.db, kSettingPoolDays, -1, org.admin));
  EXPECT_TRUE(SetSettingInt(org.db, "org.utc_offset_minutes", -300, org.admin)) << "time zones west of UTC";
  EXPECT_EQ(GetSettingInt(org.db, "org.utc_offset_minutes").Value(), -300);
  EXPECT_FALSE(SetSettingInt(org.db, "org.utc_offset_minutes", 900, org.admin));
  EXPECT_FALSE(GetSettingInt(org.db, "no.such.key"));
}

TEST(Org, TheOfflineLockIsOffByDefaultAndAtMostNinetyDays) {
  TestOrg org;
  EXPECT_EQ(GetSettingInt(org.db, kSettingOfflineLockDays).Value(), 0);
  ASSERT_TRUE(SetSettingInt(org.db, kSettingOfflineLockDays, 14, org.admin));
  EXPECT_EQ(GetSettingInt(org.db, kSettingOfflineLockDays).Value(), 14);
  for (int64_t wrong : {int64_t{-1}, kMaxOfflineLockDays + 1}) {
    Status refused = SetSettingInt(org.db, kSettingOfflineLockDays, wrong, org.admin);
    ASSERT_FALSE(refused) << wrong;
    EXPECT_EQ(refused.GetError().problem, Problem::OutOfRange);
    EXPECT_EQ(refused.GetError().field, kSettingOfflineLockDays) << "the error belongs next to the field";
    EXPECT_EQ(refused.GetError().arg2, kMaxOfflineLockDays);
  }
  EXPECT_TRUE(CheckSettingInt(kSettingOfflineLockDays, kMaxOfflineLockDays));
  EXPECT_EQ(GetSettingInt(org.db, kSettingOfflineLockDays).Value(), 14) << "a refused value changes nothing";
  EXPECT_EQ(SetSettingInt(org.db, kSettingOfflineLockDays, 7, org.repA).Code(), ErrorCode::Denied);
}

TEST(Org, PermissionRulesAsPureFunctions) {
  User rep{1, "rep", Role::Rep, 10, "", true};
  User store{2, "store", Role::Store, 10, "", true};
  User supervisor{3, "sup", Role::Supervisor, 10, "", true};
  User leader{4, "leader", Role::Leader, std::nullopt, "", true};
  Holding own{1, 10}, colleague{5, 10}, otherTeam{6, 20}, pool{std::nullopt, std::nullopt};
  EXPECT_TRUE(CheckCanChangeCustomer(rep, own));
  EXPECT_TRUE(CheckCanChangeCustomer(rep, pool));
  EXPECT_FALSE(CheckCanChangeCustomer(rep, colleague));
  EXPECT_TRUE(CheckCanChangeCustomer(store, colleague));
  EXPECT_FALSE(CheckCanChangeCustomer(store, otherTeam));
  EXPECT_TRUE(CheckCanChangeCustomer(supervisor, colleague));
  EXPECT_FALSE(CheckCanChangeCustomer(supervisor, otherTeam));
  EXPECT_TRUE(CheckCanChangeCustomer(leader, otherTeam));
  EXPECT_TRUE(CheckCanReassign(supervisor, colleague, 10));
  EXPECT_FALSE(CheckCanReassign(supervisor, colleague, 20));
  EXPECT_FALSE(CheckCanReassign(rep, own, 10));
  EXPECT_TRUE(CheckCanReassign(leader, otherTeam, 10));
}

}  // namespace
}  // namespace crm
