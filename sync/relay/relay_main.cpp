// crm-relay: the CRM's only server. Serves the web app and the /v1 sync API.
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/db.h"
#include "core/ids.h"
#include "sync/relay/auth.h"
#include "sync/relay/copies.h"
#include "sync/relay/log.h"
#include "sync/relay/server.h"
#include "sync/relay/service.h"
#include "sync/relay/store.h"

namespace {

const char* kUsage = R"(crm-relay: the CRM's relay server (changeset ordering and the web app)

Usage: crm-relay [options]

  --listen ADDR:PORT     address to listen on (default 127.0.0.1:8787; port 0 picks a free one)
  --store SPEC           where accounts and the changeset log live (default sqlite:./relay.db):
                           sqlite:PATH              one file (WAL); organisation copies in PATH.orgs/
                           postgres://USER@HOST/DB  PostgreSQL (libpq URI or postgres:'key=value …');
                                                    several relay processes may share it
  --copies DIR           folder of the organisations' materialized copies (one per relay process;
                         default: PATH.orgs for sqlite, ./relay-copies for postgres)
  --static DIR           serve the built web app from DIR on the same origin
  --new-setup-token      make a one-time set-up token (for POST /v1/setup), print it and exit
  --backup FILE          write a consistent copy of an sqlite store to FILE (safe while a relay runs) and exit
  --password-cost C      Argon2id cost of password hashes: interactive (default), moderate, min (tests only)
  --rate R[,BURST]       requests per second per device (default 50,200; 0 switches limits off)
  --signin-rate R[,B]    sign-in and set-up attempts per second per address (default 2,20)
  --max-body BYTES       largest request body accepted (default 16777216)
  --threads N            connections served at once, held pulls included (default 128)
  --held-pulls D,O,T     held pulls (GET /v1/pull?wait=) at most per device, per organisation and in all
                         (default 2,32,64; never more than half the threads); past them a pull answers at once
  --hash-queue N         requests waiting to check a password (2 at a time); more get 503 (default 8)
  --header-timeout S     seconds to send a request's headers (default 5); its body gets 60 more
  --trust-proxy A[,A…]   peers (a reverse proxy) whose X-Forwarded-For names the client (default: none)
  --metrics-token T      serve /metrics to Authorization: Bearer T (default: /metrics is off)
  --metrics-listen A:P   serve /metrics and /healthz on a second address (for example 127.0.0.1:9187)
  --csp-connect SRC[,…]  more origins the web app may fetch from (Content-Security-Policy connect-src)
  --log-requests         log every request (by default successful pushes and pulls only count in /metrics)
  --help                 show this help

Logs are JSON lines on stderr. SIGINT or SIGTERM stops the server cleanly.
At first start (no organisation yet) the log shows a set-up token.
)";

bool ParseRate(const std::string& text, crm::relay::RateLimit& rate) {
  char* end = nullptr;
  double perSecond = std::strtod(text.c_str(), &end);
  double burst = perSecond * 4;
  if (end == text.c_str() || perSecond < 0) return false;
  if (*end == ',') {
    const char* start = end + 1;
    burst = std::strtod(start, &end);
    if (end == start || burst < 1) return false;
  }
  if (*end != '\0') return false;
  rate = crm::relay::RateLimit{perSecond, std::max(1.0, burst)};
  return true;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  size_t at = 0;
  while (at <= text.size()) {
    size_t comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(at, comma - at);
    if (!item.empty()) items.push_back(item);
    at = comma + 1;
  }
  return items;
}

int Backup(const std::string& spec, const std::string& file) {
  if (spec.rfind("sqlite:", 0) != 0) {
    std::fprintf(stderr, "crm-relay: --backup works on an sqlite store; back PostgreSQL up with pg_dump (deploy/POSTGRES.md)\n");
    return 2;
  }
  if (std::filesystem::exists(file)) {
    std::fprintf(stderr, "crm-relay: %s exists already; give a new file name\n", file.c_str());
    return 1;
  }
  crm::DbOptions options;
  options.create = false;
  auto db = crm::Db::Open(spec.substr(7), options);
  if (!db) {
    std::fprintf(stderr, "crm-relay: %s\n", db.Message().c_str());
    return 1;
  }
  // VACUUM INTO reads one snapshot of the WAL database: consistent even while the relay writes.
  auto stmt = db.Value().PrepareOnce("VACUUM INTO ?");
  if (stmt) stmt.Value().Bind(1, file);
  auto done = stmt ? stmt.Value().Run() : crm::Status(stmt.GetError());
  if (!done) {
    std::fprintf(stderr, "crm-relay: backup failed: %s\n", done.Message().c_str());
    return 1;
  }
  std::printf("backup written to %s (the organisations' copies are rebuilt from it on restore)\n", file.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace crm::relay;
  ServerOptions options;
  RelayOptions relay;
  bool newSetupToken = false;
  std::string backupFile;
  for (int i = 1; i < argc; i++) {
    std::string arg = argv[i];
    auto next = [&](const char* flag) -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "crm-relay: %s needs a value\n%s", flag, kUsage);
        std::exit(2);
      }
      return argv[++i];
    };
    auto usage = [&](const std::string& message) {
      std::fprintf(stderr, "crm-relay: %s\n", message.c_str());
      std::exit(2);
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--listen") {
      auto parsed = ParseListen(next("--listen"));
      if (!parsed) usage(parsed.Message());
      options.host = parsed.Value().first;
      options.port = parsed.Value().second;
    } else if (arg == "--store") {
      relay.store = next("--store");
    } else if (arg == "--copies") {
      relay.copiesDir = next("--copies");
    } else if (arg == "--static") {
      options.staticDir = next("--static");
    } else if (arg == "--new-setup-token") {
      newSetupToken = true;
    } else if (arg == "--backup") {
      backupFile = next("--backup");
    } else if (arg == "--password-cost") {
      auto cost = ParsePasswordCost(next("--password-cost"));
      if (!cost) usage(cost.Message());
      relay.passwordCost = cost.Value();
    } else if (arg == "--rate") {
      if (!ParseRate(next("--rate"), relay.deviceRate)) usage("--rate: expected R or R,BURST (requests per second)");
    } else if (arg == "--signin-rate") {
      if (!ParseRate(next("--signin-rate"), relay.signInRate)) usage("--signin-rate: expected R or R,BURST");
    } else if (arg == "--max-body") {
      std::string value = next("--max-body");
      if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos) usage("--max-body: expected a number of bytes");
      options.maxBodyBytes = std::strtoull(value.c_str(), nullptr, 10);
      relay.maxBodyBytes = options.maxBodyBytes;
    } else if (arg == "--threads") {
      std::string value = next("--threads");
      if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos) usage("--threads: expected a number");
      options.threads = std::atoi(value.c_str());
    } else if (arg == "--held-pulls") {
      std::vector<std::string> values = SplitList(next("--held-pulls"));
      bool ok = values.size() == 3;
      for (const auto& value : values) ok = ok && value.find_first_not_of("0123456789") == std::string::npos && value.size() < 7;
      if (!ok) usage("--held-pulls: expected PER_DEVICE,PER_ORG,TOTAL (for example 2,32,64)");
      relay.maxHeldPullsPerDevice = std::atoi(values[0].c_str());
      relay.maxHeldPullsPerOrg = std::atoi(values[1].c_str());
      relay.maxHeldPulls = std::atoi(values[2].c_str());
    } else if (arg == "--hash-queue") {
      std::string value = next("--hash-queue");
      if (value.empty() || value.size() > 6 || value.find_first_not_of("0123456789") != std::string::npos) usage("--hash-queue: expected a number");
      relay.maxHashWaiting = std::atoi(value.c_str());
    } else if (arg == "--header-timeout") {
      std::string value = next("--header-timeout");
      char* end = nullptr;
      double seconds = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(seconds > 0) || seconds > 3600) usage("--header-timeout: expected seconds (for example 5)");
      options.headerTimeoutMs = static_cast<int>(seconds * 1000);
    } else if (arg == "--trust-proxy") {
      options.trustedProxies = SplitList(next("--trust-proxy"));
    } else if (arg == "--metrics-token") {
      options.metricsToken = next("--metrics-token");
      if (options.metricsToken.size() < 16) usage("--metrics-token: use at least 16 characters");
    } else if (arg == "--metrics-listen") {
      auto parsed = ParseListen(next("--metrics-listen"));
      if (!parsed) usage(parsed.Message());
      options.metricsHost = parsed.Value().first;
      options.metricsPort = parsed.Value().second;
    } else if (arg == "--csp-connect") {
      options.cspConnect = SplitList(next("--csp-connect"));
      for (const auto& source : options.cspConnect) {
        if (source.find_first_of(" ;'\"") != std::string::npos) usage("--csp-connect: expected origins like https://relay.example.com");
      }
    } else if (arg == "--log-requests") {
      options.logAllRequests = true;
    } else {
      std::fprintf(stderr, "crm-relay: unknown option '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }

  // Held pulls must leave threads for everything else.
  relay.maxHeldPulls = std::min(relay.maxHeldPulls, std::max(1, std::max(4, options.threads) / 2));

  if (!backupFile.empty()) return Backup(relay.store, backupFile);
  if (newSetupToken) {
    // Only the store: a relay may be running on it (it holds the copies, not the store).
    auto store = OpenStore(relay.store, relay.storeOptions);
    if (!store) {
      std::fprintf(stderr, "crm-relay: %s\n", store.Message().c_str());
      return 1;
    }
    std::string token = NewToken();
    if (auto added = store.Value()->AddSetupToken(TokenHash(token), crm::NowMs()); !added) {
      std::fprintf(stderr, "crm-relay: %s\n", added.Message().c_str());
      return 1;
    }
    store.Value()->Close();
    std::printf("%s\n", token.c_str());
    return 0;
  }

  // Signals go to one waiting thread, which stops the server outside signal context.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto service = Service::Open(relay);
  if (!service) {
    Log("error", "cannot start", {{"error", service.Message()}});
    return 1;
  }
  Server server(options, *service.Value());
  if (auto bound = server.Bind(); !bound) {
    Log("error", "cannot start", {{"error", bound.Message()}});
    return 1;
  }
  if (auto token = service.Value()->IssueStartupSetupToken(); !token) {
    Log("error", "cannot start", {{"error", token.Message()}});
    return 1;
  }
  Log("info", "listening", {{"url", "http://" + options.host + ":" + std::to_string(server.Port()) + "/"},
                            {"port", server.Port()}, {"static", options.staticDir}, {"sqlite", crm::SqliteVersion()},
                            {"store", service.Value()->GetStore().Kind()}, {"copies", service.Value()->Copies().Dir()},
                            {"metrics_port", server.MetricsPort()}});

  std::thread waiter([&] {
    int received = 0;
    sigwait(&signals, &received);
    Log("info", "shutting down", {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}});
    server.Stop();
  });
  auto result = server.Run();
  if (waiter.joinable()) {
    // Run() can also end on its own; wake the waiter so it can exit.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
  }
  if (!result) {
    Log("error", "server failed", {{"error", result.Message()}});
    return 1;
  }
  Log("info", "stopped");
  return 0;
}
