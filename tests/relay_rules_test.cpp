// What the relay refuses, and what it lets through: every row of every pushed changeset is
// checked with core's permission rules against the relay's copy of the organisation, before
// anything is stored. Changes that core itself would make are built with core on a device;
// forgeries are raw SQL captured on a device, as a modified client would send them.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "core/contacts.h"
#include "core/customer_dates.h"
#include "core/customers.h"
#include "core/followups.h"
#include "core/ownership.h"
#include "relay_test_support.h"

namespace crm::testing_support {
namespace {

std::string Id(int64_t value) { return std::to_string(value); }

class RelayRulesTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(m_relay.Ok());
    m_team = m_org.AddTeam("一组");
    m_repA = m_org.AddUser("甲", "rep");
    m_repB = m_org.AddUser("乙", "rep");
    m_supervisor = m_org.AddUser("主管", "supervisor", m_team);
    m_repC = m_org.AddUser("丙", "rep", m_team);
    m_leader = m_org.AddUser("领导", "leader");
    a = m_org.Device("甲");
    b = m_org.Device("乙");
    s = m_org.Device("主管");
    c = m_org.Device("丙");
    l = m_org.Device("领导");
  }

  void SyncAll() {
    for (TestDevice* device : {a.get(), b.get(), s.get(), c.get(), l.get(), &m_org.Admin()}) device->Sync();
  }

  // A customer made with core on `device`, pushed, and known everywhere.
  int64_t CustomerOf(TestDevice& device, const std::string& name, bool toPool = false) {
    int64_t id = 0;
    auto envelope = device.Change([&](Db& db) {
      CustomerInput input;
      input.name = name;
      input.phones = {"138 0000 " + std::to_string(1000 + m_counter++)};
      input.toPool = toPool;
      auto made = CreateCustomer(db, input, device.actor());
      ASSERT_TRUE(made) << made.Message();
      id = made.Value();
    });
    device.PushOk({envelope});
    SyncAll();
    return id;
  }

  // The signature columns a forged row needs to pass the author check.
  std::string Signed(const TestDevice& device) {
    return Id(NowMs()) + ", " + Id(NowMs()) + ", " + Id(device.UserId()) + ", " + Id(device.UserId()) + ", " + Id(device.DeviceId());
  }
  std::string SetSigned(const TestDevice& device) {
    return "updated_at = " + Id(NowMs()) + ", updated_by = " + Id(device.UserId()) + ", device_id = " + Id(device.DeviceId());
  }

  int64_t Head() {
    auto pulled = m_org.Admin().Transport().PullNow(0, 1, 0);
    EXPECT_TRUE(pulled);
    return pulled ? pulled.Value().headSeq : -1;
  }

  TempFolder m_folder{"relay_rules"};
  TestRelay m_relay{FastOptions("sqlite:" + m_folder / "relay.db")};
  OrgOnRelay m_org{m_relay};
  int64_t m_team = 0, m_repA = 0, m_repB = 0, m_supervisor = 0, m_repC = 0, m_leader = 0;
  std::unique_ptr<TestDevice> a, b, s, c, l;
  int m_counter = 0;
};

TEST_F(RelayRulesTest, ARepChangesOwnAndPoolCustomersOnly) {
  int64_t own = CustomerOf(*a, "甲的客户");
  int64_t others = CustomerOf(*b, "乙的客户");
  int64_t pool = CustomerOf(m_org.Admin(), "公海客户", /*toPool=*/true);

  a->PushOk({a->Sql("UPDATE customers SET notes = '改过', " + SetSigned(*a) + " WHERE id = " + Id(own))});
  EXPECT_EQ(QueryText(a->db(), "SELECT count(*) FROM customers WHERE id = " + Id(others)), "0") << "B's customer is not on A's device";
  a->PlantEverything();  // a forger builds on it anyway
  sync::PushRefusal refused = a->PushRefused({a->Forge("UPDATE customers SET notes = '偷改', " + SetSigned(*a) + " WHERE id = " + Id(others))});
  EXPECT_EQ(refused.table, "customers");
  EXPECT_EQ(refused.row, Id(others));
  EXPECT_NE(refused.reason.find("belongs to another rep"), std::string::npos) << refused.reason;

  a->PushOk({a->Sql("UPDATE customers SET notes = '公海的也可以', " + SetSigned(*a) + " WHERE id = " + Id(pool))});
  a->PushOk({a->Change([&](Db& db) { ASSERT_TRUE(ClaimCustomer(db, pool, a->actor())); })});
  SyncAll();
  EXPECT_EQ(QueryText(l->db(), "SELECT owner_id FROM customers WHERE id = " + Id(pool)), Id(m_repA)) << "the claim reached the leader";
  EXPECT_EQ(QueryText(b->db(), "SELECT count(*) FROM customers WHERE id = " + Id(pool)), "0") << "and left B's device with the pool";

  // Giving a customer to another rep is a reassignment: not for reps.
  sync::PushRefusal giveAway = a->PushRefused({a->Forge("UPDATE customers SET owner_id = " + Id(m_repB) + ", " + SetSigned(*a) + " WHERE id = " + Id(own))});
  EXPECT_NE(giveAway.reason.find("may not reassign"), std::string::npos) << giveAway.reason;
  // Back to the pool is allowed (core: ReleaseToPool).
  a->PushOk({a->Change([&](Db& db) { ASSERT_TRUE(ReleaseToPool(db, own, a->actor())); })});
  // A new customer for someone else: no.
  sync::PushRefusal forOther = a->PushRefused({a->Forge(
      "INSERT INTO customers (id, name, owner_id, created_at, updated_at, created_by, updated_by, device_id) VALUES (4242, '塞给乙', " +
      Id(m_repB) + ", " + Signed(*a) + ")")});
  EXPECT_EQ(forOther.row, "4242");
  EXPECT_NE(forOther.reason.find("belongs to another rep"), std::string::npos) << forOther.reason;
}

// Each value is held to its field's description in the record registry, as core's validation holds the forms:
// a vocabulary's stored codes only, the length core allows, the kind of value, required fields present.
TEST_F(RelayRulesTest, EveryValueIsHeldToItsFieldsDescription) {
  int64_t own = CustomerOf(*a, "甲的客户");
  auto refusedFor = [&](const std::string& set) {
    return a->PushRefused({a->Forge("UPDATE customers SET " + set + ", " + SetSigned(*a) + " WHERE id = " + Id(own))}).reason;
  };
  EXPECT_NE(refusedFor("stage = 'won'").find("stage: unknown code"), std::string::npos);
  EXPECT_NE(refusedFor("kind = '工业客户'").find("kind: unknown code"), std::string::npos) << "a label is not a stored code";
  EXPECT_NE(refusedFor("city = '" + std::string(101, 'x') + "'").find("city: at most 100 characters"), std::string::npos);
  EXPECT_NE(refusedFor("last_activity_at = 'yesterday'").find("last_activity_at must be an integer"), std::string::npos);
  // A contact's name has its own limit; 50 Chinese characters are 150 bytes and still fit.
  sync::PushRefusal contact = a->PushRefused({a->Forge(
      "INSERT INTO contacts (id, customer_id, name, role, created_at, updated_at, created_by, updated_by, device_id) VALUES (77, " +
      Id(own) + ", '" + std::string(51 * 3, 'x') + "', 'other', " + Signed(*a) + ")")});
  EXPECT_NE(contact.reason.find("name: at most 50 characters"), std::string::npos) << contact.reason;
  sync::PushRefusal unnamed = a->PushRefused({a->Forge(
      "INSERT INTO contacts (id, customer_id, name, role, created_at, updated_at, created_by, updated_by, device_id) VALUES (78, " +
      Id(own) + ", '', 'other', " + Signed(*a) + ")")});
  EXPECT_NE(unnamed.reason.find("name is required"), std::string::npos) << unnamed.reason;
  std::string fifty;
  for (int i = 0; i < 50; i++) fifty += "张";
  a->PushOk({a->Sql("UPDATE customers SET city = '" + std::string(100, 'x') + "', notes = '" + fifty + "', " + SetSigned(*a) +
                    " WHERE id = " + Id(own))});
}

TEST_F(RelayRulesTest, ASupervisorChangesTheTeamsCustomersAndMovesThemWithinTheTeam) {
  int64_t teamCustomer = CustomerOf(*c, "丙的客户");
  int64_t otherTeam = CustomerOf(*b, "乙的客户");
  s->PushOk({s->Change([&](Db& db) {
    CustomerInput input;
    input.name = "丙的客户（主管改）";
    ASSERT_TRUE(UpdateCustomer(db, teamCustomer, input, s->actor()));
  })});
  s->PlantEverything();  // a supervisor's device never receives another team's customers; a forger builds on them anyway
  sync::PushRefusal refused = s->PushRefused({s->Forge("UPDATE customers SET notes = 'x', " + SetSigned(*s) + " WHERE id = " + Id(otherTeam))});
  EXPECT_NE(refused.reason.find("another team"), std::string::npos) << refused.reason;
  s->PushOk({s->Change([&](Db& db) { ASSERT_TRUE(ReassignCustomer(db, teamCustomer, m_supervisor, s->actor())); })});
  sync::PushRefusal outOfTeam = s->PushRefused({s->Forge("UPDATE customers SET owner_id = " + Id(m_repB) + ", team_id = NULL, " +
                                                        SetSigned(*s) + " WHERE id = " + Id(teamCustomer))});
  EXPECT_NE(outOfTeam.reason.find("may not reassign"), std::string::npos) << outOfTeam.reason;
  // A leader moves anyone's.
  l->Sync();
  l->PushOk({l->Change([&](Db& db) { ASSERT_TRUE(ReassignCustomer(db, otherTeam, m_repA, l->actor())); })});
}

TEST_F(RelayRulesTest, RowsOfACustomerAreJudgedByThatCustomersHolding) {
  int64_t own = CustomerOf(*a, "甲的客户");
  int64_t others = CustomerOf(*b, "乙的客户");
  // Core's own kind of change: a contact for one's own customer.
  a->PushOk({a->Change([&](Db& db) {
    ContactInput contact;
    contact.name = "联系人";
    ASSERT_TRUE(AddContact(db, own, contact, a->actor()));
  })});
  sync::PushRefusal phone = a->PushRefused({a->Forge(
      "INSERT INTO customer_phones (id, customer_id, phone, normalized, created_at, updated_at, created_by, updated_by, device_id) "
      "VALUES (777, " + Id(others) + ", '139', '139', " + Signed(*a) + ")")});
  EXPECT_EQ(phone.table, "customer_phones");
  EXPECT_EQ(phone.row, "777");
  EXPECT_NE(phone.reason.find("belongs to another rep"), std::string::npos) << phone.reason;

  // A customer and its rows, in one changeset and in two changesets of one push.
  int64_t fresh = NewId();
  auto customer = a->Sql("INSERT INTO customers (id, name, owner_id, created_at, updated_at, created_by, updated_by, device_id) VALUES (" +
                         Id(fresh) + ", '新客户', " + Id(m_repA) + ", " + Signed(*a) + ")");
  auto activity = a->Change([&](Db& db) {
    ActivityInput input;
    input.customerId = fresh;
    input.summary = "第一次拜访";
    ASSERT_TRUE(LogActivity(db, input, a->actor()));
  });
  a->PushOk({customer, activity});

  // Moving one's row to another rep's customer, or deleting theirs behind a forged old value: no.
  int64_t ownPhone = std::strtoll(QueryText(a->db(), "SELECT id FROM customer_phones WHERE customer_id = " + Id(own)).c_str(), nullptr, 10);
  sync::PushRefusal moved = a->PushRefused({a->Forge("UPDATE customer_phones SET customer_id = " + Id(others) + ", " + SetSigned(*a) +
                                                   " WHERE id = " + Id(ownPhone))});
  EXPECT_EQ(moved.row, Id(ownPhone));
  a->Sync();
  a->PlantEverything();
  int64_t theirPhone = std::strtoll(QueryText(a->db(), "SELECT id FROM customer_phones WHERE customer_id = " + Id(others)).c_str(), nullptr, 10);
  ASSERT_GT(theirPhone, 0);
  ASSERT_TRUE(a->db().Exec("UPDATE customer_phones SET customer_id = " + Id(own) + " WHERE id = " + Id(theirPhone)));  // not captured
  sync::PushRefusal forged = a->PushRefused({a->Forge("DELETE FROM customer_phones WHERE id = " + Id(theirPhone))});
  EXPECT_EQ(forged.table, "customer_phones");
  EXPECT_NE(forged.reason.find("belongs to another rep"), std::string::npos) << forged.reason;

  // An INSERT over another rep's customer would replace it (the policy lets a later insert win).
  ASSERT_TRUE(a->db().Exec("DELETE FROM customers WHERE id = " + Id(others)));  // not captured
  sync::PushRefusal takeover = a->PushRefused({a->Forge(
      "INSERT INTO customers (id, name, owner_id, created_at, updated_at, created_by, updated_by, device_id) VALUES (" + Id(others) +
      ", '抢过来', " + Id(m_repA) + ", " + Signed(*a) + ")")});
  EXPECT_EQ(takeover.row, Id(others));
  EXPECT_NE(takeover.reason.find("belongs to another rep"), std::string::npos) << takeover.reason;

  // A row for a customer that does not exist.
  sync::PushRefusal orphan = a->PushRefused({a->Forge(
      "INSERT INTO contacts (id, customer_id, name, created_at, updated_at, created_by, updated_by, device_id) VALUES (5, 123456, 'x', " +
      Signed(*a) + ")")});
  EXPECT_NE(orphan.reason.find("does not exist"), std::string::npos) << orphan.reason;
}

// A customer's important dates are judged as every row of a customer's, and their fields by the registry's description.
// A phone list as core edits it passes the checks: a number replaced in place, one added under the id derived from
// it, one removed and added again (its row revived), and one number added on two devices (an insert of a key the
// relay already has).
TEST_F(RelayRulesTest, PhoneListEditsAsCoreMakesThemPass) {
  int64_t own = CustomerOf(*a, "甲的客户");
  auto save = [&](TestDevice& device, std::vector<std::string> phones) {
    device.PushOk({device.Change([&](Db& db) {
      CustomerInput input = GetCustomer(db, own).Value().fields;
      input.phones = std::move(phones);
      Status saved = UpdateCustomer(db, own, input, device.actor());
      ASSERT_TRUE(saved) << saved.Message();
    })});
  };
  save(*a, {"13600002222"});
  save(*a, {"13600002222", "13600001111"});
  save(*a, {"13600001111"});
  save(*a, {"13600002222", "13600001111"});
  TestDevice& admin = m_org.Admin();
  admin.Sync();
  save(*a, {"13600002222", "13600001111", "13700003333"});
  save(admin, {"13600002222", "13600001111", "13700003333"});  // not yet synced: the same number inserted again
  SyncAll();
  const std::string live = "SELECT group_concat(normalized, ' ') FROM (SELECT normalized FROM customer_phones WHERE deleted_at IS NULL "
                           "AND customer_id = " + Id(own) + " ORDER BY position)";
  EXPECT_EQ(QueryText(l->db(), live), "13600002222 13600001111 13700003333");
  EXPECT_EQ(QueryText(admin.db(), live), QueryText(a->db(), live));
}

TEST_F(RelayRulesTest, ACustomersDatesAreJudgedByItsHoldingAndTheirFields) {
  int64_t own = CustomerOf(*a, "甲的客户");
  int64_t others = CustomerOf(*b, "乙的客户");
  auto forgeDate = [&](int64_t id, int64_t customer, const std::string& kind, const std::string& monthDay) {
    return a->PushRefused({a->Forge("INSERT INTO customer_dates (id, customer_id, kind, month_day, created_at, updated_at, created_by, "
                                    "updated_by, device_id) VALUES (" + Id(id) + ", " + Id(customer) + ", '" + kind + "', '" +
                                    monthDay + "', " + Signed(*a) + ")")});
  };
  sync::PushRefusal theirs = forgeDate(901, others, "birthday", "05-12");
  // The forged row's audit row comes first in the changeset (audit_log is before customer_dates in the registry's
  // order) and is refused for the same reason: the customer is another rep's.
  EXPECT_TRUE(theirs.table == "customer_dates" || theirs.table == "audit_log") << theirs.table;
  EXPECT_NE(theirs.reason.find("belongs to another rep"), std::string::npos) << theirs.reason;
  sync::PushRefusal unknownKind = forgeDate(902, own, "anniversary", "05-12");
  EXPECT_NE(unknownKind.reason.find("kind: unknown code"), std::string::npos) << unknownKind.reason;
  sync::PushRefusal label = forgeDate(903, own, "生日", "05-12");
  EXPECT_NE(label.reason.find("kind: unknown code"), std::string::npos) << "a label is not a stored code: " << label.reason;
  sync::PushRefusal wholeDate = forgeDate(904, own, "birthday", "1980-05-12");
  EXPECT_NE(wholeDate.reason.find("month_day: at most 5 characters"), std::string::npos) << wholeDate.reason;
  for (const char* impossible : {"02-30", "13-01", "5-12x", "00-10"}) {
    sync::PushRefusal refused = forgeDate(905, own, "birthday", impossible);
    EXPECT_NE(refused.reason.find("is not in its format"), std::string::npos) << impossible << ": " << refused.reason;
  }

  // Core's own kind of change passes, and reaches the other devices that may see the customer.
  a->PushOk({a->Change([&](Db& db) {
    CustomerDateInput input;
    input.kind = CustomerDateKind::Wedding;
    input.title = "结婚纪念日";
    input.monthDay = "10-01";
    auto added = AddCustomerDate(db, own, input, a->actor());
    ASSERT_TRUE(added) << added.Message();
  })});
  l->Sync();
  EXPECT_EQ(QueryText(l->db(), "SELECT kind || ' ' || month_day FROM customer_dates WHERE customer_id = " + Id(own)), "wedding 10-01");
}

TEST_F(RelayRulesTest, UsersTeamsFieldsAreForAdminsAndSettingsForLeaders) {
  sync::PushRefusal team = a->PushRefused({a->Forge("INSERT INTO teams (id, name, created_at, updated_at, created_by, updated_by, device_id) "
                                                  "VALUES (99, '我的组', " + Signed(*a) + ")")});
  EXPECT_EQ(team.table, "teams");
  EXPECT_NE(team.reason.find("admins only"), std::string::npos) << team.reason;
  sync::PushRefusal promote = a->PushRefused({a->Forge("UPDATE users SET role = 'admin', " + SetSigned(*a) + " WHERE id = " + Id(m_repA))});
  EXPECT_EQ(promote.table, "users");
  sync::PushRefusal field = a->PushRefused({a->Forge(
      "INSERT INTO custom_fields (id, key, label, type, created_at, updated_at, created_by, updated_by, device_id) VALUES (3, 'k', 'K', "
      "'text', " + Signed(*a) + ")")});
  EXPECT_EQ(field.table, "custom_fields");
  sync::PushRefusal setting = a->PushRefused({a->Forge("INSERT INTO settings (key, value, created_at, updated_at, created_by, updated_by, "
                                                     "device_id) VALUES ('pool.return_after_days', '1', " + Signed(*a) + ")")});
  EXPECT_EQ(setting.table, "settings");
  EXPECT_EQ(setting.row, "pool.return_after_days");
  EXPECT_NE(setting.reason.find("leaders and admins"), std::string::npos) << setting.reason;
  l->PushOk({l->Change([&](Db& db) { ASSERT_TRUE(SetSettingInt(db, kSettingPoolDays, 45, l->actor())); })});
  m_org.Admin().PushOk({m_org.Admin().Change([&](Db& db) { ASSERT_TRUE(SetUserTeam(db, m_repA, m_team, m_org.Admin().actor())); })});
}

TEST_F(RelayRulesTest, AuditRowsAreInsertOnlyAndNameTheirAuthor) {
  int64_t own = CustomerOf(*a, "甲的客户");  // core wrote audit rows for A: accepted
  a->Sync();
  std::string auditId = QueryText(a->db(), "SELECT id FROM audit_log WHERE customer_id = " + Id(own) + " LIMIT 1");
  ASSERT_NE(auditId, "<no row>");
  sync::PushRefusal asOther = a->PushRefused({a->Forge(
      "INSERT INTO audit_log (id, at, user_id, device_id, table_name, row_id, action) VALUES (9, 1, " + Id(m_repB) + ", " +
      Id(a->DeviceId()) + ", 'customers', 1, 'insert')")});
  EXPECT_EQ(asOther.table, "audit_log");
  EXPECT_NE(asOther.reason.find("author"), std::string::npos) << asOther.reason;
  sync::PushRefusal edited = a->PushRefused({a->Forge("UPDATE audit_log SET new_value = '改写历史' WHERE id = " + auditId)});
  EXPECT_NE(edited.reason.find("cannot be changed or removed"), std::string::npos) << edited.reason;
  sync::PushRefusal removed = a->PushRefused({a->Forge("DELETE FROM audit_log WHERE id = " + auditId)});
  EXPECT_NE(removed.reason.find("cannot be changed or removed"), std::string::npos) << removed.reason;
}

TEST_F(RelayRulesTest, WrittenRowsAreSignedByTheirAuthorAndDevice) {
  int64_t own = CustomerOf(*a, "甲的客户");
  auto insert = [&](const std::string& createdBy, const std::string& updatedBy, const std::string& device) {
    return a->Forge("INSERT INTO customers (id, name, owner_id, created_at, updated_at, created_by, updated_by, device_id) VALUES (" +
                  Id(NewId()) + ", '新', " + Id(m_repA) + ", 1, 1, " + createdBy + ", " + updatedBy + ", " + device + ")");
  };
  EXPECT_NE(a->PushRefused({insert(Id(m_repB), Id(m_repA), Id(a->DeviceId()))}).reason.find("created_by"), std::string::npos);
  EXPECT_NE(a->PushRefused({insert(Id(m_repA), Id(m_repB), Id(a->DeviceId()))}).reason.find("updated_by"), std::string::npos);
  EXPECT_NE(a->PushRefused({insert(Id(m_repA), Id(m_repA), "99")}).reason.find("device_id"), std::string::npos);
  EXPECT_NE(a->PushRefused({a->Forge("UPDATE customers SET notes = 'x', updated_by = " + Id(m_repB) + " WHERE id = " + Id(own))})
                .reason.find("updated_by"),
            std::string::npos);
  EXPECT_NE(a->PushRefused({a->Forge("UPDATE customers SET created_by = " + Id(m_repB) + " WHERE id = " + Id(own))})
                .reason.find("created_by cannot change"),
            std::string::npos);
}

TEST_F(RelayRulesTest, EnvelopesNameTheTokensDeviceAndASignedInUser) {
  auto change = [&] { return a->Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "新客户", a->actor())); }); };
  sync::ChangesetEnvelope otherDevice = change();
  otherDevice.deviceId = b->DeviceId();
  EXPECT_NE(a->PushRefused({otherDevice}).reason.find("pushed with the token of device"), std::string::npos);
  sync::ChangesetEnvelope notHere = change();
  notHere.userId = m_repB;
  sync::PushRefusal refused = a->PushRefused({notHere});
  EXPECT_EQ(refused.changesetId, notHere.changesetId);
  EXPECT_NE(refused.reason.find("pushed with the sign-in of user"), std::string::npos) << refused.reason;
  sync::ChangesetEnvelope newer = change();
  newer.schemaVersion = LatestSchemaVersion() + 1;
  EXPECT_NE(a->PushRefused({newer}).reason.find("newer app"), std::string::npos);

  // A shared tablet: 乙 signs in on 甲's device too (the same device, so the same secret); each
  // person's changes travel with their own sign-in, never with someone else's.
  auto second = sync::SignIn(m_relay.Endpoint(), sync::SignInRequest{m_org.Name(), "乙", "user password", a->DeviceId(), "tablet"});
  ASSERT_TRUE(second) << second.Message();
  a->PushOk({change()});
  a->SwitchUser(m_repB);
  auto byB = a->Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "乙在平板上录的", a->actor())); });
  EXPECT_NE(a->PushRefused({byB}).reason.find("pushed with the sign-in of user " + Id(m_repA)), std::string::npos)
      << "甲's token cannot carry 乙's change";
  a->Transport().SetToken(second.Value().token);
  a->PushOk({byB});

  // A deactivated user's token stops working, and their changes are refused under anyone's token.
  a->SwitchUser(m_repA);
  a->Transport().SetToken(a->Token());
  m_org.Admin().Sync();
  m_org.Admin().PushOk({m_org.Admin().Change([&](Db& db) { ASSERT_TRUE(SetUserActive(db, m_repA, false, m_org.Admin().actor())); })});
  auto denied = a->Push({change()});
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.Code(), ErrorCode::Denied) << denied.Message();
  a->Transport().SetToken(second.Value().token);  // 乙's token on the shared tablet
  EXPECT_NE(a->PushRefused({change()}).reason.find("pushed with the sign-in of user"), std::string::npos);

  // Reactivated, 甲 must sign in again: the deactivation ended every token 甲 had.
  m_org.Admin().Sync();
  m_org.Admin().PushOk({m_org.Admin().Change([&](Db& db) { ASSERT_TRUE(SetUserActive(db, m_repA, true, m_org.Admin().actor())); })});
  a->Transport().SetToken(a->Token());
  auto stillDenied = a->Push({change()});
  ASSERT_FALSE(stillDenied) << "an old token came back to life with the reactivation";
  EXPECT_EQ(stillDenied.Code(), ErrorCode::Denied) << stillDenied.Message();
  ASSERT_TRUE(a->SignIn(m_org.Name(), "甲", "user password"));
  a->PushOk({change()});
}

// The attack of a rep who wants to be the admin: read the admin's device id from a pull, sign in on
// it with the rep's own password, push as the admin. Each step is refused, and nothing is stored.
TEST_F(RelayRulesTest, NobodySignsInOnAnotherDeviceOrPushesAsAnotherPerson) {
  TestDevice& admin = m_org.Admin();
  int64_t head = Head();
  // The rep's own process cannot know the admin device's secret: another secret for the same id.
  auto onAdminsDevice = sync::SignIn(m_relay.Endpoint(), sync::SignInRequest{m_org.Name(), "甲", "user password", admin.DeviceId(),
                                                                           "stolen id", std::string(64, '0')});
  ASSERT_FALSE(onAdminsDevice) << "a rep signed in on the admin's device id";
  EXPECT_EQ(onAdminsDevice.Code(), ErrorCode::Denied) << onAdminsDevice.Message();
  EXPECT_NE(onAdminsDevice.Message().find("belongs to another device"), std::string::npos) << onAdminsDevice.Message();

  // With the rep's own token, an envelope that names the admin (and the admin's device) is refused.
  auto promote = a->Forge("UPDATE users SET role = 'admin', updated_at = 1, updated_by = " + Id(admin.UserId()) + ", device_id = " +
                          Id(a->DeviceId()) + " WHERE id = " + Id(m_repA));
  sync::ChangesetEnvelope asAdmin = promote;
  asAdmin.userId = admin.UserId();
  EXPECT_NE(a->PushRefused({asAdmin}).reason.find("pushed with the sign-in of user"), std::string::npos);
  asAdmin.deviceId = admin.DeviceId();
  EXPECT_FALSE(a->PushRefused({asAdmin}).reason.empty());
  // As themselves, a rep may not touch users at all.
  auto own = a->Forge("UPDATE users SET role = 'admin', " + SetSigned(*a) + " WHERE id = " + Id(m_repA));
  EXPECT_FALSE(a->PushRefused({own}).reason.empty());
  EXPECT_EQ(Head(), head) << "nothing of the attack was logged";
  a->Sync();
  EXPECT_EQ(QueryText(a->db(), "SELECT role FROM users WHERE id = " + Id(m_repA)), "rep");
}

TEST_F(RelayRulesTest, ARefusedPushStoresNothing) {
  int64_t others = CustomerOf(*b, "乙的客户");
  int64_t head = Head();
  auto good = a->Change([&](Db& db) { ASSERT_TRUE(AddCustomer(db, "好的", a->actor())); });
  auto bad = a->Forge("UPDATE customers SET notes = 'x', " + SetSigned(*a) + " WHERE id = " + Id(others));
  sync::PushRefusal refused = a->PushRefused({good, bad});
  EXPECT_EQ(refused.changesetId, bad.changesetId) << "the refusal names the changeset";
  EXPECT_EQ(Head(), head) << "nothing of the push was logged";
  auto snapshot = m_org.Admin().Transport().SnapshotNow();
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(snapshot.Value().seq, head);
  // The copy kept nothing either: the good changeset alone is accepted as new, at the next seq.
  std::vector<int64_t> seqs = a->PushOk({good});
  ASSERT_EQ(seqs.size(), 1u);
  EXPECT_EQ(seqs[0], head + 1);
  b->Sync();
  EXPECT_NE(QueryText(b->db(), "SELECT notes FROM customers WHERE id = " + Id(others)), "x");
}

TEST_F(RelayRulesTest, ChangesetsOfTheWrongShapeOrTypesAreRefused) {
  {
    // A device-local table, captured as a careless client might.
    auto capture = sync::ChangesetCapture::Start(a->db(), {"device_accounts"});
    ASSERT_TRUE(capture);
    ASSERT_TRUE(a->db().Exec("INSERT INTO device_accounts (user_id, kind, created_at) VALUES (2, 'local', 1)"));
    auto bytes = capture.Value().Changeset();
    ASSERT_TRUE(bytes);
    EXPECT_NE(a->PushRefused({a->Envelope(bytes.Value())}).reason.find("cannot be synced"), std::string::npos);
  }
  ASSERT_TRUE(a->db().Exec("CREATE TABLE gadgets (id INTEGER PRIMARY KEY, x TEXT)"));
  {
    auto capture = sync::ChangesetCapture::Start(a->db(), {"gadgets"});
    ASSERT_TRUE(capture);
    ASSERT_TRUE(a->db().Exec("INSERT INTO gadgets VALUES (1, 'x')"));
    EXPECT_NE(a->PushRefused({a->Envelope(capture.Value().Changeset().Value())}).reason.find("gadgets"), std::string::npos);
  }
  EXPECT_NE(a->PushRefused({a->Envelope({})}).reason.find("empty"), std::string::npos);
  EXPECT_NE(a->PushRefused({a->Envelope({'T', 0xff, 0xff, 0x01})}).reason.find("changeset"), std::string::npos);
  EXPECT_NE(a->PushRefused({a->Envelope({'P', 1, 2, 3})}).reason.find("patchset"), std::string::npos);
  // Ids must be integers: SQLite would turn the text '…' (or 42.0) into the other rep's id when it
  // stores the row. A device's own tables would convert them before capture; a crafted client need
  // not, so the changeset is made on an untyped table of the same shape.
  auto untyped = [&](const std::string& value) {
    Db scratch = Db::OpenMemory().Value();
    std::string columns;
    auto info = a->db().PrepareOnce("SELECT name FROM pragma_table_info('customers') ORDER BY cid");
    while (info.Value().Step().ValueOr(false)) {
      std::string name = info.Value().String(0);
      columns += columns.empty() ? name + " INTEGER PRIMARY KEY" : ", " + name;
    }
    EXPECT_TRUE(scratch.Exec("CREATE TABLE customers (" + columns + ")"));
    auto capture = sync::ChangesetCapture::Start(scratch, {"customers"});
    EXPECT_TRUE(scratch.Exec("INSERT INTO customers (id, name, kind, source, credit, grade, stage, lost_reason, owner_id, created_at, "
                             "updated_at, created_by, updated_by, device_id) VALUES (8, 'x', 'other', '', '', 'C', 'prospect', '', " +
                             value + ", " + Signed(*a) + ")"));
    return a->Envelope(capture.Value().Changeset().Value());
  };
  sync::PushRefusal text = a->PushRefused({untyped("'" + Id(m_repB) + "'")});
  EXPECT_NE(text.reason.find("owner_id must be an integer"), std::string::npos) << text.reason;
  sync::PushRefusal real = a->PushRefused({untyped(Id(m_repA) + ".0")});
  EXPECT_NE(real.reason.find("owner_id must be an integer"), std::string::npos) << real.reason;
  a->PushOk({untyped(Id(m_repA))});  // the same row with a proper integer passes
}


// A device's changes of who did what, and of whose work a follow-up is, are held to core's rules.
TEST_F(RelayRulesTest, ActivitiesNameTheirAuthor) {
  int64_t own = CustomerOf(*a, "甲的客户");
  a->PushOk({a->Change([&](Db& db) {
    ActivityInput input;
    input.customerId = own;
    input.summary = "拜访";
    ASSERT_TRUE(LogActivity(db, input, a->actor()));
  })});
  std::string insert = "INSERT INTO activities (id, customer_id, kind, occurred_at, user_id, summary, created_at, updated_at, "
                       "created_by, updated_by, device_id) VALUES (" + Id(NewId()) + ", " + Id(own) + ", 'visit', " + Id(NowMs()) + ", ";
  sync::PushRefusal asOther = a->PushRefused({a->Forge(insert + Id(m_repB) + ", '乙来过', " + Signed(*a) + ")")});
  EXPECT_EQ(asOther.table, "activities");
  EXPECT_NE(asOther.reason.find("user_id"), std::string::npos) << asOther.reason;
  a->Sync();
  std::string activity = QueryText(a->db(), "SELECT id FROM activities WHERE customer_id = " + Id(own));
  sync::PushRefusal handedOver = a->PushRefused({a->Forge("UPDATE activities SET user_id = " + Id(m_repB) + ", " + SetSigned(*a) +
                                                          " WHERE id = " + activity)});
  EXPECT_EQ(handedOver.row, activity);
  EXPECT_NE(handedOver.reason.find("user_id"), std::string::npos) << handedOver.reason;
}

TEST_F(RelayRulesTest, FollowUpsGoToWhomTheAuthorMayGiveWork) {
  int64_t own = CustomerOf(*a, "甲的客户");
  int64_t teamCustomer = CustomerOf(*c, "丙的客户");
  a->PushOk({a->Change([&](Db& db) {
    ASSERT_TRUE(ScheduleFollowup(db, own, NowMs() + 86400000, FollowupReason::Manual, "回访", a->actor()));
  })});
  auto followup = [&](TestDevice& device, int64_t customer, int64_t owner) {
    return "INSERT INTO followups (id, customer_id, owner_id, due_at, reason, created_at, updated_at, created_by, updated_by, "
           "device_id) VALUES (" + Id(NewId()) + ", " + Id(customer) + ", " + Id(owner) + ", " + Id(NowMs() + 86400000) +
           ", 'manual', " + Signed(device) + ")";
  };
  sync::PushRefusal toOther = a->PushRefused({a->Forge(followup(*a, own, m_repB))});
  EXPECT_EQ(toOther.table, "followups");
  EXPECT_NE(toOther.reason.find("may not give work"), std::string::npos) << toOther.reason;
  // A supervisor plans for the team (and a customer's owner), not for another team.
  s->PushOk({s->Sql(followup(*s, teamCustomer, m_repC))});
  sync::PushRefusal outOfTeam = s->PushRefused({s->Forge(followup(*s, teamCustomer, m_repB))});
  EXPECT_NE(outOfTeam.reason.find("may not give work"), std::string::npos) << outOfTeam.reason;
  l->PushOk({l->Sql(followup(*l, own, m_repB))});
}

TEST_F(RelayRulesTest, AuditRowsDescribeTheChangeThatCarriesThem) {
  int64_t own = CustomerOf(*a, "甲的客户");
  int64_t others = CustomerOf(*b, "乙的客户");
  a->PushOk({a->Change([&](Db& db) {
    CustomerInput input;
    input.name = "甲的客户（改）";
    ASSERT_TRUE(UpdateCustomer(db, own, input, a->actor()));
  })});
  a->Sync();
  auto audit = [&](int64_t at, int64_t row, int64_t customer) {
    return "INSERT INTO audit_log (id, at, user_id, device_id, table_name, row_id, customer_id, action, field, new_value) VALUES (" +
           Id(NewId()) + ", " + Id(at) + ", " + Id(m_repA) + ", " + Id(a->DeviceId()) + ", 'customers', " + Id(row) + ", " + Id(customer) +
           ", 'update', 'notes', '伪造')";
  };
  std::string edit = "UPDATE customers SET notes = '改', " + SetSigned(*a) + " WHERE id = " + Id(own) + "; ";
  sync::PushRefusal dated1970 = a->PushRefused({a->Forge(edit + audit(0, own, own))});
  EXPECT_EQ(dated1970.table, "audit_log");
  EXPECT_NE(dated1970.reason.find("dated when its change was made"), std::string::npos) << dated1970.reason;
  sync::PushRefusal aboutOthers = a->PushRefused({a->Forge(edit + audit(NowMs(), own, others))});
  EXPECT_NE(aboutOthers.reason.find("belongs to another rep"), std::string::npos) << aboutOthers.reason;
  sync::PushRefusal noChange = a->PushRefused({a->Forge(audit(NowMs(), others, others))});
  EXPECT_NE(noChange.reason.find("describe a row its changeset writes"), std::string::npos) << noChange.reason;
  // A changeset dated 1970 to carry a 1970 audit row: older than its author.
  sync::ChangesetEnvelope backdated = a->Forge(edit + audit(0, own, own));
  backdated.createdAtMs = 0;
  EXPECT_NE(a->PushRefused({backdated}).reason.find("before its author's account existed"), std::string::npos);
  a->PushOk({a->Sql(edit + audit(NowMs(), own, own))});  // the same shape, honest, passes
}

TEST_F(RelayRulesTest, AClaimProtectsNoLongerThanTheOrganisationAllows) {
  int64_t pool = CustomerOf(m_org.Admin(), "公海客户", /*toPool=*/true);
  a->PushOk({a->Change([&](Db& db) { ASSERT_TRUE(ClaimCustomer(db, pool, a->actor())); })});
  a->Sync();
  sync::PushRefusal forever = a->PushRefused({a->Forge("UPDATE customers SET protected_until = 253402300799000, " + SetSigned(*a) +
                                                       " WHERE id = " + Id(pool))});
  EXPECT_EQ(forever.table, "customers");
  EXPECT_NE(forever.reason.find("protected_until"), std::string::npos) << forever.reason;
  a->PushOk({a->Sql("UPDATE customers SET protected_until = " + Id(NowMs() + 86400000) + ", " + SetSigned(*a) + " WHERE id = " + Id(pool))});
}

TEST_F(RelayRulesTest, AnUpdateMustSignTheRowItChanges) {
  int64_t own = CustomerOf(*a, "甲的客户");
  int64_t pool = CustomerOf(m_org.Admin(), "公海客户", /*toPool=*/true);
  // The admin's name stays on the pool customer's row: refused.
  sync::PushRefusal unsigned_ = a->PushRefused({a->Forge("UPDATE customers SET notes = 'x', updated_at = " + Id(NowMs()) +
                                                         " WHERE id = " + Id(pool))});
  EXPECT_EQ(unsigned_.row, Id(pool));
  EXPECT_NE(unsigned_.reason.find("updated_by is not set"), std::string::npos) << unsigned_.reason;
  sync::PushRefusal otherDevice = a->PushRefused({a->Forge("UPDATE customers SET notes = 'x', updated_by = " + Id(m_repA) +
                                                           " WHERE id = " + Id(pool))});
  EXPECT_NE(otherDevice.reason.find("device_id is not set"), std::string::npos) << otherDevice.reason;
  // A's own row already names A and this device: an update that leaves them passes, as core's edits do.
  a->PushOk({a->Sql("UPDATE customers SET notes = 'y' WHERE id = " + Id(own))});
  a->PushOk({a->Change([&](Db& db) {
    CustomerInput input;
    input.name = "甲的客户（改）";
    ASSERT_TRUE(UpdateCustomer(db, own, input, a->actor()));
  })});

  // Concurrent edits: the admin's change of A's customer comes first in the order. A's device, not
  // yet synced, still has its own name on the row, so A's edit leaves updated_by and device_id out.
  // Accepted: the row moved on since A's device saw it (its updated_at differs), as in any conflict.
  TestDevice& admin = m_org.Admin();
  admin.Sync();
  admin.PushOk({admin.Sql("UPDATE customers SET notes = '管理员改', updated_at = " + Id(NowMs()) + ", updated_by = " +
                          Id(admin.UserId()) + ", device_id = " + Id(admin.DeviceId()) + " WHERE id = " + Id(own))});
  a->PushOk({a->Sql("UPDATE customers SET city = '广州市', updated_at = " + Id(NowMs() + 5) + " WHERE id = " + Id(own))});
  // The same edit on the version the copy has (same updated_at) would say the admin wrote it: refused.
  a->Sync();
  EXPECT_NE(a->PushRefused({a->Forge("UPDATE customers SET city = '佛山市', updated_at = " + Id(NowMs() + 10) + " WHERE id = " + Id(own))})
                .reason.find("updated_by is not set"),
            std::string::npos);
}

// An UPDATE record whose key column carries a new value: no capture makes one (SQLite records a
// changed key as DELETE + INSERT), so the captured bytes are edited.
sync::Bytes WithNewKey(sync::Bytes bytes, int64_t key) {
  size_t i = 1;
  auto varint = [&] {
    uint64_t value = 0;
    for (int n = 0; n < 9; n++) {
      uint8_t byte = bytes[i++];
      if (n == 8) return (value << 8) | byte;
      value = (value << 7) | (byte & 0x7f);
      if (!(byte & 0x80)) break;
    }
    return value;
  };
  size_t columns = varint();
  i += columns;                        // key flags
  while (bytes[i] != 0) i++;           // table name
  i++;
  EXPECT_EQ(bytes[i], SQLITE_UPDATE);
  i += 2;                              // op, indirect
  for (size_t c = 0; c < columns; c++) {  // the old values
    uint8_t type = bytes[i++];
    if (type == 1 || type == 2) i += 8;
    if (type == 3 || type == 4) i += varint();
  }
  EXPECT_EQ(bytes[i], 0) << "the key's new value is undefined in a captured update";
  std::vector<uint8_t> value{1};
  for (int shift = 56; shift >= 0; shift -= 8) value.push_back(static_cast<uint8_t>(static_cast<uint64_t>(key) >> shift));
  bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(i));
  bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(i), value.begin(), value.end());
  return bytes;
}

TEST_F(RelayRulesTest, AnUpdateOfAPrimaryKeyIsRefused) {
  int64_t others = CustomerOf(*b, "乙的客户");
  int64_t own = CustomerOf(*a, "甲的客户");
  sync::ChangesetEnvelope renamed = a->Forge("UPDATE customers SET notes = 'x', " + SetSigned(*a) + " WHERE id = " + Id(own));
  renamed.changeset = WithNewKey(renamed.changeset, others);
  a->PushRefused({renamed});
  m_org.Admin().Sync();
  EXPECT_EQ(QueryText(m_org.Admin().db(), "SELECT name FROM customers WHERE id = " + Id(others)), "乙的客户");
  EXPECT_EQ(QueryText(m_org.Admin().db(), "SELECT name FROM customers WHERE id = " + Id(own)), "甲的客户");
}

TEST_F(RelayRulesTest, ImportsAreChangedByTheirImporterOrSupervisorsAndNeverRemoved) {
  // The bookkeeping row core writes when an import begins (core/import.cpp).
  int64_t byB = NewId();
  b->PushOk({b->Sql("INSERT INTO imports (id, file_name, created_at, updated_at, created_by, updated_by, device_id) VALUES (" + Id(byB) +
                    ", '乙的名单.csv', " + Signed(*b) + ")")});
  int64_t byA = NewId();
  a->PushOk({a->Sql("INSERT INTO imports (id, file_name, created_at, updated_at, created_by, updated_by, device_id) VALUES (" + Id(byA) +
                    ", '甲的名单.csv', " + Signed(*a) + ")")});
  SyncAll();
  b->PushOk({b->Sql("UPDATE imports SET rows_ok = 3, " + SetSigned(*b) + " WHERE id = " + Id(byB))});
  sync::PushRefusal undoOthers = a->PushRefused({a->Forge("UPDATE imports SET undone_at = " + Id(NowMs()) + ", " + SetSigned(*a) +
                                                          " WHERE id = " + Id(byB))});
  EXPECT_EQ(undoOthers.table, "imports");
  EXPECT_EQ(undoOthers.row, Id(byB));
  EXPECT_NE(undoOthers.reason.find("another user's import"), std::string::npos) << undoOthers.reason;
  sync::PushRefusal removed = a->PushRefused({a->Forge("DELETE FROM imports WHERE id = " + Id(byA))});
  EXPECT_NE(removed.reason.find("never removed"), std::string::npos) << removed.reason;
  s->Sync();
  s->PushOk({s->Sql("UPDATE imports SET undone_at = " + Id(NowMs()) + ", " + SetSigned(*s) + " WHERE id = " + Id(byB))});
}

TEST_F(RelayRulesTest, TheOrganisationKeepsAnActiveAdminAndUniqueNames) {
  TestDevice& admin = m_org.Admin();
  admin.Sync();
  std::string self = Id(admin.UserId());
  for (const std::string& sql : {"UPDATE users SET role = 'rep', " + SetSigned(admin) + " WHERE id = " + self,
                                 "UPDATE users SET active = 0, " + SetSigned(admin) + " WHERE id = " + self,
                                 // Signed first: the purge's audit row names the row's last writer.
                                 "UPDATE users SET " + SetSigned(admin) + " WHERE id = " + self + "; DELETE FROM users WHERE id = " + self}) {
    sync::PushRefusal refused = admin.PushRefused({admin.Forge(sql)});
    EXPECT_EQ(refused.table, "users") << sql;
    EXPECT_NE(refused.reason.find("at least one active admin"), std::string::npos) << sql << ": " << refused.reason;
  }
  sync::PushRefusal twin = admin.PushRefused({admin.Forge(
      "INSERT INTO users (id, name, role, created_at, updated_at, created_by, updated_by, device_id) VALUES (" + Id(NewId()) +
      ", '甲', 'rep', " + Signed(admin) + ")")});
  EXPECT_EQ(twin.table, "users");
  EXPECT_NE(twin.reason.find("exists already"), std::string::npos) << twin.reason;
  // The admin API says no with core's rule too; core's own changes pass.
  HttpAnswer demote = Call(m_relay.Endpoint(), "POST", "/v1/admin/users/" + self + "/role", admin.Token(), R"({"role":"rep"})");
  EXPECT_EQ(demote.status, 409) << demote.body;
  admin.PushOk({admin.Change([&](Db& db) { ASSERT_TRUE(CreateUser(db, "新人", Role::Rep, std::nullopt, admin.actor())); })});
  admin.PushOk({admin.Change([&](Db& db) { ASSERT_TRUE(SetUserRole(db, m_leader, Role::Admin, admin.actor())); })});
  admin.PushOk({admin.Change([&](Db& db) { ASSERT_TRUE(SetUserRole(db, admin.UserId(), Role::Leader, admin.actor())); })});
}

}  // namespace
}  // namespace crm::testing_support
