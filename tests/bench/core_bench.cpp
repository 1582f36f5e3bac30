// Core benchmarks, native. Usage: crm-bench RESULTS.jsonl
// Appends one JSON line per result and prints a table.
#include <sqlite3.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/customers.h"
#include "core/org.h"
#include "core/schema.h"
#include "tests/bench/bench_json.h"

using namespace crm;
using namespace crm::bench;

namespace {

// The peer: the same insert with SQL text built per call and no statement cache.
int64_t NaiveInsert(sqlite3* db, int64_t id, const std::string& name) {
  std::string sql = "INSERT INTO customers(id, name, created_at, updated_at, created_by, updated_by, device_id) VALUES(" +
                    std::to_string(id) + ", '" + name + "', 1, 1, 1, 1, 1)";
  return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
}

Db SeededDb(int count, Actor& actor) {
  Db db = Db::OpenMemory().Value();
  (void)Migrate(db);
  actor = EnsureLocalOwner(db, "bench", 1).Value();
  auto txn = db.Begin();
  for (int i = 0; i < count; i++) (void)AddCustomer(db, "客户 " + std::to_string(i), actor);
  (void)txn.Value().Commit();
  return db;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: crm-bench RESULTS.jsonl\n");
    return 2;
  }
  std::FILE* out = std::fopen(argv[1], "a");
  if (!out) {
    std::fprintf(stderr, "crm-bench: cannot open %s\n", argv[1]);
    return 1;
  }
  std::vector<BenchResult> results;

  for (int size : {1000, 10000, 100000}) {
    std::string at = "@" + std::to_string(size / 1000) + "k";
    Actor actor;
    Db db = SeededDb(size, actor);
    const int rounds = 2000;
    std::vector<double> ours;
    std::vector<double> peer;
    for (int i = 0; i < rounds; i++) {
      Stopwatch watch;
      (void)AddCustomer(db, "新客户 " + std::to_string(i), actor);
      ours.push_back(watch.Ms() * 1000.0);
      Stopwatch peerWatch;
      NaiveInsert(db.Handle(), 1000000000 + i, "新客户 " + std::to_string(i));
      peer.push_back(peerWatch.Ms() * 1000.0);
    }
    results.push_back({"core.add_customer_p50_us" + at, Percentile(ours, 0.5), "us", 1000.0, "lower", Percentile(peer, 0.5),
                       "sqlite3_exec without statement cache"});

    std::vector<double> counts;
    for (int i = 0; i < 50; i++) {
      Stopwatch watch;
      (void)CountCustomers(db);
      counts.push_back(watch.Ms());
    }
    results.push_back({"core.count_customers_p50_ms" + at, Percentile(counts, 0.5), "ms", 10.0, "lower", std::nullopt, ""});
  }

  std::printf("%-36s %12s %6s %10s %12s\n", "bench", "value", "unit", "target", "peer");
  for (const BenchResult& r : results) {
    std::fprintf(out, "%s\n", ToJson(r).c_str());
    std::printf("%-36s %12.3f %6s %10.3f %12s\n", r.name.c_str(), r.value, r.unit.c_str(), r.target.value_or(0),
                r.peer ? std::to_string(*r.peer).c_str() : "-");
  }
  std::fclose(out);
  return 0;
}
