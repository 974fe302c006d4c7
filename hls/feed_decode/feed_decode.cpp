// feed_decode, stream kernel top: free-running on the front end's m_axis_feed. See feed_wire.hpp
// for the sideband and the hold ring, feed_decode.hpp for the decoder, docs/hls.md for II and
// latency.
#include "hls/feed_decode/feed_wire.hpp"

namespace {
// The kernel's state: static storage, constant (zero) initialized — no constructor runs, and the
// all-zero memory a bitstream loads is the reset state.
pw::hlsk::FeedWire g_wire;
}  // namespace

extern "C" void feed_decode(hls::stream<pw::hlsk::FeedWireBeat>& in, hls::stream<pw::hlsk::EventWord>& out,
                            uint32_t reset_epoch, pw::hlsk::FeedCounterWord& counters) {
#pragma HLS INTERFACE mode=ap_ctrl_none port=return
#pragma HLS INTERFACE mode=axis port=in
#pragma HLS INTERFACE mode=axis port=out
#pragma HLS INTERFACE mode=s_axilite port=reset_epoch
#pragma HLS INTERFACE mode=s_axilite port=counters
#pragma HLS PIPELINE II=1
#pragma HLS DEPENDENCE variable=g_wire.ring inter false
  if (reset_epoch != g_wire.epoch) g_wire.reset(reset_epoch);
  pw::hlsk::EventWord ev;
  if (g_wire.take(ev)) out.write(ev);
  if (!in.empty()) g_wire.step(in.read());
  counters = g_wire.d.pack_counters();
}
