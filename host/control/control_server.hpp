// The control plane: a small HTTP server (cpp-httplib) on loopback, in its own thread, for people
// and scripts watching a running perpwire:
//
//   GET  /metrics                   Prometheus text exposition
//   GET  /status                    JSON: books, mark, funding, positions, kill switches
//   POST /kill    [?account=A | ?instrument=S]   engage a kill switch (no scope: global)
//   POST /unkill  [?account=A | ?instrument=S]   release it
//   POST /reload                    re-read the config file (400 with the errors when it is wrong)
//   GET  /                          the list of endpoints
//
// The POST endpoints change state: each needs `Authorization: Bearer <token>` (the token of
// ControlServerOptions, compared in constant time); a refused request gets 401, is counted by
// reason and logged with its peer. GET endpoints stay open. A non-loopback bind needs allow_remote
// and TLS (cpp-httplib's SSLServer over OpenSSL).
//
// The server only calls the handlers it is given; each runs on a server thread, so it must be safe
// to call while the pipeline runs (read published snapshots, set atomic flags). Requests carrying
// an Origin header are refused: a web page in a local browser must not be able to press the kill
// switch. Reference: docs/control_plane.md.
#pragma once
#include <cstdint>
#include <functional>
#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
}

namespace pw {

// What a kill or unkill asks for. Both scopes empty: the global switch.
struct KillRequest {
  bool engage = true;      // true: /kill, false: /unkill
  std::string account;     // account name as in the config
  std::string instrument;  // instrument symbol as in the config
};

// A handler's answer. Not ok → HTTP 400 (or `status` when set) with the message / errors.
struct ControlReply {
  bool ok = true;
  std::string message;
  std::vector<std::string> errors;
  int status = 0;  // 0: 200 when ok, 400 otherwise; 404 for an unknown account or instrument
};

struct ControlHandlers {
  std::function<std::string()> metrics;                  // GET /metrics
  std::function<std::string()> status;                   // GET /status (a JSON document)
  std::function<ControlReply(const KillRequest&)> kill;  // POST /kill and /unkill
  std::function<ControlReply()> reload;                  // POST /reload
};

// Why a request was refused before it reached a handler (perpwire_control_refused_total{reason}).
enum class ControlRefusal : uint8_t {
  no_token,     // a POST without an Authorization header
  bad_scheme,   // an Authorization header that is not "Bearer <token>"
  wrong_token,  // a bearer token that is not the one in force
  web_page,     // an Origin header: a request sent by a web page in a browser
  count_
};
constexpr int kControlRefusalCount = (int)ControlRefusal::count_;
const char* control_refusal_name(ControlRefusal r);

class Counter;

struct ControlServerOptions {
  std::string bind = "127.0.0.1";
  uint16_t port = 8686;       // 0: any free port (see port())
  bool allow_remote = false;  // a non-loopback bind address is refused unless this is set
  int threads = 2;            // request threads: the control plane must not compete with the hot path
  // The bearer token the POST endpoints need (control_token.hpp). Empty: start() refuses (fail
  // closed: there is no unauthenticated mode).
  std::string token;
  // PEM files; both set: HTTPS. Required for a non-loopback bind.
  std::string tls_cert, tls_key;
  // Also counted here when set (the server counts every refusal itself too, see refused()).
  std::array<Counter*, kControlRefusalCount> refused_metrics{};
  // Where a refusal's line goes (one line, no newline); empty: standard error.
  std::function<void(const std::string&)> log;
};

class ControlServer {
 public:
  explicit ControlServer(ControlHandlers handlers);
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;
  ~ControlServer();

  // Binds (synchronously: a port in use fails here, with the reason) and starts serving in a
  // thread of its own. False with a one-line `error`.
  bool start(const ControlServerOptions& options, std::string& error);
  // Stops accepting, finishes the requests in flight and joins the thread. Idempotent.
  void stop();

  bool running() const { return running_; }
  uint16_t port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:8686", or https:// with TLS
  bool tls() const { return tls_; }
  // Requests refused for `reason` since construction.
  uint64_t refused(ControlRefusal reason) const { return refused_[(size_t)reason].load(std::memory_order_relaxed); }

 private:
  void install_routes();
  // True when `req` carries the bearer token; otherwise answers 401, counts and logs it.
  bool authorized(const httplib::Request& req, httplib::Response& res);
  void refuse(ControlRefusal reason, const httplib::Request& req, httplib::Response& res, int status, const std::string& message);

  ControlHandlers handlers_;
  // POST endpoints by path (also reached before cpp-httplib reads a body, see install_routes).
  std::map<std::string, std::function<void(const httplib::Request&, httplib::Response&)>> post_routes_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string bind_;
  uint16_t port_ = 0;
  bool running_ = false;
  bool tls_ = false;
  std::string token_;
  std::array<Counter*, kControlRefusalCount> refused_metrics_{};
  std::function<void(const std::string&)> log_;
  std::array<std::atomic<uint64_t>, kControlRefusalCount> refused_{};
};

}  // namespace pw
