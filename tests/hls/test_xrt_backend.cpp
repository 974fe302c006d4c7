// The xrt backend where it cannot run: every missing piece (xclbin, card) comes back as one line
// that names it, and process() refuses to run rather than crash. With no card (CI) this is the
// path every run takes.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "hls/xrt/xrt_backend.hpp"

namespace {

bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == std::string::npos; }

std::string temp_file(const std::string& name, const std::string& content) {
  const std::string path = "/tmp/perpwire_test_" + name + "_" + std::to_string(::getpid());
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

}  // namespace

TEST_CASE("no xclbin: the reason names the missing file") {
  pw::XrtBackend b;
  CHECK(!b.open("/nonexistent/perpwire.xclbin", 0));
  CHECK(!b.is_open());
  CAPTURE(b.reason());
  CHECK(one_line(b.reason()));
  CHECK(b.reason().rfind("xrt backend: ", 0) == 0);
  CHECK(b.reason().find("/nonexistent/perpwire.xclbin") != std::string::npos);
  CHECK(b.reason().find("not found") != std::string::npos);
  CHECK(b.reason().find("build_xclbin.sh") != std::string::npos);

  CHECK(!b.open("", 0));
  CHECK(b.reason().find("no xclbin") != std::string::npos);
}

TEST_CASE("no card: the reason names the device and carries XRT's explanation") {
  const std::string xclbin = temp_file("fake_xclbin", "not an xclbin");
  pw::XrtBackend b;
  // Index 63: no machine has that card, so this is the no-device path everywhere.
  CHECK(!b.open(xclbin, 63));
  CAPTURE(b.reason());
  CHECK(one_line(b.reason()));
  CHECK(b.reason().find("no usable Alveo device at index 63") != std::string::npos);
  CHECK(b.reason().find("(XRT: ") != std::string::npos);
  CHECK(b.device_name().empty());

  // Device 0: without a card (this machine, CI) the same; with one, the fake file is refused.
  pw::XrtBackend b0;
  CHECK(!b0.open(xclbin, 0));
  CAPTURE(b0.reason());
  CHECK(one_line(b0.reason()));
  CHECK((b0.reason().find("device") != std::string::npos || b0.reason().find("xclbin") != std::string::npos));
  std::remove(xclbin.c_str());
}

TEST_CASE("process without an open card fails with the open failure, not a crash") {
  pw::XrtBackend b;
  std::vector<pw::MarketEvent> events;
  std::vector<std::vector<uint8_t>> payloads{std::vector<uint8_t>(24, 0)};
  CHECK(!b.process(payloads, events));
  CHECK(b.reason().find("not open") != std::string::npos);
  CHECK(!b.open("/nonexistent.xclbin"));
  const std::string why = b.reason();
  CHECK(!b.process(payloads, events));
  CHECK(b.reason() == why);
  CHECK(events.empty());
  CHECK(b.counts().packets() == 0);
}
