// The thresholds of the fast path (core/risk_thresholds.hpp) and the live-id set of check 11
// (core/client_id_window.hpp): each threshold gives today's answer at its edge, and the one
// conservative rule (a full bucket of live ids) only ever refuses.
#include <doctest/doctest.h>

#include <random>
#include <set>

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
