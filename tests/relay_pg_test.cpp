// The relay on a real PostgreSQL (Debian's, started on loopback by tests/relay/pg.sh): the API on
// the PostgreSQL store, two relay processes sharing one database (one gap-free order under
// concurrent pushes, long-polls woken across processes, identical copies), and kill -9.
#include <gtest/gtest.h>

#include "core/customers.h"
#include "relay_crash.h"
#include "relay_process.h"
#include "relay_test_support.h"

namespace crm::testing_support {
namespace {

using nlohmann::json;

class RelayPgTest : public testing::Test {
 protected:
  void SetUp() override {
    PgServer& server = PgServer::Get();
    ASSERT_TRUE(server.Ok()) << server.Error();
    m_conninfo = server.NewDatabase();
    ASSERT_FALSE(m_conninfo.empty()) << server.Error();
  }
  std::string Store() const { return "postgres:" + m_conninfo; }

  TempFolder m_folder{"relay_pg"};
  std::string m_conninfo;
};

TEST_F(RelayPgTest, TheApiWorksOnThePostgresStore) {
  relay::RelayOptions options = FastOptions(Store());
  options.copiesDir = m_folder / "copies";
  TestRelay relay(options);
  ASSERT_TRUE(relay.Ok());
  EXPECT_EQ(Call(relay.Endpoint(), "GET", "/healthz").Json().value("store", ""), "postgres");
  OrgOnRelay org(relay);
  // Set-up on this store: a second organisation, then the same token again, then an unknown one.
  std::string token = relay.SetupToken();
  json second{{"setup_token", token}, {"organisation", "第二家"}, {"admin_name", "y"}, {"password", "12345678"}, {"device_id", "3"}, {"device_secret", std::string(64, '3')}};
  EXPECT_EQ(Call(relay.Endpoint(), "POST", "/v1/setup", "", second.dump()).status, 201);
  second["organisation"] = "第三家";
  EXPECT_EQ(Call(relay.Endpoint(), "POST", "/v1/setup", "", second.dump()).status, 409);
  second["setup_token"] = std::string(64, 'e');
  EXPECT_EQ(Call(relay.Endpoint(), "POST", "/v1/setup", "", second.dump()).status, 401);
  int64_t rep = org.AddUser("张三", "rep");
  org.AddUser("李四", "rep");
  auto a = org.Device("张三");
  auto b = org.Device("李四");
  EXPECT_FALSE(sync::SignIn(relay.Endpoint(), sync::SignInRequest{org.Name(), "张三", "wrong password", 5, ""}));

  // Push, retry, pull in order, refusal.
  std::vector<sync::ChangesetEnvelope> batch;
  for (int i = 0; i < 5; i++) batch.push_back(a->Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "客户" + std::to_string(i), a->actor())); }));
  std::vector<int64_t> seqs = a->PushOk(batch);
  EXPECT_EQ(a->PushOk(batch), seqs);
  int64_t theirs = 0;
  b->PushOk({b->Change([&](Db& db) { theirs = AddCustomer(db, "李四的", b->actor()).ValueOr(0); })});
  a->Sync();
  EXPECT_EQ(CountCustomers(a->db()).ValueOr(0), 5) << "a rep's device holds their own customers, not 李四's";
  a->PlantEverything();
  sync::PushRefusal refused = a->PushRefused({a->Forge("UPDATE customers SET notes = 'x', updated_at = 1, updated_by = " +
                                                       std::to_string(rep) + ", device_id = " + std::to_string(a->DeviceId()) +
                                                       " WHERE id = " + std::to_string(theirs))});
  EXPECT_EQ(refused.table, "customers");

  // Long-poll, snapshot.
  std::thread push([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    b->PushOk({b->Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "又一个", b->actor())); })});
  });
  auto started = std::chrono::steady_clock::now();
  auto woken = a->Transport().PullNow(a->Seq(), 100, 10);
  push.join();
  ASSERT_TRUE(woken) << woken.Message();
  EXPECT_EQ(woken.Value().changesets.size(), 1u);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 3.0);
  auto snapshot = a->Transport().SnapshotNow();
  ASSERT_TRUE(snapshot) << snapshot.Message();
  EXPECT_EQ(snapshot.Value().seq, woken.Value().headSeq);

  // Admin: password, role, devices, revoke; sign-out.
  EXPECT_EQ(Call(relay.Endpoint(), "POST", "/v1/admin/users/" + std::to_string(rep) + "/password", org.Admin().Token(),
                 json{{"password", "new password"}}.dump()).status, 204);
  EXPECT_EQ(Call(relay.Endpoint(), "GET", "/v1/pull?after=0", a->Token()).status, 401) << "a new password ends the old sign-ins";
  EXPECT_TRUE(sync::SignIn(relay.Endpoint(), sync::SignInRequest{org.Name(), "张三", "new password", 9, ""}));
  ASSERT_TRUE(a->SignIn(org.Name(), "张三", "new password"));
  EXPECT_EQ(Call(relay.Endpoint(), "POST", "/v1/admin/users/" + std::to_string(rep) + "/role", org.Admin().Token(),
                 json{{"role", "supervisor"}}.dump()).status, 204);
  HttpAnswer devices = Call(relay.Endpoint(), "GET", "/v1/admin/devices", org.Admin().Token());
  EXPECT_EQ(devices.status, 200);
  EXPECT_NE(devices.body.find(std::to_string(b->DeviceId())), std::string::npos);
  EXPECT_EQ(Call(relay.Endpoint(), "POST", "/v1/admin/devices/" + std::to_string(b->DeviceId()) + "/revoke", org.Admin().Token()).status, 204);
  EXPECT_EQ(Call(relay.Endpoint(), "GET", "/v1/pull?after=0", b->Token()).status, 403) << "a revoked device is told to wipe";
  ASSERT_TRUE(sync::SignOut(relay.Endpoint(), a->Token()));
  EXPECT_EQ(Call(relay.Endpoint(), "GET", "/v1/pull?after=0", a->Token()).status, 401);
}

TEST_F(RelayPgTest, TwoRelayProcessesGiveOneGapFreeOrder) {
  std::vector<std::string> common = {"--store", Store(), "--password-cost", "min", "--rate", "0", "--signin-rate", "0"};
  auto argsFor = [&](const std::string& copies) {
    std::vector<std::string> args = common;
    args.push_back("--copies");
    args.push_back(m_folder / copies);
    return args;
  };
  RelayProcess first(CRM_RELAY_BIN, argsFor("copies-a"), m_folder / "a.log");
  RelayProcess second(CRM_RELAY_BIN, argsFor("copies-b"), m_folder / "b.log");
  ASSERT_TRUE(first.Start()) << first.Log();
  ASSERT_TRUE(second.Start()) << second.Log();
  sync::HttpEndpoint a{"127.0.0.1", first.Port()};
  sync::HttpEndpoint b{"127.0.0.1", second.Port()};

  std::string token = SetupTokenFromLog(first.Log());
  if (token.empty()) token = SetupTokenFromLog(second.Log());
  ASSERT_EQ(token.size(), 64u) << first.Log() << second.Log();
  auto admin = sync::SetUp(a, sync::SetupRequest{token, "两地公司", "管理员", "admin password", NewId(), "admin"});
  ASSERT_TRUE(admin) << admin.Message();
  const int kDevices = 16;
  const int kEach = 50;
  for (int i = 0; i < kDevices; i++) {
    // Users made through either process.
    HttpAnswer created = Call(i % 2 ? b : a, "POST", "/v1/admin/users", admin.Value().token,
                              json{{"name", "业务员" + std::to_string(i)}, {"role", "rep"}, {"password", "rep password"}}.dump());
    ASSERT_EQ(created.status, 201) << created.body;
  }

  // Half the devices on each process, all pushing at once into one organisation.
  std::vector<std::unique_ptr<SimDevice>> devices;
  for (int i = 0; i < kDevices; i++) {
    devices.push_back(std::make_unique<SimDevice>(i % 2 ? b : a, "两地公司", "业务员" + std::to_string(i), "rep password"));
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  std::vector<std::thread> threads;
  std::vector<int> done(devices.size(), 0);
  for (size_t i = 0; i < devices.size(); i++) {
    threads.emplace_back([&, i] { done[i] = devices[i]->SignIn(deadline) && devices[i]->Work(kEach, 3, deadline); });
  }
  for (auto& thread : threads) thread.join();
  for (size_t i = 0; i < devices.size(); i++) EXPECT_EQ(done[i], 1) << devices[i]->LastError();

  sync::HttpTransport readA(sync::HttpTransportOptions{a, admin.Value().token});
  sync::HttpTransport readB(sync::HttpTransportOptions{b, admin.Value().token});
  std::vector<sync::SequencedChangeset> logA = WholeLog(readA);
  std::vector<sync::SequencedChangeset> logB = WholeLog(readB);
  EXPECT_EQ(static_cast<int>(logA.size()), 1 + kDevices + kDevices * kEach);
  ASSERT_EQ(logA.size(), logB.size());
  for (size_t i = 0; i < logA.size(); i++) {
    ASSERT_EQ(logA[i].seq, logB[i].seq);
    ASSERT_EQ(logA[i].envelope.changesetId, logB[i].envelope.changesetId) << "the processes disagree at seq " << logA[i].seq;
  }
  ExpectLogHoldsExactlyTheAcks(logA, devices, kEach);
  // Pushes really interleaved across the processes (not one process after the other).
  int switches = 0;
  for (size_t i = 1 + kDevices + 1; i < logA.size(); i++) {
    bool evenNow = false, evenBefore = false;
    for (size_t d = 0; d < devices.size(); d++) {
      if (devices[d]->DeviceId() == logA[i].envelope.deviceId) evenNow = d % 2 == 0;
      if (devices[d]->DeviceId() == logA[i - 1].envelope.deviceId) evenBefore = d % 2 == 0;
    }
    switches += evenNow != evenBefore;
  }
  EXPECT_GT(switches, 10) << "the two processes' pushes did not interleave";

  // Each process built its own copy from the one log: the same bytes.
  auto snapshotA = readA.SnapshotNow();
  auto snapshotB = readB.SnapshotNow();
  ASSERT_TRUE(snapshotA && snapshotB);
  EXPECT_EQ(snapshotA.Value().seq, snapshotB.Value().seq);
  EXPECT_TRUE(snapshotA.Value().image == snapshotB.Value().image) << "the two copies differ";

  // A pull held on one process wakes when the other process takes a push (LISTEN/NOTIFY).
  int64_t head = logA.back().seq;
  Result<sync::PullResponse> woken = MakeError(ErrorCode::Generic, "not run");
  double seconds = 0;
  std::thread waiter([&] {
    auto started = std::chrono::steady_clock::now();
    woken = readB.PullNow(head, 10, 20);
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  devices[0]->Generate(1);
  ASSERT_TRUE(devices[0]->PushOnce(1)) << devices[0]->LastError();  // device 0 talks to process a
  waiter.join();
  ASSERT_TRUE(woken) << woken.Message();
  ASSERT_EQ(woken.Value().changesets.size(), 1u);
  EXPECT_EQ(woken.Value().changesets[0].seq, head + 1);
  EXPECT_LT(seconds, 1.5) << "woken by the notification, not the 1 s re-check or the 20 s wait";
  EXPECT_EQ(first.Terminate(), 0);
  EXPECT_EQ(second.Terminate(), 0);
}

// PostgreSQL goes away (a server of this test's own): the relay answers 503 with Retry-After,
// keeps running, and works again when the database is back; the retried push is stored once.
TEST(RelayPgOutage, AnUnavailableStoreIs503AndTheRelayRecovers) {
  const std::string name = "outage-" + std::to_string(::getpid());
  const std::string script = CRM_PG_SCRIPT;
  ASSERT_EQ(std::system(("bash " + script + " start " + name + " >/dev/null").c_str()), 0);
  struct Cleanup {
    std::string command;
    ~Cleanup() { (void)std::system(command.c_str()); }
  } cleanup{"bash " + script + " stop " + name + " >/dev/null 2>&1"};
  std::ifstream file("/tmp/crm-pg-" + name + "/conninfo");
  std::string conninfo;
  std::getline(file, conninfo);
  TempFolder folder("relay_pg_outage");
  relay::RelayOptions options = FastOptions("postgres:" + conninfo);
  options.copiesDir = folder / "copies";
  TestRelay relay(options);
  ASSERT_TRUE(relay.Ok());
  OrgOnRelay org(relay);
  TestDevice& admin = org.Admin();
  admin.PushOk({admin.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "之前", admin.actor())); })});

  ASSERT_EQ(std::system(("bash " + script + " pause " + name).c_str()), 0);
  auto during = admin.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "期间", admin.actor())); });
  auto refused = admin.Push({during});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.Code(), ErrorCode::Storage) << refused.Message();
  EXPECT_EQ(admin.Transport().RetryAfterSeconds(), 2);
  HttpAnswer pull = Call(relay.Endpoint(), "GET", "/v1/pull?after=0", admin.Token());
  EXPECT_EQ(pull.status, 503) << pull.body;
  EXPECT_EQ(pull.Json().value("error", ""), "unavailable");
  EXPECT_EQ(Call(relay.Endpoint(), "GET", "/healthz").status, 503);

  ASSERT_EQ(std::system(("bash " + script + " resume " + name).c_str()), 0);
  std::vector<int64_t> seqs;
  for (int attempt = 0; attempt < 50 && seqs.empty(); attempt++) {
    auto retried = admin.Push({during});
    if (retried && !retried.Value().refusal) {
      for (const auto& ack : retried.Value().response.acks) seqs.push_back(ack.seq);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ASSERT_EQ(seqs.size(), 1u) << "the relay did not recover";
  EXPECT_EQ(admin.PushOk({during}), seqs) << "stored once";
  EXPECT_EQ(Call(relay.Endpoint(), "GET", "/healthz").status, 200);
  admin.Sync();
  EXPECT_EQ(QueryText(admin.db(), "SELECT count(*) FROM customers"), "2");
}

TEST_F(RelayPgTest, KillNineWhileTwentyDevicesPushLosesAndDoublesNothingOnPostgres) {
  CrashScenario scenario;
  scenario.args = {"--store", Store(), "--copies", m_folder / "copies"};
  scenario.logPath = m_folder / "relay.log";
  RunKillNineScenario(scenario);
  if (HasFailure()) {
    std::ifstream log(scenario.logPath);
    std::stringstream text;
    text << log.rdbuf();
    ADD_FAILURE() << "relay log (end):\n" << text.str().substr(text.str().size() > 20000 ? text.str().size() - 20000 : 0);
  }
}

}  // namespace
}  // namespace crm::testing_support
