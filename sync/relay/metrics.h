#pragma once
// Counters, gauges and latency histograms, exposed at /metrics in the
// Prometheus text format (crm_relay_… names). Thread-safe; cheap enough to
// bump on every request.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace crm::relay {

class Metrics {
 public:
  // `labels` is the inside of the braces, e.g. endpoint="/v1/push",status="200" (empty: none).
  void Add(const std::string& name, const std::string& labels, double delta = 1);
  void Set(const std::string& name, const std::string& labels, double value);
  // Seconds, into a histogram with fixed buckets from 0.5 ms to 10 s.
  void Observe(const std::string& name, const std::string& labels, double seconds);
  double Value(const std::string& name, const std::string& labels) const;
  // Gauges computed when scraped (e.g. the number of organisations).
  void SetCollector(std::function<void(Metrics&)> collector);

  std::string Render();

  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,     10};

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex m_mutex;
  std::map<std::string, std::map<std::string, double>> m_counters;  // name → labels → value
  std::map<std::string, std::map<std::string, double>> m_gauges;
  std::map<std::string, std::map<std::string, Histogram>> m_histograms;
  std::function<void(Metrics&)> m_collector;
};

// Times a scope into a histogram.
class ScopedTimer {
 public:
  ScopedTimer(Metrics& metrics, std::string name, std::string labels);
  ~ScopedTimer();
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;

 private:
  Metrics& m_metrics;
  std::string m_name;
  std::string m_labels;
  int64_t m_startNs;
};

}  // namespace crm::relay
