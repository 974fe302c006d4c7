// DPDK receive (and, for the order port, transmit) in the style of DPDK's examples/skeleton: the EAL
// is initialised once from the arguments the user passed through (everything after `--` on the
// perpwire command line), each port gets one mbuf pool, one RX queue and one TX queue, and the hot
// loop calls rx_burst, which hands out pointers into the mbufs — no copies.
//
// Replay without a NIC or hugepages (checked with DPDK 22.11, see docs/configuration.md):
//   perpwire run ... -- --no-huge -m 512 --no-pci -l 0 --vdev=net_pcap0,rx_pcap=feed_a.pcap
//                       --vdev=net_pcap1,rx_pcap=feed_b.pcap --vdev=net_pcap2,tx_pcap=orders.pcap
// net_pcap plays its file once and then returns empty bursts: RxIdleDetector tells the end of a
// replay from a quiet line.
//
// DPDK's headers are not included here, so users of this header need none of DPDK's compile flags.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

struct rte_mempool;
struct rte_mbuf;

namespace pw {

// The EAL, once per process. `args` are the EAL's own arguments (no program name). On failure
// returns false and `error` is one line saying why (the caller falls back to libpcap replay).
// A second call fails: DPDK cannot re-initialise its EAL in the same process.
bool dpdk_eal_init(const std::vector<std::string>& args, std::string& error);
bool dpdk_eal_initialized();
// Releases the EAL's resources (after every port is closed).
void dpdk_eal_cleanup();
// Names of the ports the EAL found ("net_pcap0", PCI addresses…), indexed by port id.
std::vector<std::string> dpdk_port_names();

// One received frame: valid until the next rx_burst or release() on the same port.
struct DpdkFrame {
  const uint8_t* data;
  uint32_t length;       // bytes of the frame
  int64_t timestamp_ns;  // device timestamp when hw_timestamp, else CLOCK_REALTIME at the burst
  bool hw_timestamp;     // net_pcap: the capture time from the file, ns since the epoch at µs
                         // precision (the device reads files with microsecond timestamps)
};

struct DpdkPortOptions {
  std::string device;            // port name ("net_pcap0", "0000:3b:00.0") or port number ("0")
  uint16_t rx_descriptors = 1024;
  uint16_t tx_descriptors = 1024;
  uint32_t mbufs = 8191;         // pool size (2^n − 1 is the mempool's best case)
  uint16_t mbuf_cache = 250;
  bool promiscuous = true;       // multicast feeds: take every group the switch sends
  bool rx_timestamps = true;     // ask the device for RX timestamps where it offers them
};

struct DpdkPortStats {
  uint64_t rx_packets = 0, rx_bytes = 0, rx_missed = 0, rx_errors = 0, rx_no_mbuf = 0;
  uint64_t tx_packets = 0, tx_bytes = 0, tx_errors = 0;
};

class DpdkPort {
 public:
  static constexpr uint16_t kMaxBurst = 64;

  DpdkPort() = default;
  DpdkPort(const DpdkPort&) = delete;
  DpdkPort& operator=(const DpdkPort&) = delete;
  ~DpdkPort();

  // Finds, configures and starts the port. False with a one-line `error` when the EAL is not
  // initialised, the device is unknown, or a setup step fails.
  bool open(const DpdkPortOptions& options, std::string& error);
  bool is_open() const { return open_; }

  // Receives up to `max` (≤ kMaxBurst) frames; first frees the previous burst's mbufs.
  uint16_t rx_burst(DpdkFrame* frames, uint16_t max);
  // Frees the last burst's mbufs now (rx_burst and close do it anyway).
  void release();

  // Copies one frame into an mbuf and transmits it (order port, tx_pcap). False when the pool is
  // empty, the frame is too long, or the device did not take it.
  bool send(const uint8_t* data, uint32_t length);

  DpdkPortStats stats() const;
  uint16_t port_id() const { return port_id_; }
  const std::string& name() const { return name_; }

  // Stops and closes the port and frees its pool.
  void close();

 private:
  bool open_ = false;
  uint16_t port_id_ = 0;
  std::string name_;
  rte_mempool* pool_ = nullptr;
  rte_mbuf* held_[kMaxBurst] = {};
  uint16_t held_count_ = 0;
  int timestamp_offset_ = -1;   // mbuf dynamic field of the RX timestamp, −1 when absent
  uint64_t timestamp_flag_ = 0; // ol_flags bit saying the field is valid
  int64_t timestamp_scale_ = 1; // device unit → ns
  std::vector<std::vector<uint8_t>> linear_;  // frames that arrived in several segments, made contiguous
};

// Decides when a replayed line has ended: `empty_bursts` empty bursts in a row AND `idle_ns` since
// the last frame. Real lines are never "over": use it only for replay.
class RxIdleDetector {
 public:
  RxIdleDetector(int64_t idle_ns = 200000000, uint32_t empty_bursts = 1000) : idle_ns_(idle_ns), empty_needed_(empty_bursts) {}
  // Call after every burst with its frame count and the current monotonic time; true = idle.
  bool update(uint16_t received, int64_t now_ns);
  void reset() { empty_ = 0, last_ns_ = -1; }

 private:
  int64_t idle_ns_;
  uint32_t empty_needed_;
  uint32_t empty_ = 0;
  int64_t last_ns_ = -1;
};

// Monotonic clock in ns (for RxIdleDetector).
int64_t dpdk_monotonic_ns();

}  // namespace pw
