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

}  // namespace crm::relay
