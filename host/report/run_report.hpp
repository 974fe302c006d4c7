// The report of a run: from the latency histograms per stage, the time series of perpwire's mark and
// funding against the exchange's, and the reject counts, writes into an output folder
//   report.md            tables and the plots, for reading on GitHub or any Markdown viewer
//   summary.txt          the terminal summary
//   latency.csv, latency_<stage>.csv, mark_<symbol>.csv, funding_<symbol>.csv, rejects.csv
//   *.png (and *.svg)    plots drawn by gnuplot from the CSV files, with the script (plots.gp)
// When gnuplot is missing or fails, everything else is still written and the report says in one line
// that the plots were skipped.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "host/metrics/metrics.hpp"

namespace pw {

// One point of a time series: event time (ns since the epoch) and a ×1e-9 value (price or rate).
struct TimePoint {
  int64_t time_ns;
  int64_t value;
};

// Latency of one stage as histogram buckets: from a metrics Histogram, its recorded (fine)
// buckets, each at most 1.6 % of its value wide.
struct LatencySeries {
  std::string stage;
  std::vector<uint64_t> upper_bounds_ns;  // ascending
  std::vector<uint64_t> counts;           // per bucket (not cumulative), size upper_bounds + 1: the last is above every bound
  uint64_t sum_ns = 0;
  uint64_t max_ns = 0;                    // the exact maximum when known (0: not known)

  static LatencySeries from_histogram(std::string stage, const Histogram::Snapshot& snapshot);
  uint64_t count() const;
  // Upper bound of the bucket holding quantile q (0 < q ≤ 1): "at most this many ns", never above
  // the exact maximum when it is known. UINT64_MAX when the quantile falls above the last bound; 0
  // without samples.
  uint64_t quantile_bound_ns(double q) const;
};

// The percentiles a trader reads, per stage, in the report, the terminal summary and latency.json.
inline constexpr double kReportPercentiles[] = {0.5, 0.9, 0.99, 0.999, 0.9999};
// "p99.9" for 0.999: how the report names a percentile.
std::string percentile_name(double q);
// "p999_ns" for 0.999: the key scripts read in latency.json (and benchmark counters carry).
std::string percentile_key(double q);

struct InstrumentSeries {
  std::string symbol;
  std::vector<TimePoint> mark, exchange_mark;        // prices ×1e-9
  std::vector<TimePoint> funding, exchange_funding;  // funding rate per interval ×1e-9
};

struct RejectCount {
  std::string reason;  // reject_reason_name()
  uint64_t count = 0;
};

struct RunData {
  std::string title = "perpwire run";
  std::vector<std::pair<std::string, std::string>> facts;  // shown first: config, backend, captures, duration…
  std::vector<LatencySeries> latency;
  std::vector<InstrumentSeries> instruments;
  uint64_t orders_accepted = 0;
  std::vector<RejectCount> rejects;
  std::vector<RejectCount> reject_details;  // reason = "reason / detail" (which condition inside it fired)
};

struct ReportOptions {
  std::string gnuplot = "gnuplot";  // program name (looked up in PATH) or path
  bool png = true;
  bool svg = false;
  int width = 1000, height = 500;  // pixels
};

struct ReportResult {
  bool ok = false;          // the folder, the CSV files and report.md were written
  std::string error;        // why not
  bool plots = false;       // the plots were drawn
  std::string plots_note;   // why they were not (one line), empty when they were
  std::vector<std::string> files;  // everything written, relative to the folder
  std::string summary;      // the terminal summary (also in summary.txt)
};

// Writes the report into `dir` (created if needed). Never throws.
ReportResult write_report(const RunData& data, const std::string& dir, const ReportOptions& options = {});

// The plain-text summary for the terminal.
std::string terminal_summary(const RunData& data);

// Comparison of our series against the exchange's: at each exchange point, our latest value at or
// before it (as-of), difference in basis points of the exchange's value (marks) or of 1 (rates).
struct SeriesComparison {
  size_t points = 0;  // exchange points with one of ours before them
  double mean_abs_bps = 0, max_abs_bps = 0;
  int64_t last_ours = INT64_MIN, last_exchange = INT64_MIN;
};
SeriesComparison compare_series(const std::vector<TimePoint>& ours, const std::vector<TimePoint>& exchange, bool relative);

// "850 ns", "1.2 µs", "3.4 ms", "2 s".
std::string format_duration_ns(uint64_t ns);

}  // namespace pw
