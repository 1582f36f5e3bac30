#include "sync/relay/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "core/text.h"

namespace crm::relay {

LogField::LogField(std::string_view k, double v) : key(k), quoted(false) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", v);
  value = buffer;
}

void Log(std::string_view level, std::string_view message, std::initializer_list<LogField> fields) {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t seconds = system_clock::to_time_t(now);
  int millis = static_cast<int>(duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[96];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
  std::string line = std::string("{\"ts\":\"") + stamp + "\",\"level\":\"" + std::string(level) + "\",\"msg\":\"" +
                     JsonEscape(message) + "\"";
  for (const LogField& field : fields) {
    line += ",\"" + std::string(field.key) + "\":";
    line += field.quoted ? "\"" + JsonEscape(field.value) + "\"" : field.value;
  }
  line += "}\n";
  static std::mutex mutex;  // one line at a time from the server's worker threads
  std::lock_guard<std::mutex> lock(mutex);
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace crm::relay
