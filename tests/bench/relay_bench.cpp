// Load benchmark of the relay: 50 simulated devices push and pull over HTTP on loopback against a
// real crm-relay process, on the SQLite store and on PostgreSQL (started from Debian's packages,
// durable settings). Reports accepted changesets per second, push and pull latency (p50, p99) and
// the relay's memory; the PostgreSQL figure is the peer of the SQLite one. Measures, never asserts.
//
//   crm-relay-bench RESULTS.jsonl [--stores sqlite|postgres|both] [--devices N] [--per-device N] [--batch N]
//                   [--relay PATH] [--label NAME] [--scope-peer 0|1]
// The devices are reps, so every pull is cut to the pulling rep's scope (sync/scope_filter.h). With
// --scope-peer 1 (the default) the SQLite run is repeated with leaders, whose pulls are not cut: the
// relay.scope_filter.* results compare the two in the same sitting.
// --relay runs another crm-relay binary (an older build, to compare two in one sitting); --label
// then prefixes the result names (relay.NAME.…) so both runs can share one results file.
//
// Every pushed changeset is real (a customer made with core on the device's own database), checked
// by the relay against its copy of the organisation, applied to it and logged before the answer.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "bench_json.h"
#include "core/ids.h"
#include "relay_process.h"
#include "relay_sim.h"

namespace {

using namespace crm;
using namespace crm::testing_support;
using crm::bench::BenchResult;
using crm::bench::Percentile;

struct Config {
  std::string stores = "both";  // sqlite, postgres or both
  int devices = 50;
  int perDevice = 400;
  int batch = 50;
  std::string relayBinary = CRM_RELAY_BIN;
  std::string label;  // set: result names relay.LABEL.…
  bool scopePeer = true;
};

struct Figures {
  bool ok = false;
  double changesetsPerSecond = 0;  // pushes and pulls together
  double pushOnlyPerSecond = 0;
  double pushOnlyP50 = 0, pushOnlyP99 = 0;
  double unbatchedPerSecond = 0;
  double pushP50 = 0, pushP99 = 0;
  double pullP50 = 0, pullP99 = 0;
  double rssPeakMb = 0;
  int64_t accepted = 0;
  std::string error;
};

std::string TempDir(const std::string& tag) {
  std::string pattern = "/tmp/crm-bench-" + tag + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  return mkdtemp(buffer.data());
}

std::string SetupToken(const std::string& log) {
  size_t at = log.find("\"setup_token\":\"");
  return at == std::string::npos ? "" : log.substr(at + 15, 64);
}

// `role`: the devices' people; reps' pulls are cut to their scope, leaders' are not.
Figures Run(const std::string& label, const std::vector<std::string>& storeArgs, const std::string& dir, const Config& config,
            const std::string& role = "rep") {
  Figures figures;
  std::vector<std::string> args = storeArgs;
  for (const char* arg : {"--password-cost", "min", "--rate", "0", "--signin-rate", "0", "--threads", "256"}) args.push_back(arg);
  RelayProcess relay(config.relayBinary, args, dir + "/relay.log");
  if (!relay.Start()) {
    figures.error = "the relay did not start: " + relay.Log();
    return figures;
  }
  sync::HttpEndpoint endpoint{"127.0.0.1", relay.Port()};
  auto admin = sync::SetUp(endpoint, sync::SetupRequest{SetupToken(relay.Log()), "压测公司", "管理员", "admin password", NewId(), "bench"});
  if (!admin) {
    figures.error = admin.Message();
    return figures;
  }
  httplib::Client client(endpoint.host, endpoint.port);
  for (int i = 0; i < config.devices; i++) {
    nlohmann::json body{{"name", "业务员" + std::to_string(i)}, {"role", role}, {"password", "rep password"}};
    auto created = client.Post("/v1/admin/users", httplib::Headers{{"Authorization", "Bearer " + admin.Value().token}}, body.dump(),
                               "application/json");
    if (!created || created->status != 201) {
      figures.error = "cannot create users";
      return figures;
    }
  }
  std::fprintf(stderr, "[bench] %s: %d devices sign in and make %d changesets each\n", label.c_str(), config.devices, config.perDevice);
  std::vector<std::unique_ptr<SimDevice>> devices;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  for (int i = 0; i < config.devices; i++) {
    devices.push_back(std::make_unique<SimDevice>(endpoint, "压测公司", "业务员" + std::to_string(i), "rep password"));
    if (!devices.back()->SignIn(deadline)) {
      figures.error = "sign-in failed: " + devices.back()->LastError();
      return figures;
    }
    devices.back()->Generate(config.perDevice + 20);  // the extra 20 are pushed one by one, unbatched
  }

  // Unbatched first: one changeset per push, every device at once.
  std::fprintf(stderr, "[bench] %s: unbatched pushes\n", label.c_str());
  {
    std::vector<std::thread> threads;
    bench::Stopwatch clock;
    for (auto& device : devices) {
      threads.emplace_back([&device] {
        for (int i = 0; i < 20; i++) {
          while (!device->PushOnce(1)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      });
    }
    for (auto& thread : threads) thread.join();
    figures.unbatchedPerSecond = 20.0 * config.devices / (clock.Ms() / 1000.0);
  }

  // Batched, pushes only: half of each outbox, in batches, every device at once.
  std::fprintf(stderr, "[bench] %s: batched pushes\n", label.c_str());
  {
    std::vector<std::thread> threads;
    bench::Stopwatch clock;
    for (auto& device : devices) {
      threads.emplace_back([&, raw = device.get()] {
        size_t target = raw->Pending() - static_cast<size_t>(config.perDevice / 2);
        while (raw->Pending() > target) {
          if (!raw->PushOnce(std::min<int>(config.batch, static_cast<int>(raw->Pending() - target)))) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
        }
      });
    }
    for (auto& thread : threads) thread.join();
    figures.pushOnlyPerSecond = static_cast<double>(config.perDevice / 2) * config.devices / (clock.Ms() / 1000.0);
    std::vector<double> latencies;
    for (auto& device : devices) latencies.insert(latencies.end(), device->LatenciesMs().begin() + 20, device->LatenciesMs().end());
    figures.pushOnlyP50 = Percentile(latencies, 0.5);
    figures.pushOnlyP99 = Percentile(latencies, 0.99);
  }

  // Batched, with pulls: each device pushes the rest and pulls what the others pushed after each push.
  std::fprintf(stderr, "[bench] %s: batched pushes and pulls\n", label.c_str());
  std::mutex mutex;
  std::vector<double> pushLatencies, pullLatencies;
  std::atomic<bool> running{true};
  std::thread sampler([&] {
    while (running) {
      figures.rssPeakMb = std::max(figures.rssPeakMb, relay.RssMb());
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  std::vector<std::thread> threads;
  std::atomic<int64_t> pulled{0};
  bench::Stopwatch clock;
  for (auto& device : devices) {
    threads.emplace_back([&, raw = device.get()] {
      std::vector<double> pulls;
      int64_t position = 0;
      size_t before = raw->LatenciesMs().size();
      while (raw->Pending() > 0) {
        if (!raw->PushOnce(config.batch)) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          continue;
        }
        bench::Stopwatch pullClock;
        auto page = raw->Transport().PullNow(position, 1000, 0);
        if (page) {
          pulls.push_back(pullClock.Ms());
          if (!page.Value().changesets.empty()) position = page.Value().changesets.back().seq;
          pulled += static_cast<int64_t>(page.Value().changesets.size());
        }
      }
      std::lock_guard<std::mutex> lock(mutex);
      pushLatencies.insert(pushLatencies.end(), raw->LatenciesMs().begin() + static_cast<long>(before), raw->LatenciesMs().end());
      pullLatencies.insert(pullLatencies.end(), pulls.begin(), pulls.end());
    });
  }
  for (auto& thread : threads) thread.join();
  double seconds = clock.Ms() / 1000.0;
  running = false;
  sampler.join();
  figures.rssPeakMb = std::max(figures.rssPeakMb, relay.RssMb("VmHWM:"));
  for (auto& device : devices) {
    figures.accepted += static_cast<int64_t>(device->Acked().size());
    if (device->Refusals() > 0) figures.error = "refused: " + device->LastError();
  }
  int64_t batched = static_cast<int64_t>(config.devices) * config.perDevice;
  int64_t mixed = static_cast<int64_t>(config.devices) * (config.perDevice - config.perDevice / 2);
  figures.changesetsPerSecond = static_cast<double>(mixed) / seconds;
  figures.pushP50 = Percentile(pushLatencies, 0.5);
  figures.pushP99 = Percentile(pushLatencies, 0.99);
  figures.pullP50 = Percentile(pullLatencies, 0.5);
  figures.pullP99 = Percentile(pullLatencies, 0.99);
  std::fprintf(stderr, "[bench] %s: %.0f changesets/s batched push-only (p50 %.1f ms, p99 %.1f ms); %.0f/s batched with pulls "
               "(%lld in %.1f s; push p50 %.1f ms p99 %.1f ms; pull p50 %.1f ms p99 %.1f ms; %lld changesets pulled); %.0f/s unbatched; "
               "relay peak RSS %.0f MiB\n",
               label.c_str(), figures.pushOnlyPerSecond, figures.pushOnlyP50, figures.pushOnlyP99, figures.changesetsPerSecond,
               static_cast<long long>(mixed), seconds, figures.pushP50, figures.pushP99, figures.pullP50, figures.pullP99,
               static_cast<long long>(pulled.load()), figures.unbatchedPerSecond, figures.rssPeakMb);
  figures.ok = figures.error.empty() && figures.accepted == batched + 20LL * config.devices;
  if (!figures.ok && figures.error.empty()) figures.error = "not every changeset was acknowledged";
  relay.Terminate();
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: crm-relay-bench RESULTS.jsonl [--stores sqlite|postgres|both] [--devices N] [--per-device N] [--batch N]\n");
    return 2;
  }
  Config config;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int value = std::atoi(argv[i + 1]);
    if (flag == "--stores") config.stores = argv[i + 1];
    if (flag == "--relay") config.relayBinary = argv[i + 1];
    if (flag == "--label") config.label = argv[i + 1];
    if (flag == "--scope-peer") config.scopePeer = value != 0;
    if (flag == "--devices") config.devices = value;
    else if (flag == "--per-device") config.perDevice = value;
    else if (flag == "--batch") config.batch = value;
  }

  Figures sqlite;
  if (config.stores != "postgres") {
    std::string sqliteDir = TempDir("sqlite");
    sqlite = Run("sqlite", {"--store", "sqlite:" + sqliteDir + "/relay.db"}, sqliteDir, config);
    std::filesystem::remove_all(sqliteDir);
  }
  Figures unscoped;
  if (config.stores != "postgres" && config.scopePeer) {
    std::string leadersDir = TempDir("leaders");
    unscoped = Run("sqlite, leaders", {"--store", "sqlite:" + leadersDir + "/relay.db"}, leadersDir, config, "leader");
    std::filesystem::remove_all(leadersDir);
    if (!unscoped.ok) std::fprintf(stderr, "[bench] leaders' run failed: %s\n", unscoped.error.c_str());
  }

  // PostgreSQL with its durable defaults (fsync, synchronous_commit): a fair peer for SQLite's FULL sync.
  std::string name = "bench-" + std::to_string(::getpid());
  Figures pg;
  std::string pgDir = TempDir("pg");
  if (config.stores == "sqlite") {
    pg.error = "not run (--stores sqlite)";
  } else if (std::system(("bash " CRM_PG_SCRIPT " start " + name + " --durable >/dev/null").c_str()) == 0) {
    std::ifstream file("/tmp/crm-pg-" + name + "/conninfo");
    std::string conninfo;
    std::getline(file, conninfo);
    pg = Run("postgres", {"--store", "postgres:" + conninfo, "--copies", pgDir + "/copies"}, pgDir, config);
    std::system(("bash " CRM_PG_SCRIPT " stop " + name + " >/dev/null").c_str());
  } else {
    pg.error = "PostgreSQL did not start (tests/relay/pg.sh)";
  }
  std::filesystem::remove_all(pgDir);
  if (!sqlite.ok) std::fprintf(stderr, "[bench] sqlite run failed: %s\n", sqlite.error.c_str());
  if (!pg.ok) std::fprintf(stderr, "[bench] postgres run failed: %s\n", pg.error.c_str());

  auto peer = [&](double value) { return pg.ok ? std::optional<double>(value) : std::nullopt; };
  std::vector<BenchResult> results = {
      {"relay.push_changesets_per_s", sqlite.pushOnlyPerSecond, "changesets/s", 5000, "higher", peer(pg.pushOnlyPerSecond), "postgres"},
      {"relay.push_p50_ms", sqlite.pushOnlyP50, "ms", std::nullopt, "lower", peer(pg.pushOnlyP50), "postgres"},
      {"relay.push_p99_ms", sqlite.pushOnlyP99, "ms", std::nullopt, "lower", peer(pg.pushOnlyP99), "postgres"},
      {"relay.push_pull_changesets_per_s", sqlite.changesetsPerSecond, "changesets/s", std::nullopt, "higher",
       peer(pg.changesetsPerSecond), "postgres"},
      {"relay.push_with_pulls_p50_ms", sqlite.pushP50, "ms", std::nullopt, "lower", peer(pg.pushP50), "postgres"},
      {"relay.push_with_pulls_p99_ms", sqlite.pushP99, "ms", std::nullopt, "lower", peer(pg.pushP99), "postgres"},
      {"relay.pull_p50_ms", sqlite.pullP50, "ms", std::nullopt, "lower", peer(pg.pullP50), "postgres"},
      {"relay.pull_p99_ms", sqlite.pullP99, "ms", std::nullopt, "lower", peer(pg.pullP99), "postgres"},
      {"relay.push_unbatched_changesets_per_s", sqlite.unbatchedPerSecond, "changesets/s", std::nullopt, "higher",
       peer(pg.unbatchedPerSecond), "postgres"},
      {"relay.rss_peak_mb", sqlite.rssPeakMb, "MiB", std::nullopt, "lower", peer(pg.rssPeakMb), "postgres"},
  };
  // The scope filter's cost: the same load, reps (every pull cut) against leaders (nothing cut).
  if (unscoped.ok) {
    const char* peerName = "leaders, whose pulls are not cut";
    results.push_back({"relay.scope_filter.push_pull_changesets_per_s", sqlite.changesetsPerSecond, "changesets/s", std::nullopt,
                       "higher", unscoped.changesetsPerSecond, peerName});
    results.push_back({"relay.scope_filter.push_changesets_per_s", sqlite.pushOnlyPerSecond, "changesets/s", std::nullopt, "higher",
                       unscoped.pushOnlyPerSecond, peerName});
    results.push_back({"relay.scope_filter.pull_p50_ms", sqlite.pullP50, "ms", std::nullopt, "lower", unscoped.pullP50, peerName});
    results.push_back({"relay.scope_filter.pull_p99_ms", sqlite.pullP99, "ms", std::nullopt, "lower", unscoped.pullP99, peerName});
  }
  if (!sqlite.ok) results.clear();
  if (!config.label.empty()) {
    for (BenchResult& result : results) result.name = "relay." + config.label + result.name.substr(5);
  }
  std::ofstream out(argv[1], std::ios::app);
  for (const BenchResult& result : results) {
    out << bench::ToJson(result) << "\n";
    std::printf("%s\n", bench::ToJson(result).c_str());
  }
  return sqlite.ok ? 0 : 1;
}
