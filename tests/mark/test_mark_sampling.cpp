// Time behaviour of core/mark_funding.hpp: samples on the grid from the book as it stood before
// each grid instant, the closed form across long silences against stepping instant by instant,
// funding boundaries (close, restart, whole intervals without events), untrusted books, the
// moving average ring, and prices quoted per contract.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "tests/mark/mark_test_util.hpp"

using namespace pw;
using namespace pw::test;

namespace {

// A small engine: interval 60 s, samples every second, moving average of 10 s sampled every 2 s,
// index 100,000 (external), contract size 1, impact notional 1,000 USD.
MarkFundingParams small_params(PremiumAveraging avg) {
  MarkFundingParams p = hourly_impact_params();
  p.funding_interval_ns = 60 * kSec;
  p.funding_offset_ns = 0;
  p.sample_interval_ns = kSec;
  p.impact_notional = usd(1000);
  p.interest_rate = 100000;
  p.clamp = 500000;
  p.cap = 3000000;
  p.averaging = (uint8_t)avg;
  p.index_source = (uint8_t)IndexSource::external;
  p.ma_window_ns = 10 * kSec;
  p.ma_sample_ns = 2 * kSec;
  p.risk_source = (uint8_t)ValueSource::own;
  return p;
}

void check_same(const MarkFundingState& a, const MarkFundingState& b) {
  CHECK(a.now == b.now);
  CHECK(a.interval_start == b.interval_start);
  CHECK(a.interval_end == b.interval_end);
  CHECK(a.last_tick == b.last_tick);
  CHECK(a.last_valid_tick == b.last_valid_tick);
  CHECK(a.last_ma_tick == b.last_ma_tick);
  CHECK(a.premium_sum == b.premium_sum);
  CHECK(a.premium_weight == b.premium_weight);
  CHECK(a.samples == b.samples);
  CHECK(a.missed == b.missed);
  CHECK(a.premium == b.premium);
  CHECK(a.impact_bid == b.impact_bid);
  CHECK(a.impact_ask == b.impact_ask);
  CHECK(a.mid == b.mid);
  CHECK(a.premium_avg == b.premium_avg);
  CHECK(a.rate == b.rate);
  CHECK(a.final_rate == b.final_rate);
  CHECK(a.final_premium_avg == b.final_premium_avg);
  CHECK(a.final_time == b.final_time);
  CHECK(a.final_samples == b.final_samples);
  CHECK(a.final_missed == b.final_missed);
  CHECK(a.intervals_closed == b.intervals_closed);
  CHECK(a.ma_sum == b.ma_sum);
  CHECK(a.ma_valid == b.ma_valid);
  CHECK(a.ma_len == b.ma_len);
  CHECK(a.mark == b.mark);
  CHECK(a.mark_a == b.mark_a);
  CHECK(a.mark_b == b.mark_b);
  CHECK(a.mark_c == b.mark_c);
}

}  // namespace

TEST_CASE("a sample at a grid instant sees the book before that instant's events") {
  Engine g(small_params(PremiumAveraging::time_weighted), kPriceScale);
  const int64_t t0 = kT2025;
  set_index(g.s, g.p, usd(100000), t0);
  g.step(ev_put(1, kAsk, usd(100050), 10), t0);
  g.step(ev_put(2, kBid, usd(100030), 10), t0);
  // an event exactly AT the grid instant t0 + 1 s: the sample there is taken before it
  g.step(ev_put(2, kBid, usd(100010), 10), t0 + kSec);
  CHECK(g.s.samples == 1);
  CHECK(g.s.premium == 300000);
  // a second event at the same instant takes no second sample
  g.step(ev_put(2, kBid, usd(100020), 10), t0 + kSec);
  CHECK(g.s.samples == 1);
  // one nanosecond before the next instant: nothing due yet
  g.step(ev_put(3, kBid, usd(99000), 1), t0 + 2 * kSec - 1);
  CHECK(g.s.samples == 1);
  // the next instant sees the last book (bid 100,020)
  g.step(ev_delete(3), t0 + 2 * kSec);
  CHECK(g.s.samples == 2);
  CHECK(g.s.premium == 200000);
  CHECK(g.s.premium_avg == 250000);
  // times that go backwards are ignored
  g.step(ev_put(2, kBid, usd(100040), 10), t0 + kSec);
  CHECK(g.s.now == t0 + 2 * kSec);
  CHECK(g.s.samples == 2);
}

TEST_CASE("the first time seen starts a partial interval on the grid") {
  Engine g(small_params(PremiumAveraging::linear), kPriceScale);
  const int64_t t0 = kT2025 + 25 * kSec + 300;  // 25.0000003 s into the minute
  set_index(g.s, g.p, usd(100000), t0);
  g.step(ev_put(1, kAsk, usd(100050), 10), t0);
  CHECK(g.s.interval_start == kT2025);
  CHECK(g.s.interval_end == kT2025 + 60 * kSec);
  CHECK(g.s.last_tick == kT2025 + 25 * kSec);
  CHECK(g.s.partial == 1);
  g.step(ev_put(2, kBid, usd(100010), 10), t0);
  g.step(ev_delete(2), kT2025 + 27 * kSec);
  // samples 26 and 27 of the interval: linear weights 26 and 27
  CHECK(g.s.samples == 2);
  CHECK(g.s.premium_weight == 26 + 27);
  g.step(ev_delete(1), kT2025 + 60 * kSec);
  CHECK(g.s.final_partial == 1);
  CHECK(g.s.final_samples == 2);
  CHECK(g.s.final_missed == 33);  // 28 … 60: no bid
  CHECK(g.s.final_premium_avg == 100000);
  CHECK(g.s.partial == 0);

  // starting exactly on a boundary is not partial
  Engine h(small_params(PremiumAveraging::linear), kPriceScale);
  h.step(ev_put(1, kAsk, usd(100050), 10), kT2025);
  CHECK(h.s.partial == 0);
  CHECK(h.s.last_tick == kT2025);
}

TEST_CASE("interval boundaries close the interval and restart the accumulator") {
  Engine g(small_params(PremiumAveraging::simple), kPriceScale);
  const int64_t t0 = kT2025;
  set_index(g.s, g.p, usd(100000), t0);
  g.step(ev_put(1, kAsk, usd(100050), 10), t0);
  g.step(ev_put(2, kBid, usd(100080), 10), t0);  // P = 0.08 %
  g.step(ev_put(2, kBid, usd(100020), 10), t0 + 60 * kSec + kSec / 2);
  CHECK(g.s.intervals_closed == 1);
  CHECK(g.s.final_time == t0 + 60 * kSec);
  CHECK(g.s.final_samples == 60);
  CHECK(g.s.final_premium_avg == 800000);
  CHECK(g.s.final_rate == 300000);  // 0.08 % − 0.05 %
  CHECK(g.s.interval_start == t0 + 60 * kSec);
  CHECK(g.s.samples == 0);          // nothing of the new interval yet (its first instant is 61 s)
  CHECK(g.s.premium_weight == 0);
  CHECK(g.s.premium_sum == 0);
  CHECK(g.s.premium_avg == 0);
  CHECK(g.s.rate == 100000);        // F(0) = I
  g.step(ev_delete(2), t0 + 61 * kSec);
  CHECK(g.s.samples == 1);
  CHECK(g.s.premium_avg == 200000);  // only the new interval's sample
  CHECK(g.s.final_rate == 300000);   // the closed interval is kept
}

TEST_CASE("whole intervals without an event: each is closed and counted, the last one recorded") {
  for (int m = 0; m < 3; ++m) {
    CAPTURE(m);
    Engine g(small_params((PremiumAveraging)m), kPriceScale);
    const int64_t t0 = kT2025;
    set_index(g.s, g.p, usd(100000), t0);
    g.step(ev_put(1, kAsk, usd(100050), 10), t0);
    g.step(ev_put(2, kBid, usd(100010), 10), t0 + 30 * kSec + 1);  // P = 0.01 % from 31 s on
    // silence until 5 min 20 s: intervals ending at 1, 2, 3, 4, 5 min all close
    g.step(ev_delete(2), t0 + 320 * kSec);
    CHECK(g.s.intervals_closed == 5);
    CHECK(g.s.final_time == t0 + 300 * kSec);
    CHECK(g.s.final_samples == 60);  // a whole interval on the unchanged book
    CHECK(g.s.final_missed == 0);
    CHECK(g.s.final_premium_avg == 100000);
    CHECK(g.s.final_partial == 0);
    CHECK(g.s.interval_start == t0 + 300 * kSec);
    CHECK(g.s.samples == 20);
    CHECK(g.s.premium_avg == 100000);
  }
}

TEST_CASE("closed form across silences equals stepping instant by instant") {
  for (int mode = 0; mode < 3; ++mode) {
    CAPTURE(mode);
    const MarkFundingParams p = small_params((PremiumAveraging)mode);
    Engine a(p, kPriceScale), b(p, kPriceScale);
    std::mt19937_64 rng(1234 + mode);
    int64_t t = kT2025 + 7 * kSec + 123;
    set_index(a.s, a.p, usd(100000), t);
    set_index(b.s, b.p, usd(100000), t);
    a.step(ev_put(12, kAsk, usd(100150), 5), t);  // both engines first see the same time
    b.step(ev_put(12, kAsk, usd(100150), 5), t);
    int64_t stepped_to = t;
    for (int i = 0; i < 600; ++i) {
      // gaps: mostly sub-second, sometimes seconds, sometimes minutes (whole intervals)
      const uint64_t r = rng() % 100;
      int64_t gap = r < 70 ? (int64_t)(rng() % kSec) : r < 95 ? (int64_t)(rng() % (20 * kSec)) : (int64_t)(rng() % (200 * kSec));
      if (rng() % 10 == 0) gap = (gap / kSec) * kSec;  // land exactly on grid instants too
      t += gap;
      // engine b walks every sample and moving-average instant before t, one call each
      for (int64_t x = (stepped_to / kSec + 1) * kSec; x < t; x += kSec) on_time(b.s, b.p, *b.book, x);
      stepped_to = t;
      MarketEvent e;
      const uint64_t k = rng() % 10;
      const int64_t id = 1 + (int64_t)(rng() % 12);
      if (k < 6) {
        const int8_t side = id <= 6 ? kBid : kAsk;
        const int64_t px = side == kBid ? usd(99900) + (int64_t)(rng() % 200) * 1000000000 : usd(100000) + (int64_t)(rng() % 200) * 1000000000;
        e = ev_put(id, side, px, 1 + (int32_t)(rng() % 8));
      } else if (k < 9) {
        e = ev_delete(id);
      } else {
        e = ev_trade(id, 99, usd(100000), 1);
      }
      a.step(e, t);
      b.step(e, t);
      if (rng() % 50 == 0) {
        const int64_t idx = usd(99950) + (int64_t)(rng() % 100) * kPriceScale;
        set_index(a.s, a.p, idx, t);
        set_index(b.s, b.p, idx, t);
      }
      check_same(a.s, b.s);
      if (a.s.premium_sum != b.s.premium_sum || a.s.ma_sum != b.s.ma_sum) break;
    }
    CHECK(a.s.intervals_closed >= 10);
    CHECK(a.s.samples + a.s.missed > 0);
  }
}

TEST_CASE("untrusted book: no premium sample, no moving-average entry") {
  Engine g(small_params(PremiumAveraging::time_weighted), kPriceScale);
  const int64_t t0 = kT2025;
  set_index(g.s, g.p, usd(100000), t0);
  g.step(ev_put(1, kAsk, usd(100050), 10), t0);
  g.step(ev_put(2, kBid, usd(100030), 10), t0);
  g.step(ev_put(3, kBid, usd(100010), 10), t0 + 4 * kSec + 1);  // samples 1 … 4 saw 0.03 %
  CHECK(g.s.samples == 4);
  CHECK(g.s.ma_valid == 2);  // MA instants 2 s and 4 s
  g.book->mark_unsynced();
  REQUIRE(!g.book->trusted());
  g.step(ev_put(4, kBid, usd(100000), 1), t0 + 10 * kSec + 1);
  CHECK(g.s.samples == 4);
  CHECK(g.s.missed == 6);
  CHECK(g.s.premium == kNullI64);
  CHECK(g.s.impact_bid == kNullI64);
  CHECK(g.s.mid == kNullI64);
  CHECK(g.s.ma_valid == 2);   // the ring holds 5 entries: 2 valid, 3 missing
  CHECK(g.s.ma_len == 5);
  CHECK(g.s.premium_avg == 300000);
  // a snapshot makes it trusted again; the next valid sample covers the gap (time-weighted)
  g.step(ev_snapshot_start(2), t0 + 10 * kSec + 2);
  g.step(ev_snapshot_order(2, usd(100010), 10), t0 + 10 * kSec + 2);
  g.step(ev_snapshot_order(1, usd(100050), 10), t0 + 10 * kSec + 2);
  g.step(ev_snapshot_end(), t0 + 10 * kSec + 2);
  REQUIRE(g.book->trusted());
  g.step(ev_delete(2), t0 + 11 * kSec);
  CHECK(g.s.samples == 5);
  CHECK(g.s.missed == 6);
  // (0.03 % × 4 s + 0.01 % × 7 s) / 11 s
  CHECK(g.s.premium_avg == div_round(300000 * 4 + 100000 * 7, 11));
  CHECK(g.s.ma_valid == 2);  // the next MA instant is 12 s
}

TEST_CASE("no index, or a book that cannot fill the notional: no sample") {
  MarkFundingParams p = small_params(PremiumAveraging::simple);
  p.impact_notional = usd(150000);
  Engine g(p, kPriceScale);
  const int64_t t0 = kT2025;
  g.step(ev_put(1, kAsk, usd(100050), 10), t0);
  g.step(ev_put(2, kBid, usd(100030), 10), t0);
  g.step(ev_put(3, kBid, usd(100030), 1), t0 + 3 * kSec);  // no index yet
  CHECK(g.s.samples == 0);
  CHECK(g.s.missed == 3);
  CHECK(g.s.mid == usd(100040));
  CHECK(g.s.ma_valid == 0);
  set_index(g.s, g.p, usd(100000), t0 + 3 * kSec);
  g.step(ev_put(1, kAsk, usd(100050), 1), t0 + 3 * kSec);  // 100,050 of 150,000 USD: not enough
  g.step(ev_put(3, kBid, usd(100030), 2), t0 + 5 * kSec);
  CHECK(g.s.samples == 0);
  CHECK(g.s.missed == 5);
  CHECK(g.s.impact_bid == usd(100030));
  CHECK(g.s.impact_ask == kNullI64);
  CHECK(g.s.ma_valid == 1);  // the mid is there: the moving average still gets its entry
  CHECK(g.s.rate == 100000);
}

TEST_CASE("time-weighted and simple differ only when samples are missing") {
  const MarkFundingParams tw = small_params(PremiumAveraging::time_weighted);
  const MarkFundingParams sm = small_params(PremiumAveraging::simple);
  for (int missing = 0; missing < 2; ++missing) {
    CAPTURE(missing);
    Engine a(tw, kPriceScale), b(sm, kPriceScale);
    const int64_t t0 = kT2025;
    std::mt19937_64 rng(99);
    for (Engine* g : {&a, &b}) {
      set_index(g->s, g->p, usd(100000), t0);
      g->step(ev_put(1, kAsk, usd(100050), 10), t0);
    }
    for (int k = 0; k < 60; ++k) {
      const int64_t t = t0 + k * kSec + kSec / 2;
      const bool drop = missing && (k % 7 == 3 || k % 11 == 5);
      const int64_t bid = usd(99990) + (int64_t)(rng() % 50) * kPriceScale;
      for (Engine* g : {&a, &b}) {
        if (drop) g->step(ev_delete(2), t);
        else g->step(ev_put(2, kBid, bid, 10), t);
      }
    }
    for (Engine* g : {&a, &b}) g->step(ev_delete(1), t0 + 60 * kSec);
    CHECK(a.s.final_samples == b.s.final_samples);
    if (missing) {
      CHECK(a.s.final_missed > 0);
      CHECK(a.s.final_premium_avg != b.s.final_premium_avg);
    } else {
      CHECK(a.s.final_missed == 0);
      CHECK(a.s.final_premium_avg == b.s.final_premium_avg);
    }
  }
}

TEST_CASE("moving average ring: the last window of (mid − index), oldest dropped") {
  MarkFundingParams p = small_params(PremiumAveraging::simple);
  p.mark_components = kMarkMovingBasis;
  Engine g(p, kPriceScale);
  const int64_t t0 = kT2025;
  set_index(g.s, g.p, usd(100000), t0);
  g.step(ev_put(1, kAsk, usd(100050), 10), t0);
  g.step(ev_put(2, kBid, usd(100030), 10), t0);  // mid 100,040: basis +40
  for (int k = 1; k <= 4; ++k) g.step(ev_put(2, kBid, usd(100030) + k * 2 * kPriceScale, 10), t0 + 2 * k * kSec + 1);
  // entries at 2, 4, 6, 8 s: bids 100,030, 100,032, 100,034, 100,036 → bases 40, 41, 42, 43
  CHECK(g.s.ma_len == 4);
  CHECK(g.s.ma_valid == 4);
  CHECK(g.s.mark_b == usd(100000) + 41500000000);
  CHECK(g.s.mark == g.s.mark_b);
  g.step(ev_delete(2), t0 + 12 * kSec + 1);  // entries at 10 (44), 12 (44): the 2 s entry drops
  CHECK(g.s.ma_len == 5);
  CHECK(g.s.ma_valid == 5);
  CHECK((int64_t)g.s.ma_sum == (41 + 42 + 43 + 44 + 44) * kPriceScale);
  CHECK(g.s.mark == usd(100000) + 42800000000);
  // a long silence with the bid side empty: all five entries become missing → no (b), no mark
  g.step(ev_put(2, kBid, usd(100030), 10), t0 + 100 * kSec);
  CHECK(g.s.ma_valid == 0);
  CHECK(g.s.mark_b == kNullI64);
  CHECK(g.s.mark == kNullI64);
}

TEST_CASE("prices per contract: the index times the contract size meets the book") {
  MarkFundingParams p = kalshi_preset();
  p.index_source = (uint8_t)IndexSource::external;
  p.premium_form = (uint8_t)PremiumForm::impact_bid_ask;  // the impact walk per contract
  p.sample_interval_ns = 5 * kSec;
  Engine g(p);
  const int64_t t0 = kT2025;
  g.step(ev_definition(kCs), t0);  // 0.01 BTC per contract
  set_index(g.s, g.p, usd(95000), t0);
  REQUIRE(book_index(g.s, g.p) == usd(950));
  // per-contract prices: 950.19 bid, 951 ask, 20 contracts each (19,003.8 and 19,020 USD)
  g.step(ev_put(1, kBid, 950190000000, 20), t0);
  g.step(ev_put(2, kAsk, usd(951), 20), t0);
  g.step(ev_put(2, kAsk, usd(951), 21), t0 + 60 * kSec);  // samples every 5 s, MA every minute
  CHECK(g.s.samples == 12);
  CHECK(g.s.impact_bid == 950190000000);
  CHECK(g.s.premium == 200000);  // 0.19 / 950
  CHECK(g.s.mark_b == usd(950) + 595000000);   // mid 950.595 − 950
  // no contract size: no index in book terms, no sample
  MarkFundingState s;
  mark_funding_init(s);
  s.index = usd(95000);
  CHECK(book_index(s, p) == kNullI64);
  p.quote_per_contract = 0;
  CHECK(book_index(s, p) == usd(95000));
}

TEST_CASE("the funding basis (a) shrinks towards the boundary") {
  MarkFundingParams p = small_params(PremiumAveraging::simple);
  p.mark_components = kMarkFundingBasis;
  Engine g(p, kPriceScale);
  const int64_t t0 = kT2025;
  set_index(g.s, g.p, usd(100000), t0);
  g.step(ev_put(1, kAsk, usd(100050), 10), t0);
  CHECK(g.s.rate == 100000);
  CHECK(g.s.mark == usd(100000) + usd(10));  // 100,000 × (1 + 0.0001 × 60/60)
  g.step(ev_put(2, kBid, usd(99000), 1), t0 + 45 * kSec);  // no bid until 45 s: no sample
  CHECK(g.s.samples == 0);
  CHECK(g.s.rate == 100000);
  CHECK(g.s.mark == usd(100000) + 2500000000);  // × 15/60
}
