#pragma once
// Benchmark results as JSON lines: one object per result, with its target and,
// where one was measured in the same run, a peer's figure. Benchmarks measure;
// they never assert a time.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace crm::bench {

struct BenchResult {
  std::string name;  // area-prefixed: core., persist., sync., relay., ui.
  double value = 0;
  std::string unit;
  std::optional<double> target;
  std::string better = "lower";
  std::optional<double> peer;
  std::string peerName;
};

inline std::string ToJson(const BenchResult& r) {
  auto number = [](std::optional<double> v) {
    if (!v) return std::string("null");
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.6g", *v);
    return std::string(buffer);
  };
  std::string json = "{\"bench\":\"" + r.name + "\",\"value\":" + number(r.value) + ",\"unit\":\"" + r.unit +
                     "\",\"target\":" + number(r.target) + ",\"better\":\"" + r.better + "\",\"peer\":" + number(r.peer);
  if (!r.peerName.empty()) json += ",\"peer_name\":\"" + r.peerName + "\"";
  return json + "}";
}

class Stopwatch {
 public:
  Stopwatch() : m_start(std::chrono::steady_clock::now()) {}
  double Ms() const { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - m_start).count(); }

 private:
  std::chrono::steady_clock::time_point m_start;
};

inline double Percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  size_t index = static_cast<size_t>(p * static_cast<double>(samples.size() - 1) + 0.5);
  return samples[std::min(index, samples.size() - 1)];
}

}  // namespace crm::bench
