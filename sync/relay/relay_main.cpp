// crm-relay: the CRM's only server. Serves the web app and the /v1 sync API.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "core/db.h"
#include "sync/relay/log.h"
#include "sync/relay/server.h"

namespace {

const char* kUsage = R"(crm-relay: the CRM's relay server (changeset ordering and the web app)

Usage: crm-relay [options]

  --listen ADDR:PORT   address to listen on (default 127.0.0.1:8787; port 0 picks a free one)
  --static DIR         serve the built web app from DIR on the same origin
  --max-body BYTES     largest request body accepted (default 16777216)
  --help               show this help

Logs are JSON lines on stderr. SIGINT or SIGTERM stops the server cleanly.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace crm::relay;
  ServerOptions options;
  for (int i = 1; i < argc; i++) {
    std::string arg = argv[i];
    auto next = [&](const char* flag) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "crm-relay: %s needs a value\n%s", flag, kUsage);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--listen") {
      auto parsed = ParseListen(next("--listen"));
      if (!parsed) {
        std::fprintf(stderr, "crm-relay: %s\n", parsed.Message().c_str());
        return 2;
      }
      options.host = parsed.Value().first;
      options.port = parsed.Value().second;
    } else if (arg == "--static") {
      options.staticDir = next("--static");
    } else if (arg == "--max-body") {
      options.maxBodyBytes = std::strtoull(next("--max-body"), nullptr, 10);
    } else {
      std::fprintf(stderr, "crm-relay: unknown option '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }

  // Signals go to one waiting thread, which stops the server outside signal context.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Server server(options);
  if (auto bound = server.Bind(); !bound) {
    Log("error", "cannot start", {{"error", bound.Message()}});
    return 1;
  }
  Log("info", "listening", {{"url", "http://" + options.host + ":" + std::to_string(server.Port()) + "/"},
                            {"port", server.Port()}, {"static", options.staticDir}, {"sqlite", crm::SqliteVersion()}});

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
