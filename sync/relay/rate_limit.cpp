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

namespace {

std::string PairKey(const std::string& account, const std::string& address) { return account + '\x1f' + address; }

// After `free` failures, the n-th further one locks for 2^(n-1) s, at most `maxMs`.
void NoteFailure(std::unordered_map<std::string, SignInLockout::Entry>& entries, const std::string& key, int free, int64_t maxMs,
                 std::chrono::steady_clock::time_point now) {
  auto& entry = entries[key];
  entry.failures++;
  entry.last = now;
  int over = entry.failures - free;
  if (over <= 0) return;
  int64_t lockMs = over >= 30 ? maxMs : std::min<int64_t>(maxMs, 1000LL << (over - 1));
  entry.lockedUntil = now + std::chrono::milliseconds(lockMs);
}

int64_t RemainingMs(const std::unordered_map<std::string, SignInLockout::Entry>& entries, const std::string& key,
                    std::chrono::steady_clock::time_point now) {
  auto found = entries.find(key);
  if (found == entries.end() || found->second.lockedUntil <= now) return 0;
  return std::chrono::duration_cast<std::chrono::milliseconds>(found->second.lockedUntil - now).count();
}

}  // namespace

void SignInLockout::Sweep(std::chrono::steady_clock::time_point now) {
  // Failures an hour old are forgotten, so the maps stay small.
  if (now - m_lastSweep < std::chrono::minutes(1)) return;
  m_lastSweep = now;
  for (auto* entries : {&m_pairs, &m_accounts}) {
    for (auto it = entries->begin(); it != entries->end();) {
      it = now - it->second.last > std::chrono::hours(1) && it->second.lockedUntil <= now ? entries->erase(it) : std::next(it);
    }
  }
}

int SignInLockout::WaitSeconds(const std::string& account, const std::string& address) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(m_mutex);
  Sweep(now);
  int64_t ms = std::max(RemainingMs(m_pairs, PairKey(account, address), now), RemainingMs(m_accounts, account, now));
  return ms <= 0 ? 0 : static_cast<int>((ms + 999) / 1000);
}

void SignInLockout::Failed(const std::string& account, const std::string& address) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(m_mutex);
  NoteFailure(m_pairs, PairKey(account, address), m_policy.freeFailures, m_policy.maxPairLockMs, now);
  NoteFailure(m_accounts, account, m_policy.freeAccountFailures, m_policy.maxAccountLockMs, now);
}

void SignInLockout::Succeeded(const std::string& account, const std::string& address) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_pairs.erase(PairKey(account, address));
  m_accounts.erase(account);
}

}  // namespace crm::relay
