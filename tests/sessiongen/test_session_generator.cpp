// The session generator: deterministic from its seed, decodes without error when clean, and every
// injected fault is where the manifest says it is.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "host/dump/capture_decoder.hpp"
#include "host/sessiongen/session_generator.hpp"
#include "tests/support/flat_json.hpp"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("perpwire_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

pw::GenOptions small_session(uint64_t seed) {
  pw::GenOptions o;
  o.seed = seed;
  o.events = 20000;
  o.duration_ns = 10LL * 60 * 1000000000LL;
  return o;
}

struct Decoded {
  pw::DecodeCounts counts;
  std::set<uint64_t> error_frames;
};

Decoded decode(const fs::path& pcap) {
  Decoded d;
  std::string error;
  REQUIRE(pw::decode_capture(
      pcap.string(), pw::WireProtocol::market_data,
      [&](const std::string& line) {
        auto obj = pw::test::parse_flat_json(line);
        REQUIRE(obj.has_value());
        if (obj->count("error")) d.error_frames.insert(std::stoull(obj->at("frame").text));
      },
      d.counts, error));
  return d;
}

}  // namespace

TEST_CASE("the same seed gives the same session, another seed another one") {
  const fs::path a = temp_dir("gen_a"), b = temp_dir("gen_b"), c = temp_dir("gen_c");
  pw::GenResult ra, rb, rc;
  std::string error;
  REQUIRE(pw::generate_session(small_session(7), a.string(), ra, error));
  REQUIRE(pw::generate_session(small_session(7), b.string(), rb, error));
  REQUIRE(pw::generate_session(small_session(8), c.string(), rc, error));
  CHECK(slurp(a / "feed_a.pcap") == slurp(b / "feed_a.pcap"));
  CHECK(slurp(a / "feed_b.pcap") == slurp(b / "feed_b.pcap"));
  CHECK(slurp(a / "feed_a.pcap") != slurp(c / "feed_a.pcap"));
  for (const auto& d : {a, b, c}) fs::remove_all(d);
}

TEST_CASE("a clean session decodes with zero errors and has every kind of event") {
  const fs::path dir = temp_dir("gen_clean");
  pw::GenResult r;
  std::string error;
  REQUIRE(pw::generate_session(small_session(1), dir.string(), r, error));
  CHECK(r.faults.empty());
  for (const char* line : {"feed_a.pcap", "feed_b.pcap"}) {
    const Decoded d = decode(dir / line);
    CHECK(d.counts.errors == 0);
    CHECK(d.counts.messages == r.messages);
    CHECK(d.counts.frames == r.packets);
  }
  const Decoded d = decode(dir / "feed_a.pcap");
  for (const char* t : {"outright_instrument_definition", "trading_status_update", "order_put", "order_delete", "trade",
                        "trade_summary", "funding_rate", "start_of_outright_instrument_snapshot", "order_snapshot",
                        "end_of_snapshot", "end_of_cycle", "open_interest", "trade_session_volume"}) {
    CAPTURE(t);
    CHECK(d.counts.per_template.count(t) == 1);
  }
  CHECK(d.counts.per_template.at("order_put") > 5000);
  fs::remove_all(dir);
}

TEST_CASE("fault sessions report exactly the injected faults") {
  const fs::path dir = temp_dir("gen_faults");
  pw::GenOptions o = small_session(3);
  o.faults.loss_a = 0.01;
  o.faults.loss_b = 0.01;
  o.faults.loss_both = 3;
  o.faults.duplicate = 0.01;
  o.faults.reorder = 0.005;
  o.faults.truncate = 6;
  o.faults.corrupt_length = 4;
  pw::GenResult r;
  std::string error;
  REQUIRE(pw::generate_session(o, dir.string(), r, error));

  std::set<uint64_t> damaged;
  size_t lost_a = 0, lost_b = 0, dup_a = 0, dup_b = 0, both = 0;
  for (const auto& f : r.faults) {
    if (f.kind == "truncate" || f.kind == "corrupt_length") damaged.insert(f.frame);
    if (f.kind == "loss") (f.line == 'A' ? lost_a : lost_b)++;
    if (f.kind == "duplicate") (f.line == 'A' ? dup_a : dup_b)++;
    if (f.kind == "loss_both") ++both;
  }
  CHECK(damaged.size() == 10);
  CHECK(both == 3);
  CHECK(r.frames_a == r.packets - both - lost_a + dup_a);
  CHECK(r.frames_b == r.packets - both - lost_b + dup_b);

  const Decoded a = decode(dir / "feed_a.pcap");
  CHECK(a.error_frames == damaged);
  CHECK(a.counts.errors == damaged.size());
  const Decoded b = decode(dir / "feed_b.pcap");
  CHECK(b.counts.errors == 0);

  std::ifstream in(dir / "manifest.json");
  const auto manifest = nlohmann::json::parse(in);
  CHECK(manifest["faults"].size() == r.faults.size());
  fs::remove_all(dir);
}
