#include "sync/relay/conn_guard.h"

#include <dirent.h>
#include <linux/tcp.h>  // tcp_info with tcpi_bytes_received (glibc's netinet/tcp.h lacks it)
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace crm::relay {

namespace {

constexpr auto kLookEvery = std::chrono::milliseconds(100);

std::string Key(const std::string& addr, int port) { return addr + " " + std::to_string(port); }

struct Socket {
  int fd = -1;
  unsigned long inode = 0;
  std::string key;
  uint64_t bytes = 0;         // received on the connection so far
  bool headComplete = false;  // a whole head waits unread: the client is done, a worker is not free yet
};

int PortOf(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  return -1;
}

// This process's accepted TCP connections on `ports`.
std::vector<Socket> Connections(const std::vector<int>& ports) {
  std::vector<Socket> found;
  DIR* fds = ::opendir("/proc/self/fd");
  if (!fds) return found;
  while (dirent* entry = ::readdir(fds)) {
    int fd = std::atoi(entry->d_name);
    if (fd <= 2 || fd == ::dirfd(fds)) continue;
    struct stat info{};
    if (::fstat(fd, &info) != 0 || !S_ISSOCK(info.st_mode)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t localSize = sizeof local, peerSize = sizeof peer;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localSize) != 0) continue;
    if (std::find(ports.begin(), ports.end(), PortOf(local)) == ports.end()) continue;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peerSize) != 0) continue;  // the listening socket
    // The peer as httplib names it (Request::remote_addr, remote_port).
    char host[NI_MAXHOST];
    if (::getnameinfo(reinterpret_cast<sockaddr*>(&peer), peerSize, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) continue;
    Socket socket;
    socket.fd = fd;
    socket.inode = static_cast<unsigned long>(info.st_ino);
    socket.key = Key(host, PortOf(peer));
    tcp_info tcp{};
    socklen_t tcpSize = sizeof tcp;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &tcp, &tcpSize) == 0 &&
        tcpSize >= offsetof(tcp_info, tcpi_bytes_received) + sizeof tcp.tcpi_bytes_received) {
      socket.bytes = tcp.tcpi_bytes_received;
    }
    char buffer[4096];
    ssize_t peeked = ::recv(fd, buffer, sizeof buffer, MSG_PEEK | MSG_DONTWAIT);
    socket.headComplete = peeked > 0 && ::memmem(buffer, static_cast<size_t>(peeked), "\r\n\r\n", 4) != nullptr;
    found.push_back(std::move(socket));
  }
  ::closedir(fds);
  return found;
}

}  // namespace

void ShutDownAcceptedConnections(int port) {
  for (const Socket& socket : Connections({port})) ::shutdown(socket.fd, SHUT_RDWR);
}

ConnectionGuard::ConnectionGuard(GuardLimits limits, std::function<void(const char*)> onCut)
    : m_limits(limits), m_onCut(std::move(onCut)) {}

ConnectionGuard::~ConnectionGuard() { Stop(); }

void ConnectionGuard::Watch(int port) { m_ports.push_back(port); }

void ConnectionGuard::Start() {
  if (m_thread.joinable()) return;
  m_stop = false;
  m_thread = std::thread([this] { Loop(); });
}

void ConnectionGuard::Stop() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stop = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

ConnectionGuard::Conn& ConnectionGuard::At(const std::string& addr, int port) {
  Conn& conn = m_conns[Key(addr, port)];
  conn.scan = m_scan;  // kept until a look that does not see the connection
  return conn;
}

void ConnectionGuard::HeadRead(const std::string& addr, int port, uint64_t bodyBytes) {
  std::lock_guard<std::mutex> lock(m_mutex);
  Conn& conn = At(addr, port);
  conn.phase = bodyBytes > 0 ? Phase::Body : Phase::Handling;
  conn.since = std::chrono::steady_clock::now();
}

void ConnectionGuard::Handling(const std::string& addr, int port) {
  std::lock_guard<std::mutex> lock(m_mutex);
  At(addr, port).phase = Phase::Handling;
}

void ConnectionGuard::Answered(const std::string& addr, int port) {
  std::lock_guard<std::mutex> lock(m_mutex);
  Conn& conn = At(addr, port);
  conn.phase = Phase::Idle;
  conn.needBase = true;
}

void ConnectionGuard::Loop() {
  std::unique_lock<std::mutex> lock(m_mutex);
  while (!m_stop) {
    lock.unlock();
    Look();
    lock.lock();
    m_cv.wait_for(lock, kLookEvery, [this] { return m_stop; });
  }
}

void ConnectionGuard::Look() {
  std::vector<Socket> sockets = Connections(m_ports);
  std::vector<std::pair<Socket, const char*>> cuts;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    const uint64_t scan = ++m_scan;
    const auto now = std::chrono::steady_clock::now();
    for (const Socket& socket : sockets) {
      auto [at, fresh] = m_conns.try_emplace(socket.key);
      Conn& conn = at->second;
      if (!fresh && conn.inode != 0 && conn.inode != socket.inode) conn = Conn{};  // the peer's port, reused
      conn.inode = socket.inode;
      conn.scan = scan;
      if (conn.needBase) {
        conn.baseBytes = socket.bytes;
        conn.needBase = false;
      }
      const char* reason = nullptr;
      switch (conn.phase) {
        case Phase::Idle:
          if (socket.bytes > conn.baseBytes) {  // a request began
            conn.phase = Phase::Head;
            conn.since = now;
          }
          break;
        case Phase::Head:
          if (socket.bytes - conn.baseBytes > m_limits.maxHeadBytes && !socket.headComplete) {
            reason = "head_too_large";
          } else if (now - conn.since > m_limits.header && !socket.headComplete) {
            reason = "header_timeout";
          }
          break;
        case Phase::Body:
          if (now - conn.since > m_limits.body) reason = "body_timeout";
          break;
        case Phase::Handling: break;
      }
      if (reason) {
        conn.phase = Phase::Handling;  // cut once; the worker closes it on the next read
        cuts.emplace_back(socket, reason);
      }
    }
    for (auto it = m_conns.begin(); it != m_conns.end();) {
      it = it->second.scan + 1 < scan ? m_conns.erase(it) : std::next(it);
    }
  }
  for (const auto& [socket, reason] : cuts) {
    struct stat info{};
    // The fd may have been closed and reused since the look: only the same socket is shut down.
    if (::fstat(socket.fd, &info) != 0 || static_cast<unsigned long>(info.st_ino) != socket.inode) continue;
    // shutdown() alone does not stop Linux from reading what the client goes on sending. So: wake a
    // worker waiting on it, then put a dead socket in its place (dup2 is atomic, so the number is
    // never another connection's); the worker's next read fails and it closes the number. The
    // connection itself ends with a reset (no lingering) once nothing uses it.
    linger abort{1, 0};
    ::setsockopt(socket.fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    ::shutdown(socket.fd, SHUT_RDWR);
    int dead = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (dead >= 0) {
      ::dup2(dead, socket.fd);
      ::close(dead);
    }
    if (m_onCut) m_onCut(reason);
  }
}

}  // namespace crm::relay
