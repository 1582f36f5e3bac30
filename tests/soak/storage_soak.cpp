// Storage soak: random writes, rollbacks and reopenings of a database file for
// a bounded time; after every step the committed count must match a model.
// Usage: crm-soak [SECONDS] [SEED]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "core/customers.h"
#include "core/org.h"
#include "core/schema.h"

using namespace crm;

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 30.0;
  unsigned seed = argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10)) : std::random_device{}();
  std::mt19937 random(seed);
  std::string path = (std::filesystem::temp_directory_path() / ("crm_soak_" + std::to_string(seed) + ".db")).string();
  std::filesystem::remove(path);
  std::printf("storage soak: %.0f s, seed %u, %s\n", seconds, seed, path.c_str());

  int64_t expected = 0;
  long steps = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  auto fail = [&](const std::string& what) {
    std::fprintf(stderr, "FAILED at step %ld (seed %u): %s\n", steps, seed, what.c_str());
    return 1;
  };
  auto opened = Db::Open(path);
  if (!opened) return fail(opened.Message());
  Db db = std::move(opened).Value();
  if (auto migrated = Migrate(db); !migrated) return fail(migrated.Message());
  auto owner = EnsureLocalOwner(db, "soak", 1);
  if (!owner) return fail(owner.Message());
  const Actor actor = owner.Value();

  while (std::chrono::steady_clock::now() < deadline) {
    steps++;
    int action = std::uniform_int_distribution<int>(0, 9)(random);
    if (action < 6) {  // a committed batch
      int batch = std::uniform_int_distribution<int>(1, 20)(random);
      auto txn = db.Begin();
      if (!txn) return fail(txn.Message());
      for (int i = 0; i < batch; i++) {
        if (auto added = AddCustomer(db, "客户" + std::to_string(steps) + "-" + std::to_string(i), actor); !added) {
          return fail(added.Message());
        }
      }
      if (auto committed = txn.Value().Commit(); !committed) return fail(committed.Message());
      expected += batch;
    } else if (action < 8) {  // a batch abandoned mid-way: must leave nothing behind
      auto txn = db.Begin();
      if (!txn) return fail(txn.Message());
      (void)AddCustomer(db, "回滚", actor);
    } else {  // close and reopen, as a reload does
      db = Db::Open(path).Value();
    }
    auto count = CountCustomers(db);
    if (!count) return fail(count.Message());
    if (count.Value() != expected) {
      return fail("expected " + std::to_string(expected) + " customers, found " + std::to_string(count.Value()));
    }
  }
  auto integrity = db.PrepareOnce("PRAGMA integrity_check");
  if (!integrity || !integrity.Value().Step().ValueOr(false) || integrity.Value().String(0) != "ok") {
    return fail("integrity_check did not return ok");
  }
  std::printf("storage soak: %ld steps, %lld customers, integrity ok\n", steps, static_cast<long long>(expected));
  std::printf("1 passed, 0 failed\n");
  std::filesystem::remove(path);
  return 0;
}
