#pragma once
// The relay's HTTP server. It serves the built web app from the same origin
// (so the app and its API share one origin) and the /v1 API of service.h.
#include <memory>
#include <string>

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

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Parses "HOST:PORT" (":PORT" and "PORT" mean 127.0.0.1).
Result<std::pair<std::string, int>> ParseListen(const std::string& text);

}  // namespace crm::relay
