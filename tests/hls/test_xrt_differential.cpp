// feed_decode on a card (hw_emu or hw) through the xrt backend against the software path: the real
// captures and a generated session with damaged datagrams must give the same records and counts.
// Runs when PERPWIRE_XCLBIN names an xclbin built by scripts/build_xclbin.sh (device index from
// PERPWIRE_XRT_DEVICE, default 0; for hw_emu also export XCL_EMULATION_MODE=hw_emu); without it
// the test says why it did nothing and passes.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "hls/xrt/xrt_backend.hpp"
#include "tests/hls/feed_reference.hpp"

namespace fs = std::filesystem;

namespace {

const char* xclbin_path() {
  const char* p = std::getenv("PERPWIRE_XCLBIN");
  return p != nullptr && *p != 0 ? p : nullptr;
}

void check_on_card(pw::XrtBackend& card, const std::vector<pw::test::Datagram>& ds) {
  const pw::test::SwResult sw = pw::test::sw_decode_all(ds);
  const auto v = pw::test::views(ds);
  const pw::hlsk::FeedDecodeCounts before = card.counts();
  std::vector<pw::MarketEvent> hw;
  REQUIRE_MESSAGE(card.process(v.data(), v.size(), hw), card.reason());
  pw::hlsk::FeedDecodeCounts delta;
  for (int i = 0; i < pw::hlsk::kFeedCounterCount; ++i) delta.lane[i] = card.counts().lane[i] - before.lane[i];
  pw::test::check_same(sw, hw, delta);
}

}  // namespace

TEST_CASE("xrt backend: real captures and a damaged generated session match the software path") {
  const char* xclbin = xclbin_path();
  if (xclbin == nullptr) {
    MESSAGE("PERPWIRE_XCLBIN not set: no card run (see docs/hls.md, verifying on hardware)");
    return;
  }
  const char* dev = std::getenv("PERPWIRE_XRT_DEVICE");
  pw::XrtBackend card;
  REQUIRE_MESSAGE(card.open(xclbin, dev != nullptr ? (unsigned)std::atoi(dev) : 0u), card.reason());
  MESSAGE("card: " << card.device_name());

  const fs::path dir = fs::path(PERPWIRE_SOURCE_DIR) / "tests/data/coinbase/md";
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".pcap") continue;
    CAPTURE(e.path().string());
    check_on_card(card, pw::test::read_payloads(e.path()));
  }
  const auto s = pw::test::generated_session(
      fs::temp_directory_path() / ("perpwire_test_xrt_session_" + std::to_string(::getpid())), 11, 4000, 7, 5);
  check_on_card(card, s.a);
  check_on_card(card, s.b);
}
