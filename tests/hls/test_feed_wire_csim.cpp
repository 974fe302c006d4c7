// feed_decode's wire stage in C-simulation: the front end's sideband (abort, channel slot, gap,
// receive time) against the rule the software path follows — aborted datagrams leave no event and
// no sequence step; a datagram numbered above its channel's next expected number is preceded by
// the packet-gap notice for the missing numbers; the first datagram of a slot only synchronizes.
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <vector>

#include "core/byte_order.hpp"
#include "core/md_schema.hpp"
#include "hls/csim/feed_decode_runner.hpp"
#include "tests/hls/feed_reference.hpp"

using pw::MarketEvent;
using pw::hlsk::FeedDecodeCsim;
using pw::hlsk::FeedUser;
using pw::hlsk::WireDatagram;
using pw::test::Datagram;

namespace {

constexpr uint16_t kChannel = 7;

// A datagram of `messages` OrderPut messages numbered `seq` on `channel`.
Datagram datagram(int64_t seq, int messages, uint16_t channel = kChannel) {
  Datagram d(pw::md::kPacketHeaderSize, 0);
  pw::store_le<int64_t>(d.data() + 0, 1795960680000000000LL + seq);
  pw::store_le<int64_t>(d.data() + 8, seq);
  pw::store_le<uint16_t>(d.data() + 16, channel);
  d[18] = pw::kPacketIncremental;
  for (int i = 0; i < messages; ++i) {
    const pw::TemplateDef& t = pw::md::kOrderPut;
    const size_t at = d.size();
    const uint16_t frame = (uint16_t)(pw::md::kMessageHeaderSize + t.block_length);
    d.resize(at + frame, 0);
    pw::store_le<uint16_t>(d.data() + at + 0, frame);
    pw::store_le<uint16_t>(d.data() + at + 2, t.block_length);
    pw::store_le<uint16_t>(d.data() + at + 4, t.id);
    pw::store_le<uint16_t>(d.data() + at + 6, pw::md::kSchemaId);
    pw::store_le<uint16_t>(d.data() + at + 8, pw::md::kSchemaVersion);
    for (size_t k = 0; k < t.block_length; ++k) d[at + pw::md::kMessageHeaderSize + k] = (uint8_t)(seq * 31 + i * 7 + k);
    ++d[19];
  }
  return d;
}

struct Input {
  Datagram bytes;
  FeedUser user;
};

Input in(int64_t seq, int messages, uint8_t slot = 0, bool abort = false, bool gap = false, uint64_t rx = 0) {
  Input x{datagram(seq, messages), FeedUser{}};
  x.user.slot = slot;
  x.user.abort = abort;
  x.user.gap = gap;
  x.user.rx_ns = rx != 0 ? rx : 1'000'000 + (uint64_t)seq;
  return x;
}

std::vector<MarketEvent> run(FeedDecodeCsim& k, const std::vector<Input>& xs) {
  std::vector<WireDatagram> w;
  for (const Input& x : xs) w.push_back(WireDatagram{x.bytes.data(), (uint32_t)x.bytes.size(), x.user});
  std::vector<MarketEvent> out;
  REQUIRE_MESSAGE(k.decode_wire(w.data(), w.size(), out), k.error());
  return out;
}

// The software decoding of the datagram alone.
std::vector<MarketEvent> events_of(const Input& x) {
  pw::test::SwResult r;
  pw::test::sw_decode(x.bytes.data(), (uint32_t)x.bytes.size(), r);
  return r.events;
}

void check_events(const std::vector<MarketEvent>& got, size_t at, const Input& x) {
  const std::vector<MarketEvent> want = events_of(x);
  REQUIRE(got.size() >= at + want.size());
  for (size_t i = 0; i < want.size(); ++i) CHECK(std::memcmp(&got[at + i], &want[i], sizeof(MarketEvent)) == 0);
}

bool is_gap(const MarketEvent& e) { return e.type == (uint8_t)pw::EventType::sequence_gap; }

}  // namespace

TEST_CASE("in order: no notice, every event as the software path decodes it") {
  FeedDecodeCsim k;
  const std::vector<Input> xs = {in(10, 2), in(11, 1), in(12, 3)};
  const auto out = run(k, xs);
  REQUIRE(out.size() == 6);
  check_events(out, 0, xs[0]);
  check_events(out, 2, xs[1]);
  check_events(out, 3, xs[2]);
  CHECK(k.counts().lane[pw::hlsk::kCtrGapNotices] == 0);
  CHECK(k.counts().lane[pw::hlsk::kCtrGapFlagMismatch] == 0);
}

TEST_CASE("a jump: the notice for the missing numbers comes first, stamped with the receive time") {
  FeedDecodeCsim k;
  const std::vector<Input> xs = {in(10, 1), in(11, 1), in(14, 2, 0, false, true, 5'000'000)};
  const auto out = run(k, xs);
  REQUIRE(out.size() == 5);
  REQUIRE(is_gap(out[2]));
  const MarketEvent want = pw::hlsk::gap_notice(kChannel, 12, 13, 5'000'000);
  CHECK(std::memcmp(&out[2], &want, sizeof want) == 0);
  check_events(out, 3, xs[2]);
  CHECK(k.counts().lane[pw::hlsk::kCtrGapNotices] == 1);
  CHECK(k.counts().lane[pw::hlsk::kCtrGapFlagMismatch] == 0);
}

TEST_CASE("the numbers decide: a jump without the gap bit, or the bit without a jump, is counted") {
  FeedDecodeCsim k;
  const auto out = run(k, {in(1, 1), in(3, 1), in(4, 1, 0, false, true)});
  REQUIRE(out.size() == 4);
  CHECK(is_gap(out[1]));
  CHECK(out[1].gap.expected_seq == 2);
  CHECK(out[1].gap.received_seq == 3);
  CHECK(k.counts().lane[pw::hlsk::kCtrGapNotices] == 1);
  CHECK(k.counts().lane[pw::hlsk::kCtrGapFlagMismatch] == 2);
}

TEST_CASE("an aborted datagram leaves no event and no sequence step") {
  FeedDecodeCsim k;
  SUBCASE("its other line's copy follows: nothing is missing") {
    const std::vector<Input> xs = {in(10, 1), in(11, 3, 0, true), in(11, 3), in(12, 1)};
    const auto out = run(k, xs);
    REQUIRE(out.size() == 5);
    check_events(out, 0, xs[0]);
    check_events(out, 1, xs[2]);
    check_events(out, 4, xs[3]);
    CHECK(k.counts().lane[pw::hlsk::kCtrAborted] == 1);
    CHECK(k.counts().lane[pw::hlsk::kCtrGapNotices] == 0);
  }
  SUBCASE("no copy follows: the next datagram reports it missing") {
    const auto out = run(k, {in(10, 1), in(11, 3, 0, true), in(12, 1, 0, false, true)});
    REQUIRE(out.size() == 3);
    CHECK(is_gap(out[1]));
    CHECK(out[1].gap.expected_seq == 11);
    CHECK(out[1].gap.received_seq == 12);
  }
  SUBCASE("an aborted first datagram does not synchronize the slot") {
    const auto out = run(k, {in(10, 1, 0, true), in(12, 1)});
    REQUIRE(out.size() == 1);
    CHECK_FALSE(is_gap(out[0]));
  }
}

TEST_CASE("slots keep their own sequence; a new FeedDecodeCsim starts unsynchronized") {
  FeedDecodeCsim k;
  const auto out = run(k, {in(100, 1, 0), in(5, 1, 1), in(101, 1, 0), in(6, 1, 1), in(8, 1, 1, false, true)});
  REQUIRE(out.size() == 6);
  CHECK(is_gap(out[4]));
  CHECK(out[4].gap.expected_seq == 7);
  // The state outlives one call: the next call continues the sequence.
  const auto more = run(k, {in(9, 1, 1), in(11, 1, 1, false, true)});
  REQUIRE(more.size() == 3);
  CHECK(is_gap(more[1]));
  CHECK(more[1].gap.expected_seq == 10);
  FeedDecodeCsim fresh;
  const auto again = run(fresh, {in(50, 1, 1)});
  REQUIRE(again.size() == 1);
  CHECK_FALSE(is_gap(again[0]));
}

TEST_CASE("random aborts and losses: events and notices equal the software rule, datagram by datagram") {
  std::mt19937_64 rng(21);
  FeedDecodeCsim k;
  std::vector<Input> xs;
  std::vector<MarketEvent> want;
  int64_t next[2] = {1000, 5000};
  bool synced[2] = {false, false};
  int64_t expected[2] = {0, 0};
  for (int i = 0; i < 400; ++i) {
    const uint8_t slot = (uint8_t)(rng() % 2);
    const int r = (int)(rng() % 10);
    if (r == 0) next[slot] += 1 + (int64_t)(rng() % 3);  // lost on both lines
    const bool abort = r == 1;
    Input x = in(next[slot], 1 + (int)(rng() % 4), slot, abort);
    const int64_t seq = next[slot];
    if (!abort) ++next[slot];
    if (!abort) {
      if (synced[slot] && seq > expected[slot]) want.push_back(pw::hlsk::gap_notice(kChannel, expected[slot], seq - 1, (int64_t)x.user.rx_ns));
      for (const MarketEvent& e : events_of(x)) want.push_back(e);
      synced[slot] = true;
      expected[slot] = seq + 1;
    }
    x.user.gap = false;
    xs.push_back(std::move(x));
  }
  const auto out = run(k, xs);
  REQUIRE(out.size() == want.size());
  for (size_t i = 0; i < out.size(); ++i) {
    CAPTURE(i);
    CHECK(std::memcmp(&out[i], &want[i], sizeof(MarketEvent)) == 0);
  }
  CHECK(k.counts().lane[pw::hlsk::kCtrAborted] > 20);
  CHECK(k.counts().lane[pw::hlsk::kCtrGapNotices] > 20);
}
