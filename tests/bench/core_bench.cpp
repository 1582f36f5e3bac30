// Core benchmarks, native. Usage: crm-bench RESULTS.jsonl [due]
// Appends one JSON line per result and prints a table.
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/customers.h"
#include "core/followups.h"
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

// The due-list workload: 20 reps in teams of 9, 9 and 2, `customers` customers spread over them, `activities`
// visits, one open class follow-up per customer due between 60 days ago and 90 days ahead, plus
// 10% done ones. Direct SQL in one transaction, audit off: this measures reading, not seeding.
struct DueWorld {
  Db db;
  std::vector<int64_t> reps;
  std::vector<int64_t> teams;
};

DueWorld SeedDueWorld(int customers, int activities, int64_t now) {
  DueWorld world{Db::OpenMemory().Value(), {}, {}};
  Db& db = world.db;
  (void)Migrate(db);
  db.SetAuditSuppressed(true);
  auto txn = db.Begin();
  // Teams of 9, 9 and 2 reps: the small one exercises the per-member merge of DueFollowups.
  const int teamOf[20] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2};
  std::vector<int64_t> repTeam;
  for (int t = 0; t < 3; t++) {
    world.teams.push_back(1000 + t);
    (void)db.Exec("INSERT INTO teams(id, name, created_at, updated_at, created_by, updated_by, device_id) VALUES(" +
                  std::to_string(1000 + t) + ", 'team', 1, 1, 1, 1, 1)");
  }
  for (int r = 0; r < 20; r++) {
    int64_t rep = 2000 + r;
    world.reps.push_back(rep);
    repTeam.push_back(1000 + teamOf[r]);
    (void)db.Exec("INSERT INTO users(id, name, role, team_id, created_at, updated_at, created_by, updated_by, device_id) "
                  "VALUES(" + std::to_string(rep) + ", 'rep', 'rep', " + std::to_string(1000 + teamOf[r]) + ", 1, 1, 1, 1, 1)");
  }
  const int64_t day = 86400000;
  uint64_t seed = 42;
  auto next = [&seed](uint64_t bound) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (seed >> 11) % bound;
  };
  auto customer = db.Prepare(
      "INSERT INTO customers(id, name, owner_id, team_id, grade, last_activity_at, created_at, updated_at, created_by, "
      "updated_by, device_id, deleted_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, 1, 1, 1, ?)").Value();
  auto followup = db.Prepare(
      "INSERT INTO followups(id, customer_id, owner_id, due_at, reason, status, done_at, created_at, updated_at, created_by, "
      "updated_by, device_id) VALUES(?, ?, ?, ?, 'class_rule', ?, ?, 1, 1, 1, 1, 1)").Value();
  const char* grades[] = {"A", "B", "C", "D"};
  int64_t followupId = 1;
  for (int i = 1; i <= customers; i++) {
    int64_t rep = world.reps[static_cast<size_t>(i) % world.reps.size()];
    int64_t team = repTeam[static_cast<size_t>(i) % world.reps.size()];
    int64_t due = now - 60 * day + static_cast<int64_t>(next(150 * day));
    customer.Reset();
    customer.BindAll(int64_t{i}, "客户 " + std::to_string(i), rep, team, grades[next(4)], now - static_cast<int64_t>(next(90 * day)),
                     now - 400 * day, now - 400 * day);
    if (i % 200 == 0) customer.Bind(9, now);  // 0.5% in the trash
    else customer.Bind(9, Null{});
    (void)customer.Run();
    followup.Reset();
    followup.BindAll(followupId++, int64_t{i}, rep, due, "open", Null{});
    (void)followup.Run();
    if (i % 10 == 0) {
      followup.Reset();
      followup.BindAll(followupId++, int64_t{i}, rep, due - 30 * day, "done", due - 30 * day);
      (void)followup.Run();
    }
  }
  auto activity = db.Prepare(
      "INSERT INTO activities(id, customer_id, kind, occurred_at, user_id, summary, created_at, updated_at, created_by, "
      "updated_by, device_id) VALUES(?, ?, 'visit', ?, ?, '拜访小结', 1, 1, 1, 1, 1)").Value();
  for (int i = 1; i <= activities; i++) {
    activity.Reset();
    activity.BindAll(int64_t{i}, static_cast<int64_t>(1 + next(static_cast<uint64_t>(customers))),
                     now - static_cast<int64_t>(next(365 * day)), world.reps[next(world.reps.size())]);
    (void)activity.Run();
  }
  (void)txn.Value().Commit();
  (void)db.Exec("ANALYZE");
  db.SetAuditSuppressed(false);
  return world;
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

  // `crm-bench RESULTS.jsonl due` runs only the due-list benchmarks.
  const bool dueOnly = argc > 2 && std::string(argv[2]) == "due";
  for (int size : {1000, 10000, 100000}) {
    if (dueOnly) break;
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

  {
    const int64_t now = 1772416800000;  // 2026-03-02 10:00 in China
    Stopwatch seeding;
    DueWorld world = SeedDueWorld(100000, 1000000, now);
    std::printf("seeded 100k customers, 1M activities in %.0f ms\n", seeding.Ms());
    if (const char* save = std::getenv("CRM_BENCH_SAVE")) (void)world.db.Exec(std::string("VACUUM INTO '") + save + "'");
    if (std::getenv("CRM_BENCH_PLAN")) {
      for (const char* who : {"f.owner_id = ?1 AND ", "f.owner_id IN (SELECT id FROM users WHERE team_id = ?1 AND deleted_at IS NULL) AND "}) {
        auto plan = world.db.PrepareOnce(std::string("EXPLAIN QUERY PLAN SELECT f.id FROM followups f JOIN customers c ON c.id = f.customer_id WHERE ") + who +
            "f.status = 'open' AND f.due_at >= ?2 AND f.due_at < ?3 AND f.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY f.due_at, f.id LIMIT ?4").Value();
        while (plan.Step().ValueOr(false)) std::printf("plan: %s\n", plan.String(3).c_str());
      }
    }
    auto measure = [&](DueWindow window, std::optional<int64_t> owner, std::optional<int64_t> team) {
      std::vector<double> samples;
      for (int i = 0; i < 200; i++) {
        DueQuery query;
        query.window = window;
        query.ownerId = owner;
        query.teamId = team;
        query.nowMs = now;
        Stopwatch watch;
        auto list = DueFollowups(world.db, query);
        samples.push_back(watch.Ms());
        if (!list || list.Value().empty()) std::fprintf(stderr, "due list: unexpected result\n");
      }
      return Percentile(samples, 0.95);
    };
    results.push_back({"core.due_rep_p95_ms@100k", measure(DueWindow::Today, world.reps[3], std::nullopt), "ms", 5.0, "lower",
                       std::nullopt, ""});
    results.push_back({"core.due_rep_overdue_p95_ms@100k", measure(DueWindow::Overdue, world.reps[3], std::nullopt), "ms", 5.0,
                       "lower", std::nullopt, ""});
    results.push_back({"core.due_team_p95_ms@100k", measure(DueWindow::Overdue, std::nullopt, world.teams[1]), "ms", 5.0,
                       "lower", std::nullopt, ""});
    results.push_back({"core.due_small_team_p95_ms@100k", measure(DueWindow::Overdue, std::nullopt, world.teams[2]), "ms", 5.0,
                       "lower", std::nullopt, ""});
    results.push_back({"core.due_team_week_p95_ms@100k", measure(DueWindow::ThisWeek, std::nullopt, world.teams[0]), "ms", 5.0,
                       "lower", std::nullopt, ""});
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
