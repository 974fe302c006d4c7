// Metrics: counters, gauges and fixed-bucket histograms with labels, rendered in the Prometheus text
// exposition format (version 0.0.4) for GET /metrics.
//
// Series are registered up front (registration allocates and locks); the hot thread then keeps the
// returned references and only does relaxed atomic adds and stores — no allocation, no lock, no
// lookup. Rendering (from the control-plane thread) reads the same atomics relaxed: a scrape sees
// each value as it was at some instant, not all of them at the same instant, as Prometheus expects.
//
//   pw::MetricsRegistry reg;
//   pw::Counter& frames = reg.counter("perpwire_frames_total", "Frames received", {{"line", "A"}});
//   pw::Histogram& lat = reg.histogram("perpwire_stage_latency_seconds", "...", {{"stage", "decode"}});
//   frames.inc();  lat.observe(elapsed_ns);       // hot path
//   std::string text = reg.render_prometheus();  // control plane
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pw {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  alignas(64) std::atomic<uint64_t> value_{0};  // own cache line: no false sharing between hot counters
};

// An integer gauge; the registry renders it with `decimals` implied decimals (9: a ×1e-9 price or
// rate shown as its exact decimal).
class Gauge {
 public:
  void set(int64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void add(int64_t d) noexcept { value_.fetch_add(d, std::memory_order_relaxed); }
  int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  alignas(64) std::atomic<int64_t> value_{0};
};

// Counts of observations per bucket (v ≤ upper bound), fixed at registration.
// A latency histogram (values in ns) that records at HdrHistogram resolution and exposes fixed
// buckets. Recording is O(1): a value v ≥ 64 falls in one of 64 linear sub-buckets of its power of
// two, so a recorded bucket is at most 1/64 (1.6 %) of its value wide; below 64 every value has
// its own bucket. Values up to 2^40 ns (18 minutes) are resolved; larger ones share the last bucket.
// Percentiles come from the fine buckets (exact to the bucket, capped by the exact maximum); the
// Prometheus exposition aggregates them into `upper_bounds`, each fine bucket counted under the
// first bound at or above its largest value (a value within 1.6 % above a bound may be counted
// one bound higher, never lower). Relaxed atomic adds: any thread may record, any may snapshot.
class Histogram {
 public:
  static constexpr int kSubBits = 6;
  static constexpr uint64_t kSub = 1ull << kSubBits;             // 64 sub-buckets per power of two
  static constexpr int kMaxExponent = 40;
  static constexpr size_t kFineBuckets = (size_t)(kMaxExponent - kSubBits + 2) * kSub;

  struct Snapshot {
    std::vector<uint64_t> upper_bounds;  // ascending; the +Inf bucket is implied
    std::vector<uint64_t> counts;        // per bucket, NOT cumulative; size upper_bounds + 1 (last: above every bound)
    uint64_t sum = 0;
    uint64_t count = 0;                  // Σ counts
    uint64_t max = 0;                    // largest value recorded
    // The recorded resolution: the largest value of each non-empty fine bucket and its count,
    // ascending.
    std::vector<std::pair<uint64_t, uint64_t>> fine;
  };

  explicit Histogram(std::vector<uint64_t> upper_bounds);
  void observe(uint64_t v) noexcept {
    const size_t i = fine_index(v);
    fine_[i].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
    uint64_t m = max_.load(std::memory_order_relaxed);
    while (v > m && !max_.compare_exchange_weak(m, v, std::memory_order_relaxed)) {
    }
  }
  Snapshot snapshot() const;
  const std::vector<uint64_t>& upper_bounds() const { return bounds_; }

  static size_t fine_index(uint64_t v) noexcept {
    if (v < kSub) return (size_t)v;
    int e = 63 - __builtin_clzll(v);  // 2^e ≤ v < 2^(e+1), e ≥ kSubBits
    if (e > kMaxExponent) return kFineBuckets - 1;
    const int shift = e - kSubBits;
    return (size_t)(e - kSubBits + 1) * kSub + (size_t)((v >> shift) - kSub);
  }
  // The largest value that falls in fine bucket i.
  static uint64_t fine_upper(size_t i) noexcept {
    if (i < kSub) return i;
    const int shift = (int)(i / kSub) - 1;
    const uint64_t sub = kSub + i % kSub;
    return ((sub + 1) << shift) - 1;
  }

 private:
  std::vector<uint64_t> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> fine_;
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> max_{0};
};

// Log-spaced latency buckets in ns, 1-2-5 per decade from 50 ns to 10 s.
std::vector<uint64_t> latency_buckets_ns();

enum class MetricType : uint8_t { counter, gauge, histogram };

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Registers a series, or returns the existing one with the same name and labels. Throws
  // std::invalid_argument for an invalid metric or label name, or a name already registered with
  // another type (programming errors, found at start).
  Counter& counter(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const MetricLabels& labels = {}, int decimals = 0);
  // `decimals`: the observed values' implied decimals in the rendering; 9 turns ns observations
  // into seconds (name it *_seconds).
  Histogram& histogram(std::string_view name, std::string_view help, const MetricLabels& labels = {},
                       std::vector<uint64_t> upper_bounds = latency_buckets_ns(), int decimals = 9);

  // Runs before each rendering, e.g. to copy port statistics or positions into gauges.
  void on_collect(std::function<void()> fn);

  // The Prometheus text format: families in registration order, each with HELP and TYPE.
  std::string render_prometheus();

  // A histogram's snapshot by name and labels (reports), or an empty snapshot.
  Histogram::Snapshot histogram_snapshot(std::string_view name, const MetricLabels& labels = {}) const;

 private:
  struct Series {
    MetricLabels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    std::string name, help;
    MetricType type;
    int decimals;
    std::vector<std::unique_ptr<Series>> series;
  };
  Series& series(std::string_view name, std::string_view help, MetricType type, const MetricLabels& labels, int decimals,
                 std::vector<uint64_t> bounds);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family>> families_;
  std::map<std::string, Family*, std::less<>> by_name_;
  std::mutex collect_mutex_;
  std::vector<std::function<void()>> collectors_;
};

// `v` with `decimals` implied decimals as exact decimal text (12345, 2 → "123.45").
std::string format_scaled(int64_t v, int decimals);
std::string format_scaled(uint64_t v, int decimals);

}  // namespace pw
