// risk_merge, stream kernel top. See risk_merge.hpp for the contract and docs/hls.md for timing.
#include "hls/risk_merge/risk_merge.hpp"

namespace {

using namespace pw;
using namespace pw::hlsk;

// The last sequence number given and the counts, as the status registers show them (zero at
// power-up: the first number is 1).
RiskMergeStatus g_status;

}  // namespace

extern "C" void risk_merge(hls::stream<ControlWord>& control, hls::stream<MarketWord>& markets,
                           hls::stream<ExchangeWord>& exchange, hls::stream<OrderWord>& orders,
                           hls::stream<RiskInputWord>& inputs, hls::stream<MergeLogWord>& log,
                           const RiskMergeControl& ctl, RiskMergeStatus& status) {
#pragma HLS INTERFACE mode=ap_ctrl_none port=return
#pragma HLS INTERFACE mode=axis port=control
#pragma HLS INTERFACE mode=axis port=markets
#pragma HLS INTERFACE mode=axis port=exchange
#pragma HLS INTERFACE mode=axis port=orders
#pragma HLS INTERFACE mode=axis port=inputs
#pragma HLS INTERFACE mode=axis port=log
#pragma HLS INTERFACE mode=s_axilite port=ctl
#pragma HLS INTERFACE mode=s_axilite port=status
#pragma HLS PIPELINE II=1
  // One record per call: a priority choice among four FIFO heads and a counter, so II=1 (the only
  // loop-carried value is the last number, an add of one).
  if (ctl.reset_seq != g_status.reset_seq) {
    g_status = RiskMergeStatus{};
    g_status.reset_seq = ctl.reset_seq;
  } else {
    const bool c = !control.empty(), m = !markets.empty(), x = !exchange.empty(), o = !orders.empty();
    if (c || m || x || o) {
      const uint64_t seq = ++g_status.last_seq;
      MergeLogEntry e{};
      e.seq = seq;
      RiskInput in;
      if (c) {
        ControlApply a;
        unpack_record(control.read(), a);
        in = risk_input(seq, kInputControl, a);
        e.slot = a.version;
        ++g_status.controls;
      } else if (m) {
        MarketUpdate u;
        unpack_record(markets.read(), u);
        in = risk_input(seq, kInputMarket, u);
        e.slot = u.slot;
        ++g_status.markets;
      } else if (x) {
        ExchangeEvent a;
        unpack_record(exchange.read(), a);
        in = risk_input(seq, kInputExchange, a);
        e.client_order_id = a.client_order_id;
        ++g_status.answers;
      } else {
        OrderRequest r;
        unpack_record(orders.read(), r);
        in = risk_input(seq, kInputOrder, r);
        e.client_order_id = r.client_order_id;
        ++g_status.orders;
      }
      e.kind = in.kind;
      inputs.write(pack_record(in));
      log.write(pack_record(e));
    }
  }
  status = g_status;
}
