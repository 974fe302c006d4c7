// DPDK ports against libpcap: the same capture replayed through DPDK's net_pcap device (no NIC, no
// hugepages) must give exactly the frames libpcap reads from the file — same count, same bytes,
// same capture times (to the microsecond net_pcap keeps) — on two feed lines at once, and the transmit path must write what it sends.
// Skips (does not fail) only when the EAL cannot start in this environment.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "host/dpdk/dpdk_port.hpp"
#include "host/dpdk/feed_input.hpp"
#include "host/sessiongen/session_generator.hpp"
#include "host/io/pcap_source.hpp"

namespace fs = std::filesystem;

namespace {

struct CapturedFrame {
  std::vector<uint8_t> bytes;
  int64_t timestamp_ns;
};

std::vector<CapturedFrame> read_with_libpcap(const std::string& path) {
  std::vector<CapturedFrame> out;
  pw::PcapSource src;
  REQUIRE_MESSAGE(src.open(path), src.error());
  pw::Frame f;
  while (src.next(f)) out.push_back({std::vector<uint8_t>(f.data, f.data + f.caplen), f.timestamp_ns});
  return out;
}

std::vector<CapturedFrame> read_with_dpdk(pw::DpdkPort& port) {
  std::vector<CapturedFrame> out;
  pw::DpdkFrame burst[pw::DpdkPort::kMaxBurst];
  pw::RxIdleDetector idle(100000000, 200);  // the file is over after 0.1 s of empty bursts
  for (;;) {
    uint16_t n = port.rx_burst(burst, pw::DpdkPort::kMaxBurst);
    for (uint16_t i = 0; i < n; ++i) {
      CHECK(burst[i].hw_timestamp);
      out.push_back({std::vector<uint8_t>(burst[i].data, burst[i].data + burst[i].length), burst[i].timestamp_ns});
    }
    if (idle.update(n, pw::dpdk_monotonic_ns())) break;
  }
  port.release();
  return out;
}

void require_identical(const std::vector<CapturedFrame>& dpdk, const std::vector<CapturedFrame>& pcap, const std::string& what) {
  INFO(what);
  REQUIRE(dpdk.size() == pcap.size());
  size_t bytes_differ = 0, times_differ = 0;
  for (size_t i = 0; i < pcap.size(); ++i) {
    if (dpdk[i].bytes != pcap[i].bytes) ++bytes_differ;
    // net_pcap reads capture times at microsecond precision.
    if (dpdk[i].timestamp_ns != pcap[i].timestamp_ns / 1000 * 1000) ++times_differ;
  }
  CHECK(bytes_differ == 0);
  CHECK(times_differ == 0);
}

}  // namespace

TEST_CASE("DPDK net_pcap ports receive exactly the frames libpcap reads from the same captures") {
  const fs::path dir = fs::temp_directory_path() / ("perpwire_test_dpdk_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  pw::GenOptions gen;
  gen.seed = 7;
  gen.events = 20000;
  gen.duration_ns = 5LL * 60 * 1000000000LL;
  gen.faults.loss_a = 0.01;  // the two lines differ, so a swapped port would show
  pw::GenResult generated;
  std::string error;
  REQUIRE_MESSAGE(pw::generate_session(gen, dir.string(), generated, error), error);
  const std::string line_a = (dir / "feed_a.pcap").string(), line_b = (dir / "feed_b.pcap").string();
  const std::string small = std::string(PERPWIRE_SOURCE_DIR) + "/tests/data/coinbase/md/OrderPutMessage.pcap";
  const std::string sent = (dir / "orders_tx.pcap").string();

  // The documented replay arguments, plus a private runtime directory so parallel tests do not meet.
  std::vector<std::string> eal = {"--no-huge", "-m", "512", "--no-pci", "-l", "0", "--no-shconf", "--file-prefix=perpwire-test-" + std::to_string(::getpid()), "--log-level=lib.eal:error",
                                  "--vdev=net_pcap0,rx_pcap=" + line_a, "--vdev=net_pcap1,rx_pcap=" + line_b,
                                  "--vdev=net_pcap2,rx_pcap=" + small, "--vdev=net_pcap3,rx_pcap=" + small + ",tx_pcap=" + sent,
                                  "--vdev=net_pcap4,rx_pcap=" + line_a, "--vdev=net_pcap5,rx_pcap=" + line_b};
  if (!pw::dpdk_eal_init(eal, error)) {
    MESSAGE("DPDK EAL cannot initialise here, DPDK path not tested: " << error);
    fs::remove_all(dir);
    return;
  }
  CHECK_FALSE(pw::dpdk_eal_init(eal, error));  // once per process, with a clear reason
  CHECK(error.find("already") != std::string::npos);

  const auto names = pw::dpdk_port_names();
  REQUIRE(names.size() == 6);
  CHECK(names[0] == "net_pcap0");

  // One EAL per process, so the parts run in sequence inside one test case (no subcases, which would
  // re-run the initialisation).
  {  // unknown devices fail with a one-line reason
    pw::DpdkPort port;
    CHECK_FALSE(port.open({"net_pcap9"}, error));
    CHECK(error.find("net_pcap9") != std::string::npos);
    CHECK(error.find("net_pcap0") != std::string::npos);  // lists what exists
    CHECK(error.find('\n') == std::string::npos);
    CHECK_FALSE(port.open({"42"}, error));
    CHECK(error.find("does not exist") != std::string::npos);
  }

  {  // two feed lines at once, by name and by number
    pw::DpdkPort a, b;
    REQUIRE_MESSAGE(a.open({"net_pcap0"}, error), error);
    REQUIRE_MESSAGE(b.open({"1"}, error), error);
    CHECK(b.name() == "net_pcap1");
    const auto expected_a = read_with_libpcap(line_a), expected_b = read_with_libpcap(line_b);
    CHECK(expected_a.size() == generated.frames_a);
    CHECK(expected_a.size() != expected_b.size());
    require_identical(read_with_dpdk(a), expected_a, "line A");
    require_identical(read_with_dpdk(b), expected_b, "line B");
    CHECK(a.stats().rx_packets == expected_a.size());
    CHECK(a.stats().rx_missed == 0);
    a.close();
    b.close();
  }

  {  // a recorded exchange capture, and transmit into tx_pcap
    pw::DpdkPort port;
    REQUIRE_MESSAGE(port.open({"net_pcap2"}, error), error);
    require_identical(read_with_dpdk(port), read_with_libpcap(small), "OrderPutMessage.pcap");

    pw::DpdkPort orders;
    REQUIRE_MESSAGE(orders.open({"net_pcap3"}, error), error);
    const auto frames = read_with_libpcap(small);
    for (const auto& f : frames) CHECK(orders.send(f.bytes.data(), (uint32_t)f.bytes.size()));
    CHECK(orders.stats().tx_packets == frames.size());
    orders.close();  // flushes and closes the tx_pcap file
    const auto written = read_with_libpcap(sent);
    REQUIRE(written.size() == frames.size());
    for (size_t i = 0; i < frames.size(); ++i) CHECK(written[i].bytes == frames[i].bytes);
  }

  {  // the feed lines of a config through DPDK, and the libpcap fallback when a port is missing
    pw::FeedsConfig feeds;
    feeds.line_a = {true, pw::FeedSourceKind::dpdk, "", "net_pcap4"};
    feeds.line_b = {true, pw::FeedSourceKind::dpdk, "", "net_pcap5"};
    pw::FeedInput in;
    std::vector<std::string> notes;
    REQUIRE_MESSAGE(in.open(feeds, eal, {}, error, notes), error);
    CHECK(notes.empty());
    CHECK(in.uses_dpdk());
    CHECK(in.describe() == "line A: DPDK port net_pcap4; line B: DPDK port net_pcap5");
    std::vector<CapturedFrame> got[2];
    pw::FeedFrame f;
    while (in.next(f)) got[f.line].push_back({std::vector<uint8_t>(f.data, f.data + f.length), f.timestamp_ns});
    require_identical(got[0], read_with_libpcap(line_a), "FeedInput line A");
    require_identical(got[1], read_with_libpcap(line_b), "FeedInput line B");

    // net_pcap7 is not a device of this EAL: line B replays the file its --vdev names, line A its pcap.
    pw::FeedsConfig missing;
    missing.line_a = {true, pw::FeedSourceKind::dpdk, line_a, "net_pcap6"};
    missing.line_b = {true, pw::FeedSourceKind::dpdk, "", "net_pcap7"};
    std::vector<std::string> args = eal;
    args.push_back("--vdev=net_pcap7,rx_pcap=" + line_b);
    pw::FeedInput fallback;
    notes.clear();
    REQUIRE_MESSAGE(fallback.open(missing, args, {}, error, notes), error);
    REQUIRE(notes.size() == 2);
    CHECK(notes[0].find("line A: DPDK unavailable (DPDK device 'net_pcap6' not found") == 0);
    CHECK(notes[1].find("replaying " + line_b + " with libpcap instead") != std::string::npos);
    CHECK_FALSE(fallback.uses_dpdk());
    size_t frames[2] = {0, 0};
    while (fallback.next(f)) {
      ++frames[f.line];
    }
    CHECK(frames[0] == generated.frames_a);
    CHECK(frames[1] == generated.frames_b);

    // No capture to fall back to: a clear error.
    pw::FeedsConfig none;
    none.line_a = {true, pw::FeedSourceKind::dpdk, "", "net_pcap8"};
    pw::FeedInput fails;
    CHECK_FALSE(fails.open(none, eal, {}, error, notes));
    CHECK(error.find("line A: DPDK device 'net_pcap8' not found") == 0);
    CHECK(error.find("no capture to replay instead (set feeds.line_a.pcap)") != std::string::npos);
  }
  fs::remove_all(dir);
}

TEST_CASE("EAL arguments come after --, and a net_pcap device names its capture") {
  const char* raw[] = {"perpwire", "run", "--config", "c.toml", "--", "--no-huge", "--vdev", "net_pcap1,rx_pcap=b.pcap,tx_pcap=o.pcap"};
  char* argv[8];
  for (int i = 0; i < 8; ++i) argv[i] = const_cast<char*>(raw[i]);
  int argc = 8;
  auto eal = pw::take_args_after_double_dash(argc, argv);
  CHECK(argc == 4);
  REQUIRE(eal.size() == 3);
  CHECK(eal[0] == "--no-huge");
  CHECK(pw::vdev_rx_pcap(eal, "net_pcap1") == "b.pcap");
  CHECK(pw::vdev_rx_pcap({"--vdev=net_pcap0,rx_pcap=/x/a.pcap"}, "net_pcap0") == "/x/a.pcap");
  CHECK(pw::vdev_rx_pcap({"--vdev=net_pcap0,rx_pcap=/x/a.pcap"}, "net_pcap1") == "");
  int argc2 = 2;
  CHECK(pw::take_args_after_double_dash(argc2, argv).empty());
  CHECK(argc2 == 2);
}
