// scripts/build_xclbin.sh: without Vitis it says so in one line and exits 2; bad arguments are
// usage errors (exit 1); --help works anywhere.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/support/script_run.hpp"

using pw::test::line_count;
using pw::test::run_without_vitis;
using pw::test::ScriptRun;

TEST_CASE("no Vitis: one clear line, exit code 2, nothing built") {
  const ScriptRun r = run_without_vitis("bash scripts/build_xclbin.sh --target hw_emu --out /tmp/perpwire_xclbin_test_missing");
  CAPTURE(r.out);
  CHECK(r.code == 2);
  CHECK(line_count(r.out) == 1);
  CHECK(r.out.find("Vitis") != std::string::npos);
  CHECK(r.out.find("v++") != std::string::npos);
  CHECK(r.out.find("XILINX_VITIS") != std::string::npos);
}

TEST_CASE("XILINX_VITIS set but v++ not on PATH is still missing Vitis") {
  const ScriptRun r = run_without_vitis("XILINX_VITIS=/nonexistent/Vitis/2022.2 bash scripts/build_xclbin.sh --target hw");
  CAPTURE(r.out);
  CHECK(r.code == 2);
  CHECK(line_count(r.out) == 1);
  CHECK(r.out.find("v++") != std::string::npos);
}

TEST_CASE("argument errors are usage errors, checked before looking for Vitis") {
  ScriptRun r = run_without_vitis("bash scripts/build_xclbin.sh --target sw_emu");
  CAPTURE(r.out);
  CHECK(r.code == 1);
  CHECK(r.out.find("hw_emu") != std::string::npos);
  r = run_without_vitis("bash scripts/build_xclbin.sh --bogus");
  CHECK(r.code == 1);
  r = run_without_vitis("bash scripts/build_xclbin.sh --help");
  CHECK(r.code == 0);
  CHECK(r.out.find("xilinx_u250_gen3x16_xdma_4_1_202210_1") != std::string::npos);
  CHECK(r.out.find("feed_decode") != std::string::npos);
}

TEST_CASE("dry run: one v++ -c per kernel, v++ -l with the connectivity of the built kernels") {
  const std::string out = "/tmp/perpwire_xclbin_dry_" + std::to_string(::getpid());
  const ScriptRun r = run_without_vitis("bash scripts/build_xclbin.sh --dry-run --target hw --platform my_platform_1 --out " + out);
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
  CHECK(cfg.find("\nnk=market_state:1:market_state_1\n") != std::string::npos);
  CHECK(cfg.find("\nsc=feed_decode_1.out:market_state_1.events:32\n") != std::string::npos);
  CHECK(cfg.find("\nnk=pretrade_risk:1:pretrade_risk_1\n") != std::string::npos);
  CHECK(cfg.find("\nnk=risk_merge:1:risk_merge_1\n") != std::string::npos);
  CHECK(cfg.find("\nsc=market_state_1.markets:risk_merge_1.markets:32\n") != std::string::npos);
  CHECK(cfg.find("\nsc=risk_merge_1.inputs:pretrade_risk_1.inputs:32\n") != std::string::npos);
  std::system(("rm -rf '" + out + "'").c_str());
}

TEST_CASE("dry run: every stream kernel compiled from its folder; replay-only builds leave them out") {
  const std::string out = "/tmp/perpwire_xclbin_kernels_" + std::to_string(::getpid());
  ScriptRun r = run_without_vitis("bash scripts/build_xclbin.sh --dry-run --target hw_emu --out " + out);
  CAPTURE(r.out);
  REQUIRE(r.code == 0);
  for (const char* k : {"market_state", "risk_merge", "pretrade_risk"}) {
    CAPTURE(k);
    CHECK(r.out.find(std::string("-k ") + k + " ") != std::string::npos);
    CHECK(r.out.find(std::string("hls/") + k + "/" + k + ".cpp") != std::string::npos);
    CHECK(r.out.find(out + "/hw_emu/" + k + ".xo") != std::string::npos);
  }
  // v++ -l takes every .xo, feed_decode first (data-path order).
  const size_t link = r.out.find("v++ -l");
  REQUIRE(link != std::string::npos);
  const size_t fd = r.out.find("/feed_decode.xo", link), ms = r.out.find("/market_state.xo", link),
               rm = r.out.find("/risk_merge.xo", link), pr = r.out.find("/pretrade_risk.xo", link);
  CHECK(fd != std::string::npos);
  CHECK(ms != std::string::npos);
  CHECK(rm != std::string::npos);
  CHECK(pr != std::string::npos);
  CHECK(fd < ms);
  CHECK(ms < rm);
  CHECK(rm < pr);
  r = run_without_vitis("bash scripts/build_xclbin.sh --dry-run --no-frontend --out " + out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("-k market_state") == std::string::npos);
  CHECK(r.out.find("-k feed_decode_mm ") != std::string::npos);
  std::system(("rm -rf '" + out + "'").c_str());
}
