// The relay's API over real HTTP on loopback, on the SQLite store: set-up, sign-in and tokens,
// push and pull (order, idempotency, long-poll), snapshots, admin, limits, metrics; the admin's
// team endpoints on both stores (PostgreSQL from the crm_pg fixture, or tests/relay/pg.sh by hand).
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

#include "core/customers.h"
#include "relay_process.h"
#include "relay_store_fixture.h"
#include "relay_test_support.h"
#include "sync/backup.h"

namespace crm::testing_support {
namespace {

using nlohmann::json;
using relay::RateLimit;
using relay::RelayOptions;

// /metrics is served only with its token (crm-relay --metrics-token).
const char* const kMetricsToken = "metrics-token-for-the-tests";
relay::ServerOptions WithMetricsToken() {
  relay::ServerOptions server;
  server.metricsToken = kMetricsToken;
  return server;
}

class RelayApiTest : public testing::Test {
 protected:
  TempFolder m_folder{"relay_api"};
  TestRelay m_relay{FastOptions("sqlite:" + m_folder / "relay.db"), WithMetricsToken()};
};

int64_t CountCustomersIn(Db& db) { return CountCustomers(db).ValueOr(-1); }

TEST_F(RelayApiTest, SetupCreatesTheOrganisationWithItsAdminAsSeqOne) {
  ASSERT_TRUE(m_relay.Ok());
  std::string token = m_relay.SetupToken();
  TestDevice device(m_relay.Endpoint());
  auto session = sync::SetUp(m_relay.Endpoint(), sync::SetupRequest{token, "美家门窗", "王经理", "admin password", device.DeviceId(), "laptop"});
  ASSERT_TRUE(session) << session.Message();
  EXPECT_EQ(session.Value().role, "admin");
  EXPECT_EQ(session.Value().token.size(), 64u);
  EXPECT_GT(session.Value().expiresAt, NowMs() + 89LL * 24 * 3600 * 1000);
  device.Use(session.Value());

  auto pulled = device.Transport().PullNow(0, 1000, 0);
  ASSERT_TRUE(pulled) << pulled.Message();
  ASSERT_EQ(pulled.Value().changesets.size(), 1u);
  EXPECT_EQ(pulled.Value().changesets[0].seq, 1);
  EXPECT_EQ(pulled.Value().changesets[0].envelope.deviceId, 0) << "seq 1 is authored by the relay";
  EXPECT_EQ(pulled.Value().headSeq, 1);
  device.Sync();
  auto admin = GetUser(device.db(), session.Value().userId);
  ASSERT_TRUE(admin) << admin.Message();
  EXPECT_EQ(admin.Value().name, "王经理");
  EXPECT_EQ(admin.Value().role, Role::Admin);

  // The token was for one use.
  auto again = sync::SetUp(m_relay.Endpoint(), sync::SetupRequest{token, "另一家", "李四", "admin password", NewId(), "x"});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.Code(), ErrorCode::Invalid) << again.Message();  // 409
  HttpAnswer reused = Call(m_relay.Endpoint(), "POST", "/v1/setup", "",
                           json{{"setup_token", token}, {"organisation", "另一家"}, {"admin_name", "李四"},
                                {"password", "admin password"}, {"device_id", "5"}, {"device_secret", std::string(64, '5')}}.dump());
  EXPECT_EQ(reused.status, 409) << reused.body;
  HttpAnswer unknown = Call(m_relay.Endpoint(), "POST", "/v1/setup", "",
                            json{{"setup_token", std::string(64, 'a')}, {"organisation", "另一家"}, {"admin_name", "李四"},
                                 {"password", "admin password"}, {"device_id", "5"}, {"device_secret", std::string(64, '5')}}.dump());
  EXPECT_EQ(unknown.status, 401) << unknown.body;
  // A name is taken once.
  HttpAnswer taken = Call(m_relay.Endpoint(), "POST", "/v1/setup", "",
                          json{{"setup_token", m_relay.SetupToken()}, {"organisation", "美家门窗"}, {"admin_name", "李四"},
                               {"password", "admin password"}, {"device_id", "5"}, {"device_secret", std::string(64, '5')}}.dump());
  EXPECT_EQ(taken.status, 409) << taken.body;
}

TEST_F(RelayApiTest, SetupAndSignInRejectBadBodiesByField) {
  ASSERT_TRUE(m_relay.Ok());
  auto post = [&](const std::string& path, const std::string& body) { return Call(m_relay.Endpoint(), "POST", path, "", body); };
  EXPECT_EQ(post("/v1/setup", "not json").status, 400);
  EXPECT_EQ(post("/v1/setup", "[1,2]").status, 400);
  HttpAnswer missing = post("/v1/setup", json{{"setup_token", "x"}}.dump());
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("organisation: missing"), std::string::npos) << missing.body;
  HttpAnswer shortPassword = post("/v1/setup", json{{"setup_token", m_relay.SetupToken()}, {"organisation", "o"}, {"admin_name", "a"},
                                                    {"password", "short"}, {"device_id", "1"}}.dump());
  EXPECT_EQ(shortPassword.status, 400);
  EXPECT_NE(shortPassword.body.find("password"), std::string::npos) << shortPassword.body;
  HttpAnswer badDevice = post("/v1/signin", json{{"organisation", "o"}, {"user", "u"}, {"password", "p"}, {"device_id", "-3"}}.dump());
  EXPECT_EQ(badDevice.status, 400);
  EXPECT_NE(badDevice.body.find("device_id"), std::string::npos) << badDevice.body;
  HttpAnswer typed = post("/v1/signin", json{{"organisation", 5}, {"user", "u"}, {"password", "p"}, {"device_id", "3"}}.dump());
  EXPECT_EQ(typed.status, 400);
  EXPECT_EQ(typed.Json().value("error", ""), "bad_request");
}

TEST_F(RelayApiTest, SignInGivesOneAnswerForEveryWrongCredential) {
  OrgOnRelay org(m_relay);
  org.AddUser("张三", "rep");
  auto attempt = [&](const std::string& orgName, const std::string& user, const std::string& password) {
    return Call(m_relay.Endpoint(), "POST", "/v1/signin", "",
                json{{"organisation", orgName}, {"user", user}, {"password", password}, {"device_id", "77"}, {"device_secret", std::string(64, '7')}}.dump());
  };
  HttpAnswer good = attempt(org.Name(), "张三", "user password");
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(good.Json().value("role", ""), "rep");
  HttpAnswer wrongPassword = attempt(org.Name(), "张三", "not the password");
  HttpAnswer wrongUser = attempt(org.Name(), "李四", "user password");
  HttpAnswer wrongOrg = attempt("别家", "张三", "user password");
  for (const HttpAnswer* answer : {&wrongPassword, &wrongUser, &wrongOrg}) {
    EXPECT_EQ(answer->status, 401);
    EXPECT_EQ(answer->body, wrongPassword.body) << "the answers must not tell which part was wrong";
  }
}

TEST_F(RelayApiTest, TokensWorkUntilSignOutRevocationOrExpiry) {
  OrgOnRelay org(m_relay);
  org.AddUser("张三", "rep");
  auto device = org.Device("张三");
  EXPECT_EQ(Call(m_relay.Endpoint(), "GET", "/v1/pull?after=0", device->Token()).status, 200);
  EXPECT_EQ(Call(m_relay.Endpoint(), "GET", "/v1/pull?after=0").status, 401);
  EXPECT_EQ(Call(m_relay.Endpoint(), "GET", "/v1/pull?after=0", std::string(64, 'f')).status, 401);
  EXPECT_EQ(Call(m_relay.Endpoint(), "GET", "/v1/pull?after=0", "garbage token").status, 401);

  ASSERT_TRUE(sync::SignOut(m_relay.Endpoint(), device->Token()));
  HttpAnswer after = Call(m_relay.Endpoint(), "GET", "/v1/pull?after=0", device->Token());
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.Json().value("error", ""), "unauthorized");
  auto pulled = device->Transport().PullNow(0, 10, 0);
  ASSERT_FALSE(pulled);
  EXPECT_EQ(pulled.Code(), ErrorCode::Denied) << "401 maps to Denied (sign in again)";
}

TEST_F(RelayApiTest, ADeactivatedUsersTokenStopsWorking) {
  OrgOnRelay org(m_relay);
  int64_t rep = org.AddUser("张三", "rep");
  auto device = org.Device("张三");
  EXPECT_EQ(Call(m_relay.Endpoint(), "GET", "/v1/snapshot", device->Token()).status, 200);
  TestDevice& admin = org.Admin();
  admin.PushOk({admin.Change([&](Db& db) { ASSERT_TRUE(SetUserActive(db, rep, false, admin.actor())); })});
  // 张三 was the only person on the device: it is revoked (RelayRevokeTest), and wipes itself.
  for (const char* path : {"/v1/pull?after=0", "/v1/snapshot"}) {
    HttpAnswer answer = Call(m_relay.Endpoint(), "GET", path, device->Token());
    EXPECT_EQ(answer.status, 403) << path << ": " << answer.body;
    EXPECT_EQ(answer.Json().value("error", ""), "device_revoked") << path;
  }
  EXPECT_FALSE(sync::SignIn(m_relay.Endpoint(), sync::SignInRequest{org.Name(), "张三", "user password", NewId(), ""}));
  // Active again: the old token stays dead (the deactivation ended it); a new sign-in works, on a new device.
  admin.PushOk({admin.Change([&](Db& db) { ASSERT_TRUE(SetUserActive(db, rep, true, admin.actor())); })});
  EXPECT_EQ(Call(m_relay.Endpoint(), "GET", "/v1/pull?after=0", device->Token()).status, 403) << "an old token came back to life";
  TestDevice fresh(m_relay.Endpoint());
  ASSERT_TRUE(fresh.SignIn(org.Name(), "张三", "user password"));
  EXPECT_EQ(Call(m_relay.Endpoint(), "GET", "/v1/pull?after=0", fresh.Token()).status, 200) << "active again";
}

TEST(RelayTokens, ExpireAfterTheirLifetime) {
  TempFolder folder("relay_expiry");
  RelayOptions options = FastOptions("sqlite:" + folder / "relay.db");
  options.tokenLifetimeMs = 300;
  TestRelay relay(options);
  OrgOnRelay org(relay);
  EXPECT_EQ(Call(relay.Endpoint(), "GET", "/v1/pull?after=0", org.Admin().Token()).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(Call(relay.Endpoint(), "GET", "/v1/pull?after=0", org.Admin().Token()).status, 401);
}

TEST_F(RelayApiTest, PushesAreOrderedAndEveryDeviceGetsItsScopeOfTheSameData) {
  OrgOnRelay org(m_relay);
  org.AddUser("张三", "rep");
  org.AddUser("李四", "rep");
  org.AddUser("总经理", "leader");
  auto a = org.Device("张三");
  auto b = org.Device("李四");
  auto leader = org.Device("总经理");
  int64_t head = a->Seq();

  std::vector<sync::ChangesetEnvelope> batch;
  for (int i = 0; i < 5; i++) {
    batch.push_back(a->Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "客户" + std::to_string(i), a->actor())); }));
  }
  std::vector<int64_t> seqs = a->PushOk(batch);
  ASSERT_EQ(seqs.size(), 5u);
  for (size_t i = 0; i < seqs.size(); i++) EXPECT_EQ(seqs[i], head + 1 + static_cast<int64_t>(i)) << "consecutive, in push order";
  auto fromB = b->PushOk({b->Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "李四的客户", b->actor())); })});
  ASSERT_EQ(fromB.size(), 1u);
  EXPECT_EQ(fromB[0], head + 6);

  a->Sync();
  b->Sync();
  leader->Sync();
  // Every device follows the same order; each rep holds their own customers, the leader all of them.
  EXPECT_EQ(a->Seq(), head + 6);
  EXPECT_EQ(b->Seq(), head + 6);
  EXPECT_EQ(leader->Seq(), head + 6);
  EXPECT_EQ(CountCustomersIn(a->db()), 5);
  EXPECT_EQ(CountCustomersIn(b->db()), 1);
  EXPECT_EQ(CountCustomersIn(leader->db()), 6);
  const std::string names = "SELECT group_concat(name, ',') FROM (SELECT name FROM customers WHERE owner_id = %s ORDER BY id)";
  for (TestDevice* rep : {a.get(), b.get()}) {
    char sql[256];
    std::snprintf(sql, sizeof sql, names.c_str(), std::to_string(rep->UserId()).c_str());
    EXPECT_EQ(QueryText(rep->db(), sql), QueryText(leader->db(), sql));
  }
}

TEST_F(RelayApiTest, ARetriedPushGetsTheSameSeqsAndIsStoredOnce) {
  OrgOnRelay org(m_relay);
  TestDevice& admin = org.Admin();
  auto first = admin.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "一", admin.actor())); });
  auto second = admin.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "二", admin.actor())); });
  std::vector<int64_t> once = admin.PushOk({first, second});
  std::vector<int64_t> twice = admin.PushOk({first, second});
  EXPECT_EQ(once, twice);
  // A retry that also carries a new changeset: the old ones keep their seqs, the new one is appended.
  auto third = admin.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "三", admin.actor())); });
  std::vector<int64_t> mixed = admin.PushOk({first, second, third});
  ASSERT_EQ(mixed.size(), 3u);
  EXPECT_EQ(mixed[0], once[0]);
  EXPECT_EQ(mixed[1], once[1]);
  EXPECT_EQ(mixed[2], once[1] + 1);
  auto pulled = admin.Transport().PullNow(0, 1000, 0);
  ASSERT_TRUE(pulled);
  EXPECT_EQ(pulled.Value().headSeq, mixed[2]);
  std::set<int64_t> ids;
  for (const auto& item : pulled.Value().changesets) EXPECT_TRUE(ids.insert(item.envelope.changesetId).second) << "stored twice";
  // Twice in one push is a client bug: 400.
  HttpAnswer doubled = Call(m_relay.Endpoint(), "POST", "/v1/push", admin.Token(),
                            [&] { auto b = sync::EncodePush(sync::PushRequest{{third, third}}); return std::string(b.begin(), b.end()); }(),
                            "application/x-crm");
  EXPECT_EQ(doubled.status, 400) << doubled.body;
}

TEST_F(RelayApiTest, PullPagesAndValidatesItsParameters) {
  OrgOnRelay org(m_relay);
  TestDevice& admin = org.Admin();
  std::vector<sync::ChangesetEnvelope> batch;
  for (int i = 0; i < 7; i++) batch.push_back(admin.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "c" + std::to_string(i), admin.actor())); }));
  admin.PushOk(batch);
  auto page = admin.Transport().PullNow(2, 3, 0);
  ASSERT_TRUE(page) << page.Message();
  ASSERT_EQ(page.Value().changesets.size(), 3u);
  EXPECT_EQ(page.Value().changesets[0].seq, 3);
  EXPECT_EQ(page.Value().changesets[2].seq, 5);
  EXPECT_EQ(page.Value().headSeq, 8);
  for (const char* bad : {"/v1/pull?after=-1", "/v1/pull?after=abc", "/v1/pull?limit=0", "/v1/pull?limit=1001", "/v1/pull?wait=x",
                          "/v1/pull?after=99999999999999999999"}) {
    HttpAnswer answer = Call(m_relay.Endpoint(), "GET", bad, admin.Token());
    EXPECT_EQ(answer.status, 400) << bad << ": " << answer.body;
  }
}

TEST_F(RelayApiTest, ALongPollAnswersAsSoonAsAChangesetArrives) {
  OrgOnRelay org(m_relay);
  org.AddUser("张三", "rep");
  auto waiter = org.Device("张三");
  TestDevice& admin = org.Admin();
  int64_t head = waiter->Seq();

  auto started = std::chrono::steady_clock::now();
  auto quiet = waiter->Transport().PullNow(head, 100, 1);
  double quietSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_TRUE(quiet) << quiet.Message();
  EXPECT_TRUE(quiet.Value().changesets.empty());
  EXPECT_GE(quietSeconds, 0.9) << "with nothing new the relay holds the pull for `wait` seconds";

  Result<sync::PullResponse> woken = MakeError(ErrorCode::Generic, "not run");
  double wokenSeconds = 0;
  std::thread pull([&] {
    auto at = std::chrono::steady_clock::now();
    woken = waiter->Transport().PullNow(head, 100, 20);
    wokenSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - at).count();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  admin.PushOk({admin.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "新客户", admin.actor())); })});
  pull.join();
  ASSERT_TRUE(woken) << woken.Message();
  ASSERT_EQ(woken.Value().changesets.size(), 1u);
  EXPECT_EQ(woken.Value().changesets[0].seq, head + 1);
  EXPECT_LT(wokenSeconds, 3.0) << "woken by the push, not by the 20 s timeout";
}

TEST_F(RelayApiTest, ASnapshotGivesANewDeviceTheOrganisationAtItsSeq) {
  OrgOnRelay org(m_relay);
  TestDevice& admin = org.Admin();
  std::vector<sync::ChangesetEnvelope> batch;
  for (int i = 0; i < 4; i++) batch.push_back(admin.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "客户" + std::to_string(i), admin.actor())); }));
  std::vector<int64_t> seqs = admin.PushOk(batch);
  TestDevice fresh(m_relay.Endpoint());
  fresh.SignIn(org.Name(), "王经理", "admin password");
  auto snapshot = fresh.Transport().SnapshotNow();
  ASSERT_TRUE(snapshot) << snapshot.Message();
  EXPECT_EQ(snapshot.Value().seq, seqs.back());
  EXPECT_EQ(snapshot.Value().schemaVersion, LatestSchemaVersion());
  sync::SqliteBuffer image = sync::SqliteBuffer::Allocate(snapshot.Value().image.size());
  std::memcpy(image.data(), snapshot.Value().image.data(), image.size());
  auto checked = sync::CheckBackup(std::move(image));
  ASSERT_TRUE(checked) << checked.Message();
  EXPECT_EQ(checked.Value().info.customers, 4);
  EXPECT_EQ(QueryText(checked.Value().db, "SELECT group_concat(name, ',') FROM (SELECT name FROM customers ORDER BY name)"),
            "客户0,客户1,客户2,客户3");
}

TEST_F(RelayApiTest, AdminManagesUsersRolesPasswordsAndDevices) {
  OrgOnRelay org(m_relay);
  int64_t rep = org.AddUser("张三", "rep");
  ASSERT_GT(rep, 0);
  // The new users row reached devices as a changeset authored by the admin, from the relay (device 0).
  auto pulled = org.Admin().Transport().PullNow(1, 1000, 0);
  ASSERT_TRUE(pulled);
  ASSERT_EQ(pulled.Value().changesets.size(), 1u);
  EXPECT_EQ(pulled.Value().changesets[0].envelope.userId, org.Admin().UserId());
  EXPECT_EQ(pulled.Value().changesets[0].envelope.deviceId, 0);
  auto onAdmin = GetUser(org.Admin().db(), rep);
  ASSERT_TRUE(onAdmin) << onAdmin.Message();
  EXPECT_EQ(onAdmin.Value().role, Role::Rep);
  EXPECT_EQ(QueryText(org.Admin().db(), "SELECT count(*) FROM audit_log WHERE table_name = 'users' AND row_id = " + std::to_string(rep)), "1");

  HttpAnswer users = Call(m_relay.Endpoint(), "GET", "/v1/admin/users", org.Admin().Token());
  ASSERT_EQ(users.status, 200);
  ASSERT_EQ(users.Json()["users"].size(), 2u);
  json userList = users.Json()["users"];
  for (const auto& user : userList) EXPECT_TRUE(user["has_password"].get<bool>());
  HttpAnswer duplicate = Call(m_relay.Endpoint(), "POST", "/v1/admin/users", org.Admin().Token(),
                              json{{"name", "张三"}, {"role", "rep"}, {"password", "another password"}}.dump());
  EXPECT_EQ(duplicate.status, 409) << duplicate.body;
  HttpAnswer badRole = Call(m_relay.Endpoint(), "POST", "/v1/admin/users", org.Admin().Token(),
                            json{{"name", "赵六"}, {"role", "king"}, {"password", "another password"}}.dump());
  EXPECT_EQ(badRole.status, 400) << badRole.body;

  // Password reset: the old one stops working, and so does every sign-in made with it; the new one works.
  auto repDevice = org.Device("张三");
  auto oldSignIn = sync::SignIn(m_relay.Endpoint(), sync::SignInRequest{org.Name(), "张三", "user password", NewId(), ""});
  ASSERT_TRUE(oldSignIn) << oldSignIn.Message();
  EXPECT_EQ(Call(m_relay.Endpoint(), "GET", "/v1/pull?after=0&limit=1", oldSignIn.Value().token).status, 200);
  HttpAnswer reset = Call(m_relay.Endpoint(), "POST", "/v1/admin/users/" + std::to_string(rep) + "/password", org.Admin().Token(),
                          json{{"password", "a new password"}}.dump());
  EXPECT_EQ(reset.status, 204) << reset.body;
  EXPECT_EQ(Call(m_relay.Endpoint(), "GET", "/v1/pull?after=0&limit=1", oldSignIn.Value().token).status, 401);
  EXPECT_EQ(Call(m_relay.Endpoint(), "GET", "/v1/pull?after=0&limit=1", repDevice->Token()).status, 401);
  EXPECT_FALSE(sync::SignIn(m_relay.Endpoint(), sync::SignInRequest{org.Name(), "张三", "user password", NewId(), ""}));
  EXPECT_TRUE(sync::SignIn(m_relay.Endpoint(), sync::SignInRequest{org.Name(), "张三", "a new password", NewId(), ""}));
  ASSERT_TRUE(repDevice->SignIn(org.Name(), "张三", "a new password"));

  // A rep may not administer.
  EXPECT_EQ(Call(m_relay.Endpoint(), "GET", "/v1/admin/users", repDevice->Token()).status, 403);
  EXPECT_EQ(Call(m_relay.Endpoint(), "POST", "/v1/admin/users", repDevice->Token(),
                 json{{"name", "x"}, {"role", "admin"}, {"password", "12345678"}}.dump()).status, 403);

  // Role change: a changeset too; the rep becomes a leader.
  HttpAnswer role = Call(m_relay.Endpoint(), "POST", "/v1/admin/users/" + std::to_string(rep) + "/role", org.Admin().Token(),
                         json{{"role", "leader"}}.dump());
  EXPECT_EQ(role.status, 204) << role.body;
  org.Admin().Sync();
  EXPECT_EQ(GetUser(org.Admin().db(), rep).Value().role, Role::Leader);
  HttpAnswer lastAdmin = Call(m_relay.Endpoint(), "POST", "/v1/admin/users/" + std::to_string(org.Admin().UserId()) + "/role",
                              org.Admin().Token(), json{{"role", "rep"}}.dump());
  EXPECT_EQ(lastAdmin.status, 409) << lastAdmin.body;
  EXPECT_EQ(Call(m_relay.Endpoint(), "POST", "/v1/admin/users/12345/role", org.Admin().Token(), json{{"role", "rep"}}.dump()).status, 404);

  // Devices: listed, and a revoked one loses every token and cannot sign in again (it is told to wipe).
  HttpAnswer devices = Call(m_relay.Endpoint(), "GET", "/v1/admin/devices", org.Admin().Token());
  ASSERT_EQ(devices.status, 200);
  bool listed = false;
  json deviceList = devices.Json()["devices"];
  for (const auto& device : deviceList) listed |= device["id"] == std::to_string(repDevice->DeviceId());
  EXPECT_TRUE(listed) << devices.body;
  EXPECT_EQ(Call(m_relay.Endpoint(), "POST", "/v1/admin/devices/" + std::to_string(repDevice->DeviceId()) + "/revoke",
                 org.Admin().Token()).status, 204);
  EXPECT_EQ(Call(m_relay.Endpoint(), "GET", "/v1/pull?after=0", repDevice->Token()).status, 403);
  auto again = sync::SignIn(m_relay.Endpoint(), sync::SignInRequest{org.Name(), "张三", "a new password", repDevice->DeviceId(), ""});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.Code(), ErrorCode::Denied);
  EXPECT_EQ(Call(m_relay.Endpoint(), "POST", "/v1/admin/devices/424242/revoke", org.Admin().Token()).status, 404);
}

TEST(RelayLimits, BatchBodyAndRateLimitsAreClear4xx) {
  TempFolder folder("relay_limits");
  RelayOptions options = FastOptions("sqlite:" + folder / "relay.db");
  options.maxBatch = 10;
  options.deviceRate = RateLimit{1, 30};
  relay::ServerOptions server;
  server.maxBodyBytes = 256 * 1024;
  options.maxBodyBytes = server.maxBodyBytes;
  TestRelay relay(options, server);
  OrgOnRelay org(relay);
  TestDevice& admin = org.Admin();

  std::vector<sync::ChangesetEnvelope> batch;
  for (int i = 0; i < 11; i++) batch.push_back(admin.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "c" + std::to_string(i), admin.actor())); }));
  auto bytes = sync::EncodePush(sync::PushRequest{batch});
  HttpAnswer tooMany = Call(relay.Endpoint(), "POST", "/v1/push", admin.Token(), std::string(bytes.begin(), bytes.end()), "application/x-crm");
  EXPECT_EQ(tooMany.status, 413) << tooMany.body;
  EXPECT_NE(tooMany.body.find("at most 10"), std::string::npos) << tooMany.body;

  HttpAnswer tooBig = Call(relay.Endpoint(), "POST", "/v1/push", admin.Token(), std::string(300 * 1024, 'x'), "application/x-crm");
  EXPECT_EQ(tooBig.status, 413) << tooBig.body;
  EXPECT_EQ(tooBig.Json().value("error", ""), "too_large") << tooBig.body;

  int limited = 0;
  std::string retryAfter;
  for (int i = 0; i < 60 && !limited; i++) {
    HttpAnswer answer = Call(relay.Endpoint(), "GET", "/v1/pull?after=0", admin.Token());
    if (answer.status == 429) {
      limited++;
      retryAfter = answer.retryAfter;
      EXPECT_EQ(answer.Json().value("error", ""), "too_many_requests");
    }
  }
  EXPECT_EQ(limited, 1) << "a burst of 30 at 1/s runs out within 60 requests";
  EXPECT_GE(std::atoi(retryAfter.c_str()), 1);
  auto pulled = admin.Transport().PullNow(0, 10, 0);
  ASSERT_FALSE(pulled);
  EXPECT_EQ(pulled.Code(), ErrorCode::Storage) << "429 means retry later";
  EXPECT_GE(admin.Transport().RetryAfterSeconds(), 1);
}

// Behind nginx (named with --trust-proxy) every peer is loopback: sign-in limits go by the address nginx forwards.
TEST(RelayLimits, SignInLimitsGoByTheForwardedAddressBehindAProxy) {
  TempFolder folder("relay_forwarded");
  RelayOptions options = FastOptions("sqlite:" + folder / "relay.db");
  options.signInRate = RateLimit{0.01, 3};
  relay::ServerOptions server;
  server.trustedProxies = {"127.0.0.1"};
  TestRelay relay(options, server);
  auto attempt = [&](const std::string& forwarded) {
    httplib::Client client("127.0.0.1", relay.Port());
    httplib::Headers headers{{"X-Forwarded-For", forwarded}};
    auto result = client.Post("/v1/signin", headers, "{}", "application/json");
    return result ? result->status : 0;
  };
  for (int i = 0; i < 3; i++) EXPECT_EQ(attempt("203.0.113.7"), 400) << "within the burst: the body is checked";
  EXPECT_EQ(attempt("203.0.113.7"), 429);
  EXPECT_EQ(attempt("198.51.100.2"), 400) << "another client is not held up";
  EXPECT_EQ(attempt("10.0.0.1, 203.0.113.7"), 429) << "the last entry (nginx's own) counts";
}

TEST_F(RelayApiTest, MetricsCountRequestsChangesetsAndOrganisations) {
  OrgOnRelay org(m_relay);
  TestDevice& admin = org.Admin();
  admin.PushOk({admin.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "一", admin.actor())); })});
  admin.PushRefused({admin.Sql("INSERT INTO audit_log (id, at, user_id, device_id, table_name, row_id, action) VALUES (1, 1, 42, 42, 'x', 1, 'insert')")});
  (void)admin.Transport().PullNow(0, 10, 0);
  HttpAnswer metrics = Call(m_relay.Endpoint(), "GET", "/metrics", kMetricsToken);
  ASSERT_EQ(metrics.status, 200);
  for (const char* line : {"crm_relay_requests_total{endpoint=\"POST /v1/push\",status=\"200\"} 1",
                           "crm_relay_requests_total{endpoint=\"POST /v1/push\",status=\"422\"} 1",
                           "crm_relay_requests_total{endpoint=\"GET /v1/pull\",status=\"200\"} ",
                           "crm_relay_changesets_accepted_total 1", "crm_relay_changesets_refused_total 1", "crm_relay_pushes_total 2",
                           "crm_relay_orgs 1", "crm_relay_store_seconds_count{op=\"append\"} 1"}) {
    EXPECT_NE(metrics.body.find(line), std::string::npos) << "missing: " << line << "\n" << metrics.body;
  }
  HttpAnswer health = Call(m_relay.Endpoint(), "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.Json().value("store", ""), "sqlite");
  EXPECT_EQ(health.Json().value("wire", 0), 1);
}

// ---------------------------------------------------------------------------
// Teams through the admin API, on both stores.

class RelayTeamsTest : public RelayOnStoreTest {
 protected:
  RelayTeamsTest() : RelayOnStoreTest("relay_teams") {}
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartRelay());
  }

  HttpAnswer AsAdmin(const std::string& method, const std::string& path, const std::string& body = "") {
    return Call(m_relay->Endpoint(), method, path, m_org->Admin().Token(), body);
  }
  // The answer's "teams" keyed by name.
  std::map<std::string, json> Teams() {
    HttpAnswer listed = AsAdmin("GET", "/v1/admin/teams");
    EXPECT_EQ(listed.status, 200) << listed.body;
    std::map<std::string, json> byName;
    json teams = listed.Json().value("teams", json::array());
    for (const json& team : teams) byName[team.value("name", "")] = team;
    return byName;
  }
  int64_t MadeTeam(const HttpAnswer& answer) {
    EXPECT_EQ(answer.status, 201) << answer.body;
    json made = answer.Json();
    return made.is_object() ? std::strtoll(made.value("team_id", "0").c_str(), nullptr, 10) : 0;
  }
  int64_t Head() {
    auto pulled = m_org->Admin().Transport().PullNow(0, 1, 0);
    EXPECT_TRUE(pulled) << pulled.Message();
    return pulled ? pulled.Value().headSeq : -1;
  }

};

TEST_P(RelayTeamsTest, AdminCreatesListsAndRenamesTeamsWithCoresRules) {
  int64_t east = MadeTeam(AsAdmin("POST", "/v1/admin/teams", json{{"name", " 华东组 "}}.dump()));
  ASSERT_GT(east, 0);
  int64_t admin = m_org->Admin().UserId();
  int64_t west = MadeTeam(AsAdmin("POST", "/v1/admin/teams", json{{"name", "华南组"}, {"supervisor_id", std::to_string(admin)}}.dump()));
  ASSERT_GT(west, 0);
  auto teams = Teams();
  ASSERT_EQ(teams.size(), 2u);
  ASSERT_TRUE(teams.count("华东组")) << "the name is stored trimmed, as the app stores it";
  EXPECT_EQ(teams["华东组"]["id"], std::to_string(east));
  EXPECT_TRUE(teams["华东组"]["supervisor_id"].is_null());
  EXPECT_EQ(teams["华东组"]["members"], 0);
  EXPECT_EQ(teams["华南组"]["supervisor_id"], std::to_string(admin));

  // Core's rules: a name once among the live teams, required, at most 50 characters.
  HttpAnswer duplicate = AsAdmin("POST", "/v1/admin/teams", json{{"name", "华东组"}}.dump());
  EXPECT_EQ(duplicate.status, 409) << duplicate.body;
  EXPECT_EQ(duplicate.Json().value("error", ""), "conflict");
  EXPECT_NE(duplicate.Json().value("message", "").find("华东组"), std::string::npos) << duplicate.body;
  for (const json& name : {json(""), json("   ")}) {
    HttpAnswer empty = AsAdmin("POST", "/v1/admin/teams", json{{"name", name}}.dump());
    EXPECT_EQ(empty.status, 400) << empty.body;
    EXPECT_EQ(empty.Json().value("error", ""), "bad_request");
    EXPECT_NE(empty.Json().value("message", "").find("name"), std::string::npos) << empty.body;
  }
  EXPECT_EQ(AsAdmin("POST", "/v1/admin/teams", json{{"name", std::string(51, 'x')}}.dump()).status, 400);
  EXPECT_EQ(AsAdmin("POST", "/v1/admin/teams", json::object().dump()).status, 400);
  EXPECT_EQ(AsAdmin("POST", "/v1/admin/teams", json{{"name", "三组"}, {"supervisor_id", "424242"}}.dump()).status, 404);

  // Renaming.
  HttpAnswer renamed = AsAdmin("POST", "/v1/admin/teams/" + std::to_string(east) + "/name", json{{"name", "华东一组"}}.dump());
  EXPECT_EQ(renamed.status, 204) << renamed.body;
  HttpAnswer taken = AsAdmin("POST", "/v1/admin/teams/" + std::to_string(east) + "/name", json{{"name", "华南组"}}.dump());
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_EQ(AsAdmin("POST", "/v1/admin/teams/" + std::to_string(east) + "/name", json{{"name", ""}}.dump()).status, 400);
  HttpAnswer unknown = AsAdmin("POST", "/v1/admin/teams/424242/name", json{{"name", "四组"}}.dump());
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(unknown.Json().value("error", ""), "not_found");
  EXPECT_EQ(AsAdmin("POST", "/v1/admin/teams/abc/name", json{{"name", "四组"}}.dump()).status, 404);
  teams = Teams();
  EXPECT_EQ(teams.size(), 2u);
  EXPECT_TRUE(teams.count("华东一组"));
  EXPECT_FALSE(teams.count("华东组"));
  // The old name is free again.
  EXPECT_GT(MadeTeam(AsAdmin("POST", "/v1/admin/teams", json{{"name", "华东组"}}.dump())), 0);
}

TEST_P(RelayTeamsTest, TeamsAndAssignmentsReachDevicesBySync) {
  int64_t rep = m_org->AddUser("张三", "rep");
  auto repDevice = m_org->Device("张三");
  int64_t east = MadeTeam(AsAdmin("POST", "/v1/admin/teams", json{{"name", "华东组"}}.dump()));
  ASSERT_GT(east, 0);
  const std::string teamPath = "/v1/admin/users/" + std::to_string(rep) + "/team";
  HttpAnswer assigned = AsAdmin("POST", teamPath, json{{"team_id", std::to_string(east)}}.dump());
  EXPECT_EQ(assigned.status, 204) << assigned.body;
  EXPECT_EQ(Teams()["华东组"]["members"], 1);
  json users = AsAdmin("GET", "/v1/admin/users").Json()["users"];
  for (const json& user : users) {
    if (user["id"] == std::to_string(rep)) {
      EXPECT_EQ(user["team_id"], std::to_string(east));
    }
  }

  // The rep's device pulls the team, the assignment and a rename, authored by the admin from the relay (device 0).
  ASSERT_EQ(AsAdmin("POST", "/v1/admin/teams/" + std::to_string(east) + "/name", json{{"name", "华东一组"}}.dump()).status, 204);
  int64_t before = repDevice->Seq();
  EXPECT_EQ(repDevice->Sync(), 3);
  auto pulled = repDevice->Transport().PullNow(before, 10, 0);
  ASSERT_TRUE(pulled) << pulled.Message();
  for (const auto& item : pulled.Value().changesets) {
    EXPECT_EQ(item.envelope.deviceId, 0);
    EXPECT_EQ(item.envelope.userId, m_org->Admin().UserId());
  }
  auto teams = ListTeams(repDevice->db());
  ASSERT_TRUE(teams) << teams.Message();
  ASSERT_EQ(teams.Value().size(), 1u);
  EXPECT_EQ(teams.Value()[0].id, east);
  EXPECT_EQ(teams.Value()[0].name, "华东一组");
  EXPECT_EQ(GetUser(repDevice->db(), rep).Value().teamId, std::optional<int64_t>(east));

  // The same team again changes nothing; null takes the rep out of it, and that reaches the device too.
  int64_t head = Head();
  EXPECT_EQ(AsAdmin("POST", teamPath, json{{"team_id", east}}.dump()).status, 204);
  EXPECT_EQ(Head(), head) << "an assignment that changes nothing is not logged";
  HttpAnswer removed = AsAdmin("POST", teamPath, json{{"team_id", nullptr}}.dump());
  EXPECT_EQ(removed.status, 204) << removed.body;
  EXPECT_EQ(repDevice->Sync(), 1);
  EXPECT_EQ(GetUser(repDevice->db(), rep).Value().teamId, std::nullopt);
  EXPECT_EQ(Teams()["华东一组"]["members"], 0);

  // Unknown team or person: 404; team_id left out: 400 (null is how to say "no team").
  EXPECT_EQ(AsAdmin("POST", teamPath, json{{"team_id", "424242"}}.dump()).status, 404);
  EXPECT_EQ(AsAdmin("POST", "/v1/admin/users/424242/team", json{{"team_id", std::to_string(east)}}.dump()).status, 404);
  HttpAnswer missing = AsAdmin("POST", teamPath, json::object().dump());
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_NE(missing.Json().value("message", "").find("team_id"), std::string::npos) << missing.body;
  EXPECT_EQ(Head(), head + 1) << "only the un-assignment was logged";
}

TEST_P(RelayTeamsTest, OnlyAdminsManageTeams) {
  int64_t rep = m_org->AddUser("张三", "rep");
  m_org->AddUser("李四", "leader");
  int64_t east = MadeTeam(AsAdmin("POST", "/v1/admin/teams", json{{"name", "华东组"}}.dump()));
  int64_t head = Head();
  for (const char* person : {"张三", "李四"}) {
    auto device = m_org->Device(person);
    auto call = [&](const std::string& method, const std::string& path, const std::string& body = "") {
      return Call(m_relay->Endpoint(), method, path, device->Token(), body);
    };
    std::vector<HttpAnswer> answers = {
        call("GET", "/v1/admin/teams"),
        call("POST", "/v1/admin/teams", json{{"name", "我的组"}}.dump()),
        call("POST", "/v1/admin/teams/" + std::to_string(east) + "/name", json{{"name", "我的组"}}.dump()),
        call("POST", "/v1/admin/users/" + std::to_string(rep) + "/team", json{{"team_id", std::to_string(east)}}.dump())};
    for (const HttpAnswer& answer : answers) {
      EXPECT_EQ(answer.status, 403) << person << ": " << answer.body;
      EXPECT_EQ(answer.Json().value("error", ""), "forbidden") << answer.body;
    }
  }
  EXPECT_EQ(Call(m_relay->Endpoint(), "GET", "/v1/admin/teams").status, 401);
  EXPECT_EQ(Head(), head) << "nothing was written";
  EXPECT_EQ(Teams().size(), 1u);
}

TEST_P(RelayTeamsTest, HostileBodiesAreRefusedWith400) {
  int64_t rep = m_org->AddUser("张三", "rep");
  int64_t east = MadeTeam(AsAdmin("POST", "/v1/admin/teams", json{{"name", "华东组"}}.dump()));
  int64_t head = Head();
  const std::string rename = "/v1/admin/teams/" + std::to_string(east) + "/name";
  const std::string assign = "/v1/admin/users/" + std::to_string(rep) + "/team";
  std::string deep;
  for (int i = 0; i < 5000; i++) deep += "{\"name\":";
  deep += "\"x\"" + std::string(5000, '}');
  const std::vector<std::string> names = {
      json{{"name", std::string(40000, 'x')}}.dump(),   // far over 50 characters, within the 64 KiB body
      json{{"name", std::string(200, '\x01')}}.dump(),  // control characters
      "{\"name\": \"\xff\xfe bad\"}",                    // not UTF-8
      "{\"name\": \"\xe5\x8d\"}",                        // a cut UTF-8 sequence
      "{\"name\": \"\\udc00\"}",                         // a lone surrogate
      json{{"name", 5}}.dump(), json{{"name", nullptr}}.dump(), json{{"name", json::array({"a"})}}.dump(),
      json{{"name", json{{"zh", "组"}}}}.dump(), json{{"name", true}}.dump(),
      "", "[]", "\"name\"", "not json", "{\"name\": \"x\"", "{\"name\": \"x\", \"name\": \"y\"}", deep};
  for (const std::string& body : names) {
    for (const std::string& path : {std::string("/v1/admin/teams"), rename}) {
      HttpAnswer answer = AsAdmin("POST", path, body);
      EXPECT_EQ(answer.status, 400) << path << " " << body.substr(0, 60) << ": " << answer.body;
      EXPECT_EQ(answer.Json().value("error", ""), "bad_request") << answer.body;
    }
  }
  const std::vector<json> teamIds = {json("abc"), json(-1), json(0), json(1.5), json(true), json("12abc"), json(""),
                                     json("99999999999999999999"), json::array({east}), json{{"id", east}}};
  for (const json& teamId : teamIds) {
    HttpAnswer answer = AsAdmin("POST", assign, json{{"team_id", teamId}}.dump());
    EXPECT_EQ(answer.status, 400) << teamId.dump() << ": " << answer.body;
  }
  EXPECT_EQ(AsAdmin("POST", "/v1/admin/teams", json{{"name", "x"}, {"supervisor_id", "-5"}}.dump()).status, 400);
  // Still up, and nothing was written.
  EXPECT_EQ(Call(m_relay->Endpoint(), "GET", "/healthz").status, 200);
  EXPECT_EQ(Head(), head);
  auto teams = Teams();
  ASSERT_EQ(teams.size(), 1u);
  EXPECT_TRUE(teams.count("华东组"));
}

// ---------------------------------------------------------------------------
// Revoked means wiped: a revoked device is told to erase its data (403 device_revoked), on both stores.

class RelayRevokeTest : public RelayOnStoreTest {
 protected:
  RelayRevokeTest() : RelayOnStoreTest("relay_revoke") {}
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartRelay());
  }

  HttpAnswer Revoke(const TestDevice& device, const std::string& body = "") {
    return Call(m_relay->Endpoint(), "POST", "/v1/admin/devices/" + std::to_string(device.DeviceId()) + "/revoke",
                m_org->Admin().Token(), body);
  }
  json DeviceRow(const TestDevice& device) {
    HttpAnswer listed = Call(m_relay->Endpoint(), "GET", "/v1/admin/devices", m_org->Admin().Token());
    EXPECT_EQ(listed.status, 200) << listed.body;
    for (const json& row : listed.Json().value("devices", json::array())) {
      if (row.value("id", "") == std::to_string(device.DeviceId())) return row;
    }
    ADD_FAILURE() << "device not listed: " << listed.body;
    return json::object();
  }
  HttpAnswer RawPush(const std::string& token, const sync::ChangesetEnvelope& envelope) {
    auto bytes = sync::EncodePush(sync::PushRequest{{envelope}});
    return Call(m_relay->Endpoint(), "POST", "/v1/push", token, std::string(bytes.begin(), bytes.end()), "application/x-crm");
  }
  // Every way the device may contact the relay answers device_revoked, with the flag given.
  void ExpectToldToWipe(const std::string& token, bool keepUnsent, const std::vector<std::string>& paths) {
    for (const std::string& path : paths) {
      bool get = path != "/v1/signout";
      HttpAnswer answer = Call(m_relay->Endpoint(), get ? "GET" : "POST", path, token);
      EXPECT_EQ(answer.status, 403) << path << ": " << answer.body;
      json body = answer.Json();
      EXPECT_EQ(body.value("error", ""), "device_revoked") << path << ": " << answer.body;
      EXPECT_EQ(body.value("wipe", false), true) << path;
      EXPECT_EQ(body.value("keep_unsent", !keepUnsent), keepUnsent) << path;
    }
  }

};

TEST_P(RelayRevokeTest, ARevokedDeviceIsToldToWipeEverywhereAndPushesNoMore) {
  m_org->AddUser("张三", "rep");
  auto laptop = m_org->Device("张三");
  laptop->PushOk({laptop->Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "带走的客户", laptop->actor())); })});
  const std::string token = laptop->Token();
  ASSERT_EQ(Revoke(*laptop).status, 204);
  json row = DeviceRow(*laptop);
  EXPECT_EQ(row.value("revoked", false), true);
  EXPECT_EQ(row.value("keep_unsent", true), false);
  EXPECT_EQ(row.value("wiped", true), false);

  ExpectToldToWipe(token, false, {"/v1/pull?after=0", "/v1/snapshot", "/v1/directory?since=0", "/v1/admin/users", "/v1/signout"});
  HttpAnswer push = RawPush(token, laptop->Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "再录一个", laptop->actor())); }));
  EXPECT_EQ(push.status, 403) << push.body;
  EXPECT_EQ(push.Json().value("error", ""), "device_revoked");
  // The client reads it as "erase", not "sign in again".
  auto pulled = laptop->Transport().PullNow(0, 10, 0);
  ASSERT_FALSE(pulled);
  EXPECT_EQ(pulled.GetError().problem, Problem::DeviceRevoked);
  EXPECT_EQ(pulled.GetError().arg, 0);
  // Signing in again on the device (with its secret) is told the same; a wrong password is still 401.
  auto again = sync::SignIn(m_relay->Endpoint(), sync::SignInRequest{m_org->Name(), "张三", "user password", laptop->DeviceId(), ""});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.GetError().problem, Problem::DeviceRevoked);
  // An unknown token is still a plain 401.
  EXPECT_EQ(Call(m_relay->Endpoint(), "GET", "/v1/pull?after=0", std::string(64, 'f')).status, 401);

  // The device reports that it wiped: listed so, and its tokens end for good.
  EXPECT_EQ(Call(m_relay->Endpoint(), "POST", "/v1/wiped", token).status, 204);
  EXPECT_EQ(DeviceRow(*laptop).value("wiped", false), true);
  ExpectToldToWipe(token, false, {"/v1/pull?after=0"});
  // A device that was not revoked has nothing to report.
  EXPECT_EQ(Call(m_relay->Endpoint(), "POST", "/v1/wiped", m_org->Admin().Token()).status, 409);
}

TEST_P(RelayRevokeTest, KeepUnsentTakesTheDevicesPushesUntilItReportsWiped) {
  m_org->AddUser("张三", "rep");
  auto laptop = m_org->Device("张三");
  const std::string token = laptop->Token();
  HttpAnswer bad = Revoke(*laptop, json{{"keep_unsent", "yes"}}.dump());
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(DeviceRow(*laptop).value("revoked", true), false) << "a refused revoke revoked";
  ASSERT_EQ(Revoke(*laptop, json{{"keep_unsent", true}}.dump()).status, 204);
  EXPECT_EQ(DeviceRow(*laptop).value("keep_unsent", false), true);

  ExpectToldToWipe(token, true, {"/v1/pull?after=0", "/v1/snapshot", "/v1/admin/users"});
  // Pushes still go in, checked as ever: a change of someone else's customer is still refused.
  auto unsent = laptop->Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "离开前录入", laptop->actor())); });
  HttpAnswer pushed = RawPush(token, unsent);
  EXPECT_EQ(pushed.status, 200) << pushed.body;
  TestDevice& admin = m_org->Admin();
  admin.Sync();
  EXPECT_EQ(CountCustomers(admin.db()).ValueOr(0), 1) << "the unsent change did not reach the organisation";
  laptop->SwitchUser(admin.UserId());  // a change signed as the admin, pushed with 张三's token
  HttpAnswer forged = RawPush(token, laptop->Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "冒名", laptop->actor())); }));
  EXPECT_EQ(forged.status, 422) << forged.body;
  laptop->SwitchUser(laptop->Session().userId);

  // Reported wiped: no more pushes.
  EXPECT_EQ(Call(m_relay->Endpoint(), "POST", "/v1/wiped", token).status, 204);
  HttpAnswer late = RawPush(token, laptop->Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "太晚了", laptop->actor())); }));
  EXPECT_EQ(late.status, 403) << late.body;
  json row = DeviceRow(*laptop);
  EXPECT_EQ(row.value("wiped", false), true);
  EXPECT_EQ(row.value("keep_unsent", true), false);
}

TEST_P(RelayRevokeTest, DeactivatingTheLastPersonOnADeviceRevokesIt) {
  int64_t zhang = m_org->AddUser("张三", "rep");
  int64_t li = m_org->AddUser("李四", "rep");
  auto laptop = m_org->Device("张三");
  auto tablet = m_org->Device("张三");
  // The shop tablet is shared: 李四 signs in on it too.
  auto second = sync::SignIn(m_relay->Endpoint(), sync::SignInRequest{m_org->Name(), "李四", "user password", tablet->DeviceId(), ""});
  ASSERT_TRUE(second) << second.Message();
  const std::string laptopToken = laptop->Token();
  const std::string tabletToken = second.Value().token;
  // An ended token of the device (signed out before) is still told to wipe once the device is revoked.
  auto old = sync::SignIn(m_relay->Endpoint(), sync::SignInRequest{m_org->Name(), "张三", "user password", laptop->DeviceId(), ""});
  ASSERT_TRUE(old) << old.Message();
  ASSERT_TRUE(sync::SignOut(m_relay->Endpoint(), old.Value().token));
  EXPECT_EQ(Call(m_relay->Endpoint(), "GET", "/v1/pull?after=0", old.Value().token).status, 401) << "not revoked yet";

  TestDevice& admin = m_org->Admin();
  admin.PushOk({admin.Change([&](Db& db) { ASSERT_TRUE(SetUserActive(db, zhang, false, admin.actor())); })});
  ExpectToldToWipe(laptopToken, false, {"/v1/pull?after=0"});
  ExpectToldToWipe(old.Value().token, false, {"/v1/pull?after=0", "/v1/snapshot"});
  EXPECT_EQ(DeviceRow(*laptop).value("revoked", false), true);
  // 李四 is still active on the tablet: it keeps working for them.
  EXPECT_EQ(DeviceRow(*tablet).value("revoked", true), false);
  EXPECT_EQ(Call(m_relay->Endpoint(), "GET", "/v1/pull?after=0", tabletToken).status, 200);

  // The last person of the tablet goes, through the admin API's path as through a push: revoked too.
  admin.Sync();
  admin.PushOk({admin.Change([&](Db& db) { ASSERT_TRUE(SetUserActive(db, li, false, admin.actor())); })});
  ExpectToldToWipe(tabletToken, false, {"/v1/pull?after=0"});
  EXPECT_EQ(DeviceRow(*tablet).value("revoked", false), true);
  EXPECT_EQ(Call(m_relay->Endpoint(), "GET", "/v1/pull?after=0", admin.Token()).status, 200) << "the admin's device is untouched";
}

// Device keys (encryption at rest): the same 32 bytes for a device and person every time, another for another
// device or person; sign-in required; a revoked device is told to wipe.
TEST_P(RelayRevokeTest, ADeviceKeyIsStablePerDeviceAndPersonAndEndsWithTheDevice) {
  m_org->AddUser("张三", "rep");
  auto laptop = m_org->Device("张三");
  auto tablet = m_org->Device("张三");
  auto keyOf = [&](const std::string& token) {
    HttpAnswer answer = Call(m_relay->Endpoint(), "POST", "/v1/device_key", token);
    EXPECT_EQ(answer.status, 200) << answer.body;
    std::string key = answer.Json().value("key", "");
    EXPECT_EQ(key.size(), 64u) << answer.body;
    EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos) << key;
    return key;
  };
  const std::string laptopKey = keyOf(laptop->Token());
  // (Each call offers the store a new random secret: the same key again means the first one was kept.)
  EXPECT_EQ(keyOf(laptop->Token()), laptopKey) << "asked again";
  EXPECT_NE(keyOf(tablet->Token()), laptopKey) << "another device";
  EXPECT_NE(keyOf(m_org->Admin().Token()), laptopKey) << "another person";
  EXPECT_EQ(Call(m_relay->Endpoint(), "POST", "/v1/device_key", "").status, 401);
  EXPECT_EQ(Call(m_relay->Endpoint(), "GET", "/v1/device_key", laptop->Token()).status, 404);

  ASSERT_EQ(Revoke(*laptop).status, 204);
  HttpAnswer revoked = Call(m_relay->Endpoint(), "POST", "/v1/device_key", laptop->Token());
  EXPECT_EQ(revoked.status, 403) << revoked.body;
  EXPECT_EQ(revoked.Json().value("error", ""), "device_revoked");
}

INSTANTIATE_TEST_SUITE_P(Stores, RelayRevokeTest, testing::Values(std::string("sqlite"), std::string("postgres")),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

INSTANTIATE_TEST_SUITE_P(Stores, RelayTeamsTest, testing::Values(std::string("sqlite"), std::string("postgres")),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace crm::testing_support
