// The thresholds of the fast path (core/risk_thresholds.hpp) and the live-id set of check 11
// (core/client_id_window.hpp): each threshold gives today's answer at its edge, and the one
// conservative rule (a full bucket of live ids) only ever refuses.
#include <doctest/doctest.h>

#include <random>
#include <set>
#include <vector>

#include "core/client_id_window.hpp"
#include "tests/risk/risk_fixture.hpp"

using namespace pw_test;

TEST_CASE("staleness deadline: exact to the nanosecond and saturated past INT64_MAX") {
  InstrumentThresholds t{};
  InstrumentLimits l = btc_limits();
  InstrumentMarket m = btc_market();
  refresh_instrument_flags(t, true, l, m);
  CHECK(t.stale_after == kT0 + l.max_staleness_ns);
  l.max_staleness_ns = INT64_MAX;
  refresh_instrument_flags(t, true, l, m);
  CHECK(t.stale_after == INT64_MAX);  // no request time is later: never stale, as today
  m.last_update = kNullI64;
  refresh_instrument_flags(t, true, l, m);
  CHECK(t.gate == RejectDetail::market_data_stale);
}

TEST_CASE("collar range equals the cross-multiplied comparison") {
  std::mt19937_64 g(7);
  for (int n = 0; n < 20000; ++n) {
    InstrumentLimits l = btc_limits();
    InstrumentMarket m = btc_market();
    l.collar_bps = (int64_t)(g() % 20000) + 1;
    m.mark = (int64_t)(g() % (200000 * U)) + 1;
    InstrumentThresholds t{};
    refresh_instrument_prices(t, l, m);
    for (int k = 0; k < 4; ++k) {
      int64_t price = k < 2 ? t.collar_lo + (k - 1) : t.collar_hi + (k - 2);  // one unit each side of each edge
      if (price <= 0) continue;
      int64_t dev = price > m.mark ? price - m.mark : m.mark - price;
      bool today = (i128)dev * 10000 <= (i128)l.collar_bps * m.mark;
      CHECK(today == (price >= t.collar_lo && price <= t.collar_hi));
    }
  }
}

TEST_CASE("notional ceiling in p·q equals ⌈p·q·cs / 1e9⌉ ≤ max_order_notional") {
  std::mt19937_64 g(11);
  for (int n = 0; n < 20000; ++n) {
    InstrumentLimits l = btc_limits();
    InstrumentMarket m = btc_market();
    m.contract_size = (int64_t)(g() % (10 * U)) + 1;
    l.max_order_notional = (int64_t)(g() % (1000000 * U)) + 1;
    InstrumentThresholds t{};
    refresh_instrument_prices(t, l, m);
    int64_t q = (int64_t)(g() % 1000) + 1;
    // the price at the edge and one unit either side
    int64_t p0 = (int64_t)(t.notional_pq / q);
    for (int64_t p = p0 - 1; p <= p0 + 1; ++p) {
      if (p <= 0) continue;
      bool today = money::notional_ceil(p, q, m.contract_size) <= l.max_order_notional;
      CHECK(today == ((i128)p * q <= t.notional_pq));
    }
  }
}

TEST_CASE("token-ready time equals a whole token in today's bucket") {
  std::mt19937_64 g(3);
  for (int n = 0; n < 20000; ++n) {
    int64_t rate = (int64_t)(g() % 100000) + 1, burst = (int64_t)(g() % 50) + 1;
    TokenBucket b{(int64_t)(g() % (uint64_t)(burst * kTokenScale)), kT0};
    i128 ready = bucket_ready(b, rate);
    for (int64_t dt : {-5LL, -1LL, 0LL, 1LL, 5LL}) {
      int64_t t = (ready > (i128)kT0 - 100 ? (int64_t)ready : kT0) + dt;
      bool today = bucket_level(b, rate, burst, t) >= kTokenScale;
      CHECK(today == ((i128)t >= ready));
    }
  }
}

TEST_CASE("token bucket by reciprocal: ⌈deficit / rate⌉ equals the division over the whole range") {
  // Every rate at the ends of each power of two, and random ones; deficits at the ends and random.
  std::mt19937_64 g(11);
  std::vector<int64_t> rates;
  for (int l = 0; l <= 30; ++l) {
    for (int64_t d = -2; d <= 2; ++d) {
      const int64_t r = ((int64_t)1 << l) + d;
      if (r >= 1 && r <= 1000000000) rates.push_back(r);
    }
  }
  for (int64_t r : std::vector<int64_t>{3, 7, 10, 1000, 999999999, 1000000000, 123456789}) rates.push_back(r);
  for (int n = 0; n < 2000; ++n) rates.push_back((int64_t)(g() % 1000000000) + 1);
  for (int64_t rate : rates) {
    const BucketRate br = bucket_rate(rate, 1);
    // up to 1e12: a request of weight 1000 (kMaxConfigThrottleWeight) on an empty bucket
    for (int64_t d : std::vector<int64_t>{1, 2, rate - 1, rate, rate + 1, 999999999, 1000000000, (int64_t)(g() % 1000000000) + 1,
                                          1000000000000LL - 1, 1000000000000LL, (int64_t)(g() % 1000000000000ULL) + 1}) {
      if (d < 1 || d > 1000000000000LL) continue;
      REQUIRE(ceil_div_by_rate(d, br) == (d + rate - 1) / rate);
    }
  }
}

TEST_CASE("weighted token-ready time: the first time the bucket holds the request's weight") {
  std::mt19937_64 g(13);
  for (int n = 0; n < 50000; ++n) {
    const int64_t rate = n % 4 == 0 ? (int64_t)(g() % 1000000000) + 1 : (int64_t)(g() % 100000) + 1;
    const int64_t burst = n % 9 == 0 ? 1000 : (int64_t)(g() % 50) + 1;
    const int64_t weight = (int64_t)(g() % (uint64_t)(burst + 1));  // 0 … burst
    const BucketRate br = bucket_rate(rate, burst);
    const TokenBucket b{(int64_t)(g() % (uint64_t)(burst * kTokenScale)), kT0};
    const i128 ready = bucket_ready(b, br, weight);
    for (int64_t dt : {-1LL, 0LL, 1LL}) {
      const int64_t t = (ready > (i128)kT0 ? (int64_t)ready : kT0) + dt;
      const bool enough = (i128)bucket_level(b, rate, burst, t) >= (i128)weight * kTokenScale;
      REQUIRE(enough == ((i128)t >= ready));
    }
    if (weight == 1) REQUIRE(ready == bucket_ready(b, br));
  }
}

TEST_CASE("token bucket by reciprocal: the level and the ready time equal today's, refills past the cap included") {
  std::mt19937_64 g(12);
  for (int n = 0; n < 200000; ++n) {
    const int64_t rate = n % 3 == 0 ? (int64_t)(g() % 1000000000) + 1 : (int64_t)(g() % 100000) + 1;
    const int64_t burst = n % 5 == 0 ? 1000000000 : (int64_t)(g() % 50) + 1;
    const BucketRate br = bucket_rate(rate, burst);
    // tokens anywhere in [0, cap], sometimes above it (a reload that lowered the burst)
    const int64_t cap = burst * kTokenScale;
    int64_t tokens = (int64_t)(g() % (uint64_t)cap);
    if (n % 7 == 0) tokens = cap + (int64_t)(g() % 1000);
    if (n % 11 == 0) tokens = kTokenScale - 1;
    const int64_t last = n % 13 == 0 ? kNullI64 : kT0 + (int64_t)(g() % 1000000);
    const TokenBucket b{tokens, last};
    REQUIRE(bucket_ready(b, br) == bucket_ready(b, rate));
    const int64_t base = last == kNullI64 ? kT0 : last;
    const int64_t full = (int64_t)br.full_after;
    for (int64_t t : std::vector<int64_t>{base - 1, base, base + 1, base + full - 1, base + full, base + full + 1,
                                          base + (int64_t)(g() % 10000000000ULL), INT64_MAX, INT64_MIN + 1}) {
      REQUIRE(bucket_level(b, br, t) == bucket_level(b, rate, burst, t));
    }
  }
}

TEST_CASE("live-id set: open or in the window is live; a full bucket refuses (never forgets)") {
  using W = ClientIdWindow<4, 4>;  // 8 buckets of 7
  static W w;
  w.clear();
  std::set<int32_t> open;
  auto still_open = [&](int32_t slot, uint64_t) { return open.count(slot) != 0; };
  // Ids 0, 8, 16, ... share bucket 0. Seven of them open: the bucket is full.
  uint64_t seq[8];
  for (int k = 0; k < 7; ++k) {
    REQUIRE(w.lookup(8 * k) == W::Lookup::free);
    open.insert(k);
    seq[k] = w.enter(8 * k, k, still_open);
  }
  CHECK(w.lookup(8 * 7) == W::Lookup::full);  // the conservative answer: refused, not accepted
  CHECK(w.lookup(8 * 3) == W::Lookup::live);
  CHECK(w.lookup(1) == W::Lookup::free);
  // The first order closes after leaving the window (4 newer ids): its id is free again.
  open.erase(0);
  w.leave(0, seq[0]);
  CHECK(w.lookup(0) == W::Lookup::free);
  CHECK(w.lookup(8 * 7) == W::Lookup::free);
  // An order that closes inside the window stays live until the window passes it.
  REQUIRE(w.lookup(9) == W::Lookup::free);
  uint64_t s9 = w.enter(9, 7, still_open);
  w.leave(9, s9);
  CHECK(w.lookup(9) == W::Lookup::live);
  for (int64_t id = 2; id <= 5; ++id) w.enter(id, 0, still_open);  // four newer ids push 9 out
  CHECK(w.lookup(9) == W::Lookup::free);
}

TEST_CASE("margin threshold: every answer it gives equals the requirement computed afresh") {
  // Random exposures, tiers, marks, budgets; orders at, inside and beyond the reference price.
  std::mt19937_64 g(23);
  auto range = [&](int64_t lo, int64_t hi) { return lo + (int64_t)(g() % (uint64_t)(hi - lo + 1)); };
  uint64_t answered = 0, computed = 0, passes = 0, fails = 0;
  for (int n = 0; n < 20000; ++n) {
    MarginTable tiers{};
    tiers.count = (int32_t)range(1, 4);
    int64_t cap = 0;
    for (int k = 0; k < tiers.count; ++k) {
      cap += range(1, 400000) * U;
      tiers.tiers[k] = MarginTier{cap, range(1, 100)};
    }
    const int64_t mark = range(1, 200000) * U + range(0, U - 1);
    const int64_t cs = range(1, 1000) * (U / 1000);
    Exposure e{range(-500, 500), 0, range(0, 300), range(0, 300), kNoBuyPrice, kNoSellPrice};
    e.entry_price = e.position != 0 ? mark + range(-1000, 1000) * U : 0;
    if (e.open_buy > 0) e.best_buy = mark + range(-3000, 3000) * U / 100;
    if (e.open_sell > 0) e.best_sell = mark + range(-3000, 3000) * U / 100;
    const ContractValue unit = contract_value(mark, cs);
    const int side_ix = (int)range(0, 1);
    const int8_t side = side_ix == 0 ? kBuy : kSell;
    const i128 base = requirement_with_order(e, side_ix, 0, side > 0 ? kNoBuyPrice : kNoSellPrice, mark, unit, cs, tiers).requirement();
    const i128 budget_then = base + (i128)range(-1000, 200000) * U;  // the budget the slow path saw
    const MarginThreshold t = margin_threshold(e, side_ix, range(0, 1000), budget_then, mark, unit, cs, tiers);
    for (int k = 0; k < 8; ++k) {
      // The budget now: often the same, sometimes moved since.
      const i128 budget = k < 4 ? budget_then : budget_then + (i128)range(-50000, 50000) * U;
      const int64_t q = k % 2 ? t.qty + range(-2, 2) : range(-(side_ix == 0 ? e.open_buy : e.open_sell), 1200);
      if ((side_ix == 0 ? e.open_buy : e.open_sell) + q < 0) continue;
      const int64_t eff = t.ref + (k % 3 == 0 ? side * range(1, 100) * U : -side * range(0, 100) * U);
      const MarginAnswer a = margin_answer(t, side, q, eff, budget);
      if (a == MarginAnswer::compute) {
        ++computed;
        continue;
      }
      ++answered;
      const bool exact = requirement_with_order(e, side_ix, q, eff, mark, unit, cs, tiers).requirement() <= budget;
      CAPTURE(n);
      CAPTURE(k);
      REQUIRE((a == MarginAnswer::pass) == exact);
      ++(exact ? passes : fails);
    }
  }
  CHECK(answered > 50000);
  CHECK(passes > 1000);
  CHECK(fails > 1000);
}

TEST_CASE("margin threshold: Q is the most contracts the budget holds, up to the side's ceiling") {
  const MarginTable tiers = doc_tiers();
  const int64_t mark = 100000 * U, cs = U / 100;  // one contract: 1 000 of notional
  const ContractValue unit = contract_value(mark, cs);
  Exposure e{0, 0, 0, 0, kNoBuyPrice, kNoSellPrice};
  // 50× up to 100 000: 20 per contract; a budget of 2 000 holds exactly 100 contracts.
  MarginThreshold t = margin_threshold(e, 0, 1000, 2000 * U, mark, unit, cs, tiers);
  CHECK(t.qty == 100);
  CHECK(t.at_qty == 2000 * U);
  CHECK(t.past_qty > 2000 * U);
  CHECK(t.ref == mark);
  CHECK(margin_answer(t, kBuy, 100, mark, 2000 * U) == MarginAnswer::pass);
  CHECK(margin_answer(t, kBuy, 101, mark, 2000 * U) == MarginAnswer::fail);
  CHECK(margin_answer(t, kBuy, 100, mark + 1, 2000 * U) == MarginAnswer::compute);  // beyond ref
  CHECK(margin_answer(t, kBuy, 100, mark, 2000 * U - 1) == MarginAnswer::compute);  // budget moved
  // The whole ceiling fits: Q is the ceiling; none fits: Q = 0 and every addition fails.
  CHECK(margin_threshold(e, 0, 40, 2000 * U, mark, unit, cs, tiers).qty == 40);
  t = margin_threshold(e, 1, 1000, -1, mark, unit, cs, tiers);
  CHECK(t.qty == 0);
  CHECK(margin_answer(t, kSell, 1, mark, -1) == MarginAnswer::fail);
}

TEST_CASE("margin threshold: the stale list holds each account × instrument once, however often it goes stale") {
  Engine e;
  setup(e);
  OrderRequest r = order(1, kBuy, 100000 * U, 1);
  for (int n = 0; n < 500; ++n) {
    r.client_order_id = 1 + n;
    r.time = kT0 + n * 1000000LL;  // 1 ms apart: within the token rate and the market's freshness
    REQUIRE(e.check(r).accepted);            // stale (deferred)
    REQUIRE(e.on_cancel(r.client_order_id));  // refreshed at once by the slow path
  }
  CHECK(e.refresh_margin_thresholds() == 1);
  CHECK(e.margin_threshold_of(0, 0, 0).valid == 1);
  CHECK(e.refresh_margin_thresholds() == 0);
}

// An engine whose slow path never runs between requests must decide exactly as one whose slow
// path runs after every request: the requirement of orders passed on the threshold, the shifted
// threshold and the open-order index insertions that wait for the slow path change how a decision
// is reached, never what it is.
TEST_CASE("deferred commit: without the slow path between requests, every decision and margin total is the same") {
  static Engine lazy, eager;
  for (Engine* e : {&lazy, &eager}) {
    setup(*e);
    InstrumentLimits l1 = btc_limits();
    e->set_instrument_limits(1, l1);
    InstrumentMarket m1 = btc_market();
    m1.mark = 3000 * U;
    m1.best_bid = 2999 * U;
    m1.best_ask = 3001 * U;
    m1.limit_down = 2000 * U;
    m1.limit_up = 4000 * U;
    m1.contract_size = U / 10;
    e->set_market(1, m1);
    e->set_account_limits(1, account_limits());
    e->set_cash(0, 60000 * U);  // margin binds now and then
    e->set_cash(1, 30000 * U);
  }
  std::mt19937_64 g(31);
  auto range = [&](int64_t lo, int64_t hi) { return lo + (int64_t)(g() % (uint64_t)(hi - lo + 1)); };
  std::vector<int64_t> open;
  int64_t next_id = 1, now = kT0;
  uint64_t accepted = 0, margin_rejects = 0;
  const int64_t marks[2] = {100000 * U, 3000 * U};
  for (int n = 0; n < 20000; ++n) {
    now += range(1000, 2000000);
    const int roll = (int)range(0, 99);
    if (roll < 3) {  // the market moves (both engines' slow paths run on it)
      const int i = (int)range(0, 1);
      const int64_t mark = marks[i] + range(-20, 20) * (marks[i] / 1000);
      for (Engine* e : {&lazy, &eager}) {
        edit_market(*e, i, [&](InstrumentMarket& m) {
          m.mark = mark;
          m.last_update = now;
        });
      }
      continue;
    }
    if (roll < 30 && !open.empty()) {  // the exchange answers
      const size_t at = (size_t)range(0, (int64_t)open.size() - 1);
      const int64_t id = open[at];
      const OpenOrder* o = eager.find_order(id);
      const int what = (int)range(0, 2);
      const int64_t qty = o ? range(1, o->qty - o->filled > 0 ? o->qty - o->filled : 1) : 1;
      const int64_t px = o ? o->price : 0;
      for (Engine* e : {&lazy, &eager}) {
        if (what == 0) e->on_fill(id, qty, px, kT0);
        else if (what == 1) e->on_cancel(id);
        else e->on_entered(id);
      }
      if (what == 1 || !lazy.find_order(id)) {
        open[at] = open.back();
        open.pop_back();
      }
      continue;
    }
    OrderRequest r{};
    r.time = now;
    if (roll < 42 && !open.empty()) {  // a replace, often right after the order it changes
      const int64_t id = range(0, 1) ? open.back() : open[(size_t)range(0, (int64_t)open.size() - 1)];
      const OpenOrder* o = eager.find_order(id);
      r = replace(id, 0, (int32_t)range(1, 100), now, o ? o->account : 0, o ? o->instrument : 0);
      r.price = marks[r.instrument] + range(-300, 300) * (marks[r.instrument] / 10000);
    } else {
      const uint16_t a = (uint16_t)range(0, 1), i = (uint16_t)range(0, 1);
      const int8_t side = range(0, 1) ? kBuy : kSell;
      const int64_t bps = range(-300, 300);
      r = order(next_id++, side, marks[i] + bps * (marks[i] / 10000), (int32_t)range(1, 100), now, a, i,
                range(0, 9) == 0 ? kOrderReduceOnly : 0);
    }
    const RiskDecision dl = lazy.check(r), de = eager.check(r);
    CAPTURE(n);
    REQUIRE(dl.accepted == de.accepted);
    REQUIRE(dl.reason == de.reason);
    REQUIRE(dl.detail == de.detail);
    REQUIRE(dl.reserved_qty == de.reserved_qty);
    REQUIRE(dl.reserved_notional == de.reserved_notional);
    for (int a = 0; a < 2; ++a) {
      REQUIRE(lazy.account_margin(a).requirement == eager.account_margin(a).requirement);
      REQUIRE(lazy.account_margin(a).equity == eager.account_margin(a).equity);
    }
    if (dl.accepted && r.kind == OrderKind::new_order) open.push_back(r.client_order_id);
    accepted += dl.accepted;
    margin_rejects += dl.reason == RejectReason::margin;
    eager.refresh_margin_thresholds();  // the eager engine's slow path after every request
  }
  CHECK(accepted > 2000);
  CHECK(margin_rejects > 200);
  CHECK(lazy.margin_path().by_threshold > 1000);  // the shifted thresholds did answer
}

TEST_CASE("deferred commit: an order passed on its threshold shifts the side's threshold by its contracts") {
  Engine e;
  setup(e);
  e.set_cash(0, 2000 * U);  // holds 100 contracts at 50×
  e.set_account_limits(0, account_limits());  // the slow path recomputes the thresholds
  REQUIRE(e.margin_threshold_of(0, 0, 0).valid == 1);
  REQUIRE(e.margin_threshold_of(0, 0, 0).qty == 100);
  const uint64_t before = e.margin_path().by_threshold;
  REQUIRE(e.check(order(1, kBuy, 99000 * U, 30)).accepted);
  CHECK(e.margin_path().by_threshold == before + 1);
  CHECK(e.margin_threshold_of(0, 0, 0).valid == 1);
  CHECK(e.margin_threshold_of(0, 0, 0).qty == 70);
  CHECK(e.margin_threshold_of(0, 0, 1).valid == 0);  // the other side waits for the slow path
  // The requirement is exact meanwhile: 30 contracts × 1 000 at 50×, plus no open loss below mark.
  CHECK(e.account_margin(0).requirement == 600 * U);
  REQUIRE(e.check(order(2, kBuy, 99000 * U, 70)).accepted);   // exactly the rest
  CHECK(e.check(order(3, kBuy, 99000 * U, 1)).reason == RejectReason::margin);  // one past it
  // The index insertions are visible before the slow path runs.
  CHECK(e.find_order(1) != nullptr);
  CHECK(e.find_order(2) != nullptr);
  CHECK(e.check(replace(2, 98000 * U, 70)).accepted);
  e.refresh_margin_thresholds();
  CHECK(e.account_margin(0).requirement == 2000 * U);
}
