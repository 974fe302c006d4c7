// Generated sessions through the software path (feed pipeline + market state), each fault kind
// against the fault-free session:
//   - faults the other line or the reorder wait can repair (loss on one line, duplicates,
//     reordering on both lines) give, per instrument, a state log identical record for record
//     (channels are independent streams: how records of different channels interleave depends on
//     which line delivered first);
//   - packets lost on both lines end with every book equal, level by level, to the fault-free
//     session's, or the book is unsynced and the last sync record says why;
// and the real captures replay without a crash, with the snapshot capture giving its book.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "host/sessiongen/session_generator.hpp"
#include "host/pipeline/replay.hpp"
#include "host/pipeline/state_log.hpp"

namespace fs = std::filesystem;

namespace {

struct Collect final : pw::RecordSink {
  std::vector<pw::StateRecord> records;
  void on_record(const pw::StateRecord& r, const char*) override { records.push_back(r); }
};

// The books at the end of a replay: per instrument id, every level of both sides, and sync.
struct FinalBook {
  bool synced = false;
  std::vector<pw::BookLevel> bids, asks;
};

struct Run {
  Collect sink;
  std::map<int32_t, FinalBook> books;
  pw::MarketStateCounters counters{};
  std::string text;
};

fs::path session_dir(const std::string& name) {
  return fs::temp_directory_path() / ("perpwire_market_" + name + "_" + std::to_string(::getpid()));
}

fs::path generate(const std::string& name, const pw::FaultOptions& faults) {
  pw::GenOptions o;
  o.seed = 7;
  o.events = 30000;
  o.duration_ns = 8LL * 60 * 1000000000LL;
  o.snapshot_interval_ns = 20LL * 1000000000LL;
  o.faults = faults;
  const fs::path dir = session_dir(name);
  fs::remove_all(dir);
  pw::GenResult r;
  std::string error;
  REQUIRE_MESSAGE(pw::generate_session(o, dir.string(), r, error), error);
  return dir;
}

void replay(const fs::path& dir, Run& run, int64_t reorder_wait_ns = 1000000) {
  pw::ReplayInputs in;
  in.reorder_wait_ns = reorder_wait_ns;
  in.pcap_a = (dir / "feed_a.pcap").string();
  in.pcap_b = (dir / "feed_b.pcap").string();
  pw::MarketStage market(run.sink, &in.defaults);
  pw::FeedPipeline feed(market, in.reorder_wait_ns);
  uint64_t frames = 0;
  std::string error;
  REQUIRE_MESSAGE(pw::pump_captures(in, feed, frames, error), error);
  const pw::HostMarketState& st = market.state();
  for (int i = 0; i < st.count(); ++i) {
    const auto& s = st.slot(i);
    FinalBook b;
    b.synced = s.synced != 0;
    b.bids.resize(64);
    b.asks.resize(64);
    b.bids.resize((size_t)s.book.top_levels(pw::kBid, b.bids.data(), 64));
    b.asks.resize((size_t)s.book.top_levels(pw::kAsk, b.asks.data(), 64));
    run.books[s.id] = b;
  }
  run.counters = st.counters();
  run.text = pw::describe_counters(feed, st.counters());
}

std::map<int32_t, std::vector<pw::StateRecord>> per_instrument(const Run& run) {
  std::map<int32_t, std::vector<pw::StateRecord>> m;
  for (const auto& r : run.sink.records) m[r.instrument_id].push_back(r);
  return m;
}

void require_same_log(const Run& clean, const Run& faulty) {
  REQUIRE(clean.sink.records.size() > 1000);
  const auto a = per_instrument(clean);
  const auto b = per_instrument(faulty);
  REQUIRE(a.size() == b.size());
  for (const auto& [id, ra] : a) {
    CAPTURE(id);
    REQUIRE(b.count(id) == 1);
    const auto& rb = b.at(id);
    const size_t n = std::min(ra.size(), rb.size());
    bool same = true;
    for (size_t i = 0; i < n && same; ++i) {
      if (pw::same_record(ra[i], rb[i])) continue;
      same = false;
      FAIL_CHECK("first difference at record " << i << "\n  fault-free: " << pw::format_state_record(ra[i], "")
                                              << "\n  faulty:     " << pw::format_state_record(rb[i], ""));
    }
    CHECK(ra.size() == rb.size());
  }
}

bool same_levels(const std::vector<pw::BookLevel>& a, const std::vector<pw::BookLevel>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].price != b[i].price || a[i].qty != b[i].qty || a[i].count != b[i].count) return false;
  return true;
}

const Run& clean_run() {
  static Run run;
  static bool done = false;
  if (!done) {
    replay(generate("clean", {}), run);
    done = true;
  }
  return run;
}

}  // namespace

TEST_CASE("the fault-free session keeps every book synced and loses nothing") {
  const Run& clean = clean_run();
  REQUIRE(clean.books.size() == 2);
  for (const auto& [id, b] : clean.books) {
    CHECK(b.synced);
    CHECK(b.bids.size() > 5);
    CHECK(b.asks.size() > 5);
  }
  CHECK(clean.counters.instr_seq_gaps == 0);
  CHECK(clean.counters.book_errors == 0);
  CHECK(clean.counters.snapshots_skipped > 0);
}

TEST_CASE("loss on one line and duplicates: the state log equals the fault-free one") {
  pw::FaultOptions f;
  f.loss_a = 0.03;
  f.duplicate = 0.03;
  Run run;
  replay(generate("loss_a", f), run);
  INFO(run.text);
  require_same_log(clean_run(), run);
}

TEST_CASE("loss on line B and duplicates on both: the state log equals the fault-free one") {
  pw::FaultOptions f;
  f.loss_b = 0.05;
  f.duplicate = 0.05;
  Run run;
  replay(generate("loss_b", f), run);
  INFO(run.text);
  require_same_log(clean_run(), run);
}

TEST_CASE("reordering on both lines without loss: the state log equals the fault-free one") {
  pw::FaultOptions f;
  f.reorder = 0.05;
  Run run;
  // Packets are ~15 ms apart in this session: a swapped pair waits up to that long for its hole.
  replay(generate("reorder", f), run, 1000000000);
  INFO(run.text);
  require_same_log(clean_run(), run);
}

TEST_CASE("loss on both lines: books recover from snapshots to the fault-free books, or say they are unsynced") {
  pw::FaultOptions f;
  f.loss_both = 12;
  f.loss_a = 0.01;
  f.loss_b = 0.01;
  f.reorder = 0.01;
  f.duplicate = 0.01;
  Run run;
  replay(generate("loss_both", f), run);
  INFO(run.text);
  CHECK(run.counters.packet_gaps >= 12);
  CHECK(run.counters.recoveries > 0);
  const Run& clean = clean_run();
  REQUIRE(run.books.size() == clean.books.size());
  for (const auto& [id, b] : run.books) {
    CAPTURE(id);
    const FinalBook& c = clean.books.at(id);
    if (b.synced) {
      CHECK(same_levels(b.bids, c.bids));
      CHECK(same_levels(b.asks, c.asks));
    } else {
      // Unsynced at the end: the last sync record of the instrument says so and why.
      const pw::StateRecord* last = nullptr;
      for (const auto& r : run.sink.records)
        if (r.kind == (uint8_t)pw::StateKind::sync && r.instrument_id == id) last = &r;
      REQUIRE(last != nullptr);
      CHECK(last->sync.synced == 0);
      CHECK(last->sync.reason != (uint8_t)pw::SyncReason::none);
    }
  }
  // Whenever synced, the book top published equals what the book holds: no record claims a
  // synced top while the instrument was unsynced.
  std::map<int32_t, bool> synced;
  for (const auto& r : run.sink.records) {
    if (r.kind == (uint8_t)pw::StateKind::sync) synced[r.instrument_id] = r.sync.synced != 0;
    if (r.kind == (uint8_t)pw::StateKind::book_top) CHECK(r.top.synced == (synced[r.instrument_id] ? 1 : 0));
  }
}

TEST_CASE("real captures replay; the snapshot capture rebuilds its book") {
  const fs::path dir = fs::path(PERPWIRE_SOURCE_DIR) / "tests/data/coinbase/md";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".pcap") continue;
    ++files;
    CAPTURE(entry.path().string());
    Run run;
    pw::ReplayInputs in;
    in.pcap_a = entry.path().string();
    pw::BackendReport report;
    std::string error;
    REQUIRE_MESSAGE(pw::replay_software(in, run.sink, report, error), error);
    CHECK(report.frames >= 1);
    if (entry.path().filename() == "OrderSnapshotMessage.pcap") {
      const pw::StateRecord* top = nullptr;
      for (const auto& r : run.sink.records)
        if (r.kind == (uint8_t)pw::StateKind::book_top) top = &r;
      REQUIRE(top != nullptr);
      CHECK(top->top.bid_price == 32700000000LL);
      CHECK(top->top.ask_price == 32710000000LL);
      CHECK(top->top.synced == 1);
    }
  }
  CHECK(files >= 5);
}
