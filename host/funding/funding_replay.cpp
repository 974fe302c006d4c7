#include "host/funding/funding_replay.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "core/funding_presets.hpp"
#include "host/pipeline/feed_pipeline.hpp"
#include "host/pipeline/market_stage.hpp"
#include "host/pipeline/replay.hpp"
#include "host/report/external_program.hpp"

namespace pw {
namespace {

// "90s", "3m", "8h", "1500ms", "250ns" or plain nanoseconds.
bool parse_duration_ns(const std::string& v, int64_t& out) {
  size_t i = 0;
  while (i < v.size() && (std::isdigit((unsigned char)v[i]) != 0)) ++i;
  if (i == 0) return false;
  const int64_t n = std::stoll(v.substr(0, i));
  const std::string unit = v.substr(i);
  int64_t mul = 1;
  if (unit.empty() || unit == "ns") mul = 1;
  else if (unit == "us") mul = 1000;
  else if (unit == "ms") mul = 1000000;
  else if (unit == "s") mul = kNsPerSecond;
  else if (unit == "m" || unit == "min") mul = kNsPerMinute;
  else if (unit == "h") mul = kNsPerHour;
  else return false;
  out = n * mul;
  return true;
}

bool parse_decimal(const std::string& v, int64_t& out) { return parse_fixed9(v.data(), v.size(), out); }

struct Accumulator {
  double sum = 0, max = 0;
  uint64_t n = 0;
  void add(double bps) {
    const double a = std::fabs(bps);
    sum += a;
    if (a > max) max = a;
    ++n;
  }
  Agreement done() const { return Agreement{n, n ? sum / (double)n : 0.0, max}; }
};

// One market state per preset behind the feed pipeline, watching each slot's closed intervals.
class PresetSink final : public EventSink {
 public:
  explicit PresetSink(const std::vector<MarkFundingParams>& params) : params_(params) {
    for (const MarkFundingParams& p : params_) {
      states_.push_back(std::make_unique<HostMarketState>());
      states_.back()->reset(&p);
    }
    last_final_.resize(params_.size());
    rates_.resize(params_.size());
    marks_.resize(params_.size());
  }

  void on_event(const MarketEvent& e) override {
    ++events_;
    for (size_t k = 0; k < states_.size(); ++k) {
      HostMarketState& st = *states_[k];
      st.apply(e, out_);
      const int i = st.find(e.instrument_id);
      if (i < 0) continue;
      const MarkFundingState& mf = st.slot(i).mf;
      int64_t& seen = last_final_[k][e.instrument_id];
      if (mf.final_time != kNullI64 && mf.final_time != seen) {
        seen = mf.final_time;
        row(e.instrument_id, mf.final_time).rates_by_preset[k] = mf.final_rate;
      }
      if (e.kind() == EventType::funding_rate && e.funding.futures_mark != kNullI64 && e.funding.futures_mark > 0 &&
          mf.mark != kNullI64)
        marks_[k].add((double)(mf.mark - e.funding.futures_mark) * 1e4 / (double)e.funding.futures_mark);
    }
    if (e.kind() == EventType::funding_rate && e.funding.is_final && e.funding.rate != kNullI64)
      row(e.instrument_id, e.funding.final_time).exchange = e.funding.rate;
  }
  void on_packet_gap(uint16_t channel, int64_t first, int64_t last, int64_t time_ns) override {
    for (auto& st : states_) st->packet_gap(channel, first, last, time_ns, out_);
  }

  void finish(FundingReplayResult& r) {
    const size_t np = params_.size();
    const HostMarketState& first = *states_[0];
    for (int i = 0; i < first.count(); ++i) r.instruments.emplace_back(first.slot(i).id, std::string(first.slot(i).symbol));
    for (auto& [key, pr] : rows_) {
      FundingRow fr;
      fr.instrument = key.first;
      fr.boundary = key.second;
      fr.exchange = pr.exchange;
      fr.rates.assign(np, kNullI64);
      for (auto& [k, v] : pr.rates_by_preset) fr.rates[k] = v;
      for (size_t k = 0; k < np; ++k)
        if (fr.rates[k] != kNullI64 && fr.exchange != kNullI64) rates_[k].add((double)(fr.rates[k] - fr.exchange) / 1e5);
      r.rows.push_back(fr);
    }
    // The interval each preset has open at the end: its running rate.
    for (const auto& [id, symbol] : r.instruments) {
      FundingRow fr;
      fr.instrument = id;
      fr.running = true;
      fr.rates.assign(np, kNullI64);
      for (size_t k = 0; k < np; ++k) {
        const int i = states_[k]->find(id);
        if (i < 0) continue;
        const MarkFundingState& mf = states_[k]->slot(i).mf;
        fr.rates[k] = mf.rate;
        if (mf.interval_end != kNullI64 && mf.interval_end > fr.boundary) fr.boundary = mf.interval_end;
      }
      r.rows.push_back(fr);
    }
    std::stable_sort(r.rows.begin(), r.rows.end(), [](const FundingRow& a, const FundingRow& b) {
      return a.instrument != b.instrument ? a.instrument < b.instrument : (a.running != b.running ? !a.running : a.boundary < b.boundary);
    });
    for (size_t k = 0; k < np; ++k) {
      r.final_rates.push_back(rates_[k].done());
      r.marks.push_back(marks_[k].done());
    }
    r.events = events_;
  }

 private:
  struct PendingRow {
    std::map<size_t, int64_t> rates_by_preset;
    int64_t exchange = kNullI64;
  };
  PendingRow& row(int32_t id, int64_t boundary) { return rows_[{id, boundary}]; }

  std::vector<MarkFundingParams> params_;
  std::vector<std::unique_ptr<HostMarketState>> states_;
  std::vector<std::map<int32_t, int64_t>> last_final_;
  std::map<std::pair<int32_t, int64_t>, PendingRow> rows_;
  std::vector<Accumulator> rates_, marks_;
  uint64_t events_ = 0;
  StateRecord out_[HostMarketState::capacity > kMaxRecordsPerEvent ? HostMarketState::capacity : kMaxRecordsPerEvent];
};

std::string utc_text(int64_t ns) {
  const std::time_t t = (std::time_t)(ns / kNsPerSecond);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string bps_text(int64_t rate) { return rate == kNullI64 ? "—" : fmt::format("{:.4f}", (double)rate / 1e5); }

std::string duration_text(int64_t ns) {
  if (ns % kNsPerHour == 0) return fmt::format("{}h", ns / kNsPerHour);
  return fmt::format("{}m", ns / kNsPerMinute);
}

std::string file_safe(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum((unsigned char)c) || c == '-' || c == '_') ? c : '_';
  return out.empty() ? "_" : out;
}

}  // namespace

bool apply_mark_setting(MarkFundingParams& p, const std::string& key, const std::string& value, std::string& error) {
  int64_t v = 0;
  bool ok = true;
  auto duration = [&](int64_t& field) { ok = parse_duration_ns(value, v); if (ok) field = v; };
  auto decimal = [&](int64_t& field) { ok = parse_decimal(value, v); if (ok) field = v; };
  if (key == "funding_interval") duration(p.funding_interval_ns);
  else if (key == "funding_offset") duration(p.funding_offset_ns);
  else if (key == "sample_interval") duration(p.sample_interval_ns);
  else if (key == "ma_window") duration(p.ma_window_ns);
  else if (key == "ma_sample") duration(p.ma_sample_ns);
  else if (key == "ema_tau") duration(p.ema_tau_ns);
  else if (key == "impact_notional") decimal(p.impact_notional);
  else if (key == "impact_base_qty") decimal(p.impact_base_qty);
  else if (key == "interest_rate") decimal(p.interest_rate);
  else if (key == "clamp") decimal(p.clamp);
  else if (key == "cap") decimal(p.cap);
  else if (key == "floor") decimal(p.floor);
  else if (key == "rate_ema_weight") decimal(p.rate_ema_weight);
  else if (key == "quote_per_contract") {
    ok = value == "0" || value == "1";
    if (ok) p.quote_per_contract = (uint8_t)(value == "1");
  } else if (key == "rate_divisor") {
    ok = parse_decimal(value, v) && v % kPriceScale == 0;
    if (ok) p.rate_divisor = v / kPriceScale;
  } else {
    error = fmt::format("unknown setting '{}' (funding_interval, funding_offset, sample_interval, ma_window, ma_sample, "
                        "ema_tau, impact_notional, impact_base_qty, interest_rate, clamp, cap, floor, rate_ema_weight, "
                        "rate_divisor, quote_per_contract)", key);
    return false;
  }
  if (!ok) {
    error = fmt::format("setting {}: cannot read '{}'", key, value);
    return false;
  }
  return true;
}

bool replay_funding(const FundingReplayOptions& opt, FundingReplayResult& out, std::string& error) {
  out = FundingReplayResult{};
  std::vector<MarkFundingParams> params;
  for (const std::string& name : opt.presets) {
    MarkFundingParams p{};
    if (!preset_by_name(name.c_str(), p)) {
      error = fmt::format("unknown preset '{}'", name);
      return false;
    }
    // The capture's book quotes per underlying unit (Coinbase Derivatives): a per-contract venue's
    // method is applied to it as is, without converting the index (--set quote_per_contract=1).
    p.quote_per_contract = 0;
    for (const auto& [k, v] : opt.settings)
      if (!apply_mark_setting(p, k, v, error)) return false;
    if (validate(p) != ParamsError::ok) {
      error = fmt::format("preset {}: the settings give invalid parameters (ParamsError {})", name, (int)validate(p));
      return false;
    }
    params.push_back(p);
    out.presets.push_back(name);
    out.interval_ns.push_back(p.funding_interval_ns);
  }
  if (params.empty()) {
    error = "no preset";
    return false;
  }
  PresetSink sink(params);
  FeedPipeline feed(sink, opt.reorder_wait_ns);
  ReplayInputs in;
  in.pcap_a = opt.pcap_a;
  in.pcap_b = opt.pcap_b;
  in.reorder_wait_ns = opt.reorder_wait_ns;
  uint64_t frames = 0;
  if (!pump_captures(in, feed, frames, error)) return false;
  sink.finish(out);
  return true;
}

std::string funding_table(const FundingReplayResult& r) {
  std::ostringstream o;
  o << "funding rate per interval, basis points as charged at the funding time (each preset on its own interval)\n";
  for (const auto& [id, symbol] : r.instruments) {
    o << "\n" << symbol << " (instrument " << id << ")\n";
    o << fmt::format("  {:<22}", "funding time (UTC)");
    for (size_t k = 0; k < r.presets.size(); ++k) o << fmt::format(" {:>12}", r.presets[k] + "/" + duration_text(r.interval_ns[k]));
    o << fmt::format(" {:>12}\n", "exchange");
    for (const FundingRow& row : r.rows) {
      if (row.instrument != id) continue;
      o << fmt::format("  {:<22}", row.running ? "end (running)" : utc_text(row.boundary));
      for (int64_t v : row.rates) o << fmt::format(" {:>12}", bps_text(v));
      o << fmt::format(" {:>12}\n", bps_text(row.exchange));
    }
  }
  o << "\nagainst the exchange (|ours − exchange|, bps): final rates at the same funding time; mark at each published futures mark\n";
  for (size_t k = 0; k < r.presets.size(); ++k) {
    const Agreement& f = r.final_rates[k];
    const Agreement& m = r.marks[k];
    o << fmt::format("  {:<12} final rates: {} compared, mean {:.4f}, max {:.4f}; marks: {} compared, mean {:.4f}, max {:.4f}\n",
                     r.presets[k], f.points, f.mean_abs_bps, f.max_abs_bps, m.points, m.mean_abs_bps, m.max_abs_bps);
  }
  return o.str();
}

std::string write_funding_plots(const FundingReplayResult& r, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "plots: cannot create " + dir + ": " + ec.message();
  const fs::path abs = fs::absolute(dir);
  std::ostringstream gp;
  gp << "set terminal pngcairo size 1000,500\nset datafile separator ','\nset key outside right\nset grid\n"
     << "set xdata time\nset timefmt '%s'\nset format x '%H:%M'\nset xlabel 'funding time (UTC)'\n"
     << "set ylabel 'funding rate (bps per interval)'\n";
  for (const auto& [id, symbol] : r.instruments) {
    const std::string name = "funding_" + file_safe(symbol);
    std::ofstream csv(abs / (name + ".csv"));
    csv << "time";
    for (const std::string& p : r.presets) csv << "," << p;
    csv << ",exchange\n";
    for (const FundingRow& row : r.rows) {
      if (row.instrument != id || row.running) continue;
      csv << row.boundary / kNsPerSecond;
      for (int64_t v : row.rates) csv << "," << (v == kNullI64 ? std::string("NaN") : fmt::format("{:.6f}", (double)v / 1e5));
      csv << "," << (row.exchange == kNullI64 ? std::string("NaN") : fmt::format("{:.6f}", (double)row.exchange / 1e5)) << "\n";
    }
    gp << "set output '" << (abs / (name + ".png")).string() << "'\n"
       << "set title '" << symbol << ": funding rate each preset would have charged'\nplot ";
    for (size_t k = 0; k <= r.presets.size(); ++k)
      gp << (k ? ", " : "") << "'" << (abs / (name + ".csv")).string() << "' using 1:" << k + 2 << " with linespoints title '"
         << (k < r.presets.size() ? r.presets[k] : std::string("exchange")) << "'";
    gp << "\n";
  }
  const std::string script = (abs / "funding.gp").string();
  std::ofstream(script) << gp.str();
  const std::string gnuplot = find_program("gnuplot");
  if (gnuplot.empty()) return "plots: gnuplot not found, skipped (the data is in " + dir + "/funding_*.csv)";
  if (run_program(gnuplot, script, (abs / "funding_plots.log").string()) != 0)
    return "plots: gnuplot failed, see " + dir + "/funding_plots.log";
  return "plots: " + dir + "/funding_*.png";
}

int run_funding_command(const FundingCommand& c, std::string& out, std::string& err) {
  FundingReplayOptions opt;
  opt.pcap_a = c.pcap_a;
  opt.pcap_b = c.pcap_b;
  if (c.pcap_a.empty()) {
    err = "perpwire funding: --pcap is required\n";
    return 2;
  }
  if (c.preset == "all") {
    for (const char* name : kPresetNames) opt.presets.emplace_back(name);
  } else {
    std::stringstream names(c.preset);
    std::string n;
    while (std::getline(names, n, ','))
      if (!n.empty()) opt.presets.push_back(n);
  }
  for (const std::string& kv : c.settings) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      err = "perpwire funding: --set wants key=value, got '" + kv + "'\n";
      return 2;
    }
    opt.settings.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  FundingReplayResult r;
  std::string error;
  if (!replay_funding(opt, r, error)) {
    err = "perpwire funding: " + error + "\n";
    return 1;
  }
  out = funding_table(r) + write_funding_plots(r, c.out_dir) + "\n";
  return 0;
}

}  // namespace pw
