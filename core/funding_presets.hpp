// Mark/funding parameters per venue (MarkFundingParams of core/mark_funding.hpp), one preset per
// venue: coinbase, kalshi, kraken, binance, bybit, okx, hyperliquid, bitnomial, bitmex
// (kPresetNames; preset_by_name() is what the configuration and `perpwire funding` accept). The
// configuration may override single parameters.
//
// Each preset follows the venue's published method; its comment names the page it follows
// ("Source:"). Where a venue does not publish a value (or publishes it per contract, or changes it
// from time to time), the preset states the value it ASSUMES; docs/formulas.md §10 lists them all.
// Rates and money are ×1e-9: 0.01 % = 0.0001 = 100000.
#pragma once
#include <cstdint>
#include <cstring>

#include "core/fixed_point.hpp"
#include "core/mark_funding.hpp"

namespace pw {

constexpr int64_t kNsPerSecond = 1000000000;
constexpr int64_t kNsPerMinute = 60 * kNsPerSecond;
constexpr int64_t kNsPerHour = 60 * kNsPerMinute;

constexpr int kPresetCount = 9;
constexpr const char* kPresetNames[kPresetCount] = {"coinbase", "kalshi", "kraken",      "binance", "bybit",
                                                    "okx",      "hyperliquid", "bitnomial", "bitmex"};

namespace preset_detail {
inline constexpr MarkFundingParams base() {
  MarkFundingParams p{};
  p.funding_offset_ns = 0;
  p.floor = kNullI64;
  p.rate_divisor = 1;
  p.mark_components = kMarkAbc;
  p.averaging = (uint8_t)PremiumAveraging::time_weighted;
  p.premium_form = (uint8_t)PremiumForm::impact_bid_ask;
  p.index_source = (uint8_t)IndexSource::exchange_spot_mark;
  p.quote_per_contract = 0;
  p.bound_by_band = 1;
  p.risk_source = (uint8_t)ValueSource::own;
  p.calendar = (uint8_t)TimeZone::utc;
  return p;
}
}  // namespace preset_detail

// Coinbase Derivatives US perpetual-style futures (BIP, ETP).
// Source: Coinbase Help, "US Perpetual-Style Futures Funding Rate Mechanism"; the feed's
// FundingRate message (template 43: FundingIntervalMinutes = 60, running and final rate, futures
// and spot mark). Published method, as implemented:
//   every 3 minutes (20 samples an hour) p_k = (futures_mark_k − spot_mark_k) / spot_mark_k / 24
//   Premium_t = time-weighted average of the hour's p_k;  F_t = 0.75 × Premium_t + 0.25 × F_{t−1}
//   futures mark = the 3-minute VWAP of futures trades, else the 3-minute TWAP of the futures mid,
//   else spot mark + the previous (futures − spot) gap; payment per hour = contracts × contract
//   size × mark × F_t (positive: longs pay); no rate for the Friday 17:00–18:00 ET maintenance hour.
// The spot mark is the exchange's (FundingRate.spot_mark: its 3-minute VWAP of Coinbase spot is
// not on this feed). The risk gate reads the EXCHANGE's futures mark and rate (what the exchange
// margins and charges with); ours are computed alongside and compared.
// Assumed: the 3-minute windows are [t − 3 min, t) on the whole UTC hour's grid, a trade at t
// belongs to the next window; no interest, clamp or cap (none published); the mark is the
// futures mark alone, not bounded by the band; F_{t−1} before our first interval is the
// exchange's last final rate (0 when none was published); impact_notional is unused by this method.
inline constexpr MarkFundingParams coinbase_preset() {
  MarkFundingParams p = preset_detail::base();
  p.funding_interval_ns = kNsPerHour;
  p.sample_interval_ns = 3 * kNsPerMinute;
  p.premium_form = (uint8_t)PremiumForm::mark_difference;
  p.impact_notional = 10000 * kPriceScale;  // unused (validate() wants one)
  p.interest_rate = 0;
  p.clamp = 0;
  p.cap = 0;
  p.rate_divisor = 24;
  p.rate_ema_weight = 750000000;  // 0.75
  p.mark_components = kMarkWindowPrice;
  p.bound_by_band = 0;
  p.uncharged_hours = (uint8_t)UnchargedHours::coinbase_maintenance;
  p.risk_source = (uint8_t)ValueSource::exchange;
  return p;
}

// Binance USDⓈ-M perpetuals.
// Source: Binance Support, "Introduction to Binance Futures Funding Rates" and "Mark Price and
// Price Index"; the per-symbol interval, cap and floor come from the venue's funding-info data
// (fundingIntervalHours, adjustedFundingRateCap / Floor): set them per symbol.
// Published: premium index every 5 s (5,760 samples per 8 h) averaged with weights 1, 2, …, n
// (Σ = 16,591,680 for 8 h; PremiumAveraging::linear); I = 0.01 % per 8 h; clamp ±0.05 %; impact
// margin notional = 200 USDT / initial margin rate at the maximum leverage; mark = median of
// (a) index × (1 + LAST funding rate × time to funding / interval), (b) index + 30-minute moving
// average of (mid − index) sampled every minute, (c) last price; 8 h (00/08/16 UTC) or 4 h.
// Assumed: cap = +0.75 × initial margin rate, floor = −0.75 × maintenance margin rate, with the
// BTCUSDT ratios at 125× (initial 0.8 %, maintenance 0.4 %) → impact notional 25,000 USDT,
// cap +0.6 %, floor −0.3 %. Arguments ×1e-9 (0.008 = 8000000); interval_hours 8 or 4.
inline MarkFundingParams binance_usdm_preset(int64_t initial_margin_rate = 8000000, int64_t maintenance_margin_rate = 4000000,
                                             int64_t interval_hours = 8) {
  MarkFundingParams p = preset_detail::base();
  p.funding_interval_ns = interval_hours * kNsPerHour;
  p.sample_interval_ns = 5 * kNsPerSecond;
  p.averaging = (uint8_t)PremiumAveraging::linear;
  // 200 USDT / IMR, rounded half away from zero (exact for the default).
  p.impact_notional = initial_margin_rate > 0 ? mul_div_round(200 * kPriceScale, kPriceScale, initial_margin_rate) : 0;
  p.interest_rate = 100000 * interval_hours / 8;  // 0.01 % per 8 h
  p.clamp = 500000;                               // 0.05 %
  p.cap = div_round(initial_margin_rate * 3, 4);
  p.floor = -div_round(maintenance_margin_rate * 3, 4);
  p.basis_rate = (uint8_t)BasisRate::last_final;
  p.ma_window_ns = 30 * kNsPerMinute;
  p.ma_sample_ns = kNsPerMinute;
  return p;
}

// Bybit USDT perpetuals.
// Source: Bybit Help Center, "Introduction to Funding Rate" (premium every minute, the N-hour
// average with weights 1 … 480 for 8 h, Σ = 115,440; 1, 2, 4 and 8 h intervals) and "Mark Price".
// Published: P = [max(0, impact bid − index) − max(0, index − impact ask)] / index each minute;
// P̄ = Σ k·P_k / Σ k; F = P̄ + clamp(0.01 % − P̄, ±0.05 %) (I per 8 h, scaled to the interval);
// mark = median of (a) index × (1 + last funding rate × time to funding / interval), (b) index +
// 5-minute moving average of (mid − index) sampled every second, (c) last price.
// Assumed: impact notional 10,000 USDT; cap ±2 % (the venue publishes an upper/lower limit per
// symbol: set cap and floor); interval_hours 8 (1, 2, 4 also exist).
inline MarkFundingParams bybit_preset(int64_t interval_hours = 8) {
  MarkFundingParams p = preset_detail::base();
  p.funding_interval_ns = interval_hours * kNsPerHour;
  p.sample_interval_ns = kNsPerMinute;
  p.averaging = (uint8_t)PremiumAveraging::linear;
  p.impact_notional = 10000 * kPriceScale;
  p.interest_rate = 100000 * interval_hours / 8;  // 0.01 % per 8 h
  p.clamp = 500000;                               // 0.05 %
  p.cap = 20000000;                               // 2 %
  p.basis_rate = (uint8_t)BasisRate::last_final;
  p.ma_window_ns = 5 * kNsPerMinute;
  p.ma_sample_ns = kNsPerSecond;
  return p;
}

// OKX perpetual swaps.
// Source: OKX, "OKX to optimize funding rate calculation" (2024): funding rate = clamp(average
// premium index, cap, floor), average premium index = MA(premium index − interest rate) with the
// interest rate 0, premium index = [(best bid + best offer) / 2 − index] / index, the moving
// average taken every minute over the settlement interval (8 h at 00/08/16 UTC).
// Published caps per the venue's tiers: BTC ±0.375 %, ETH ±0.75 %, others ±1.5 % (argument).
// Assumed: the MA over the interval's minutes (at the settlement minute the venue's "last N hours"
// window and the interval coincide); mark = index + 5-minute moving average of (mid − index)
// sampled every second (component (b) alone; OKX publishes no exact mark formula we rely on).
inline MarkFundingParams okx_preset(int64_t cap = 3750000) {
  MarkFundingParams p = preset_detail::base();
  p.funding_interval_ns = 8 * kNsPerHour;
  p.sample_interval_ns = kNsPerMinute;
  p.averaging = (uint8_t)PremiumAveraging::simple;
  p.premium_form = (uint8_t)PremiumForm::mid;
  p.impact_notional = 10000 * kPriceScale;  // unused by the mid premium
  p.interest_rate = 0;
  p.clamp = 0;
  p.cap = cap;
  p.mark_components = kMarkMovingBasis;
  p.ma_window_ns = 5 * kNsPerMinute;
  p.ma_sample_ns = kNsPerSecond;
  return p;
}

// BitMEX perpetual swaps (XBTUSD), the original premium-plus-interest form.
// Source: BitMEX, "Perpetual Contracts Guide" and "Fair Price Marking".
// Published: 8 h funding at 04:00, 12:00, 20:00 UTC (offset 4 h); premium index every minute, 8 h
// time-weighted average; I = (0.06 % − 0.03 %) / 3 = 0.01 % per interval; clamp ±0.05 %; cap ±75 %
// of (initial − maintenance margin); "fair price marking": mark = index × (1 + F × time to
// funding / interval) with the current (running) rate, component (a) alone.
// Assumed: initial 1 %, maintenance 0.5 % → cap ±0.375 %; impact notional 1,000,000 USD (BitMEX's
// 0.1 XBT of margin at 1 % initial margin = 10 XBT, taken at 100,000 USD/XBT: set impact_notional
// for the current price).
inline MarkFundingParams bitmex_preset() {
  MarkFundingParams p = preset_detail::base();
  p.funding_interval_ns = 8 * kNsPerHour;
  p.funding_offset_ns = 4 * kNsPerHour;
  p.sample_interval_ns = kNsPerMinute;
  p.impact_notional = 1000000 * kPriceScale;
  p.interest_rate = 100000;  // 0.01 %
  p.clamp = 500000;          // 0.05 %
  p.cap = 3750000;           // 0.375 %
  p.mark_components = kMarkFundingBasis;
  p.ma_window_ns = 0;
  p.ma_sample_ns = 0;
  return p;
}

// Hyperliquid perpetuals.
// Source: Hyperliquid Docs, "Funding" and "Robust price indices".
// Published: premium = impact price difference / oracle, sampled every 5 s and averaged over the
// hour; F = P̄ + clamp(I − P̄, −0.05 %, +0.05 %) with I = 0.01 % per 8 h gives an 8-hour rate, paid
// every hour at 1/8 of it (rate_divisor 8), capped at 4 % per hour; payment = size × ORACLE price
// × rate (PaymentPrice::index); impact notional 20,000 USDC for BTC and ETH (6,000 for other
// assets: pass it); worked example: impact bid 10,100, oracle 10,000 → 1 % − 0.05 % = 0.95 % per
// 8 h. Mark = median of (e) oracle + 150 s EMA of (mid − oracle) (num ← num·e^(−Δt/150 s) +
// sample·Δt, den ← den·e^(−Δt/150 s) + Δt), (m) median(best bid, best ask, last trade), and the
// centralised venues' perp mids.
// Assumed: the oracle is the index; the EMA is updated every second; the centralised venues'
// mids are not on this feed (left out: the mark is the mean of (e) and (m) when both exist).
inline MarkFundingParams hyperliquid_preset(int64_t impact_notional = 20000 * kPriceScale) {
  MarkFundingParams p = preset_detail::base();
  p.funding_interval_ns = kNsPerHour;
  p.sample_interval_ns = 5 * kNsPerSecond;
  p.averaging = (uint8_t)PremiumAveraging::simple;
  p.impact_notional = impact_notional;
  p.interest_rate = 100000;  // 0.01 % per 8 h
  p.clamp = 500000;          // 0.05 % per 8 h
  p.rate_divisor = 8;
  p.cap = 40000000;          // 4 % per hour
  p.mark_components = kMarkEmaBasis | kMarkBookMedian;
  p.ma_window_ns = 0;
  p.ma_sample_ns = kNsPerSecond;
  p.ema_tau_ns = 150 * kNsPerSecond;
  p.payment_price = (uint8_t)PaymentPrice::index;
  return p;
}

// Kalshi KXBTCPERP (a CFTC-regulated perpetual on a DCM).
// Source: Kalshi, KXBTCPERP contract terms (as summarised in the issue this preset was written
// for: funding every 8 h; the estimate is the time-weighted average premium since the last
// funding; 0.0001 BTC contracts, prices per contract; a settlement and a liquidation mark).
// Prices are per contract: the index × contract size is compared with the book
// (quote_per_contract) and the mark is per contract (6.0595 per contract ⇔ 60,595 USD per BTC).
// Assumed: premium = (mid − index) / index sampled every second, time-weighted, no interest and
// no clamp, cap ±0.75 %; boundaries at 00:00, 08:00, 16:00 UTC; one mark, the median of (a),
// (b) over 30 minutes sampled every minute and (c), stands for both published marks.
inline MarkFundingParams kalshi_preset() {
  MarkFundingParams p = preset_detail::base();
  p.funding_interval_ns = 8 * kNsPerHour;
  p.sample_interval_ns = kNsPerSecond;
  p.premium_form = (uint8_t)PremiumForm::mid;
  p.impact_notional = 10000 * kPriceScale;  // unused by the mid premium
  p.interest_rate = 0;
  p.clamp = 0;
  p.cap = 7500000;  // 0.75 %
  p.quote_per_contract = 1;
  p.ma_window_ns = 30 * kNsPerMinute;
  p.ma_sample_ns = kNsPerMinute;
  return p;
}

// Kraken perpetual futures (PF_ multi-collateral).
// Source: Kraken Support, "Perpetual contract specifications" (hourly funding; the premium is
// measured at the impact mid for the instrument's impact-mid size, PF_XBTUSD 0.006 BTC) and the
// instrument fields fundingRateCoefficient and maxRelativeFundingRate of the futures API.
// The exact formula is not published. Assumed: premium at the impact mid (mean of impact bid and
// ask for 0.006 BTC at the index) sampled every second, time-weighted; relative rate per hour =
// P̄ / fundingRateCoefficient with the coefficient 24 (the premium closes over a day), bounded by
// maxRelativeFundingRate 0.1 % per hour; no interest, no clamp. The venue's absolute fundingRate
// is the relative rate × the index (USD per unit per hour); no published pair of the two was
// found to check the coefficient against. Mark = index + 30 s moving average of (mid − index)
// sampled every second (component (b) alone), bounded by the band.
inline MarkFundingParams kraken_preset() {
  MarkFundingParams p = preset_detail::base();
  p.funding_interval_ns = kNsPerHour;
  p.sample_interval_ns = kNsPerSecond;
  p.premium_form = (uint8_t)PremiumForm::impact_mid;
  p.impact_notional = 10000 * kPriceScale;  // used only without impact_base_qty
  p.impact_base_qty = 6000000;              // 0.006 BTC
  p.interest_rate = 0;
  p.clamp = 0;
  p.cap = 1000000;  // maxRelativeFundingRate 0.1 %
  p.rate_divisor = 24;
  p.mark_components = kMarkMovingBasis;
  p.ma_window_ns = 30 * kNsPerSecond;
  p.ma_sample_ns = kNsPerSecond;
  return p;
}

// Bitnomial perpetual futures (a US DCM).
// Source: Bitnomial, perpetual futures contract specifications (as summarised in the issue this
// preset was written for: F = avg(P) + clamp(0.01 % − avg(P), ±0.05 %), 15-second samples, 1,920
// per 8 h with weights 1 … 1,920, Σ = 1,844,160; intervals starting 19:00, 03:00 and 11:00
// America/Chicago).
// The boundaries follow Chicago's daylight time (00:00/08:00/16:00 UTC in summer, 01:00/09:00/
// 17:00 UTC in winter; the interval across a change is 7 or 9 hours).
// Assumed: premium on impact bid/ask for 10,000 USD; no cap; mark = median of (a), (b) over
// 30 minutes sampled every minute, (c).
inline MarkFundingParams bitnomial_preset() {
  MarkFundingParams p = preset_detail::base();
  p.funding_interval_ns = 8 * kNsPerHour;
  p.funding_offset_ns = 3 * kNsPerHour;  // local 03:00, 11:00, 19:00
  p.calendar = (uint8_t)TimeZone::america_chicago;
  p.sample_interval_ns = 15 * kNsPerSecond;
  p.averaging = (uint8_t)PremiumAveraging::linear;
  p.impact_notional = 10000 * kPriceScale;
  p.interest_rate = 100000;  // 0.01 %
  p.clamp = 500000;          // 0.05 %
  p.cap = 0;
  p.ma_window_ns = 30 * kNsPerMinute;
  p.ma_sample_ns = kNsPerMinute;
  return p;
}

// The preset a configuration names; false for an unknown name (out untouched).
inline bool preset_by_name(const char* name, MarkFundingParams& out) {
  if (name == nullptr) return false;
  if (std::strcmp(name, "coinbase") == 0) out = coinbase_preset();
  else if (std::strcmp(name, "binance") == 0) out = binance_usdm_preset();
  else if (std::strcmp(name, "bybit") == 0) out = bybit_preset();
  else if (std::strcmp(name, "okx") == 0) out = okx_preset();
  else if (std::strcmp(name, "bitmex") == 0) out = bitmex_preset();
  else if (std::strcmp(name, "hyperliquid") == 0) out = hyperliquid_preset();
  else if (std::strcmp(name, "kalshi") == 0) out = kalshi_preset();
  else if (std::strcmp(name, "kraken") == 0) out = kraken_preset();
  else if (std::strcmp(name, "bitnomial") == 0) out = bitnomial_preset();
  else return false;
  return true;
}

}  // namespace pw
