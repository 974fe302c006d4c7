#include "host/control/control_server.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <httplib.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "host/control/control_token.hpp"
#include "host/metrics/metrics.hpp"

namespace pw {

namespace {

using nlohmann::json;

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  // Paths and parameters are the client's bytes: invalid UTF-8 is replaced (U+FFFD), never thrown
  // (an exception here, in cpp-httplib's error handler, would end the program).
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) { send_json(res, status, json{{"ok", false}, {"error", message}}); }

void send_reply(httplib::Response& res, const ControlReply& r, json body) {
  body["ok"] = r.ok;
  if (!r.message.empty()) body[r.ok ? "message" : "error"] = r.message;
  if (!r.errors.empty()) body["errors"] = r.errors;
  send_json(res, r.status ? r.status : (r.ok ? 200 : 400), body);
}

bool is_loopback(const std::string& addr) {
  in_addr a{};
  return inet_pton(AF_INET, addr.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

const json kEndpoints = json::array({
    json{{"method", "GET"}, {"path", "/metrics"}, {"what", "Prometheus text exposition"}},
    json{{"method", "GET"}, {"path", "/status"}, {"what", "books, mark, funding, positions, kill switches (JSON)"}},
    json{{"method", "POST"}, {"path", "/kill"}, {"what", "engage the kill switch: global, ?account=NAME or ?instrument=SYMBOL"}},
    json{{"method", "POST"}, {"path", "/unkill"}, {"what", "release the kill switch (same scopes)"}},
    json{{"method", "POST"}, {"path", "/reload"}, {"what", "re-read the config file; 400 with the errors when it is not valid"}},
});

}  // namespace

const char* control_refusal_name(ControlRefusal r) {
  switch (r) {
    case ControlRefusal::no_token: return "no_token";
    case ControlRefusal::bad_scheme: return "bad_scheme";
    case ControlRefusal::wrong_token: return "wrong_token";
    case ControlRefusal::web_page: return "web_page";
    case ControlRefusal::count_: break;
  }
  return "unknown";
}

void ControlServer::refuse(ControlRefusal reason, const httplib::Request& req, httplib::Response& res, int status, const std::string& message) {
  refused_[(size_t)reason].fetch_add(1, std::memory_order_relaxed);
  if (Counter* c = refused_metrics_[(size_t)reason]) c->inc();
  const std::string line = "control plane: refused " + req.method + " " + req.path + " from " + req.remote_addr + ":" +
                           std::to_string(req.remote_port) + " (" + control_refusal_name(reason) + ")";
  if (log_) log_(line);
  else std::fprintf(stderr, "perpwire: %s\n", line.c_str());
  if (status == 401) res.set_header("WWW-Authenticate", "Bearer realm=\"perpwire\"");
  send_error(res, status, message);
}

bool ControlServer::authorized(const httplib::Request& req, httplib::Response& res) {
  if (!req.has_header("Authorization")) {
    refuse(ControlRefusal::no_token, req, res, 401, req.path + " changes state: send Authorization: Bearer <token> (perpwire kill --token-file)");
    return false;
  }
  const std::string value = req.get_header_value("Authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (value.size() <= kScheme.size() || value.compare(0, kScheme.size(), kScheme) != 0) {
    refuse(ControlRefusal::bad_scheme, req, res, 401, "the Authorization header must be \"Bearer <token>\"");
    return false;
  }
  if (!control_token_matches(token_, std::string_view(value).substr(kScheme.size()))) {
    refuse(ControlRefusal::wrong_token, req, res, 401, "wrong token");
    return false;
  }
  return true;
}

ControlServer::ControlServer(ControlHandlers handlers) : handlers_(std::move(handlers)) {}

ControlServer::~ControlServer() { stop(); }

std::string ControlServer::url() const { return (tls_ ? "https://" : "http://") + bind_ + ":" + std::to_string(port_); }

void ControlServer::install_routes() {
  httplib::Server& s = *server_;

  // A browser adds Origin to cross-site requests; curl and Prometheus never do.
  // `curl -X POST URL` sends no Content-Length, which cpp-httplib answers with a bare 400: no endpoint
  // here takes a body, so such POSTs are dispatched before the body would be read.
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.has_header("Origin")) {
      refuse(ControlRefusal::web_page, req, res, 403, "requests from web pages are refused (Origin header present)");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.method == "POST" && !req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) {
      auto it = post_routes_.find(req.path);
      if (it == post_routes_.end()) send_error(res, 404, "no endpoint POST " + req.path + " (GET / lists them)");
      else it->second(req, res);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "internal error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what += std::string(": ") + e.what();
    } catch (...) {
    }
    send_error(res, 500, what);
  });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404 && res.body.empty()) send_error(res, 404, "no endpoint " + req.path + " (GET / lists them)");
  });

  s.Get("/", [](const httplib::Request&, httplib::Response& res) { send_json(res, 200, json{{"endpoints", kEndpoints}}); });

  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    if (!handlers_.metrics) return send_error(res, 501, "metrics are not available");
    res.set_content(handlers_.metrics(), "text/plain; version=0.0.4; charset=utf-8");
  });

  s.Get("/status", [this](const httplib::Request&, httplib::Response& res) {
    if (!handlers_.status) return send_error(res, 501, "status is not available");
    res.set_content(handlers_.status(), "application/json");
  });

  auto kill_route = [this](bool engage) {
    return [this, engage](const httplib::Request& req, httplib::Response& res) {
      if (!handlers_.kill) return send_error(res, 501, "the kill switch is not available");
      for (const auto& [k, v] : req.params)
        if (k != "account" && k != "instrument") return send_error(res, 400, "unknown parameter '" + k + "' (use account or instrument)");
      KillRequest k;
      k.engage = engage;
      k.account = req.get_param_value("account");
      k.instrument = req.get_param_value("instrument");
      if ((req.has_param("account") && k.account.empty()) || (req.has_param("instrument") && k.instrument.empty()))
        return send_error(res, 400, "empty scope: give ?account=NAME or ?instrument=SYMBOL, or nothing for the global switch");
      if (!k.account.empty() && !k.instrument.empty())
        return send_error(res, 400, "give account or instrument, not both (each has its own switch)");
      json body{{"kill", engage}};
      if (!k.account.empty()) body["scope"] = "account", body["account"] = k.account;
      else if (!k.instrument.empty()) body["scope"] = "instrument", body["instrument"] = k.instrument;
      else body["scope"] = "global";
      send_reply(res, handlers_.kill(k), body);
    };
  };
  post_routes_["/kill"] = kill_route(true);
  post_routes_["/unkill"] = kill_route(false);
  post_routes_["/reload"] = [this](const httplib::Request&, httplib::Response& res) {
    if (!handlers_.reload) return send_error(res, 501, "reload is not available");
    send_reply(res, handlers_.reload(), json::object());
  };
  // Every POST endpoint checks the token first, however it was reached.
  for (auto& [path, handler] : post_routes_)
    handler = [this, inner = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
      if (authorized(req, res)) inner(req, res);
    };
  for (const auto& [path, handler] : post_routes_) s.Post(path, handler);

  // The right path with the wrong method says which method it takes.
  for (const char* path : {"/kill", "/unkill", "/reload"})
    s.Get(path, [path](const httplib::Request&, httplib::Response& res) {
      res.set_header("Allow", "POST");
      send_error(res, 405, std::string(path) + " takes POST (it changes state)");
    });
  for (const char* path : {"/metrics", "/status"})
    s.Post(path, [path](const httplib::Request&, httplib::Response& res) {
      res.set_header("Allow", "GET");
      send_error(res, 405, std::string(path) + " takes GET");
    });
}

bool ControlServer::start(const ControlServerOptions& opt, std::string& error) {
  stop();
  in_addr probe{};
  if (inet_pton(AF_INET, opt.bind.c_str(), &probe) != 1) {
    error = "control plane: '" + opt.bind + "' is not an IPv4 address";
    return false;
  }
  if (!is_loopback(opt.bind) && !opt.allow_remote) {
    error = "control plane: refusing to listen on " + opt.bind + " (not loopback) without allow_remote";
    return false;
  }
  const bool tls = !opt.tls_cert.empty() || !opt.tls_key.empty();
  if (!is_loopback(opt.bind) && !tls) {
    error = "control plane: refusing to listen on " + opt.bind + " (not loopback) without TLS (set tls_cert and tls_key)";
    return false;
  }
  if (tls && (opt.tls_cert.empty() || opt.tls_key.empty())) {
    error = "control plane: TLS needs both tls_cert and tls_key";
    return false;
  }
  if (const std::string p = control_token_problem(opt.token); !p.empty()) {
    error = "control plane: no usable token for the POST endpoints: " + p;
    return false;
  }
  if (tls) {
    auto ssl = std::make_unique<httplib::SSLServer>(opt.tls_cert.c_str(), opt.tls_key.c_str());
    if (!ssl->is_valid()) {
      error = "control plane: cannot load the TLS certificate " + opt.tls_cert + " with the key " + opt.tls_key +
              " (PEM files, the key matching the certificate)";
      return false;
    }
    server_ = std::move(ssl);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  tls_ = tls;
  token_ = opt.token;
  refused_metrics_ = opt.refused_metrics;
  log_ = opt.log;
  const int threads = opt.threads > 0 ? opt.threads : 1;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool((size_t)threads); };
  server_->set_read_timeout(5, 0);
  server_->set_write_timeout(5, 0);
  server_->set_payload_max_length(64 * 1024);  // no endpoint takes a body
  server_->set_keep_alive_max_count(100);
  // cpp-httplib's default adds SO_REUSEPORT, which would let a second perpwire share (and split) the
  // port silently; SO_REUSEADDR alone still allows a quick restart.
  server_->set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  install_routes();

  errno = 0;
  int port = opt.port == 0 ? server_->bind_to_any_port(opt.bind) : (server_->bind_to_port(opt.bind, opt.port) ? opt.port : -1);
  if (port <= 0) {
    const int err = errno;
    error = "control plane: cannot listen on " + opt.bind + ":" + std::to_string(opt.port) + (err ? std::string(" (") + std::strerror(err) + ")" : "");
    server_.reset();
    return false;
  }
  bind_ = opt.bind;
  port_ = (uint16_t)port;
  thread_ = std::thread([s = server_.get()] { s->listen_after_bind(); });
  // stop() only reaches a server that has entered its accept loop: wait for it (bounded).
  for (int i = 0; i < 2000 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  running_ = true;
  return true;
}

void ControlServer::stop() {
  if (!server_) return;
  for (int i = 0; i < 2000 && thread_.joinable() && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
  running_ = false;
  port_ = 0;
}

}  // namespace pw
