// Per-operation times (ns) of a benchmark as Google Benchmark counters: p50_ns, p99_ns, max_ns.
#pragma once
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace pw::bench {

inline void report_percentiles(benchmark::State& state, std::vector<int64_t>& ns) {
  if (ns.empty()) return;
  std::sort(ns.begin(), ns.end());
  state.counters["p50_ns"] = (double)ns[ns.size() / 2];
  state.counters["p99_ns"] = (double)ns[ns.size() * 99 / 100];
  state.counters["max_ns"] = (double)ns.back();
}

}  // namespace pw::bench
