#include "sync/relay/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace crm::relay {

int RateLimiter::Take(const std::string& key) {
  if (m_limit.perSecond <= 0) return 0;  // limits switched off
  auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(m_mutex);
  // Full buckets hold no information: drop them now and then so the map does not grow forever.
  if (now - m_lastSweep > std::chrono::minutes(1)) {
    m_lastSweep = now;
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
      double refilled = it->second.tokens + std::chrono::duration<double>(now - it->second.at).count() * m_limit.perSecond;
      it = refilled >= m_limit.burst ? m_buckets.erase(it) : std::next(it);
    }
  }
  auto [it, inserted] = m_buckets.try_emplace(key, Bucket{m_limit.burst, now});
  Bucket& bucket = it->second;
  if (!inserted) {
    double elapsed = std::chrono::duration<double>(now - bucket.at).count();
    bucket.tokens = std::min(m_limit.burst, bucket.tokens + elapsed * m_limit.perSecond);
    bucket.at = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1 - bucket.tokens) / m_limit.perSecond)));
}

}  // namespace crm::relay
