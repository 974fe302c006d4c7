// perpwire_nic_top: captures through the whole front end on both lines, line failover, faults
// dropped where they belong, abort propagation, the order path and the counter read port.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "nic_top_bench.hpp"
#include "tb_common.hpp"

using namespace pw_sim;

TEST_CASE("nic_top: market-data captures on A and B, B copies deduplicated") {
    auto cs = capture_feeds();
    REQUIRE(cs.size() == 5);
    // per group in sequence order (the snapshot captures of one group are from different times)
    std::stable_sort(cs.begin(), cs.end(), [](const CaptureFeed& x, const CaptureFeed& y) {
        return x.group != y.group ? x.group < y.group : x.seq < y.seq;
    });
    for (const auto& p : profiles()) {
        SUBCASE(p.name) {
            NicTopBench b(p.seed, p.idle, p.stall);
            b.set_arb_hold(0);  // the gap in the captures passes at once (no hold window)
            auto slot = program_capture_groups(b, cs);
            for (const auto& c : cs) b.rx_a.push(c.frame);
            REQUIRE(b.h.run_until_idle(20000));
            for (const auto& c : cs) b.rx_b.push(b_frame(c));
            REQUIRE(b.h.run_until_idle(20000));
            check_sink_protocol(b.feed);

            REQUIRE(b.feed.frames.size() == cs.size());
            uint64_t prev_ts = 0, gap_pkts = 0;
            std::map<uint8_t, uint64_t> expect_next;
            for (size_t i = 0; i < cs.size(); ++i) {
                const OutFrame& o = b.feed.frames[i];
                FeedSide s = feed_side(o);
                uint8_t sl = slot[cs[i].group];
                INFO(cs[i].name);
                CHECK(hex(o.bytes, 4096) == hex(cs[i].payload, 4096));
                CHECK(!o.abort);
                CHECK(!s.line);
                CHECK(s.chan == sl);
                bool gap = expect_next.count(sl) && expect_next[sl] != cs[i].seq;
                if (gap) gap_pkts += cs[i].seq - expect_next[sl];
                CHECK(s.gap == gap);
                expect_next[sl] = cs[i].seq + 1;
                CHECK(s.ts > prev_ts);
                prev_ts = s.ts;
            }
            CHECK(gap_pkts == 37429665 - 37426134);  // the two snapshot captures of .136
            for (uint8_t line : {uint8_t(0), cnt::kLineB}) {
                CHECK(b.counter(line + cnt::eth_ok) == 5);
                CHECK(b.counter(line + cnt::ip_ok) == 5);
                CHECK(b.counter(line + cnt::mc_match) == 5);
            }
            CHECK(b.counter(cnt::arb_pass) == 5);
            // B's copies are all duplicates: none falls inside the range declared lost (the
            // older snapshot of .136 is below it)
            CHECK(b.counter(cnt::arb_dup) == 5);
            CHECK(b.counter(cnt::arb_late) == 0);
            CHECK(b.counter(cnt::arb_gap) == 1);
            CHECK(b.counter(cnt::arb_gap_pkts) == gap_pkts);
            CHECK(b.counter(cnt::arb_win_a) == 5);
            CHECK(b.counter(cnt::feed_out) == 5);
        }
    }
}

TEST_CASE("nic_top: line B takes over, faults dropped per line, an aborted copy is replaced") {
    for (const auto& p : profiles()) {
        SUBCASE(p.name) {
            NicTopBench b(p.seed, p.idle, p.stall);
            const uint32_t grp = 0xe9f6fa87;
            const uint16_t port = 5222, chan_id = 44849;
            b.program(0, {grp, port, false, 1, chan_id});
            b.program(1, {b_twin(grp), port, true, 1, chan_id});
            Rng r(p.seed);
            auto frame = [&](uint64_t seq, bool line, size_t body) {
                Ipv4Opts ip;
                ip.dst = line ? b_twin(grp) : grp;
                UdpOpts u;
                u.dport = port;
                EthOpts e;
                e.vlan = r.chance(0.3);
                e.vid = 100;
                return udp_frame(cb_md_packet(seq, chan_id, body), e, ip, u);
            };
            auto faults = [&](AxisSource& src, bool line) {
                Ipv4Opts bad_csum;
                bad_csum.dst = line ? b_twin(grp) : grp;
                bad_csum.bad_csum = true;
                src.push(udp_frame(cb_md_packet(1, chan_id, 8), {}, bad_csum, {0xdfb0, port}));
                EthOpts arp;
                arp.ethertype = 0x0806;
                src.push(eth_frame(arp, Bytes(28, 1)));
                Ipv4Opts other;
                other.dst = 0xe9f6fa99;  // not subscribed
                src.push(udp_frame(cb_md_packet(1, chan_id, 8), {}, other, {0xdfb0, port}));
                Ipv4Opts frag;
                frag.dst = line ? b_twin(grp) : grp;
                frag.flags_frag = 0x2000;
                src.push(udp_frame(cb_md_packet(1, chan_id, 8), {}, frag, {0xdfb0, port}));
            };
            std::vector<Bytes> want_payload;
            std::vector<std::pair<bool, bool>> want_line_abort;
            // A: 1..100, the last one with a MAC error (long, so it is already on its way out)
            for (uint64_t s = 1; s <= 100; ++s) {
                size_t body = s == 100 ? 400 : r.below(200);
                Bytes f = frame(s, false, body);
                b.rx_a.push(f, s == 100);
                if (s % 25 == 0) faults(b.rx_a, false);
                want_payload.push_back(udp_payload_of(f, f[12] == 0x81 ? 18 : 14));
                want_line_abort.emplace_back(false, s == 100);
            }
            REQUIRE(b.h.run_until_idle(100000));
            // B: 1..200 after A went quiet; B's copy of 100 replaces A's aborted one
            for (uint64_t s = 1; s <= 200; ++s) {
                Bytes f = frame(s, true, r.below(200));
                b.rx_b.push(f);
                if (s % 50 == 0) faults(b.rx_b, true);
                if (s >= 100) {
                    want_payload.push_back(udp_payload_of(f, f[12] == 0x81 ? 18 : 14));
                    want_line_abort.emplace_back(true, false);
                }
            }
            REQUIRE(b.h.run_until_idle(200000));
            check_sink_protocol(b.feed);

            REQUIRE(b.feed.frames.size() == want_payload.size());
            for (size_t i = 0; i < want_payload.size(); ++i) {
                const OutFrame& o = b.feed.frames[i];
                INFO("feed frame " << i);
                if (!want_line_abort[i].second)
                    CHECK(hex(o.bytes, 4096) == hex(want_payload[i], 4096));
                CHECK(o.abort == want_line_abort[i].second);
                CHECK(feed_side(o).line == want_line_abort[i].first);
                CHECK(feed_side(o).chan == 1);
                CHECK(!feed_side(o).gap);
            }
            CHECK(b.counter(cnt::eth_mac_err) == 1);
            CHECK(b.counter(cnt::eth_non_ipv4) == 4);
            CHECK(b.counter(cnt::ip_bad_csum) == 4);
            CHECK(b.counter(cnt::ip_frag) == 4);
            CHECK(b.counter(cnt::mc_nomatch) == 4);
            CHECK(b.counter(cnt::kLineB + cnt::eth_non_ipv4) == 4);
            CHECK(b.counter(cnt::kLineB + cnt::ip_bad_csum) == 4);
            CHECK(b.counter(cnt::kLineB + cnt::ip_frag) == 4);
            CHECK(b.counter(cnt::kLineB + cnt::mc_nomatch) == 4);
            CHECK(b.counter(cnt::kLineB + cnt::mc_match) == 200);
            CHECK(b.counter(cnt::arb_aborted) == 1);
            CHECK(b.counter(cnt::arb_pass) == 200);
            CHECK(b.counter(cnt::arb_win_a) == 99);
            CHECK(b.counter(cnt::arb_win_b) == 101);
            // B's 1..99 are below A's last delivered 99 and no range was declared lost:
            // duplicates
            CHECK(b.counter(cnt::arb_dup) == 99);
            CHECK(b.counter(cnt::arb_late) == 0);
            CHECK(b.counter(cnt::arb_gap) == 0);
        }
    }
}

// The hold window as the top starts after reset (1 ms): line A loses packets, line B's copies
// come a few packets later, and the feed leaves in order without a gap.
TEST_CASE("nic_top: default hold window — line B fills line A's holes") {
    for (const auto& p : profiles()) {
        SUBCASE(p.name) {
            NicTopBench b(p.seed, p.idle, p.stall);
            const uint32_t grp = 0xe9f6fa87;
            const uint16_t port = 5222, chan_id = 44849;
            b.program(0, {grp, port, false, 0, chan_id});
            b.program(1, {b_twin(grp), port, true, 0, chan_id});
            auto frame = [&](uint64_t seq, bool line) {
                Ipv4Opts ip;
                ip.dst = line ? b_twin(grp) : grp;
                UdpOpts u;
                u.dport = port;
                return udp_frame(cb_md_packet(seq, chan_id, 40), {}, ip, u);
            };
            const std::set<uint64_t> lost_a = {5, 6, 20}, lost_b = {7, 30};
            for (uint64_t s = 1; s <= 40; ++s) {
                if (!lost_a.count(s)) b.rx_a.push(frame(s, false));
                if (s > 3 && !lost_b.count(s - 3)) b.rx_b.push(frame(s - 3, true));
                for (int g = 0; b.rx_a.pending() + b.rx_b.pending() > 1 && g < 10000; ++g) b.h.step();
            }
            for (uint64_t s = 38; s <= 40; ++s) b.rx_b.push(frame(s, true));
            REQUIRE(b.h.run_until_idle(100000));
            check_sink_protocol(b.feed);
            REQUIRE(b.feed.frames.size() == 40);
            for (size_t i = 0; i < 40; ++i) {
                INFO("feed frame " << i);
                CHECK(get_le(b.feed.frames[i].bytes, 8, 8) == i + 1);
                CHECK(!feed_side(b.feed.frames[i]).gap);
                CHECK(feed_side(b.feed.frames[i]).line == lost_a.count(i + 1));
            }
            CHECK(b.counter(cnt::arb_gap) == 0);
            CHECK(b.counter(cnt::arb_held) > 0);
            CHECK(b.counter(cnt::arb_win_b) == 3);
        }
    }
}

TEST_CASE("nic_top: order path — captures, ceilings, kill switch, counters") {
    std::vector<Bytes> caps;
    for (const char* n : {"NewOrderMessage", "ReplaceOrderMessage", "MassCancelOrderMessage",
                          "SetAccountMessage"})
        caps.push_back(read_pcap(std::string("tests/data/coinbase/orders/") + n + ".pcap").at(0));
    NicTopBench b(5, 0.2, 0.3);
    auto* m = b.h.m.get();
    m->cfg_max_qty = 25;  // NewOrder has 20, ReplaceOrder 28
    for (const auto& f : caps) b.order.push(f);
    REQUIRE(b.h.run_until_idle(20000));
    REQUIRE(b.tx.frames.size() == 3);
    CHECK(b.tx.frames[0].bytes == caps[0]);
    CHECK(b.tx.frames[1].bytes == caps[2]);
    CHECK(b.tx.frames[2].bytes == caps[3]);
    CHECK(b.counter(cnt::gate_pass_order) == 1);
    CHECK(b.counter(cnt::gate_pass_other) == 2);
    CHECK(b.counter(cnt::gate_blk_qty) == 1);
    m->cfg_max_qty = 100;
    m->cfg_max_notional = 2230500000000ull * 20 - 1;
    b.order.push(caps[0]);  // notional one nano-unit over
    b.order.push(caps[1]);  // 33.16 x 28: well under
    REQUIRE(b.h.run_until_idle(20000));
    CHECK(b.counter(cnt::gate_blk_notional) == 1);
    CHECK(b.counter(cnt::gate_pass_order) == 2);
    m->cfg_kill = 1;
    for (const auto& f : caps) b.order.push(f);
    REQUIRE(b.h.run_until_idle(20000));
    CHECK(b.counter(cnt::gate_blk_kill) == 4);
    CHECK(b.counter(cnt::tx_out) == 4);
    CHECK(b.tx.frames.size() == 4);
    check_sink_protocol(b.tx);
}
