// Configuration: the shipped default loads with the values it documents; each kind of mistake gives
// the documented "file:line: key: expected …, got …" error, all of them at once; unknown keys and a
// missing file are errors; reload keeps the old config in force when the new file is wrong.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "host/config/config.hpp"
#include "tests/support/slurp.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kDefaultPath = std::string(PERPWIRE_SOURCE_DIR) + "/config/perpwire.toml";

using pw::test::slurp;

// The default config with the first line containing `from` (after `after`, if given) replaced.
struct Edited {
  std::string text;
  int line = 0;  // 1-based line of the edit
};
Edited edit(const std::string& text, const std::string& from, const std::string& to, const std::string& after = "") {
  size_t start = after.empty() ? 0 : text.find(after);
  REQUIRE_MESSAGE(start != std::string::npos, after);
  size_t at = text.find(from, start);
  REQUIRE_MESSAGE(at != std::string::npos, from);
  Edited e;
  e.text = text.substr(0, at) + to + text.substr(at + from.size());
  e.line = 1 + (int)std::count(text.begin(), text.begin() + (long)at, '\n');
  return e;
}

int line_of(const std::string& text, const std::string& needle, const std::string& after = "") {
  size_t start = after.empty() ? 0 : text.find(after);
  size_t at = text.find(needle, start);
  REQUIRE_MESSAGE(at != std::string::npos, needle);
  return 1 + (int)std::count(text.begin(), text.begin() + (long)at, '\n');
}

// The only error of `text`, as text.
std::string only_error(const std::string& text) {
  pw::ConfigResult r = pw::parse_config(text, "bad.toml");
  INFO(r.error_text());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.config == nullptr);
  return r.errors[0].to_string();
}

std::string at(int line, const std::string& rest) { return "bad.toml:" + std::to_string(line) + ": " + rest; }

}  // namespace

TEST_CASE("the default config loads with the documented values") {
  pw::ConfigResult r = pw::load_config(kDefaultPath);
  INFO(r.error_text());
  REQUIRE(r.ok());
  const pw::Config& c = *r.config;
  REQUIRE(c.instruments.size() == 2);
  const pw::InstrumentConfig& btc = c.instruments[0];
  CHECK(btc.symbol == "BIP-20DEC30-CDE");
  CHECK(btc.id == 1);
  CHECK(btc.channel == 1);
  CHECK(btc.contract_size == 10000000);    // 0.01 BTC
  CHECK(btc.tick == 5000000000);           // $5
  CHECK(btc.preset == "coinbase");
  CHECK(btc.mark == pw::MarkFundingOverrides{});
  CHECK(btc.limits.max_order_qty == 100);
  CHECK(btc.limits.max_order_notional == 250000LL * 1000000000);
  CHECK(btc.limits.max_staleness_ns == 2000000000);
  CHECK(btc.limits.margin.count == 3);
  CHECK(btc.limits.margin.tiers[0].notional_cap == 1000000LL * 1000000000);
  CHECK(btc.limits.margin.tiers[2].max_leverage == 2);
  const pw::InstrumentConfig& eth = c.instruments[1];
  CHECK(eth.symbol == "ETP-20DEC30-CDE");
  CHECK(eth.id == 2);
  CHECK(eth.channel == 2);
  CHECK(eth.contract_size == 100000000);  // 0.1 ETH
  CHECK(eth.tick == 500000000);           // $0.50

  CHECK(c.feeds.line_a.enabled);
  CHECK(c.feeds.line_a.source == pw::FeedSourceKind::dpdk);
  CHECK(c.feeds.line_a.dpdk_port == "net_pcap0");
  CHECK(c.feeds.line_a.pcap == "out/session/feed_a.pcap");
  CHECK(c.feeds.line_b.dpdk_port == "net_pcap1");
  CHECK(c.order_entry.simulator);
  CHECK(c.feeds.line_b.pcap == "out/session/feed_b.pcap");
  REQUIRE(c.feeds.channels.size() == 2);
  CHECK(c.feeds.channels[0].line_a.to_string() == "239.255.10.1:41001");
  CHECK(c.feeds.channels[1].line_b->to_string() == "239.255.20.2:41002");
  CHECK(c.feeds.reorder_wait_ns == 1000000);

  REQUIRE(c.accounts.size() == 4);
  CHECK(c.accounts[0].name == "desk-a");
  CHECK(c.accounts[2].limits.daily_notional_limit == 50000LL * 1000000000);
  CHECK(c.accounts[0].limits.loss_limit == 0);                 // left out: off
  CHECK(c.accounts[3].limits.loss_limit == 200000000);         // desk-d: "0.2" USD
  CHECK(c.accounts[0].cash == 500000LL * 1000000000);
  CHECK(c.accounts[1].limits.orders_per_second == 20);
  CHECK(c.account_index("desk-b") == 1);
  CHECK(c.instrument_index("ETP-20DEC30-CDE") == 1);
  CHECK(c.instrument_index("nope") == -1);

  CHECK(c.order_entry.enabled);
  CHECK(c.order_entry.username == "perpwire");
  CHECK(c.order_entry.heartbeat_ns == 10000000000);
  CHECK(c.order_entry.ack_latency_ns == 50000);
  CHECK(c.order_entry.cancel_on_disconnect);
  CHECK_FALSE(c.risk.funding_source.has_value());  // the preset decides
  CHECK(c.backend.kind == pw::BackendKind::software);
  CHECK_FALSE(c.backend.strict);
  CHECK(c.control.bind == "127.0.0.1");
  CHECK(c.control.port == 8686);
  CHECK(c.output.dir == "out/run");

  // Every limit passes the risk gate's own validation.
  for (const auto& in : c.instruments) CHECK(pw::validate(in.limits).ok());
  for (const auto& a : c.accounts) CHECK(pw::validate(a.limits).ok());
}

TEST_CASE("each mistake gives a file:line: key: expected … error") {
  const std::string base = slurp(kDefaultPath);
  REQUIRE(pw::parse_config(base, "bad.toml").ok());

  SUBCASE("[risk] cancel_after: a positive duration, off when left out") {
    CHECK(pw::parse_config(base, "ok.toml").config->risk.cancel_after_ns == 0);
    auto e = edit(base, "# funding_source = \"own\"", "cancel_after = \"0s\"");
    CHECK(only_error(e.text).find(at(e.line, "risk.cancel_after: expected a positive duration")) == 0);
    auto n = edit(base, "# funding_source = \"own\"", "cancel_after = 5");
    CHECK(only_error(n.text).find(at(n.line, "risk.cancel_after: expected a positive duration")) == 0);
    auto ok = edit(base, "# funding_source = \"own\"", "cancel_after = \"2s\"");
    pw::ConfigResult r = pw::parse_config(ok.text, "ok.toml");
    REQUIRE(r.ok());
    CHECK(r.config->risk.cancel_after_ns == 2000000000);
  }

  SUBCASE("cancel_on_disconnect: true or false, true when left out") {
    auto e = edit(base, "cancel_on_disconnect = true", "cancel_on_disconnect = \"yes\"");
    CHECK(only_error(e.text) == at(e.line, "order_entry.cancel_on_disconnect: expected true or false, got \"yes\""));
    auto off = edit(base, "cancel_on_disconnect = true", "cancel_on_disconnect = false");
    pw::ConfigResult r = pw::parse_config(off.text, "ok.toml");
    REQUIRE(r.ok());
    CHECK_FALSE(r.config->order_entry.cancel_on_disconnect);
    auto left_out = edit(base, "cancel_on_disconnect = true", "");
    pw::ConfigResult d = pw::parse_config(left_out.text, "ok.toml");
    REQUIRE(d.ok());
    CHECK(d.config->order_entry.cancel_on_disconnect);
  }

  SUBCASE("the simulated exchange's ack latency: a duration up to 1 s, only with the simulator") {
    auto e = edit(base, "ack_latency = \"50us\"", "ack_latency = \"2s\"");
    CHECK(only_error(e.text) == at(e.line, "order_entry.ack_latency: expected a duration from \"0us\" to \"1s\", got \"2s\""));
    auto zero = edit(base, "ack_latency = \"50us\"", "ack_latency = \"0us\"");
    pw::ConfigResult r = pw::parse_config(zero.text, "ok.toml");
    REQUIRE(r.ok());
    CHECK(r.config->order_entry.ack_latency_ns == 0);
    auto real = edit(base, "simulator = true", "simulator = false");
    CHECK(only_error(real.text).find("order_entry.ack_latency: ack_latency is the simulated exchange's: only with simulator = true") !=
          std::string::npos);
  }
  SUBCASE("a negative quantity") {
    auto e = edit(base, "max_order_qty = 100", "max_order_qty = -5");
    CHECK(only_error(e.text) == at(e.line, "instruments[0].limits.max_order_qty: expected a positive integer, got -5"));
  }
  SUBCASE("a quantity above the risk gate's range") {
    auto e = edit(base, "max_order_qty = 100", "max_order_qty = 3000000000");
    CHECK(only_error(e.text) == at(e.line, "instruments[0].limits.max_order_qty: expected at most 2147483647, got 3000000000"));
  }
  SUBCASE("a decimal with more than nine decimals") {
    auto e = edit(base, "contract_size = \"0.01\"", "contract_size = \"0.0000000001\"");
    CHECK(only_error(e.text) ==
          at(e.line, "instruments[0].contract_size: expected a positive decimal number with at most 9 decimals written as a string or number, got \"0.0000000001\""));
  }
  SUBCASE("a float literal is read from its text, exactly") {
    auto ok = edit(base, "tick = \"5\"", "tick = 0.1");
    pw::ConfigResult r = pw::parse_config(ok.text, "ok.toml");
    REQUIRE(r.ok());
    CHECK(r.config->instruments[0].tick == 100000000);  // not 0.1000000000000000055…
    auto big = edit(base, "cash = \"500000\"", "cash = 123456789.123456789");
    r = pw::parse_config(big.text, "ok.toml");
    REQUIRE(r.ok());
    CHECK(r.config->accounts[0].cash == 123456789123456789LL);  // a double would give …123456791
    auto under = edit(base, "cash = \"500000\"", "cash = 1_000.5");
    r = pw::parse_config(under.text, "ok.toml");
    REQUIRE(r.ok());
    CHECK(r.config->accounts[0].cash == 1000500000000LL);
  }
  SUBCASE("a float with an exponent or too many decimals") {
    auto e = edit(base, "tick = \"5\"", "tick = 5e-1");
    CHECK(only_error(e.text).find("instruments[0].tick: expected a positive decimal number") != std::string::npos);
    CHECK(only_error(e.text).find("got 5e-1 (an exponent is not read exactly") != std::string::npos);
    auto f = edit(base, "tick = \"5\"", "tick = 0.0000000001");
    CHECK(only_error(f.text).find(at(f.line, "instruments[0].tick: expected a positive decimal")) == 0);
  }
  SUBCASE("a zero or negative price") {
    auto e = edit(base, "tick = \"0.5\"", "tick = 0");
    CHECK(only_error(e.text).find(at(e.line, "instruments[1].tick: expected a positive decimal number")) == 0);
  }
  SUBCASE("a duration without a unit") {
    auto e = edit(base, "max_staleness = \"2s\"", "max_staleness = 2000");
    CHECK(only_error(e.text) ==
          at(e.line, "instruments[0].limits.max_staleness: expected a positive duration such as \"500ms\", \"5s\" or \"1h\" (units ns, us, ms, s, m, h), got 2000"));
  }
  SUBCASE("a multicast endpoint without a port, and one that is not multicast") {
    auto e = edit(base, "line_a = \"239.255.10.1:41001\"", "line_a = \"239.255.10.1\"");
    CHECK(only_error(e.text) ==
          at(e.line, "feeds.channels[0].line_a: expected a multicast group and UDP port such as \"239.255.10.1:41001\", got \"239.255.10.1\""));
    auto u = edit(base, "line_a = \"239.255.10.1:41001\"", "line_a = \"10.1.0.1:41001\"");
    CHECK(only_error(u.text).find("feeds.channels[0].line_a: expected a multicast group") != std::string::npos);
  }
  SUBCASE("an unknown key, with the key it probably meant") {
    auto e = edit(base, "collar_bps = 200", "colar_bps = 200");
    pw::ConfigResult r = pw::parse_config(e.text, "bad.toml");
    REQUIRE(r.errors.size() == 2);  // the typo, and the limit it failed to set
    const std::string text = r.error_text();
    CHECK(text.find(at(e.line, "instruments[0].limits.colar_bps: unknown key (did you mean \"collar_bps\"?)")) != std::string::npos);
    CHECK(text.find("instruments[0].limits.collar_bps: missing (expected a positive integer)") != std::string::npos);
  }
  SUBCASE("an unknown section") {
    std::string text = base + "\n[metrics]\nport = 9000\n";
    CHECK(only_error(text) == at(line_of(text, "[metrics]"), "metrics: unknown key (known keys here: accounts, backend, control, feeds, firm, instruments, journal, market_data, order_entry, output, risk)"));
  }
  SUBCASE("a missing required key names the table") {
    auto e = edit(base, "tick = \"5\"", "");
    CHECK(only_error(e.text) ==
          at(line_of(base, "[[instruments]]"),
             "instruments[0].tick: missing (expected a positive decimal number with at most 9 decimals written as a string or number)"));
  }
  SUBCASE("a wrong type") {
    auto e = edit(base, "strict = false", "strict = \"no\"");
    CHECK(only_error(e.text) == at(e.line, "backend.strict: expected true or false, got \"no\""));
  }
  SUBCASE("a value outside a set") {
    auto e = edit(base, "preset = \"coinbase\"", "preset = \"coinbsae\"");
    CHECK(only_error(e.text) ==
          at(e.line, "instruments[0].mark.preset: expected one of \"coinbase\", \"binance\", \"bitmex\", \"hyperliquid\", \"kalshi\", \"kraken\", \"bybit\", \"okx\", \"bitnomial\", got \"coinbsae\""));
    auto k = edit(base, "kind = \"software\"", "kind = \"fpga\"");
    CHECK(only_error(k.text).find("backend.kind: expected one of \"software\", \"hls-csim\", \"verilator\", \"xrt\", got \"fpga\"") != std::string::npos);
  }
  SUBCASE("duplicates and dangling references") {
    auto e = edit(base, "symbol = \"ETP-20DEC30-CDE\"", "symbol = \"BIP-20DEC30-CDE\"");
    CHECK(only_error(e.text) == at(e.line, "instruments[1].symbol: \"BIP-20DEC30-CDE\" is already defined by instruments[0]"));
    auto ch = edit(base, "channel = 2", "channel = 3");
    CHECK(only_error(ch.text) == at(ch.line, "instruments[1].channel: expected one of the channels in [[feeds.channels]], got 3"));
    auto acc = edit(base, "name = \"desk-b\"", "name = \"desk-a\"");
    CHECK(only_error(acc.text) == at(acc.line, "accounts[1].name: \"desk-a\" is already defined by accounts[0]"));
  }
  SUBCASE("margin tiers must raise the margin rate") {
    auto e = edit(base, "{ up_to = \"5000000\", max_leverage = 5 }", "{ up_to = \"5000000\", max_leverage = 12 }");
    CHECK(only_error(e.text) ==
          at(e.line, "instruments[0].limits.margin_tiers[1].max_leverage: expected less than the previous tier's 10 (leverage falls as the notional grows), got 12"));
    auto last = edit(base, "{ max_leverage = 2 }", "{ up_to = \"9000000\", max_leverage = 2 }");
    CHECK(only_error(last.text).find("margin_tiers[2].up_to: the last tier covers every notional above the previous one") != std::string::npos);
  }
  SUBCASE("the control plane stays on loopback unless told otherwise") {
    auto e = edit(base, "bind = \"127.0.0.1\"", "bind = \"0.0.0.0\"");
    CHECK(only_error(e.text).find(at(e.line, "control.bind: the control plane can kill and reload")) == 0);
    auto clear = edit(e.text, "[control]", "[control]\nallow_remote = true");
    CHECK(only_error(clear.text).find(at(clear.line + 1, "control.allow_remote: a control plane reachable from the network needs TLS")) == 0);
    // The files only have to be readable here; the server loads them as PEM at start.
    const std::string pem = std::string(PERPWIRE_SOURCE_DIR) + "/config/perpwire.toml";
    auto ok = edit(clear.text, "allow_remote = true", "allow_remote = true\ntls_cert = \"" + pem + "\"\ntls_key = \"" + pem + "\"");
    CHECK(pw::parse_config(ok.text, "ok.toml").ok());
  }
  SUBCASE("a feed line needs a source: a capture, a DPDK port, or a DPDK port with a capture to fall back to") {
    auto e = edit(base, "dpdk_port = \"net_pcap1\"\npcap = \"out/session/feed_b.pcap\"", "");
    CHECK(only_error(e.text) == at(line_of(base, "[feeds.line_b]"), "feeds.line_b: missing pcap (a capture to replay) or dpdk_port (a DPDK port)"));
    pw::ConfigResult rb = pw::parse_config(base, "ok.toml");
    REQUIRE(rb.ok());
    CHECK(rb.config->feeds.line_b.source == pw::FeedSourceKind::dpdk);
    CHECK(rb.config->feeds.line_b.dpdk_port == "net_pcap1");
    CHECK(rb.config->feeds.line_b.pcap == "out/session/feed_b.pcap");
    auto d = edit(base, "dpdk_port = \"net_pcap0\"\npcap = \"out/session/feed_a.pcap\"", "dpdk_port = 0");
    pw::ConfigResult r = pw::parse_config(d.text, "ok.toml");
    REQUIRE(r.ok());
    CHECK(r.config->feeds.line_a.source == pw::FeedSourceKind::dpdk);
    CHECK(r.config->feeds.line_a.dpdk_port == "0");
  }
  SUBCASE("the xrt backend needs an xclbin") {
    auto e = edit(base, "kind = \"software\"", "kind = \"xrt\"");
    CHECK(only_error(e.text) == at(line_of(base, "[backend]"), "backend.xclbin: missing (expected the path of the .xclbin the xrt backend loads)"));
  }
  SUBCASE("a TOML syntax error gives its line") {
    auto e = edit(base, "max_position = 500", "max_position = = 500");
    std::string err = only_error(e.text);
    CHECK(err.find(at(e.line, "TOML syntax error: ")) == 0);
  }
  SUBCASE("every error is reported, in file order") {
    auto a = edit(base, "max_order_qty = 100", "max_order_qty = -5");
    auto b = edit(a.text, "max_order_qty = 200", "max_order_qty = 0");
    auto c = edit(b.text, "orders_per_second = 50", "orders_per_second = \"fast\"");
    auto d = edit(c.text, "port = 8686", "port = 70000");
    pw::ConfigResult r = pw::parse_config(d.text, "bad.toml");
    REQUIRE(r.errors.size() == 4);
    CHECK(r.errors[0].to_string() == at(a.line, "instruments[0].limits.max_order_qty: expected a positive integer, got -5"));
    CHECK(r.errors[1].to_string() == at(b.line, "instruments[1].limits.max_order_qty: expected a positive integer, got 0"));
    CHECK(r.errors[2].to_string() == at(c.line, "accounts[0].limits.orders_per_second: expected a positive integer, got \"fast\""));
    CHECK(r.errors[3].to_string() == at(d.line, "control.port: expected at most 65535, got 70000"));
  }
}

TEST_CASE("rates, durations and secrets") {
  const std::string base = slurp(kDefaultPath);
  auto e = edit(base, "preset = \"coinbase\"",
                "preset = \"coinbase\"\nfunding_interval = \"8h\"\nsample_interval = \"5s\"\ninterest_rate = \"0.01%\"\nclamp = \"0.0005\"\ncap = 0.04\n"
                "impact_notional = 20000\nma_window = \"1.5m\"\nma_sample = \"500ms\"");
  pw::ConfigResult r = pw::parse_config(e.text, "ok.toml");
  INFO(r.error_text());
  REQUIRE(r.ok());
  const pw::MarkFundingOverrides& m = r.config->instruments[0].mark;
  CHECK(*m.funding_interval_ns == 8LL * 3600 * 1000000000);
  CHECK(*m.sample_interval_ns == 5000000000LL);
  CHECK(*m.interest_rate == 100000);  // 0.01 % = 0.0001
  CHECK(*m.clamp == 500000);
  CHECK(*m.cap == 40000000);
  CHECK(*m.impact_notional == 20000LL * 1000000000);
  CHECK(*m.ma_window_ns == 90LL * 1000000000);
  CHECK(*m.ma_sample_ns == 500000000);
  CHECK_FALSE(r.config->instruments[1].mark.cap.has_value());

  auto bad = edit(base, "preset = \"coinbase\"", "preset = \"coinbase\"\nfunding_interval = \"1h\"\nsample_interval = \"2h\"");
  CHECK(only_error(bad.text).find("instruments[0].mark.sample_interval: expected at most the funding interval (1h)") != std::string::npos);

  auto env = edit(base, "password = \"replay-only\"", "password_env = \"PERPWIRE_TEST_OE_PASSWORD\"");
  ::unsetenv("PERPWIRE_TEST_OE_PASSWORD");
  CHECK(only_error(env.text) == at(env.line, "order_entry.password_env: the environment variable PERPWIRE_TEST_OE_PASSWORD is not set"));
  ::setenv("PERPWIRE_TEST_OE_PASSWORD", "s3cret", 1);
  r = pw::parse_config(env.text, "ok.toml");
  REQUIRE(r.ok());
  CHECK(r.config->order_entry.password == "s3cret");
  ::unsetenv("PERPWIRE_TEST_OE_PASSWORD");
}

TEST_CASE("a missing or unreadable file is one clear error") {
  pw::ConfigResult r = pw::load_config("/nonexistent/perpwire.toml");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].to_string() == "/nonexistent/perpwire.toml: cannot read the config file: No such file or directory");
  CHECK(r.config == nullptr);
}

TEST_CASE("reload validates fully and keeps the old config on any error") {
  const fs::path dir = fs::temp_directory_path() / ("perpwire_test_config_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "perpwire.toml").string();
  const std::string base = slurp(kDefaultPath);
  auto write = [&](const std::string& text) { std::ofstream(path) << text; };
  write(base);

  pw::ConfigResult first = pw::load_config(path);
  REQUIRE(first.ok());
  pw::ConfigStore store(first.config);
  std::shared_ptr<const pw::Config> before = store.current();

  // A bad value: errors back, the old config stays.
  write(edit(base, "max_order_qty = 100", "max_order_qty = -5").text);
  pw::ConfigResult bad = store.reload();
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].to_string().find(path + ":") == 0);
  CHECK(store.current() == before);
  CHECK(store.current()->instruments[0].limits.max_order_qty == 100);

  // A change that only applies at start: refused with one error, old config stays.
  auto refused_at_start = [&](const Edited& e) {
    write(e.text);
    pw::ConfigResult r = store.reload();
    REQUIRE(r.errors.size() == 1);
    CHECK(store.current() == before);
    return r.errors[0].to_string();
  };
  auto restart = edit(base, "tick = \"5\"", "tick = \"10\"");
  CHECK(refused_at_start(restart) ==
        path + ":" + std::to_string(restart.line) + ": instruments[0].tick: changed: this takes effect only at start; restart perpwire to apply it");
  // The gate's cancel-on-disconnect and cancel_after are read at start as well.
  CHECK(refused_at_start(edit(base, "cancel_on_disconnect = true", "cancel_on_disconnect = false"))
            .find("order_entry: the order-entry endpoint, login or session behaviour changed: this takes effect only at start") != std::string::npos);
  auto after = edit(base, "# funding_source = \"own\"", "cancel_after = \"2s\"");
  CHECK(refused_at_start(after) ==
        path + ":" + std::to_string(after.line) + ": risk.cancel_after: changed: this takes effect only at start; restart perpwire to apply it");

  // Limits apply live.
  write(edit(edit(base, "max_order_qty = 100", "max_order_qty = 60").text, "# funding_source = \"own\"", "funding_source = \"exchange\"").text);
  pw::ConfigResult good = store.reload();
  INFO(good.error_text());
  REQUIRE(good.ok());
  CHECK(store.current()->instruments[0].limits.max_order_qty == 60);
  CHECK(store.current()->risk.funding_source == pw::FundingSource::exchange);
  CHECK_FALSE(before->risk.funding_source.has_value());
  CHECK(before->instruments[0].limits.max_order_qty == 100);  // snapshots held by readers do not change

  // The file vanished: error, config unchanged.
  fs::remove(path);
  CHECK_FALSE(store.reload().ok());
  CHECK(store.current()->instruments[0].limits.max_order_qty == 60);
  fs::remove_all(dir);
}

TEST_CASE("config check prints a summary or every error") {
  std::ostringstream out, err;
  CHECK(pw::check_config(kDefaultPath, out, err) == 0);
  CHECK(err.str().empty());
  CHECK(out.str().find("2 instruments, 4 accounts\n") != std::string::npos);
  CHECK(out.str().find("  instrument BIP-20DEC30-CDE (id 1, channel 1, contract 0.01, tick 5, preset coinbase)\n") != std::string::npos);
  CHECK(out.str().find("  feed line B: DPDK net_pcap1 (fallback out/session/feed_b.pcap)\n") != std::string::npos);
  CHECK(out.str().find("  control plane: http://127.0.0.1:8686, output: out/run\n") != std::string::npos);
  CHECK(out.str().ends_with("ok\n"));
  std::ostringstream out2, err2;
  CHECK(pw::check_config("/nonexistent.toml", out2, err2) == 1);
  CHECK(err2.str() == "/nonexistent.toml: cannot read the config file: No such file or directory\n1 error in /nonexistent.toml\n");
}

TEST_CASE("max open orders: optional, positive, up to 1000000, carried into the account's limits") {
  const std::string base = slurp(kDefaultPath);
  const pw::ConfigResult plain = pw::parse_config(base, "bad.toml");
  REQUIRE(plain.ok());
  CHECK(plain.config->accounts[0].limits.max_open_orders == 0);  // left out: no limit
  auto on = edit(base, "# max_open_orders = 200\n# max_open_orders_per_instrument = 120",
                 "max_open_orders = 200\nmax_open_orders_per_instrument = 120");
  const pw::ConfigResult r = pw::parse_config(on.text, "bad.toml");
  REQUIRE_MESSAGE(r.ok(), r.error_text());
  CHECK(r.config->accounts[0].limits.max_open_orders == 200);
  CHECK(r.config->accounts[0].limits.max_open_orders_per_instrument == 120);
  CHECK(r.config->accounts[1].limits.max_open_orders == 0);
  CHECK(pw::validate(r.config->accounts[0].limits).ok());
  auto zero = edit(on.text, "max_open_orders = 200", "max_open_orders = 0");
  CHECK(only_error(zero.text) == at(zero.line, "accounts[0].limits.max_open_orders: expected a positive integer, got 0"));
  auto big = edit(on.text, "max_open_orders_per_instrument = 120", "max_open_orders_per_instrument = 1000001");
  CHECK(only_error(big.text) == at(big.line, "accounts[0].limits.max_open_orders_per_instrument: expected at most 1000000, got 1000001"));
  auto text = edit(on.text, "max_open_orders = 200", "max_open_orders = \"200\"");
  CHECK(only_error(text.text).find("accounts[0].limits.max_open_orders:") != std::string::npos);
}

TEST_CASE("duplicate order window: an optional duration up to an hour, carried into the account's limits") {
  const std::string base = slurp(kDefaultPath);
  const pw::ConfigResult plain = pw::parse_config(base, "bad.toml");
  REQUIRE(plain.ok());
  CHECK(plain.config->accounts[0].limits.duplicate_window_ns == 0);  // left out: off
  auto on = edit(base, "# duplicate_order_window = \"100ms\"", "duplicate_order_window = \"100ms\"");
  const pw::ConfigResult r = pw::parse_config(on.text, "bad.toml");
  REQUIRE_MESSAGE(r.ok(), r.error_text());
  CHECK(r.config->accounts[0].limits.duplicate_window_ns == 100000000);
  CHECK(r.config->accounts[1].limits.duplicate_window_ns == 1000000000);  // desk-b: "1s" in the shipped config
  CHECK(r.config->accounts[2].limits.duplicate_window_ns == 0);
  CHECK(pw::validate(r.config->accounts[0].limits).ok());
  auto hour = edit(on.text, "duplicate_order_window = \"100ms\"", "duplicate_order_window = \"1h\"");
  CHECK(pw::parse_config(hour.text, "bad.toml").ok());
  auto big = edit(on.text, "duplicate_order_window = \"100ms\"", "duplicate_order_window = \"61m\"");
  CHECK(only_error(big.text).find("accounts[0].limits.duplicate_order_window: expected a positive duration such as") != std::string::npos);
  CHECK(only_error(big.text).find("of at most 1h") != std::string::npos);
  auto number = edit(on.text, "duplicate_order_window = \"100ms\"", "duplicate_order_window = 100");
  CHECK(only_error(number.text).find("accounts[0].limits.duplicate_order_window:") != std::string::npos);
}

TEST_CASE("fill-rate throttle keys: optional counts, window and cool-down required with them, bounds, into the account's limits") {
  const std::string base = slurp(kDefaultPath);
  const pw::ConfigResult plain = pw::parse_config(base, "bad.toml");
  REQUIRE(plain.ok());
  CHECK(plain.config->accounts[0].limits.fill_rate_fills == 0);  // left out: off
  CHECK(plain.config->accounts[0].limits.fill_rate_qty == 0);
  // The shipped desk-b: one fill within a second allowed, 500 ms pause after the second.
  CHECK(plain.config->accounts[1].limits.fill_rate_fills == 1);
  CHECK(plain.config->accounts[1].limits.fill_rate_window_ns == 1000000000);
  CHECK(plain.config->accounts[1].limits.fill_rate_cooldown_ns == 500000000);
  auto on = edit(base, "# fill_rate_fills = 20\n# fill_rate_quantity = 300\n# fill_rate_window = \"1s\"\n# fill_rate_cooldown = \"5s\"",
                 "fill_rate_fills = 31\nfill_rate_quantity = 300\nfill_rate_window = \"1s\"\nfill_rate_cooldown = \"5s\"");
  const pw::ConfigResult r = pw::parse_config(on.text, "bad.toml");
  REQUIRE_MESSAGE(r.ok(), r.error_text());
  CHECK(r.config->accounts[0].limits.fill_rate_fills == 31);
  CHECK(r.config->accounts[0].limits.fill_rate_qty == 300);
  CHECK(r.config->accounts[0].limits.fill_rate_window_ns == 1000000000);
  CHECK(r.config->accounts[0].limits.fill_rate_cooldown_ns == 5000000000);
  CHECK(pw::validate(r.config->accounts[0].limits).ok());
  auto many = edit(on.text, "fill_rate_fills = 31", "fill_rate_fills = 32");  // past the ring
  CHECK(only_error(many.text).find("accounts[0].limits.fill_rate_fills:") != std::string::npos);
  auto no_window = edit(on.text, "fill_rate_window = \"1s\"\n", "");
  CHECK(only_error(no_window.text).find("accounts[0].limits.fill_rate_window: missing") != std::string::npos);
  auto long_window = edit(on.text, "fill_rate_window = \"1s\"", "fill_rate_window = \"61m\"");
  CHECK(only_error(long_window.text).find("of at most 1h") != std::string::npos);
  auto no_cooldown = edit(on.text, "fill_rate_cooldown = \"5s\"\n", "");
  CHECK(only_error(no_cooldown.text).find("accounts[0].limits.fill_rate_cooldown: missing") != std::string::npos);
  // Durations without a count are a mistake, not silently ignored.
  auto alone = edit(base, "# fill_rate_window = \"1s\"", "fill_rate_window = \"1s\"");
  CHECK(only_error(alone.text).find("accounts[0].limits.fill_rate_window: only with fill_rate_fills or fill_rate_quantity") !=
        std::string::npos);
}

TEST_CASE("loss limit key: an optional positive amount, into the account's limits") {
  const std::string base = slurp(kDefaultPath);
  const pw::ConfigResult plain = pw::parse_config(base, "bad.toml");
  REQUIRE(plain.ok());
  CHECK(plain.config->accounts[0].limits.loss_limit == 0);
  auto on = edit(base, "# loss_limit = \"25000\"", "loss_limit = \"25000\"");
  const pw::ConfigResult r = pw::parse_config(on.text, "bad.toml");
  REQUIRE_MESSAGE(r.ok(), r.error_text());
  CHECK(r.config->accounts[0].limits.loss_limit == 25000 * pw::kPriceScale);
  auto zero = edit(base, "# loss_limit = \"25000\"", "loss_limit = \"0\"");
  CHECK(only_error(zero.text).find("accounts[0].limits.loss_limit:") != std::string::npos);
  auto negative = edit(base, "# loss_limit = \"25000\"", "loss_limit = \"-5\"");
  CHECK(only_error(negative.text).find("accounts[0].limits.loss_limit:") != std::string::npos);
}

TEST_CASE("inputs fuzz_config_load found: each is an error, never a crash") {
  const std::string base = slurp(kDefaultPath);
  // A simulated exchange without host: the "simulator needs 127.0.0.1" check dereferenced the
  // absent key (undefined behaviour). Now only the missing key is reported.
  auto e = edit(base, "host = \"127.0.0.1\"\n", "", "[order_entry]");
  CHECK(only_error(e.text) == at(line_of(base, "[order_entry]"), "order_entry.host: missing (expected a host name or address)"));
}

TEST_CASE("order entry protocol: sbe by default, fix with a readable dictionary beside the config file") {
  const std::string base = slurp(kDefaultPath);
  const pw::ConfigResult plain = pw::parse_config(base, "config/perpwire.toml");
  REQUIRE(plain.ok());
  CHECK(plain.config->order_entry.protocol == pw::OrderEntryProtocol::sbe);
  // A relative dictionary path names a file beside the config file (config/fix/...).
  const std::string cfg = std::string(PERPWIRE_SOURCE_DIR) + "/config/perpwire.toml";
  auto fix = edit(base, "simulator = true", "simulator = true\nprotocol = \"fix\"\nfix_dictionary = \"fix/coinbase_derivatives_fix44.xml\"");
  const pw::ConfigResult r = pw::parse_config(fix.text, cfg);
  REQUIRE_MESSAGE(r.ok(), r.error_text());
  CHECK(r.config->order_entry.protocol == pw::OrderEntryProtocol::fix);
  CHECK(r.config->order_entry.fix_dictionary == std::string(PERPWIRE_SOURCE_DIR) + "/config/fix/coinbase_derivatives_fix44.xml");
  CHECK(r.config->order_entry.fix_sender_comp_id == "perpwire");  // the username
  CHECK(r.config->order_entry.fix_target_comp_id == "COIND");
  CHECK(r.config->order_entry.fix_account == "perpwire");
  CHECK(r.config->order_entry.fix_store_dir.empty());  // a temporary directory per run

  auto missing = edit(base, "simulator = true", "simulator = true\nprotocol = \"fix\"\nfix_dictionary = \"fix/nope.xml\"");
  CHECK(only_error(missing.text).find("order_entry.fix_dictionary: cannot read the data dictionary") != std::string::npos);
  auto none = edit(base, "simulator = true", "simulator = true\nprotocol = \"fix\"");
  CHECK(only_error(none.text).find("order_entry.fix_dictionary: missing") != std::string::npos);
  auto bad = edit(base, "simulator = true", "simulator = true\nprotocol = \"ouch\"");
  CHECK(only_error(bad.text).find("order_entry.protocol:") != std::string::npos);
  auto sbe_key = edit(base, "simulator = true", "simulator = true\nfix_store_dir = \"x\"");
  CHECK(only_error(sbe_key.text).find("order_entry.fix_store_dir: fix_store_dir is FIX's: only with protocol = \"fix\"") !=
        std::string::npos);
  auto comp = edit(base, "simulator = true",
                   "simulator = true\nprotocol = \"fix\"\nfix_sender_comp_id = \"A|B\"\nfix_dictionary = \"" +
                       r.config->order_entry.fix_dictionary + "\"");
  CHECK(only_error(comp.text).find("order_entry.fix_sender_comp_id: expected 1 to 32 characters") != std::string::npos);
}

TEST_CASE("account owner: accounts naming one owner share a group number, the first account's index + 1") {
  const std::string base = slurp(kDefaultPath);
  const pw::ConfigResult r = pw::parse_config(base, "bad.toml");
  REQUIRE_MESSAGE(r.ok(), r.error_text());
  CHECK(r.config->accounts[0].owner == "alpha");  // desk-a and desk-b in the shipped config
  CHECK(r.config->accounts[0].limits.owner == 1);
  CHECK(r.config->accounts[1].limits.owner == 1);
  CHECK(r.config->accounts[2].owner.empty());
  CHECK(r.config->accounts[2].limits.owner == 0);  // left out: none
  auto other = edit(base, "owner = \"alpha\"               # desk-a's owner", "owner = \"beta\"               # desk-a's owner");
  const pw::ConfigResult o = pw::parse_config(other.text, "bad.toml");
  REQUIRE_MESSAGE(o.ok(), o.error_text());
  CHECK(o.config->accounts[0].limits.owner == 1);
  CHECK(o.config->accounts[1].limits.owner == 2);  // a group of its own
  auto bad = edit(base, "owner = \"alpha\"               # desk-a's owner", "owner = \"al pha\"               # desk-a's owner");
  CHECK(only_error(bad.text) == at(bad.line, "accounts[1].owner: expected a name of 1 to 32 letters, digits, '-', '_' or '.', got \"al pha\""));
  auto number = edit(base, "owner = \"alpha\"               # desk-a's owner", "owner = 7               # desk-a's owner");
  CHECK(only_error(number.text).find("accounts[1].owner: expected a name") != std::string::npos);
}

TEST_CASE("throttle weights: optional per request kind, 0 up to the bucket's burst, for accounts and the session") {
  const std::string base = slurp(kDefaultPath);
  const pw::ConfigResult r = pw::parse_config(base, "bad.toml");
  REQUIRE_MESSAGE(r.ok(), r.error_text());
  const pw::AccountLimits& a = r.config->accounts[0].limits;  // left out: today's behaviour
  CHECK((a.throttle_weight_new == 1 && a.throttle_weight_replace == 1 && a.throttle_weight_cancel == 0));
  CHECK(r.config->accounts[2].limits.throttle_weight_cancel == 20);  // desk-c in the shipped config
  const pw::SessionLimits& s = r.config->order_entry.limits;
  CHECK((s.throttle_weight_new == 1 && s.throttle_weight_replace == 1 && s.throttle_weight_cancel == 0));
  auto on = edit(base, "# throttle_weight_replace = 1", "throttle_weight_replace = 3");
  const pw::ConfigResult o = pw::parse_config(on.text, "bad.toml");
  REQUIRE_MESSAGE(o.ok(), o.error_text());
  CHECK(o.config->accounts[0].limits.throttle_weight_replace == 3);
  auto big = edit(base, "throttle_weight_cancel = 20", "throttle_weight_cancel = 41");
  CHECK(only_error(big.text) == at(big.line, "accounts[2].limits.throttle_weight_cancel: expected at most order_burst (40), got 41"));
  auto neg = edit(base, "throttle_weight_cancel = 20", "throttle_weight_cancel = -1");
  CHECK(only_error(neg.text) == at(neg.line, "accounts[2].limits.throttle_weight_cancel: expected a non-negative integer, got -1"));
  auto session = edit(base, "order_burst = 200\n", "order_burst = 200\nthrottle_weight_cancel = 2\n");
  const pw::ConfigResult so = pw::parse_config(session.text, "bad.toml");
  REQUIRE_MESSAGE(so.ok(), so.error_text());
  CHECK(so.config->order_entry.limits.throttle_weight_cancel == 2);
  auto session_big = edit(base, "order_burst = 200\n", "order_burst = 200\nthrottle_weight_new = 201\n");
  CHECK(only_error(session_big.text).find("order_entry.throttle_weight_new: expected at most order_burst (200), got 201") != std::string::npos);
}

TEST_CASE("jump band: max_jump_bps with its window and settle time, all three or none") {
  const std::string base = slurp(kDefaultPath);
  const pw::ConfigResult r = pw::parse_config(base, "bad.toml");
  REQUIRE_MESSAGE(r.ok(), r.error_text());
  const pw::InstrumentLimits& btc = r.config->instruments[0].limits;  // the shipped config: BTC only
  CHECK(btc.max_jump_bps == 20);
  CHECK(btc.jump_window_ns == 1000000000);
  CHECK(btc.jump_settle_ns == 2000000000);
  CHECK(r.config->instruments[1].limits.max_jump_bps == 0);  // left out: off
  auto big = edit(base, "max_jump_bps = 20", "max_jump_bps = 1000001");
  CHECK(only_error(big.text) == at(big.line, "instruments[0].limits.max_jump_bps: expected at most 1000000, got 1000001"));
  auto no_window = edit(base, "jump_window = \"1s\"\n", "");
  CHECK(only_error(no_window.text).find("instruments[0].limits.jump_window: missing") != std::string::npos);
  auto long_settle = edit(base, "jump_settle = \"2s\"", "jump_settle = \"2h\"");
  CHECK(only_error(long_settle.text).find("instruments[0].limits.jump_settle: expected a positive duration") != std::string::npos);
  auto alone = edit(base, "max_jump_bps = 20\n", "");
  const pw::ConfigResult lone = pw::parse_config(alone.text, "bad.toml");
  CHECK(lone.error_text().find("instruments[0].limits.jump_window: only with max_jump_bps") != std::string::npos);
  CHECK(lone.error_text().find("instruments[0].limits.jump_settle: only with max_jump_bps") != std::string::npos);
}

TEST_CASE("market data source: sbe by default; kalshi_fix with host, port, CompIDs, symbols and readable dictionaries") {
  const std::string base = slurp(kDefaultPath);
  const pw::ConfigResult plain = pw::parse_config(base, "config/perpwire.toml");
  REQUIRE(plain.ok());
  CHECK(plain.config->market_data.source == pw::MarketDataSource::sbe);

  // The shipped Kalshi example: the kalshi preset, dictionaries beside the config file, no [feeds].
  const std::string kalshi_path = std::string(PERPWIRE_SOURCE_DIR) + "/config/kalshi.toml";
  const std::string kalshi = slurp(kalshi_path);
  const pw::ConfigResult k = pw::parse_config(kalshi, kalshi_path);
  REQUIRE_MESSAGE(k.ok(), k.error_text());
  const pw::MarketDataConfig& md = k.config->market_data;
  CHECK(md.source == pw::MarketDataSource::kalshi_fix);
  CHECK(md.host == "127.0.0.1");
  CHECK(md.port == 8233);
  CHECK(md.sender_comp_id == "your-fix-api-key");
  CHECK(md.target_comp_id == "KalshiMD");
  CHECK(md.symbols == std::vector<std::string>{"KXBTCPERP"});
  CHECK(md.transport_dictionary == std::string(PERPWIRE_SOURCE_DIR) + "/config/fix/kalshi_md_fixt11.xml");
  CHECK(md.app_dictionary == std::string(PERPWIRE_SOURCE_DIR) + "/config/fix/kalshi_md_fix50sp2.xml");
  CHECK(md.heartbeat_ns == 30LL * 1000000000);
  CHECK(md.qty_decimals == 2);
  CHECK(md.simulator);
  CHECK(md.simulator_capture == std::string(PERPWIRE_SOURCE_DIR) + "/config/../out/session/feed_a.pcap");
  REQUIRE(k.config->instruments.size() == 1);
  CHECK(k.config->instruments[0].preset == "kalshi");
  CHECK(k.config->instruments[0].contract_size == 100000);  // 0.0001 BTC
  CHECK(pw::config_summary(*k.config).find("market data: Kalshi FIX 127.0.0.1:8233") != std::string::npos);

  auto err = [&](const std::string& from, const std::string& to) {
    const pw::ConfigResult r = pw::parse_config(edit(kalshi, from, to).text, kalshi_path);
    REQUIRE(!r.ok());
    return r.error_text();
  };
  CHECK(err("source = \"kalshi_fix\"", "source = \"kalshi\"").find("market_data.source: expected one of \"sbe\", \"kalshi_fix\"") !=
        std::string::npos);
  CHECK(err("port = 8233 ", "port = 0 ").find("market_data.port:") != std::string::npos);
  CHECK(err("sender_comp_id = \"your-fix-api-key\"", "sender_comp_id = \"a b\"").find("market_data.sender_comp_id: expected the FIX API key") !=
        std::string::npos);
  CHECK(err("sender_comp_id = \"your-fix-api-key\"\n", "").find("market_data.sender_comp_id: missing") != std::string::npos);
  CHECK(err("symbols = [\"KXBTCPERP\"]", "symbols = [\"KXETHPERP\"]")
            .find("market_data.symbols: \"KXETHPERP\" is not one of the [[instruments]]") != std::string::npos);
  CHECK(err("fix/kalshi_md_fixt11.xml", "fix/nope.xml").find("market_data.transport_dictionary: cannot read the data dictionary") !=
        std::string::npos);
  CHECK(err("heartbeat = \"30s\"", "heartbeat = \"1500ms\"").find("market_data.heartbeat: expected whole seconds") != std::string::npos);
  CHECK(err("qty_decimals = 2 ", "qty_decimals = 7 ").find("market_data.qty_decimals:") != std::string::npos);
  CHECK(err("simulator = true", "simulator = false").find("market_data.simulator_capture: simulator_capture is the simulated publisher's") !=
        std::string::npos);
  CHECK(err("simulator_capture = \"../out/session/feed_a.pcap\"\n", "").find("market_data.simulator_capture: missing") != std::string::npos);
  CHECK(err("host = \"127.0.0.1\"", "host = \"fix.kalshi.com\"").find("market_data.host: expected \"127.0.0.1\" when simulator = true") !=
        std::string::npos);
  CHECK(err("[control]", "[feeds]\nreorder_wait = \"1ms\"\n\n[control]").find("feeds: [feeds] is the SBE feed's") != std::string::npos);
  // Without Kalshi FIX, its keys are errors, and [feeds] is required as before.
  CHECK(err("source = \"kalshi_fix\"", "source = \"sbe\"").find("market_data.host: host is Kalshi FIX market data's") != std::string::npos);
  auto sbe_key = edit(base, "[feeds]", "[market_data]\nsource = \"sbe\"\nport = 1\n\n[feeds]");
  CHECK(only_error(sbe_key.text).find("market_data.port: port is Kalshi FIX market data's: only with source = \"kalshi_fix\"") !=
        std::string::npos);
}
