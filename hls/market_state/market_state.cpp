// market_state, stream kernel top. See market_state.hpp for the stream contract and docs/hls.md for
// interfaces, cycles per event and capacities.
#include "hls/market_state/market_state.hpp"

namespace {

using namespace pw;
using namespace pw::hlsk;

// The whole market: kMarketInstruments slots of sequencing, book and mark/funding state. Kept
// between calls (the feed is one long stream; a call is a batch of it). Constant-initialized
// (MarketState's constructor is constexpr): the bitstream holds the empty state, and no constructor
// code has to run (scripts/ir_check.py fails on llvm.global_ctors).
KernelMarketState g_market;

void write_market(hls::stream<MarketWord>& markets, int slot, uint32_t& written) {
  MarketUpdate u{};
  u.slot = (uint32_t)slot;
  u.market = g_market.market(slot);
  markets.write(pack_record(u));
  ++written;
}

}  // namespace

extern "C" void market_state(hls::stream<EventWord>& events, hls::stream<RecordWord>& records,
                             hls::stream<MarketWord>& markets, MarketControl ctl, MarketStatus* status) {
#pragma HLS INTERFACE mode=axis port=events
#pragma HLS INTERFACE mode=axis port=records
#pragma HLS INTERFACE mode=axis port=markets
#pragma HLS INTERFACE mode=s_axilite port=ctl
#pragma HLS INTERFACE mode=s_axilite port=status
#pragma HLS INTERFACE mode=s_axilite port=return
  MarketStatus st{};
  st.slot_id = -1;

  if (ctl.op == kMarketReset) {
    g_market.reset(&ctl.params);
  } else if (ctl.op == kMarketAddInstrument) {
    st.result = validate(ctl.params) == ParamsError::ok
                    ? g_market.add_instrument(ctl.instrument_id, ctl.channel, ctl.params, ctl.contract_size)
                    : -1;
  } else if (ctl.op == kMarketReadSlot) {
    if (ctl.slot < (uint32_t)g_market.count()) {
      const KernelMarketState::Slot& s = g_market.slot((int)ctl.slot);
      st.slot_id = s.id;
      st.slot_channel = s.channel;
      st.slot_synced = s.synced;
      st.slot_defined = s.defined;
      for (int c = 0; c < (int)sizeof st.slot_symbol; ++c) st.slot_symbol[c] = s.symbol[c];
    }
  } else if (ctl.op == kMarketRun) {
    StateRecord out[kMarketRecordsPerWord];
    uint32_t done = 0;
    // One iteration per input word. Not II=1 yet: an event is a data-dependent sequence of steps
    // of the book (order-index probes; levels inside the window are one indexed update and a
    // priority encode, outside it a search and shift), the mark/funding clock (a sample walks the
    // book's levels for the impact prices) and the record comparisons; every inner loop has a
    // fixed bound. Cycles per event and the dataflow design for II=1: docs/hls.md.
  word_loop:
    for (uint32_t k = 0; k < ctl.words; ++k) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=65536 avg=512
      const EventWord w = events.read();
#if defined(PERPWIRE_HLS_COMPAT)
      // C-simulation only: the call promised more words than the stream holds (the hardware would
      // wait); the stream has counted the empty read.
      if (events.underflowed()) break;
#endif
      MarketEvent e;
      unpack_event(w, e);
      int n;
      const bool gap = e.type == (uint8_t)EventType::sequence_gap;
      if (gap) n = g_market.packet_gap(e.channel_id, e.gap.expected_seq, e.gap.received_seq - 1, e.sending_time, out);
      else n = g_market.apply(e, out);
    record_out:
      for (int r = 0; r < kMarketRecordsPerWord; ++r) {
#pragma HLS PIPELINE II=1
        if (r >= n) break;
        records.write(pack_record(out[r]));
        ++st.records;
      }
      if (ctl.emit_markets) {
        if (gap) {
        market_out:
          for (int i = 0; i < kMarketInstruments; ++i) {
#pragma HLS PIPELINE II=1
            if (i >= g_market.count()) break;
            if (g_market.slot(i).channel == e.channel_id) write_market(markets, i, st.markets);
          }
        } else if (e.type != (uint8_t)EventType::none && e.type != (uint8_t)EventType::end_of_cycle &&
                   e.type != (uint8_t)EventType::retransmit_reject) {
          const int i = g_market.find(e.instrument_id);
          if (i >= 0) write_market(markets, i, st.markets);
        }
      }
      ++done;
    }
    st.result = (int32_t)done;
  }
  st.count = g_market.count();
  st.counters = g_market.counters();
  *status = st;
}
