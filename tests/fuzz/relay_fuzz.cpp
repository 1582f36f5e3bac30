// libFuzzer target: the relay's request decoding and validation, through the service (no HTTP):
// push bodies (wire decoding, every row of every changeset checked against the copy, applied),
// pull parameters, and the JSON of sign-in, set-up and admin. Whatever the bytes, the relay answers
// with a status below 500 and does not crash.
//
// Built with clang (-fsanitize=fuzzer,address,undefined) in its own tree (./crm builds build/fuzz);
// ./crm test runs it for a few seconds, ./crm soak for longer. CRM_FUZZ_SEEDS=DIR writes seed
// inputs (valid pushes of real changesets, queries, JSON) into an empty DIR first.
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/customers.h"
#include "core/ids.h"
#include "core/org.h"
#include "core/schema.h"
#include "sync/changeset.h"
#include "fuzz_support.h"
#include "sync/relay/service.h"
#include "sync/wire.h"

namespace {

using namespace crm;

struct Fixture {
  std::string dir;
  std::unique_ptr<relay::Service> service;
  std::string adminToken, repToken;
  int64_t repId = 0, repDevice = 0, adminId = 0;
  int64_t spareId = 0;  // whose password and role the inputs change (a new password ends that user's tokens)
};
Fixture* g_fixture = nullptr;

using fuzz::JsonField;

relay::ApiResponse Post(const std::string& path, const std::string& body, const std::string& token = "") {
  return fuzz::PostJson(*g_fixture->service, path, body, token);
}

// Real changesets, as a rep's device captures them, for the seed corpus.
std::vector<std::vector<uint8_t>> SeedPushes() {
  std::vector<std::vector<uint8_t>> pushes;
  Db db = Db::OpenMemory().Value();
  (void)Migrate(db);
  (void)db.Exec("INSERT INTO users (id, name, role, created_at, updated_at, created_by, updated_by, device_id) VALUES (" +
                std::to_string(g_fixture->repId) + ", 'rep', 'rep', 1, 1, 1, 1, 1)");
  Actor actor{g_fixture->repId, g_fixture->repDevice};
  auto capture = [&](const std::function<void()>& change) {
    auto session = sync::ChangesetCapture::Start(db, SyncedTables());
    change();
    sync::ChangesetEnvelope envelope{NewId(), actor.userId, actor.deviceId, LatestSchemaVersion(), NowMs(),
                                     session.Value().Changeset().ValueOr({})};
    return envelope;
  };
  int64_t customer = 0;
  auto first = capture([&] {
    CustomerInput input;
    input.name = "种子客户";
    input.phones = {"13800001111"};
    input.tags = {"门窗"};
    customer = CreateCustomer(db, input, actor).ValueOr(0);
  });
  auto second = capture([&] {
    CustomerInput input;
    input.name = "改名";
    (void)UpdateCustomer(db, customer, input, actor);
  });
  auto third = capture([&] { (void)TrashCustomer(db, customer, actor); });
  pushes.push_back(sync::EncodePush(sync::PushRequest{{first}}));
  pushes.push_back(sync::EncodePush(sync::PushRequest{{first, second, third}}));
  return pushes;
}

void WriteSeeds(const std::string& dir) {
  std::filesystem::create_directories(dir);
  if (!std::filesystem::is_empty(dir)) return;
  int n = 0;
  auto write = [&](uint8_t selector, const std::string& body) {
    std::ofstream(dir + "/seed-" + std::to_string(n++), std::ios::binary) << static_cast<char>(selector) << body;
  };
  for (const auto& push : SeedPushes()) write(0, std::string(push.begin(), push.end()));
  write(2, "{\"organisation\":\"种子公司\",\"user\":\"rep\",\"password\":\"rep password\",\"device_id\":\"12\",\"device_secret\":\"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\",\"device_name\":\"d\"}");
  write(3, "{\"setup_token\":\"" + std::string(64, 'a') + "\",\"organisation\":\"o\",\"admin_name\":\"a\",\"password\":\"12345678\",\"device_id\":\"1\",\"device_secret\":\"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"}");
  write(4, "{\"name\":\"新人\",\"role\":\"rep\",\"password\":\"12345678\",\"team_id\":\"5\"}");
  write(5, "after=1&limit=10");
  write(6, "{\"role\":\"leader\"}");
}

void SetUp() {
  char pattern[] = "/tmp/crm-fuzz-XXXXXX";
  g_fixture = new Fixture;
  g_fixture->dir = mkdtemp(pattern);
  auto service = relay::Service::Open(fuzz::FuzzRelayOptions(g_fixture->dir));
  if (!service) {
    std::fprintf(stderr, "fuzz: cannot open the relay: %s\n", service.Message().c_str());
    std::abort();
  }
  g_fixture->service = std::move(service).Value();
  std::string token = g_fixture->service->NewSetupToken().Value();
  auto setup = Post("/v1/setup", "{\"setup_token\":\"" + token +
                                     "\",\"organisation\":\"种子公司\",\"admin_name\":\"admin\",\"password\":\"admin password\",\"device_id\":\"11\",\"device_secret\":\"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"}");
  g_fixture->adminToken = JsonField(setup.body, "token");
  g_fixture->adminId = std::strtoll(JsonField(setup.body, "user_id").c_str(), nullptr, 10);
  auto rep = Post("/v1/admin/users", "{\"name\":\"rep\",\"role\":\"rep\",\"password\":\"rep password\"}", g_fixture->adminToken);
  g_fixture->repId = std::strtoll(JsonField(rep.body, "user_id").c_str(), nullptr, 10);
  g_fixture->repDevice = 12;
  auto spare = Post("/v1/admin/users", "{\"name\":\"spare\",\"role\":\"rep\",\"password\":\"spare password\"}", g_fixture->adminToken);
  g_fixture->spareId = std::strtoll(JsonField(spare.body, "user_id").c_str(), nullptr, 10);
  auto signin = Post("/v1/signin", "{\"organisation\":\"种子公司\",\"user\":\"rep\",\"password\":\"rep password\",\"device_id\":\"12\",\"device_secret\":\"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"}");
  g_fixture->repToken = JsonField(signin.body, "token");
  if (g_fixture->adminToken.empty() || g_fixture->repToken.empty()) {
    std::fprintf(stderr, "fuzz: set-up failed: %s / %s\n", setup.body.c_str(), signin.body.c_str());
    std::abort();
  }
  std::atexit([] {
    std::string dir = g_fixture->dir;
    g_fixture->service.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  });
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  SetUp();
  if (const char* seeds = std::getenv("CRM_FUZZ_SEEDS")) WriteSeeds(seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  relay::ApiRequest request;
  request.method = "POST";
  request.remote = "fuzz";
  request.contentType = "application/json";
  switch (data[0] % 8) {
    case 0: request.path = "/v1/push"; request.contentType = "application/x-crm"; request.authorization = "Bearer " + g_fixture->repToken; break;
    case 1: request.path = "/v1/push"; request.contentType = "application/x-crm"; request.authorization = "Bearer " + g_fixture->adminToken; break;
    case 2: request.path = "/v1/signin"; break;
    case 3: request.path = "/v1/setup"; break;
    case 4: request.path = "/v1/admin/users"; request.authorization = "Bearer " + g_fixture->adminToken; break;
    case 5: {
      // A query string; never a wait (the fuzzer must not sleep).
      request.method = "GET";
      request.path = "/v1/pull";
      request.authorization = "Bearer " + g_fixture->repToken;
      size_t at = 0;
      while (at <= body.size()) {
        size_t end = body.find('&', at);
        if (end == std::string::npos) end = body.size();
        std::string pair = body.substr(at, end - at);
        size_t equals = pair.find('=');
        std::string key = pair.substr(0, equals);
        if (key != "wait") request.query.emplace(key, equals == std::string::npos ? "" : pair.substr(equals + 1));
        at = end + 1;
      }
      body.clear();
      break;
    }
    case 6: request.path = "/v1/admin/users/" + std::to_string(g_fixture->spareId) + "/role"; request.authorization = "Bearer " + g_fixture->adminToken; break;
    default: request.path = "/v1/admin/users/" + std::to_string(g_fixture->spareId) + "/password"; request.authorization = "Bearer " + g_fixture->adminToken; break;
  }
  request.body = std::move(body);
  relay::ApiResponse response = g_fixture->service->Handle(request);
  if (response.status >= 500 || response.status < 200) {
    std::fprintf(stderr, "fuzz: %s %s answered %d: %s\n", request.method.c_str(), request.path.c_str(), response.status, response.body.c_str());
    std::abort();
  }
  // The wire decoders on their own, for the other messages a client decodes.
  (void)sync::DecodePull(data, size);
  (void)sync::DecodePushResponse(std::vector<uint8_t>(data, data + size));
  return 0;
}
