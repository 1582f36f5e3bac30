#include "sync/changeset.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/customers.h"
#include "core/org.h"
#include "core/schema.h"

namespace crm::sync {
namespace {

Db MigratedDb() {
  Db db = Db::OpenMemory().Value();
  EXPECT_TRUE(Migrate(db));
  return db;
}

// A database with one admin; the same admin id on every replica, as after sync.
Db AdminDb(Actor& admin) {
  Db db = MigratedDb();
  admin = EnsureLocalOwner(db, "管理员", 1).Value();
  return db;
}

// Only the customer rows travel in these tests; users and plans are set up on each side.
const std::vector<std::string> kCustomerTables = {"customers"};

TEST(ChangesetCapture, RecordsOneTransactionAndReplaysItElsewhere) {
  Actor admin;
  Db source = AdminDb(admin);
  Db replica = MigratedDb();
  Bytes changeset;
  {
    auto capture = ChangesetCapture::Start(source, kCustomerTables);
    ASSERT_TRUE(capture) << capture.Message();
    auto txn = source.Begin();
    ASSERT_TRUE(txn);
    ASSERT_TRUE(AddCustomer(source, "广州市白云区门窗店", admin));
    ASSERT_TRUE(AddCustomer(source, "王堃", admin));
    ASSERT_TRUE(txn.Value().Commit());
    auto bytes = capture.Value().Changeset();
    ASSERT_TRUE(bytes);
    changeset = bytes.Value();
  }
  EXPECT_EQ(CountChanges(changeset).Value(), 2);
  ASSERT_TRUE(ApplyStrict(replica, changeset));
  EXPECT_EQ(CountCustomers(replica).Value(), 2);
}

TEST(ChangesetCapture, InvertUndoesTheChange) {
  Actor admin;
  Db db = AdminDb(admin);
  auto capture = ChangesetCapture::Start(db, kCustomerTables);
  ASSERT_TRUE(capture);
  ASSERT_TRUE(AddCustomer(db, "李四", admin));
  Bytes changeset = capture.Value().Changeset().Value();
  auto inverse = Invert(changeset);
  ASSERT_TRUE(inverse);
  ASSERT_TRUE(ApplyStrict(db, inverse.Value()));
  EXPECT_EQ(CountCustomers(db).Value(), 0);
}

TEST(ChangesetCapture, NothingChangedGivesAnEmptyChangeset) {
  Db db = MigratedDb();
  auto capture = ChangesetCapture::Start(db);
  ASSERT_TRUE(capture);
  EXPECT_TRUE(capture.Value().Changeset().Value().empty());
}

TEST(ChangesetCapture, ConflictingApplyIsReportedNotHidden) {
  Actor admin;
  Db source = AdminDb(admin);
  auto capture = ChangesetCapture::Start(source, kCustomerTables);
  ASSERT_TRUE(capture);
  ASSERT_TRUE(AddCustomer(source, "赵六", admin));
  Bytes changeset = capture.Value().Changeset().Value();
  Db replica = MigratedDb();
  ASSERT_TRUE(ApplyStrict(replica, changeset));
  Status again = ApplyStrict(replica, changeset);  // the row exists now: a CONFLICT
  ASSERT_FALSE(again);
  EXPECT_EQ(again.Code(), ErrorCode::Conflict);
}

// A real changeset with one INSERT, one UPDATE and one DELETE of customers, as a device captures it.
Bytes ThreeOperations() {
  Actor admin;
  Db db = AdminDb(admin);
  int64_t kept = AddCustomer(db, "留下", admin).Value();
  int64_t gone = AddCustomer(db, "删掉", admin).Value();
  auto capture = ChangesetCapture::Start(db, kCustomerTables);
  EXPECT_TRUE(AddCustomer(db, "新来", admin));
  EXPECT_TRUE(db.Exec("UPDATE customers SET notes = '改过' WHERE id = " + std::to_string(kept)));
  EXPECT_TRUE(db.Exec("DELETE FROM customers WHERE id = " + std::to_string(gone)));
  return capture.Value().Changeset().Value();
}

TEST(ChangesetFormat, ARealChangesetPassesAndEveryCutOfItsFirstRecordFails) {
  Bytes changeset = ThreeOperations();
  ASSERT_TRUE(CheckChangesetFormat(changeset.data(), changeset.size()));
  EXPECT_TRUE(CheckChangesetFormat(nullptr, 0)) << "nothing to apply is not malformed";
  // The header ends at the table name's NUL; every cut after it and before the first record's end fails.
  size_t header = std::find(changeset.begin(), changeset.end(), uint8_t{0}) - changeset.begin() + 1;
  ASSERT_EQ(CountChanges(changeset).Value(), 3);
  for (size_t cut = 1; cut < header + 12; cut++) {
    Status status = CheckChangesetFormat(changeset.data(), cut);
    EXPECT_FALSE(status) << "a cut at " << cut << " passed";
    if (!status) {
      EXPECT_EQ(status.Code(), ErrorCode::Corrupt);
    }
  }
}

TEST(ChangesetFormat, HostileShapesAreRefusedByName) {
  Bytes changeset = ThreeOperations();
  auto refused = [](Bytes bytes, const std::string& expected) {
    Status status = CheckChangesetFormat(bytes.data(), bytes.size());
    EXPECT_FALSE(status) << expected;
    if (!status) {
      EXPECT_NE(status.Message().find(expected), std::string::npos) << status.Message();
    }
  };
  Bytes patch = changeset;
  patch[0] = 'P';
  refused(patch, "patchset");
  Bytes trailing = changeset;
  trailing.push_back(0x12);
  refused(trailing, "");
  Bytes later = changeset;
  later.insert(later.end(), changeset.begin(), changeset.end());
  EXPECT_TRUE(CheckChangesetFormat(later.data(), later.size())) << "a repeated section is well formed (shapes are checked on apply)";
  later.push_back('P');
  refused(later, "");
  Bytes header = {'T', 0x02, 0x00, 0x00, 'x', 0x00, 0x12, 0x00, 0x05, 0x05};
  refused(header, "without a primary key");
  Bytes undefinedInsert = {'T', 0x02, 0x01, 0x00, 'x', 0x00, 0x12, 0x00, 0x05, 0x00};
  refused(undefinedInsert, "an insert leaves column 1 undefined");
  Bytes undefinedDelete = {'T', 0x02, 0x01, 0x00, 'x', 0x00, 0x09, 0x00, 0x05, 0x00};
  refused(undefinedDelete, "a delete leaves column 1 undefined");
  // UPDATE: old (key 5, column 1 undefined), new (key undefined, column 1 = NULL): new without old.
  Bytes halfUpdate = {'T', 0x02, 0x01, 0x00, 'x', 0x00, 0x17, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 5, 0x00, 0x00, 0x05};
  refused(halfUpdate, "a new value without the old one");
  Bytes rekey = {'T', 0x02, 0x01, 0x00, 'x', 0x00, 0x17, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 5, 0x05, 0x01, 0, 0, 0, 0, 0, 0, 0, 6, 0x05};
  refused(rekey, "changes the primary key");
  Bytes longName = {'T', 0x01, 0x01};
  longName.insert(longName.end(), 200, 'n');
  longName.insert(longName.end(), {0x00, 0x09, 0x00, 0x05});
  refused(longName, "table name longer");
  Bytes hugeText = {'T', 0x01, 0x01, 'x', 0x00, 0x12, 0x00, 0x03, 0xff, 0xff, 0xff, 0x7f};
  refused(hugeText, "cut short");
}

TEST(ChangesetCapture, MalformedBytesAreAnError) {
  Bytes garbage = {0x54, 0x02, 0xff, 0xff, 0xff, 0x7f, 0x01};
  auto count = CountChanges(garbage);
  EXPECT_FALSE(count);
  EXPECT_EQ(count.Code(), ErrorCode::Corrupt);
}

}  // namespace
}  // namespace crm::sync
