// scripts/csynth.sh: without vitis_hls it says so in one line and exits 2; bad arguments are usage
// errors (exit 1); and the report check (scripts/csynth_check.py) fails a loop that misses its II
// or its latency budget.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "tests/support/script_run.hpp"

using pw::test::line_count;
using pw::test::run_without_vitis;
using pw::test::ScriptRun;

namespace {

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

const char* kReport = R"(<profile><PerformanceEstimates>
<SummaryOfOverallLatency><Worst-caseLatency>12</Worst-caseLatency></SummaryOfOverallLatency>
<SummaryOfLoopLatency><fast_loop><PipelineII>%II%</PipelineII><PipelineDepth>%LAT%</PipelineDepth></fast_loop></SummaryOfLoopLatency>
</PerformanceEstimates></profile>)";

std::string report(const std::string& ii, const std::string& lat) {
  std::string s = kReport;
  s.replace(s.find("%II%"), 4, ii);
  s.replace(s.find("%LAT%"), 5, lat);
  return s;
}

}  // namespace

TEST_CASE("no vitis_hls: one clear line, exit code 2") {
  const ScriptRun r = run_without_vitis("bash scripts/csynth.sh --out /tmp/perpwire_csynth_test_missing");
  CAPTURE(r.out);
  CHECK(r.code == 2);
  CHECK(line_count(r.out) == 1);
  CHECK(r.out.find("vitis_hls") != std::string::npos);
}

TEST_CASE("argument errors are usage errors, checked before looking for vitis_hls") {
  CHECK(run_without_vitis("bash scripts/csynth.sh --kernel nosuch").code == 1);
  CHECK(run_without_vitis("bash scripts/csynth.sh --frobnicate").code == 1);
  CHECK(run_without_vitis("bash scripts/csynth.sh --help").code == 0);
}

TEST_CASE("every kernel has its Tcl script and a line in the budget table") {
  for (const char* k : {"feed_decode", "market_state", "risk_merge", "pretrade_risk"}) {
    CAPTURE(k);
    CHECK(std::ifstream(std::string(PERPWIRE_SOURCE_DIR "/hls/") + k + "/csynth.tcl").good());
    CHECK(run_without_vitis(std::string("grep -q '^") + k + " ' hls/csynth/budgets.tsv").code == 0);
  }
}

TEST_CASE("the report check fails a missed II or latency, passes a met one") {
  const std::string dir = "/tmp/perpwire_csynth_check_test";
  run_without_vitis("mkdir -p " + dir);
  write(dir + "/budgets.tsv", "k fast_loop 1 8\nk - - 20\n");
  auto check = [&](const std::string& ii, const std::string& lat) {
    write(dir + "/csynth.xml", report(ii, lat));
    return run_without_vitis("python3 scripts/csynth_check.py " + dir + "/budgets.tsv k " + dir + "/csynth.xml").code;
  };
  CHECK(check("1", "8") == 0);
  CHECK(check("2", "8") == 1);      // II missed
  CHECK(check("1", "9") == 1);      // latency over budget
  CHECK(check("undef", "8") == 1);  // not pipelined at all
}

// A free-running kernel's top is its pipeline: the report's interval is the top's II.
TEST_CASE("the report check reads a free-running top's II from its interval") {
  const std::string dir = "/tmp/perpwire_csynth_check_top_test";
  run_without_vitis("mkdir -p " + dir);
  write(dir + "/budgets.tsv", "k - 1 -\n");
  auto check = [&](const std::string& interval) {
    write(dir + "/csynth.xml", "<profile><PerformanceEstimates><SummaryOfOverallLatency><Worst-caseLatency>3</Worst-caseLatency>"
                               "<Interval-max>" + interval + "</Interval-max></SummaryOfOverallLatency></PerformanceEstimates></profile>");
    return run_without_vitis("python3 scripts/csynth_check.py " + dir + "/budgets.tsv k " + dir + "/csynth.xml").code;
  };
  CHECK(check("1") == 0);
  CHECK(check("2") == 1);
  CHECK(check("undef") == 1);
  run_without_vitis("rm -rf " + dir);
}
