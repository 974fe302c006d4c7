// Money math of the risk gate: notional, tiered initial margin, open-order loss, unrealized PnL,
// funding, and the position/cash update of a fill. Integer fixed point only, every division with
// a stated rounding that never flatters the account: exposure, margin and payments round UP,
// equity and receipts round DOWN. Formulas and worked examples: docs/risk.md.
//
// Units: prices and contract sizes ×1e-9, money (cash, notional, margin, PnL) ×1e-9 of the quote
// currency, funding rates ×1e-9 per interval, quantities whole contracts. Products are taken in
// 128 bits; a product past 128 bits, or a result past 64 bits, saturates to ±INT64_MAX (only
// reachable with absurd inputs: limits are validated well inside, see docs/risk.md "Ranges").
#pragma once
#include <cstdint>

#include "core/fixed_point.hpp"

namespace pw {

using i128 = __int128;

constexpr int kMaxMarginTiers = 8;

// One tier: position notional up to `notional_cap` (money ×1e-9) is margined at 1/max_leverage.
struct MarginTier {
  int64_t notional_cap;  // upper bound of the tier (not read for the last tier)
  int64_t max_leverage;  // ≥ 1; the margin rate is 1 / max_leverage
};

struct MarginTable {
  MarginTier tiers[kMaxMarginTiers];
  int32_t count;
};

namespace money {

constexpr i128 kI128Max = (i128)(((unsigned __int128)1 << 127) - 1);

inline int64_t sat64(i128 v) { return v > (i128)INT64_MAX ? INT64_MAX : v < -(i128)INT64_MAX ? -INT64_MAX : (int64_t)v; }

// a × b saturated to ±kI128Max.
inline i128 mul_sat(i128 a, i128 b) {
  i128 p;
  if (__builtin_mul_overflow(a, b, &p)) return ((a < 0) != (b < 0)) ? -kI128Max : kI128Max;
  return p;
}

// Division by a positive denominator with an explicit rounding.
inline i128 div_floor(i128 n, int64_t den) {
  i128 q = n / den;
  return (q * den > n) ? q - 1 : q;
}
inline i128 div_ceil(i128 n, int64_t den) {
  i128 q = n / den;
  return (q * den < n) ? q + 1 : q;
}

// ⌊x / 1e9⌋ of 0 ≤ x, with the remainder. Below 2^96 (every product of the checks in practice) it
// takes two 64-bit divisions by a constant, which compilers turn into multiplications; above, the
// general 128-bit division. Exact either way.
inline unsigned __int128 udiv_1e9(unsigned __int128 x, uint64_t& rem) {
  constexpr uint64_t d = 1000000000u;
  if ((x >> 96) == 0) {
    uint64_t hi = (uint64_t)(x >> 32);
    uint64_t q_hi = hi / d;
    uint64_t cur = ((hi - q_hi * d) << 32) | (uint64_t)(uint32_t)x;  // remainder < 2^30: fits
    uint64_t q_lo = cur / d;
    rem = cur - q_lo * d;
    return ((unsigned __int128)q_hi << 32) + q_lo;
  }
  unsigned __int128 q = x / d;
  rem = (uint64_t)(x - q * d);
  return q;
}
// ⌊n / 1e9⌋ and ⌈n / 1e9⌉ of any n.
inline i128 div_1e9_floor(i128 n) {
  uint64_t r;
  if (n >= 0) return (i128)udiv_1e9((unsigned __int128)n, r);
  i128 q = (i128)udiv_1e9((unsigned __int128)(-n), r);
  return r != 0 ? -q - 1 : -q;
}
inline i128 div_1e9_ceil(i128 n) {
  uint64_t r;
  if (n < 0) return -(i128)udiv_1e9((unsigned __int128)(-n), r);
  i128 q = (i128)udiv_1e9((unsigned __int128)n, r);
  return r != 0 ? q + 1 : q;
}

// a × b × c exactly (saturated past 128 bits); one 64 × 64 multiplication when a × b fits in 64 bits.
inline i128 mul3(int64_t a, int64_t b, int64_t c) {
  i128 ab = (i128)a * b;
  if (ab == (i128)(int64_t)ab) return (i128)(int64_t)ab * c;
  return mul_sat(ab, c);
}

// a × b × c / 1e9, rounded toward +∞ / −∞ (money from price × qty × contract size and similar).
inline int64_t mul3_ceil(int64_t a, int64_t b, int64_t c) { return sat64(div_1e9_ceil(mul3(a, b, c))); }
inline int64_t mul3_floor(int64_t a, int64_t b, int64_t c) { return sat64(div_1e9_floor(mul3(a, b, c))); }

// Notional of `qty` contracts at `price`: ⌈price × qty × contract_size / 1e9⌉ (qty, price ≥ 0).
inline int64_t notional_ceil(int64_t price, int64_t qty, int64_t contract_size) { return mul3_ceil(price, qty, contract_size); }

}  // namespace money

// Initial margin of a position notional (money ×1e-9, ≥ 0), bracket by bracket: the part of the
// notional inside tier k is margined at 1 / max_leverage_k, each slice rounded up:
//   IM = Σ_k ⌈slice_k / max_leverage_k⌉,  slice_k = clamp(N − cap_{k−1}, 0, cap_k − cap_{k−1}), cap_{−1} = 0
// (the last tier takes everything above the previous cap).
inline int64_t tiered_initial_margin(int64_t notional, const MarginTable& t) {
  int64_t im = 0, lower = 0;
  for (int k = 0; k < kMaxMarginTiers; ++k) {
    if (k >= t.count || notional <= lower) break;
    bool last = k + 1 == t.count;
    int64_t upper = (last || notional < t.tiers[k].notional_cap) ? notional : t.tiers[k].notional_cap;
    const int64_t slice = upper - lower, lev = t.tiers[k].max_leverage;  // slice ≥ 0, lev ≥ 1
    im += slice / lev + (slice % lev != 0);  // ⌈slice / lev⌉ in 64 bits (the i128 form gives the same)
    lower = upper;
  }
  return im;
}

// Funding paid by a position for one interval: ⌈position × mark × contract_size × rate / 1e18⌉
// (positive: the account pays; negative: it receives). Longs pay when rate > 0. Rounded up, so a
// payer pays the fraction and a receiver does not receive it.
inline int64_t funding_payment(int64_t position, int64_t mark, int64_t contract_size, int64_t rate) {
  // position × rate × contract size first: small factors, usually one 64 × 64 multiplication left.
  i128 p = money::mul_sat(money::mul3(position, rate, contract_size), mark);
  // ⌈⌈p / 1e9⌉ / 1e9⌉ = ⌈p / 1e18⌉ (nested ceilings by positive integers compose).
  return money::sat64(money::div_1e9_ceil(money::div_1e9_ceil(p)));
}

// The account's exposure in one instrument, as the margin check sees it. Open quantities are the
// contracts reserved by open orders; best prices are the most aggressive open buy (highest) and
// sell (lowest) prices, kNoBuyPrice / kNoSellPrice when the side has none.
constexpr int64_t kNoBuyPrice = INT64_MIN;
constexpr int64_t kNoSellPrice = INT64_MAX;

struct Exposure {
  int64_t position;     // contracts, > 0 long
  int64_t entry_price;  // average entry ×1e-9 (0 when flat)
  int64_t open_buy;     // contracts reserved by open buys
  int64_t open_sell;
  int64_t best_buy;
  int64_t best_sell;
};

inline bool is_flat(const Exposure& e) { return e.position == 0 && e.open_buy == 0 && e.open_sell == 0; }

struct MarginParts {
  int64_t initial;       // tiered IM of the worst-case position at mark
  int64_t open_loss;     // loss against mark if open orders fill at their limits
  int64_t unrealized;    // position PnL at mark (rounded down)
  int64_t funding_owed;  // funding the position would pay this interval at the running rate (≥ 0)
  i128 requirement() const { return (i128)initial + open_loss; }
  i128 equity() const { return (i128)unrealized - funding_owed; }
};

// Margin of one instrument (check 8). `mark` ≤ 0 (none yet) values the position at its entry price.
//   worst = max(position + open_buy, open_sell − position)                      contracts
//   initial = tiered_initial_margin(⌈mark × worst × cs / 1e9⌉)
//   open_loss = ⌈max(0, best_buy − mark) × open_buy × cs / 1e9⌉ + ⌈max(0, mark − best_sell) × open_sell × cs / 1e9⌉
//   unrealized = ⌊position × (mark − entry) × cs / 1e9⌋
//   funding_owed = max(0, funding_payment(position, mark, cs, rate))
// margin_requirement() fills the first two (what an order can change), instrument_margin() all four.

// One contract's value at a price: price × contract_size / 1e9 = whole + frac / 1e9 (money ×1e-9),
// so that notionals at that price need no 128-bit division:
//   ⌈qty × price × cs / 1e9⌉ = qty × whole + ⌈qty × frac / 1e9⌉   (exact, qty ≥ 0)
struct ContractValue {
  int64_t whole;
  int64_t frac;  // 0 ≤ frac < 1e9
};
inline ContractValue contract_value(int64_t price, int64_t contract_size) {
  i128 v = (i128)price * contract_size;
  i128 whole = money::div_1e9_floor(v);
  return ContractValue{money::sat64(whole), (int64_t)(v - whole * kPriceScale)};
}
inline int64_t notional_ceil(int64_t qty, const ContractValue& unit) {
  if (qty < ((int64_t)1 << 33)) {  // qty × frac < 2^63: one 64-bit division by a constant
    uint64_t f = (uint64_t)qty * (uint64_t)unit.frac;
    return money::sat64((i128)qty * unit.whole + (int64_t)((f + 999999999u) / 1000000000u));
  }
  return money::sat64((i128)qty * unit.whole + money::div_1e9_ceil((i128)qty * unit.frac));
}

// The requirement at a valuation price given with its contract value (the check keeps the mark's).
inline MarginParts margin_requirement(const Exposure& e, int64_t price, const ContractValue& unit, int64_t contract_size,
                                      const MarginTable& tiers) {
  MarginParts m{0, 0, 0, 0};
  int64_t worst_long = e.position + e.open_buy;
  int64_t worst_short = e.open_sell - e.position;
  int64_t worst = worst_long > worst_short ? worst_long : worst_short;
  if (worst > 0) m.initial = tiered_initial_margin(notional_ceil(worst, unit), tiers);
  if (e.open_buy > 0 && e.best_buy > price) m.open_loss += money::mul3_ceil(e.best_buy - price, e.open_buy, contract_size);
  if (e.open_sell > 0 && e.best_sell < price) m.open_loss += money::mul3_ceil(price - e.best_sell, e.open_sell, contract_size);
  return m;
}
inline MarginParts margin_requirement(const Exposure& e, int64_t mark, int64_t contract_size, const MarginTable& tiers) {
  int64_t price = mark > 0 ? mark : e.entry_price;
  return margin_requirement(e, price, contract_value(price, contract_size), contract_size, tiers);
}

// The requirement of the exposure with `q_add` more contracts on one side (`side_ix` 0: buys)
// whose most aggressive price becomes at least `eff`: what check 8 weighs an order by.
inline MarginParts requirement_with_order(Exposure e, int side_ix, int64_t q_add, int64_t eff, int64_t mark,
                                          const ContractValue& unit, int64_t contract_size, const MarginTable& tiers) {
  if (side_ix == 0) {
    e.open_buy += q_add;
    if (eff > e.best_buy) e.best_buy = eff;
  } else {
    e.open_sell += q_add;
    if (eff < e.best_sell) e.best_sell = eff;
  }
  return margin_requirement(e, mark, unit, contract_size, tiers);
}

inline MarginParts instrument_margin(const Exposure& e, int64_t mark, int64_t contract_size, int64_t funding_rate,
                                     const MarginTable& tiers) {
  MarginParts m = margin_requirement(e, mark, contract_size, tiers);
  if (e.position != 0) {
    int64_t price = mark > 0 ? mark : e.entry_price;
    m.unrealized = money::mul3_floor(e.position, price - e.entry_price, contract_size);
    int64_t owed = funding_payment(e.position, price, contract_size, funding_rate);
    m.funding_owed = owed > 0 ? owed : 0;
  }
  return m;
}

// A fill of `qty` contracts at `price` on side `side` (kBuy / kSell) against a position:
//  - adding to the position (or opening it): the average entry moves to
//      (|position| × entry + qty × price) / (|position| + qty), rounded against the position
//      (up for a long, down for a short), so unrealized PnL is never overstated;
//  - reducing it: closed = min(qty, |position|) contracts realize
//      ⌊sign(position) × closed × (price − entry) × cs / 1e9⌋ (rounded down) into cash;
//      a remainder beyond flat opens the other way at the fill price.
// Returns the realized PnL (money ×1e-9).
inline int64_t apply_fill(int64_t& position, int64_t& entry_price, int8_t side, int64_t qty, int64_t price,
                          int64_t contract_size) {
  if (position == 0 || (position > 0) == (side > 0)) {
    int64_t held = position < 0 ? -position : position;
    i128 num = (i128)held * entry_price + (i128)qty * price;
    i128 avg = side > 0 ? money::div_ceil(num, held + qty) : money::div_floor(num, held + qty);
    entry_price = (int64_t)avg;  // a weighted mean of two int64 prices fits
    position += side > 0 ? qty : -qty;
    return 0;
  }
  int64_t held = position < 0 ? -position : position;
  int64_t closed = qty < held ? qty : held;
  int64_t realized = money::mul3_floor(position > 0 ? closed : -closed, price - entry_price, contract_size);
  position += side > 0 ? qty : -qty;
  if (position == 0) entry_price = 0;
  else if (qty > closed) entry_price = price;  // flipped: the remainder opened at the fill price
  return realized;
}

}  // namespace pw
