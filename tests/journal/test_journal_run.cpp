// `perpwire run` with a journal, as separate processes: a second run restores the first one's
// state (a kill switch the drill left engaged included) and reconciles its open orders with the
// simulated exchange before trading; a journal corrupt in the middle refuses the start.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "host/journal/journal_format.hpp"
#include "host/sessiongen/session_generator.hpp"
#include "tests/support/run_config.hpp"
#include "tests/support/slurp.hpp"

namespace fs = std::filesystem;

namespace {

using pw::test::slurp;

const fs::path& work_dir() {
  static const fs::path d = [] {
    fs::path p = fs::temp_directory_path() / ("perpwire_journal_run_" + std::to_string(::getpid()));
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
  }();
  return d;
}

const fs::path& session() {
  static const fs::path d = [] {
    pw::GenOptions g;
    g.seed = 5;
    g.events = 30000;
    g.duration_ns = 6LL * 60 * 1000000000LL;
    std::string error;
    pw::GenResult r;
    const fs::path dir = work_dir() / "session";
    REQUIRE_MESSAGE(pw::generate_session(g, dir.string(), r, error), error);
    return dir;
  }();
  return d;
}

fs::path write_config(const std::string& name, const fs::path& journal_dir) {
  const fs::path p = work_dir() / (name + ".toml");
  std::ofstream(p) << pw::test::run_config_text(session(), work_dir() / name, false, 0, false) << "\n[journal]\ndir = \""
                   << journal_dir.string() << "\"\n";
  return p;
}

struct Result {
  int status = -1;
  std::string err, report;
};

Result run(const fs::path& cfg, const std::string& name, const std::vector<std::string>& extra = {}) {
  std::string cmd = std::string(PERPWIRE_BIN) + " run --config '" + cfg.string() + "' --quiet";
  for (const std::string& a : extra) cmd += " '" + a + "'";
  const fs::path err = work_dir() / (name + ".stderr");
  cmd += " >/dev/null 2>'" + err.string() + "'";
  const int rc = std::system(cmd.c_str());
  Result r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.err = slurp(err);
  r.report = slurp(work_dir() / name / "report.md");
  return r;
}

}  // namespace

TEST_CASE("a second run restores the first one's state and reconciles before trading") {
  const fs::path jdir = work_dir() / "journal";
  const fs::path cfg = write_config("first", jdir);
  // The drill engages the global switch at feed time 120 s and would release it after 600 s:
  // the 6-minute session ends with it engaged.
  const Result a = run(cfg, "first", {"--kill-drill", "120,600"});
  REQUIRE_MESSAGE(a.status == 0, a.err);
  CHECK(a.err.find("journal " + (jdir / pw::journal::kFileName).string() + ": new") != std::string::npos);
  CHECK(a.report.find("0 not written") != std::string::npos);

  const fs::path cfg2 = write_config("second", jdir);
  const Result b = run(cfg2, "second");
  REQUIRE_MESSAGE(b.status == 0, b.err);
  CHECK(b.err.find(": restored from ") != std::string::npos);
  CHECK(b.err.find("kill switches: global") != std::string::npos);
  CHECK(b.report.find("restored from") != std::string::npos);
  // Every new order of the second run meets the restored global switch.
  CHECK(b.report.find("kill_switch") != std::string::npos);

  // A journal damaged in its middle: the start is refused, with the offset.
  std::string bytes = slurp(jdir / pw::journal::kFileName);
  REQUIRE(bytes.size() > 4096);
  bytes[bytes.size() / 2] ^= 0x5A;
  std::ofstream(jdir / pw::journal::kFileName, std::ios::binary | std::ios::trunc) << bytes;
  const Result c = run(cfg2, "third");
  CHECK(c.status == 2);
  CHECK(c.err.find("corrupt in the middle") != std::string::npos);
}

TEST_CASE("open orders left by a run are reconciled with the simulated exchange at the next start") {
  const fs::path jdir = work_dir() / "journal_orders";
  const Result a = run(write_config("orders_first", jdir), "orders_first");
  REQUIRE_MESSAGE(a.status == 0, a.err);
  const Result b = run(write_config("orders_second", jdir), "orders_second");
  REQUIRE_MESSAGE(b.status == 0, b.err);
  const size_t at = b.err.find("reconcile: ");
  REQUIRE_MESSAGE(at != std::string::npos, b.err);
  CHECK(b.err.find("0 of them open at the simulated exchange", at) != std::string::npos);
  CHECK(b.report.find("0 reconcile_pending") != std::string::npos);  // released before the first order
  // The demo's loss_limit probe stopped desk-d in the first run; the second rebuilds the stop.
  CHECK(a.report.find("loss limit | 1 account(s) stopped by their loss limit, 1 open orders canceled") != std::string::npos);
  CHECK(b.err.find("desk-d (loss limit)") != std::string::npos);
  CHECK(b.report.find("kill_switch / kill_loss_limit") != std::string::npos);  // the new run's probe meets it
  CHECK(b.report.find("loss_limit 1/1") != std::string::npos);
}
