// feed_decode_mm: the same decoder fed from and draining to device memory, so the host can replay
// datagrams through the card (XRT backend) without the network front end. Same FeedDecoder, same
// beat layout (hls/common/beat_layout.hpp), one beat per iteration.
//
// Three stages under DATAFLOW, joined by streams (the Vitis_Accel_Examples load -> compute ->
// store form): read_beats bursts the datagrams out of `beats` as AXI-Stream beats, decode_beats is
// the stream kernel's loop, write_events stores the events and the counters. Each stage has its own
// pipelined loop, so the memory reads, the decoding and the memory writes overlap.
#include "hls/common/beat_layout.hpp"
#include "hls/feed_decode/feed_decode.hpp"

namespace {

using pw::hlsk::EventWord;
using pw::hlsk::FeedBeat;
using pw::hlsk::FeedCounterWord;

// An event, or the end of the call's events (`end` set, `word` unused).
struct EventToken {
  EventWord word;
  bool end;
};

void read_beats(const ap_uint<64>* beats, const uint32_t* lengths, uint32_t packets, hls::stream<FeedBeat>& out) {
  uint32_t p = 0;     // datagram
  uint32_t b = 0;     // beat inside the datagram
  uint32_t word = 0;  // word of `beats`
  uint32_t len = packets > 0 ? lengths[0] : 0;
  uint32_t nb = pw::hlsk::beats_for(len);
read_loop:
  while (p < packets) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=3 max=8192 avg=24
    FeedBeat beat;
    beat.data = beats[word++];
    beat.keep = pw::hlsk::keep_for(len, b);
    beat.strb = beat.keep;
    beat.last = b + 1 == nb;
    out.write(beat);
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
}

void decode_beats(hls::stream<FeedBeat>& in, uint32_t packets, hls::stream<EventToken>& events,
                  hls::stream<FeedCounterWord>& counters) {
  pw::hlsk::FeedDecoder d;
  d.reset();
  uint32_t done = 0;
decode_loop:
  while (done < packets) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=3 max=8192 avg=24
    const FeedBeat beat = in.read();
    EventToken t;
    t.end = false;
    if (d.step(beat, t.word)) events.write(t);
    if (beat.last) ++done;
  }
  EventToken end;
  end.word = 0;
  end.end = true;
  events.write(end);
  counters.write(d.pack_counters());
}

void write_events(hls::stream<EventToken>& events, hls::stream<FeedCounterWord>& counters_in, EventWord* out,
                  uint32_t max_events, uint32_t* counters) {
  uint32_t n_ev = 0;
  uint32_t dropped = 0;
  bool end = false;
write_loop:
  while (!end) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=4096 avg=8
    const EventToken t = events.read();
    end = t.end;
    if (!end) {
      if (n_ev < max_events) out[n_ev++] = t.word;
      else ++dropped;
    }
  }
  FeedCounterWord c = counters_in.read();
  c.range(32 * pw::hlsk::kCtrEventsDropped + 31, 32 * pw::hlsk::kCtrEventsDropped) = dropped;
write_counters:
  for (int i = 0; i < pw::hlsk::kFeedCounterCount; ++i) {
#pragma HLS PIPELINE II=1
    counters[i] = pw::hlsk::counter_lane(c, i);
  }
}

}  // namespace

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
#pragma HLS DATAFLOW
  hls::stream<FeedBeat> beat_stream("feed_decode_mm.beats");
#pragma HLS STREAM variable=beat_stream depth=64
  hls::stream<EventToken> event_stream("feed_decode_mm.events");
#pragma HLS STREAM variable=event_stream depth=16
  hls::stream<FeedCounterWord> counter_stream("feed_decode_mm.counters");
#pragma HLS STREAM variable=counter_stream depth=2
  read_beats(beats, lengths, packets, beat_stream);
  decode_beats(beat_stream, packets, event_stream, counter_stream);
  write_events(event_stream, counter_stream, events, max_events, counters);
}
