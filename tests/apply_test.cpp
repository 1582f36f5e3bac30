// The conflict policy, one test per kind of conflict SQLite reports, plus the
// schema rules: a newer schema is refused by name, an older one applies.
#include "sync/apply.h"

#include <gtest/gtest.h>

#include "core/scope.h"

#include "core/conflicts.h"
#include "sync_test_support.h"
#include "test_support.h"

namespace crm::sync {
namespace {

using testing_support::Capture;
using testing_support::Clone;
using testing_support::ExecOrFail;
using testing_support::QueryText;
using testing_support::TestOrg;

class ApplyPolicyTest : public testing::Test {
 protected:
  void SetUp() override {
    customer = org.Customer("美家门窗", org.repA, {"13800138000"}, "佛山市");
    a = Clone(org.db);
    b = Clone(org.db);
  }

  std::string Id() const { return std::to_string(customer); }

  // Applies `changeset` to `db` as relay position `seq` by `author`.
  ApplyResult Apply(Db& db, const Bytes& changeset, int64_t seq, const Actor& author) {
    ApplyOrigin origin{seq, author.userId, author.deviceId, 1700000000000 + seq};
    auto result = ApplyWithPolicy(db, changeset.data(), changeset.size(), origin);
    EXPECT_TRUE(result) << result.Message();
    return result.ValueOr({});
  }

  TestOrg org;
  int64_t customer = 0;
  Db a = Db::OpenMemory().Value();
  Db b = Db::OpenMemory().Value();
};

TEST_F(ApplyPolicyTest, DifferentColumnsOfOneRowBothSurvive) {
  Bytes fromA = Capture(a, [&](Db& db) {
    ExecOrFail(db, "UPDATE customers SET name = '美家门窗旗舰店', updated_at = 5, updated_by = 4 WHERE id = " + Id());
  });
  Bytes fromB = Capture(b, [&](Db& db) {
    ExecOrFail(db, "UPDATE customers SET city = '广州市', updated_at = 6, updated_by = 5 WHERE id = " + Id());
  });
  // Every replica applies the relay's order: A's change (seq 1), then B's (seq 2).
  Db replica = Clone(org.db);
  EXPECT_TRUE(Apply(replica, fromA, 1, org.repA).conflicts.empty());
  ApplyResult second = Apply(replica, fromB, 2, org.repB);
  EXPECT_EQ(QueryText(replica, "SELECT name || '/' || city FROM customers WHERE id = " + Id()), "美家门窗旗舰店/广州市");
  // The bookkeeping columns differ on every concurrent edit; they are not a conflict anyone must see.
  EXPECT_TRUE(second.conflicts.empty()) << second.conflicts.size() << " conflicts, first on " << second.conflicts[0].field;
}

// customers.phone is core's copy of the first phone (told where the phone is held) and no one sees a column
// without a label: a concurrent change of either alone is not news for the conflict log.
TEST_F(ApplyPolicyTest, CopiesAndUnlabelledColumnsAreNotToldAsConflicts) {
  auto edit = [&](const char* phone, const Actor& actor) {
    return [=](Db& db) {
      ExecOrFail(db, std::string("UPDATE customers SET phone = '") + phone + "', import_id = " + std::to_string(actor.userId) +
                         ", updated_by = " + std::to_string(actor.userId) + " WHERE id = " + Id());
    };
  };
  Bytes fromA = Capture(a, edit("13900000001", org.repA));
  Bytes fromB = Capture(b, edit("13900000002", org.repB));
  Db replica = Clone(org.db);
  Apply(replica, fromA, 7, org.repA);
  ApplyResult result = Apply(replica, fromB, 8, org.repB);
  EXPECT_EQ(QueryText(replica, "SELECT phone FROM customers WHERE id = " + Id()), "13900000002") << "the later still wins";
  EXPECT_TRUE(result.conflicts.empty()) << result.conflicts.size() << " conflicts, first on " << result.conflicts[0].field;
}

TEST_F(ApplyPolicyTest, DataConflictTheLaterInRelayOrderWinsAndTheLoserIsLogged) {
  Bytes fromA = Capture(a, [&](Db& db) {
    ExecOrFail(db, "UPDATE customers SET street = '乐从镇1号', updated_by = " + std::to_string(org.repA.userId) +
                       " WHERE id = " + Id());
  });
  Bytes fromB = Capture(b, [&](Db& db) {
    ExecOrFail(db, "UPDATE customers SET street = '乐从镇2号', updated_by = " + std::to_string(org.repB.userId) +
                       " WHERE id = " + Id());
  });
  Db replica = Clone(org.db);
  Apply(replica, fromA, 7, org.repA);
  ApplyResult result = Apply(replica, fromB, 8, org.repB);
  EXPECT_EQ(QueryText(replica, "SELECT street FROM customers WHERE id = " + Id()), "乐从镇2号");
  ASSERT_EQ(result.conflicts.size(), 1u);
  const ConflictEntry& conflict = result.conflicts[0];
  EXPECT_EQ(conflict.kind, ConflictKind::Data);
  EXPECT_EQ(conflict.table, "customers");
  EXPECT_EQ(conflict.rowKey, Id());
  EXPECT_EQ(conflict.customerId, customer);
  EXPECT_EQ(conflict.field, "street");
  EXPECT_EQ(conflict.lostValue, "乐从镇1号");
  EXPECT_EQ(conflict.wonValue, "乐从镇2号");
  EXPECT_EQ(conflict.resolution, "replaced");
  EXPECT_EQ(conflict.seq, 8);
  EXPECT_EQ(conflict.winnerUser, org.repB.userId);
  EXPECT_EQ(conflict.loserUser, org.repA.userId);

  // The log is queryable from core, newest first, and counts as unseen until seen.
  ASSERT_TRUE(RecordConflicts(replica, result.conflicts));
  EXPECT_EQ(CountUnseenConflicts(replica).Value(), 1);
  auto listed = ListConflicts(replica, ConflictQuery{customer});
  ASSERT_TRUE(listed) << listed.Message();
  ASSERT_EQ(listed.Value().size(), 1u);
  EXPECT_EQ(listed.Value()[0].lostValue, "乐从镇1号");
  ASSERT_TRUE(MarkConflictsSeen(replica));
  EXPECT_EQ(CountUnseenConflicts(replica).Value(), 0);
}

TEST_F(ApplyPolicyTest, TheSameChangeOnBothSidesIsNoConflict) {
  auto setGrade = [&](Db& db) { ExecOrFail(db, "UPDATE customers SET grade = 'A' WHERE id = " + Id()); };
  Bytes fromA = Capture(a, setGrade);
  Bytes fromB = Capture(b, setGrade);
  Db replica = Clone(org.db);
  Apply(replica, fromA, 1, org.repA);
  EXPECT_TRUE(Apply(replica, fromB, 2, org.repB).conflicts.empty());
}

// A device that holds a read scope lacks the customer until the scope answer brings it: a change to it
// that arrives first (its hand-over to this device's person) is no conflict there, but still one where
// the whole organisation is held.
TEST_F(ApplyPolicyTest, AnUpdateOfACustomerAScopedDeviceDoesNotHoldIsNoConflictThere) {
  Bytes handOver = Capture(a, [&](Db& db) {
    ExecOrFail(db, "UPDATE customers SET owner_id = " + std::to_string(org.repB.userId) + " WHERE id = " + Id());
    ExecOrFail(db, "UPDATE followups SET owner_id = " + std::to_string(org.repB.userId) + " WHERE customer_id = " + Id());
  });
  for (bool partial : {true, false}) {
    Db device = Clone(org.db);
    ASSERT_TRUE(DropCustomers(device, {customer}));
    ApplyOrigin origin{1, org.supervisor.userId, org.supervisor.deviceId, 1700000000001, partial};
    auto result = ApplyWithPolicy(device, handOver.data(), handOver.size(), origin);
    ASSERT_TRUE(result) << result.Message();
    if (partial) {
      EXPECT_TRUE(result.Value().conflicts.empty()) << result.Value().conflicts.size();
    } else {
      EXPECT_FALSE(result.Value().conflicts.empty());
    }
    EXPECT_EQ(QueryText(device, "SELECT count(*) FROM customers WHERE id = " + Id()), "0");
  }
}

TEST_F(ApplyPolicyTest, NotFoundAnUpdateToAHardDeletedRowIsDroppedAndLogged) {
  int64_t phoneRow = std::stoll(QueryText(org.db, "SELECT id FROM customer_phones WHERE customer_id = " + Id()));
  a = Clone(org.db);
  b = Clone(org.db);
  Bytes deleteOnA = Capture(a, [&](Db& db) { ExecOrFail(db, "DELETE FROM customer_phones WHERE id = " + std::to_string(phoneRow)); });
  Bytes updateOnB = Capture(b, [&](Db& db) {
    ExecOrFail(db, "UPDATE customer_phones SET label = '办公室' WHERE id = " + std::to_string(phoneRow));
  });
  Db replica = Clone(org.db);
  Apply(replica, deleteOnA, 1, org.repA);
  ApplyResult result = Apply(replica, updateOnB, 2, org.repB);
  EXPECT_EQ(QueryText(replica, "SELECT count(*) FROM customer_phones WHERE id = " + std::to_string(phoneRow)), "0");
  ASSERT_EQ(result.conflicts.size(), 1u);
  EXPECT_EQ(result.conflicts[0].kind, ConflictKind::NotFound);
  EXPECT_EQ(result.conflicts[0].field, "label");
  EXPECT_EQ(result.conflicts[0].lostValue, "办公室");
  EXPECT_EQ(result.conflicts[0].resolution, "dropped");
  EXPECT_EQ(result.conflicts[0].rowKey, std::to_string(phoneRow));
  EXPECT_EQ(result.conflicts[0].loserUser, std::nullopt);  // the row is gone: nobody's value is in it
}

TEST_F(ApplyPolicyTest, ADeleteOfARowChangedSinceWinsAndLogsWhatItRemoved) {
  int64_t phoneRow = std::stoll(QueryText(org.db, "SELECT id FROM customer_phones WHERE customer_id = " + Id()));
  a = Clone(org.db);
  b = Clone(org.db);
  Bytes updateOnA = Capture(a, [&](Db& db) {
    ExecOrFail(db, "UPDATE customer_phones SET label = '家里' WHERE id = " + std::to_string(phoneRow));
  });
  Bytes deleteOnB = Capture(b, [&](Db& db) { ExecOrFail(db, "DELETE FROM customer_phones WHERE id = " + std::to_string(phoneRow)); });
  Db replica = Clone(org.db);
  Apply(replica, updateOnA, 1, org.repA);
  ApplyResult result = Apply(replica, deleteOnB, 2, org.repB);
  EXPECT_EQ(QueryText(replica, "SELECT count(*) FROM customer_phones WHERE id = " + std::to_string(phoneRow)), "0");
  ASSERT_EQ(result.conflicts.size(), 1u);
  EXPECT_EQ(result.conflicts[0].kind, ConflictKind::Data);
  EXPECT_EQ(result.conflicts[0].lostValue, "家里");
  EXPECT_EQ(result.conflicts[0].resolution, "deleted");
}

TEST_F(ApplyPolicyTest, ConflictAnInsertOfAnExistingKeyWinsAndLogsWhatItReplaced) {
  // Tags have ids derived from (customer, tag): two devices tagging alike insert the same key.
  auto tag = [&](const char* by) {
    return [this, by](Db& db) {
      ExecOrFail(db, std::string("INSERT INTO customer_tags(id, customer_id, tag, created_at, updated_at, created_by, updated_by, "
                                 "device_id) VALUES (42, ") + Id() + ", '" + by + "', 1, 1, 1, 1, 1)");
    };
  };
  Bytes fromA = Capture(a, tag("老客户"));
  Bytes fromB = Capture(b, tag("回头客"));
  Db replica = Clone(org.db);
  Apply(replica, fromA, 1, org.repA);
  ApplyResult result = Apply(replica, fromB, 2, org.repB);
  EXPECT_EQ(QueryText(replica, "SELECT tag FROM customer_tags WHERE id = 42"), "回头客");
  ASSERT_EQ(result.conflicts.size(), 1u);
  EXPECT_EQ(result.conflicts[0].kind, ConflictKind::Conflict);
  EXPECT_EQ(result.conflicts[0].field, "tag");
  EXPECT_EQ(result.conflicts[0].lostValue, "老客户");
  EXPECT_EQ(result.conflicts[0].wonValue, "回头客");
  // The search index followed: the index triggers run while audit ones are held off.
  EXPECT_EQ(QueryText(replica, "SELECT tag FROM customer_fts_doc WHERE id = " + Id()), "回头客");
}

TEST_F(ApplyPolicyTest, ConstraintAChangeThatBreaksARuleIsDroppedAndLogged) {
  // A device whose table lacks the CHECK (a buggy or hostile client) sends grade 'Z'.
  Db loose = Db::OpenMemory().Value();
  ExecOrFail(loose, QueryText(org.db, "SELECT replace(sql, 'CHECK (grade IN (''A'',''B'',''C'',''D''))', '') FROM "
                                      "sqlite_schema WHERE name = 'customers'"));
  ExecOrFail(loose, "INSERT INTO customers SELECT * FROM (SELECT * FROM customers) WHERE 0");
  // Capture the bad update against a copy of the row in the loose table.
  auto stmt = org.db.PrepareOnce("SELECT * FROM customers WHERE id = " + Id());
  ASSERT_TRUE(stmt);
  ASSERT_TRUE(stmt.Value().Step().Value());
  std::string values;
  for (int i = 0; i < stmt.Value().ColumnCount(); i++) {
    values += (i ? "," : "") + std::string(stmt.Value().IsNull(i) ? "NULL" : "'" + stmt.Value().String(i) + "'");
  }
  ExecOrFail(loose, "INSERT INTO customers VALUES (" + values + ")");
  Bytes bad = Capture(loose, [&](Db& db) { ExecOrFail(db, "UPDATE customers SET grade = 'Z' WHERE id = " + Id()); });
  ASSERT_FALSE(bad.empty());
  ApplyResult result = Apply(b, bad, 3, org.repA);
  EXPECT_EQ(QueryText(b, "SELECT grade FROM customers WHERE id = " + Id()), "C");
  ASSERT_EQ(result.conflicts.size(), 1u);
  EXPECT_EQ(result.conflicts[0].kind, ConflictKind::Constraint);
  EXPECT_EQ(result.conflicts[0].resolution, "dropped");
  EXPECT_NE(result.conflicts[0].lostValue.value_or("").find("grade=Z"), std::string::npos) << *result.conflicts[0].lostValue;
}

TEST(ApplyPolicy, ForeignKeyDanglingReferencesAreKeptAndLoggedOnce) {
  // The app's schema refers by id without declaring foreign keys (rows are soft-deleted, never
  // cascaded); the policy still answers for databases that declare them.
  auto make = [] {
    Db db = Db::OpenMemory().Value();
    EXPECT_TRUE(db.Exec("PRAGMA foreign_keys = ON;"
                        "CREATE TABLE customers (id INTEGER PRIMARY KEY NOT NULL, name TEXT);"
                        "CREATE TABLE contacts (id INTEGER PRIMARY KEY NOT NULL, customer_id INTEGER REFERENCES customers(id), "
                        "name TEXT);"
                        "INSERT INTO customers VALUES (1, '美家');"));
    return db;
  };
  Db author = make();
  Db replica = make();
  ASSERT_TRUE(replica.Exec("DELETE FROM customers WHERE id = 1"));
  Bytes contact = Capture(author, [](Db& db) { ExecOrFail(db, "INSERT INTO contacts VALUES (10, 1, '王经理')"); });
  auto result = ApplyWithPolicy(replica, contact.data(), contact.size(), ApplyOrigin{5, 2, 3, 0});
  ASSERT_TRUE(result) << result.Message();
  EXPECT_EQ(QueryText(replica, "SELECT name FROM contacts WHERE id = 10"), "王经理");
  ASSERT_EQ(result.Value().conflicts.size(), 1u);
  EXPECT_EQ(result.Value().conflicts[0].kind, ConflictKind::ForeignKey);
  EXPECT_EQ(result.Value().conflicts[0].resolution, "kept");
}

TEST_F(ApplyPolicyTest, AChangeFromANewerSchemaIsRefusedNotSkipped) {
  ExecOrFail(a, "ALTER TABLE customers ADD COLUMN wechat TEXT");
  Bytes newer = Capture(a, [&](Db& db) { ExecOrFail(db, "UPDATE customers SET wechat = 'meijia', name = '美家2' WHERE id = " + Id()); });
  auto result = ApplyWithPolicy(b, newer.data(), newer.size(), ApplyOrigin{});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.Code(), ErrorCode::Schema);
  EXPECT_NE(result.Message().find("customers"), std::string::npos) << result.Message();
  EXPECT_NE(result.Message().find("update the app"), std::string::npos) << result.Message();
  // Nothing of it was applied, not even the columns this app knows.
  EXPECT_EQ(QueryText(b, "SELECT name FROM customers WHERE id = " + Id()), "美家门窗");
}

TEST_F(ApplyPolicyTest, AnUnknownOrLocalTableIsRefused) {
  ExecOrFail(a, "CREATE TABLE quotes (id INTEGER PRIMARY KEY NOT NULL, amount INTEGER)");
  auto capture = ChangesetCapture::Start(a, {"quotes", "device_accounts"});
  ASSERT_TRUE(capture);
  ExecOrFail(a, "INSERT INTO quotes VALUES (1, 100)");
  Bytes bytes = capture.Value().Changeset().Value();
  auto result = ApplyWithPolicy(b, bytes.data(), bytes.size(), ApplyOrigin{});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.Code(), ErrorCode::Schema);
  EXPECT_NE(result.Message().find("quotes"), std::string::npos);

  auto local = ChangesetCapture::Start(a, {"device_accounts"});
  ExecOrFail(a, "INSERT INTO device_accounts(user_id, kind, created_at) VALUES (99, 'local', 1)");
  Bytes localBytes = local.Value().Changeset().Value();
  auto refused = ApplyWithPolicy(b, localBytes.data(), localBytes.size(), ApplyOrigin{});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.Message().find("device_accounts"), std::string::npos);
}

TEST_F(ApplyPolicyTest, AChangeFromAnOlderSchemaAppliesToANewerOne) {
  // The receiving app added a column since; the sender's rows leave it at its default.
  ExecOrFail(b, "ALTER TABLE customers ADD COLUMN wechat TEXT NOT NULL DEFAULT ''");
  Bytes older = Capture(a, [&](Db& db) {
    ExecOrFail(db, "UPDATE customers SET name = '美家门窗(老版)' WHERE id = " + Id());
    ExecOrFail(db, "INSERT INTO customers(id, name, created_at, updated_at, created_by, updated_by, device_id) "
                   "VALUES (777, '新客户', 1, 1, 1, 1, 1)");
  });
  ApplyResult result = Apply(b, older, 4, org.repA);
  EXPECT_TRUE(result.conflicts.empty());
  EXPECT_EQ(QueryText(b, "SELECT name FROM customers WHERE id = " + Id()), "美家门窗(老版)");
  EXPECT_EQ(QueryText(b, "SELECT name || '|' || wechat FROM customers WHERE id = 777"), "新客户|");
}

TEST_F(ApplyPolicyTest, AppliedChangesWriteNoAuditRowsOfTheirOwn) {
  // The author's audit rows travel in the changeset; the replica must not add a second set.
  Bytes fromA = Capture(a, [&](Db& db) {
    ExecOrFail(db, "UPDATE customers SET notes = '喜欢断桥铝' WHERE id = " + Id());
  });
  std::string before = QueryText(b, "SELECT count(*) FROM audit_log");
  Apply(b, fromA, 1, org.repA);
  EXPECT_EQ(std::stoi(QueryText(b, "SELECT count(*) FROM audit_log")), std::stoi(before) + 1);
  EXPECT_EQ(QueryText(b, "SELECT new_value FROM audit_log WHERE field = 'notes'"), "喜欢断桥铝");
}

TEST(ApplyPolicy, MalformedBytesAreAnErrorNotACrash) {
  TestOrg org;
  Bytes junk(100, 0x17);
  auto result = ApplyWithPolicy(org.db, junk.data(), junk.size(), ApplyOrigin{});
  EXPECT_FALSE(result);
  EXPECT_FALSE(ApplyExact(org.db, junk.data(), junk.size()));
}

// A customer whose name and address hold characters beyond U+FFFF reaches another device byte for byte.
TEST_F(ApplyPolicyTest, AstralCharactersArriveAsTyped) {
  const std::string name = "𠮷野家🏠";
  const std::string street = "☎️ 🚪 ∅";
  Bytes fromA = Capture(a, [&](Db& db) {
    CustomerInput input;
    input.name = name;
    input.address.street = street;
    EXPECT_TRUE(CreateCustomer(db, input, org.repA));
  });
  Db replica = Clone(org.db);
  EXPECT_TRUE(Apply(replica, fromA, 1, org.repA).conflicts.empty());
  EXPECT_EQ(QueryText(replica, "SELECT name FROM customers WHERE street = '" + street + "'"), name);
  EXPECT_EQ(QueryText(replica, "SELECT hex(name) FROM customers WHERE street = '" + street + "'"), "F0A0AEB7E9878EE5AEB6F09F8FA0");
}

}  // namespace
}  // namespace crm::sync
