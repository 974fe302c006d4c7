// Cycle figures of the card's feed path through the whole co-simulation: per message, from the
// first and from the last beat of the triggering Ethernet frame into perpwire_nic_top to the
// MarketEvent leaving feed_decode. The front end is measured in Verilator; the beat an event
// completes in comes from feed_decode's state machine in C-simulation; the kernel's pipeline depth
// D is the estimate of docs/hls.md. Then the throughput of the whole path under back-to-back
// minimum-size packets. The kernel runs on the front end's clock here (322.265625 MHz; the xclbin
// script asks 300 MHz for the kernels, which changes nothing below: the kernel needs fewer beats
// per datagram than the front end takes per frame).
//
//   cosim_cycles [--markdown] [--check] [--depth D]
//
// --check fails (exit 1) when a measured figure gets worse than the documented one (docs/rtl.md,
// "System co-simulation") or the co-simulation reports an error.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/net_parse.hpp"
#include "core/byte_order.hpp"
#include "core/md_schema.hpp"
#include "hls/common/beat_layout.hpp"
#include "host/sessiongen/session_generator.hpp"
#include "host/io/udp_frame.hpp"
#include "host/io/line_merger.hpp"
#include "host/io/pcap_source.hpp"
#include "sim/cosim/cosim_feed.hpp"

namespace {

using pw::cosim::MessageTiming;
namespace fs = std::filesystem;

struct NullSink : pw::EventSink {
  void on_event(const pw::MarketEvent&) override {}
  void on_packet_gap(uint16_t, int64_t, int64_t, int64_t) override {}
};

const char* const kCaptures[] = {"OrderPutMessage", "OrderDeleteMessage", "OrderSnapshotMessage",
                                 "StartOfOutrightInstrumentSnapshotMessage", "StartOfSpreadInstrumentSnapshotMessage"};

struct Run {
  std::vector<MessageTiming> msgs;
  pw::cosim::CosimCounters counters;
  bool ok = false;
  std::string error;
};

Run run(const std::string& a, const std::string& b, int depth) {
  Run r;
  std::vector<pw::cosim::ChannelEntry> table;
  if (!pw::cosim::learn_table(a, b, table, r.error)) return r;
  pw::cosim::CosimOptions o;
  o.table = table;
  o.decode_depth = depth;
  o.timing = true;
  o.in_order = false;  // frames enter at their capture times: the arbiter's own A/B order and blocking
  NullSink sink;
  pw::cosim::NicCosim sim(sink, o);
  sim.on_message = [&](const MessageTiming& t) { r.msgs.push_back(t); };
  pw::LineMerger m;
  if (!m.open(a, b, r.error)) return r;
  pw::Frame f;
  uint8_t line = 0;
  while (m.next(f, line)) sim.push(line, f.timestamp_ns, f.data, f.caplen);
  sim.finish();
  r.counters = sim.counters();
  r.ok = sim.ok();
  r.error = sim.error();
  return r;
}

double ns(double cycles) { return cycles * pw::cosim::kNsPerCycle; }

// Back-to-back throughput: `n` copies of `frame` with SeqNum base, base+1, ... all offered at once
// on line A (and, with `both`, the same packets on line B), so each port takes one beat per cycle.
struct Throughput {
  bool ok = false;
  std::string error;
  uint32_t frame_bytes = 0, payload_bytes = 0;
  double in_rate = 0;      // frames accepted per cycle (A+B)
  double out_rate = 0;     // datagrams out of m_axis_feed per cycle
  double event_rate = 0;   // events out of feed_decode per cycle
  double kernel_busy = 0;  // fraction of cycles feed_decode reads a beat
  uint64_t events = 0, datagrams = 0;
};

Throughput throughput(const std::vector<uint8_t>& frame, bool both, int depth, uint32_t n = 4000) {
  Throughput t;
  pw::L4View v;
  if (pw::parse_ethernet(frame.data(), (uint32_t)frame.size(), false, v) != pw::NetError::none || v.payload_len < 18) {
    t.error = "frame does not parse";
    return t;
  }
  const size_t seq_at = (size_t)(v.payload - frame.data()) + 8;
  const uint16_t channel = pw::load_field<uint16_t, PW_FIELD(pw::md::kPacketHeader, channel_id)>(v.payload);
  t.frame_bytes = (uint32_t)frame.size();
  t.payload_bytes = v.payload_len;
  pw::cosim::CosimOptions o;
  o.table.push_back({v.dst_ip, v.dst_port, 0, channel});
  if (both) o.table.push_back({v.dst_ip ^ 0x00001e00u, v.dst_port, 1, channel});  // line B's group
  o.decode_depth = depth;
  o.in_order = false;
  NullSink sink;
  pw::cosim::NicCosim sim(sink, o);
  std::vector<pw::cosim::PacketRecord> recs;
  sim.on_packet = [&](const pw::cosim::PacketRecord& r) {
    recs.push_back(r);
    recs.back().payload.clear();
  };
  std::vector<uint8_t> fb = frame;
  if (both) {  // line B's copy goes to its own group (239.255.20.x beside A's 239.255.10.x)
    pw::store_be32(fb.data() + 30, v.dst_ip ^ 0x00001e00u);
    pw::store_be16(fb.data() + 24, 0);
    pw::store_be16(fb.data() + 24, pw::ipv4_checksum(fb.data() + 14, 20));
  }
  const int64_t seq0 = pw::load_field<int64_t, PW_FIELD(pw::md::kPacketHeader, seq_num)>(v.payload);
  std::vector<uint8_t> fa = frame;
  for (uint32_t k = 0; k < n; ++k) {
    pw::store_le<int64_t>(fa.data() + seq_at, seq0 + k);
    sim.push(0, 1000, fa.data(), (uint32_t)fa.size());
    if (both) {
      pw::store_le<int64_t>(fb.data() + seq_at, seq0 + k);
      sim.push(1, 1000, fb.data(), (uint32_t)fb.size());
    }
  }
  sim.finish();
  if (!sim.ok()) {
    t.error = sim.error();
    return t;
  }
  if (recs.size() != n) {
    t.error = std::to_string(recs.size()) + " datagrams out of " + std::to_string(n);
    return t;
  }
  // Steady state: the middle half of the run (the first frames meet an empty pipeline).
  const size_t lo = n / 4, hi = 3 * n / 4;
  // feed_decode behind the store-and-forward shell: a datagram starts the cycle after its last
  // beat left the front end, or when the kernel has read the previous one; one beat per cycle.
  std::vector<uint64_t> start(n), done(n);
  uint64_t free_at = 0, busy = 0;
  for (size_t k = 0; k < n; ++k) {
    start[k] = std::max<uint64_t>(recs[k].out_last + 1, free_at);
    free_at = start[k] + pw::hlsk::beats_for(t.payload_bytes);
    // the datagram's last event completes in its last beat (events exist only for clean frames)
    done[k] = free_at - 1 + (uint64_t)depth;
    if (k >= lo && k < hi) busy += pw::hlsk::beats_for(t.payload_bytes);
  }
  const auto& c = sim.counters();
  t.events = c.events;
  t.datagrams = c.datagrams;
  const double in_span = (double)(recs[hi].in_first - recs[lo].in_first);
  const double out_span = (double)(recs[hi].out_first - recs[lo].out_first);
  const double ev_span = (double)(done[hi] - done[lo]);
  const double frames_in = (double)(hi - lo) * (both ? 2 : 1);
  t.in_rate = frames_in / in_span;
  t.out_rate = (double)(hi - lo) / out_span;
  t.event_rate = ((double)c.events / (double)n) * (double)(hi - lo) / ev_span;
  t.kernel_busy = (double)busy / ev_span;
  t.ok = true;
  return t;
}

int64_t pct(std::vector<int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = (size_t)(p * (double)(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

const char* type_name(uint8_t t) {
  switch ((pw::EventType)t) {
    case pw::EventType::order_put: return "order_put";
    case pw::EventType::order_delete: return "order_delete";
    case pw::EventType::snapshot_start: return "snapshot_start";
    case pw::EventType::snapshot_order: return "snapshot_order";
    case pw::EventType::snapshot_end: return "snapshot_end";
    case pw::EventType::trade: return "trade";
    default: return "other";
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool markdown = false, check = false;
  int depth = 5;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--markdown")) markdown = true;
    else if (!std::strcmp(argv[i], "--check")) check = true;
    else if (!std::strcmp(argv[i], "--depth") && i + 1 < argc) depth = std::atoi(argv[++i]);
    else {
      std::fprintf(stderr, "usage: cosim_cycles [--markdown] [--check] [--depth D]\n");
      return 2;
    }
  }
  int failures = 0;
  auto fail = [&](const std::string& s) {
    std::fprintf(stderr, "FAIL: %s\n", s.c_str());
    ++failures;
  };
  const char* sep = markdown ? " | " : "  ";
  auto row = [&](const std::vector<std::string>& cells) {
    std::string s = markdown ? "| " : "";
    for (size_t i = 0; i < cells.size(); ++i) s += cells[i] + (i + 1 < cells.size() ? sep : "");
    std::printf("%s%s\n", s.c_str(), markdown ? " |" : "");
  };
  auto cyc = [](int64_t c) { return std::to_string(c); };
  auto cns = [](int64_t c) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f ns", ns((double)c));
    return std::string(b);
  };

  // 1. Each real capture alone on line A (pipeline empty, beats back to back).
  std::printf("%sReal captures, one frame each on line A, D = %d (cycles at 322.265625 MHz)\n\n", markdown ? "" : "# ",
              depth);
  row({"capture (message)", "frame bytes", "beat", "front end first->first", "front end last->last",
       "S&F: first in -> event", "S&F: last in -> event", "as built: first in -> event",
       "as built: last in -> event"});
  if (markdown) row({"---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"});
  for (const char* name : kCaptures) {
    const std::string path = std::string("tests/data/coinbase/md/") + name + ".pcap";
    Run r = run(path, "", depth);
    if (!r.ok) {
      fail(std::string(name) + ": " + r.error);
      continue;
    }
    if (r.msgs.empty()) {
      fail(std::string(name) + ": no events");
      continue;
    }
    // the first and the last message of the datagram
    std::vector<const MessageTiming*> show = {&r.msgs.front()};
    if (r.msgs.size() > 1) show.push_back(&r.msgs.back());
    for (const MessageTiming* t : show) {
      char label[160];
      std::snprintf(label, sizeof label, "%s (#%u %s)", name, t->msg_index, type_name(t->type));
      row({label, std::to_string(t->frame_bytes), std::to_string(t->beat), cyc(t->nic_first), cyc(t->nic_last),
           cyc(t->sf_from_first), cyc(t->sf_from_last), cyc(t->ct_from_first), cyc(t->ct_from_last)});
      // The front end's documented figures (docs/rtl.md cycle report): 18 cycles first beat to
      // first beat (untagged), 12-13 cycles last beat to last beat.
      if (check && t->nic_first > 18) fail(std::string(name) + ": front end first->first " + cyc(t->nic_first) + " > 18");
      if (check && t->nic_last > 13) fail(std::string(name) + ": front end last->last " + cyc(t->nic_last) + " > 13");
      if (check && t->sf_from_last != t->nic_last + 1 + (int64_t)t->beat + depth)
        fail(std::string(name) + ": store-and-forward figure inconsistent");
    }
  }

  // 2. A generated session on A and B (capture times kept within 48 idle cycles; both lines busy).
  const fs::path dir = fs::temp_directory_path() / ("perpwire_cosim_cycles_" + std::to_string(::getpid()));
  pw::GenOptions g;
  g.seed = 5;
  g.events = 3000;
  g.duration_ns = 60LL * 1000000000LL;
  pw::GenResult gr;
  std::string err;
  if (!pw::generate_session(g, dir.string(), gr, err)) {
    fail("generate_session: " + err);
  } else {
    Run r = run((dir / "feed_a.pcap").string(), (dir / "feed_b.pcap").string(), depth);
    fs::remove_all(dir);
    if (!r.ok) fail("session: " + r.error);
    std::vector<int64_t> v[6];
    for (const MessageTiming& t : r.msgs) {
      v[0].push_back(t.nic_first);
      v[1].push_back(t.nic_last);
      v[2].push_back(t.sf_from_first);
      v[3].push_back(t.sf_from_last);
      v[4].push_back(t.ct_from_first);
      v[5].push_back(t.ct_from_last);
    }
    std::printf("\n%sGenerated session (seed 5, %llu packets on A and B, %zu events), D = %d\n\n", markdown ? "" : "# ",
                (unsigned long long)gr.packets, r.msgs.size(), depth);
    row({"path", "min", "median", "p99", "max", "median at 322.27 MHz"});
    if (markdown) row({"---", "---:", "---:", "---:", "---:", "---:"});
    const char* names[6] = {"front end: first beat in -> first beat out (measured)",
                            "front end: last beat in -> last beat out (measured)",
                            "store-and-forward shell: first beat in -> event out",
                            "store-and-forward shell: last beat in -> event out",
                            "feed_decode as built (fed from m_axis_feed, held to the last beat): first beat in -> event out",
                            "feed_decode as built (fed from m_axis_feed, held to the last beat): last beat in -> event out"};
    for (int i = 0; i < 6; ++i)
      row({names[i], cyc(pct(v[i], 0)), cyc(pct(v[i], 0.5)), cyc(pct(v[i], 0.99)), cyc(pct(v[i], 1)),
           cns(pct(v[i], 0.5))});
    if (check && (r.msgs.empty() || pct(v[0], 0.5) > 18)) fail("session: median front end first->first above 18 cycles");
    std::printf("\n%zu datagrams, %llu model cycles clocked, %llu idle cycles skipped\n",
                (size_t)r.counters.datagrams, (unsigned long long)r.counters.cycles,
                (unsigned long long)r.counters.cycles_skipped);
  }
  // 3. Throughput: back-to-back minimum-size packets through the front end and feed_decode.
  {
    std::printf("\n%sThroughput, back-to-back packets (4,000 per run, steady state), D = %d\n\n", markdown ? "" : "# ", depth);
    row({"packets", "frame bytes", "UDP payload", "frames in /cycle", "datagrams out /cycle", "events out /cycle",
         "feed_decode busy", "events/s at 322.27 MHz"});
    if (markdown) row({"---", "---:", "---:", "---:", "---:", "---:", "---:", "---:"});
    // the OrderPut capture: the smallest datagram of the feed's most common message
    std::vector<uint8_t> put;
    {
      pw::PcapSource src;
      pw::Frame f;
      if (src.open("tests/data/coinbase/md/OrderPutMessage.pcap") && src.next(f)) put.assign(f.data, f.data + f.caplen);
    }
    // a minimum Ethernet frame (60 bytes without FCS): an 18-byte payload, SeqNum and ChannelId
    // only -- the front end passes it, feed_decode counts it truncated (no event)
    std::vector<uint8_t> minimum;
    if (!put.empty()) {
      pw::L4View v;
      pw::parse_ethernet(put.data(), (uint32_t)put.size(), false, v);
      minimum = pw::build_udp_frame({v.src_ip, v.dst_ip, v.src_port, v.dst_port}, v.payload, 18);
    }
    struct Case {
      const char* name;
      const std::vector<uint8_t>* frame;
      bool both;
      double min_in, min_out, min_events;  // --check bounds (per cycle)
    } cases[] = {
        {"64-byte minimum frames, line A", &minimum, false, 0.125, 0.125, 0},
        {"64-byte minimum frames, A and B copies", &minimum, true, 0.25, 0.125, 0},
        {"OrderPut (1 event each), line A", &put, false, 1.0 / 16, 1.0 / 16, 1.0 / 16},
        // the arbiter passes one payload beat per cycle for both lines together, the dropped copy
        // included: 10 + 10 payload beats per packet, more than the 16 beats a port takes per frame
        {"OrderPut (1 event each), A and B copies", &put, true, 2.0 / 20, 1.0 / 20, 1.0 / 20},
    };
    if (put.empty()) fail("OrderPutMessage.pcap: cannot read (run from the repository root)");
    for (const Case& k : cases) {
      if (k.frame->empty()) continue;
      const Throughput t = throughput(*k.frame, k.both, depth);
      if (!t.ok) {
        fail(std::string(k.name) + ": " + t.error);
        continue;
      }
      char a[32], b[32], e[32], busy[32], evs[32];
      std::snprintf(a, sizeof a, "%.4f", t.in_rate);
      std::snprintf(b, sizeof b, "%.4f (%.1f Mpps)", t.out_rate, t.out_rate * pw::cosim::kClockHz / 1e6);
      std::snprintf(e, sizeof e, "%.4f", t.event_rate);
      std::snprintf(busy, sizeof busy, "%.0f %%", 100 * t.kernel_busy);
      std::snprintf(evs, sizeof evs, "%.1f M", t.event_rate * pw::cosim::kClockHz / 1e6);
      row({k.name, std::to_string(t.frame_bytes), std::to_string(t.payload_bytes), a, b, e, busy, evs});
      if (check && t.in_rate < k.min_in * 0.999) fail(std::string(k.name) + ": frames in per cycle " + a);
      if (check && t.out_rate < k.min_out * 0.999) fail(std::string(k.name) + ": datagrams out per cycle " + b);
      if (check && t.event_rate < k.min_events * 0.999) fail(std::string(k.name) + ": events per cycle " + e);
      if (check && k.min_events > 0 && t.events != t.datagrams) fail(std::string(k.name) + ": not one event per datagram");
    }
  }
  if (failures) std::fprintf(stderr, "%d check(s) failed\n", failures);
  return failures ? 1 : 0;
}
