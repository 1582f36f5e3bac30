#include "sync/link.h"

#include <gtest/gtest.h>

#include "core/accounts.h"
#include "core/demo_data.h"
#include "sync_test_support.h"
#include "test_support.h"

namespace crm::sync {
namespace {

using testing_support::QueryText;
using testing_support::TestOrg;

TEST(Link, AnUnlinkedDeviceHasNoLinkAndNoToken) {
  TestOrg org;
  auto link = LoadLink(org.db);
  ASSERT_TRUE(link) << link.Message();
  EXPECT_FALSE(link.Value());
  auto token = TokenFor(org.db, org.repA.userId);
  ASSERT_FALSE(token);
  EXPECT_EQ(token.Code(), ErrorCode::Denied);
}

TEST(Link, ASignedInUserWorksOfflineAndTheirTokenIsUsed) {
  TestOrg org;
  SyncLink link{"https://crm.example.com", 42};
  OnlineIdentity identity{42, org.repA.userId, "张三@美家门窗", "token-a"};
  auto actor = LinkSignedInUser(org.db, link, identity, 1700000000000);
  ASSERT_TRUE(actor) << actor.Message();
  EXPECT_EQ(actor.Value().userId, org.repA.userId);
  EXPECT_EQ(LoadLink(org.db).Value()->organisationId, 42);
  EXPECT_EQ(LoadLink(org.db).Value()->server, "https://crm.example.com");
  auto account = GetDeviceAccount(org.db, org.repA.userId);
  ASSERT_TRUE(account);
  EXPECT_EQ(account.Value().kind, AccountKind::Online);
  EXPECT_EQ(account.Value().serverAccount, "张三@美家门窗");
  EXPECT_EQ(LastSignedInUser(org.db).Value(), org.repA.userId);
  EXPECT_EQ(TokenFor(org.db, org.repA.userId).Value(), "token-a");
  // A second person on the same (shared) device: each pushes with their own token.
  ASSERT_TRUE(LinkSignedInUser(org.db, link, OnlineIdentity{42, org.repB.userId, "李四@美家门窗", "token-b"}, 1700000001000));
  EXPECT_EQ(TokenFor(org.db, org.repA.userId).Value(), "token-a");
  EXPECT_EQ(TokenFor(org.db, org.repB.userId).Value(), "token-b");
  // Someone without an online account falls back to the latest one.
  EXPECT_EQ(TokenFor(org.db, org.store.userId).Value(), "token-b");
}

TEST(Link, AnotherOrganisationsIdentityIsRefused) {
  TestOrg org;
  ASSERT_TRUE(SaveLink(org.db, SyncLink{"", 42}));
  auto actor = LinkSignedInUser(org.db, SyncLink{"", 42}, OnlineIdentity{7, org.repA.userId, "x@y", "t"}, 0);
  ASSERT_FALSE(actor);
  EXPECT_NE(actor.Message().find("another organisation"), std::string::npos);
}

TEST(Link, ATrialsSampleDataIsNotAtRiskButLocalCustomersAre) {
  Db trial = Db::OpenMemory().Value();
  ASSERT_TRUE(Migrate(trial));
  ASSERT_TRUE(EnsureDeviceTables(trial));
  auto loaded = SeedDemoOrganisation(trial, 1);
  ASSERT_TRUE(loaded) << loaded.Message();
  EXPECT_EQ(LocalCustomersAtRisk(trial).Value(), 0);

  TestOrg org;
  ASSERT_TRUE(EnsureDeviceTables(org.db));
  org.Customer("美家门窗", org.repA);
  EXPECT_EQ(LocalCustomersAtRisk(org.db).Value(), 1);
}

}  // namespace
}  // namespace crm::sync
