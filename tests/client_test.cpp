// The sync client's pacing: what it asks the relay, and when. And what people see when two devices
// edit one customer's list-valued fields (phones, tags) through their clients.
#include "sync/client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "core/conflicts.h"
#include "core/customers.h"
#include "core/duplicates.h"
#include "sync/offline_lock.h"
#include "sync_fake_relay.h"
#include "sync_test_support.h"
#include "test_support.h"

namespace crm::sync {
namespace {

using testing_support::Clone;
using testing_support::FakeRelay;
using testing_support::FakeTransport;
using testing_support::TestOrg;

// A rep's device, with its own copy of the organisation, syncing with a fake relay.
struct ClientRig {
  TestOrg org;
  FakeRelay relay{org.db};
  Db db = Clone(org.db);
  Result<std::unique_ptr<Replica>> replica = Open(db, org.repA.userId);
  FakeTransport transport{relay};

  static Result<std::unique_ptr<Replica>> Open(Db& db, int64_t author) {
    EXPECT_TRUE(db.Exec("DELETE FROM app_meta WHERE key = 'device.id'"));
    auto replica = Replica::Open(db);
    EXPECT_TRUE(replica) << replica.Message();
    if (replica) replica.Value()->SetAuthor(author);
    return replica;
  }
};

// A relay past its held-pull caps answers a long-poll at once with Retry-After: the client must not
// turn that into a pull every frame; a local change is still pushed at once.
TEST(SyncClient, AnUnheldLongPollIsAskedAgainOnlyAfterTheRelaysWait) {
  ClientRig rig;
  TestOrg& org = rig.org;
  FakeRelay& relay = rig.relay;
  Db& db = rig.db;
  auto& replica = rig.replica;
  FakeTransport& transport = rig.transport;
  transport.pullRetryAfterSeconds = 3;
  SyncClient client(*replica.Value(), transport);

  int64_t now = 1000000;
  client.Tick(now);  // catching up: a pull without a wait, answered empty
  for (int frame = 0; frame < 10; frame++) client.Tick(now += 16);
  const int afterCatchUp = transport.pulls;
  EXPECT_LE(afterCatchUp, 2) << "empty answers with Retry-After were asked again at once";
  Actor rep{org.repA.userId, replica.Value()->DeviceId()};
  ASSERT_TRUE(AddCustomer(db, "等待中录入", rep));
  client.Tick(now += 16);
  EXPECT_EQ(relay.Log().size(), 1u) << "a push does not wait for the pull's Retry-After";
  for (int frame = 0; frame < 150; frame++) client.Tick(now += 16);  // 2.4 s
  EXPECT_EQ(transport.pulls, afterCatchUp) << "pulled again before the relay's Retry-After";
  for (int frame = 0; frame < 60; frame++) client.Tick(now += 16);  // past 3 s
  EXPECT_GT(transport.pulls, afterCatchUp);
}

// A rep's device holds the rep's customers only; once caught up it fetches the company directory, page by
// page, and the duplicate check then names the owner of a number the device does not hold.
TEST(SyncClient, AScopedDeviceFetchesTheCompanyDirectoryOnceCaughtUp) {
  ClientRig rig;
  rig.relay.scoped = true;
  rig.transport.userId = rig.org.repA.userId;
  for (int i = 0; i < 5; i++) {
    CustomerInput input;
    input.name = "赵六的客户" + std::to_string(i);
    input.phones = {"1390000000" + std::to_string(i)};
    ASSERT_TRUE(CreateCustomer(rig.relay.Copy(), input, rig.org.repWest));
  }
  SyncClient client(*rig.replica.Value(), rig.transport);
  int64_t now = 1000000;
  for (int frame = 0; frame < 20; frame++) client.Tick(now += 16);
  EXPECT_EQ(rig.relay.directoryPages, 3) << "five customers, two a page";
  EXPECT_EQ(rig.db.QueryInt("SELECT count(*) FROM directory_customers").Value(), 5);
  EXPECT_EQ(client.Status().directorySeq, 0) << "the organisation's log is empty: position 0";
  auto found = FindDuplicates(rig.db, CustomerInput{"新客户", CustomerKind::Other, {"139-0000-0003"}});
  ASSERT_TRUE(found) << found.Message();
  ASSERT_EQ(found.Value().size(), 1u);
  EXPECT_TRUE(found.Value()[0].elsewhere);
  EXPECT_EQ(found.Value()[0].ownerName, "赵六");

  // Nothing new at the relay: no more questions until the log moves.
  for (int frame = 0; frame < 1000; frame++) client.Tick(now += 16);
  EXPECT_EQ(rig.relay.directoryPages, 3);
}

// A busy relay (429, 503) says how long to wait: the client waits that long, not its shorter back-off.
TEST(SyncClient, ABusyRelaysRetryAfterOutlastsTheBackOff) {
  ClientRig rig;
  FakeTransport& transport = rig.transport;
  transport.offline = true;
  transport.busyRetryAfterSeconds = 5;
  SyncClient client(*rig.replica.Value(), transport);  // back-off from 1 s

  int64_t now = 1000000;
  client.Tick(now);
  const int first = transport.offlineRequests;
  ASSERT_GE(first, 1);
  for (int frame = 0; frame < 280; frame++) client.Tick(now += 16);  // 4.5 s: past the back-off, not the Retry-After
  EXPECT_EQ(transport.offlineRequests, first) << "asked again before the relay's Retry-After";
  for (int frame = 0; frame < 60; frame++) client.Tick(now += 16);  // past 5 s
  EXPECT_GT(transport.offlineRequests, first);
}

// Revoked with keep_unsent: what the device had not yet sent reaches the relay (the relay still takes
// its pushes), and only then is the device due to erase itself; never "sign in again".
TEST(SyncClient, ARevokedDeviceKeepingUnsentChangesPushesThemBeforeItIsDueToWipe) {
  ClientRig rig;
  FakeTransport& transport = rig.transport;
  SyncClient client(*rig.replica.Value(), transport);
  int64_t now = 1000000;
  client.Tick(now);
  const size_t before = rig.relay.Log().size();
  transport.offline = true;  // the changes are made out of reach of the relay
  Actor rep{rig.org.repA.userId, rig.replica.Value()->DeviceId()};
  for (const char* name : {"离开前录入一", "离开前录入二", "离开前录入三"}) ASSERT_TRUE(AddCustomer(rig.db, name, rep));
  for (int frame = 0; frame < 10; frame++) client.Tick(now += 16);
  ASSERT_EQ(rig.relay.Log().size(), before);
  transport.offline = false;
  transport.revokedKeepUnsent = true;
  client.Wake();
  for (int frame = 0; frame < 400 && !client.WipeDue(); frame++) client.Tick(now += 16);
  EXPECT_TRUE(client.WipeDue());
  EXPECT_EQ(rig.relay.Log().size(), before + 3) << "the unsent changes were not pushed before the wipe";
  EXPECT_EQ(rig.replica.Value()->UnackedCount().ValueOr(-1), 0) << "left unsent";
  SyncStatus status = client.Status();
  EXPECT_TRUE(status.deviceRevoked);
  EXPECT_FALSE(status.signInNeeded);
  ASSERT_TRUE(status.lastError);
  EXPECT_EQ(status.lastError->problem, Problem::DeviceRevoked);
}

// The offline lock counts from the last answer of the relay (sync/offline_lock.h): every kind of answer
// is recorded, now and then rather than at each; nothing is recorded while the relay is out of reach.
TEST(SyncClient, RecordsWhenTheRelayLastAnsweredForTheOfflineLock) {
  ClientRig rig;
  FakeTransport& transport = rig.transport;
  SyncClient client(*rig.replica.Value(), transport);
  int64_t now = 1000000;
  client.Tick(now);
  EXPECT_EQ(LastRelayContactMs(rig.db).Value(), now) << "the first answer is recorded at once";
  transport.offline = true;
  for (int frame = 0; frame < 100; frame++) client.Tick(now += 1000);
  EXPECT_EQ(LastRelayContactMs(rig.db).Value(), 1000000) << "no answer came while offline";
  transport.offline = false;
  client.Wake();
  now += 3600 * 1000;
  client.Tick(now);
  EXPECT_EQ(LastRelayContactMs(rig.db).Value(), now) << "the relay answered again";
  client.Tick(now + 1000);
  Actor rep{rig.org.repA.userId, rig.replica.Value()->DeviceId()};
  ASSERT_TRUE(AddCustomer(rig.db, "联网后录入", rep));
  client.Tick(now + 2000);
  EXPECT_EQ(LastRelayContactMs(rig.db).Value(), now) << "answers seconds apart are not each a write";
}

// Revoked without keep_unsent: nothing more goes to the relay, and the device is due to wipe at once.
TEST(SyncClient, ARevokedDeviceNotKeepingUnsentChangesIsDueToWipeWithoutPushing) {
  ClientRig rig;
  FakeTransport& transport = rig.transport;
  SyncClient client(*rig.replica.Value(), transport);
  int64_t now = 1000000;
  client.Tick(now);
  const size_t before = rig.relay.Log().size();
  transport.revokedKeepUnsent = false;
  Actor rep{rig.org.repA.userId, rig.replica.Value()->DeviceId()};
  ASSERT_TRUE(AddCustomer(rig.db, "不会再上传", rep));
  client.Wake();
  for (int frame = 0; frame < 5; frame++) client.Tick(now += 16);
  EXPECT_TRUE(client.WipeDue());
  EXPECT_EQ(rig.relay.Log().size(), before);
  EXPECT_FALSE(client.Status().signInNeeded);
  EXPECT_TRUE(client.Status().deviceRevoked);
}

// Two people's devices with their own copies, syncing through one fake relay by their clients.
struct TwoDeviceRig {
  struct Device {
    Db db;
    Result<std::unique_ptr<Replica>> replica;
    FakeTransport transport;
    SyncClient client;
    Actor actor;
    Device(Db copy, int64_t author, FakeRelay& relay)
        : db(std::move(copy)), replica(ClientRig::Open(db, author)), transport(relay),
          client(*replica.Value(), transport), actor{author, replica.Value()->DeviceId()} {}
  };

  TestOrg org;
  int64_t customer = org.Customer("佛山门窗店", org.repA, {"13600001111"});
  FakeRelay relay{org.db};
  Device rep{Clone(org.db), org.repA.userId, relay};
  Device supervisor{Clone(org.db), org.supervisor.userId, relay};
  int64_t now = 1000000;

  // Ticks both clients until neither has anything to push or pull.
  void Settle() {
    for (int round = 0; round < 50; round++) {
      for (Device* device : {&rep, &supervisor}) {
        device->client.Wake();
        device->client.Tick(now += 16);
      }
    }
    for (Device* device : {&rep, &supervisor}) {
      EXPECT_EQ(device->replica.Value()->PendingCount().Value(), 0);
      EXPECT_EQ(device->replica.Value()->ConfirmedSeq(), static_cast<int64_t>(relay.Log().size()));
    }
  }

  // The customer's phone list as `device` holds it, edited by `edit` and saved as the form saves it.
  void EditPhones(Device& device, const std::function<void(std::vector<std::string>&)>& edit) {
    auto current = GetCustomer(device.db, customer);
    ASSERT_TRUE(current) << current.Message();
    CustomerInput input = current.Value().fields;
    edit(input.phones);
    Status saved = UpdateCustomer(device.db, customer, input, device.actor);
    ASSERT_TRUE(saved) << saved.Message();
  }
  void EditTags(Device& device, const std::function<void(std::vector<std::string>&)>& edit) {
    auto current = GetCustomer(device.db, customer);
    ASSERT_TRUE(current) << current.Message();
    CustomerInput input = current.Value().fields;
    edit(input.tags);
    Status saved = UpdateCustomer(device.db, customer, input, device.actor);
    ASSERT_TRUE(saved) << saved.Message();
  }
  std::vector<std::string> Phones(Device& device) { return GetCustomer(device.db, customer).Value().fields.phones; }
  std::vector<std::string> Tags(Device& device) { return GetCustomer(device.db, customer).Value().fields.tags; }
  std::string MainPhone(Device& device) {
    return testing_support::QueryText(device.db, "SELECT phone FROM customers WHERE id = " + std::to_string(customer));
  }
};

// The case: a rep, offline, changes the customer's phone; the supervisor changes the same phone online;
// the rep reconnects. One phone remains everywhere (the rep's, later in the relay's order), and the conflict log
// names the value that lost, once.
TEST(ListValuedFields, TwoReplacementsOfOnePhoneLeaveTheLaterOne) {
  TwoDeviceRig rig;
  rig.Settle();
  rig.rep.transport.offline = true;
  rig.EditPhones(rig.rep, [](auto& phones) { phones = {"13600002222"}; });
  rig.EditPhones(rig.supervisor, [](auto& phones) { phones = {"13600003333"}; });
  rig.supervisor.client.Tick(rig.now += 16);
  ASSERT_EQ(rig.relay.Log().size(), 1u) << "the supervisor's change is first in the relay's order";
  rig.rep.transport.offline = false;
  rig.Settle();
  ASSERT_EQ(rig.relay.Log().size(), 2u);
  ASSERT_TRUE(rig.relay.ApplyErrors().empty()) << rig.relay.ApplyErrors()[0];

  for (TwoDeviceRig::Device* device : {&rig.rep, &rig.supervisor}) {
    EXPECT_EQ(rig.Phones(*device), std::vector<std::string>{"13600002222"});
    EXPECT_EQ(rig.MainPhone(*device), "13600002222");
    auto conflicts = ListConflicts(device->db);
    ASSERT_TRUE(conflicts) << conflicts.Message();
    // One entry for one phone: not again for the customer's copy of its first phone or the number's search form.
    ASSERT_EQ(conflicts.Value().size(), 1u) << "on the device of user " << device->actor.userId << ", first entry "
                                            << conflicts.Value()[0].table << "." << conflicts.Value()[0].field;
    const ConflictEntry& entry = conflicts.Value()[0];
    EXPECT_TRUE(entry.table == "customer_phones" && entry.field == "phone" && entry.lostValue == "13600003333" &&
                entry.wonValue == "13600002222" && entry.customerId == rig.customer)
        << "the entry names both numbers on the device of user " << device->actor.userId;
  }
}

// Numbers are values: two added numbers both stay, and one number added on two devices is one row.
TEST(ListValuedFields, AddedPhonesAreKeyedByTheirNumber) {
  TwoDeviceRig rig;
  rig.Settle();
  rig.rep.transport.offline = true;
  rig.EditPhones(rig.rep, [](auto& phones) { phones.push_back("13600002222"); });
  rig.EditPhones(rig.supervisor, [](auto& phones) { phones.push_back("13700003333"); });
  rig.supervisor.client.Tick(rig.now += 16);
  rig.rep.transport.offline = false;
  rig.Settle();
  for (TwoDeviceRig::Device* device : {&rig.rep, &rig.supervisor}) {
    std::vector<std::string> phones = rig.Phones(*device);
    std::sort(phones.begin(), phones.end());
    EXPECT_EQ(phones, (std::vector<std::string>{"13600001111", "13600002222", "13700003333"}));
    EXPECT_EQ(rig.MainPhone(*device), "13600001111");
  }

  rig.rep.transport.offline = true;
  rig.EditPhones(rig.rep, [](auto& phones) { phones.push_back("13800004444"); });
  rig.EditPhones(rig.supervisor, [](auto& phones) { phones.push_back("138 0000 4444"); });
  rig.supervisor.client.Tick(rig.now += 16);
  rig.rep.transport.offline = false;
  rig.Settle();
  for (TwoDeviceRig::Device* device : {&rig.rep, &rig.supervisor}) {
    EXPECT_EQ(device->db.QueryInt("SELECT count(*) FROM customer_phones WHERE normalized = '13800004444'").Value(), 1)
        << "one number added on two devices is one row";
    EXPECT_EQ(rig.Phones(*device).size(), 4u);
  }
}

// A tag is a value too: removed on one device and added again on another, the later change in the relay's order
// decides, whichever it is.
TEST(ListValuedFields, ATagRemovedHereAndAddedThereFollowsTheLaterChange) {
  for (bool removalLast : {false, true}) {
    TwoDeviceRig rig;
    rig.EditTags(rig.rep, [](auto& tags) { tags = {"老客户"}; });
    rig.Settle();
    ASSERT_EQ(rig.Tags(rig.supervisor), std::vector<std::string>{"老客户"});
    // The supervisor takes the tag off and puts it back on (two saves), the rep takes it off; each offline.
    rig.rep.transport.offline = true;
    rig.supervisor.transport.offline = true;
    rig.EditTags(rig.supervisor, [](auto& tags) { tags.clear(); });
    rig.EditTags(rig.supervisor, [](auto& tags) { tags = {"老客户"}; });
    rig.EditTags(rig.rep, [](auto& tags) { tags.clear(); });
    TwoDeviceRig::Device& first = removalLast ? rig.supervisor : rig.rep;
    TwoDeviceRig::Device& second = removalLast ? rig.rep : rig.supervisor;
    first.transport.offline = false;
    first.client.Tick(rig.now += 16);
    second.transport.offline = false;
    rig.Settle();
    for (TwoDeviceRig::Device* device : {&rig.rep, &rig.supervisor}) {
      EXPECT_EQ(rig.Tags(*device), removalLast ? std::vector<std::string>{} : std::vector<std::string>{"老客户"})
          << (removalLast ? "the removal" : "the addition") << " was later";
    }
  }
}

}  // namespace
}  // namespace crm::sync
