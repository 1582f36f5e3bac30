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

TEST(Org, FindUserByNameAndAmbiguity) {
  TestOrg org;
  EXPECT_EQ(FindUserByName(org.db, "张三").Value().id, org.repA.userId);
  EXPECT_EQ(FindUserByName(org.db, "无名氏").Code(), ErrorCode::NotFound);
  ASSERT_TRUE(CreateUser(org.db, "张三", Role::Rep, org.west, org.admin));
  EXPECT_EQ(FindUserByName(org.db, "张三").Code(), ErrorCode::Conflict);
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
