// ipv4_udp_parser: header checks with one counter per reason, options, padding trim, payload.
#include <doctest/doctest.h>

#include <array>

#include "Vipv4_udp_parser.h"
#include "tb_common.hpp"

using namespace pw_sim;

namespace {

enum Kind { OK, HDR, LEN, CSUM, FRAG, PROTO, UDPLEN, ABORTED, N_KIND };
const char* kind_name[N_KIND] = {"ok", "bad_hdr", "bad_len", "bad_csum", "frag", "not_udp", "bad_udp_len", "aborted"};

struct Expect {
    Kind kind;
    Bytes payload;
    std::vector<uint64_t> sb;
};

// Reference behaviour (the first failing check, in the documented order).
Expect expect_ip(const Bytes& p, bool abort_in) {
    Expect e{OK, {}, {}};
    size_t n = p.size();
    unsigned ver = p[0] >> 4, ihl = p[0] & 0xf;
    size_t h = ihl * 4, s = h + 8;
    if (n <= s / 8 * 8) return {LEN, {}, {}};  // ends before the beat that holds byte IHL*4+8
    if (ver != 4 || ihl < 5) return {HDR, {}, {}};
    if (n < s) return {LEN, {}, {}};
    if (ones_complement_sum(p.data(), h) != 0xffff) return {CSUM, {}, {}};
    size_t tlen = get_be(p, 2, 2);
    if (tlen < s) return {LEN, {}, {}};
    uint16_t frag = uint16_t(get_be(p, 6, 2));
    if ((frag & 0x2000) || (frag & 0x1fff)) return {FRAG, {}, {}};
    if (p[9] != 17) return {PROTO, {}, {}};
    size_t ulen = get_be(p, h + 4, 2);
    if (ulen < 9 || ulen > tlen - h) return {UDPLEN, {}, {}};
    if (n < tlen || n < h + ulen) return {LEN, {}, {}};
    if (abort_in) return {ABORTED, {}, {}};
    e.payload.assign(p.begin() + long(s), p.begin() + long(h + ulen));
    e.sb = {get_be(p, 12, 4), get_be(p, 16, 4), get_be(p, h, 2), get_be(p, h + 2, 2)};
    return e;
}

struct Bench {
    Harness<Vipv4_udp_parser> h{"ipv4_udp_parser"};
    AxisSource src;
    AxisSink sink;
    explicit Bench(const Profile& p)
        : src(h.m->s_axis_tdata, h.m->s_axis_tkeep, h.m->s_axis_tvalid, h.m->s_axis_tready,
              h.m->s_axis_tlast, &h.m->s_axis_tuser, p.seed, p.idle),
          sink(h.m->m_axis_tdata, h.m->m_axis_tkeep, h.m->m_axis_tvalid, h.m->m_axis_tready,
               h.m->m_axis_tlast, [this] { return h.m->m_axis_tuser != 0; },
               [this] {
                   return std::vector<uint64_t>{h.m->m_axis_src_ip, h.m->m_axis_dst_ip,
                                                h.m->m_axis_src_port, h.m->m_axis_dst_port};
               },
               p.seed * 5 + 3, p.stall) {
        h.add(&src);
        h.add(&sink);
        h.reset();
    }
};

std::array<uint32_t, N_KIND> run_and_check(const Profile& p,
                                           const std::vector<std::pair<Bytes, bool>>& frames) {
    Bench b(p);
    std::vector<Expect> exp;
    std::array<uint32_t, N_KIND> n{};
    for (const auto& [f, abort] : frames) {
        exp.push_back(expect_ip(f, abort));
        ++n[exp.back().kind];
        b.src.push(f, abort ? 1 : 0);
    }
    REQUIRE(b.h.run_until_idle(5000000));
    check_sink_protocol(b.sink);
    size_t aborted = 0;
    std::vector<const OutFrame*> good;
    for (const auto& o : b.sink.frames) {
        if (o.abort) ++aborted;
        else good.push_back(&o);
    }
    CHECK(aborted <= n[LEN] + n[ABORTED]);
    REQUIRE(good.size() == n[OK]);
    size_t gi = 0;
    for (size_t i = 0; i < exp.size(); ++i) {
        if (exp[i].kind != OK) continue;
        const OutFrame& o = *good[gi++];
        INFO("frame " << i << " (" << p.name << ") in=" << hex(frames[i].first));
        CHECK(hex(o.bytes, 4096) == hex(exp[i].payload, 4096));
        CHECK(o.sb == exp[i].sb);
    }
    auto* m = b.h.m.get();
    CHECK(m->cnt_frames == frames.size());
    CHECK(m->cnt_ok == n[OK]);
    CHECK(m->cnt_bad_hdr == n[HDR]);
    CHECK(m->cnt_bad_len == n[LEN]);
    CHECK(m->cnt_bad_csum == n[CSUM]);
    CHECK(m->cnt_frag == n[FRAG]);
    CHECK(m->cnt_not_udp == n[PROTO]);
    CHECK(m->cnt_bad_udp_len == n[UDPLEN]);
    CHECK(m->cnt_aborted == n[ABORTED]);
    return n;
}

Bytes random_payload(Rng& r, size_t n) {
    Bytes b(n);
    for (auto& x : b) x = uint8_t(r.next());
    return b;
}

// One L3 packet with a randomly chosen fault (or none).
std::pair<Bytes, bool> random_packet(Rng& r) {
    Ipv4Opts ip;
    UdpOpts u;
    ip.ihl = uint8_t(r.chance(0.7) ? 5 : 5 + r.below(11));
    ip.src = uint32_t(r.next());
    ip.dst = uint32_t(r.next());
    ip.id = uint16_t(r.next());
    u.sport = uint16_t(r.next());
    u.dport = uint16_t(r.next());
    size_t len = r.chance(0.2) ? 1 + r.below(8) : 1 + r.below(r.chance(0.2) ? 1472 : 200);
    bool abort = false;
    size_t pad = 0, cut = 0;
    switch (r.below(16)) {
        case 0: ip.version = 6; break;
        case 1: ip.ihl = uint8_t(r.below(5)); break;
        case 2: ip.bad_csum = true; break;
        case 3: ip.tot_len_delta = -int(r.below(30) + 1); break;   // total length too small
        case 4: ip.tot_len_delta = int(r.below(40) + 1); break;    // frame shorter than total
        case 5: ip.flags_frag = 0x2000; break;                     // MF
        case 6: ip.flags_frag = uint16_t(0x4000 | (1 + r.below(0x1fff))); break;  // offset
        case 7: ip.proto = r.chance(0.5) ? 6 : 1; break;
        case 8: u.len_delta = -int(8 + r.below(len + 1)); break;   // UDP length < 9 possible
        case 9: u.len_delta = int(1 + r.below(20)); break;         // UDP length > IP payload
        case 10: cut = 1 + r.below(60); break;                     // truncated frame
        case 11: abort = true; break;                              // MAC error upstream
        case 12: pad = 1 + r.below(30); break;                     // Ethernet padding
        case 13: u.len_delta = -int(r.below(len > 1 ? len - 1 : 1)); pad = r.below(3); break;
        default: break;
    }
    Bytes pkt = ipv4_packet(ip, udp_datagram(u, random_payload(r, len)));
    for (size_t i = 0; i < pad; ++i) pkt.push_back(uint8_t(r.next()));
    if (cut) pkt.resize(pkt.size() > cut ? pkt.size() - cut : 1);
    return {pkt, abort};
}

}  // namespace

TEST_CASE("ipv4_udp_parser: every check, options, padding, under gaps and backpressure") {
    for (const auto& p : profiles()) {
        SUBCASE(p.name) {
            Rng r(p.seed * 101);
            std::vector<std::pair<Bytes, bool>> frames;
            for (int i = 0; i < 2000; ++i) frames.push_back(random_packet(r));
            // every header length x every short payload length, cut at every byte
            for (uint8_t ihl : {5, 6, 7}) {
                Ipv4Opts ip;
                ip.ihl = ihl;
                for (size_t len = 1; len <= 17; ++len) {
                    Bytes pkt = ipv4_packet(ip, udp_datagram({}, random_payload(r, len)));
                    frames.emplace_back(pkt, false);
                    Bytes cut = pkt;
                    cut.resize(r.below(pkt.size() - 1) + 1);
                    frames.emplace_back(cut, false);
                }
            }
            auto n = run_and_check(p, frames);
            for (int k = 0; k < N_KIND; ++k) {
                INFO(kind_name[k]);
                CHECK(n[k] > 0);  // the generator covers every outcome
            }
        }
    }
}

TEST_CASE("ipv4_udp_parser: Coinbase market-data captures give their UDP payload") {
    std::vector<std::pair<Bytes, bool>> frames;
    std::vector<Bytes> want;
    for (const auto& name : md_capture_names())
        for (auto& f : read_pcap(md_capture_path(name))) {
            frames.emplace_back(Bytes(f.begin() + 14, f.end()), false);
            want.push_back(udp_payload_of(f));
        }
    for (const auto& p : profiles()) {
        SUBCASE(p.name) {
            Bench b(p);
            for (auto& [f, a] : frames) b.src.push(f, a);
            REQUIRE(b.h.run_until_idle(100000));
            check_sink_protocol(b.sink);
            REQUIRE(b.sink.frames.size() == want.size());
            for (size_t i = 0; i < want.size(); ++i) {
                CHECK(!b.sink.frames[i].abort);
                CHECK(hex(b.sink.frames[i].bytes, 4096) == hex(want[i], 4096));
                CHECK((b.sink.frames[i].sb[1] >> 28) == 0xe);  // a multicast group
            }
            CHECK(b.h.m->cnt_ok == want.size());
        }
    }
}

TEST_CASE("ipv4_udp_parser: latency stated in the module header") {
    Bench b(profiles()[0]);
    b.src.push(ipv4_packet({}, udp_datagram({}, Bytes(100, 0x42))));
    REQUIRE(b.h.run_until_idle(1000));
    REQUIRE(b.sink.frames.size() == 1);
    uint64_t first = b.sink.frames[0].first_cycle - b.src.accepted()[0].first_cycle;
    uint64_t last = b.sink.frames[0].last_cycle - b.src.accepted()[0].last_cycle;
    MESSAGE("first " << first << " last " << last);
    CHECK(first == 7u);
    CHECK(last <= 4u);
}
