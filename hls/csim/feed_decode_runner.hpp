// Host side of the feed_decode kernel in C-simulation (the `hls-csim` backend) and the buffer
// layout shared with the XRT backend. Not synthesized: this is ordinary host C++.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/events.hpp"
#include "core/md_decode.hpp"
#include "hls/feed_decode/feed_decode.hpp"

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

// Sends one datagram into a stream as 64-bit beats (beat_layout.hpp).
void push_datagram(hls::stream<FeedBeat>& s, const uint8_t* data, uint32_t len);

// The most events a datagram of `len` bytes can yield (MessageCount <= 255, a message >= 10 bytes).
uint32_t event_bound(uint32_t len);

// Buffers of one feed_decode_mm call.
struct MmBatch {
  std::vector<uint64_t> beats;     // datagrams, each from a fresh word, beats_for(len) words
  std::vector<uint32_t> lengths;   // bytes of each datagram
  uint32_t max_events = 0;         // sum of event_bound over the datagrams
};
void layout_batch(const DatagramView* d, size_t n, MmBatch& out);

// The `hls-csim` backend: the feed_decode kernel run as C++ on whole datagrams.
class FeedDecodeCsim {
 public:
  // One kernel call over `n` datagrams; their events are appended to `out`. Returns false (see
  // error()) when the call and the stream disagree: beats left unread, or a read of an empty
  // stream (the hardware would hang).
  bool decode(const DatagramView* d, size_t n, std::vector<MarketEvent>& out);
  bool decode(const uint8_t* data, uint32_t len, std::vector<MarketEvent>& out) {
    const DatagramView v{data, len};
    return decode(&v, 1, out);
  }
  // The same through the memory-mapped top feed_decode_mm (the layout the XRT backend uses).
  bool decode_mm(const DatagramView* d, size_t n, std::vector<MarketEvent>& out);

  const FeedDecodeCounts& counts() const { return counts_; }
  void clear_counts() { counts_ = FeedDecodeCounts{}; }
  const std::string& error() const { return error_; }

 private:
  FeedDecodeCounts counts_;
  std::string error_;
};

}  // namespace hlsk
}  // namespace pw
