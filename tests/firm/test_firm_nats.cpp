// Slices of a firm limit against real nats-server processes (JetStream) on loopback:
// - hosts asking at the same moment are never granted more than the limit in total;
// - a limit created by one host is the one every host sees;
// - a fill published twice (same venue + execution id) is stored once;
// - on a 3-node cluster with one node killed, grants go on;
// - with the only server gone, a grant fails with a clear error and nothing is granted.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "host/firm/nats_link.hpp"
#include "host/firm/slice_client.hpp"
#include "tests/support/nats_server.hpp"

using namespace pw::firm;
using pw::test::NatsNode;
using pw::test::TempDir;

namespace {

NatsLinkOptions link_options(const std::vector<std::string>& servers, int replicas = 1) {
  NatsLinkOptions o;
  o.servers = servers;
  o.replicas = replicas;
  o.timeout_ms = 3000;
  return o;
}

}  // namespace

TEST_CASE("firm slices: concurrent grants never exceed the limit") {
  if (!pw::test::nats_server_available()) {
    FAIL("nats-server is not installed (scripts/setup.sh installs it)");
  }
  TempDir dir("perpwire-nats");
  NatsNode server;
  REQUIRE(server.start(dir.path / "n1", "n1", pw::test::free_loopback_port(), 0, {}));
  const auto opts = link_options({server.url()});

  NatsLink admin;
  std::string err;
  REQUIRE_MESSAGE(pw::test::open_when_ready(admin, opts, err), err);
  SliceClient sc(admin);
  int64_t in_bucket = 0;
  const int64_t limit = 1000;
  REQUIRE_MESSAGE(sc.ensure("notional.20261202", limit, in_bucket, err), err);
  CHECK(in_bucket == limit);
  // A second host with another idea of the limit gets the bucket's.
  REQUIRE(sc.ensure("notional.20261202", 5, in_bucket, err));
  CHECK(in_bucket == limit);

  constexpr int kHosts = 4, kAsks = 40;
  std::atomic<int64_t> total{0};
  std::atomic<int> conflicts{0}, failures{0};
  std::vector<std::thread> hosts;
  for (int h = 0; h < kHosts; ++h) {
    hosts.emplace_back([&, h] {
      NatsLink link;
      std::string e;
      if (!link.open(opts, e)) {
        ++failures;
        return;
      }
      SliceClient c(link);
      for (int k = 0; k < kAsks; ++k) {
        GrantResult g = c.grant("notional.20261202", "host-" + std::to_string(h) + "/acct0", 9, 1);
        if (!g.ok) ++failures;
        total += g.added;
        conflicts += g.attempts - 1;
      }
    });
  }
  for (auto& t : hosts) t.join();
  CHECK(failures == 0);
  Allocation a;
  REQUIRE(sc.read("notional.20261202", a, err));
  CHECK(a.granted() == total.load());
  CHECK(a.granted() == limit);  // 4 × 40 × 9 asked > 1000: all of it, never more
  int64_t sum = 0;
  for (int h = 0; h < kHosts; ++h) sum += a.held_by("host-" + std::to_string(h) + "/acct0");
  CHECK(sum == limit);
  MESSAGE("revision conflicts resolved by retrying: " << conflicts.load());

  // A clean stop gives back; the freed part goes to whoever asks next.
  GrantResult back = sc.release("notional.20261202", "host-0/acct0", 1000000);
  CHECK(back.ok);
  CHECK(back.added == a.held_by("host-0/acct0"));
  GrantResult again = sc.grant("notional.20261202", "host-9/acct0", 1000000, 1);
  CHECK(again.added == back.added);
  CHECK(again.free == 0);

  // Fills: the same venue + execution id is stored once.
  bool dup = true;
  REQUIRE_MESSAGE(admin.publish("perpwire.fills.sim.host-0", "sim.77", "{\"exec_id\":77}", dup, err), err);
  CHECK_FALSE(dup);
  REQUIRE(admin.publish("perpwire.fills.sim.host-0", "sim.77", "{\"exec_id\":77}", dup, err));
  CHECK(dup);
  REQUIRE(admin.publish("perpwire.fills.sim.host-1", "sim.78", "{\"exec_id\":78}", dup, err));
  std::vector<std::string> seen;
  REQUIRE_MESSAGE(admin.read_all([&](std::string_view, std::string_view d) { seen.emplace_back(d); }, err), err);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == "{\"exec_id\":77}");

  // The only server gone: a clear error, nothing granted, no crash.
  server.kill_now();
  GrantResult lost = sc.grant("notional.20261202", "host-9/acct0", 5, 1);
  CHECK_FALSE(lost.ok);
  CHECK(lost.added == 0);
  CHECK_FALSE(lost.error.empty());
  MESSAGE("with NATS gone: " << lost.error);
}

TEST_CASE("firm slices: a 3-node cluster keeps granting with one node down") {
  if (!pw::test::nats_server_available()) {
    FAIL("nats-server is not installed (scripts/setup.sh installs it)");
  }
  TempDir dir("perpwire-nats-cluster");
  pw::test::NatsCluster nodes(dir.path, 3);
  REQUIRE(nodes.start());
  const auto opts = link_options(nodes.urls(), 3);

  NatsLink link;
  std::string err;
  REQUIRE_MESSAGE(pw::test::open_when_ready(link, opts, err), err);
  SliceClient sc(link);
  int64_t in_bucket = 0;
  REQUIRE_MESSAGE(sc.ensure("position.BTC", 500, in_bucket, err), err);
  GrantResult g = sc.grant("position.BTC", "host-a/acct0/BIP", 100, 1);
  REQUIRE_MESSAGE(g.ok, g.error);
  CHECK(g.added == 100);

  nodes.node(0).kill_now();  // the replicated bucket keeps a quorum of two
  GrantResult after;
  for (int i = 0; i < 40 && !after.ok; ++i) {  // the client moves to another node, the stream may elect a new leader
    after = sc.grant("position.BTC", "host-b/acct0/BIP", 100, 1);
    if (!after.ok) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  REQUIRE_MESSAGE(after.ok, after.error);
  CHECK(after.added == 100);
  Allocation a;
  REQUIRE(sc.read("position.BTC", a, err));
  CHECK(a.granted() == 200);
  CHECK(a.free() == 300);
}
