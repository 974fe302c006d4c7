// Shared helpers of the mark/funding tests: timed market events and the books of docs/formulas.md.
#pragma once
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>

#include "core/book.hpp"
#include "core/funding_presets.hpp"
#include "core/mark_funding.hpp"
#include "tests/book/book_reference.hpp"

namespace pw::test {

using MarkBook = Book<256, 64>;

constexpr int64_t kCs = 10000000;              // 0.01 BTC per contract
constexpr int64_t kSec = kNsPerSecond;
constexpr int64_t kT2025 = 1735689600 * kSec;  // 2025-01-01 00:00:00 UTC

// The impact-premium engine on an hourly interval that these tests exercise (the parameters the
// Coinbase preset assumed before it followed Coinbase's published mark-difference method):
// impact bid/ask for 10,000 USD every second, time-weighted, I = 0.00125 %, clamp ±0.05 %,
// cap ±4 %, mark = median of (a), (b) over 5 minutes sampled every 10 s, (c).
inline MarkFundingParams hourly_impact_params() {
  MarkFundingParams p = binance_usdm_preset();
  p.funding_interval_ns = kNsPerHour;
  p.sample_interval_ns = kNsPerSecond;
  p.averaging = (uint8_t)PremiumAveraging::time_weighted;
  p.impact_notional = 10000 * kPriceScale;
  p.interest_rate = 12500;
  p.clamp = 500000;
  p.cap = 40000000;
  p.floor = kNullI64;
  p.basis_rate = (uint8_t)BasisRate::running;
  p.ma_window_ns = 5 * kNsPerMinute;
  p.ma_sample_ns = 10 * kNsPerSecond;
  p.risk_source = (uint8_t)ValueSource::exchange;
  return p;
}

inline MarketEvent at(MarketEvent e, int64_t t) {
  e.transact_time = t;
  e.sending_time = t;
  return e;
}

inline MarketEvent ev_funding(int64_t rate, int64_t futures_mark, int64_t spot_mark, int64_t final_time, bool is_final) {
  MarketEvent e;
  clear_event(e);
  e.type = (uint8_t)EventType::funding_rate;
  e.funding.rate = rate;
  e.funding.futures_mark = futures_mark;
  e.funding.spot_mark = spot_mark;
  e.funding.fair_value = kNullI64;
  e.funding.final_time = final_time;
  e.funding.correlation_id = 0;
  e.funding.is_final = is_final ? 1 : 0;
  return e;
}

inline MarketEvent ev_definition(int64_t contract_size, int64_t limit_down = kNullI64, int64_t limit_up = kNullI64) {
  MarketEvent e;
  clear_event(e);
  e.type = (uint8_t)EventType::instrument_definition;
  e.instrument.contract_size = contract_size;
  e.instrument.limit_down = limit_down;
  e.instrument.limit_up = limit_up;
  e.instrument.tick_size = 10000000;
  e.instrument.settlement_price = kNullI64;
  e.instrument.funding_interval_minutes = 60;
  return e;
}

inline MarketEvent ev_status(int64_t limit_down, int64_t limit_up) {
  MarketEvent e;
  clear_event(e);
  e.type = (uint8_t)EventType::trading_status;
  e.status.limit_down = limit_down;
  e.status.limit_up = limit_up;
  return e;
}

// Book A of docs/formulas.md §1 (the same as tests/book): bids 95,000 × 10, 94,990 × 20,
// 94,950 × 50; asks 95,010 × 8, 95,020 × 15, 95,060 × 40; the last trade at 95,000.
inline void book_a_events(MarketEvent* out, int& n) {
  n = 0;
  out[n++] = ev_put(101, kBid, usd(95000), 6);
  out[n++] = ev_put(102, kBid, usd(95000), 6);
  out[n++] = ev_put(103, kBid, usd(94990), 5);
  out[n++] = ev_put(104, kBid, usd(94990), 5);
  out[n++] = ev_put(105, kBid, usd(94990), 10);
  out[n++] = ev_put(106, kBid, usd(94950), 50);
  out[n++] = ev_put(201, kAsk, usd(95010), 8);
  out[n++] = ev_put(202, kAsk, usd(95020), 10);
  out[n++] = ev_put(203, kAsk, usd(95020), 5);
  out[n++] = ev_put(204, kAsk, usd(95060), 40);
  out[n++] = ev_trade(102, 9001, usd(95000), 2);
}

// Book A's impact prices for 10,000 USD at 0.01 BTC per contract (§1).
constexpr int64_t kBookAImpactBid = 94999499949994;
constexpr int64_t kBookAImpactAsk = 95012399008080;

struct Engine {
  std::unique_ptr<MarkBook> book = std::make_unique<MarkBook>();
  MarkFundingParams p;
  MarkFundingState s;
  explicit Engine(const MarkFundingParams& params, int64_t contract_size = 0) : p(params) {
    REQUIRE(validate(p) == ParamsError::ok);
    mark_funding_init(s, contract_size);
  }
  BookError step(const MarketEvent& e, int64_t t) { return market_step(*book, s, p, at(e, t)); }
};

}  // namespace pw::test
