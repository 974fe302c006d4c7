// Mark price and funding rate of one perpetual instrument: the formulas of DESIGN.md in integer
// fixed point, one definition for the software path, the HLS kernels and the tests.
// Worked examples, rounding rules and the venue presets: docs/formulas.md, core/funding_presets.hpp.
//
//   index        the exchange's spot mark (funding_rate.spot_mark, snapshot_end.spot_mark) or set
//                explicitly (set_index) — IndexSource
//   premium P    (max(0, impact_bid − index) − max(0, index − impact_ask)) / index     (impact_bid_ask)
//                (impact_mid − index) / index, impact_mid = (impact_bid + impact_ask)/2 (impact_mid)
//                (mid − index) / index                                                  (mid)
//                (window mark − index) / index, window mark = the sample window's VWAP of
//                trades, else its TWAP of the mid, else index + the previous gap   (mark_difference)
//   P̄            weighted mean of the interval's samples (PremiumAveraging)
//   F            (P̄ + clamp(I − P̄, −c, +c)) / rate_divisor, then, with rate_ema_weight w,
//                w·F + (1 − w)·F_previous interval, then bounded to [floor, cap]
//   mark         median of the enabled, available components
//                  (a) index × (1 + F × time_to_next_funding / interval), F running or last final
//                  (b) index + moving average of (mid − index) over ma_window
//                  (c) last trade price
//                  (w) the window mark of the latest closed sample window
//                  (e) index + EMA of (mid − index) with time constant ema_tau
//                  (m) median(best bid, best ask, last trade)
//                bounded by the exchange's limit band
//
// Time. Everything runs on event time: transact_time, or the packet's sending_time for snapshot
// messages and messages without one (event_time()). Funding boundaries sit at
// funding_offset_ns + k × funding_interval_ns since the epoch. Premium samples are taken on the grid
// interval_start + k × sample_interval (k = 1 … n, the last one AT the funding boundary), each from
// the market as it stands just before that instant (every event with an earlier time applied, none
// at or after it). Because the market cannot change between two events, on_time(now) takes every
// sample due in (last tick, now] from the current book at once, in closed form — no per-sample
// loop, whatever the silence. At each boundary the interval's final rate is recorded and the
// accumulator restarts. The moving average of (mid − index) has its own grid (ma_sample_ns) and a
// ring of the last ma_window_ns / ma_sample_ns samples (at most kMaCapacity = 320).
//
// Calling order per event (market_step() does all three):
//   on_time(state, params, book, event_time(e));   // samples due before e, on the book before e
//   book.apply(e);
//   on_event(state, params, e);                     // index, last trade, band, exchange's values
//
// Rounding: every division rounds half away from zero (div_round / mul_div_round of
// core/fixed_point.hpp and their 128-bit forms here), except the impact prices (bid down, ask up:
// core/impact_price.hpp). Rates are ×1e-9 per funding interval (0.0001 = 100000).
#pragma once
#include <cstdint>

#include "core/book.hpp"
#include "core/events.hpp"
#include "core/fixed_point.hpp"
#include "core/interval_calendar.hpp"
#include "core/state_records.hpp"

namespace pw {

// How the samples of an interval are averaged into P̄. With every sample present, time_weighted and
// simple give the same P̄; they differ when samples are missing (no index, book untrusted or unable
// to fill the impact notional).
enum class PremiumAveraging : uint8_t {
  time_weighted = 0,  // a sample weighs the time since the previous valid sample of the interval
                      // (or the interval start): gaps are covered by the next valid sample
  simple = 1,         // every valid sample weighs 1; gaps are left out
  linear = 2,         // the k-th sample of the interval weighs k (Binance's and Bitnomial's
                      // "time-weighted" average: Σ k·P_k / Σ k); missing samples are left out
};

enum class PremiumForm : uint8_t {
  impact_bid_ask = 0,   // P = (max(0, IB − idx) − max(0, idx − IA)) / idx
  impact_mid = 1,       // P = ((IB + IA)/2 − idx) / idx
  mid = 2,              // P = (mid − idx) / idx (best bid and offer)
  mark_difference = 3,  // P = (window mark − idx) / idx, the window being the sample interval
};

// Which F component (a) of the mark uses.
enum class BasisRate : uint8_t {
  running = 0,     // the current interval's running rate (BitMEX "fair price marking")
  last_final = 1,  // the last settled rate (Binance, Bybit "last funding rate")
};

// The price a funding payment is taken on (funding_payment_price()).
enum class PaymentPrice : uint8_t { mark = 0, index = 1 };

// Intervals the venue charges no funding for.
enum class UnchargedHours : uint8_t {
  none = 0,
  coinbase_maintenance = 1,  // Friday 17:00–18:00 America/New_York (is_coinbase_maintenance_hour)
};

enum class IndexSource : uint8_t {
  exchange_spot_mark = 0,  // funding_rate.spot_mark / snapshot_end.spot_mark from the feed
  external = 1,            // set_index() only
};

// Which values the risk gate reads (risk_mark / risk_funding_rate).
enum class ValueSource : uint8_t { own = 0, exchange = 1 };

// Mark components (MarkFundingParams::mark_components bits).
constexpr uint8_t kMarkFundingBasis = 1;  // (a) index × (1 + F × time_to_next_funding / interval)
constexpr uint8_t kMarkMovingBasis = 2;   // (b) index + moving average of (mid − index)
constexpr uint8_t kMarkLastTrade = 4;     // (c) last trade price
constexpr uint8_t kMarkWindowPrice = 8;   // (w) window mark: VWAP → TWAP of the mid → index + gap
constexpr uint8_t kMarkEmaBasis = 16;     // (e) index + EMA of (mid − index)
constexpr uint8_t kMarkBookMedian = 32;   // (m) median(best bid, best ask, last trade)
constexpr uint8_t kMarkAbc = 7;          // (a), (b) and (c): the median of the premium-index venues
constexpr uint8_t kMarkAll = 63;

constexpr int kMaCapacity = 320;  // ring entries of the (mid − index) moving average (Bybit: 300)

struct MarkFundingParams {
  int64_t funding_interval_ns;  // > 0
  int64_t funding_offset_ns;    // boundaries at offset + k × interval since the epoch, 0 ≤ offset < interval
  int64_t sample_interval_ns;   // > 0 and divides funding_interval_ns
  int64_t impact_notional;      // quote currency ×1e-9, > 0
  int64_t interest_rate;        // I ×1e-9 per rate period (the funding interval × rate_divisor)
  int64_t clamp;                // c ×1e-9, ≥ 0
  int64_t cap;                  // upper bound of F ×1e-9 (after the divisor); ≤ 0 = none
  int64_t floor;                // lower bound of F ×1e-9 (≤ 0); kNullI64 = −cap
  int64_t rate_divisor;         // ≥ 1: F per interval = formula / divisor (Hyperliquid: 8h rate paid hourly)
  int64_t ma_window_ns;         // (b): moving-average window
  int64_t ma_sample_ns;         // (b): sample spacing; 1 ≤ window / spacing ≤ kMaCapacity
  uint8_t mark_components;      // kMark* bits
  uint8_t averaging;            // PremiumAveraging
  uint8_t premium_form;         // PremiumForm
  uint8_t index_source;         // IndexSource
  uint8_t quote_per_contract;   // 1: book prices are per contract: index × contract size converts
  uint8_t bound_by_band;        // 1: clamp the mark into [limit_down, limit_up]
  uint8_t risk_source;          // ValueSource: what risk_mark / risk_funding_rate return
  uint8_t calendar;             // TimeZone the boundaries are laid out in (offset is local time)
  int64_t rate_ema_weight;      // w ×1e9 of the new interval's rate (0 = off: F as computed)
  int64_t ema_tau_ns;           // (e): EMA time constant, updated on the ma_sample grid
  int64_t impact_base_qty;      // > 0: impact notional = this many underlying units (×1e-9) × index
  uint8_t basis_rate;           // BasisRate of component (a)
  uint8_t payment_price;        // PaymentPrice
  uint8_t uncharged_hours;      // UnchargedHours
  uint8_t reserved_[5];
};

enum class ParamsError : uint8_t {
  ok = 0,
  funding_interval,  // ≤ 0, or offset outside [0, interval)
  sample_interval,   // ≤ 0 or does not divide the funding interval
  impact_notional,   // ≤ 0
  clamp,             // < 0
  cap_floor,         // floor > 0, or floor > cap when both are set
  rate_divisor,      // < 1
  moving_average,    // (b) enabled with a window/spacing that is ≤ 0 or needs more than kMaCapacity,
                     // or (e) enabled without a positive ma_sample and ema_tau
  rate_ema,          // rate_ema_weight outside [0, 1e9]
  enum_value,        // averaging / premium_form / index_source / risk_source out of range, mark_components
                     // 0 or past kMarkAll, quote_per_contract / bound_by_band not 0 or 1
};

inline ParamsError validate(const MarkFundingParams& p) {
  if (p.funding_interval_ns <= 0 || p.funding_offset_ns < 0 || p.funding_offset_ns >= p.funding_interval_ns)
    return ParamsError::funding_interval;
  if (p.sample_interval_ns <= 0 || p.funding_interval_ns % p.sample_interval_ns != 0) return ParamsError::sample_interval;
  if (p.impact_notional <= 0) return ParamsError::impact_notional;
  if (p.clamp < 0) return ParamsError::clamp;
  if (p.floor != kNullI64 && (p.floor > 0 || (p.cap > 0 && p.floor > p.cap))) return ParamsError::cap_floor;
  if (p.rate_divisor < 1) return ParamsError::rate_divisor;
  if (p.mark_components & kMarkMovingBasis) {
    if (p.ma_window_ns <= 0 || p.ma_sample_ns <= 0 || p.ma_window_ns < p.ma_sample_ns ||
        p.ma_window_ns / p.ma_sample_ns > kMaCapacity)
      return ParamsError::moving_average;
  }
  if ((p.mark_components & kMarkEmaBasis) && (p.ma_sample_ns <= 0 || p.ema_tau_ns <= 0)) return ParamsError::moving_average;
  if (p.rate_ema_weight < 0 || p.rate_ema_weight > kPriceScale) return ParamsError::rate_ema;
  if (p.averaging > 2 || p.premium_form > 3 || p.index_source > 1 || p.risk_source > 1) return ParamsError::enum_value;
  if (p.calendar > 2 || p.basis_rate > 1 || p.payment_price > 1 || p.uncharged_hours > 1) return ParamsError::enum_value;
  if (p.mark_components == 0 || p.mark_components > kMarkAll) return ParamsError::enum_value;  // no mark could ever be formed
  if (p.quote_per_contract > 1 || p.bound_by_band > 1) return ParamsError::enum_value;
  return ParamsError::ok;
}

// The reciprocal of a 128-bit divisor fixed between events (mf_detail::div_round_reciprocal).
struct Reciprocal128 {
  unsigned __int128 den;    // d, 0 < d < 2^127 (0: none computed yet)
  unsigned __int128 m_low;  // m − 2^128
  uint8_t shift;            // l
};

struct MarkFundingState {
  // Inputs.
  int64_t index;            // index ×1e-9 per underlying unit (null until known)
  int64_t index_time;
  int64_t contract_size;    // ×1e-9 (≤ 0: unknown; impact prices then cannot be taken)
  int64_t limit_down;       // band ×1e-9, null = unbounded
  int64_t limit_up;
  int64_t last_trade;       // null until the first trade
  int64_t last_trade_time;

  // Clock.
  int64_t now;              // latest time seen (null before the first)
  int64_t interval_start;   // current funding interval [start, end)
  int64_t interval_end;
  int64_t last_tick;        // latest premium grid tick taken (interval_start when none yet)
  int64_t last_valid_tick;  // latest tick with a valid sample (interval_start when none): time_weighted
  int64_t last_ma_tick;     // latest moving-average grid tick taken

  // Premium accumulator of the current interval.
  __int128 premium_sum;     // Σ w·P
  int64_t premium_weight;   // Σ w (ns, count, or Σ k by averaging)
  int32_t samples;          // valid samples this interval
  int32_t missed;           // ticks without a valid sample this interval
  uint8_t partial;          // the engine started after this interval began
  uint8_t reserved_[7];

  // The latest sample (null fields when that tick had no valid sample).
  int64_t premium;          // P ×1e-9
  int64_t impact_bid;
  int64_t impact_ask;
  int64_t mid;              // book mid at the latest premium or MA tick

  // Ours, running: P̄ and F for the interval ending interval_end (P̄ = 0 before the first sample).
  int64_t premium_avg;
  int64_t rate;

  // Ours, the last closed interval.
  int64_t final_rate;       // null before the first boundary
  int64_t final_premium_avg;
  int64_t final_time;       // the boundary it was charged at
  int32_t final_samples;
  int32_t final_missed;
  uint8_t final_partial;
  uint8_t reserved2_[7];
  uint64_t intervals_closed;

  // Moving average of (mid − index): the last ma_len ticks, oldest at ma_head.
  int64_t ma_value[kMaCapacity];
  uint8_t ma_ok[kMaCapacity];
  __int128 ma_sum;          // Σ of the valid entries
  int32_t ma_head;
  int32_t ma_len;
  int32_t ma_valid;
  int32_t reserved3_;
  int64_t ma_avg;           // Σ / ma_valid rounded (kept by ma_push: the mark reads it every event)

  // Mark.
  int64_t mark;             // null when no component is available
  int64_t mark_a;           // components as last computed (null when missing or disabled)
  int64_t mark_b;
  int64_t mark_c;

  // The exchange's own values (FundingRate messages, snapshot end).
  int64_t ex_rate;          // latest rate (running or final) ×1e-9
  int64_t ex_futures_mark;
  int64_t ex_spot_mark;
  int64_t ex_fair_value;
  int64_t ex_interval_end;  // FinalFundingRateTimestamp of the latest message
  int64_t ex_time;          // event time of the latest message
  int64_t ex_final_rate;    // latest final rate and the boundary it applies to
  int64_t ex_final_time;
  uint8_t ex_is_final;      // the latest message is the final rate
  uint8_t reserved4_[7];
  uint64_t ex_messages;

  // Sample window [last_tick, next tick) of the mark-difference premium and the window mark (w).
  __int128 win_pq;          // Σ price × qty of the window's trades
  int64_t win_qty;
  int64_t win_mid_ns;       // time of the window with a mid
  __int128 win_mid_t;       // Σ mid × ns
  int64_t win_mark;         // window mark of the latest closed window (null before)
  int64_t win_gap;          // window mark − index of the latest sample with both (null before)
  int64_t pending_tick;     // a window closed AT the latest time, waiting for that instant's index
  int64_t pending_mark;     //   (null when none)

  // Rate smoothing across intervals: F of the last charged interval (null before the first).
  int64_t prev_rate;
  uint64_t intervals_uncharged;  // intervals the venue charges nothing for (UnchargedHours)

  // (e) EMA of (mid − index): num ← num·e^(−Δt/τ) + sample·Δt, den ← den·e^(−Δt/τ) + Δt.
  __int128 ema_num;         // basis ×1e-9 · ns
  int64_t ema_den;          // ns
  int64_t ema_avg;          // num / den, null before the first sample
  // Best bid and offer at the latest moving-average tick (m).
  int64_t best_bid;
  int64_t best_ask;
  // (a)'s divisor funding_interval_ns × 1e9 as a reciprocal, for the interval it was computed for
  // (0: none yet): recomputed when the interval changes, never per event.
  int64_t mark_a_interval_ns;
  Reciprocal128 mark_a_den;
};

// Ours against the exchange's for one interval.
struct FundingComparison {
  int64_t ours;          // our final rate when the exchange's latest is final for the same boundary,
                         // else our running rate
  int64_t theirs;        // the exchange's latest rate (null before its first)
  int64_t diff_bps;      // ours − theirs in basis points, rounded half away from zero (null w/o theirs)
  int64_t diff_e2bps;    // ours − theirs in hundredths of a basis point, same rounding
  int64_t interval_end;  // the funding time `ours` applies to
  uint8_t is_final;      // the comparison is of final rates
};

// ---------------------------------------------------------------------------------------------
// Helpers

namespace mf_detail {

using i128 = __int128;

// num / den rounded half away from zero (den ≠ 0).
inline i128 div_round128(i128 num, i128 den) {
  i128 q = num / den, r = num % den;
  i128 ar = r < 0 ? -r : r, ad = den < 0 ? -den : den;
  if (ar * 2 >= ad) q += ((num < 0) != (den < 0)) ? -1 : 1;
  return q;
}
// Division by a divisor fixed between events (the mark's funding-interval denominator) as a
// multiplication by its reciprocal, giving exactly num / den rounded half away from zero (the same
// answer as div_round128): the reciprocal is computed on the slow path when the divisor changes,
// the event path does four 64×64 multiplies and a compare instead of a 128-bit division.
// Exact by Granlund & Montgomery (PLDI 1994, Thm 4.2): for 2^(l−1) < d ≤ 2^l and
// m = ⌈2^(128+l)/d⌉ (so 2^128 ≤ m < 2^129), ⌊n·m / 2^(128+l)⌋ = ⌊n/d⌋ for every 0 ≤ n < 2^128.
using u128 = unsigned __int128;
// High 128 bits of the 256-bit product a·b.
inline u128 mul_high128(u128 a, u128 b) {
  const u128 a0 = (uint64_t)a, a1 = a >> 64, b0 = (uint64_t)b, b1 = b >> 64;
  const u128 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const u128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
  return p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
}
// Slow path: the reciprocal of d (0 < d < 2^127), by restoring long division of 2^(128+l). Also
// evaluated at compile time for constant divisors (kPriceScaleReciprocal).
constexpr Reciprocal128 reciprocal128(u128 d) {
  Reciprocal128 r{};
  r.den = d;
  uint8_t l = 0;
  while (l < 127 && ((u128)1 << l) < d) ++l;
  r.shift = l;
  u128 rem = 0, q = 0;  // q: the quotient's low 128 bits
  for (int i = 128 + l; i >= 0; --i) {
    rem = (rem << 1) | (i == 128 + l ? 1 : 0);
    q <<= 1;
    if (rem >= d) {
      rem -= d;
      q |= 1;
    }
  }
  r.m_low = q + (rem != 0 ? 1 : 0);
  return r;
}
// num / r.den rounded half away from zero (|num| < 2^127).
inline i128 div_round_reciprocal(i128 num, const Reciprocal128& r) {
  const u128 n = num < 0 ? (u128)0 - (u128)num : (u128)num;
  u128 q = (n + mul_high128(n, r.m_low)) >> r.shift;  // n ≤ 2^127 and mul_high128 < n: no carry out
  const u128 rem = n - q * r.den;
  if (rem * 2 >= r.den) ++q;
  return num < 0 ? -(i128)q : (i128)q;
}
// (a + b) / 2 rounded half away from zero, without a division.
inline i128 half_round(i128 sum) { return sum >= 0 ? (sum + 1) >> 1 : -((-sum + 1) >> 1); }

inline int64_t sat64(i128 v) { return v > (i128)INT64_MAX ? INT64_MAX : v < -(i128)INT64_MAX ? -INT64_MAX : (int64_t)v; }
// Largest grid point offset + k·step ≤ t.
inline int64_t grid_floor(int64_t t, int64_t step, int64_t offset) { return offset + div_floor(t - offset, step) * step; }
inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
inline int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

}  // namespace mf_detail

// Event time of a market event: transact_time, or sending_time for snapshot messages (their
// transact times are the orders' entry and the last trade's times, not the snapshot's) and for
// messages without one. Null when neither is known.
inline int64_t event_time(const MarketEvent& e) {
  switch ((EventType)e.type) {
    case EventType::snapshot_start:
    case EventType::snapshot_order:
    case EventType::snapshot_end: return e.sending_time;
    default: return e.transact_time != kNullI64 ? e.transact_time : e.sending_time;
  }
}

// F from P̄: (P̄ + clamp(I − P̄, −c, +c)) / divisor (half away from zero); with rate_ema_weight w,
// then w·F + (1 − w)·prev (half away from zero; prev null counts as 0); then into [floor, cap].
inline int64_t funding_rate_from(int64_t premium_avg, const MarkFundingParams& p, int64_t prev = kNullI64) {
  int64_t f = premium_avg + mf_detail::clamp64(p.interest_rate - premium_avg, -p.clamp, p.clamp);
  if (p.rate_divisor > 1) f = div_round(f, p.rate_divisor);
  if (p.rate_ema_weight > 0) {
    const int64_t before = prev == kNullI64 ? 0 : prev;
    f = (int64_t)mf_detail::div_round128((__int128)f * p.rate_ema_weight + (__int128)before * (kPriceScale - p.rate_ema_weight),
                                         kPriceScale);
  }
  if (p.cap > 0 && f > p.cap) f = p.cap;
  const int64_t lo = p.floor != kNullI64 ? p.floor : (p.cap > 0 ? -p.cap : kNullI64);
  if (lo != kNullI64 && f < lo) f = lo;
  return f;
}

// Mark-difference premium sample ×1e-9: (mark − index) / index, half away from zero.
inline int64_t premium_of_mark(int64_t mark, int64_t index) { return mul_div_round(mark - index, kPriceScale, index); }

// e^(−num/den) ×1e9 (num ≥ 0, den > 0), within 2e-9: e^(−n) for the whole part by repeated
// multiplication, e^(−f) for the fraction by its Taylor series in 128 bits.
inline int64_t exp_neg_e9(int64_t num, int64_t den) {
  using i128 = __int128;
  if (num <= 0) return kPriceScale;
  const int64_t whole = num / den;
  if (whole >= 24) return 0;  // < 4e-11
  const i128 e18 = (i128)kPriceScale * kPriceScale;
  const i128 f = (i128)(num % den) * e18 / den;  // fraction ×1e18
  i128 term = e18, sum = e18;
  for (int k = 1; k <= 20; ++k) {
    term = -term * f / e18 / k;
    sum += term;
  }
  i128 r = sum;                                      // e^(−f) ×1e18
  const i128 e_minus_1 = (i128)367879441171442322LL;  // e^(−1) ×1e18
  for (int k = 0; k < 24; ++k) {
    if (k >= whole) break;
    r = r * e_minus_1 / e18;
  }
  return (int64_t)mf_detail::div_round128(r, kPriceScale);
}

// Boundaries of the configured calendar.
inline int64_t funding_boundary_floor(const MarkFundingParams& p, int64_t t) {
  return boundary_floor((TimeZone)p.calendar, t, p.funding_interval_ns, p.funding_offset_ns);
}
inline int64_t funding_boundary_next(const MarkFundingParams& p, int64_t b) {
  return boundary_next((TimeZone)p.calendar, b, p.funding_interval_ns, p.funding_offset_ns);
}
// True when the venue charges no funding for the interval starting at `start`.
inline bool interval_uncharged(const MarkFundingParams& p, int64_t start) {
  return p.uncharged_hours == (uint8_t)UnchargedHours::coinbase_maintenance && p.funding_interval_ns == 3600LL * kPriceScale &&
         is_coinbase_maintenance_hour(start);
}

// Premium sample ×1e-9 from impact prices and index (all in book price terms), half away from zero.
inline int64_t premium_index(int64_t impact_bid, int64_t impact_ask, int64_t index, PremiumForm form) {
  int64_t num;
  if (form == PremiumForm::impact_mid || form == PremiumForm::mid) {  // mid: called with best bid and ask
    num = div_round(impact_bid + impact_ask, 2) - index;
  } else {
    num = (impact_bid > index ? impact_bid - index : 0) - (index > impact_ask ? index - impact_ask : 0);
  }
  return mul_div_round(num, kPriceScale, index);
}

// Median of up to six values (n = 1…6): the middle one; of an even count, the mean of the two
// middle ones rounded half away from zero; null for none.
inline int64_t median_of(const int64_t* v, int n) {
  if (n <= 0) return kNullI64;
  int64_t w[6];
  for (int i = 0; i < 6; ++i) w[i] = i < n ? v[i] : 0;
  for (int i = 1; i < 6; ++i) {  // insertion sort of the first n
    if (i >= n) break;
    for (int j = 6 - 1; j > 0; --j) {
      if (j > i) continue;
      if (w[j - 1] > w[j]) {
        const int64_t t = w[j];
        w[j] = w[j - 1];
        w[j - 1] = t;
      }
    }
  }
  const int h = n >> 1;  // n ≥ 1: halved by shift (per event: no divider)
  if (n & 1) return w[h];
  return (int64_t)mf_detail::half_round((__int128)w[h - 1] + w[h]);
}

// 1e9 (a price or size ×1e-9 times another, back to ×1e-9) as a reciprocal, computed at compile
// time: mul_div_round(a, b, kPriceScale) is (int64_t)div_round_reciprocal((i128)a * b, this),
// the same answer without a 128-bit division (tests/mark: reciprocal division = div_round128).
constexpr Reciprocal128 kPriceScaleReciprocal = mf_detail::reciprocal128((mf_detail::u128)kPriceScale);

// The index in book price terms: per underlying unit, or × contract size when the book quotes per
// contract (rounded half away from zero). Null when unknown. Runs with every mark update (per
// event): no division.
inline int64_t book_index(const MarkFundingState& s, const MarkFundingParams& p) {
  if (s.index == kNullI64 || s.index <= 0) return kNullI64;
  if (!p.quote_per_contract) return s.index;
  if (s.contract_size <= 0) return kNullI64;
  return (int64_t)mf_detail::div_round_reciprocal((__int128)s.index * s.contract_size, kPriceScaleReciprocal);
}

// Contract size the impact walk uses: 1.0 when prices are per contract.
inline int64_t book_contract_size(const MarkFundingState& s, const MarkFundingParams& p) {
  return p.quote_per_contract ? kPriceScale : s.contract_size;
}

// ---------------------------------------------------------------------------------------------
// State

inline void mark_funding_init(MarkFundingState& s, int64_t contract_size = 0) {
  // Field by field (no memset of a struct with __int128 members needed; trivially copyable).
  s = MarkFundingState{};
  s.index = kNullI64;
  s.index_time = kNullI64;
  s.contract_size = contract_size;
  s.limit_down = kNullI64;
  s.limit_up = kNullI64;
  s.last_trade = kNullI64;
  s.last_trade_time = kNullI64;
  s.now = kNullI64;
  s.interval_start = kNullI64;
  s.interval_end = kNullI64;
  s.last_tick = kNullI64;
  s.last_valid_tick = kNullI64;
  s.last_ma_tick = kNullI64;
  s.premium = kNullI64;
  s.impact_bid = kNullI64;
  s.impact_ask = kNullI64;
  s.mid = kNullI64;
  s.premium_avg = 0;
  s.rate = kNullI64;
  s.final_rate = kNullI64;
  s.final_premium_avg = kNullI64;
  s.final_time = kNullI64;
  s.mark = kNullI64;
  s.mark_a = kNullI64;
  s.mark_b = kNullI64;
  s.mark_c = kNullI64;
  s.ex_rate = kNullI64;
  s.ex_futures_mark = kNullI64;
  s.ex_spot_mark = kNullI64;
  s.ex_fair_value = kNullI64;
  s.ex_interval_end = kNullI64;
  s.ex_time = kNullI64;
  s.ex_final_rate = kNullI64;
  s.ex_final_time = kNullI64;
  s.win_mark = kNullI64;
  s.win_gap = kNullI64;
  s.pending_tick = kNullI64;
  s.pending_mark = kNullI64;
  s.prev_rate = kNullI64;
  s.ema_avg = kNullI64;
  s.best_bid = kNullI64;
  s.best_ask = kNullI64;
}

namespace mf_detail {

// The market at one instant, as the samples see it.
struct Sample {
  bool valid;       // premium sample usable
  int64_t premium;
  int64_t impact_bid;
  int64_t impact_ask;
  int64_t mid;
  bool ma_valid;    // (mid − index) usable
  int64_t basis;    // mid − index
  int64_t best_bid; // null when the side is empty or the book untrusted
  int64_t best_ask;
};

// Impact notional: fixed, or impact_base_qty underlying units at the index (half away from zero).
inline int64_t impact_notional_of(const MarkFundingState& s, const MarkFundingParams& p) {
  if (p.impact_base_qty <= 0) return p.impact_notional;
  if (s.index == kNullI64 || s.index <= 0) return kNullI64;
  return mul_div_round(p.impact_base_qty, s.index, kPriceScale);
}

template <class BookT>
inline Sample take_sample(const MarkFundingState& s, const MarkFundingParams& p, const BookT& book, bool want_premium) {
  Sample x{false, kNullI64, kNullI64, kNullI64, kNullI64, false, 0, kNullI64, kNullI64};
  const int64_t idx = book_index(s, p);
  const bool ok = book.trusted();
  x.mid = ok ? book.mid() : kNullI64;
  x.ma_valid = idx != kNullI64 && x.mid != kNullI64;
  x.basis = x.ma_valid ? x.mid - idx : 0;
  if (ok) {
    x.best_bid = book.best_bid().price;
    x.best_ask = book.best_ask().price;
  }
  const PremiumForm form = (PremiumForm)p.premium_form;
  if (want_premium && ok && idx != kNullI64 && form == PremiumForm::mid) {
    if (x.mid != kNullI64) {
      x.valid = true;
      x.premium = premium_index(x.mid, x.mid, idx, form);
    }
  } else if (want_premium && ok && idx != kNullI64 && form != PremiumForm::mark_difference) {
    const int64_t cs = book_contract_size(s, p);
    const int64_t notional = impact_notional_of(s, p);
    x.impact_bid = book.impact_bid(notional, cs);
    x.impact_ask = book.impact_ask(notional, cs);
    if (x.impact_bid != kNullI64 && x.impact_ask != kNullI64) {
      x.valid = true;
      x.premium = premium_index(x.impact_bid, x.impact_ask, idx, form);
    }
  }
  return x;
}

// F of the interval before the current one, for the rate EMA: ours, or the exchange's last final
// while we have closed none (start-up), or 0.
inline int64_t previous_rate(const MarkFundingState& s) { return s.prev_rate != kNullI64 ? s.prev_rate : s.ex_final_rate; }

inline void refresh_rate(MarkFundingState& s, const MarkFundingParams& p) {
  s.premium_avg = s.premium_weight > 0 ? sat64(div_round128(s.premium_sum, s.premium_weight)) : 0;
  s.rate = funding_rate_from(s.premium_avg, p, previous_rate(s));
}

// Premium ticks in (last_tick, end], end ≤ interval_end, all with the same sample x.
inline void add_ticks(MarkFundingState& s, const MarkFundingParams& p, const Sample& x, int64_t end) {
  const int64_t step = p.sample_interval_ns;
  const int64_t k0 = (s.last_tick - s.interval_start) / step;  // ticks already taken
  const int64_t k1 = (end - s.interval_start) / step;          // last tick ≤ end
  if (k1 <= k0) return;
  const int64_t m = k1 - k0;
  const int64_t t1 = s.interval_start + k1 * step;
  s.last_tick = t1;
  s.premium = x.valid ? x.premium : kNullI64;
  s.impact_bid = x.impact_bid;
  s.impact_ask = x.impact_ask;
  s.mid = x.mid;
  if (!x.valid) {
    s.missed += (int32_t)m;
    return;
  }
  int64_t w;
  switch ((PremiumAveraging)p.averaging) {
    case PremiumAveraging::simple: w = m; break;
    case PremiumAveraging::linear: w = (k0 + 1 + k1) * m / 2; break;  // Σ k for k = k0+1 … k1
    default: w = t1 - s.last_valid_tick; break;                       // time since the last valid sample
  }
  s.premium_sum += (__int128)x.premium * w;
  s.premium_weight += w;
  s.samples += (int32_t)m;
  s.last_valid_tick = t1;
  refresh_rate(s, p);
}

inline void start_interval(MarkFundingState& s, const MarkFundingParams& p, int64_t start) {
  s.interval_start = start;
  s.interval_end = funding_boundary_next(p, start);
  s.last_tick = start;
  s.last_valid_tick = start;
  s.premium_sum = 0;
  s.premium_weight = 0;
  s.samples = 0;
  s.missed = 0;
  s.partial = 0;
  refresh_rate(s, p);
}

inline void close_interval(MarkFundingState& s, const MarkFundingParams& p) {
  if (interval_uncharged(p, s.interval_start)) {  // no rate for it; the EMA skips it
    ++s.intervals_uncharged;
    start_interval(s, p, s.interval_end);
    return;
  }
  s.prev_rate = s.rate;
  s.final_rate = s.rate;
  s.final_premium_avg = s.premium_avg;
  s.final_time = s.interval_end;
  s.final_samples = s.samples;
  s.final_missed = s.missed;
  s.final_partial = s.partial;
  ++s.intervals_closed;
  start_interval(s, p, s.interval_end);
}

// Pushes `count` moving-average entries with the same value (only the last ring-length matter).
inline void ma_push(MarkFundingState& s, const MarkFundingParams& p, const Sample& x, int64_t count) {
  int32_t len = (int32_t)(p.ma_window_ns / p.ma_sample_ns);
  if (len > kMaCapacity) len = kMaCapacity;
  if (len < 1) len = 1;
  const int64_t n = count < len ? count : len;
  for (int i = 0; i < kMaCapacity; ++i) {
    if (i >= n) break;
    int32_t pos;
    if (s.ma_len < len) {
      pos = s.ma_head + s.ma_len;
      if (pos >= len) pos -= len;
      ++s.ma_len;
    } else {
      pos = s.ma_head;
      if (s.ma_ok[pos]) {
        s.ma_sum -= s.ma_value[pos];
        --s.ma_valid;
      }
      s.ma_head = pos + 1 == len ? 0 : pos + 1;
    }
    s.ma_value[pos] = x.ma_valid ? x.basis : 0;
    s.ma_ok[pos] = x.ma_valid ? 1 : 0;
    if (x.ma_valid) {
      s.ma_sum += x.basis;
      ++s.ma_valid;
    }
  }
  s.ma_avg = s.ma_valid > 0 ? sat64(div_round128(s.ma_sum, s.ma_valid)) : 0;
}

// (e): one EMA update with the sample held for dt (the published form).
inline void ema_push(MarkFundingState& s, const MarkFundingParams& p, const Sample& x, int64_t dt) {
  if (!x.ma_valid || dt <= 0) return;
  const int64_t d = exp_neg_e9(dt, p.ema_tau_ns);
  s.ema_num = div_round128(s.ema_num * d, kPriceScale) + (i128)x.basis * dt;
  s.ema_den = (int64_t)div_round128((i128)s.ema_den * d, kPriceScale) + dt;
  s.ema_avg = s.ema_den > 0 ? sat64(div_round128(s.ema_num, s.ema_den)) : kNullI64;
}

// Premium ticks in (last_tick, end] with the same sample, closing every interval that ends by
// `end`. At most three passes: the rest of the current interval; after its boundary, when whole
// intervals went by without an event, the last of them (the ones before it would record the same
// final rate and be overwritten; they are counted); the new interval up to `end`.
inline void advance_ticks(MarkFundingState& s, const MarkFundingParams& p, const Sample& x, int64_t end) {
  for (int pass = 0; pass < 3; ++pass) {
    add_ticks(s, p, x, min64(end, s.interval_end));
    if (end < s.interval_end) break;
    close_interval(s, p);
    if (pass == 0) {
      const int64_t cur = funding_boundary_floor(p, end);  // start of the interval holding `end`
      if (cur > s.interval_end) {
        const int64_t last_start = funding_boundary_floor(p, cur - 1);
        s.intervals_closed += (uint64_t)((last_start - s.interval_start) / p.funding_interval_ns);
        start_interval(s, p, last_start);
      }
    }
  }
}

// --- Sample windows of the mark-difference premium (PremiumForm::mark_difference) -------------

inline void win_add_mid(MarkFundingState& s, int64_t mid, int64_t dt) {
  if (mid == kNullI64 || dt <= 0) return;
  s.win_mid_t += (i128)mid * dt;
  s.win_mid_ns += dt;
}

// Closes the window: its VWAP of trades, else its TWAP of the mid, else null; restarts it.
inline int64_t win_close(MarkFundingState& s) {
  int64_t m = kNullI64;
  if (s.win_qty > 0) m = sat64(div_round128(s.win_pq, s.win_qty));
  else if (s.win_mid_ns > 0) m = sat64(div_round128(s.win_mid_t, s.win_mid_ns));
  s.win_pq = 0;
  s.win_qty = 0;
  s.win_mid_t = 0;
  s.win_mid_ns = 0;
  return m;
}

// Takes the premium tick last_tick + k·step (one or more, all with the window mark `mark`) with the
// index as it stands: a missing mark falls back to index + the previous gap.
inline void take_window_ticks(MarkFundingState& s, const MarkFundingParams& p, int64_t mark, int64_t end, int64_t mid) {
  const int64_t idx = book_index(s, p);
  const int64_t m = mark != kNullI64 ? mark : (idx != kNullI64 && s.win_gap != kNullI64 ? idx + s.win_gap : kNullI64);
  Sample x{false, kNullI64, kNullI64, kNullI64, mid, false, 0, kNullI64, kNullI64};
  if (m != kNullI64) s.win_mark = m;
  if (idx != kNullI64 && m != kNullI64) {
    x.valid = true;
    x.premium = premium_of_mark(m, idx);
    if (mark != kNullI64) s.win_gap = mark - idx;
  }
  advance_ticks(s, p, x, end);
}

inline void resolve_pending(MarkFundingState& s, const MarkFundingParams& p) {
  if (s.pending_tick == kNullI64) return;
  const int64_t t = s.pending_tick;
  s.pending_tick = kNullI64;
  take_window_ticks(s, p, s.pending_mark, t, s.mid);
  s.pending_mark = kNullI64;
}

// Moves the windows from s.now to now (> s.now) over a book that did not change in between. A
// window that closes exactly AT `now` waits (pending) for the index of that instant: the events at
// `now` may carry it; it is taken by the exchange's funding message at `now` or the next time.
// Returns false when only the window's accumulators moved (no window closed, none was pending):
// nothing the mark is made of changed.
template <class BookT>
inline bool window_time(MarkFundingState& s, const MarkFundingParams& p, const BookT& book, int64_t now) {
  const bool pending = s.pending_tick != kNullI64;
  resolve_pending(s, p);
  const int64_t step = p.sample_interval_ns;
  const int64_t mid = book.trusted() ? book.mid() : kNullI64;
  const int64_t t1 = s.last_tick + step;
  if (now < t1) {
    win_add_mid(s, mid, now - s.now);
    return pending;
  }
  win_add_mid(s, mid, t1 - s.now);
  s.mid = mid;
  const int64_t m1 = win_close(s);
  if (now == t1) {
    s.pending_tick = t1;
    s.pending_mark = m1;
    return true;
  }
  take_window_ticks(s, p, m1, t1, mid);
  const int64_t tl = t1 + (now - t1) / step * step;  // last tick ≤ now; whole windows of `mid`, no trades
  const int64_t upto = tl == now ? tl - step : tl;
  if (upto > t1) take_window_ticks(s, p, mid, upto, mid);
  if (tl == now && tl > t1) {
    s.pending_tick = tl;
    s.pending_mark = mid;
    return true;
  }
  win_add_mid(s, mid, now - tl);
  return true;
}

}  // namespace mf_detail

// Recomputes the mark and its components from the state (no sampling).
inline void update_mark(MarkFundingState& s, const MarkFundingParams& p) {
  using namespace mf_detail;
  const int64_t idx = book_index(s, p);
  int64_t v[6];
  int n = 0;
  s.mark_a = s.mark_b = s.mark_c = kNullI64;
  const int64_t basis_rate =
      p.basis_rate == (uint8_t)BasisRate::last_final ? (s.final_rate != kNullI64 ? s.final_rate : s.ex_final_rate) : s.rate;
  if ((p.mark_components & kMarkFundingBasis) && idx != kNullI64 && basis_rate != kNullI64 && s.now != kNullI64) {
    // index + index × F × ttf / (interval × 1e9), half away from zero
    // (the nominal interval: an interval stretched or shortened by a change of daylight time
    // is still divided by it)
    const int64_t ttf = s.interval_end - s.now;
    if (s.mark_a_interval_ns != p.funding_interval_ns) {  // slow path: the interval changed
      s.mark_a_interval_ns = p.funding_interval_ns;
      s.mark_a_den = reciprocal128((u128)((i128)p.funding_interval_ns * kPriceScale));
    }
    s.mark_a = sat64((i128)idx + div_round_reciprocal((i128)idx * basis_rate * ttf, s.mark_a_den));
    v[n++] = s.mark_a;
  }
  if ((p.mark_components & kMarkMovingBasis) && idx != kNullI64 && s.ma_valid > 0) {
    s.mark_b = sat64((i128)idx + s.ma_avg);
    v[n++] = s.mark_b;
  }
  if ((p.mark_components & kMarkLastTrade) && s.last_trade != kNullI64) {
    s.mark_c = s.last_trade;
    v[n++] = s.mark_c;
  }
  if ((p.mark_components & kMarkWindowPrice) && s.win_mark != kNullI64) v[n++] = s.win_mark;
  if ((p.mark_components & kMarkEmaBasis) && idx != kNullI64 && s.ema_avg != kNullI64) v[n++] = sat64((i128)idx + s.ema_avg);
  if (p.mark_components & kMarkBookMedian) {
    int64_t b[3];
    int k = 0;
    if (s.best_bid != kNullI64) b[k++] = s.best_bid;
    if (s.best_ask != kNullI64) b[k++] = s.best_ask;
    if (s.last_trade != kNullI64) b[k++] = s.last_trade;
    if (k > 0) v[n++] = median_of(b, k);
  }
  int64_t m = median_of(v, n);
  if (m != kNullI64 && p.bound_by_band) {
    if (s.limit_up != kNullI64 && m > s.limit_up) m = s.limit_up;
    if (s.limit_down != kNullI64 && m < s.limit_down) m = s.limit_down;
  }
  s.mark = m;
}

// Moves the clock to `now`, taking every premium and moving-average sample due in between from
// `book` as it stands, closing the funding intervals that ended; then recomputes the mark. Times
// that do not move forward are ignored. BookT needs trusted(), mid(), best_bid(), best_ask(),
// impact_bid(n, cs), impact_ask(n, cs) (core/book.hpp).
template <class BookT>
inline void on_time(MarkFundingState& s, const MarkFundingParams& p, const BookT& book, int64_t now) {
  using namespace mf_detail;
  if (now == kNullI64) return;
  if (s.now == kNullI64) {  // first time seen: the interval in progress is partial
    start_interval(s, p, funding_boundary_floor(p, now));
    s.last_tick = s.last_valid_tick = grid_floor(now, p.sample_interval_ns, s.interval_start);
    s.partial = now > s.interval_start ? 1 : 0;
    s.last_ma_tick = p.ma_sample_ns > 0 ? grid_floor(now, p.ma_sample_ns, 0) : now;
    s.now = now;
    update_mark(s, p);
    return;
  }
  if (now <= s.now) return;

  const bool windowed = p.premium_form == (uint8_t)PremiumForm::mark_difference;
  // Whether anything the mark is made of moved: a window closed, a sample or a moving-average
  // tick was taken (every funding boundary is a sample tick: validate()).
  bool moved = windowed && window_time(s, p, book, now);
  const bool premium_due = !windowed && now >= s.last_tick + p.sample_interval_ns;
  const bool ma_on = (p.mark_components & (kMarkMovingBasis | kMarkEmaBasis | kMarkBookMedian)) && p.ma_sample_ns > 0;
  // last_ma_tick is on the grid, so a tick is due exactly when now reaches the next grid point:
  // a compare per event, the grid division only when due.
  const bool ma_due = ma_on && now >= s.last_ma_tick + p.ma_sample_ns;
  const int64_t ma_tick = ma_due ? grid_floor(now, p.ma_sample_ns, 0) : 0;
  if (premium_due || ma_due) {
    moved = true;
    const Sample x = take_sample(s, p, book, premium_due);
    if (premium_due) advance_ticks(s, p, x, now);
    if (ma_due) {
      if (p.mark_components & kMarkMovingBasis) ma_push(s, p, x, (ma_tick - s.last_ma_tick) / p.ma_sample_ns);
      if (p.mark_components & kMarkEmaBasis) ema_push(s, p, x, ma_tick - s.last_ma_tick);
      s.best_bid = x.best_bid;
      s.best_ask = x.best_ask;
      s.last_ma_tick = ma_tick;
      if (!premium_due && !windowed) s.mid = x.mid;
    }
  }
  s.now = now;
  // The mark is a function of the state, and every other change of its inputs recomputes it
  // (on_event, set_index): between ticks only the clock moved, which only (a) reads. Most events
  // fall between ticks.
  if (moved || (p.mark_components & kMarkFundingBasis)) update_mark(s, p);
}

// Takes what the event says about the index, the last trade, the price band, the contract size
// and the exchange's own funding values; then recomputes the mark. Does not move the clock (call
// on_time first).
inline void on_event(MarkFundingState& s, const MarkFundingParams& p, const MarketEvent& e) {
  const int64_t t = event_time(e);
  const bool spot_index = p.index_source == (uint8_t)IndexSource::exchange_spot_mark;
  switch ((EventType)e.type) {
    case EventType::trade:
      if (e.trade.price != kNullI64) {
        s.last_trade = e.trade.price;
        s.last_trade_time = t;
        if (p.premium_form == (uint8_t)PremiumForm::mark_difference && e.trade.quantity > 0) {
          s.win_pq += (__int128)e.trade.price * e.trade.quantity;
          s.win_qty += e.trade.quantity;
        }
      }
      break;
    case EventType::instrument_definition:
      if (e.instrument.contract_size != kNullI64 && e.instrument.contract_size > 0) s.contract_size = e.instrument.contract_size;
      s.limit_down = e.instrument.limit_down;
      s.limit_up = e.instrument.limit_up;
      break;
    case EventType::snapshot_start:
      if (e.instrument.contract_size != kNullI64 && e.instrument.contract_size > 0) s.contract_size = e.instrument.contract_size;
      break;
    case EventType::trading_status:
      s.limit_down = e.status.limit_down;
      s.limit_up = e.status.limit_up;
      break;
    case EventType::funding_rate: {
      const FundingPayload& f = e.funding;
      if (spot_index && f.spot_mark != kNullI64 && f.spot_mark > 0) {
        s.index = f.spot_mark;
        s.index_time = t;
      }
      // The spot mark of a window that closed at this very instant: the sample is taken now, before
      // this message's rate is taken as the exchange's latest (it may seed the rate EMA).
      if (s.pending_tick != kNullI64 && t == s.pending_tick) mf_detail::resolve_pending(s, p);
      ++s.ex_messages;
      s.ex_rate = f.rate;
      s.ex_futures_mark = f.futures_mark;
      s.ex_spot_mark = f.spot_mark;
      s.ex_fair_value = f.fair_value;
      s.ex_interval_end = f.final_time;
      s.ex_time = t;
      s.ex_is_final = f.is_final ? 1 : 0;
      if (f.is_final && f.rate != kNullI64) {
        s.ex_final_rate = f.rate;
        s.ex_final_time = f.final_time;
      }
      break;
    }
    case EventType::snapshot_end: {
      const SnapshotEndPayload& x = e.snapshot_end;
      if (x.last_trade_price != kNullI64) {
        s.last_trade = x.last_trade_price;
        s.last_trade_time = e.transact_time;
      }
      s.limit_down = x.limit_down;
      s.limit_up = x.limit_up;
      if (x.predicted_funding_rate != kNullI64) {
        s.ex_rate = x.predicted_funding_rate;
        s.ex_is_final = 0;
        s.ex_interval_end = kNullI64;  // the running rate's boundary is not in the snapshot
        s.ex_time = t;
      }
      if (x.futures_mark != kNullI64) s.ex_futures_mark = x.futures_mark;
      if (x.spot_mark != kNullI64) s.ex_spot_mark = x.spot_mark;
      if (x.final_funding_rate != kNullI64) {
        s.ex_final_rate = x.final_funding_rate;
        s.ex_final_time = x.final_funding_time;
      }
      if (spot_index && x.spot_mark != kNullI64 && x.spot_mark > 0) {
        s.index = x.spot_mark;
        s.index_time = t;
      }
      break;
    }
    default: return;  // nothing the mark depends on: on_time has it up to date
  }
  update_mark(s, p);
}

// Sets the index explicitly (IndexSource::external, or a test).
inline void set_index(MarkFundingState& s, const MarkFundingParams& p, int64_t index, int64_t time) {
  s.index = index;
  s.index_time = time;
  update_mark(s, p);
}

// The three steps of one event. Returns the book's answer to the event.
template <class BookT>
inline BookError market_step(BookT& book, MarkFundingState& s, const MarkFundingParams& p, const MarketEvent& e) {
  on_time(s, p, book, event_time(e));
  const BookError r = book.apply(e);
  on_event(s, p, e);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Outputs

inline FundingComparison compare_funding(const MarkFundingState& s) {
  FundingComparison c{};
  const bool final_pair = s.ex_is_final && s.final_time != kNullI64 && s.ex_interval_end == s.final_time;
  c.ours = final_pair ? s.final_rate : s.rate;
  c.interval_end = final_pair ? s.final_time : s.interval_end;
  c.is_final = final_pair ? 1 : 0;
  c.theirs = s.ex_rate;
  if (c.theirs == kNullI64 || c.ours == kNullI64) {
    c.diff_bps = c.diff_e2bps = kNullI64;
  } else {
    const int64_t d = c.ours - c.theirs;  // 1 bp = 1e-4 = 100000 ×1e-9
    c.diff_bps = div_round(d, 100000);
    c.diff_e2bps = div_round(d, 1000);
  }
  return c;
}

// What the risk gate reads: ours or the exchange's, as configured (null when that source has none).
inline int64_t risk_mark(const MarkFundingState& s, const MarkFundingParams& p) {
  return p.risk_source == (uint8_t)ValueSource::exchange ? s.ex_futures_mark : s.mark;
}
inline int64_t risk_funding_rate(const MarkFundingState& s, const MarkFundingParams& p) {
  return p.risk_source == (uint8_t)ValueSource::exchange ? s.ex_rate : s.rate;
}

// The price a funding payment is taken on, per underlying unit: the mark (per contract divided by
// the contract size when the book quotes per contract) or the index (Hyperliquid: the oracle).
inline int64_t funding_payment_price(const MarkFundingState& s, const MarkFundingParams& p) {
  if (p.payment_price == (uint8_t)PaymentPrice::index) return s.index;
  if (s.mark == kNullI64 || !p.quote_per_contract) return s.mark;
  if (s.contract_size <= 0) return kNullI64;
  return mul_div_round(s.mark, kPriceScale, s.contract_size);
}

// Fills the state-log records (core/state_records.hpp) from the state.
inline void fill_mark_record(const MarkFundingState& s, MarkRecord& r) {
  r.mark = s.mark;
  r.index = s.index;
  r.impact_bid = s.impact_bid;
  r.impact_ask = s.impact_ask;
  r.premium = s.premium;
  r.mid = s.mid;
}
inline void fill_funding_record(const MarkFundingState& s, FundingRecord& r) {
  const FundingComparison c = compare_funding(s);
  r.ours = c.ours;
  r.exchange = c.theirs;
  r.diff_e2bps = c.diff_e2bps;
  r.exchange_mark = s.ex_futures_mark;
  r.interval_end = c.interval_end;
  r.is_final = c.is_final;
}

}  // namespace pw
