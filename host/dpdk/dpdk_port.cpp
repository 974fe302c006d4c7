// DPDK port setup and the receive loop API. Follows DPDK's examples/skeleton: rte_eal_init on the
// passed-through arguments, rte_pktmbuf_pool_create, rte_eth_dev_configure with one RX and one TX
// queue, queue setup, start, promiscuous mode, then rte_eth_rx_burst in the caller's loop.
#include "host/dpdk/dpdk_port.hpp"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>

#include "host/metrics/tsc_clock.hpp"

namespace pw {

namespace {

bool g_eal_initialized = false;
bool g_eal_attempted = false;

// A burst's software receive time: one TSC read (see TscClock), not a clock_gettime per burst.
int64_t realtime_ns() { return TscClock::wall_ns(); }

std::string errno_text(int err) {
  if (err < 0) err = -err;
  return std::string(rte_strerror(err));
}

}  // namespace

int64_t dpdk_monotonic_ns() { return TscClock::now_ns(); }

bool dpdk_eal_init(const std::vector<std::string>& args, std::string& error) {
  if (g_eal_attempted) {
    error = g_eal_initialized ? "DPDK EAL is already initialised (once per process)"
                              : "DPDK EAL initialisation already failed in this process (it cannot be retried)";
    return false;
  }
  g_eal_attempted = true;
  // rte_eal_init reorders argv and may keep pointers into it: the strings live for the process.
  static std::vector<std::unique_ptr<char[]>> storage;
  static std::vector<char*> argv;
  auto keep = [&](const std::string& s) {
    storage.emplace_back(new char[s.size() + 1]);
    std::memcpy(storage.back().get(), s.c_str(), s.size() + 1);
    argv.push_back(storage.back().get());
  };
  keep("perpwire");
  for (const auto& a : args) keep(a);
  argv.push_back(nullptr);
  int parsed = rte_eal_init((int)argv.size() - 1, argv.data());
  if (parsed < 0) {
    std::string joined;
    for (const auto& a : args) joined += (joined.empty() ? "" : " ") + a;
    error = "DPDK EAL initialisation failed (" + errno_text(rte_errno) + ") with arguments: " + (joined.empty() ? "(none)" : joined);
    return false;
  }
  if (parsed != (int)args.size()) {
    error = "DPDK EAL did not take every argument after --: " + args[(size_t)parsed] + " is not an EAL option";
    rte_eal_cleanup();
    return false;
  }
  g_eal_initialized = true;
  return true;
}

bool dpdk_eal_initialized() { return g_eal_initialized; }

void dpdk_eal_cleanup() {
  if (!g_eal_initialized) return;
  rte_eal_cleanup();
  g_eal_initialized = false;
}

std::vector<std::string> dpdk_port_names() {
  std::vector<std::string> names;
  if (!g_eal_initialized) return names;
  uint16_t port;
  RTE_ETH_FOREACH_DEV(port) {
    char name[RTE_ETH_NAME_MAX_LEN] = {};
    rte_eth_dev_get_name_by_port(port, name);
    if (names.size() <= port) names.resize(port + 1);
    names[port] = name;
  }
  return names;
}

DpdkPort::~DpdkPort() { close(); }

bool DpdkPort::open(const DpdkPortOptions& opt, std::string& error) {
  close();
  if (!g_eal_initialized) {
    error = "DPDK EAL is not initialised (give EAL arguments after --)";
    return false;
  }
  // Resolve the device: a port number or a device name.
  uint16_t port = 0;
  char* end = nullptr;
  unsigned long number = std::strtoul(opt.device.c_str(), &end, 10);
  if (!opt.device.empty() && end && *end == '\0') {
    if (number >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port((uint16_t)number)) {
      error = "DPDK port " + opt.device + " does not exist (" + std::to_string(rte_eth_dev_count_avail()) + " ports available)";
      return false;
    }
    port = (uint16_t)number;
  } else if (rte_eth_dev_get_port_by_name(opt.device.c_str(), &port) != 0) {
    std::string known;
    for (const auto& n : dpdk_port_names())
      if (!n.empty()) known += (known.empty() ? "" : ", ") + n;
    error = "DPDK device '" + opt.device + "' not found (ports: " + (known.empty() ? "none; add --vdev or a PCI device to the EAL arguments" : known) + ")";
    return false;
  }
  char name[RTE_ETH_NAME_MAX_LEN] = {};
  rte_eth_dev_get_name_by_port(port, name);
  const std::string what = "DPDK port " + std::to_string(port) + " (" + name + "): ";

  rte_eth_dev_info info;
  int rc = rte_eth_dev_info_get(port, &info);
  if (rc != 0) {
    error = what + "cannot read device info (" + errno_text(rc) + ")";
    return false;
  }

  const std::string pool_name = "pw_mbuf_" + std::to_string(port);
  int socket = rte_eth_dev_socket_id(port);
  if (socket < 0) socket = (int)rte_socket_id();
  pool_ = rte_pktmbuf_pool_create(pool_name.c_str(), opt.mbufs, opt.mbuf_cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
  if (!pool_) {
    error = what + "cannot create the mbuf pool (" + errno_text(rte_errno) + "; give the EAL more memory, e.g. -m 512)";
    return false;
  }

  rte_eth_conf conf;
  std::memset(&conf, 0, sizeof conf);
  if (opt.rx_timestamps && (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP)) conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
  if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE) conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
  const uint16_t tx_queues = info.max_tx_queues > 0 ? 1 : 0;
  rc = rte_eth_dev_configure(port, 1, tx_queues, &conf);
  if (rc != 0) {
    error = what + "configure failed (" + errno_text(rc) + ")";
    close();
    return false;
  }
  uint16_t nb_rxd = opt.rx_descriptors, nb_txd = opt.tx_descriptors;
  rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
  if (rc != 0) {
    error = what + "descriptor counts rejected (" + errno_text(rc) + ")";
    close();
    return false;
  }
  rc = rte_eth_rx_queue_setup(port, 0, nb_rxd, (unsigned)socket, nullptr, pool_);
  if (rc < 0) {
    error = what + "RX queue setup failed (" + errno_text(rc) + ")";
    close();
    return false;
  }
  if (tx_queues) {
    rte_eth_txconf txconf = info.default_txconf;
    txconf.offloads = conf.txmode.offloads;
    rc = rte_eth_tx_queue_setup(port, 0, nb_txd, (unsigned)socket, &txconf);
    if (rc < 0) {
      error = what + "TX queue setup failed (" + errno_text(rc) + ")";
      close();
      return false;
    }
  }
  rc = rte_eth_dev_start(port);
  if (rc < 0) {
    error = what + "start failed (" + errno_text(rc) + ")";
    close();
    return false;
  }
  port_id_ = port;
  name_ = name;
  open_ = true;
  // Not every device has promiscuous mode (net_pcap files do not need it): not an error.
  if (opt.promiscuous) (void)rte_eth_promiscuous_enable(port);

  // The device registers these when it stamps frames (net_pcap with the timestamp offload: the
  // capture time in ns).
  // Only a device whose timestamp unit is known is trusted: net_pcap gives the capture time in
  // microseconds since the epoch (DPDK 22.11). A NIC's raw clock would need calibrating against
  // rte_eth_read_clock; those frames carry the software clock instead.
  timestamp_offset_ = -1;
  timestamp_flag_ = 0;
  if (info.driver_name && std::strcmp(info.driver_name, "net_pcap") == 0) {
    timestamp_offset_ = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, nullptr);
    int flag_bit = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, nullptr);
    timestamp_flag_ = flag_bit >= 0 ? (1ULL << flag_bit) : 0;
    timestamp_scale_ = 1000;
  }
  return true;
}

uint16_t DpdkPort::rx_burst(DpdkFrame* frames, uint16_t max) {
  release();
  if (!open_) return 0;
  if (max > kMaxBurst) max = kMaxBurst;
  const uint16_t n = rte_eth_rx_burst(port_id_, 0, held_, max);
  held_count_ = n;
  if (n == 0) return 0;
  const int64_t now = realtime_ns();
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = held_[i];
    DpdkFrame& f = frames[i];
    f.length = rte_pktmbuf_pkt_len(m);
    if (m->nb_segs == 1) {
      f.data = rte_pktmbuf_mtod(m, const uint8_t*);
    } else {
      // Jumbo frames span segments: the only case that copies (the buffer is kept for reuse).
      if (linear_.size() < kMaxBurst) linear_.resize(kMaxBurst);
      std::vector<uint8_t>& buf = linear_[i];
      if (buf.size() < f.length) buf.resize(f.length);
      f.data = static_cast<const uint8_t*>(rte_pktmbuf_read(m, 0, f.length, buf.data()));
    }
    if (timestamp_offset_ >= 0 && (m->ol_flags & timestamp_flag_)) {
      f.timestamp_ns = (int64_t)*RTE_MBUF_DYNFIELD(m, timestamp_offset_, rte_mbuf_timestamp_t*) * timestamp_scale_;
      f.hw_timestamp = true;
    } else {
      f.timestamp_ns = now;
      f.hw_timestamp = false;
    }
  }
  return n;
}

void DpdkPort::release() {
  for (uint16_t i = 0; i < held_count_; ++i) rte_pktmbuf_free(held_[i]);
  held_count_ = 0;
}

bool DpdkPort::send(const uint8_t* data, uint32_t length) {
  if (!open_ || !pool_) return false;
  rte_mbuf* m = rte_pktmbuf_alloc(pool_);
  if (!m) return false;
  char* dst = rte_pktmbuf_append(m, (uint16_t)length);
  if (!dst || length > UINT16_MAX) {
    rte_pktmbuf_free(m);
    return false;
  }
  std::memcpy(dst, data, length);
  if (rte_eth_tx_burst(port_id_, 0, &m, 1) != 1) {
    rte_pktmbuf_free(m);
    return false;
  }
  return true;
}

DpdkPortStats DpdkPort::stats() const {
  DpdkPortStats s;
  if (!open_) return s;
  rte_eth_stats st;
  if (rte_eth_stats_get(port_id_, &st) != 0) return s;
  s.rx_packets = st.ipackets;
  s.rx_bytes = st.ibytes;
  s.rx_missed = st.imissed;
  s.rx_errors = st.ierrors;
  s.rx_no_mbuf = st.rx_nombuf;
  s.tx_packets = st.opackets;
  s.tx_bytes = st.obytes;
  s.tx_errors = st.oerrors;
  return s;
}

void DpdkPort::close() {
  release();
  if (open_) {
    (void)rte_eth_dev_stop(port_id_);
    (void)rte_eth_dev_close(port_id_);
    open_ = false;
  }
  if (pool_) {
    rte_mempool_free(pool_);
    pool_ = nullptr;
  }
}

bool RxIdleDetector::update(uint16_t received, int64_t now_ns) {
  if (last_ns_ < 0) last_ns_ = now_ns;
  if (received > 0) {
    empty_ = 0;
    last_ns_ = now_ns;
    return false;
  }
  ++empty_;
  return empty_ >= empty_needed_ && now_ns - last_ns_ >= idle_ns_;
}

}  // namespace pw
