// Scoped sync over real HTTP, on both stores: a rep's pulls, long-polls and snapshots never carry a
// row of a customer outside their scope (not even its bytes), and when a customer changes hands it
// leaves one device and arrives on the other with its whole history.
#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>
#include <thread>

#include "core/customers.h"
#include "core/followups.h"
#include "core/ownership.h"
#include "core/records.h"
#include "core/scope.h"
#include "relay_process.h"
#include "relay_store_fixture.h"
#include "relay_test_support.h"

namespace crm::testing_support {
namespace {

bool Contains(const std::vector<uint8_t>& bytes, std::string_view text) {
  return std::search(bytes.begin(), bytes.end(), text.begin(), text.end(),
                     [](uint8_t byte, char c) { return byte == static_cast<uint8_t>(c); }) != bytes.end();
}

// Every row that follows these customers (the registry's scopeColumn), as text, table by table.
std::string RowsOf(Db& db, const std::vector<int64_t>& customers) {
  std::string ids;
  for (int64_t id : customers) ids += (ids.empty() ? "" : ",") + std::to_string(id);
  std::string out;
  for (const RecordType& type : RecordTypes()) {
    if (!type.scopeColumn) continue;
    std::string row = QueryText(db, std::string("SELECT group_concat('quote(' || name || ')', ' || ''|'' || ') FROM pragma_table_info('") +
                                        type.table + "')");
    out += std::string("== ") + type.table + "\n";
    out += QueryText(db, "SELECT group_concat(r, char(10)) FROM (SELECT " + row + " AS r FROM " + type.table + " WHERE " +
                             type.scopeColumn + " IN (" + ids + ") ORDER BY " + type.key + ")") + "\n";
  }
  return out;
}

class RelayScopeTest : public RelayOnStoreTest {
 protected:
  RelayScopeTest() : RelayOnStoreTest("relay_scope") {}
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartRelay());
    m_team = m_org->AddTeam("一组");
    m_org->AddUser("甲", "rep", m_team);
    m_org->AddUser("乙", "rep", m_team);
    m_org->AddUser("主管", "supervisor", m_team);
    m_org->AddUser("领导", "leader");
    a = m_org->Device("甲");
    b = m_org->Device("乙");
    s = m_org->Device("主管");
    l = m_org->Device("领导");
    ofA = CustomerOf(*a, "甲的门窗店", "13800001111");
    ofB = CustomerOf(*b, "乙的建材行", "13900002222");
    pooled = CustomerOf(m_org->Admin(), "公海五金", "13700003333", /*toPool=*/true);
    Visit(*a, ofA, "甲去量尺");
    Visit(*b, ofB, "乙谈了价格");
    SyncAll();
  }

  int64_t CustomerOf(TestDevice& device, const std::string& name, const std::string& phone, bool toPool = false) {
    int64_t id = 0;
    device.PushOk({device.Change([&](Db& db) {
      CustomerInput input;
      input.name = name;
      input.phones = {phone};
      input.toPool = toPool;
      auto made = CreateCustomer(db, input, device.actor());
      ASSERT_TRUE(made) << made.Message();
      id = made.Value();
    })});
    return id;
  }
  void Visit(TestDevice& device, int64_t customer, const std::string& summary) {
    device.PushOk({device.Change([&](Db& db) {
      ActivityInput input;
      input.customerId = customer;
      input.summary = summary;
      ASSERT_TRUE(LogActivity(db, input, device.actor()));
    })});
  }
  void Reassign(int64_t customer, TestDevice& to) {
    l->Sync();
    l->PushOk({l->Change([&](Db& db) { ASSERT_TRUE(ReassignCustomer(db, customer, to.UserId(), l->actor())); })});
  }
  void SyncAll() {
    for (TestDevice* device : {a.get(), b.get(), s.get(), l.get()}) device->Sync();
  }
  // The device holds exactly its scope, and each of its customers' rows are the leader's (the relay's copy).
  void ExpectExactlyItsScope(TestDevice& device) {
    l->Sync();
    auto scope = ReadScopeOf(l->db(), device.UserId());
    ASSERT_TRUE(scope) << scope.Message();
    std::vector<int64_t> expected = CustomersInScope(l->db(), scope.Value()).Value();
    EXPECT_EQ(HeldCustomers(device.db()).Value(), expected) << "user " << device.UserId();
    EXPECT_EQ(RowsOf(device.db(), expected), RowsOf(l->db(), expected)) << "user " << device.UserId();
    for (const RecordType& type : RecordTypes()) {
      if (!type.scopeColumn) continue;
      std::string ids;
      for (int64_t id : expected) ids += (ids.empty() ? "" : ",") + std::to_string(id);
      EXPECT_EQ(QueryText(device.db(), std::string("SELECT count(*) FROM ") + type.table + " WHERE " + type.scopeColumn +
                                           " IS NOT NULL AND " + type.scopeColumn + " NOT IN (" + ids + ")"),
                "0")
          << type.table << " rows of customers outside the scope of user " << device.UserId();
    }
  }

  int64_t m_team = 0, ofA = 0, ofB = 0, pooled = 0;
  std::unique_ptr<TestDevice> a, b, s, l;
};

TEST_P(RelayScopeTest, ARepsPullSnapshotAndLongPollCarryNothingOfAnotherRepsCustomers) {
  auto pulled = a->Transport().PullNow(0, 1000, 0);
  ASSERT_TRUE(pulled) << pulled.Message();
  EXPECT_FALSE(pulled.Value().scopeDigest.empty()) << "a rep's pull is scoped";
  bool sawOwn = false;
  for (const auto& item : pulled.Value().changesets) {
    const auto& bytes = item.envelope.changeset;
    for (const char* theirs : {"乙的建材行", "13900002222", "乙谈了价格"}) EXPECT_FALSE(Contains(bytes, theirs)) << theirs << " at seq " << item.seq;
    sawOwn = sawOwn || Contains(bytes, "甲去量尺");
  }
  EXPECT_TRUE(sawOwn) << "the rep's own visit came";
  // The same check finds the other rep's data where it belongs: on the leader's pull.
  auto all = l->Transport().PullNow(0, 1000, 0);
  ASSERT_TRUE(all);
  EXPECT_TRUE(all.Value().scopeDigest.empty()) << "a leader receives everything";
  EXPECT_TRUE(std::any_of(all.Value().changesets.begin(), all.Value().changesets.end(),
                          [](const auto& item) { return Contains(item.envelope.changeset, "乙的建材行"); }));

  auto image = a->Transport().SnapshotNow();
  ASSERT_TRUE(image) << image.Message();
  for (const char* theirs : {"乙的建材行", "13900002222", "乙谈了价格"}) EXPECT_FALSE(Contains(image.Value().image, theirs)) << theirs;
  for (const char* ours : {"甲的门窗店", "公海五金", "甲去量尺", "乙"}) EXPECT_TRUE(Contains(image.Value().image, ours)) << ours;
  auto leaderImage = l->Transport().SnapshotNow();
  ASSERT_TRUE(leaderImage);
  EXPECT_TRUE(Contains(leaderImage.Value().image, "乙的建材行"));

  // A long-poll woken by another rep's change wakes with the position, not the change.
  std::thread push([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CustomerOf(*b, "乙的新客户", "13900004444");
  });
  auto woken = a->Transport().PullNow(pulled.Value().headSeq, 100, 10);
  push.join();
  ASSERT_TRUE(woken) << woken.Message();
  ASSERT_EQ(woken.Value().changesets.size(), 1u);
  EXPECT_FALSE(Contains(woken.Value().changesets[0].envelope.changeset, "乙的新客户"));
  EXPECT_FALSE(Contains(woken.Value().changesets[0].envelope.changeset, "13900004444"));

  SyncAll();
  ExpectExactlyItsScope(*a);
  ExpectExactlyItsScope(*b);
  ExpectExactlyItsScope(*s);
  EXPECT_EQ(HeldCustomers(s->db()).Value().size(), 4u) << "the supervisor holds the team's customers and the pool";
}

TEST_P(RelayScopeTest, ACustomerChangingHandsMovesBetweenDevicesWithItsHistory) {
  Reassign(ofA, *b);
  SyncAll();
  EXPECT_EQ(QueryText(a->db(), "SELECT count(*) FROM activities WHERE customer_id = " + std::to_string(ofA)), "0") << "gone from A";
  EXPECT_EQ(QueryText(b->db(), "SELECT summary FROM activities WHERE customer_id = " + std::to_string(ofA)), "甲去量尺")
      << "B has its history";
  EXPECT_NE(QueryText(b->db(), "SELECT count(*) FROM audit_log WHERE customer_id = " + std::to_string(ofA)), "0");
  ExpectExactlyItsScope(*a);
  ExpectExactlyItsScope(*b);

  // Back and forth while both reps are offline, with work on it in between; then both come back.
  Reassign(ofA, *a);
  Visit(*l, ofA, "领导也去了一趟");
  Reassign(ofA, *b);
  Reassign(ofB, *a);
  Reassign(ofA, *a);
  a->PushOk({a->Change([&](Db& db) { ASSERT_TRUE(ClaimCustomer(db, pooled, a->actor())); })});
  SyncAll();
  ExpectExactlyItsScope(*a);
  ExpectExactlyItsScope(*b);
  ExpectExactlyItsScope(*s);
  EXPECT_EQ(HeldCustomers(b->db()).Value(), std::vector<int64_t>{}) << "B holds nothing now: the pool's one was claimed";
  EXPECT_EQ(QueryText(a->db(), "SELECT count(*) FROM activities WHERE customer_id = " + std::to_string(ofA)), "2");
}

TEST_P(RelayScopeTest, TheTeamSettingWidensARepsScopeAndNarrowsItAgain) {
  l->PushOk({l->Change([&](Db& db) { ASSERT_TRUE(SetSettingInt(db, kSettingRepSeesTeam, 1, l->actor())); })});
  SyncAll();
  EXPECT_EQ(HeldCustomers(a->db()).Value().size(), 3u);
  ExpectExactlyItsScope(*a);
  l->PushOk({l->Change([&](Db& db) { ASSERT_TRUE(SetSettingInt(db, kSettingRepSeesTeam, 0, l->actor())); })});
  SyncAll();
  EXPECT_EQ(HeldCustomers(a->db()).Value().size(), 2u);
  ExpectExactlyItsScope(*a);
}

// A shop tablet where staff of different teams sign in: it holds the union of their scopes, as the
// relay's tokens say (not anything the device claims), and a sign-out narrows it to who is left.
TEST_P(RelayScopeTest, ASharedTabletHoldsWhatEveryoneSignedInOnItMayReadUntilTheySignOut) {
  const int64_t west = m_org->AddTeam("二组");
  m_org->AddUser("丙", "rep", west);
  auto c = m_org->Device("丙");
  const int64_t ofC = CustomerOf(*c, "丙的灯具店", "13600005555");
  auto sorted = [](std::vector<int64_t> ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
  };

  TestDevice tablet(m_relay->Endpoint());
  ASSERT_TRUE(tablet.SignIn(m_org->Name(), "甲", "user password"));
  const std::string tokenOfA = tablet.Token();
  tablet.Sync();
  EXPECT_EQ(HeldCustomers(tablet.db()).Value(), sorted({ofA, pooled}));

  // 丙 signs in on the same tablet: whichever token pulls, the tablet receives both people's customers.
  ASSERT_TRUE(tablet.SignIn(m_org->Name(), "丙", "user password"));
  tablet.Sync();
  EXPECT_EQ(HeldCustomers(tablet.db()).Value(), sorted({ofA, ofC, pooled}));
  for (const std::string& token : {tokenOfA, tablet.Token()}) {
    tablet.Transport().SetToken(token);
    auto pulled = tablet.Transport().PullNow(0, 1000, 0);
    ASSERT_TRUE(pulled) << pulled.Message();
    auto carries = [&](std::string_view text) {
      return std::any_of(pulled.Value().changesets.begin(), pulled.Value().changesets.end(),
                         [&](const auto& item) { return Contains(item.envelope.changeset, text); });
    };
    EXPECT_TRUE(carries("甲的门窗店"));
    EXPECT_TRUE(carries("丙的灯具店"));
    EXPECT_FALSE(carries("乙的建材行")) << "nobody signed in on the tablet may read 乙's customer";
    auto image = tablet.Transport().SnapshotNow();
    ASSERT_TRUE(image) << image.Message();
    EXPECT_TRUE(Contains(image.Value().image, "甲的门窗店"));
    EXPECT_TRUE(Contains(image.Value().image, "丙的灯具店"));
    EXPECT_FALSE(Contains(image.Value().image, "乙的建材行"));
  }

  // 甲 signs out: the tablet keeps 丙's scope only, and drops 甲's customer with its rows.
  ASSERT_TRUE(sync::SignOut(m_relay->Endpoint(), tokenOfA));
  tablet.Sync();
  EXPECT_EQ(HeldCustomers(tablet.db()).Value(), sorted({ofC, pooled}));
  EXPECT_EQ(QueryText(tablet.db(), "SELECT count(*) FROM activities WHERE customer_id = " + std::to_string(ofA)), "0");
  // 丙's own phone is a device of its own: 甲's sign-in on the tablet never widened it.
  c->Sync();
  ExpectExactlyItsScope(*c);
}

INSTANTIATE_TEST_SUITE_P(Stores, RelayScopeTest, testing::Values(std::string("sqlite"), std::string("postgres")),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace crm::testing_support
