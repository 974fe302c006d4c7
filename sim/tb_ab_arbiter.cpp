// ab_arbiter: A/B dedup by SeqNum, gap flag and counters, duplicate vs late, aborted copies,
// channel-id check, runts, slot resynchronisation; the hold window (one case per rule: the other
// line fills a hole, a hole outlives the window, reorder within a line, both lines lose a packet,
// buffer full, oversize) under backpressure and random tvalid gaps.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "Vab_arbiter.h"
#include "tb_common.hpp"

using namespace pw_sim;

namespace {

struct Sent {
    Bytes payload;
    bool line;  // 0 = A, 1 = B
    uint8_t chan;
    uint16_t chan_id;  // what the filter entry expects
    bool abort;
};

struct Counts {
    uint64_t pass = 0, dup = 0, late = 0, gap = 0, gap_pkts = 0, runt = 0, bad_chan = 0,
             aborted = 0, win_a = 0, win_b = 0, held = 0, oversize = 0;
};

struct Expected {
    Bytes payload;
    bool gap, line;
    uint8_t chan;
    bool abort;
};

// Reference without a hold window (cfg_hold_cycles = 0), frames in the order the arbiter took
// them: the software sequencer's rules (core/feed_sequencer.hpp) with reorder wait 0 — a packet
// above a hole passes at once with the gap flag and the hole becomes the last range declared
// lost; below expected: late inside that range, a duplicate otherwise.
class RefArbiter {
public:
    std::vector<Expected> out;
    Counts c;

    void frame(const Sent& s) {
        const Bytes& p = s.payload;
        if (p.size() < 18) {
            ++c.runt;
            return;
        }
        if (get_le(p, 16, 2) != s.chan_id) {
            ++c.bad_chan;
            return;
        }
        uint64_t seq = get_le(p, 8, 8);
        Slot& st = slot_[s.chan];
        bool gap = false;
        if (st.valid && seq < st.expected) {
            if (st.lost && seq >= st.lost_first && seq < st.lost_end) ++c.late;
            else ++c.dup;
            return;
        }
        if (st.valid) gap = seq != st.expected;
        out.push_back({p, gap, s.line, s.chan, s.abort});
        if (s.abort) {
            ++c.aborted;
            return;
        }
        ++c.pass;
        (s.line ? c.win_b : c.win_a)++;
        if (gap) {
            ++c.gap;
            c.gap_pkts += seq - st.expected;
            st.lost = true;
            st.lost_first = st.expected;
            st.lost_end = seq;
        }
        st.valid = true;
        st.expected = seq + 1;
    }
    void reset_slot(uint8_t chan) { slot_[chan] = Slot{}; }

private:
    struct Slot {
        bool valid = false, lost = false;
        uint64_t expected = 0, lost_first = 0, lost_end = 0;
    };
    std::map<uint8_t, Slot> slot_;
};

struct Bench {
    Harness<Vab_arbiter> h{"ab_arbiter"};
    AxisSource a, b;
    AxisSink sink;
    std::deque<uint8_t> resets;
    uint32_t hold = 0;  // cfg_hold_cycles

    Bench(const Profile& p, double idle_b, uint32_t hold_cycles = 0)
        : a(h.m->s_axis_a_tdata, h.m->s_axis_a_tkeep, h.m->s_axis_a_tvalid, h.m->s_axis_a_tready,
            h.m->s_axis_a_tlast, &h.m->s_axis_a_tuser, p.seed, p.idle),
          b(h.m->s_axis_b_tdata, h.m->s_axis_b_tkeep, h.m->s_axis_b_tvalid, h.m->s_axis_b_tready,
            h.m->s_axis_b_tlast, &h.m->s_axis_b_tuser, p.seed + 1, idle_b),
          sink(h.m->m_axis_tdata, h.m->m_axis_tkeep, h.m->m_axis_tvalid, h.m->m_axis_tready,
               h.m->m_axis_tlast, [this] { return h.m->m_axis_tuser != 0; },
               [this] {
                   return std::vector<uint64_t>{h.m->m_axis_gap, h.m->m_axis_line,
                                                h.m->m_axis_chan};
               },
               p.seed + 2, p.stall),
          hold(hold_cycles) {
        h.add(&a);
        h.add(&b);
        h.add(&sink);
        h.before_edge.push_back([this](uint64_t) {
            h.m->cfg_hold_cycles = hold;
            h.m->cfg_chan_reset = 0;
            if (resets.empty()) return;
            h.m->cfg_chan_reset = 1;
            h.m->cfg_chan_reset_idx = resets.front();
            resets.pop_front();
        });
        h.reset();
    }
    void push(const Sent& s) {
        AxisSource& src = s.line ? b : a;
        auto* m = h.m.get();
        std::function<void()> sb;
        if (s.line)
            sb = [m, s] {
                m->s_axis_b_line = 1;
                m->s_axis_b_chan = s.chan;
                m->s_axis_b_chan_id = s.chan_id;
            };
        else
            sb = [m, s] {
                m->s_axis_a_line = 0;
                m->s_axis_a_chan = s.chan;
                m->s_axis_a_chan_id = s.chan_id;
            };
        src.push(s.payload, s.abort, sb);
    }
    void check_counts(const Counts& c) {
        auto* m = h.m.get();
        CHECK(m->cnt_pass == c.pass);
        CHECK(m->cnt_dup == c.dup);
        CHECK(m->cnt_late == c.late);
        CHECK(m->cnt_gap == c.gap);
        CHECK(m->cnt_gap_pkts == c.gap_pkts);
        CHECK(m->cnt_runt == c.runt);
        CHECK(m->cnt_bad_chan == c.bad_chan);
        CHECK(m->cnt_aborted == c.aborted);
        CHECK(m->cnt_win_a == c.win_a);
        CHECK(m->cnt_win_b == c.win_b);
        CHECK(m->cnt_held == c.held);
        CHECK(m->cnt_oversize == c.oversize);
    }
};

void check_outputs(const Bench& b, const std::vector<Expected>& want) {
    REQUIRE(b.sink.frames.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        const OutFrame& o = b.sink.frames[i];
        INFO("output " << i << " seq " << get_le(want[i].payload, 8, 8));
        CHECK(hex(o.bytes, 4096) == hex(want[i].payload, 4096));
        CHECK(o.abort == want[i].abort);
        CHECK(o.sb == std::vector<uint64_t>{want[i].gap, want[i].line, want[i].chan});
    }
}

const uint16_t kChanId[2] = {44850, 44851};

Sent md(uint64_t seq, bool line, uint8_t chan = 0, size_t body = 16, bool abort = false) {
    return {cb_md_packet(seq, kChanId[chan], body), line, chan, kChanId[chan], abort};
}

}  // namespace

TEST_CASE("ab_arbiter: first copy wins, gaps flagged, duplicates and late packets dropped") {
    Bench b(profiles()[0], 0.0);
    RefArbiter ref;
    std::vector<Sent> order;
    // line A delivers 1 2 3 5 (4 lost), then line B delivers 1..6
    for (uint64_t s : {1, 2, 3, 5}) order.push_back(md(s, false));
    for (auto& s : order) b.push(s);
    REQUIRE(b.h.run_until_idle(10000));
    std::vector<Sent> bl;
    for (uint64_t s = 1; s <= 6; ++s) bl.push_back(md(s, true));
    for (auto& s : bl) b.push(s), order.push_back(s);
    REQUIRE(b.h.run_until_idle(10000));
    for (auto& s : order) ref.frame(s);

    check_outputs(b, ref.out);
    REQUIRE(b.sink.frames.size() == 5);
    CHECK(b.sink.frames[3].sb[0] == 1);  // A's 5 carries the gap
    CHECK(b.sink.frames[4].sb[1] == 1);  // B's 6 is the only B frame through
    Counts want;
    want.pass = 5, want.dup = 4, want.late = 1, want.gap = 1, want.gap_pkts = 1, want.win_a = 4,
    want.win_b = 1;
    b.check_counts(want);
    CHECK(ref.c.dup == 4);

    SUBCASE("an aborted copy does not count: the other line's copy is taken") {
        b.push(md(7, false, 0, 40, true));
        REQUIRE(b.h.run_until_idle(10000));
        b.push(md(7, true, 0, 40));
        b.push(md(8, true, 0, 40));
        REQUIRE(b.h.run_until_idle(10000));
        REQUIRE(b.sink.frames.size() == 8);
        CHECK(b.sink.frames[5].abort);
        CHECK(!b.sink.frames[6].abort);
        CHECK(b.sink.frames[6].sb == std::vector<uint64_t>{0, 1, 0});
        CHECK(b.h.m->cnt_aborted == 1);
        CHECK(b.h.m->cnt_pass == 7);
        CHECK(b.h.m->cnt_gap == 1);
    }
    SUBCASE("a resynchronised slot accepts a restarted sequence without a gap") {
        b.resets.push_back(0);
        b.h.run(4);
        b.push(md(1, false));
        b.push(md(2, false));
        b.push(md(1, true));
        REQUIRE(b.h.run_until_idle(10000));
        REQUIRE(b.sink.frames.size() == 7);
        CHECK(b.sink.frames[5].sb[0] == 0);
        CHECK(b.h.m->cnt_dup == 5);
        CHECK(b.h.m->cnt_gap == 1);
    }
    SUBCASE("runts and a wrong channel id are dropped and counted") {
        Sent runt = md(9, false);
        runt.payload.resize(17);
        Sent wrong = md(9, false);
        wrong.chan_id = 1234;
        b.push(runt);
        b.push(wrong);
        b.push(md(9, false, 0, 0));  // exactly the 24-byte header: fine
        REQUIRE(b.h.run_until_idle(10000));
        CHECK(b.h.m->cnt_runt == 1);
        CHECK(b.h.m->cnt_bad_chan == 1);
        CHECK(b.sink.frames.size() == 6);
        CHECK(b.h.m->cnt_gap == 2);  // 6 -> 9
        CHECK(b.h.m->cnt_gap_pkts == 3);
    }
}

TEST_CASE("ab_arbiter: generated A/B session with loss, reordering, duplicates and faults") {
    for (const auto& p : profiles()) {
        SUBCASE(p.name) {
            Rng r(p.seed * 17);
            Bench b(p, p.idle + 0.1);
            std::vector<Sent> la, lb;
            uint64_t next[2] = {1000, 5000000000ull};
            for (int i = 0; i < 2500; ++i) {
                uint8_t ch = uint8_t(r.below(2));
                uint64_t seq = next[ch];
                next[ch] += 1 + (r.chance(0.01) ? r.below(80) : 0);  // sender-side skip
                size_t body = r.chance(0.1) ? 0 : r.below(r.chance(0.2) ? 600 : 60);
                bool in_a = r.chance(0.93), in_b = r.chance(0.93);
                if (in_a) la.push_back(md(seq, false, ch, body, r.chance(0.02)));
                if (in_b) lb.push_back(md(seq, true, ch, body, r.chance(0.02)));
            }
            // local reordering and faults on each line
            for (auto* l : {&la, &lb}) {
                for (size_t i = 1; i < l->size(); ++i)
                    if (r.chance(0.04)) std::swap((*l)[i - 1], (*l)[i]);
                for (auto& s : *l) {
                    if (r.chance(0.01)) s.payload.resize(r.below(18));
                    if (r.chance(0.01)) s.chan_id ^= 0x100;
                    if (s.payload.empty()) s.payload.push_back(0);
                }
            }
            // one line starts a few cycles before the other
            bool b_first = r.chance(0.5);
            for (auto& s : b_first ? lb : la) b.push(s);
            b.h.run(r.below(24));
            for (auto& s : b_first ? la : lb) b.push(s);
            REQUIRE(b.h.run_until_idle(1000000));
            check_sink_protocol(b.sink);

            // replay the reference in the order the arbiter took the frames
            std::vector<std::pair<uint64_t, const Sent*>> taken;
            for (const auto& t : b.a.accepted()) taken.emplace_back(t.first_cycle, &la[t.index]);
            for (const auto& t : b.b.accepted()) taken.emplace_back(t.first_cycle, &lb[t.index]);
            REQUIRE(taken.size() == la.size() + lb.size());
            std::sort(taken.begin(), taken.end(),
                      [](const auto& x, const auto& y) { return x.first < y.first; });
            RefArbiter ref;
            for (auto& [c, s] : taken) ref.frame(*s);
            check_outputs(b, ref.out);
            b.check_counts(ref.c);
            CHECK(ref.c.dup > 1000);
            CHECK(ref.c.gap > 0);
            CHECK(ref.c.late > 0);
            CHECK(ref.c.win_b > 0);
            CHECK(ref.c.runt > 0);
            CHECK(ref.c.bad_chan > 0);
            CHECK(ref.c.aborted > 0);
        }
    }
}

TEST_CASE("ab_arbiter: latency stated in the module header") {
    Bench b(profiles()[0], 0.0);
    b.push(md(1, false, 0, 100));
    REQUIRE(b.h.run_until_idle(1000));
    REQUIRE(b.sink.frames.size() == 1);
    uint64_t first = b.sink.frames[0].first_cycle - b.a.accepted()[0].first_cycle;
    uint64_t last = b.sink.frames[0].last_cycle - b.a.accepted()[0].last_cycle;
    MESSAGE("first " << first << " last " << last);
    CHECK(first == 5u);
    CHECK(last == 5u);
}

// ---------------------------------------------------------------- hold window
namespace {

constexpr uint32_t kLongHold = 1000000;  // never runs out in these cases

struct Delivered {
    uint64_t seq;
    bool gap, line;
};
// The frames of one channel as they left: SeqNum, gap flag, line.
std::vector<Delivered> delivered(const Bench& b, uint8_t chan = 0) {
    std::vector<Delivered> v;
    for (const auto& o : b.sink.frames)
        if (o.sb[2] == chan && !o.abort) v.push_back({get_le(o.bytes, 8, 8), o.sb[0] != 0, o.sb[1] != 0});
    return v;
}
std::vector<uint64_t> seqs(const std::vector<Delivered>& v) {
    std::vector<uint64_t> s;
    for (const auto& d : v) s.push_back(d.seq);
    return s;
}
std::vector<uint64_t> gaps(const std::vector<Delivered>& v) {
    std::vector<uint64_t> s;
    for (const auto& d : v)
        if (d.gap) s.push_back(d.seq);
    return s;
}
std::vector<uint64_t> range(uint64_t a, uint64_t b) {
    std::vector<uint64_t> v;
    for (uint64_t i = a; i <= b; ++i) v.push_back(i);
    return v;
}

// Every delivered frame is byte for byte a copy that came in.
void check_payloads(const Bench& b, const std::vector<Sent>& in) {
    std::set<std::pair<uint8_t, Bytes>> copies;
    for (const auto& s : in) copies.insert({s.chan, s.payload});
    for (const auto& o : b.sink.frames) {
        INFO("seq " << get_le(o.bytes, 8, 8));
        CHECK(copies.count({uint8_t(o.sb[2]), o.bytes}) == 1);
    }
}

}  // namespace

TEST_CASE("ab_arbiter hold window: one case per rule") {
    for (const auto& p : profiles()) {
        SUBCASE(p.name) {
            SUBCASE("line B fills line A's hole within the window: in order, no gap") {
                Bench b(p, p.idle, kLongHold);
                for (uint64_t s : {1, 2, 3, 5, 6, 7}) b.push(md(s, false, 0, 40));
                REQUIRE(b.h.run_until_idle(20000));
                CHECK(seqs(delivered(b)) == range(1, 3));  // 5 6 7 wait for 4
                for (uint64_t s = 1; s <= 7; ++s) b.push(md(s, true, 0, 40));
                REQUIRE(b.h.run_until_idle(20000));
                auto d = delivered(b);
                CHECK(seqs(d) == range(1, 7));
                CHECK(gaps(d).empty());
                CHECK(d[3].line == 1);  // B's 4
                CHECK(d[4].line == 0);  // A's 5 from the hold buffer
                check_sink_protocol(b.sink);
                Counts want;
                want.pass = 7, want.dup = 6, want.win_a = 6, want.win_b = 1, want.held = 3;
                b.check_counts(want);
            }
            SUBCASE("a hole that outlives the window is a gap; its late copy is dropped as late") {
                Bench b(p, p.idle, 200);
                for (uint64_t s : {1, 2, 4, 5}) b.push(md(s, false, 0, 40));
                REQUIRE(b.h.run_until_idle(20000));
                b.h.run(400);
                REQUIRE(b.h.run_until_idle(20000));
                auto d = delivered(b);
                CHECK(seqs(d) == std::vector<uint64_t>{1, 2, 4, 5});
                CHECK(gaps(d) == std::vector<uint64_t>{4});
                b.push(md(3, true, 0, 40));
                b.push(md(6, true, 0, 40));
                REQUIRE(b.h.run_until_idle(20000));
                CHECK(seqs(delivered(b)) == std::vector<uint64_t>{1, 2, 4, 5, 6});
                Counts want;
                want.pass = 5, want.late = 1, want.gap = 1, want.gap_pkts = 1, want.win_a = 4,
                want.win_b = 1, want.held = 2;
                b.check_counts(want);
            }
            SUBCASE("reordering within one line is undone") {
                Bench b(p, p.idle, kLongHold);
                for (uint64_t s : {1, 3, 2, 5, 4, 6}) b.push(md(s, false, 0, 24));
                REQUIRE(b.h.run_until_idle(20000));
                auto d = delivered(b);
                CHECK(seqs(d) == range(1, 6));
                CHECK(gaps(d).empty());
                CHECK(b.h.m->cnt_held == 2);
                CHECK(b.h.m->cnt_gap == 0);
            }
            SUBCASE("both lines lose the same packet: one gap once the window has passed") {
                Bench b(p, p.idle, 300);
                for (uint64_t s : {1, 2, 4, 5}) b.push(md(s, false, 0, 40)), b.push(md(s, true, 0, 40));
                REQUIRE(b.h.run_until_idle(20000));
                b.h.run(600);
                REQUIRE(b.h.run_until_idle(20000));
                auto d = delivered(b);
                CHECK(seqs(d) == std::vector<uint64_t>{1, 2, 4, 5});
                CHECK(gaps(d) == std::vector<uint64_t>{4});
                CHECK(b.h.m->cnt_dup == 4);  // B's 1 2 below expected, B's 4 5 copies of held ones
                CHECK(b.h.m->cnt_gap == 1);
                CHECK(b.h.m->cnt_gap_pkts == 1);
            }
            SUBCASE("buffer full: the channel gives up its hole and the packet is judged again") {
                Bench b(p, p.idle, kLongHold);
                b.push(md(1, false, 0, 40));
                for (uint64_t s = 3; s <= 11; ++s) b.push(md(s, false, 0, 40));  // 9 above the hole
                REQUIRE(b.h.run_until_idle(50000));
                auto d = delivered(b);
                CHECK(seqs(d) == std::vector<uint64_t>{1, 3, 4, 5, 6, 7, 8, 9, 10, 11});
                CHECK(gaps(d) == std::vector<uint64_t>{3});
                CHECK(b.h.m->cnt_held == 8);  // HOLD_PKTS; the 9th passed after the 8 released
                b.push(md(2, true, 0, 40));
                REQUIRE(b.h.run_until_idle(20000));
                CHECK(b.h.m->cnt_late == 1);
                CHECK(b.h.m->cnt_gap == 1);
                CHECK(b.h.m->cnt_gap_pkts == 1);
            }
            SUBCASE("buffer full while the packet's channel holds nothing: it passes with the gap") {
                Bench b(p, p.idle, kLongHold);
                b.push(md(1, false, 0, 24));
                b.push(md(1, false, 1, 24));
                for (uint64_t s = 3; s <= 10; ++s) b.push(md(s, false, 0, 24));  // fills the buffer
                b.push(md(5, false, 1, 24));                                     // channel 1's hole
                REQUIRE(b.h.run_until_idle(50000));
                CHECK(seqs(delivered(b, 0)) == std::vector<uint64_t>{1});
                auto d1 = delivered(b, 1);
                CHECK(seqs(d1) == std::vector<uint64_t>{1, 5});
                CHECK(gaps(d1) == std::vector<uint64_t>{5});
                b.push(md(2, true, 0, 24));  // channel 0's hole filled: its 8 follow in order
                REQUIRE(b.h.run_until_idle(50000));
                CHECK(seqs(delivered(b, 0)) == range(1, 10));
                CHECK(gaps(delivered(b, 0)).empty());
            }
            SUBCASE("a packet longer than a slot cannot wait: dropped as oversize") {
                Bench b(p, p.idle, kLongHold);
                b.push(md(1, false, 0, 40));
                b.push(md(3, false, 0, 1472 - 24 + 1));  // 1473 bytes
                b.push(md(4, false, 0, 1472 - 24));      // 1472 bytes: fits
                REQUIRE(b.h.run_until_idle(50000));
                b.push(md(2, true, 0, 40));
                b.push(md(3, true, 0, 40));
                REQUIRE(b.h.run_until_idle(50000));
                auto d = delivered(b);
                CHECK(seqs(d) == range(1, 4));
                CHECK(gaps(d).empty());
                CHECK(d[2].line == 1);
                CHECK(b.sink.frames[3].bytes.size() == 1472);
                CHECK(b.h.m->cnt_oversize == 1);
                CHECK(b.h.m->cnt_held == 1);
            }
            SUBCASE("an aborted copy does not wait: the other line's copy is taken") {
                Bench b(p, p.idle, kLongHold);
                b.push(md(1, false, 0, 40));
                b.push(md(3, false, 0, 40, true));
                REQUIRE(b.h.run_until_idle(50000));
                b.push(md(2, true, 0, 40));
                b.push(md(3, true, 0, 40));
                REQUIRE(b.h.run_until_idle(50000));
                auto d = delivered(b);
                CHECK(seqs(d) == range(1, 3));
                CHECK(d[2].line == 1);
                CHECK(b.h.m->cnt_aborted == 1);
                CHECK(b.h.m->cnt_held == 0);
                CHECK(b.sink.frames.size() == 3);  // a held copy never leaves aborted
            }
            SUBCASE("a channel reset discards its held packets") {
                Bench b(p, p.idle, kLongHold);
                for (uint64_t s : {1, 3, 4}) b.push(md(s, false, 0, 40));
                REQUIRE(b.h.run_until_idle(20000));
                b.resets.push_back(0);
                b.h.run(4);
                b.push(md(50, false, 0, 40));
                b.push(md(51, false, 0, 40));
                REQUIRE(b.h.run_until_idle(20000));
                auto d = delivered(b);
                CHECK(seqs(d) == std::vector<uint64_t>{1, 50, 51});
                CHECK(gaps(d).empty());
            }
        }
    }
}

// Two lines that together carry every packet, with loss on both, duplicates, local reorders and
// line B a few packets behind line A: with the window, every packet leaves once, in order, without a gap.
TEST_CASE("ab_arbiter hold window: skewed lines that together carry every packet give no gap") {
    for (const auto& p : profiles()) {
        SUBCASE(p.name) {
            Rng r(p.seed * 31);
            Bench b(p, p.idle + 0.05, kLongHold);
            // Both lines paced like wires: packet k enters line A at step k and line B at step
            // k + lag (the skew, in packets of both channels together, must stay below
            // HOLD_PKTS: a fuller buffer gives up its oldest hole).
            const size_t lag = 1 + r.below(4);
            std::vector<Sent> la, lb;
            std::vector<size_t> step_a, step_b;
            uint64_t next[2] = {100, 7000000000ull};
            std::map<uint8_t, std::vector<uint64_t>> want;
            for (size_t i = 0; i < 2000; ++i) {
                uint8_t ch = uint8_t(r.below(2));
                uint64_t seq = next[ch]++;
                want[ch].push_back(seq);
                size_t body = r.below(r.chance(0.1) ? 300 : 60);
                bool in_a = !r.chance(0.03), in_b = !r.chance(0.03);
                if (!in_a && !in_b) (r.chance(0.5) ? in_a : in_b) = true;
                if (in_a) la.push_back(md(seq, false, ch, body)), step_a.push_back(i);
                if (in_b) lb.push_back(md(seq, true, ch, body)), step_b.push_back(i + lag);
                if (r.chance(0.01)) la.push_back(md(seq, false, ch, body)), step_a.push_back(i);  // resent
            }
            for (auto* l : {&la, &lb})
                for (size_t i = 1; i < l->size(); ++i)
                    if (r.chance(0.03)) std::swap((*l)[i - 1], (*l)[i]);
            size_t ia = 0, ib = 0;
            for (size_t step = 0; ia < la.size() || ib < lb.size(); ++step) {
                while (ia < la.size() && step_a[ia] == step) b.push(la[ia++]);
                while (ib < lb.size() && step_b[ib] == step) b.push(lb[ib++]);
                for (int guard = 0; b.a.pending() + b.b.pending() > 1 && guard < 100000; ++guard) b.h.step();
            }
            REQUIRE(b.h.run_until_idle(2000000));
            check_sink_protocol(b.sink);
            std::vector<Sent> all(la);
            all.insert(all.end(), lb.begin(), lb.end());
            check_payloads(b, all);
            for (uint8_t ch = 0; ch < 2; ++ch) {
                auto d = delivered(b, ch);
                CHECK(seqs(d) == want[ch]);
                CHECK(gaps(d).empty());
            }
            auto* m = b.h.m.get();
            CHECK(m->cnt_gap == 0);
            CHECK(m->cnt_late == 0);
            CHECK(m->cnt_pass == 2000);
            CHECK(m->cnt_held > 20);
            CHECK(m->cnt_win_b > 20);
            CHECK(m->cnt_pass + m->cnt_dup == la.size() + lb.size());
        }
    }
}

// Faults on both lines and sender-side skips with a short window: the stream leaves each
// channel in rising order, the gap flag marks exactly the jumps, every frame lands in exactly
// one counter.
TEST_CASE("ab_arbiter hold window: generated session with loss, skips and faults") {
    for (const auto& p : profiles()) {
        SUBCASE(p.name) {
            Rng r(p.seed * 43);
            Bench b(p, p.idle + 0.1, 400);
            std::vector<Sent> la, lb;
            uint64_t next[2] = {1000, 5000000000ull};
            for (int i = 0; i < 2000; ++i) {
                uint8_t ch = uint8_t(r.below(2));
                uint64_t seq = next[ch];
                next[ch] += 1 + (r.chance(0.01) ? r.below(20) : 0);  // sender-side skip
                size_t body = r.chance(0.1) ? 0 : r.below(r.chance(0.2) ? 600 : 60);
                if (r.chance(0.93)) la.push_back(md(seq, false, ch, body, r.chance(0.02)));
                if (r.chance(0.93)) lb.push_back(md(seq, true, ch, body, r.chance(0.02)));
            }
            for (auto* l : {&la, &lb}) {
                for (size_t i = 1; i < l->size(); ++i)
                    if (r.chance(0.04)) std::swap((*l)[i - 1], (*l)[i]);
                for (auto& s : *l) {
                    if (r.chance(0.01)) s.payload.resize(r.below(18));
                    if (r.chance(0.01)) s.chan_id ^= 0x100;
                    if (s.payload.empty()) s.payload.push_back(0);
                }
            }
            for (auto& s : la) b.push(s);
            b.h.run(r.below(40));
            for (auto& s : lb) b.push(s);
            REQUIRE(b.h.run_until_idle(2000000));
            b.h.run(1000);  // the last holes run out
            REQUIRE(b.h.run_until_idle(100000));
            check_sink_protocol(b.sink);
            std::vector<Sent> all(la);
            all.insert(all.end(), lb.begin(), lb.end());
            check_payloads(b, all);
            uint64_t jumps = 0;
            for (uint8_t ch = 0; ch < 2; ++ch) {
                auto d = delivered(b, ch);
                for (size_t i = 1; i < d.size(); ++i) {
                    INFO("channel " << int(ch) << " seq " << d[i].seq);
                    REQUIRE(d[i].seq > d[i - 1].seq);
                    CHECK(d[i].gap == (d[i].seq != d[i - 1].seq + 1));
                    jumps += d[i].gap;
                }
                if (!d.empty()) CHECK(!d[0].gap);
            }
            auto* m = b.h.m.get();
            CHECK(m->cnt_gap == jumps);
            CHECK(m->cnt_gap > 0);
            CHECK(m->cnt_held > 0);
            CHECK(m->cnt_late > 0);
            CHECK(m->cnt_pass + m->cnt_dup + m->cnt_late + m->cnt_runt + m->cnt_bad_chan +
                      m->cnt_aborted + m->cnt_oversize ==
                  la.size() + lb.size());
            uint64_t out_ok = 0;
            for (const auto& o : b.sink.frames) out_ok += !o.abort;
            CHECK(out_ok == m->cnt_pass);
        }
    }
}

TEST_CASE("ab_arbiter hold window: latency of a held packet once its hole is filled") {
    Bench b(profiles()[0], 0.0, kLongHold);
    b.push(md(1, false, 0, 100));
    b.push(md(3, false, 0, 100));
    REQUIRE(b.h.run_until_idle(1000));
    b.push(md(2, true, 0, 100));
    REQUIRE(b.h.run_until_idle(1000));
    REQUIRE(b.sink.frames.size() == 3);
    // 2 leaves as in order; 3 follows from the hold buffer
    uint64_t gap_cycles = b.sink.frames[2].first_cycle - b.sink.frames[1].last_cycle;
    MESSAGE("held packet: first beat " << gap_cycles << " cycles after the previous frame's last");
    CHECK(b.sink.frames[1].first_cycle - b.b.accepted()[0].first_cycle == 5u);
    CHECK(gap_cycles <= 5u);
}
