// The wire stage of the stream kernel feed_decode: what the card's front end tells the decoder
// beside the bytes (rtl/perpwire_nic_top.sv m_axis_feed_tuser), and what the decoder does with it.
//
//   - abort (tuser bit 65, on a datagram's last beat): the frame failed its FCS or was cut by the
//     arbiter. Its events must never reach the book, so every event of a datagram is held in a
//     ring until the datagram's last beat: committed when it ends well, discarded when aborted.
//     Holding costs no throughput (one event in and one out per clock) and almost no latency:
//     a datagram's last message completes on its last beat anyway.
//   - channel slot (tuser bits 67+): which channel's sequence the datagram belongs to. The stage
//     keeps the next expected SeqNum per slot; a datagram numbered above it is preceded, in-band,
//     by the packet-gap notice for the missing numbers (hls/common/gap_notice.hpp, the encoding
//     the software path gives market_state), stamped with the datagram's receive time. The first
//     datagram of a slot only synchronizes it. An aborted or dropped datagram leaves the expected
//     number where it was, so the next datagram of its channel reports it missing unless its
//     other line's copy arrives first. This is the software path's rule, so fail-closed sync on
//     both-line loss works on the card as in software.
//   - gap (tuser bit 64): the arbiter's own verdict; where it disagrees with the numbers the
//     datagram is counted (kCtrGapFlagMismatch), the numbers decide.
//   - receive timestamp (tuser bits 63:0, first beat): stamps the gap notice.
//
// State is one plain struct, all-zero is its reset state (static storage with a constant
// initializer: no constructor), and reset() returns to it.
#pragma once
#include <cstdint>

#include "hls/common/gap_notice.hpp"
#include "hls/feed_decode/feed_decode.hpp"

namespace pw {
namespace hlsk {

// m_axis_feed_tuser of rtl/perpwire_nic_top.sv with CHAN_WIDTH = 2 (FEED_USER_WIDTH = 67 + 2).
constexpr int kFeedChanWidth = 2;
constexpr int kFeedUserWidth = 67 + kFeedChanWidth;
constexpr int kUserGapBit = 64;
constexpr int kUserAbortBit = 65;
constexpr int kUserLineBit = 66;
constexpr int kUserChanLsb = 67;
constexpr int kFeedChannelSlots = 1 << kFeedChanWidth;
typedef ap_axiu<64, kFeedUserWidth, 0, 0> FeedWireBeat;

// Events of datagrams not yet ended, plus committed ones not yet written out. 256 covers a full
// 1500-byte-MTU datagram (at most 147 messages) behind a backlog of as many.
constexpr uint32_t kHeldEvents = 256;
constexpr uint32_t kHeldMask = kHeldEvents - 1;
static_assert((kHeldEvents & kHeldMask) == 0, "the hold ring is indexed by masking");

// The front end's sideband of one beat.
struct FeedUser {
  uint64_t rx_ns;
  bool gap;
  bool abort;
  uint8_t line;
  uint8_t slot;
};

inline FeedUser feed_user(const FeedWireBeat& b) {
  FeedUser u;
  u.rx_ns = b.user.range(63, 0).to_uint64();
  u.gap = b.user[kUserGapBit] != 0;
  u.abort = b.user[kUserAbortBit] != 0;
  u.line = b.user[kUserLineBit] != 0 ? 1 : 0;
  u.slot = (uint8_t)b.user.range(kUserChanLsb + kFeedChanWidth - 1, kUserChanLsb).to_uint64();
  return u;
}

inline ap_uint<kFeedUserWidth> feed_user_bits(const FeedUser& u) {
  ap_uint<kFeedUserWidth> v = 0;
  v.range(63, 0) = u.rx_ns;
  v[kUserGapBit] = u.gap ? 1 : 0;
  v[kUserAbortBit] = u.abort ? 1 : 0;
  v[kUserLineBit] = u.line;
  v.range(kUserChanLsb + kFeedChanWidth - 1, kUserChanLsb) = u.slot;
  return v;
}

struct FeedWire {
  FeedDecoder d;
  uint32_t epoch;                // the host's reset_epoch this state belongs to
  uint64_t ring[kHeldEvents][kEventLanes];
  uint32_t head;                 // next event to write out
  uint32_t commit;               // end of the committed events
  uint32_t tail;                 // end of the held events
  bool in_datagram;              // a datagram's first beat has been taken, its last not yet
  bool overflow;                 // this datagram had an event the ring had no room for
  bool gap_bit;                  // of this datagram's first beat
  uint8_t slot;
  uint64_t rx_ns;
  bool synced[kFeedChannelSlots];
  int64_t expected[kFeedChannelSlots];

  void reset(uint32_t new_epoch) {
#pragma HLS ARRAY_PARTITION variable=synced complete
#pragma HLS ARRAY_PARTITION variable=expected complete
    d.reset();
    epoch = new_epoch;
    head = commit = tail = 0;
    in_datagram = overflow = gap_bit = false;
    slot = 0;
    rx_ns = 0;
  clear_slots:
    for (int i = 0; i < kFeedChannelSlots; ++i) {
#pragma HLS UNROLL
      synced[i] = false;
      expected[i] = 0;
    }
  }

  void hold(const EventWord& w) {
    if (tail - head >= kHeldEvents) {
      overflow = true;
      return;
    }
  hold_lanes:
    for (int i = 0; i < kEventLanes; ++i) {
#pragma HLS UNROLL
      ring[tail & kHeldMask][i] = w.range(64 * i + 63, 64 * i).to_uint64();
    }
    ++tail;
  }

  // The next committed event, if any (one per clock).
  bool take(EventWord& w) {
    if (head == commit) return false;
  take_lanes:
    for (int i = 0; i < kEventLanes; ++i) {
#pragma HLS UNROLL
      w.range(64 * i + 63, 64 * i) = ring[head & kHeldMask][i];
    }
    ++head;
    return true;
  }

  // One beat from the front end.
  void step(const FeedWireBeat& beat) {
    const FeedUser u = feed_user(beat);
    if (!in_datagram) {
      in_datagram = true;
      overflow = false;
      gap_bit = u.gap;
      slot = u.slot;
      rx_ns = u.rx_ns;
    }
    EventWord ev;
    const bool emitted = d.step(beat, ev);
    // Byte 18 and a message's end (byte 34 or later) never share a beat: one hold per clock.
    if (d.numbered_now) {
      const int64_t want = expected[slot];
      const bool jump = synced[slot] && d.packet_seq > want;
      if (gap_bit != jump) ++d.counters[kCtrGapFlagMismatch];
      if (jump) {
        hold(pack_event(gap_notice(d.packet_channel, want, d.packet_seq - 1, (int64_t)rx_ns)));
        ++d.counters[kCtrGapNotices];
      }
    }
    if (emitted) hold(ev);
    if (beat.last) {
      in_datagram = false;
      if (u.abort) {
        ++d.counters[kCtrAborted];
        tail = commit;
      } else if (overflow) {
        ++d.counters[kCtrHeldOverflow];
        tail = commit;
      } else {
        commit = tail;
        if (d.numbered && (!synced[slot] || d.packet_seq >= expected[slot])) {
          expected[slot] = d.packet_seq + 1;
          synced[slot] = true;
        }
      }
    }
  }
};

}  // namespace hlsk
}  // namespace pw

// Free-running stream kernel (ap_ctrl_none): one call is one clock, and the platform calls it
// again forever. Each call writes at most one held event to `out` and takes at most one beat
// from `in` (when one is there). `counters` (20 x 32-bit lanes, FeedCounter) count since the
// last reset and are readable at any time; writing a new value to `reset_epoch` resets the
// decoder, the hold ring, the counters and the per-slot sequence state at the next call.
extern "C" void feed_decode(hls::stream<pw::hlsk::FeedWireBeat>& in, hls::stream<pw::hlsk::EventWord>& out,
                            uint32_t reset_epoch, pw::hlsk::FeedCounterWord& counters);
