// Sync benchmarks (issue 5), natively and in wasm under Node: bootstrap a new
// device from a snapshot of 100k customers and 1M activities; push and pull
// 10,000 changesets end to end through the wire format and the in-process
// relay; rebase 500 pending edits over 5,000 remote ones. Measures, never
// asserts. Usage: crm-sync-bench RESULTS.jsonl [CACHE_DIR] [ONLY]
//   CACHE_DIR keeps the 100k/1M book between the native and the wasm run (one
//   file per schema version); ONLY runs the benchmarks whose name contains it.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>

#include "bench_data.h"
#include "bench_json.h"
#include "core/grading.h"
#include "core/schema.h"
#include "sync/backup.h"
#include "sync/journal.h"
#include "core/scope.h"
#include "sync/replica.h"
#include "sync/scope_filter.h"
#include "sync/wire.h"
#include "../sync_fake_relay.h"

namespace crm::bench {
namespace {

using testing_support::FakeRelay;

sync::Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return sync::Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The book's image: loaded from the cache when there is one, else built (as the core bench builds it).
sync::Bytes BookImage(const std::string& cache) {
  if (!cache.empty()) {
    sync::Bytes cached = ReadFile(cache);
    if (!cached.empty()) return cached;
  }
  Stopwatch building;
  BenchBook book = MakeBook(100000, 1000000);
  std::printf("book: 100k customers, 1M activities built in %.1f s\n", building.Ms() / 1000);
  auto image = sync::ExportBackup(book.db);
  sync::Bytes bytes(image.Value().data(), image.Value().data() + image.Value().size());
  if (!cache.empty()) std::ofstream(cache, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

// A fresh device: the app's empty schema and its own id, as the browser has it before the first sync.
Db NewDevice() {
  Db db = Db::OpenMemory().Value();
  (void)Migrate(db);
  return db;
}

// A small organisation all devices start from; every device gets a copy.
struct Org {
  Db db = Db::OpenMemory().Value();
  Actor admin;
  std::vector<int64_t> customers;
  explicit Org(int count) {
    (void)Migrate(db);
    admin = EnsureLocalOwner(db, "管理员", 1).Value();
    auto txn = db.Begin();
    for (int i = 0; i < count; i++) customers.push_back(AddCustomer(db, "客户" + std::to_string(i), admin).Value());
    (void)txn.Value().Commit();
  }
  Db Copy() {
    Db copy = Db::OpenMemory().Value();
    (void)sync::LoadImage(copy, sync::ExportBackup(db).Value());
    (void)copy.Exec("DELETE FROM app_meta WHERE key = 'device.id'");
    return copy;
  }
};

// One small transaction per edit, as a person makes them: a grade change with its history row and audit.
void Edit(Db& db, const Org& org, const Actor& actor, std::mt19937& random) {
  static const Grade kGrades[] = {Grade::A, Grade::B, Grade::C, Grade::D};
  (void)SetGrade(db, org.customers[random() % org.customers.size()], kGrades[random() % 4], "复核", actor);
}

}  // namespace
}  // namespace crm::bench

int main(int argc, char** argv) {
  using namespace crm;
  using namespace crm::bench;
  if (argc < 2) {
    std::fprintf(stderr, "usage: crm-sync-bench RESULTS.jsonl [CACHE_DIR] [ONLY]\n");
    return 2;
  }
  std::FILE* out = std::fopen(argv[1], "a");
  if (!out) {
    std::fprintf(stderr, "crm-sync-bench: cannot open %s\n", argv[1]);
    return 1;
  }
  const std::string only = argc > 3 ? argv[3] : "";
  auto wanted = [&](const std::string& name) { return only.empty() || name.find(only) != std::string::npos; };
  auto add = [&](BenchResult r) {
    std::fprintf(out, "%s\n", ToJson(r).c_str());
    std::fflush(out);
    std::printf("%-42s %10.3f %-5s target %-8s peer %s\n", r.name.c_str(), r.value, r.unit.c_str(),
                r.target ? std::to_string(*r.target).substr(0, 5).c_str() : "-",
                r.peer ? (std::to_string(*r.peer).substr(0, 8) + " (" + r.peerName + ")").c_str() : "-");
    std::fflush(stdout);
  };

  // Bootstrap: the relay's snapshot as it arrives (encoded), decoded and loaded into a new device
  // that keeps its own local tables. Peer: loading the same image with sqlite3_deserialize alone.
  if (wanted("sync.bootstrap")) {
    std::string cache = argc > 2 && argv[2][0] ? std::string(argv[2]) + "/book-100k-1m-schema" + std::to_string(LatestSchemaVersion()) + ".db" : "";
    sync::Bytes image = BookImage(cache);
    sync::SnapshotResponse snapshot{1, LatestSchemaVersion(), image};
    sync::Bytes wire = sync::EncodeSnapshot(snapshot);
    Db device = NewDevice();
    Stopwatch bootstrap;
    auto decoded = sync::DecodeSnapshot(wire);
    auto booted = sync::BootstrapFromSnapshot(device, decoded.Value());
    if (!booted) {
      std::fprintf(stderr, "bootstrap failed: %s\n", booted.Message().c_str());
      return 1;
    }
    auto replica = sync::Replica::Open(booted.Value());
    double seconds = bootstrap.Ms() / 1000;
    Stopwatch raw;
    {
      Db plain = Db::OpenMemory().Value();
      sync::SqliteBuffer buffer = sync::SqliteBuffer::Allocate(image.size());
      std::memcpy(buffer.data(), image.data(), image.size());
      (void)sync::LoadImage(plain, std::move(buffer));
      (void)plain.QueryInt("SELECT count(*) FROM customers");
    }
    add({"sync.bootstrap_100k_1m_s", seconds, "s", 5.0, "lower", raw.Ms() / 1000, "sqlite3_deserialize of the image alone"});
    add({"sync.snapshot_bytes_100k_1m", static_cast<double>(wire.size()), "bytes", std::nullopt, "lower", std::nullopt, ""});
  }

  // A rep's first sync in an organisation of 100k customers: the relay cuts a snapshot to the rep's
  // 300 customers and the pool (sync/scope_filter.h ScopedImage, from its copy on disk), the device
  // loads it. Peer, in the same run: the whole organisation's snapshot loaded the same way.
#ifndef __EMSCRIPTEN__  // the relay's side: native only
  if (wanted("sync.scoped_bootstrap")) {
    std::string cache = argc > 2 && argv[2][0] ? std::string(argv[2]) + "/book-100k-1m-schema" + std::to_string(LatestSchemaVersion()) + ".db" : "";
    sync::Bytes image = BookImage(cache);
    const std::string copyPath = (argc > 2 && argv[2][0] ? std::string(argv[2]) : std::string("/tmp")) + "/scoped-bench-copy.db";
    std::ofstream(copyPath, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
    Db copy = Db::Open(copyPath).Value();
    // One rep keeps 300 customers; the rest of theirs go to a colleague.
    int64_t rep = copy.QueryInt("SELECT owner_id FROM customers c JOIN users u ON u.id = c.owner_id WHERE u.role = 'rep' AND u.active = 1 "
                                "GROUP BY owner_id ORDER BY count(*) DESC LIMIT 1").ValueOr(0);
    int64_t colleague = copy.QueryInt("SELECT id FROM users WHERE role = 'rep' AND active = 1 AND id <> " + std::to_string(rep) + " LIMIT 1").ValueOr(0);
    (void)copy.Exec("UPDATE customers SET owner_id = " + std::to_string(colleague) + " WHERE owner_id = " + std::to_string(rep) +
                    " AND id NOT IN (SELECT id FROM customers WHERE owner_id = " + std::to_string(rep) + " ORDER BY id LIMIT 300)");
    const int64_t own = copy.QueryInt("SELECT count(*) FROM customers WHERE owner_id = " + std::to_string(rep)).ValueOr(0);
    const int64_t pool = copy.QueryInt("SELECT count(*) FROM customers WHERE owner_id IS NULL").ValueOr(0);
    auto bootstrapOf = [&](const sync::Bytes& bytes) -> double {
      Stopwatch watch;
      sync::Bytes wire = sync::EncodeSnapshot(sync::SnapshotResponse{1, LatestSchemaVersion(), bytes});
      Db device = NewDevice();
      auto booted = sync::BootstrapFromSnapshot(device, sync::DecodeSnapshot(wire).Value());
      if (!booted) std::fprintf(stderr, "bootstrap failed: %s\n", booted.Message().c_str());
      return watch.Ms() / 1000;
    };
    Stopwatch scoped;
    auto scope = ReadScopeOf(copy, rep);
    auto cut = scope ? sync::ScopedImage(copy, scope.Value()) : Result<sync::Bytes>(scope.GetError());
    if (!cut) {
      std::fprintf(stderr, "scoped image failed: %s\n", cut.Message().c_str());
      return 1;
    }
    const double cutSeconds = scoped.Ms() / 1000;
    const double loadSeconds = bootstrapOf(cut.Value());
    sync::Bytes whole(image);
    const double wholeSeconds = bootstrapOf(whole);
    std::printf("scoped snapshot: rep with %lld customers, pool %lld: %zu bytes (whole %zu), cut %.3f s\n",
                static_cast<long long>(own), static_cast<long long>(pool), cut.Value().size(), image.size(), cutSeconds);
    add({"sync.scoped_bootstrap_s", cutSeconds + loadSeconds, "s", 1.0, "lower", wholeSeconds,
         "the whole organisation's snapshot loaded the same way"});
    add({"sync.scoped_snapshot_bytes", static_cast<double>(cut.Value().size()), "bytes", std::nullopt, "lower",
         static_cast<double>(image.size()), "the whole organisation's snapshot"});
    std::remove(copyPath.c_str());
  }
#endif

  // 10,000 changesets end to end: device A pushes them in batches through the wire format to the
  // relay (which validates their shape and applies them to its copy), device B pulls and applies them.
  if (wanted("sync.push_pull")) {
    Org org(1000);
    FakeRelay relay(org.db);
    Db a = org.Copy();
    Db b = org.Copy();
    auto replicaA = sync::Replica::Open(a).Value();
    auto replicaB = sync::Replica::Open(b).Value();
    Actor actor{org.admin.userId, replicaA->DeviceId()};
    replicaA->SetAuthor(actor.userId);
    std::mt19937 random(5);
    for (int i = 0; i < 10000; i++) Edit(a, org, actor, random);
    Stopwatch endToEnd;
    for (;;) {
      auto request = replicaA->NextPush();
      if (request.Value().changesets.empty()) break;
      auto decoded = sync::DecodePush(sync::EncodePush(request.Value()));
      auto answer = sync::DecodePushResponse(sync::EncodePushResponse(relay.Push(decoded.Value())));
      (void)replicaA->OnPushed(answer.Value());
    }
    double pushMs = endToEnd.Ms();
    for (sync::Replica* replica : {replicaB.get(), replicaA.get()}) {
      for (;;) {
        auto pulled = sync::DecodePull(sync::EncodePull(relay.Pull(replica->ConfirmedSeq(), 1000)));
        if (pulled.Value().changesets.empty()) break;
        auto report = replica->OnPulled(pulled.Value().changesets);
        if (!report) {
          std::fprintf(stderr, "pull failed: %s\n", report.Message().c_str());
          return 1;
        }
      }
    }
    double totalS = endToEnd.Ms() / 1000;
    bool same = sync::CanonicalDump(a).Value() == sync::CanonicalDump(b).Value();
    std::printf("10k changesets: push %.0f ms, both devices caught up, replicas %s\n", pushMs, same ? "identical" : "DIFFER");
    add({"sync.push_pull_10k_s", totalS, "s", 2.0, "lower", std::nullopt, ""});
    add({"sync.push_10k_s", pushMs / 1000, "s", std::nullopt, "lower", std::nullopt, ""});
  }

  // Rebase: 500 pending local edits under 5,000 remote changesets arriving at once.
  if (wanted("sync.rebase")) {
    Org org(1000);
    FakeRelay relay(org.db);
    Db a = org.Copy();
    Db b = org.Copy();
    auto replicaA = sync::Replica::Open(a).Value();
    auto replicaB = sync::Replica::Open(b).Value();
    Actor actorA{org.admin.userId, replicaA->DeviceId()};
    Actor actorB{org.admin.userId, replicaB->DeviceId()};
    replicaA->SetAuthor(actorA.userId);
    replicaB->SetAuthor(actorB.userId);
    std::mt19937 random(9);
    for (int i = 0; i < 5000; i++) Edit(b, org, actorB, random);
    for (;;) {
      auto request = replicaB->NextPush(sync::PushLimits{1000, 64u << 20});
      if (request.Value().changesets.empty()) break;
      (void)replicaB->OnPushed(relay.Push(request.Value()));
    }
    for (int i = 0; i < 500; i++) Edit(a, org, actorA, random);
    auto remote = relay.Pull(0, 5000).changesets;
    Stopwatch rebase;
    auto report = replicaA->OnPulled(remote);
    double seconds = rebase.Ms() / 1000;
    if (!report) {
      std::fprintf(stderr, "rebase failed: %s\n", report.Message().c_str());
      return 1;
    }
    // Peer: the same 5,000 changesets on a device with nothing pending (no revert, no re-apply).
    Db c = org.Copy();
    auto replicaC = sync::Replica::Open(c).Value();
    Stopwatch plain;
    (void)replicaC->OnPulled(remote);
    add({"sync.rebase_500_over_5000_s", seconds, "s", 1.0, "lower", plain.Ms() / 1000, "applying the 5,000 with nothing pending"});
  }
  std::fclose(out);
  return 0;
}
