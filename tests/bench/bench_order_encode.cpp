// What sending an order costs over each order-entry protocol: a NewOrder handed to the session —
// encoded and written to the loopback socket — over Orders SBE (OrderSession, perpwire's own
// codec) and over FIX 4.4 (FixSession: QuickFIX builds the message, numbers, stores it in its file
// store and writes it). Each session is logged on to its in-process simulated venue; every order
// crosses a deep ask and fills at once, and between batches (outside the timing) both sides read
// what the other wrote and the final orders are forgotten, so the tables never fill. Per-call
// times from steady_clock: p50_ns / p99_ns counters.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "host/exchange_sim/exchange_sim.hpp"
#include "host/fix/fix_session.hpp"
#include "host/fix/fix_venue_sim.hpp"
#include "host/orders/order_session.hpp"
#include "tests/bench/sample_percentiles.hpp"

namespace {

using namespace pw;
using namespace pw::oe;
using Clock = std::chrono::steady_clock;

constexpr int32_t kInst = 44;
constexpr int64_t kTick = 500'000'000;
constexpr int64_t kAsk = 2230'500'000'000;
constexpr int kBatch = 64;

OrderParams order(int64_t cid) {
  OrderParams p;
  p.client_order_id = cid;
  p.instrument_id = kInst;
  p.side = 1;
  p.price = kAsk + (cid % 4) * kTick;  // at or above the ask: fills at once
  p.quantity = (int32_t)(1 + cid % 5);
  return p;
}

// Times send_new_order on `s`; `pump` lets both sides read and answer (untimed).
template <typename Pump>
void send_loop(benchmark::State& state, OrderEntrySession& s, Pump&& pump) {
  std::vector<int64_t> ns;
  ns.reserve(1 << 20);
  int64_t cid = 1;
  uint64_t refused = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    const LocalReject r = s.send_new_order(order(cid));
    const auto t1 = Clock::now();
    const int64_t d = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
    state.SetIterationTime((double)d * 1e-9);
    ns.push_back(d);
    refused += r != LocalReject::none;
    if (++cid % kBatch == 0) pump();
  }
  pw::bench::report_percentiles(state, ns);
  state.counters["refused"] = (double)refused;
}

void BM_SendNewOrder_SBE(benchmark::State& state) {
  ExchangeSimConfig xc;  // answers as it reads (no feed clock)
  ExchangeSim sim(xc);
  std::string error;
  if (!sim.listen(error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  sim.add_instrument(kInst, kTick);
  SessionConfig sc;
  sc.port = sim.port();
  sc.username = "bench";
  sc.password = "bench";
  OrderSession s(sc);
  s.start(OrderSession::wall_clock_ns());
  for (int i = 0; i < 20000 && !s.active(); ++i) {
    s.poll(OrderSession::wall_clock_ns());
    sim.poll_once(1);
  }
  if (!s.active()) {
    state.SkipWithError("no logon");
    return;
  }
  OrderEvent e;
  auto pump = [&] {
    sim.set_market(kInst, kAsk - kTick, 1'000'000, kAsk, 1'000'000);
    for (int spin = 0; spin < 100000; ++spin) {
      sim.poll_once(0);
      s.poll(OrderSession::wall_clock_ns());
      while (s.next_event(e)) {
      }
      const ExchangeSimCounters c = sim.counters();
      if (c.messages_in == s.messages_sent() && c.messages_out == s.messages_received()) break;
    }
    s.forget_final_orders();
  };
  pump();
  send_loop(state, s, pump);
}
BENCHMARK(BM_SendNewOrder_SBE)->UseManualTime()->Iterations(50000);

void BM_SendNewOrder_FIX(benchmark::State& state) {
  char tmpl[] = "/tmp/pw_bench_fix_XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  const std::string dict = std::string(PERPWIRE_SOURCE_DIR) + "/config/fix/coinbase_derivatives_fix44.xml";
  {
    fix::FixVenueConfig vc;
    vc.target_comp_id = "BENCH1";
    vc.dictionary = dict;
    vc.store_dir = dir + "/venue";
    vc.symbols = {{kInst, "BIT-31JAN25-CDE"}};
    fix::FixVenueSim venue(vc);
    std::string error;
    if (!venue.listen(error)) {
      state.SkipWithError(error.c_str());
      return;
    }
    venue.add_instrument(kInst, kTick);
    fix::FixSessionConfig cc;
    cc.port = venue.port();
    cc.sender_comp_id = "BENCH1";
    cc.account = "ACC1";
    cc.dictionary = dict;
    cc.store_dir = dir + "/client";
    cc.symbols = vc.symbols;
    fix::FixSession s(cc);
    s.start(0);
    for (int i = 0; i < 20000 && !s.active(); ++i) {
      venue.poll_once(1);
      s.poll(0);
    }
    if (!s.active()) {
      state.SkipWithError(("no logon: " + s.last_error()).c_str());
      return;
    }
    OrderEvent e;
    auto pump = [&] {
      venue.set_market(kInst, kAsk - kTick, 1'000'000, kAsk, 1'000'000);
      for (int spin = 0; spin < 100000; ++spin) {
        venue.poll_once(0);
        s.poll(0);
        while (s.next_event(e)) {
        }
        if (venue.messages_received() == s.messages_sent() && venue.messages_sent() == s.messages_received()) break;
      }
      s.forget_final_orders();
    };
    pump();
    send_loop(state, s, pump);
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SendNewOrder_FIX)->UseManualTime()->Iterations(50000);

}  // namespace

BENCHMARK_MAIN();
