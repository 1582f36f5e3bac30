#include "sync/relay/auth.h"

#include <sodium.h>

#include <mutex>

namespace crm::relay {

namespace {

void Limits(PasswordCost cost, unsigned long long* ops, size_t* mem) {
  switch (cost) {
    case PasswordCost::Minimum:
      *ops = crypto_pwhash_OPSLIMIT_MIN;
      *mem = crypto_pwhash_MEMLIMIT_MIN;
      return;
    case PasswordCost::Interactive:
      *ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
      *mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
      return;
    case PasswordCost::Moderate:
      *ops = crypto_pwhash_OPSLIMIT_MODERATE;
      *mem = crypto_pwhash_MEMLIMIT_MODERATE;
      return;
  }
}

std::string Hex(const unsigned char* data, size_t size) {
  std::string text(size * 2 + 1, '\0');
  sodium_bin2hex(text.data(), text.size(), data, size);
  text.pop_back();
  return text;
}

}  // namespace

Result<PasswordCost> ParsePasswordCost(const std::string& text) {
  if (text == "min") return PasswordCost::Minimum;
  if (text == "interactive") return PasswordCost::Interactive;
  if (text == "moderate") return PasswordCost::Moderate;
  return MakeError(ErrorCode::Invalid, "--password-cost: expected interactive, moderate or min (tests only), got '" + text + "'");
}

Status InitCrypto() {
  static std::once_flag once;
  static int result = 0;
  std::call_once(once, [] { result = sodium_init(); });
  if (result < 0) return MakeError(ErrorCode::Storage, "libsodium failed to initialise (no entropy source?)");
  return Ok();
}

Result<std::string> HashPassword(const std::string& password, PasswordCost cost) {
  CRM_TRY(InitCrypto());
  unsigned long long ops = 0;
  size_t mem = 0;
  Limits(cost, &ops, &mem);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return MakeError(ErrorCode::Full, "cannot hash the password: out of memory");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, const std::string& password) {
  if (!InitCrypto() || hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  char stored[crypto_pwhash_STRBYTES] = {};
  hash.copy(stored, hash.size());
  return crypto_pwhash_str_verify(stored, password.data(), password.size()) == 0;
}

void BurnPasswordTime(PasswordCost cost) {
  static std::once_flag once[3];
  static std::string dummy[3];
  int index = static_cast<int>(cost);
  std::call_once(once[index], [&] { dummy[index] = HashPassword("not a password of anyone", cost).ValueOr(""); });
  (void)VerifyPassword(dummy[index], "wrong guess");
}

std::string NewToken() {
  (void)InitCrypto();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  std::string token = Hex(bytes, sizeof bytes);
  sodium_memzero(bytes, sizeof bytes);
  return token;
}

std::string TokenHash(const std::string& token) {
  (void)InitCrypto();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return Hex(digest, sizeof digest);
}

}  // namespace crm::relay
