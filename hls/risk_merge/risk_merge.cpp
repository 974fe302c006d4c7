// risk_merge, stream kernel top. See risk_merge.hpp for the contract and docs/hls.md for timing.
#include "hls/risk_merge/risk_merge.hpp"

#include <cstring>

namespace {

using namespace pw;
using namespace pw::hlsk;

// The last sequence number given (0 after a reset); kept between calls.
uint64_t g_seq = 0;

}  // namespace

extern "C" void risk_merge(hls::stream<MarketWord>& markets, hls::stream<ExchangeWord>& exchange, hls::stream<OrderWord>& orders,
                           hls::stream<RiskInputWord>& inputs, hls::stream<MergeLogWord>& log, RiskMergeControl ctl,
                           RiskMergeStatus* status) {
#pragma HLS INTERFACE mode=axis port=markets
#pragma HLS INTERFACE mode=axis port=exchange
#pragma HLS INTERFACE mode=axis port=orders
#pragma HLS INTERFACE mode=axis port=inputs
#pragma HLS INTERFACE mode=axis port=log
#pragma HLS INTERFACE mode=s_axilite port=ctl
#pragma HLS INTERFACE mode=s_axilite port=status
#pragma HLS INTERFACE mode=s_axilite port=return
  RiskMergeStatus st;
  std::memset(&st, 0, sizeof st);
  if (ctl.op == kMergeReset) g_seq = 0;
  if (ctl.op == kMergeRun) {
    // One record per iteration: a priority choice among three FIFO heads and a counter, so II=1
    // (the only loop-carried value is g_seq, an add of one).
  merge_loop:
    while (st.merged < ctl.items) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=65536 avg=64
      const bool m = !markets.empty(), x = !exchange.empty(), o = !orders.empty();
      if (!m && !x && !o) {
#if defined(PERPWIRE_HLS_COMPAT)
        break;  // C-simulation: the call promised more records than the streams hold
#else
        continue;  // the hardware waits for the next record
#endif
      }
      const uint64_t seq = ++g_seq;
      MergeLogEntry e;
      std::memset(&e, 0, sizeof e);
      e.seq = seq;
      RiskInput in;
      if (m) {
        MarketUpdate u;
        unpack_record(markets.read(), u);
        in = risk_input(seq, kInputMarket, u);
        e.slot = u.slot;
        ++st.markets;
      } else if (x) {
        ExchangeEvent a;
        unpack_record(exchange.read(), a);
        in = risk_input(seq, kInputExchange, a);
        e.client_order_id = a.client_order_id;
        ++st.answers;
      } else {
        OrderRequest r;
        unpack_record(orders.read(), r);
        in = risk_input(seq, kInputOrder, r);
        e.client_order_id = r.client_order_id;
        ++st.orders;
      }
      e.kind = in.kind;
      inputs.write(pack_record(in));
      log.write(pack_record(e));
      ++st.merged;
    }
  }
  st.last_seq = g_seq;
  *status = st;
}
