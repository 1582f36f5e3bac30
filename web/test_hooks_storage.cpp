// window.crmTest's storage hooks, for the browser tests and the storage benchmark:
// make edits the way a screen does and learn when they are durable, seed a large
// book, read the database, and drive the IDBFS peer the benchmark compares with.
// Compiled only into the test build.
#include <emscripten.h>

#include <optional>
#include <random>
#include <string>

#include "core/customers.h"
#include "core/ids.h"
#include "core/schema.h"
#include "core/text.h"
#include "tests/bench/bench_data.h"
#include "web/platform.h"
#include "web/storage.h"

namespace crm::web {

namespace {
std::string g_reply;          // the last string handed to JavaScript
std::optional<Db> g_idbfsDb;  // the benchmark's peer: the same book in a file on IDBFS
std::mt19937 g_random(7);


// One customer added as the home screen's button does it, then saved.
bool AddOne(Db& db, const std::string& name) {
  Platform& platform = GetPlatform();
  auto added = AddCustomer(db, name, platform.app.actor);
  if (!added) {
    platform.app.home.lastError = added.Message();
    return false;
  }
  return true;
}
}  // namespace

extern "C" {

// Adds `count` customers named prefix + i, each its own commit and journal record.
// Returns the seq of the last one's record (wait for it with whenDurable), or -1.
EMSCRIPTEN_KEEPALIVE double crm_test_add_customers(int count, const char* prefix) {
  Platform& platform = GetPlatform();
  if (!platform.app.db) return -1;
  for (int i = 0; i < count; i++) {
    if (!AddOne(*platform.app.db, std::string(prefix) + std::to_string(i))) return -1;
    (void)ui::RefreshCounts(platform.app);
    platform.app.requestPersist();
  }
  ui::NoteDataChanges(platform.app);  // the lists read them, as after a change made on a screen
  return static_cast<double>(GetStorage().CapturedSeq());
}

EMSCRIPTEN_KEEPALIVE double crm_test_durable_seq() { return static_cast<double>(GetStorage().DurableSeq()); }

// The first column of every row, as a JSON array of strings; {"error":…} on failure.
EMSCRIPTEN_KEEPALIVE const char* crm_test_query(const char* sql) {
  Platform& platform = GetPlatform();
  if (!platform.app.db) return g_reply.assign("{\"error\":\"no database open\"}").c_str();
  auto stmt = platform.app.db->PrepareOnce(sql);
  if (!stmt) return (g_reply = "{\"error\":" + JsonString(stmt.Message()) + "}").c_str();
  std::string out = "[";
  while (true) {
    auto row = stmt.Value().Step();
    if (!row) return (g_reply = "{\"error\":" + JsonString(row.Message()) + "}").c_str();
    if (!row.Value()) break;
    if (out.size() > 1) out += ",";
    out += stmt.Value().IsNull(0) ? std::string("null") : JsonString(stmt.Value().String(0));
  }
  g_reply = out + "]";
  return g_reply.c_str();
}

// A realistic book of `count` customers (bench_data.h's names, cities and phones),
// written with direct SQL in one transaction (CreateCustomer's checks would make a
// 100k book take minutes in wasm), then saved as one snapshot. Returns its seq.
EMSCRIPTEN_KEEPALIVE double crm_test_seed(int count) {
  Platform& platform = GetPlatform();
  if (!platform.app.db) return -1;
  Db& db = *platform.app.db;
  std::mt19937 random(20261122);
  const char* grades[] = {"A", "B", "B", "C", "C", "C", "D"};
  GetStorage().BeginBulkLoad();
  db.SetAuditSuppressed(true);  // generated data is not a user's change
  bool ok = true;
  {
    auto txn = db.Begin();
    auto customer = db.Prepare(
        "INSERT INTO customers(id, name, phone, city, grade, owner_id, created_at, updated_at, created_by, updated_by, device_id) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    auto phone = db.Prepare(
        "INSERT INTO customer_phones(id, customer_id, phone, normalized, created_at, updated_at, created_by, updated_by, device_id) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!txn || !customer || !phone) return -1;
    const Actor& actor = platform.app.actor;
    int64_t now = NowMs();
    for (int i = 0; i < count && ok; i++) {
      std::string city = bench::Cities()[random() % bench::Cities().size()];
      std::string number = "1" + std::to_string(30 + random() % 70) + std::to_string(10000000 + random() % 89999999);
      int64_t id = NewId();
      customer.Value().BindAll(id, bench::FirmName(random, city), number, city, grades[random() % 7], actor.userId, now, now,
                               actor.userId, actor.userId, actor.deviceId);
      ok = customer.Value().Run().IsOk();
      customer.Value().Reset();
      phone.Value().BindAll(NewId(), id, number, number, now, now, actor.userId, actor.userId, actor.deviceId);
      ok = ok && phone.Value().Run().IsOk();
      phone.Value().Reset();
    }
    if (!ok || !txn.Value().Commit()) ok = false;
  }
  db.SetAuditSuppressed(false);
  (void)RefreshPlannerStatistics(db);  // as an import of the same book would
  (void)ui::RefreshCounts(platform.app);
  ui::NoteDataChanges(platform.app);  // the lists read the new book
  GetStorage().ForceSnapshot();
  return ok ? static_cast<double>(GetStorage().CapturedSeq()) : -1;
}

// One small edit for the benchmark, committed in memory but not yet handed to
// storage: a new customer. crm_test_persist then starts the clock's second half.
EMSCRIPTEN_KEEPALIVE int crm_test_bench_edit() {
  Platform& platform = GetPlatform();
  if (!platform.app.db) return 0;
  return AddOne(*platform.app.db, "基准客户 " + std::to_string(g_random() % 1000000)) ? 1 : 0;
}

// What a screen does after its commit; returns the seq to wait for.
EMSCRIPTEN_KEEPALIVE double crm_test_persist() {
  GetPlatform().app.requestPersist();
  return static_cast<double>(GetStorage().CapturedSeq());
}

// The IDBFS peer: copies the live book into `path` (a file on an IDBFS mount) and opens it.
EMSCRIPTEN_KEEPALIVE const char* crm_test_idbfs_open(const char* path) {
  Platform& platform = GetPlatform();
  g_idbfsDb.reset();
  if (!platform.app.db) return "no database open";
  auto copied = platform.app.db->Exec(std::string("VACUUM INTO '") + path + "'");
  if (!copied) return (g_reply = copied.Message()).c_str();
  auto db = Db::Open(path);
  if (!db) return (g_reply = db.Message()).c_str();
  g_idbfsDb.emplace(std::move(db).Value());
  return "";
}

// The same edit on the IDBFS copy; the caller then runs FS.syncfs and times it.
EMSCRIPTEN_KEEPALIVE int crm_test_idbfs_edit() {
  if (!g_idbfsDb) return 0;
  return AddOne(*g_idbfsDb, "基准客户 " + std::to_string(g_random() % 1000000)) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE void crm_test_idbfs_close() { g_idbfsDb.reset(); }

}  // extern "C"

}  // namespace crm::web
