// mcast_filter: group/port table match, line/channel tagging, table writes during traffic.
#include <doctest/doctest.h>

#include <array>
#include <map>

#include "Vmcast_filter.h"
#include "tb_common.hpp"

using namespace pw_sim;

namespace {

constexpr int N = 8;

struct Entry {
    bool valid = false;
    uint32_t group = 0;
    uint16_t port = 0;
    bool line = false;
    uint8_t chan = 0;
    uint16_t chan_id = 0;
};
using Table = std::array<Entry, N>;

struct Bench {
    Harness<Vmcast_filter> h{"mcast_filter"};
    AxisSource src;
    AxisSink sink;
    // pending table writes, applied one per cycle; log of (cycle, index, entry) as written
    std::deque<std::pair<int, Entry>> writes;
    std::vector<std::tuple<uint64_t, int, Entry>> log;

    explicit Bench(const Profile& p)
        : src(h.m->s_axis_tdata, h.m->s_axis_tkeep, h.m->s_axis_tvalid, h.m->s_axis_tready,
              h.m->s_axis_tlast, &h.m->s_axis_tuser, p.seed, p.idle),
          sink(h.m->m_axis_tdata, h.m->m_axis_tkeep, h.m->m_axis_tvalid, h.m->m_axis_tready,
               h.m->m_axis_tlast, [this] { return h.m->m_axis_tuser != 0; },
               [this] {
                   return std::vector<uint64_t>{h.m->m_axis_line, h.m->m_axis_chan,
                                                h.m->m_axis_chan_id, h.m->m_axis_entry};
               },
               p.seed + 99, p.stall) {
        h.add(&src);
        h.add(&sink);
        h.before_edge.push_back([this](uint64_t cyc) {
            auto* m = h.m.get();
            m->cfg_wr_en = 0;
            if (writes.empty()) return;
            auto [i, e] = writes.front();
            writes.pop_front();
            m->cfg_wr_en = 1;
            m->cfg_wr_idx = uint8_t(i);
            m->cfg_wr_valid = e.valid;
            m->cfg_wr_group = e.group;
            m->cfg_wr_port = e.port;
            m->cfg_wr_line = e.line;
            m->cfg_wr_chan = e.chan;
            m->cfg_wr_chan_id = e.chan_id;
            log.emplace_back(cyc, i, e);
        });
        h.reset();
    }
    void push(uint32_t dst, uint16_t port, Bytes payload, bool abort = false) {
        src.push(std::move(payload), abort, [this, dst, port] {
            h.m->s_axis_dst_ip = dst;
            h.m->s_axis_dst_port = port;
        });
    }
    // the table as seen by a frame whose first beat was accepted at `cycle`
    Table table_at(uint64_t cycle) const {
        Table t{};
        for (const auto& [c, i, e] : log)
            if (c < cycle) t[size_t(i)] = e;
        return t;
    }
};

int lookup(const Table& t, uint32_t dst, uint16_t port) {
    for (int i = 0; i < N; ++i)
        if (t[size_t(i)].valid && t[size_t(i)].group == dst &&
            (t[size_t(i)].port == 0 || t[size_t(i)].port == port))
            return i;
    return -1;
}

}  // namespace

TEST_CASE("mcast_filter: matches, misses and table writes racing the traffic") {
    for (const auto& p : profiles()) {
        SUBCASE(p.name) {
            Bench b(p);
            Rng r(p.seed * 3);
            std::vector<uint32_t> groups;
            for (int i = 0; i < 10; ++i) groups.push_back(0xe9f6fa80u + uint32_t(i));
            auto random_entry = [&](void) {
                Entry e;
                e.valid = r.chance(0.8);
                e.group = groups[r.below(groups.size())];
                e.port = r.chance(0.3) ? 0 : uint16_t(5220 + r.below(4));
                e.line = r.chance(0.5);
                e.chan = uint8_t(r.below(4));
                e.chan_id = uint16_t(r.next());
                return e;
            };
            for (int i = 0; i < N; ++i) b.writes.emplace_back(i, random_entry());
            b.h.run(16);

            struct Sent {
                uint32_t dst;
                uint16_t port;
                Bytes payload;
                bool abort;
            };
            std::vector<Sent> sent;
            for (int i = 0; i < 1500; ++i) {
                Sent s{r.chance(0.85) ? groups[r.below(groups.size())] : uint32_t(r.next()),
                       uint16_t(5220 + r.below(5)), {}, r.chance(0.05)};
                s.payload.resize(1 + r.below(r.chance(0.2) ? 300 : 40));
                for (auto& x : s.payload) x = uint8_t(r.next());
                b.push(s.dst, s.port, s.payload, s.abort);
                sent.push_back(s);
            }
            // rewrite entries while the frames flow
            for (int k = 0; k < 40; ++k) {
                b.h.run(1 + r.below(200));
                b.writes.emplace_back(int(r.below(N)), random_entry());
            }
            REQUIRE(b.h.run_until_idle(5000000));
            check_sink_protocol(b.sink);

            const auto& acc = b.src.accepted();
            REQUIRE(acc.size() == sent.size());
            size_t oi = 0, n_match = 0, n_miss = 0;
            for (size_t i = 0; i < sent.size(); ++i) {
                Table t = b.table_at(acc[i].first_cycle);
                int hit = lookup(t, sent[i].dst, sent[i].port);
                INFO("frame " << i << " (" << p.name << ")");
                if (hit < 0) {
                    ++n_miss;
                    continue;
                }
                ++n_match;
                REQUIRE(oi < b.sink.frames.size());
                const OutFrame& o = b.sink.frames[oi++];
                const Entry& e = t[size_t(hit)];
                CHECK(hex(o.bytes, 4096) == hex(sent[i].payload, 4096));
                CHECK(o.abort == sent[i].abort);
                CHECK(o.sb == std::vector<uint64_t>{e.line, e.chan, e.chan_id, uint64_t(hit)});
            }
            CHECK(oi == b.sink.frames.size());
            CHECK(n_match > 100);
            CHECK(n_miss > 20);
            CHECK(b.h.m->cnt_match == n_match);
            CHECK(b.h.m->cnt_nomatch == n_miss);
        }
    }
}

TEST_CASE("mcast_filter: wildcard port, lowest index wins, invalidated entry stops matching") {
    Bench b(profiles()[0]);
    b.writes.emplace_back(3, Entry{true, 0xe9f6fa87, 0, true, 2, 44850});
    b.writes.emplace_back(1, Entry{true, 0xe9f6fa87, 5222, false, 1, 44850});
    b.h.run(8);
    b.push(0xe9f6fa87, 5222, Bytes(20, 1));  // both match: entry 1 wins
    b.push(0xe9f6fa87, 5223, Bytes(20, 2));  // only the wildcard entry 3
    b.push(0xe9f6fa88, 5222, Bytes(20, 3));  // no group
    REQUIRE(b.h.run_until_idle(10000));
    b.writes.emplace_back(3, Entry{});  // invalidate
    b.h.run(8);
    b.push(0xe9f6fa87, 5223, Bytes(20, 4));
    REQUIRE(b.h.run_until_idle(10000));
    REQUIRE(b.sink.frames.size() == 2);
    CHECK(b.sink.frames[0].sb == std::vector<uint64_t>{0, 1, 44850, 1});
    CHECK(b.sink.frames[1].sb == std::vector<uint64_t>{1, 2, 44850, 3});
    CHECK(b.sink.frames[1].bytes == Bytes(20, 2));
    CHECK(b.h.m->cnt_match == 2);
    CHECK(b.h.m->cnt_nomatch == 2);
}

TEST_CASE("mcast_filter: latency stated in the module header") {
    Bench b(profiles()[0]);
    b.writes.emplace_back(0, Entry{true, 0xe9f6fa87, 0, false, 0, 1});
    b.h.run(4);
    b.push(0xe9f6fa87, 5222, Bytes(100, 1));
    REQUIRE(b.h.run_until_idle(1000));
    REQUIRE(b.sink.frames.size() == 1);
    uint64_t first = b.sink.frames[0].first_cycle - b.src.accepted()[0].first_cycle;
    uint64_t last = b.sink.frames[0].last_cycle - b.src.accepted()[0].last_cycle;
    MESSAGE("first " << first << " last " << last);
    CHECK(first == 1u);
    CHECK(last == 1u);
}
