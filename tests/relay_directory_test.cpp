// The company directory (GET /v1/directory) and hand-over requests on a real relay, on both stores: a rep's
// device learns whose every customer is, by name, city and keyed phone digests only; and a hand-over is asked
// for only as oneself and decided only by someone who may move the customer.
#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>

#include "core/followups.h"
#include "core/customers.h"
#include "core/directory.h"
#include "core/handover.h"
#include "core/ownership.h"
#include "relay_process.h"
#include "relay_store_fixture.h"
#include "relay_test_support.h"

namespace crm::testing_support {
namespace {

bool Contains(const std::string& bytes, std::string_view text) { return bytes.find(text) != std::string::npos; }

class RelayDirectoryTest : public RelayOnStoreTest {
 protected:
  RelayDirectoryTest() : RelayOnStoreTest("relay_directory") {}
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartRelay());
    int64_t team = m_org->AddTeam("一组");
    m_org->AddUser("甲", "rep", team);
    m_org->AddUser("乙", "rep", team);
    m_org->AddUser("主管", "supervisor", team);
    a = m_org->Device("甲");
    b = m_org->Device("乙");
    s = m_org->Device("主管");
    b->PushOk({b->Change([&](Db& db) {
      CustomerInput input;
      input.name = "乙的建材行";
      input.phones = {"139 0000 2222"};
      input.address.city = "佛山市";
      input.address.street = "季华五路八十八号";
      input.notes = "老板只在周末见客";
      auto made = CreateCustomer(db, input, b->actor());
      ASSERT_TRUE(made) << made.Message();
      ofB = made.Value();
      ActivityInput visit;
      visit.customerId = ofB;
      visit.summary = "乙谈了价格";
      ASSERT_TRUE(LogActivity(db, visit, b->actor()));
    })});
    for (TestDevice* device : {a.get(), b.get(), s.get()}) device->Sync();
  }

  HttpAnswer Directory(TestDevice& device, int64_t since, int64_t after = 0) {
    return Call(m_relay->Endpoint(), "GET", "/v1/directory?since=" + std::to_string(since) + "&after=" + std::to_string(after),
                device.Token());
  }
  sync::DirectoryResponse Decoded(const HttpAnswer& answer) {
    EXPECT_EQ(answer.status, 200) << answer.body;
    auto decoded = sync::DecodeDirectory(reinterpret_cast<const uint8_t*>(answer.body.data()), answer.body.size());
    EXPECT_TRUE(decoded) << decoded.Message();
    return decoded.ValueOr(sync::DirectoryResponse{});
  }
  const DirectoryEntry* EntryOf(const sync::DirectoryResponse& response, int64_t customer) {
    for (const DirectoryEntry& entry : response.entries) {
      if (entry.customerId == customer) return &entry;
    }
    return nullptr;
  }

  int64_t ofB = 0;
  std::unique_ptr<TestDevice> a, b, s;
};

TEST_P(RelayDirectoryTest, ARepLearnsWhoseACustomerIsButNoAddressNoteOrHistoryAndTheKeyStays) {
  EXPECT_EQ(HeldCustomers(a->db()).Value(), std::vector<int64_t>{}) << "乙's customer is out of 甲's scope";
  HttpAnswer answer = Directory(*a, 0);
  for (std::string_view secret : {"季华五路", "老板只在周末见客", "乙谈了价格", "13900002222"}) {
    EXPECT_FALSE(Contains(answer.body, secret)) << secret;
  }
  sync::DirectoryResponse whole = Decoded(answer);
  EXPECT_TRUE(whole.full);
  EXPECT_FALSE(whole.more);
  EXPECT_EQ(whole.key.size(), 64u);
  const DirectoryEntry* entry = EntryOf(whole, ofB);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->ownerId, b->UserId());
  EXPECT_EQ(entry->name, "乙的建材行");
  EXPECT_EQ(entry->city, "佛山市");
  EXPECT_EQ(entry->phoneDigests, std::vector<std::string>{PhoneDigest(whole.key, "+86 13900002222")})
      << "the device digests the number as it is typed, with the same normalisation";

  // The key is the organisation's: the same for every device and every answer.
  EXPECT_EQ(Decoded(Directory(*b, 0)).key, whole.key);
  EXPECT_EQ(Decoded(Directory(*a, 0)).key, whole.key);

  // Since a position: only the customers changed since.
  b->PushOk({b->Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "乙的新客户", b->actor())); })});
  sync::DirectoryResponse changes = Decoded(Directory(*a, whole.seq));
  EXPECT_FALSE(changes.full);
  ASSERT_EQ(changes.entries.size(), 1u);
  EXPECT_EQ(changes.entries[0].name, "乙的新客户");
  EXPECT_GT(changes.seq, whole.seq);

  // A bad position is a bad request; no token, no directory.
  EXPECT_EQ(Call(m_relay->Endpoint(), "GET", "/v1/directory?since=-1", a->Token()).status, 400);
  EXPECT_EQ(Call(m_relay->Endpoint(), "GET", "/v1/directory?since=0").status, 401);
}

TEST_P(RelayDirectoryTest, AHandOverIsAskedForOnlyAsOneselfAndDecidedOnlyByWhoMayMoveTheCustomer) {
  // 甲 may not ask in 乙's name.
  const std::string now = std::to_string(NowMs());
  const std::string forged = "INSERT INTO handover_requests(id, customer_id, requested_by, note, state, created_at, updated_at, "
                             "created_by, updated_by, device_id) VALUES (777, " + std::to_string(ofB) + ", " +
                             std::to_string(b->UserId()) + ", '', 'requested', " + now + ", " + now + ", " +
                             std::to_string(a->UserId()) + ", " + std::to_string(a->UserId()) + ", " + std::to_string(a->DeviceId()) + ")";
  EXPECT_EQ(a->PushRefused({a->Forge(forged)}).table, "handover_requests");

  int64_t request = 0;
  a->PushOk({a->Change([&](Db& db) {
    auto asked = RequestHandOver(db, ofB, "我先认识的老板", a->actor());
    ASSERT_TRUE(asked) << asked.Message();
    request = asked.Value();
  })});
  const std::string grant = "UPDATE handover_requests SET state = 'granted', decided_by = %d, updated_by = %d, device_id = %d, "
                            "updated_at = updated_at + 1 WHERE id = " + std::to_string(request);
  auto decide = [&](TestDevice& device) {
    std::string sql = grant;
    for (int64_t value : {device.UserId(), device.UserId(), device.DeviceId()}) sql.replace(sql.find("%d"), 2, std::to_string(value));
    return device.Forge(sql);
  };
  // Neither the rep who asked nor the owner (a rep) decides.
  EXPECT_EQ(a->PushRefused({decide(*a)}).table, "handover_requests");
  b->Sync();
  EXPECT_EQ(b->PushRefused({decide(*b)}).table, "handover_requests");
  // A request is never removed.
  EXPECT_EQ(a->PushRefused({a->Forge("DELETE FROM handover_requests WHERE id = " + std::to_string(request))}).table,
            "handover_requests");

  // The team's supervisor grants: the customer moves to 甲 and arrives on 甲's device.
  s->Sync();
  ASSERT_EQ(HandOversToDecide(s->db(), s->actor()).Value().size(), 1u);
  s->PushOk({s->Change([&](Db& db) {
    Status granted = GrantHandOver(db, request, s->actor());
    ASSERT_TRUE(granted) << granted.Message();
  })});
  a->Sync();
  EXPECT_EQ(HeldCustomers(a->db()).Value(), std::vector<int64_t>{ofB});
  EXPECT_EQ(HoldingOf(a->db(), ofB).Value().ownerId, a->UserId());
  EXPECT_EQ(QueryText(a->db(), "SELECT state FROM handover_requests WHERE id = " + std::to_string(request)), "granted");
}

INSTANTIATE_TEST_SUITE_P(Stores, RelayDirectoryTest, testing::Values(std::string("sqlite"), std::string("postgres")),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace crm::testing_support
