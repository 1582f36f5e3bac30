#pragma once
// SHA-256, HMAC-SHA256 and PBKDF2-HMAC-SHA256 (FIPS 180-4, RFC 2104, RFC 8018),
// for salted PIN hashes on shared devices. Neither SQLite nor the browser build
// carries a KDF the core can call synchronously and natively alike, so the core
// has its own, checked against the published test vectors.
//
// Pbkdf2 is resumable: a caller on the browser's main thread runs it in slices
// so no frame is blocked for more than a few milliseconds.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crm {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  void Update(const void* data, size_t size);
  void Update(std::string_view text) { Update(text.data(), text.size()); }
  Sha256Digest Finish();

  static Sha256Digest Hash(std::string_view text);

 private:
  void Block(const uint8_t* block);
  std::array<uint32_t, 8> m_state;
  std::array<uint8_t, 64> m_buffer{};
  size_t m_buffered = 0;
  uint64_t m_length = 0;  // bytes
};

Sha256Digest HmacSha256(std::string_view key, std::string_view message);

// PBKDF2-HMAC-SHA256 for one 32-byte output block (all a password hash needs).
class Pbkdf2Sha256 {
 public:
  Pbkdf2Sha256(std::string_view password, std::string_view salt, uint32_t iterations);
  // Runs up to `maxIterations` more iterations; true once the key is complete.
  bool Step(uint32_t maxIterations);
  bool Done() const { return m_done >= m_iterations; }
  uint32_t Progress() const { return m_done; }
  uint32_t Iterations() const { return m_iterations; }
  const Sha256Digest& Key() const { return m_key; }

  // Runs to completion in one call (tests and native tools).
  static Sha256Digest Derive(std::string_view password, std::string_view salt, uint32_t iterations);

 private:
  Sha256 m_inner;  // HMAC state after the key's inner pad: each iteration copies it instead of rehashing the key
  Sha256 m_outer;
  Sha256Digest m_u{};
  Sha256Digest m_key{};
  uint32_t m_iterations = 0;
  uint32_t m_done = 0;
};

std::string ToHex(const uint8_t* data, size_t size);
inline std::string ToHex(const Sha256Digest& digest) { return ToHex(digest.data(), digest.size()); }

// Compares without an early exit, so a comparison's time says nothing about where two digests differ.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace crm
