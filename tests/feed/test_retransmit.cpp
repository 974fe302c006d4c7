// The retransmit path: RetransmitRequest datagrams decode back to what was asked; the planner
// splits a gap into requests of at most 255 packets, refuses gaps beyond the largest worth asking
// for, and holds to its token bucket in feed time.
#include <doctest/doctest.h>

#include "core/md_decode.hpp"
#include "core/retransmit.hpp"

using namespace pw;

namespace {

struct Decoded {
  int64_t begin = 0, count = 0;
  uint16_t channel = 0;
  uint16_t template_id = 0;
};

Decoded decode(const uint8_t* buf, size_t len) {
  Decoded d;
  md::PacketReader r;
  md::DecodeFault f = r.open(buf, len);
  REQUIRE(f.error == md::DecodeError::none);
  md::Message m;
  REQUIRE(r.next(m, f) == md::Step::message);
  d.template_id = m.template_id;
  d.channel = r.header().channel_id;
  d.begin = load_field<int64_t, PW_FIELD(md::kRetransmitRequest, begin_seq_num)>(m.body);
  d.count = load_field<uint8_t, PW_FIELD(md::kRetransmitRequest, request_message_count)>(m.body);
  CHECK(r.next(m, f) == md::Step::end);
  return d;
}

constexpr int64_t kSec = 1000000000;

}  // namespace

TEST_CASE("a RetransmitRequest decodes to the packets it asks for") {
  uint8_t buf[64];
  const size_t n = encode_retransmit_request(buf, sizeof buf, 1795960680000000000LL, 2, 4711, 255);
  REQUIRE(n > 0);
  const Decoded d = decode(buf, n);
  CHECK(d.template_id == 200);
  CHECK(d.channel == 2);
  CHECK(d.begin == 4711);
  CHECK(d.count == 255);
  // Out of range or no room: nothing is encoded.
  CHECK(encode_retransmit_request(buf, sizeof buf, 0, 2, 4711, 0) == 0);
  CHECK(encode_retransmit_request(buf, sizeof buf, 0, 2, 4711, 256) == 0);
  CHECK(encode_retransmit_request(buf, sizeof buf, 0, 2, 0, 1) == 0);
  CHECK(encode_retransmit_request(buf, 30, 0, 2, 4711, 1) == 0);
}

TEST_CASE("the planner splits, refuses large gaps and keeps to its budget") {
  RetransmitPolicy p;
  p.max_gap_packets = 600;
  p.requests_per_second = 2;
  p.burst = 4;
  RetransmitPlanner planner(p);
  const int64_t t0 = 1795960680000000000LL;
  CHECK(planner.plan(10, 10, t0) == 1);
  CHECK(planner.plan(100, 354, t0) == 1);   // 255 packets: one request
  CHECK(planner.plan(400, 655, t0) == 2);   // 256 packets: two
  CHECK(planner.plan(1000, 1000, t0) == 0); // the bucket of 4 is empty
  CHECK(planner.counters().over_budget == 1);
  CHECK(planner.plan(2000, 2601, t0) == 0); // 602 packets: left to the snapshot cycle
  CHECK(planner.counters().too_large == 1);
  CHECK(planner.plan(3000, 3000, t0 + kSec / 4) == 0);  // half a token so far
  CHECK(planner.plan(3000, 3000, t0 + kSec / 2) == 1);  // one token after 0.5 s at 2/s
  CHECK(planner.plan(4000, 4000, t0 + 100 * kSec) == 1);  // refilled, capped at the burst
  CHECK(planner.counters().requests == 6);
  CHECK(planner.counters().packets == 1 + 255 + 256 + 1 + 1);
  CHECK(planner.counters().gaps == 8);
}
