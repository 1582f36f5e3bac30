#include "sync/relay/server.h"

#include <httplib.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "core/text.h"
#include "sync/relay/log.h"
#include "sync/relay/service.h"

namespace crm::relay {

struct Server::Impl {
  ServerOptions options;
  Service* service = nullptr;
  httplib::Server http;
  int boundPort = 0;
  std::atomic<int> inFlight{0};  // API requests being handled right now
};

Result<std::pair<std::string, int>> ParseListen(const std::string& text) {
  std::string host = "127.0.0.1";
  std::string port = text;
  size_t colon = text.rfind(':');
  if (colon != std::string::npos) {
    if (colon > 0) host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5) {
    return MakeError(ErrorCode::Invalid, "--listen: expected ADDR:PORT (for example 127.0.0.1:8787), got '" + text + "'");
  }
  int value = std::stoi(port);
  if (value < 0 || value > 65535) return MakeError(ErrorCode::Invalid, "--listen: port " + port + " is out of range");
  return std::make_pair(host, value);
}

namespace {

// Who is asking, for per-address limits. Behind nginx on this machine every peer is loopback: then
// the last X-Forwarded-For entry, the one nginx itself appended, names the client. A remote peer's
// header is not trusted.
std::string ClientAddress(const httplib::Request& req) {
  const std::string& peer = req.remote_addr;
  bool loopback = peer == "::1" || peer.rfind("127.", 0) == 0 || peer == "::ffff:127.0.0.1";
  std::string forwarded = req.get_header_value("X-Forwarded-For");
  if (!loopback || forwarded.empty()) return peer;
  size_t comma = forwarded.rfind(',');
  std::string last = comma == std::string::npos ? forwarded : forwarded.substr(comma + 1);
  size_t start = last.find_first_not_of(' ');
  return start == std::string::npos ? peer : last.substr(start);
}

// Set while this worker thread handles an API request whose answer is not written yet.
thread_local bool t_counted = false;

const char* ErrorCodeFor(int status) {
  switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 413: return "too_large";
    case 414: return "uri_too_long";
    case 429: return "too_many_requests";
    default: return status >= 500 ? "unavailable" : "error";
  }
}

}  // namespace

Server::Server(ServerOptions options, Service& service) : m_impl(std::make_unique<Impl>()) {
  m_impl->options = std::move(options);
  m_impl->service = &service;
  httplib::Server& http = m_impl->http;
  const int threads = std::max(4, m_impl->options.threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http.set_payload_max_length(m_impl->options.maxBodyBytes);
  http.set_keep_alive_max_count(10000);
  http.set_keep_alive_timeout(15);
  http.set_write_timeout(60, 0);  // a snapshot to a slow phone
  // httplib's default adds SO_REUSEPORT, which lets a second relay silently share the port: keep only SO_REUSEADDR.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof yes);
  });
  http.set_file_extension_and_mimetype_mapping("wasm", "application/wasm");
  http.set_file_extension_and_mimetype_mapping("data", "application/octet-stream");
  http.set_file_extension_and_mimetype_mapping("webmanifest", "application/manifest+json");
  http.set_file_extension_and_mimetype_mapping("ttf", "font/ttf");

  Service* api = &service;
  std::atomic<int>* inFlight = &m_impl->inFlight;
  auto handle = [api, inFlight](const httplib::Request& req, httplib::Response& res) {
    if (!t_counted) inFlight->fetch_add(1);  // until its answer is written: see the logger (an unwritten one stays counted)
    t_counted = true;
    ApiRequest request;
    request.method = req.method;
    request.path = req.path;
    for (const auto& [key, value] : req.params) request.query.emplace(key, value);  // the first of repeated keys
    request.authorization = req.get_header_value("Authorization");
    request.remote = ClientAddress(req);
    request.body = req.body;
    ApiResponse response = api->Handle(request);
    res.status = response.status;
    for (const auto& [key, value] : response.headers) res.set_header(key, value);
    if (!response.body.empty()) res.set_content(std::move(response.body), response.contentType.c_str());
    res.set_header("Cache-Control", "no-store");
  };
  // Before any body is read: httplib bounds Content-Length bodies, not chunked ones, so the API takes
  // only the former (browsers and the native client send Content-Length; nginx buffers to it).
  const size_t maxBody = m_impl->options.maxBodyBytes;
  http.set_pre_routing_handler([maxBody](const httplib::Request& req, httplib::Response& res) {
    // Too large by its own account: answered at once, instead of after reading (or waiting for) it all.
    if (req.has_header("Content-Length") &&
        std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10) > maxBody) {
      res.status = 413;
      res.set_content("{\"error\":\"too_large\",\"message\":\"the body is larger than the relay accepts (" + std::to_string(maxBody) +
                          " bytes)\"}",
                      "application/json");
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.path.rfind("/v1/", 0) == 0 && req.has_header("Transfer-Encoding")) {
      res.status = 411;
      res.set_content("{\"error\":\"length_required\",\"message\":\"send the body with a Content-Length\"}", "application/json");
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.Get("/healthz", handle);
  http.Get("/metrics", handle);
  http.Get(R"(/v1/.*)", handle);
  http.Post(R"(/v1/.*)", handle);

  if (!m_impl->options.staticDir.empty()) {
    http.set_mount_point("/", m_impl->options.staticDir);
    // The page and the service worker must be revalidated, or a browser mixes app versions.
    http.set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
      auto endsWith = [&](const char* suffix) {
        size_t length = std::strlen(suffix);
        return req.path.size() >= length && req.path.compare(req.path.size() - length, length, suffix) == 0;
      };
      if (req.path == "/" || endsWith(".html") || endsWith(".js")) {
        res.set_header("Cache-Control", "no-cache");
      }
    });
  }

  // Every error answer is JSON, also the ones httplib makes itself (413 body too large, 400 bad request line).
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string message = res.status == 413   ? "the body is larger than the relay accepts (16 MiB)"
                          : res.status == 404 ? "not found"
                                              : "the request could not be read (HTTP status " + std::to_string(res.status) + ")";
    res.set_content("{\"error\":\"" + std::string(ErrorCodeFor(res.status)) + "\",\"message\":\"" + JsonEscape(message) + "\"}",
                    "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }));

  const bool logAll = m_impl->options.logAllRequests;
  // httplib calls the logger once the answer is written: the request is done then.
  http.set_logger([logAll, inFlight](const httplib::Request& req, const httplib::Response& res) {
    if (t_counted) {
      t_counted = false;
      inFlight->fetch_sub(1);
    }
    bool routine = res.status < 300 && (req.path == "/v1/push" || req.path == "/v1/pull");
    if (routine && !logAll) return;
    Log(res.status >= 500 ? "error" : "info", "request",
        {{"method", req.method}, {"path", req.path}, {"status", res.status}, {"remote", ClientAddress(req)}});
  });
  http.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    Log("error", "handler failed", {{"path", req.path}, {"error", what}});
    res.status = 500;
    res.set_content("{\"error\":\"internal\",\"message\":\"internal error\"}", "application/json");
  });
}

Server::~Server() = default;

Status Server::Bind() {
  const ServerOptions& options = m_impl->options;
  if (!options.staticDir.empty() && !std::filesystem::is_directory(options.staticDir)) {
    return MakeError(ErrorCode::NotFound, "--static: '" + options.staticDir + "' is not a directory (build the web app first: ./crm build)");
  }
  if (options.port == 0) {
    m_impl->boundPort = m_impl->http.bind_to_any_port(options.host);
    if (m_impl->boundPort < 0) return MakeError(ErrorCode::Storage, "cannot bind to " + options.host);
  } else {
    if (!m_impl->http.bind_to_port(options.host, options.port)) {
      return MakeError(ErrorCode::Conflict, "cannot listen on " + options.host + ":" + std::to_string(options.port) +
                                                " (is another relay or program using that port? try --listen " + options.host +
                                                ":PORT)");
    }
    m_impl->boundPort = options.port;
  }
  return Ok();
}

Status Server::Run() {
  if (!m_impl->http.listen_after_bind()) return MakeError(ErrorCode::Storage, "the server stopped with an error");
  return Ok();
}

namespace {

// Shuts down every accepted connection of this process on `port`. httplib keeps an idle keep-alive
// connection in its worker for up to the keep-alive timeout and has no way to end it early.
void ShutDownConnections(int port) {
  DIR* fds = ::opendir("/proc/self/fd");
  if (!fds) return;
  while (dirent* entry = ::readdir(fds)) {
    int fd = std::atoi(entry->d_name);
    if (fd <= 2 || fd == ::dirfd(fds)) continue;
    struct stat info{};
    if (::fstat(fd, &info) != 0 || !S_ISSOCK(info.st_mode)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t localSize = sizeof local, peerSize = sizeof peer;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localSize) != 0) continue;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peerSize) != 0) continue;  // listening, not a connection
    int localPort = local.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port)
                  : local.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&local)->sin6_port) : -1;
    if (localPort == port) ::shutdown(fd, SHUT_RDWR);
  }
  ::closedir(fds);
}

}  // namespace

void Server::Stop() {
  m_impl->service->Shutdown();  // held pulls answer now
  m_impl->http.stop();          // no new connections
  // Requests in flight finish (a push being committed gets its answer); then idle connections go.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (m_impl->inFlight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ShutDownConnections(m_impl->boundPort);
}

int Server::Port() const { return m_impl->boundPort; }

}  // namespace crm::relay
