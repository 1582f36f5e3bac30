#include "sync/relay/server.h"

#include "relay_test_support.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

namespace crm::relay {
namespace {

class RelayServerTest : public testing::Test {
 protected:
  void SetUp() override {
    // ctest runs each test in its own process, several at once: every process needs its own folder.
    m_site = std::filesystem::path(testing::TempDir()) / ("crm_relay_site_" + std::to_string(::getpid()));
    std::filesystem::create_directories(m_site);
    std::ofstream(m_site / "index.html") << "<!doctype html><title>客户管理</title>";
    std::ofstream(m_site / "crm.wasm", std::ios::binary) << std::string("\0asm\1\0\0\0", 8);
    auto service = Service::Open(testing_support::FastOptions("sqlite:" + m_store / "relay.db"));
    ASSERT_TRUE(service) << service.Message();
    m_service = std::move(service).Value();
    ServerOptions options;
    options.port = 0;
    options.staticDir = m_site.string();
    m_server = std::make_unique<Server>(options, *m_service);
    ASSERT_TRUE(m_server->Bind());
    m_thread = std::thread([this] { (void)m_server->Run(); });
    m_client = std::make_unique<httplib::Client>("127.0.0.1", m_server->Port());
  }
  void TearDown() override {
    m_server->Stop();
    if (m_thread.joinable()) m_thread.join();
    std::filesystem::remove_all(m_site);
  }

  std::filesystem::path m_site;
  testing_support::TempFolder m_store{"relay_server"};
  std::unique_ptr<Service> m_service;
  std::unique_ptr<Server> m_server;
  std::thread m_thread;
  std::unique_ptr<httplib::Client> m_client;
};

TEST_F(RelayServerTest, HealthzReportsVersions) {
  auto res = m_client->Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("\"status\":\"ok\""), std::string::npos);
  EXPECT_NE(res->body.find("\"sqlite\":\"3.53.2\""), std::string::npos);
}

TEST_F(RelayServerTest, ServesTheWebAppWithTheRightTypes) {
  auto page = m_client->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("客户管理"), std::string::npos);
  EXPECT_EQ(page->get_header_value("Cache-Control"), "no-cache");
  auto wasm = m_client->Get("/crm.wasm");
  ASSERT_TRUE(wasm);
  EXPECT_EQ(wasm->get_header_value("Content-Type"), "application/wasm");
}

TEST_F(RelayServerTest, UnknownPathIs404) {
  auto res = m_client->Get("/no-such-file.js");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

TEST(RelayServer, ABusyPortIsAClearError) {
  testing_support::TempFolder folder("busy_port");
  auto service = Service::Open(testing_support::FastOptions("sqlite:" + folder / "relay.db"));
  ASSERT_TRUE(service) << service.Message();
  ServerOptions first;
  first.port = 0;
  Server a(first, *service.Value());
  ASSERT_TRUE(a.Bind());
  ServerOptions second;
  second.port = a.Port();
  Server b(second, *service.Value());
  Status bound = b.Bind();
  ASSERT_FALSE(bound);
  EXPECT_NE(bound.Message().find("cannot listen on 127.0.0.1:" + std::to_string(a.Port())), std::string::npos) << bound.Message();
}

TEST(RelayServer, MissingStaticDirIsAClearError) {
  testing_support::TempFolder folder("missing_static");
  auto service = Service::Open(testing_support::FastOptions("sqlite:" + folder / "relay.db"));
  ASSERT_TRUE(service) << service.Message();
  ServerOptions options;
  options.port = 0;
  options.staticDir = "/nonexistent/crm/site";
  Server server(options, *service.Value());
  Status bound = server.Bind();
  ASSERT_FALSE(bound);
  EXPECT_NE(bound.Message().find("is not a directory"), std::string::npos);
}

TEST(ParseListen, AcceptsHostPortForms) {
  EXPECT_EQ(ParseListen("127.0.0.1:8787").Value(), std::make_pair(std::string("127.0.0.1"), 8787));
  EXPECT_EQ(ParseListen(":9000").Value(), std::make_pair(std::string("127.0.0.1"), 9000));
  EXPECT_EQ(ParseListen("0.0.0.0:80").Value(), std::make_pair(std::string("0.0.0.0"), 80));
  EXPECT_EQ(ParseListen("[::1]:8787").Value(), std::make_pair(std::string("::1"), 8787));
  EXPECT_FALSE(ParseListen("localhost:http"));
  EXPECT_FALSE(ParseListen("127.0.0.1:70000"));
  EXPECT_FALSE(ParseListen(""));
}

}  // namespace
}  // namespace crm::relay
