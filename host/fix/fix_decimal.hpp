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

// UTCTimestamp "YYYYMMDD-HH:MM:SS.sssssssss" (nanoseconds, as FIX allows) ↔ ns since the epoch.
// `out` needs 27 bytes; returns the length.
inline size_t format_utc_ns(int64_t ns, char* out) {
  if (ns < 0) ns = 0;
  int64_t secs = ns / 1'000'000'000, frac = ns % 1'000'000'000;
  int64_t days = secs / 86400, rem = secs % 86400;
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  days += 719468;
  const int64_t era = days / 146097, doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
  auto put = [&](size_t at, int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      out[at + (size_t)i] = (char)('0' + v % 10);
      v /= 10;
    }
  };
  put(0, y, 4);
  put(4, m, 2);
  put(6, d, 2);
  out[8] = '-';
  put(9, rem / 3600, 2);
  out[11] = ':';
  put(12, rem / 60 % 60, 2);
  out[14] = ':';
  put(15, rem % 60, 2);
  out[17] = '.';
  put(18, frac, 9);
  out[27] = '\0';
  return 27;
}

inline bool parse_utc_ns(std::string_view s, int64_t& ns) {
  if (s.size() < 17 || s[8] != '-' || s[11] != ':' || s[14] != ':') return false;
  auto num = [&](size_t at, size_t width, int64_t& v) {
    v = 0;
    for (size_t i = at; i < at + width; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    return true;
  };
  int64_t y, m, d, hh, mm, ss, frac = 0;
  if (!num(0, 4, y) || !num(4, 2, m) || !num(6, 2, d) || !num(9, 2, hh) || !num(12, 2, mm) || !num(15, 2, ss)) return false;
  if (m < 1 || m > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60) return false;
  if (s.size() > 17) {
    const size_t digits = s.size() - 18;
    if (s[17] != '.' || digits < 1 || digits > 9 || !num(18, digits, frac)) return false;
    for (size_t i = digits; i < 9; ++i) frac *= 10;
  }
  y -= m <= 2;
  const int64_t era = y / 400, yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = era * 146097 + doe - 719468;
  ns = ((days * 86400 + hh * 3600 + mm * 60 + ss) * 1'000'000'000) + frac;
  return true;
}

}  // namespace pw::fix
