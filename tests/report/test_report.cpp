// Run report: from latency histograms, mark/funding series and reject counts, the folder gets the
// CSV files, the gnuplot plots, report.md embedding them and summary.txt — and without gnuplot,
// everything but the plots, with one line saying so. Also the numbers behind the tables: bucket
// quantiles and the as-of comparison of our series with the exchange's.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "host/metrics/app_metrics.hpp"
#include "host/report/run_report.hpp"
#include "tests/support/slurp.hpp"

namespace fs = std::filesystem;

namespace {

using pw::test::slurp;

// An hour of a BTC-like and an ETH-like instrument: our mark every second, the exchange's every
// minute a little off; funding sampled every minute.
pw::RunData sample_run() {
  pw::RunData d;
  d.title = "perpwire run: generated session";
  d.facts = {{"config", "config/perpwire.toml"}, {"backend", "software"}, {"frames", "line A 120000, line B 119500"}};
  pw::MetricsRegistry reg;
  pw::AppMetrics m(reg, {"BIP-20DEC30-CDE", "ETP-20DEC30-CDE"}, {"desk-a"});
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> decode(std::log(400.0), 0.4), risk(std::log(150.0), 0.3), wire(std::log(2500.0), 0.5);
  for (int i = 0; i < 50000; ++i) {
    m.latency(pw::LatencyStage::rx_to_book).observe((uint64_t)decode(rng));
    m.latency(pw::LatencyStage::risk_check).observe((uint64_t)risk(rng));
    m.latency(pw::LatencyStage::rx_to_decision).observe((uint64_t)wire(rng));
  }
  for (auto s : {pw::LatencyStage::rx_to_book, pw::LatencyStage::risk_check, pw::LatencyStage::rx_to_decision})
    d.latency.push_back(pw::LatencySeries::from_histogram(pw::latency_stage_name(s), m.latency(s).snapshot()));

  const int64_t t0 = 1795960680000000000LL;
  const int64_t base[2] = {95000LL * 1000000000, 3500LL * 1000000000};
  const char* syms[2] = {"BIP-20DEC30-CDE", "ETP-20DEC30-CDE"};
  for (int k = 0; k < 2; ++k) {
    pw::InstrumentSeries s;
    s.symbol = syms[k];
    std::normal_distribution<double> step(0, 0.0002);
    double price = (double)base[k];
    for (int sec = 0; sec < 3600; ++sec) {
      price *= 1 + step(rng);
      const int64_t t = t0 + (int64_t)sec * 1000000000;
      s.mark.push_back({t, (int64_t)price / 1000000 * 1000000});
      if (sec % 60 == 30) {
        s.exchange_mark.push_back({t + 1000, (int64_t)(price * (1 + 0.00003)) / 1000000 * 1000000});
        s.funding.push_back({t, 12500 + sec * 2});
        s.exchange_funding.push_back({t + 1000, 12000 + sec * 2});
      }
    }
    d.instruments.push_back(std::move(s));
  }
  d.orders_accepted = 930;
  d.rejects = {{"price_collar", 41}, {"throttle", 17}, {"margin", 6}, {"kill_switch", 0}, {"position_limit", 9}};
  return d;
}

}  // namespace

TEST_CASE("bucket quantiles and series comparison") {
  pw::LatencySeries l;
  l.stage = "x";
  l.upper_bounds_ns = {100, 200, 500};
  l.counts = {50, 40, 9, 1};  // 100 samples, one above 500 ns
  l.sum_ns = 20000;
  CHECK(l.count() == 100);
  CHECK(l.quantile_bound_ns(0.5) == 100);
  CHECK(l.quantile_bound_ns(0.51) == 200);
  CHECK(l.quantile_bound_ns(0.99) == 500);
  CHECK(l.quantile_bound_ns(1.0) == UINT64_MAX);
  CHECK(pw::LatencySeries{}.quantile_bound_ns(0.5) == 0);

  CHECK(pw::format_duration_ns(850) == "850 ns");
  CHECK(pw::format_duration_ns(1200) == "1.2 µs");
  CHECK(pw::format_duration_ns(3400000) == "3.4 ms");
  CHECK(pw::format_duration_ns(2000000000) == "2 s");

  // Ours 100.00 then 100.10; the exchange 100.05 at t=15: as-of ours is 100.00 → −5 bps.
  std::vector<pw::TimePoint> ours = {{10, 100000000000}, {20, 100100000000}};
  std::vector<pw::TimePoint> exch = {{5, 99000000000}, {15, 100050000000}, {25, 100100000000}};
  pw::SeriesComparison c = pw::compare_series(ours, exch, true);
  CHECK(c.points == 2);  // the point at t=5 has nothing of ours before it
  CHECK(c.max_abs_bps == doctest::Approx(4.9975).epsilon(1e-4));
  CHECK(c.mean_abs_bps == doctest::Approx(4.9975 / 2).epsilon(1e-4));
  CHECK(c.last_ours == 100100000000);
  // Rates: 0.0001 apart is 1 bp.
  pw::SeriesComparison f = pw::compare_series({{1, 200000}}, {{2, 100000}}, false);
  CHECK(f.max_abs_bps == doctest::Approx(1.0));
}

TEST_CASE("the report folder holds CSV, plots, report.md and summary.txt") {
  const fs::path dir = fs::temp_directory_path() / ("perpwire_test_report_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const pw::RunData data = sample_run();
  pw::ReportOptions opt;
  opt.svg = true;
  pw::ReportResult r = pw::write_report(data, dir.string(), opt);
  INFO(r.error << " / " << r.plots_note);
  REQUIRE(r.ok);

  for (const char* f : {"report.md", "summary.txt", "latency.csv", "latency_rx_to_book.csv", "mark_BIP-20DEC30-CDE.csv",
                        "funding_ETP-20DEC30-CDE.csv", "rejects.csv"}) {
    INFO(f);
    CHECK(fs::exists(dir / f));
    CHECK(fs::file_size(dir / f) > 0);
  }
  const std::string md = slurp(dir / "report.md");
  CHECK(md.find("# perpwire run: generated session") == 0);
  CHECK(md.find("| **rx_to_decision** | 50000 |") != std::string::npos);
  CHECK(md.find("| price_collar | 41 |") != std::string::npos);
  CHECK(md.find("| kill_switch |") == std::string::npos);  // zero counts are left out
  CHECK(md.find("930 orders accepted, 73 rejected") != std::string::npos);
  CHECK(md.find("| BIP-20DEC30-CDE | 60 |") != std::string::npos);  // 60 exchange marks compared

  CHECK(md.find("The slowest stage at p99 is **rx_to_decision**") != std::string::npos);
  // latency.json: per stage the samples and percentiles scripts read.
  const nlohmann::json lj = nlohmann::json::parse(slurp(dir / "latency.json"));
  for (const char* stage : {"rx_to_book", "risk_check", "rx_to_decision"}) {
    INFO(stage);
    REQUIRE(lj.contains(stage));
    CHECK(lj[stage]["samples"] == 50000);
    for (const char* k : {"p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns"}) CHECK(lj[stage][k].get<uint64_t>() > 0);
    CHECK(lj[stage]["p50_ns"].get<uint64_t>() <= lj[stage]["p99_ns"].get<uint64_t>());
    CHECK(lj[stage]["p999_ns"].get<uint64_t>() <= lj[stage]["max_ns"].get<uint64_t>());
  }
  // The lognormal medians (400 ns, 150 ns, 2.5 µs) within the 1.6 % bucket width (+ sampling noise).
  CHECK(std::abs((double)lj["rx_to_book"]["p50_ns"].get<uint64_t>() / 400.0 - 1) < 0.03);
  CHECK(std::abs((double)lj["risk_check"]["p50_ns"].get<uint64_t>() / 150.0 - 1) < 0.03);
  CHECK(std::abs((double)lj["rx_to_decision"]["p50_ns"].get<uint64_t>() / 2500.0 - 1) < 0.03);
  const std::string curve = slurp(dir / "latency_rx_to_book.csv");
  CHECK(curve.find("percentile,nines,latency_ns\n") == 0);

  const std::string mark_csv = slurp(dir / "mark_BIP-20DEC30-CDE.csv");
  CHECK(mark_csv.find("time_ns,epoch_s,ours,exchange,diff_bps\n1795960680000000000,1795960680.000,") == 0);
  const std::string rejects_csv = slurp(dir / "rejects.csv");
  CHECK(rejects_csv == "reason,count\nprice_collar,41\nthrottle,17\nposition_limit,9\nmargin,6\nkill_switch,0\n");

  if (r.plots) {
    for (const char* f : {"latency_rx_to_book.png", "latency_risk_check.svg", "mark_BIP-20DEC30-CDE.png", "funding_ETP-20DEC30-CDE.png",
                          "rejects.png", "plots.gp"}) {
      INFO(f);
      CHECK(fs::exists(dir / f));
      CHECK(fs::file_size(dir / f) > 1000);
    }
    CHECK(md.find("![BIP-20DEC30-CDE mark price](mark_BIP-20DEC30-CDE.png)") != std::string::npos);
    CHECK(md.find("![rejects by reason](rejects.png)") != std::string::npos);
    CHECK(r.plots_note.empty());
  } else {
    MESSAGE("gnuplot did not draw the plots here: " << r.plots_note);
  }

  CHECK(r.summary == slurp(dir / "summary.txt"));
  CHECK(r.summary.find("perpwire run: generated session\n") == 0);
  CHECK(r.summary.find("rx_to_book") != std::string::npos);
  CHECK(r.summary.find("orders: 930 accepted, 73 rejected (price_collar 41, throttle 17, position_limit 9, margin 6)") != std::string::npos);
  if (const char* keep = std::getenv("PERPWIRE_KEEP_REPORT")) {
    fs::remove_all(keep);
    fs::copy(dir, keep, fs::copy_options::recursive);
  }
  fs::remove_all(dir);
}

TEST_CASE("without gnuplot the report is still written and says the plots were skipped") {
  const fs::path dir = fs::temp_directory_path() / ("perpwire_test_report_nogp_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  pw::ReportOptions opt;
  opt.gnuplot = "/nonexistent/gnuplot";
  pw::ReportResult r = pw::write_report(sample_run(), dir.string(), opt);
  REQUIRE(r.ok);
  CHECK_FALSE(r.plots);
  CHECK(r.plots_note == "plots skipped: /nonexistent/gnuplot not found (install gnuplot; the CSV files hold the data)");
  const std::string md = slurp(dir / "report.md");
  CHECK(md.find("> plots skipped: /nonexistent/gnuplot not found") != std::string::npos);
  CHECK(md.find("![") == std::string::npos);
  CHECK(fs::file_size(dir / "latency.csv") > 0);
  CHECK(!fs::exists(dir / "mark_BIP-20DEC30-CDE.png"));
  CHECK(r.summary.find("plots skipped") != std::string::npos);

  // An unwritable folder is an error, not a crash.
  pw::ReportResult bad = pw::write_report(sample_run(), "/proc/perpwire-report", opt);
  CHECK_FALSE(bad.ok);
  CHECK(bad.error.find("/proc/perpwire-report") != std::string::npos);
  fs::remove_all(dir);
}
