// The per-table change mask: which tables a commit touched, as bits, and the
// clock a screen compares with to know whether a table it reads changed.
#include "core/table_changes.h"

#include <gtest/gtest.h>

#include "core/contacts.h"
#include "core/customers.h"
#include "core/followups.h"
#include "core/ids.h"
#include "core/org.h"
#include "core/schema.h"
#include "test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

TEST(TableBit, EverySyncedTableHasItsOwnBitAndBookkeepingNone) {
  uint64_t seen = 0;
  for (const std::string& table : SyncedTables()) {
    uint64_t bit = TableBit(table);
    ASSERT_NE(bit, 0u) << table;
    EXPECT_EQ(bit & (bit - 1), 0u) << table << " has one bit";
    EXPECT_EQ(seen & bit, 0u) << table << " shares a bit";
    seen |= bit;
  }
  EXPECT_NE(TableBit("sync_conflicts"), 0u) << "the conflict log is shown";
  EXPECT_EQ(seen & TableBit("sync_conflicts"), 0u);
  EXPECT_EQ(TableBit("sync_inbox"), 0u);
  EXPECT_EQ(TableBit("customer_fts_doc"), 0u);
  EXPECT_EQ(TableBits({"customers", "contacts"}), TableBit("customers") | TableBit("contacts"));
}

TEST(TableChangeLog, AReaderSeesOnlyChangesOfItsTablesAfterItLoaded) {
  TableChangeLog log;
  const uint64_t customers = TableBit("customers");
  const uint64_t followups = TableBit("followups");
  EXPECT_TRUE(log.ChangedSince(customers, 0)) << "never loaded";
  uint64_t loaded = log.Clock();
  EXPECT_FALSE(log.ChangedSince(customers, loaded));
  log.Note(followups);
  EXPECT_FALSE(log.ChangedSince(customers, loaded));
  EXPECT_TRUE(log.ChangedSince(customers | followups, loaded));
  log.Note(0);
  loaded = log.Clock();
  log.Note(customers);
  EXPECT_TRUE(log.ChangedSince(customers, loaded));
  EXPECT_FALSE(log.ChangedSince(customers, log.Clock()));
}

class TableChangesTest : public testing::Test {
 protected:
  void SetUp() override {
    customer = org.Customer("美家门窗", org.repA, {"13800138000"}, "佛山市");
    (void)org.db.TakeChangedTables();  // what the set-up wrote
  }
  TestOrg org;
  int64_t customer = 0;
};

TEST_F(TableChangesTest, ANewConnectionReportsEveryTable) {
  Db fresh = Db::OpenMemory().Value();
  EXPECT_EQ(fresh.TakeChangedTables(), kAllTables);
  EXPECT_EQ(fresh.TakeChangedTables(), 0u) << "taken once";
}

TEST_F(TableChangesTest, ALocalCommitReportsTheTablesItTouchedOnce) {
  ContactInput contact;
  contact.name = "王经理";
  ASSERT_TRUE(AddContact(org.db, customer, contact, org.repA));
  uint64_t changed = org.db.TakeChangedTables();
  EXPECT_TRUE(changed & TableBit("contacts"));
  EXPECT_TRUE(changed & TableBit("audit_log")) << "the audit trigger's row";
  EXPECT_FALSE(changed & TableBit("followups"));
  EXPECT_FALSE(changed & TableBit("settings"));
  EXPECT_EQ(org.db.TakeChangedTables(), 0u);

  ASSERT_TRUE(ScheduleFollowup(org.db, customer, NowMs() + 86400000, FollowupReason::Manual, "", org.repA));
  changed = org.db.TakeChangedTables();
  EXPECT_TRUE(changed & TableBit("followups"));
  EXPECT_FALSE(changed & TableBit("contacts"));
}

TEST_F(TableChangesTest, ASettingIsReportedThoughSettingsHasNoRowid) {
  ASSERT_TRUE(SetSettingInt(org.db, kSettingPoolDays, 45, org.admin));
  EXPECT_TRUE(org.db.TakeChangedTables() & TableBit("settings"));
  // Inside a transaction it counts with the commit.
  {
    auto txn = org.db.Begin();
    ASSERT_TRUE(txn);
    ASSERT_TRUE(SetSettingInt(org.db, kSettingPoolDays, 50, org.admin));
    EXPECT_EQ(org.db.TakeChangedTables(), 0u) << "not committed yet";
    ASSERT_TRUE(txn.Value().Commit());
  }
  EXPECT_TRUE(org.db.TakeChangedTables() & TableBit("settings"));
}

TEST_F(TableChangesTest, ARolledBackTransactionReportsNothing) {
  {
    auto txn = org.db.Begin();
    ASSERT_TRUE(txn);
    ASSERT_TRUE(org.db.Exec("UPDATE customers SET city = '广州市' WHERE id = " + std::to_string(customer)));
    ASSERT_TRUE(SetSettingInt(org.db, kSettingPoolDays, 45, org.admin));
    txn.Value().Rollback();
  }
  EXPECT_EQ(org.db.TakeChangedTables(), 0u);
}

TEST_F(TableChangesTest, ReplacedContentReportsEveryTable) {
  org.db.ForgetDerived();
  EXPECT_EQ(org.db.TakeChangedTables(), kAllTables);
}

}  // namespace
}  // namespace crm
