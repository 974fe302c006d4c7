// Impact price: the average fill price of selling (impact bid) or buying (impact ask) a notional
// against one side of the book, walking levels from the best, the last level filled partially.
// Exact integer math, one rounding at the end. Formulas and a worked example: docs/formulas.md.
//
// Units: price ×1e-9, qty whole contracts, contract size ×1e-9 underlying units per contract,
// notional ×1e-9 quote currency. With p, q, cs raw integers, a level's notional in quote units is
// p·q·cs / 1e18, so the walk compares raw products L = p·q·cs with T = notional·1e9 (both ×1e-18).
// With the full levels j (filling Σ L_j < T) and the last level at price p_k filling R = T − Σ L_j:
//   base filled  = Σ q_j·cs + R / p_k            (underlying ×1e-9)
//   impact       = T / base = T·p_k / (p_k·Σ q_j·cs + R)
// rounded DOWN for the impact bid and UP for the impact ask: against the taker who would fill it, so
// the premium it feeds never looks more favourable than the book is. T·p_k may need more than
// 128 bits (≈ notional $1M at prices above $170k); then a 192-bit by 128-bit division is used.
// The result always lies between the best and the last walked price.
#pragma once
#include <cstdint>

#include "core/fixed_point.hpp"

namespace pw {

namespace impact_detail {

using u128 = unsigned __int128;

// ⌊a·b / d⌋ for a·b < 2^64·d (the quotient fits 64 bits), with `inexact` set when a remainder is
// left. Fast path when a·b fits 128 bits; otherwise a 192-bit product and 64 steps of restoring
// division (d < 2^127, so the running remainder never overflows).
inline uint64_t mul_div_u(u128 a, uint64_t b, u128 d, bool& inexact) {
  u128 prod;
  if (!__builtin_mul_overflow(a, (u128)b, &prod)) {
    u128 q = prod / d;
    inexact = q * d != prod;
    return (uint64_t)q;
  }
  const uint64_t a0 = (uint64_t)a, a1 = (uint64_t)(a >> 64);
  const u128 p0 = (u128)a0 * b, p1 = (u128)a1 * b;
  const uint64_t limb0 = (uint64_t)p0;
  const u128 mid = (p0 >> 64) + (u128)(uint64_t)p1;
  const u128 top = ((u128)((uint64_t)(p1 >> 64) + (uint64_t)(mid >> 64)) << 64) | (uint64_t)mid;
  u128 rem = top;  // < d by the precondition
  uint64_t q = 0;
  for (int i = 63; i >= 0; --i) {
    rem = (rem << 1) | ((limb0 >> i) & 1u);
    q <<= 1;
    if (rem >= d) {
      rem -= d;
      q |= 1u;
    }
  }
  inexact = rem != 0;
  return q;
}

}  // namespace impact_detail

// Walks levels best first: init once, add_level per level until it returns true (filled), then
// result(). Any level with a price ≤ 0, a quantity ≤ 0, or a product past 127 bits makes the walk
// fail (result null): impact prices are defined for positive prices only.
class ImpactWalk {
 public:
  using i128 = __int128;

  // side_sign: +1 selling into bids (impact bid, rounded down), −1 buying from asks (rounded up).
  void init(int side_sign, int64_t notional, int64_t contract_size) {
    side_ = side_sign;
    done_ = false;
    failed_ = notional <= 0 || contract_size <= 0 || notional == kNullI64;
    target_ = failed_ ? 0 : (i128)notional * kPriceScale;
    cs_ = contract_size;
    filled_ = 0;
    base_ = 0;
    last_price_ = 0;
  }

  // Takes one more level; true once the notional is filled (or the walk failed: stop either way).
  bool add_level(int64_t price, int64_t qty) {
    if (done_ || failed_) return true;
    if (price <= 0 || qty <= 0) {
      failed_ = true;
      return true;
    }
    i128 base_q;  // qty·cs, underlying ×1e-9
    i128 level;   // price·qty·cs, quote ×1e-18
    if (__builtin_mul_overflow((i128)qty, (i128)cs_, &base_q) || __builtin_mul_overflow(base_q, (i128)price, &level)) {
      // Past 127 bits the level alone covers any target (T < 2^94): it is the partial one.
      level = -1;
    }
    if (level >= 0 && filled_ + level < target_) {
      filled_ += level;
      base_ += base_q;
      return false;
    }
    last_price_ = price;
    done_ = true;
    return true;
  }

  // The impact price, or kNullI64 when the levels did not fill the notional.
  int64_t result() const {
    if (failed_ || !done_) return kNullI64;
    const i128 rest = target_ - filled_;  // R > 0
    i128 den;
    if (__builtin_mul_overflow(base_, (i128)last_price_, &den) || __builtin_add_overflow(den, rest, &den)) return kNullI64;
    bool inexact = false;
    uint64_t q = impact_detail::mul_div_u((impact_detail::u128)target_, (uint64_t)last_price_, (impact_detail::u128)den, inexact);
    if (side_ < 0 && inexact) ++q;  // impact ask rounds up
    return (int64_t)q;
  }

  bool filled() const { return done_ && !failed_; }

 private:
  i128 target_ = 0;  // notional × 1e9
  i128 filled_ = 0;  // Σ p·q·cs of the full levels
  i128 base_ = 0;    // Σ q·cs of the full levels
  int64_t cs_ = 0;
  int64_t last_price_ = 0;
  int side_ = 1;
  bool done_ = false;
  bool failed_ = true;
};

}  // namespace pw
