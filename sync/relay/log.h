#pragma once
// Structured logs: one JSON object per line on stderr, so operators can grep
// them by eye and ship them to any log store as they are.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace crm::relay {

struct LogField {
  std::string_view key;
  std::string value;
  bool quoted;
  LogField(std::string_view k, std::string_view v) : key(k), value(v), quoted(true) {}
  LogField(std::string_view k, const char* v) : key(k), value(v), quoted(true) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v), quoted(true) {}
  LogField(std::string_view k, long long v) : key(k), value(std::to_string(v)), quoted(false) {}
  LogField(std::string_view k, int v) : key(k), value(std::to_string(v)), quoted(false) {}
  LogField(std::string_view k, double v);
};

void Log(std::string_view level, std::string_view message, std::initializer_list<LogField> fields = {});

}  // namespace crm::relay
