// The built-in session (scripts/run.sh: seed 1, 3 packets lost on both lines) replayed with every
// preset: the Coinbase preset's final rates equal the exchange's published ones within 0.1 bp and
// its mark is within 1 bp of every futures mark the exchange publishes (the session generator's
// exchange follows Coinbase's published method); every preset charges a rate; and with every
// preset, the mark on_time leaves between sample ticks is the one update_mark computes.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/book.hpp"
#include "core/funding_presets.hpp"
#include "core/mark_funding.hpp"
#include "host/funding/funding_replay.hpp"
#include "host/io/pcap_source.hpp"
#include "host/pipeline/feed_pipeline.hpp"
#include "host/sessiongen/session_generator.hpp"

namespace fs = std::filesystem;

TEST_CASE("built-in session: the Coinbase preset agrees with the exchange's published rates and marks") {
  const fs::path dir = fs::temp_directory_path() / "perpwire_test_funding_session";
  pw::GenOptions g;
  g.seed = 1;
  g.faults.loss_both = 3;
  pw::GenResult gr;
  std::string error;
  REQUIRE_MESSAGE(pw::generate_session(g, dir.string(), gr, error), error);

  pw::FundingReplayOptions opt;
  opt.pcap_a = (dir / "feed_a.pcap").string();
  opt.pcap_b = (dir / "feed_b.pcap").string();
  for (const char* name : pw::kPresetNames) opt.presets.emplace_back(name);
  pw::FundingReplayResult r;
  REQUIRE_MESSAGE(pw::replay_funding(opt, r, error), error);
  MESSAGE(pw::funding_table(r));
  REQUIRE(r.presets[0] == "coinbase");
  REQUIRE(r.instruments.size() == 2);
  const pw::Agreement& rates = r.final_rates[0];
  const pw::Agreement& marks = r.marks[0];
  CHECK(rates.points >= 2);          // 14:00 and 15:00, both instruments
  CHECK(rates.max_abs_bps <= 0.1);
  CHECK(marks.points >= 40);         // every 3 minutes for 75 minutes, both instruments
  CHECK(marks.max_abs_bps <= 1.0);
  // every exchange final has our Coinbase rate beside it
  for (const pw::FundingRow& row : r.rows)
    if (!row.running && row.exchange != pw::kNullI64) CHECK(row.rates[0] != pw::kNullI64);
  // every preset has a running rate at the end
  for (const pw::FundingRow& row : r.rows)
    if (row.running)
      for (int64_t v : row.rates) CHECK(v != pw::kNullI64);
  fs::remove_all(dir);
}

namespace {

struct Collect final : pw::EventSink {
  std::vector<pw::MarketEvent> events;
  void on_event(const pw::MarketEvent& e) override { events.push_back(e); }
  void on_packet_gap(uint16_t, int64_t, int64_t, int64_t) override {}
};

}  // namespace

// on_time recomputes the mark only when a window closed or a sample or moving-average tick was
// taken (or the preset's mark reads the clock: component (a)). Replayed event by event with every
// preset, the mark and its components after each on_time must equal a recomputation from that
// state: nothing the mark is made of moved in between.
TEST_CASE("built-in session: between ticks on_time leaves the mark as update_mark computes it, every preset") {
  const fs::path dir = fs::temp_directory_path() / "perpwire_test_mark_between_ticks";
  pw::GenOptions g;
  g.seed = 3;
  g.faults.loss_both = 2;
  pw::GenResult gr;
  std::string error;
  REQUIRE_MESSAGE(pw::generate_session(g, dir.string(), gr, error), error);
  Collect c;
  {
    pw::FeedPipeline feed(c, 1000000);
    pw::PcapSource src;
    REQUIRE(src.open((dir / "feed_a.pcap").string()));
    pw::Frame f;
    pw::L4View v;
    int64_t i = 0;
    while (src.next(f)) {
      if (src.parse(f, false, v) != pw::NetError::none) continue;
      feed.on_datagram(0, ++i * 1000, v.payload, v.payload_len);
    }
    feed.finish((i + 1) * 1000);
  }
  fs::remove_all(dir);
  REQUIRE(c.events.size() > 100000);
  using BookT = pw::Book<16384, 2048>;
  for (const char* name : pw::kPresetNames) {
    const std::string preset = name;
    CAPTURE(preset);
    pw::MarkFundingParams p;
    REQUIRE(pw::preset_by_name(name, p));
    std::map<int32_t, std::pair<std::unique_ptr<BookT>, pw::MarkFundingState>> inst;
    uint64_t skipped = 0, compared = 0;
    for (const pw::MarketEvent& e : c.events) {
      if (e.instrument_id == 0) continue;
      auto& [book, s] = inst[e.instrument_id];
      if (!book) {
        book = std::make_unique<BookT>();
        pw::mark_funding_init(s, 0);
      }
      const int64_t before = s.now;
      pw::on_time(s, p, *book, pw::event_time(e));
      pw::MarkFundingState fresh = s;
      pw::update_mark(fresh, p);
      ++compared;
      if (fresh.mark != s.mark || fresh.mark_a != s.mark_a || fresh.mark_b != s.mark_b || fresh.mark_c != s.mark_c)
        FAIL("mark stale after on_time at " << s.now << " (from " << before << ")");
      if (s.now == before) ++skipped;
      if (e.kind() == pw::EventType::instrument_definition) book->set_tick(e.instrument.tick_size);
      book->apply(e);
      pw::on_event(s, p, e);
    }
    CHECK(compared > 100000);
    CHECK(skipped < compared);
  }
}
