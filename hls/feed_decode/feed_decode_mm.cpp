// feed_decode_mm: the same decoder fed from and draining to device memory, so the host can replay
// datagrams through the card (XRT backend) without the network front end. Same FeedDecoder, same
// beat layout (hls/common/beat_layout.hpp), one beat per iteration.
#include "hls/common/beat_layout.hpp"
#include "hls/feed_decode/feed_decode.hpp"

extern "C" void feed_decode_mm(const ap_uint<64>* beats, const uint32_t* lengths, uint32_t packets,
                               pw::hlsk::EventWord* events, uint32_t max_events, uint32_t* counters) {
#pragma HLS INTERFACE mode=m_axi port=beats offset=slave bundle=gmem0 max_read_burst_length=64
#pragma HLS INTERFACE mode=m_axi port=lengths offset=slave bundle=gmem1
#pragma HLS INTERFACE mode=m_axi port=events offset=slave bundle=gmem2 max_write_burst_length=16
#pragma HLS INTERFACE mode=m_axi port=counters offset=slave bundle=gmem1
#pragma HLS INTERFACE mode=s_axilite port=beats
#pragma HLS INTERFACE mode=s_axilite port=lengths
#pragma HLS INTERFACE mode=s_axilite port=packets
#pragma HLS INTERFACE mode=s_axilite port=events
#pragma HLS INTERFACE mode=s_axilite port=max_events
#pragma HLS INTERFACE mode=s_axilite port=counters
#pragma HLS INTERFACE mode=s_axilite port=return
  pw::hlsk::FeedDecoder d;
  d.reset();
  uint32_t p = 0;       // datagram
  uint32_t b = 0;       // beat inside the datagram
  uint32_t word = 0;    // word of `beats`
  uint32_t n_ev = 0;
  uint32_t dropped = 0;
  uint32_t len = packets > 0 ? lengths[0] : 0;
  uint32_t nb = pw::hlsk::beats_for(len);
beat_loop:
  while (p < packets) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=3 max=8192 avg=24
    pw::hlsk::FeedBeat beat;
    beat.data = beats[word++];
    beat.keep = pw::hlsk::keep_for(len, b);
    beat.strb = beat.keep;
    beat.last = b + 1 == nb;
    pw::hlsk::EventWord ev;
    if (d.step(beat, ev)) {
      if (n_ev < max_events) events[n_ev++] = ev;
      else ++dropped;
    }
    if (b + 1 == nb) {
      ++p;
      b = 0;
      if (p < packets) {
        len = lengths[p];
        nb = pw::hlsk::beats_for(len);
      }
    } else {
      ++b;
    }
  }
  d.counters[pw::hlsk::kCtrEventsDropped] = dropped;
write_counters:
  for (int i = 0; i < pw::hlsk::kFeedCounterCount; ++i) {
#pragma HLS PIPELINE II=1
    counters[i] = d.counters[i];
  }
}
