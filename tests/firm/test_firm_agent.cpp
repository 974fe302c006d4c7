// The firm agent against a real nats-server (JetStream) on loopback:
// - slices at start, another one at the low-water mark, the unused part given back at a clean stop;
// - a host killed and restarted takes over its lease and counts the fills it had recorded, and
//   nobody else is granted that lease meanwhile;
// - NATS gone: the caps never grow, fills wait and are stored once it is back, exactly once;
// - the firm kill flag is read before the first order and obeyed while running;
// - NATS unreachable at start: every firm-limited cap is zero (fail closed).
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "host/firm/firm_agent.hpp"
#include "host/firm/firm_view.hpp"
#include "tests/support/nats_server.hpp"

using namespace pw::firm;
using pw::test::NatsNode;
using pw::test::TempDir;

namespace {

constexpr int64_t U = 1000000000;  // ×1e-9

// config/perpwire.toml (4 accounts; BIP contract 0.01 BTC, ETP 0.1 ETH) with a [firm] section:
// daily notional 150,000 in slices of 100,000; BTC position 10 in slices of 2.
std::shared_ptr<const pw::Config> firm_config(const std::string& url, const std::string& host) {
  std::ifstream in(std::string(PERPWIRE_SOURCE_DIR) + "/config/perpwire.toml");
  std::stringstream ss;
  ss << in.rdbuf() << "\n[firm]\nservers = [\"" << url << "\"]\nhost_id = \"" << host
     << "\"\nvenue = \"cde\"\ndaily_notional_limit = \"150000\"\nnotional_slice = \"100000\"\n"
        "[[firm.groups]]\nname = \"BTC\"\ninstruments = [\"BIP-20DEC30-CDE\"]\nmax_position = \"10\"\nslice = \"2\"\n";
  pw::ConfigResult r = pw::parse_config(ss.str(), "firm.toml");
  REQUIRE_MESSAGE(r.ok(), r.error_text());
  return r.config;
}

// Waits (bounded) for something the agent's thread does.
bool eventually(const std::function<bool()>& done, int ms = 5000) {
  for (int i = 0; i < ms / 10; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

FirmCaps latest_caps(FirmAgent& agent) {
  FirmCaps c{};
  while (agent.take_caps(c)) {
  }
  return c;
}

void post_usage(FirmAgent& agent, int64_t notional0, int64_t btc_contracts0) {
  FirmUsage& u = agent.usage().back();
  u = FirmUsage{};
  u.notional[0] = notional0;
  u.contracts[0][0] = btc_contracts0;
  agent.usage().publish();
}

int64_t held_in_bucket(const std::string& url, const std::string& key, const std::string& holder) {
  NatsLink link;
  NatsLinkOptions o;
  o.servers = {url};
  std::string err;
  REQUIRE_MESSAGE(link.open(o, err), err);
  SliceClient sc(link);
  Allocation a;
  REQUIRE_MESSAGE(sc.read(key, a, err), err);
  return a.held_by(holder);
}

}  // namespace

TEST_CASE("firm agent: slices at start, more at the low-water mark, the unused part given back") {
  REQUIRE_MESSAGE(pw::test::nats_server_available(), "nats-server is not installed (scripts/setup.sh installs it)");
  TempDir dir("perpwire-agent");
  NatsNode server;
  REQUIRE(server.start(dir.path / "n1", "n1", pw::test::free_loopback_port(), 0, {}));
  auto cfg = firm_config(server.url(), "host-a");
  const std::string day = utc_day();

  FirmAgent agent(*cfg, "cde");
  agent.start();
  FirmCaps c = latest_caps(agent);
  CHECK(c.notional[0] == 100000 * U);  // desk-a's first slice
  CHECK(c.notional[1] == 50000 * U);   // desk-b: what was left of 150,000
  CHECK(c.notional[2] == 0);           // desk-c: nothing left — it may not add notional
  CHECK(c.contracts[0][0] == 200);     // 2 BTC / 0.01 BTC per contract
  CHECK(c.contracts[0][1] == kNoCap);  // ETH is in no firm group
  CHECK(agent.status().connected);
  CHECK_FALSE(agent.kill());
  const nlohmann::json j = firm_status_json(agent.status());  // GET /status's "firm"
  CHECK(j["connected"] == true);
  CHECK(j["slices"].size() == 8);  // 4 accounts' notional, 4 accounts × the BTC instrument
  CHECK(j["slices"][0]["held"] == "100000");

  // desk-a's BTC headroom falls under 25 % of a slice: the agent asks for another.
  post_usage(agent, 10000 * U, 170);
  REQUIRE(eventually([&] { return agent.take_caps(c) && c.contracts[0][0] == 400; }));

  // Fills go to the stream once.
  for (int k = 1; k <= 3; ++k) CHECK(agent.fills().push({k, 1000 + k, 60000 * U, 2, 0, 0, +1}));
  REQUIRE(eventually([&] { return agent.status().fills_published == 3; }));

  // A clean stop keeps what the host uses (its 170 contracts, its 10,000 notional) and gives the rest back.
  agent.stop(true);
  const FirmStatus st = agent.status();
  // desk-a: 90,000 of notional and 4 − 1.7 BTC; desk-b's 50,000 and desk-b's, desk-c's and desk-d's 2 BTC each.
  CHECK(st.released.at(notional_key(day)) == (90000 + 50000) * U);
  CHECK(st.released.at(position_key("BTC")) == 2300000000 + 6 * U);
  CHECK(held_in_bucket(server.url(), notional_key(day), "host-a/desk-a") == 10000 * U);
  CHECK(held_in_bucket(server.url(), position_key("BTC"), "host-a/desk-a/BIP-20DEC30-CDE") == 170 * U / 100);
}

TEST_CASE("firm agent: a host restarted takes over its lease and counts the fills it recorded") {
  REQUIRE_MESSAGE(pw::test::nats_server_available(), "nats-server is not installed (scripts/setup.sh installs it)");
  TempDir dir("perpwire-agent-restart");
  NatsNode server;
  REQUIRE(server.start(dir.path / "n1", "n1", pw::test::free_loopback_port(), 0, {}));
  const std::string day = utc_day();
  auto cfg_a = firm_config(server.url(), "host-a");
  auto cfg_b = firm_config(server.url(), "host-b");

  int64_t fill_notional = 0;
  {
    FirmAgent a1(*cfg_a, "cde");
    a1.start();
    // desk-a buys 5 BTC contracts (0.05 BTC) at 60,000 in two fills, then the host dies.
    CHECK(a1.fills().push({11, 1, 60000 * U, 3, 0, 0, +1}));
    CHECK(a1.fills().push({12, 2, 60000 * U, 2, 0, 0, +1}));
    fill_notional = 5 * 60000 * U / 100;
    REQUIRE(eventually([&] { return a1.status().fills_published == 2; }));
  }  // destroyed without a clean stop: the lease stays
  CHECK(held_in_bucket(server.url(), notional_key(day), "host-a/desk-a") == 100000 * U);

  // Another host cannot be granted host-a's lease: host-a's two slices took all 150,000.
  FirmAgent b(*cfg_b, "kraken");
  b.start();
  FirmCaps cb = latest_caps(b);
  CHECK(cb.notional[0] == 0);
  CHECK(cb.contracts[0][0] == 200);  // of BTC's 10, host-a holds 6

  FirmAgent a2(*cfg_a, "cde");
  a2.start();
  const FirmStatus st = a2.status();
  CHECK(st.fills_recovered == 2);
  FirmCaps ca = latest_caps(a2);
  CHECK(ca.notional[0] == 100000 * U - fill_notional);  // the lease, less what the recorded fills used
  CHECK(ca.contracts[0][0] == 195);                     // (2 − 0.05 BTC) / 0.01
  // A fill re-sent after the restart (same venue and execution id) is stored once.
  CHECK(a2.fills().push({12, 2, 60000 * U, 2, 0, 0, +1}));
  REQUIRE(eventually([&] { return a2.status().fills_duplicate == 1; }));
}

TEST_CASE("firm agent: with NATS gone the caps never grow, and fills are stored once it is back") {
  REQUIRE_MESSAGE(pw::test::nats_server_available(), "nats-server is not installed (scripts/setup.sh installs it)");
  TempDir dir("perpwire-agent-lost");
  const uint16_t port = pw::test::free_loopback_port();
  NatsNode server;
  REQUIRE(server.start(dir.path / "n1", "n1", port, 0, {}));
  auto cfg = firm_config(server.url(), "host-a");

  FirmAgent agent(*cfg, "cde");
  agent.start();
  FirmCaps c = latest_caps(agent);
  REQUIRE(c.contracts[0][0] == 200);
  server.kill_now();
  REQUIRE(eventually([&] { return !agent.status().connected; }));

  post_usage(agent, 0, 190);  // would ask for more
  for (int k = 1; k <= 4; ++k) CHECK(agent.fills().push({100 + k, k, 60000 * U, 1, 0, 0, -1}));
  // (the agent's thread may first sit out the timeout of a request that was under way)
  CHECK(eventually([&] { return agent.status().fills_pending == 4; }));
  CHECK_FALSE(agent.take_caps(c));  // nothing new: the host trades inside what it holds

  REQUIRE(server.start(dir.path / "n1", "n1", port, 0, {}));  // back, with its store
  REQUIRE(eventually([&] { return agent.status().fills_published == 4; }, 10000));
  REQUIRE(eventually([&] { return agent.take_caps(c) && c.contracts[0][0] == 400; }, 10000));
  CHECK(agent.status().fills_pending == 0);
}

TEST_CASE("firm agent: the kill flag is read before the first order and obeyed while running") {
  REQUIRE_MESSAGE(pw::test::nats_server_available(), "nats-server is not installed (scripts/setup.sh installs it)");
  TempDir dir("perpwire-agent-kill");
  NatsNode server;
  REQUIRE(server.start(dir.path / "n1", "n1", pw::test::free_loopback_port(), 0, {}));
  auto cfg = firm_config(server.url(), "host-a");

  NatsLink admin;
  NatsLinkOptions o;
  o.servers = {server.url()};
  std::string err;
  REQUIRE_MESSAGE(admin.open(o, err), err);
  REQUIRE(admin.put(kKillKey, "1", err) == KvResult::ok);

  FirmAgent agent(*cfg, "cde");
  agent.start();
  CHECK(agent.kill());  // engaged before anything could be sent
  CHECK(agent.status().kill_known);
  REQUIRE(admin.put(kKillKey, "0", err) == KvResult::ok);
  CHECK(eventually([&] { return !agent.kill(); }));
  REQUIRE(admin.put(kKillKey, "1", err) == KvResult::ok);
  CHECK(eventually([&] { return agent.kill(); }));
}

TEST_CASE("firm agent: NATS unreachable at start refuses whatever needs a slice, and keeps its fills for later") {
  TempDir dir("perpwire-agent-spool");
  const uint16_t port = pw::test::free_loopback_port();
  auto cfg = firm_config("nats://127.0.0.1:" + std::to_string(port), "host-a");
  const std::string spool = (dir.path / "firm_unsent_fills.txt").string();
  {
    FirmAgent agent(*cfg, "cde");
    agent.set_spool(spool);
    agent.start();
    const FirmCaps c = latest_caps(agent);
    for (int a = 0; a < 3; ++a) {
      CHECK(c.notional[a] == 0);
      CHECK(c.contracts[a][0] == 0);
      CHECK(c.contracts[a][1] == kNoCap);
    }
    const FirmStatus st = agent.status();
    CHECK_FALSE(st.connected);
    CHECK_FALSE(st.kill_known);
    CHECK_FALSE(st.last_error.empty());
    // Fills of orders sent before (say, of a slice held from an earlier run) are not lost.
    CHECK(agent.fills().push({7, 1, 60000 * U, 2, 0, 0, +1}));
    CHECK(agent.fills().push({8, 2, 60000 * U, 1, 0, 0, -1}));
    REQUIRE(eventually([&] { return agent.status().fills_pending == 2; }));
    agent.stop(true);
  }
  REQUIRE(std::filesystem::exists(spool));

  if (!pw::test::nats_server_available()) return;
  NatsNode server;
  REQUIRE(server.start(dir.path / "n1", "n1", port, 0, {}));
  FirmAgent again(*cfg, "cde");
  again.set_spool(spool);
  again.start();
  CHECK(again.status().fills_recovered == 2);  // counted against the slices before anything else
  REQUIRE(eventually([&] { return again.status().fills_published == 2; }));
  CHECK(eventually([&] { return !std::filesystem::exists(spool); }));
}

TEST_CASE("worst-case contracts: the larger side of position and open orders") {
  CHECK(worst_case_contracts(0, 0, 0) == 0);
  CHECK(worst_case_contracts(5, 3, 0) == 8);
  CHECK(worst_case_contracts(5, 0, 12) == 7);
  CHECK(worst_case_contracts(-4, 1, 2) == 6);
}

TEST_CASE("firm reclaim: the slices of a host that is gone come back once its fills are accounted for") {
  REQUIRE_MESSAGE(pw::test::nats_server_available(), "nats-server is not installed (scripts/setup.sh installs it)");
  TempDir dir("perpwire-agent-reclaim");
  NatsNode server;
  REQUIRE(server.start(dir.path / "n1", "n1", pw::test::free_loopback_port(), 0, {}));
  const std::string day = utc_day();
  auto cfg_a = firm_config(server.url(), "host-a");
  {
    FirmAgent a(*cfg_a, "cde");
    a.start();
    CHECK(a.fills().push({21, 1, 60000 * U, 4, 0, 0, +1}));  // 4 BIP contracts = 0.04 BTC, 2,400 of notional
    REQUIRE(eventually([&] { return a.status().fills_published == 1; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }  // gone without a clean stop
  std::string report, err;
  // Seen running a moment ago: refused, nothing taken.
  CHECK_FALSE(reclaim_lease(cfg_a->firm, "host-a", 10000, report, err));
  CHECK(err.find("was running") != std::string::npos);
  CHECK(held_in_bucket(server.url(), notional_key(day), "host-a/desk-a") == 100000 * U);

  REQUIRE_MESSAGE(reclaim_lease(cfg_a->firm, "host-a", 0, report, err), err);
  MESSAGE(report);
  CHECK(held_in_bucket(server.url(), notional_key(day), "host-a/desk-a") == 2400 * U);  // what its fill used
  CHECK(held_in_bucket(server.url(), notional_key(day), "host-a/desk-b") == 0);
  CHECK(held_in_bucket(server.url(), position_key("BTC"), "host-a/desk-a/BIP-20DEC30-CDE") == 4 * U / 100);

  // The freed part goes to whoever asks next.
  auto cfg_b = firm_config(server.url(), "host-b");
  FirmAgent b(*cfg_b, "kraken");
  b.start();
  const FirmCaps cb = latest_caps(b);
  CHECK(cb.notional[0] == 100000 * U);
  CHECK(cb.notional[1] == 150000 * U - 2400 * U - 100000 * U);
}
