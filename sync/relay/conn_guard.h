#pragma once
// Deadlines for reading a request, which cpp-httplib 0.11 (Debian 12's, a compiled library whose
// limits cannot be changed with macros) does not have: it times out each read, not a request, so a
// client sending a header byte every few seconds holds a worker thread for ever, and it reads any
// number of header lines. A watchdog thread looks at this process's connections on the server's
// ports a few times a second and shuts down the ones that take too long (or send too much) before
// their request is read. The HTTP handlers tell it when a request's head is read, when its handler
// runs and when its answer is written, by the peer's address and port.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace crm::relay {

struct GuardLimits {
  std::chrono::milliseconds header{5000};  // from a request's first byte until its head is read
  std::chrono::milliseconds body{60000};   // from its head until its body is read
  uint64_t maxHeadBytes = 64 * 1024;       // bytes received before the head is read
};

class ConnectionGuard {
 public:
  // `onCut(reason)` is called for each connection shut down (for /metrics).
  ConnectionGuard(GuardLimits limits, std::function<void(const char*)> onCut);
  ~ConnectionGuard();
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

  void Watch(int port);  // before Start
  void Start();
  void Stop();

  // The head of the peer's request is read; a body of `bodyBytes` follows (0: none).
  void HeadRead(const std::string& addr, int port, uint64_t bodyBytes);
  // The peer's request is being handled (a held pull may take long): no deadline.
  void Handling(const std::string& addr, int port);
  // The answer is written: the connection is idle until its next request.
  void Answered(const std::string& addr, int port);

 private:
  enum class Phase { Idle, Head, Body, Handling };
  struct Conn {
    Phase phase = Phase::Idle;
    std::chrono::steady_clock::time_point since;
    uint64_t baseBytes = 0;  // bytes received when the connection last became idle
    bool needBase = false;   // set the base at the next look (the answer was just written)
    unsigned long inode = 0;
    uint64_t scan = 0;  // the last look that saw it
  };
  void Loop();
  void Look();
  Conn& At(const std::string& addr, int port);  // m_mutex held

  GuardLimits m_limits;
  std::function<void(const char*)> m_onCut;
  std::vector<int> m_ports;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_stop = false;
  uint64_t m_scan = 0;
  std::map<std::string, Conn> m_conns;  // by "addr port" of the peer
  std::thread m_thread;
};

// Shuts down every accepted connection of this process on `port`: httplib keeps an idle keep-alive
// connection in its worker for up to the keep-alive timeout and has no way to end it early.
void ShutDownAcceptedConnections(int port);

}  // namespace crm::relay
