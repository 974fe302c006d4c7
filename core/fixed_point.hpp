// Fixed-point price and quantity types shared by every stage.
// Prices travel as int64 scaled by 1e9 (the feed's Price/Price9 types); all math stays in integers
// so that the software path, the HLS kernels and the tests agree bit for bit.
#pragma once
#include <cstdint>
#include <cstddef>

namespace pw {

using price_t = int64_t;                      // value × 1e-9
constexpr int64_t kPriceScale = 1000000000;   // 1e9
constexpr int kPriceDecimals = 9;

constexpr int64_t kNullI64 = INT64_MIN;
constexpr int32_t kNullI32 = INT32_MIN;
constexpr int16_t kNullI16 = INT16_MIN;
constexpr int8_t kNullI8 = INT8_MIN;

constexpr bool is_null_price(price_t p) { return p == kNullI64; }

constexpr price_t price_from_units(int64_t whole) { return whole * kPriceScale; }

// Writes the exact decimal form of a 1e-9 fixed-point value ("32.7", "-0.49", "1000", "0.000000001").
// `out` needs 22 bytes; returns the length (no terminating NUL is written).
inline int format_fixed9(int64_t v, char* out) {
  uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  uint64_t whole = mag / (uint64_t)kPriceScale;
  uint64_t frac = mag % (uint64_t)kPriceScale;
  char tmp[24];
  int n = 0;
  if (v < 0) out[n++] = '-';
  int t = 0;
  do {
    tmp[t++] = (char)('0' + whole % 10);
    whole /= 10;
  } while (whole != 0);
  while (t > 0) out[n++] = tmp[--t];
  if (frac != 0) {
    out[n++] = '.';
    char digits[kPriceDecimals];
    for (int i = kPriceDecimals - 1; i >= 0; --i) {
      digits[i] = (char)('0' + frac % 10);
      frac /= 10;
    }
    int last = kPriceDecimals - 1;
    while (digits[last] == '0') --last;
    for (int i = 0; i <= last; ++i) out[n++] = digits[i];
  }
  return n;
}

// Parses a decimal ("-32.70", "5", "0.000000001") into 1e-9 fixed point. Rejects more than nine
// decimals, empty input, stray characters and overflow: the result is exact or the call fails.
inline bool parse_fixed9(const char* s, size_t len, int64_t& out) {
  size_t i = 0;
  bool neg = false;
  if (i < len && (s[i] == '-' || s[i] == '+')) {
    neg = s[i] == '-';
    ++i;
  }
  uint64_t whole = 0, frac = 0;
  int whole_digits = 0, frac_digits = 0;
  for (; i < len && s[i] >= '0' && s[i] <= '9'; ++i, ++whole_digits) {
    if (whole > (uint64_t)(INT64_MAX / kPriceScale) / 10 * 10 + 9) return false;
    whole = whole * 10 + (uint64_t)(s[i] - '0');
  }
  if (i < len && s[i] == '.') {
    ++i;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; ++i, ++frac_digits) {
      if (frac_digits >= kPriceDecimals) return false;
      frac = frac * 10 + (uint64_t)(s[i] - '0');
    }
  }
  if (i != len || whole_digits + frac_digits == 0) return false;
  for (int d = frac_digits; d < kPriceDecimals; ++d) frac *= 10;
  if (whole > (uint64_t)(INT64_MAX / kPriceScale)) return false;
  uint64_t mag = whole * (uint64_t)kPriceScale + frac;
  if (mag > (uint64_t)INT64_MAX) return false;
  out = neg ? -(int64_t)mag : (int64_t)mag;
  return true;
}

// Rounding helpers used by every formula: integer division with an explicit rule.
// Round half away from zero.
constexpr int64_t div_round(int64_t num, int64_t den) {
  int64_t q = num / den, r = num % den;
  int64_t twice = (r < 0 ? -r : r) * 2;
  int64_t aden = den < 0 ? -den : den;
  if (twice >= aden) q += ((num < 0) != (den < 0)) ? -1 : 1;
  return q;
}
// num / 2 rounded half away from zero, equal to div_round(num, 2) for every num, by a shift: the
// mid of the book is taken on every event.
constexpr int64_t div2_round(int64_t num) {
  const uint64_t mag = num < 0 ? 0 - (uint64_t)num : (uint64_t)num;
  const int64_t q = (int64_t)((mag + 1) >> 1);
  return num < 0 ? -q : q;
}
// Floor division (toward −∞).
constexpr int64_t div_floor(int64_t num, int64_t den) {
  int64_t q = num / den;
  if ((num % den != 0) && ((num < 0) != (den < 0))) --q;
  return q;
}
// Ceiling division (toward +∞).
constexpr int64_t div_ceil(int64_t num, int64_t den) { return -div_floor(-num, den); }

// a × b / den with a 128-bit intermediate, rounded half away from zero. Used for price × rate,
// notional / price and similar products that overflow 64 bits.
inline int64_t mul_div_round(int64_t a, int64_t b, int64_t den) {
  __int128 num = (__int128)a * (__int128)b;
  __int128 q = num / den, r = num % den;
  __int128 ar = r < 0 ? -r : r;
  __int128 aden = den < 0 ? -(__int128)den : (__int128)den;
  if (ar * 2 >= aden) q += ((num < 0) != (den < 0)) ? -1 : 1;
  return (int64_t)q;
}
inline int64_t mul_div_floor(int64_t a, int64_t b, int64_t den) {
  __int128 num = (__int128)a * (__int128)b;
  __int128 q = num / den;
  if ((num % den != 0) && ((num < 0) != (den < 0))) --q;
  return (int64_t)q;
}

}  // namespace pw
