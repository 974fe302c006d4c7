// What the firm-wide limits cost on the network (loopback, real nats-server -js processes; none of
// it is on the order path, which only reads the caps the agent hands it):
// - BM_SliceGrant/1 and /3: one revision-checked grant (read + update) on one server, and on a
//   3-node cluster with the bucket replicated 3 times;
// - BM_FillPublish/1 and /3: one fill stored in the stream (publish + the stream's ack);
// - BM_KillToThreeHosts: the firm kill flag written by the risk desk until three hosts, each
//   connected to another node of the cluster, have seen it (key-value watch).
// Per-operation times from steady_clock as p50_ns / p99_ns / max_ns counters.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "host/firm/nats_link.hpp"
#include "host/firm/slice_client.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/bench/sample_percentiles.hpp"

namespace {

using namespace pw::firm;
using Clock = std::chrono::steady_clock;

// One server or a 3-node cluster with the bucket and stream replicated on every node.
struct Cluster {
  pw::test::TempDir dir{"perpwire-bench-firm"};
  pw::test::NatsCluster nodes;

  explicit Cluster(int n) : nodes(dir.path, n) { nodes.start(); }
  NatsLinkOptions options(std::vector<std::string> servers = {}) const {
    NatsLinkOptions o;
    o.servers = servers.empty() ? nodes.urls() : servers;
    o.replicas = nodes.size();
    return o;
  }
};

void BM_SliceGrant(benchmark::State& state) {
  Cluster c((int)state.range(0));
  NatsLink link;
  std::string err;
  if (!pw::test::open_when_ready(link, c.options(), err)) return state.SkipWithError(err.c_str());
  SliceClient sc(link);
  int64_t in_bucket = 0;
  if (!sc.ensure("notional.bench", INT64_MAX / 2, in_bucket, err)) return state.SkipWithError(err.c_str());
  std::vector<int64_t> ns;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    GrantResult g = sc.grant("notional.bench", "host-a/acct0", 1, 1);
    ns.push_back((Clock::now() - t0).count());
    if (!g.ok) return state.SkipWithError(g.error.c_str());
  }
  pw::bench::report_percentiles(state, ns);
}
BENCHMARK(BM_SliceGrant)->Arg(1)->Arg(3)->Iterations(2000)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_FillPublish(benchmark::State& state) {
  Cluster c((int)state.range(0));
  NatsLink link;
  std::string err;
  if (!pw::test::open_when_ready(link, c.options(), err)) return state.SkipWithError(err.c_str());
  std::vector<int64_t> ns;
  int64_t exec = 0;
  const std::string payload(220, 'x');  // the size of a fill record
  for (auto _ : state) {
    bool dup = false;
    const auto t0 = Clock::now();
    const bool ok = link.publish("perpwire.fills.bench.host-a", "bench." + std::to_string(++exec), payload, dup, err);
    ns.push_back((Clock::now() - t0).count());
    if (!ok) return state.SkipWithError(err.c_str());
  }
  pw::bench::report_percentiles(state, ns);
}
BENCHMARK(BM_FillPublish)->Arg(1)->Arg(3)->Iterations(2000)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_KillToThreeHosts(benchmark::State& state) {
  Cluster c(3);
  NatsLink desk;
  std::string err;
  if (!pw::test::open_when_ready(desk, c.options(), err)) return state.SkipWithError(err.c_str());
  NatsLink hosts[3];
  std::atomic<int64_t> seen[3];
  for (int h = 0; h < 3; ++h) {
    seen[h] = -1;
    if (!pw::test::open_when_ready(hosts[h], c.options({c.nodes.urls()[h]}), err)) return state.SkipWithError(err.c_str());
    if (!hosts[h].watch("bench.kill", [&, h](std::string_view v) { seen[h].store(std::stoll(std::string(v))); }, err))
      return state.SkipWithError(err.c_str());
  }
  std::vector<int64_t> ns;
  int64_t n = 0;
  for (auto _ : state) {
    ++n;
    const auto t0 = Clock::now();
    if (desk.put("bench.kill", std::to_string(n), err) != KvResult::ok) return state.SkipWithError(err.c_str());
    while (seen[0].load() < n || seen[1].load() < n || seen[2].load() < n) {
      if (Clock::now() - t0 > std::chrono::seconds(5)) return state.SkipWithError("a host never saw the flag");
    }
    ns.push_back((Clock::now() - t0).count());
  }
  pw::bench::report_percentiles(state, ns);
}
BENCHMARK(BM_KillToThreeHosts)->Iterations(1000)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
