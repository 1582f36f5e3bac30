#include "core/ids.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace crm {
namespace {

TEST(Ids, ArePositiveAndDoNotRepeat) {
  std::unordered_set<int64_t> seen;
  for (int i = 0; i < 100000; i++) {
    int64_t id = NewId();
    ASSERT_GT(id, 0);
    ASSERT_TRUE(seen.insert(id).second) << "repeated id after " << i;
  }
}

TEST(Ids, UseTheHighBits) {
  // A generator that only filled 32 bits would collide across devices within months.
  bool high = false;
  for (int i = 0; i < 64 && !high; i++) high = NewId() > (int64_t{1} << 40);
  EXPECT_TRUE(high);
}

TEST(Clock, IsMillisecondsSinceEpoch) {
  int64_t now = NowMs();
  EXPECT_GT(now, int64_t{1700000000000});  // after 2023
  EXPECT_LT(now, int64_t{4102444800000});  // before 2100
}

}  // namespace
}  // namespace crm
