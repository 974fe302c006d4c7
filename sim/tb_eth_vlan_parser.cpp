// eth_vlan_parser: Ethernet II / 802.1Q header strip, IPv4 filter, runt and MAC-error handling.
#include <doctest/doctest.h>

#include "Veth_vlan_parser.h"
#include "tb_common.hpp"

using namespace pw_sim;

namespace {

enum class Kind { Ok, NonIpv4, Runt, MacErr };

struct Expect {
    Kind kind;
    Bytes l3;
    bool vlan = false;
    uint8_t pcp = 0;
    uint16_t vid = 0;
    uint16_t type = 0;
};

// Reference behaviour.
Expect expect_eth(const Bytes& f, bool mac_err) {
    Expect e{Kind::Ok, {}};
    uint16_t et = f.size() >= 14 ? uint16_t(f[12] << 8 | f[13]) : 0;
    e.vlan = et == 0x8100;
    size_t hdr = e.vlan ? 18 : 14;
    if (f.size() <= hdr) {
        e.kind = Kind::Runt;
        return e;
    }
    e.type = e.vlan ? uint16_t(f[16] << 8 | f[17]) : et;
    if (e.vlan) {
        e.pcp = f[14] >> 5;
        e.vid = uint16_t((f[14] & 0x0f) << 8 | f[15]);
    }
    if (e.type != 0x0800) e.kind = Kind::NonIpv4;
    else if (mac_err) e.kind = Kind::MacErr;
    e.l3.assign(f.begin() + long(hdr), f.end());
    return e;
}

struct Bench {
    Harness<Veth_vlan_parser> h{"eth_vlan_parser"};
    AxisSource src;
    AxisSink sink;
    explicit Bench(const Profile& p)
        : src(h.m->s_axis_tdata, h.m->s_axis_tkeep, h.m->s_axis_tvalid, h.m->s_axis_tready,
              h.m->s_axis_tlast, &h.m->s_axis_tuser, p.seed, p.idle),
          sink(h.m->m_axis_tdata, h.m->m_axis_tkeep, h.m->m_axis_tvalid, h.m->m_axis_tready,
               h.m->m_axis_tlast, [this] { return h.m->m_axis_tuser != 0; },
               [this] {
                   return std::vector<uint64_t>{h.m->m_axis_eth_type, h.m->m_axis_vlan_valid,
                                                h.m->m_axis_vlan_pcp, h.m->m_axis_vlan_id};
               },
               p.seed * 7 + 1, p.stall) {
        h.add(&src);
        h.add(&sink);
        h.reset();
    }
};

// Runs `frames` (with MAC-error flags) through the parser and checks every output and counter.
void run_and_check(const Profile& p, const std::vector<std::pair<Bytes, bool>>& frames) {
    Bench b(p);
    std::vector<Expect> exp;
    size_t n_ok = 0, n_non = 0, n_runt = 0, n_mac = 0;
    for (const auto& [f, bad] : frames) {
        exp.push_back(expect_eth(f, bad));
        switch (exp.back().kind) {
            case Kind::Ok: ++n_ok; break;
            case Kind::NonIpv4: ++n_non; break;
            case Kind::Runt: ++n_runt; break;
            case Kind::MacErr: ++n_mac; break;
        }
        b.src.push(f, bad ? 1 : 0);
    }
    REQUIRE(b.h.run_until_idle(5000000));
    check_sink_protocol(b.sink);

    size_t aborted = 0;
    std::vector<const OutFrame*> good;
    for (const auto& o : b.sink.frames) {
        if (o.abort) ++aborted;
        else good.push_back(&o);
    }
    CHECK(aborted <= n_mac);
    REQUIRE(good.size() == n_ok);
    size_t gi = 0;
    for (size_t i = 0; i < exp.size(); ++i) {
        if (exp[i].kind != Kind::Ok) continue;
        const OutFrame& o = *good[gi++];
        INFO("frame " << i << " of profile " << p.name);
        CHECK(hex(o.bytes, 4096) == hex(exp[i].l3, 4096));
        REQUIRE(o.sb.size() == 4);
        CHECK(o.sb[0] == exp[i].type);
        CHECK(o.sb[1] == exp[i].vlan);
        CHECK(o.sb[2] == exp[i].pcp);
        CHECK(o.sb[3] == exp[i].vid);
    }
    CHECK(b.h.m->cnt_frames == frames.size());
    CHECK(b.h.m->cnt_ok == n_ok);
    CHECK(b.h.m->cnt_non_ipv4 == n_non);
    CHECK(b.h.m->cnt_runt == n_runt);
    CHECK(b.h.m->cnt_mac_err == n_mac);
}

Bytes random_bytes(Rng& r, size_t n) {
    Bytes b(n);
    for (auto& x : b) x = uint8_t(r.next());
    return b;
}

}  // namespace

TEST_CASE("eth_vlan_parser: generated frames under gaps and backpressure") {
    for (const auto& p : profiles()) {
        Rng r(p.seed);
        std::vector<std::pair<Bytes, bool>> frames;
        for (int i = 0; i < 1500; ++i) {
            EthOpts e;
            e.pad_to = r.chance(0.5) ? 60 : 0;
            e.vlan = r.chance(0.4);
            e.vid = uint16_t(r.below(4096));
            e.pcp = uint8_t(r.below(8));
            uint64_t pick = r.below(20);
            if (pick == 0) e.ethertype = 0x0806;       // ARP
            else if (pick == 1) e.ethertype = 0x86dd;  // IPv6
            else if (pick == 2 && e.vlan) e.ethertype = 0x8100;  // second tag: not handled
            size_t len = r.chance(0.15) ? r.below(12) : 1 + r.below(r.chance(0.3) ? 1500 : 90);
            Bytes f = eth_frame(e, random_bytes(r, len));
            if (r.chance(0.08)) f.resize(r.below(20));  // runts: cut inside the L2 header
            if (f.empty()) f.push_back(0x01);
            bool bad = r.chance(0.06);
            frames.emplace_back(f, bad);
        }
        // edge lengths around the header and beat boundaries, untagged and tagged
        for (size_t n = 12; n <= 34; ++n)
            for (bool vlan : {false, true}) {
                EthOpts e;
                e.pad_to = 0;
                e.vlan = vlan;
                Bytes f = eth_frame(e, random_bytes(r, 20));
                f.resize(n);
                frames.emplace_back(f, false);
            }
        SUBCASE(p.name) { run_and_check(p, frames); }
    }
}

TEST_CASE("eth_vlan_parser: Coinbase market-data captures pass byte-exact") {
    std::vector<std::pair<Bytes, bool>> frames;
    for (const auto& name : md_capture_names()) {
        auto fs = read_pcap(md_capture_path(name));
        REQUIRE(!fs.empty());
        for (auto& f : fs) frames.emplace_back(f, false);
    }
    // and each again behind an 802.1Q tag
    size_t n = frames.size();
    for (size_t i = 0; i < n; ++i) {
        Bytes f = frames[i].first;
        Bytes tag = {0x81, 0x00, 0x60, 0x2a};  // PCP 3, VID 42
        f.insert(f.begin() + 12, tag.begin(), tag.end());
        frames.emplace_back(f, false);
    }
    for (const auto& p : profiles()) {
        SUBCASE(p.name) { run_and_check(p, frames); }
    }
}

TEST_CASE("eth_vlan_parser: latency stated in the module header") {
    for (bool vlan : {false, true}) {
        Bench b(profiles()[0]);
        EthOpts e;
        e.vlan = vlan;
        Bytes f = eth_frame(e, Bytes(100, 0x42));
        b.src.push(f);
        REQUIRE(b.h.run_until_idle(1000));
        REQUIRE(b.sink.frames.size() == 1);
        uint64_t first = b.sink.frames[0].first_cycle - b.src.accepted()[0].first_cycle;
        uint64_t last = b.sink.frames[0].last_cycle - b.src.accepted()[0].last_cycle;
        MESSAGE("vlan " << vlan << ": first " << first << " last " << last);
        CHECK(first == (vlan ? 5u : 4u));
        CHECK(last <= 3u);
    }
}
