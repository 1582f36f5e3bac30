// Corrupt, truncated and oversized requests get clear 4xx answers, and the relay keeps serving.
// Raw sockets for what an HTTP client library would never send; the service itself for a
// randomized run over mutated pushes.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>

#include "core/customers.h"
#include "relay_test_support.h"

namespace crm::testing_support {
namespace {

// Sends `bytes` (then half-closes when `close` is set) and returns what came back before the
// relay closed the connection or a second passed.
std::string RawExchange(int port, const std::string& bytes, bool close = false) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return "<no connection>";
  }
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the relay may answer (413) and close before taking everything
    sent += static_cast<size_t>(n);
  }
  if (close) ::shutdown(fd, SHUT_WR);
  std::string answer;
  char buffer[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(7);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) {
      if (!answer.empty()) break;
      continue;
    }
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    answer.append(buffer, static_cast<size_t>(n));
    // A whole answer (headers and Content-Length bytes) is enough: the connection may stay open.
    size_t end = answer.find("\r\n\r\n");
    if (end == std::string::npos) continue;
    size_t length = 0;
    size_t header = answer.find("Content-Length: ");
    if (header != std::string::npos && header < end) length = std::strtoull(answer.c_str() + header + 16, nullptr, 10);
    if (answer.size() >= end + 4 + length) break;
  }
  ::close(fd);
  return answer;
}

int StatusOf(const std::string& answer) {
  if (answer.rfind("HTTP/1.", 0) != 0 || answer.size() < 12) return 0;
  return std::atoi(answer.substr(9, 3).c_str());
}

class RelayMalformedTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(m_relay.Ok());
    TestDevice& admin = m_org.Admin();
    m_valid = admin.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "正常客户", admin.actor())); });
  }
  void ExpectAlive() {
    HttpAnswer health = Call(m_relay.Endpoint(), "GET", "/healthz");
    ASSERT_EQ(health.status, 200) << "the relay stopped answering";
  }
  std::string Push(const std::string& body) {
    return "POST /v1/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + m_org.Admin().Token() +
           "\r\nContent-Type: application/x-crm\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  TempFolder m_folder{"relay_malformed"};
  TestRelay m_relay{FastOptions("sqlite:" + m_folder / "relay.db")};
  OrgOnRelay m_org{m_relay};
  sync::ChangesetEnvelope m_valid;
};

TEST_F(RelayMalformedTest, BrokenHttpGetsA4xxOrAClosedConnection) {
  const int port = m_relay.Port();
  EXPECT_EQ(StatusOf(RawExchange(port, "HELLO\r\n\r\n")), 400);
  EXPECT_EQ(StatusOf(RawExchange(port, "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n")), 414);
  std::string huge = RawExchange(port, "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(200000, 'b') + "\r\n\r\n");
  int hugeStatus = StatusOf(huge);
  EXPECT_TRUE(hugeStatus == 0 || (hugeStatus >= 400 && hugeStatus < 500)) << huge.substr(0, 200);
  ExpectAlive();
  // Announced 1 GiB: refused before it is read.
  std::string big = RawExchange(port, "POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\nxyz");
  EXPECT_EQ(StatusOf(big), 413) << big.substr(0, 200);
  EXPECT_NE(big.find("\"error\":\"too_large\""), std::string::npos) << big;
  // Chunked, growing past the limit.
  std::string chunked = "POST /v1/push HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; i++) chunked += "100000\r\n" + std::string(0x100000, 'c') + "\r\n";
  chunked += "0\r\n\r\n";
  std::string chunkedAnswer = RawExchange(port, chunked);
  EXPECT_EQ(StatusOf(chunkedAnswer), 411) << "chunked bodies could grow without a bound: Content-Length only";
  EXPECT_NE(chunkedAnswer.find("Content-Length"), std::string::npos);
  // Announced 1000 bytes, sent 3, then the client went away.
  std::string truncated = RawExchange(port, Push(std::string(1000, 'x')).substr(0, 300));
  int truncatedStatus = StatusOf(truncated);
  EXPECT_TRUE(truncatedStatus == 0 || truncatedStatus == 400) << truncated.substr(0, 200);
  EXPECT_EQ(StatusOf(RawExchange(port, "GET /v1/pull?after=0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer\r\n\r\n")), 401);
  EXPECT_EQ(StatusOf(RawExchange(port, "DELETE /v1/push HTTP/1.1\r\nHost: x\r\n\r\n")), 404);
  EXPECT_EQ(StatusOf(RawExchange(port, "BREW /v1/push HTTP/1.1\r\nHost: x\r\n\r\n")), 400);
  ExpectAlive();
}

TEST_F(RelayMalformedTest, BadPushBodiesAre400AndBadChangesets422) {
  const int port = m_relay.Port();
  std::vector<uint8_t> valid = sync::EncodePush(sync::PushRequest{{m_valid}});
  std::string body(valid.begin(), valid.end());
  // Every truncation of a valid push.
  for (size_t length = 0; length < body.size(); length += std::max<size_t>(1, body.size() / 97)) {
    std::string answer = RawExchange(port, Push(body.substr(0, length)));
    EXPECT_EQ(StatusOf(answer), 400) << "length " << length << ": " << answer.substr(0, 300);
  }
  // Wrong magic, wrong version, a hostile count.
  std::string wrongMagic = body;
  wrongMagic[1] = 'X';
  EXPECT_EQ(StatusOf(RawExchange(port, Push(wrongMagic))), 400);
  std::string wrongVersion = body;
  wrongVersion[5] = 9;
  EXPECT_EQ(StatusOf(RawExchange(port, Push(wrongVersion))), 400);
  std::string hostile = body.substr(0, 9) + std::string("\xff\xff\xff\xff\xff\x00\x00\x00", 8);
  std::string hostileAnswer = RawExchange(port, Push(hostile));
  EXPECT_EQ(StatusOf(hostileAnswer), 400) << hostileAnswer;
  // A well-formed push whose changeset is garbage: a refusal naming it.
  sync::ChangesetEnvelope garbage = m_valid;
  garbage.changesetId = NewId();
  garbage.changeset = std::vector<uint8_t>{'T', 3, 'c', 'u', 's', 0, 1, 2, 3, 4, 5};
  auto garbageBody = sync::EncodePush(sync::PushRequest{{garbage}});
  std::string refused = RawExchange(port, Push(std::string(garbageBody.begin(), garbageBody.end())));
  EXPECT_EQ(StatusOf(refused), 422) << refused;
  EXPECT_NE(refused.find(std::to_string(garbage.changesetId)), std::string::npos) << refused;
  ExpectAlive();
  // After all that, the valid push still goes through, once.
  std::string accepted = RawExchange(port, Push(body));
  EXPECT_EQ(StatusOf(accepted), 200) << accepted.substr(0, 300);
}

TEST_F(RelayMalformedTest, BadJsonIs400AndHugeJson413) {
  auto post = [&](const std::string& path, const std::string& body) { return Call(m_relay.Endpoint(), "POST", path, "", body); };
  EXPECT_EQ(post("/v1/signin", "").status, 400);
  EXPECT_EQ(post("/v1/signin", "{\"organisation\":").status, 400);
  EXPECT_EQ(post("/v1/signin", std::string(30000, '[')).status, 400);
  EXPECT_EQ(post("/v1/signin", std::string(100000, '[')).status, 413);
  EXPECT_EQ(post("/v1/signin", std::string("{\"organisation\":\"\xff\xfe\",\"user\":\"u\",\"password\":\"p\",\"device_id\":\"1\"}")).status, 400);
  EXPECT_EQ(post("/v1/signin", std::string("{\"a\":1}\0garbage", 15)).status, 400);
  EXPECT_EQ(post("/v1/setup", "{\"device_id\": 1e400}").status, 400);
  HttpAnswer admin = Call(m_relay.Endpoint(), "POST", "/v1/admin/users", m_org.Admin().Token(), "{\"name\": [1,2,3]}");
  EXPECT_EQ(admin.status, 400) << admin.body;
  ExpectAlive();
}

// A quick randomized run over mutated pushes and JSON bodies, through the service: the answer
// is always a 2xx or a clear 4xx, never a 5xx, and never a crash. (The libFuzzer target in
// tests/fuzz does this for real under ./crm soak.)
TEST_F(RelayMalformedTest, MutatedRequestsNeverBreakTheRelay) {
  relay::Service& service = m_relay.Service();
  std::vector<uint8_t> valid = sync::EncodePush(sync::PushRequest{{m_valid}});
  std::mt19937 random(20240601);
  std::map<int, int> statuses;
  for (int i = 0; i < 1500; i++) {
    std::vector<uint8_t> bytes = valid;
    int edits = 1 + static_cast<int>(random() % 8);
    for (int e = 0; e < edits; e++) {
      switch (random() % 4) {
        case 0: bytes[random() % bytes.size()] ^= static_cast<uint8_t>(1u << (random() % 8)); break;
        case 1: bytes[random() % bytes.size()] = static_cast<uint8_t>(random()); break;
        case 2: bytes.resize(random() % (bytes.size() + 1)); if (bytes.empty()) bytes.push_back(0); break;
        default: bytes.insert(bytes.begin() + static_cast<long>(random() % bytes.size()), static_cast<uint8_t>(random())); break;
      }
    }
    relay::ApiRequest request;
    request.method = "POST";
    request.path = i % 5 == 0 ? "/v1/signin" : "/v1/push";
    request.authorization = "Bearer " + m_org.Admin().Token();
    request.body.assign(bytes.begin(), bytes.end());
    relay::ApiResponse response = service.Handle(request);
    statuses[response.status]++;
    ASSERT_LT(response.status, 500) << "iteration " << i << ": " << response.body;
  }
  EXPECT_GT(statuses[400], 0);
  EXPECT_GT(statuses[422], 0) << "some mutations decode and reach the changeset checks";
  ExpectAlive();
}

}  // namespace
}  // namespace crm::testing_support
