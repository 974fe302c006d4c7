// Report writer: CSV first (the data of record), then a gnuplot script drawn from those CSV files,
// then report.md and summary.txt that reference both. gnuplot runs as a child process (posix_spawn)
// with its output in plots.log, so a broken or missing gnuplot costs the plots and nothing else.
#include "host/report/run_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/fixed_point.hpp"
#include "host/report/external_program.hpp"

namespace pw {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Numbers

LatencySeries LatencySeries::from_histogram(std::string stage, const Histogram::Snapshot& s) {
  LatencySeries l;
  l.stage = std::move(stage);
  for (const auto& [top, n] : s.fine) {
    l.upper_bounds_ns.push_back(top);
    l.counts.push_back(n);
  }
  l.counts.push_back(0);  // nothing above the last recorded bucket
  l.sum_ns = s.sum;
  l.max_ns = s.max;
  return l;
}

uint64_t LatencySeries::count() const {
  uint64_t n = 0;
  for (uint64_t c : counts) n += c;
  return n;
}

uint64_t LatencySeries::quantile_bound_ns(double q) const {
  const uint64_t n = count();
  if (n == 0) return 0;
  // The rank of the quantile, 1-based: the smallest bucket whose cumulative count reaches it.
  uint64_t rank = (uint64_t)std::ceil(q * (double)n);
  if (rank < 1) rank = 1;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    if (cumulative >= rank) {
      const uint64_t bound = i < upper_bounds_ns.size() ? upper_bounds_ns[i] : UINT64_MAX;
      return max_ns != 0 && bound > max_ns ? max_ns : bound;
    }
  }
  return UINT64_MAX;
}

std::string format_duration_ns(uint64_t ns) {
  char buf[32];
  auto fmt = [&](double v, const char* unit) {
    // Three significant digits at most, no trailing zeros.
    std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f %s" : v >= 10 ? "%.3g %s" : "%.3g %s", v, unit);
    return std::string(buf);
  };
  if (ns < 1000) return std::to_string(ns) + " ns";
  if (ns < 1000000) return fmt((double)ns / 1e3, "µs");
  if (ns < 1000000000) return fmt((double)ns / 1e6, "ms");
  return fmt((double)ns / 1e9, "s");
}

SeriesComparison compare_series(const std::vector<TimePoint>& ours_in, const std::vector<TimePoint>& exch_in, bool relative) {
  auto by_time = [](const TimePoint& a, const TimePoint& b) { return a.time_ns < b.time_ns; };
  std::vector<TimePoint> ours = ours_in, exch = exch_in;
  std::stable_sort(ours.begin(), ours.end(), by_time);
  std::stable_sort(exch.begin(), exch.end(), by_time);
  SeriesComparison c;
  if (!ours.empty()) c.last_ours = ours.back().value;
  if (!exch.empty()) c.last_exchange = exch.back().value;
  size_t j = 0;
  double sum = 0;
  for (const TimePoint& e : exch) {
    while (j < ours.size() && ours[j].time_ns <= e.time_ns) ++j;
    if (j == 0) continue;  // nothing of ours yet
    const int64_t mine = ours[j - 1].value;
    double bps;
    if (relative) {
      if (e.value == 0) continue;
      bps = (double)(mine - e.value) * 1e4 / (double)e.value;
    } else {
      bps = (double)(mine - e.value) * 1e4 / 1e9;  // rates ×1e-9: a difference of 1e-4 is 1 bp
    }
    ++c.points;
    sum += std::fabs(bps);
    c.max_abs_bps = std::max(c.max_abs_bps, std::fabs(bps));
  }
  if (c.points) c.mean_abs_bps = sum / (double)c.points;
  return c;
}

namespace {

std::string fixed9(int64_t v) {
  if (v == INT64_MIN) return "";
  char buf[24];
  return std::string(buf, (size_t)format_fixed9(v, buf));
}

std::string fmt_double(double v, const char* f = "%.4g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// Seconds since the epoch with ms, for gnuplot's time axis.
std::string epoch_seconds(int64_t ns) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", (long long)(ns / 1000000000), (long long)((ns % 1000000000) / 1000000));
  return buf;
}

std::string file_safe(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.') ? c : '_';
  return out.empty() ? "_" : out;
}

// Pads to a width in characters (UTF-8: "≤" and "µ" are one column each), right-aligned by default.
std::string pad(const std::string& s, size_t width, bool right = true) {
  size_t columns = 0;
  for (unsigned char c : s) columns += (c & 0xC0) != 0x80;
  std::string fill(columns < width ? width - columns : 0, ' ');
  return right ? fill + " " + s : s + fill + " ";
}

std::string at_most(uint64_t ns) { return ns == 0 ? "–" : ns == UINT64_MAX ? "> last bucket" : "≤ " + format_duration_ns(ns); }
// The stage whose p99 is largest: the one a reader looks at first.
const LatencySeries* dominant_stage(const std::vector<LatencySeries>& ls) {
  const LatencySeries* best = nullptr;
  for (const auto& l : ls)
    if (l.count() && (!best || l.quantile_bound_ns(0.99) > best->quantile_bound_ns(0.99))) best = &l;
  return best;
}

// Merged timeline of ours and the exchange's series: raw values where each has a point, and the
// as-of difference at the exchange's points.
struct MergedRow {
  int64_t time_ns;
  int64_t ours = INT64_MIN, exchange = INT64_MIN;
  double diff_bps = NAN;
};

std::vector<MergedRow> merge(const std::vector<TimePoint>& ours_in, const std::vector<TimePoint>& exch_in, bool relative) {
  auto by_time = [](const TimePoint& a, const TimePoint& b) { return a.time_ns < b.time_ns; };
  std::vector<TimePoint> ours = ours_in, exch = exch_in;
  std::stable_sort(ours.begin(), ours.end(), by_time);
  std::stable_sort(exch.begin(), exch.end(), by_time);
  std::vector<MergedRow> rows;
  rows.reserve(ours.size() + exch.size());
  size_t i = 0, j = 0;
  int64_t latest_ours = INT64_MIN;
  while (i < ours.size() || j < exch.size()) {
    const bool take_ours = j >= exch.size() || (i < ours.size() && ours[i].time_ns <= exch[j].time_ns);
    if (take_ours) {
      latest_ours = ours[i].value;
      MergedRow r{ours[i].time_ns};
      r.ours = ours[i].value;
      rows.push_back(r);
      ++i;
    } else {
      MergedRow r{exch[j].time_ns};
      r.exchange = exch[j].value;
      if (latest_ours != INT64_MIN) {
        if (relative && exch[j].value != 0) r.diff_bps = (double)(latest_ours - exch[j].value) * 1e4 / (double)exch[j].value;
        if (!relative) r.diff_bps = (double)(latest_ours - exch[j].value) * 1e4 / 1e9;
      }
      // Same time as our last row: one row holds both.
      if (!rows.empty() && rows.back().time_ns == r.time_ns && rows.back().exchange == INT64_MIN) {
        rows.back().exchange = r.exchange;
        rows.back().diff_bps = r.diff_bps;
      } else {
        rows.push_back(r);
      }
      ++j;
    }
  }
  return rows;
}

std::string first_line_of(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line.find_first_not_of(' ') != std::string::npos) return line;
  return "";
}

// gnuplot string literal (single quotes: only the quote itself needs doubling).
std::string gp_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

struct Writer {
  fs::path dir;
  std::vector<std::string> files;
  std::string error;

  bool write(const std::string& name, const std::string& content) {
    std::ofstream out(dir / name, std::ios::binary);
    out << content;
    out.close();
    if (!out) {
      if (error.empty()) error = "cannot write " + (dir / name).string();
      return false;
    }
    files.push_back(name);
    return true;
  }
};

const char* kPalette = "set style line 1 lc rgb '#1f77b4' lw 2\nset style line 2 lc rgb '#d62728' lw 2\nset style line 3 lc rgb '#2ca02c' lw 2\n";

}  // namespace

std::string percentile_name(double q) {
  char b[16];
  std::snprintf(b, sizeof b, "p%g", q * 100);
  return b;
}
// "p99.9" → "p999": the key form scripts read in latency.json.
std::string percentile_key(double q) {
  std::string k = percentile_name(q);
  k.erase(std::remove(k.begin(), k.end(), '.'), k.end());
  return k + "_ns";
}

// ---------------------------------------------------------------------------------------------

std::string terminal_summary(const RunData& d) {
  std::ostringstream o;
  o << d.title << "\n";
  for (const auto& [k, v] : d.facts) o << "  " << k << ": " << v << "\n";
  if (!d.latency.empty()) {
    o << "  " << pad("latency", 18, false) << pad("samples", 10) << pad("mean", 11);
    for (double q : kReportPercentiles) o << pad(percentile_name(q), 11);
    o << pad("max", 11) << "\n";
    for (const auto& l : d.latency) {
      const uint64_t n = l.count();
      o << "  " << pad(l.stage, 18, false) << pad(std::to_string(n), 10) << pad(n ? format_duration_ns(l.sum_ns / n) : "–", 11);
      for (double q : kReportPercentiles) o << pad(at_most(l.quantile_bound_ns(q)), 11);
      o << pad(l.max_ns ? format_duration_ns(l.max_ns) : "–", 11) << "\n";
    }
    if (const LatencySeries* top = dominant_stage(d.latency)) o << "  slowest stage at p99: " << top->stage << "\n";
  }
  for (const auto& in : d.instruments) {
    SeriesComparison m = compare_series(in.mark, in.exchange_mark, true);
    SeriesComparison f = compare_series(in.funding, in.exchange_funding, false);
    auto value = [](int64_t v) { return v != INT64_MIN ? fixed9(v) : std::string("–"); };
    o << "  " << pad(in.symbol, 18, false) << "mark    " << value(m.last_ours) << " vs exchange " << value(m.last_exchange) << ": |diff| mean "
      << fmt_double(m.mean_abs_bps, "%.3f") << " bps, max " << fmt_double(m.max_abs_bps, "%.3f") << " bps (" << m.points << " points)\n";
    o << "  " << pad("", 18, false) << "funding " << value(f.last_ours) << " vs exchange " << value(f.last_exchange) << ": |diff| mean "
      << fmt_double(f.mean_abs_bps, "%.4f") << " bps, max " << fmt_double(f.max_abs_bps, "%.4f") << " bps (" << f.points << " points)\n";
  }
  uint64_t rejected = 0;
  for (const auto& r : d.rejects) rejected += r.count;
  o << "  orders: " << d.orders_accepted << " accepted, " << rejected << " rejected";
  if (rejected) {
    std::vector<RejectCount> sorted = d.rejects;
    std::stable_sort(sorted.begin(), sorted.end(), [](const RejectCount& a, const RejectCount& b) { return a.count > b.count; });
    o << " (";
    bool first = true;
    for (const auto& r : sorted) {
      if (!r.count) continue;
      o << (first ? "" : ", ") << r.reason << " " << r.count;
      first = false;
    }
    o << ")";
  }
  o << "\n";
  return o.str();
}

ReportResult write_report(const RunData& d, const std::string& dir_name, const ReportOptions& opt) {
  ReportResult result;
  Writer w;
  w.dir = fs::path(dir_name);
  std::error_code ec;
  fs::create_directories(w.dir, ec);
  if (ec || !fs::is_directory(w.dir)) {
    result.error = "cannot create the report folder " + dir_name + (ec ? ": " + ec.message() : "");
    return result;
  }
  const fs::path abs = fs::absolute(w.dir);

  // --- CSV ---------------------------------------------------------------------------------
  {
    std::ostringstream all;
    all << "stage,le_ns,count,cumulative\n";
    std::ostringstream json;
    json << "{";
    for (const auto& l : d.latency) {
      // The percentile curve: one row per recorded bucket, x in "nines" (−log10 of the fraction
      // above), y the bucket's upper bound.
      std::ostringstream one;
      one << "percentile,nines,latency_ns\n";
      const uint64_t n = l.count();
      uint64_t cumulative = 0;
      for (size_t i = 0; i < l.counts.size(); ++i) {
        cumulative += l.counts[i];
        const bool inf = i >= l.upper_bounds_ns.size();
        all << l.stage << "," << (inf ? std::string("+Inf") : std::to_string(l.upper_bounds_ns[i])) << "," << l.counts[i] << "," << cumulative << "\n";
        if (inf || l.counts[i] == 0 || n == 0) continue;
        const double f = (double)cumulative / (double)n;
        const double nines = f >= 1.0 ? std::log10((double)n) + 0.3 : -std::log10(1.0 - f);
        one << fmt_double(f * 100, "%.6f") << "," << fmt_double(nines, "%.4f") << "," << std::min(l.upper_bounds_ns[i], l.max_ns ? l.max_ns : UINT64_MAX) << "\n";
      }
      w.write("latency_" + file_safe(l.stage) + ".csv", one.str());
      json << (&l == &d.latency.front() ? "" : ",") << "\n  \"" << l.stage << "\": {\"samples\": " << n;
      for (double q : {0.5, 0.9, 0.99, 0.999}) {
        const uint64_t v = l.quantile_bound_ns(q);
        json << ", \"" << percentile_key(q) << "\": " << (n ? std::to_string(v) : std::string("null"));
      }
      json << ", \"max_ns\": " << (n ? std::to_string(l.max_ns ? l.max_ns : l.quantile_bound_ns(1.0)) : std::string("null")) << "}";
    }
    json << "\n}\n";
    w.write("latency.json", json.str());
    if (!d.latency.empty()) w.write("latency.csv", all.str());
  }
  for (const auto& in : d.instruments) {
    const std::string sym = file_safe(in.symbol);
    for (int kind = 0; kind < 2; ++kind) {
      const bool is_mark = kind == 0;
      const auto rows = is_mark ? merge(in.mark, in.exchange_mark, true) : merge(in.funding, in.exchange_funding, false);
      std::ostringstream o;
      o << (is_mark ? "time_ns,epoch_s,ours,exchange,diff_bps\n" : "time_ns,epoch_s,ours,exchange,ours_bps,exchange_bps,diff_bps\n");
      for (const auto& r : rows) {
        o << r.time_ns << "," << epoch_seconds(r.time_ns) << "," << fixed9(r.ours) << "," << fixed9(r.exchange);
        if (!is_mark)
          o << "," << (r.ours != INT64_MIN ? fmt_double((double)r.ours / 1e5, "%.6f") : "") << ","
            << (r.exchange != INT64_MIN ? fmt_double((double)r.exchange / 1e5, "%.6f") : "");
        o << "," << (std::isnan(r.diff_bps) ? "" : fmt_double(r.diff_bps, "%.6f")) << "\n";
      }
      w.write(std::string(is_mark ? "mark_" : "funding_") + sym + ".csv", o.str());
    }
  }
  {
    std::ostringstream o;
    o << "reason,count\n";
    // Most frequent first (the plot draws the rows with a count, in this order).
    std::vector<RejectCount> sorted = d.rejects;
    std::stable_sort(sorted.begin(), sorted.end(), [](const RejectCount& a, const RejectCount& b) { return a.count > b.count; });
    for (const auto& r : sorted) o << r.reason << "," << r.count << "\n";
    w.write("rejects.csv", o.str());
  }
  if (!w.error.empty()) {
    result.error = w.error;
    result.files = w.files;
    return result;
  }

  // --- plots -------------------------------------------------------------------------------
  std::vector<std::string> formats;
  if (opt.png) formats.push_back("png");
  if (opt.svg) formats.push_back("svg");
  // Each plot's commands; the script repeats them once per output format.
  std::vector<std::pair<std::string, std::string>> bodies;  // name → commands after set output
  for (const auto& l : d.latency) {
    if (l.count() == 0) continue;
    const std::string name = "latency_" + file_safe(l.stage);
    // The percentile curve the way HdrHistogram users read latency: x in nines (90 %, 99 %, 99.9 %
    // …) on a linear axis of −log10(1 − p), y on a log axis.
    std::ostringstream b;
    b << "set title " << gp_quote("Latency: " + l.stage + " (" + std::to_string(l.count()) + " samples)") << "\n"
      << "unset xdata\nset format x '%g'\nset xlabel 'percentile'\nset ylabel 'latency (ns, log scale)'\nset logscale y\n"
      << "set xtics ('0%%' 0, '90%%' 1, '99%%' 2, '99.9%%' 3, '99.99%%' 4, '99.999%%' 5, '99.9999%%' 6)\nset xrange [0:*]\nset yrange [*:*]\n"
      << "plot " << gp_quote((abs / ("latency_" + file_safe(l.stage) + ".csv")).string())
      << " using 2:3 skip 1 with steps ls 1 lw 2 notitle\n"
      << "unset logscale y\nunset xtics\nset xtics\nset xrange [*:*]\nset yrange [*:*]\n";
    bodies.emplace_back(name, b.str());
  }
  for (const auto& in : d.instruments) {
    const std::string sym = file_safe(in.symbol);
    const std::string data_mark = gp_quote((abs / ("mark_" + sym + ".csv")).string());
    const std::string data_funding = gp_quote((abs / ("funding_" + sym + ".csv")).string());
    const size_t n_mark = in.mark.size() + in.exchange_mark.size(), n_funding = in.funding.size() + in.exchange_funding.size();
    // Plot at most ~20000 rows of each file.
    auto every = [](size_t n) { return std::to_string(std::max<size_t>(1, n / 20000)); };
    if (n_mark) {
      const std::string name = "mark_" + sym;
      std::ostringstream b;
      b << "set title " << gp_quote(in.symbol + ": mark price, perpwire vs exchange") << "\n"
        << "set xdata time\nset timefmt '%s'\nset format x '%H:%M'\nset xtics rotate by 0\nset xlabel 'time (UTC)'\nset ylabel 'price'\n"
        << "plot " << data_mark << " using 2:3 every " << every(n_mark) << " skip 1 with steps ls 1 title 'perpwire', "
        << data_mark << " using 2:4 skip 1 with steps ls 2 title 'exchange'\n";
      bodies.emplace_back(name, b.str());
    }
    if (n_funding) {
      const std::string name = "funding_" + sym;
      std::ostringstream b;
      b << "set title " << gp_quote(in.symbol + ": funding rate per interval, perpwire vs exchange") << "\n"
        << "set xdata time\nset timefmt '%s'\nset format x '%H:%M'\nset xtics rotate by 0\nset xlabel 'time (UTC)'\nset ylabel 'funding rate (bps)'\n"
        << "plot " << data_funding << " using 2:5 every " << every(n_funding) << " skip 1 with steps ls 1 title 'perpwire', "
        << data_funding << " using 2:6 skip 1 with steps ls 2 title 'exchange'\n";
      bodies.emplace_back(name, b.str());
    }
  }
  uint64_t rejected = 0;
  size_t reasons_with_rejects = 0;
  for (const auto& r : d.rejects) rejected += r.count, reasons_with_rejects += r.count ? 1 : 0;
  if (rejected) {
    const std::string name = "rejects";
    std::ostringstream b;
    b << "set title 'Orders rejected by the risk gate, by reason'\nunset xdata\nset format x '%g'\n"
      << "set style fill solid 0.8 border -1\nset boxwidth 0.7\nset xtics rotate by -30\nset xlabel ''\nset ylabel 'orders'\nset yrange [0:*]\n"
      << "plot " << gp_quote((abs / "rejects.csv").string()) << " using 0:2:xtic(1) skip 1 every ::0::" << reasons_with_rejects - 1 << " with boxes ls 2 notitle\n"
      << "unset xtics\nset xtics\nset yrange [*:*]\n";
    bodies.emplace_back(name, b.str());
  }
  // Assemble: per format, per plot.
  std::ostringstream script;
  script << "# gnuplot script written by perpwire: draws the plots of report.md from the CSV files beside it.\n"
         << "set datafile separator ','\nset grid\nset key top left\n" << kPalette;
  for (const auto& f : formats) {
    script << "\nset terminal " << (f == "png" ? "pngcairo" : "svg") << " size " << opt.width << "," << opt.height
           << (f == "png" ? " noenhanced font 'DejaVu Sans,10'" : " noenhanced dynamic font 'DejaVu Sans,10'") << "\n";
    for (const auto& [name, body] : bodies) {
      script << "set output " << gp_quote((abs / (name + "." + f)).string()) << "\n" << body;
    }
    script << "unset output\n";
  }

  if (bodies.empty()) {
    result.plots_note = "nothing to plot (no latency samples, time series or rejects)";
  } else if (formats.empty()) {
    result.plots_note = "plots not requested";
  } else {
    w.write("plots.gp", script.str());
    const std::string program = find_program(opt.gnuplot);
    if (program.empty()) {
      result.plots_note = "plots skipped: " + opt.gnuplot + " not found (install gnuplot; the CSV files hold the data)";
    } else {
      const std::string log = (abs / "plots.log").string();
      int rc = run_program(program, (abs / "plots.gp").string(), log);
      bool all = rc == 0;
      for (const auto& f : formats)
        for (const auto& [name, body] : bodies) {
          std::error_code fe;
          if (fs::file_size(abs / (name + "." + f), fe) > 0 && !fe) w.files.push_back(name + "." + f);
          else all = false;
        }
      if (all) {
        result.plots = true;
        fs::remove(log, ec);
      } else {
        w.files.push_back("plots.log");
        std::string why = first_line_of(log);
        result.plots_note = "plots skipped: gnuplot failed" + (rc < 0 ? std::string(" to start") : " (exit " + std::to_string(rc) + ")") +
                            (why.empty() ? "" : ": " + why) + " — see plots.log";
      }
    }
  }

  // --- report.md ---------------------------------------------------------------------------
  auto image = [&](const std::string& name, const std::string& alt) -> std::string {
    if (!result.plots) return "";
    return "![" + alt + "](" + name + "." + (opt.png ? "png" : "svg") + ")\n\n";
  };
  std::ostringstream md;
  md << "# " << d.title << "\n\n";
  if (!result.plots) md << "> " << result.plots_note << "\n\n";
  if (!d.facts.empty()) {
    md << "| | |\n|---|---|\n";
    for (const auto& [k, v] : d.facts) md << "| " << k << " | " << v << " |\n";
    md << "\n";
  }
  md << "## Latency per stage\n\n";
  if (d.latency.empty()) {
    md << "No latency was recorded.\n\n";
  } else {
    md << "Recorded at HdrHistogram resolution (each bucket at most 1.6 % of its value wide): a percentile reads as \"at "
          "most\" the upper bound of its bucket; the maximum is exact. The same figures are in `latency.json`.\n\n"
       << "| stage | samples | mean |";
    for (double q : kReportPercentiles) md << " " << percentile_name(q) << " |";
    md << " max |\n|---|---:|---:|";
    for (size_t i = 0; i < std::size(kReportPercentiles); ++i) md << "---:|";
    md << "---:|\n";
    const LatencySeries* top = dominant_stage(d.latency);
    for (const auto& l : d.latency) {
      const uint64_t n = l.count();
      const bool bold = &l == top;
      md << "| " << (bold ? "**" + l.stage + "**" : l.stage) << " | " << n << " | " << (n ? format_duration_ns(l.sum_ns / n) : "–") << " |";
      for (double q : kReportPercentiles) md << " " << at_most(l.quantile_bound_ns(q)) << " |";
      md << " " << (l.max_ns ? format_duration_ns(l.max_ns) : "–") << " |\n";
    }
    md << "\n";
    if (top) md << "The slowest stage at p99 is **" << top->stage << "**.\n\n";
    for (const auto& l : d.latency)
      if (l.count()) md << image("latency_" + file_safe(l.stage), "latency percentiles of " + l.stage);
  }
  md << "## Mark price: perpwire vs the exchange\n\n";
  if (d.instruments.empty()) md << "No instruments.\n\n";
  else {
    md << "At each mark the exchange published, perpwire's latest mark before it; difference in basis points of the exchange's mark.\n\n"
       << "| instrument | compared | mean abs diff (bps) | max abs diff (bps) | last perpwire | last exchange |\n|---|---:|---:|---:|---:|---:|\n";
    for (const auto& in : d.instruments) {
      SeriesComparison c = compare_series(in.mark, in.exchange_mark, true);
      md << "| " << in.symbol << " | " << c.points << " | " << fmt_double(c.mean_abs_bps, "%.3f") << " | " << fmt_double(c.max_abs_bps, "%.3f") << " | "
         << (c.last_ours != INT64_MIN ? fixed9(c.last_ours) : "–") << " | " << (c.last_exchange != INT64_MIN ? fixed9(c.last_exchange) : "–") << " |\n";
    }
    md << "\n";
    for (const auto& in : d.instruments)
      if (!in.mark.empty() || !in.exchange_mark.empty()) md << image("mark_" + file_safe(in.symbol), in.symbol + " mark price");
  }
  md << "## Funding rate: perpwire vs the exchange\n\n";
  if (!d.instruments.empty()) {
    md << "Rates per funding interval; differences in basis points (0.0001 = 1 bp).\n\n"
       << "| instrument | compared | mean abs diff (bps) | max abs diff (bps) | last perpwire | last exchange |\n|---|---:|---:|---:|---:|---:|\n";
    for (const auto& in : d.instruments) {
      SeriesComparison c = compare_series(in.funding, in.exchange_funding, false);
      md << "| " << in.symbol << " | " << c.points << " | " << fmt_double(c.mean_abs_bps, "%.4f") << " | " << fmt_double(c.max_abs_bps, "%.4f") << " | "
         << (c.last_ours != INT64_MIN ? fixed9(c.last_ours) : "–") << " | " << (c.last_exchange != INT64_MIN ? fixed9(c.last_exchange) : "–") << " |\n";
    }
    md << "\n";
    for (const auto& in : d.instruments)
      if (!in.funding.empty() || !in.exchange_funding.empty()) md << image("funding_" + file_safe(in.symbol), in.symbol + " funding rate");
  }
  md << "## Orders and rejects\n\n" << d.orders_accepted << " orders accepted, " << rejected << " rejected by the pre-trade risk gate.\n\n";
  if (rejected) {
    md << "| reason | count | share of rejects |\n|---|---:|---:|\n";
    std::vector<RejectCount> sorted = d.rejects;
    std::stable_sort(sorted.begin(), sorted.end(), [](const RejectCount& a, const RejectCount& b) { return a.count > b.count; });
    for (const auto& r : sorted)
      if (r.count) md << "| " << r.reason << " | " << r.count << " | " << fmt_double(100.0 * (double)r.count / (double)rejected, "%.1f") << " % |\n";
    md << "\n" << image("rejects", "rejects by reason");
    if (!d.reject_details.empty()) {
      md << "| reason / detail | count |\n|---|---:|\n";
      for (const auto& r : d.reject_details)
        if (r.count) md << "| " << r.reason << " | " << r.count << " |\n";
      md << "\n";
    }
  }
  md << "## Files\n\n";
  std::vector<std::string> listed = w.files;
  listed.push_back("summary.txt");
  for (const auto& f : listed) md << "- [" << f << "](" << f << ")\n";
  w.write("report.md", md.str());

  result.summary = terminal_summary(d);
  result.summary += "  report: " + (w.dir / "report.md").string() + (result.plots ? "" : " (" + result.plots_note + ")") + "\n";
  w.write("summary.txt", result.summary);
  result.files = w.files;
  result.ok = w.error.empty();
  result.error = w.error;
  return result;
}

}  // namespace pw
