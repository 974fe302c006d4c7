// One preset per venue (core/funding_presets.hpp): the numbers each venue publishes as examples
// (external test vectors) and the worked example of each preset in docs/formulas.md §11, number
// for number; the interval calendars (core/interval_calendar.hpp).
#include <doctest/doctest.h>

#include "core/interval_calendar.hpp"
#include "core/margin.hpp"
#include "tests/mark/mark_test_util.hpp"

namespace pw::test {
namespace {

// Σ w of one whole interval of samples with a constant premium.
int64_t interval_weight(const MarkFundingParams& p, int64_t start) {
  MarkFundingState s;
  mark_funding_init(s, kCs);
  mf_detail::start_interval(s, p, start);
  const mf_detail::Sample x{true, 100000, kNullI64, kNullI64, kNullI64, false, 0, kNullI64, kNullI64};
  mf_detail::add_ticks(s, p, x, s.interval_end);
  CHECK(s.premium_avg == 100000);  // a constant premium averages to itself
  return s.premium_weight;
}

constexpr int64_t kJul2026 = 1782864000 * kSec;  // 2026-07-01 00:00:00 UTC (Wednesday)
constexpr int64_t kDec2026 = 1796083200 * kSec;  // 2026-12-01 00:00:00 UTC (Tuesday)
constexpr int64_t kHour = 3600 * kSec;

}  // namespace

TEST_CASE("every preset validates and is known by name") {
  for (const char* name : kPresetNames) {
    MarkFundingParams p{};
    REQUIRE_MESSAGE(preset_by_name(name, p), name);
    CHECK_MESSAGE(validate(p) == ParamsError::ok, name);
  }
  MarkFundingParams p{};
  CHECK_FALSE(preset_by_name("ftx", p));
}

// --- external vectors ----------------------------------------------------------------------------

TEST_CASE("Coinbase: 1 contract × 0.01 BTC × 100,000 USD × 0.1 % = 1.00 USD per hour") {
  CHECK(funding_payment(1, usd(100000), 10000000, 1000000) == usd(1));
  CHECK(funding_payment(-1, usd(100000), 10000000, 1000000) == -usd(1));  // the short receives it
  MarkFundingState s;
  mark_funding_init(s, 10000000);
  s.mark = usd(100000);
  CHECK(funding_payment_price(s, coinbase_preset()) == usd(100000));  // on the mark
}

TEST_CASE("Hyperliquid: impact bid 10,100, oracle 10,000 → 0.95 % per 8 h, 0.11875 % per hour") {
  const int64_t p = premium_index(usd(10100), usd(10100), usd(10000), PremiumForm::impact_bid_ask);
  CHECK(p == 10000000);  // 1 %
  MarkFundingParams eight_hour = hyperliquid_preset();
  eight_hour.rate_divisor = 1;
  eight_hour.cap = 0;
  CHECK(funding_rate_from(p, eight_hour) == 9500000);        // 1 % + clamp(0.01 % − 1 %) = 0.95 %
  CHECK(funding_rate_from(p, hyperliquid_preset()) == 1187500);  // paid hourly: 0.11875 %
  // paid on the oracle, not the mark: 10 BTC long at oracle 10,000 → 118.75 USD for the hour
  MarkFundingState s;
  mark_funding_init(s, kPriceScale);
  s.index = usd(10000);
  s.mark = usd(10050);
  const int64_t price = funding_payment_price(s, hyperliquid_preset());
  CHECK(price == usd(10000));
  CHECK(funding_payment(10, price, kPriceScale, 1187500) == 118750000000);
}

TEST_CASE("linear weights: Bybit 1…480 = 115,440, Binance 1…5,760 = 16,591,680, Bitnomial 1…1,920 = 1,844,160") {
  CHECK(interval_weight(bybit_preset(), kJul2026) == 115440);
  CHECK(interval_weight(binance_usdm_preset(), kJul2026) == 16591680);
  CHECK(interval_weight(bitnomial_preset(), kJul2026) == 1844160);  // 16:00 → 00:00 UTC in summer
  CHECK(interval_weight(bybit_preset(4), kJul2026) == 28920);       // 1 … 240
}

TEST_CASE("funding basis: index 2,000, last rate 0.005, half an hour of a 1 h interval left → 2,005") {
  MarkFundingParams p = bybit_preset(1);
  p.mark_components = kMarkFundingBasis;
  MarkFundingState s;
  mark_funding_init(s, kCs);
  s.index = usd(2000);
  s.final_rate = 5000000;  // the last settled rate 0.005
  s.rate = 123;            // the running rate is not used
  s.interval_start = kJul2026;
  s.interval_end = kJul2026 + kHour;
  s.now = kJul2026 + kHour / 2;
  update_mark(s, p);
  CHECK(s.mark == usd(2005));
}

TEST_CASE("Kalshi: 6.0595 per contract of 0.0001 BTC ⇔ 60,595 USD per BTC") {
  const MarkFundingParams p = kalshi_preset();
  MarkFundingState s;
  mark_funding_init(s, 100000);  // 0.0001 BTC
  s.index = usd(60595);
  CHECK(book_index(s, p) == 6059500000);  // 6.0595 per contract
  s.mark = 6059500000;
  CHECK(funding_payment_price(s, p) == usd(60595));
}

// --- worked examples (docs/formulas.md §11) ----------------------------------------------------

TEST_CASE("formulas §11 coinbase: one hour of 3-minute mark-difference samples, EMA with the previous rate") {
  Engine g(coinbase_preset(), kCs);
  const int64_t t0 = kDec2026 + 10 * kHour;  // 10:00 UTC
  g.step(ev_definition(kCs), t0);
  g.step(ev_funding(80000, usd(100010), usd(100000), t0, true), t0);  // the exchange's final for 10:00
  g.step(ev_put(1, kBid, usd(100020), 100), t0);
  g.step(ev_put(2, kAsk, usd(100040), 100), t0);
  CHECK(g.s.partial == 0);
  g.step(ev_trade(2, 9001, usd(100040), 2), t0 + 60 * kSec);   // window 1: VWAP of the trades
  g.step(ev_trade(1, 9002, usd(100020), 1), t0 + 120 * kSec);
  g.step(ev_funding(0, kNullI64, usd(100000), t0 + kHour, false), t0 + 4 * 60 * kSec);  // spot stays
  CHECK(g.s.win_mark == 100033333333333);  // (2 × 100,040 + 100,020) / 3
  CHECK(g.s.samples == 1);
  CHECK(g.s.premium == 333333);            // 33.333333333 / 100,000
  g.step(ev_funding(0, kNullI64, usd(100000), t0 + kHour, true), t0 + kHour);
  CHECK(g.s.final_time == t0 + kHour);
  CHECK(g.s.final_samples == 20);
  CHECK(g.s.final_missed == 0);
  CHECK(g.s.final_premium_avg == 301667);  // (333,333 + 19 × 300,000) / 20 = 301,666.65
  CHECK(g.s.final_rate == 29427);          // 0.75 × 301,667 / 24 + 0.25 × 80,000 = 0.75 × 12,569 + 20,000
  CHECK(g.s.win_mark == usd(100030));      // TWAP of the mid in the last window
  CHECK(g.s.mark == usd(100030));
  CHECK(g.s.prev_rate == 29427);
  // the next hour starts from our own rate: with the same premium, 0.75 × 12,500 + 0.25 × 29,427
  g.step(ev_funding(0, kNullI64, usd(100000), t0 + 2 * kHour, true), t0 + 2 * kHour);
  CHECK(g.s.final_premium_avg == 300000);
  CHECK(g.s.final_rate == 16732);  // 9,375 + 7,356.75 = 16,731.75
}

TEST_CASE("formulas §11 coinbase: no rate for the Friday 17:00–18:00 ET maintenance hour") {
  // Friday 2026-12-04 17:00 EST = 22:00 UTC
  const int64_t fri = kDec2026 + 3 * 24 * kHour;
  CHECK(is_coinbase_maintenance_hour(fri + 22 * kHour));
  CHECK_FALSE(is_coinbase_maintenance_hour(fri + 21 * kHour));
  CHECK_FALSE(is_coinbase_maintenance_hour(fri + 46 * kHour));  // Saturday 17:00 EST
  CHECK(is_coinbase_maintenance_hour(kJul2026 + 2 * 24 * kHour + 21 * kHour));  // Fri 3 July, 17:00 EDT = 21:00 UTC
  Engine g(coinbase_preset(), kCs);
  g.step(ev_funding(50000, kNullI64, usd(100000), fri + 21 * kHour, true), fri + 21 * kHour);
  g.step(ev_put(1, kBid, usd(100020), 100), fri + 21 * kHour);
  g.step(ev_put(2, kAsk, usd(100040), 100), fri + 21 * kHour);
  g.step(ev_funding(0, kNullI64, usd(100000), fri + 22 * kHour, true), fri + 22 * kHour);
  const int64_t charged = g.s.final_rate;
  CHECK(g.s.final_time == fri + 22 * kHour);
  g.step(ev_funding(0, kNullI64, usd(100000), fri + 23 * kHour, true), fri + 23 * kHour);
  CHECK(g.s.final_time == fri + 22 * kHour);  // the maintenance hour recorded nothing
  CHECK(g.s.final_rate == charged);
  CHECK(g.s.intervals_uncharged == 1);
  g.step(ev_funding(0, kNullI64, usd(100000), fri + 24 * kHour, true), fri + 24 * kHour);
  CHECK(g.s.final_time == fri + 24 * kHour);
  CHECK(g.s.final_rate == 9375 + div_round(charged, 4));  // the EMA skips the uncharged hour
}

TEST_CASE("formulas §11 kalshi: mid premium per contract") {
  const MarkFundingParams p = kalshi_preset();
  const int64_t idx = 6059500000;  // 60,595 × 0.0001
  CHECK(premium_index(6065000000, 6065000000, idx, PremiumForm::mid) == 907666);  // (6.065 − 6.0595) / 6.0595
  CHECK(funding_rate_from(907666, p) == 907666);
  CHECK(funding_rate_from(9000000, p) == 7500000);  // cap 0.75 %
}

TEST_CASE("formulas §11 kraken: impact mid for 0.006 BTC") {
  const MarkFundingParams p = kraken_preset();
  MarkFundingState s;
  mark_funding_init(s, kCs);
  s.index = usd(95000);
  const int64_t notional = mf_detail::impact_notional_of(s, p);
  CHECK(notional == usd(570));
  MarkBook book;
  MarketEvent ev[16];
  int n = 0;
  book_a_events(ev, n);
  for (int i = 0; i < n; ++i) REQUIRE(book.apply(ev[i]) == BookError::ok);
  CHECK(book.impact_bid(notional, kCs) == usd(95000));
  CHECK(book.impact_ask(notional, kCs) == usd(95010));
  const int64_t prem = premium_index(usd(95000), usd(95010), usd(95000), PremiumForm::impact_mid);
  CHECK(prem == 52632);                          // 5 / 95,000
  CHECK(funding_rate_from(prem, p) == 2193);     // / 24
  CHECK(funding_rate_from(50000000, p) == 1000000);  // maxRelativeFundingRate 0.1 %
}

TEST_CASE("formulas §11 binance: the funding basis uses the last settled rate") {
  MarkFundingParams p = binance_usdm_preset();
  p.mark_components = kMarkFundingBasis;
  MarkFundingState s;
  mark_funding_init(s, kCs);
  s.index = usd(100000);
  s.final_rate = 100000;  // 0.01 %
  s.rate = 224970;
  s.interval_start = kJul2026;
  s.interval_end = kJul2026 + 8 * kHour;
  s.now = kJul2026 + 4 * kHour;
  update_mark(s, p);
  CHECK(s.mark == usd(100005));  // 100,000 × (1 + 0.0001 × 4/8)
  const MarkFundingParams four = binance_usdm_preset(8000000, 4000000, 4);
  CHECK(four.funding_interval_ns == 4 * kHour);
  CHECK(four.interest_rate == 50000);
  CHECK(interval_weight(four, kJul2026) == 4148640);  // 1 … 2,880
}

TEST_CASE("formulas §11 bybit: F = P̄ + clamp(0.01 % − P̄, ±0.05 %), capped") {
  const MarkFundingParams p = bybit_preset();
  CHECK(funding_rate_from(300000, p) == 100000);     // 0.03 % → I
  CHECK(funding_rate_from(800000, p) == 300000);     // 0.08 % → 0.03 %
  CHECK(funding_rate_from(-700000, p) == -200000);   // −0.07 % → −0.02 %
  CHECK(funding_rate_from(30000000, p) == 20000000); // cap 2 %
  CHECK(bybit_preset(1).interest_rate == 12500);     // 0.01 % per 8 h on a 1 h interval
}

TEST_CASE("formulas §11 okx: premium at the mid, no interest, bounded by the tier's cap") {
  const int64_t prem = premium_index(usd(95000), usd(95010), usd(94980), PremiumForm::mid);
  CHECK(prem == 263213);  // 25 / 94,980
  CHECK(funding_rate_from(prem, okx_preset()) == 263213);
  CHECK(funding_rate_from(5000000, okx_preset()) == 3750000);          // BTC ±0.375 %
  CHECK(funding_rate_from(-9000000, okx_preset(7500000)) == -7500000);  // ETH ±0.75 %
  CHECK(funding_rate_from(20000000, okx_preset(15000000)) == 15000000); // others ±1.5 %
}

TEST_CASE("formulas §11 hyperliquid: EMA of (mid − oracle) as published, and the mark") {
  CHECK(exp_neg_e9(1, 150) == 993355506);
  CHECK(exp_neg_e9(150, 150) == 367879441);
  CHECK(exp_neg_e9(300, 150) == 135335283);
  CHECK(exp_neg_e9(75, 150) == 606530660);
  CHECK(exp_neg_e9(0, 150) == kPriceScale);
  const MarkFundingParams p = hyperliquid_preset();
  MarkFundingState s;
  mark_funding_init(s, kPriceScale);
  mf_detail::Sample x{false, kNullI64, kNullI64, kNullI64, kNullI64, true, usd(10), kNullI64, kNullI64};
  mf_detail::ema_push(s, p, x, kSec);
  CHECK(s.ema_avg == usd(10));
  x.basis = usd(20);
  mf_detail::ema_push(s, p, x, kSec);
  CHECK(s.ema_avg == 15016666606);  // (10·0.993355506 + 20) / (0.993355506 + 1) = 15.0166666056…
  // mark = median(oracle + EMA, median(bid, ask, last)); the centralised venues' mids are absent
  s.index = usd(10000);
  s.best_bid = usd(10010);
  s.best_ask = usd(10030);
  s.last_trade = usd(10040);
  update_mark(s, p);
  CHECK(s.mark == 10022508333303);  // (10,015.016666606 + 10,030) / 2
}

TEST_CASE("formulas §11 bitnomial: 8 h intervals from 19:00, 03:00, 11:00 Chicago time") {
  const MarkFundingParams p = bitnomial_preset();
  // summer (CDT, UTC−5): 00:00, 08:00, 16:00 UTC
  CHECK(funding_boundary_floor(p, kJul2026 + 9 * kHour) == kJul2026 + 8 * kHour);
  CHECK(funding_boundary_next(p, kJul2026 + 8 * kHour) == kJul2026 + 16 * kHour);
  // winter (CST, UTC−6): 01:00, 09:00, 17:00 UTC
  CHECK(funding_boundary_floor(p, kDec2026 + 9 * kHour) == kDec2026 + 9 * kHour);
  CHECK(funding_boundary_floor(p, kDec2026 + 8 * kHour) == kDec2026 + 1 * kHour);
  CHECK(funding_boundary_next(p, kDec2026 + 17 * kHour) == kDec2026 + 25 * kHour);
  // the fall-back night: Sunday 2026-11-01 02:00 CDT → 01:00 CST; 19:00 CDT Sat = 00:00 UTC, next
  // 03:00 CST Sun = 09:00 UTC: a 9-hour interval
  const int64_t nov1 = kDec2026 - 30 * 24 * kHour;
  CHECK(utc_offset_ns(TimeZone::america_chicago, nov1 + 6 * kHour) == -5 * kHour);
  CHECK(utc_offset_ns(TimeZone::america_chicago, nov1 + 7 * kHour) == -6 * kHour);
  CHECK(funding_boundary_next(p, nov1) == nov1 + 9 * kHour);
  // spring forward: Sunday 2026-03-08 02:00 CST → 03:00 CDT (08:00 UTC)
  const int64_t mar8 = 1772928000 * kSec;
  CHECK(utc_offset_ns(TimeZone::america_chicago, mar8 + 8 * kHour - 1) == -6 * kHour);
  CHECK(utc_offset_ns(TimeZone::america_chicago, mar8 + 8 * kHour) == -5 * kHour);
  CHECK(utc_offset_ns(TimeZone::america_new_york, mar8 + 7 * kHour) == -4 * kHour);
  CHECK(funding_rate_from(-700000, p) == -200000);
  CHECK(funding_rate_from(300000, p) == 100000);
}

TEST_CASE("formulas §11 bitmex: fair price marking with the running rate") {
  const MarkFundingParams p = bitmex_preset();
  MarkFundingState s;
  mark_funding_init(s, kCs);
  s.index = usd(100000);
  s.rate = 100000;
  s.final_rate = 999;  // not used
  s.interval_start = kJul2026 + 4 * kHour;
  s.interval_end = kJul2026 + 12 * kHour;
  s.now = kJul2026 + 6 * kHour;
  update_mark(s, p);
  CHECK(s.mark == 100007500000000);  // 100,000 × (1 + 0.0001 × 6/8)
  CHECK(funding_boundary_floor(p, kJul2026 + 3 * kHour) == kJul2026 - 4 * kHour);
}

}  // namespace pw::test
