#include "sync/relay/metrics.h"

#include <chrono>
#include <cstdio>

namespace crm::relay {

namespace {

std::string Number(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

std::string Bound(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

std::string Series(const std::string& name, const std::string& labels) {
  return labels.empty() ? name : name + "{" + labels + "}";
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

void Metrics::Add(const std::string& name, const std::string& labels, double delta) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_counters[name][labels] += delta;
}

void Metrics::Set(const std::string& name, const std::string& labels, double value) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_gauges[name][labels] = value;
}

void Metrics::Observe(const std::string& name, const std::string& labels, double seconds) {
  std::lock_guard<std::mutex> lock(m_mutex);
  Histogram& histogram = m_histograms[name][labels];
  for (size_t i = 0; i < kBuckets.size(); i++) {
    if (seconds <= kBuckets[i]) histogram.counts[i]++;
  }
  histogram.count++;
  histogram.sum += seconds;
}

double Metrics::Value(const std::string& name, const std::string& labels) const {
  std::lock_guard<std::mutex> lock(m_mutex);
  for (const auto* family : {&m_counters, &m_gauges}) {
    auto found = family->find(name);
    if (found == family->end()) continue;
    auto series = found->second.find(labels);
    if (series != found->second.end()) return series->second;
  }
  auto histogram = m_histograms.find(name);
  if (histogram != m_histograms.end()) {
    auto series = histogram->second.find(labels);
    if (series != histogram->second.end()) return static_cast<double>(series->second.count);
  }
  return 0;
}

void Metrics::SetCollector(std::function<void(Metrics&)> collector) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_collector = std::move(collector);
}

std::string Metrics::Render() {
  std::function<void(Metrics&)> collector;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    collector = m_collector;
  }
  if (collector) collector(*this);  // outside the lock: it calls Set
  std::lock_guard<std::mutex> lock(m_mutex);
  std::string text;
  for (const auto& [name, series] : m_counters) {
    text += "# TYPE " + name + " counter\n";
    for (const auto& [labels, value] : series) text += Series(name, labels) + " " + Number(value) + "\n";
  }
  for (const auto& [name, series] : m_gauges) {
    text += "# TYPE " + name + " gauge\n";
    for (const auto& [labels, value] : series) text += Series(name, labels) + " " + Number(value) + "\n";
  }
  for (const auto& [name, series] : m_histograms) {
    text += "# TYPE " + name + " histogram\n";
    for (const auto& [labels, histogram] : series) {
      std::string prefix = labels.empty() ? "" : labels + ",";
      for (size_t i = 0; i < kBuckets.size(); i++) {
        text += name + "_bucket{" + prefix + "le=\"" + Bound(kBuckets[i]) + "\"} " + std::to_string(histogram.counts[i]) + "\n";
      }
      text += name + "_bucket{" + prefix + "le=\"+Inf\"} " + std::to_string(histogram.count) + "\n";
      text += Series(name + "_sum", labels) + " " + Number(histogram.sum) + "\n";
      text += Series(name + "_count", labels) + " " + std::to_string(histogram.count) + "\n";
    }
  }
  return text;
}

ScopedTimer::ScopedTimer(Metrics& metrics, std::string name, std::string labels)
    : m_metrics(metrics), m_name(std::move(name)), m_labels(std::move(labels)), m_startNs(NowNs()) {}

ScopedTimer::~ScopedTimer() { m_metrics.Observe(m_name, m_labels, static_cast<double>(NowNs() - m_startNs) / 1e9); }

}  // namespace crm::relay
