#include "core/ids.h"

#include <unistd.h>

#include <chrono>
#include <random>

namespace crm {

// getentropy: one system call natively, crypto.getRandomValues in the browser
// (std::random_device opened /dev/urandom on every call, which cost more than the insert).
int64_t NewId() {
  for (;;) {
    uint64_t value = 0;
    if (getentropy(&value, sizeof value) != 0) {
      std::random_device fallback;  // slower, but never a predictable id
      value = (static_cast<uint64_t>(fallback()) << 32) ^ fallback();
    }
    auto id = static_cast<int64_t>(value & 0x7FFFFFFFFFFFFFFFull);
    if (id != 0) return id;
  }
}

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace crm
