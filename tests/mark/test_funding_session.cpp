// The built-in session (scripts/run.sh: seed 1, 3 packets lost on both lines) replayed with every
// preset: the Coinbase preset's final rates equal the exchange's published ones within 0.1 bp and
// its mark is within 1 bp of every futures mark the exchange publishes (the session generator's
// exchange follows Coinbase's published method); every preset charges a rate.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "core/funding_presets.hpp"
#include "host/funding/funding_replay.hpp"
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
