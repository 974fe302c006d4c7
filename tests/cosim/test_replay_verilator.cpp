// `perpwire replay --backend verilator` against `--backend software`: the state logs (book top,
// mark, funding, sync) are identical record for record, symbols included, on a generated session
// with faults on both lines, and on the real captures, both with reorder_wait 0: the arbiter then has no hold
// window and the frames enter in merged capture order (docs/rtl.md, "System co-simulation"). With a wait,
// on wire time: tests/cosim/test_three_backends.cpp.
#include <doctest/doctest.h>

#include <filesystem>

#include "host/sessiongen/session_generator.hpp"
#include "host/pipeline/replay.hpp"
#include "sim/cosim/replay_verilator.hpp"
#include "tests/support/backend_compare.hpp"

namespace fs = std::filesystem;

namespace {

void require_same(const pw::ReplayInputs& in) { pw::test::require_same_log(in, pw::replay_verilator, "verilator"); }

}  // namespace

TEST_CASE("verilator backend: same state log as the software path on a session with faults") {
  pw::GenOptions g;
  g.seed = 11;
  g.events = 6000;
  g.duration_ns = 3LL * 60 * 1000000000LL;
  g.snapshot_interval_ns = 20LL * 1000000000LL;
  g.faults.loss_a = 0.02;
  g.faults.loss_b = 0.02;
  g.faults.duplicate = 0.02;
  g.faults.loss_both = 4;
  const fs::path dir = fs::temp_directory_path() / ("perpwire_replay_vl_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  pw::GenResult r;
  std::string error;
  REQUIRE_MESSAGE(pw::generate_session(g, dir.string(), r, error), error);
  pw::ReplayInputs in;
  in.pcap_a = (dir / "feed_a.pcap").string();
  in.pcap_b = (dir / "feed_b.pcap").string();
  in.reorder_wait_ns = 0;
  require_same(in);
  fs::remove_all(dir);
}

TEST_CASE("verilator backend: same state log as the software path on the real captures") {
  const fs::path dir = fs::path(PERPWIRE_SOURCE_DIR) / "tests/data/coinbase/md";
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".pcap") continue;
    CAPTURE(e.path().string());
    pw::ReplayInputs in;
    in.pcap_a = e.path().string();
    in.reorder_wait_ns = 0;
    require_same(in);
  }
}
