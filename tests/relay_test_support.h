#pragma once
// A relay for tests: the real service and HTTP server on a free loopback port,
// over a store in a folder of its own (ctest runs test processes side by side),
// plus devices that sign in and capture real changesets with core.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "core/ids.h"
#include "core/org.h"
#include "core/schema.h"
#include "core/scope.h"
#include "sync/apply.h"
#include "sync/changeset.h"
#include "sync/journal.h"
#include "sync/net/http_transport.h"
#include "sync/relay/server.h"
#include "sync/relay/service.h"
#include "sync_test_support.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace crm::testing_support {

// A fresh folder under the test temp dir, removed with the object.
class TempFolder {
 public:
  explicit TempFolder(const std::string& tag) {
    static std::atomic<int> counter{0};
    std::random_device random;
    m_path = std::filesystem::path(testing::TempDir()) /
             ("crm_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(random()));
    std::filesystem::create_directories(m_path);
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  const std::filesystem::path& Path() const { return m_path; }
  std::string operator/(const std::string& name) const { return (m_path / name).string(); }

 private:
  std::filesystem::path m_path;
};

inline relay::RelayOptions FastOptions(const std::string& store) {
  relay::RelayOptions options;
  options.store = store;
  options.passwordCost = relay::PasswordCost::Minimum;
  options.deviceRate = relay::RateLimit{0, 1};  // off
  options.signInRate = relay::RateLimit{0, 1};
  return options;
}

// The service and its HTTP server, running on a thread.
class TestRelay {
 public:
  explicit TestRelay(relay::RelayOptions options, relay::ServerOptions server = {}) {
    auto service = relay::Service::Open(options);
    if (!service) {
      ADD_FAILURE() << "cannot open the relay: " << service.Message();
      return;
    }
    m_service = std::move(service).Value();
    server.port = 0;
    m_server = std::make_unique<relay::Server>(server, *m_service);
    Status bound = m_server->Bind();
    if (!bound) {
      ADD_FAILURE() << bound.Message();
      m_server.reset();
      return;
    }
    m_thread = std::thread([this] { (void)m_server->Run(); });
  }
  ~TestRelay() { Stop(); }
  void Stop() {
    if (m_server) m_server->Stop();
    if (m_thread.joinable()) m_thread.join();
    m_server.reset();
    m_service.reset();
  }
  bool Ok() const { return m_server != nullptr; }
  int Port() const { return m_server ? m_server->Port() : 0; }
  sync::HttpEndpoint Endpoint() const { return sync::HttpEndpoint{"127.0.0.1", Port()}; }
  relay::Service& Service() { return *m_service; }
  std::string SetupToken() {
    auto token = m_service->NewSetupToken();
    EXPECT_TRUE(token) << token.Message();
    return token.ValueOr("");
  }

 private:
  std::unique_ptr<relay::Service> m_service;
  std::unique_ptr<relay::Server> m_server;
  std::thread m_thread;
};

// Plain HTTP calls as a script or curl would make them.
struct HttpAnswer {
  int status = 0;  // 0: no answer
  std::string body;
  std::string retryAfter;
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

inline HttpAnswer Call(const sync::HttpEndpoint& endpoint, const std::string& method, const std::string& path,
                       const std::string& token = "", const std::string& body = "",
                       const std::string& type = "application/json") {
  httplib::Client client(endpoint.host, endpoint.port);
  client.set_read_timeout(40, 0);
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  httplib::Result result = method == "GET" ? client.Get(path.c_str(), headers) : client.Post(path.c_str(), headers, body, type.c_str());
  HttpAnswer answer;
  if (!result) return answer;
  answer.status = result->status;
  answer.body = result->body;
  answer.retryAfter = result->get_header_value("Retry-After");
  return answer;
}

inline std::string JsonText(const nlohmann::json& value) { return value.dump(); }

// A device: its own database with core's schema, signed in on the relay. It applies what it
// pulls with the conflict policy, as every device does, and captures its own changes.
class TestDevice {
 public:
  explicit TestDevice(sync::HttpEndpoint endpoint, int64_t deviceId = NewId())
      : m_endpoint(endpoint), m_deviceId(deviceId), m_db(Db::OpenMemory().Value()),
        m_transport(sync::HttpTransportOptions{endpoint, "", 3000, 30}) {
    Status migrated = Migrate(m_db);
    EXPECT_TRUE(migrated) << migrated.Message();
  }

  bool SignIn(const std::string& org, const std::string& user, const std::string& password) {
    auto session = sync::SignIn(m_endpoint, sync::SignInRequest{org, user, password, m_deviceId, "test device"});
    EXPECT_TRUE(session) << session.Message();
    if (!session) return false;
    Use(session.Value());
    return true;
  }
  void Use(const sync::RelaySession& session) {
    m_session = session;
    m_userId = session.userId;
    m_transport.SetToken(session.token);
  }
  // Another person signs in on this device (a shared tablet): their changes carry their id.
  void SwitchUser(int64_t userId) { m_userId = userId; }

  Db& db() { return m_db; }
  Actor actor() const { return Actor{m_userId, m_deviceId}; }
  int64_t DeviceId() const { return m_deviceId; }
  int64_t UserId() const { return m_userId; }
  const std::string& Token() const { return m_session.token; }
  const sync::RelaySession& Session() const { return m_session; }
  sync::HttpTransport& Transport() { return m_transport; }
  int64_t Seq() const { return m_seq; }

  // Runs `change` in one transaction here and returns it as the device would push it.
  sync::ChangesetEnvelope Change(const std::function<void(Db&)>& change) {
    auto capture = sync::ChangesetCapture::Start(m_db, SyncedTables());
    EXPECT_TRUE(capture) << capture.Message();
    {
      auto txn = m_db.Begin();
      EXPECT_TRUE(txn) << txn.Message();
      change(m_db);
      EXPECT_TRUE(txn.Value().Commit());
    }
    auto bytes = capture.Value().Changeset();
    EXPECT_TRUE(bytes) << bytes.Message();
    return Envelope(bytes.ValueOr({}));
  }
  sync::ChangesetEnvelope Envelope(sync::Bytes changeset) const {
    return sync::ChangesetEnvelope{NewId(), m_userId, m_deviceId, LatestSchemaVersion(), NowMs(), std::move(changeset)};
  }
  // Raw SQL as one captured change (for changes core would never make: forgeries).
  sync::ChangesetEnvelope Sql(const std::string& sql) {
    return Change([&](Db& db) {
      Status done = db.Exec(sql);
      EXPECT_TRUE(done) << sql << ": " << done.Message();
    });
  }

  // Raw SQL captured as a change and then taken back here: a forgery, as a modified client
  // would push it. The device's own data stays as it was.
  sync::ChangesetEnvelope Forge(const std::string& sql) {
    auto txn = m_db.Begin();
    EXPECT_TRUE(txn) << txn.Message();
    auto capture = sync::ChangesetCapture::Start(m_db, SyncedTables());
    EXPECT_TRUE(capture) << capture.Message();
    Status done = m_db.Exec(sql);
    EXPECT_TRUE(done) << sql << ": " << done.Message();
    auto bytes = capture.Value().Changeset();
    EXPECT_TRUE(bytes) << bytes.Message();
    txn.Value().Rollback();
    return Envelope(bytes.ValueOr({}));
  }

  Result<sync::PushOutcome> Push(const std::vector<sync::ChangesetEnvelope>& changesets) {
    return m_transport.PushNow(sync::PushRequest{changesets});
  }
  // Pushes and expects acceptance; returns the seqs.
  std::vector<int64_t> PushOk(const std::vector<sync::ChangesetEnvelope>& changesets) {
    auto outcome = Push(changesets);
    EXPECT_TRUE(outcome) << outcome.Message();
    std::vector<int64_t> seqs;
    if (!outcome) return seqs;
    EXPECT_FALSE(outcome.Value().refusal) << "refused: " << outcome.Value().refusal->table << " " << outcome.Value().refusal->row
                                          << ": " << outcome.Value().refusal->reason;
    for (const auto& ack : outcome.Value().response.acks) seqs.push_back(ack.seq);
    return seqs;
  }
  // Pushes and expects a refusal; returns it.
  sync::PushRefusal PushRefused(const std::vector<sync::ChangesetEnvelope>& changesets) {
    auto outcome = Push(changesets);
    EXPECT_TRUE(outcome) << outcome.Message();
    if (!outcome || !outcome.Value().refusal) {
      ADD_FAILURE() << "the push was accepted";
      return {};
    }
    return *outcome.Value().refusal;
  }

  void SetForgeryBase(TestDevice* base) { m_forgeryBase = base; }

  // Pulls everything after this device's position and applies it with the policy; a scoped device
  // then drops the customers that left its scope and takes in those that entered (as the app does).
  int Sync() {
    int applied = PullAll();
    if (m_scopeDigest.empty()) return applied;
    auto held = HeldCustomers(m_db);
    EXPECT_TRUE(held) << held.Message();
    if (!held || ScopeDigest(held.Value()) == m_scopeDigest) return applied;
    for (;;) {
      auto answer = m_transport.ScopeNow(sync::ScopeRequest{HeldCustomers(m_db).ValueOr({})});
      EXPECT_TRUE(answer) << answer.Message();
      if (!answer) return applied;
      EXPECT_EQ(answer.Value().seq, m_seq) << "the scope answer is at the device's position";
      sync::AuditPause quiet(m_db);
      std::vector<int64_t> dropped = answer.Value().leave;
      dropped.insert(dropped.end(), answer.Value().enter.begin(), answer.Value().enter.end());
      Status droppedOk = DropCustomers(m_db, dropped);
      EXPECT_TRUE(droppedOk) << droppedOk.Message();
      const auto& rows = answer.Value().rows;
      auto result = sync::ApplyWithPolicy(m_db, rows.data(), rows.size(), sync::ApplyOrigin{m_seq, 0, 0, NowMs()});
      EXPECT_TRUE(result) << result.Message();
      m_scopeDigest = answer.Value().digest;
      if (!answer.Value().more) return applied;
    }
  }

  int PullAll() {
    int applied = 0;
    for (;;) {
      auto pulled = m_transport.PullNow(m_seq, 1000, 0);
      EXPECT_TRUE(pulled) << pulled.Message();
      if (!pulled) return applied;
      for (const auto& item : pulled.Value().changesets) {
        EXPECT_EQ(item.seq, m_seq + 1) << "the relay's order has a gap";
        const auto& cs = item.envelope.changeset;
        auto result = sync::ApplyWithPolicy(m_db, cs.data(), cs.size(),
                                            sync::ApplyOrigin{item.seq, item.envelope.userId, item.envelope.deviceId, NowMs()});
        EXPECT_TRUE(result) << result.Message();
        m_seq = item.seq;
        applied++;
      }
      m_scopeDigest = pulled.Value().scopeDigest;
      if (pulled.Value().changesets.empty() || m_seq >= pulled.Value().headSeq) return applied;
    }
  }

  // `base`'s data attached as forgery_base (ATTACH cannot run inside a transaction).
  void AttachRowsOf(TestDevice& base) {
    sqlite3_int64 size = 0;
    unsigned char* image = sqlite3_serialize(base.db().Handle(), "main", &size, 0);
    ASSERT_NE(image, nullptr);
    ASSERT_TRUE(m_db.Exec("ATTACH ':memory:' AS forgery_base"));
    ASSERT_EQ(sqlite3_deserialize(m_db.Handle(), "forgery_base", image, size, size,
                                  SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE), SQLITE_OK);
  }
  // A device that kept rows it may no longer receive (an old copy, a modified client): every row of
  // the forgery base (a device holding everything) is written here, outside any captured change, so
  // a forgery can be built on other people's customers.
  void PlantEverything() {
    ASSERT_NE(m_forgeryBase, nullptr);
    m_forgeryBase->Sync();
    AttachRowsOf(*m_forgeryBase);
    PlantAttachedRows();
    ASSERT_TRUE(m_db.Exec("DETACH forgery_base"));
  }
  // Every synced row the attached base holds and this device does not, written here without audit.
  void PlantAttachedRows() {
    sync::AuditPause quiet(m_db);
    for (const std::string& table : SyncedTables()) {
      Status planted = m_db.Exec("INSERT OR IGNORE INTO main." + table + " SELECT * FROM forgery_base." + table);
      EXPECT_TRUE(planted) << planted.Message();
    }
  }

 private:
  sync::HttpEndpoint m_endpoint;
  int64_t m_deviceId;
  Db m_db;
  sync::HttpTransport m_transport;
  sync::RelaySession m_session;
  int64_t m_userId = 0;
  int64_t m_seq = 0;
  std::string m_scopeDigest;  // the relay's, from the last pull: empty when this device receives everything
  TestDevice* m_forgeryBase = nullptr;
};

// A relay with one organisation and its admin, signed in on a device.
class OrgOnRelay {
 public:
  explicit OrgOnRelay(TestRelay& relay, std::string name = "美家门窗", std::string admin = "王经理")
      : m_relay(relay), m_name(std::move(name)), m_admin(relay.Endpoint()) {
    auto session = sync::SetUp(relay.Endpoint(), sync::SetupRequest{relay.SetupToken(), m_name, admin, "admin password",
                                                                     m_admin.DeviceId(), "admin laptop"});
    EXPECT_TRUE(session) << session.Message();
    if (session) m_admin.Use(session.Value());
    m_admin.Sync();
  }
  const std::string& Name() const { return m_name; }
  TestDevice& Admin() { return m_admin; }
  int64_t OrgId() const { return m_admin.Session().organisationId; }

  // A user made through the admin API; returns the id.
  int64_t AddUser(const std::string& name, const std::string& role, std::optional<int64_t> teamId = std::nullopt,
                  const std::string& password = "user password") {
    nlohmann::json body{{"name", name}, {"role", role}, {"password", password}};
    if (teamId) body["team_id"] = std::to_string(*teamId);
    HttpAnswer answer = Call(m_relay.Endpoint(), "POST", "/v1/admin/users", m_admin.Token(), body.dump());
    EXPECT_EQ(answer.status, 201) << answer.body;
    auto json = answer.Json();
    m_admin.Sync();
    return json.is_object() ? std::strtoll(json.value("user_id", "0").c_str(), nullptr, 10) : 0;
  }
  // A team made on the admin's device, pushed like any change.
  int64_t AddTeam(const std::string& name) {
    int64_t id = 0;
    auto envelope = m_admin.Change([&](Db& db) {
      auto made = CreateTeam(db, name, std::nullopt, m_admin.actor());
      EXPECT_TRUE(made) << made.Message();
      id = made.ValueOr(0);
    });
    m_admin.PushOk({envelope});
    return id;
  }
  // A device signed in as `user`, level with the relay.
  std::unique_ptr<TestDevice> Device(const std::string& user, const std::string& password = "user password") {
    auto device = std::make_unique<TestDevice>(m_relay.Endpoint());
    device->SetForgeryBase(&m_admin);
    device->SignIn(m_name, user, password);
    device->Sync();
    return device;
  }

 private:
  TestRelay& m_relay;
  std::string m_name;
  TestDevice m_admin;
};

}  // namespace crm::testing_support
