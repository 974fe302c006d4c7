// The pre-trade checks' thresholds: what each check compares an order against, as ready numbers,
// recomputed by the slow path whenever the state they derive from changes (market update, limits,
// fill, exchange answer, cash, start of day, an accepted order's reservation), so that deciding an
// order (core/risk_decide.hpp) is compares. Each threshold is exact: comparing the order against
// it gives the same answer as today's formula in docs/risk.md (the derivations are written beside
// each field). Records are plain data: the HLS kernel holds them in registers.
#pragma once
#include <cstdint>

#include "core/fixed_point.hpp"
#include "core/hls_pragma.hpp"
#include "core/margin.hpp"
#include "core/risk_types.hpp"

namespace pw {

// Order-rate token bucket in nano-tokens (1 order = 1e9): refill = elapsed ns × orders_per_second,
// exact, capped at burst × 1e9. Starts full. A request time earlier than the last refill refills
// nothing (the bucket's clock never runs backwards).
constexpr int64_t kTokenScale = 1000000000;

struct TokenBucket {
  int64_t tokens;  // nano-tokens
  int64_t last;    // ns of the last refill; kNullI64 before the first order
};

inline int64_t bucket_level(const TokenBucket& b, int64_t orders_per_second, int64_t burst, int64_t t) {
  const int64_t cap = burst * kTokenScale;  // ≤ 1e18 (validated burst ≤ 1e9)
  if (b.last == kNullI64 || t <= b.last) return b.tokens < cap ? b.tokens : cap;
  int64_t elapsed, refill;
  if (__builtin_sub_overflow(t, b.last, &elapsed) || __builtin_mul_overflow(elapsed, orders_per_second, &refill) ||
      refill >= cap)
    return cap;
  const int64_t level = b.tokens + refill;  // both < 2^60: no overflow
  return level < cap ? level : cap;
}

inline void bucket_take(TokenBucket& b, int64_t level, int64_t t) {
  b.tokens = level - kTokenScale;
  if (b.last == kNullI64 || t > b.last) b.last = t;
}

// The same bucket without a division on the order path: what depends only on the limits is
// computed when they are set (set_*_limits, the slow path).
//   - full_after = ⌈cap / rate⌉: a refill reaches the cap exactly when elapsed ≥ full_after, so
//     elapsed × rate is taken only below it (< cap + rate ≤ 1e18 + 1e9: no overflow check);
//   - ⌈deficit / rate⌉ for 1 ≤ deficit ≤ 1e12 (a request of weight w ≤ 1000 needs w × 1e9) as
//     ⌊n × magic / 2^shift⌋ with n = deficit + rate − 1 < 2^41, magic = ⌈2^(41 + l) / rate⌉,
//     l = ⌈log2 rate⌉, shift = 41 + l. Exact for every n < 2^41 (Granlund–Montgomery: magic × rate
//     = 2^shift + e with 0 ≤ e < rate ≤ 2^l, so n × magic / 2^shift = n / rate + n·e / (rate·2^shift)
//     and the excess stays below 1 / rate); magic ≤ 2^42, n × magic < 2^83 in 128 bits.
//     tests/risk/test_risk_thresholds.cpp compares it with the division over the whole rate range.
constexpr uint32_t kRateShiftBase = 41;

struct BucketRate {
  int64_t rate;        // nano-tokens per ns (= orders per second); 0: unconfigured
  int64_t cap;         // burst × 1e9
  uint64_t full_after; // ⌈cap / rate⌉ ns
  uint64_t magic;
  uint32_t shift;
};

inline BucketRate bucket_rate(int64_t orders_per_second, int64_t burst) {
  BucketRate r{0, 0, 0, 0, 0};
  if (orders_per_second <= 0) return r;
  r.rate = orders_per_second;
  r.cap = burst * kTokenScale;
  r.full_after = (uint64_t)((r.cap + orders_per_second - 1) / orders_per_second);
  uint32_t l = 0;
  while (((uint64_t)1 << l) < (uint64_t)orders_per_second) ++l;  // ≤ 30 (rate ≤ 1e9): bounded
  r.shift = kRateShiftBase + l;
  const unsigned __int128 two = (unsigned __int128)1 << r.shift;
  r.magic = (uint64_t)((two + (uint64_t)orders_per_second - 1) / (uint64_t)orders_per_second);
  return r;
}

// ⌈deficit / rate⌉ for 1 ≤ deficit ≤ 1e12 by the precomputed reciprocal (no division).
inline int64_t ceil_div_by_rate(int64_t deficit, const BucketRate& r) {
  const uint64_t n = (uint64_t)deficit + (uint64_t)r.rate - 1;  // < 2^41
  return (int64_t)(((unsigned __int128)n * r.magic) >> r.shift);
}

// bucket_level with the precomputed rate: the same number for every state and time.
inline int64_t bucket_level(const TokenBucket& b, const BucketRate& r, int64_t t) {
  const int64_t kept = b.tokens < r.cap ? b.tokens : r.cap;
  if (b.last == kNullI64 || t <= b.last) return kept;
  const uint64_t elapsed = (uint64_t)t - (uint64_t)b.last;  // t > last: exact as unsigned
  if (elapsed >= r.full_after) return r.cap;
  const int64_t level = b.tokens + (int64_t)elapsed * r.rate;  // < 2^60 + cap + rate
  return level < r.cap ? level : r.cap;
}

// bucket_ready with the precomputed rate.
inline i128 bucket_ready(const TokenBucket& b, const BucketRate& r) {
  if (b.last == kNullI64 || b.tokens >= kTokenScale || r.rate <= 0) return -money::kI128Max;
  return (i128)b.last + ceil_div_by_rate(kTokenScale - b.tokens, r);
}

// Weighted requests (throttle weights, docs/risk.md): the earliest time the bucket holds
// `weight` tokens (−∞ for weight 0, or when it holds them now: a bucket never yet refilled is full
// and weight ≤ burst). tokens ≥ 0, so the deficit is at most weight × 1e9 ≤ 1e12.
inline constexpr i128 bucket_ready(const TokenBucket& b, const BucketRate& r, int64_t weight) {
  const int64_t need = weight * kTokenScale;
  if (weight <= 0 || b.last == kNullI64 || b.tokens >= need || r.rate <= 0) return -money::kI128Max;
  return (i128)b.last + ceil_div_by_rate(need - b.tokens, r);
}
// Takes `weight` tokens at `level` (the bucket's level at t); a cancel, never refused, takes what
// is there when that is less (the bucket empties, it never goes below zero).
inline void bucket_take(TokenBucket& b, int64_t level, int64_t t, int64_t weight) {
  const int64_t left = level - weight * kTokenScale;
  b.tokens = left > 0 ? left : 0;
  if (b.last == kNullI64 || t > b.last) b.last = t;
}

constexpr i128 kNoCeiling = money::kI128Max;  // a ceiling that no product reaches

// One instrument: checks 2-6 (and the contract size for check 9).
struct InstrumentThresholds {
  RejectDetail gate;       // first of checks 2-3 that fails whatever the order (none: all pass but
                           // staleness, which depends on the order's time)
  int64_t stale_after;     // check 3: time > stale_after is stale (last_update + max_staleness_ns)
  int64_t jump_until;      // check 3: time < jump_until is untrusted after a price jump (INT64_MIN: none)
  int64_t band_lo;         // check 4: price < band_lo is below the band (≥ 1: a price ≤ 0 is below)
  int64_t band_hi;         //          price > band_hi is above it
  int64_t collar_lo;       // check 5: mark ∓ ⌊collar_bps × mark / 10000⌋, the integer deviations d
  int64_t collar_hi;       //          with d × 10000 ≤ collar_bps × mark
  int64_t max_qty;         // check 6
  i128 notional_pq;        // check 6: ⌈p·q·cs / 1e9⌉ ≤ N ⟺ p·q ≤ ⌊N·1e9 / cs⌋ (kNoCeiling: N = INT64_MAX,
                           //          which today's saturated notional never exceeds)
  i128 pq_cap;             // ⌊2^126 / cs⌋: below it p·q·cs is exact in 128 bits
  int64_t contract_size;
};

// One account × instrument × side: checks 7, 12, 13.
struct SideThresholds {
  int64_t position_room;  // check 7: contracts this side may add (limit − worst case now)
  int64_t reduce_room;    // check 12: max(0, −side × position) − open quantity on the side
  int64_t opposite_best;  // check 13: the account's best open price on the other side
};

// One account: check 9.
struct AccountThresholds {
  i128 credit;    // daily limit − filled − reserved (money ×1e-9)
  i128 credit_x;  // credit × 1e9, compared with p·q·cs (kNoCeiling: credit ≥ INT64_MAX, which no
                  // saturated notional exceeds)
};

// Check 8 of one account × instrument × side (docs/risk.md "Check 8 on thresholds"). For orders
// at or inside the side's reference price — ref = max(best open buy, mark) for buys, min(best open
// sell, mark) for sells — the instrument's requirement with q more contracts, R(q), does not
// depend on the order's price (the side's open-order loss per contract is unchanged), and R is
// non-decreasing in q. The slow path keeps a Q with R(Q) and R(Q + 1); against the account's
// budget B (equity + cash − the other instruments' requirements) an order adding q contracts
// passes when q ≤ Q and R(Q) ≤ B and fails when q > Q and R(Q + 1) > B: exact, as R is monotone,
// whatever B has become since. Anything else — a price beyond ref, a threshold not refreshed since
// the exposure changed, a budget that moved across R(Q) or R(Q + 1) — is answered by computing R.
struct MarginThreshold {
  int64_t ref;
  int64_t qty;    // Q
  i128 at_qty;    // R(Q)
  i128 past_qty;  // R(Q + 1)
  uint8_t valid;
};

// Check 3's jump band, the slow path (every market update): one price series (the mark, or the mid
// as bid + ask, which scales both sides of the comparison alike) against its value at the start of
// the current window. A window starts at the first value and at the first value more than
// jump_window_ns after the window's start; a move of more than max_jump_bps from the window's
// value, |x − ref| × 10000 > max_jump_bps × ref (128-bit, no division), is a jump: the series starts
// a new window at the new value, and the instrument is untrusted until jump_settle_ns after it.
struct JumpAnchor {
  int64_t ref;   // the window's value (≤ 0: none yet)
  int64_t since; // its time
};

// Returns true on a jump. `x` ≤ 0 or `t` null: no value, nothing changes.
inline bool jump_step(JumpAnchor& a, int64_t x, int64_t t, const InstrumentLimits& l) {
  if (l.max_jump_bps <= 0 || x <= 0 || t == kNullI64) return false;
  if (a.ref <= 0 || (i128)t - a.since > l.jump_window_ns) {
    a = JumpAnchor{x, t};
    return false;
  }
  const i128 dev = x > a.ref ? (i128)x - a.ref : (i128)a.ref - x;
  if (dev * 10000 <= (i128)l.max_jump_bps * a.ref) return false;
  a = JumpAnchor{x, t};
  return true;
}

enum class MarginAnswer : uint8_t { pass, fail, compute };

inline MarginAnswer margin_answer(const MarginThreshold& m, int8_t side, int64_t q_add, int64_t eff, i128 budget) {
  if (!m.valid || (side > 0 ? eff > m.ref : eff < m.ref)) return MarginAnswer::compute;
  if (q_add <= m.qty) return m.at_qty <= budget ? MarginAnswer::pass : MarginAnswer::compute;
  return m.past_qty > budget ? MarginAnswer::fail : MarginAnswer::compute;
}

namespace risk_detail {
// (out of line, with the requirement inlined into it: the bisection below calls it a few times)
PW_NOINLINE inline i128 requirement_at_ref(const Exposure& e, int side_ix, int64_t q, int64_t ref, int64_t mark,
                               const ContractValue& unit, int64_t cs, const MarginTable& tiers) {
  return requirement_with_order(e, side_ix, q, ref, mark, unit, cs, tiers).requirement();
}
}  // namespace risk_detail

// The slow path: Q = the most contracts in [0, q_max] that fit `budget` now (0 when none do), so
// that the orders of the coming moments fall on the compare. Bisection over R (two evaluations when
// the whole range fits, as it does for an account far from its margin). `mark` > 0.
inline MarginThreshold margin_threshold(const Exposure& e, int side_ix, int64_t q_max, i128 budget, int64_t mark,
                                        const ContractValue& unit, int64_t cs, const MarginTable& tiers) {
  MarginThreshold t;
  t.valid = 1;
  t.ref = side_ix == 0 ? (e.best_buy > mark ? e.best_buy : mark) : (e.best_sell < mark ? e.best_sell : mark);
  const int64_t hi = q_max > 0 ? q_max : 0;
  int64_t lo = hi;
  i128 r_lo = risk_detail::requirement_at_ref(e, side_ix, hi, t.ref, mark, unit, cs, tiers);
  if (r_lo > budget && hi > 0) {
    // Bisection keeping R(lo) ≤ budget < R(bad); when even R(0) exceeds the budget, Q = 0.
    int64_t bad = hi;
    lo = 0;
    r_lo = risk_detail::requirement_at_ref(e, side_ix, 0, t.ref, mark, unit, cs, tiers);
    while (r_lo <= budget && bad - lo > 1) {
      PW_HLS_PRAGMA(HLS LOOP_TRIPCOUNT min=0 max=32 avg=2)
      const int64_t mid = lo + (bad - lo) / 2;
      const i128 r = risk_detail::requirement_at_ref(e, side_ix, mid, t.ref, mark, unit, cs, tiers);
      if (r <= budget) lo = mid, r_lo = r;
      else bad = mid;
    }
  }
  t.qty = lo;
  t.at_qty = r_lo;
  t.past_qty = risk_detail::requirement_at_ref(e, side_ix, lo + 1, t.ref, mark, unit, cs, tiers);
  return t;
}

// Check 10: the earliest request time at which the bucket holds a whole token.
//   level(t) = min(cap, tokens + (t − last) × rate) for t > last, tokens otherwise (cap ≥ 1e9);
//   level(t) ≥ 1e9 ⟺ tokens ≥ 1e9, or t − last ≥ ⌈(1e9 − tokens) / rate⌉ (which implies t > last).
inline i128 bucket_ready(const TokenBucket& b, int64_t orders_per_second) {
  // (an unconfigured bucket, rate 0, is never read: request validity refuses its orders)
  if (b.last == kNullI64 || b.tokens >= kTokenScale || orders_per_second <= 0) return -money::kI128Max;
  const int64_t deficit = kTokenScale - b.tokens;  // 0 < deficit ≤ 1e9 (tokens ≥ 0)
  return (i128)b.last + (deficit + orders_per_second - 1) / orders_per_second;
}

namespace risk_detail {
inline int64_t clamp64(i128 v) { return v > (i128)INT64_MAX ? INT64_MAX : v < (i128)INT64_MIN ? INT64_MIN : (int64_t)v; }
}  // namespace risk_detail

// Checks 2-3's order-independent part, in their order.
inline constexpr RejectDetail instrument_gate(bool configured, const InstrumentMarket& m) {
  if (!configured) return RejectDetail::instrument_unknown;
  if (!m.tradable) return RejectDetail::instrument_not_tradable;
  if (m.trading_status != kTradingStatusOpen) return RejectDetail::trading_status_not_open;
  if (!m.synced) return RejectDetail::book_unsynced;
  // Synced but implausible: an exchange's book never stays crossed or locked, so a bid at or above
  // the ask means the book (or its feed) is wrong; the gate refuses until it uncrosses.
  if (m.best_bid != kNullI64 && m.best_ask != kNullI64 && m.best_bid >= m.best_ask) return RejectDetail::book_crossed;
  if (m.mark <= 0 || m.contract_size <= 0) return RejectDetail::no_mark;
  if (m.last_update == kNullI64) return RejectDetail::market_data_stale;
  return RejectDetail::none;
}

// The parts that follow the market's flags, band and time (every market update; no division).
inline constexpr void refresh_instrument_flags(InstrumentThresholds& t, bool configured, const InstrumentLimits& l,
                                     const InstrumentMarket& m) {
  t.gate = instrument_gate(configured, m);
  // age = time − last_update > max_staleness ⟺ time > last_update + max_staleness (exact in 128
  // bits; a sum past INT64_MAX is never exceeded, as no age fits past it either).
  t.stale_after = m.last_update == kNullI64 ? INT64_MIN : risk_detail::clamp64((i128)m.last_update + l.max_staleness_ns);
  t.band_lo = (m.limit_down == kNullI64 || m.limit_down < 1) ? 1 : m.limit_down;
  t.band_hi = m.limit_up == kNullI64 ? INT64_MAX : m.limit_up;
}

// The parts that follow the mark, the contract size and the limits (they divide).
inline constexpr void refresh_instrument_prices(InstrumentThresholds& t, const InstrumentLimits& l, const InstrumentMarket& m) {
  t.max_qty = l.max_order_qty;
  t.contract_size = m.contract_size;
  if (m.mark <= 0 || m.contract_size <= 0) {  // the gate refuses every order: nothing to compare
    t.collar_lo = t.collar_hi = 0;
    t.notional_pq = t.pq_cap = 0;
    return;
  }
  const i128 dev = (i128)l.collar_bps * m.mark / 10000;  // ⌊·⌋ of a positive value
  t.collar_lo = risk_detail::clamp64((i128)m.mark - dev);
  t.collar_hi = risk_detail::clamp64((i128)m.mark + dev);
  t.notional_pq = l.max_order_notional >= INT64_MAX ? kNoCeiling : (i128)l.max_order_notional * kPriceScale / m.contract_size;
  t.pq_cap = ((i128)1 << 126) / m.contract_size;
}

// Check 9's headroom from the account's day so far: filled + reserved − old + new ≤ limit.
inline constexpr AccountThresholds account_thresholds(const AccountLimits& l, int64_t filled, int64_t reserved) {
  AccountThresholds t{};
  t.credit = (i128)l.daily_notional_limit - filled - reserved;
  t.credit_x = t.credit >= (i128)INT64_MAX ? kNoCeiling : t.credit * kPriceScale;
  return t;
}

// Checks 7, 12, 13 of one side from the exposure (`side_ix` 0: buys, 1: sells).
inline constexpr SideThresholds side_thresholds(const Exposure& e, int side_ix, int64_t max_position) {
  SideThresholds t{};
  if (side_ix == 0) {
    t.position_room = max_position - (e.position + e.open_buy);
    t.reduce_room = (e.position < 0 ? -e.position : 0) - e.open_buy;
    t.opposite_best = e.best_sell;
  } else {
    t.position_room = max_position - (e.open_sell - e.position);
    t.reduce_room = (e.position > 0 ? e.position : 0) - e.open_sell;
    t.opposite_best = e.best_buy;
  }
  return t;
}

}  // namespace pw
