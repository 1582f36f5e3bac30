#include "core/conflicts.h"

#include <gtest/gtest.h>

#include "core/schema.h"

namespace crm {
namespace {

ConflictEntry Entry(int64_t seq, std::optional<int64_t> customer, const char* field) {
  ConflictEntry entry;
  entry.seq = seq;
  entry.at = 1700000000000 + seq;
  entry.kind = ConflictKind::Data;
  entry.table = "customers";
  entry.rowKey = std::to_string(customer.value_or(0));
  entry.customerId = customer;
  entry.field = field;
  entry.lostValue = "旧值";
  entry.wonValue = std::nullopt;
  entry.resolution = "replaced";
  entry.winnerUser = 2;
  entry.winnerDevice = 3;
  return entry;
}

TEST(Conflicts, RecordedEntriesListNewestFirstByCustomerAndPage) {
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(Migrate(db));
  ASSERT_TRUE(RecordConflicts(db, {Entry(1, 10, "name"), Entry(2, 11, "phone"), Entry(3, 10, "city")}));
  auto all = ListConflicts(db);
  ASSERT_TRUE(all) << all.Message();
  ASSERT_EQ(all.Value().size(), 3u);
  EXPECT_EQ(all.Value()[0].field, "city");
  EXPECT_EQ(all.Value()[0].lostValue, "旧值");
  EXPECT_EQ(all.Value()[0].wonValue, std::nullopt);
  EXPECT_EQ(all.Value()[0].loserUser, std::nullopt);

  ConflictQuery forCustomer;
  forCustomer.customerId = 10;
  auto mine = ListConflicts(db, forCustomer);
  ASSERT_EQ(mine.Value().size(), 2u);

  ConflictQuery page;
  page.limit = 1;
  page.beforeId = all.Value()[0].id;
  auto next = ListConflicts(db, page);
  ASSERT_EQ(next.Value().size(), 1u);
  EXPECT_EQ(next.Value()[0].field, "phone");
}

TEST(Conflicts, SeenEntriesLeaveTheUnseenCount) {
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(Migrate(db));
  ASSERT_TRUE(RecordConflicts(db, {Entry(1, 10, "name"), Entry(2, 11, "phone")}));
  EXPECT_EQ(CountUnseenConflicts(db).Value(), 2);
  int64_t first = ListConflicts(db).Value().back().id;
  ASSERT_TRUE(MarkConflictsSeen(db, first));
  EXPECT_EQ(CountUnseenConflicts(db).Value(), 1);
  ConflictQuery unseen;
  unseen.unseenOnly = true;
  EXPECT_EQ(ListConflicts(db, unseen).Value()[0].field, "phone");
  ASSERT_TRUE(MarkConflictsSeen(db));
  EXPECT_EQ(CountUnseenConflicts(db).Value(), 0);
}

TEST(Conflicts, BadArgumentsAreErrors) {
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(Migrate(db));
  ConflictQuery query;
  query.limit = 0;
  EXPECT_EQ(ListConflicts(db, query).Code(), ErrorCode::Invalid);
  EXPECT_FALSE(ParseConflictKind("nonsense"));
  for (ConflictKind kind : {ConflictKind::Data, ConflictKind::NotFound, ConflictKind::Conflict, ConflictKind::Constraint,
                            ConflictKind::ForeignKey}) {
    EXPECT_EQ(ParseConflictKind(Code(kind)).Value(), kind);
  }
}

}  // namespace
}  // namespace crm
