#pragma once
// A relay for tests: the real service and HTTP server on a free loopback port,
// over a store in a folder of its own (ctest runs test processes side by side),
// plus devices that sign in and capture real changesets with core.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "core/ids.h"
#include "core/org.h"
#include "core/schema.h"
#include "sync/changeset.h"
#include "sync/journal.h"
#include "sync/net/http_transport.h"
#include "sync/relay/server.h"
#include "sync/relay/service.h"

namespace crm::testing_support {

// A fresh folder under the test temp dir, removed with the object.
class TempFolder {
 public:
  explicit TempFolder(const std::string& tag) {
    static std::atomic<int> counter{0};
    std::random_device random;
    m_path = std::filesystem::path(testing::TempDir()) /
             ("crm_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(random()));
    std::filesystem::create_directories(m_path);
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  const std::filesystem::path& Path() const { return m_path; }
  std::string operator/(const std::string& name) const { return (m_path / name).string(); }

 private:
  std::filesystem::path m_path;
};

inline relay::RelayOptions FastOptions(const std::string& store) {
  relay::RelayOptions options;
  options.store = store;
  options.passwordCost = relay::PasswordCost::Minimum;
  options.deviceRate = relay::RateLimit{0, 1};  // off
  options.signInRate = relay::RateLimit{0, 1};
  return options;
}

// The service and its HTTP server, running on a thread.
class TestRelay {
 public:
  explicit TestRelay(relay::RelayOptions options, relay::ServerOptions server = {}) {
    auto service = relay::Service::Open(options);
    if (!service) {
      ADD_FAILURE() << "cannot open the relay: " << service.Message();
      return;
    }
    m_service = std::move(service).Value();
    server.port = 0;
    m_server = std::make_unique<relay::Server>(server, *m_service);
    Status bound = m_server->Bind();
    if (!bound) {
      ADD_FAILURE() << bound.Message();
      m_server.reset();
      return;
    }
    m_thread = std::thread([this] { (void)m_server->Run(); });
  }
  ~TestRelay() { Stop(); }
  void Stop() {
    if (m_server) m_server->Stop();
    if (m_thread.joinable()) m_thread.join();
    m_server.reset();
    m_service.reset();
  }
  bool Ok() const { return m_server != nullptr; }
  int Port() const { return m_server ? m_server->Port() : 0; }
  sync::HttpEndpoint Endpoint() const { return sync::HttpEndpoint{"127.0.0.1", Port()}; }
  relay::Service& Service() { return *m_service; }
  std::string SetupToken() {
    auto token = m_service->NewSetupToken();
    EXPECT_TRUE(token) << token.Message();
    return token.ValueOr("");
  }

 private:
  std::unique_ptr<relay::Service> m_service;
  std::unique_ptr<relay::Server> m_server;
  std::thread m_thread;
};

}  // namespace crm::testing_support
