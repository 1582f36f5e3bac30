// Attacks from inside an organisation, against a real relay over HTTP, on both stores (SQLite and
// PostgreSQL): hostile changesets that crashed the relay, pulls poisoned with huge changesets,
// password guessing, old set-up tokens. Each refused write stores nothing, and the relay keeps
// serving everyone else.
#include <gtest/gtest.h>

#include "core/customers.h"
#include "relay_process.h"
#include "relay_store_fixture.h"
#include "relay_test_support.h"
#include "sync/changeset.h"
#include "sync/relay/auth.h"
#include "sync_test_support.h"

namespace crm::testing_support {
namespace {

using nlohmann::json;

std::string Id(int64_t value) { return std::to_string(value); }

// Changesets written byte by byte, in SQLite's session format, as a modified client could send them.
class RawChangeset {
 public:
  RawChangeset& Table(const std::string& name, const std::vector<bool>& key, char marker = 'T') {
    m_bytes.push_back(static_cast<uint8_t>(marker));
    Varint(key.size());
    for (bool isKey : key) m_bytes.push_back(isKey ? 1 : 0);
    m_bytes.insert(m_bytes.end(), name.begin(), name.end());
    m_bytes.push_back(0);
    return *this;
  }
  RawChangeset& Op(int op) {
    m_bytes.push_back(static_cast<uint8_t>(op));
    m_bytes.push_back(0);
    return *this;
  }
  RawChangeset& Undefined() {
    m_bytes.push_back(0);
    return *this;
  }
  RawChangeset& Null() {
    m_bytes.push_back(5);
    return *this;
  }
  RawChangeset& Int(int64_t value) {
    m_bytes.push_back(1);
    for (int shift = 56; shift >= 0; shift -= 8) m_bytes.push_back(static_cast<uint8_t>(static_cast<uint64_t>(value) >> shift));
    return *this;
  }
  RawChangeset& Text(const std::string& text) {
    m_bytes.push_back(3);
    Varint(text.size());
    m_bytes.insert(m_bytes.end(), text.begin(), text.end());
    return *this;
  }
  sync::Bytes Bytes() const { return m_bytes; }

 private:
  void Varint(uint64_t value) {
    // Small values only (< 2^14): enough for column counts and short texts.
    if (value < 0x80) {
      m_bytes.push_back(static_cast<uint8_t>(value));
    } else {
      m_bytes.push_back(static_cast<uint8_t>(0x80 | (value >> 7)));
      m_bytes.push_back(static_cast<uint8_t>(value & 0x7f));
    }
  }
  sync::Bytes m_bytes;
};

constexpr int kInsert = 18, kDelete = 9, kUpdate = 23;

class RelayAttackTest : public RelayOnStoreTest {
 protected:
  RelayAttackTest() : RelayOnStoreTest("relay_attacks") {}
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartRelay());
    m_org->AddUser("甲", "rep");
    m_org->AddUser("乙", "rep");
    m_rep = m_org->Device("甲");
    m_other = m_org->Device("乙");
    auto made = m_rep->Change([&](Db& db) {
      CustomerInput input;
      input.name = "甲的客户";
      input.phones = {"13800001111"};
      m_customer = CreateCustomer(db, input, m_rep->actor()).ValueOr(0);
    });
    m_rep->PushOk({made});
    m_other->Sync();
  }

  int64_t Head() {
    auto pulled = m_org->Admin().Transport().PullNow(0, 1, 0);
    EXPECT_TRUE(pulled) << pulled.Message();
    return pulled ? pulled.Value().headSeq : -1;
  }

  // The customers table's key as the relay has it: column 0 of as many as this schema has.
  std::vector<bool> CustomerKey() {
    int64_t columns = m_rep->db().QueryInt("SELECT count(*) FROM pragma_table_info('customers')").ValueOr(0);
    std::vector<bool> key(static_cast<size_t>(columns), false);
    key[0] = true;
    return key;
  }
  int NotesColumn() {
    return static_cast<int>(m_rep->db().QueryInt("SELECT cid FROM pragma_table_info('customers') WHERE name = 'notes'").ValueOr(-1));
  }

  // Refused with 422, nothing logged, and the relay still answers another person's pull and push.
  void ExpectRefusedHarmlessly(const sync::Bytes& changeset, const std::string& why) {
    SCOPED_TRACE(why);
    int64_t head = Head();
    sync::PushRefusal refused = m_rep->PushRefused({m_rep->Envelope(changeset)});
    EXPECT_FALSE(refused.reason.empty());
    EXPECT_EQ(Head(), head) << "a refused push stored something";
    EXPECT_EQ(Call(m_relay->Endpoint(), "GET", "/healthz").status, 200);
    m_other->PushOk({m_other->Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "乙的客户 " + why, m_other->actor())); })});
  }

  std::unique_ptr<TestDevice> m_rep, m_other;
  int64_t m_customer = 0;
};

// The crash: an UPDATE of one's own customer whose old value is left undefined reached
// sqlite3_value_type(nullptr) in the conflict path of the copy's apply; so did a DELETE.
TEST_P(RelayAttackTest, ChangesetsWithUndefinedValuesAreRefusedAndTheRelayKeepsServing) {
  std::vector<bool> key = CustomerKey();
  const int notes = NotesColumn();
  ASSERT_GT(notes, 0);
  // The copy's notes differ from the (undefined) old value: the DATA conflict path.
  m_rep->PushOk({m_rep->Sql("UPDATE customers SET notes = '原来的', " + std::string("updated_by = ") + Id(m_rep->UserId()) +
                            ", device_id = " + Id(m_rep->DeviceId()) + " WHERE id = " + Id(m_customer))});
  RawChangeset update;
  update.Table("customers", key).Op(kUpdate);
  for (size_t i = 0; i < key.size(); i++) i == 0 ? update.Int(m_customer) : update.Undefined();  // old: the key only
  for (size_t i = 0; i < key.size(); i++) static_cast<int>(i) == notes ? update.Text("改") : update.Undefined();
  ExpectRefusedHarmlessly(update.Bytes(), "update with an undefined old value");

  RawChangeset remove;
  remove.Table("customers", key).Op(kDelete).Int(m_customer);
  for (size_t i = 1; i < key.size(); i++) remove.Undefined();
  ExpectRefusedHarmlessly(remove.Bytes(), "delete with undefined old values");

  // A patchset section after a valid first section.
  sync::Bytes valid = m_rep->Forge("UPDATE customers SET notes = '补丁', updated_by = " + Id(m_rep->UserId()) + ", device_id = " +
                                   Id(m_rep->DeviceId()) + " WHERE id = " + Id(m_customer)).changeset;
  RawChangeset patch;
  patch.Table("customers", key, 'P').Op(kDelete).Int(m_customer);
  sync::Bytes mixed = valid;
  sync::Bytes tail = patch.Bytes();
  mixed.insert(mixed.end(), tail.begin(), tail.end());
  ExpectRefusedHarmlessly(mixed, "a patchset section after the first");

  // The same table's header again, with the key moved.
  std::vector<bool> moved(key.size(), false);
  moved[1] = true;
  RawChangeset repeated;
  repeated.Table("customers", moved).Op(kDelete);
  for (size_t i = 0; i < key.size(); i++) repeated.Int(static_cast<int64_t>(i));
  sync::Bytes twice = valid;
  tail = repeated.Bytes();
  twice.insert(twice.end(), tail.begin(), tail.end());
  ExpectRefusedHarmlessly(twice, "a repeated header of another shape");

  // A changed primary key.
  RawChangeset rekey;
  rekey.Table("customers", key).Op(kUpdate).Int(m_customer);
  for (size_t i = 1; i < key.size(); i++) rekey.Undefined();
  rekey.Int(m_customer + 1);
  for (size_t i = 1; i < key.size(); i++) rekey.Undefined();
  ExpectRefusedHarmlessly(rekey.Bytes(), "a changed primary key");

  // A 4 MiB table name: refused before anything is cached or logged under it.
  RawChangeset longName;
  longName.Table(std::string(16000, 'x'), key).Op(kDelete).Int(1);
  for (size_t i = 1; i < key.size(); i++) longName.Null();
  ExpectRefusedHarmlessly(longName.Bytes(), "a very long table name");

  // The honest version of the same edit still goes through.
  m_rep->PushOk({m_rep->Sql("UPDATE customers SET notes = '改', updated_by = " + Id(m_rep->UserId()) + ", device_id = " +
                            Id(m_rep->DeviceId()) + " WHERE id = " + Id(m_customer))});
}

// Five huge changesets made one pull larger than a device accepts, and every device behind them
// was stuck. Now a changeset has a size limit well below a device's, and a pull stops by bytes too.
TEST_P(RelayAttackTest, PullsStayWithinADevicesLimitWhateverWasPushed) {
  // New customers making a changeset of about twice `mebibytes` MiB, each with notes as long as a customer's notes may be
  // (2,000 characters, about 2.2 KB a row with its audit row).
  auto big = [&](int mebibytes) {
    return m_rep->Change([&](Db& db) {
      const std::string user = Id(m_rep->UserId()), now = Id(NowMs());
      ASSERT_TRUE(db.Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + Id(int64_t{mebibytes} * 950) +
                          ") INSERT INTO customers(id, name, kind, grade, stage, notes, owner_id, created_at, updated_at, created_by, "
                          "updated_by, device_id) SELECT crm_new_id(), '大客户 ' || i, 'other', 'C', 'prospect', hex(randomblob(1000)), " +
                          user + ", " + now + ", " + now + ", " + user + ", " + user + ", " + Id(m_rep->DeviceId()) + " FROM n"));
    });
  };
  int64_t head = Head();
  sync::PushRefusal refused = m_rep->PushRefused({big(7)});
  EXPECT_NE(refused.reason.find("MiB"), std::string::npos) << refused.reason;
  EXPECT_EQ(Head(), head);
  for (int i = 0; i < 3; i++) m_rep->PushOk({big(3)});
  auto pulled = m_other->Transport().PullNow(head, 1000, 0);
  ASSERT_TRUE(pulled) << pulled.Message();
  size_t bytes = 0;
  for (const auto& item : pulled.Value().changesets) bytes += item.envelope.changeset.size();
  EXPECT_EQ(pulled.Value().changesets.size(), 2u) << "two 6 MiB changesets fit the 16 MiB budget, the third waits";
  EXPECT_LE(bytes, relay::kMaxReadBytes);
  EXPECT_EQ(pulled.Value().headSeq, head + 3);
  // The device catches up in the next pull.
  ASSERT_FALSE(pulled.Value().changesets.empty());
  auto rest = m_other->Transport().PullNow(pulled.Value().changesets.back().seq, 1000, 0);
  ASSERT_TRUE(rest) << rest.Message();
  ASSERT_EQ(rest.Value().changesets.size(), 1u);
  EXPECT_EQ(rest.Value().changesets[0].seq, head + 3);
}

// 90 wrong guesses and then the right password used to work. Now the account locks with growing
// waits; the owner elsewhere is kept out briefly at most, and an unknown account behaves the same.
TEST_P(RelayAttackTest, RepeatedWrongPasswordsLockTheAccountForAWhile) {
  auto signIn = [&](const std::string& user, const std::string& password, const std::string& address) {
    relay::ApiRequest request;
    request.method = "POST";
    request.path = "/v1/signin";
    request.remote = address;
    request.contentType = "application/json";
    request.body = json{{"organisation", m_org->Name()}, {"user", user}, {"password", password}, {"device_id", "4242"},
                        {"device_secret", std::string(64, 'c')}}.dump();
    return m_relay->Service().Handle(request);
  };
  for (int i = 0; i < 5; i++) EXPECT_EQ(signIn("甲", "guess " + Id(i), "10.0.0.9").status, 401);
  EXPECT_EQ(signIn("甲", "guess 5", "10.0.0.9").status, 401);  // the sixth failure locks this address out
  relay::ApiResponse locked = signIn("甲", "user password", "10.0.0.9");
  EXPECT_EQ(locked.status, 429) << locked.body << ": the right password is not even tried while locked";
  bool retryAfter = false;
  for (const auto& [name, value] : locked.headers) retryAfter |= name == "Retry-After" && std::atoi(value.c_str()) >= 1;
  EXPECT_TRUE(retryAfter);
  // The owner at another address is not locked out by someone else's guesses (below the account-wide count).
  EXPECT_EQ(signIn("甲", "user password", "10.0.0.1").status, 200);
  // An account that does not exist locks the same way: no oracle for names.
  for (int i = 0; i < 6; i++) EXPECT_EQ(signIn("没有这个人", "guess", "10.0.0.9").status, 401);
  EXPECT_EQ(signIn("没有这个人", "guess", "10.0.0.9").status, 429);
}

TEST_P(RelayAttackTest, SetUpTokensExpireAfterADay) {
  std::string token = relay::NewToken();
  ASSERT_TRUE(m_relay->Service().GetStore().AddSetupToken(relay::TokenHash(token), NowMs() - relay::kSetupTokenLifetimeMs - 1000));
  HttpAnswer old = Call(m_relay->Endpoint(), "POST", "/v1/setup", "",
                        json{{"setup_token", token}, {"organisation", "新公司"}, {"admin_name", "管理员"}, {"password", "admin password"},
                             {"device_id", "9"}, {"device_secret", std::string(64, '9')}}.dump());
  EXPECT_EQ(old.status, 401) << old.body;
  EXPECT_NE(old.body.find("expired"), std::string::npos) << old.body;
  std::string fresh = m_relay->SetupToken();
  HttpAnswer made = Call(m_relay->Endpoint(), "POST", "/v1/setup", "",
                         json{{"setup_token", fresh}, {"organisation", "新公司"}, {"admin_name", "管理员"}, {"password", "admin password"},
                              {"device_id", "9"}, {"device_secret", std::string(64, '9')}}.dump());
  EXPECT_EQ(made.status, 201) << made.body;
}

// A device id is bound to the secret of the device that first signed in with it, in each organisation.
TEST_P(RelayAttackTest, ADeviceIdCannotBeTakenOver) {
  auto signIn = [&](const std::string& user, const std::string& secret) {
    return Call(m_relay->Endpoint(), "POST", "/v1/signin", "",
                json{{"organisation", m_org->Name()}, {"user", user}, {"password", "user password"}, {"device_id", Id(m_other->DeviceId())},
                     {"device_secret", secret}}.dump());
  };
  HttpAnswer stolen = signIn("甲", std::string(64, 'e'));
  EXPECT_EQ(stolen.status, 403) << stolen.body;
  EXPECT_NE(stolen.body.find("belongs to another device"), std::string::npos) << stolen.body;
  HttpAnswer missing = Call(m_relay->Endpoint(), "POST", "/v1/signin", "",
                            json{{"organisation", m_org->Name()}, {"user", "甲"}, {"password", "user password"}, {"device_id", "77"}}.dump());
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_NE(missing.body.find("device_secret"), std::string::npos) << missing.body;
  // 乙's own device still works with its own sign-in.
  EXPECT_EQ(Call(m_relay->Endpoint(), "GET", "/v1/pull?after=0&limit=1", m_other->Token()).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Stores, RelayAttackTest, testing::Values(std::string("sqlite"), std::string("postgres")),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace crm::testing_support
