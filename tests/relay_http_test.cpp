// The relay's HTTP layer under abuse: held pulls, slow and oversized requests, forwarded
// addresses, the password-hash queue, security headers, /metrics and JSON bodies.
// Each test runs a real relay: the in-process Server on a free port, or the crm-relay binary.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "relay_process.h"
#include "relay_test_support.h"

namespace crm::testing_support {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// A raw connection, for requests httplib's client will not send.
class RawSocket {
 public:
  explicit RawSocket(int port) {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    m_connected = ::connect(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawSocket() {
    if (m_fd >= 0) ::close(m_fd);
  }
  bool Connected() const { return m_connected; }
  bool Send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(m_fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  // What arrives within `seconds` or until the peer closes.
  std::string Read(double seconds) {
    timeval timeout{static_cast<time_t>(seconds), static_cast<suseconds_t>((seconds - static_cast<int>(seconds)) * 1e6)};
    ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string text;
    char buffer[4096];
    auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < deadline) {
      ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      text.append(buffer, static_cast<size_t>(n));
      if (text.find("\r\n\r\n") != std::string::npos && text.find("Content-Length: ") != std::string::npos) {
        size_t length = std::strtoul(text.c_str() + text.find("Content-Length: ") + 16, nullptr, 10);
        if (text.size() >= text.find("\r\n\r\n") + 4 + length) break;
      }
    }
    return text;
  }
  int Status(double seconds) {
    std::string answer = Read(seconds);
    return answer.rfind("HTTP/1.1 ", 0) == 0 ? std::atoi(answer.c_str() + 9) : 0;
  }

 private:
  int m_fd = -1;
  bool m_connected = false;
};

// GET `path`; the status (0: no answer within `seconds`).
int Get(int port, const std::string& path, double seconds, const std::string& token = "") {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(static_cast<time_t>(seconds) + 1, 0);
  client.set_read_timeout(static_cast<time_t>(seconds) + 1, 0);
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  auto result = client.Get(path.c_str(), headers);
  return result ? result->status : 0;
}

// ---------------------------------------------------------------------------
// Held pulls

// `count` held pulls from `device` at once; how many answered within `quick` seconds.
int HeldPulls(TestRelay& relay, TestDevice& device, int count, double quick, std::vector<std::thread>& threads) {
  auto answered = std::make_shared<std::atomic<int>>(0);
  for (int i = 0; i < count; i++) {
    threads.emplace_back([&relay, &device, answered, quick] {
      auto start = Clock::now();
      HttpAnswer answer = Call(relay.Endpoint(), "GET", "/v1/pull?after=" + std::to_string(device.Seq()) + "&wait=20", device.Token());
      if (answer.status == 200 && SecondsSince(start) < quick) answered->fetch_add(1);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  return answered->load();
}

void ExpectOthersServed(TestRelay& relay, OrgOnRelay& other) {
  auto start = Clock::now();
  EXPECT_EQ(Get(relay.Port(), "/healthz", 1), 200);
  EXPECT_LT(SecondsSince(start), 1.0) << "/healthz waited for a thread";
  start = Clock::now();
  HttpAnswer pulled = Call(relay.Endpoint(), "GET", "/v1/pull?after=0", other.Admin().Token());
  EXPECT_EQ(pulled.status, 200);
  EXPECT_LT(SecondsSince(start), 1.0) << "another organisation's pull waited for a thread";
}

TEST(RelayHttp, HeldPullsPerDeviceAreCapped) {
  TempFolder folder("http_held_device");
  relay::RelayOptions options = FastOptions("sqlite:" + folder / "relay.db");
  options.maxHeldPullsPerDevice = 2;
  relay::ServerOptions server;
  server.threads = 8;
  TestRelay relay(options, server);
  OrgOnRelay greedy(relay, "贪心公司"), other(relay, "别的公司");
  std::vector<std::thread> threads;
  int quick = HeldPulls(relay, greedy.Admin(), 12, 1.0, threads);
  EXPECT_GE(quick, 10) << "past 2 held pulls a device's pull answers at once";
  ExpectOthersServed(relay, other);
  relay.Stop();  // ends the held ones
  for (auto& thread : threads) thread.join();
}

TEST(RelayHttp, HeldPullsPerOrganisationAreCapped) {
  TempFolder folder("http_held_org");
  relay::RelayOptions options = FastOptions("sqlite:" + folder / "relay.db");
  options.maxHeldPullsPerDevice = 100;
  options.maxHeldPullsPerOrg = 3;
  relay::ServerOptions server;
  server.threads = 8;
  TestRelay relay(options, server);
  OrgOnRelay greedy(relay, "贪心公司"), other(relay, "别的公司");
  std::vector<std::thread> threads;
  int quick = HeldPulls(relay, greedy.Admin(), 12, 1.0, threads);
  EXPECT_GE(quick, 9) << "past 3 held pulls an organisation's pull answers at once";
  ExpectOthersServed(relay, other);
  relay.Stop();
  for (auto& thread : threads) thread.join();
}

// ---------------------------------------------------------------------------
// Slow and oversized requests

// The binary, with a few threads and a short header deadline: slow clients are cut, /healthz answers.
TEST(RelayHttp, SlowHeadersDoNotStarveHealthz) {
  TempFolder folder("http_slow");
  RelayProcess process(CRM_RELAY_BIN, {"--store", "sqlite:" + folder / "relay.db", "--password-cost", "min", "--threads", "4",
                                       "--header-timeout", "1"},
                       folder / "relay.log");
  ASSERT_TRUE(process.Start()) << process.Log();
  std::atomic<bool> stop{false};
  std::vector<std::thread> slow;
  for (int i = 0; i < 10; i++) {
    slow.emplace_back([&] {
      // A header byte every 200 ms, for ever; reconnecting when cut, as an attacker would.
      const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(1000, 'a');
      while (!stop) {
        RawSocket socket(process.Port());
        for (size_t at = 0; !stop && at < request.size() && socket.Send(request.substr(at, 1)); at++) {
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  for (int round = 0; round < 3; round++) {
    auto start = Clock::now();
    EXPECT_EQ(Get(process.Port(), "/healthz", 5), 200);
    EXPECT_LT(SecondsSince(start), 2.5) << "round " << round;
  }
  stop = true;
  for (auto& thread : slow) thread.join();
}

class RelayHttpTest : public testing::Test {
 protected:
  TempFolder m_folder{"relay_http"};
  TestRelay m_relay{FastOptions("sqlite:" + m_folder / "relay.db")};
};

TEST_F(RelayHttpTest, TooManyHeadersAre431) {
  RawSocket socket(m_relay.Port());
  std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 100; i++) request += "X-H" + std::to_string(i) + ": v\r\n";
  ASSERT_TRUE(socket.Send(request + "\r\n"));
  EXPECT_EQ(socket.Status(3), 431);
}

TEST_F(RelayHttpTest, AHeaderLineOverTheLimitIsRefused) {
  RawSocket socket(m_relay.Port());
  ASSERT_TRUE(socket.Send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n"));
  int status = socket.Status(3);
  EXPECT_TRUE(status == 400 || status == 431) << status;
}

// A head that never ends is cut once it is larger than the relay reads, and the relay goes on.
TEST_F(RelayHttpTest, AnEndlessHeadIsCut) {
  RawSocket socket(m_relay.Port());
  ASSERT_TRUE(socket.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  const std::string line = "X-More: " + std::string(100, 'a') + "\r\n";
  std::string block;
  for (int i = 0; i < 100; i++) block += line;  // 11 KB
  auto start = Clock::now();
  bool cut = false;
  while (SecondsSince(start) < 10) {
    if (!socket.Send(block)) {
      cut = true;
      break;
    }
  }
  EXPECT_TRUE(cut) << "10 s of header lines were read";
  EXPECT_LT(SecondsSince(start), 5.0);
  EXPECT_EQ(Get(m_relay.Port(), "/healthz", 2), 200);
}

TEST_F(RelayHttpTest, ChunkedBodiesAre411OnEveryPath) {
  for (const char* path : {"/healthz", "/", "/v1/signin", "/v1/push", "/anything"}) {
    RawSocket socket(m_relay.Port());
    ASSERT_TRUE(socket.Send(std::string("POST ") + path + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n"));
    EXPECT_EQ(socket.Status(3), 411) << path;
  }
}

// No Content-Length and no Transfer-Encoding: no body (as `curl -X POST URL` sends), answered at once
// instead of read until the peer closes.
TEST_F(RelayHttpTest, APostWithoutALengthHasNoBody) {
  RawSocket socket(m_relay.Port());
  ASSERT_TRUE(socket.Send("POST /v1/signin HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto start = Clock::now();
  EXPECT_EQ(socket.Status(3), 400) << "an empty sign-in body";
  EXPECT_LT(SecondsSince(start), 1.0);
}

// Refused from the head alone: no byte of the body is sent.
TEST_F(RelayHttpTest, ALengthOverTheLimitIs413AtOnce) {
  struct Case {
    const char* path;
    size_t length;
  };
  for (const Case& c : {Case{"/healthz", 400u << 20}, Case{"/v1/push", (16u << 20) + 1}, Case{"/v1/signin", 70000},
                        Case{"/", 1u << 20}}) {
    RawSocket socket(m_relay.Port());
    ASSERT_TRUE(socket.Send(std::string("POST ") + c.path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                            std::to_string(c.length) + "\r\n\r\n"));
    auto start = Clock::now();
    EXPECT_EQ(socket.Status(3), 413) << c.path;
    EXPECT_LT(SecondsSince(start), 1.0) << c.path;
  }
}

// ---------------------------------------------------------------------------
// Forwarded addresses

int SignInAttempt(int port, const std::string& forwarded) {
  httplib::Client client("127.0.0.1", port);
  httplib::Headers headers{{"X-Forwarded-For", forwarded}};
  auto result = client.Post("/v1/signin", headers, "{}", "application/json");
  return result ? result->status : 0;
}

TEST(RelayHttp, ForwardedForIsIgnoredUnlessThePeerIsATrustedProxy) {
  TempFolder folder("http_xff");
  relay::RelayOptions options = FastOptions("sqlite:" + folder / "relay.db");
  options.signInRate = relay::RateLimit{0.01, 3};
  TestRelay relay(options);
  for (int i = 0; i < 3; i++) EXPECT_EQ(SignInAttempt(relay.Port(), "203.0.113." + std::to_string(i)), 400) << i;
  EXPECT_EQ(SignInAttempt(relay.Port(), "198.51.100.9"), 429) << "a spoofed header must not make a new client";
}

TEST(RelayHttp, ATrustedProxysLastForwardedEntryIsTheClient) {
  TempFolder folder("http_xff_trusted");
  relay::RelayOptions options = FastOptions("sqlite:" + folder / "relay.db");
  options.signInRate = relay::RateLimit{0.01, 3};
  relay::ServerOptions server;
  server.trustedProxies = {"127.0.0.1"};
  TestRelay relay(options, server);
  for (int i = 0; i < 3; i++) EXPECT_EQ(SignInAttempt(relay.Port(), "10.0.0." + std::to_string(i) + ", 203.0.113.7"), 400) << i;
  EXPECT_EQ(SignInAttempt(relay.Port(), "10.9.9.9, 203.0.113.7"), 429) << "the last entry is the key, not the first";
  EXPECT_EQ(SignInAttempt(relay.Port(), "203.0.113.7, 198.51.100.2"), 400) << "another client";
}

// ---------------------------------------------------------------------------
// The password-hash queue

TEST(RelayHttp, APasswordFloodIs503WithRetryAfterPastTheQueue) {
  TempFolder folder("http_gate");
  relay::RelayOptions options = FastOptions("sqlite:" + folder / "relay.db");
  options.passwordCost = relay::PasswordCost::Interactive;  // slow enough to queue
  options.maxHashWaiting = 1;
  relay::ServerOptions server;
  server.threads = 32;
  TestRelay relay(options, server);
  const std::string body = nlohmann::json{{"organisation", "没有这家公司"}, {"user", "张三"}, {"password", "wrong password"},
                                          {"device_id", "12345"}, {"device_name", "phone"},
                                          {"device_secret", std::string(43, 'x')}}.dump();
  std::vector<std::future<HttpAnswer>> answers;
  for (int i = 0; i < 12; i++) {
    answers.push_back(std::async(std::launch::async, [&] { return Call(relay.Endpoint(), "POST", "/v1/signin", "", body); }));
  }
  int busy = 0, refused = 0;
  for (auto& future : answers) {
    HttpAnswer answer = future.get();
    if (answer.status == 503) {
      busy++;
      EXPECT_EQ(answer.retryAfter, "1");
      EXPECT_EQ(answer.Json().value("error", ""), "busy");
    } else {
      EXPECT_EQ(answer.status, 401) << answer.body;
      refused++;
    }
  }
  EXPECT_GE(busy, 1) << "12 at once with 2 slots and 1 waiting";
  EXPECT_GE(refused, 3);
}

// ---------------------------------------------------------------------------
// Security headers

std::string Sha256Base64(const std::string& text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char base64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(base64, sizeof base64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
  return base64;
}

// The app's real page (shell.html): served with a policy that lets its inline script and style run
// and nothing else inline.
TEST(RelayHttp, TheAppIsServedWithSecurityHeaders) {
  TempFolder folder("http_headers");
  std::filesystem::path site = folder.Path() / "site";
  std::filesystem::create_directories(site);
  const std::filesystem::path shell = std::filesystem::path(CRM_PG_SCRIPT).parent_path().parent_path().parent_path() / "shell.html";
  std::filesystem::copy_file(shell, site / "index.html");
  std::ofstream(site / "crm.js") << "console.log(1)";
  std::stringstream text;
  text << std::ifstream(shell).rdbuf();
  const std::string html = text.str();
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+\s*=)"))) << "an inline event handler: the policy blocks it";
  EXPECT_EQ(html.find("javascript:"), std::string::npos);

  relay::ServerOptions server;
  server.staticDir = site.string();
  TestRelay relay(FastOptions("sqlite:" + folder / "relay.db"), server);
  httplib::Client client("127.0.0.1", relay.Port());
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  const std::string csp = page->get_header_value("Content-Security-Policy");
  for (const char* part : {"default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "connect-src 'self'", "worker-src 'self'",
                           "frame-ancestors 'none'", "img-src 'self' data:"}) {
    EXPECT_NE(csp.find(part), std::string::npos) << part << " in " << csp;
  }
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  // Every inline script and style is allowed by its hash.
  std::regex inline_(R"(<(script|style)>([\s\S]*?)</(script|style)>)");
  int inlines = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), inline_), end; it != end; ++it, ++inlines) {
    EXPECT_NE(csp.find("'sha256-" + Sha256Base64((*it)[2].str()) + "'"), std::string::npos) << (*it)[1].str();
  }
  EXPECT_GE(inlines, 2);
  // A browser asks for a compressed page: the hashes are still those of the page as written.
  auto compressed = client.Get("/", httplib::Headers{{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(compressed);
  const std::string compressedCsp = compressed->get_header_value("Content-Security-Policy");
  for (std::sregex_iterator it(html.begin(), html.end(), inline_), end; it != end; ++it) {
    EXPECT_NE(compressedCsp.find("'sha256-" + Sha256Base64((*it)[2].str()) + "'"), std::string::npos)
        << (*it)[1].str() << " (encoding " << compressed->get_header_value("Content-Encoding") << ")";
  }
  for (const std::string path : {"/", "/crm.js", "/healthz", "/v1/pull", "/missing"}) {
    auto res = client.Get(path.c_str());
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(res->get_header_value("Referrer-Policy"), "no-referrer") << path;
    EXPECT_EQ(res->get_header_value("X-Frame-Options"), "DENY") << path;
    EXPECT_NE(res->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos) << path;
  }
}

// ---------------------------------------------------------------------------
// /metrics

TEST_F(RelayHttpTest, MetricsAreOffByDefault) {
  EXPECT_EQ(Get(m_relay.Port(), "/metrics", 2), 404);
  EXPECT_EQ(Get(m_relay.Port(), "/healthz", 2), 200);
}

TEST(RelayHttp, MetricsNeedTheirToken) {
  TempFolder folder("http_metrics_token");
  relay::ServerOptions server;
  server.metricsToken = "a-metrics-token-of-some-length";
  TestRelay relay(FastOptions("sqlite:" + folder / "relay.db"), server);
  EXPECT_EQ(Get(relay.Port(), "/metrics", 2), 401);
  EXPECT_EQ(Get(relay.Port(), "/metrics", 2, "a-metrics-token-of-some-lengtX"), 401);
  EXPECT_EQ(Get(relay.Port(), "/metrics", 2, "a-metrics-token"), 401);
  EXPECT_EQ(Get(relay.Port(), "/metrics", 2, "a-metrics-token-of-some-length"), 200);
}

TEST(RelayHttp, MetricsCanHaveTheirOwnListener) {
  TempFolder folder("http_metrics_listen");
  relay::ServerOptions server;
  server.metricsPort = 0;
  auto service = relay::Service::Open(FastOptions("sqlite:" + folder / "relay.db"));
  ASSERT_TRUE(service) << service.Message();
  server.port = 0;
  relay::Server relayServer(server, *service.Value());
  ASSERT_TRUE(relayServer.Bind());
  std::thread thread([&] { (void)relayServer.Run(); });
  ASSERT_GT(relayServer.MetricsPort(), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Get(relayServer.Port(), "/metrics", 2), 404) << "not on the public port";
  EXPECT_EQ(Get(relayServer.MetricsPort(), "/metrics", 2), 200);
  EXPECT_EQ(Get(relayServer.MetricsPort(), "/healthz", 2), 200);
  EXPECT_EQ(Get(relayServer.MetricsPort(), "/v1/pull", 2), 404) << "the metrics listener serves nothing else";
  relayServer.Stop();
  thread.join();
}

// ---------------------------------------------------------------------------
// JSON bodies

TEST_F(RelayHttpTest, JsonEndpointsNeedTheJsonType) {
  for (const char* path : {"/v1/signin", "/v1/setup", "/v1/admin/users"}) {
    HttpAnswer answer = Call(m_relay.Endpoint(), "POST", path, "", "{\"organisation\":\"x\"}", "text/plain");
    EXPECT_EQ(answer.status, 415) << path << ": " << answer.body;
    EXPECT_EQ(answer.Json().value("error", ""), "unsupported_media_type");
  }
  HttpAnswer withCharset = Call(m_relay.Endpoint(), "POST", "/v1/signin", "", "{}", "Application/JSON; charset=utf-8");
  EXPECT_EQ(withCharset.status, 400) << "the type is right; the fields are missing: " << withCharset.body;
}

TEST_F(RelayHttpTest, DuplicateJsonKeysAre400) {
  for (const char* body : {R"({"organisation":"a","organisation":"b"})", R"({"x":{"y":1,"y":2}})", R"({"x":[{"y":1,"z":2,"y":3}]})"}) {
    HttpAnswer answer = Call(m_relay.Endpoint(), "POST", "/v1/signin", "", body);
    EXPECT_EQ(answer.status, 400) << body;
    EXPECT_NE(answer.body.find("repeats a key"), std::string::npos) << body << ": " << answer.body;
  }
  HttpAnswer nested = Call(m_relay.Endpoint(), "POST", "/v1/signin", "", R"({"x":{"x":1},"y":[{"x":2},{"x":3}]})");
  EXPECT_EQ(nested.body.find("repeats a key"), std::string::npos) << "the same key in different objects is fine";
}

}  // namespace
}  // namespace crm::testing_support
