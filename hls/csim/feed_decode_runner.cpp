#include "hls/csim/feed_decode_runner.hpp"

#include <cstring>

#include "hls/common/beat_layout.hpp"

namespace pw {
namespace hlsk {

uint64_t FeedDecodeCounts::total_errors() const {
  uint64_t t = 0;
  for (int e = 1; e < (int)md::DecodeError::count_; ++e) t += lane[error_lane((md::DecodeError)e)];
  return t;
}

void FeedDecodeCounts::add(const FeedCounterWord& w) {
  for (int i = 0; i < kFeedCounterCount; ++i) lane[i] += counter_lane(w, i);
}

void FeedDecodeCounts::add(const uint32_t* lanes) {
  for (int i = 0; i < kFeedCounterCount; ++i) lane[i] += lanes[i];
}

void push_datagram(hls::stream<FeedWireBeat>& s, const uint8_t* data, uint32_t len, const FeedUser& u) {
  const uint32_t nb = beats_for(len);
  FeedUser mid = u;
  mid.abort = false;
  for (uint32_t b = 0; b < nb; ++b) {
    FeedWireBeat beat;
    uint64_t word = 0;
    for (uint32_t k = 0; k < 8 && b * 8 + k < len; ++k) word |= (uint64_t)data[b * 8 + k] << (8 * k);
    beat.data = word;
    beat.keep = keep_for(len, b);
    beat.strb = beat.keep;
    beat.last = b + 1 == nb;
    beat.user = feed_user_bits(b + 1 == nb ? u : mid);
    s.write(beat);
  }
}

uint32_t event_bound(uint32_t len) {
  if (len <= md::kPacketHeaderSize) return 0;
  const uint32_t by_size = (len - md::kPacketHeaderSize) / md::kMessageHeaderSize;
  return by_size < 255 ? by_size : 255;
}

void layout_batch(const DatagramView* d, size_t n, MmBatch& out) {
  out.beats.clear();
  out.lengths.clear();
  out.max_events = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t nb = beats_for(d[i].len);
    const size_t at = out.beats.size();
    out.beats.resize(at + nb, 0);
    if (d[i].len != 0) std::memcpy(&out.beats[at], d[i].data, d[i].len);  // little-endian host
    out.lengths.push_back(d[i].len);
    out.max_events += event_bound(d[i].len);
  }
}

namespace {
uint32_t next_epoch() {
  static uint32_t epochs = 0;
  return ++epochs;  // never 0: the kernel's power-up epoch
}
uint32_t g_owner = 0;  // the instance whose epoch the kernel state holds
}  // namespace

FeedDecodeCsim::FeedDecodeCsim() : epoch_(next_epoch()) {}

void FeedDecodeCsim::run(hls::stream<FeedWireBeat>& in, hls::stream<EventWord>& out) {
  if (g_owner != epoch_) seen_ = 0;  // the kernel resets at this instance's first clock
  g_owner = epoch_;
  FeedCounterWord now = seen_;
  for (;;) {  // until a clock takes no beat and writes no event
    const size_t before = out.size();
    const bool beat = !in.empty();
    feed_decode(in, out, epoch_, now);
    if (!beat && out.size() == before) break;
  }
  const uint32_t overflowed = counter_lane(now, kCtrHeldOverflow) - counter_lane(seen_, kCtrHeldOverflow);
  for (int i = 0; i < kFeedCounterCount; ++i)
    counts_.lane[i] += (uint32_t)(counter_lane(now, i) - counter_lane(seen_, i));
  seen_ = now;
  if (overflowed != 0)
    error_ = std::to_string(overflowed) + " datagram(s) had more events than feed_decode's hold ring: dropped";
}

bool FeedDecodeCsim::decode(const DatagramView* d, size_t n, std::vector<MarketEvent>& out) {
  error_.clear();
  hls::stream<FeedWireBeat> in("feed_decode.in");
  hls::stream<EventWord> events("feed_decode.out");
  for (size_t i = 0; i < n; ++i) push_datagram(in, d[i].data, d[i].len);
  run(in, events);
  while (!events.empty()) {
    const MarketEvent e = unpack_event(events.read());
    if (e.type != (uint8_t)EventType::sequence_gap) out.push_back(e);
  }
  return error_.empty();
}

bool FeedDecodeCsim::decode_wire(const WireDatagram* d, size_t n, std::vector<MarketEvent>& out) {
  error_.clear();
  hls::stream<FeedWireBeat> in("feed_decode.in");
  hls::stream<EventWord> events("feed_decode.out");
  for (size_t i = 0; i < n; ++i) push_datagram(in, d[i].data, d[i].len, d[i].user);
  run(in, events);
  while (!events.empty()) out.push_back(unpack_event(events.read()));
  return error_.empty();
}

bool FeedDecodeCsim::decode_mm(const DatagramView* d, size_t n, std::vector<MarketEvent>& out) {
  error_.clear();
  MmBatch batch;
  layout_batch(d, n, batch);
  std::vector<ap_uint<64>> beats(batch.beats.size());
  for (size_t i = 0; i < beats.size(); ++i) beats[i] = batch.beats[i];
  std::vector<EventWord> events(batch.max_events == 0 ? 1 : batch.max_events);
  uint32_t counters[kFeedCounterCount] = {};
  feed_decode_mm(beats.data(), batch.lengths.data(), (uint32_t)n, events.data(), batch.max_events, counters);
  counts_.add(counters);
  const uint32_t stored = counters[kCtrEvents] < batch.max_events ? counters[kCtrEvents] : batch.max_events;
  for (uint32_t i = 0; i < stored; ++i) out.push_back(unpack_event(events[i]));
  if (counters[kCtrEventsDropped] != 0) error_ = "feed_decode_mm dropped events: output buffer too small";
  return error_.empty();
}

}  // namespace hlsk
}  // namespace pw
