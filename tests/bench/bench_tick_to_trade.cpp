// Tick to trade through the whole software path: the built-in session (`perpwire gen --seed 1
// --loss-both 3`, 75 minutes of BTC and ETH, A and B lines) replayed by `perpwire run` as fast as
// it goes — libpcap lines → A/B arbitration → decode → books, mark and funding → the demo strategy
// → the risk gate → orders encoded by the SBE session — with the simulated exchange answering in
// feed time, as in the main job. Two order sinks:
//   memory  rx_to_order ends when the packet's orders are encoded in the session's send buffer
//           (the software path's own cost; the write to the socket follows outside the stage),
//   socket  rx_to_order ends when they have been written to the loopback TCP socket.
// Each benchmark is one stage of one sink; its counters are that stage's percentiles over every
// sample of the replay (HdrHistogram resolution, ≤ 1.6 % per bucket): p50_ns, p90_ns, p99_ns,
// p999_ns, p9999_ns, max_ns and samples. The replay of a sink runs once (its first stage) and its
// wall time is the iteration time of every stage of that sink.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "app/run/run_app.hpp"
#include "host/metrics/tsc_clock.hpp"
#include "host/report/run_report.hpp"
#include "host/sessiongen/session_generator.hpp"
#include "tests/support/run_config.hpp"

namespace {

namespace fs = std::filesystem;
using namespace pw;

const char* const kStages[] = {"rx_to_book", "rx_to_decision", "rx_to_order", "risk_check", "order_to_ack"};

struct Replay {
  bool ok = false;
  std::string error;
  double seconds = 0;
  std::map<std::string, LatencySeries> stages;
};

const fs::path& work_dir() {
  static const fs::path d = [] {
    fs::path p = fs::temp_directory_path() / ("perpwire-bench-t2t-" + std::to_string(::getpid()));
    fs::create_directories(p);
    return p;
  }();
  return d;
}

bool make_session(std::string& error) {
  static int done = 0;  // 1 made, −1 failed
  static std::string failure;
  if (done == 0) {
    GenOptions g;
    g.seed = 1;
    g.faults.loss_both = 3;
    GenResult r;
    done = generate_session(g, (work_dir() / "session").string(), r, failure) ? 1 : -1;
  }
  error = failure;
  return done == 1;
}

// config/perpwire.toml reading the generated lines through libpcap, order entry and control plane
// on ports the system chooses, output in the work folder.
std::string write_config(const std::string& name) {
  const fs::path p = work_dir() / (name + ".toml");
  std::ofstream(p) << pw::test::run_config_text(work_dir() / "session", work_dir() / name, false, 0, true);
  return p.string();
}

const Replay& replay(OrderSink sink) {
  static std::map<int, Replay> done;
  auto it = done.find((int)sink);
  if (it != done.end()) return it->second;
  Replay& r = done[(int)sink];
  if (!make_session(r.error)) return r;
  const std::string name = sink == OrderSink::memory ? "memory" : "socket";
  RunOptions o;
  o.config_path = write_config(name);
  o.progress = false;
  o.print = false;
  o.order_sink = sink;
  o.kill_drill_start_ns = 1800LL * 1000000000;  // the main job's drill
  o.kill_drill_ns = 60LL * 1000000000;
  std::vector<LatencySeries> ls;
  o.latency = &ls;
  const int64_t t0 = TscClock::now_ns();
  const int rc = run_main(o);
  r.seconds = (double)(TscClock::now_ns() - t0) / 1e9;
  if (rc != 0) {
    r.error = "perpwire run exited with status " + std::to_string(rc) + " (output in " + work_dir().string() + ")";
    return r;
  }
  for (LatencySeries& s : ls) r.stages[s.stage] = std::move(s);
  r.ok = true;
  return r;
}

void BM_tick_to_trade(benchmark::State& state, OrderSink sink, const char* stage) {
  const Replay& r = replay(sink);
  for (auto _ : state) {
    if (!r.ok) {
      state.SkipWithError(r.error.c_str());
      break;
    }
    state.SetIterationTime(r.seconds);
  }
  if (!r.ok) return;
  const auto s = r.stages.find(stage);
  if (s == r.stages.end()) {
    state.SkipWithError("the replay recorded no sample of this stage");
    return;
  }
  const LatencySeries& l = s->second;
  state.counters["samples"] = (double)l.count();
  for (double q : kReportPercentiles) state.counters[percentile_key(q)] = (double)l.quantile_bound_ns(q);
  state.counters["max_ns"] = (double)l.max_ns;
}

int register_all() {
  for (OrderSink sink : {OrderSink::memory, OrderSink::socket})
    for (const char* stage : kStages) {
      const std::string name = std::string("tick_to_trade/") + (sink == OrderSink::memory ? "memory/" : "socket/") + stage;
      benchmark::RegisterBenchmark(name.c_str(), BM_tick_to_trade, sink, stage)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
    }
  return 0;
}
const int registered = register_all();

}  // namespace

BENCHMARK_MAIN();
