// A/B arbitration and sequencing: every packet delivered once and in order whatever the two lines
// do, unless it is missing from both, in which case exactly that range is reported as a gap.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

#include "core/feed_sequencer.hpp"

namespace {

struct Recorder {
  std::vector<int64_t> seqs;
  std::vector<uint8_t> lines;
  std::vector<std::pair<int64_t, int64_t>> gaps;
  void deliver(uint8_t line, int64_t seq, int64_t, const uint8_t* data, uint32_t len) {
    REQUIRE(len == 8);
    int64_t echoed = 0;
    for (int i = 0; i < 8; ++i) echoed |= (int64_t)data[i] << (8 * i);
    CHECK(echoed == seq);  // the payload handed on is the packet's own
    seqs.push_back(seq);
    lines.push_back(line);
  }
  void gap(uint16_t, int64_t first, int64_t last, int64_t) { gaps.emplace_back(first, last); }
};

using Sequencer = pw::FeedSequencer<4, 8, 64>;

void offer(Sequencer& s, Recorder& r, uint8_t line, int64_t seq, int64_t t) {
  uint8_t buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = (uint8_t)(seq >> (8 * i));
  s.offer(line, 1, seq, t, buf, 8, r);
}

}  // namespace

TEST_CASE("first copy wins and the second line's copies are counted as duplicates") {
  auto s = std::make_unique<Sequencer>();
  Recorder r;
  for (int64_t q = 1; q <= 100; ++q) {
    offer(*s, r, q % 3 == 0 ? 1 : 0, q, q * 10);
    offer(*s, r, q % 3 == 0 ? 0 : 1, q, q * 10 + 1);
  }
  REQUIRE(r.seqs.size() == 100);
  for (size_t i = 0; i < r.seqs.size(); ++i) CHECK(r.seqs[i] == (int64_t)i + 1);
  CHECK(r.lines[2] == 1);  // seq 3 came first on B
  CHECK(s->counters().duplicates == 100);
  CHECK(r.gaps.empty());
}

TEST_CASE("a packet lost on one line is filled in by the other") {
  auto s = std::make_unique<Sequencer>();
  Recorder r;
  for (int64_t q = 1; q <= 51; ++q) {  // B runs one packet behind A
    if (q != 20 && q <= 50) offer(*s, r, 0, q, q * 100);  // A lost 20
    if (q > 1) offer(*s, r, 1, q - 1, q * 100 + 5);
  }
  CHECK(r.seqs.size() == 50);
  CHECK(std::is_sorted(r.seqs.begin(), r.seqs.end()));
  CHECK(r.gaps.empty());
  CHECK(s->counters().reordered == 1);  // A's 21 waited for B's 20
}

TEST_CASE("a packet lost on both lines becomes exactly one gap after the wait") {
  auto s = std::make_unique<Sequencer>(1000);
  Recorder r;
  for (int64_t q = 1; q <= 30; ++q) {
    if (q == 10 || q == 11) continue;
    offer(*s, r, 0, q, q * 400);
    offer(*s, r, 1, q, q * 400 + 5);
    s->poll(q * 400 + 10, r);
  }
  REQUIRE(r.gaps.size() == 1);
  CHECK(r.gaps[0] == std::make_pair<int64_t, int64_t>(10, 11));
  CHECK(r.seqs.size() == 28);
  CHECK(std::is_sorted(r.seqs.begin(), r.seqs.end()));
  CHECK(s->counters().missing == 2);
  // A late copy of a declared-lost packet is counted, not delivered.
  offer(*s, r, 0, 10, 50000);
  CHECK(s->counters().late == 1);
  CHECK(r.seqs.size() == 28);
}

TEST_CASE("a full reorder window gives up on the hole at once") {
  auto s = std::make_unique<Sequencer>(1000000000);
  Recorder r;
  offer(*s, r, 0, 1, 0);
  for (int64_t q = 3; q <= 12; ++q) offer(*s, r, 0, q, q);  // 2 never comes; window holds 8
  REQUIRE(r.gaps.size() == 1);
  CHECK(r.gaps[0].first == 2);
  CHECK(r.seqs.size() == 11);
  CHECK(std::is_sorted(r.seqs.begin(), r.seqs.end()));
}

TEST_CASE("random loss, duplication and reordering on both lines: each packet once, in order, gaps exact") {
  for (uint32_t seed = 1; seed <= 50; ++seed) {
    CAPTURE(seed);
    std::mt19937 rng(seed);
    auto s = std::make_unique<Sequencer>(5000);
    Recorder r;
    const int64_t n = 2000;
    std::vector<bool> lost_both(n + 1, false);
    struct Arrival { int64_t t; uint8_t line; int64_t seq; };
    std::vector<Arrival> arrivals;
    for (int64_t q = 1; q <= n; ++q) {
      lost_both[q] = q > 1 && q < n && rng() % 200 == 0;
      if (lost_both[q]) continue;
      for (uint8_t line = 0; line < 2; ++line) {
        if (rng() % 20 == 0) continue;  // lost on this line
        int64_t t = q * 1000 + line * 300 + (int64_t)(rng() % 200);
        if (rng() % 30 == 0) t += 1500;  // arrives after its successor
        arrivals.push_back({t, line, q});
        if (rng() % 40 == 0) arrivals.push_back({t + 50, line, q});
      }
    }
    std::stable_sort(arrivals.begin(), arrivals.end(), [](auto& a, auto& b) { return a.t < b.t; });
    for (const auto& a : arrivals) {
      s->poll(a.t, r);
      offer(*s, r, a.line, a.seq, a.t);
    }
    s->flush(n * 1000 + 100000, r);
    // Delivered: strictly increasing, and exactly the packets that reached at least one line.
    CHECK(std::adjacent_find(r.seqs.begin(), r.seqs.end(), std::greater_equal<int64_t>()) == r.seqs.end());
    std::vector<bool> arrived(n + 1, false);
    for (const auto& a : arrivals) arrived[a.seq] = true;
    std::vector<int64_t> want;
    for (int64_t q = 1; q <= n; ++q)
      if (arrived[q]) want.push_back(q);
    CHECK(r.seqs == want);
    // Holes between the first and last packet that arrived are declared, nothing else.
    int64_t declared = 0, holes = 0;
    for (auto [a, b] : r.gaps) declared += b - a + 1;
    for (int64_t q = want.front(); q <= want.back(); ++q) holes += arrived[q] ? 0 : 1;
    CHECK(declared == holes);
  }
}
