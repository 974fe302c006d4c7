// Host side of the feed_decode kernel in C-simulation (the `hls-csim` backend) and the buffer
// layout shared with the XRT backend. Not synthesized: this is ordinary host C++.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/events.hpp"
#include "core/md_decode.hpp"
#include "hls/feed_decode/feed_decode.hpp"
#include "hls/feed_decode/feed_wire.hpp"

namespace pw {
namespace hlsk {

struct DatagramView {
  const uint8_t* data;
  uint32_t len;
};

// Counters accumulated over kernel calls (the kernel's lanes are per call, 32 bits).
struct FeedDecodeCounts {
  uint64_t lane[kFeedCounterCount] = {};

  uint64_t packets() const { return lane[kCtrPackets]; }
  uint64_t beats() const { return lane[kCtrBeats]; }
  uint64_t messages() const { return lane[kCtrMessages]; }
  uint64_t events() const { return lane[kCtrEvents]; }
  uint64_t faulted_packets() const { return lane[kCtrFaultedPackets]; }
  uint64_t events_dropped() const { return lane[kCtrEventsDropped]; }
  uint64_t errors(md::DecodeError e) const { return lane[error_lane(e)]; }
  uint64_t total_errors() const;

  void add(const FeedCounterWord& w);
  void add(const uint32_t* lanes);  // kFeedCounterCount lanes
};

// Sends one datagram into a stream as 64-bit beats (beat_layout.hpp) with the front end's
// sideband `u` on every beat (abort only on the last).
void push_datagram(hls::stream<FeedWireBeat>& s, const uint8_t* data, uint32_t len, const FeedUser& u = FeedUser{});

// The most events a datagram of `len` bytes can yield (MessageCount <= 255, a message >= 10 bytes).
uint32_t event_bound(uint32_t len);

// Buffers of one feed_decode_mm call.
struct MmBatch {
  std::vector<uint64_t> beats;     // datagrams, each from a fresh word, beats_for(len) words
  std::vector<uint32_t> lengths;   // bytes of each datagram
  uint32_t max_events = 0;         // sum of event_bound over the datagrams
};
void layout_batch(const DatagramView* d, size_t n, MmBatch& out);

// A datagram as the card's front end delivers it: bytes and sideband.
struct WireDatagram {
  const uint8_t* data;
  uint32_t len;
  FeedUser user;
};

// The `hls-csim` backend: the free-running feed_decode kernel run as C++, clock by clock, until
// its input is consumed and its hold ring drained. The kernel's state is one instance (as on the
// card): each FeedDecodeCsim resets it (reset_epoch) when it takes over, so the sequence state of
// decode_wire lasts as long as one FeedDecodeCsim is used at a time.
class FeedDecodeCsim {
 public:
  FeedDecodeCsim();

  // Datagrams after the host's own A/B arbitration (host replay): no sideband; the host makes the
  // packet-gap notices, so the kernel's (which see every channel in one slot) are left out of `out`.
  // Returns false (see error()) when the kernel dropped a datagram (more events than its hold ring).
  bool decode(const DatagramView* d, size_t n, std::vector<MarketEvent>& out);
  bool decode(const uint8_t* data, uint32_t len, std::vector<MarketEvent>& out) {
    const DatagramView v{data, len};
    return decode(&v, 1, out);
  }
  // Datagrams from the card's front end with their sideband: aborted ones leave no event, and the
  // kernel's in-band packet-gap notices (EventType::sequence_gap) come in `out` before the events
  // of the datagram that revealed the gap.
  bool decode_wire(const WireDatagram* d, size_t n, std::vector<MarketEvent>& out);
  // The same through the memory-mapped top feed_decode_mm (the layout the XRT backend uses).
  bool decode_mm(const DatagramView* d, size_t n, std::vector<MarketEvent>& out);

  const FeedDecodeCounts& counts() const { return counts_; }
  void clear_counts() { counts_ = FeedDecodeCounts{}; }
  const std::string& error() const { return error_; }

 private:
  // Clocks the kernel until `in` is consumed and nothing more comes out; adds the counters' change.
  void run(hls::stream<FeedWireBeat>& in, hls::stream<EventWord>& out);

  uint32_t epoch_;
  FeedCounterWord seen_ = 0;  // the kernel's counters after this instance's last clock
  FeedDecodeCounts counts_;
  std::string error_;
};

}  // namespace hlsk
}  // namespace pw
