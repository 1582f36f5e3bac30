#include "core/ids.h"

#include <gtest/gtest.h>

#include <unordered_set>
#if !defined(__EMSCRIPTEN__)
#include <sys/wait.h>
#include <unistd.h>
#endif

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

// RFC 8439, 2.3.2: the block function's test vector.
TEST(Ids, ChaCha20BlockMatchesRfc8439) {
  uint32_t key[8];
  for (uint32_t i = 0; i < 8; i++) key[i] = (4 * i) | (4 * i + 1) << 8 | (4 * i + 2) << 16 | (4 * i + 3) << 24;
  const uint32_t nonce[3] = {0x09000000, 0x4a000000, 0};
  uint8_t out[64];
  ChaCha20Block(key, 1, nonce, out);
  const uint8_t expected[64] = {
      0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
      0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e,
      0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
      0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e};
  for (int i = 0; i < 64; i++) EXPECT_EQ(out[i], expected[i]) << "byte " << i;
}

TEST(Ids, EveryBitVaries) {
  // Past several refills and re-keys: no bit of the 63 is stuck at 0 or 1.
  uint64_t ones = 0, zeros = 0;
  for (int i = 0; i < 20000; i++) {
    auto id = static_cast<uint64_t>(NewId());
    ones |= id;
    zeros |= ~id;
  }
  EXPECT_EQ(ones, 0x7FFFFFFFFFFFFFFFull);
  EXPECT_EQ(zeros, ~uint64_t{0});
}

TEST(Ids, SeededForTestingRepeatAndReturnToRandom) {
  SeedIdsForTesting(42);
  int64_t first = NewId();
  SeedIdsForTesting(42);
  EXPECT_EQ(NewId(), first);
  SeedIdsForTesting(0);
  EXPECT_NE(NewId(), NewId());
}

#if !defined(__EMSCRIPTEN__)
TEST(Ids, AForkedChildDoesNotRepeatItsParent) {
  (void)NewId();  // the stream is keyed before the fork, so the child holds a copy of it
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int64_t id = NewId();
    ssize_t written = write(fds[1], &id, sizeof id);
    _exit(written == sizeof id ? 0 : 1);
  }
  int64_t mine = NewId();
  int64_t theirs = 0;
  ASSERT_EQ(read(fds[0], &theirs, sizeof theirs), static_cast<ssize_t>(sizeof theirs));
  int status = 0;
  waitpid(child, &status, 0);
  close(fds[0]);
  close(fds[1]);
  EXPECT_NE(mine, theirs);
}
#endif

TEST(Clock, IsMillisecondsSinceEpoch) {
  int64_t now = NowMs();
  EXPECT_GT(now, int64_t{1700000000000});  // after 2023
  EXPECT_LT(now, int64_t{4102444800000});  // before 2100
}

}  // namespace
}  // namespace crm
