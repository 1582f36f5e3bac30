#pragma once
// Token buckets per key (a device, or an address for sign-ins): `burst`
// requests at once, refilled at `perSecond`. A refused request learns how long
// to wait (the Retry-After of a 429).
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace crm::relay {

struct RateLimit {
  double perSecond = 20;
  double burst = 60;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit) : m_limit(limit) {}
  // 0 when the request may go ahead (a token is taken), else whole seconds to wait (at least 1).
  int Take(const std::string& key);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at;
  };
  RateLimit m_limit;
  std::mutex m_mutex;
  std::unordered_map<std::string, Bucket> m_buckets;
  std::chrono::steady_clock::time_point m_lastSweep;
};

// Failed sign-ins of an account. After a few failures each further one locks the account for a time
// that doubles. Counted per (account, address), with a long cap, and per account from anywhere, with a
// short one: the owner's own guesses lock the owner's address for long, an attacker elsewhere keeps the
// account shut for at most the short cap at a time. Accounts are keyed by what was typed, so an account
// that does not exist behaves as one that does.
struct LockoutPolicy {
  int freeFailures = 5;         // per (account, address)
  int64_t maxPairLockMs = 15 * 60 * 1000;
  int freeAccountFailures = 10;  // per account, from any address
  int64_t maxAccountLockMs = 30 * 1000;
};

class SignInLockout {
 public:
  explicit SignInLockout(LockoutPolicy policy = {}) : m_policy(policy) {}
  // 0 when a sign-in may be tried now, else whole seconds to wait (at least 1).
  int WaitSeconds(const std::string& account, const std::string& address);
  void Failed(const std::string& account, const std::string& address);
  void Succeeded(const std::string& account, const std::string& address);

  struct Entry {
    int failures = 0;
    std::chrono::steady_clock::time_point lockedUntil;
    std::chrono::steady_clock::time_point last;
  };

 private:
  void Sweep(std::chrono::steady_clock::time_point now);
  LockoutPolicy m_policy;
  std::mutex m_mutex;
  std::unordered_map<std::string, Entry> m_pairs;
  std::unordered_map<std::string, Entry> m_accounts;
  std::chrono::steady_clock::time_point m_lastSweep;
};

}  // namespace crm::relay
