// Decoding throughput of the generated session from memory: datagram framing + checks alone, and
// framing + normalization into MarketEvent records (what the pipeline runs per message).
#include <benchmark/benchmark.h>

#include "core/md_normalize.hpp"
#include "tests/bench/session_payloads.hpp"

namespace {

void BM_DecodeFraming(benchmark::State& state) {
  const auto& p = pw::bench::session_payloads();
  uint64_t messages = 0;
  for (auto _ : state) {
    for (size_t i = 0; i + 1 < p.offsets.size(); ++i) {
      pw::md::PacketReader r;
      r.open(p.bytes.data() + p.offsets[i], p.offsets[i + 1] - p.offsets[i]);
      pw::md::Message m;
      pw::md::DecodeFault f;
      while (r.next(m, f) == pw::md::Step::message) {
        benchmark::DoNotOptimize(m.template_id);
        ++messages;
      }
    }
  }
  state.SetItemsProcessed((int64_t)messages);
  state.counters["packets"] = (double)(p.offsets.size() - 1);
}
BENCHMARK(BM_DecodeFraming)->Unit(benchmark::kMillisecond);

void BM_DecodeNormalize(benchmark::State& state) {
  const auto& p = pw::bench::session_payloads();
  uint64_t messages = 0;
  pw::MarketEvent e;
  for (auto _ : state) {
    for (size_t i = 0; i + 1 < p.offsets.size(); ++i) {
      pw::md::PacketReader r;
      r.open(p.bytes.data() + p.offsets[i], p.offsets[i + 1] - p.offsets[i]);
      pw::md::Message m;
      pw::md::DecodeFault f;
      while (r.next(m, f) == pw::md::Step::message) {
        pw::md::normalize(r.header(), m, e);
        benchmark::DoNotOptimize(e);
        ++messages;
      }
    }
  }
  state.SetItemsProcessed((int64_t)messages);
}
BENCHMARK(BM_DecodeNormalize)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
