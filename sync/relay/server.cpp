// The relay's HTTP server.
//
// [SECTION] options and parsing
// [SECTION] request checks: sizes, lengths, who asks, /metrics
// [SECTION] security headers
// [SECTION] the server
// [SECTION] bind, run, stop
#include "sync/relay/server.h"

#include <httplib.h>
#include <sodium.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/text.h"
#include "sync/relay/conn_guard.h"
#include "sync/relay/log.h"
#include "sync/relay/service.h"

namespace crm::relay {

// ---------------------------------------------------------------------------
// [SECTION] options and parsing

struct Server::Impl {
  ServerOptions options;
  Service* service = nullptr;
  httplib::Server http;
  std::unique_ptr<httplib::Server> metricsHttp;  // --metrics-listen
  std::thread metricsThread;
  std::unique_ptr<ConnectionGuard> guard;
  int boundPort = 0;
  int metricsPort = -1;
  int listenSocket = -1, metricsListenSocket = -1;
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

// ---------------------------------------------------------------------------
// [SECTION] request checks: sizes, lengths, who asks, /metrics

// Bodies other than a push's are JSON of a few hundred bytes (service.cpp takes up to 64 KiB).
constexpr size_t kMaxSmallBody = 64u << 10;

// Who is asking, for per-address limits: the peer, unless it is a proxy the operator named
// (--trust-proxy); then the last X-Forwarded-For entry, the one that proxy appended. Entries
// before it come from the client and prove nothing.
std::string ClientAddress(const httplib::Request& req, const std::vector<std::string>& trusted) {
  const std::string& peer = req.remote_addr;
  if (std::find(trusted.begin(), trusted.end(), peer) == trusted.end()) return peer;
  std::string forwarded = req.get_header_value("X-Forwarded-For");
  if (forwarded.empty()) return peer;
  size_t comma = forwarded.rfind(',');
  std::string last = comma == std::string::npos ? forwarded : forwarded.substr(comma + 1);
  size_t start = last.find_first_not_of(" \t");
  size_t end = last.find_last_not_of(" \t");
  return start == std::string::npos ? peer : last.substr(start, end - start + 1);
}

void Refuse(httplib::Response& res, int status, const char* code, const std::string& message) {
  res.status = status;
  res.set_content("{\"error\":\"" + std::string(code) + "\",\"message\":\"" + JsonEscape(message) + "\"}", "application/json");
}

// Equal without the time depending on where they differ (the metrics token).
bool SameSecret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Checks made once a request's head is read and before its body is: the Handled answer, if any.
// `metricsHere`: this listener may serve /metrics (with the token when one is set).
bool CheckRequest(const ServerOptions& options, bool metricsHere, const httplib::Request& req, httplib::Response& res) {
  // httplib 0.11 bounds each header line (8 KiB) but not their number.
  size_t headerBytes = 0;
  for (const auto& [name, value] : req.headers) headerBytes += name.size() + value.size();
  if (req.headers.size() > options.maxHeaderCount || headerBytes > options.maxHeaderBytes) {
    Refuse(res, 431, "headers_too_large", "the request headers are too many or too large");
    return true;
  }
  // httplib reads a chunked body, or one without a length, to its end whatever its size: refused
  // everywhere (browsers and the native client send Content-Length; nginx buffers to it).
  if (req.has_header("Transfer-Encoding")) {
    Refuse(res, 411, "length_required", "send the body with a Content-Length, not chunked");
    return true;
  }
  // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 6.3), but httplib
  // would read one until the peer closes; `curl -X POST URL` sends exactly that. Saying so in the headers
  // makes httplib read nothing (the routing reads the body after this handler).
  const bool bodyMethod = req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE" ||
                          req.method == "PRI";
  if (bodyMethod && !req.has_header("Content-Length")) const_cast<httplib::Request&>(req).set_header("Content-Length", "0");
  if (req.has_header("Content-Length")) {
    const std::string length = req.get_header_value("Content-Length");
    if (length.empty() || length.size() > 19 || length.find_first_not_of("0123456789") != std::string::npos) {
      Refuse(res, 400, "bad_request", "Content-Length must be a decimal number");
      return true;
    }
    // Too large by its own account: answered at once, instead of after reading (or waiting for) it all.
    const size_t limit = (req.path == "/v1/push" || req.path == "/v1/scope") ? options.maxBodyBytes : std::min(options.maxBodyBytes, kMaxSmallBody);
    if (std::strtoull(length.c_str(), nullptr, 10) > limit) {
      Refuse(res, 413, "too_large", "the body is larger than the relay accepts here (" + std::to_string(limit) + " bytes)");
      return true;
    }
  }
  if (req.path == "/metrics") {
    if (!metricsHere) {
      Refuse(res, 404, "not_found", "not found");
      return true;
    }
    if (!options.metricsToken.empty() && !SameSecret(req.get_header_value("Authorization"), "Bearer " + options.metricsToken)) {
      Refuse(res, 401, "unauthorized", "/metrics needs Authorization: Bearer <the --metrics-token>");
      return true;
    }
  }
  return false;
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
    case 411: return "length_required";
    case 413: return "too_large";
    case 414: return "uri_too_long";
    case 415: return "unsupported_media_type";
    case 429: return "too_many_requests";
    case 431: return "headers_too_large";
    default: return status >= 500 ? "unavailable" : "error";
  }
}

// ---------------------------------------------------------------------------
// [SECTION] security headers

// The hashes ('sha256-…') of a page's inline <tag> elements: the page (shell.html) keeps its small
// boot script and style inline, and they run under the policy without 'unsafe-inline'. Computed from
// the page as served, so a rebuilt app needs no relay change.
std::string InlineHashes(const std::string& html, const char* tag) {
  std::string hashes;
  const std::string open = std::string("<") + tag;
  const std::string close = std::string("</") + tag + ">";
  size_t at = 0;
  while ((at = html.find(open, at)) != std::string::npos) {
    size_t tagEnd = html.find('>', at);
    if (tagEnd == std::string::npos) break;
    size_t end = html.find(close, tagEnd);
    if (end == std::string::npos) break;
    const std::string attributes = html.substr(at + open.size(), tagEnd - at - open.size());
    if (attributes.find("src=") == std::string::npos) {  // an external script is allowed by 'self'
      unsigned char digest[crypto_hash_sha256_BYTES];
      crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(html.data() + tagEnd + 1), end - tagEnd - 1);
      char base64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
      sodium_bin2base64(base64, sizeof base64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
      hashes += " 'sha256-" + std::string(base64) + "'";
    }
    at = end + close.size();
  }
  return hashes;
}

// The app is an Emscripten build: its own scripts and wasm ('wasm-unsafe-eval' compiles it), the
// preloaded crm.data and the API fetched from this origin, a service worker from it, a data: icon.
// Nothing may frame it; an API answer gets the same policy (it is never a document).
std::string ContentSecurityPolicy(const ServerOptions& options, const std::string* html) {
  std::string scripts = html ? InlineHashes(*html, "script") : "";
  std::string styles = html ? InlineHashes(*html, "style") : "";
  std::string connect = "'self'";
  for (const std::string& source : options.cspConnect) connect += " " + source;
  return "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'" + scripts + "; style-src 'self'" + styles +
         "; img-src 'self' data:; connect-src " + connect +
         "; manifest-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
}

// The page as written: by the time the headers are set httplib may have compressed the body
// (Content-Encoding), so a compressed page is read again from the folder it was served from.
std::string PageText(const ServerOptions& options, const httplib::Request& req, const httplib::Response& res) {
  if (!res.has_header("Content-Encoding")) return res.body;
  if (options.staticDir.empty() || req.path.find("..") != std::string::npos) return "";
  std::string relative = req.path.empty() || req.path.back() == '/' ? req.path + "index.html" : req.path;
  std::ifstream file(std::filesystem::path(options.staticDir) / relative.substr(1), std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

void SetSecurityHeaders(const ServerOptions& options, const httplib::Request& req, httplib::Response& res) {
  const bool html = res.get_header_value("Content-Type").rfind("text/html", 0) == 0;
  const std::string page = html ? PageText(options, req, res) : std::string();
  res.set_header("Content-Security-Policy", ContentSecurityPolicy(options, html ? &page : nullptr));
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("X-Frame-Options", "DENY");
  (void)req;
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] the server

namespace {

// What both listeners share: threads, timeouts, socket options, the checks before a body is read,
// the security headers, JSON errors, the logger (which also tells the guard an answer is written).
void Configure(httplib::Server& http, const ServerOptions& options, int threads, bool metricsHere, ConnectionGuard* guard,
               std::atomic<int>* inFlight, int* listenSocket) {
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http.set_payload_max_length(options.maxBodyBytes);
  http.set_keep_alive_max_count(10000);
  // An idle connection holds a worker thread: a short wait for its next request.
  http.set_keep_alive_timeout(5);
  http.set_read_timeout(5, 0);    // each read; the guard bounds the whole head and body
  http.set_write_timeout(60, 0);  // a snapshot to a slow phone
  // httplib's default adds SO_REUSEPORT, which lets a second relay silently share the port: keep only SO_REUSEADDR.
  http.set_socket_options([listenSocket](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof yes);
    *listenSocket = sock;  // for its backlog, after bind (see Bind)
  });
  http.set_pre_routing_handler([&options, metricsHere, guard](const httplib::Request& req, httplib::Response& res) {
    if (CheckRequest(options, metricsHere, req, res)) {
      res.set_header("Connection", "close");  // whatever body follows is not read
      guard->Handling(req.remote_addr, req.remote_port);
      return httplib::Server::HandlerResponse::Handled;
    }
    uint64_t length = req.has_header("Content-Length") ? std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10) : 0;
    guard->HeadRead(req.remote_addr, req.remote_port, length);
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_post_routing_handler([&options](const httplib::Request& req, httplib::Response& res) {
    SetSecurityHeaders(options, req, res);
    // The page and the service worker must be revalidated, or a browser mixes app versions.
    auto endsWith = [&](const char* suffix) {
      size_t length = std::strlen(suffix);
      return req.path.size() >= length && req.path.compare(req.path.size() - length, length, suffix) == 0;
    };
    if (!options.staticDir.empty() && (req.path == "/" || endsWith(".html") || endsWith(".js"))) {
      res.set_header("Cache-Control", "no-cache");
    }
  });

  // Every error answer is JSON, also the ones httplib makes itself (413 body too large, 400 bad request line).
  const size_t maxBody = options.maxBodyBytes;
  http.set_error_handler(httplib::Server::HandlerWithResponse([maxBody](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string message = res.status == 413   ? "the body is larger than the relay accepts (" + std::to_string(maxBody) + " bytes)"
                          : res.status == 404 ? "not found"
                                              : "the request could not be read (HTTP status " + std::to_string(res.status) + ")";
    res.set_content("{\"error\":\"" + std::string(ErrorCodeFor(res.status)) + "\",\"message\":\"" + JsonEscape(message) + "\"}",
                    "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }));

  // httplib calls the logger once the answer is written: the request is done then.
  http.set_logger([&options, inFlight, guard](const httplib::Request& req, const httplib::Response& res) {
    guard->Answered(req.remote_addr, req.remote_port);
    if (t_counted) {
      t_counted = false;
      inFlight->fetch_sub(1);
    }
    bool routine = res.status < 300 && (req.path == "/v1/push" || req.path == "/v1/pull");
    if (routine && !options.logAllRequests) return;
    Log(res.status >= 500 ? "error" : "info", "request",
        {{"method", req.method}, {"path", req.path}, {"status", res.status}, {"remote", ClientAddress(req, options.trustedProxies)}});
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

}  // namespace

Server::Server(ServerOptions options, Service& service) : m_impl(std::make_unique<Impl>()) {
  m_impl->options = std::move(options);
  m_impl->service = &service;
  const ServerOptions& opts = m_impl->options;
  GuardLimits limits;
  limits.header = std::chrono::milliseconds(std::max(100, opts.headerTimeoutMs));
  limits.body = std::chrono::milliseconds(std::max(100, opts.bodyTimeoutMs));
  Metrics* metrics = &service.GetMetrics();
  m_impl->guard = std::make_unique<ConnectionGuard>(limits, [metrics](const char* reason) {
    metrics->Add("crm_relay_connections_cut_total", "reason=\"" + std::string(reason) + "\"");
  });
  ConnectionGuard* guard = m_impl->guard.get();
  std::atomic<int>* inFlight = &m_impl->inFlight;
  const bool metricsListener = opts.metricsPort >= 0;

  Service* api = &service;
  auto handle = [api, inFlight, guard, &opts](const httplib::Request& req, httplib::Response& res) {
    guard->Handling(req.remote_addr, req.remote_port);
    if (!t_counted) inFlight->fetch_add(1);  // until its answer is written: see the logger (an unwritten one stays counted)
    t_counted = true;
    ApiRequest request;
    request.method = req.method;
    request.path = req.path;
    for (const auto& [key, value] : req.params) request.query.emplace(key, value);  // the first of repeated keys
    request.authorization = req.get_header_value("Authorization");
    request.contentType = req.get_header_value("Content-Type");
    request.remote = ClientAddress(req, opts.trustedProxies);
    request.body = req.body;
    ApiResponse response = api->Handle(request);
    res.status = response.status;
    for (const auto& [key, value] : response.headers) res.set_header(key, value);
    if (!response.body.empty()) res.set_content(std::move(response.body), response.contentType.c_str());
    res.set_header("Cache-Control", "no-store");
  };

  httplib::Server& http = m_impl->http;
  // /metrics here only with the token, and not when its own listener serves it.
  const bool metricsOnMain = !opts.metricsToken.empty() && !metricsListener;
  Configure(http, opts, std::max(4, opts.threads), metricsOnMain, guard, inFlight, &m_impl->listenSocket);
  http.set_file_extension_and_mimetype_mapping("wasm", "application/wasm");
  http.set_file_extension_and_mimetype_mapping("data", "application/octet-stream");
  http.set_file_extension_and_mimetype_mapping("webmanifest", "application/manifest+json");
  http.set_file_extension_and_mimetype_mapping("ttf", "font/ttf");
  http.Get("/healthz", handle);
  http.Get("/metrics", handle);
  http.Get(R"(/v1/.*)", handle);
  http.Post(R"(/v1/.*)", handle);
  if (!opts.staticDir.empty()) http.set_mount_point("/", opts.staticDir);

  if (metricsListener) {
    // A listener of its own (a private address for the scraper): /metrics and /healthz only.
    m_impl->metricsHttp = std::make_unique<httplib::Server>();
    Configure(*m_impl->metricsHttp, opts, 4, true, guard, inFlight, &m_impl->metricsListenSocket);
    m_impl->metricsHttp->Get("/healthz", handle);
    m_impl->metricsHttp->Get("/metrics", handle);
  }
}

Server::~Server() {
  if (m_impl->metricsThread.joinable()) {
    m_impl->metricsHttp->stop();
    m_impl->metricsThread.join();
  }
  m_impl->guard->Stop();
}

// ---------------------------------------------------------------------------
// [SECTION] bind, run, stop

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
  // httplib 0.11 listens with a backlog of 5: a burst of connections beyond it loses SYNs, and
  // those clients wait a second to retry. listen() again sets a real one.
  if (m_impl->listenSocket >= 0) ::listen(m_impl->listenSocket, SOMAXCONN);
  m_impl->guard->Watch(m_impl->boundPort);
  if (m_impl->metricsHttp) {
    httplib::Server& metrics = *m_impl->metricsHttp;
    m_impl->metricsPort = options.metricsPort == 0 ? metrics.bind_to_any_port(options.metricsHost)
                          : metrics.bind_to_port(options.metricsHost, options.metricsPort) ? options.metricsPort
                                                                                           : -1;
    if (m_impl->metricsPort < 0) {
      return MakeError(ErrorCode::Conflict, "--metrics-listen: cannot listen on " + options.metricsHost + ":" +
                                                std::to_string(options.metricsPort));
    }
    if (m_impl->metricsListenSocket >= 0) ::listen(m_impl->metricsListenSocket, SOMAXCONN);
    m_impl->guard->Watch(m_impl->metricsPort);
  }
  return Ok();
}

Status Server::Run() {
  m_impl->guard->Start();
  if (m_impl->metricsHttp && !m_impl->metricsThread.joinable()) {
    m_impl->metricsThread = std::thread([this] { m_impl->metricsHttp->listen_after_bind(); });
  }
  if (!m_impl->http.listen_after_bind()) return MakeError(ErrorCode::Storage, "the server stopped with an error");
  return Ok();
}

namespace {


}  // namespace

void Server::Stop() {
  m_impl->service->Shutdown();  // held pulls answer now
  m_impl->http.stop();          // no new connections
  if (m_impl->metricsHttp) m_impl->metricsHttp->stop();
  // Requests in flight finish (a push being committed gets its answer); then idle connections go.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (m_impl->inFlight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ShutDownAcceptedConnections(m_impl->boundPort);
  if (m_impl->metricsPort >= 0) ShutDownAcceptedConnections(m_impl->metricsPort);
  if (m_impl->metricsThread.joinable()) m_impl->metricsThread.join();
  m_impl->guard->Stop();
}

int Server::Port() const { return m_impl->boundPort; }

int Server::MetricsPort() const { return m_impl->metricsPort; }

}  // namespace crm::relay
