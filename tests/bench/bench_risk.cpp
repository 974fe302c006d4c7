// Pre-trade risk check latency as a distribution: one million varied order requests (new orders,
// replaces, cancels; eight accounts, two instruments, a few hundred open orders) go through
// RiskEngine::check() one at a time, each call timed on its own with the TSC (steady_clock where
// there is none). Between calls, untimed, the exchange answers (fills, cancels, acknowledgements)
// and the market moves, so the state the checks read keeps changing, and the slow path refreshes
// the margin thresholds accepted orders left behind (as it does while the order path is idle).
// Counters: p50 / p90 / p99 / p99.9 / max in ns for all requests and for accepted ones (which run
// all 13 checks), the timer's own overhead, and the share accepted; slow_p50_ns / slow_p99_ns time
// the slow path's catch-up after each request (what an accepted order left to it: the open-order
// index insertion, the instrument's requirement, the margin thresholds). The argument is how many
// requests arrive back to back between two runs of the slow path: 1 is the gate keeping up (the
// slow path runs while the order path waits for the next request), 8 a burst.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

#include "core/risk_engine.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define PW_HAVE_TSC 1
#endif

namespace {

using namespace pw;
using Engine = RiskEngine<>;  // 16 accounts, 8 instruments, 1024 open orders, 4096 ids, 8 sessions

constexpr int64_t U = kPriceScale;
constexpr int kAccountsUsed = 8;
constexpr int kRequests = 1000000;
constexpr int kTargetOpen = 300;

inline uint64_t ticks_begin() {
#ifdef PW_HAVE_TSC
  _mm_lfence();
  uint64_t t = __rdtsc();
  _mm_lfence();
  return t;
#else
  return (uint64_t)std::chrono::steady_clock::now().time_since_epoch().count();
#endif
}
inline uint64_t ticks_end() {
#ifdef PW_HAVE_TSC
  unsigned aux;
  uint64_t t = __rdtscp(&aux);
  _mm_lfence();
  return t;
#else
  return (uint64_t)std::chrono::steady_clock::now().time_since_epoch().count();
#endif
}

struct Setup {
  int64_t mark[2] = {100000 * U + 123456789, 3000 * U + 987654321};
  int64_t cs[2] = {U / 100, U / 10};
};

void configure(Engine& e, const Setup& s, int64_t now) {
  for (int i = 0; i < 2; ++i) {
    InstrumentLimits l{};
    l.max_staleness_ns = 1000000000;
    l.collar_bps = 300;
    l.max_order_qty = 100;
    l.max_order_notional = 1000000 * U;
    l.max_position = 5000;
    l.margin.count = 3;
    l.margin.tiers[0] = MarginTier{250000 * U, 50};
    l.margin.tiers[1] = MarginTier{1000000 * U, 20};
    l.margin.tiers[2] = MarginTier{0, 10};
    e.set_instrument_limits(i, l);
    InstrumentMarket m{};
    m.mark = s.mark[i];
    m.best_bid = s.mark[i] - U;
    m.best_ask = s.mark[i] + U;
    m.limit_down = s.mark[i] / 100 * 90;
    m.limit_up = s.mark[i] / 100 * 110;
    m.contract_size = s.cs[i];
    m.funding_rate = 100000;
    m.last_update = now;
    m.tradable = 1;
    m.trading_status = kTradingStatusOpen;
    m.synced = 1;
    e.set_market(i, m);
  }
  for (int a = 0; a < kAccountsUsed; ++a) {
    e.set_account_limits(a, AccountLimits{4000, 2000000000 * U, 1000000, 1000});
    e.set_cash(a, (a == 7 ? 20000 : 5000000) * U);  // account 7 runs into its margin
  }
  e.set_session_limits(0, SessionLimits{10000000, 10000});
  e.set_session_limits(1, SessionLimits{10000000, 10000});
}

struct Percentiles {
  double p50, p90, p99, p999, max, mean;
};

Percentiles percentiles(std::vector<uint64_t>& v, double ns_per_tick) {
  Percentiles p{};
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return (double)v[std::min(v.size() - 1, (size_t)(q * (double)v.size()))] * ns_per_tick; };
  double sum = 0;
  for (uint64_t x : v) sum += (double)x;
  p.p50 = at(0.50);
  p.p90 = at(0.90);
  p.p99 = at(0.99);
  p.p999 = at(0.999);
  p.max = (double)v.back() * ns_per_tick;
  p.mean = sum / (double)v.size() * ns_per_tick;
  return p;
}

void BM_RiskCheckLatency(benchmark::State& state) {
  static Engine engine;  // ~300 KB
  const int slow_every = (int)state.range(0);
  Setup s;
  std::mt19937_64 rng(42);
  auto range = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };

  std::vector<uint64_t> all, accepted, slow;
  all.reserve(kRequests);
  accepted.reserve(kRequests);
  slow.reserve(kRequests);
  uint64_t accepted_count = 0, overhead_ticks = 0;
  double ns_per_tick = 1.0;

  for (auto _ : state) {
    all.clear();
    accepted.clear();
    slow.clear();
    accepted_count = 0;
    int64_t now = 1700000000LL * U;
    engine.reset();
    configure(engine, s, now);
    int64_t mark[2] = {s.mark[0], s.mark[1]};
    std::vector<int64_t> open;  // ids of orders believed open
    open.reserve(2048);
    int64_t next_id = 1;

    // The timer's own cost, to read the figures against.
    std::vector<uint64_t> empty(10000);
    for (auto& x : empty) {
      uint64_t t0 = ticks_begin();
      uint64_t t1 = ticks_end();
      x = t1 - t0;
    }
    std::sort(empty.begin(), empty.end());
    overhead_ticks = empty[empty.size() / 2];

    auto wall0 = std::chrono::steady_clock::now();
    uint64_t tick0 = ticks_begin();
    for (int n = 0; n < kRequests; ++n) {
      now += range(200, 1800);
      // The market moves (untimed).
      if (n % 64 == 0) {
        for (int i = 0; i < 2; ++i) {
          mark[i] += (int64_t)((__int128)mark[i] * range(-3, 3) / 10000) + range(-999, 999);
          InstrumentMarket m = engine.market(i);
          m.mark = mark[i];
          m.best_bid = mark[i] - U;
          m.best_ask = mark[i] + U;
          m.last_update = now;
          m.funding_rate = range(-200000, 200000);
          engine.set_market(i, m);
        }
      }
      // A request.
      OrderRequest r{};
      r.time = now;
      r.session = (uint8_t)range(0, 1);
      const int roll = (int)range(0, 99);
      if (roll < 12 && !open.empty()) {  // replace an open order
        int64_t id = open[(size_t)range(0, (int64_t)open.size() - 1)];
        const OpenOrder* o = engine.find_order(id);
        r.kind = OrderKind::replace;
        r.client_order_id = id;
        r.account = o ? o->account : 0;
        r.instrument = o ? o->instrument : 0;
        int64_t m = mark[r.instrument];
        r.price = m + (int64_t)((__int128)m * range(-150, 150) / 10000);
        r.quantity = (int32_t)range(1, 20);
      } else if (roll < 17 && !open.empty()) {
        r.kind = OrderKind::cancel;
        r.client_order_id = open[(size_t)range(0, (int64_t)open.size() - 1)];
      } else {
        r.kind = OrderKind::new_order;
        r.client_order_id = range(0, 99) < 2 && next_id > 10 ? next_id - range(1, 10) : next_id++;
        r.account = (uint16_t)range(0, kAccountsUsed - 1);
        r.instrument = (uint16_t)range(0, 1);
        r.side = range(0, 1) ? kBuy : kSell;
        int64_t m = mark[r.instrument];
        int64_t bps = range(0, 99) < 95 ? range(-200, 200) : range(-600, 600);  // some past the collar
        // Buys mostly below mark, sells above: a resting book of quotes.
        if (range(0, 99) < 85) bps = r.side > 0 ? -std::abs(bps) - 1 : std::abs(bps) + 1;
        r.price = m + (int64_t)((__int128)m * bps / 10000) + range(-999, 999);
        r.quantity = (int32_t)(range(0, 99) < 97 ? range(1, 20) : range(90, 120));
        r.flags = (uint8_t)(range(0, 99) < 5 ? kOrderReduceOnly : 0) | (uint8_t)(range(0, 99) < 10 ? kOrderIoc : 0);
      }

      uint64_t t0 = ticks_begin();
      RiskDecision d = engine.check(r);
      uint64_t t1 = ticks_end();
      benchmark::DoNotOptimize(d);
      all.push_back(t1 - t0);
      if (d.accepted && r.kind != OrderKind::cancel) {
        accepted.push_back(t1 - t0);
        ++accepted_count;
        if (r.kind == OrderKind::new_order) open.push_back(r.client_order_id);
      }

      // The exchange answers (untimed): acknowledgements, fills, cancels, replaces.
      if (d.accepted && r.kind == OrderKind::replace) {
        if (range(0, 9) < 8) engine.on_replace(r.client_order_id);
        else engine.on_reject(r.client_order_id);
      }
      if (d.accepted && r.kind == OrderKind::new_order) {
        if (r.flags & kOrderIoc) {
          if (range(0, 1)) engine.on_fill(r.client_order_id, range(1, r.quantity), r.price, r.time);
          engine.on_cancel(r.client_order_id);
        } else {
          engine.on_entered(r.client_order_id);
        }
      }
      int answers = (int)open.size() > kTargetOpen ? 2 : 0;
      for (int k = 0; k < answers && !open.empty(); ++k) {
        size_t at = (size_t)range(0, (int64_t)open.size() - 1);
        int64_t id = open[at];
        const OpenOrder* o = engine.find_order(id);
        if (o != nullptr) {
          if (range(0, 2) == 0) engine.on_fill(id, o->qty - o->filled, o->price, now);
          else engine.on_cancel(id);
        }
        open[at] = open.back();
        open.pop_back();
      }
      if (n % 200000 == 199999) engine.reset_daily();
      // The slow path catches up while the order path is idle (timed on its own).
      if (n % slow_every == slow_every - 1) {
        uint64_t s0 = ticks_begin();
        engine.refresh_margin_thresholds();
        uint64_t s1 = ticks_end();
        slow.push_back(s1 - s0);
      }
    }
    uint64_t tick1 = ticks_end();
    auto wall1 = std::chrono::steady_clock::now();
    ns_per_tick = std::chrono::duration<double, std::nano>(wall1 - wall0).count() / (double)(tick1 - tick0);
  }

  // Net of the timer: its median cost, measured in the same run, comes off every sample.
  for (auto* v : {&all, &accepted, &slow})
    for (uint64_t& x : *v) x = x > overhead_ticks ? x - overhead_ticks : 0;
  Percentiles pa = percentiles(all, ns_per_tick);
  Percentiles pc = percentiles(accepted, ns_per_tick);
  Percentiles ps = percentiles(slow, ns_per_tick);
  state.counters["p50_ns"] = pa.p50;
  state.counters["p90_ns"] = pa.p90;
  state.counters["p99_ns"] = pa.p99;
  state.counters["p999_ns"] = pa.p999;
  state.counters["max_ns"] = pa.max;
  state.counters["mean_ns"] = pa.mean;
  state.counters["acc_p50_ns"] = pc.p50;
  state.counters["acc_p99_ns"] = pc.p99;
  state.counters["acc_p999_ns"] = pc.p999;
  state.counters["slow_p50_ns"] = ps.p50;
  state.counters["slow_p99_ns"] = ps.p99;
  state.counters["timer_ns"] = (double)overhead_ticks * ns_per_tick;
  state.counters["accepted_pct"] = 100.0 * (double)accepted_count / (double)kRequests;
  state.counters["open_orders"] = engine.open_orders();
  const MarginPathCounters& mp = engine.margin_path();
  state.counters["margin_by_threshold_pct"] = 100.0 * (double)mp.by_threshold / (double)(mp.by_threshold + mp.computed + 1);
  state.SetItemsProcessed((int64_t)kRequests * state.iterations());
}
BENCHMARK(BM_RiskCheckLatency)->Arg(1)->Arg(8)->Iterations(1)->Unit(benchmark::kMillisecond);

// Throughput of evaluate() on one fixed accepted-path request (no state change): the cost of all
// 13 checks with the account's margin summed over two instruments, without the timer.
void BM_RiskEvaluateFullPath(benchmark::State& state) {
  static Engine engine;
  Setup s;
  const int64_t now = 1700000000LL * U;
  engine.reset();
  configure(engine, s, now);
  // A position and resting orders in both instruments, so margin walks both.
  for (int i = 0; i < 2; ++i) {
    engine.set_position(0, i, 10, s.mark[i]);
    OrderRequest q{};
    q.kind = OrderKind::new_order;
    q.client_order_id = 1000 + i;
    q.price = s.mark[i] + s.mark[i] / 200;
    q.quantity = 5;
    q.time = now;
    q.instrument = (uint16_t)i;
    q.side = kSell;
    engine.check(q);
  }
  engine.refresh_margin_thresholds();  // the slow path has caught up: check 8 on its threshold
  OrderRequest r{};
  r.kind = OrderKind::new_order;
  r.client_order_id = 1;
  r.price = s.mark[0] - s.mark[0] / 500;
  r.quantity = 3;
  r.time = now;
  r.side = kBuy;
  for (auto _ : state) {
    RiskDecision d = engine.evaluate(r);
    benchmark::DoNotOptimize(d);
  }
  if (!engine.evaluate(r).accepted) state.SkipWithError("the request should pass every check");
}
BENCHMARK(BM_RiskEvaluateFullPath);

// The slow path: what one state change costs the thresholds. 16 accounts, each with a position and
// open orders on both sides in both instruments.
void loaded(Engine& e, const Setup& s, int64_t now) {
  e.reset();
  configure(e, s, now);
  for (int a = 0; a < Engine::accounts; ++a) {
    e.set_account_limits(a, AccountLimits{4000, 2000000000 * U, 1000000, 1000});
    e.set_cash(a, 5000000 * U);
    for (int i = 0; i < 2; ++i) {
      e.set_position(a, i, a % 2 ? 40 : -40, s.mark[i]);
      for (int k = 0; k < 4; ++k) {
        OrderRequest r{};
        r.kind = OrderKind::new_order;
        r.client_order_id = 1 + a * 100 + i * 10 + k;
        r.account = (uint16_t)a;
        r.instrument = (uint16_t)i;
        r.side = k % 2 ? kSell : kBuy;
        r.price = s.mark[i] + (k % 2 ? 1 : -1) * s.mark[i] / 1000 * (k + 1);
        r.quantity = 5;
        r.time = now;
        r.session = 0;
        e.check(r);
      }
    }
  }
}

// A mark move of one instrument: every account's margin parts and thresholds in it are refreshed.
void BM_RiskRefreshMarkMove16Accounts(benchmark::State& state) {
  static Engine engine;
  Setup s;
  const int64_t now = 1700000000LL * U;
  loaded(engine, s, now);
  InstrumentMarket m = engine.market(0);
  int64_t k = 0;
  for (auto _ : state) {
    m.mark = s.mark[0] + (++k & 1023) * 1000;
    engine.set_market(0, m);
  }
  state.counters["accounts"] = Engine::accounts;
}
BENCHMARK(BM_RiskRefreshMarkMove16Accounts);

// A fill: position, cash, daily notional, margin parts and the account × instrument's thresholds.
void BM_RiskRefreshAfterFill(benchmark::State& state) {
  static Engine engine;
  Setup s;
  const int64_t now = 1700000000LL * U;
  loaded(engine, s, now);
  int8_t side = kBuy;
  for (auto _ : state) {
    engine.on_untracked_fill(3, 0, side, 1, s.mark[0], now);
    side = (int8_t)-side;
  }
}
BENCHMARK(BM_RiskRefreshAfterFill);

}  // namespace

BENCHMARK_MAIN();
