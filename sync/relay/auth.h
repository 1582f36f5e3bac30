#pragma once
// Secrets of the relay: password hashes (libsodium's Argon2id), device and
// set-up tokens (256-bit random values handed out once and stored only as
// SHA-256), and constant-time comparisons.
#include <cstdint>
#include <string>

#include "core/result.h"

namespace crm::relay {

// How much work a password hash costs. Interactive is libsodium's recommendation for
// sign-ins; tests use Minimum so that hundreds of sign-ins stay fast.
enum class PasswordCost { Minimum, Interactive, Moderate };
Result<PasswordCost> ParsePasswordCost(const std::string& text);

// Fails only when libsodium cannot start (no entropy source).
Status InitCrypto();

// "$argon2id$v=19$m=…" with its own salt and parameters; verification reads them back,
// so the cost can change without invalidating stored hashes.
Result<std::string> HashPassword(const std::string& password, PasswordCost cost);
bool VerifyPassword(const std::string& hash, const std::string& password);
// Spends the time a verification would, for unknown users (no timing oracle for names).
void BurnPasswordTime(PasswordCost cost);

// A new secret token: 32 random bytes as 64 lowercase hex digits.
std::string NewToken();
// The form tokens are stored in: SHA-256 of the token text, hex.
std::string TokenHash(const std::string& token);

// Minimum password length the relay accepts.
constexpr size_t kMinPasswordLength = 8;
constexpr size_t kMaxPasswordLength = 256;
// A device's secret (sign-in's device_secret): made once by the device, 32 random bytes as hex.
constexpr size_t kMinDeviceSecret = 32;
constexpr size_t kMaxDeviceSecret = 128;

}  // namespace crm::relay
