// C-simulation testbench of the free-running feed_decode for vitis_hls (csim_design; returns 0 when
// every check holds). Three one-message datagrams of one channel slot, numbered 1, 2 and 5, the
// second aborted by the front end on its last beat, then its copy from the other line: the events
// of datagrams 1, 2 (the copy) and 5 come out, the aborted one's never, and datagram 5 is preceded
// by the in-band packet-gap notice for 3..4 stamped with its receive time.
#include <cstdio>
#include <cstring>

#include "core/byte_order.hpp"
#include "hls/feed_decode/feed_wire.hpp"

using namespace pw;
using namespace pw::hlsk;

namespace {

constexpr uint16_t kChannel = 3;

// A datagram with one OrderPut message, numbered `seq`, as beats with the sideband.
void push(hls::stream<FeedWireBeat>& in, int64_t seq, bool abort, uint64_t rx_ns) {
  uint8_t d[256];
  std::memset(d, 0, sizeof d);
  store_le<int64_t>(d + 0, 1795960680000000000LL + seq);
  store_le<int64_t>(d + 8, seq);
  store_le<uint16_t>(d + 16, kChannel);
  d[18] = kPacketIncremental;
  d[19] = 1;
  const TemplateDef& t = md::kOrderPut;
  uint8_t* m = d + md::kPacketHeaderSize;
  const uint16_t frame = (uint16_t)(md::kMessageHeaderSize + t.block_length);
  store_le<uint16_t>(m + 0, frame);
  store_le<uint16_t>(m + 2, t.block_length);
  store_le<uint16_t>(m + 4, t.id);
  store_le<uint16_t>(m + 6, md::kSchemaId);
  store_le<uint16_t>(m + 8, md::kSchemaVersion);
  store_le<int64_t>(m + md::kMessageHeaderSize, 100 + seq);  // a distinct body per datagram
  const uint32_t len = md::kPacketHeaderSize + frame;
  for (uint32_t b = 0; b * 8 < len; ++b) {
    FeedWireBeat beat;
    beat.data = load_le<uint64_t>(d + 8 * b);
    const uint32_t n = len - 8 * b < 8 ? len - 8 * b : 8;
    beat.keep = (1u << n) - 1;
    beat.strb = beat.keep;
    beat.last = 8 * b + n == len;
    FeedUser u{rx_ns, false, abort && beat.last, 0, 0};
    beat.user = feed_user_bits(u);
    in.write(beat);
  }
}

}  // namespace

int main() {
  hls::stream<FeedWireBeat> in;
  hls::stream<EventWord> out;
  FeedCounterWord counters = 0;
  const uint32_t epoch = 1;
  push(in, 1, false, 1000);
  push(in, 2, true, 2000);
  push(in, 2, false, 2100);
  push(in, 5, false, 5000);
  for (int clock = 0; clock < 200; ++clock) feed_decode(in, out, epoch, counters);

  int failures = 0;
  auto expect = [&](bool ok, const char* what) {
    if (!ok) {
      std::printf("feed_decode_tb: FAIL %s\n", what);
      ++failures;
    }
  };
  expect(in.empty(), "every beat taken");
  int64_t seqs[8] = {};
  uint8_t types[8] = {};
  int n = 0;
  MarketEvent notice;
  std::memset(&notice, 0, sizeof notice);
  while (!out.empty() && n < 8) {
    MarketEvent e;
    unpack_event(out.read(), e);
    if (e.type == (uint8_t)EventType::sequence_gap) notice = e;
    seqs[n] = e.seq_num;
    types[n++] = e.type;
  }
  expect(n == 4, "three datagrams' events and one notice");
  expect(seqs[0] == 1 && seqs[1] == 2 && seqs[3] == 5, "events of datagrams 1, 2 (the copy) and 5, in order");
  expect(types[2] == (uint8_t)EventType::sequence_gap, "the notice precedes datagram 5's event");
  const MarketEvent want = gap_notice(kChannel, 3, 4, 5000);
  expect(std::memcmp(&notice, &want, sizeof want) == 0, "notice for 3..4 at datagram 5's receive time");
  expect(counter_lane(counters, kCtrPackets) == 4, "four datagrams counted");
  expect(counter_lane(counters, kCtrAborted) == 1, "one aborted");
  expect(counter_lane(counters, kCtrGapNotices) == 1, "one gap notice");
  expect(counter_lane(counters, kCtrGapFlagMismatch) == 1, "the jump without the gap bit counted");
  if (failures == 0) std::printf("feed_decode_tb: PASS\n");
  return failures == 0 ? 0 : 1;
}
