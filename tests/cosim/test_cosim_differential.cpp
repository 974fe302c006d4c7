// The card's feed path in simulation (sim/cosim: perpwire_nic_top in Verilator + feed_decode in
// HLS C-simulation) against the software feed path (LineMerger -> FeedPipeline) on the same
// packets. The whole output stream is compared record for record, in order: every 128-byte
// MarketEvent byte for byte, every packet gap by channel and missing SeqNum range. On a mismatch
// the first differing record of both paths is printed in full.
//
// Both paths are configured so that they are specified to give the same stream (docs/rtl.md,
// "System co-simulation"):
//   D1  the co-simulation runs the arbiter without its hold window (cfg_hold_cycles 0): a packet that arrives ahead of a hole passes
//       at once with the gap flag, and the hole's packets are dropped as late when they come. The
//       software path runs with reorder_wait 0 and is polled right after each datagram, so it
//       gives a hole up as soon as the packet after it is in -- the same rule. (With the host's
//       default 1 ms wait it would fill the hole instead; the reordering test shows both.)
//   D3  the co-simulation presents frames in the merged capture order (CosimOptions::in_order),
//       the order the software path takes them in, so the arbiter decides in the same order.
//   D2  the front end does not check SBE framing before arbitration: a damaged copy (sound
//       Ethernet/IPv4/UDP, at least 18 bytes) that arrives first wins, and feed_decode emits the
//       messages before the damage; the software path drops it and takes the other line's copy.
//       No setting of the software path does this, so the damaged-datagram test compares the
//       co-simulation with the software path's own arbitration rule and decoder applied to the
//       first copy of every packet (card_reference), which the other tests show equal to
//       FeedPipeline whenever nothing is damaged.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/md_decode.hpp"
#include "core/md_normalize.hpp"
#include "host/sessiongen/session_generator.hpp"
#include "host/io/line_merger.hpp"
#include "host/io/pcap_source.hpp"
#include "host/pipeline/feed_pipeline.hpp"
#include "sim/cosim/cosim_feed.hpp"
#include "sim/cosim/nic_cosim.hpp"

namespace fs = std::filesystem;
using namespace pw;

namespace {

constexpr int64_t kNoReorderWait = 0;              // D1: the front end's arbiter
constexpr int64_t kHostDefaultWait = 1000000;      // host/config feeds.reorder_wait default

constexpr int64_t kMaxTimestampLagNs = 20000;  // see compare_paths
using Key = std::pair<uint16_t, int64_t>;  // channel, SeqNum

struct Item {
  bool gap;
  MarketEvent e;
  uint16_t channel;
  int64_t first, last, time;
};

struct Recorder : EventSink {
  std::vector<Item> items;
  void on_event(const MarketEvent& e) override {
    Item i{};
    i.e = e;
    items.push_back(i);
  }
  void on_packet_gap(uint16_t channel, int64_t first, int64_t last, int64_t time_ns) override {
    Item i{};
    i.gap = true;
    i.channel = channel;
    i.first = first;
    i.last = last;
    i.time = time_ns;
    items.push_back(i);
  }
};

// One record in full: every header field and the 88 payload bytes.
std::string describe(const Item& i) {
  std::ostringstream o;
  if (i.gap) {
    o << "packet gap: channel " << i.channel << " missing SeqNum [" << i.first << ", " << i.last << "] at " << i.time
      << " ns";
    return o.str();
  }
  const MarketEvent& e = i.e;
  o << "event " << event_type_name((EventType)e.type) << " (type " << (int)e.type << "): side " << (int)e.side
    << ", packet_flags 0x" << std::hex << (int)e.packet_flags << std::dec << ", msg_index " << (int)e.msg_index
    << ", channel " << e.channel_id << ", template " << e.template_id << ", instrument " << e.instrument_id
    << ", instr_seq_num " << e.instr_seq_num << ", seq_num " << e.seq_num << ", sending_time " << e.sending_time
    << ", transact_time " << e.transact_time << ", payload";
  static const char* hex = "0123456789abcdef";
  for (size_t k = 0; k < sizeof e.raw; ++k) {
    if (k % 8 == 0) o << ' ';
    o << hex[e.raw[k] >> 4] << hex[e.raw[k] & 15];
  }
  return o.str();
}

bool same(const Item& a, const Item& b) {
  if (a.gap != b.gap) return false;
  if (a.gap) return a.channel == b.channel && a.first == b.first && a.last == b.last;
  return std::memcmp(&a.e, &b.e, sizeof(MarketEvent)) == 0;
}

// Record for record over the whole stream; the first difference is printed in full.
void require_same(const std::vector<Item>& want, const std::vector<Item>& got, const std::string& what,
                  const char* want_name = "software", const char* got_name = "co-sim") {
  const size_t n = std::min(want.size(), got.size());
  size_t i = 0;
  while (i < n && same(want[i], got[i])) ++i;
  INFO(what << ": " << want.size() << " " << want_name << " records, " << got.size() << " " << got_name << " records");
  if (i < n) {
    std::ostringstream bytes;
    if (!want[i].gap && !got[i].gap) {
      const auto* x = reinterpret_cast<const uint8_t*>(&want[i].e);
      const auto* y = reinterpret_cast<const uint8_t*>(&got[i].e);
      for (size_t k = 0; k < sizeof(MarketEvent); ++k)
        if (x[k] != y[k]) bytes << ' ' << k;
    }
    FAIL_CHECK("first difference at record " << i << "\n  " << want_name << ": " << describe(want[i]) << "\n  "
                                             << got_name << ": " << describe(got[i])
                                             << (bytes.str().empty() ? "" : "\n  differing bytes:" + bytes.str()));
    REQUIRE(i == n);
  }
  if (got.size() != want.size()) {
    const Item& extra = got.size() > want.size() ? got[n] : want[n];
    FAIL_CHECK("first extra record (" << (got.size() > want.size() ? got_name : want_name) << ") at " << n << ": "
                                      << describe(extra));
  }
  REQUIRE(got.size() == want.size());
}

size_t count_events(const std::vector<Item>& v) {
  return (size_t)std::count_if(v.begin(), v.end(), [](const Item& i) { return !i.gap; });
}
size_t count_gaps(const std::vector<Item>& v) { return v.size() - count_events(v); }

// --- the two paths ---------------------------------------------------------------------------------

struct SwRun {
  std::vector<Item> items;
  SequencerCounters seq;
  FeedCounters feed;
};

// LineMerger -> FeedPipeline. With reorder_wait 0 the sequencer is polled right after each
// datagram (a hole is given up as soon as the packet after it is in: D1).
SwRun run_software(const std::string& a, const std::string& b, int64_t reorder_wait_ns = kNoReorderWait) {
  Recorder rec;
  FeedPipeline p(rec, reorder_wait_ns);
  LineMerger m;
  std::string err;
  REQUIRE_MESSAGE(m.open(a, b, err), err);
  Frame f;
  uint8_t line = 0;
  int64_t last = 0;
  while (m.next(f, line)) {
    L4View v;
    const NetError e = m.source(line).parse(f, false, v);
    if (e != NetError::none) p.on_net_drop(line, e);
    else p.on_datagram(line, f.timestamp_ns, v.payload, v.payload_len);
    if (reorder_wait_ns == 0) p.poll(f.timestamp_ns + 1);
    last = std::max(last, f.timestamp_ns);
  }
  p.finish(last + 1);
  return SwRun{std::move(rec.items), p.sequencing(), p.counters()};
}

struct HwRun {
  std::vector<Item> items;
  cosim::CosimCounters counters;
};

HwRun run_cosim(const std::string& a, const std::string& b, const std::vector<cosim::ChannelEntry>& table,
                bool discard_aborted = true) {
  Recorder rec;
  HwRun r;
  cosim::CosimOptions o;
  o.table = table;
  o.discard_aborted = discard_aborted;
  cosim::NicCosim sim(rec, o);
  REQUIRE_MESSAGE(sim.ok(), sim.error());
  LineMerger m;
  std::string err;
  REQUIRE_MESSAGE(m.open(a, b, err), err);
  Frame f;
  uint8_t line = 0;
  while (m.next(f, line)) sim.push(line, f.timestamp_ns, f.data, f.caplen);
  sim.finish();
  REQUIRE_MESSAGE(sim.ok(), sim.error());
  r.items = std::move(rec.items);
  r.counters = sim.counters();
  CHECK(r.counters.unmatched == 0);
  CHECK(r.counters.rtl_errors == 0);
  CHECK(r.counters.datagrams == r.counters.arb_pass);
  CHECK(r.counters.gaps == r.counters.arb_gap);
  CHECK(r.counters.gap_packets == r.counters.arb_gap_pkts);
  return r;
}

// PacketReader + normalize: the software decoder's answer for one datagram.
void reference_decode(const uint8_t* p, uint32_t len, std::vector<Item>& out) {
  md::PacketReader r;
  md::DecodeFault f = r.open(p, len);
  if (f.error != md::DecodeError::none) return;
  md::Message m;
  for (;;) {
    const md::Step s = r.next(m, f);
    if (s == md::Step::end) break;
    if (s == md::Step::fault) continue;
    Item i{};
    if (md::normalize(r.header(), m, i.e)) out.push_back(i);
  }
}

// The front end's rule with the software path's decoder (D2): frames in merged capture order;
// those that parse as Ethernet/IPv4/UDP with at least 18 payload bytes are arbitrated per
// ChannelId -- the first SeqNum syncs the channel, a jump is a gap, an old number is dropped --
// and the winning copy, damaged or not, is decoded by PacketReader + normalize.
struct CardReference {
  std::vector<Item> items;
  std::set<Key> damaged_winners;
};

CardReference card_reference(const std::string& a, const std::string& b) {
  CardReference r;
  std::map<uint16_t, int64_t> expected;
  LineMerger m;
  std::string err;
  REQUIRE_MESSAGE(m.open(a, b, err), err);
  Frame f;
  uint8_t line = 0;
  while (m.next(f, line)) {
    L4View v;
    if (m.source(line).parse(f, false, v) != NetError::none || v.payload_len < 18) continue;
    const uint16_t ch = load_field<uint16_t, PW_FIELD(md::kPacketHeader, channel_id)>(v.payload);
    const int64_t seq = load_field<int64_t, PW_FIELD(md::kPacketHeader, seq_num)>(v.payload);
    auto it = expected.find(ch);
    if (it != expected.end()) {
      if (seq < it->second) continue;
      if (seq > it->second) {
        Item g{};
        g.gap = true;
        g.channel = ch;
        g.first = it->second;
        g.last = seq - 1;
        g.time = f.timestamp_ns;
        r.items.push_back(g);
      }
    }
    expected[ch] = seq + 1;
    if (md::check_framing(v.payload, v.payload_len).error != md::DecodeError::none) r.damaged_winners.insert({ch, seq});
    reference_decode(v.payload, v.payload_len, r.items);
  }
  return r;
}

// The generator's multicast plan (host/sessiongen/session_generator.cpp endpoint()): line A
// 239.255.10.<channel>, line B 239.255.20.<channel>, UDP port 41000 + channel; channels 1 and 2.
std::vector<cosim::ChannelEntry> generator_table() {
  std::vector<cosim::ChannelEntry> t;
  for (uint16_t ch : {1, 2})
    for (uint8_t line : {0, 1})
      t.push_back({(239u << 24) | (255u << 16) | ((line == 0 ? 10u : 20u) << 8) | ch, (uint16_t)(41000 + ch), line, ch});
  return t;
}

// --- sessions --------------------------------------------------------------------------------------

struct Session {
  fs::path dir;
  GenResult result;
  std::string a() const { return (dir / "feed_a.pcap").string(); }
  std::string b() const { return (dir / "feed_b.pcap").string(); }
  size_t faults(const std::string& kind) const {
    return (size_t)std::count_if(result.faults.begin(), result.faults.end(),
                                 [&](const InjectedFault& f) { return f.kind == kind; });
  }
  ~Session() {
    if (!dir.empty()) fs::remove_all(dir);
  }
};

void generate(Session& s, const std::string& name, uint64_t seed, uint64_t events, int64_t minutes,
              const FaultOptions& faults) {
  s.dir = fs::temp_directory_path() / ("perpwire_cosim_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(s.dir);
  GenOptions g;
  g.seed = seed;
  g.events = events;
  g.duration_ns = minutes * 60 * 1000000000LL;
  g.faults = faults;
  std::string err;
  REQUIRE_MESSAGE(generate_session(g, s.dir.string(), s.result, err), err);
}

struct Compared {
  SwRun sw;
  HwRun hw;
  int64_t extra_dup_late = 0;  // the arbiter's duplicates + late packets beyond the software's
};

// Both paths on the same captures; the whole streams must be identical. The arbiter's counters
// must agree with the software sequencer's; with `damaged_a`, line A carries frames the software
// path drops at parsing, before arbitration, which the front end may instead drop as duplicates
// (their copy on B came first) before it sees their end: those the caller accounts for.
Compared compare_paths(const std::string& a, const std::string& b, const std::string& label, bool damaged_a = false) {
  Compared c;
  c.sw = run_software(a, b);
  c.hw = run_cosim(a, b, generator_table());
  MESSAGE(label << ": " << count_events(c.sw.items) << " software events, " << count_events(c.hw.items)
                << " co-sim events, " << count_gaps(c.sw.items) << "/" << count_gaps(c.hw.items)
                << " gaps (software/co-sim), " << c.hw.counters.aborted << " aborted");
  require_same(c.sw.items, c.hw.items, label);
  const auto& k = c.hw.counters;
  CHECK(k.arb_pass == c.sw.seq.delivered);
  CHECK(k.arb_gap == c.sw.seq.gaps);
  CHECK(k.arb_gap_pkts == c.sw.seq.missing);
  c.extra_dup_late = (int64_t)(k.arb_dup + k.arb_late) - (int64_t)(c.sw.seq.duplicates + c.sw.seq.late);
  if (!damaged_a) CHECK(c.extra_dup_late == 0);
  CHECK(c.extra_dup_late >= 0);
  CHECK(k.events == c.sw.feed.events);
  // The gap is reported with the receive timestamp of the packet after the hole; the software
  // path with the time it gave the hole up (that packet's capture time + 1 ns). The timestamper
  // follows the capture clock, behind it only while frames queue at a port or wait for the other
  // line's frame to clear the front end (in_order): a few microseconds in a snapshot burst.
  int64_t max_lag = 0;
  for (size_t i = 0; i < c.sw.items.size(); ++i)
    if (c.sw.items[i].gap) {
      const int64_t lag = c.hw.items[i].time - (c.sw.items[i].time - 1);
      INFO("gap " << describe(c.sw.items[i]) << ", co-sim at " << c.hw.items[i].time);
      CHECK(lag >= 0);
      CHECK(lag <= kMaxTimestampLagNs);
      max_lag = std::max(max_lag, lag);
    }
  if (count_gaps(c.sw.items)) MESSAGE(label << ": gap timestamps at most " << max_lag << " ns behind the capture time");
  // The front end's rule (card_reference) is the software path's whenever nothing is damaged.
  const CardReference ref = card_reference(a, b);
  if (ref.damaged_winners.empty()) require_same(c.sw.items, ref.items, label + ", card reference", "software", "reference");
  return c;
}

Compared compare_session(const Session& s) {
  Compared c = compare_paths(s.a(), s.b(), s.dir.filename().string() + " (" + std::to_string(s.result.packets) + " packets)");
  // Every frame reached the front end and was parsed (the generator's frames are sound IPv4/UDP).
  for (int l = 0; l < 2; ++l) {
    CHECK(c.hw.counters.line[l].eth_frames == c.hw.counters.frames_in[l]);
    CHECK(c.hw.counters.line[l].mc_match == c.hw.counters.frames_in[l]);
  }
  CHECK(c.hw.counters.line[0].eth_frames == s.result.frames_a);
  CHECK(c.hw.counters.line[1].eth_frames == s.result.frames_b);
  CHECK(c.hw.counters.aborted == 0);
  CHECK(c.hw.counters.decode.total_errors() == 0);
  return c;
}

const char* const kCaptures[] = {"OrderDeleteMessage", "OrderPutMessage", "OrderSnapshotMessage",
                                 "StartOfOutrightInstrumentSnapshotMessage", "StartOfSpreadInstrumentSnapshotMessage"};

std::string capture(const char* name) {
  return std::string(PERPWIRE_SOURCE_DIR) + "/tests/data/coinbase/md/" + name + ".pcap";
}

std::set<Key> gap_keys(const std::vector<Item>& v) {
  std::set<Key> s;
  for (const Item& i : v)
    if (i.gap)
      for (int64_t q = i.first; q <= i.last; ++q) s.insert({i.channel, q});
  return s;
}

}  // namespace

TEST_CASE("real captures: each alone on line A, identical events") {
  for (const char* name : kCaptures) {
    CAPTURE(name);
    const SwRun sw = run_software(capture(name), "");
    REQUIRE(count_events(sw.items) > 0);
    // through the host's entry point (table learned from the capture)
    Recorder rec;
    std::string err;
    cosim::CosimCounters c;
    REQUIRE_MESSAGE(cosim::run_cosim_feed(capture(name), "", rec, err, cosim::CosimFeedOptions{}, &c), err);
    require_same(sw.items, rec.items, name);
    CHECK(c.arb_pass == 1);
    CHECK(c.datagrams == 1);
    CHECK(c.decode.total_errors() == 0);
  }
}

TEST_CASE("real captures: all five on line A in one run, the same gaps") {
  // Two channels (44849, 44850), each on an incremental and a snapshot group; the captures are
  // samples, so every channel jumps: ChannelId keys the sequencing in both paths (one slot per
  // channel id, whatever the group).
  const fs::path pcap = fs::temp_directory_path() / ("perpwire_cosim_captures_" + std::to_string(::getpid()) + ".pcap");
  {
    struct F {
      int64_t t;
      std::vector<uint8_t> bytes;
    };
    std::vector<F> frames;
    for (const char* name : kCaptures) {
      PcapSource src;
      REQUIRE(src.open(capture(name)));
      Frame f;
      while (src.next(f)) frames.push_back({f.timestamp_ns, std::vector<uint8_t>(f.data, f.data + f.caplen)});
    }
    std::stable_sort(frames.begin(), frames.end(), [](const F& x, const F& y) { return x.t < y.t; });
    PcapWriter w;
    REQUIRE_MESSAGE(w.open(pcap.string()), w.error());
    for (const F& f : frames) w.write(f.t, f.bytes.data(), (uint32_t)f.bytes.size());
  }
  const SwRun sw = run_software(pcap.string(), "");
  Recorder rec;
  std::string err;
  cosim::CosimCounters hw;
  const bool ok = cosim::run_cosim_feed(pcap.string(), "", rec, err, cosim::CosimFeedOptions{}, &hw);
  fs::remove(pcap);
  REQUIRE_MESSAGE(ok, err);
  CHECK(count_gaps(sw.items) == 3);
  require_same(sw.items, rec.items, "five captures");
  CHECK(hw.arb_pass == 5);
  CHECK(hw.arb_gap == 3);
  CHECK(hw.arb_gap_pkts == (37426197 - 37426134) + (37429665 - 37426198) + (9852085 - 9851124));
}

TEST_CASE("generated session, clean, lines A and B: identical stream") {
  Session s;
  generate(s, "clean", 21, 8000, 2, FaultOptions{});
  const Compared c = compare_session(s);
  const auto& k = c.hw.counters;
  CHECK(count_gaps(c.hw.items) == 0);
  CHECK(k.arb_pass == s.result.packets);
  CHECK(k.arb_dup == s.result.packets);  // the other line's copy of every packet
  CHECK(k.arb_late == 0);
  CHECK(k.arb_win_a + k.arb_win_b == s.result.packets);
  CHECK(k.arb_win_b > 0);  // B's copy is sometimes first (jitter)
}

TEST_CASE("generated session, loss on line A and duplicates: identical stream") {
  Session s;
  FaultOptions f;
  f.loss_a = 0.03;
  f.duplicate = 0.03;
  generate(s, "loss_dup", 22, 6000, 2, f);
  REQUIRE(s.faults("loss") > 20);
  REQUIRE(s.faults("duplicate") > 20);
  const Compared c = compare_session(s);
  // Line B carries every packet: at reorder wait 0 (the front end's comparison) a hole is a gap
  // only where B's copy came after A's next packet, the same on both paths (compare_paths); with
  // the host's default wait the software path fills every one.
  CHECK(count_gaps(c.hw.items) <= 2);
  CHECK(count_gaps(run_software(s.a(), s.b(), kHostDefaultWait).items) == 0);
  CHECK(c.hw.counters.arb_win_b >= s.faults("loss"));
  // the arbiter classifies its drops as the software sequencer does (late: inside the range
  // declared lost; duplicate: any other copy)
  CHECK(c.hw.counters.arb_dup == c.sw.seq.duplicates);
  CHECK(c.hw.counters.arb_late == c.sw.seq.late);
  CHECK(c.hw.counters.arb_dup + c.hw.counters.arb_late >= s.result.frames_a + s.result.frames_b - s.result.packets);
}

TEST_CASE("generated session, loss on line B and duplicates: identical stream") {
  Session s;
  FaultOptions f;
  f.loss_b = 0.05;
  f.duplicate = 0.02;
  generate(s, "loss_b", 23, 6000, 2, f);
  REQUIRE(s.faults("loss") > 20);
  const Compared c = compare_session(s);
  CHECK(count_gaps(c.hw.items) == 0);
  CHECK(c.hw.counters.arb_win_a >= s.faults("loss"));
}

TEST_CASE("generated session, loss on both lines: the same gaps") {
  Session s;
  FaultOptions f;
  f.loss_both = 12;
  f.loss_a = 0.01;
  generate(s, "loss_both", 25, 6000, 2, f);
  const Compared c = compare_session(s);
  REQUIRE(count_gaps(c.sw.items) > 0);
  // the gaps cover exactly the packets lost on both lines
  std::set<Key> lost;
  for (const InjectedFault& x : s.result.faults)
    if (x.kind == "loss_both") lost.insert({x.channel, x.seq_num});
  CHECK(lost.size() == 12);
  CHECK(gap_keys(c.hw.items) == lost);
  CHECK(c.hw.counters.arb_gap_pkts == lost.size());
  CHECK(c.hw.counters.arb_late == 0);
}

TEST_CASE("generated session, reordering: gap + late in both paths without a reorder window (D1)") {
  Session s;
  FaultOptions f;
  f.reorder = 0.02;
  f.loss_a = 0.01;
  generate(s, "reorder", 26, 6000, 2, f);
  REQUIRE(s.faults("reorder") > 20);
  const Compared c = compare_session(s);
  // Some packets were overtaken on the line that delivered them first: both paths declare them
  // lost when the packet after them arrives, and drop their copies as late.
  REQUIRE(count_gaps(c.hw.items) > 0);
  CHECK(c.hw.counters.arb_late > 0);
  std::set<Key> swapped;
  for (const InjectedFault& x : s.result.faults)
    if (x.kind == "reorder") swapped.insert({x.channel, x.seq_num});
  for (const Key& k : gap_keys(c.hw.items)) {
    INFO("declared lost: channel " << k.first << " seq " << k.second);
    CHECK(swapped.count({k.first, k.second + 1}) == 1);  // its successor was moved ahead of it
  }
  // With the host's default 1 ms wait the software path fills those holes from the other copy
  // (what the front end does not do): fewer gaps, more events.
  const SwRun windowed = run_software(s.a(), s.b(), kHostDefaultWait);
  CHECK(windowed.seq.reordered > 0);
  CHECK(count_gaps(windowed.items) < count_gaps(c.sw.items));
  CHECK(count_events(windowed.items) > count_events(c.sw.items));
}

TEST_CASE("frames cut short on line A: aborted by the front end, discarded by the shell") {
  // Line A's capture with every 25th frame of more than 200 bytes cut 64 bytes short (a snap
  // length, or a frame that ended early): its headers promise more than arrives. The software
  // path drops it at parsing (ip_bad_total_length); the front end finds out at the last beat,
  // after the payload has begun to leave, and aborts it; the arbiter commits nothing and takes
  // line B's copy.
  Session s;
  generate(s, "abort", 28, 6000, 2, FaultOptions{});
  const std::string cut = (s.dir / "feed_a_cut.pcap").string();
  size_t n_cut = 0;
  {
    PcapSource src;
    REQUIRE(src.open(s.a()));
    PcapWriter w;
    REQUIRE_MESSAGE(w.open(cut), w.error());
    Frame f;
    size_t k = 0;
    while (src.next(f)) {
      uint32_t len = f.caplen;
      if (f.caplen > 200 && ++k % 25 == 0) {
        len -= 64;
        ++n_cut;
      }
      w.write(f.timestamp_ns, f.data, len);
    }
  }
  REQUIRE(n_cut >= 20);
  const Compared c = compare_paths(cut, s.b(), "abort", true);
  // Each cut frame ends 17 or more beats after its first, long after its payload began to leave:
  // it is aborted there, unless line B's copy came first and the arbiter dropped it as a
  // duplicate at its header (the software path drops it at parsing either way).
  CHECK(c.hw.counters.line[0].ip_bad_len == n_cut);
  CHECK(c.hw.counters.aborted + (uint64_t)c.extra_dup_late == n_cut);
  CHECK(c.hw.counters.arb_aborted == c.hw.counters.aborted);
  CHECK(c.hw.counters.aborted >= n_cut - 3);
  CHECK(count_gaps(c.hw.items) == 0);

  // A shell that ignored the abort flag would hand the partial datagrams to feed_decode.
  const HwRun leaky = run_cosim(cut, s.b(), generator_table(), false);
  CHECK(count_events(leaky.items) > count_events(c.hw.items));
}

TEST_CASE("generated session, truncated and corrupt-length datagrams on line A: the front end's rule (D2)") {
  Session s;
  FaultOptions f;
  f.truncate = 25;
  f.corrupt_length = 25;
  generate(s, "damage", 24, 6000, 2, f);
  const CardReference ref = card_reference(s.a(), s.b());
  const HwRun hw = run_cosim(s.a(), s.b(), generator_table());
  MESSAGE("damage: " << ref.damaged_winners.size() << " damaged first copies, " << count_events(hw.items)
                     << " co-sim events");
  // Line A is usually first, so most damaged copies win in the front end.
  CHECK(ref.damaged_winners.size() >= 25);
  CHECK(ref.damaged_winners.size() <= 50);
  require_same(ref.items, hw.items, "damaged session", "reference", "co-sim");
  CHECK(hw.counters.decode.faulted_packets() == ref.damaged_winners.size());
  // The software path takes the intact copy from line B instead: no gap either way, but its
  // events differ exactly in the damaged packets.
  const SwRun sw = run_software(s.a(), s.b());
  CHECK(count_gaps(sw.items) == 0);
  auto drop_damaged = [&](const std::vector<Item>& v) {
    std::vector<Item> out;
    for (const Item& i : v)
      if (i.gap || !ref.damaged_winners.count({i.e.channel_id, i.e.seq_num})) out.push_back(i);
    return out;
  };
  require_same(drop_damaged(sw.items), drop_damaged(hw.items), "damaged session without the damaged packets");
  CHECK(count_events(sw.items) > count_events(hw.items));
}

TEST_CASE("run_cosim_feed: table learned from the captures, errors in one line") {
  Session s;
  generate(s, "api", 27, 1500, 1, FaultOptions{});
  std::vector<cosim::ChannelEntry> learned;
  std::string err;
  REQUIRE_MESSAGE(cosim::learn_table(s.a(), s.b(), learned, err), err);
  CHECK(learned.size() == 4);
  Recorder rec;
  REQUIRE_MESSAGE(cosim::run_cosim_feed(s.a(), s.b(), rec, err), err);
  require_same(run_software(s.a(), s.b()).items, rec.items, "run_cosim_feed, learned table");

  Recorder none;
  CHECK(!cosim::run_cosim_feed("/nonexistent/feed_a.pcap", "", none, err));
  CHECK(err.rfind("verilator backend: ", 0) == 0);
  CHECK(err.find('\n') == std::string::npos);

  // more channels than the front end has slots
  cosim::CosimFeedOptions o;
  for (uint16_t ch = 1; ch <= 5; ++ch) o.table.push_back({(239u << 24) | ch, 1000, 0, ch});
  CHECK(!cosim::run_cosim_feed(s.a(), s.b(), none, err, o, nullptr));
  CHECK(err.find("channel slots") != std::string::npos);
  o.table.clear();
  for (uint16_t i = 0; i < 9; ++i) o.table.push_back({(239u << 24) | i, 1000, 0, 1});
  CHECK(!cosim::run_cosim_feed(s.a(), s.b(), none, err, o, nullptr));
  CHECK(err.find("multicast entries") != std::string::npos);
  CHECK(none.items.empty());

  // a table without line B's groups: B's frames are filtered out, the stream is still complete
  o.table.clear();
  for (const auto& e : generator_table())
    if (e.line == 0) o.table.push_back(e);
  Recorder a_only;
  cosim::CosimCounters k;
  REQUIRE_MESSAGE(cosim::run_cosim_feed(s.a(), s.b(), a_only, err, o, &k), err);
  CHECK(k.line[1].mc_nomatch == s.result.frames_b);
  require_same(rec.items, a_only.items, "line A only", "both lines", "line A only");
}
