// The sync client's pacing: what it asks the relay, and when.
#include "sync/client.h"

#include <gtest/gtest.h>

#include "core/customers.h"
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

}  // namespace
}  // namespace crm::sync
