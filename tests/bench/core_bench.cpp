// Core benchmarks, natively and compiled to wasm under Node.
//   crm-bench RESULTS.jsonl [only]  runs each benchmark once (those whose names contain `only`),
//                                   appends one JSON line per result and prints a table
//   crm-bench --serve               measures on request, one round at a time, for tests/bench/core_pair.mjs:
//                                   ./crm bench runs the native and the wasm build turn by turn with it,
//                                   so both sides of a wasm/native ratio share the machine's moments
//
// [SECTION] the peer and the data builders
// [SECTION] the data the benchmarks read, built when first needed
// [SECTION] benchmarks: a name, the statistic and target, and one round of measuring
// [SECTION] the two ways to run: on its own, or serving tests/bench/core_pair.mjs
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/customers.h"
#include "core/export.h"
#include "core/import.h"
#include "core/search.h"
#include "core/followups.h"
#include "core/org.h"
#include "core/schema.h"
#include "tests/bench/bench_data.h"
#include "tests/bench/bench_json.h"

using namespace crm;
using namespace crm::bench;

namespace {

// ---------------------------------------------------------------------------
// [SECTION] the peer and the data builders

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
  (void)RefreshPlannerStatistics(db);  // as the app does after opening and importing
  db.SetAuditSuppressed(false);
  return world;
}


// Queries a user types, drawn from the book itself so that they find something.
struct Queries {
  std::vector<std::string> chinese2, chinese3, rareChar, latin, phoneExact, phoneTail;
};

Queries DrawQueries(BenchBook& book, unsigned seed) {
  Queries q;
  std::mt19937 random(seed);
  // Every 25th customer in the order they were made: the same customers natively and in wasm (their ids
  // are random, so an order by id would draw other queries in each run, and the p95 is the few
  // slowest queries of the draw).
  auto stmt = book.db.PrepareOnce("SELECT c.name, p.normalized FROM customers c JOIN customer_phones p ON p.customer_id = c.id "
                                  "WHERE c.id = ?").Value();
  std::vector<std::pair<std::string, std::string>> rows;
  for (size_t i = 0; i < book.customerIds.size() && rows.size() < 4000; i += 25) {
    stmt.Reset();
    stmt.Bind(1, book.customerIds[i]);
    if (stmt.Step().ValueOr(false)) rows.emplace_back(stmt.String(0), stmt.String(1));
  }
  auto chars = [](const std::string& text) {
    std::vector<std::string> out;
    for (size_t i = 0; i < text.size();) {
      size_t n = (static_cast<unsigned char>(text[i]) >= 0xF0) ? 4 : (static_cast<unsigned char>(text[i]) >= 0xE0) ? 3
                 : (static_cast<unsigned char>(text[i]) >= 0xC0) ? 2 : 1;
      out.push_back(text.substr(i, n));
      i += n;
    }
    return out;
  };
  for (const auto& [name, phone] : rows) {
    std::vector<std::string> c = chars(name);
    bool han = !c.empty() && c[0].size() == 3;
    if (han && c.size() >= 5) {
      size_t at = 3 + random() % (c.size() - 4);  // past the city, inside the firm's own name
      if (q.chinese2.size() < 100) q.chinese2.push_back(c[at - 1] + c[at]);
      if (q.chinese3.size() < 100 && at + 1 < c.size()) q.chinese3.push_back(c[at - 1] + c[at] + c[at + 1]);
    }
    if (!han && q.latin.size() < 100) q.latin.push_back(name.substr(name.find(' ') + 1, 4));
    if (q.phoneExact.size() < 100) q.phoneExact.push_back(phone);
    if (q.phoneTail.size() < 100) q.phoneTail.push_back(phone.substr(phone.size() - 4));
  }
  q.rareChar = {"堃", "喆", "犇", "淼"};
  return q;
}

std::string MakeCsv(int rows, unsigned seed) {
  std::mt19937 random(seed);
  std::string csv = "客户名称,手机,城市,地址,客户类型,备注\r\n";
  for (int i = 0; i < rows; i++) {
    std::string city = Cities()[random() % Cities().size()];
    csv += "\"" + FirmName(random, city) + " " + std::to_string(i) + "\",1" + std::to_string(30 + random() % 70) +
           std::to_string(10000000 + random() % 89999999) + "," + city + ",\"解放路" + std::to_string(random() % 900) +
           "号, 2楼\",经销商,\"去年展会认识\"\"老客户\"\"\"\r\n";
  }
  return csv;
}


// ---------------------------------------------------------------------------
// [SECTION] the data the benchmarks read, built when first needed

class Fixtures {
 public:
  // The book of the issue: 100k customers created through CreateCustomer (timed), 1M activities.
  BenchBook& Book() {
    if (!m_book) {
      Stopwatch seeding;
      m_book = std::make_unique<BenchBook>(MakeBook(100000, 1000000));
      std::fprintf(stderr, "book: 100k customers, 1M activities in %.1f s\n", seeding.Ms() / 1000);
      (void)RefreshPlannerStatistics(m_book->db);  // as the app does after opening and importing
      m_queries = DrawQueries(*m_book, 7);
    }
    return *m_book;
  }
  const Queries& BookQueries() {
    Book();
    return m_queries;
  }
  DueWorld& Due() {
    if (!m_due) {
      Stopwatch seeding;
      m_due = std::make_unique<DueWorld>(SeedDueWorld(100000, 1000000, kDueNow));
      std::fprintf(stderr, "due world: 100k customers, 1M activities in %.1f s\n", seeding.Ms() / 1000);
    }
    return *m_due;
  }

  static constexpr int64_t kDueNow = 1772416800000;  // 2026-03-02 10:00 in China

 private:
  std::unique_ptr<BenchBook> m_book;
  Queries m_queries;
  std::unique_ptr<DueWorld> m_due;
};

// ---------------------------------------------------------------------------
// [SECTION] benchmarks: a name, the statistic and target, and one round of measuring

// What one round measured, in the benchmark's unit. A one-off (an insert of 100k) is one sample.
struct Round {
  std::vector<double> samples;
  std::vector<double> peerSamples;  // a peer timed in the same loop, where there is one
  std::optional<double> firstMs;    // the cold first call, on the first round only
  int batch = 1;                    // calls per sample (see kBatchBelowMs)
};

struct Benchmark {
  std::string name;
  std::string unit;
  std::optional<double> target;
  double percentile = 0.95;
  // False for a benchmark that changes its data (inserts, an import): measured once per build.
  bool repeatable = true;
  std::string peerName;
  // samples (of a repeatable benchmark), warm-up calls, first round or not.
  std::function<Round(int samples, int warmup, bool first)> run;
};

// Unmeasured warm-up calls before the samples of a read-only benchmark, the same natively and in wasm.
// V8 runs a wasm function's first calls in its baseline tier until the optimized code is ready
// (measured: the first ~10 due-list calls at 2-25x their later time); the first call of the first
// round, cold, is reported on its own.
constexpr int kWarmupCalls = 30;
// Each of a hundred queries ten times: the p95 then spans seconds rather than a fraction of one, so a
// burst of other work on a shared machine does not decide it on one side of the native/wasm pair.
constexpr int kSamples = 1000;

// A call shorter than this is timed in batches, each sample the mean of its batch: a 30 us due list timed
// one call at a time measured the machine's interrupts as much as the code (its p95 swung 1.4-2.4x between
// runs, its median did not).
constexpr double kBatchBelowMs = 0.1;

// A read-only operation called with a running index (queries cycle through it across rounds). The batch
// size is fixed on the first round from the warm-up calls' median and kept for the later rounds.
Benchmark Sampled(std::string name, double target, std::function<void(int)> call) {
  auto next = std::make_shared<int>(0);
  auto batch = std::make_shared<int>(0);
  Benchmark b{std::move(name), "ms", target};
  b.run = [call = std::move(call), next, batch](int samples, int warmup, bool first) {
    Round round;
    std::vector<double> warm;
    for (int i = 0; i < warmup; i++) {
      Stopwatch watch;
      call((*next)++);
      warm.push_back(watch.Ms());
      if (first && i == 0) round.firstMs = watch.Ms();
    }
    if (*batch == 0) {
      double median = warm.empty() ? kBatchBelowMs : Percentile(warm, 0.5);
      *batch = median >= kBatchBelowMs ? 1 : std::min(100, static_cast<int>(std::ceil(kBatchBelowMs / std::max(median, 1e-4))));
    }
    round.batch = *batch;
    round.samples.reserve(static_cast<size_t>(samples));
    for (int i = 0; i < samples; i++) {
      Stopwatch watch;
      for (int k = 0; k < *batch; k++) call((*next)++);
      round.samples.push_back(watch.Ms() / *batch);
    }
    return round;
  };
  return b;
}

// "core.due_rep_p95_ms@100k" -> "core.due_rep_first_call_ms@100k"
std::string FirstCallName(const std::string& name) {
  std::string out = name;
  size_t at = out.find("_p95_ms");
  if (at != std::string::npos) out.replace(at, 7, "_first_call_ms");
  return out;
}

std::vector<Benchmark> AllBenchmarks(Fixtures& fixtures) {
  std::vector<Benchmark> all;

  // Single inserts against books of three sizes: the cost must not grow with the book.
  for (int size : {1000, 10000, 100000}) {
    Benchmark b{"core.add_customer_p50_us@" + std::to_string(size / 1000) + "k", "us", 1000.0, 0.5, false,
                "sqlite3_exec, no statement cache, no index upkeep"};
    b.run = [size](int, int, bool) {
      Actor actor;
      Db db = SeededDb(size, actor);
      Round round;
      for (int i = 0; i < 2000; i++) {
        Stopwatch ours;
        (void)AddCustomer(db, "新客户 " + std::to_string(i), actor);
        double oursMs = ours.Ms();
        Stopwatch peer;
        NaiveInsert(db.Handle(), 1000000000 + i, "新客户 " + std::to_string(i));
        double peerMs = peer.Ms();
        round.samples.push_back(oursMs * 1000.0);
        round.peerSamples.push_back(peerMs * 1000.0);
      }
      return round;
    };
    all.push_back(std::move(b));
  }

  Benchmark insert{"core.insert_100k_customers_s", "s", std::nullopt, 0.5, false};
  insert.run = [&fixtures](int, int, bool) { return Round{{fixtures.Book().insertSeconds}, {}, std::nullopt}; };
  all.push_back(std::move(insert));

  auto search = [&](const char* name, std::vector<std::string> Queries::*list) {
    all.push_back(Sampled(name, 10.0, [&fixtures, list, name = std::string(name)](int i) {
      const std::vector<std::string>& queries = fixtures.BookQueries().*list;
      auto hits = SearchCustomers(fixtures.Book().db, queries[static_cast<size_t>(i) % queries.size()]);
      if (!hits || hits.Value().empty()) std::fprintf(stderr, "%s: a search found nothing\n", name.c_str());
    }));
  };
  search("core.search_chinese2_p95_ms@100k", &Queries::chinese2);
  search("core.search_chinese3_p95_ms@100k", &Queries::chinese3);
  search("core.search_rare_char_p95_ms@100k", &Queries::rareChar);
  search("core.search_latin_p95_ms@100k", &Queries::latin);
  search("core.search_phone_exact_p95_ms@100k", &Queries::phoneExact);
  search("core.search_phone_tail_p95_ms@100k", &Queries::phoneTail);

  // Each list benchmark draws its pages from a generator of its own, continued across rounds.
  auto list = [&](const char* name, std::function<CustomerQuery(std::mt19937&)> makeQuery) {
    auto random = std::make_shared<std::mt19937>(11);
    all.push_back(Sampled(name, 5.0, [&fixtures, random, makeQuery, name = std::string(name)](int) {
      CustomerQuery query = makeQuery(*random);
      auto page = ListCustomers(fixtures.Book().db, query);
      if (!page) std::fprintf(stderr, "%s: %s\n", name.c_str(), page.Message().c_str());
    }));
  };
  list("core.list_page_recent_p95_ms@100k", [](std::mt19937& random) {
    CustomerQuery query;
    query.offset = static_cast<int>(random() % 2000) * 50;
    return query;
  });
  list("core.list_page_grade_by_activity_p95_ms@100k", [](std::mt19937& random) {
    CustomerQuery query;
    query.grade = Grade::B;
    query.sort = CustomerSort::LastActivity;
    query.offset = static_cast<int>(random() % 100) * 50;
    return query;
  });
  list("core.list_page_owner_by_name_p95_ms@100k", [&fixtures](std::mt19937& random) {
    const auto& reps = fixtures.Book().reps;
    CustomerQuery query;
    query.ownerId = reps[random() % reps.size()].userId;
    query.sort = CustomerSort::Name;
    query.descending = false;
    query.offset = static_cast<int>(random() % 20) * 50;
    return query;
  });
  list("core.list_page_overdue_p95_ms@100k", [](std::mt19937& random) {
    CustomerQuery query;
    query.followup = FollowupFilter::Overdue;
    query.offset = static_cast<int>(random() % 20) * 50;
    return query;
  });
  // The list's search box: a broad two-character term (a quarter of the book are door-and-window firms),
  // the first pages sorted by last change, as the list shows them the moment the typing stops.
  list("core.list_page_search_broad_p95_ms@100k", [](std::mt19937& random) {
    static const char* kTerms[] = {"门窗", "建材", "五金", "装饰"};
    CustomerQuery query;
    query.search = kTerms[random() % 4];
    query.offset = static_cast<int>(random() % 4) * 50;
    return query;
  });
  list("core.list_page_tag_p95_ms@100k", [](std::mt19937& random) {
    CustomerQuery query;
    query.tag = "重点";
    query.sort = CustomerSort::Name;
    query.offset = static_cast<int>(random() % 20) * 50;
    return query;
  });

  // Adds 100k customers to the book, so it comes after everything that reads the book.
  Benchmark import{"core.import_100k_rows_s", "s", std::nullopt, 0.5, false};
  import.run = [&fixtures](int, int, bool) {
    BenchBook& book = fixtures.Book();
    ImportOptions options;
    options.onDuplicate = DuplicatePolicy::Create;
    std::string csv = MakeCsv(100000, 5);
    Stopwatch watch;
    auto report = ImportCustomers(book.db, StringImportSource(std::move(csv), "bench.csv"), options, book.admin);
    double seconds = watch.Ms() / 1000;
    if (!report || report.Value().created != 100000) {
      std::fprintf(stderr, "import: %s\n", report ? "not every row was imported" : report.Message().c_str());
    }
    return Round{{seconds}, {}, std::nullopt};
  };
  all.push_back(std::move(import));

  auto due = [&](const char* name, DueWindow window, bool byTeam, size_t index) {
    all.push_back(Sampled(name, 5.0, [&fixtures, window, byTeam, index](int) {
      DueWorld& world = fixtures.Due();
      DueQuery query;
      query.window = window;
      if (byTeam) query.teamId = world.teams[index];
      else query.ownerId = world.reps[index];
      query.nowMs = Fixtures::kDueNow;
      auto listed = DueFollowups(world.db, query);
      if (!listed || listed.Value().empty()) std::fprintf(stderr, "due list: unexpected result\n");
    }));
  };
  due("core.due_rep_p95_ms@100k", DueWindow::Today, false, 3);
  due("core.due_rep_overdue_p95_ms@100k", DueWindow::Overdue, false, 3);
  due("core.due_team_p95_ms@100k", DueWindow::Overdue, true, 1);
  due("core.due_small_team_p95_ms@100k", DueWindow::Overdue, true, 2);
  due("core.due_team_week_p95_ms@100k", DueWindow::ThisWeek, true, 0);
  return all;
}

// ---------------------------------------------------------------------------
// [SECTION] the two ways to run: on its own, or serving tests/bench/core_pair.mjs

std::string JsonNumbers(const std::vector<double>& values) {
  std::string out = "[";
  char buffer[32];
  for (size_t i = 0; i < values.size(); i++) {
    std::snprintf(buffer, sizeof buffer, "%s%.6g", i ? "," : "", values[i]);
    out += buffer;
  }
  return out + "]";
}

std::string JsonOptional(std::optional<double> value) {
  if (!value) return "null";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", *value);
  return buffer;
}

// Every benchmark once, in order; one JSON line per result appended to `out`, and a table.
int RunAlone(std::vector<Benchmark>& all, const std::string& only, std::FILE* out) {
  auto add = [&](const BenchResult& r) {
    std::fprintf(out, "%s\n", ToJson(r).c_str());
    std::fflush(out);
    std::printf("%-48s %10.3f %-3s target %-8s peer %s\n", r.name.c_str(), r.value, r.unit.c_str(),
                r.target ? std::to_string(*r.target).substr(0, 7).c_str() : "-",
                r.peer ? (std::to_string(*r.peer).substr(0, 8) + " (" + r.peerName + ")").c_str() : "-");
    std::fflush(stdout);
  };
  for (Benchmark& b : all) {
    if (!only.empty() && b.name.find(only) == std::string::npos) continue;
    Round round = b.run(kSamples, kWarmupCalls, true);
    std::optional<double> peer;
    if (!round.peerSamples.empty()) peer = Percentile(round.peerSamples, b.percentile);
    add({b.name, Percentile(round.samples, b.percentile), b.unit, b.target, "lower", peer, peer ? b.peerName : ""});
    if (round.firstMs) add({FirstCallName(b.name), *round.firstMs, "ms", std::nullopt, "lower", std::nullopt, ""});
  }
  return 0;
}

// Requests on stdin, one a line; one JSON line answers each on stdout:
//   list                         -> {"benchmarks":[{"name","unit","target","percentile","repeatable","peer_name"}…]}
//   run NAME SAMPLES WARMUP FIRST -> {"bench":NAME,"samples":[…],"peer_samples":[…],"first_ms":…,"batch":N}
// Progress and warnings go to stderr.
int Serve(std::vector<Benchmark>& all) {
  char line[512];
  while (std::fgets(line, sizeof line, stdin)) {
    std::string request(line);
    while (!request.empty() && (request.back() == '\n' || request.back() == '\r')) request.pop_back();
    if (request == "list") {
      std::string json = "{\"benchmarks\":[";
      for (size_t i = 0; i < all.size(); i++) {
        const Benchmark& b = all[i];
        json += std::string(i ? "," : "") + "{\"name\":\"" + b.name + "\",\"unit\":\"" + b.unit + "\",\"target\":" +
                JsonOptional(b.target) + ",\"percentile\":" + JsonOptional(b.percentile) + ",\"repeatable\":" +
                (b.repeatable ? "true" : "false") + ",\"peer_name\":\"" + b.peerName + "\"}";
      }
      std::printf("%s]}\n", json.c_str());
    } else {
      char name[256];
      int samples = 0, warmup = 0, first = 0;
      Benchmark* found = nullptr;
      if (std::sscanf(request.c_str(), "run %255s %d %d %d", name, &samples, &warmup, &first) == 4) {
        for (Benchmark& b : all) found = b.name == name ? &b : found;
      }
      if (!found || samples < 1 || warmup < 0) {
        std::printf("{\"error\":\"cannot run '%s'\"}\n", request.c_str());
      } else {
        Round round = found->run(samples, warmup, first != 0);
        std::printf("{\"bench\":\"%s\",\"samples\":%s,\"peer_samples\":%s,\"first_ms\":%s,\"batch\":%d}\n",
                    found->name.c_str(), JsonNumbers(round.samples).c_str(), JsonNumbers(round.peerSamples).c_str(),
                    JsonOptional(round.firstMs).c_str(), round.batch);
      }
    }
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Fixtures fixtures;
  std::vector<Benchmark> all = AllBenchmarks(fixtures);
  if (argc == 2 && std::string(argv[1]) == "--serve") return Serve(all);
  if (argc < 2 || argv[1][0] == '-') {
    std::fprintf(stderr, "usage: crm-bench RESULTS.jsonl [only]\n       crm-bench --serve\n");
    return 2;
  }
  std::FILE* out = std::fopen(argv[1], "a");
  if (!out) {
    std::fprintf(stderr, "crm-bench: cannot open %s\n", argv[1]);
    return 1;
  }
  int status = RunAlone(all, argc > 2 ? argv[2] : "", out);
  std::fclose(out);
  return status;
}
