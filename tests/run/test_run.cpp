// `perpwire run` and `perpwire replay` end to end, as separate processes (DPDK's EAL initialises
// once per process, and the signals are real): the same session through DPDK net_pcap and through
// libpcap gives identical decision logs; every link type gives what Ethernet gives, and one that
// is not parsed is refused; bad configurations give their documented errors; the control plane is
// scraped while the run goes on; SIGTERM mid-run leaves a complete report.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "host/control/control_client.hpp"
#include "host/sessiongen/session_generator.hpp"
#include "tests/support/link_convert.hpp"
#include "tests/support/run_config.hpp"
#include "tests/support/slurp.hpp"

namespace fs = std::filesystem;

namespace {

using pw::test::slurp;

const fs::path& work_dir() {
  static const fs::path d = [] {
    fs::path p = fs::temp_directory_path() / ("perpwire_run_" + std::to_string(::getpid()));
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
  }();
  return d;
}

// A short generated session shared by the tests (a few thousand orders' worth of market).
const fs::path& session() {
  static const fs::path d = [] {
    pw::GenOptions g;
    g.seed = 3;
    g.events = 40000;
    g.duration_ns = 6LL * 60 * 1000000000LL;
    g.faults.loss_both = 2;  // two real gaps: the books recover, orders meanwhile are refused
    std::string error;
    pw::GenResult r;
    const fs::path dir = work_dir() / "session";
    REQUIRE_MESSAGE(pw::generate_session(g, dir.string(), r, error), error);
    return dir;
  }();
  return d;
}

uint16_t free_port(int k) { return (uint16_t)(20000 + (::getpid() * 7 + k * 131) % 30000); }

// config/perpwire.toml with the session, ports and folders of this test.
fs::path write_config(const std::string& name, bool dpdk, uint16_t control_port, bool control = true) {
  const fs::path p = work_dir() / (name + ".toml");
  std::ofstream(p) << pw::test::run_config_text(session(), work_dir() / name, dpdk, control_port, control);
  return p;
}

struct Result {
  int status = -1;
  std::string out, err;
};

Result run(const std::vector<std::string>& args, const std::string& name) {
  std::string cmd = PERPWIRE_BIN;
  for (const std::string& a : args) cmd += " '" + a + "'";
  const fs::path out = work_dir() / (name + ".stdout"), err = work_dir() / (name + ".stderr");
  cmd += " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int rc = std::system(cmd.c_str());
  Result r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

std::vector<std::string> eal_args() {
  return {"--",         "--no-huge", "-m",   "256", "--no-pci", "-l", "0", "--file-prefix=pwtest" + std::to_string(::getpid()),
          "--vdev=net_pcap0,rx_pcap=" + (session() / "feed_a.pcap").string(),
          "--vdev=net_pcap1,rx_pcap=" + (session() / "feed_b.pcap").string()};
}

}  // namespace

TEST_CASE("the same session through DPDK net_pcap and through libpcap gives identical decision logs") {
  const fs::path cfg_dpdk = write_config("run_dpdk", true, free_port(1), false);
  const fs::path cfg_pcap = write_config("run_pcap", false, free_port(2), false);
  // Both with the same kill-switch drill (feed time 120 s to 150 s): the block is part of the log.
  std::vector<std::string> a = {"run", "--config", cfg_dpdk.string(), "--quiet", "--kill-drill", "120,30"};
  for (const std::string& s : eal_args()) a.push_back(s);
  const Result rd = run(a, "run_dpdk");
  INFO("dpdk stdout:\n" << rd.out << "\nstderr:\n" << rd.err);
  REQUIRE(rd.status == 0);
  const Result rp = run({"run", "--config", cfg_pcap.string(), "--quiet", "--kill-drill", "120,30"}, "run_pcap");
  INFO("libpcap stdout:\n" << rp.out << "\nstderr:\n" << rp.err);
  REQUIRE(rp.status == 0);

  // The DPDK run really received through DPDK (no fallback line).
  CHECK(rd.out.find("DPDK port net_pcap0") != std::string::npos);
  CHECK(rd.err.find("falls back") == std::string::npos);
  CHECK(rp.out.find("libpcap") != std::string::npos);

  const std::string da = slurp(work_dir() / "run_dpdk/decisions.jsonl");
  const std::string dp = slurp(work_dir() / "run_pcap/decisions.jsonl");
  size_t lines = 0, accepted = 0, rejected = 0, killed = 0;
  std::istringstream in(da);
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    ++lines;
    (j.at("accepted").get<int>() ? accepted : rejected) += 1;
    if (j.at("reason_name") == "kill_switch") ++killed;
  }
  CHECK(killed > 0);
  CHECK(lines > 100);
  CHECK(accepted > 50);
  CHECK(rejected > 5);
  CHECK(da == dp);
  CHECK(fs::exists(work_dir() / "run_dpdk/report.md"));
}

TEST_CASE("runs of the same session give byte-identical decision logs at any pace (the exchange answers in feed time)") {
  // Twice as fast as it goes, then paced at 200 times the captured rate (the 6-minute session in
  // about 2 s, the loop sleeping between frames): the same decisions.
  const char* speeds[] = {"0", "0", "200"};
  std::string logs[3];
  for (int k = 0; k < 3; ++k) {
    const std::string name = "run_again" + std::to_string(k);
    const fs::path cfg = write_config(name, false, free_port(10 + k), false);
    const Result r = run({"run", "--config", cfg.string(), "--quiet", "--kill-drill", "120,30", "--speed", speeds[k]}, name);
    INFO("speed " << speeds[k] << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
    REQUIRE(r.status == 0);
    logs[k] = slurp(work_dir() / name / "decisions.jsonl");
  }
  CHECK(logs[0].size() > 1000);
  CHECK(logs[0] == logs[1]);
  CHECK(logs[0] == logs[2]);
}

TEST_CASE("order entry over FIX gives the decisions of the SBE session, byte for byte") {
  // The same session, order entry once over Orders SBE and once over FIX 4.4 (QuickFIX) against
  // the simulated venues, which share one matcher: every decision, reservation and release alike.
  std::string logs[2];
  for (int k = 0; k < 2; ++k) {
    const std::string name = k == 0 ? "run_oe_sbe" : "run_oe_fix";
    const fs::path cfg = write_config(name, false, free_port(20 + k), false);
    if (k == 1) {
      std::string t = slurp(cfg);
      const std::string dict = (fs::path(PERPWIRE_SOURCE_DIR) / "config/fix/coinbase_derivatives_fix44.xml").string();
      t = std::regex_replace(t, std::regex("\\[order_entry\\]\n"),
                             "[order_entry]\nprotocol = \"fix\"\nfix_dictionary = \"" + dict + "\"\n");
      std::ofstream(cfg) << t;
    }
    const Result r = run({"run", "--config", cfg.string(), "--quiet", "--kill-drill", "120,30"}, name);
    INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out.find(k == 0 ? "order entry: simulated exchange on loopback, Orders SBE"
                            : "order entry: simulated exchange on loopback, FIX 4.4") != std::string::npos);
    // The session's health in the summary: one logon, one end (the logout at the end of the run),
    // nothing set aside.
    const std::string summary = slurp(work_dir() / name / "summary.txt");
    CHECK(summary.find("order entry: logons 1, disconnects 1,") != std::string::npos);
    CHECK(summary.find("reports with impossible quantities 0") != std::string::npos);
    logs[k] = slurp(work_dir() / name / "decisions.jsonl");
  }
  CHECK(logs[0].size() > 1000);
  CHECK(logs[0] == logs[1]);
}

TEST_CASE("market data from Kalshi FIX: the simulated KalshiMD publisher replays the session into the run's book and gate") {
  // config/kalshi.toml with this test's session, port and folders.
  std::string t = slurp(fs::path(PERPWIRE_SOURCE_DIR) / "config/kalshi.toml");
  const std::string fix_dir = (fs::path(PERPWIRE_SOURCE_DIR) / "config/fix").string();
  t = std::regex_replace(t, std::regex("\"fix/kalshi_md"), "\"" + fix_dir + "/kalshi_md");
  t = std::regex_replace(t, std::regex("\"\\.\\./out/session/feed_a.pcap\""), "\"" + (session() / "feed_a.pcap").string() + "\"");
  t = std::regex_replace(t, std::regex("port = 8233 "), "port = " + std::to_string(free_port(40)) + " ");
  t = std::regex_replace(t, std::regex("dir = \"out/run_kalshi\""), "dir = \"" + (work_dir() / "run_kalshi").string() + "\"");
  const fs::path cfg = work_dir() / "run_kalshi.toml";
  std::ofstream(cfg) << t;
  const Result r = run({"run", "--config", cfg.string(), "--quiet"}, "run_kalshi");
  INFO("config:\n" << t << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
  REQUIRE(r.status == 0);
  const std::string summary = slurp(work_dir() / "run_kalshi" / "summary.txt");
  CHECK(summary.find("simulated publisher replaying") != std::string::npos);
  CHECK(summary.find("KalshiMD: 1 logon(s)") != std::string::npos);
  CHECK(summary.find("1 snapshots") != std::string::npos);
  CHECK(summary.find("books distrusted: never") != std::string::npos);
  CHECK(summary.find("recovery: 1 snapshot recoveries") != std::string::npos);
  CHECK(slurp(work_dir() / "run_kalshi" / "decisions.jsonl").size() > 0);
}

TEST_CASE("bad configurations give their documented errors and exit status 2") {
  SUBCASE("missing file") {
    const Result r = run({"run", "--config", (work_dir() / "nope.toml").string()}, "bad_missing");
    CHECK(r.status == 2);
    CHECK(r.err.find("nope.toml") != std::string::npos);
  }
  SUBCASE("a bad value names the file, the line, the key and what was expected") {
    std::string t = slurp(write_config("bad_value", false, free_port(3), false));
    t = std::regex_replace(t, std::regex("max_order_qty = 100 "), "max_order_qty = -5 ");
    const fs::path p = work_dir() / "bad_value.toml";
    std::ofstream(p) << t;
    const Result r = run({"run", "--config", p.string()}, "bad_value");
    CHECK(r.status == 2);
    CHECK(std::regex_search(r.err, std::regex("bad_value.toml:[0-9]+: instruments\\[0\\]\\.limits\\.max_order_qty: expected")));
  }
  SUBCASE("an unknown key") {
    std::string t = slurp(write_config("bad_key", false, free_port(4), false));
    t = std::regex_replace(t, std::regex("\\[risk\\]\n"), "[risk]\nfunding_sauce = \"own\"\n");
    const fs::path p = work_dir() / "bad_key.toml";
    std::ofstream(p) << t;
    const Result r = run({"run", "--config", p.string()}, "bad_key");
    CHECK(r.status == 2);
    CHECK(r.err.find("funding_sauce") != std::string::npos);
  }
  SUBCASE("an unavailable backend with --strict-backend") {
    const fs::path p = write_config("bad_backend", false, free_port(5), false);
    const Result r = run({"run", "--config", p.string(), "--backend", "xrt", "--strict-backend"}, "bad_backend");
    CHECK(r.status == 2);
    CHECK(r.err.find("backend xrt cannot start") != std::string::npos);
  }
}

TEST_CASE("metrics and status are scraped during a run; a kill switch rejects; SIGTERM leaves a complete report") {
  const uint16_t port = free_port(6);
  const fs::path cfg = write_config("run_live", false, port, true);
  const fs::path out = work_dir() / "run_live.stdout", err = work_dir() / "run_live.stderr";
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::freopen(out.c_str(), "w", stdout);
    std::freopen(err.c_str(), "w", stderr);
    ::execl(PERPWIRE_BIN, PERPWIRE_BIN, "run", "--config", cfg.c_str(), "--quiet", "--speed", "10", (char*)nullptr);
    ::_exit(127);
  }
  pw::ControlCall call;
  call.url = "http://127.0.0.1:" + std::to_string(port);
  call.path = "/metrics";
  std::string body, error;
  bool scraped = false;
  for (int i = 0; i < 200 && !scraped; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    body.clear();
    if (pw::control_call(call, body, error) != 200) continue;
    std::smatch m;
    if (std::regex_search(body, m, std::regex("perpwire_feed_frames_total\\{line=\"A\"\\} ([0-9]+)")) && std::stoull(m[1]) > 1000 &&
        body.find("perpwire_orders_total") != std::string::npos)
      scraped = true;
  }
  INFO(body);
  REQUIRE(scraped);
  CHECK(body.find("# TYPE perpwire_stage_latency_seconds histogram") != std::string::npos);
  CHECK(body.find("perpwire_book_synced") != std::string::npos);

  call.path = "/status";
  REQUIRE(pw::control_call(call, body, error) == 200);
  const auto status = nlohmann::json::parse(body);
  CHECK(status.at("instruments").size() == 2);
  CHECK(status.at("state") == "running");

  // Without the token (as `curl -X POST 127.0.0.1:8686/kill`): 401, nothing changes. The run wrote
  // its generated token to <out>/control.token, mode 0600; `perpwire kill --config` finds it there.
  call.method = "POST";
  call.path = "/kill";
  CHECK(pw::control_call(call, body, error) == 401);
  CHECK((fs::status(work_dir() / "run_live/control.token").permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  const Result killed = run({"kill", "--url", call.url, "--config", cfg.string()}, "run_live_kill");
  CHECK(killed.status == 0);
  CHECK(killed.out.find("global kill switch engaged") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  call.method = "GET";
  call.path = "/metrics";
  REQUIRE(pw::control_call(call, body, error) == 200);
  CHECK(std::regex_search(body, std::regex("perpwire_order_rejects_total\\{reason=\"kill_switch\"\\} [1-9]")));
  CHECK(body.find("perpwire_control_refused_total{reason=\"no_token\"} 1\n") != std::string::npos);

  REQUIRE(::kill(pid, SIGTERM) == 0);
  int st = 0;
  REQUIRE(::waitpid(pid, &st, 0) == pid);
  INFO(slurp(out) << slurp(err));
  CHECK(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 0);
  const std::string report = slurp(work_dir() / "run_live/report.md");
  CHECK(report.find("stopped by SIGTERM") != std::string::npos);
  CHECK(fs::exists(work_dir() / "run_live/summary.txt"));
  // Every decision line is complete.
  std::istringstream in(slurp(work_dir() / "run_live/decisions.jsonl"));
  size_t lines = 0;
  for (std::string line; std::getline(in, line); ++lines) CHECK_NOTHROW(nlohmann::json::parse(line));
  CHECK(lines > 10);
}

TEST_CASE("--backend hls-csim runs the kernels beside the software path and compares every record") {
  const fs::path cfg = write_config("run_hls", false, free_port(7), false);
  const Result r = run({"run", "--config", cfg.string(), "--quiet", "--backend", "hls-csim", "--strict-backend"}, "run_hls");
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, std::regex("hls-csim beside the software path: ([0-9]+) state records compared, 0 differ, 0 only "
                                                 "from the kernels, 0 not produced by them — identical")));
  CHECK(std::stoull(m[1]) > 1000);
}

// The built-in session's lines rewritten as `dlt` (tests/support/link_convert.hpp), once per type.
static std::pair<fs::path, fs::path> session_as(int dlt, const std::string& name, uint16_t ip_ethertype = 0x0800) {
  const fs::path a = work_dir() / (name + "_a.pcap"), b = work_dir() / (name + "_b.pcap");
  if (!fs::exists(a)) {
    std::string error;
    REQUIRE_MESSAGE(pw::test::convert_link_type((session() / "feed_a.pcap").string(), a.string(), dlt, error, ip_ethertype), error);
    REQUIRE_MESSAGE(pw::test::convert_link_type((session() / "feed_b.pcap").string(), b.string(), dlt, error, ip_ethertype), error);
  }
  return {a, b};
}

// config/perpwire.toml as write_config makes it, reading the lines from other captures.
static fs::path config_reading(const std::string& name, const fs::path& a, const fs::path& b) {
  std::string t = slurp(write_config(name, false, free_port(9), false));
  t = std::regex_replace(t, std::regex((session() / "feed_a.pcap").string()), a.string());
  t = std::regex_replace(t, std::regex((session() / "feed_b.pcap").string()), b.string());
  const fs::path p = work_dir() / (name + ".toml");
  std::ofstream(p) << t;
  return p;
}

TEST_CASE("run and replay read Linux-cooked, raw IPv4 and loopback captures exactly as the Ethernet original") {
  const fs::path eth_a = session() / "feed_a.pcap", eth_b = session() / "feed_b.pcap";
  const Result re = run({"replay", "--pcap", eth_a.string(), "--pcap-b", eth_b.string(), "--quiet", "--jsonl",
                         (work_dir() / "eth.jsonl").string()}, "replay_eth");
  REQUIRE_MESSAGE(re.status == 0, re.err);
  const std::string eth_log = slurp(work_dir() / "eth.jsonl");
  REQUIRE(eth_log.size() > 1000);
  const Result ne = run({"run", "--config", config_reading("run_eth", eth_a, eth_b).string(), "--quiet"}, "run_eth");
  REQUIRE_MESSAGE(ne.status == 0, ne.err);
  const std::string eth_decisions = slurp(work_dir() / "run_eth" / "decisions.jsonl");
  REQUIRE(eth_decisions.size() > 1000);

  for (const auto& [dlt, name] : std::vector<std::pair<int, std::string>>{
           {DLT_LINUX_SLL, "sll"}, {DLT_LINUX_SLL2, "sll2"}, {DLT_RAW, "raw"}, {DLT_NULL, "null"}}) {
    CAPTURE(name);
    const auto [a, b] = session_as(dlt, name);
    const Result rr = run({"replay", "--pcap", a.string(), "--pcap-b", b.string(), "--quiet", "--jsonl",
                           (work_dir() / (name + ".jsonl")).string()}, "replay_" + name);
    REQUIRE_MESSAGE(rr.status == 0, rr.err);
    CHECK(slurp(work_dir() / (name + ".jsonl")) == eth_log);
    // `run` parses through the same feed pipeline: the same events, so the same decisions.
    const Result nr = run({"run", "--config", config_reading("run_" + name, a, b).string(), "--quiet"}, "run_" + name);
    REQUIRE_MESSAGE(nr.status == 0, nr.err);
    CHECK(slurp(work_dir() / ("run_" + name) / "decisions.jsonl") == eth_decisions);
  }
}

TEST_CASE("a capture of a link type perpwire does not parse is refused at open with one line and exit status 2") {
  const auto [a, b] = session_as(DLT_IEEE802_11, "wifi");
  const Result rr = run({"replay", "--pcap", a.string(), "--quiet"}, "replay_wifi");
  CHECK(rr.status == 2);
  CHECK(rr.err.find("link type 105") != std::string::npos);
  CHECK(std::count(rr.err.begin(), rr.err.end(), '\n') == 1);
  const Result nr = run({"run", "--config", config_reading("run_wifi", a, b).string(), "--quiet"}, "run_wifi");
  CHECK(nr.status == 2);
  CHECK(nr.err.find("link type 105") != std::string::npos);
}

TEST_CASE("frames that all fail to parse end the run and the replay with an error, never a silent success") {
  // Cooked frames that claim IPv6: every frame is dropped as not_ipv4.
  const auto [a, b] = session_as(DLT_LINUX_SLL, "sll_ipv6", 0x86DD);
  const Result rr = run({"replay", "--pcap", a.string(), "--pcap-b", b.string(), "--quiet"}, "replay_ipv6");
  CHECK(rr.status == 1);
  CHECK(rr.err.find("no market event decoded") != std::string::npos);
  CHECK(rr.out.find("not_ipv4") != std::string::npos);
  const Result nr = run({"run", "--config", config_reading("run_ipv6", a, b).string(), "--quiet"}, "run_ipv6");
  CHECK(nr.status == 1);
  CHECK(nr.err.find("no market event decoded") != std::string::npos);
  CHECK(nr.err.find("not_ipv4") != std::string::npos);
}
