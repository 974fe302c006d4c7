// Metrics registry: the Prometheus text exposition parses line by line (HELP and TYPE once per
// family before its samples, label escaping, cumulative buckets ending in +Inf = _count, exact
// decimal values), series are found again by name and labels, misuse is refused at registration,
// and increments from several threads while scraping lose nothing.
#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "host/metrics/app_metrics.hpp"
#include "host/metrics/metrics.hpp"

namespace {

struct Sample {
  std::string name, labels;
  std::string value;
};

// Parses the exposition text; fails the test on any line that is not a comment or a sample.
struct Parsed {
  std::map<std::string, std::string> help, type;
  std::vector<Sample> samples;
};

Parsed parse_exposition(const std::string& text) {
  Parsed p;
  static const std::regex help_re(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$)");
  static const std::regex type_re(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$)");
  static const std::regex sample_re(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9]+(?:\.[0-9]+)?|\+Inf)$)");
  std::istringstream in(text);
  std::string line;
  std::set<std::string> families_with_samples;
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, help_re)) {
      CHECK_MESSAGE(p.help.count(m[1]) == 0, "HELP twice for " << m[1]);
      p.help[m[1]] = m[2];
    } else if (std::regex_match(line, m, type_re)) {
      CHECK_MESSAGE(p.type.count(m[1]) == 0, "TYPE twice for " << m[1]);
      CHECK_MESSAGE(families_with_samples.count(m[1]) == 0, "TYPE after samples of " << m[1]);
      p.type[m[1]] = m[2];
    } else if (std::regex_match(line, m, sample_re)) {
      std::string name = m[1];
      std::string family = name;
      for (const char* suffix : {"_bucket", "_sum", "_count"})
        if (!p.type.count(family) && family.size() > strlen(suffix) && family.ends_with(suffix)) family.resize(family.size() - strlen(suffix));
      CHECK_MESSAGE(p.type.count(family) == 1, "sample before its TYPE: " << line);
      families_with_samples.insert(family);
      p.samples.push_back({name, m[2], m[3]});
    } else {
      FAIL_CHECK("not a valid exposition line: " << line);
    }
  }
  return p;
}

std::string value_of(const Parsed& p, const std::string& name, const std::string& labels) {
  for (const auto& s : p.samples)
    if (s.name == name && s.labels == labels) return s.value;
  return "(absent)";
}

}  // namespace

TEST_CASE("the exposition text parses and carries exact values") {
  pw::MetricsRegistry reg;
  pw::Counter& frames_a = reg.counter("perpwire_feed_frames_total", "Frames received.", {{"line", "A"}});
  pw::Counter& frames_b = reg.counter("perpwire_feed_frames_total", "Frames received.", {{"line", "B"}});
  pw::Gauge& mark = reg.gauge("perpwire_mark_price", "Mark price.", {{"instrument", "BIP-20DEC30-CDE"}}, 9);
  pw::Gauge& funding = reg.gauge("perpwire_funding_rate", "Funding rate.", {{"instrument", "BIP"}}, 9);
  pw::Gauge& plain = reg.gauge("perpwire_up", "1 while running.\nSecond line \\ of help.");
  pw::Counter& odd = reg.counter("perpwire_odd_total", "Label escaping.", {{"path", "C:\\dir \"x\"\nnext"}});
  pw::Histogram& lat = reg.histogram("perpwire_stage_latency_seconds", "Latency per stage.", {{"stage", "decode"}});

  frames_a.inc();
  frames_a.inc(41);
  frames_b.inc(7);
  mark.set(95123500000000);  // 95123.5
  funding.set(-125);         // -0.000000125
  plain.set(1);
  odd.inc();
  for (uint64_t v : {40ULL, 50ULL, 51ULL, 120ULL, 900ULL, 1500ULL, 2000000ULL, 99000000000ULL}) lat.observe(v);

  CHECK(&reg.counter("perpwire_feed_frames_total", "Frames received.", {{"line", "A"}}) == &frames_a);  // same series again

  const std::string text = reg.render_prometheus();
  INFO(text);
  Parsed p = parse_exposition(text);
  CHECK(p.type["perpwire_feed_frames_total"] == "counter");
  CHECK(p.type["perpwire_mark_price"] == "gauge");
  CHECK(p.type["perpwire_stage_latency_seconds"] == "histogram");
  CHECK(p.help["perpwire_up"] == "1 while running.\\nSecond line \\\\ of help.");
  CHECK(value_of(p, "perpwire_feed_frames_total", "{line=\"A\"}") == "42");
  CHECK(value_of(p, "perpwire_feed_frames_total", "{line=\"B\"}") == "7");
  CHECK(value_of(p, "perpwire_mark_price", "{instrument=\"BIP-20DEC30-CDE\"}") == "95123.5");
  CHECK(value_of(p, "perpwire_funding_rate", "{instrument=\"BIP\"}") == "-0.000000125");
  CHECK(value_of(p, "perpwire_up", "") == "1");
  CHECK(value_of(p, "perpwire_odd_total", "{path=\"C:\\\\dir \\\"x\\\"\\nnext\"}") == "1");

  // Buckets: ascending le, cumulative counts, +Inf last and equal to _count; _sum exact in seconds.
  std::vector<std::pair<std::string, uint64_t>> buckets;
  static const std::regex le_re(R"re(^\{stage="decode",le="([^"]+)"\}$)re");
  for (const auto& s : p.samples) {
    if (s.name != "perpwire_stage_latency_seconds_bucket") continue;
    std::smatch m;
    REQUIRE(std::regex_match(s.labels, m, le_re));
    buckets.emplace_back(m[1], std::stoull(s.value));
  }
  REQUIRE(buckets.size() == pw::latency_buckets_ns().size() + 1);
  CHECK(buckets.front() == std::make_pair(std::string("0.00000005"), (uint64_t)2));  // 40 and 50 ns (le is inclusive)
  CHECK(buckets[1] == std::make_pair(std::string("0.0000001"), (uint64_t)3));        // + 51 ns
  CHECK(buckets.back().first == "+Inf");
  CHECK(buckets.back().second == 8);
  for (size_t i = 1; i < buckets.size(); ++i) CHECK(buckets[i].second >= buckets[i - 1].second);
  for (size_t i = 1; i + 1 < buckets.size(); ++i) CHECK(std::stod(buckets[i].first) > std::stod(buckets[i - 1].first));
  CHECK(buckets[buckets.size() - 2].second == 7);  // 99 s is above the last bound (10 s)
  CHECK(value_of(p, "perpwire_stage_latency_seconds_count", "{stage=\"decode\"}") == "8");
  CHECK(value_of(p, "perpwire_stage_latency_seconds_sum", "{stage=\"decode\"}") == "99.002002661");

  pw::Histogram::Snapshot snap = reg.histogram_snapshot("perpwire_stage_latency_seconds", {{"stage", "decode"}});
  CHECK(snap.count == 8);
  CHECK(snap.sum == 99002002661ULL);
  CHECK(reg.histogram_snapshot("nope").count == 0);
}

TEST_CASE("misuse is refused at registration, not on the hot path") {
  pw::MetricsRegistry reg;
  reg.counter("a_total", "x");
  CHECK_THROWS_AS(reg.gauge("a_total", "x"), std::invalid_argument);
  CHECK_THROWS_AS(reg.counter("9bad", "x"), std::invalid_argument);
  CHECK_THROWS_AS(reg.counter("ok_total", "x", {{"bad-label", "v"}}), std::invalid_argument);
  CHECK_THROWS_AS(reg.counter("ok_total", "x", {{"__reserved", "v"}}), std::invalid_argument);
  CHECK_THROWS_AS(reg.histogram("h_seconds", "x", {{"le", "1"}}), std::invalid_argument);
}

TEST_CASE("increments from several threads during scrapes lose nothing") {
  pw::MetricsRegistry reg;
  pw::Counter& c = reg.counter("perpwire_test_total", "x");
  pw::Histogram& h = reg.histogram("perpwire_test_seconds", "x");
  int collected = 0;
  reg.on_collect([&] { ++collected; });
  constexpr int kPerThread = 200000;
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        c.inc();
        h.observe((uint64_t)i);
      }
    });
  for (int i = 0; i < 20; ++i) parse_exposition(reg.render_prometheus());
  for (auto& t : threads) t.join();
  CHECK(c.value() == 2 * kPerThread);
  CHECK(h.snapshot().count == 2 * kPerThread);
  CHECK(collected == 20);
}

TEST_CASE("the standard perpwire series are pre-registered for the configured names") {
  pw::MetricsRegistry reg;
  pw::AppMetrics m(reg, {"BIP-20DEC30-CDE", "ETP-20DEC30-CDE"}, {"desk-a", "desk-b"});
  m.frames(0).inc(3);
  m.rejects(pw::RejectReason::price_collar).inc();
  m.latency(pw::LatencyStage::risk_check).observe(150);
  m.instrument(1).mark->set(3500250000000);
  m.account(0).position[1]->set(-4);
  m.kill_global().set(1);
  Parsed p = parse_exposition(reg.render_prometheus());
  CHECK(value_of(p, "perpwire_feed_frames_total", "{line=\"A\"}") == "3");
  CHECK(value_of(p, "perpwire_order_rejects_total", "{reason=\"price_collar\"}") == "1");
  CHECK(value_of(p, "perpwire_order_rejects_total", "{reason=\"margin\"}") == "0");
  CHECK(value_of(p, "perpwire_stage_latency_seconds_count", "{stage=\"risk_check\"}") == "1");
  CHECK(value_of(p, "perpwire_mark_price", "{instrument=\"ETP-20DEC30-CDE\",source=\"own\"}") == "3500.25");
  CHECK(value_of(p, "perpwire_position_contracts", "{account=\"desk-a\",instrument=\"ETP-20DEC30-CDE\"}") == "-4");
  CHECK(value_of(p, "perpwire_kill_switch", "{scope=\"global\"}") == "1");
  CHECK(value_of(p, "perpwire_kill_switch", "{scope=\"account\",account=\"desk-b\"}") == "0");
}

TEST_CASE("latency histograms record within 1.6 % of each value from 10 ns to 10 s, percentiles exact to the bucket") {
  // Every value's bucket holds it, and the bucket is at most 1/64 of the value wide.
  for (uint64_t v = 1; v < 20000000000ULL; v = v + 1 + v / 97) {
    const size_t i = pw::Histogram::fine_index(v);
    const uint64_t top = pw::Histogram::fine_upper(i);
    const uint64_t bottom = i == 0 ? 0 : pw::Histogram::fine_upper(i - 1) + 1;
    REQUIRE(bottom <= v);
    REQUIRE(v <= top);
    CHECK((double)(top - bottom + 1) <= (double)v / 64.0 + 1.0);
  }
  // Percentiles of a known distribution: 1..100000 ns once each.
  pw::MetricsRegistry reg;
  pw::Histogram& h = reg.histogram("perpwire_res_seconds", "x");
  for (uint64_t v = 1; v <= 100000; ++v) h.observe(v);
  const pw::Histogram::Snapshot s = h.snapshot();
  CHECK(s.count == 100000);
  CHECK(s.max == 100000);
  uint64_t cumulative = 0;
  for (double q : {0.5, 0.9, 0.99, 0.999, 0.9999}) {
    const uint64_t exact = (uint64_t)(q * 100000);
    uint64_t at = 0;
    cumulative = 0;
    for (const auto& [top, n] : s.fine) {
      cumulative += n;
      if (cumulative >= exact) {
        at = top;
        break;
      }
    }
    INFO(q);
    CHECK(at >= exact);
    CHECK((double)at <= (double)exact * 1.016 + 1);
  }
  // The exposition buckets never count a value under a bound below it.
  CHECK(s.counts.size() == s.upper_bounds.size() + 1);
  uint64_t below_1us = 0;
  for (size_t i = 0; i < s.upper_bounds.size(); ++i)
    if (s.upper_bounds[i] <= 1000) below_1us += s.counts[i];
  CHECK(below_1us <= 1000);
  CHECK(below_1us >= 1000 - 16);
}
