#pragma once
// kill -9 while devices push: the scenario shared by the SQLite and PostgreSQL runs.
//
// A real crm-relay process; 20 devices (threads, each with its own database and HTTP client)
// push real changesets, keeping what is not acknowledged and retrying with backoff. The relay
// is killed with SIGKILL twice while they push, and restarted on the same port. Afterwards the
// log must hold every acknowledged changeset exactly once, at the seq it was acknowledged with,
// with seqs 1, 2, 3 … without a gap, and every device must have finished on its own.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "relay_process.h"
#include "relay_sim.h"
#include "relay_test_support.h"

namespace crm::testing_support {

struct CrashScenario {
  std::vector<std::string> args;  // --store … --copies …
  std::string logPath;
  int devices = 20;
  int perDevice = 60;
  int batch = 6;
  int kills = 2;
};

inline std::string SetupTokenFromLog(const std::string& log) {
  size_t at = log.find("\"setup_token\":\"");
  return at == std::string::npos ? "" : log.substr(at + 15, 64);
}

// Pulls the whole log through the API.
inline std::vector<sync::SequencedChangeset> WholeLog(sync::HttpTransport& transport) {
  std::vector<sync::SequencedChangeset> all;
  int64_t after = 0;
  for (;;) {
    auto page = transport.PullNow(after, 1000, 0);
    EXPECT_TRUE(page) << page.Message();
    if (!page || page.Value().changesets.empty()) break;
    for (auto& item : page.Value().changesets) all.push_back(std::move(item));
    after = all.back().seq;
    if (after >= page.Value().headSeq) break;
  }
  return all;
}

// Every acknowledged changeset once, at its seq; seqs without gaps.
inline void ExpectLogHoldsExactlyTheAcks(const std::vector<sync::SequencedChangeset>& log,
                                         const std::vector<std::unique_ptr<SimDevice>>& devices, int perDevice) {
  std::map<std::pair<int64_t, int64_t>, int64_t> positions;  // (device, changeset) → seq
  for (size_t i = 0; i < log.size(); i++) {
    ASSERT_EQ(log[i].seq, static_cast<int64_t>(i) + 1) << "the log has a gap or is out of order at position " << i;
    auto key = std::make_pair(log[i].envelope.deviceId, log[i].envelope.changesetId);
    EXPECT_TRUE(positions.emplace(key, log[i].seq).second) << "changeset " << key.second << " of device " << key.first << " is stored twice";
  }
  int64_t acknowledged = 0;
  for (const auto& device : devices) {
    EXPECT_EQ(device->Inconsistent(), 0) << "a retry got another seq than before";
    EXPECT_EQ(static_cast<int>(device->Acked().size()), perDevice) << "device " << device->DeviceId() << ": " << device->LastError();
    int logged = 0;
    for (const auto& [key, seq] : positions) logged += key.first == device->DeviceId();
    EXPECT_EQ(logged, perDevice) << "device " << device->DeviceId() << " has changesets in the log it was not told about, or lost some";
    for (const auto& [changesetId, seq] : device->Acked()) {
      auto found = positions.find({device->DeviceId(), changesetId});
      ASSERT_NE(found, positions.end()) << "acknowledged changeset " << changesetId << " (seq " << seq << ") is missing";
      EXPECT_EQ(found->second, seq) << "acknowledged at seq " << seq << ", stored at " << found->second;
      acknowledged++;
    }
  }
  EXPECT_EQ(acknowledged, static_cast<int64_t>(devices.size()) * perDevice);
}

inline void RunKillNineScenario(const CrashScenario& scenario) {
  std::vector<std::string> args = scenario.args;
  for (const char* arg : {"--password-cost", "min", "--rate", "0", "--signin-rate", "0"}) args.push_back(arg);
  RelayProcess relay(CRM_RELAY_BIN, args, scenario.logPath);
  ASSERT_TRUE(relay.Start()) << relay.Log();
  const int port = relay.Port();
  sync::HttpEndpoint endpoint{"127.0.0.1", port};

  // The operator's way in: the set-up token from the log.
  std::string token = SetupTokenFromLog(relay.Log());
  ASSERT_EQ(token.size(), 64u) << relay.Log();
  auto admin = sync::SetUp(endpoint, sync::SetupRequest{token, "抗崩公司", "管理员", "admin password", NewId(), "admin"});
  ASSERT_TRUE(admin) << admin.Message();
  for (int i = 0; i < scenario.devices; i++) {
    HttpAnswer created = Call(endpoint, "POST", "/v1/admin/users", admin.Value().token,
                              nlohmann::json{{"name", "业务员" + std::to_string(i)}, {"role", "rep"}, {"password", "rep password"}}.dump());
    ASSERT_EQ(created.status, 201) << created.body;
  }

  std::atomic<int> progress{0};
  std::vector<std::unique_ptr<SimDevice>> devices;
  for (int i = 0; i < scenario.devices; i++) {
    devices.push_back(std::make_unique<SimDevice>(endpoint, "抗崩公司", "业务员" + std::to_string(i), "rep password"));
    devices.back()->SetProgress(&progress);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::vector<std::thread> threads;
  std::vector<int> finished(devices.size(), 0);
  for (size_t i = 0; i < devices.size(); i++) {
    threads.emplace_back([&, i] {
      if (!devices[i]->SignIn(deadline)) return;
      finished[i] = devices[i]->Work(scenario.perDevice, scenario.batch, deadline) ? 1 : 0;
    });
  }
  const int total = scenario.devices * scenario.perDevice;
  int restarts = 0;
  for (int kill = 1; kill <= scenario.kills; kill++) {
    // Kill while the devices are mid-way: after a share of the acknowledgements, pushes in flight.
    while (progress.load() < total * kill / (scenario.kills + 1) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    relay.Kill();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // devices meet a dead relay and back off
    bool started = false;
    for (int attempt = 0; attempt < 20 && !started; attempt++) {
      started = relay.Start(port);
      if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ASSERT_TRUE(started) << relay.Log();
    restarts++;
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(restarts, scenario.kills);
  for (size_t i = 0; i < devices.size(); i++) {
    EXPECT_EQ(finished[i], 1) << "device " << i << " did not finish by itself: " << devices[i]->LastError();
    EXPECT_EQ(devices[i]->Refusals(), 0) << devices[i]->LastError();
  }
  size_t failures = 0;
  for (const auto& device : devices) failures += static_cast<size_t>(device->Failures());
  EXPECT_GT(failures, 0u) << "the devices never met the dead relay: the kill came too late to test anything";

  sync::HttpTransport reader(sync::HttpTransportOptions{endpoint, admin.Value().token});
  std::vector<sync::SequencedChangeset> log = WholeLog(reader);
  const int64_t expected = 1 + scenario.devices + total;  // the admin (seq 1), the users, the devices' work
  EXPECT_EQ(static_cast<int64_t>(log.size()), expected);
  ExpectLogHoldsExactlyTheAcks(log, devices, scenario.perDevice);

  // The relay's copy caught up with all of it after the restarts.
  auto snapshot = reader.SnapshotNow();
  ASSERT_TRUE(snapshot) << snapshot.Message();
  EXPECT_EQ(snapshot.Value().seq, expected);
  EXPECT_EQ(relay.Terminate(), 0) << "SIGTERM ends the relay cleanly";
}

}  // namespace crm::testing_support
