#include "core/ids.h"

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <random>
#if !defined(__EMSCRIPTEN__)
#include <pthread.h>
#endif

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

uint32_t Rotl(uint32_t value, int bits) { return (value << bits) | (value >> (32 - bits)); }

void QuarterRound(uint32_t* s, int a, int b, int c, int d) {
  s[a] += s[b]; s[d] = Rotl(s[d] ^ s[a], 16);
  s[c] += s[d]; s[b] = Rotl(s[b] ^ s[c], 12);
  s[a] += s[b]; s[d] = Rotl(s[d] ^ s[a], 8);
  s[c] += s[d]; s[b] = Rotl(s[b] ^ s[c], 7);
}

uint32_t LoadLe32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

void OsEntropy(void* out, size_t size) {
  if (getentropy(out, size) == 0) return;
  std::random_device fallback;  // slower, but never a predictable id
  auto* bytes = static_cast<uint8_t*>(out);
  for (size_t i = 0; i < size; i++) bytes[i] = static_cast<uint8_t>(fallback());
}

// Ids from a ChaCha20 key stream with fast key erasure (as OpenBSD's arc4random): each refill's first
// 32 bytes replace the key, so a captured state reveals no id already handed out. The platform's
// CSPRNG keys it: in Emscripten 3.1.6 getentropy calls crypto.getRandomValues once per byte, which
// cost half of a customer insert in wasm when each id came from it.
class IdStream {
 public:
  uint64_t Next() {
    if (m_available < sizeof(uint64_t) || m_generation != Generation()) Refill();
    uint64_t value = 0;
    uint8_t* at = m_buffer + sizeof m_buffer - m_available;
    std::memcpy(&value, at, sizeof value);
    std::memset(at, 0, sizeof value);
    m_available -= sizeof value;
    return value;
  }

  // Bumped in a forked child, whose copy of every stream must not repeat its parent's ids.
  static unsigned& Generation() {
    static unsigned generation = 1;
    return generation;
  }

 private:
  static constexpr size_t kBlocks = 16;
  static constexpr uint64_t kRekeyAfter = 64 * 1024;  // bytes handed out between keys from the platform

  void Refill() {
    if (m_generation != Generation() || m_sinceOsKey >= kRekeyAfter) {
      uint8_t seed[32];
      OsEntropy(seed, sizeof seed);
      for (int i = 0; i < 8; i++) m_key[i] ^= LoadLe32(seed + 4 * i);
      std::memset(seed, 0, sizeof seed);
      m_generation = Generation();
      m_sinceOsKey = 0;
    }
    const uint32_t nonce[3] = {0, 0, 0};
    for (uint32_t block = 0; block < kBlocks; block++) ChaCha20Block(m_key, block, nonce, m_stream + 64 * block);
    for (int i = 0; i < 8; i++) m_key[i] = LoadLe32(m_stream + 4 * i);
    std::memcpy(m_buffer, m_stream + 32, sizeof m_buffer);
    std::memset(m_stream, 0, sizeof m_stream);
    m_available = sizeof m_buffer;
    m_sinceOsKey += sizeof m_buffer;
  }

  uint32_t m_key[8] = {};
  uint8_t m_stream[64 * kBlocks] = {};
  uint8_t m_buffer[64 * kBlocks - 32] = {};
  size_t m_available = 0;
  uint64_t m_sinceOsKey = 0;
  unsigned m_generation = 0;  // 0: never keyed
};

#if defined(__EMSCRIPTEN__)
IdStream t_ids;  // no threads in the browser (wasm-ld refuses thread_local without atomics)
#else
thread_local IdStream t_ids;
#endif

#if !defined(__EMSCRIPTEN__)
// The relay and tests start processes; a child that forks without exec must not reuse the parent's stream.
const bool g_forkHandlerInstalled = [] {
  pthread_atfork(nullptr, nullptr, [] { IdStream::Generation()++; });
  return true;
}();
#endif
}  // namespace

void ChaCha20Block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3], uint8_t out[64]) {
  uint32_t input[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
  for (int i = 0; i < 8; i++) input[4 + i] = key[i];
  input[12] = counter;
  for (int i = 0; i < 3; i++) input[13 + i] = nonce[i];
  uint32_t s[16];
  std::memcpy(s, input, sizeof s);
  for (int round = 0; round < 10; round++) {
    QuarterRound(s, 0, 4, 8, 12);
    QuarterRound(s, 1, 5, 9, 13);
    QuarterRound(s, 2, 6, 10, 14);
    QuarterRound(s, 3, 7, 11, 15);
    QuarterRound(s, 0, 5, 10, 15);
    QuarterRound(s, 1, 6, 11, 12);
    QuarterRound(s, 2, 7, 8, 13);
    QuarterRound(s, 3, 4, 9, 14);
  }
  for (int i = 0; i < 16; i++) {
    uint32_t word = s[i] + input[i];
    out[4 * i] = static_cast<uint8_t>(word);
    out[4 * i + 1] = static_cast<uint8_t>(word >> 8);
    out[4 * i + 2] = static_cast<uint8_t>(word >> 16);
    out[4 * i + 3] = static_cast<uint8_t>(word >> 24);
  }
}

void SeedIdsForTesting(uint64_t seed) { g_testSeed = seed; }
void SetClockForTesting(int64_t (*clock)()) { g_testClock = clock; }

int64_t NewId() {
  for (;;) {
    uint64_t value = g_testSeed != 0 ? SplitMix64(g_testSeed) : t_ids.Next();
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
