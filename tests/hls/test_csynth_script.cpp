// scripts/csynth.sh: without vitis_hls it says so in one line and exits 2; bad arguments are usage
// errors (exit 1); and the report check (scripts/csynth_check.py) fails a loop that misses its II
// or its latency budget.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace {

struct Run {
  int code;
  std::string out;
};

Run run(const std::string& args) {
  const std::string cmd = "cd '" PERPWIRE_SOURCE_DIR "' && env -u XILINX_VITIS PATH=/usr/bin:/bin " + args + " 2>&1";
  Run r{-1, ""};
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, p) != nullptr) r.out += buf;
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

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
  const Run r = run("bash scripts/csynth.sh --out /tmp/perpwire_csynth_test_missing");
  CAPTURE(r.out);
  CHECK(r.code == 2);
  CHECK(lines(r.out) == 1);
  CHECK(r.out.find("vitis_hls") != std::string::npos);
}

TEST_CASE("argument errors are usage errors, checked before looking for vitis_hls") {
  CHECK(run("bash scripts/csynth.sh --kernel nosuch").code == 1);
  CHECK(run("bash scripts/csynth.sh --frobnicate").code == 1);
  CHECK(run("bash scripts/csynth.sh --help").code == 0);
}

TEST_CASE("every kernel has its Tcl script and a line in the budget table") {
  for (const char* k : {"feed_decode", "market_state", "pretrade_risk"}) {
    CAPTURE(k);
    CHECK(std::ifstream(std::string(PERPWIRE_SOURCE_DIR "/hls/") + k + "/csynth.tcl").good());
    CHECK(run(std::string("grep -q '^") + k + " ' hls/csynth/budgets.tsv").code == 0);
  }
}

TEST_CASE("the report check fails a missed II or latency, passes a met one") {
  const std::string dir = "/tmp/perpwire_csynth_check_test";
  run("mkdir -p " + dir);
  write(dir + "/budgets.tsv", "k fast_loop 1 8\nk - - 20\n");
  auto check = [&](const std::string& ii, const std::string& lat) {
    write(dir + "/csynth.xml", report(ii, lat));
    return run("python3 scripts/csynth_check.py " + dir + "/budgets.tsv k " + dir + "/csynth.xml").code;
  };
  CHECK(check("1", "8") == 0);
  CHECK(check("2", "8") == 1);      // II missed
  CHECK(check("1", "9") == 1);      // latency over budget
  CHECK(check("undef", "8") == 1);  // not pipelined at all
}
