// The native HTTP transport's error mapping (sync/transport.h): against the real relay where it
// can say so, against nothing (network down), and against a broken server for answers the relay
// never gives (garbage, another wire version).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/customers.h"
#include "relay_test_support.h"

namespace crm::testing_support {
namespace {

// A loopback port nothing listens on (bound, read, closed).
int UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

TEST(HttpTransport, NoRelayMeansStorageRetryLater) {
  sync::HttpEndpoint nowhere{"127.0.0.1", UnusedPort()};
  sync::HttpTransport transport(sync::HttpTransportOptions{nowhere, std::string(64, 'a'), 500, 2});
  auto pushed = transport.PushNow(sync::PushRequest{});
  ASSERT_FALSE(pushed);
  EXPECT_EQ(pushed.Code(), ErrorCode::Storage);
  EXPECT_NE(pushed.Message().find("unreachable"), std::string::npos) << pushed.Message();
  EXPECT_EQ(transport.PullNow(0, 10, 0).Code(), ErrorCode::Storage);
  EXPECT_EQ(transport.SnapshotNow().Code(), ErrorCode::Storage);
  EXPECT_EQ(sync::SignIn(nowhere, sync::SignInRequest{"o", "u", "p", 1, ""}).Code(), ErrorCode::Storage);
  // The asynchronous interface reports the same through its callback.
  bool called = false;
  transport.Pull(0, 10, 0, [&](Result<sync::PullResponse> result) {
    called = true;
    EXPECT_EQ(result.Code(), ErrorCode::Storage);
  });
  EXPECT_TRUE(called);
}

TEST(HttpTransport, TheRelaysAnswersMapToTheirErrors) {
  TempFolder folder("transport");
  relay::RelayOptions options = FastOptions("sqlite:" + folder / "relay.db");
  options.maxBatch = 2;
  TestRelay relay(options);
  OrgOnRelay org(relay);
  TestDevice& admin = org.Admin();
  auto change = [&] { return admin.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "x", admin.actor())); }); };
  auto tooMany = admin.Push({change(), change(), change()});
  ASSERT_FALSE(tooMany);
  EXPECT_EQ(tooMany.Code(), ErrorCode::Invalid) << "413: " << tooMany.Message();
  EXPECT_NE(tooMany.Message().find("at most 2"), std::string::npos) << "the relay's message is kept";
  auto refused = admin.Push({admin.Forge("DELETE FROM audit_log")});
  ASSERT_TRUE(refused) << refused.Message();
  ASSERT_TRUE(refused.Value().refusal);
  EXPECT_EQ(refused.Value().refusal->table, "audit_log");
  sync::HttpTransport stranger(sync::HttpTransportOptions{relay.Endpoint(), std::string(64, 'b')});
  EXPECT_EQ(stranger.PullNow(0, 10, 0).Code(), ErrorCode::Denied);
  EXPECT_EQ(stranger.SnapshotNow().Code(), ErrorCode::Denied);
  auto badSignIn = sync::SignIn(relay.Endpoint(), sync::SignInRequest{org.Name(), "王经理", "wrong", 5, ""});
  EXPECT_EQ(badSignIn.Code(), ErrorCode::Denied);
}

class BrokenServer {
 public:
  BrokenServer() {
    m_port = m_server.bind_to_any_port("127.0.0.1");
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
  }
  ~BrokenServer() {
    m_server.stop();
    m_thread.join();
  }
  httplib::Server& Http() { return m_server; }
  sync::HttpEndpoint Endpoint() const { return {"127.0.0.1", m_port}; }

 private:
  httplib::Server m_server;
  int m_port = 0;
  std::thread m_thread;
};

TEST(HttpTransport, AnswersThatDoNotDecodeAreCorruptOrSchema) {
  BrokenServer broken;
  std::vector<uint8_t> otherVersion = sync::EncodePull(sync::PullResponse{});
  otherVersion[8] = 9;  // the format version's high byte (flag, magic, then the version, little-endian)
  broken.Http().Get("/v1/pull", [&](const httplib::Request& req, httplib::Response& res) {
    std::string after = req.get_param_value("after");
    if (after == "1") res.set_content("garbage", "application/x-crm");
    else if (after == "2") res.set_content(std::string(otherVersion.begin(), otherVersion.end()), "application/x-crm");
    else if (after == "3") {
      res.status = 503;
      res.set_header("Retry-After", "7");
    } else {
      res.status = 400;
      res.set_content("{\"error\":\"bad_request\",\"message\":\"after: nope\"}", "application/json");
    }
  });
  broken.Http().Post("/v1/push", [](const httplib::Request&, httplib::Response& res) {
    res.status = 422;
    res.set_content("not json", "text/plain");
  });
  broken.Http().Get("/v1/snapshot", [](const httplib::Request&, httplib::Response& res) {
    res.status = 429;
    res.set_header("Retry-After", "99999999");
  });
  broken.Http().Post("/v1/signin", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"token\": 5, \"role\": 7}", "application/json");
  });
  sync::HttpTransport transport(sync::HttpTransportOptions{broken.Endpoint(), std::string(64, 'c')});
  EXPECT_EQ(transport.PullNow(1, 10, 0).Code(), ErrorCode::Corrupt);
  auto version = transport.PullNow(2, 10, 0);
  EXPECT_EQ(version.Code(), ErrorCode::Schema) << version.Message();
  EXPECT_EQ(transport.PullNow(3, 10, 0).Code(), ErrorCode::Storage);
  EXPECT_EQ(transport.RetryAfterSeconds(), 7);
  auto invalid = transport.PullNow(4, 10, 0);
  EXPECT_EQ(invalid.Code(), ErrorCode::Invalid);
  EXPECT_NE(invalid.Message().find("after: nope"), std::string::npos) << invalid.Message();
  EXPECT_EQ(transport.PushNow(sync::PushRequest{}).Code(), ErrorCode::Corrupt);
  EXPECT_EQ(transport.RetryAfterSeconds(), 0) << "a later answer that is not busy clears the wait";
  // Every kind of request keeps a busy relay's Retry-After, within the protocol's bound.
  EXPECT_EQ(transport.SnapshotNow().Code(), ErrorCode::Storage);
  EXPECT_EQ(transport.RetryAfterSeconds(), sync::kMaxRetryAfterSeconds);
  EXPECT_EQ(sync::SignIn(broken.Endpoint(), sync::SignInRequest{"o", "u", "p", 1, ""}).Code(), ErrorCode::Corrupt);
}

}  // namespace
}  // namespace crm::testing_support
