// The session generator: deterministic from its seed, decodes without error when clean, and every
// injected fault is where the manifest says it is.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "host/dump/capture_decoder.hpp"
#include "host/sessiongen/session_generator.hpp"
#include "tests/support/flat_json.hpp"
#include "tests/support/slurp.hpp"

namespace fs = std::filesystem;

namespace {

using pw::test::slurp;

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

namespace {

// Every record timestamp of a nanosecond pcap (the generator writes that format), in file order.
std::vector<int64_t> frame_times(const fs::path& pcap) {
  const std::string s = slurp(pcap);
  std::vector<int64_t> t;
  for (size_t at = 24; at + 16 <= s.size();) {
    uint32_t h[4];
    std::memcpy(h, s.data() + at, sizeof h);
    t.push_back((int64_t)h[0] * 1000000000LL + (int64_t)h[1]);  // nanosecond pcap
    at += 16 + h[2];
  }
  return t;
}

}  // namespace

TEST_CASE("durations read with their unit; malformed ones are refused") {
  int64_t ns = -1;
  CHECK((pw::parse_duration_ns("200us", ns) && ns == 200000));
  CHECK((pw::parse_duration_ns("0.5ms", ns) && ns == 500000));
  CHECK((pw::parse_duration_ns("1500ns", ns) && ns == 1500));
  CHECK((pw::parse_duration_ns("0", ns) && ns == 0));
  for (const char* bad : {"", "us", "200", "200 us", "-5us", "200xs", "1e30s"}) CHECK_FALSE(pw::parse_duration_ns(bad, ns));
}

TEST_CASE("line B skew delays every copy on B by the skew and leaves line A and the packets alone") {
  const fs::path plain = temp_dir("gen_noskew"), skewed = temp_dir("gen_skew");
  pw::GenOptions o = small_session(5);
  o.faults.loss_a = o.faults.loss_b = 0.02;
  o.faults.duplicate = 0.01;
  o.faults.reorder = 0.005;
  pw::GenResult r0, r1;
  std::string error;
  REQUIRE(pw::generate_session(o, plain.string(), r0, error));
  o.faults.skew_b_ns = 200000;
  REQUIRE(pw::generate_session(o, skewed.string(), r1, error));
  CHECK(slurp(plain / "feed_a.pcap") == slurp(skewed / "feed_a.pcap"));
  const auto b0 = frame_times(plain / "feed_b.pcap"), b1 = frame_times(skewed / "feed_b.pcap");
  REQUIRE(b0.size() == b1.size());
  REQUIRE(!b0.empty());
  bool all_shifted = true;
  for (size_t i = 0; i < b0.size(); ++i) all_shifted = all_shifted && b1[i] - b0[i] == 200000;
  CHECK(all_shifted);
  CHECK(r0.faults.size() == r1.faults.size());

  o.faults.skew_b_ns = pw::kMaxSkewBNs + 1;
  CHECK_FALSE(pw::generate_session(o, skewed.string(), r1, error));
  CHECK(error.find("skew") != std::string::npos);
  for (const auto& d : {plain, skewed}) fs::remove_all(d);
}

TEST_CASE("with disjoint loss the two lines together carry every packet but the loss_both ones") {
  const fs::path dir = temp_dir("gen_disjoint");
  pw::GenOptions o = small_session(11);
  o.faults.loss_a = o.faults.loss_b = 0.2;  // high enough that independent losses would coincide
  o.faults.loss_both = 2;
  o.faults.disjoint_loss = true;
  pw::GenResult r;
  std::string error;
  REQUIRE(pw::generate_session(o, dir.string(), r, error));
  std::set<std::pair<uint16_t, int64_t>> lost_a, lost_b;
  size_t both = 0;
  for (const auto& f : r.faults) {
    if (f.kind == "loss") (f.line == 'A' ? lost_a : lost_b).insert({f.channel, f.seq_num});
    if (f.kind == "loss_both") ++both;
  }
  CHECK(both == 2);
  CHECK(lost_a.size() > 100);
  CHECK(lost_b.size() > 100);
  size_t common = 0;
  for (const auto& k : lost_a) common += lost_b.count(k);
  CHECK(common == 0);
  CHECK(r.frames_a == r.packets - both - lost_a.size());
  CHECK(r.frames_b == r.packets - both - lost_b.size());
  fs::remove_all(dir);
}
