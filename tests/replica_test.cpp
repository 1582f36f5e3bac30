// The device side of sync: capture into the outbox in the same commit, whole
// transactions per push, own changes confirmed when they come back, rebase
// over remote changes, refusals, changes from a newer app, bootstrap.
#include "sync/replica.h"

#include <gtest/gtest.h>

#include "core/contacts.h"
#include "core/customers.h"
#include "core/grading.h"
#include "core/org.h"
#include "core/ownership.h"
#include "core/table_changes.h"
#include "sync/apply.h"
#include "sync_fake_relay.h"
#include "sync_test_support.h"
#include "test_support.h"

namespace crm::sync {
namespace {

using testing_support::Clone;
using testing_support::ExecOrFail;
using testing_support::FakeRelay;
using testing_support::QueryText;
using testing_support::TestOrg;

struct Device {
  Db db;
  std::unique_ptr<Replica> replica;
  Actor actor;

  Device(Db base, const Actor& who) : db(std::move(base)), actor(who) {
    // Each device has its own id; the org's users are the same everywhere.
    EXPECT_TRUE(db.Exec("DELETE FROM app_meta WHERE key = 'device.id'"));
    auto opened = Replica::Open(db);
    EXPECT_TRUE(opened) << opened.Message();
    replica = std::move(opened).Value();
    replica->SetAuthor(who.userId);
    actor.deviceId = replica->DeviceId();
  }

  void Push(FakeRelay& relay) {
    auto request = replica->NextPush();
    ASSERT_TRUE(request) << request.Message();
    if (request.Value().changesets.empty()) return;
    ASSERT_TRUE(replica->OnPushed(relay.Push(request.Value())));
  }
  PullReport Pull(FakeRelay& relay) {
    auto report = replica->OnPulled(relay.Pull(replica->ConfirmedSeq(), 1000).changesets);
    EXPECT_TRUE(report) << report.Message();
    return report.ValueOr({});
  }
  void Sync(FakeRelay& relay) {
    Push(relay);
    Pull(relay);
  }
  int64_t Pending() { return replica->PendingCount().Value(); }
};

class ReplicaTest : public testing::Test {
 protected:
  void SetUp() override {
    customer = org.Customer("美家门窗", org.repA, {"13800138000"}, "佛山市");
    relay = std::make_unique<FakeRelay>(org.db);
  }
  std::string Id() const { return std::to_string(customer); }
  std::string Field(Device& device, const char* column) {
    return QueryText(device.db, std::string("SELECT ") + column + " FROM customers WHERE id = " + Id());
  }
  CustomerInput Edited(Device& device, const std::function<void(CustomerInput&)>& edit) {
    CustomerInput input = GetCustomer(device.db, customer).Value().fields;
    edit(input);
    return input;
  }

  TestOrg org;
  int64_t customer = 0;
  std::unique_ptr<FakeRelay> relay;
};

TEST_F(ReplicaTest, EachCommittedTransactionBecomesOneChangesetInTheSameCommit) {
  Device device(Clone(org.db), org.repA);
  auto created = CreateCustomer(device.db, [] {
    CustomerInput input;
    input.name = "安居门窗";
    input.phones = {"13900139000", "0757-8888888"};
    input.tags = {"经销商"};
    return input;
  }(), device.actor);
  ASSERT_TRUE(created) << created.Message();
  // One transaction of several tables (customer, phones, tag, audit rows): one outbox entry.
  EXPECT_EQ(device.Pending(), 1);
  auto request = device.replica->NextPush();
  ASSERT_EQ(request.Value().changesets.size(), 1u);
  const ChangesetEnvelope& envelope = request.Value().changesets[0];
  EXPECT_EQ(envelope.userId, org.repA.userId);
  EXPECT_EQ(envelope.deviceId, device.replica->DeviceId());
  EXPECT_EQ(envelope.schemaVersion, LatestSchemaVersion());
  EXPECT_NE(envelope.changesetId, 0);
  // It carries every synced table the transaction touched, and nothing local.
  Db probe = Clone(org.db);
  auto applied = ApplyWithPolicy(probe, envelope.changeset.data(), envelope.changeset.size(), ApplyOrigin{});
  ASSERT_TRUE(applied) << applied.Message();
  EXPECT_EQ(QueryText(probe, "SELECT count(*) FROM customer_phones WHERE customer_id = " + std::to_string(created.Value())), "2");
  EXPECT_EQ(QueryText(probe, "SELECT count(*) FROM customer_tags WHERE customer_id = " + std::to_string(created.Value())), "1");
  EXPECT_NE(QueryText(probe, "SELECT count(*) FROM audit_log WHERE customer_id = " + std::to_string(created.Value())), "0");
}

TEST_F(ReplicaTest, RolledBackWorkAndLocalTablesNeverReachTheOutbox) {
  Device device(Clone(org.db), org.repA);
  {
    auto txn = device.db.Begin();
    ExecOrFail(device.db, "UPDATE customers SET name = '回滚' WHERE id = " + Id());
    txn.Value().Rollback();
  }
  EXPECT_EQ(device.Pending(), 0);
  // A change that fails a core rule rolls back: nothing captured.
  CustomerInput bad;
  EXPECT_FALSE(CreateCustomer(device.db, bad, device.actor));
  EXPECT_EQ(device.Pending(), 0);
  ExecOrFail(device.db, "INSERT INTO device_accounts(user_id, kind, created_at) VALUES (77, 'local', 1)");
  ExecOrFail(device.db, "INSERT INTO sync_state(key, value) VALUES ('x', 'y')");
  EXPECT_TRUE(device.replica->Flush());
  EXPECT_EQ(device.Pending(), 0);
}

TEST_F(ReplicaTest, ChangesOutsideATransactionAreCapturedByFlush) {
  Device device(Clone(org.db), org.repA);
  ExecOrFail(device.db, "UPDATE customers SET notes = '自动提交' WHERE id = " + Id());
  EXPECT_EQ(device.Pending(), 0);
  ASSERT_TRUE(device.replica->Flush());
  EXPECT_EQ(device.Pending(), 1);
}

TEST_F(ReplicaTest, PushesCarryWholeTransactionsInCaptureOrder) {
  Device device(Clone(org.db), org.repA);
  for (int i = 0; i < 5; i++) ASSERT_TRUE(SetGrade(device.db, customer, i % 2 ? Grade::A : Grade::B, "复核", device.actor));
  PushLimits limits;
  limits.maxChangesets = 2;
  auto first = device.replica->NextPush(limits);
  ASSERT_EQ(first.Value().changesets.size(), 2u);
  limits.maxChangesets = 100;
  limits.maxBytes = 1;  // smaller than any transaction: one still goes, alone
  auto tiny = device.replica->NextPush(limits);
  ASSERT_EQ(tiny.Value().changesets.size(), 1u);
  EXPECT_EQ(tiny.Value().changesets[0].changesetId, first.Value().changesets[0].changesetId);
  ASSERT_TRUE(device.replica->OnPushed(relay->Push(first.Value())));
  auto rest = device.replica->NextPush();
  ASSERT_EQ(rest.Value().changesets.size(), 3u);  // acknowledged ones are not sent again
}

// A shared tablet: the relay takes each person's changes only with that person's own token, so a
// push never mixes authors; the order of the outbox is kept across pushes.
TEST_F(ReplicaTest, APushHoldsOnePersonsChangesInOrder) {
  Device device(Clone(org.db), org.leader);
  Actor leader = device.actor;
  Actor admin{org.admin.userId, leader.deviceId};
  ASSERT_TRUE(SetGrade(device.db, customer, Grade::A, "一", leader));
  ASSERT_TRUE(SetGrade(device.db, customer, Grade::B, "二", leader));
  device.replica->SetAuthor(admin.userId);
  ASSERT_TRUE(SetGrade(device.db, customer, Grade::C, "三", admin));
  device.replica->SetAuthor(leader.userId);
  ASSERT_TRUE(SetGrade(device.db, customer, Grade::D, "四", leader));
  std::vector<std::pair<size_t, int64_t>> pushes;  // (changesets, author)
  for (int i = 0; i < 4; i++) {
    auto request = device.replica->NextPush();
    ASSERT_TRUE(request) << request.Message();
    if (request.Value().changesets.empty()) break;
    for (const auto& envelope : request.Value().changesets) EXPECT_EQ(envelope.userId, request.Value().changesets[0].userId);
    pushes.emplace_back(request.Value().changesets.size(), request.Value().changesets[0].userId);
    ASSERT_TRUE(device.replica->OnPushed(relay->Push(request.Value())));
  }
  std::vector<std::pair<size_t, int64_t>> expected{{2, leader.userId}, {1, admin.userId}, {1, leader.userId}};
  EXPECT_EQ(pushes, expected);
}

TEST_F(ReplicaTest, OwnChangesAreConfirmedWhenTheyComeBackFromTheRelay) {
  Device device(Clone(org.db), org.repA);
  ASSERT_TRUE(SetGrade(device.db, customer, Grade::A, "大单", device.actor));
  device.Push(*relay);
  EXPECT_EQ(device.Pending(), 1);  // acknowledged, not yet confirmed
  PullReport report = device.Pull(*relay);
  EXPECT_EQ(report.applied, 1);
  EXPECT_EQ(report.own, 1);
  EXPECT_EQ(device.Pending(), 0);
  EXPECT_EQ(device.replica->ConfirmedSeq(), 1);
  EXPECT_EQ(Field(device, "grade"), "A");
  EXPECT_EQ(CanonicalDump(device.db).Value(), CanonicalDump(relay->Copy()).Value());
}

TEST_F(ReplicaTest, ABatchFromAnotherDeviceReportsTheTablesItTouchedSettingsIncluded) {
  Device a(Clone(org.db), org.admin);
  Device b(Clone(org.db), org.repA);
  (void)b.db.TakeChangedTables();  // a new connection reports every table
  ContactInput contact;
  contact.name = "王经理";
  ASSERT_TRUE(AddContact(a.db, customer, contact, a.actor));
  ASSERT_TRUE(SetSettingInt(a.db, kSettingPoolDays, 45, a.actor));
  a.Push(*relay);
  EXPECT_EQ(b.Pull(*relay).applied, 2);
  uint64_t changed = b.db.TakeChangedTables();
  EXPECT_TRUE(changed & TableBit("contacts"));
  EXPECT_TRUE(changed & TableBit("settings")) << "WITHOUT ROWID: the update hook never reports it";
  EXPECT_FALSE(changed & TableBit("followups"));
  EXPECT_FALSE(changed & TableBit("customers"));
  // A batch with a pending local change: reverted and re-applied, its table reported too.
  ASSERT_TRUE(SetSettingInt(a.db, kSettingPoolDays, 50, a.actor));
  a.Push(*relay);
  ASSERT_TRUE(SetGrade(b.db, customer, Grade::A, "大单", b.actor));
  (void)b.db.TakeChangedTables();
  EXPECT_EQ(b.Pull(*relay).applied, 1);
  changed = b.db.TakeChangedTables();
  EXPECT_TRUE(changed & TableBit("settings"));
  EXPECT_EQ(QueryText(b.db, "SELECT value FROM settings WHERE key = 'pool.return_after_days'"), "50");
}

TEST_F(ReplicaTest, RebasePendingEditsStayOnTopOfRemoteOnesAndBothFieldsSurvive) {
  Device a(Clone(org.db), org.repA);
  Device b(Clone(org.db), org.supervisor);
  ASSERT_TRUE(UpdateCustomer(a.db, customer, Edited(a, [](CustomerInput& in) { in.name = "美家门窗旗舰店"; }), a.actor));
  ASSERT_TRUE(UpdateCustomer(b.db, customer, Edited(b, [](CustomerInput& in) { in.address.city = "广州市"; }), b.actor));
  b.Sync(*relay);
  // A pulls B's change while its own is still pending: it sees both.
  PullReport report = a.Pull(*relay);
  EXPECT_EQ(report.applied, 1);
  EXPECT_EQ(a.Pending(), 1);
  EXPECT_EQ(Field(a, "name || '/' || city"), "美家门窗旗舰店/广州市");
  a.Sync(*relay);
  b.Sync(*relay);
  EXPECT_EQ(a.Pending(), 0);
  std::string relayDump = CanonicalDump(relay->Copy()).Value();
  EXPECT_EQ(CanonicalDump(a.db).Value(), relayDump);
  EXPECT_EQ(CanonicalDump(b.db).Value(), relayDump);
  EXPECT_EQ(Field(b, "name || '/' || city"), "美家门窗旗舰店/广州市");
}

TEST_F(ReplicaTest, SameFieldTheLaterInRelayOrderWinsEverywhereAndTheLoserIsLoggedEverywhere) {
  Device a(Clone(org.db), org.repA);
  Device b(Clone(org.db), org.supervisor);
  ASSERT_TRUE(UpdateCustomer(a.db, customer, Edited(a, [](CustomerInput& in) { in.phones = {"13900000001"}; }), a.actor));
  ASSERT_TRUE(UpdateCustomer(b.db, customer, Edited(b, [](CustomerInput& in) { in.notes = "先到"; in.name = "美家(主管改)"; }), b.actor));
  b.Sync(*relay);  // seq 1
  a.Sync(*relay);  // seq 2: A's pending was rebased over B's, then pushed and confirmed
  b.Sync(*relay);
  EXPECT_EQ(CanonicalDump(a.db).Value(), CanonicalDump(b.db).Value());
  EXPECT_EQ(Field(a, "name"), "美家(主管改)");  // A did not change the name: B's stays
  // Now both change the name; B is later in the relay's order.
  ASSERT_TRUE(UpdateCustomer(a.db, customer, Edited(a, [](CustomerInput& in) { in.name = "美家-A"; }), a.actor));
  ASSERT_TRUE(UpdateCustomer(b.db, customer, Edited(b, [](CustomerInput& in) { in.name = "美家-B"; }), b.actor));
  a.Push(*relay);
  b.Push(*relay);
  a.Pull(*relay);
  b.Pull(*relay);
  EXPECT_EQ(Field(a, "name"), "美家-B");
  EXPECT_EQ(Field(b, "name"), "美家-B");
  EXPECT_EQ(CanonicalDump(a.db).Value(), CanonicalDump(b.db).Value());
  EXPECT_EQ(CanonicalDump(a.db).Value(), CanonicalDump(relay->Copy()).Value());
  for (Device* device : {&a, &b}) {
    auto conflicts = ListConflicts(device->db);
    ASSERT_TRUE(conflicts);
    auto lostName = std::find_if(conflicts.Value().begin(), conflicts.Value().end(),
                                 [](const ConflictEntry& e) { return e.field == "name"; });
    ASSERT_NE(lostName, conflicts.Value().end());
    EXPECT_EQ(lostName->lostValue, "美家-A");
    EXPECT_EQ(lostName->wonValue, "美家-B");
    EXPECT_EQ(lostName->winnerUser, org.supervisor.userId);
    EXPECT_EQ(lostName->loserUser, org.repA.userId);
  }
}

TEST_F(ReplicaTest, DuplicateDeliveriesAreSkippedAndAGapIsRefused) {
  Device a(Clone(org.db), org.repA);
  Device b(Clone(org.db), org.repB);
  for (int i = 0; i < 3; i++) ASSERT_TRUE(SetGrade(a.db, customer, i % 2 ? Grade::A : Grade::B, "复核", a.actor));
  a.Push(*relay);
  auto all = relay->Pull(0, 10).changesets;
  ASSERT_TRUE(b.replica->OnPulled({all[0], all[1]}));
  ASSERT_TRUE(b.replica->OnPulled({all[0], all[1], all[2]}));  // the first two again
  EXPECT_EQ(b.replica->ConfirmedSeq(), 3);
  EXPECT_EQ(CanonicalDump(b.db).Value(), CanonicalDump(relay->Copy()).Value());

  Device c(Clone(org.db), org.repB);
  auto gap = c.replica->OnPulled({all[0], all[2]});
  ASSERT_FALSE(gap);
  EXPECT_EQ(c.replica->ConfirmedSeq(), 0);  // nothing of it was applied
  EXPECT_EQ(Field(c, "grade"), "C");
}

TEST_F(ReplicaTest, ARefusedChangeIsTakenBackAndTheChangesAfterItStay) {
  Device device(Clone(org.db), org.repA);
  ASSERT_TRUE(SetGrade(device.db, customer, Grade::A, "大单", device.actor));
  ASSERT_TRUE(UpdateCustomer(device.db, customer, Edited(device, [](CustomerInput& in) { in.notes = "周末来店"; }), device.actor));
  auto request = device.replica->NextPush();
  PushRefusal refusal{request.Value().changesets[0].changesetId, "customers", Id(), "a rep may not change this customer"};
  ASSERT_TRUE(device.replica->OnRefused(refusal));
  EXPECT_EQ(Field(device, "grade"), "C");   // taken back
  EXPECT_EQ(Field(device, "notes"), "周末来店");  // the later change stays
  EXPECT_EQ(device.Pending(), 1);
  EXPECT_EQ(device.replica->RefusedCount().Value(), 1);
  auto refused = ListRefused(device.db);
  ASSERT_TRUE(refused) << refused.Message();
  ASSERT_EQ(refused.Value().size(), 1u);
  EXPECT_NE(refused.Value()[0].reason.find("may not"), std::string::npos);
  EXPECT_EQ(refused.Value()[0].customerId, customer);
  EXPECT_NE(refused.Value()[0].summary.find("customers: 1 updated"), std::string::npos) << refused.Value()[0].summary;
  EXPECT_NE(refused.Value()[0].summary.find("grade_history: 1 added"), std::string::npos) << refused.Value()[0].summary;
  device.Sync(*relay);
  EXPECT_EQ(CanonicalDump(device.db).Value(), CanonicalDump(relay->Copy()).Value());
}

TEST_F(ReplicaTest, AChangeFromANewerAppWaitsInTheInboxAndLocalChangesKeepGoing) {
  Device newer(Clone(org.db), org.supervisor);
  Device older(Clone(org.db), org.repA);
  // The newer app added a column and writes it.
  ExecOrFail(newer.db, "ALTER TABLE customers ADD COLUMN wechat TEXT");
  ExecOrFail(newer.db, "UPDATE customers SET wechat = 'meijia', name = '美家(新版)' WHERE id = " + Id());
  ASSERT_TRUE(newer.replica->Flush());
  newer.Push(*relay);
  ASSERT_TRUE(SetGrade(newer.db, customer, Grade::B, "之后", newer.actor));
  newer.Push(*relay);
  // The older device edits too, and syncs: the new-schema change stops it, nothing is skipped.
  ASSERT_TRUE(UpdateCustomer(older.db, customer, Edited(older, [](CustomerInput& in) { in.notes = "老版本的修改"; }), older.actor));
  older.Push(*relay);
  PullReport report = older.Pull(*relay);
  EXPECT_TRUE(report.stalled);
  EXPECT_TRUE(older.replica->Stalled());
  EXPECT_EQ(Field(older, "name"), "美家门窗");  // not applied, not half-applied
  EXPECT_EQ(Field(older, "grade"), "C");        // the later change waits too: order is kept
  EXPECT_EQ(Field(older, "notes"), "老版本的修改");  // its own change is still there
  EXPECT_EQ(QueryText(older.db, "SELECT count(*) FROM sync_inbox"), "3");
  SyncStatus status;
  ASSERT_TRUE(older.replica->FillStatus(status));
  EXPECT_TRUE(status.needsAppUpdate);
  // "Updating the app" migrates the table; the kept changes then apply in order.
  ExecOrFail(older.db, "ALTER TABLE customers ADD COLUMN wechat TEXT");
  auto retried = older.replica->RetryInbox();
  ASSERT_TRUE(retried) << retried.Message();
  EXPECT_FALSE(older.replica->Stalled());
  EXPECT_EQ(Field(older, "name || '/' || wechat || '/' || grade || '/' || notes"), "美家(新版)/meijia/B/老版本的修改");
  EXPECT_EQ(older.Pending(), 0);
}

TEST_F(ReplicaTest, ANewDeviceBootstrapsFromASnapshotAndKeepsItsLocalTables) {
  Device a(Clone(org.db), org.repA);
  ASSERT_TRUE(SetGrade(a.db, customer, Grade::A, "大单", a.actor));
  a.Sync(*relay);

  Device b(Clone(org.db), org.repB);
  ExecOrFail(b.db, "INSERT INTO device_accounts(user_id, kind, created_at) VALUES (" + std::to_string(org.repB.userId) +
                       ", 'online', 1)");
  int64_t deviceId = b.replica->DeviceId();
  b.replica.reset();
  auto booted = BootstrapFromSnapshot(b.db, relay->Snapshot());
  ASSERT_TRUE(booted) << booted.Message();
  Db next = std::move(booted).Value();
  EXPECT_EQ(CanonicalDump(next).Value(), CanonicalDump(relay->Copy()).Value());
  EXPECT_EQ(QueryText(next, "SELECT count(*) FROM device_accounts"), "1");
  EXPECT_EQ(QueryText(next, "SELECT value FROM app_meta WHERE key = 'device.id'"), std::to_string(deviceId));
  auto replica = Replica::Open(next);
  ASSERT_TRUE(replica);
  EXPECT_EQ(replica.Value()->ConfirmedSeq(), static_cast<int64_t>(relay->Log().size()));
  // The search index came with the data.
  EXPECT_EQ(QueryText(next, "SELECT count(*) FROM customer_fts_doc WHERE id = " + Id()), "1");
}

TEST_F(ReplicaTest, BootstrapRefusesWhileChangesHaveNotReachedTheRelay) {
  Device a(Clone(org.db), org.repA);
  ASSERT_TRUE(SetGrade(a.db, customer, Grade::A, "大单", a.actor));
  auto booted = BootstrapFromSnapshot(a.db, relay->Snapshot());
  ASSERT_FALSE(booted);
  EXPECT_NE(booted.Message().find("push them"), std::string::npos);
  // Once pushed, the snapshot (taken after) holds them, and the device ends equal to the relay.
  a.Push(*relay);
  a.replica.reset();
  auto after = BootstrapFromSnapshot(a.db, relay->Snapshot());
  ASSERT_TRUE(after) << after.Message();
  EXPECT_EQ(QueryText(after.Value(), "SELECT count(*) FROM sync_outbox"), "0");
  EXPECT_EQ(CanonicalDump(after.Value()).Value(), CanonicalDump(relay->Copy()).Value());
}

}  // namespace
}  // namespace crm::sync
