// NicCosim: perpwire_nic_top (Verilator, the model sim/ builds for tb_nic_top) + feed_decode
// (HLS C-simulation) on m_axis_feed and its tuser. See nic_cosim.hpp.
#include "nic_cosim.hpp"

#include <cstring>
#include <deque>
#include <map>

#include "core/md_decode.hpp"
#include "core/net_parse.hpp"
#include "core/byte_order.hpp"
#include "hls/common/beat_layout.hpp"
#include "hls/common/event_pack.hpp"
#include "hls/common/gap_notice.hpp"
#include "hls/feed_decode/feed_decode.hpp"
#include "hls/feed_decode/feed_wire.hpp"
#include "nic_top_bench.hpp"

namespace pw {
namespace cosim {

static_assert(kChannelSlots == hlsk::kFeedChannelSlots, "feed_decode's slots are the front end's channel slots");

namespace {

// An input frame driven into a port, waiting for its datagram to come out (or to be passed over
// by a later frame of the same port: the per-line chain is in order, so frames before the one
// that comes out were dropped).
struct Pending {
  size_t submission;              // index on the port's AxisSource
  bool parsed;                    // Ethernet/IPv4/UDP parsed in software
  std::vector<uint8_t> payload;   // its UDP payload (what the parsers should emit)
  uint32_t frame_bytes;
};

}  // namespace

struct NicCosim::Impl {
  NicCosim& self;  // on_packet / on_message
  EventSink& sink;
  CosimOptions opt;
  pw_sim::NicTopBench b{1, 0.0, 0.0};  // no idle beats at the ports, no backpressure on the feed
  hlsk::FeedDecodeCsim decoder;
  std::vector<MarketEvent> events;
  CosimCounters c;
  std::string error;
  bool configured = false;
  bool started = false;
  int64_t t0 = 0;
  uint64_t skipped = 0;
  uint64_t last_activity = 0;
  uint64_t held_read_at = ~0ULL, held_cached = 0;
  std::deque<Pending> pend[2];
  size_t submitted[2] = {0, 0};
  bool any_pushed = false;
  uint8_t last_line = 0;
  // m_axis_feed beat cycles, per frame (filled before each clock edge)
  std::vector<uint64_t> cur_beats;
  std::deque<std::vector<uint64_t>> done_beats;
  size_t sink_errors_seen = 0;
  uint16_t slot_chan[kChannelSlots] = {};
  bool synced[kChannelSlots] = {};
  int64_t expected[kChannelSlots] = {};

  Impl(NicCosim& n, EventSink& s, const CosimOptions& o) : self(n), sink(s), opt(o) {
    b.h.before_edge.push_back([this](uint64_t cycle) {
      auto* m = b.h.m.get();
      if (m->s_axis_rx_a_tvalid || m->s_axis_rx_b_tvalid || m->m_axis_feed_tvalid) last_activity = cycle;
      if (m->m_axis_feed_tvalid && m->m_axis_feed_tready) {
        cur_beats.push_back(cycle);
        if (m->m_axis_feed_tlast) {
          done_beats.push_back(std::move(cur_beats));
          cur_beats.clear();
        }
      }
    });
    // The arbiter's hold window: 0 unless the options ask for one (drained() then keeps the
    // clock running while a packet is held, so its timer runs in simulated cycles).
    b.set_arb_hold(opt.hold_cycles);
    configured = program();
  }

  void fail(const std::string& what) {
    ++c.rtl_errors;
    if (error.empty()) error = what;
  }

  bool program() {
    if (opt.table.size() > (size_t)kTableEntries) {
      error = "verilator backend: " + std::to_string(opt.table.size()) + " multicast entries, the front end holds " +
              std::to_string(kTableEntries);
      return false;
    }
    std::map<uint16_t, uint8_t> slot_of;
    for (const ChannelEntry& e : opt.table) {
      if (slot_of.count(e.channel_id)) continue;
      if (slot_of.size() == (size_t)kChannelSlots) {
        error = "verilator backend: more than " + std::to_string(kChannelSlots) + " channels (the front end has " +
                std::to_string(kChannelSlots) + " channel slots)";
        return false;
      }
      const uint8_t s = (uint8_t)slot_of.size();
      slot_of[e.channel_id] = s;
      slot_chan[s] = e.channel_id;
    }
    int idx = 0;
    for (const ChannelEntry& e : opt.table)
      b.program(idx++, {e.group, e.port, e.line != 0, slot_of[e.channel_id], e.channel_id});
    return true;
  }

  uint64_t vnow() const { return b.h.cycle + skipped; }

  // Packets the arbiter holds now: frames the multicast filters passed to it minus the frames it
  // has disposed of (every frame lands in exactly one of its counters, docs/rtl.md). Read through
  // the combinational counter port, so reading costs no clock. Cached: the number changes only
  // with a beat moving (a frame in, a held packet out), which moves last_activity.
  uint64_t held_now() {
    if (held_read_at != last_activity) {
      namespace k = pw_sim::cnt;
      const uint64_t in = rd(k::mc_match) + rd(k::kLineB + k::mc_match);
      const uint64_t out = rd(k::arb_pass) + rd(k::arb_dup) + rd(k::arb_late) + rd(k::arb_runt) +
                           rd(k::arb_bad_chan) + rd(k::arb_aborted) + rd(k::arb_oversize);
      held_cached = in > out ? in - out : 0;
      held_read_at = last_activity;
    }
    return held_cached;
  }

  // The front end is empty: both ports idle, no beat moved for drain_cycles and, with a hold
  // window, no packet held. Only then may idle cycles be jumped over.
  bool drained() {
    return b.rx_a.idle() && b.rx_b.idle() && b.h.cycle >= last_activity + opt.drain_cycles &&
           done_beats.empty() && cur_beats.empty() && (opt.hold_cycles == 0 || held_now() == 0);
  }

  void step() {
    b.h.step();
    ++c.cycles;
    while (!b.feed.frames.empty()) {
      pw_sim::OutFrame o = std::move(b.feed.frames.front());
      b.feed.frames.pop_front();
      std::vector<uint64_t> beats;
      if (!done_beats.empty()) {
        beats = std::move(done_beats.front());
        done_beats.pop_front();
      }
      if (beats.empty() || beats.front() != o.first_cycle || beats.back() != o.last_cycle ||
          beats.size() != (o.bytes.size() + 7) / 8)
        fail("m_axis_feed beat log disagrees with the monitor");
      on_frame(o, beats);
    }
    if (b.feed.errors.size() > sink_errors_seen) {
      fail("m_axis_feed: " + b.feed.errors[sink_errors_seen]);
      sink_errors_seen = b.feed.errors.size();
    }
  }

  // Loads the timestamper with the capture time that virtual cycle `v` stands for (one clock).
  void load_time(uint64_t v) {
    auto* m = b.h.m.get();
    m->cfg_ts_load = 1;
    m->cfg_ts_load_ns = (uint64_t)(t0 + (int64_t)((long double)v * kNsPerCycle));
    step();
    m->cfg_ts_load = 0;
  }

  void advance_to(uint64_t v) {
    while (vnow() < v) {
      if (drained() && v > vnow() + 1) {
        skipped += v - vnow() - 1;
        c.cycles_skipped = skipped;
        load_time(v);
        return;
      }
      step();
    }
  }

  void push(uint8_t line, int64_t t, const uint8_t* frame, uint32_t len) {
    line &= 1;
    if (len == 0) {
      ++c.frames_empty;
      return;
    }
    if (!started) {
      started = true;
      t0 = t;
      load_time(vnow());
    }
    const uint64_t v = t > t0 ? (uint64_t)((long double)(t - t0) / kNsPerCycle) + 1 : 0;
    advance_to(v);
    if (opt.in_order && any_pushed && line != last_line) {
      uint64_t guard = 0;
      while (!drained()) {
        step();
        if (++guard > 10000000) {
          fail("front end did not drain");
          break;
        }
      }
    }
    any_pushed = true;
    last_line = line;
    Pending p{submitted[line]++, false, {}, len};
    L4View lv;
    if (parse_ethernet(frame, len, false, lv) == NetError::none) {
      p.parsed = true;
      p.payload.assign(lv.payload, lv.payload + lv.payload_len);
    }
    pend[line].push_back(std::move(p));
    (line == 0 ? b.rx_a : b.rx_b).push(pw_sim::Bytes(frame, frame + len));
    ++c.frames_in[line];
  }

  // Finds the input frame of a datagram from `line`, dropping the frames before it.
  bool match(uint8_t line, const std::vector<uint8_t>& payload, Pending& out) {
    auto& q = pend[line];
    for (size_t i = 0; i < q.size(); ++i) {
      if (q[i].parsed && q[i].payload == payload) {
        out = std::move(q[i]);
        q.erase(q.begin(), q.begin() + (long)i + 1);
        return true;
      }
    }
    return false;
  }

  // One datagram through feed_decode with its sideband; its gap notices and events go to the sink
  // in the kernel's order. Returns the number of gap notices; `data_events` gets the others.
  size_t kernel(const std::vector<uint8_t>& bytes, const hlsk::FeedUser& user, uint32_t* data_events = nullptr) {
    events.clear();
    const hlsk::WireDatagram w{bytes.data(), (uint32_t)bytes.size(), user};
    if (!decoder.decode_wire(&w, 1, events)) fail("feed_decode: " + decoder.error());
    c.decode = decoder.counts();
    size_t notices = 0;
    for (const MarketEvent& e : events) {
      if (e.type == (uint8_t)EventType::sequence_gap) {
        ++notices;
        sink.on_packet_gap(e.channel_id, e.gap.expected_seq, e.gap.received_seq - 1, e.sending_time);
      } else {
        sink.on_event(e);
        ++c.events;
      }
    }
    if (data_events != nullptr) *data_events = (uint32_t)(events.size() - notices);
    return notices;
  }

  void on_frame(const pw_sim::OutFrame& o, const std::vector<uint64_t>& beats) {
    const pw_sim::FeedSide s = pw_sim::feed_side(o);
    hlsk::FeedUser user{};
    user.rx_ns = s.ts;
    user.gap = s.gap;
    user.line = s.line ? 1 : 0;
    user.slot = (uint8_t)(s.chan & (kChannelSlots - 1));
    if (o.abort) {  // feed_decode holds the datagram's events and discards them at the abort
      ++c.aborted;
      user.abort = opt.discard_aborted;  // false: a kernel that ignored tuser[65]
      kernel(o.bytes, user);
      return;
    }
    PacketRecord r{};
    r.line = s.line ? 1 : 0;
    r.slot = s.chan;
    r.channel_id = slot_chan[s.chan & (kChannelSlots - 1)];
    r.gap = s.gap;
    r.rx_ns = (int64_t)s.ts;
    r.payload = o.bytes;
    const uint32_t len = (uint32_t)o.bytes.size();
    if (len < PW_FIELD(md::kPacketHeader, channel_id)::offset + PW_FIELD(md::kPacketHeader, channel_id)::size) {
      fail("m_axis_feed: a " + std::to_string(len) + "-byte datagram passed the arbiter");
      return;
    }
    r.seq = load_field<int64_t, PW_FIELD(md::kPacketHeader, seq_num)>(o.bytes.data());
    if (load_field<uint16_t, PW_FIELD(md::kPacketHeader, channel_id)>(o.bytes.data()) != r.channel_id)
      fail("m_axis_feed: ChannelId " + std::to_string(load_field<uint16_t, PW_FIELD(md::kPacketHeader, channel_id)>(o.bytes.data())) + " in slot of channel " +
           std::to_string(r.channel_id));
    r.framing_ok = md::check_framing(o.bytes.data(), len).error == md::DecodeError::none;

    // Sequence: the gap flag must agree with the numbers; the missing range is reported.
    const int sl = s.chan & (kChannelSlots - 1);
    bool report_gap = false;
    if (!synced[sl]) {
      if (s.gap) fail("m_axis_feed: gap flag on a channel's first packet");
      synced[sl] = true;
    } else if (s.gap) {
      if (r.seq <= expected[sl]) fail("m_axis_feed: gap flag without a sequence jump (seq " + std::to_string(r.seq) + ")");
      else report_gap = true;
    } else if (r.seq != expected[sl]) {
      fail("m_axis_feed: seq " + std::to_string(r.seq) + " without gap flag, expected " + std::to_string(expected[sl]));
    }

    Pending in{};
    r.matched = match(r.line, o.bytes, in);
    if (!r.matched) ++c.unmatched;
    if (r.matched) {
      const auto& acc = (r.line == 0 ? b.rx_a : b.rx_b).accepted();
      if (in.submission < acc.size() && acc[in.submission].index == in.submission) {
        r.in_first = acc[in.submission].first_cycle;
        r.in_last = acc[in.submission].last_cycle;
      } else {
        r.matched = false;
        ++c.unmatched;
      }
    }
    r.out_first = o.first_cycle;
    r.out_last = o.last_cycle;

    // The notice the kernel must emit in-band before this datagram's events, if any.
    const MarketEvent want_gap = hlsk::gap_notice(r.channel_id, expected[sl], r.seq - 1, r.rx_ns);
    if (report_gap) {
      ++c.gaps;
      c.gap_packets += (uint64_t)(r.seq - expected[sl]);
    }
    expected[sl] = r.seq + 1;
    const size_t notices = kernel(o.bytes, user, &r.events);
    // With aborted datagrams decoded (discard_aborted = false) the kernel's sequence state moves
    // on them and the front end's does not: the notices are not compared then.
    if (opt.discard_aborted) {
      const bool same = notices == (report_gap ? 1u : 0u) &&
                        (!report_gap || std::memcmp(&events.front(), &want_gap, sizeof want_gap) == 0);
      if (!same)
        fail("feed_decode: in-band gap notice differs from the front end's gap flag at seq " + std::to_string(r.seq));
    }
    ++c.datagrams;
    if (self.on_packet) self.on_packet(r);
    if (opt.timing && self.on_message && r.matched) timing(r, in.frame_bytes, beats);
  }

  // Runs the kernel's state machine beat by beat to find the beat each event completes in.
  void timing(const PacketRecord& r, uint32_t frame_bytes, const std::vector<uint64_t>& out_beats) {
    hlsk::FeedDecoder d;
    d.reset();
    const uint32_t len = (uint32_t)r.payload.size();
    const uint32_t nb = hlsk::beats_for(len);
    // events[] holds the kernel's output for this datagram: a gap notice first, if any; each
    // leaves the hold ring one clock after the other, from the clock after the last beat.
    const size_t notices = !events.empty() && events[0].type == (uint8_t)EventType::sequence_gap ? 1 : 0;
    size_t k = notices;
    for (uint32_t bi = 0; bi < nb; ++bi) {
      hlsk::FeedBeat beat;
      uint64_t word = 0;
      for (uint32_t i = 0; i < 8 && bi * 8 + i < len; ++i) word |= (uint64_t)r.payload[bi * 8 + i] << (8 * i);
      beat.data = word;
      beat.keep = hlsk::keep_for(len, bi);
      beat.strb = beat.keep;
      beat.last = bi + 1 == nb;
      hlsk::EventWord w;
      if (!d.step(beat, w)) continue;
      MarketEvent e;
      hlsk::unpack_event(w, e);
      if (k >= events.size() || std::memcmp(&e, &events[k], sizeof e) != 0) {
        fail("feed_decode: beat-by-beat run disagrees with the kernel call");
        return;
      }
      MessageTiming t{};
      t.channel_id = r.channel_id;
      t.seq = r.seq;
      t.msg_index = e.msg_index;
      t.type = e.type;
      t.payload_bytes = len;
      t.beat = bi;
      t.frame_bytes = frame_bytes;
      const int64_t in_first = (int64_t)r.in_first, in_last = (int64_t)r.in_last;
      t.nic_first = (int64_t)r.out_first - in_first;
      t.nic_last = (int64_t)r.out_last - in_last;
      const int64_t D = opt.decode_depth;
      const int64_t sf = (int64_t)r.out_last + 1 + bi + D;
      const int64_t ct = (int64_t)out_beats[nb - 1] + 1 + (int64_t)k + D;
      t.sf_from_first = sf - in_first;
      t.sf_from_last = sf - in_last;
      t.ct_from_first = ct - in_first;
      t.ct_from_last = ct - in_last;
      self.on_message(t);
      ++k;
    }
  }

  void finish() {
    if (!configured) return;
    uint64_t guard = 0;
    while (!drained()) {
      step();
      if (++guard > 50000000ULL + opt.hold_cycles) {
        fail("front end did not drain");
        break;
      }
    }
    read_counters();
  }

  uint64_t rd(uint8_t a) { return b.counter(a); }

  void read_counters() {
    namespace k = pw_sim::cnt;
    for (int l = 0; l < 2; ++l) {
      const uint8_t o = l ? k::kLineB : 0;
      CosimCounters::Line& x = c.line[l];
      x.eth_frames = rd(o + k::eth_frames);
      x.eth_ok = rd(o + k::eth_ok);
      x.eth_non_ipv4 = rd(o + k::eth_non_ipv4);
      x.eth_runt = rd(o + k::eth_runt);
      x.eth_mac_err = rd(o + k::eth_mac_err);
      x.ip_frames = rd(o + k::ip_frames);
      x.ip_ok = rd(o + k::ip_ok);
      x.ip_bad_hdr = rd(o + k::ip_bad_hdr);
      x.ip_bad_len = rd(o + k::ip_bad_len);
      x.ip_bad_csum = rd(o + k::ip_bad_csum);
      x.ip_frag = rd(o + k::ip_frag);
      x.ip_not_udp = rd(o + k::ip_not_udp);
      x.ip_bad_udp_len = rd(o + k::ip_bad_udp_len);
      x.ip_aborted = rd(o + k::ip_aborted);
      x.mc_match = rd(o + k::mc_match);
      x.mc_nomatch = rd(o + k::mc_nomatch);
    }
    c.arb_pass = rd(k::arb_pass);
    c.arb_dup = rd(k::arb_dup);
    c.arb_late = rd(k::arb_late);
    c.arb_gap = rd(k::arb_gap);
    c.arb_gap_pkts = rd(k::arb_gap_pkts);
    c.arb_runt = rd(k::arb_runt);
    c.arb_bad_chan = rd(k::arb_bad_chan);
    c.arb_aborted = rd(k::arb_aborted);
    c.arb_win_a = rd(k::arb_win_a);
    c.arb_win_b = rd(k::arb_win_b);
    c.feed_out = rd(k::feed_out);
  }
};

NicCosim::NicCosim(EventSink& sink, const CosimOptions& opt) : impl_(std::make_unique<Impl>(*this, sink, opt)) {}
NicCosim::~NicCosim() = default;

void NicCosim::push(uint8_t line, int64_t time_ns, const uint8_t* frame, uint32_t len) {
  if (!impl_->configured) return;
  impl_->push(line, time_ns, frame, len);
}

void NicCosim::finish() {
  impl_->finish();
}

const CosimCounters& NicCosim::counters() const { return impl_->c; }
bool NicCosim::ok() const { return impl_->configured && impl_->error.empty(); }
const std::string& NicCosim::error() const { return impl_->error; }
uint64_t NicCosim::rtl_counter(uint8_t addr) { return impl_->rd(addr); }

}  // namespace cosim
}  // namespace pw
