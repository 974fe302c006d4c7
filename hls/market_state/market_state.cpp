// market_state, stream kernel top. See market_state.hpp for the stream contract and docs/hls.md for
// interfaces, cycles per event and capacities.
#include "hls/market_state/market_state.hpp"

namespace {

using namespace pw;
using namespace pw::hlsk;

// The whole market: kMarketInstruments slots of sequencing, book and mark/funding state. Kept
// across calls (the feed is one long stream). Constant-initialized (MarketState's constructor is
// constexpr): the bitstream holds the empty state, and no constructor code has to run
// (scripts/ir_check.py fails on llvm.global_ctors).
KernelMarketState g_market;
// What the status registers show between calls (all zero at power-up: no operation has run).
MarketStatus g_status;

void write_market(hls::stream<MarketWord>& markets, int slot) {
  MarketUpdate u{};
  u.slot = (uint32_t)slot;
  u.market = g_market.market(slot);
  markets.write(pack_record(u));
  ++g_status.markets;
}

void run_operation(const MarketControl& ctl) {
  g_status.op_seq = ctl.seq;
  g_status.result = 0;
  if (ctl.op == kMarketReset) {
    g_market.reset(&ctl.params);
    g_status.words = g_status.records = g_status.markets = 0;
  } else if (ctl.op == kMarketAddInstrument) {
    g_status.result = validate(ctl.params) == ParamsError::ok
                          ? g_market.add_instrument(ctl.instrument_id, ctl.channel, ctl.params, ctl.contract_size)
                          : -1;
  } else if (ctl.op == kMarketReadSlot) {
    g_status.slot_id = -1;
    g_status.slot_channel = 0;
    g_status.slot_synced = g_status.slot_defined = 0;
    for (int c = 0; c < (int)sizeof g_status.slot_symbol; ++c) g_status.slot_symbol[c] = 0;
    if (ctl.slot < (uint32_t)g_market.count()) {
      const KernelMarketState::Slot& s = g_market.slot((int)ctl.slot);
      g_status.slot_id = s.id;
      g_status.slot_channel = s.channel;
      g_status.slot_synced = s.synced;
      g_status.slot_defined = s.defined;
      for (int c = 0; c < (int)sizeof g_status.slot_symbol; ++c) g_status.slot_symbol[c] = s.symbol[c];
    }
  }
}

// One input word: an event or a packet-gap notice. Not II=1 yet: an event is a data-dependent
// sequence of steps of the book (order-index probes; levels inside the window are one indexed
// update and a priority encode, outside it a search and shift), the mark/funding clock (a sample
// walks the book's levels for the impact prices) and the record comparisons; every inner loop has
// a fixed bound. Cycles per event and the dataflow design for II=1: docs/hls.md.
void run_word(const EventWord& w, bool emit_markets, hls::stream<RecordWord>& records, hls::stream<MarketWord>& markets) {
  StateRecord out[kMarketRecordsPerWord];
  MarketEvent e;
  unpack_event(w, e);
  const bool gap = e.type == (uint8_t)EventType::sequence_gap;
  const int n = gap ? g_market.packet_gap(e.channel_id, e.gap.expected_seq, e.gap.received_seq - 1, e.sending_time, out)
                    : g_market.apply(e, out);
record_out:
  for (int r = 0; r < kMarketRecordsPerWord; ++r) {
#pragma HLS PIPELINE II=1
    if (r >= n) break;
    records.write(pack_record(out[r]));
    ++g_status.records;
  }
  if (emit_markets) {
    if (gap) {
    market_out:
      for (int i = 0; i < kMarketInstruments; ++i) {
#pragma HLS PIPELINE II=1
        if (i >= g_market.count()) break;
        if (g_market.slot(i).channel == e.channel_id) write_market(markets, i);
      }
    } else if (e.type != (uint8_t)EventType::none && e.type != (uint8_t)EventType::end_of_cycle &&
               e.type != (uint8_t)EventType::retransmit_reject) {
      const int i = g_market.find(e.instrument_id);
      if (i >= 0) write_market(markets, i);
    }
  }
  ++g_status.words;
}

}  // namespace

extern "C" void market_state(hls::stream<EventWord>& events, hls::stream<RecordWord>& records,
                             hls::stream<MarketWord>& markets, const MarketControl& ctl, MarketStatus& status) {
#pragma HLS INTERFACE mode=ap_ctrl_none port=return
#pragma HLS INTERFACE mode=axis port=events
#pragma HLS INTERFACE mode=axis port=records
#pragma HLS INTERFACE mode=axis port=markets
#pragma HLS INTERFACE mode=s_axilite port=ctl
#pragma HLS INTERFACE mode=s_axilite port=status
  if (ctl.seq != g_status.op_seq) run_operation(ctl);
  else if (!events.empty()) run_word(events.read(), ctl.emit_markets != 0, records, markets);
  g_status.count = g_market.count();
  g_status.counters = g_market.counters();
  status = g_status;
}
