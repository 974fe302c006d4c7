// FIX decimal text ↔ perpwire's fixed-point integers (prices ×1e-9), exactly: no floating point
// between the risk engine's number and the bytes on the wire.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pw::fix {

// Writes `v` ×1e-9 as the shortest decimal ("2230.5", "-0.000000001", "7"); returns its length.
// `out` needs 22 bytes.
inline size_t format_e9(int64_t v, char* out) {
  char tmp[32];
  size_t n = 0;
  const bool neg = v < 0;
  uint64_t u = neg ? 0 - (uint64_t)v : (uint64_t)v;
  uint64_t frac = u % 1'000'000'000ull, whole = u / 1'000'000'000ull;
  int digits = 9;
  while (digits > 0 && frac % 10 == 0) {
    frac /= 10;
    --digits;
  }
  for (int i = 0; i < digits; ++i) {
    tmp[n++] = (char)('0' + frac % 10);
    frac /= 10;
  }
  if (digits > 0) tmp[n++] = '.';
  do {
    tmp[n++] = (char)('0' + whole % 10);
    whole /= 10;
  } while (whole != 0);
  if (neg) tmp[n++] = '-';
  for (size_t i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
  out[n] = '\0';
  return n;
}

// Reads a FIX decimal ("-12.5", "3", ".25") as ×1e-9. False for anything else, more than 9
// decimals that are not zeros, or a value beyond int64.
inline bool parse_e9(std::string_view s, int64_t& out) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  unsigned __int128 whole = 0, frac = 0;
  int frac_digits = 0;
  bool any = false, dot = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') return false;
    any = true;
    if (!dot) {
      whole = whole * 10 + (unsigned)(c - '0');
      if (whole > (unsigned __int128)INT64_MAX) return false;
    } else if (frac_digits < 9) {
      frac = frac * 10 + (unsigned)(c - '0');
      ++frac_digits;
    } else if (c != '0') {
      return false;  // finer than 1e-9: not representable exactly
    }
  }
  if (!any) return false;
  for (; frac_digits < 9; ++frac_digits) frac *= 10;
  const unsigned __int128 v = whole * 1'000'000'000u + frac;
  if (v > (unsigned __int128)INT64_MAX) return false;
  out = neg ? -(int64_t)v : (int64_t)v;
  return true;
}

// A non-negative decimal integer (quantities, sequence numbers, client order ids).
inline bool parse_int(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace pw::fix
