#include "core/schema.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/contacts.h"
#include "core/customer_dates.h"
#include "core/customers.h"
#include "core/org.h"
#include "core/search.h"

namespace crm {
namespace {

TEST(Schema, MigratesAnEmptyDatabaseToTheLatestVersion) {
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(Migrate(db));
  EXPECT_EQ(SchemaVersion(db).Value(), LatestSchemaVersion());
  // Idempotent: a second run changes nothing.
  ASSERT_TRUE(Migrate(db));
  EXPECT_EQ(SchemaVersion(db).Value(), LatestSchemaVersion());
}

TEST(Schema, VersionsAreStrictlyIncreasing) {
  int last = 0;
  for (const Migration& migration : Migrations()) {
    EXPECT_EQ(migration.version, last + 1) << migration.name;
    last = migration.version;
  }
}

TEST(Schema, EveryEarlierVersionUpgradesToTheLatest) {
  for (const Migration& migration : Migrations()) {
    Db db = Db::OpenMemory().Value();
    ASSERT_TRUE(MigrateTo(db, migration.version));
    EXPECT_EQ(SchemaVersion(db).Value(), migration.version);
    ASSERT_TRUE(Migrate(db)) << "from version " << migration.version;
    EXPECT_EQ(SchemaVersion(db).Value(), LatestSchemaVersion());
  }
}

// A database written by the foundation release (schema 1: bare customers) keeps its rows and
// gains every later column with its default, plus the audit triggers.
TEST(Schema, AVersionOneDatabaseWithDataUpgrades) {
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(MigrateTo(db, 1));
  ASSERT_TRUE(db.Exec("INSERT INTO customers(id, name, created_at, updated_at, created_by, updated_by, device_id) "
                      "VALUES(11, '老客户', 1, 1, 1, 1, 1), (12, '另一个老客户', 1, 1, 1, 1, 1)"));
  ASSERT_TRUE(Migrate(db));
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM customers WHERE grade = 'C' AND stage = 'prospect' AND kind = 'other'").Value(), 2);
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'audit_%'").Value(),
            3 * static_cast<int64_t>(SyncedTables().size() - 1));
  ASSERT_TRUE(db.Exec("UPDATE customers SET name = '老客户（改）', updated_at = 2 WHERE id = 11"));
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM audit_log WHERE row_id = 11 AND field = 'name'").Value(), 1);
}

std::vector<std::string> Found(Db& db, const char* query) {
  std::vector<std::string> names;
  auto hits = SearchCustomers(db, query);
  EXPECT_TRUE(hits) << query << ": " << hits.Message();
  if (hits) for (const SearchHit& hit : hits.Value()) names.push_back(hit.name);
  std::sort(names.begin(), names.end());
  return names;
}

// Version 6 renumbers the search index's documents: a book from version 5 keeps finding the same
// customers (by name, phone, contact, tag), and later edits keep the index in step.
TEST(Schema, AVersionFiveBookIsFoundTheSameAfterTheSearchIndexIsRenumbered) {
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(MigrateTo(db, 5));
  Actor admin = EnsureLocalOwner(db, "管理员", 1).Value();
  std::vector<int64_t> ids;
  for (int i = 0; i < 30; i++) {
    CustomerInput input;
    input.name = (i % 2 ? "佛山永盛门窗" : "广州华美建材") + std::to_string(i);
    input.phones = {"1380013" + std::to_string(1000 + i)};
    input.address.city = i % 3 ? "佛山市" : "广州市";
    if (i % 5 == 0) input.tags = {"重点"};
    auto id = CreateCustomer(db, input, admin);
    ASSERT_TRUE(id) << id.Message();
    ids.push_back(id.Value());
  }
  ContactInput contact;
  contact.name = "陈经理";
  ASSERT_TRUE(AddContact(db, ids[4], contact, admin));
  ASSERT_TRUE(TrashCustomer(db, ids[6], admin));

  ASSERT_TRUE(Migrate(db));
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM customer_fts_doc").Value(), 30);
  EXPECT_EQ(db.QueryInt("SELECT max(docid) FROM customer_fts_doc").Value(), 30) << "documents are numbered densely";
  ASSERT_TRUE(db.Exec("INSERT INTO customer_fts(customer_fts) VALUES('integrity-check')"));
  EXPECT_EQ(Found(db, "永盛门窗").size(), 15u);
  EXPECT_EQ(Found(db, "13800131007"), std::vector<std::string>{"佛山永盛门窗7"});
  EXPECT_EQ(Found(db, "陈经理"), std::vector<std::string>{"广州华美建材4"});
  EXPECT_EQ(Found(db, "重点").size(), 6u);
  EXPECT_EQ(Found(db, "广州华美建材6"), (std::vector<std::string>{"广州华美建材16", "广州华美建材26"}))
      << "the trashed 广州华美建材6 stays out of the default search";

  // Edits after the upgrade: a customer keeps its document number, a new one gets the next.
  CustomerInput renamed;
  renamed.name = "深圳鑫达幕墙";
  renamed.phones = {"13800131001"};
  ASSERT_TRUE(UpdateCustomer(db, ids[1], renamed, admin));
  EXPECT_EQ(Found(db, "鑫达"), std::vector<std::string>{"深圳鑫达幕墙"});
  std::vector<std::string> old = Found(db, "佛山永盛门窗1");
  EXPECT_EQ(std::count(old.begin(), old.end(), "佛山永盛门窗1"), 0) << "the old name is gone from the index";
  EXPECT_EQ(old.size(), 6u) << "11, 13, 15, 17, 19 and 21 still match";
  EXPECT_EQ(db.QueryInt("SELECT max(docid) FROM customer_fts_doc").Value(), 30);
  CustomerInput added;
  added.name = "升级后新客户";
  ASSERT_TRUE(CreateCustomer(db, added, admin));
  EXPECT_EQ(db.QueryInt("SELECT max(docid) FROM customer_fts_doc").Value(), 31);
  ASSERT_TRUE(db.Exec("DELETE FROM customers WHERE id = " + std::to_string(ids[2])));
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM customer_fts_doc").Value(), 30);
  ASSERT_TRUE(db.Exec("INSERT INTO customer_fts(customer_fts) VALUES('integrity-check')"));
}

// Version 7 adds a customer's important dates: a book from version 6 keeps its customers and contacts, and its
// customers take dates, audited like every other row.
TEST(Schema, AVersionSixBookKeepsItsDataAndTakesImportantDates) {
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(MigrateTo(db, 6));
  Actor admin = EnsureLocalOwner(db, "管理员", 1).Value();
  CustomerInput input;
  input.name = "佛山永盛门窗";
  input.phones = {"13800131007"};
  input.birthday = "--05-12";
  auto id = CreateCustomer(db, input, admin);
  ASSERT_TRUE(id) << id.Message();
  ContactInput contact;
  contact.name = "陈经理";
  ASSERT_TRUE(AddContact(db, id.Value(), contact, admin));
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM sqlite_schema WHERE name = 'customer_dates'").Value(), 0);

  ASSERT_TRUE(Migrate(db));
  EXPECT_EQ(SchemaVersion(db).Value(), LatestSchemaVersion());
  auto customer = GetCustomer(db, id.Value());
  ASSERT_TRUE(customer) << customer.Message();
  EXPECT_EQ(customer.Value().fields.name, "佛山永盛门窗");
  EXPECT_EQ(customer.Value().fields.birthday, "--05-12");
  EXPECT_EQ(ContactsOf(db, id.Value()).Value().size(), 1u);
  EXPECT_EQ(Found(db, "永盛门窗"), std::vector<std::string>{"佛山永盛门窗"});
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'audit_customer_dates_%'").Value(), 3);

  CustomerDateInput date;
  date.kind = CustomerDateKind::Opening;
  date.title = "店庆";
  date.monthDay = "09-09";
  auto added = AddCustomerDate(db, id.Value(), date, admin);
  ASSERT_TRUE(added) << added.Message();
  EXPECT_EQ(CustomerDatesOf(db, id.Value()).Value().size(), 1u);
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM audit_log WHERE table_name = 'customer_dates' AND customer_id = " +
                        std::to_string(id.Value())).Value(), 1);
}

TEST(Schema, RefusesADatabaseFromANewerApp) {
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(Migrate(db));
  ASSERT_TRUE(db.Exec("PRAGMA user_version = " + std::to_string(LatestSchemaVersion() + 1)));
  Status status = Migrate(db);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.Code(), ErrorCode::Schema);
  EXPECT_NE(status.Message().find("newer version"), std::string::npos);
}

TEST(Schema, SyncedTablesHaveExplicitNonNullIntegerKeys) {
  // The session extension needs an explicit PRIMARY KEY with no NULLs; keys are made on the device.
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(Migrate(db));
  auto tables = db.Prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  ASSERT_TRUE(tables);
  int checked = 0;
  while (tables.Value().Step().Value()) {
    std::string sql = tables.Value().String(1);
    std::string name = tables.Value().String(0);
    if (IsDerivedTable(name)) continue;
    EXPECT_NE(sql.find("PRIMARY KEY NOT NULL"), std::string::npos) << name;
    bool synced = std::find(SyncedTables().begin(), SyncedTables().end(), name) != SyncedTables().end();
    // Synced tables (but the append-only audit log) carry the bookkeeping columns and a soft delete.
    if (synced && name != "audit_log") {
      for (const char* column : {"created_at", "updated_at", "created_by", "updated_by", "device_id", "deleted_at"}) {
        EXPECT_NE(sql.find(column), std::string::npos) << name << " lacks " << column;
      }
    }
    EXPECT_EQ(sql.find("AUTOINCREMENT"), std::string::npos) << tables.Value().String(0);
    checked++;
  }
  EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace crm
