// ab_arbiter: A/B dedup by SeqNum, gap flag and counters, duplicate vs late, aborted copies,
// channel-id check, runts, slot resynchronisation.
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
             aborted = 0, win_a = 0, win_b = 0;
};

struct Expected {
    Bytes payload;
    bool gap, line;
    uint8_t chan;
    bool abort;
};

// Reference: frames in the order the arbiter took them.
class RefArbiter {
public:
    static constexpr uint64_t kWindow = 64;
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
            uint64_t back = st.expected - 1 - seq;
            if (back < kWindow && st.delivered.count(seq)) ++c.dup;
            else ++c.late;
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
        }
        st.valid = true;
        st.expected = seq + 1;
        st.delivered.insert(seq);
    }
    void reset_slot(uint8_t chan) { slot_[chan] = Slot{}; }

private:
    struct Slot {
        bool valid = false;
        uint64_t expected = 0;
        std::set<uint64_t> delivered;
    };
    std::map<uint8_t, Slot> slot_;
};

struct Bench {
    Harness<Vab_arbiter> h{"ab_arbiter"};
    AxisSource a, b;
    AxisSink sink;
    std::deque<uint8_t> resets;

    Bench(const Profile& p, double idle_b)
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
               p.seed + 2, p.stall) {
        h.add(&a);
        h.add(&b);
        h.add(&sink);
        h.before_edge.push_back([this](uint64_t) {
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
