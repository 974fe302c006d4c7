// `perpwire funding`: replays a capture through the market state once per mark/funding preset and
// tabulates, per instrument and funding interval, the rate each preset would have charged beside
// the exchange's published rate; also how far each preset's final rates and marks are from the
// exchange's (the Coinbase preset should agree: docs/formulas.md §11). Plot with gnuplot.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/mark_funding.hpp"

namespace pw {

struct FundingReplayOptions {
  std::string pcap_a;
  std::string pcap_b;                 // empty: line A only
  std::vector<std::string> presets;   // names (core/funding_presets.hpp kPresetNames)
  std::vector<std::pair<std::string, std::string>> settings;  // key=value, applied to every preset
  int64_t reorder_wait_ns = 1000000;
};

// Ours against the exchange's, in basis points.
struct Agreement {
  uint64_t points = 0;
  double mean_abs_bps = 0, max_abs_bps = 0;
};

struct FundingRow {
  int32_t instrument = 0;
  int64_t boundary = 0;          // the funding time the rates are charged at
  bool running = false;          // the interval still open at the end of the capture
  std::vector<int64_t> rates;    // per preset ×1e-9 per its interval, kNullI64 when it has none here
  int64_t exchange = INT64_MIN;  // the exchange's final rate for this boundary (null: none)
};

struct FundingReplayResult {
  std::vector<std::string> presets;
  std::vector<int64_t> interval_ns;  // per preset
  std::vector<std::pair<int32_t, std::string>> instruments;  // id, symbol
  std::vector<FundingRow> rows;        // by instrument, then boundary
  std::vector<Agreement> final_rates;  // per preset: final rates vs the exchange's, same boundary
  std::vector<Agreement> marks;        // per preset: mark vs each futures mark the exchange publishes
  uint64_t events = 0;
};

// Applies one `--set key=value` (docs/formulas.md §12 lists the keys). False with `error`.
bool apply_mark_setting(MarkFundingParams& p, const std::string& key, const std::string& value, std::string& error);

// Runs the capture. False with `error` for an unknown preset, a bad setting or an unreadable capture.
bool replay_funding(const FundingReplayOptions& opt, FundingReplayResult& out, std::string& error);

// The side-by-side table (rates in basis points) and the agreement lines.
std::string funding_table(const FundingReplayResult& r);

// funding_<symbol>.csv and .png per instrument into `dir`, drawn by gnuplot. Returns one line:
// where the plots are, or why there are none (gnuplot absent or failing).
std::string write_funding_plots(const FundingReplayResult& r, const std::string& dir);

// `perpwire funding` as a whole: --preset "all" or NAME[,NAME…], --set "key=value" entries, the
// plots into out_dir. Prints to `out` (errors to `err`); returns the exit status.
struct FundingCommand {
  std::string pcap_a, pcap_b;
  std::string preset = "all";
  std::vector<std::string> settings;  // "key=value"
  std::string out_dir = "out/funding";
};
int run_funding_command(const FundingCommand& c, std::string& out, std::string& err);

}  // namespace pw
