#include "host/metrics/metrics.hpp"

#include <algorithm>
#include <stdexcept>

namespace pw {

namespace {

bool valid_metric_name(std::string_view n) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool valid_label_name(std::string_view n) {
  if (n.empty() || n.substr(0, 2) == "__") return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Label values escape backslash, double quote and newline; HELP text escapes backslash and newline.
void append_escaped(std::string& out, std::string_view s, bool quote) {
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (quote && c == '"') out += "\\\"";
    else out += c;
  }
}

void append_labels(std::string& out, const MetricLabels& labels, std::string_view le = {}) {
  if (labels.empty() && le.empty()) return;
  out += '{';
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    append_escaped(out, v, true);
    out += '"';
  }
  if (!le.empty()) {
    if (!first) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

const char* type_name(MetricType t) { return t == MetricType::counter ? "counter" : t == MetricType::gauge ? "gauge" : "histogram"; }

}  // namespace

std::string format_scaled(uint64_t v, int decimals) {
  std::string digits = std::to_string(v);
  if (decimals <= 0) return digits;
  if (digits.size() <= (size_t)decimals) digits.insert(0, (size_t)decimals + 1 - digits.size(), '0');
  std::string whole = digits.substr(0, digits.size() - (size_t)decimals), frac = digits.substr(digits.size() - (size_t)decimals);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return frac.empty() ? whole : whole + "." + frac;
}

std::string format_scaled(int64_t v, int decimals) {
  if (v >= 0) return format_scaled((uint64_t)v, decimals);
  return "-" + format_scaled((uint64_t)0 - (uint64_t)v, decimals);
}

Histogram::Histogram(std::vector<uint64_t> upper_bounds) : bounds_(std::move(upper_bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  fine_ = std::make_unique<std::atomic<uint64_t>[]>(kFineBuckets);
  for (size_t i = 0; i < kFineBuckets; ++i) fine_[i].store(0, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.upper_bounds = bounds_;
  s.counts.resize(bounds_.size() + 1);
  size_t b = 0;
  for (size_t i = 0; i < kFineBuckets; ++i) {
    const uint64_t n = fine_[i].load(std::memory_order_relaxed);
    if (n == 0) continue;
    const uint64_t top = i + 1 == kFineBuckets ? UINT64_MAX : fine_upper(i);
    while (b < bounds_.size() && bounds_[b] < top) ++b;
    s.counts[b] += n;
    s.count += n;
    s.fine.emplace_back(top, n);
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  s.max = max_.load(std::memory_order_relaxed);
  return s;
}

std::vector<uint64_t> latency_buckets_ns() {
  std::vector<uint64_t> b = {50};
  for (uint64_t decade = 100; decade <= 1000000000ULL; decade *= 10) {
    b.push_back(decade);
    b.push_back(decade * 2);
    b.push_back(decade * 5);
  }
  b.push_back(10000000000ULL);
  return b;
}

MetricsRegistry::Series& MetricsRegistry::series(std::string_view name, std::string_view help, MetricType type,
                                                 const MetricLabels& labels, int decimals, std::vector<uint64_t> bounds) {
  if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name '" + std::string(name) + "'");
  for (const auto& [k, v] : labels) {
    if (!valid_label_name(k)) throw std::invalid_argument("invalid label name '" + k + "' on metric " + std::string(name));
    if (type == MetricType::histogram && k == "le") throw std::invalid_argument("histogram " + std::string(name) + " may not use the label 'le'");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_name_.find(name);
  Family* family;
  if (it == by_name_.end()) {
    families_.push_back(std::make_unique<Family>(Family{std::string(name), std::string(help), type, decimals, {}}));
    family = families_.back().get();
    by_name_.emplace(family->name, family);
  } else {
    family = it->second;
    if (family->type != type)
      throw std::invalid_argument("metric " + std::string(name) + " is already registered as a " + type_name(family->type));
  }
  for (auto& s : family->series)
    if (s->labels == labels) return *s;
  // The series is complete before it becomes visible to rendering (same lock).
  auto s = std::make_unique<Series>();
  s->labels = labels;
  if (type == MetricType::counter) s->counter = std::make_unique<Counter>();
  if (type == MetricType::gauge) s->gauge = std::make_unique<Gauge>();
  if (type == MetricType::histogram) s->histogram = std::make_unique<Histogram>(std::move(bounds));
  family->series.push_back(std::move(s));
  return *family->series.back();
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help, const MetricLabels& labels) {
  return *series(name, help, MetricType::counter, labels, 0, {}).counter;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, const MetricLabels& labels, int decimals) {
  return *series(name, help, MetricType::gauge, labels, decimals, {}).gauge;
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help, const MetricLabels& labels,
                                      std::vector<uint64_t> upper_bounds, int decimals) {
  return *series(name, help, MetricType::histogram, labels, decimals, std::move(upper_bounds)).histogram;
}

void MetricsRegistry::on_collect(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(collect_mutex_);
  collectors_.push_back(std::move(fn));
}

std::string MetricsRegistry::render_prometheus() {
  {
    std::lock_guard<std::mutex> lock(collect_mutex_);
    for (auto& fn : collectors_) fn();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  out.reserve(4096);
  for (const auto& f : families_) {
    out += "# HELP " + f->name + " ";
    append_escaped(out, f->help, false);
    out += "\n# TYPE " + f->name + " " + type_name(f->type) + "\n";
    for (const auto& s : f->series) {
      switch (f->type) {
        case MetricType::counter:
          out += f->name;
          append_labels(out, s->labels);
          out += " " + std::to_string(s->counter->value()) + "\n";
          break;
        case MetricType::gauge:
          out += f->name;
          append_labels(out, s->labels);
          out += " " + format_scaled(s->gauge->value(), f->decimals) + "\n";
          break;
        case MetricType::histogram: {
          Histogram::Snapshot snap = s->histogram->snapshot();
          uint64_t cumulative = 0;
          for (size_t i = 0; i <= snap.upper_bounds.size(); ++i) {
            cumulative += snap.counts[i];
            out += f->name + "_bucket";
            append_labels(out, s->labels, i < snap.upper_bounds.size() ? format_scaled(snap.upper_bounds[i], f->decimals) : "+Inf");
            out += " " + std::to_string(cumulative) + "\n";
          }
          out += f->name + "_sum";
          append_labels(out, s->labels);
          out += " " + format_scaled(snap.sum, f->decimals) + "\n";
          out += f->name + "_count";
          append_labels(out, s->labels);
          // The +Inf bucket's value, so that the two always agree within one scrape.
          out += " " + std::to_string(cumulative) + "\n";
          break;
        }
      }
    }
  }
  return out;
}

Histogram::Snapshot MetricsRegistry::histogram_snapshot(std::string_view name, const MetricLabels& labels) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_name_.find(name);
  if (it == by_name_.end() || it->second->type != MetricType::histogram) return {};
  for (const auto& s : it->second->series)
    if (s->labels == labels && s->histogram) return s->histogram->snapshot();
  return {};
}

}  // namespace pw
