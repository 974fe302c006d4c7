// feed_decode in C-simulation against the software decoder (PacketReader + normalize): the same
// datagrams must give the same 128-byte event records (memcmp) and the same counts, fault reason by
// fault reason — on the real captures, on a generated session with damaged datagrams, at every
// datagram length of a multi-message datagram, on the size limits, and on random damage.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/md_decode.hpp"
#include "core/md_normalize.hpp"
#include "hls/common/beat_layout.hpp"
#include "hls/csim/feed_decode_runner.hpp"
#include "host/sessiongen/session_generator.hpp"
#include "host/io/pcap_source.hpp"
#include "tests/hls/feed_reference.hpp"

namespace fs = std::filesystem;
using pw::MarketEvent;
using pw::md::DecodeError;
using pw::test::check_same;
using pw::test::Datagram;
using pw::test::kErrors;
using pw::test::read_payloads;
using pw::test::sw_decode;
using pw::test::sw_decode_all;
using pw::test::SwResult;
using pw::test::views;

namespace {

// Runs the datagrams through the stream kernel in one call, and through the memory-mapped top,
// and compares both with the software path. Returns the software result.
SwResult check_kernel(const std::vector<Datagram>& ds) {
  const SwResult sw = sw_decode_all(ds);
  const auto v = views(ds);
  {
    pw::hlsk::FeedDecodeCsim k;
    std::vector<MarketEvent> hw;
    REQUIRE_MESSAGE(k.decode(v.data(), v.size(), hw), k.error());
    check_same(sw, hw, k.counts());
  }
  {
    pw::hlsk::FeedDecodeCsim k;
    std::vector<MarketEvent> hw;
    REQUIRE_MESSAGE(k.decode_mm(v.data(), v.size(), hw), k.error());
    check_same(sw, hw, k.counts());
  }
  return sw;
}

// --- building datagrams of any shape -------------------------------------------------------

struct Builder {
  Datagram d;
  std::mt19937_64& rng;

  explicit Builder(std::mt19937_64& r, uint8_t flags = pw::kPacketIncremental, int32_t snap_id = 0) : rng(r) {
    d.resize(pw::md::kPacketHeaderSize);
    pw::store_le<int64_t>(d.data() + 0, 1795960680000000000LL + (int64_t)(rng() % 1000000000));
    pw::store_le<int64_t>(d.data() + 8, (int64_t)(rng() % 100000));
    pw::store_le<uint16_t>(d.data() + 16, (uint16_t)(1 + rng() % 4));
    d[18] = flags;
    d[19] = 0;
    pw::store_le<int32_t>(d.data() + 20, snap_id);
  }

  // Appends a message with a random body of `block` bytes and `pad` bytes after it.
  void add(const pw::TemplateDef& t, uint16_t block, uint16_t pad) {
    const size_t at = d.size();
    const uint16_t frame = (uint16_t)(pw::md::kMessageHeaderSize + block + pad);
    d.resize(at + frame);
    pw::store_le<uint16_t>(d.data() + at + 0, frame);
    pw::store_le<uint16_t>(d.data() + at + 2, block);
    pw::store_le<uint16_t>(d.data() + at + 4, t.id);
    pw::store_le<uint16_t>(d.data() + at + 6, pw::md::kSchemaId);
    pw::store_le<uint16_t>(d.data() + at + 8, pw::md::kSchemaVersion);
    uint8_t* body = d.data() + at + pw::md::kMessageHeaderSize;
    for (size_t i = 0; i < (size_t)block + pad; ++i) body[i] = (uint8_t)rng();
    // Contract sizes within range: the normalizer scales them by 10 (Quantity8 -> 1e-9).
    for (uint8_t f = 0; f < t.field_count; ++f)
      if (pw::str_equal(t.fields[f].name, "contract_size") && pw::field_present(t.fields[f], block))
        pw::store_le<int64_t>(body + t.fields[f].offset, (int64_t)(rng() % 1000000000000ULL));
    ++d[19];
  }
  void add(const pw::TemplateDef& t) { add(t, t.block_length, 0); }
};

const pw::TemplateDef& random_template(std::mt19937_64& rng) {
  constexpr size_t n = sizeof(pw::md::kTemplates) / sizeof(pw::md::kTemplates[0]);
  return *pw::md::kTemplates[rng() % n];
}

// A datagram of `count` random messages with random (possibly shorter, longer or padded) blocks:
// frames end at every byte lane.
Datagram random_datagram(std::mt19937_64& rng, int count) {
  Builder b(rng, (uint8_t)(1u << (rng() % 3)), (int32_t)(rng() % 50));
  for (int i = 0; i < count; ++i) {
    const pw::TemplateDef& t = random_template(rng);
    uint16_t block = t.block_length;
    const int shape = (int)(rng() % 4);
    if (shape == 1) block = (uint16_t)(t.min_block + rng() % (t.block_length - t.min_block + 1));
    if (shape == 2) block = (uint16_t)(t.block_length + rng() % 40);  // a newer, longer layout
    b.add(t, block, (uint16_t)(rng() % 12));
  }
  return b.d;
}

}  // namespace

TEST_CASE("real captures: the kernel's events and counts equal the software path's") {
  const fs::path dir = fs::path(PERPWIRE_SOURCE_DIR) / "tests/data/coinbase/md";
  std::vector<Datagram> all;
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".pcap") continue;
    CAPTURE(e.path().string());
    const auto ds = read_payloads(e.path());
    REQUIRE(!ds.empty());
    const SwResult sw = check_kernel(ds);
    CHECK(sw.events.size() > 0);
    all.insert(all.end(), ds.begin(), ds.end());
    ++files;
  }
  CHECK(files >= 5);
  // One datagram per call gives the same as all of them in one call.
  const SwResult sw = sw_decode_all(all);
  pw::hlsk::FeedDecodeCsim k;
  std::vector<MarketEvent> hw;
  for (const auto& d : all) REQUIRE(k.decode(d.data(), (uint32_t)d.size(), hw));
  check_same(sw, hw, k.counts());
}

TEST_CASE("generated session with truncated and corrupted datagrams: same events, same fault counts") {
  const auto s = pw::test::generated_session(
      fs::temp_directory_path() / ("perpwire_test_hls_session_" + std::to_string(::getpid())), 11, 4000, 7, 5);
  const SwResult sa = check_kernel(s.a);
  const SwResult sb = check_kernel(s.b);
  // The software path sees exactly the injected damage (the comparison above is not vacuous).
  uint64_t sa_errors = 0, sb_errors = 0;
  for (int e = 1; e < kErrors; ++e) {
    sa_errors += sa.errors[e];
    sb_errors += sb.errors[e];
  }
  CHECK(sa_errors == 12);
  CHECK(sa.faulted_packets == 12);
  CHECK(sb_errors == 0);
  CHECK(sa.errors[(int)DecodeError::frame_past_end] >= 5);
  CHECK(sb.events.size() == s.result.messages);
  CHECK(sa.events.size() < sb.events.size());
}

TEST_CASE("every length of a multi-message datagram, cut anywhere") {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 6; ++round) {
    const Datagram full = random_datagram(rng, 6);
    std::vector<Datagram> cuts;
    for (size_t len = 0; len <= full.size(); ++len) cuts.emplace_back(full.begin(), full.begin() + (long)len);
    CAPTURE(full.size());
    const SwResult sw = check_kernel(cuts);
    CHECK(sw.errors[(int)DecodeError::packet_truncated] == pw::md::kPacketHeaderSize);
    CHECK(sw.errors[(int)DecodeError::frame_past_end] > 0);
    CHECK(sw.errors[(int)DecodeError::header_truncated] > 0);
    CHECK(sw.errors[(int)DecodeError::message_count_too_large] > 0);
  }
}

TEST_CASE("beat edges: tails of 1 to 7 bytes, exact beats, one beat, empty datagram") {
  std::mt19937_64 rng(7);
  std::vector<Datagram> ds;
  for (int tail = 0; tail < 8; ++tail) {
    // header 24 + one EndOfCycle (10 + 4) = 38 bytes; pad the frame so the datagram is 8k + tail.
    Builder b(rng);
    const int base = 24 + 14;
    const int pad = ((tail - base) % 8 + 8) % 8;
    b.add(pw::md::kEndOfCycle, 4, (uint16_t)pad);
    REQUIRE(b.d.size() % 8 == (size_t)tail);
    ds.push_back(b.d);
  }
  ds.push_back(Datagram{});                  // empty: one beat, tkeep 0
  ds.push_back(Datagram(1, 0x5A));           // one byte
  ds.push_back(Datagram(8, 0x11));           // one full beat
  ds.push_back(Datagram(24, 0));             // header only, no messages: valid, no events
  const SwResult sw = check_kernel(ds);
  CHECK(sw.events.size() == 8);
  CHECK(sw.errors[(int)DecodeError::packet_truncated] == 3);
  CHECK(sw.faulted_packets == 3);
}

TEST_CASE("size limits: the largest UDP payload, and datagrams past what the decoder reads") {
  std::mt19937_64 rng(3);
  std::vector<Datagram> ds;
  // 65507 bytes (the largest IPv4 UDP payload), 255 messages.
  {
    Builder b(rng);
    for (int i = 0; i < 254; ++i) b.add(pw::md::kOrderPut, 42, 256 - 52);
    const size_t last_frame = 65507 - b.d.size();
    b.add(pw::md::kEndOfSnapshot, 216, (uint16_t)(last_frame - 226));
    REQUIRE(b.d.size() == 65507);
    REQUIRE(b.d[19] == 255);
    ds.push_back(b.d);
  }
  // Messages ending exactly at byte 65535 (9 frames of 7279 bytes), then the same datagram grown to
  // 70000 bytes: only the first 65535 are read, so the extra bytes are not trailing bytes.
  {
    Builder b(rng);
    for (int i = 0; i < 9; ++i) b.add(pw::md::kTrade, 58, 7279 - 68);
    REQUIRE(b.d.size() == 65535);
    ds.push_back(b.d);
    b.d.resize(70000, 0xEE);
    ds.push_back(b.d);
  }
  // A message running past byte 65535.
  {
    Builder b(rng);
    for (int i = 0; i < 200; ++i) b.add(pw::md::kTrade, 58, 264);
    b.d.resize(66000, 0xEE);
    ds.push_back(b.d);
  }
  // 255 messages announced, the datagram holds more bytes after them.
  {
    Builder b(rng);
    for (int i = 0; i < 255; ++i) b.add(pw::md::kOrderDelete);
    b.d.push_back(0);
    ds.push_back(b.d);
  }
  const SwResult sw = check_kernel(ds);
  CHECK(sw.errors[(int)DecodeError::trailing_bytes] == 1);
  CHECK(sw.errors[(int)DecodeError::frame_past_end] == 1);
  CHECK(sw.faulted_packets == 2);
  CHECK(sw.events.size() == 255 + 9 + 9 + 197 + 255);
}

TEST_CASE("random damage: header fields, lengths, counts, schema and template ids") {
  std::mt19937_64 rng(2026);
  std::vector<Datagram> ds;
  for (int i = 0; i < 3000; ++i) {
    Datagram d = random_datagram(rng, 1 + (int)(rng() % 5));
    const int hits = 1 + (int)(rng() % 3);
    for (int h = 0; h < hits; ++h) {
      switch (rng() % 8) {
        case 0: d[19] = (uint8_t)(rng() % 8); break;                    // MessageCount
        case 1: d.resize(rng() % (d.size() + 1)); break;                 // truncate
        case 2: d.insert(d.end(), rng() % 12, (uint8_t)rng()); break;   // trailing bytes
        default: {
          // A byte of some message header (offsets walk the frames as the datagram says).
          size_t at = pw::md::kPacketHeaderSize;
          const size_t target = rng() % 5;
          for (size_t m = 0; m < target && at + 2 <= d.size(); ++m) {
            const uint16_t fl = pw::load_le<uint16_t>(d.data() + at);
            if (fl < 10) break;
            at += fl;
          }
          const size_t off = at + rng() % 10;
          if (off >= d.size()) break;
          const int field = (int)((off - at) / 2);
          if (field == 0) d[off] = (uint8_t)(rng() % 3 == 0 ? rng() % 14 : rng());  // FrameLength, often tiny
          else if (field == 3) d[off] ^= (uint8_t)(1u << (rng() % 8));             // SchemaId
          else d[off] = (uint8_t)rng();
          break;
        }
      }
    }
    ds.push_back(d);
  }
  const SwResult sw = check_kernel(ds);
  // Every reason the datagram layer knows appears in this corpus.
  for (int e = 1; e < kErrors; ++e) {
    CAPTURE(pw::md::decode_error_name((DecodeError)e));
    CHECK(sw.errors[e] > 0);
  }
  CHECK(sw.events.size() > 3000);
}

TEST_CASE("a beat with fewer valid lanes mid-datagram carries only those bytes") {
  std::mt19937_64 rng(99);
  const Datagram d = random_datagram(rng, 4);
  // Beats of 8, then 3 valid lanes, then 8, ... then the rest; tkeep 0b10110111 counts as 3 lanes
  // (the bytes of a beat end at its first clear tkeep bit).
  hls::stream<pw::hlsk::FeedWireBeat> in;
  Datagram seen;  // the bytes the kernel is given, in order
  size_t i = 0;
  int beat = 0;
  while (i < d.size()) {
    const size_t want = beat % 2 == 1 ? 3 : 8;
    const size_t take = std::min(want, d.size() - i);
    pw::hlsk::FeedWireBeat bt;
    uint64_t w = 0;
    for (size_t k = 0; k < take; ++k) w |= (uint64_t)d[i + k] << (8 * k);
    w |= (uint64_t)0xAB << 56;  // garbage in a lane the keep excludes (when take < 8)
    if (take == 8) w = pw::load_le<uint64_t>(d.data() + i);
    bt.data = w;
    bt.keep = take == 8 ? 0xFF : (take == 3 && beat % 2 == 1 ? 0xB7 : (1u << take) - 1);
    bt.last = i + take == d.size();
    in.write(bt);
    seen.insert(seen.end(), d.begin() + (long)i, d.begin() + (long)(i + take));
    i += take;
    ++beat;
  }
  REQUIRE(seen == d);
  hls::stream<pw::hlsk::EventWord> out;
  pw::hlsk::FeedCounterWord counters = 0;
  const uint32_t epoch = 0x5eed0001;  // a fresh state: the first clock resets it
  while (!in.empty()) feed_decode(in, out, epoch, counters);
  for (int k = 0; k < 8; ++k) feed_decode(in, out, epoch, counters);  // drain the hold ring
  SwResult sw;
  sw_decode(d.data(), (uint32_t)d.size(), sw);
  std::vector<MarketEvent> hw;
  while (!out.empty()) hw.push_back(pw::hlsk::unpack_event(out.read()));
  pw::hlsk::FeedDecodeCounts c;
  c.add(counters);
  check_same(sw, hw, c, /*check_beats=*/false);
  CHECK(c.beats() == (uint64_t)beat);
}

TEST_CASE("free-running: clocks without input change nothing; a new reset_epoch starts from zero") {
  std::mt19937_64 rng(5);
  const Datagram d = random_datagram(rng, 2);
  hls::stream<pw::hlsk::FeedWireBeat> in;
  hls::stream<pw::hlsk::EventWord> out;
  pw::hlsk::FeedCounterWord counters = 0;
  const uint32_t epoch = 0x5eed0002;
  for (int k = 0; k < 5; ++k) feed_decode(in, out, epoch, counters);
  CHECK(out.empty());
  CHECK(counters == pw::hlsk::FeedCounterWord(0));
  pw::hlsk::push_datagram(in, d.data(), (uint32_t)d.size());
  for (int k = 0; k < 64; ++k) feed_decode(in, out, epoch, counters);
  CHECK(in.empty());
  CHECK(pw::hlsk::counter_lane(counters, pw::hlsk::kCtrPackets) == 1);
  const uint32_t beats = pw::hlsk::counter_lane(counters, pw::hlsk::kCtrBeats);
  CHECK(beats == pw::hlsk::beats_for((uint32_t)d.size()));
  // Idle clocks: counters hold, nothing is read that is not there.
  for (int k = 0; k < 5; ++k) feed_decode(in, out, epoch, counters);
  CHECK(pw::hlsk::counter_lane(counters, pw::hlsk::kCtrBeats) == beats);
#if defined(PERPWIRE_HLS_COMPAT)
  CHECK_FALSE(in.underflowed());
#endif
  feed_decode(in, out, epoch + 1, counters);
  CHECK(counters == pw::hlsk::FeedCounterWord(0));
}

TEST_CASE("feed_decode_mm counts events that do not fit its output buffer") {
  std::mt19937_64 rng(8);
  Builder b(rng);
  for (int i = 0; i < 5; ++i) b.add(pw::md::kOrderPut);
  pw::hlsk::MmBatch batch;
  const pw::hlsk::DatagramView v{b.d.data(), (uint32_t)b.d.size()};
  pw::hlsk::layout_batch(&v, 1, batch);
  CHECK(batch.max_events >= 5);
  std::vector<ap_uint<64>> beats(batch.beats.begin(), batch.beats.end());
  std::vector<pw::hlsk::EventWord> events(3);
  uint32_t counters[pw::hlsk::kFeedCounterCount] = {};
  feed_decode_mm(beats.data(), batch.lengths.data(), 1, events.data(), 3, counters);
  CHECK(counters[pw::hlsk::kCtrEvents] == 5);
  CHECK(counters[pw::hlsk::kCtrEventsDropped] == 2);
  SwResult sw;
  sw_decode(b.d.data(), (uint32_t)b.d.size(), sw);
  REQUIRE(sw.events.size() == 5);
  for (int i = 0; i < 3; ++i) {
    const MarketEvent e = pw::hlsk::unpack_event(events[i]);
    CHECK(std::memcmp(&e, &sw.events[i], sizeof e) == 0);
  }
}
