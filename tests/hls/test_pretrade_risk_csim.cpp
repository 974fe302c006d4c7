// pretrade_risk (C-simulation) against RiskEngine with the kernel's capacities: a long random
// sequence of orders, replaces, cancels, exchange answers, market moves, funding, limits reloads,
// cash and kill switches, then a flood that fills the open-order table. Every decision must be
// identical byte for byte, every limits answer and every engine counter the same; every reject
// reason must have come up. On a mismatch the first differing decision is printed.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "hls/csim/market_state_runner.hpp"
#include "hls/risk_merge/risk_merge.hpp"

namespace {

using namespace pw;
using hlsk::ExchangeEvent;
using hlsk::ExchangeKind;

constexpr int64_t U = kPriceScale;
constexpr int64_t kT0 = 1700000000LL * U;

struct Gen {
  std::mt19937_64 rng;
  explicit Gen(uint64_t seed) : rng(seed) {}
  int64_t range(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); }
  bool chance(int per_mille) { return range(0, 999) < per_mille; }
};

std::string describe(const RiskDecision& d) {
  return "id " + std::to_string(d.client_order_id) + " t " + std::to_string(d.time) + " accepted " +
         std::to_string(d.accepted) + " " + reject_reason_name(d.reason) + "/" + reject_detail_name(d.detail) + " qty " +
         std::to_string(d.reserved_qty) + " notional " + std::to_string(d.reserved_notional);
}

// The engine and the kernel side by side: every call goes to both.
struct Pair {
  std::unique_ptr<hlsk::KernelRiskEngine> ref = std::make_unique<hlsk::KernelRiskEngine>();
  hlsk::PretradeRiskCsim k;
  std::vector<RiskDecision> expected;
  uint64_t ref_unmatched = 0;
  int limits_checked = 0;

  void reset() {
    ref->reset();
    k.reset();
  }
  void same_limits(LimitsError a, LimitsError b) {
    ++limits_checked;
    CHECK(a.code == b.code);
    CHECK(a.field == b.field);
    CHECK(a.index == b.index);
  }
  bool instrument_limits(int i, const InstrumentLimits& l) {
    const LimitsError a = ref->set_instrument_limits(i, l);
    same_limits(a, k.set_instrument_limits(i, l));
    return a.ok();
  }
  bool account_limits(int a, const AccountLimits& l) {
    const LimitsError e = ref->set_account_limits(a, l);
    same_limits(e, k.set_account_limits(a, l));
    return e.ok();
  }
  void session_limits(int s, const SessionLimits& l) { same_limits(ref->set_session_limits(s, l), k.set_session_limits(s, l)); }
  void cash(int a, int64_t c) {
    ref->set_cash(a, c);
    k.set_cash(a, c);
  }
  void market(int i, const InstrumentMarket& m) {
    ref->set_market(i, m);
    k.set_market(i, m);
  }
  RiskDecision check(const OrderRequest& r) {
    const RiskDecision d = ref->check(r);
    expected.push_back(d);
    k.check(r);
    return d;
  }
  void exchange(const ExchangeEvent& x) {
    bool ok = true;
    switch ((ExchangeKind)x.kind) {
      case ExchangeKind::entered: ok = ref->on_entered(x.client_order_id); break;
      case ExchangeKind::fill: ok = ref->on_fill(x.client_order_id, x.qty, x.price, x.time); break;
      case ExchangeKind::canceled: ok = ref->on_cancel(x.client_order_id); break;
      case ExchangeKind::rejected: ok = ref->on_reject(x.client_order_id); break;
      case ExchangeKind::replaced: ok = ref->on_replace(x.client_order_id); break;
      case ExchangeKind::untracked_fill: ref->on_untracked_fill(x.account, x.instrument, x.side, x.qty, x.price, x.time); break;
      case ExchangeKind::funding: ref->apply_funding(x.instrument, x.mark, x.rate); break;
      case ExchangeKind::new_day: ref->reset_daily(); break;
    }
    if (!ok) ++ref_unmatched;
    k.exchange(x);
  }
  void kill(int scope, int index, bool on) {
    if (scope == 0) {
      ref->set_kill_global(on);
      k.set_kill_global(on);
    } else if (scope == 1) {
      ref->set_kill_account(index, on);
      k.set_kill_account(index, on);
    } else {
      ref->set_kill_instrument(index, on);
      k.set_kill_instrument(index, on);
    }
  }

  void require_same() {
    REQUIRE_MESSAGE(k.flush(), k.error());
    const std::vector<RiskDecision>& got = k.decisions();
    const size_t n = std::min(expected.size(), got.size());
    for (size_t i = 0; i < n; ++i)
      if (std::memcmp(&expected[i], &got[i], sizeof(RiskDecision)) != 0)
        FAIL("first difference at decision " << i << " of " << expected.size() << "\n  RiskEngine:    "
                                             << describe(expected[i]) << "\n  pretrade_risk: " << describe(got[i]));
    REQUIRE(got.size() == expected.size());
    CHECK(k.unmatched() == ref_unmatched);
    CHECK(k.status().open_orders == (uint32_t)ref->open_orders());
    const RiskCounters& a = ref->counters();
    const RiskCounters& b = k.status().counters;
    CHECK(std::memcmp(&a, &b, sizeof a) == 0);
  }
};

ExchangeEvent answer(ExchangeKind kind, int64_t id, int64_t qty = 0, int64_t price = 0, int64_t time = 0) {
  ExchangeEvent x;
  std::memset(&x, 0, sizeof x);
  x.kind = (uint8_t)kind;
  x.client_order_id = id;
  x.qty = qty;
  x.price = price;
  x.time = time;
  return x;
}

const int64_t kBaseMark[3] = {100000 * U + 123456789, 3000 * U + 987654321, 1234500000};
const int64_t kContract[3] = {U / 100, U / 10, 100 * U};
const int64_t kUnitValue[3] = {1000 * U, 300 * U, 123 * U};

InstrumentLimits random_limits(Gen& g, int i) {
  InstrumentLimits l{};
  l.max_staleness_ns = g.range(2000, 20000) * 1000;
  l.collar_bps = g.range(50, 300);
  l.max_order_qty = g.range(20, 60);
  l.max_order_notional = kUnitValue[i] * g.range(25, 70);
  l.max_position = g.range(60, 150);
  l.margin.count = (int32_t)g.range(1, 4);
  int64_t cap = kUnitValue[i] * g.range(5, 30), lev = g.range(40, 100);
  for (int t = 0; t < l.margin.count; ++t) {
    l.margin.tiers[t] = MarginTier{cap, lev};
    cap += kUnitValue[i] * g.range(5, 40) + g.range(0, 999);
    lev = std::max<int64_t>(1, lev - g.range(1, 25));
    if (t + 1 < l.margin.count && lev <= 1) l.margin.count = t + 1;
  }
  if (g.chance(400)) {  // the jump band (check 3)
    l.max_jump_bps = g.range(15, 60);
    l.jump_window_ns = g.range(2, 20) * 1000000;
    l.jump_settle_ns = g.range(1, 30) * 100000;
  }
  if (g.chance(100)) l.collar_bps = -g.range(0, 5);  // refused
  return l;
}

// `sticky`: limits whose effect outlives a reload (fill-rate pauses, loss-limit kills) may be drawn
// (not for account 2, which the flood below fills the table from).
AccountLimits random_account_limits(Gen& g, bool sticky) {
  AccountLimits l{};
  l.max_position = g.range(50, 200);
  l.daily_notional_limit = g.range(50000, 500000) * U;
  l.orders_per_second = g.range(50, 1000);
  l.order_burst = g.range(3, 30);
  if (g.chance(100)) l.order_burst = 0;  // refused
  // Max open orders on some accounts (the flood below still fills the table from an unlimited one).
  if (g.chance(400)) l.max_open_orders = g.range(4, 40);
  if (g.chance(400)) l.max_open_orders_per_instrument = g.range(2, 20);
  if (g.chance(400)) l.duplicate_window_ns = g.range(1, 3000) * 1000000;
  // Owners (accounts of one owner cross each other: self_match_owner), from a drawn value so that
  // the sequence's draws stay as they were.
  l.owner = l.orders_per_second % 3;
  if (g.chance(300)) {  // replaces and cancels counted by the throttle
    l.throttle_weight_replace = g.range(0, 3);
    l.throttle_weight_cancel = g.range(0, 2);
  }
  // The fill-rate throttle and the loss limit on some accounts.
  if (sticky && g.chance(400)) {
    l.fill_rate_fills = g.chance(700) ? g.range(1, 6) : 0;
    l.fill_rate_qty = g.chance(500) ? g.range(5, 60) : 0;
    if (l.fill_rate_fills == 0 && l.fill_rate_qty == 0) l.fill_rate_fills = 2;
    l.fill_rate_window_ns = g.range(1, 20) * 1000000;
    l.fill_rate_cooldown_ns = g.range(1, 20) * 1000000;
  }
  if (sticky && g.chance(40)) l.loss_limit = g.range(2000, 30000) * U;
  return l;
}

}  // namespace

TEST_CASE("pretrade_risk decides as RiskEngine on a long random sequence, every reject reason included") {
  Gen g(2026);
  Pair p;
  p.reset();
  int64_t now = kT0;
  InstrumentMarket mk[3];
  for (int i = 0; i < 3; ++i) {
    InstrumentLimits l = random_limits(g, i);
    if (!validate(l).ok()) l.collar_bps = 100;
    REQUIRE(p.instrument_limits(i, l));
    mk[i] = InstrumentMarket{};
    mk[i].mark = kBaseMark[i];
    mk[i].best_bid = mk[i].best_ask = kNullI64;
    mk[i].limit_down = kBaseMark[i] / 100 * 95;
    mk[i].limit_up = kBaseMark[i] / 100 * 105;
    mk[i].contract_size = kContract[i];
    mk[i].funding_rate = g.range(-100000, 100000);
    mk[i].last_update = now;
    mk[i].tradable = 1;
    mk[i].trading_status = kTradingStatusOpen;
    mk[i].synced = 1;
    p.market(i, mk[i]);
  }
  p.market(3, mk[0]);  // a market without limits: unknown to the gate
  for (int a = 0; a < 3; ++a) {  // account 3 stays unconfigured
    AccountLimits l = random_account_limits(g, a != 2);
    if (!validate(l).ok()) l.order_burst = 10;
    REQUIRE(p.account_limits(a, l));
    p.cash(a, g.range(500, 20000) * U + g.range(0, 999999999));
  }
  p.session_limits(0, SessionLimits{g.range(500, 5000), g.range(5, 40)});  // session 1 unconfigured

  int64_t next_id = 1;
  std::vector<int64_t> used;
  std::vector<OrderRequest> recent_new;  // the last new orders sent, for repeats of their content
  std::vector<int64_t> open_ids;  // accepted new orders, pruned as they leave
  auto some_id = [&]() -> int64_t {
    while (!open_ids.empty() && !g.chance(30)) {
      const size_t k = (size_t)g.range(0, (int64_t)open_ids.size() - 1);
      if (p.ref->find_order(open_ids[k]) != nullptr) return open_ids[k];
      open_ids[k] = open_ids.back();
      open_ids.pop_back();
    }
    return g.range(1, next_id + 5);
  };
  auto price_for = [&](int i) -> int64_t {
    i = std::min(i, 2);
    const InstrumentMarket& m = mk[i];
    const int64_t mark = m.mark > 0 ? m.mark : kBaseMark[i];
    if (g.chance(10)) return g.chance(500) ? 0 : (m.limit_up != kNullI64 ? m.limit_up : mark * 2) + g.range(0, 2);
    const int64_t collar = 150;
    const int64_t bps = g.chance(850) ? g.range(-collar * 6 / 10, collar * 6 / 10) : g.range(-collar * 3, collar * 3);
    return mark + (int64_t)((__int128)mark * bps / 10000) + g.range(-999, 999);
  };

  const int kSteps = 30000;
  for (int step = 0; step < kSteps; ++step) {
    now += g.range(0, 200000);
    const bool quiet = (step / 1500) % 4 == 3;
    int op = (int)g.range(0, 999);
    if (quiet && op >= 540 && op < 900 && !g.chance(100)) op = (int)g.range(0, 539);
    if (op < 420) {
      OrderRequest r{};
      r.kind = g.chance(5) ? (OrderKind)7 : OrderKind::new_order;
      r.account = (uint16_t)(g.chance(20) ? 3 : g.range(0, 2));
      r.instrument = (uint16_t)(g.chance(15) ? g.range(3, 5) : g.range(0, 2));
      r.session = (uint8_t)(g.chance(10) ? g.range(1, 2) : 0);
      r.side = (int8_t)(g.chance(10) ? 0 : (g.chance(500) ? 1 : -1));
      r.price = price_for(r.instrument);
      r.quantity = (int32_t)(g.chance(20) ? g.range(-2, 0) : g.chance(900) ? g.range(1, quiet ? 3 : 40) : g.range(1, 70));
      r.flags = (uint8_t)((g.chance(150) ? kOrderReduceOnly : 0) | (g.chance(100) ? kOrderIoc : 0));
      r.time = g.chance(30) ? now - g.range(0, 30000000) : now;
      if (g.chance(40) && !recent_new.empty()) {  // a recent order's content again (duplicate content)
        const OrderRequest& o = recent_new[(size_t)g.range(0, (int64_t)recent_new.size() - 1)];
        r.account = o.account;
        r.instrument = o.instrument;
        r.side = o.side;
        r.price = o.price;
        r.quantity = o.quantity;
        r.flags = o.flags;
      }
      r.client_order_id = g.chance(60) && !used.empty() ? used[(size_t)g.range(0, (int64_t)used.size() - 1)] : next_id++;
      used.push_back(r.client_order_id);
      if (used.size() > 200) used.erase(used.begin());
      recent_new.push_back(r);
      if (recent_new.size() > 24) recent_new.erase(recent_new.begin());
      if (p.check(r).accepted && r.kind == OrderKind::new_order) open_ids.push_back(r.client_order_id);
    } else if (op < 520) {
      const int64_t id = some_id();
      const OpenOrder* o = p.ref->find_order(id);
      OrderRequest r{};
      r.kind = OrderKind::replace;
      r.client_order_id = id;
      r.account = (uint16_t)(o != nullptr && !g.chance(20) ? o->account : g.range(0, 3));
      r.instrument = (uint16_t)(o != nullptr && !g.chance(20) ? o->instrument : g.range(0, 3));
      r.price = price_for(r.instrument);
      r.quantity = (int32_t)g.range(0, 70);
      r.time = now;
      p.check(r);
    } else if (op < 540) {
      OrderRequest r{};
      r.kind = OrderKind::cancel;
      r.client_order_id = some_id();
      r.time = now;
      p.check(r);
    } else if (op < 900) {
      const int64_t id = some_id();
      const int kind = (int)g.range(0, 9);
      if (kind < 2) p.exchange(answer(ExchangeKind::entered, id));
      else if (kind < 6) {
        const OpenOrder* o = p.ref->find_order(id);
        const int64_t rem = o == nullptr ? 5 : std::max<int64_t>(1, o->res_qty);
        const int64_t q = g.chance(30) ? rem + g.range(1, 3) : g.range(1, rem);
        const int64_t px = o == nullptr ? kBaseMark[0] : o->price + g.range(-50, 50) * U / 100 + g.range(-9, 9);
        p.exchange(answer(ExchangeKind::fill, id, q, px, now - (g.chance(30) ? g.range(0, 5000000) : 0)));
      } else if (kind < 8) p.exchange(answer(ExchangeKind::canceled, id));
      else if (kind < 9) p.exchange(answer(ExchangeKind::rejected, id));
      else p.exchange(answer(ExchangeKind::replaced, id));
    } else if (op < 960) {
      const int i = (int)g.range(0, 2);
      InstrumentMarket m = mk[i];
      if (g.chance(20)) m.mark = g.chance(500) ? kNullI64 : 0;
      else {
        const int64_t mark = m.mark > 0 ? m.mark : kBaseMark[i];
        m.mark = mark + (int64_t)((__int128)mark * g.range(-30, 30) / 10000) + g.range(-999999, 999999);
      }
      const int64_t ref = m.mark > 0 ? m.mark : kBaseMark[i];
      m.limit_down = g.chance(50) ? kNullI64 : ref / 1000 * g.range(940, 995);
      m.limit_up = g.chance(50) ? kNullI64 : ref / 1000 * g.range(1005, 1060);
      m.funding_rate = g.range(-1000000, 1000000);
      m.synced = g.chance(30) ? 0 : 1;
      m.trading_status = g.chance(20) ? 2 : kTradingStatusOpen;
      m.tradable = g.chance(10) ? 0 : 1;
      m.last_update = g.chance(20) ? now - 100000000000LL : now;
      mk[i] = m;
      p.market(i, m);
    } else if (op < 965) {
      const int scope = (int)g.range(0, 2);
      p.kill(scope, (int)g.range(0, 3), g.chance(100));
    } else if (op < 975) {
      ExchangeEvent x = answer(ExchangeKind::funding, 0);
      x.instrument = (uint16_t)g.range(0, 2);
      x.mark = mk[x.instrument].mark > 0 ? mk[x.instrument].mark : kBaseMark[x.instrument];
      x.rate = g.range(-2000000, 2000000);
      p.exchange(x);
    } else if (op < 978) {
      p.exchange(answer(ExchangeKind::new_day, 0));
    } else if (op < 985) {
      p.cash((int)g.range(0, 2), g.range(500, 30000) * U + g.range(0, 999999999));
    } else if (op < 990) {
      const int i = (int)g.range(0, 2);
      ExchangeEvent x = answer(ExchangeKind::untracked_fill, 0, g.range(1, 20), kBaseMark[i] + g.range(-999999, 999999), now);
      x.account = (uint16_t)g.range(0, 2);
      x.instrument = (uint16_t)i;
      x.side = g.chance(500) ? kBuy : kSell;
      p.exchange(x);
    } else if (g.chance(500)) {
      const int i = (int)g.range(0, 2);
      p.instrument_limits(i, random_limits(g, i));
    } else {
      const int a = (int)g.range(0, 2);
      p.account_limits(a, random_account_limits(g, a != 2));
    }
    if (step % 5000 == 4999) p.require_same();
  }
  p.require_same();

  // Flood: a fresh account (4: none of the sequence's orders rest on it) on instrument 0 with room
  // for everything but the open-order table.
  p.kill(0, 0, false);
  p.kill(1, 2, false);
  p.kill(2, 0, false);
  InstrumentLimits wide{};
  wide.max_staleness_ns = 1000000000000LL;
  wide.collar_bps = 1000;
  wide.max_order_qty = 10;
  wide.max_order_notional = 1000000 * U;
  wide.max_position = 1000000;
  wide.margin.count = 1;
  wide.margin.tiers[0] = MarginTier{0, 100};
  REQUIRE(p.instrument_limits(0, wide));
  REQUIRE(p.account_limits(4, AccountLimits{1000000, 4000000000LL * U / 1000, 1000000000, 1000000}));
  p.session_limits(0, SessionLimits{1000000000, 1000000});
  p.cash(4, 4000000000LL * U / 1000);
  mk[0] = InstrumentMarket{};
  mk[0].mark = kBaseMark[0];
  mk[0].best_bid = mk[0].best_ask = kNullI64;
  mk[0].limit_down = mk[0].limit_up = kNullI64;
  mk[0].contract_size = kContract[0];
  mk[0].last_update = now;
  mk[0].tradable = 1;
  mk[0].trading_status = kTradingStatusOpen;
  mk[0].synced = 1;
  p.market(0, mk[0]);
  // Account 2's orders left by the sequence are canceled first (a resting sell would self-match).
  std::vector<int64_t> left;
  p.ref->for_each_open_order(2, [&](const OpenOrder& o) { left.push_back(o.client_order_id); });
  for (int64_t id : left) p.exchange(answer(ExchangeKind::canceled, id));
  for (int n = 0; n < hlsk::kRiskOpenOrders + 50; ++n) {
    OrderRequest r{};
    r.kind = OrderKind::new_order;
    r.client_order_id = next_id++;
    r.account = 4;
    r.instrument = 0;
    r.side = kBuy;
    r.price = kBaseMark[0] - (int64_t)(n % 50) * U;
    r.quantity = 1;
    r.time = now + n;
    p.check(r);
  }
  p.require_same();
  CHECK(p.ref->open_orders() == hlsk::kRiskOpenOrders);

  const RiskCounters& c = p.ref->counters();
  for (int r = 1; r < kRejectReasonCount; ++r) {
    INFO("reason " << reject_reason_name((RejectReason)r));
    CHECK(c.rejected[r] > 0);
  }
  CHECK(c.accepted > 2000);
  CHECK(c.overfills > 0);
  CHECK(c.unknown_events > 0);
  CHECK(p.limits_checked > 50);
  std::string by_reason;
  for (int r = 1; r < kRejectReasonCount; ++r) by_reason += std::string(" ") + reject_reason_name((RejectReason)r) + "=" + std::to_string(c.rejected[r]);
  MESSAGE(p.expected.size() << " decisions, " << c.accepted << " accepted;" << by_reason);
}

// The card's path: control operations, markets, answers and orders waiting on risk_merge's four
// streams, numbered into one sequence in as many rounds as the timing happens to give;
// pretrade_risk decides in that sequence; the host replays the merge log on RiskEngine and gets
// the same decisions with the same sequence numbers and control versions. Both kernels run free:
// each is given clocks, never a count.
TEST_CASE("risk_merge: the merge log replayed on RiskEngine gives pretrade_risk's decisions, number for number") {
  Gen g(11);
  hlsk::RiskControl staged{};  // pretrade_risk's control registers
  hlsk::RiskStatus st{};
  hlsk::RiskMergeStatus ms{};
  hlsk::RiskMergeControl mc{};
  hls::stream<hlsk::ControlWord> controls;
  hls::stream<hlsk::MarketWord> markets;
  hls::stream<hlsk::ExchangeWord> answers;
  hls::stream<hlsk::OrderWord> orders;
  hls::stream<hlsk::RiskInputWord> inputs;
  hls::stream<hlsk::MergeLogWord> log;
  hls::stream<hlsk::DecisionWord> out;
  auto ref = std::make_unique<hlsk::KernelRiskEngine>();
  auto clocks = [&](int n) {
    for (int k = 0; k < n; ++k) {
      risk_merge(controls, markets, answers, orders, inputs, log, mc, ms);
      pretrade_risk(inputs, out, staged, st);
    }
  };
  // Whatever an earlier test left in the kernels: take the next numbers from their status.
  clocks(1);
  uint32_t version = st.applied_version;
  // A control operation, staged and applied in-band through the merge (the host waits for it).
  auto apply = [&](hlsk::RiskControl c) {
    c.version = ++version;
    staged = c;
    controls.write(hlsk::pack_record(hlsk::ControlApply{c.version, 0}));
    clocks(2);
    REQUIRE(st.applied_version == version);
  };
  mc.reset_seq = ms.reset_seq + 1;  // numbering from 1; the reset record takes it
  clocks(1);
  REQUIRE(ms.last_seq == 0);
  hlsk::RiskControl op{};
  op.op = hlsk::kRiskReset;
  apply(op);
  REQUIRE(ms.last_seq == 1);
  ref->reset();
  InstrumentLimits il{};
  il.max_staleness_ns = 60LL * 1000000000;
  il.collar_bps = 100;
  il.max_order_qty = 20;
  il.max_order_notional = kUnitValue[0] * 40;
  il.max_position = 2000;
  il.margin.count = 1;
  il.margin.tiers[0] = MarginTier{0, 50};
  op = hlsk::RiskControl{};
  op.op = hlsk::kRiskInstrumentLimits;
  op.instrument = il;
  apply(op);
  REQUIRE(st.limits.ok());
  REQUIRE(ref->set_instrument_limits(0, il).ok());
  const AccountLimits al{2000, 100000000 * U, 100000, 1000};
  op = hlsk::RiskControl{};
  op.op = hlsk::kRiskAccountLimits;
  op.account = al;
  apply(op);
  REQUIRE(ref->set_account_limits(0, al).ok());
  op = hlsk::RiskControl{};
  op.op = hlsk::kRiskSessionLimits;
  op.session = SessionLimits{100000, 1000};
  apply(op);
  ref->set_session_limits(0, SessionLimits{100000, 1000});
  op = hlsk::RiskControl{};
  op.op = hlsk::kRiskCash;
  op.value = 1000000 * U;
  apply(op);
  ref->set_cash(0, 1000000 * U);
  const uint64_t setup_seq = ms.last_seq;  // the log's records so far: the set-up above
  // Collar changes sent while orders wait: which orders meet which collar is the merge's outcome.
  std::vector<hlsk::RiskControl> sent_controls;

  // What each source sent, in its own order: the log says how they interleaved.
  std::vector<hlsk::MarketUpdate> sent_markets;
  std::vector<ExchangeEvent> sent_answers;
  std::vector<OrderRequest> sent_orders;
  int64_t now = kT0, next_id = 1;
  std::vector<int64_t> live;
  uint64_t merged = 0;
  std::vector<hlsk::SequencedDecision> card;
  for (int round = 0; round < 400; ++round) {
    for (int n = (int)g.range(0, 2); n > 0; --n) {
      hlsk::MarketUpdate u;
      std::memset(&u, 0, sizeof u);
      u.market.mark = kBaseMark[0] + g.range(-200, 200) * U;
      u.market.best_bid = u.market.best_ask = u.market.limit_down = u.market.limit_up = kNullI64;
      u.market.contract_size = kContract[0];
      u.market.last_update = now;
      u.market.tradable = 1;
      u.market.trading_status = kTradingStatusOpen;
      u.market.synced = g.chance(50) ? 0 : 1;
      markets.write(hlsk::pack_record(u));
      sent_markets.push_back(u);
    }
    for (int n = (int)g.range(0, 3); n > 0 && !live.empty(); --n) {
      const size_t k = (size_t)g.range(0, (int64_t)live.size() - 1);
      const ExchangeKind kind = g.chance(500) ? ExchangeKind::entered : g.chance(500) ? ExchangeKind::fill : ExchangeKind::canceled;
      const ExchangeEvent x = answer(kind, live[k], 1, kBaseMark[0], now);
      if (kind != ExchangeKind::entered) live.erase(live.begin() + (long)k);
      answers.write(hlsk::pack_record(x));
      sent_answers.push_back(x);
    }
    for (int n = (int)g.range(0, 5); n > 0; --n) {
      OrderRequest r{};
      r.kind = OrderKind::new_order;
      r.client_order_id = next_id++;
      r.side = g.chance(500) ? kBuy : kSell;
      r.price = kBaseMark[0] + g.range(-1500, 1500) * U;
      r.quantity = (int32_t)g.range(1, 5);
      r.time = now + n;
      orders.write(hlsk::pack_record(r));
      sent_orders.push_back(r);
      live.push_back(r.client_order_id);
    }
    // Now and then new limits (the collar narrows or widens) while records still wait: the host
    // stages them once the previous operation is applied, and they go ahead of what waits.
    if (round % 40 == 20 && st.applied_version == version) {
      op = hlsk::RiskControl{};
      op.op = hlsk::kRiskInstrumentLimits;
      op.instrument = il;
      op.instrument.collar_bps = round % 80 == 20 ? 30 : 100;
      op.version = ++version;
      staged = op;
      controls.write(hlsk::pack_record(hlsk::ControlApply{op.version, 0}));
      sent_controls.push_back(op);
    }
    now += g.range(1, 50) * 1000000;
    // The kernels get a few clocks: part of what waits is merged and decided, the rest waits for
    // the next round.
    const uint64_t before = ms.last_seq;
    const int waiting = (int)(controls.size() + markets.size() + answers.size() + orders.size());
    const int given = waiting == 0 ? 1 : (int)g.range(1, waiting);
    clocks(given);
    merged += ms.last_seq - before;
    REQUIRE(ms.last_seq - before == (uint64_t)std::min(given, waiting));
    CHECK(st.out_of_order == 0);
    CHECK(st.control_mismatch == 0);
    while (!out.empty()) {
      hlsk::SequencedDecision d;
      hlsk::unpack_record(out.read(), d);
      card.push_back(d);
    }
  }

  // The host: the log, in order, names which source's next record took each number.
  size_t im = 0, ia = 0, io = 0, id = 0, ic = 0;
  uint32_t ref_version = 0;
  uint64_t expect_seq = 1;
  size_t orders_seen = 0, markets_seen = 0, answers_seen = 0;
  while (!log.empty()) {
    hlsk::MergeLogEntry e;
    hlsk::unpack_record(log.read(), e);
    REQUIRE(e.seq == expect_seq++);
    if (e.seq <= setup_seq) {  // the reset and limits above, applied to the reference already
      REQUIRE(e.kind == hlsk::kInputControl);
      ref_version = e.slot;
      continue;
    }
    if (e.kind == hlsk::kInputControl) {
      REQUIRE(ic < sent_controls.size());
      const hlsk::RiskControl& sc = sent_controls[ic++];
      CHECK(e.slot == sc.version);
      REQUIRE(ref->set_instrument_limits(0, sc.instrument).ok());
      ref_version = sc.version;
    } else if (e.kind == hlsk::kInputMarket) {
      REQUIRE(im < sent_markets.size());
      CHECK(e.slot == sent_markets[im].slot);
      ref->set_market((int)sent_markets[im].slot, sent_markets[im].market);
      ++im;
      ++markets_seen;
    } else if (e.kind == hlsk::kInputExchange) {
      REQUIRE(ia < sent_answers.size());
      const ExchangeEvent& x = sent_answers[ia++];
      CHECK(e.client_order_id == x.client_order_id);
      if ((ExchangeKind)x.kind == ExchangeKind::entered) ref->on_entered(x.client_order_id);
      else if ((ExchangeKind)x.kind == ExchangeKind::fill) ref->on_fill(x.client_order_id, x.qty, x.price, x.time);
      else ref->on_cancel(x.client_order_id);
      ++answers_seen;
    } else {
      REQUIRE(e.kind == hlsk::kInputOrder);
      REQUIRE(io < sent_orders.size());
      const OrderRequest& r = sent_orders[io++];
      CHECK(e.client_order_id == r.client_order_id);
      const RiskDecision d = ref->check(r);
      REQUIRE(id < card.size());
      CHECK(card[id].seq == e.seq);
      CHECK(card[id].limits_version == ref_version);
      if (std::memcmp(&card[id].decision, &d, sizeof d) != 0)
        FAIL("decision " << id << " (seq " << e.seq << ") differs\n  RiskEngine:    " << describe(d) << "\n  pretrade_risk: " << describe(card[id].decision));
      ++id;
      ++orders_seen;
    }
  }
  CHECK(id == card.size());
  CHECK(expect_seq - 1 == setup_seq + merged);
  CHECK(ic >= 3);  // collar changes came between orders
  // Every kind came up, interleaved; some orders were refused, some accepted.
  CHECK(markets_seen > 100);
  CHECK(answers_seen > 100);
  CHECK(orders_seen > 300);
  const RiskCounters& c = ref->counters();
  CHECK(c.accepted > 200);
  CHECK(c.rejected[(int)RejectReason::price_collar] > 0);
  CHECK(c.rejected[(int)RejectReason::market_data_untrusted] > 0);
  const RiskCounters& kc = st.counters;
  CHECK(std::memcmp(&c, &kc, sizeof c) == 0);
}
