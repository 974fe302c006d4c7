// libFuzzer target: arbitrary bytes as what a client sends to the control plane. A ControlServer
// (the real one: routes, the Origin and bearer-token checks, the POST dispatch before a body is
// read) listens on a loopback port; each input is written to a fresh connection, the write side is
// closed, and the whole answer is read. Besides memory and UB errors (ASan, UBSan), the target
// checks that
//  - the server answers every input and closes the connection (no stall: the read is bounded),
//  - everything it sends is a sequence of HTTP/1.1 responses with a 3-digit status,
//  - a state-changing handler (kill, reload) runs only when the input carries the bearer token,
//  - a kill request reaching the handler has at most one scope and no empty name,
//  - the server is still running afterwards.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "host/control/control_server.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace pw;

namespace {

const std::string kToken = "fuzz-token-0123456789abcdef";
std::unique_ptr<ControlServer> g_server;
std::atomic<uint64_t> g_mutations{0};

bool answers_are_http(std::string_view r) {
  // Each response starts "HTTP/1.1 NNN "; bodies are JSON or text that cpp-httplib frames with a
  // Content-Length, so checking the first status line and every later one found is enough.
  if (r.empty()) return true;  // closed without an answer (a request line cpp-httplib could not read)
  if (r.size() < 13 || r.substr(0, 9) != "HTTP/1.1 ") return false;
  for (int i = 9; i < 12; ++i)
    if (r[(size_t)i] < '0' || r[(size_t)i] > '9') return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ControlHandlers h;
  h.status = [] { return std::string("{}"); };
  h.metrics = [] { return std::string("# nothing\n"); };
  h.kill = [](const KillRequest& k) {
    g_mutations.fetch_add(1);
    FUZZ_CHECK(k.account.empty() || k.instrument.empty());
    return ControlReply{true, "ok", {}, 0};
  };
  h.reload = [] {
    g_mutations.fetch_add(1);
    return ControlReply{false, "not here", {}, 0};
  };
  g_server = std::make_unique<ControlServer>(h);
  ControlServerOptions o;
  o.port = 0;
  o.token = kToken;
  o.log = [](const std::string&) {};  // refusals are counted; their lines would flood the run
  std::string error;
  if (!g_server->start(o, error)) {
    std::fprintf(stderr, "fuzz_control_request: %s\n", error.c_str());
    std::abort();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The server closes first, so each connection leaves a TIME_WAIT behind on the server's side; at
  // thousands of inputs a second they would use up the (address, port) pairs towards one client
  // address. Each input comes from the next of 127.0.0.0/16's addresses instead.
  static uint32_t next_source = 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(g_server->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    FUZZ_CHECK(fd >= 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_addr.s_addr = htonl(0x7f000002u + (next_source++ % 65000u));
    if (::bind(fd, (sockaddr*)&from, sizeof from) != 0 || ::connect(fd, (sockaddr*)&addr, sizeof addr) != 0) {
      // A full accept queue (the server has two request threads) is not a fault: try again shortly.
      ::close(fd);
      fd = -1;
      ::usleep(1000);
    }
  }
  FUZZ_CHECK(fd >= 0);
  timeval tv{8, 0};  // the server's own read timeout is 5 s: an answer must come before this
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  const uint64_t before = g_mutations.load();
  size_t sent = 0;
  while (sent < size) {
    const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the server may close early (an oversized or malformed request)
    sent += (size_t)n;
  }
  ::shutdown(fd, SHUT_WR);
  std::string response;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;  // libFuzzer's timer signal
    if (n < 0) {
      if (errno != ECONNRESET) std::fprintf(stderr, "recv: %s\n", std::strerror(errno));
      FUZZ_CHECK(errno == ECONNRESET);  // EAGAIN here would be a stall
      break;
    }
    response.append(buf, (size_t)n);
  }
  ::close(fd);
  FUZZ_CHECK(answers_are_http(response));
  if (g_mutations.load() != before) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    FUZZ_CHECK(in.find(kToken) != std::string_view::npos);
  }
  FUZZ_CHECK(g_server->running());
  return 0;
}
