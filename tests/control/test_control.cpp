// Control plane over real HTTP on loopback: start on any free port, scrape /metrics and /status,
// press and release kill switches (global and scoped, unknown names refused), reload a bad config
// (400 with the file:line errors, old config kept) and a good one, wrong methods and web-page
// requests refused, clean stop, and clear failures for a taken port or a non-loopback bind.
#include <doctest/doctest.h>
#include <httplib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "host/config/config.hpp"
#include "host/control/control_server.hpp"
#include "host/control/status.hpp"
#include "core/risk_engine.hpp"
#include "host/metrics/app_metrics.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One request over a plain socket, exactly as written (cpp-httplib's client always adds a
// Content-Length; `curl -X POST URL` does not).
std::string raw_http(uint16_t port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, (sockaddr*)&addr, sizeof addr) == 0);
  REQUIRE(::send(fd, request.data(), request.size(), 0) == (ssize_t)request.size());
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) response.append(buf, (size_t)n);
  ::close(fd);
  return response;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// The pieces a running perpwire holds: config store, metrics, status board, kill switches, and the
// risk engine the hot thread owns.
struct App {
  std::string path;
  std::unique_ptr<pw::ConfigStore> store;
  pw::MetricsRegistry registry;
  std::unique_ptr<pw::AppMetrics> metrics;
  pw::StatusBoard board;
  pw::KillSwitchBoard kills;
  std::atomic<int64_t> applied_max_qty{0};

  explicit App(const std::string& config_path) : path(config_path) {
    pw::ConfigResult r = pw::load_config(path);
    REQUIRE(r.ok());
    store = std::make_unique<pw::ConfigStore>(r.config);
    std::vector<std::string> syms, names;
    for (const auto& i : r.config->instruments) syms.push_back(i.symbol);
    for (const auto& a : r.config->accounts) names.push_back(a.name);
    metrics = std::make_unique<pw::AppMetrics>(registry, syms, names);
    pw::StatusSnapshot s;
    s.backend = "software";
    s.state = "running";
    s.frames[0] = 10;
    for (const auto& i : syms) {
      pw::InstrumentStatus is;
      is.symbol = i;
      is.book_synced = true;
      is.mark = 95000500000000;
      is.exchange_mark = 95000000000000;
      is.funding_rate = 12500;
      is.exchange_funding_rate = 10000;
      s.instruments.push_back(is);
    }
    pw::AccountStatus as;
    as.name = "desk-a";
    as.cash = 500000LL * 1000000000;
    as.positions = {3, -2};
    s.accounts.push_back(as);
    board.publish(s);
  }

  pw::ControlHandlers handlers() {
    pw::ControlHandlers h;
    h.metrics = [this] { return registry.render_prometheus(); };
    h.status = [this] { return board.json(); };
    h.kill = pw::make_kill_handler(*store, kills, metrics.get());
    h.reload = pw::make_reload_handler(*store, metrics.get(), [this](const pw::Config& c) { applied_max_qty = c.instruments[0].limits.max_order_qty; });
    return h;
  }
};

}  // namespace

TEST_CASE("the control plane serves metrics, status, kill switches and reload on loopback") {
  const fs::path dir = fs::temp_directory_path() / ("perpwire_test_control_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "perpwire.toml").string();
  const std::string base = slurp(std::string(PERPWIRE_SOURCE_DIR) + "/config/perpwire.toml");
  std::ofstream(path) << base;

  App app(path);
  pw::ControlServer server(app.handlers());
  std::string error;
  pw::ControlServerOptions opt;
  opt.port = 0;  // any free port
  REQUIRE_MESSAGE(server.start(opt, error), error);
  REQUIRE(server.running());
  REQUIRE(server.port() != 0);
  CHECK(server.url() == "http://127.0.0.1:" + std::to_string(server.port()));

  httplib::Client cli("127.0.0.1", server.port());
  cli.set_connection_timeout(5, 0);

  SUBCASE("GET /metrics is Prometheus text") {
    app.metrics->frames(0).inc(5);
    auto res = cli.Get("/metrics");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type").find("text/plain; version=0.0.4") == 0);
    CHECK(res->body.find("# TYPE perpwire_feed_frames_total counter\n") != std::string::npos);
    CHECK(res->body.find("perpwire_feed_frames_total{line=\"A\"} 5\n") != std::string::npos);
  }

  SUBCASE("GET /status is the published snapshot as JSON") {
    auto res = cli.Get("/status");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type") == "application/json");
    json s = json::parse(res->body);
    CHECK(s["state"] == "running");
    CHECK(s["feed"]["frames_a"] == 10);
    REQUIRE(s["instruments"].size() == 2);
    CHECK(s["instruments"][0]["symbol"] == "BIP-20DEC30-CDE");
    CHECK(s["instruments"][0]["book_synced"] == true);
    CHECK(s["instruments"][0]["mark"] == "95000.5");  // exact decimal text
    CHECK(s["instruments"][0]["best_bid"].is_null());  // unknown
    CHECK(s["instruments"][0]["mark_diff_bps"].get<double>() == doctest::Approx(0.0526).epsilon(0.01));
    CHECK(s["instruments"][0]["funding_diff_bps"].get<double>() == doctest::Approx(0.025));
    CHECK(s["accounts"][0]["positions"]["ETP-20DEC30-CDE"] == -2);
    CHECK(s["accounts"][0]["cash"] == "500000");
  }

  SUBCASE("POST /kill and /unkill drive the switches, by scope") {
    auto res = cli.Post("/kill");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(app.kills.global());
    CHECK(json::parse(res->body)["scope"] == "global");
    CHECK(cli.Get("/metrics")->body.find("perpwire_kill_switch{scope=\"global\"} 1\n") != std::string::npos);
    res = cli.Post("/unkill");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK_FALSE(app.kills.global());

    res = cli.Post("/kill?account=desk-b");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(app.kills.account(1));
    CHECK_FALSE(app.kills.account(0));
    json body = json::parse(res->body);
    CHECK(body["scope"] == "account");
    CHECK(body["account"] == "desk-b");
    CHECK(body["ok"] == true);
    CHECK(body["message"] == "kill switch of account desk-b engaged");

    res = cli.Post("/kill?instrument=ETP-20DEC30-CDE");
    REQUIRE(res);
    CHECK(app.kills.instrument(1));
    CHECK(cli.Get("/metrics")->body.find("perpwire_kill_switch{scope=\"instrument\",instrument=\"ETP-20DEC30-CDE\"} 1\n") != std::string::npos);

    // The hot thread sees the generation move and copies the switches into its risk engine.
    auto engine = std::make_unique<pw::RiskEngine<>>();
    uint64_t seen = 0;
    REQUIRE(app.kills.generation() != seen);
    seen = app.kills.generation();
    app.kills.apply_to(*engine, 2, 2);
    CHECK_FALSE(engine->kill_global());
    CHECK(engine->kill_account(1));
    CHECK_FALSE(engine->kill_account(0));
    CHECK(engine->kill_instrument(1));
    res = cli.Post("/unkill?instrument=ETP-20DEC30-CDE");
    REQUIRE(res);
    CHECK_FALSE(app.kills.instrument(1));

    // As `curl -X POST URL` sends it: no Content-Length.
    std::string raw = raw_http(server.port(), "POST /kill?instrument=BIP-20DEC30-CDE HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    CHECK(raw.find("HTTP/1.1 200") == 0);
    CHECK(raw.find("\"message\":\"kill switch of instrument BIP-20DEC30-CDE engaged\"") != std::string::npos);
    CHECK(app.kills.instrument(0));
    raw = raw_http(server.port(), "POST /unkill?instrument=BIP-20DEC30-CDE HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    CHECK(raw.find("HTTP/1.1 200") == 0);
    CHECK_FALSE(app.kills.instrument(0));

    res = cli.Post("/kill?account=nobody");
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(json::parse(res->body)["error"] == "unknown account 'nobody' (accounts: desk-a, desk-b, desk-c)");
    res = cli.Post("/kill?account=desk-a&instrument=BIP-20DEC30-CDE");
    REQUIRE(res);
    CHECK(res->status == 400);
    res = cli.Post("/kill?acount=desk-a");
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK_FALSE(app.kills.account(0));
    CHECK_FALSE(app.kills.global());
  }

  SUBCASE("POST /reload: a bad file is a 400 with every error, and the old config stays") {
    std::string bad = replace(base, "max_order_qty = 100", "max_order_qty = -5");
    bad = replace(bad, "collar_bps = 250", "colar_bps = 250");
    std::ofstream(path) << bad;
    auto res = cli.Post("/reload");
    REQUIRE(res);
    CHECK(res->status == 400);
    json body = json::parse(res->body);
    CHECK(body["ok"] == false);
    REQUIRE(body["errors"].size() == 3);
    CHECK(body["errors"][0].get<std::string>().find(path + ":") == 0);
    CHECK(body["errors"][0].get<std::string>().find("instruments[0].limits.max_order_qty: expected a positive integer, got -5") != std::string::npos);
    CHECK(body["error"].get<std::string>().find("the running config stays in force") != std::string::npos);
    CHECK(app.store->current()->instruments[0].limits.max_order_qty == 100);
    CHECK(app.applied_max_qty == 0);
    const uint64_t generation = app.store->generation();

    std::ofstream(path) << replace(base, "max_order_qty = 100", "max_order_qty = 70");
    res = cli.Post("/reload");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(json::parse(res->body)["ok"] == true);
    CHECK(app.applied_max_qty == 70);
    CHECK(app.store->generation() == generation + 1);
    CHECK(app.store->current()->instruments[0].limits.max_order_qty == 70);
    const std::string metrics = cli.Get("/metrics")->body;
    CHECK(metrics.find("perpwire_config_reloads_total{result=\"ok\"} 1\n") != std::string::npos);
    CHECK(metrics.find("perpwire_config_reloads_total{result=\"error\"} 1\n") != std::string::npos);
  }

  SUBCASE("wrong methods, unknown paths and web pages are refused") {
    auto res = cli.Get("/kill");
    REQUIRE(res);
    CHECK(res->status == 405);
    CHECK(res->get_header_value("Allow") == "POST");
    CHECK_FALSE(app.kills.global());
    res = cli.Post("/metrics");
    REQUIRE(res);
    CHECK(res->status == 405);
    res = cli.Get("/nope");
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(json::parse(res->body)["error"].get<std::string>().find("/nope") != std::string::npos);
    res = cli.Post("/kill", httplib::Headers{{"Origin", "http://evil.example"}}, "", "text/plain");
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK_FALSE(app.kills.global());
    res = cli.Get("/");
    REQUIRE(res);
    CHECK(json::parse(res->body)["endpoints"].size() == 5);
  }

  SUBCASE("a second server on the same port fails with the reason; non-loopback needs allow_remote") {
    pw::ControlServer other(pw::ControlHandlers{});
    pw::ControlServerOptions same;
    same.port = server.port();
    CHECK_FALSE(other.start(same, error));
    CHECK(error.find("control plane: cannot listen on 127.0.0.1:" + std::to_string(server.port())) == 0);
    CHECK(error.find("Address already in use") != std::string::npos);
    pw::ControlServerOptions remote;
    remote.bind = "0.0.0.0";
    remote.port = 0;
    CHECK_FALSE(other.start(remote, error));
    CHECK(error.find("not loopback") != std::string::npos);
    pw::ControlServerOptions nonsense;
    nonsense.bind = "localhost:80";
    CHECK_FALSE(other.start(nonsense, error));
    CHECK_FALSE(other.running());
  }

  SUBCASE("missing handlers answer 501") {
    pw::ControlServer bare(pw::ControlHandlers{});
    pw::ControlServerOptions any;
    any.port = 0;
    REQUIRE(bare.start(any, error));
    httplib::Client c2("127.0.0.1", bare.port());
    auto res = c2.Get("/status");
    REQUIRE(res);
    CHECK(res->status == 501);
    bare.stop();
  }

  const uint16_t port = server.port();
  server.stop();
  CHECK_FALSE(server.running());
  server.stop();  // idempotent
  httplib::Client after("127.0.0.1", port);
  after.set_connection_timeout(1, 0);
  CHECK_FALSE(after.Get("/metrics"));
  fs::remove_all(dir);
}
