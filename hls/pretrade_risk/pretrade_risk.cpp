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
// Sequence number of the last input applied (0 at power-up; a reset record's own after it), and
// what the status registers show (zero at power-up).
uint64_t g_last_seq = 0;
RiskStatus g_status;

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

// The staged operation, where its ControlApply record stands in the sequence.
void apply_control(const RiskControl& c, uint64_t seq) {
  switch ((RiskOp)c.op) {
    case kRiskReset:
      g_risk.reset();
      g_status = RiskStatus{};
      break;
    case kRiskAccountLimits: g_status.limits = g_risk.set_account_limits(c.index, c.account); break;
    case kRiskInstrumentLimits: g_status.limits = g_risk.set_instrument_limits(c.index, c.instrument); break;
    case kRiskSessionLimits: g_status.limits = g_risk.set_session_limits(c.index, c.session); break;
    case kRiskCash: g_risk.set_cash(c.index, c.value); break;
    case kRiskPosition: g_risk.set_position(c.index, c.index2, c.value, c.value2); break;
    case kRiskKillGlobal: g_risk.set_kill_global(c.on != 0); break;
    case kRiskKillAccount: g_risk.set_kill_account(c.index, c.on != 0); break;
    case kRiskKillInstrument: g_risk.set_kill_instrument(c.index, c.on != 0); break;
    default: break;
  }
  g_status.applied_version = c.version;
  if ((RiskOp)c.op == kRiskReset) g_last_seq = seq;  // the sequence restarts after the reset record
}

// One input, in the sequence's order. Not II=1 yet: a check reads the order index and the dedup
// window, a market update re-marks every account (kRiskAccounts steps), a fill or cancel may
// rescan the account's open orders on that side for the most aggressive price. Cycles per
// record: docs/hls.md.
void run_input(const RiskInput& in, const RiskControl& staged, hls::stream<DecisionWord>& decisions) {
  if (in.seq != g_last_seq + 1) ++g_status.out_of_order;
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
      if (!apply_exchange(x)) ++g_status.unmatched;
      break;
    }
    case kInputOrder: {
      OrderRequest r;
      risk_payload(in, r);
      SequencedDecision d{};
      d.seq = in.seq;
      d.decision = g_risk.check(r);
      d.limits_version = g_status.applied_version;
      decisions.write(pack_record(d));
      ++g_status.decisions;
      break;
    }
    case kInputControl: {
      ControlApply a;
      risk_payload(in, a);
      // The registers hold another operation than the one this record applies (the host staged
      // the next before this one was applied): nothing is applied, the host sees it counted and
      // applied_version not reaching its version.
      if (a.version == staged.version) apply_control(staged, in.seq);
      else ++g_status.control_mismatch;
      break;
    }
    default: ++g_status.bad_kind; break;  // not a record of a known kind: counted, skipped
  }
  ++g_status.consumed;
}

}  // namespace

extern "C" void pretrade_risk(hls::stream<RiskInputWord>& inputs, hls::stream<DecisionWord>& decisions,
                              const RiskControl& staged, RiskStatus& status) {
#pragma HLS INTERFACE mode=ap_ctrl_none port=return
#pragma HLS INTERFACE mode=axis port=inputs
#pragma HLS INTERFACE mode=axis port=decisions
#pragma HLS INTERFACE mode=s_axilite port=staged
#pragma HLS INTERFACE mode=s_axilite port=status
  if (!inputs.empty()) {
    RiskInput in;
    unpack_record(inputs.read(), in);
    run_input(in, staged, decisions);
  }
  g_status.open_orders = (uint32_t)g_risk.open_orders();
  g_status.counters = g_risk.counters();
  status = g_status;
}
