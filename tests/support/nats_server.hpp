// Real nats-server processes with JetStream for tests: on loopback, on free ports, with a
// temporary store directory, stopped (SIGTERM, then SIGKILL) when the object goes away.
// A cluster of N nodes routes between them on loopback ports too.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "host/firm/nats_link.hpp"

namespace pw::test {

inline uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, (sockaddr*)&a, sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, (sockaddr*)&a, &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

inline bool port_open(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  const bool ok = ::connect(fd, (sockaddr*)&a, sizeof a) == 0;
  ::close(fd);
  return ok;
}

inline bool nats_server_available() { return std::system("nats-server --version > /dev/null 2>&1") == 0; }

class NatsNode {
 public:
  NatsNode() = default;
  NatsNode(const NatsNode&) = delete;
  NatsNode& operator=(const NatsNode&) = delete;
  ~NatsNode() { stop(); }

  // `routes`: cluster ports of the other nodes (empty: a single server).
  bool start(const std::filesystem::path& store, const std::string& name, uint16_t port, uint16_t cluster_port,
             const std::vector<uint16_t>& routes) {
    port_ = port;
    std::filesystem::create_directories(store);
    std::vector<std::string> args = {"nats-server", "-js", "-a", "127.0.0.1", "-p", std::to_string(port),
                                     "-sd", store.string(), "-n", name};
    if (cluster_port) {
      args.insert(args.end(), {"--cluster_name", "perpwire-test", "--cluster",
                               "nats://127.0.0.1:" + std::to_string(cluster_port)});
      std::string r;
      for (uint16_t p : routes) r += (r.empty() ? "" : ",") + std::string("nats://127.0.0.1:") + std::to_string(p);
      if (!r.empty()) args.insert(args.end(), {"--routes", r});
    }
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      const std::string log = (store / "server.log").string();
      FILE* f = std::freopen(log.c_str(), "w", stderr);
      (void)f;
      ::execvp("nats-server", argv.data());
      ::_exit(127);
    }
    for (int i = 0; i < 200; ++i) {
      if (port_open(port)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }

  void kill_now() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill_now();
  }
  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// N nodes (1: a single server) on free loopback ports, each routed to the others, each with its
// store in `store_root`/nI; a node stopped can be started again on the same ports and store.
class NatsCluster {
 public:
  NatsCluster(std::filesystem::path store_root, int n) : root_(std::move(store_root)), nodes_(n), client_(n), cluster_(n) {
    for (int i = 0; i < n; ++i) {
      client_[i] = free_loopback_port();
      cluster_[i] = n > 1 ? free_loopback_port() : 0;
    }
  }
  bool start() {
    for (int i = 0; i < size(); ++i)
      if (!start(i)) return false;
    return true;
  }
  bool start(int i) {
    std::vector<uint16_t> routes;
    for (int j = 0; j < size(); ++j)
      if (j != i && size() > 1) routes.push_back(cluster_[j]);
    const std::string name = std::string("n").append(std::to_string(i));
    return nodes_[i].start(root_ / name, name, client_[i], cluster_[i], routes);
  }
  NatsNode& node(int i) { return nodes_[i]; }
  int size() const { return (int)nodes_.size(); }
  std::vector<std::string> urls() const {
    std::vector<std::string> u;
    for (const NatsNode& n : nodes_) u.push_back(n.url());
    return u;
  }

 private:
  std::filesystem::path root_;
  std::vector<NatsNode> nodes_;
  std::vector<uint16_t> client_, cluster_;
};

// Opens a link once the servers answer and a cluster has elected its JetStream leader (the
// bucket and stream created with their replicas): up to `tries` × 250 ms.
inline bool open_when_ready(pw::firm::NatsLink& link, const pw::firm::NatsLinkOptions& o, std::string& error,
                            int tries = 60) {
  for (int i = 0; i < tries; ++i) {
    if (link.open(o, error)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return false;
}

// A temporary folder removed at the end.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& stem) {
    std::string tmpl = (std::filesystem::temp_directory_path() / (stem + "-XXXXXX")).string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace pw::test
