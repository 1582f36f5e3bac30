#include "core/ids.h"

#include <chrono>
#include <random>

namespace crm {

int64_t NewId() {
  std::random_device entropy;
  for (;;) {
    uint64_t value = (static_cast<uint64_t>(entropy()) << 32) ^ static_cast<uint64_t>(entropy());
    auto id = static_cast<int64_t>(value & 0x7FFFFFFFFFFFFFFFull);
    if (id != 0) return id;
  }
}

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace crm
