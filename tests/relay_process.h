#pragma once
// The real crm-relay binary as a child process (for kill -9 and two-process tests, and the
// benchmark), and a throwaway PostgreSQL (tests/relay/pg.sh) with one database per test.
#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace crm::testing_support {

class RelayProcess {
 public:
  // Starts `binary` with `args` (plus --listen 127.0.0.1:PORT; 0 picks one), logging to `logPath`.
  RelayProcess(std::string binary, std::vector<std::string> args, std::string logPath)
      : m_binary(std::move(binary)), m_args(std::move(args)), m_logPath(std::move(logPath)) {}
  ~RelayProcess() { Kill(); }

  // Starts and waits until the relay logs that it listens; false when it exits or times out.
  bool Start(int port = 0) {
    std::ifstream existing(m_logPath);
    std::stringstream before;
    before << existing.rdbuf();
    size_t offset = before.str().size();
    m_pid = ::fork();
    if (m_pid == 0) {
      int fd = ::open(m_logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 2);
      ::dup2(fd, 1);
      std::vector<std::string> all = m_args;
      all.push_back("--listen");
      all.push_back("127.0.0.1:" + std::to_string(port));
      std::vector<char*> argv{const_cast<char*>(m_binary.c_str())};
      for (auto& arg : all) argv.push_back(const_cast<char*>(arg.c_str()));
      argv.push_back(nullptr);
      ::execv(m_binary.c_str(), argv.data());
      ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream log(m_logPath);
      std::stringstream text;
      text << log.rdbuf();
      std::string fresh = text.str().substr(std::min(offset, text.str().size()));
      size_t listening = fresh.find("\"msg\":\"listening\"");
      if (listening != std::string::npos) {
        size_t at = fresh.find("\"port\":", listening);
        m_port = std::atoi(fresh.c_str() + at + 7);
        return true;
      }
      int status = 0;
      if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
        m_pid = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  void Kill() { Signal(SIGKILL); }
  // SIGTERM, and the exit status (-1 when it did not exit within the timeout).
  int Terminate() { return Signal(SIGTERM); }
  int Port() const { return m_port; }
  pid_t Pid() const { return m_pid; }
  bool Running() const { return m_pid > 0; }
  std::string Log() const {
    std::ifstream log(m_logPath);
    std::stringstream text;
    text << log.rdbuf();
    return text.str();
  }
  // Resident memory of the running relay, in MiB (VmRSS), and its peak (VmHWM).
  double RssMb(const char* field = "VmRSS:") const {
    std::ifstream status("/proc/" + std::to_string(m_pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind(field, 0) == 0) return std::atof(line.c_str() + std::strlen(field)) / 1024.0;
    }
    return 0;
  }

 private:
  int Signal(int signal) {
    if (m_pid <= 0) return 0;
    ::kill(m_pid, signal);
    int status = 0;
    int result = -1;
    for (int i = 0; i < 300; i++) {
      if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
        result = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (result < 0) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, &status, 0);
    }
    m_pid = -1;
    return result;
  }

  std::string m_binary;
  std::vector<std::string> m_args;
  std::string m_logPath;
  pid_t m_pid = -1;
  int m_port = 0;
};

// A PostgreSQL server for this test process: the one ctest's fixture started (CRM_PG_DIR), or
// one of its own started with tests/relay/pg.sh when the binary runs by hand.
class PgServer {
 public:
  static PgServer& Get() {
    static PgServer server;
    return server;
  }
  bool Ok() const { return !m_conninfo.empty(); }
  const std::string& Error() const { return m_error; }
  // A new, empty database; its conninfo.
  std::string NewDatabase() {
    static int counter = 0;
    std::string name = "crm_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    if (!Exec("DROP DATABASE IF EXISTS " + name) || !Exec("CREATE DATABASE " + name)) return "";
    std::string conninfo = m_conninfo;
    conninfo.replace(conninfo.find("dbname=postgres"), 15, "dbname=" + name);
    return conninfo;
  }
  bool Exec(const std::string& sql) {
    PGconn* conn = PQconnectdb(m_conninfo.c_str());
    bool ok = PQstatus(conn) == CONNECTION_OK;
    if (ok) {
      PGresult* result = PQexec(conn, sql.c_str());
      ok = PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK;
      if (!ok) m_error = PQerrorMessage(conn);
      PQclear(result);
    } else {
      m_error = PQerrorMessage(conn);
    }
    PQfinish(conn);
    return ok;
  }
  ~PgServer() {
    if (!m_ownName.empty()) std::system(("bash " CRM_PG_SCRIPT " stop " + m_ownName + " >/dev/null 2>&1").c_str());
  }

 private:
  PgServer() {
    std::string dir;
    if (const char* shared = std::getenv("CRM_PG_DIR")) {
      dir = shared;
    } else {
      m_ownName = "own-" + std::to_string(::getpid());
      if (std::system(("bash " CRM_PG_SCRIPT " start " + m_ownName + " >/dev/null").c_str()) != 0) {
        m_error = "tests/relay/pg.sh could not start PostgreSQL";
        return;
      }
      dir = "/tmp/crm-pg-" + m_ownName;
    }
    std::ifstream file(dir + "/conninfo");
    std::getline(file, m_conninfo);
    if (m_conninfo.empty()) m_error = "no PostgreSQL conninfo in " + dir + " (did the relay.pg_start fixture run?)";
  }
  std::string m_conninfo;
  std::string m_ownName;
  std::string m_error;
};

// The store of a test parameterised by store ("sqlite" or "postgres"): a SQLite file, or a new database on the
// test PostgreSQL; empty, with the reason in `error`, when PostgreSQL is not there.
inline std::string StoreForParam(const std::string& param, const std::string& sqliteFile, std::string& error) {
  if (param != "postgres") return "sqlite:" + sqliteFile;
  PgServer& server = PgServer::Get();
  std::string conninfo = server.Ok() ? server.NewDatabase() : "";
  if (conninfo.empty()) error = server.Error();
  return conninfo.empty() ? "" : "postgres:" + conninfo;
}

}  // namespace crm::testing_support
