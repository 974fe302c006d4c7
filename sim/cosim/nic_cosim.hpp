// System co-simulation of the card's feed path: Ethernet frames of lines A and B (with their
// capture times) -> rtl/perpwire_nic_top in Verilator (both RX ports, multicast table, A/B
// arbiter) -> m_axis_feed with its tuser -> feed_decode in HLS C-simulation (aborted frames
// discarded, packet-gap notices made in-band) -> MarketEvents and packet-gap notifications through
// the same pw::EventSink the software path (host/pipeline/feed_pipeline.hpp) uses.
//
// Time: frames enter their port at their capture time, mapped to cycles of the 322.265625 MHz
// datapath clock relative to the first frame. Whenever both ports are idle, nothing has moved
// for `drain_cycles` and the arbiter holds no packet (hold window), the front end is empty and
// the simulation jumps to the next frame instead
// of clocking idle cycles; the timestamper is reloaded with the frame's time at each jump, so the
// receive timestamps (m_axis_feed_tuser[63:0]) follow the capture clock.
//
// This header does not include Verilator: a program links perpwire_cosim and includes only this
// (and cosim_feed.hpp).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/events.hpp"
#include "hls/csim/feed_decode_runner.hpp"
#include "host/pipeline/feed_pipeline.hpp"

namespace pw {
namespace cosim {

constexpr double kClockHz = 322265625.0;            // datapath clock of perpwire_nic_top
constexpr double kNsPerCycle = 1e9 / kClockHz;       // 3.1030303 ns
constexpr int kTableEntries = 8;                     // perpwire_nic_top N_MCAST
constexpr int kChannelSlots = 4;                     // perpwire_nic_top 2^CHAN_WIDTH

// One multicast-table entry: frames to group:port are line `line` of channel `channel_id`.
// Channel slots are given to the distinct channel ids in the order they first appear.
struct ChannelEntry {
  uint32_t group;       // IPv4 destination address, host byte order
  uint16_t port;        // UDP destination port
  uint8_t line;         // 0 = A, 1 = B (also the RX port the frames of that line are driven into)
  uint16_t channel_id;  // the feed's ChannelId carried by the group
};

struct CosimOptions {
  std::vector<ChannelEntry> table;
  // feed_decode pipeline depth D in cycles (docs/hls.md estimates 3-5; not yet synthesized).
  int decode_depth = 5;
  // Cycles without any beat moving after which the front end counts as empty (its longest
  // path is 15 cycles, the cut-through parsers finish a frame 10 cycles after its last beat).
  uint32_t drain_cycles = 48;
  // Per-message cycle records through on_message (runs a second feed_decode state machine beat by
  // beat to learn the beat each event completes in).
  bool timing = false;
  // true: a frame on the other line than the frame pushed before it enters only once the front
  // end is empty (drain_cycles without a beat), so the arbiter takes the frames in the order they
  // were pushed -- the order the software path merges the lines in (host/io/line_merger.hpp).
  // false: each port takes its frames at their capture times; frames of A and B that reach the
  // arbiter within a frame time of each other are taken in its round-robin order (docs/rtl.md,
  // "System co-simulation", difference D3). Frames of one line are in order either way.
  bool in_order = true;
  // false: aborted datagrams go to feed_decode too — what a shell that ignored tuser[65] would do
  // (for tests that show the flag matters).
  bool discard_aborted = true;
  // The arbiter's hold window in cycles (cfg_hold_cycles, 24 bits; 0 = none): the software path's
  // reorder wait in hardware. While a packet is held the clock runs (no jump over idle cycles),
  // so the window expires in simulated time. Meant for in_order = false (wire time): in order,
  // a frame on the other line would wait for every hold to expire.
  uint32_t hold_cycles = 0;
};

// One datagram that left m_axis_feed without the abort flag (a winning copy).
struct PacketRecord {
  uint8_t line;          // tuser[66]: line of the winning copy
  uint8_t slot;          // tuser[67 +: 2]
  uint16_t channel_id;   // of the slot (the datagram's ChannelId agrees, or rtl_errors counts it)
  int64_t seq;           // SeqNum
  bool gap;              // tuser[64]
  int64_t rx_ns;         // tuser[63:0]
  bool framing_ok;       // md::check_framing of the datagram (the front end does not check it)
  uint32_t events;       // events feed_decode made of it
  std::vector<uint8_t> payload;
  // Cycles (of the simulation's model clock) of the input frame's first/last beat into the NIC
  // top and of the datagram's first/last beat on m_axis_feed; matched = the input frame was found.
  bool matched;
  uint64_t in_first, in_last, out_first, out_last;
};

// Cycles from the triggering frame into the NIC top to one MarketEvent leaving feed_decode.
// Measured in Verilator: in_* -> out_* (the front end). From the kernel's C-simulation state
// machine: `beat`, the datagram beat the event completes in. Estimated: decode_depth (D).
//   store-and-forward shell (for comparison): the datagram is held in a frame FIFO until its last
//     beat (abort known), then streams into feed_decode from the next cycle:
//     event = out_last + 1 + beat + D
//   feed_decode as built (fed straight from m_axis_feed, each datagram's events held in its ring
//     until the last beat, abort known there): the j-th output of the datagram (a gap notice
//     first, if any) leaves at event = out_last + 1 + j + D
struct MessageTiming {
  uint16_t channel_id;
  int64_t seq;
  uint8_t msg_index;
  uint8_t type;          // EventType
  uint32_t payload_bytes;
  uint32_t beat;         // datagram beat (0-based) holding the message's last byte
  uint32_t frame_bytes;  // Ethernet frame length into the NIC top
  int64_t nic_first;     // out_first - in_first (measured)
  int64_t nic_last;      // out_last - in_last (measured)
  int64_t sf_from_first, sf_from_last;  // store-and-forward: event - in_first, event - in_last
  int64_t ct_from_first, ct_from_last;  // feed_decode as built (cut-through, held to the last beat)
};

// perpwire_nic_top counters (read port, docs/rtl.md) and the co-simulation's own.
struct CosimCounters {
  struct Line {
    uint64_t eth_frames, eth_ok, eth_non_ipv4, eth_runt, eth_mac_err;
    uint64_t ip_frames, ip_ok, ip_bad_hdr, ip_bad_len, ip_bad_csum, ip_frag, ip_not_udp, ip_bad_udp_len,
        ip_aborted;
    uint64_t mc_match, mc_nomatch;
  } line[2] = {};
  uint64_t arb_pass = 0, arb_dup = 0, arb_late = 0, arb_gap = 0, arb_gap_pkts = 0, arb_runt = 0,
           arb_bad_chan = 0, arb_aborted = 0, arb_win_a = 0, arb_win_b = 0, feed_out = 0;
  // co-simulation
  uint64_t frames_in[2] = {0, 0};  // frames driven into each RX port
  uint64_t frames_empty = 0;       // zero-length frames (not driven)
  uint64_t aborted = 0;            // m_axis_feed frames discarded by the shell (abort flag)
  uint64_t datagrams = 0;          // datagrams handed to feed_decode
  uint64_t events = 0;
  uint64_t gaps = 0, gap_packets = 0;
  uint64_t unmatched = 0;          // output datagram without its input frame (timing unknown)
  uint64_t rtl_errors = 0;         // front-end output that breaks its own contract (see error())
  uint64_t cycles = 0;             // model cycles clocked
  uint64_t cycles_skipped = 0;     // idle cycles jumped over
  hlsk::FeedDecodeCounts decode;   // feed_decode's counters
};

class NicCosim {
 public:
  // Builds the model, resets it and writes the multicast table. ok() is false when the table
  // does not fit (kTableEntries entries, kChannelSlots channel ids).
  NicCosim(EventSink& sink, const CosimOptions& opt);
  ~NicCosim();
  NicCosim(const NicCosim&) = delete;
  NicCosim& operator=(const NicCosim&) = delete;

  // One Ethernet frame (no FCS) received on line 0 (A) or 1 (B) at `time_ns`. Frames of a line
  // enter its port in the order pushed; push in capture-time order (host/io/line_merger.hpp).
  void push(uint8_t line, int64_t time_ns, const uint8_t* frame, uint32_t len);
  // Runs until the front end is empty and reads the counters.
  void finish();

  // Called for every datagram that left the front end unaborted, before its events.
  std::function<void(const PacketRecord&)> on_packet;
  // Called per event when CosimOptions::timing is set.
  std::function<void(const MessageTiming&)> on_message;

  const CosimCounters& counters() const;
  // False after a configuration error or a contract violation of the front end or the kernel
  // (AXI-Stream rules, a gap flag that disagrees with the sequence numbers, a wrong ChannelId,
  // feed_decode reading past its input); error() says the first one.
  bool ok() const;
  const std::string& error() const;
  // Counter read port of perpwire_nic_top (address map in docs/rtl.md).
  uint64_t rtl_counter(uint8_t addr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cosim
}  // namespace pw
