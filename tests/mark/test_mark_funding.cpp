// Unit tests of core/mark_funding.hpp and core/funding_presets.hpp: every worked example of
// docs/formulas.md with exactly the numbers printed there (section by section), parameter
// validation, the presets, the funding comparison and the values the risk gate reads.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "tests/mark/mark_test_util.hpp"

using namespace pw;
using namespace pw::test;

// ---------------------------------------------------------------------------------------------
// docs/formulas.md §1: book A, mid and impact prices

TEST_CASE("formulas §1: book A mid and impact bid/ask for 10,000 USD at 0.01 BTC") {
  auto b = std::make_unique<MarkBook>();
  MarketEvent ev[16];
  int n = 0;
  book_a_events(ev, n);
  for (int i = 0; i < n; ++i) REQUIRE(b->apply(ev[i]) == BookError::ok);
  CHECK(b->mid() == 95005000000000);
  CHECK(b->impact_bid(usd(10000), kCs) == kBookAImpactBid);  // 949,900,000 / 9,999 rounded down
  CHECK(b->impact_ask(usd(10000), kCs) == kBookAImpactAsk);  // 1,187,750,000 / 12,501 rounded up
  CHECK(b->impact_bid(usd(75974), kCs) == kNullI64);         // more than the bids hold
  // mid rounding: half a tick rounds away from zero
  b->put(301, kAsk, 95000000000001, 1);
  CHECK(b->mid() == 95000000000001);  // (95,000 + 95,000.000000001) / 2 = …0005 → …001
}

// ---------------------------------------------------------------------------------------------
// §2: premium index, both forms

TEST_CASE("formulas §2: premium index on book A, impact bid/ask and impact mid forms") {
  const int64_t ib = kBookAImpactBid, ia = kBookAImpactAsk;
  CHECK(premium_index(ib, ia, usd(94980), PremiumForm::impact_bid_ask) == 205306);
  CHECK(premium_index(ib, ia, usd(95000), PremiumForm::impact_bid_ask) == 0);
  CHECK(premium_index(ib, ia, usd(95030), PremiumForm::impact_bid_ask) == -185215);
  CHECK(div_round(ib + ia, 2) == 95005949479037);
  CHECK(premium_index(ib, ia, usd(94980), PremiumForm::impact_mid) == 273210);
  CHECK(premium_index(ib, ia, usd(95000), PremiumForm::impact_mid) == 62626);
  CHECK(premium_index(ib, ia, usd(95030), PremiumForm::impact_mid) == -253083);
}

// ---------------------------------------------------------------------------------------------
// §3: the three averaging modes on a six-sample interval

namespace {

// Interval 60 s, samples every 10 s, index 100,000, contract size 1, impact notional 1,000 USD;
// the ask rests at 100,050 and the bid is moved before each sample so that P_k = (bid − index) /
// index. `bids[k]` = 0: no bid at sample k+1 (no impact bid, no sample).
MarkFundingParams toy_params(PremiumAveraging avg) {
  MarkFundingParams p = hourly_impact_params();
  p.funding_interval_ns = 60 * kSec;
  p.sample_interval_ns = 10 * kSec;
  p.impact_notional = usd(1000);
  p.interest_rate = 100000;
  p.clamp = 500000;
  p.cap = 0;
  p.averaging = (uint8_t)avg;
  p.index_source = (uint8_t)IndexSource::external;
  p.mark_components = kMarkLastTrade;
  p.risk_source = (uint8_t)ValueSource::own;
  return p;
}

// Runs one interval [t0, t0 + 60 s) with the six bids; returns the closed state.
MarkFundingState run_toy(PremiumAveraging avg, const int64_t (&bids)[6]) {
  const int64_t t0 = kT2025 + 10 * 3600 * kSec;
  Engine g(toy_params(avg), kPriceScale);
  REQUIRE(g.step(ev_put(1, kAsk, usd(100050), 10), t0) == BookError::ok);
  set_index(g.s, g.p, usd(100000), t0);
  for (int k = 0; k < 6; ++k) {
    const int64_t t = t0 + (10 * k + 5) * kSec;  // halfway between samples k and k+1
    if (g.book->order(2) != nullptr) g.step(ev_delete(2), t);
    if (bids[k] != 0) REQUIRE(g.step(ev_put(2, kBid, usd(bids[k]), 10), t + 1) == BookError::ok);
  }
  g.step(ev_delete(1), t0 + 60 * kSec);  // the sample AT the boundary sees the book before this
  CHECK(g.s.intervals_closed == 1);
  CHECK(g.s.final_time == t0 + 60 * kSec);
  CHECK(g.s.final_partial == 0);
  return g.s;
}

}  // namespace

TEST_CASE("formulas §3: simple, time-weighted and linear averages, one sample missing") {
  // P = 0.03 %, 0.02 %, missing, 0.01 %, 0.04 %, 0.02 %
  const int64_t bids[6] = {100030, 100020, 0, 100010, 100040, 100020};
  const MarkFundingState s = run_toy(PremiumAveraging::simple, bids);
  CHECK(s.final_samples == 5);
  CHECK(s.final_missed == 1);
  CHECK(s.final_premium_avg == 240000);  // 1.2e-3 / 5
  CHECK(s.final_rate == 100000);         // I − P̄ = −0.014 % inside ±0.05 %: F = I
  const MarkFundingState t = run_toy(PremiumAveraging::time_weighted, bids);
  CHECK(t.final_premium_avg == 216667);  // (3·10 + 2·10 + 1·20 + 4·10 + 2·10)·1e-4 / 60
  CHECK(t.final_samples == 5);
  CHECK(t.final_missed == 1);
  const MarkFundingState l = run_toy(PremiumAveraging::linear, bids);
  CHECK(l.final_premium_avg == 238889);  // (1·3 + 2·2 + 4·1 + 5·4 + 6·2)·1e-4 / 18
}

TEST_CASE("formulas §3: with every sample present, simple = time-weighted; linear weighs late samples more") {
  const int64_t bids[6] = {100030, 100020, 100010, 100010, 100040, 100020};
  CHECK(run_toy(PremiumAveraging::simple, bids).final_premium_avg == 216667);         // 1.3e-3 / 6
  CHECK(run_toy(PremiumAveraging::time_weighted, bids).final_premium_avg == 216667);  // same
  CHECK(run_toy(PremiumAveraging::linear, bids).final_premium_avg == 219048);         // 46e-4 / 21
  // a constant premium averages to itself in every mode, whatever is missing
  const int64_t flat[6] = {100030, 0, 100030, 0, 0, 100030};
  for (int m = 0; m < 3; ++m) CHECK(run_toy((PremiumAveraging)m, flat).final_premium_avg == 300000);
}

// ---------------------------------------------------------------------------------------------
// §4: F from P̄ (interest clamp, rate divisor, cap and floor) for each preset

TEST_CASE("formulas §4: funding rate from the average premium, per preset") {
  const MarkFundingParams cb = hourly_impact_params();
  CHECK(funding_rate_from(216667, cb) == 12500);        // |I − P̄| ≤ c: F = I = 0.00125 %
  CHECK(funding_rate_from(-55041, cb) == 12500);
  CHECK(funding_rate_from(800000, cb) == 300000);       // I − P̄ clamped to −0.05 %
  CHECK(funding_rate_from(50000000, cb) == 40000000);   // 4.95 % capped to 4 %
  CHECK(funding_rate_from(-50000000, cb) == -40000000); // floor = −cap

  const MarkFundingParams bn = binance_usdm_preset();
  CHECK(funding_rate_from(300000, bn) == 100000);
  CHECK(funding_rate_from(-700000, bn) == -200000);     // I − P̄ = 0.08 % clamped to +0.05 %
  CHECK(funding_rate_from(724970, bn) == 224970);
  CHECK(funding_rate_from(550000, bn) == 100000);
  CHECK(funding_rate_from(9000000, bn) == 6000000);     // cap +0.6 %
  CHECK(funding_rate_from(-9000000, bn) == -3000000);   // floor −0.3 %

  const MarkFundingParams hl = hyperliquid_preset();
  CHECK(funding_rate_from(800000, hl) == 37500);        // 0.03 % per 8 h / 8
  CHECK(funding_rate_from(612345, hl) == 14043);        // 112,345 / 8 = 14,043.125
  CHECK(funding_rate_from(-600004, hl) == -12501);      // −100,004 / 8 = −12,500.5, half away from zero
  CHECK(funding_rate_from(216667, hl) == 12500);        // I / 8
  CHECK(funding_rate_from(50000000, hl) == 6187500);    // 49.5e-3 / 8: under the 4 % cap

  CHECK(funding_rate_from(9000000, bitmex_preset()) == 3750000);  // cap ±0.375 %
  CHECK(funding_rate_from(612345, kraken_preset()) == 25514);     // P̄ / 24, no interest, no clamp
  CHECK(funding_rate_from(-612345, kraken_preset()) == -25514);
  CHECK(funding_rate_from(612345, kalshi_preset()) == 612345);    // no interest, no clamp, under the cap
}

// ---------------------------------------------------------------------------------------------
// §5: the mark: components, median, band

TEST_CASE("formulas §5: mark components (a), (b), (c), their median and the band") {
  MarkFundingParams p = hourly_impact_params();
  MarkFundingState s;
  mark_funding_init(s, kCs);
  const int64_t t_end = kT2025 + 11 * 3600 * kSec;
  s.index = 95000123456789;  // 95,000.123456789
  s.rate = 300000;           // F = 0.03 %
  s.interval_end = t_end;
  s.now = t_end - 1200 * kSec;  // 20 minutes to funding
  s.ma_sum = 18500000000;       // entries 5.0, 7.0, 6.5 and one missing
  s.ma_valid = 3;
  s.ma_avg = 6166666667;        // what ma_push keeps: 18.5 / 3 rounded
  s.last_trade = 95004500000000;
  update_mark(s, p);
  CHECK(s.mark_a == 95009623469135);  // index + 9.500012345…→ 9.500012346
  CHECK(s.mark_b == 95006290123456);  // index + 18.5 / 3 = 6.1666666666… → 6.166666667
  CHECK(s.mark_c == 95004500000000);
  CHECK(s.mark == 95006290123456);    // the middle one

  p.mark_components = kMarkFundingBasis | kMarkLastTrade;
  update_mark(s, p);
  CHECK(s.mark_b == kNullI64);
  CHECK(s.mark == 95007061734568);  // (a + c) / 2 = …567.5 → …568
  p.mark_components = kMarkAbc;
  s.last_trade = kNullI64;
  update_mark(s, p);
  CHECK(s.mark == 95007956796296);  // (a + b) / 2 = …295.5 → …296
  s.ma_valid = 0;
  update_mark(s, p);
  CHECK(s.mark == 95009623469135);  // (a) alone
  s.index = kNullI64;
  update_mark(s, p);
  CHECK(s.mark == kNullI64);        // no index, no trade: no mark

  // band: limit-up 95,006 bounds the median, limit-down 95,007 lifts it
  s.index = 95000123456789;
  s.ma_valid = 3;
  s.last_trade = 95004500000000;
  s.limit_up = usd(95006);
  update_mark(s, p);
  CHECK(s.mark == usd(95006));
  s.limit_up = kNullI64;
  s.limit_down = usd(95007);
  update_mark(s, p);
  CHECK(s.mark == usd(95007));
  p.bound_by_band = 0;
  update_mark(s, p);
  CHECK(s.mark == 95006290123456);
}

TEST_CASE("formulas §5: median_of") {
  const int64_t v3[3] = {5, 1, 3};
  CHECK(median_of(v3, 3) == 3);
  const int64_t v2[2] = {4, 7};
  CHECK(median_of(v2, 2) == 6);  // 5.5 → 6
  const int64_t n2[2] = {-4, -7};
  CHECK(median_of(n2, 2) == -6);  // −5.5 → −6
  CHECK(median_of(v3, 1) == 5);
  CHECK(median_of(v3, 0) == kNullI64);
}

TEST_CASE("formulas §5: the band comes from the definition and trading-status events") {
  Engine g(hourly_impact_params(), kCs);
  const int64_t t0 = kT2025;
  g.step(ev_definition(kCs, usd(90000), usd(94000)), t0);
  g.step(ev_trade(1, 2, usd(95000), 1), t0 + 1);
  CHECK(g.s.mark == usd(94000));
  g.step(ev_status(usd(95500), usd(99000)), t0 + 2);
  CHECK(g.s.mark == usd(95500));
  g.step(ev_status(kNullI64, kNullI64), t0 + 3);
  CHECK(g.s.mark == usd(95000));
}

// ---------------------------------------------------------------------------------------------
// §6: ours against the exchange's, in basis points

TEST_CASE("formulas §6: funding comparison in bps, sign and rounding") {
  MarkFundingState s;
  mark_funding_init(s);
  struct Row { int64_t ours, theirs, bps, e2bps; };
  const Row rows[] = {
      {12500, 10000, 0, 3},     // +0.025 bp
      {100000, 85000, 0, 15},   // +0.15 bp
      {100000, 50000, 1, 50},   // +0.5 bp → 1
      {50000, 100000, -1, -50}, // −0.5 bp → −1
      {100000, 101500, 0, -2},  // −0.015 bp: −1.5 hundredths → −2
      {-2500, 0, 0, -3},
  };
  for (const Row& r : rows) {
    s.rate = r.ours;
    s.ex_rate = r.theirs;
    const FundingComparison c = compare_funding(s);
    CHECK(c.ours == r.ours);
    CHECK(c.theirs == r.theirs);
    CHECK(c.diff_bps == r.bps);
    CHECK(c.diff_e2bps == r.e2bps);
    CHECK(c.is_final == 0);
  }
  s.ex_rate = kNullI64;
  CHECK(compare_funding(s).diff_bps == kNullI64);
  CHECK(compare_funding(s).diff_e2bps == kNullI64);
}

// ---------------------------------------------------------------------------------------------
// §7: one hour of the Coinbase Derivatives preset end to end

TEST_CASE("formulas §7: Coinbase hourly preset, 10:00 to 11:00 on book A") {
  const MarkFundingParams p = hourly_impact_params();
  Engine g(p);
  const int64_t t10 = kT2025 + 10 * 3600 * kSec, t11 = t10 + 3600 * kSec;
  // 10:00:00.000: definition, the exchange's first funding message (spot mark 94,980), book A
  g.step(ev_definition(kCs), t10);
  g.step(ev_funding(11000, usd(95004), usd(94980), t11, false), t10);
  MarketEvent ev[16];
  int n = 0;
  book_a_events(ev, n);
  for (int i = 0; i < n; ++i) REQUIRE(g.step(ev[i], t10) == BookError::ok);
  CHECK(g.s.interval_start == t10);
  CHECK(g.s.interval_end == t11);
  CHECK(g.s.partial == 0);
  CHECK(g.s.rate == 12500);  // P̄ = 0 before the first sample: F = I

  // 10:20:00.500: the spot mark moves to 95,030; samples 10:00:01 … 10:20:00 (1,200) saw 94,980
  g.step(ev_funding(9000, usd(95006), usd(95030), t11, false), t10 + 1200 * kSec + 500000000);
  CHECK(g.s.samples == 1200);
  CHECK(g.s.premium == 205306);
  CHECK(g.s.impact_bid == kBookAImpactBid);
  CHECK(g.s.impact_ask == kBookAImpactAsk);
  CHECK(g.s.premium_avg == 205306);
  CHECK(g.s.rate == 12500);
  CHECK(g.s.index == usd(95030));

  // 11:00:00.000: the exchange's final rate 0.001 %; our samples 10:20:01 … 11:00:00 (2,400) saw 95,030
  g.step(ev_funding(10000, 95006500000000, usd(95030), t11, true), t11);
  CHECK(g.s.intervals_closed == 1);
  CHECK(g.s.final_time == t11);
  CHECK(g.s.final_samples == 3600);
  CHECK(g.s.final_missed == 0);
  CHECK(g.s.premium == -185215);
  CHECK(g.s.final_premium_avg == -55041);  // (205,306 × 1,200 s − 185,215 × 2,400 s) / 3,600 s
  CHECK(g.s.final_rate == 12500);
  CHECK(g.s.interval_start == t11);
  CHECK(g.s.samples == 0);
  CHECK(g.s.rate == 12500);

  // the mark at 11:00:00: (a) 95,030 × (1 + 0.0000125 × 3600/3600), (b) 95,030 − 25, (c) 95,000
  CHECK(g.s.mark_a == 95031187875000);
  CHECK(g.s.ma_valid == 30);
  CHECK(g.s.mark_b == usd(95005));
  CHECK(g.s.mark_c == usd(95000));
  CHECK(g.s.mark == usd(95005));

  // ours against the exchange's final: +0.025 bp → 0 bp, 3 hundredths
  const FundingComparison c = compare_funding(g.s);
  CHECK(c.is_final == 1);
  CHECK(c.ours == 12500);
  CHECK(c.theirs == 10000);
  CHECK(c.interval_end == t11);
  CHECK(c.diff_bps == 0);
  CHECK(c.diff_e2bps == 3);

  // the preset's risk source is the exchange
  CHECK(risk_mark(g.s, g.p) == 95006500000000);
  CHECK(risk_funding_rate(g.s, g.p) == 10000);

  MarkRecord mr{};
  fill_mark_record(g.s, mr);
  CHECK(mr.mark == usd(95005));
  CHECK(mr.index == usd(95030));
  CHECK(mr.premium == -185215);
  CHECK(mr.impact_bid == kBookAImpactBid);
  CHECK(mr.impact_ask == kBookAImpactAsk);
  CHECK(mr.mid == usd(95005));
  FundingRecord fr{};
  fill_funding_record(g.s, fr);
  CHECK(fr.ours == 12500);
  CHECK(fr.exchange == 10000);
  CHECK(fr.diff_e2bps == 3);
  CHECK(fr.exchange_mark == 95006500000000);
  CHECK(fr.interval_end == t11);
  CHECK(fr.is_final == 1);
}

// ---------------------------------------------------------------------------------------------
// §8: the Binance USDⓈ-M preset over one 8-hour interval (linear weights)

namespace {
MarkFundingState run_binance(PremiumAveraging avg) {
  MarkFundingParams p = binance_usdm_preset();
  p.averaging = (uint8_t)avg;
  Engine g(p, 1000000);  // 0.001 BTC per contract
  const int64_t t0 = kT2025;
  REQUIRE(g.p.impact_notional == usd(25000));
  set_index(g.s, g.p, usd(100000), t0);
  g.step(ev_put(1, kAsk, usd(100100), 1000), t0);
  g.step(ev_put(2, kBid, usd(100020), 1000), t0);   // P = 0.02 % for samples 1 … 2,880
  g.step(ev_put(2, kBid, usd(100090), 1000), t0 + 4 * 3600 * kSec + 500000000);  // 0.09 % for 2,881 … 5,760
  g.step(ev_delete(1), t0 + 8 * 3600 * kSec);
  CHECK(g.s.intervals_closed == 1);
  CHECK(g.s.final_samples == 5760);
  return g.s;
}
}  // namespace

TEST_CASE("formulas §8: Binance preset, 8 h, 5,760 samples, linear vs time-weighted") {
  const MarkFundingState l = run_binance(PremiumAveraging::linear);
  CHECK(l.final_premium_avg == 724970);  // (200,000 × 4,148,640 + 900,000 × 12,443,040) / 16,591,680
  CHECK(l.final_rate == 224970);         // P̄ − 0.05 %
  const MarkFundingState t = run_binance(PremiumAveraging::time_weighted);
  CHECK(t.final_premium_avg == 550000);
  CHECK(t.final_rate == 100000);         // F = I
}

// ---------------------------------------------------------------------------------------------
// Presets and validation

TEST_CASE("every preset validates and is known by name") {
  const char* names[] = {"coinbase", "binance", "bitmex", "hyperliquid", "kalshi", "kraken"};
  for (const char* name : names) {
    MarkFundingParams p{};
    REQUIRE(preset_by_name(name, p));
    CHECK_MESSAGE(validate(p) == ParamsError::ok, name);
  }
  MarkFundingParams p{};
  p.funding_interval_ns = 7;
  CHECK(!preset_by_name("ftx", p));
  CHECK(!preset_by_name(nullptr, p));
  CHECK(p.funding_interval_ns == 7);
  CHECK(validate(binance_usdm_preset(20000000, 10000000)) == ParamsError::ok);  // 50×: 10,000 USDT
  CHECK(binance_usdm_preset(20000000, 10000000).impact_notional == usd(10000));
  CHECK(binance_usdm_preset(20000000, 10000000).cap == 15000000);
  CHECK(binance_usdm_preset(20000000, 10000000).floor == -7500000);
  CHECK(validate(binance_usdm_preset(0, 0)) == ParamsError::impact_notional);
  CHECK(validate(hyperliquid_preset(usd(6000))) == ParamsError::ok);
}

TEST_CASE("preset parameters as docs/formulas.md lists them") {
  const MarkFundingParams cb = hourly_impact_params();
  CHECK(cb.funding_interval_ns == 3600 * kSec);
  CHECK(cb.funding_offset_ns == 0);
  CHECK(cb.sample_interval_ns == kSec);
  CHECK(cb.impact_notional == usd(10000));
  CHECK(cb.interest_rate == 12500);
  CHECK(cb.clamp == 500000);
  CHECK(cb.cap == 40000000);
  CHECK(cb.floor == kNullI64);
  CHECK(cb.rate_divisor == 1);
  CHECK(cb.averaging == (uint8_t)PremiumAveraging::time_weighted);
  CHECK(cb.premium_form == (uint8_t)PremiumForm::impact_bid_ask);
  CHECK(cb.mark_components == kMarkAbc);
  CHECK(cb.ma_window_ns == 300 * kSec);
  CHECK(cb.ma_sample_ns == 10 * kSec);
  CHECK(cb.risk_source == (uint8_t)ValueSource::exchange);

  const MarkFundingParams bn = binance_usdm_preset();
  CHECK(bn.funding_interval_ns == 8 * 3600 * kSec);
  CHECK(bn.sample_interval_ns == 5 * kSec);
  CHECK(bn.averaging == (uint8_t)PremiumAveraging::linear);
  CHECK(bn.impact_notional == usd(25000));
  CHECK(bn.interest_rate == 100000);
  CHECK(bn.clamp == 500000);
  CHECK(bn.cap == 6000000);
  CHECK(bn.floor == -3000000);
  CHECK(bn.ma_window_ns == 1800 * kSec);
  CHECK(bn.ma_sample_ns == 60 * kSec);
  CHECK(bn.risk_source == (uint8_t)ValueSource::own);

  const MarkFundingParams bm = bitmex_preset();
  CHECK(bm.funding_offset_ns == 4 * 3600 * kSec);
  CHECK(bm.sample_interval_ns == 60 * kSec);
  CHECK(bm.impact_notional == usd(1000000));
  CHECK(bm.cap == 3750000);
  CHECK(bm.mark_components == kMarkFundingBasis);
  CHECK(bm.funding_interval_ns == 8 * 3600 * kSec);
  CHECK(bm.interest_rate == 100000);
  CHECK(bm.clamp == 500000);
  CHECK(bm.averaging == (uint8_t)PremiumAveraging::time_weighted);

  // every preset: the index is the exchange's spot mark and the band bounds the mark
  const MarkFundingParams all[] = {cb, bn, bm};  // the other presets: test_funding_presets.cpp
  for (const MarkFundingParams& p : all) {
    CHECK(p.index_source == (uint8_t)IndexSource::exchange_spot_mark);
    CHECK(p.bound_by_band == 1);
  }
}

TEST_CASE("validate rejects every bad parameter") {
  const MarkFundingParams good = hourly_impact_params();
  REQUIRE(validate(good) == ParamsError::ok);
  struct Case {
    void (*mutate)(MarkFundingParams&);
    ParamsError want;
  };
  const Case cases[] = {
      {[](MarkFundingParams& p) { p.funding_interval_ns = 0; }, ParamsError::funding_interval},
      {[](MarkFundingParams& p) { p.funding_interval_ns = -kNsPerHour; }, ParamsError::funding_interval},
      {[](MarkFundingParams& p) { p.funding_offset_ns = -1; }, ParamsError::funding_interval},
      {[](MarkFundingParams& p) { p.funding_offset_ns = kNsPerHour; }, ParamsError::funding_interval},
      {[](MarkFundingParams& p) { p.sample_interval_ns = 0; }, ParamsError::sample_interval},
      {[](MarkFundingParams& p) { p.sample_interval_ns = -kSec; }, ParamsError::sample_interval},
      {[](MarkFundingParams& p) { p.sample_interval_ns = 7 * kSec; }, ParamsError::sample_interval},  // 3600 % 7 ≠ 0
      {[](MarkFundingParams& p) { p.sample_interval_ns = 2 * kNsPerHour; }, ParamsError::sample_interval},
      {[](MarkFundingParams& p) { p.impact_notional = 0; }, ParamsError::impact_notional},
      {[](MarkFundingParams& p) { p.impact_notional = -1; }, ParamsError::impact_notional},
      {[](MarkFundingParams& p) { p.clamp = -1; }, ParamsError::clamp},
      {[](MarkFundingParams& p) { p.floor = 1; }, ParamsError::cap_floor},
      {[](MarkFundingParams& p) { p.rate_divisor = 0; }, ParamsError::rate_divisor},
      {[](MarkFundingParams& p) { p.rate_divisor = -8; }, ParamsError::rate_divisor},
      {[](MarkFundingParams& p) { p.ma_window_ns = 0; }, ParamsError::moving_average},
      {[](MarkFundingParams& p) { p.ma_sample_ns = 0; }, ParamsError::moving_average},
      {[](MarkFundingParams& p) { p.ma_sample_ns = -kSec; }, ParamsError::moving_average},
      {[](MarkFundingParams& p) { p.ma_sample_ns = p.ma_window_ns + 1; }, ParamsError::moving_average},
      {[](MarkFundingParams& p) { p.ma_window_ns = 400 * kSec; p.ma_sample_ns = kSec; }, ParamsError::moving_average},  // 400 entries > kMaCapacity
      {[](MarkFundingParams& p) { p.averaging = 3; }, ParamsError::enum_value},
      {[](MarkFundingParams& p) { p.premium_form = 4; }, ParamsError::enum_value},
      {[](MarkFundingParams& p) { p.index_source = 2; }, ParamsError::enum_value},
      {[](MarkFundingParams& p) { p.risk_source = 2; }, ParamsError::enum_value},
      {[](MarkFundingParams& p) { p.mark_components = 0; }, ParamsError::enum_value},
      {[](MarkFundingParams& p) { p.mark_components = 64; }, ParamsError::enum_value},
      {[](MarkFundingParams& p) { p.quote_per_contract = 2; }, ParamsError::enum_value},
      {[](MarkFundingParams& p) { p.bound_by_band = 2; }, ParamsError::enum_value},
  };
  int i = 0;
  for (const Case& c : cases) {
    MarkFundingParams p = good;
    c.mutate(p);
    CHECK_MESSAGE(validate(p) == c.want, "case ", i);
    ++i;
  }
  // the moving-average limits matter only when component (b) is on
  MarkFundingParams p = good;
  p.mark_components = kMarkFundingBasis | kMarkLastTrade;
  p.ma_window_ns = 0;
  p.ma_sample_ns = 0;
  CHECK(validate(p) == ParamsError::ok);
  // the limits that are fine
  p = good;
  p.ma_window_ns = 320 * kSec;
  p.ma_sample_ns = kSec;
  CHECK(validate(p) == ParamsError::ok);  // exactly kMaCapacity entries
  p.ma_window_ns = 321 * kSec;
  CHECK(validate(p) == ParamsError::moving_average);
  p = good;
  p.funding_offset_ns = kNsPerHour - kSec;
  CHECK(validate(p) == ParamsError::ok);
  p = good;
  p.floor = 0;
  CHECK(validate(p) == ParamsError::ok);  // F ≥ 0
  p.cap = 0;
  p.floor = -5;
  CHECK(validate(p) == ParamsError::ok);  // floor without a cap
  p = good;
  p.clamp = 0;
  p.sample_interval_ns = kNsPerHour;  // one sample, at the boundary
  CHECK(validate(p) == ParamsError::ok);
}

// ---------------------------------------------------------------------------------------------
// Values the risk gate reads

TEST_CASE("risk_mark and risk_funding_rate read the configured source") {
  MarkFundingParams p = hourly_impact_params();
  Engine g(p);
  const int64_t t0 = kT2025;
  p.risk_source = (uint8_t)ValueSource::exchange;
  CHECK(risk_mark(g.s, p) == kNullI64);          // nothing yet from either
  CHECK(risk_funding_rate(g.s, p) == kNullI64);
  p.risk_source = (uint8_t)ValueSource::own;
  CHECK(risk_mark(g.s, p) == kNullI64);
  CHECK(risk_funding_rate(g.s, p) == kNullI64);

  g.step(ev_trade(1, 2, usd(95000), 1), t0);
  CHECK(risk_mark(g.s, p) == usd(95000));          // ours: the last trade alone
  CHECK(risk_funding_rate(g.s, p) == 12500);       // ours: F = I before any sample
  p.risk_source = (uint8_t)ValueSource::exchange;
  CHECK(risk_mark(g.s, p) == kNullI64);            // the exchange has said nothing
  CHECK(risk_funding_rate(g.s, p) == kNullI64);

  g.step(ev_funding(-7000, usd(95002), usd(94990), t0 + 3600 * kSec, false), t0 + kSec);
  CHECK(risk_mark(g.s, p) == usd(95002));
  CHECK(risk_funding_rate(g.s, p) == -7000);
  p.risk_source = (uint8_t)ValueSource::own;
  CHECK(risk_mark(g.s, p) == g.s.mark);
  CHECK(risk_funding_rate(g.s, p) == g.s.rate);
  CHECK(g.s.mark != usd(95002));
}

TEST_CASE("snapshot end carries the exchange's values, the band and the last trade") {
  Engine g(hourly_impact_params(), kCs);
  MarketEvent e = ev_snapshot_end();
  e.snapshot_end.last_trade_price = usd(95100);
  e.snapshot_end.limit_down = usd(90000);
  e.snapshot_end.limit_up = usd(99000);
  e.snapshot_end.futures_mark = usd(95101);
  e.snapshot_end.spot_mark = usd(95090);
  e.snapshot_end.predicted_funding_rate = 20000;
  e.snapshot_end.final_funding_rate = 15000;
  e.snapshot_end.final_funding_time = kT2025;
  MarketEvent st = ev_snapshot_start(0);
  g.step(st, kT2025 + kSec);
  g.step(e, kT2025 + kSec);
  CHECK(g.s.last_trade == usd(95100));
  CHECK(g.s.limit_down == usd(90000));
  CHECK(g.s.limit_up == usd(99000));
  CHECK(g.s.index == usd(95090));
  CHECK(g.s.ex_rate == 20000);
  CHECK(g.s.ex_is_final == 0);
  CHECK(g.s.ex_final_rate == 15000);
  CHECK(g.s.ex_final_time == kT2025);
  CHECK(risk_mark(g.s, g.p) == usd(95101));
  CHECK(risk_funding_rate(g.s, g.p) == 20000);
  const FundingComparison c = compare_funding(g.s);
  CHECK(c.is_final == 0);
  CHECK(c.ours == 12500);
  CHECK(c.theirs == 20000);
  CHECK(c.diff_e2bps == -8);  // −7.5 hundredths → −8
  CHECK(c.diff_bps == 0);    // −0.075 bp
}

TEST_CASE("compare_funding pairs final rates only for the same boundary") {
  Engine g(hourly_impact_params(), kCs);
  const int64_t t10 = kT2025 + 10 * 3600 * kSec, t11 = t10 + 3600 * kSec, t12 = t11 + 3600 * kSec;
  g.step(ev_trade(1, 2, usd(95000), 1), t10 + kSec);
  g.step(ev_funding(30000, usd(95000), usd(95000), t11, false), t11 - kSec);
  CHECK(compare_funding(g.s).is_final == 0);
  CHECK(compare_funding(g.s).interval_end == t11);
  // final for 10:00 (a boundary we did not see close): not paired, running rate compared
  g.step(ev_funding(30000, usd(95000), usd(95000), t10, true), t11 - kSec / 2);
  CHECK(compare_funding(g.s).is_final == 0);
  // the 11:00 boundary closes (partial interval: we started at 10:00:01), then the exchange's final
  g.step(ev_funding(30000, usd(95000), usd(95000), t11, true), t11 + 100);
  const FundingComparison c = compare_funding(g.s);
  CHECK(c.is_final == 1);
  CHECK(c.interval_end == t11);
  CHECK(g.s.final_partial == 1);
  CHECK(c.ours == g.s.final_rate);
  CHECK(c.diff_e2bps == div_round(g.s.final_rate - 30000, 1000));
  // a non-final message after it: running rates again, towards 12:00
  g.step(ev_funding(5000, usd(95000), usd(95000), t12, false), t11 + kSec);
  CHECK(compare_funding(g.s).is_final == 0);
  CHECK(compare_funding(g.s).interval_end == t12);
  CHECK(compare_funding(g.s).theirs == 5000);
}

// The mark's (a) divides by funding_interval_ns × 1e9 through a reciprocal: it must give exactly
// div_round128's answer. Edge numerators around multiples and half-multiples of the divisor, plus
// a large random sample of numerators and divisors over the whole range.
TEST_CASE("reciprocal division equals div_round128 (edges and 1 M random pairs)") {
  using namespace mf_detail;
  uint64_t x = 0x9e3779b97f4a7c15ull;
  auto next = [&x] {  // splitmix64
    uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  };
  auto check = [](i128 num, const Reciprocal128& r) {
    const i128 want = div_round128(num, (i128)r.den), got = div_round_reciprocal(num, r);
    if (want != got) FAIL("num " << (double)num << " den " << (double)r.den);
  };
  const i128 max = (((i128)1) << 126) - 1 + (((i128)1) << 126);  // 2^127 − 1
  std::vector<u128> dens = {1, 2, 3, 7, 1000000000, (u128)3600LL * kPriceScale * kPriceScale,
                            (u128)28800LL * kPriceScale * kPriceScale, ((u128)1 << 126) - 1};
  // (div_round128 itself doubles the remainder, so it is the reference only for den < 2^126.)
  for (int b = 1; b < 126; ++b) dens.push_back(((u128)1 << b) - 1), dens.push_back((u128)1 << b), dens.push_back(((u128)1 << b) + 1);
  for (const u128 d : dens) {
    const Reciprocal128 r = reciprocal128(d);
    for (int k = 0; k < 64; ++k) {
      const u128 mult = k < 32 ? (u128)k : (u128)(next() % 1000000);
      if (mult > ((u128)max - d) / d) continue;  // d·(mult+1) + 2 must stay within 2^127 − 1
      const i128 base = (i128)(d * mult);
      for (int o = -2; o <= 2; ++o)
        for (const i128 half : {(i128)0, (i128)(d / 2)}) {
          const i128 n = base + half + o;
          if (n >= 0 && n <= max) check(n, r), check(-n, r);
        }
    }
    check(max, r), check(-max, r);
  }
  for (int i = 0; i < 1000000; ++i) {
    const int db = 1 + (int)(next() % 125), nb = 1 + (int)(next() % 127);
    const u128 dr = ((u128)next() << 64) | next(), nr = ((u128)next() << 64) | next();
    u128 d = dr & ((((u128)1) << db) - 1);
    if (d == 0) d = 1;
    const i128 n = (i128)(nr & ((((u128)1) << nb) - 1));
    const Reciprocal128 r = reciprocal128(d);
    check((next() & 1) ? -n : n, r);
  }
}

// The book's mid halves by shift (div2_round): the same answer as div_round(num, 2) everywhere,
// the int64 extremes and the rounding boundaries (odd sums, ±1) included.
TEST_CASE("div2_round equals div_round by 2 (edges and 1 M random values)") {
  for (int64_t v = -100000; v <= 100000; ++v) REQUIRE(div2_round(v) == div_round(v, 2));
  for (const int64_t v : {INT64_MIN, INT64_MIN + 1, INT64_MIN + 2, INT64_MAX, INT64_MAX - 1, INT64_MAX - 2,
                          (int64_t)1 << 62, -((int64_t)1 << 62), ((int64_t)1 << 62) + 1, -((int64_t)1 << 62) - 1})
    CHECK(div2_round(v) == div_round(v, 2));
  uint64_t x = 12345;
  for (int i = 0; i < 1000000; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const int64_t v = (int64_t)(x ^ (x >> 29)) >> (x % 40);  // every magnitude
    REQUIRE(div2_round(v) == div_round(v, 2));
  }
}

// The index of a per-contract book (index × contract size / 1e9, per mark update) goes through the
// compile-time reciprocal of 1e9: it must be mul_div_round's answer for every pair, products at the
// rounding boundaries (… .5 × 1e-9) and past 2^64 included.
TEST_CASE("book_index by the reciprocal of 1e9 equals mul_div_round") {
  MarkFundingParams p = coinbase_preset();
  p.quote_per_contract = 1;
  MarkFundingState s;
  mark_funding_init(s, 0);
  auto check = [&](int64_t index, int64_t cs) {
    s.index = index;
    s.contract_size = cs;
    const int64_t want = index <= 0 || cs <= 0 ? kNullI64 : mul_div_round(index, cs, kPriceScale);
    if (book_index(s, p) != want) FAIL("index " << index << " contract size " << cs);
  };
  const int64_t edges[] = {1, 2, 499999999, 500000000, 500000001, 999999999, 1000000000, 1000000001, 1500000000,
                           kPriceScale * 95000, INT32_MAX, (int64_t)1 << 40, INT64_MAX / 2, INT64_MAX - 1, INT64_MAX};
  for (const int64_t a : edges)
    for (const int64_t b : edges) check(a, b);
  uint64_t x = 99;
  for (int i = 0; i < 1000000; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const int64_t a = (int64_t)((x >> 1) >> (x % 50));
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const int64_t b = (int64_t)((x >> 1) >> (x % 50));
    check(a, b);
  }
  s.index = kNullI64;
  CHECK(book_index(s, p) == kNullI64);
  p.quote_per_contract = 0;
  s.index = 123456789;
  CHECK(book_index(s, p) == 123456789);
}

TEST_CASE("half_round equals div_round128 by 2") {
  using namespace mf_detail;
  for (int64_t v = -1000; v <= 1000; ++v) CHECK(half_round(v) == div_round128(v, 2));
  const i128 big = ((i128)INT64_MAX) * 2;
  CHECK(half_round(big + 1) == div_round128(big + 1, 2));
  CHECK(half_round(-big - 1) == div_round128(-big - 1, 2));
}
