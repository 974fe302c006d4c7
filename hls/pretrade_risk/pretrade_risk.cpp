// pretrade_risk, stream kernel top. See pretrade_risk.hpp for the stream contract and docs/hls.md
// for interfaces, cycles per order and capacities.
#include "hls/pretrade_risk/pretrade_risk.hpp"

namespace {

using namespace pw;
using namespace pw::hlsk;

// Limits, markets, positions, open orders and buckets of every account: kept between calls.
// Constant-initialized (RiskEngine's constructor is constexpr): the bitstream holds the reset
// state, and no constructor code has to run (scripts/ir_check.py fails on llvm.global_ctors).
KernelRiskEngine g_risk;
// Sequence number of the last input applied (0 after a reset: the next is 1).
uint64_t g_last_seq = 0;

// Applies one exchange answer; false when the engine found no order it names (or ignored it).
bool apply_exchange(const ExchangeEvent& x) {
  switch ((ExchangeKind)x.kind) {
    case ExchangeKind::entered: return g_risk.on_entered(x.client_order_id);
    case ExchangeKind::fill: return g_risk.on_fill(x.client_order_id, x.qty, x.price, x.time);
    case ExchangeKind::canceled: return g_risk.on_cancel(x.client_order_id);
    case ExchangeKind::rejected: return g_risk.on_reject(x.client_order_id);
    case ExchangeKind::replaced: return g_risk.on_replace(x.client_order_id);
    case ExchangeKind::untracked_fill: g_risk.on_untracked_fill(x.account, x.instrument, x.side, x.qty, x.price, x.time); return true;
    case ExchangeKind::funding: g_risk.apply_funding(x.instrument, x.mark, x.rate); return true;
    case ExchangeKind::new_day: g_risk.reset_daily(); return true;
    default: return false;
  }
}

}  // namespace

extern "C" void pretrade_risk(hls::stream<RiskInputWord>& inputs, hls::stream<DecisionWord>& decisions, RiskControl ctl,
                              RiskStatus* status) {
#pragma HLS INTERFACE mode=axis port=inputs
#pragma HLS INTERFACE mode=axis port=decisions
#pragma HLS INTERFACE mode=s_axilite port=ctl
#pragma HLS INTERFACE mode=s_axilite port=status
#pragma HLS INTERFACE mode=s_axilite port=return
  RiskStatus st{};
  switch ((RiskOp)ctl.op) {
    case kRiskReset:
      g_risk.reset();
      g_last_seq = 0;
      break;
    case kRiskAccountLimits: st.limits = g_risk.set_account_limits(ctl.index, ctl.account); break;
    case kRiskInstrumentLimits: st.limits = g_risk.set_instrument_limits(ctl.index, ctl.instrument); break;
    case kRiskSessionLimits: st.limits = g_risk.set_session_limits(ctl.index, ctl.session); break;
    case kRiskCash: g_risk.set_cash(ctl.index, ctl.value); break;
    case kRiskPosition: g_risk.set_position(ctl.index, ctl.index2, ctl.value, ctl.value2); break;
    case kRiskKillGlobal: g_risk.set_kill_global(ctl.on != 0); break;
    case kRiskKillAccount: g_risk.set_kill_account(ctl.index, ctl.on != 0); break;
    case kRiskKillInstrument: g_risk.set_kill_instrument(ctl.index, ctl.on != 0); break;
    case kRiskRun: {
      uint32_t done = 0;
      // One input per iteration, in the sequence's order; the trip count follows the data. Not
      // II=1: a check reads the order index and the dedup window, a market update re-marks every
      // account (kRiskAccounts steps), a fill or cancel may rescan the account's open orders on
      // that side for the most aggressive price. Cycles per record: docs/hls.md.
    item_loop:
      while (done < ctl.items) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=65536 avg=64
#if defined(PERPWIRE_HLS_COMPAT)
        if (inputs.empty()) break;  // C-simulation: the call promised more records than the stream holds
#endif
        RiskInput in;
        unpack_record(inputs.read(), in);
        if (in.seq != g_last_seq + 1) ++st.out_of_order;
        g_last_seq = in.seq;
        switch ((RiskInputKind)in.kind) {
          case kInputMarket: {
            MarketUpdate u;
            risk_payload(in, u);
            g_risk.set_market((int)u.slot, u.market);
            break;
          }
          case kInputExchange: {
            ExchangeEvent x;
            risk_payload(in, x);
            if (!apply_exchange(x)) ++st.unmatched;
            break;
          }
          case kInputOrder: {
            OrderRequest r;
            risk_payload(in, r);
            SequencedDecision d;
            d.seq = in.seq;
            d.decision = g_risk.check(r);
            decisions.write(pack_record(d));
            ++st.decisions;
            break;
          }
          default: ++st.bad_kind; break;  // not a record of a known kind: counted, skipped
        }
        ++done;
      }
      st.consumed = done;
      break;
    }
    default: break;
  }
  st.open_orders = (uint32_t)g_risk.open_orders();
  st.counters = g_risk.counters();
  *status = st;
}
