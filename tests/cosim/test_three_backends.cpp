// The three backends on wire time: a generated two-line session with 2 % loss per line (the two
// lines together carry every packet), duplicates, local reorders and line B 200 us behind line A.
// software (1 ms reorder wait), hls-csim and verilator (the RTL arbiter's hold window set to the
// same 1 ms, frames presented at their capture times) give byte-identical state logs with no
// packet gap; and when packets are lost on both lines, the hole outlives the window and all three
// report the same gaps.
#include <doctest/doctest.h>

#include <filesystem>

#include "core/state_records.hpp"
#include "hls/replay/replay_hls_csim.hpp"
#include "host/pipeline/replay.hpp"
#include "host/sessiongen/session_generator.hpp"
#include "sim/cosim/replay_verilator.hpp"
#include "tests/support/backend_compare.hpp"

namespace fs = std::filesystem;

namespace {

pw::GenOptions skewed_lossy_session(uint32_t loss_both) {
  pw::GenOptions g;
  g.seed = 23;
  g.events = 4000;
  g.duration_ns = 2LL * 60 * 1000000000LL;
  g.faults.loss_a = 0.02;
  g.faults.loss_b = 0.02;
  g.faults.disjoint_loss = true;
  g.faults.duplicate = 0.01;
  g.faults.reorder = 0.005;
  g.faults.skew_b_ns = 200000;
  g.faults.loss_both = loss_both;
  return g;
}

size_t packet_gaps(const pw::test::RecordLog& log) {
  size_t n = 0;
  for (const auto& r : log.records)
    if (r.kind == (uint8_t)pw::StateKind::sync && r.sync.reason == (uint8_t)pw::SyncReason::packet_gap) ++n;
  return n;
}

// Software's record log, after checking the other two backends give the same one.
pw::test::RecordLog run_three(uint32_t loss_both, const char* name) {
  const fs::path dir = fs::temp_directory_path() / (std::string("perpwire_three_") + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  pw::GenResult r;
  std::string error;
  REQUIRE_MESSAGE(pw::generate_session(skewed_lossy_session(loss_both), dir.string(), r, error), error);
  pw::ReplayInputs in;
  in.pcap_a = (dir / "feed_a.pcap").string();
  in.pcap_b = (dir / "feed_b.pcap").string();
  in.reorder_wait_ns = 1000000;  // the software path's default; the arbiter gets the same window
  size_t lost_a = 0, lost_b = 0;
  for (const auto& f : r.faults)
    if (f.kind == "loss") (f.line == 'A' ? lost_a : lost_b)++;
  CHECK(lost_a > 10);  // holes on the leading line, filled by the skewed one
  CHECK(lost_b > 10);
  pw::test::RecordLog sw;
  pw::BackendReport rs;
  REQUIRE_MESSAGE(pw::replay_software(in, sw, rs, error), error);
  const size_t n_hls = pw::test::require_same_log(in, pw::replay_hls_csim, "hls-csim");
  const size_t n_vl = pw::test::require_same_log(in, pw::replay_verilator, "verilator");
  CHECK(n_hls == sw.records.size());
  CHECK(n_vl == sw.records.size());
  fs::remove_all(dir);
  return sw;
}

}  // namespace

TEST_CASE("skewed lossy lines: software, hls-csim and verilator give the same state log, no gap") {
  const pw::test::RecordLog log = run_three(0, "nogap");
  CHECK(log.records.size() > 1000);
  CHECK(packet_gaps(log) == 0);
}

TEST_CASE("skewed lossy lines with packets lost on both: the hole outlives the window, the same gaps") {
  const pw::test::RecordLog log = run_three(2, "gap");
  CHECK(packet_gaps(log) >= 1);
}
