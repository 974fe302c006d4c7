// Three perpwire processes — one per venue, each trading the built-in session against its own
// simulated exchange — sharing one firm limit over a 3-node NATS JetStream cluster on loopback:
// - the fills in the stream never add up to more than the firm limit, and each is stored once;
// - one NATS node of three killed mid-run: every host finishes, every fill is stored;
// - a host that cannot reach NATS refuses whatever needs a slice;
// - the firm kill switch (`perpwire firm kill`) stops every host's orders.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "host/config/config.hpp"
#include "host/firm/firm_agent.hpp"
#include "host/firm/firm_view.hpp"
#include "host/firm/nats_link.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/support/run_config.hpp"

using pw::test::NatsNode;
using pw::test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr int64_t U = 1000000000;
constexpr int64_t kFirmNotional = 1200000;  // below what three unconstrained hosts trade (~1.5 M)

int sh(const std::string& cmd) {
  const int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string firm_section(const std::string& servers, const std::string& host, const std::string& venue) {
  return "\n[firm]\nservers = [" + servers + "]\nhost_id = \"" + host + "\"\nvenue = \"" + venue +
         "\"\nreplicas = 3\ndaily_notional_limit = \"" + std::to_string(kFirmNotional) +
         "\"\nnotional_slice = \"100000\"\n"
         "[[firm.groups]]\nname = \"BTC\"\ninstruments = [\"BIP-20DEC30-CDE\"]\nmax_position = \"1\"\nslice = \"0.1\"\n";
}

fs::path write_host_config(const fs::path& dir, const fs::path& session, const std::string& servers,
                           const std::string& host, const std::string& venue) {
  const fs::path p = dir / (host + ".toml");
  std::ofstream(p) << pw::test::run_config_text(session, dir / host, false, 0, false)
                   << firm_section(servers, host, venue);
  return p;
}

// `perpwire run` of one host; its exit status.
int run_host(const fs::path& config, const fs::path& log, double speed) {
  return sh(std::string(PERPWIRE_BIN) + " run --config '" + config.string() + "' --speed " + std::to_string(speed) +
            " --quiet > '" + log.string() + "' 2>&1");
}

uint64_t count_of(const std::string& text, const std::string& needle) {
  uint64_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// From a run's report: "fills: N stored in the firm's stream, M were already there, P not stored".
std::array<uint64_t, 3> firm_fills(const fs::path& report) {
  const std::string t = read_text(report);
  std::smatch m;
  REQUIRE_MESSAGE(std::regex_search(t, m, std::regex("fills: (\\d+) stored in the firm's stream, (\\d+) were already there, (\\d+) not")),
                  t);
  return {std::stoull(m[1]), std::stoull(m[2]), std::stoull(m[3])};
}

// The firm view, waiting while the cluster elects a new stream leader after a node loss.
pw::firm::FirmView read_view(const pw::FirmConfig& firm) {
  pw::firm::FirmView v;
  std::string err;
  for (int i = 0; i < 40; ++i) {
    if (pw::firm::read_firm_view(firm, v, err)) return v;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  FAIL("the firm view cannot be read: " << err);
  return v;
}

}  // namespace

TEST_CASE("three hosts under one firm limit on a 3-node NATS cluster") {
  REQUIRE_MESSAGE(pw::test::nats_server_available(), "nats-server is not installed (scripts/setup.sh installs it)");
  TempDir dir("perpwire-firm-hosts");
  REQUIRE(sh(std::string(PERPWIRE_BIN) + " gen --out '" + (dir.path / "session").string() + "' --seed 1 --loss-both 3 > /dev/null") == 0);

  pw::test::NatsCluster nodes(dir.path, 3);
  REQUIRE(nodes.start());
  std::string servers;
  for (const std::string& url : nodes.urls()) servers += (servers.empty() ? "\"" : ", \"") + url + "\"";

  {  // the cluster is up when it has elected its JetStream leader and holds the R3 bucket and stream
    pw::firm::NatsLinkOptions o;
    o.servers = nodes.urls();
    o.replicas = 3;
    pw::firm::NatsLink admin;
    std::string err;
    REQUIRE_MESSAGE(pw::test::open_when_ready(admin, o, err), err);
  }

  const char* hosts[3] = {"cde-host", "kalshi-host", "kraken-host"};
  const char* venues[3] = {"coinbase", "kalshi", "kraken"};
  fs::path configs[3];
  for (int k = 0; k < 3; ++k) configs[k] = write_host_config(dir.path, dir.path / "session", servers, hosts[k], venues[k]);

  // The three at once, paced so that the node loss falls in the middle of their runs.
  int rc[3] = {-1, -1, -1};
  std::thread runs[3];
  for (int k = 0; k < 3; ++k)
    runs[k] = std::thread([&, k] { rc[k] = run_host(configs[k], dir.path / (std::string(hosts[k]) + ".log"), 1500); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  nodes.node(0).kill_now();  // the R3 bucket and stream keep a quorum of two
  for (auto& t : runs) t.join();

  uint64_t stored = 0, already = 0, waiting = 0, credit_rejects = 0;
  for (int k = 0; k < 3; ++k) {
    INFO(hosts[k] << ": " << read_text(dir.path / (std::string(hosts[k]) + ".log")));
    REQUIRE(rc[k] == 0);
    const auto f = firm_fills(dir.path / hosts[k] / "report.md");
    stored += f[0];
    already += f[1];
    waiting += f[2];
    credit_rejects += count_of(read_text(dir.path / hosts[k] / "decisions.jsonl"), "\"reason_name\":\"credit_limit\"");
  }
  CHECK(waiting == 0);  // every fill reached the stream, node loss or not
  CHECK(credit_rejects > 0);  // the firm limit bound: the hosts together wanted more

  auto cfg = pw::load_config(configs[1].string());
  REQUIRE(cfg.ok());
  pw::firm::FirmView v = read_view(cfg.config->firm);
  MESSAGE(pw::firm::firm_view_text(v));
  // Each fill is in the stream once: acknowledged, or (a publish whose answer timed out, sent
  // again) answered as already there.
  CHECK(v.fill_messages == stored + already);
  CHECK(v.repeated == 0);
  CHECK(v.unreadable == 0);
  CHECK(v.by_host.size() == 3);
  CHECK(v.total.notional_today > 0);
  CHECK(v.total.notional_today <= kFirmNotional * U);  // the firm limit, summed from the stream
  for (const auto& [key, a] : v.limits) CHECK(a.granted() <= a.limit);
  const auto btc = v.total.units.find("BTC");
  if (btc != v.total.units.end()) CHECK(std::llabs(btc->second) <= 1 * U);

  // The same view as Prometheus metrics, and a config without [firm] refused with its reason.
  const fs::path prom = dir.path / "firm.prom";
  REQUIRE(sh(std::string(PERPWIRE_BIN) + " firm status --prometheus --config '" + configs[1].string() + "' > '" +
             prom.string() + "' 2>&1") == 0);
  const std::string metrics = read_text(prom);
  CHECK(metrics.find("perpwire_firm_limit{limit=\"position.BTC\"} 1\n") != std::string::npos);
  CHECK(metrics.find("perpwire_firm_fills_total{venue=\"") != std::string::npos);
  const fs::path plain = dir.path / "plain.toml";
  std::ofstream(plain) << pw::test::run_config_text(dir.path / "session", dir.path / "plain", false, 0, false);
  const fs::path refused = dir.path / "refused.txt";
  CHECK(sh(std::string(PERPWIRE_BIN) + " firm status --config '" + plain.string() + "' > '" + refused.string() + "' 2>&1") == 2);
  CHECK(read_text(refused).find("has no [firm] section") != std::string::npos);

  // The lost node back (with its store): the cluster whole again for what follows.
  REQUIRE(nodes.start(0));
  read_view(cfg.config->firm);

  // A host that cannot reach NATS: nothing that needs a slice goes out.
  const fs::path cut = write_host_config(dir.path, dir.path / "session",
                                         "\"nats://127.0.0.1:" + std::to_string(pw::test::free_loopback_port()) + "\"",
                                         "cut-host", "coinbase");
  REQUIRE(run_host(cut, dir.path / "cut-host.log", 0) == 0);
  const std::string cut_decisions = read_text(dir.path / "cut-host" / "decisions.jsonl");
  CHECK(count_of(cut_decisions, "\"accepted\":1") == 0);
  CHECK(count_of(cut_decisions, "\"reason_name\":\"credit_limit\"") > 0);
  CHECK(read_text(dir.path / "cut-host" / "report.md").find("NATS unreachable at start") != std::string::npos);

  // A host killed mid-run (SIGKILL) keeps its lease; restarted, it counts the fills it had recorded.
  {
    // posix_spawn, not fork: this process has the NATS client's threads running.
    const std::string log = (dir.path / "killed-host.log").string();
    posix_spawn_file_actions_t io;
    posix_spawn_file_actions_init(&io);
    posix_spawn_file_actions_addopen(&io, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&io, 1, 2);
    std::string config = configs[0].string();
    char* argv[] = {(char*)PERPWIRE_BIN, (char*)"run", (char*)"--config", config.data(), (char*)"--speed",
                    (char*)"1500", (char*)"--quiet", nullptr};
    pid_t pid = -1;
    REQUIRE(posix_spawn(&pid, PERPWIRE_BIN, &io, nullptr, argv, environ) == 0);
    posix_spawn_file_actions_destroy(&io);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  v = read_view(cfg.config->firm);
  // The host's leases over all its desks (its fills are counted per host, every desk together).
  int64_t lease = 0;
  for (const pw::AccountConfig& ac : cfg.config->accounts)
    lease += v.limits.at(pw::firm::notional_key(v.day)).held_by("cde-host/" + ac.name);
  uint64_t cde_fills = 0;
  int64_t cde_notional = 0;
  for (const auto& [who, u] : v.by_host)
    if (who.find(" cde-host") != std::string::npos) cde_fills += u.fills, cde_notional += u.notional_today;
  CHECK(cde_notional > 0);
  CHECK(lease >= cde_notional);  // the lease still covers every fill of the host, the killed run's included
  REQUIRE(run_host(configs[0], dir.path / "restarted.log", 0) == 0);
  const std::string restarted = read_text(dir.path / hosts[0] / "report.md");
  const size_t note = restarted.find("firm:");
  INFO("fills of cde-host in the stream: " << cde_fills << "; report: " << (note == std::string::npos ? restarted : restarted.substr(note, 300)));
  CHECK(restarted.find(std::to_string(cde_fills) + " of earlier runs counted") != std::string::npos);

  // The firm kill switch engaged while the three trade: from its first refusal on, a host accepts nothing.
  for (int k = 0; k < 3; ++k)
    runs[k] = std::thread([&, k] { rc[k] = run_host(configs[k], dir.path / (std::string(hosts[k]) + "-2.log"), 1500); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  REQUIRE(sh(std::string(PERPWIRE_BIN) + " firm kill --config '" + configs[0].string() + "' > /dev/null") == 0);
  for (auto& t : runs) t.join();
  for (int k = 0; k < 3; ++k) {
    REQUIRE(rc[k] == 0);
    const std::string d = read_text(dir.path / hosts[k] / "decisions.jsonl");
    const size_t first_kill = d.find("\"reason_name\":\"kill_switch\"");
    REQUIRE_MESSAGE(first_kill != std::string::npos, hosts[k] << " never saw the firm kill switch");
    CHECK(d.find("\"accepted\":1", first_kill) == std::string::npos);
  }

  // A host that starts while it is engaged sends nothing.
  REQUIRE(sh(std::string(PERPWIRE_BIN) + " firm kill --config '" + configs[1].string() + "' > /dev/null") == 0);
  REQUIRE(run_host(configs[2], dir.path / "killed.log", 0) == 0);
  const std::string killed = read_text(dir.path / hosts[2] / "decisions.jsonl");
  CHECK(count_of(killed, "\"accepted\":1") == 0);
  CHECK(count_of(killed, "\"reason_name\":\"kill_switch\"") == count_of(killed, "\"kind\":\"decision\""));
  REQUIRE(sh(std::string(PERPWIRE_BIN) + " firm unkill --config '" + configs[1].string() + "' > /dev/null") == 0);
  CHECK_FALSE(read_view(cfg.config->firm).kill);
}
