// Order book and mark/funding cost per operation (core/book.hpp, core/impact_price.hpp,
// core/mark_funding.hpp), one thread, one instrument.
//
// The book: a BTC perpetual at 95,000 USD, 1 USD ticks, 50 price levels per side, 5 orders per level
// (500 resting orders, 1 to 10 contracts each, 0.01 BTC per contract: about 1.3 M USD per side).
// The stream: 65,536 events generated once from that book, every one valid when applied in order:
//   about 30 % new orders, 22 % quantity replaces, 10 % price replaces, 28 % deletes, 10 % trades
// (prices near the top more often: the depth is geometric with mean ≈ 6 levels; the book stays
// near 500 orders and never leaves its 50 levels per side). Each benchmark iteration applies one
// event; at the end of the stream the book (and the mark/funding state) is restored, untimed.
//
//   BM_BookUpdate               Book::apply for the mix above
//   BM_ImpactPrice/<USD>        impact bid + impact ask (two walks) on the starting book
//   BM_Mid                      mid()
//   BM_MarketStep/<µs apart>    market_step (on_time + apply + on_event) with the Coinbase preset;
//                               50 µs apart: a premium sample every 20,000 events; 1,000,000 µs
//                               apart: every event takes a premium sample (two impact walks) and a
//                               moving-average entry every tenth event
//   BM_OnTimeSilence            on_time across one hour of silence (3,600 samples, closed form)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <unordered_map>
#include <vector>

#include "core/book.hpp"
#include "core/funding_presets.hpp"
#include "core/mark_funding.hpp"

namespace {

using namespace pw;
using BenchBook = Book<1024, 64>;

constexpr int64_t U = kPriceScale;
constexpr int64_t kBestBid = 94999 * U;
constexpr int64_t kBestAsk = 95001 * U;
constexpr int kLevels = 50;
constexpr int kPerLevel = 5;
constexpr int kStream = 65536;
constexpr int64_t kContract = U / 100;  // 0.01 BTC

MarketEvent make_put(int64_t id, int8_t side, int64_t price, int32_t qty) {
  MarketEvent e;
  clear_event(e);
  e.type = (uint8_t)EventType::order_put;
  e.side = side;
  e.order.order_id = id;
  e.order.price = price;
  e.order.quantity = qty;
  e.transact_time = kNullI64;
  return e;
}
MarketEvent make_delete(int64_t id) {
  MarketEvent e;
  clear_event(e);
  e.type = (uint8_t)EventType::order_delete;
  e.order.order_id = id;
  e.order.price = kNullI64;
  e.transact_time = kNullI64;
  return e;
}
MarketEvent make_trade(int64_t resting, int8_t resting_side, int64_t price, int32_t qty) {
  MarketEvent e;
  clear_event(e);
  e.type = (uint8_t)EventType::trade;
  e.trade.buy_order_id = resting_side == kBid ? resting : 1000000000;
  e.trade.sell_order_id = resting_side == kBid ? 1000000000 : resting;
  e.trade.price = price;
  e.trade.old_price = kNullI64;
  e.trade.quantity = qty;
  e.transact_time = kNullI64;
  return e;
}

struct Live {
  int8_t side;
  int64_t price;
  int32_t qty;
};

struct Workload {
  std::unique_ptr<BenchBook> start = std::make_unique<BenchBook>();
  std::vector<MarketEvent> stream;
  int adds = 0, qty_replaces = 0, price_replaces = 0, deletes = 0, trades = 0;

  Workload() {
    std::mt19937_64 rng(20250101);
    std::unordered_map<int64_t, Live> live;
    std::vector<int64_t> ids;  // live ids, for picking at random
    std::unordered_map<int64_t, size_t> pos;
    auto add_live = [&](int64_t id, Live l) {
      live[id] = l;
      pos[id] = ids.size();
      ids.push_back(id);
    };
    auto drop_live = [&](int64_t id) {
      const size_t i = pos[id];
      ids[i] = ids.back();
      pos[ids[i]] = i;
      ids.pop_back();
      pos.erase(id);
      live.erase(id);
    };
    auto price_at = [](int8_t side, int depth) { return side == kBid ? kBestBid - depth * U : kBestAsk + depth * U; };
    auto depth = [&]() {
      std::geometric_distribution<int> g(0.15);
      int d = g(rng);
      return d >= kLevels ? (int)(rng() % kLevels) : d;
    };
    int64_t next_id = 1;
    for (int s = 0; s < 2; ++s) {
      const int8_t side = s == 0 ? kBid : kAsk;
      for (int d = 0; d < kLevels; ++d) {
        for (int k = 0; k < kPerLevel; ++k) {
          const Live l{side, price_at(side, d), 1 + (int32_t)(rng() % 10)};
          if (start->put(next_id, side, l.price, l.qty) != BookError::ok) std::abort();
          add_live(next_id++, l);
        }
      }
    }
    auto book = std::make_unique<BenchBook>(*start);
    stream.reserve(kStream);
    while ((int)stream.size() < kStream) {
      const int r = (int)(rng() % 100);
      const int n = (int)ids.size();
      const int add_share = n < 480 ? 45 : n > 520 ? 20 : 32;
      MarketEvent e;
      if (r < add_share || n < 50) {
        const int8_t side = rng() & 1 ? kBid : kAsk;
        const Live l{side, price_at(side, depth()), 1 + (int32_t)(rng() % 10)};
        e = make_put(next_id, side, l.price, l.qty);
        add_live(next_id++, l);
        ++adds;
      } else if (r < 52) {
        const int64_t id = ids[rng() % ids.size()];
        Live& l = live[id];
        l.qty = 1 + (int32_t)(rng() % 10);
        e = make_put(id, l.side, l.price, l.qty);
        ++qty_replaces;
      } else if (r < 62) {
        const int64_t id = ids[rng() % ids.size()];
        Live& l = live[id];
        l.price = price_at(l.side, depth());
        l.qty = 1 + (int32_t)(rng() % 10);
        e = make_put(id, l.side, l.price, l.qty);
        ++price_replaces;
      } else if (r < 90) {
        const int64_t id = ids[rng() % ids.size()];
        e = make_delete(id);
        drop_live(id);
        ++deletes;
      } else {
        // a trade against the best of four random resting orders of one side
        const int8_t side = rng() & 1 ? kBid : kAsk;
        int64_t best = 0;
        for (int k = 0; k < 16 && best == 0; ++k) {
          for (int j = 0; j < 4; ++j) {
            const int64_t id = ids[rng() % ids.size()];
            const Live& l = live[id];
            if (l.side != side) continue;
            if (best == 0 || (side == kBid ? l.price > live[best].price : l.price < live[best].price)) best = id;
          }
        }
        if (best == 0) continue;
        Live& l = live[best];
        const int32_t draw = 1 + (int32_t)(rng() % 3);
        const int32_t q = draw < l.qty ? draw : l.qty;
        e = make_trade(best, side, l.price, q);
        l.qty -= q;
        if (l.qty == 0) drop_live(best);
        ++trades;
      }
      if (const BookError err = book->apply(e); err != BookError::ok) {
        std::fprintf(stderr, "bench_book: generated event %zu rejected: %s\n", stream.size(), book_error_name(err));
        std::abort();
      }
      if (book->level_count(kBid) > kLevels || book->level_count(kAsk) > kLevels) std::abort();
      stream.push_back(e);
    }
  }
};

const Workload& workload() {
  static const Workload w;
  return w;
}

void BM_BookUpdate(benchmark::State& state) {
  const Workload& w = workload();
  auto book = std::make_unique<BenchBook>(*w.start);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(book->apply(w.stream[i]));
    if (++i == w.stream.size()) {
      state.PauseTiming();
      *book = *w.start;
      i = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["orders"] = w.start->order_count();
  state.counters["levels_per_side"] = w.start->level_count(kBid);
  state.counters["adds%"] = 100.0 * w.adds / kStream;
  state.counters["qty_repl%"] = 100.0 * w.qty_replaces / kStream;
  state.counters["px_repl%"] = 100.0 * w.price_replaces / kStream;
  state.counters["deletes%"] = 100.0 * w.deletes / kStream;
  state.counters["trades%"] = 100.0 * w.trades / kStream;
}
BENCHMARK(BM_BookUpdate);

void BM_ImpactPrice(benchmark::State& state) {
  const Workload& w = workload();
  const int64_t notional = state.range(0) * U;
  int levels = 0;
  {
    // levels the bid walk takes
    int64_t need = notional;
    for (int d = 0; d < kLevels && need > 0; ++d, ++levels) {
      const BookLevel l = w.start->level(kBid, d);
      need -= (int64_t)((__int128)l.price * l.qty * kContract / U);  // level notional ×1e-9
    }
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(w.start->impact_bid(notional, kContract));
    benchmark::DoNotOptimize(w.start->impact_ask(notional, kContract));
  }
  state.SetItemsProcessed(state.iterations() * 2);
  state.counters["bid_levels_walked"] = levels;
}
BENCHMARK(BM_ImpactPrice)->Arg(10000)->Arg(250000)->Arg(1000000);

void BM_Mid(benchmark::State& state) {
  const Workload& w = workload();
  for (auto _ : state) benchmark::DoNotOptimize(w.start->mid());
}
BENCHMARK(BM_Mid);

void BM_MarketStep(benchmark::State& state) {
  const Workload& w = workload();
  const int64_t dt = state.range(0) * 1000;  // ns between events
  const int64_t t0 = (int64_t)1735725600 * U;  // 2025-01-01 10:00:00 UTC
  std::vector<MarketEvent> timed(w.stream);
  for (size_t i = 0; i < timed.size(); ++i) timed[i].transact_time = t0 + 1 + (int64_t)i * dt;
  const MarkFundingParams p = coinbase_preset();
  MarkFundingState s0;
  mark_funding_init(s0, kContract);
  on_time(s0, p, *w.start, t0);
  set_index(s0, p, 95000 * U, t0);
  auto book = std::make_unique<BenchBook>(*w.start);
  auto s = std::make_unique<MarkFundingState>(s0);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(market_step(*book, *s, p, timed[i]));
    if (++i == timed.size()) {
      state.PauseTiming();
      *book = *w.start;
      *s = s0;
      i = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["events_per_sample"] = dt >= p.sample_interval_ns ? 1.0 : (double)p.sample_interval_ns / (double)dt;
  state.counters["intervals_closed"] = (double)s->intervals_closed;
  state.counters["last_mark"] = (double)s->mark / (double)U;
}
BENCHMARK(BM_MarketStep)->Arg(50)->Arg(1000000);

void BM_OnTimeSilence(benchmark::State& state) {
  const Workload& w = workload();
  const MarkFundingParams p = coinbase_preset();
  const int64_t t0 = (int64_t)1735725600 * U;
  MarkFundingState s0;
  mark_funding_init(s0, kContract);
  on_time(s0, p, *w.start, t0);
  set_index(s0, p, 95000 * U, t0);
  auto s = std::make_unique<MarkFundingState>(s0);
  int64_t t = t0;
  int64_t hours = 0;
  for (auto _ : state) {
    t += 3600 * U;  // one hour later: 3,600 premium samples, 30 moving-average entries, a boundary
    on_time(*s, p, *w.start, t);
    benchmark::DoNotOptimize(s->rate);
    if (++hours == 100000) {  // stay far from the end of int64 nanoseconds (year 2262)
      state.PauseTiming();
      *s = s0;
      t = t0;
      hours = 0;
      state.ResumeTiming();
    }
  }
  if (hours > 0 && s->final_samples != 3600) {
    std::fprintf(stderr, "final_samples %d missed %d closed %llu\n", s->final_samples, s->final_missed, (unsigned long long)s->intervals_closed);
    state.SkipWithError("an hour of silence did not take 3,600 samples");
  }
  state.counters["final_samples"] = (double)s->final_samples;
  state.counters["ma_entries"] = (double)s->ma_valid;
}
BENCHMARK(BM_OnTimeSilence);

}  // namespace

BENCHMARK_MAIN();
