// Funding boundaries in a venue's own time zone, and the hours a venue charges no funding.
// Fixed US rules in integer code (no OS time-zone data), so the same code runs in core/, the HLS
// kernels and the tests:
//   America/Chicago   UTC−6 (CST), UTC−5 (CDT)
//   America/New_York  UTC−5 (EST), UTC−4 (EDT)
//   daylight time from the second Sunday of March, 02:00 local standard time, to the first Sunday
//   of November, 02:00 local daylight time (the rule in force since 2007; earlier years are
//   computed with the same rule).
// Boundaries of a calendar sit at offset + k × interval in LOCAL time; a local instant that does
// not exist (the spring-forward hour) or exists twice (the fall-back hour) is taken at the UTC
// instant its standard-time reading gives, moved by the offset in force then (docs/formulas.md §9).
#pragma once
#include <cstdint>

#include "core/fixed_point.hpp"

namespace pw {

enum class TimeZone : uint8_t { utc = 0, america_chicago = 1, america_new_york = 2 };

namespace cal_detail {

constexpr int64_t kSec = 1000000000LL;
constexpr int64_t kHourNs = 3600 * kSec;
constexpr int64_t kDayNs = 24 * kHourNs;

// Days since 1970-01-01 of a civil date (proleptic Gregorian; H. Hinnant's days_from_civil).
constexpr int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}
// Civil year of a day number.
constexpr int64_t year_of_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (m <= 2 ? 1 : 0);
}
// 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday).
constexpr int64_t weekday(int64_t days) { return ((days % 7) + 11) % 7; }
// The n-th Sunday (n ≥ 1) of a month, as a day number.
constexpr int64_t nth_sunday(int64_t y, int64_t m, int64_t n) {
  const int64_t first = days_from_civil(y, m, 1);
  return first + (7 - weekday(first)) % 7 + 7 * (n - 1);
}
constexpr int64_t standard_offset_ns(TimeZone z) {
  return z == TimeZone::america_chicago ? -6 * kHourNs : z == TimeZone::america_new_york ? -5 * kHourNs : 0;
}

}  // namespace cal_detail

// UTC offset (local − UTC, ns) in force at UTC instant t.
constexpr int64_t utc_offset_ns(TimeZone z, int64_t t) {
  using namespace cal_detail;
  if (z == TimeZone::utc) return 0;
  const int64_t std_off = standard_offset_ns(z);
  const int64_t y = year_of_days(div_floor(t + std_off, kDayNs));
  // 02:00 local standard time on the second Sunday of March; 02:00 local daylight time (= 01:00
  // standard) on the first Sunday of November.
  const int64_t dst_start = nth_sunday(y, 3, 2) * kDayNs + 2 * kHourNs - std_off;
  const int64_t dst_end = nth_sunday(y, 11, 1) * kDayNs + 1 * kHourNs - std_off;
  return t >= dst_start && t < dst_end ? std_off + kHourNs : std_off;
}

// UTC instant of a local wall-clock reading (see the header for the hours that do not map 1:1).
constexpr int64_t local_to_utc(TimeZone z, int64_t local) {
  const int64_t guess = local - cal_detail::standard_offset_ns(z);
  return local - utc_offset_ns(z, guess);
}

// Latest boundary at or before t: local grid offset + k × interval (0 ≤ offset < interval).
constexpr int64_t boundary_floor(TimeZone z, int64_t t, int64_t interval, int64_t offset) {
  if (z == TimeZone::utc) return offset + div_floor(t - offset, interval) * interval;
  const int64_t local = t + utc_offset_ns(z, t);
  int64_t lb = offset + div_floor(local - offset, interval) * interval;
  int64_t u = local_to_utc(z, lb);
  if (u > t) u = local_to_utc(z, lb - interval);  // only around a change of offset
  return u;
}

// First boundary after boundary (or instant) b.
constexpr int64_t boundary_next(TimeZone z, int64_t b, int64_t interval, int64_t offset) {
  if (z == TimeZone::utc) return offset + (div_floor(b - offset, interval) + 1) * interval;
  const int64_t local = b + utc_offset_ns(z, b);
  int64_t ln = offset + (div_floor(local - offset, interval) + 1) * interval;
  int64_t u = local_to_utc(z, ln);
  if (u <= b) u = local_to_utc(z, ln + interval);
  return u;
}

// Coinbase Derivatives' weekly maintenance hour: Friday 17:00–18:00 America/New_York. True when
// [start, start + 1 h) is that hour (no funding rate is published for it).
constexpr bool is_coinbase_maintenance_hour(int64_t start) {
  using namespace cal_detail;
  const int64_t local = start + utc_offset_ns(TimeZone::america_new_york, start);
  const int64_t day = div_floor(local, kDayNs);
  return weekday(day) == 5 && local - day * kDayNs == 17 * kHourNs;
}

}  // namespace pw
