// feed_decode, stream kernel top. See feed_decode.hpp for the stream contract and docs/hls.md for
// interfaces, II and latency.
#include "hls/feed_decode/feed_decode.hpp"

extern "C" void feed_decode(hls::stream<pw::hlsk::FeedBeat>& in, hls::stream<pw::hlsk::EventWord>& out,
                            uint32_t packets, pw::hlsk::FeedCounterWord* counters) {
#pragma HLS INTERFACE mode=axis port=in
#pragma HLS INTERFACE mode=axis port=out
#pragma HLS INTERFACE mode=s_axilite port=packets
#pragma HLS INTERFACE mode=s_axilite port=counters
#pragma HLS INTERFACE mode=s_axilite port=return
  pw::hlsk::FeedDecoder d;
  d.reset();
  uint32_t done = 0;
  // One iteration per beat; the trip count follows the data (datagram lengths), the work inside
  // an iteration has fixed bounds (8 lanes, one message completion, one event).
beat_loop:
  while (done < packets) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=3 max=8192 avg=24
    const pw::hlsk::FeedBeat beat = in.read();
#if defined(PERPWIRE_HLS_COMPAT)
    // C-simulation only: a call promised more datagrams than the stream holds. The hardware would
    // wait for the next beat; the simulation stops (the stream has counted the empty read).
    if (in.underflowed()) break;
#endif
    pw::hlsk::EventWord ev;
    if (d.step(beat, ev)) out.write(ev);
    if (beat.last) ++done;
  }
  *counters = d.pack_counters();
}
