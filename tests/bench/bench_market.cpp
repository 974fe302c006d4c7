// End-to-end throughput of the software path on the generated session from memory: framing check,
// A/B arbitration, decode, normalization, InstrSeqNum sequencing, book and mark/funding, state
// records (to a sink that only counts them). Messages per second is the figure to hold against the
// feed's 10 GbE line rate (docs/performance.md).
#include <benchmark/benchmark.h>

#include <memory>

#include "host/pipeline/feed_pipeline.hpp"
#include "host/pipeline/market_stage.hpp"
#include "tests/bench/session_payloads.hpp"

namespace {

struct CountingSink final : pw::RecordSink {
  uint64_t records = 0;
  void on_record(const pw::StateRecord& r, const char*) override {
    benchmark::DoNotOptimize(r.kind);
    ++records;
  }
};

void run(benchmark::State& state, bool both_lines) {
  const auto& p = pw::bench::session_payloads();
  uint64_t messages = 0, records = 0;
  for (auto _ : state) {
    state.PauseTiming();
    CountingSink sink;
    auto market = std::make_unique<pw::MarketStage>(sink);
    auto feed = std::make_unique<pw::FeedPipeline>(*market, 1000000);
    state.ResumeTiming();
    for (size_t i = 0; i + 1 < p.offsets.size(); ++i) {
      const uint8_t* d = p.bytes.data() + p.offsets[i];
      const uint32_t len = p.offsets[i + 1] - p.offsets[i];
      const int64_t t = (int64_t)i * 1000;
      feed->on_datagram(0, t, d, len);
      if (both_lines) feed->on_datagram(1, t + 100, d, len);
    }
    feed->finish((int64_t)p.offsets.size() * 1000);
    messages += feed->counters().events;
    records += sink.records;
  }
  state.SetItemsProcessed((int64_t)messages);
  state.counters["records/msg"] = messages ? (double)records / (double)messages : 0;
}

void BM_EndToEndLineA(benchmark::State& state) { run(state, false); }
void BM_EndToEndLinesAB(benchmark::State& state) { run(state, true); }
BENCHMARK(BM_EndToEndLineA)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EndToEndLinesAB)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
