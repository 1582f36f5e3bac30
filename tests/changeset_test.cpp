#include "sync/changeset.h"

#include <gtest/gtest.h>

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

TEST(ChangesetCapture, MalformedBytesAreAnError) {
  Bytes garbage = {0x54, 0x02, 0xff, 0xff, 0xff, 0x7f, 0x01};
  auto count = CountChanges(garbage);
  EXPECT_FALSE(count);
  EXPECT_EQ(count.Code(), ErrorCode::Corrupt);
}

}  // namespace
}  // namespace crm::sync
