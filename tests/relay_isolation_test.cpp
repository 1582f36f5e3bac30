// Organisations are isolated: two of them on one relay, and for every endpoint a token (or the
// ids) of one organisation used against the other. Nothing of one may be read or changed with
// the other's token.
#include <gtest/gtest.h>

#include "core/customers.h"
#include "relay_test_support.h"
#include "sync/backup.h"

#include <cstring>

namespace crm::testing_support {
namespace {

using nlohmann::json;

std::string Id(int64_t value) { return std::to_string(value); }

// /metrics is served only with its token (crm-relay --metrics-token).
const char* const kMetricsToken = "metrics-token-for-the-tests";
relay::ServerOptions WithMetricsToken() {
  relay::ServerOptions server;
  server.metricsToken = kMetricsToken;
  return server;
}

class RelayIsolationTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(m_relay.Ok());
    m_oneRep = m_one.AddUser("张三", "rep", std::nullopt, "one password");
    m_twoRep = m_two.AddUser("张三", "rep", std::nullopt, "two password");  // the same name in both
    m_oneDevice = m_one.Device("张三", "one password");
    m_twoDevice = m_two.Device("张三", "two password");
    TestDevice& admin = m_one.Admin();
    admin.PushOk({admin.Change([&](Db& db) {
      CustomerInput input;
      input.name = "机密客户";
      input.phones = {"13900001111"};
      auto made = CreateCustomer(db, input, admin.actor());
      ASSERT_TRUE(made) << made.Message();
      m_secret = made.Value();
    })});
  }

  int64_t Head(TestDevice& device) {
    auto pulled = device.Transport().PullNow(0, 1, 0);
    EXPECT_TRUE(pulled) << pulled.Message();
    return pulled ? pulled.Value().headSeq : -1;
  }

  std::set<int64_t> ChangesetIds(TestDevice& device) {
    std::set<int64_t> ids;
    auto pulled = device.Transport().PullNow(0, 1000, 0);
    EXPECT_TRUE(pulled) << pulled.Message();
    if (pulled) {
      for (const auto& item : pulled.Value().changesets) ids.insert(item.envelope.changesetId);
    }
    return ids;
  }

  TempFolder m_folder{"relay_isolation"};
  TestRelay m_relay{FastOptions("sqlite:" + m_folder / "relay.db"), WithMetricsToken()};
  OrgOnRelay m_one{m_relay, "一号公司", "一号管理员"};
  OrgOnRelay m_two{m_relay, "二号公司", "二号管理员"};
  int64_t m_oneRep = 0, m_twoRep = 0, m_secret = 0;
  std::unique_ptr<TestDevice> m_oneDevice, m_twoDevice;
};

TEST_F(RelayIsolationTest, PullAndSnapshotShowOnlyTheTokensOrganisation) {
  std::set<int64_t> one = ChangesetIds(m_one.Admin());
  std::set<int64_t> two = ChangesetIds(m_two.Admin());
  ASSERT_FALSE(one.empty());
  ASSERT_FALSE(two.empty());
  for (int64_t id : two) EXPECT_EQ(one.count(id), 0u) << "changeset " << id << " of one organisation reached the other";
  EXPECT_EQ(ChangesetIds(*m_twoDevice), two);

  // Long-polling organisation two is not woken by organisation one's pushes.
  int64_t twoHead = Head(*m_twoDevice);
  std::thread push([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    m_one.Admin().PushOk({m_one.Admin().Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "又一个", m_one.Admin().actor())); })});
  });
  auto waited = m_twoDevice->Transport().PullNow(twoHead, 100, 1);
  push.join();
  ASSERT_TRUE(waited) << waited.Message();
  EXPECT_TRUE(waited.Value().changesets.empty());
  EXPECT_EQ(waited.Value().headSeq, twoHead);

  auto snapshot = m_twoDevice->Transport().SnapshotNow();
  ASSERT_TRUE(snapshot) << snapshot.Message();
  sync::SqliteBuffer image = sync::SqliteBuffer::Allocate(snapshot.Value().image.size());
  std::memcpy(image.data(), snapshot.Value().image.data(), image.size());
  auto checked = sync::CheckBackup(std::move(image));
  ASSERT_TRUE(checked) << checked.Message();
  Db& db = checked.Value().db;
  EXPECT_EQ(QueryText(db, "SELECT count(*) FROM customers"), "0");
  EXPECT_EQ(QueryText(db, "SELECT count(*) FROM customer_phones WHERE normalized = '13900001111'"), "0");
  EXPECT_EQ(QueryText(db, "SELECT group_concat(name, ',') FROM (SELECT name FROM users ORDER BY name)"), "二号管理员,张三");
}

TEST_F(RelayIsolationTest, PushesChangeOnlyTheTokensOrganisation) {
  int64_t oneHead = Head(m_one.Admin());
  // Organisation one's customer id, changed under organisation two's token: it lands (and is
  // dropped, no such row) in organisation two; organisation one does not move.
  std::string forged = "UPDATE customers SET notes = '越界', updated_at = " + Id(NowMs()) + ", updated_by = " + Id(m_twoRep) + ", device_id = " +
                       Id(m_twoDevice->DeviceId()) + " WHERE id = " + Id(m_secret);
  ASSERT_TRUE(m_twoDevice->db().Exec("INSERT INTO customers (id, name, owner_id, created_at, updated_at, created_by, updated_by, "
                                     "device_id) VALUES (" + Id(m_secret) + ", '机密客户', NULL, 1, 1, 1, 1, 1)"));  // not captured
  m_twoDevice->PushOk({m_twoDevice->Forge(forged)});
  EXPECT_EQ(Head(m_one.Admin()), oneHead);
  m_one.Admin().Sync();
  EXPECT_EQ(QueryText(m_one.Admin().db(), "SELECT coalesce(notes, '') FROM customers WHERE id = " + Id(m_secret)), "");

  // Envelopes naming organisation one's device or user, under organisation two's token.
  auto envelope = m_twoDevice->Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "x", m_twoDevice->actor())); });
  sync::ChangesetEnvelope asOneDevice = envelope;
  asOneDevice.deviceId = m_oneDevice->DeviceId();
  EXPECT_NE(m_twoDevice->PushRefused({asOneDevice}).reason.find("token of device"), std::string::npos);
  sync::ChangesetEnvelope asOneUser = envelope;
  asOneUser.userId = m_oneRep;
  EXPECT_NE(m_twoDevice->PushRefused({asOneUser}).reason.find("pushed with the sign-in of user"), std::string::npos);
  EXPECT_EQ(Head(m_one.Admin()), oneHead);

  // One device id signed in to both organisations, pushing the same changeset id to each:
  // idempotency is per organisation, so each logs its own, and neither sees the other's.
  TestDevice inOne(m_relay.Endpoint());
  ASSERT_TRUE(inOne.SignIn(m_one.Name(), "一号管理员", "admin password"));
  inOne.Sync();
  TestDevice inTwo(m_relay.Endpoint(), inOne.DeviceId());
  ASSERT_TRUE(inTwo.SignIn(m_two.Name(), "二号管理员", "admin password"));
  inTwo.Sync();
  auto first = inOne.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "同号一", inOne.actor())); });
  auto second = inTwo.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "同号二", inTwo.actor())); });
  second.changesetId = first.changesetId;
  int64_t twoHead = Head(inTwo);
  std::vector<int64_t> seqOne = inOne.PushOk({first});
  std::vector<int64_t> seqTwo = inTwo.PushOk({second});
  ASSERT_EQ(seqTwo.size(), 1u);
  EXPECT_EQ(seqTwo[0], twoHead + 1) << "not taken for a retry of the other organisation's changeset";
  EXPECT_EQ(Head(m_one.Admin()), seqOne[0]);
  inOne.Sync();
  inTwo.Sync();
  EXPECT_EQ(QueryText(inOne.db(), "SELECT count(*) FROM customers WHERE name LIKE '同号%'"), "1");
  EXPECT_EQ(QueryText(inTwo.db(), "SELECT group_concat(name) FROM customers"), "同号二");
}

TEST_F(RelayIsolationTest, SignInAndSignOutStayInTheirOrganisation) {
  auto signIn = [&](const std::string& org, const std::string& password) {
    return sync::SignIn(m_relay.Endpoint(), sync::SignInRequest{org, "张三", password, NewId(), ""});
  };
  EXPECT_TRUE(signIn(m_one.Name(), "one password"));
  EXPECT_FALSE(signIn(m_two.Name(), "one password")) << "one's password does not open two's account of the same name";
  auto two = signIn(m_two.Name(), "two password");
  ASSERT_TRUE(two);
  EXPECT_EQ(two.Value().userId, m_twoRep);
  EXPECT_EQ(two.Value().organisationId, m_two.OrgId());
  ASSERT_TRUE(sync::SignOut(m_relay.Endpoint(), m_twoDevice->Token()));
  EXPECT_EQ(Call(m_relay.Endpoint(), "GET", "/v1/pull?after=0", m_oneDevice->Token()).status, 200);
  EXPECT_EQ(Call(m_relay.Endpoint(), "GET", "/v1/pull?after=0", m_twoDevice->Token()).status, 401);
}

TEST_F(RelayIsolationTest, AdminEndpointsSeeAndTouchOnlyTheirOrganisation) {
  const std::string& twoAdmin = m_two.Admin().Token();
  auto endpoint = m_relay.Endpoint();

  HttpAnswer users = Call(endpoint, "GET", "/v1/admin/users", twoAdmin);
  ASSERT_EQ(users.status, 200);
  std::set<std::string> ids;
  json list = users.Json()["users"];
  for (const auto& user : list) ids.insert(user["id"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{Id(m_two.Admin().UserId()), Id(m_twoRep)}));

  HttpAnswer password = Call(endpoint, "POST", "/v1/admin/users/" + Id(m_oneRep) + "/password", twoAdmin,
                             json{{"password", "taken over!"}}.dump());
  EXPECT_EQ(password.status, 404) << password.body;
  EXPECT_TRUE(sync::SignIn(endpoint, sync::SignInRequest{m_one.Name(), "张三", "one password", NewId(), ""}));
  EXPECT_FALSE(sync::SignIn(endpoint, sync::SignInRequest{m_one.Name(), "张三", "taken over!", NewId(), ""}));

  HttpAnswer role = Call(endpoint, "POST", "/v1/admin/users/" + Id(m_oneRep) + "/role", twoAdmin, json{{"role", "admin"}}.dump());
  EXPECT_EQ(role.status, 404) << role.body;
  m_one.Admin().Sync();
  EXPECT_EQ(GetUser(m_one.Admin().db(), m_oneRep).Value().role, Role::Rep);

  int64_t oneHead = Head(m_one.Admin());
  HttpAnswer created = Call(endpoint, "POST", "/v1/admin/users", twoAdmin, json{{"name", "新人"}, {"role", "rep"}, {"password", "12345678"}}.dump());
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(Head(m_one.Admin()), oneHead) << "a user made in two is not a changeset of one";

  // Teams: one's are not listed, renamed or given people from two; two's admin cannot move one's people.
  HttpAnswer oneTeam = Call(endpoint, "POST", "/v1/admin/teams", m_one.Admin().Token(), json{{"name", "一组"}}.dump());
  ASSERT_EQ(oneTeam.status, 201) << oneTeam.body;
  const std::string oneTeamId = oneTeam.Json().value("team_id", "");
  oneHead = Head(m_one.Admin());
  HttpAnswer teams = Call(endpoint, "GET", "/v1/admin/teams", twoAdmin);
  ASSERT_EQ(teams.status, 200);
  EXPECT_TRUE(teams.Json()["teams"].empty()) << teams.body;
  EXPECT_EQ(Call(endpoint, "POST", "/v1/admin/teams/" + oneTeamId + "/name", twoAdmin, json{{"name", "夺走"}}.dump()).status, 404);
  EXPECT_EQ(Call(endpoint, "POST", "/v1/admin/users/" + Id(m_twoRep) + "/team", twoAdmin, json{{"team_id", oneTeamId}}.dump()).status, 404);
  EXPECT_EQ(Call(endpoint, "POST", "/v1/admin/users/" + Id(m_oneRep) + "/team", twoAdmin, json{{"team_id", nullptr}}.dump()).status, 404);
  EXPECT_EQ(Head(m_one.Admin()), oneHead) << "two's admin changed nothing in one";

  HttpAnswer devices = Call(endpoint, "GET", "/v1/admin/devices", twoAdmin);
  ASSERT_EQ(devices.status, 200);
  json deviceList = devices.Json()["devices"];
  for (const auto& device : deviceList) {
    EXPECT_NE(device["id"].get<std::string>(), Id(m_oneDevice->DeviceId()));
    EXPECT_NE(device["id"].get<std::string>(), Id(m_one.Admin().DeviceId()));
  }
  HttpAnswer revoke = Call(endpoint, "POST", "/v1/admin/devices/" + Id(m_oneDevice->DeviceId()) + "/revoke", twoAdmin);
  EXPECT_EQ(revoke.status, 404) << revoke.body;
  EXPECT_EQ(Call(endpoint, "GET", "/v1/pull?after=0", m_oneDevice->Token()).status, 200);

  // One device id registered in both: revoked in two, still working in one.
  TestDevice shared(endpoint);
  ASSERT_TRUE(shared.SignIn(m_one.Name(), "张三", "one password"));
  auto inTwo = sync::SignIn(endpoint, sync::SignInRequest{m_two.Name(), "张三", "two password", shared.DeviceId(), ""});
  ASSERT_TRUE(inTwo);
  EXPECT_EQ(Call(endpoint, "POST", "/v1/admin/devices/" + Id(shared.DeviceId()) + "/revoke", twoAdmin).status, 204);
  EXPECT_EQ(Call(endpoint, "GET", "/v1/pull?after=0", inTwo.Value().token).status, 403);
  EXPECT_EQ(Call(endpoint, "GET", "/v1/pull?after=0", shared.Token()).status, 200);
}

TEST_F(RelayIsolationTest, EveryAuthenticatedEndpointWantsAToken) {
  struct Endpoint {
    const char* method;
    std::string path;
  };
  std::vector<Endpoint> endpoints = {
      {"POST", "/v1/signout"}, {"POST", "/v1/push"}, {"GET", "/v1/pull?after=0"}, {"GET", "/v1/snapshot"},
      {"GET", "/v1/admin/users"}, {"POST", "/v1/admin/users"}, {"POST", "/v1/admin/users/" + Id(m_oneRep) + "/password"},
      {"POST", "/v1/admin/users/" + Id(m_oneRep) + "/role"}, {"POST", "/v1/admin/users/" + Id(m_oneRep) + "/team"},
      {"GET", "/v1/admin/teams"}, {"POST", "/v1/admin/teams"}, {"POST", "/v1/admin/teams/1/name"}, {"GET", "/v1/admin/devices"},
      {"POST", "/v1/admin/devices/" + Id(m_oneDevice->DeviceId()) + "/revoke"}};
  for (const Endpoint& endpoint : endpoints) {
    for (const std::string& token : {std::string(), std::string(64, '0'), std::string("not-a-token")}) {
      HttpAnswer answer = Call(m_relay.Endpoint(), endpoint.method, endpoint.path, token, "{}");
      EXPECT_EQ(answer.status, 401) << endpoint.method << " " << endpoint.path << " with '" << token << "': " << answer.body;
    }
  }
  // The operations endpoints carry no organisation data.
  HttpAnswer metrics = Call(m_relay.Endpoint(), "GET", "/metrics", kMetricsToken);
  ASSERT_EQ(metrics.status, 200);
  for (const std::string& secret : {m_one.Name(), m_two.Name(), Id(m_one.OrgId()), Id(m_oneRep), std::string("机密客户")}) {
    EXPECT_EQ(metrics.body.find(secret), std::string::npos) << secret;
  }
  EXPECT_NE(metrics.body.find("crm_relay_orgs 2"), std::string::npos);
}

}  // namespace
}  // namespace crm::testing_support
