// Control plane over real HTTP on loopback: start on any free port, scrape /metrics and /status,
// press and release kill switches (global and scoped, unknown names refused), reload a bad config
// (400 with the file:line errors, old config kept) and a good one, wrong methods and web-page
// requests refused, clean stop, and clear failures for a taken port or a non-loopback bind.
// Authentication: POSTs without the bearer token, with another scheme or a wrong token get 401 and
// are counted; the token file must be mode 0600; remote needs TLS; an HTTPS roundtrip with a
// certificate made by the openssl CLI in a temp folder.
#include <doctest/doctest.h>
#include <httplib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "host/config/config.hpp"
#include "host/control/control_client.hpp"
#include "host/control/control_options.hpp"
#include "host/control/control_server.hpp"
#include "host/control/control_token.hpp"
#include "host/control/status.hpp"
#include "core/risk_engine.hpp"
#include "host/metrics/app_metrics.hpp"
#include "tests/support/slurp.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kToken = "test-token-0123456789abcdef";

using pw::test::slurp;

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
  opt.token = kToken;
  std::vector<std::string> log;
  std::mutex log_mutex;
  opt.log = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(log_mutex);
    log.push_back(line);
  };
  pw::MetricsRegistry& reg = app.registry;
  for (int r = 0; r < pw::kControlRefusalCount; ++r)
    opt.refused_metrics[(size_t)r] = &reg.counter("perpwire_control_refused_total", "refused", {{"reason", pw::control_refusal_name((pw::ControlRefusal)r)}});
  REQUIRE_MESSAGE(server.start(opt, error), error);
  REQUIRE(server.running());
  REQUIRE(server.port() != 0);
  CHECK(server.url() == "http://127.0.0.1:" + std::to_string(server.port()));

  httplib::Client cli("127.0.0.1", server.port());
  cli.set_connection_timeout(5, 0);
  cli.set_bearer_token_auth(kToken.c_str());
  const std::string auth = "Authorization: Bearer " + kToken + "\r\n";

  SUBCASE("POST endpoints need the bearer token: none, another scheme or a wrong one is a 401, counted and logged") {
    httplib::Client anon("127.0.0.1", server.port());
    for (const char* path : {"/kill", "/unkill", "/reload"}) {
      auto res = anon.Post(path);
      REQUIRE(res);
      CHECK(res->status == 401);
      CHECK(res->get_header_value("WWW-Authenticate") == "Bearer realm=\"perpwire\"");
      CHECK(json::parse(res->body)["error"].get<std::string>().find("Authorization: Bearer") != std::string::npos);
    }
    CHECK_FALSE(app.kills.global());
    CHECK(app.store->generation() == 0);
    CHECK(server.refused(pw::ControlRefusal::no_token) == 3);

    // As `curl -X POST 127.0.0.1:8686/kill` sends it: no Content-Length, no token.
    std::string raw = raw_http(server.port(), "POST /kill HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    CHECK(raw.find("HTTP/1.1 401") == 0);
    CHECK_FALSE(app.kills.global());
    CHECK(server.refused(pw::ControlRefusal::no_token) == 4);

    httplib::Client wrong("127.0.0.1", server.port());
    wrong.set_bearer_token_auth((kToken + "x").c_str());
    auto res = wrong.Post("/kill");
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK(json::parse(res->body)["error"] == "wrong token");
    wrong.set_bearer_token_auth(kToken.substr(0, kToken.size() - 1).c_str());  // a prefix is not the token
    CHECK(wrong.Post("/kill")->status == 401);
    raw = raw_http(server.port(), "POST /kill HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \r\nConnection: close\r\n\r\n");
    CHECK(raw.find("HTTP/1.1 401") == 0);
    CHECK(server.refused(pw::ControlRefusal::wrong_token) + server.refused(pw::ControlRefusal::bad_scheme) == 3);

    httplib::Client basic("127.0.0.1", server.port());
    basic.set_basic_auth("admin", kToken.c_str());
    res = basic.Post("/kill");
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK_FALSE(app.kills.global());

    // GET endpoints stay open.
    res = anon.Get("/status");
    REQUIRE(res);
    CHECK(res->status == 200);
    const std::string metrics = anon.Get("/metrics")->body;
    CHECK(metrics.find("perpwire_control_refused_total{reason=\"no_token\"} 4\n") != std::string::npos);
    CHECK(metrics.find("perpwire_control_refused_total{reason=\"bad_scheme\"} 2\n") != std::string::npos);
    CHECK(metrics.find("perpwire_control_refused_total{reason=\"wrong_token\"} 2\n") != std::string::npos);
    {
      std::lock_guard<std::mutex> lock(log_mutex);
      REQUIRE(log.size() == 8);
      CHECK(log[0].find("control plane: refused POST /kill from 127.0.0.1:") == 0);
      CHECK(log[0].find("(no_token)") != std::string::npos);
    }

    // The right token works, through the client `perpwire kill` uses too.
    pw::ControlCall call;
    call.url = server.url();
    call.method = "POST";
    call.path = "/kill";
    call.token = kToken;
    std::string body;
    CHECK(pw::control_call(call, body, error) == 200);
    CHECK(app.kills.global());
    call.path = "/unkill";
    CHECK(pw::control_call(call, body, error) == 200);
    CHECK_FALSE(app.kills.global());
  }

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
    CHECK(s["accounts"][0]["loss_limit_stop"] == false);
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
    std::string raw = raw_http(server.port(), "POST /kill?instrument=BIP-20DEC30-CDE HTTP/1.1\r\nHost: localhost\r\n" + auth + "Connection: close\r\n\r\n");
    CHECK(raw.find("HTTP/1.1 200") == 0);
    CHECK(raw.find("\"message\":\"kill switch of instrument BIP-20DEC30-CDE engaged\"") != std::string::npos);
    CHECK(app.kills.instrument(0));
    raw = raw_http(server.port(), "POST /unkill?instrument=BIP-20DEC30-CDE HTTP/1.1\r\nHost: localhost\r\n" + auth + "Connection: close\r\n\r\n");
    CHECK(raw.find("HTTP/1.1 200") == 0);
    CHECK_FALSE(app.kills.instrument(0));

    res = cli.Post("/kill?account=nobody");
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(json::parse(res->body)["error"] == "unknown account 'nobody' (accounts: desk-a, desk-b, desk-c, desk-d)");
    res = cli.Post("/kill?account=desk-a&instrument=BIP-20DEC30-CDE");
    REQUIRE(res);
    CHECK(res->status == 400);
    res = cli.Post("/kill?acount=desk-a");
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK_FALSE(app.kills.account(0));
    CHECK_FALSE(app.kills.global());
  }

  SUBCASE("POST /unkill?account= also releases the account's loss-limit stop; without the token nothing moves") {
    // The hot thread's side: the risk engine with the shipped config's limits (desk-d: loss limit
    // 0.20 USD), long 5 BTC contracts at 95 000.
    const pw::Config& c = *app.store->current();
    const int d = c.account_index("desk-d");
    REQUIRE(d >= 0);
    constexpr int64_t U = 1000000000, kTick = 5 * U;
    const int64_t t0 = 1795960680LL * U;
    auto engine = std::make_unique<pw::RiskEngine<>>();
    for (size_t i = 0; i < c.instruments.size(); ++i) REQUIRE(engine->set_instrument_limits((int)i, c.instruments[i].limits).ok());
    for (size_t a = 0; a < c.accounts.size(); ++a) {
      REQUIRE(engine->set_account_limits((int)a, c.accounts[a].limits).ok());
      engine->set_cash((int)a, c.accounts[a].cash);
    }
    REQUIRE(engine->set_session_limits(0, c.order_entry.limits).ok());
    auto set_mark = [&](int64_t mark) {
      pw::InstrumentMarket m{};
      m.mark = mark;
      m.best_bid = mark - kTick;
      m.best_ask = mark + kTick;
      m.limit_down = m.limit_up = pw::kNullI64;
      m.contract_size = U / 100;
      m.last_update = t0;
      m.tradable = 1;
      m.trading_status = pw::kTradingStatusOpen;
      m.synced = 1;
      engine->set_market(0, m);
    };
    int64_t next_id = 500;
    auto try_order = [&] {
      pw::OrderRequest r{};
      r.account = (uint16_t)d;
      r.client_order_id = ++next_id;
      r.kind = pw::OrderKind::new_order;
      r.price = 94950 * U;
      r.quantity = 1;
      r.side = pw::kBuy;
      r.time = t0 + 1;
      const pw::RiskDecision dec = engine->check(r);
      if (dec.accepted) engine->on_cancel(r.client_order_id);  // nothing left open
      return dec;
    };
    std::vector<uint32_t> seen;
    std::vector<int> released;  // accounts whose stop the hot thread was told to release
    auto hot_thread = [&] {
      app.kills.take_loss_releases(seen, (int)c.accounts.size(), [&](int a) {
        engine->clear_loss_kill(a);
        released.push_back(a);
      });
    };
    hot_thread();
    set_mark(95000 * U);
    engine->set_position(d, 0, 5, 95000 * U);
    CHECK(try_order().accepted);
    set_mark(95000 * U - kTick);  // 5 × 5 × 0.01 = 0.25 under water
    REQUIRE(engine->kill_loss(d));
    CHECK(try_order().detail == pw::RejectDetail::kill_loss_limit);

    // Without the token: 401, no release counted, still stopped.
    httplib::Client anon("127.0.0.1", server.port());
    auto res = anon.Post("/unkill?account=desk-d");
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK(app.kills.loss_releases(d) == 0);
    hot_thread();
    CHECK(released.empty());
    CHECK(engine->kill_loss(d));
    // The global switch, an instrument's and another account's released: desk-d's stop stays.
    REQUIRE(cli.Post("/unkill")->status == 200);
    REQUIRE(cli.Post("/unkill?instrument=BIP-20DEC30-CDE")->status == 200);
    REQUIRE(cli.Post("/unkill?account=desk-a")->status == 200);
    hot_thread();
    CHECK(released == std::vector<int>{0});
    CHECK(engine->kill_loss(d));

    // With the token, through the client `perpwire unkill --account desk-d` uses: released once.
    pw::ControlCall call;
    call.url = server.url();
    call.method = "POST";
    call.path = "/unkill";
    call.query = "account=desk-d";
    call.token = kToken;
    std::string body;
    REQUIRE(pw::control_call(call, body, error) == 200);
    CHECK(json::parse(body)["message"] == "kill switch of account desk-d released, and its loss-limit stop if engaged");
    CHECK(app.kills.loss_releases(d) == 1);
    hot_thread();
    CHECK(released == std::vector<int>{0, d});
    CHECK_FALSE(engine->kill_loss(d));
    CHECK(try_order().accepted);
    hot_thread();  // nothing new
    CHECK(released.size() == 2);

    // A new dip below the limit stops it again.
    set_mark(95000 * U - 2 * kTick);
    CHECK(engine->kill_loss(d));
    CHECK(try_order().detail == pw::RejectDetail::kill_loss_limit);
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
    CHECK(server.refused(pw::ControlRefusal::web_page) == 1);
    res = cli.Get("/");
    REQUIRE(res);
    CHECK(json::parse(res->body)["endpoints"].size() == 5);

    // Found by fuzz_control_request: a path or a name that is not UTF-8 used to throw while the
    // JSON error was written, which ended the program. Now it is replaced in the answer.
    std::string raw = raw_http(server.port(), "GET /st\x9f\x8b HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    CHECK(raw.find("HTTP/1.1 404") == 0);
    CHECK(raw.find("\"no endpoint /st\xef\xbf\xbd\xef\xbf\xbd (GET / lists them)\"") != std::string::npos);
    raw = raw_http(server.port(), "POST /kill?account=%FF%FE HTTP/1.1\r\nHost: localhost\r\n" + auth + "Connection: close\r\n\r\n");
    CHECK(raw.find("HTTP/1.1 404") == 0);
    CHECK_FALSE(app.kills.global());
    CHECK(server.running());
    CHECK(cli.Get("/status")->status == 200);
  }

  SUBCASE("a second server on the same port fails with the reason; non-loopback needs allow_remote") {
    pw::ControlServer other(pw::ControlHandlers{});
    pw::ControlServerOptions same;
    same.port = server.port();
    same.token = kToken;
    CHECK_FALSE(other.start(same, error));
    CHECK(error.find("control plane: cannot listen on 127.0.0.1:" + std::to_string(server.port())) == 0);
    CHECK(error.find("Address already in use") != std::string::npos);
    pw::ControlServerOptions remote;
    remote.bind = "0.0.0.0";
    remote.port = 0;
    remote.token = kToken;
    CHECK_FALSE(other.start(remote, error));
    CHECK(error.find("not loopback") != std::string::npos);
    remote.allow_remote = true;  // and still no TLS
    CHECK_FALSE(other.start(remote, error));
    CHECK(error == "control plane: refusing to listen on 0.0.0.0 (not loopback) without TLS (set tls_cert and tls_key)");
    pw::ControlServerOptions no_token;
    no_token.port = 0;
    CHECK_FALSE(other.start(no_token, error));
    CHECK(error.find("control plane: no usable token") == 0);
    no_token.token = "short";
    CHECK_FALSE(other.start(no_token, error));
    pw::ControlServerOptions nonsense;
    nonsense.bind = "localhost:80";
    CHECK_FALSE(other.start(nonsense, error));
    CHECK_FALSE(other.running());
  }

  SUBCASE("missing handlers answer 501") {
    pw::ControlServer bare(pw::ControlHandlers{});
    pw::ControlServerOptions any;
    any.port = 0;
    any.token = kToken;
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

namespace {

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("perpwire_test_control_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write_file(const fs::path& p, const std::string& text, fs::perms mode) {
  std::ofstream(p) << text;
  fs::permissions(p, mode, fs::perm_options::replace);
}

constexpr fs::perms kOwnerRw = fs::perms::owner_read | fs::perms::owner_write;

}  // namespace

TEST_CASE("control tokens: read only from a file of mode 0600, generated with mode 0600, compared whole") {
  const fs::path dir = temp_dir("token");
  std::string token, error;

  write_file(dir / "ok.token", kToken + "\n", kOwnerRw);
  REQUIRE_MESSAGE(pw::read_control_token_file((dir / "ok.token").string(), token, error), error);
  CHECK(token == kToken);

  write_file(dir / "open.token", kToken + "\n", kOwnerRw | fs::perms::group_read | fs::perms::others_read);
  CHECK_FALSE(pw::read_control_token_file((dir / "open.token").string(), token, error));
  CHECK(error == "the token file " + (dir / "open.token").string() + " has mode 0644: it must be readable by its owner only (chmod 600 " +
                     (dir / "open.token").string() + ")");
  write_file(dir / "group.token", kToken, kOwnerRw | fs::perms::group_read);
  CHECK_FALSE(pw::read_control_token_file((dir / "group.token").string(), token, error));
  write_file(dir / "short.token", "abc\n", kOwnerRw);
  CHECK_FALSE(pw::read_control_token_file((dir / "short.token").string(), token, error));
  CHECK(error.find("a token of 16 to 256 characters is needed, this one has 3") != std::string::npos);
  write_file(dir / "space.token", "two words in one token\n", kOwnerRw);
  CHECK_FALSE(pw::read_control_token_file((dir / "space.token").string(), token, error));
  write_file(dir / "long.token", std::string(300, 'a'), kOwnerRw);
  CHECK_FALSE(pw::read_control_token_file((dir / "long.token").string(), token, error));
  CHECK_FALSE(pw::read_control_token_file((dir / "missing.token").string(), token, error));
  CHECK(error.find("No such file or directory") != std::string::npos);
  CHECK_FALSE(pw::read_control_token_file(dir.string(), token, error));

  std::string a, b;
  REQUIRE(pw::generate_control_token(a, error));
  REQUIRE(pw::generate_control_token(b, error));
  CHECK(a.size() == 64);
  CHECK(a != b);
  CHECK(pw::control_token_problem(a).empty());
  // A file that was there with another mode (or a symlink) is replaced, never reused.
  write_file(dir / "gen.token", "old", fs::perms::all);
  fs::create_symlink(dir / "ok.token", dir / "link.token");
  for (const char* name : {"gen.token", "link.token"}) {
    REQUIRE_MESSAGE(pw::write_control_token_file((dir / name).string(), a, error), error);
    CHECK_FALSE(fs::is_symlink(dir / name));
    CHECK((fs::status(dir / name).permissions() & fs::perms::all) == kOwnerRw);
    REQUIRE(pw::read_control_token_file((dir / name).string(), token, error));
    CHECK(token == a);
  }
  CHECK(slurp((dir / "ok.token").string()) == kToken + "\n");  // the symlink's target untouched

  CHECK(pw::control_token_matches(kToken, kToken));
  CHECK_FALSE(pw::control_token_matches(kToken, kToken + "x"));
  CHECK_FALSE(pw::control_token_matches(kToken, kToken.substr(1)));
  CHECK_FALSE(pw::control_token_matches(kToken, ""));
  CHECK_FALSE(pw::control_token_matches("", ""));
  fs::remove_all(dir);
}

TEST_CASE("[control] token_file must be mode 0600, allow_remote needs TLS; without token_file the run generates one") {
  const fs::path dir = temp_dir("config");
  const std::string base = slurp(std::string(PERPWIRE_SOURCE_DIR) + "/config/perpwire.toml");
  write_file(dir / "ok.token", kToken + "\n", kOwnerRw);
  write_file(dir / "open.token", kToken + "\n", kOwnerRw | fs::perms::group_read | fs::perms::others_read);
  auto with_control = [&](const std::string& lines) { return replace(base, "[control]\n", "[control]\n" + lines); };

  pw::ConfigResult r = pw::parse_config(with_control("token_file = \"" + (dir / "ok.token").string() + "\"\n"), "t.toml");
  REQUIRE_MESSAGE(r.ok(), r.error_text());
  CHECK(r.config->control.token == kToken);
  CHECK(r.config->control.token_file == (dir / "ok.token").string());

  r = pw::parse_config(with_control("token_file = \"" + (dir / "open.token").string() + "\"\n"), "t.toml");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].key == "control.token_file");
  CHECK(r.errors[0].message.find("has mode 0644: it must be readable by its owner only") != std::string::npos);

  r = pw::parse_config(replace(with_control("allow_remote = true\n"), "bind = \"127.0.0.1\"", "bind = \"0.0.0.0\""), "t.toml");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].key == "control.allow_remote");
  CHECK(r.errors[0].message.find("needs TLS: set tls_cert and tls_key") != std::string::npos);
  r = pw::parse_config(with_control("tls_cert = \"" + (dir / "ok.token").string() + "\"\n"), "t.toml");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].key == "control.tls_key");
  r = pw::parse_config(with_control("tls_cert = \"" + (dir / "nope.pem").string() + "\"\ntls_key = \"" + (dir / "nope.pem").string() + "\"\n"), "t.toml");
  CHECK(r.errors.size() == 2);

  // No token_file: a fresh token in <out>/control.token, mode 0600, which the client finds again.
  r = pw::parse_config(base, "t.toml");
  REQUIRE(r.ok());
  pw::ControlServerOptions o;
  std::string token_path, error;
  pw::MetricsRegistry reg;
  REQUIRE_MESSAGE(pw::control_server_options(r.config->control, dir.string(), &reg, o, token_path, error), error);
  CHECK(token_path == (dir / "control.token").string());
  CHECK(o.token.size() == 64);
  CHECK((fs::status(token_path).permissions() & fs::perms::all) == kOwnerRw);
  std::string again;
  REQUIRE(pw::read_control_token_file(pw::client_token_path("", dir.string(), "", error), again, error));
  CHECK(again == o.token);
  CHECK(pw::client_token_path("/x/t", dir.string(), "", error) == "/x/t");
  CHECK(reg.render_prometheus().find("perpwire_control_refused_total{reason=\"wrong_token\"} 0\n") != std::string::npos);
  // With token_file, that token is the one in force and nothing is written.
  r = pw::parse_config(with_control("token_file = \"" + (dir / "ok.token").string() + "\"\n"), "t.toml");
  pw::ControlServerOptions o2;
  REQUIRE(pw::control_server_options(r.config->control, (dir / "elsewhere").string(), nullptr, o2, token_path, error));
  CHECK(o2.token == kToken);
  CHECK(token_path == (dir / "ok.token").string());
  CHECK_FALSE(fs::exists(dir / "elsewhere"));
  fs::remove_all(dir);
}

TEST_CASE("HTTPS: a certificate made by the openssl CLI, the client verifies it and sends the token") {
  const fs::path dir = temp_dir("tls");
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
                          (dir / "key.pem").string() + "' -out '" + (dir / "cert.pem").string() + "' >'" + (dir / "openssl.log").string() + "' 2>&1";
  REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, slurp((dir / "openssl.log").string()));

  pw::KillSwitchBoard kills;
  pw::ControlHandlers h;
  h.status = [] { return std::string("{\"state\":\"running\"}"); };
  h.kill = [&](const pw::KillRequest& k) {
    kills.set(pw::KillTarget{pw::KillTarget::Scope::global, -1, k.engage});
    return pw::ControlReply{true, "global kill switch engaged", {}, 0};
  };
  pw::ControlServer server(h);
  pw::ControlServerOptions opt;
  opt.port = 0;
  opt.token = kToken;
  opt.tls_cert = (dir / "cert.pem").string();
  opt.tls_key = (dir / "key.pem").string();
  opt.log = [](const std::string&) {};
  std::string error, body;
  REQUIRE_MESSAGE(server.start(opt, error), error);
  CHECK(server.tls());
  CHECK(server.url() == "https://127.0.0.1:" + std::to_string(server.port()));

  pw::ControlCall call;
  call.url = server.url();
  call.ca_cert = (dir / "cert.pem").string();
  call.path = "/status";
  CHECK(pw::control_call(call, body, error) == 200);
  CHECK(body == "{\"state\":\"running\"}");
  call.method = "POST";
  call.path = "/kill";
  CHECK(pw::control_call(call, body, error) == 401);  // TLS is no substitute for the token
  CHECK_FALSE(kills.global());
  call.token = kToken;
  CHECK(pw::control_call(call, body, error) == 200);
  CHECK(kills.global());

  // Without the certificate to trust, the client refuses the server.
  pw::ControlCall untrusted = call;
  untrusted.ca_cert = (dir / "openssl.log").string();
  CHECK(pw::control_call(untrusted, body, error) == 0);
  // Plain HTTP to the TLS port gets no answer it could take for one.
  pw::ControlCall plain = call;
  plain.url = "http://127.0.0.1:" + std::to_string(server.port());
  CHECK(pw::control_call(plain, body, error) != 200);
  server.stop();

  // A key that is not PEM: a clear failure at start.
  write_file(dir / "bad.pem", "not a key\n", kOwnerRw);
  opt.tls_key = (dir / "bad.pem").string();
  CHECK_FALSE(server.start(opt, error));
  CHECK(error.find("control plane: cannot load the TLS certificate") == 0);
  CHECK_FALSE(server.running());
  // TLS makes a remote bind possible (with allow_remote): the remote checks pass, only binding is left.
  opt.tls_key = (dir / "key.pem").string();
  opt.bind = "0.0.0.0";
  opt.allow_remote = true;
  REQUIRE_MESSAGE(server.start(opt, error), error);
  CHECK(server.tls());
  server.stop();
  fs::remove_all(dir);
}
