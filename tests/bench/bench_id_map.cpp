// The id map (core/id_map.hpp) per operation, one thread: a map of capacity N (1024: the book
// and the risk gate; 16384: the host's books; 65536: the session's order table) holding N/2 ids
// (sequential from a random base, the exchange's and the client's pattern), values of 16 bytes
// (a resting order).
//
//   BM_IdMapFindHit/<N>      find of a live id (random order)
//   BM_IdMapFindMiss/<N>     find of an absent id
//   BM_IdMapEraseInsert/<N>  erase a live id and insert a fresh one (the book's delete + add)
//
// Each iteration runs a batch of 32 operations; the batch is timed with steady_clock and its time
// per operation kept, so the counters p50_ns / p99_ns are per-operation percentiles over batches.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "core/id_map.hpp"

namespace {

using namespace pw;

struct Order {
  int64_t price;
  int32_t qty;
  int8_t side;
};

constexpr int kBatch = 32;

template <int N>
struct Fixture {
  IdMap<Order, N> map;
  std::vector<int64_t> live;  // ids in the map
  int64_t next_id;
  std::mt19937_64 rng{7};
  Fixture() {
    next_id = (int64_t)(rng() >> 8);
    for (int i = 0; i < N / 2; ++i) add();
  }
  void add() {
    const int64_t id = next_id++;
    map.insert(id, Order{id, 1, 1});
    live.push_back(id);
  }
};

void report(benchmark::State& state, std::vector<double>& per_op) {
  std::sort(per_op.begin(), per_op.end());
  if (per_op.empty()) return;
  state.counters["p50_ns"] = per_op[per_op.size() / 2];
  state.counters["p99_ns"] = per_op[per_op.size() * 99 / 100];
}

template <typename F>
void run_batches(benchmark::State& state, F&& batch) {
  std::vector<double> per_op;
  per_op.reserve(1 << 20);
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    batch();
    const auto t1 = std::chrono::steady_clock::now();
    if (per_op.size() < (1u << 20)) per_op.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / kBatch);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  report(state, per_op);
}

template <int N>
void BM_IdMapFindHit(benchmark::State& state) {
  auto f = std::make_unique<Fixture<N>>();
  std::vector<int64_t> order = f->live;
  std::shuffle(order.begin(), order.end(), f->rng);
  size_t k = 0;
  int64_t sum = 0;
  run_batches(state, [&] {
    for (int i = 0; i < kBatch; ++i) {
      sum += f->map.at(f->map.find(order[k])).qty;
      k = k + 1 == order.size() ? 0 : k + 1;
    }
    benchmark::DoNotOptimize(sum);
  });
}

template <int N>
void BM_IdMapFindMiss(benchmark::State& state) {
  auto f = std::make_unique<Fixture<N>>();
  int64_t id = f->next_id + 1000000;
  int32_t sum = 0;
  run_batches(state, [&] {
    for (int i = 0; i < kBatch; ++i) sum += f->map.find(id++);
    benchmark::DoNotOptimize(sum);
  });
}

template <int N>
void BM_IdMapEraseInsert(benchmark::State& state) {
  auto f = std::make_unique<Fixture<N>>();
  std::vector<uint32_t> picks(1 << 16);
  for (uint32_t& p : picks) p = (uint32_t)(f->rng() % f->live.size());
  size_t k = 0;
  run_batches(state, [&] {
    for (int i = 0; i < kBatch; ++i) {
      int64_t& victim = f->live[picks[k]];
      f->map.erase(f->map.find(victim));
      victim = f->next_id++;
      benchmark::DoNotOptimize(f->map.insert(victim, Order{victim, 1, 1}));
      k = (k + 1) & (picks.size() - 1);
    }
  });
  if (f->map.overflows() != 0) state.SkipWithError("an insert overflowed");
}

BENCHMARK_TEMPLATE(BM_IdMapFindHit, 1024);
BENCHMARK_TEMPLATE(BM_IdMapFindHit, 16384);
BENCHMARK_TEMPLATE(BM_IdMapFindHit, 65536);
BENCHMARK_TEMPLATE(BM_IdMapFindMiss, 1024);
BENCHMARK_TEMPLATE(BM_IdMapFindMiss, 16384);
BENCHMARK_TEMPLATE(BM_IdMapFindMiss, 65536);
BENCHMARK_TEMPLATE(BM_IdMapEraseInsert, 1024);
BENCHMARK_TEMPLATE(BM_IdMapEraseInsert, 16384);
BENCHMARK_TEMPLATE(BM_IdMapEraseInsert, 65536);

}  // namespace

BENCHMARK_MAIN();
