// Entry point of the `verilator` backend: replays the captures of feed lines A and B through the
// card's feed path in simulation — rtl/perpwire_nic_top (Verilator) + feed_decode (HLS
// C-simulation) — and hands the MarketEvents and packet gaps to the same pw::EventSink as the
// software path. Link perpwire_cosim (built when PERPWIRE_SIM is ON).
#pragma once
#include <string>
#include <vector>

#include "host/pipeline/feed_pipeline.hpp"
#include "sim/cosim/nic_cosim.hpp"

namespace pw {
namespace cosim {

struct CosimFeedOptions {
  // Multicast table of the front end; empty: learned from the captures (learn_table).
  std::vector<ChannelEntry> table;
  int decode_depth = 5;
  // Frames enter the front end in the merged capture order (CosimOptions::in_order): the events
  // and gaps are then specified to equal the software path's with reorder_wait 0 (docs/rtl.md).
  bool in_order = true;
  // The arbiter's hold window in ns (0 = none), converted to cycles of the datapath clock;
  // with in_order = false and the software path's reorder wait, both give a hole up alike.
  int64_t hold_ns = 0;
};

// Cycles of the datapath clock for a hold window of `ns` (rounded; 1 ms -> 322,266 as the RTL's
// reset value), clamped to the 24-bit register.
uint32_t hold_cycles_for(int64_t ns);

// The table the captures need: one entry per (line, destination group, UDP port) in order of
// first appearance, carrying the ChannelId of the first datagram (>= 18 bytes) sent there. False
// with `error` when a capture cannot be read or is not Ethernet.
bool learn_table(const std::string& pcap_a, const std::string& pcap_b, std::vector<ChannelEntry>& table,
                 std::string& error);

// Replays `pcap_a` (line A, required) and `pcap_b` (line B; empty: none) in capture-time order
// (host/io/line_merger.hpp) through the co-simulation; events and gaps go to `sink`. False with a
// one-line `error` ("verilator backend: ...") when a capture cannot be read, the channels do not
// fit the front end's table (8 entries, 4 channels), or the simulation breaks a contract.
bool run_cosim_feed(const std::string& pcap_a, const std::string& pcap_b, EventSink& sink, std::string& error);
// The same with options; `counters` (optional) receives the front end's and the kernel's counters.
bool run_cosim_feed(const std::string& pcap_a, const std::string& pcap_b, EventSink& sink, std::string& error,
                    const CosimFeedOptions& opt, CosimCounters* counters);

}  // namespace cosim
}  // namespace pw
