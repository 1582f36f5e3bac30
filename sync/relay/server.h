#pragma once
// The relay's HTTP server. It serves the built web app from the same origin
// (so the app and its API share one origin) and the /v1 API.
#include <memory>
#include <string>

#include "core/result.h"

namespace crm::relay {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8787;
  std::string staticDir;  // empty: serve no web app
  size_t maxBodyBytes = 16u << 20;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the socket; fails with a clear message when the port is taken.
  Status Bind();
  // Serves until Stop() is called from another thread.
  Status Run();
  void Stop();
  int Port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Parses "HOST:PORT" (":PORT" and "PORT" mean 127.0.0.1).
Result<std::pair<std::string, int>> ParseListen(const std::string& text);

}  // namespace crm::relay
