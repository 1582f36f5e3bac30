#pragma once
// The relay's HTTP server. It serves the built web app from the same origin
// (so the app and its API share one origin) and the /v1 API of service.h.
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace crm::relay {

class Service;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8787;
  std::string staticDir;  // empty: serve no web app
  size_t maxBodyBytes = 16u << 20;
  int threads = 128;            // each open connection (and each held pull) takes one
  bool logAllRequests = false;  // else successful pushes and pulls are counted in /metrics only
  // Reading a request: its head within headerTimeoutMs of its first byte, its body within
  // bodyTimeoutMs after that; else the connection is shut down (a slow client holds a thread).
  int headerTimeoutMs = 5000;
  int bodyTimeoutMs = 60000;
  size_t maxHeaderCount = 64;          // header lines; more: 431
  size_t maxHeaderBytes = 16u << 10;   // names and values together; more: 431
  // Peers whose X-Forwarded-For names the client (a reverse proxy on this machine); nobody by default.
  std::vector<std::string> trustedProxies;
  // /metrics: off (404) unless a token is set (then it needs Authorization: Bearer TOKEN) or a
  // second listener serves it (metricsPort >= 0; it serves /metrics and /healthz only).
  std::string metricsToken;
  std::string metricsHost = "127.0.0.1";
  int metricsPort = -1;  // -1: no metrics listener; 0: a free port
  // More sources the web app may fetch from (Content-Security-Policy connect-src), for devices
  // linked from this page to another relay; the page's own origin always.
  std::vector<std::string> cspConnect;
};

class Server {
 public:
  Server(ServerOptions options, Service& service);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the socket; fails with a clear message when the port is taken.
  Status Bind();
  // Serves until Stop() is called from another thread.
  Status Run();
  // Ends held pulls, then stops accepting and waits for requests in flight.
  void Stop();
  int Port() const;
  int MetricsPort() const;  // the metrics listener's, or -1

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Parses "HOST:PORT" (":PORT" and "PORT" mean 127.0.0.1).
Result<std::pair<std::string, int>> ParseListen(const std::string& text);

}  // namespace crm::relay
