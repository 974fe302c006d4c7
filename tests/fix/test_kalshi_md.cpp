// Kalshi market data over FIX: the client (host/fix/kalshi_md_client) against the simulated
// KalshiMD publisher (host/fix/kalshi_md_sim) over loopback, both driven from this thread, with
// QuickFIX file stores in a temporary directory. The client's events go through the market stage
// (one book, mark/funding, sync) as the SBE feed's do. Checked: the book built from W/X equals the
// publisher's book at every checkpoint and, at the end of a long generated session, the SBE
// path's own book of the same session (levels converted); a hole in MsgSeqNum, a dropped session
// and a refused message each leave the book untrusted until the next snapshot.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/funding_presets.hpp"
#include "host/fix/kalshi_md_client.hpp"
#include "host/fix/kalshi_md_sim.hpp"
#include "host/fix/kalshi_session_script.hpp"
#include "host/pipeline/market_stage.hpp"
#include "host/pipeline/replay.hpp"

using namespace pw;
using namespace pw::fix;

namespace {

constexpr int32_t kBtc = 1;
constexpr uint16_t kChannel = 7;
constexpr int64_t kContract = 100000;  // 0.0001 BTC ×1e-9
constexpr int32_t kSizePerLot = 137;
constexpr int64_t kDivisor = 10000;

std::string config_file(const char* name) { return std::string(PERPWIRE_SOURCE_DIR) + "/config/fix/" + name; }

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/pw_kalshi_XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

GenOptions generation(uint64_t events) {
  GenOptions g;
  g.seed = 11;
  g.events = events;
  g.duration_ns = 10LL * 60 * 1000000000LL;
  return g;
}

// One generated session per size, shared by the cases (generation is the slow part).
struct Session {
  TempDir dir;
  KalshiScript script;
  explicit Session(uint64_t events) {
    KalshiScriptOptions o;
    o.instrument_id = kBtc;
    o.price_divisor = kDivisor;
    o.size_per_lot = kSizePerLot;
    std::string error;
    REQUIRE_MESSAGE(kalshi_script_generate(generation(events), dir.path + "/session", o, script, error), error);
  }
};
const Session& session(uint64_t events) {
  static std::map<uint64_t, std::unique_ptr<Session>> cache;
  auto& s = cache[events];
  if (!s) s = std::make_unique<Session>(events);
  return *s;
}

struct Records final : RecordSink {
  std::vector<SyncRecord> syncs;
  void on_record(const StateRecord& r, const char*) override {
    if (r.kind == (uint8_t)StateKind::sync) syncs.push_back(r.sync);
  }
};

int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Harness {
  TempDir dir;
  Records records;
  MarketStage market{records};
  std::unique_ptr<KalshiMdSim> sim;
  std::unique_ptr<KalshiMdClient> client;

  explicit Harness(const KalshiScript& script, int64_t snapshot_retry_ns = 5000000000) {
    KalshiMdSimConfig sc;
    sc.target_comp_id = "pw-api-key";
    sc.transport_dictionary = config_file("kalshi_md_fixt11.xml");
    sc.app_dictionary = config_file("kalshi_md_fix50sp2.xml");
    sc.store_dir = dir.path + "/sim";
    if (const char* l = std::getenv("PW_FIX_LOG")) sc.log_dir = l;
    sim = std::make_unique<KalshiMdSim>(sc, script);
    std::string error;
    REQUIRE_MESSAGE(sim->listen(error), error);
    REQUIRE(market.add_instrument(kBtc, kChannel, kalshi_preset(), kContract));
    KalshiMdConfig cc;
    cc.port = sim->port();
    cc.sender_comp_id = "pw-api-key";
    cc.transport_dictionary = sc.transport_dictionary;
    cc.app_dictionary = sc.app_dictionary;
    cc.store_dir = dir.path + "/client";
    cc.log_dir = sc.log_dir;
    cc.snapshot_retry_ns = snapshot_retry_ns;
    cc.instruments = {KalshiMdInstrument{"KXBTCPERP", kBtc, kChannel, script.tick, kContract}};
    client = std::make_unique<KalshiMdClient>(cc, market);
    REQUIRE_MESSAGE(client->start(error), error);
  }

  const HostMarketState::Slot& slot() const { return market.state().slot(0); }
  bool synced() const { return slot().synced != 0; }

  bool pump(const std::function<bool()>& done, int seconds = 10) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < until) {
      client->poll(wall_ns());
      if (done()) return true;
      sim->poll_once(1);
      client->poll(wall_ns());
      if (done()) return true;
    }
    return false;
  }
  // Everything the publisher sent has been read (and nothing is waiting for an answer).
  bool caught_up() const { return sim->messages_sent() > 0 && client->messages_received() == sim->messages_sent(); }
  void settle() {
    REQUIRE(pump([&] { return caught_up(); }));
    for (int k = 0; k < 5; ++k) {  // a request the last round sent, and its answer
      sim->poll_once(1);
      client->poll(wall_ns());
    }
    REQUIRE(pump([&] { return caught_up(); }));
  }
  void subscribe() {
    REQUIRE(pump([&] { return synced() && sim->subscribed(); }));
    settle();
  }
  // Publishes `steps` steps in batches, reading after each.
  void run(size_t steps, size_t batch = 200) {
    for (size_t done = 0; done < steps && !sim->done();) {
      done += sim->publish(std::min(batch, steps - done));
      settle();
    }
  }
};

std::vector<BookLevel> side_levels(const HostMarketState::Slot& s, int8_t side) {
  std::vector<BookLevel> v(4096);
  v.resize((size_t)s.book.top_levels(side, v.data(), (int)v.size()));
  return v;
}

// The client's book against the publisher's, level by level.
void check_book(const Harness& h) {
  std::vector<BookLevel> bids, asks;
  for (auto it = h.sim->levels().rbegin(); it != h.sim->levels().rend(); ++it)
    if (it->first.first > 0) bids.push_back(BookLevel{it->first.second, it->second, 1});
  for (const auto& kv : h.sim->levels())
    if (kv.first.first < 0) asks.push_back(BookLevel{kv.first.second, kv.second, 1});
  const auto b = side_levels(h.slot(), kBid), a = side_levels(h.slot(), kAsk);
  REQUIRE(b.size() == bids.size());
  REQUIRE(a.size() == asks.size());
  for (size_t i = 0; i < b.size(); ++i) {
    CHECK(b[i].price == bids[i].price);
    CHECK(b[i].qty == bids[i].qty);
  }
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].price == asks[i].price);
    CHECK(a[i].qty == asks[i].qty);
  }
}

// The sync records since `from`: none may declare the book synced except a snapshot.
void check_resynced_by_snapshot_only(const Records& r, size_t from) {
  bool saw_unsynced = false;
  for (size_t i = from; i < r.syncs.size(); ++i) {
    if (!r.syncs[i].synced) saw_unsynced = true;
    else CHECK(r.syncs[i].reason == (uint8_t)SyncReason::snapshot);
  }
  CHECK(saw_unsynced);
  REQUIRE(!r.syncs.empty());
  CHECK(r.syncs.back().synced == 1);
}

}  // namespace

TEST_CASE("KalshiMD: the book from W/X equals the generated session's levels over a long session") {
  const Session& s = session(200000);
  REQUIRE(s.script.steps.size() > 100000);
  Harness h(s.script);
  h.subscribe();
  CHECK(h.client->counters().snapshots == 1);
  size_t checkpoints = 0;
  while (!h.sim->done()) {
    h.run(2000);
    check_book(h);
    ++checkpoints;
  }
  CHECK(checkpoints > 5);
  CHECK(h.synced());
  const KalshiMdCounters& c = h.client->counters();
  CHECK(c.incrementals == h.sim->counters().incrementals);
  CHECK(c.incrementals == s.script.steps.size());
  CHECK(c.trades > 0);
  CHECK(c.level_updates > c.incrementals);
  CHECK(h.client->rejects() == 0);
  for (uint64_t n : c.distrusted) CHECK(n == 0);
  CHECK(h.market.state().counters().book_errors == 0);
  CHECK(h.slot().book.counters().unknown_order == 0);

  // The SBE path's book of the same generated session (its own decoder, L3 book), converted.
  Records sbe_records;
  MarketStage sbe(sbe_records);
  ReplayInputs in;
  in.pcap_a = s.dir.path + "/session/feed_a.pcap";
  FeedPipeline feed(sbe, in.reorder_wait_ns);
  uint64_t frames = 0;
  std::string error;
  REQUIRE_MESSAGE(pump_captures(in, feed, frames, error), error);
  const int k = sbe.state().find(kBtc);
  REQUIRE(k >= 0);
  for (int8_t side : {kBid, kAsk}) {
    const auto ref = side_levels(sbe.state().slot(k), side);
    const auto got = side_levels(h.slot(), side);
    REQUIRE(ref.size() == got.size());
    REQUIRE(!ref.empty());
    for (size_t i = 0; i < ref.size(); ++i) {
      CHECK(got[i].price * kDivisor == ref[i].price);
      CHECK(got[i].qty == ref[i].qty * kSizePerLot);
    }
  }
  // Two-decimal sizes did occur (137 hundredths per lot).
  bool fractional = false;
  for (const auto& st : s.script.steps)
    for (const auto& e : st.entries) fractional = fractional || e.qty % 100 != 0;
  CHECK(fractional);
}

TEST_CASE("KalshiMD: a hole in MsgSeqNum leaves the book untrusted until the next snapshot") {
  const Session& s = session(8000);
  Harness h(s.script);
  h.subscribe();
  h.run(300);
  check_book(h);
  const size_t from = h.records.syncs.size();
  h.sim->skip_next(3);
  h.sim->publish(50);
  REQUIRE(h.pump([&] { return h.client->counters().distrusted[(size_t)MdDistrust::seq_gap] == 1; }));
  CHECK_FALSE(h.synced());               // distrusted at once …
  CHECK(h.client->awaiting_snapshot(0));
  CHECK(h.client->counters().snapshots == 1);
  REQUIRE(h.pump([&] { return h.synced(); }));  // … until the snapshot asked for arrives
  CHECK(h.client->counters().snapshots == 2);
  CHECK(h.client->counters().gap_fills >= 1);
  CHECK_FALSE(h.client->awaiting_snapshot(0));
  h.settle();
  check_book(h);
  h.run(500);
  check_book(h);
  check_resynced_by_snapshot_only(h.records, from);
  CHECK(h.records.syncs[from].reason == (uint8_t)SyncReason::packet_gap);
  CHECK(h.sim->counters().skipped == 3);
  CHECK(h.client->counters().logouts == 0);
}

TEST_CASE("KalshiMD: a dropped session leaves the book untrusted; reconnect and snapshot recover it") {
  const Session& s = session(8000);
  Harness h(s.script);
  h.subscribe();
  h.run(300);
  check_book(h);
  const size_t from = h.records.syncs.size();
  h.sim->drop_connection();
  REQUIRE(h.pump([&] { return h.client->counters().logouts == 1; }));
  CHECK_FALSE(h.synced());
  CHECK(h.client->counters().distrusted[(size_t)MdDistrust::disconnect] == 1);
  h.sim->publish(200);  // the market moves while nobody listens
  CHECK_FALSE(h.synced());
  REQUIRE(h.pump([&] { return h.client->counters().logons == 2 && h.synced(); }, 15));
  CHECK(h.client->counters().snapshots == 2);
  h.settle();
  check_book(h);
  h.run(500);
  check_book(h);
  check_resynced_by_snapshot_only(h.records, from);
  CHECK(h.sim->counters().logons == 2);
}

TEST_CASE("KalshiMD: refused and unusable messages are counted, the session continues and the book is resynced") {
  const Session& s = session(8000);
  Harness h(s.script);
  h.subscribe();
  h.run(200);
  const size_t from = h.records.syncs.size();
  struct Fault {
    KalshiMdSim::Malformed kind;
    MdDistrust counted;
    int session_reject;  // SessionRejectReason of QuickFIX's Reject 3, −1: none (the client refuses the entry)
  };
  const Fault faults[] = {
      {KalshiMdSim::Malformed::unknown_tag, MdDistrust::rejected_message, 0},       // invalid tag number
      {KalshiMdSim::Malformed::bad_value, MdDistrust::bad_entry, -1},               // a price that is no number
      {KalshiMdSim::Malformed::unknown_msg_type, MdDistrust::rejected_message, 11}, // invalid MsgType
  };
  uint64_t snapshots = h.client->counters().snapshots;
  for (const Fault& f : faults) {
    CAPTURE((int)f.kind);
    const uint64_t before = h.client->counters().distrusted[(size_t)f.counted];
    const uint64_t rejects = h.client->rejects();
    REQUIRE(h.sim->send_malformed(f.kind));
    REQUIRE(h.pump([&] { return h.client->counters().distrusted[(size_t)f.counted] == before + 1; }));
    CHECK_FALSE(h.synced());
    if (f.session_reject >= 0) {
      CHECK(h.client->rejects() == rejects + 1);
      CHECK(h.client->counters().session_rejects[(size_t)f.session_reject] >= 1);
    } else {
      CHECK(h.client->rejects() == rejects);
    }
    REQUIRE(h.pump([&] { return h.synced(); }));
    CHECK(h.client->counters().snapshots == ++snapshots);
    h.settle();
    check_book(h);
    h.run(200);
    check_book(h);
  }
  CHECK(h.client->logged_on());
  CHECK(h.client->counters().logouts == 0);
  check_resynced_by_snapshot_only(h.records, from);
}

TEST_CASE("KalshiMD: a snapshot request left unanswered or refused is asked again after the retry time, not at once") {
  const Session& s = session(8000);
  constexpr int64_t kRetry = 300000000;  // 300 ms
  Harness h(s.script, kRetry);
  h.subscribe();
  h.run(100);

  // Unanswered: the request after the hole is lost; the retry brings the snapshot.
  uint64_t asked = h.sim->counters().requests;
  h.sim->ignore_requests(1);
  h.sim->skip_next(1);
  h.sim->publish(20);
  REQUIRE(h.pump([&] { return h.sim->counters().requests == asked + 1; }));
  CHECK_FALSE(h.synced());
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(h.pump([&] { return h.synced(); }));
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(250));
  CHECK(h.sim->counters().requests == asked + 2);
  h.settle();
  check_book(h);

  // Refused (Y): counted, still untrusted, no storm of requests, then the retry's snapshot.
  asked = h.sim->counters().requests;
  h.sim->reject_requests(1);
  h.sim->skip_next(1);
  h.sim->publish(20);
  REQUIRE(h.pump([&] { return h.client->counters().distrusted[(size_t)MdDistrust::request_rejected] == 1; }));
  CHECK_FALSE(h.synced());
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(150);
  while (std::chrono::steady_clock::now() < until) {
    h.client->poll(wall_ns());
    h.sim->poll_once(1);
  }
  CHECK(h.sim->counters().requests == asked + 1);  // nothing asked again within the retry time
  CHECK_FALSE(h.synced());
  REQUIRE(h.pump([&] { return h.synced(); }));
  CHECK(h.sim->counters().requests == asked + 2);
  CHECK(h.sim->counters().request_rejects == 1);
  h.settle();
  check_book(h);
  h.run(200);
  check_book(h);
}
