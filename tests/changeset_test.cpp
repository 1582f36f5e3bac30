#include "sync/changeset.h"

#include <gtest/gtest.h>

#include "core/customers.h"
#include "core/schema.h"

namespace crm::sync {
namespace {

Db MigratedDb() {
  Db db = Db::OpenMemory().Value();
  EXPECT_TRUE(Migrate(db));
  return db;
}

TEST(ChangesetCapture, RecordsOneTransactionAndReplaysItElsewhere) {
  Db source = MigratedDb();
  Db replica = MigratedDb();
  Bytes changeset;
  {
    auto capture = ChangesetCapture::Start(source, {"customers"});
    ASSERT_TRUE(capture) << capture.Message();
    auto txn = source.Begin();
    ASSERT_TRUE(txn);
    ASSERT_TRUE(AddCustomer(source, "广州市白云区门窗店", Actor{1, 1}));
    ASSERT_TRUE(AddCustomer(source, "王堃", Actor{1, 1}));
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
  Db db = MigratedDb();
  auto capture = ChangesetCapture::Start(db);
  ASSERT_TRUE(capture);
  ASSERT_TRUE(AddCustomer(db, "李四", Actor{1, 1}));
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
  Db source = MigratedDb();
  auto capture = ChangesetCapture::Start(source);
  ASSERT_TRUE(capture);
  ASSERT_TRUE(AddCustomer(source, "赵六", Actor{1, 1}));
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
