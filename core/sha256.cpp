#include "core/sha256.h"

#include <cstring>

namespace crm {

namespace {
constexpr uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

inline uint32_t Rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
}  // namespace

Sha256::Sha256() : m_state{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19} {}

void Sha256::Block(const uint8_t* block) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++) {
    w[i] = (uint32_t(block[4 * i]) << 24) | (uint32_t(block[4 * i + 1]) << 16) | (uint32_t(block[4 * i + 2]) << 8) |
           uint32_t(block[4 * i + 3]);
  }
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = m_state[0], b = m_state[1], c = m_state[2], d = m_state[3];
  uint32_t e = m_state[4], f = m_state[5], g = m_state[6], h = m_state[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = h + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + ((e & f) ^ (~e & g)) + kRound[i] + w[i];
    uint32_t t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  m_state[0] += a;
  m_state[1] += b;
  m_state[2] += c;
  m_state[3] += d;
  m_state[4] += e;
  m_state[5] += f;
  m_state[6] += g;
  m_state[7] += h;
}

void Sha256::Update(const void* data, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  m_length += size;
  while (size > 0) {
    if (m_buffered == 0 && size >= 64) {
      Block(bytes);
      bytes += 64;
      size -= 64;
      continue;
    }
    size_t take = std::min(size, 64 - m_buffered);
    std::memcpy(m_buffer.data() + m_buffered, bytes, take);
    m_buffered += take;
    bytes += take;
    size -= take;
    if (m_buffered == 64) {
      Block(m_buffer.data());
      m_buffered = 0;
    }
  }
}

Sha256Digest Sha256::Finish() {
  uint64_t bits = m_length * 8;
  // Padding written straight into the block buffer: PBKDF2 finishes two hashes per iteration.
  m_buffer[m_buffered++] = 0x80;
  if (m_buffered > 56) {
    std::memset(m_buffer.data() + m_buffered, 0, 64 - m_buffered);
    Block(m_buffer.data());
    m_buffered = 0;
  }
  std::memset(m_buffer.data() + m_buffered, 0, 56 - m_buffered);
  for (int i = 0; i < 8; i++) m_buffer[56 + i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
  Block(m_buffer.data());
  m_buffered = 0;
  Sha256Digest digest;
  for (int i = 0; i < 8; i++) {
    digest[4 * i] = static_cast<uint8_t>(m_state[i] >> 24);
    digest[4 * i + 1] = static_cast<uint8_t>(m_state[i] >> 16);
    digest[4 * i + 2] = static_cast<uint8_t>(m_state[i] >> 8);
    digest[4 * i + 3] = static_cast<uint8_t>(m_state[i]);
  }
  return digest;
}

Sha256Digest Sha256::Hash(std::string_view text) {
  Sha256 hash;
  hash.Update(text);
  return hash.Finish();
}

namespace {
// The HMAC states after absorbing the key's inner and outer pads.
void HmacStates(std::string_view key, Sha256& inner, Sha256& outer) {
  uint8_t block[64] = {};
  if (key.size() > 64) {
    Sha256Digest hashed = Sha256::Hash(key);
    std::memcpy(block, hashed.data(), hashed.size());
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  uint8_t pad[64];
  for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x36;
  inner.Update(pad, 64);
  for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x5c;
  outer.Update(pad, 64);
}

Sha256Digest HmacFinish(Sha256 inner, Sha256 outer, const void* message, size_t size) {
  inner.Update(message, size);
  Sha256Digest innerDigest = inner.Finish();
  outer.Update(innerDigest.data(), innerDigest.size());
  return outer.Finish();
}
}  // namespace

Sha256Digest HmacSha256(std::string_view key, std::string_view message) {
  Sha256 inner, outer;
  HmacStates(key, inner, outer);
  return HmacFinish(inner, outer, message.data(), message.size());
}

Pbkdf2Sha256::Pbkdf2Sha256(std::string_view password, std::string_view salt, uint32_t iterations)
    : m_iterations(iterations) {
  HmacStates(password, m_inner, m_outer);
  if (iterations == 0) return;
  // U1 = HMAC(P, S || INT(1))
  std::string first(salt);
  first.append({'\0', '\0', '\0', '\1'});
  m_u = HmacFinish(m_inner, m_outer, first.data(), first.size());
  m_key = m_u;
  m_done = 1;
}

bool Pbkdf2Sha256::Step(uint32_t maxIterations) {
  for (uint32_t i = 0; i < maxIterations && m_done < m_iterations; i++, m_done++) {
    m_u = HmacFinish(m_inner, m_outer, m_u.data(), m_u.size());
    for (size_t b = 0; b < m_key.size(); b++) m_key[b] ^= m_u[b];
  }
  return Done();
}

Sha256Digest Pbkdf2Sha256::Derive(std::string_view password, std::string_view salt, uint32_t iterations) {
  Pbkdf2Sha256 kdf(password, salt, iterations);
  kdf.Step(iterations);
  return kdf.Key();
}

std::string ToHex(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; i++) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); i++) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace crm
