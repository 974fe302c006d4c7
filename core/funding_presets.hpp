// Mark/funding parameters per venue (MarkFundingParams of core/mark_funding.hpp). The names
// preset_by_name() knows are the ones the configuration accepts ("coinbase", "binance", "bitmex",
// "hyperliquid", "kalshi", "kraken"); the configuration may override single parameters.
//
// Each preset follows the venue's public description of its formula. Where a venue does not
// publish a value (or publishes it per contract, or changes it from time to time), the preset
// states the value it ASSUMES; docs/formulas.md lists them all in one table. Rates and money are
// ×1e-9: 0.01 % = 0.0001 = 100000.
#pragma once
#include <cstdint>
#include <cstring>

#include "core/fixed_point.hpp"
#include "core/mark_funding.hpp"

namespace pw {

constexpr int64_t kNsPerSecond = 1000000000;
constexpr int64_t kNsPerMinute = 60 * kNsPerSecond;
constexpr int64_t kNsPerHour = 60 * kNsPerMinute;

namespace preset_detail {
inline MarkFundingParams base() {
  MarkFundingParams p{};
  p.funding_offset_ns = 0;
  p.floor = kNullI64;
  p.rate_divisor = 1;
  p.mark_components = kMarkAll;
  p.averaging = (uint8_t)PremiumAveraging::time_weighted;
  p.premium_form = (uint8_t)PremiumForm::impact_bid_ask;
  p.index_source = (uint8_t)IndexSource::exchange_spot_mark;
  p.quote_per_contract = 0;
  p.bound_by_band = 1;
  p.risk_source = (uint8_t)ValueSource::own;
  return p;
}
}  // namespace preset_detail

// Coinbase Derivatives perpetual-style futures (BIP, ETP). Published in the feed: hourly funding
// (FundingIntervalMinutes = 60, boundaries on the whole UTC hour), the running and final funding
// rate, the futures mark and the spot mark (FundingRate, template 43). The index is the exchange's
// spot mark. The risk gate reads the EXCHANGE's futures mark and rate (they are what the exchange
// margins and charges with); ours are computed alongside and compared.
// Assumed (not published in the feed): premium on impact bid/ask for a notional of 10,000 USD,
// sampled every second, time-weighted; I = 0.01 % per 8 h scaled to the hour = 0.00125 %; clamp
// ±0.05 %; cap ±4 % per hour; mark = median of (a), (b) over 5 minutes sampled every 10 s, (c),
// bounded by the exchange's limit band.
inline MarkFundingParams coinbase_preset() {
  MarkFundingParams p = preset_detail::base();
  p.funding_interval_ns = kNsPerHour;
  p.sample_interval_ns = kNsPerSecond;
  p.impact_notional = 10000 * kPriceScale;
  p.interest_rate = 12500;  // 0.00125 %
  p.clamp = 500000;         // 0.05 %
  p.cap = 40000000;         // 4 %
  p.ma_window_ns = 5 * kNsPerMinute;
  p.ma_sample_ns = 10 * kNsPerSecond;
  p.risk_source = (uint8_t)ValueSource::exchange;
  return p;
}

// Binance USDⓈ-M perpetuals. Published: 8 h funding at 00:00, 08:00, 16:00 UTC; premium index every
// 5 s (5,760 samples), averaged with weights 1, 2, …, n (Binance's "time-weighted" average:
// PremiumAveraging::linear); I = 0.01 % per interval; clamp ±0.05 %; impact margin notional =
// 200 USDT / initial margin rate at the maximum leverage; mark = median of (a) index × (1 + last
// funding rate × time to funding / 8 h), (b) index + 30-minute moving average of (mid − index)
// sampled every minute, (c) last price.
// Cap and floor: taken from the margin ratios at the maximum leverage, cap = +0.75 × initial margin
// rate, floor = −0.75 × maintenance margin rate (our reading of Binance's rule; values assumed).
// Default ratios (assumed, BTCUSDT at 125×): initial 0.8 %, maintenance 0.4 % → impact notional
// 25,000 USDT, cap +0.6 %, floor −0.3 %. Arguments ×1e-9 (0.008 = 8000000).
inline MarkFundingParams binance_usdm_preset(int64_t initial_margin_rate = 8000000, int64_t maintenance_margin_rate = 4000000) {
  MarkFundingParams p = preset_detail::base();
  p.funding_interval_ns = 8 * kNsPerHour;
  p.sample_interval_ns = 5 * kNsPerSecond;
  p.averaging = (uint8_t)PremiumAveraging::linear;
  // 200 USDT / IMR, rounded half away from zero (exact for the default).
  p.impact_notional = initial_margin_rate > 0 ? mul_div_round(200 * kPriceScale, kPriceScale, initial_margin_rate) : 0;
  p.interest_rate = 100000;  // 0.01 %
  p.clamp = 500000;          // 0.05 %
  p.cap = div_round(initial_margin_rate * 3, 4);
  p.floor = -div_round(maintenance_margin_rate * 3, 4);
  p.ma_window_ns = 30 * kNsPerMinute;
  p.ma_sample_ns = kNsPerMinute;
  return p;
}

// BitMEX perpetual swaps (XBTUSD), the original premium-plus-interest form. Published: 8 h funding
// at 04:00, 12:00, 20:00 UTC (offset 4 h); premium index every minute, 8 h time-weighted average;
// I = (0.06 % − 0.03 %) / 3 = 0.01 % per interval; clamp ±0.05 %; cap ±75 % of (initial − maintenance
// margin); "fair price marking": mark = index × (1 + F × time to funding / interval), component
// (a) alone.
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

// Hyperliquid perpetuals. Published: funding every hour; premium sampled every 5 s and averaged
// over the hour; the formula gives an 8-hour rate, F = P̄ + clamp(I − P̄, −0.05 %, +0.05 %) with
// I = 0.01 % per 8 h, paid hourly at 1/8 of it (rate_divisor 8); F capped at ±4 % per hour; impact
// notional 20,000 USDC for BTC and ETH (6,000 for other assets: pass it). Mark: median of the oracle
// price plus a moving average of (mid − oracle), the median of best bid/ask/last trade, and
// centralized venues' perp prices.
// Assumed: the oracle is the index; the 150 s EMA of (mid − oracle) is taken as a 150 s simple
// moving average sampled every second (component b); the bid/ask/last median is taken as the last
// trade (component c); the centralized venues' prices are not available (left out): mark = mean of
// (b) and (c) when both are present.
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
  p.mark_components = kMarkMovingBasis | kMarkLastTrade;
  p.ma_window_ns = 150 * kNsPerSecond;
  p.ma_sample_ns = kNsPerSecond;
  return p;
}

// Kalshi BTCPERP (the first CFTC-approved perpetual). Published: funding every 8 h; prices quoted
// per contract, the contract size converts them to the underlying (quote_per_contract: the index is
// multiplied by the contract size before it is compared with the book, and the mark is per
// contract).
// Assumed (no formula published that we rely on): the Binance-style premium on impact bid/ask for
// 10,000 USD, sampled every 5 s, time-weighted, I = 0.01 % per interval, clamp ±0.05 %, cap ±0.75 %;
// boundaries at 00:00, 08:00, 16:00 UTC; mark = median of (a), (b) over 30 minutes sampled every
// minute, (c).
inline MarkFundingParams kalshi_preset() {
  MarkFundingParams p = preset_detail::base();
  p.funding_interval_ns = 8 * kNsPerHour;
  p.sample_interval_ns = 5 * kNsPerSecond;
  p.impact_notional = 10000 * kPriceScale;
  p.interest_rate = 100000;  // 0.01 %
  p.clamp = 500000;          // 0.05 %
  p.cap = 7500000;           // 0.75 %
  p.quote_per_contract = 1;
  p.ma_window_ns = 30 * kNsPerMinute;
  p.ma_sample_ns = kNsPerMinute;
  return p;
}

// Kraken perpetual futures. Published: funding every hour; the premium is measured at the impact
// MID price (the mean of impact bid and impact ask for the impact notional) against the index.
// Assumed: premium sampled every second, time-weighted; no interest component and no clamp
// (F = P̄ / 24: the hourly rate closes the premium over a day, rate_divisor 24); no cap; impact
// notional 10,000 USD; mark = index + 30 s moving average of (mid − index) sampled every second
// (component b alone), bounded by the band.
inline MarkFundingParams kraken_preset() {
  MarkFundingParams p = preset_detail::base();
  p.funding_interval_ns = kNsPerHour;
  p.sample_interval_ns = kNsPerSecond;
  p.premium_form = (uint8_t)PremiumForm::impact_mid;
  p.impact_notional = 10000 * kPriceScale;
  p.interest_rate = 0;
  p.clamp = 0;
  p.cap = 0;
  p.rate_divisor = 24;
  p.mark_components = kMarkMovingBasis;
  p.ma_window_ns = 30 * kNsPerSecond;
  p.ma_sample_ns = kNsPerSecond;
  return p;
}

// The preset a configuration names; false for an unknown name (out untouched).
inline bool preset_by_name(const char* name, MarkFundingParams& out) {
  if (name == nullptr) return false;
  if (std::strcmp(name, "coinbase") == 0) out = coinbase_preset();
  else if (std::strcmp(name, "binance") == 0) out = binance_usdm_preset();
  else if (std::strcmp(name, "bitmex") == 0) out = bitmex_preset();
  else if (std::strcmp(name, "hyperliquid") == 0) out = hyperliquid_preset();
  else if (std::strcmp(name, "kalshi") == 0) out = kalshi_preset();
  else if (std::strcmp(name, "kraken") == 0) out = kraken_preset();
  else return false;
  return true;
}

}  // namespace pw
