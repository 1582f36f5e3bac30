// The relay killed with SIGKILL while 20 devices push, on the SQLite store; and stopped with
// SIGTERM while pulls are held open. (The PostgreSQL run is in relay_pg_test.cpp.)
#include <gtest/gtest.h>

#include "relay_crash.h"

namespace crm::testing_support {
namespace {

TEST(RelayCrash, KillNineWhileTwentyDevicesPushLosesAndDoublesNothingOnSqlite) {
  TempFolder folder("relay_crash");
  CrashScenario scenario;
  scenario.args = {"--store", "sqlite:" + folder / "relay.db"};
  scenario.logPath = folder / "relay.log";
  RunKillNineScenario(scenario);
  if (HasFailure()) {
    std::ifstream log(scenario.logPath);
    std::string line, tail;
    while (std::getline(log, line)) tail = tail.size() > 20000 ? line + "\n" : tail + line + "\n";
    ADD_FAILURE() << "relay log (end):\n" << tail;
  }
}

TEST(RelayCrash, SigtermEndsHeldPullsAndStopsCleanly) {
  TempFolder folder("relay_sigterm");
  RelayProcess relay(CRM_RELAY_BIN, {"--store", "sqlite:" + folder / "relay.db", "--password-cost", "min"}, folder / "relay.log");
  ASSERT_TRUE(relay.Start()) << relay.Log();
  sync::HttpEndpoint endpoint{"127.0.0.1", relay.Port()};
  auto admin = sync::SetUp(endpoint, sync::SetupRequest{SetupTokenFromLog(relay.Log()), "公司", "管理员", "admin password", 7, "x"});
  ASSERT_TRUE(admin) << admin.Message();
  sync::HttpTransport transport(sync::HttpTransportOptions{endpoint, admin.Value().token});
  Result<sync::PullResponse> held = MakeError(ErrorCode::Generic, "not run");
  std::thread pull([&] { held = transport.PullNow(1, 10, 30); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(relay.Terminate(), 0);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  pull.join();
  EXPECT_LT(seconds, 5.0) << "a held pull must not keep the relay from stopping";
  ASSERT_TRUE(held) << "the held pull gets its (empty) answer before the relay stops: " << held.Message();
  EXPECT_TRUE(held.Value().changesets.empty());
  EXPECT_NE(relay.Log().find("\"msg\":\"stopped\""), std::string::npos);
}

}  // namespace
}  // namespace crm::testing_support
