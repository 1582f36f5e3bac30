#include "core/ids.h"

#include <unistd.h>

#include <chrono>
#include <random>

namespace crm {

namespace {
uint64_t g_testSeed = 0;  // non-zero: ids come from splitmix64 over this state
int64_t (*g_testClock)() = nullptr;

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

void SeedIdsForTesting(uint64_t seed) { g_testSeed = seed; }
void SetClockForTesting(int64_t (*clock)()) { g_testClock = clock; }

// getentropy: one system call natively, crypto.getRandomValues in the browser
// (std::random_device opened /dev/urandom on every call, which cost more than the insert).
int64_t NewId() {
  for (;;) {
    uint64_t value = 0;
    if (g_testSeed != 0) {
      value = SplitMix64(g_testSeed);
    } else if (getentropy(&value, sizeof value) != 0) {
      std::random_device fallback;  // slower, but never a predictable id
      value = (static_cast<uint64_t>(fallback()) << 32) ^ fallback();
    }
    auto id = static_cast<int64_t>(value & 0x7FFFFFFFFFFFFFFFull);
    if (id != 0) return id;
  }
}

int64_t NowMs() {
  if (g_testClock) return g_testClock();
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace crm
