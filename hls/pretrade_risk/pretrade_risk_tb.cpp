// C-simulation testbench of pretrade_risk for vitis_hls (csim_design; returns 0 when every check
// holds): a seeded sequence of market moves, orders, exchange answers and control operations
// (limits, cash, kill switches: staged in the registers, applied in-band) goes to the free-running
// kernel as numbered inputs and, in the same order, to RiskEngine (core/, the software path's
// gate); every decision, its sequence number, the control version it met and the engine's
// counters must be equal. The long randomized
// comparison over every reject reason is tests/hls/test_pretrade_risk_csim.cpp.
#include <cstdio>
#include <cstring>

#include "hls/pretrade_risk/pretrade_risk.hpp"

using namespace pw;
using namespace pw::hlsk;

namespace {

uint64_t g_state = 12345;
int64_t rnd(int64_t lo, int64_t hi) {  // splitmix64, inclusive range
  uint64_t z = (g_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return lo + (int64_t)(z % (uint64_t)(hi - lo + 1));
}

KernelRiskEngine g_ref;  // the reference, as large as the kernel's

RiskControl control(uint32_t op) {
  RiskControl c{};
  c.op = op;
  return c;
}

RiskControl g_staged;  // the kernel's control registers

// The free-running kernel given `clocks` clocks.
void run(hls::stream<RiskInputWord>& inputs, hls::stream<DecisionWord>& decisions, RiskStatus& st, uint32_t clocks) {
  for (uint32_t k = 0; k < clocks; ++k) pretrade_risk(inputs, decisions, g_staged, st);
}

}  // namespace

int main() {
  constexpr int64_t U = kPriceScale;
  const int64_t mark0 = 100000 * U, cs = U / 100, t0 = 1700000000LL * U;
  hls::stream<RiskInputWord> inputs;
  hls::stream<DecisionWord> decisions;
  RiskStatus st;
  int failures = 0;
  auto expect = [&](bool ok, const char* what) {
    if (!ok) {
      std::printf("pretrade_risk_tb: FAIL %s\n", what);
      ++failures;
    }
  };

  uint64_t seq = 0;
  uint32_t version = 0;
  // Stages `c` and writes its apply record (the reset record is number 1); the caller runs it.
  auto stage = [&](RiskControl c) {
    c.version = ++version;
    g_staged = c;
    if (c.op == kRiskReset) seq = 0;
    inputs.write(pack_record(risk_input(++seq, kInputControl, ControlApply{c.version, 0})));
  };
  auto apply = [&](const RiskControl& c) {
    stage(c);
    run(inputs, decisions, st, 1);
    return st.applied_version == version && st.control_mismatch == 0;
  };

  expect(apply(control(kRiskReset)), "reset applied");
  g_ref.reset();
  RiskControl c = control(kRiskInstrumentLimits);
  c.instrument.max_staleness_ns = 60LL * 1000000000;
  c.instrument.collar_bps = 100;
  c.instrument.max_order_qty = 20;
  c.instrument.max_order_notional = 20000 * U;
  c.instrument.max_position = 100000;
  c.instrument.margin.count = 2;
  c.instrument.margin.tiers[0] = MarginTier{50000 * U, 50};
  c.instrument.margin.tiers[1] = MarginTier{0, 20};
  expect(apply(c) && st.limits.ok() && g_ref.set_instrument_limits(0, c.instrument).ok(), "instrument limits taken");
  c = control(kRiskAccountLimits);
  c.account = AccountLimits{100000, 100000000 * U, 1000, 50};
  expect(apply(c) && st.limits.ok() && g_ref.set_account_limits(0, c.account).ok(), "account limits taken");
  c = control(kRiskSessionLimits);
  c.session = SessionLimits{1000, 100};
  expect(apply(c), "session limits taken");
  g_ref.set_session_limits(0, c.session);
  c = control(kRiskCash);
  c.value = 200000 * U;
  expect(apply(c), "cash taken");
  g_ref.set_cash(0, c.value);

  uint64_t orders = 0, accepted = 0, kill_rejects = 0;
  bool killed = false;
  int64_t next_id = 1, now = t0;
  for (int round = 0; round < 200; ++round) {
    uint32_t n = 0;
    uint64_t order_seq[8];
    uint32_t order_version[8];
    RiskDecision expected[8];
    int k_orders = 0;
    if (round % 3 == 0) {
      MarketUpdate u;
      std::memset(&u, 0, sizeof u);
      u.market.mark = mark0 + rnd(-300, 300) * U;
      u.market.best_bid = u.market.best_ask = u.market.limit_down = u.market.limit_up = kNullI64;
      u.market.contract_size = cs;
      u.market.last_update = now;
      u.market.tradable = 1;
      u.market.trading_status = kTradingStatusOpen;
      u.market.synced = 1;
      inputs.write(pack_record(risk_input(++seq, kInputMarket, u)));
      g_ref.set_market(0, u.market);
      ++n;
    }
    if (round > 0 && round % 2 == 0) {
      ExchangeEvent x;
      std::memset(&x, 0, sizeof x);
      x.kind = (uint8_t)(rnd(0, 1) ? ExchangeKind::fill : ExchangeKind::canceled);
      x.client_order_id = rnd(1, next_id - 1);
      x.qty = 1;
      x.price = mark0;
      x.time = now;
      inputs.write(pack_record(risk_input(++seq, kInputExchange, x)));
      if ((ExchangeKind)x.kind == ExchangeKind::fill) g_ref.on_fill(x.client_order_id, x.qty, x.price, x.time);
      else g_ref.on_cancel(x.client_order_id);
      ++n;
    }
    const int count = (int)rnd(2, 8);
    for (int k = count; k > 0; --k) {
      // Every 25th round the account's kill switch flips between two orders of the burst: the
      // orders before it meet the old state, those after it the new one.
      if (round % 25 == 12 && k == count / 2) {
        killed = !killed;
        c = control(kRiskKillAccount);
        c.index = 0;
        c.on = killed ? 1 : 0;
        stage(c);
        g_ref.set_kill_account(0, killed);
        ++n;
      }
      OrderRequest r;
      std::memset(&r, 0, sizeof r);
      r.kind = OrderKind::new_order;
      r.client_order_id = next_id++;
      r.side = rnd(0, 1) ? kBuy : kSell;
      r.price = mark0 + rnd(-1500, 1500) * U;
      r.quantity = (int32_t)rnd(1, 25);
      r.time = now;
      inputs.write(pack_record(risk_input(++seq, kInputOrder, r)));
      order_seq[k_orders] = seq;
      order_version[k_orders] = version;
      expected[k_orders++] = g_ref.check(r);
      ++n;
    }
    now += rnd(1, 20) * 1000000;
    const RiskStatus before = st;
    run(inputs, decisions, st, n);
    expect(st.consumed - before.consumed == n && st.out_of_order == 0 && st.bad_kind == 0 && st.control_mismatch == 0,
           "every input applied in sequence");
    for (int k = 0; k < k_orders; ++k) {
      if (decisions.empty()) {
        expect(false, "a decision per order");
        break;
      }
      SequencedDecision d;
      unpack_record(decisions.read(), d);
      expect(d.seq == order_seq[k], "the decision carries its order's number");
      expect(d.limits_version == order_version[k], "the decision carries the control version it met");
      kill_rejects += d.decision.detail == RejectDetail::kill_account ? 1 : 0;
      expect(std::memcmp(&d.decision, &expected[k], sizeof(RiskDecision)) == 0, "the decision is RiskEngine's");
      accepted += d.decision.accepted ? 1 : 0;
      ++orders;
    }
  }
  const RiskCounters a = g_ref.counters();
  expect(std::memcmp(&a, &st.counters, sizeof a) == 0, "the counters are RiskEngine's");
  expect(accepted > 0 && accepted < orders, "some orders accepted, some refused");
  expect(kill_rejects > 0, "orders after an in-band kill were refused by it");
  std::printf("pretrade_risk_tb: %llu orders, %llu accepted, %d failures\n", (unsigned long long)orders,
              (unsigned long long)accepted, failures);
  return failures == 0 ? 0 : 1;
}
