// The relay's copy of an organisation is derived from the log alone: deleted, damaged, or ahead of
// a store restored from an older backup, it is rebuilt from the log, byte for byte the same.
#include <gtest/gtest.h>

#include <fstream>

#include "core/conflicts.h"
#include "core/customers.h"
#include "relay_test_support.h"
#include "sync/backup.h"

namespace crm::testing_support {
namespace {

std::string Id(int64_t value) { return std::to_string(value); }

sync::SnapshotResponse TakeSnapshot(TestDevice& device) {
  auto snapshot = device.Transport().SnapshotNow();
  EXPECT_TRUE(snapshot) << snapshot.Message();
  return snapshot.ValueOr({});
}

Db OpenImage(const std::vector<uint8_t>& bytes) {
  sync::SqliteBuffer image = sync::SqliteBuffer::Allocate(bytes.size());
  std::memcpy(image.data(), bytes.data(), bytes.size());
  auto checked = sync::CheckBackup(std::move(image));
  EXPECT_TRUE(checked) << checked.Message();
  return std::move(checked.Value().db);
}

// A day of work in an organisation: customers with phones and tags (the search index), edits,
// trash, and two reps editing the same field of one customer at once (a conflict).
void Work(OrgOnRelay& org, TestDevice& a, TestDevice& b) {
  std::vector<sync::ChangesetEnvelope> batch;
  int64_t shared = 0;
  for (int i = 0; i < 40; i++) {
    batch.push_back(a.Change([&](Db& db) {
      CustomerInput input;
      input.name = "客户" + std::to_string(i);
      input.phones = {"1390000" + std::to_string(1000 + i)};
      input.tags = {"门窗", i % 2 ? "重点" : "普通"};
      input.toPool = i == 0;
      auto id = CreateCustomer(db, input, a.actor());
      ASSERT_TRUE(id) << id.Message();
      if (i == 0) shared = id.Value();
    }));
  }
  a.PushOk(batch);
  b.Sync();
  // Both edit the pool customer's notes from the same state: the later in the relay's order wins.
  auto fromA = a.Sql("UPDATE customers SET notes = '甲写的', updated_at = " + Id(NowMs()) + ", updated_by = " + Id(a.UserId()) + ", device_id = " +
                     Id(a.DeviceId()) + " WHERE id = " + Id(shared));
  auto fromB = b.Sql("UPDATE customers SET notes = '乙写的', updated_at = " + Id(NowMs() + 1) + ", updated_by = " + Id(b.UserId()) + ", device_id = " +
                     Id(b.DeviceId()) + " WHERE id = " + Id(shared));
  a.PushOk({fromA});
  b.PushOk({fromB});
  std::vector<sync::ChangesetEnvelope> edits;
  for (int i = 0; i < 10; i++) {
    edits.push_back(a.Change([&](Db& db) {
      int64_t id = std::strtoll(QueryText(db, "SELECT id FROM customers WHERE name = '客户" + std::to_string(i + 5) + "'").c_str(), nullptr, 10);
      if (i % 3 == 0) {
        ASSERT_TRUE(TrashCustomer(db, id, a.actor()));
      } else {
        CustomerInput input;
        input.name = "改名" + std::to_string(i);
        input.tags = {"新标签"};
        ASSERT_TRUE(UpdateCustomer(db, id, input, a.actor()));
      }
    }));
  }
  a.PushOk(edits);
  (void)org;
}

TEST(RelayCopies, ADeletedOrDamagedCopyIsRebuiltFromTheLogByteForByte) {
  TempFolder folder("relay_copies");
  const std::string store = "sqlite:" + folder / "relay.db";
  std::vector<uint8_t> before;
  int64_t seq = 0;
  int64_t orgId = 0;
  std::string orgName;
  {
    TestRelay relay(FastOptions(store));
    OrgOnRelay org(relay);
    orgId = org.OrgId();
    orgName = org.Name();
    org.AddUser("甲", "rep");
    org.AddUser("乙", "rep");
    auto a = org.Device("甲");
    auto b = org.Device("乙");
    Work(org, *a, *b);
    sync::SnapshotResponse snapshot = TakeSnapshot(org.Admin());
    before = snapshot.image;
    seq = snapshot.seq;
    Db image = OpenImage(before);
    EXPECT_EQ(QueryText(image, "SELECT notes FROM customers WHERE name = '客户0'"), "乙写的");
    auto conflicts = ListConflicts(image);
    ASSERT_TRUE(conflicts) << conflicts.Message();
    ASSERT_FALSE(conflicts.Value().empty()) << "the copy recorded the conflict with the same policy as devices";
    EXPECT_EQ(conflicts.Value()[0].lostValue.value_or(""), "甲写的");
    // 20 customers were tagged 重点; three of them (客户7, 9, 13) had their tags replaced since.
    EXPECT_EQ(QueryText(image, "SELECT count(*) FROM customer_fts WHERE customer_fts MATCH '重点'"), "17") << "search index built too";
  }
  const std::string copy = folder / ("relay.db.orgs/org-" + Id(orgId) + ".db");
  ASSERT_TRUE(std::filesystem::exists(copy));

  std::filesystem::remove_all(folder / "relay.db.orgs");
  {
    TestRelay relay(FastOptions(store));
    TestDevice device(relay.Endpoint());
    ASSERT_TRUE(device.SignIn(orgName, "王经理", "admin password"));
    sync::SnapshotResponse rebuilt = TakeSnapshot(device);
    EXPECT_EQ(rebuilt.seq, seq);
    EXPECT_TRUE(rebuilt.image == before) << "rebuilt copy differs from the original (" << rebuilt.image.size() << " vs "
                                         << before.size() << " bytes)";
  }

  // Garbage where the copy was: rebuilt as well.
  {
    std::ofstream(copy, std::ios::binary | std::ios::trunc) << std::string(8192, '\x5a');
    for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(copy + suffix);
  }
  {
    TestRelay relay(FastOptions(store));
    TestDevice device(relay.Endpoint());
    ASSERT_TRUE(device.SignIn(orgName, "王经理", "admin password"));
    sync::SnapshotResponse rebuilt = TakeSnapshot(device);
    EXPECT_EQ(rebuilt.seq, seq);
    EXPECT_TRUE(rebuilt.image == before) << "copy rebuilt over a damaged file differs";
  }
}

TEST(RelayCopies, ACopyAheadOfARestoredStoreIsRebuilt) {
  TempFolder folder("relay_restore");
  const std::string path = folder / "relay.db";
  const std::string backup = folder / "backup.db";
  std::vector<uint8_t> atBackup;
  int64_t backupSeq = 0;
  std::string orgName;
  {
    TestRelay relay(FastOptions("sqlite:" + path));
    OrgOnRelay org(relay);
    orgName = org.Name();
    TestDevice& admin = org.Admin();
    admin.PushOk({admin.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "备份前", admin.actor())); })});
    sync::SnapshotResponse snapshot = TakeSnapshot(admin);
    atBackup = snapshot.image;
    backupSeq = snapshot.seq;
    // The backup an operator takes while the relay runs (crm-relay --backup does the same).
    Db db = Db::Open(path).Value();
    ASSERT_TRUE(db.Exec("VACUUM INTO '" + backup + "'"));
    admin.PushOk({admin.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "备份后", admin.actor())); })});
    EXPECT_GT(TakeSnapshot(admin).seq, backupSeq);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  std::filesystem::copy_file(backup, path);
  TestRelay relay(FastOptions("sqlite:" + path));
  TestDevice device(relay.Endpoint());
  ASSERT_TRUE(device.SignIn(orgName, "王经理", "admin password"));
  sync::SnapshotResponse restored = TakeSnapshot(device);
  EXPECT_EQ(restored.seq, backupSeq) << "the log is the truth";
  EXPECT_TRUE(restored.image == atBackup);
  Db image = OpenImage(restored.image);
  EXPECT_EQ(QueryText(image, "SELECT group_concat(name) FROM customers"), "备份前");
}

// Many organisations: only so many copies stay open; a closed one reopens (and catches up) on use.
TEST(RelayCopies, IdleCopiesAreClosedAndReopenWhenNeeded) {
  TempFolder folder("relay_lru");
  relay::RelayOptions options = FastOptions("sqlite:" + folder / "relay.db");
  options.maxOpenCopies = 2;
  TestRelay relay(options);
  std::vector<std::unique_ptr<OrgOnRelay>> orgs;
  for (int i = 0; i < 4; i++) orgs.push_back(std::make_unique<OrgOnRelay>(relay, "公司" + std::to_string(i)));
  auto openCopies = [&] {
    int open = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
      std::error_code error;
      auto target = std::filesystem::read_symlink(entry.path(), error);
      if (!error && target.string().find(folder.Path().string()) == 0 && target.extension() == ".db" &&
          target.filename().string().rfind("org-", 0) == 0) {
        open++;
      }
    }
    return open;
  };
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 4; i++) {
      TestDevice& admin = orgs[static_cast<size_t>(i)]->Admin();
      admin.PushOk({admin.Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "客户" + std::to_string(round), admin.actor())); })});
      EXPECT_LE(openCopies(), 2) << "round " << round << ", organisation " << i;
    }
  }
  for (auto& org : orgs) {
    auto snapshot = org->Admin().Transport().SnapshotNow();
    ASSERT_TRUE(snapshot) << snapshot.Message();
    Db image = OpenImage(snapshot.Value().image);
    EXPECT_EQ(QueryText(image, "SELECT count(*) FROM customers"), "3");
  }
}

}  // namespace
}  // namespace crm::testing_support
