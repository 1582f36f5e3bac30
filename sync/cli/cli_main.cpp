// crm-cli: the CRM core from a terminal, for operators and scripts: inspect a
// database, add records, generate sample books for benchmarks.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/customers.h"
#include "core/db.h"
#include "core/org.h"
#include "core/schema.h"

namespace {

const char* kUsage = R"(crm-cli: work with a CRM database file

Usage:
  crm-cli info DB             schema version, SQLite version, record counts
  crm-cli add DB NAME         add a customer named NAME
  crm-cli seed DB COUNT       add COUNT generated customers in one transaction
  crm-cli --help
)";

int Fail(const std::string& message) {
  std::fprintf(stderr, "crm-cli: %s\n", message.c_str());
  return 1;
}

crm::Result<crm::Db> OpenMigrated(const std::string& path) {
  CRM_ASSIGN_OR_RETURN(crm::Db db, crm::Db::Open(path));
  CRM_TRY(crm::Migrate(db));
  return db;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string command = argv[1];
  if (argc < 3) return Fail(command + ": needs a database path\n" + kUsage);
  auto db = OpenMigrated(argv[2]);
  if (!db) return Fail(db.Message());
  auto owner = crm::EnsureLocalOwner(db.Value(), "管理员", 0);
  if (!owner) return Fail(owner.Message());
  const crm::Actor cli = owner.Value();

  if (command == "info") {
    auto version = crm::SchemaVersion(db.Value());
    auto count = crm::CountCustomers(db.Value());
    if (!version || !count) return Fail(!version ? version.Message() : count.Message());
    std::printf("{\"schema\":%d,\"sqlite\":\"%s\",\"customers\":%lld}\n", version.Value(), crm::SqliteVersion(),
                static_cast<long long>(count.Value()));
    return 0;
  }
  if (command == "add") {
    if (argc < 4) return Fail("add: needs a NAME");
    auto id = crm::AddCustomer(db.Value(), argv[3], cli);
    if (!id) return Fail(id.Message());
    std::printf("%lld\n", static_cast<long long>(id.Value()));
    return 0;
  }
  if (command == "seed") {
    if (argc < 4) return Fail("seed: needs a COUNT");
    char* end = nullptr;
    long long count = std::strtoll(argv[3], &end, 10);
    if (!end || *end || count < 0) return Fail(std::string("seed: COUNT must be a whole number, got '") + argv[3] + "'");
    auto txn = db.Value().Begin();
    if (!txn) return Fail(txn.Message());
    for (long long i = 0; i < count; i++) {
      auto id = crm::AddCustomer(db.Value(), "客户 " + std::to_string(i + 1), cli);
      if (!id) return Fail(id.Message());
    }
    if (auto committed = txn.Value().Commit(); !committed) return Fail(committed.Message());
    std::printf("%lld\n", count);
    return 0;
  }
  return Fail("unknown command '" + command + "'\n" + kUsage);
}
