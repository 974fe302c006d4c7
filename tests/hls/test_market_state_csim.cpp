// The hls-csim backend (software A/B arbitration → feed_decode → market_state, both kernels in
// C-simulation) against replay_software: the state log record for record, with the symbol each
// record goes out with, on generated sessions with faults and on the real captures; and the
// kernel's market updates (what pretrade_risk reads) against MarketState::market() after every
// event and gap notice.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "hls/csim/market_state_runner.hpp"
#include "hls/replay/replay_hls_csim.hpp"
#include "host/sessiongen/session_generator.hpp"
#include "host/pipeline/feed_pipeline.hpp"
#include "host/pipeline/replay.hpp"
#include "host/pipeline/state_log.hpp"
#include "tests/support/backend_compare.hpp"

namespace fs = std::filesystem;

namespace {

fs::path generate(const std::string& name, const pw::FaultOptions& faults, uint64_t events = 25000) {
  pw::GenOptions o;
  o.seed = 11;
  o.events = events;
  o.duration_ns = 8LL * 60 * 1000000000LL;
  o.snapshot_interval_ns = 20LL * 1000000000LL;
  o.faults = faults;
  const fs::path dir = fs::temp_directory_path() / ("perpwire_hls_market_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  pw::GenResult r;
  std::string error;
  REQUIRE_MESSAGE(pw::generate_session(o, dir.string(), r, error), error);
  return dir;
}

size_t require_same_log(const pw::ReplayInputs& in) { return pw::test::require_same_log(in, pw::replay_hls_csim, "hls-csim"); }

pw::ReplayInputs inputs(const fs::path& dir) {
  pw::ReplayInputs in;
  in.pcap_a = (dir / "feed_a.pcap").string();
  in.pcap_b = (dir / "feed_b.pcap").string();
  return in;
}

}  // namespace

TEST_CASE("hls-csim equals software: generated session without faults") {
  const fs::path dir = generate("clean", {});
  CHECK(require_same_log(inputs(dir)) > 5000);
  fs::remove_all(dir);
}

TEST_CASE("hls-csim equals software: loss on line A, duplicates on both lines") {
  pw::FaultOptions f;
  f.loss_a = 0.03;
  f.duplicate = 0.03;
  const fs::path dir = generate("loss_a", f);
  CHECK(require_same_log(inputs(dir)) > 5000);
  fs::remove_all(dir);
}

TEST_CASE("hls-csim equals software: loss on both lines, recovery from snapshots") {
  pw::FaultOptions f;
  f.loss_both = 12;
  f.loss_a = 0.01;
  f.loss_b = 0.01;
  f.duplicate = 0.01;
  f.reorder = 0.01;
  const fs::path dir = generate("loss_both", f);
  pw::ReplayInputs in = inputs(dir);
  CHECK(require_same_log(in) > 5000);
  // Configured instruments with their own parameters, and a damaged line A.
  pw::FaultOptions g;
  g.loss_both = 4;
  g.truncate = 20;
  g.corrupt_length = 20;
  const fs::path dir2 = generate("damaged", g, 12000);
  in = inputs(dir2);
  pw::InstrumentSetup s;
  s.id = 1;
  s.channel = 1;
  s.params = pw::coinbase_preset();
  s.params.sample_interval_ns = 5LL * 1000000000LL;
  in.instruments.push_back(s);
  CHECK(require_same_log(in) > 1000);
  fs::remove_all(dir);
  fs::remove_all(dir2);
}

TEST_CASE("hls-csim equals software: real market-data captures") {
  const fs::path data = fs::path(PERPWIRE_SOURCE_DIR) / "tests/data/coinbase/md";
  int captures = 0;
  size_t records = 0;
  for (const auto& entry : fs::directory_iterator(data)) {
    if (entry.path().extension() != ".pcap") continue;
    CAPTURE(entry.path().filename().string());
    pw::ReplayInputs in;
    in.pcap_a = entry.path().string();
    records += require_same_log(in);
    ++captures;
  }
  CHECK(captures >= 5);
  CHECK(records >= 10);
}

namespace {

// The feed's output as the market kernel's input words: events and gap notices in order.
struct Words final : pw::EventSink {
  std::vector<pw::MarketEvent> words;
  void on_event(const pw::MarketEvent& e) override { words.push_back(e); }
  void on_packet_gap(uint16_t channel, int64_t first, int64_t last, int64_t time_ns) override {
    words.push_back(pw::hlsk::gap_notice(channel, first, last, time_ns));
  }
};

}  // namespace

TEST_CASE("market_state's market updates equal MarketState::market() after every word") {
  pw::FaultOptions f;
  f.loss_both = 6;
  f.loss_a = 0.02;
  const fs::path dir = generate("markets", f, 15000);
  const pw::ReplayInputs in = inputs(dir);
  Words w;
  pw::FeedPipeline feed(w, in.reorder_wait_ns);
  uint64_t frames = 0;
  std::string error;
  REQUIRE_MESSAGE(pw::pump_captures(in, feed, frames, error), error);
  REQUIRE(w.words.size() > 10000);

  auto ref = std::make_unique<pw::hlsk::KernelMarketState>();
  ref->reset(&in.defaults);
  pw::hlsk::MarketStateCsim k;
  k.reset(in.defaults);
  std::vector<pw::StateRecord> records, ref_records;
  std::vector<pw::hlsk::MarketUpdate> updates;
  // Small calls: the kernel keeps its state between them.
  const size_t kCall = 97;
  for (size_t at = 0; at < w.words.size(); at += kCall) {
    const size_t n = std::min(kCall, w.words.size() - at);
    REQUIRE_MESSAGE(k.run(w.words.data() + at, n, records, &updates), k.error());
  }
  pw::StateRecord out[pw::hlsk::kMarketRecordsPerWord];
  size_t u = 0;
  for (size_t i = 0; i < w.words.size(); ++i) {
    const pw::MarketEvent& e = w.words[i];
    CAPTURE(i);
    const bool gap = e.type == (uint8_t)pw::EventType::sequence_gap;
    const int n = gap ? ref->packet_gap(e.channel_id, e.gap.expected_seq, e.gap.received_seq - 1, e.sending_time, out)
                      : ref->apply(e, out);
    ref_records.insert(ref_records.end(), out, out + n);
    const bool ignored = e.type == (uint8_t)pw::EventType::none || e.type == (uint8_t)pw::EventType::end_of_cycle ||
                         e.type == (uint8_t)pw::EventType::retransmit_reject;
    for (int s = 0; s < ref->count(); ++s) {
      const bool touched = gap ? ref->slot(s).channel == e.channel_id : !ignored && ref->slot(s).id == e.instrument_id;
      if (!touched) continue;
      REQUIRE(u < updates.size());
      CHECK(updates[u].slot == (uint32_t)s);
      const pw::InstrumentMarket m = ref->market(s);
      REQUIRE_MESSAGE(std::memcmp(&updates[u].market, &m, sizeof m) == 0, "market update " << u << " of slot " << s);
      ++u;
    }
  }
  CHECK(u == updates.size());
  REQUIRE(records.size() == ref_records.size());
  for (size_t i = 0; i < records.size(); ++i)
    REQUIRE_MESSAGE(pw::same_record(records[i], ref_records[i]), "record " << i << ": " << pw::format_state_record(records[i], "")
                                                                          << " vs " << pw::format_state_record(ref_records[i], ""));
  const pw::MarketStateCounters& kc = k.status().counters;
  const pw::MarketStateCounters& rc = ref->counters();
  CHECK(std::memcmp(&kc, &rc, sizeof kc) == 0);
  CHECK(rc.packet_gaps >= 6);
  fs::remove_all(dir);
}

// The kernel runs free (ap_ctrl_none): nothing starts or stops it. An operation runs once per
// doorbell (a new ctl.seq), a clock with neither a new doorbell nor an input word changes nothing,
// and the status counts since the last reset.
TEST_CASE("market_state runs free: one operation per doorbell, one word per clock, idle clocks change nothing") {
  hls::stream<pw::hlsk::EventWord> events;
  hls::stream<pw::hlsk::RecordWord> records;
  hls::stream<pw::hlsk::MarketWord> markets;
  pw::hlsk::MarketStatus st{};
  pw::hlsk::MarketControl ctl{};
  ctl.params = pw::coinbase_preset();
  // Whatever an earlier test left in the registers: take the next doorbell from the status.
  market_state(events, records, markets, ctl, st);
  ctl.seq = st.op_seq + 1;
  ctl.op = pw::hlsk::kMarketReset;
  market_state(events, records, markets, ctl, st);
  CHECK(st.op_seq == ctl.seq);
  CHECK(st.count == 0);
  CHECK(st.words == 0);

  ctl.op = pw::hlsk::kMarketAddInstrument;
  ctl.instrument_id = 7;
  ctl.channel = 1;
  ctl.seq += 1;
  for (int clock = 0; clock < 5; ++clock) market_state(events, records, markets, ctl, st);  // the same doorbell
  CHECK(st.count == 1);  // added once
  CHECK(st.result == 0);

  // Idle clocks: no input, no doorbell.
  const pw::MarketStateCounters before = st.counters;
  for (int clock = 0; clock < 100; ++clock) market_state(events, records, markets, ctl, st);
  CHECK(st.words == 0);
  CHECK(std::memcmp(&st.counters, &before, sizeof before) == 0);

  // Input words are taken one per clock, with no start.
  pw::MarketEvent e{};
  e.type = (uint8_t)pw::EventType::end_of_cycle;
  e.channel_id = 1;
  for (int k = 0; k < 3; ++k) events.write(pw::hlsk::pack_event(e));
  market_state(events, records, markets, ctl, st);
  CHECK(st.words == 1);
  market_state(events, records, markets, ctl, st);
  market_state(events, records, markets, ctl, st);
  market_state(events, records, markets, ctl, st);
  CHECK(st.words == 3);
  CHECK(events.empty());

  // An operation rung while words wait runs first; the words follow.
  events.write(pw::hlsk::pack_event(e));
  ctl.op = pw::hlsk::kMarketReadSlot;
  ctl.slot = 0;
  ctl.seq += 1;
  market_state(events, records, markets, ctl, st);
  CHECK(st.slot_id == 7);
  CHECK(st.words == 3);
  market_state(events, records, markets, ctl, st);
  CHECK(st.words == 4);
  // A reset zeroes the totals.
  ctl.op = pw::hlsk::kMarketReset;
  ctl.seq += 1;
  market_state(events, records, markets, ctl, st);
  CHECK(st.words == 0);
  CHECK(st.count == 0);
  while (!records.empty()) records.read();
  // Leave the doorbell at 0 (a nop), below any number a MarketStateCsim rings next.
  ctl = pw::hlsk::MarketControl{};
  market_state(events, records, markets, ctl, st);
  CHECK(st.op_seq == 0);
}
