// scripts/build_xclbin.sh: without Vitis it says so in one line and exits 2; bad arguments are
// usage errors (exit 1); --help works anywhere.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

struct Run {
  int code;
  std::string out;  // stdout and stderr
};

Run run(const std::string& env_and_args) {
  // A PATH without any Vitis install and no XILINX_VITIS: what a machine without Vitis looks like.
  const std::string cmd = "cd '" PERPWIRE_SOURCE_DIR "' && env -u XILINX_VITIS -u XILINX_XRT PATH=/usr/bin:/bin " +
                          env_and_args + " 2>&1";
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

}  // namespace

TEST_CASE("no Vitis: one clear line, exit code 2, nothing built") {
  const Run r = run("bash scripts/build_xclbin.sh --target hw_emu --out /tmp/perpwire_xclbin_test_missing");
  CAPTURE(r.out);
  CHECK(r.code == 2);
  CHECK(lines(r.out) == 1);
  CHECK(r.out.find("Vitis") != std::string::npos);
  CHECK(r.out.find("v++") != std::string::npos);
  CHECK(r.out.find("XILINX_VITIS") != std::string::npos);
}

TEST_CASE("XILINX_VITIS set but v++ not on PATH is still missing Vitis") {
  const Run r = run("XILINX_VITIS=/nonexistent/Vitis/2022.2 bash scripts/build_xclbin.sh --target hw");
  CAPTURE(r.out);
  CHECK(r.code == 2);
  CHECK(lines(r.out) == 1);
  CHECK(r.out.find("v++") != std::string::npos);
}

TEST_CASE("argument errors are usage errors, checked before looking for Vitis") {
  Run r = run("bash scripts/build_xclbin.sh --target sw_emu");
  CAPTURE(r.out);
  CHECK(r.code == 1);
  CHECK(r.out.find("hw_emu") != std::string::npos);
  r = run("bash scripts/build_xclbin.sh --bogus");
  CHECK(r.code == 1);
  r = run("bash scripts/build_xclbin.sh --help");
  CHECK(r.code == 0);
  CHECK(r.out.find("xilinx_u250_gen3x16_xdma_4_1_202210_1") != std::string::npos);
  CHECK(r.out.find("feed_decode") != std::string::npos);
}

TEST_CASE("dry run: one v++ -c per kernel, v++ -l with the connectivity of the built kernels") {
  const std::string out = "/tmp/perpwire_xclbin_dry_" + std::to_string(::getpid());
  const Run r = run("bash scripts/build_xclbin.sh --dry-run --target hw --platform my_platform_1 --out " + out);
  CAPTURE(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("v++ -c -t hw --platform my_platform_1") != std::string::npos);
  CHECK(r.out.find("-k feed_decode ") != std::string::npos);
  CHECK(r.out.find("hls/feed_decode/feed_decode.cpp") != std::string::npos);
  CHECK(r.out.find("-k feed_decode_mm ") != std::string::npos);
  CHECK(r.out.find("v++ -l -t hw --platform my_platform_1") != std::string::npos);
  CHECK(r.out.find(out + "/hw/perpwire.xclbin") != std::string::npos);
  CHECK(r.out.find("rtl/perpwire_nic_top.xo") != std::string::npos);
  CHECK(r.out.find("emconfigutil") == std::string::npos);  // hw_emu only

  FILE* f = std::fopen((out + "/hw/link.cfg").c_str(), "r");
  REQUIRE(f != nullptr);
  std::string cfg;
  char buf[512];
  while (std::fgets(buf, sizeof buf, f) != nullptr) cfg += buf;
  std::fclose(f);
  CHECK(cfg.find("\nnk=feed_decode:1:feed_decode_1\n") != std::string::npos);
  CHECK(cfg.find("\nsc=nic_1.m_axis_feed:feed_decode_1.in:64\n") != std::string::npos);
  CHECK(cfg.find("\nnk=book") == std::string::npos);  // not landed: its lines are left out
  CHECK(cfg.find("\nsc=feed_decode_1.out:book_1") == std::string::npos);
  std::system(("rm -rf '" + out + "'").c_str());
}
