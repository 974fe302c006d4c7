// egress_gate: kill switch, quantity and notional ceilings, token-bucket throttle, malformed
// orders, non-order pass-through; real order-entry captures.
#include <doctest/doctest.h>

#include <array>

#include "Vegress_gate.h"
#include "tb_common.hpp"

using namespace pw_sim;

namespace {

enum Verdict { PASS_ORDER, PASS_OTHER, BLK_KILL, BLK_MALFORMED, BLK_QTY, BLK_NOTIONAL, BLK_THROTTLE, N_VERDICT };
const char* verdict_name[N_VERDICT] = {"pass_order", "pass_other", "kill", "malformed", "qty", "notional", "throttle"};

struct Cfg {
    bool kill = false;
    uint32_t max_qty = 1000;
    uint64_t max_notional = 1'000'000ull * 1'000'000'000ull;  // 1e6 quote units
    uint16_t burst = 0;
    uint32_t interval = 0;  // throttle off
};

enum Class { OTHER, ORDER, MALFORMED };
struct Parsed {
    Class cls = OTHER;
    int64_t price = 0;
    int32_t qty = 0;
};

// Reference classification of one outgoing frame.
Parsed classify(const Bytes& f) {
    Parsed r;
    size_t n = f.size();
    if (n < 14) return r;
    uint16_t et = uint16_t(get_be(f, 12, 2));
    bool vlan = et == 0x8100;
    size_t l3 = vlan ? 18 : 14;
    if (n < l3) return r;
    if ((vlan ? get_be(f, 16, 2) : et) != 0x0800) return r;
    if (n < l3 + 10) return r;
    unsigned ver = f[l3] >> 4, ihl = f[l3] & 0xf;
    if (ver != 4 || ihl < 5 || f[l3 + 9] != 6) return r;
    size_t l4 = l3 + ihl * 4;
    if (n < l4 + 13) return r;
    unsigned doff = f[l4 + 12] >> 4;
    if (doff < 5) return r;
    size_t pay = l4 + doff * 4;
    if (n < pay + 28) return r;
    uint16_t tmpl = uint16_t(get_le(f, pay + 26, 2));
    if (tmpl != 110 && tmpl != 111 && tmpl != 120) return r;
    if (n < pay + 60) {
        r.cls = MALFORMED;
        return r;
    }
    r.cls = ORDER;
    r.price = int64_t(get_le(f, pay + 48, 8));
    r.qty = int32_t(get_le(f, pay + 56, 4));
    return r;
}

// Verdict without the throttle (the caller applies it).
Verdict judge(const Bytes& f, const Cfg& c) {
    if (c.kill) return BLK_KILL;
    Parsed p = classify(f);
    if (p.cls == MALFORMED) return BLK_MALFORMED;
    if (p.cls == OTHER) return PASS_OTHER;
    if (p.qty <= 0 || uint32_t(p.qty) > c.max_qty) return BLK_QTY;
    unsigned __int128 abs_price = p.price < 0 ? (unsigned __int128)(-(p.price + 1)) + 1 : (unsigned __int128)p.price;
    if (abs_price * uint32_t(p.qty) > c.max_notional) return BLK_NOTIONAL;
    return PASS_ORDER;
}

struct Bench {
    Harness<Vegress_gate> h{"egress_gate"};
    AxisSource src;
    AxisSink sink;
    Bench(const Profile& p, const Cfg& c)
        : src(h.m->s_axis_tdata, h.m->s_axis_tkeep, h.m->s_axis_tvalid, h.m->s_axis_tready,
              h.m->s_axis_tlast, &h.m->s_axis_tuser, p.seed, p.idle),
          sink(h.m->m_axis_tdata, h.m->m_axis_tkeep, h.m->m_axis_tvalid, h.m->m_axis_tready,
               h.m->m_axis_tlast, [this] { return h.m->m_axis_tuser != 0; }, {}, p.seed + 8,
               p.stall) {
        h.add(&src);
        h.add(&sink);
        set(c);
        h.reset();
    }
    void set(const Cfg& c) {
        h.m->cfg_kill = c.kill;
        h.m->cfg_max_qty = c.max_qty;
        h.m->cfg_max_notional = c.max_notional;
        h.m->cfg_tb_burst = c.burst;
        h.m->cfg_tb_interval = c.interval;
    }
    std::array<uint64_t, N_VERDICT> counters() const {
        auto* m = h.m.get();
        return {m->cnt_pass_order, m->cnt_pass_other, m->cnt_blk_kill, m->cnt_blk_malformed,
                m->cnt_blk_qty, m->cnt_blk_notional, m->cnt_blk_throttle};
    }
};

Bytes order(uint16_t tmpl, int64_t price, int32_t qty, TcpFrameOpts o = {}) {
    return order_frame(cb_order_msg(tmpl, price, qty), o);
}

std::vector<Bytes> order_captures() {
    std::vector<Bytes> out;
    for (const char* n : {"NewOrderMessage", "ReplaceOrderMessage", "MassCancelOrderMessage",
                          "SetAccountMessage", "InstrumentInfoRequestMessage", "Unknown.100"}) {
        auto fs = read_pcap(std::string("tests/data/coinbase/orders/") + n + ".pcap");
        REQUIRE(fs.size() == 1);
        out.push_back(fs[0]);
    }
    return out;
}

// A random outgoing frame: orders of every kind and size, faults, and non-order traffic.
Bytes random_frame(Rng& r) {
    TcpFrameOpts o;
    o.eth.vlan = r.chance(0.2);
    o.eth.vid = 7;
    o.ip.ihl = uint8_t(r.chance(0.8) ? 5 : 5 + r.below(11));
    o.tcp_option_bytes = r.chance(0.5) ? 12 : r.below(41);
    static const int64_t prices[] = {2230500000000, 33160000000, -5000000000, 1, 0,
                                     INT64_MIN, INT64_MAX, 999999999999};
    int64_t price = r.chance(0.3) ? prices[r.below(8)] : int64_t(r.below(4'000'000'000'000ull));
    int32_t qty = r.chance(0.1) ? -int32_t(r.below(5)) : int32_t(r.below(1100));
    switch (r.below(12)) {
        case 0: return order_frame(cb_order_msg(130, 0, 0, 44, 1, 20), o);     // cancel
        case 1: return order_frame(cb_order_msg(10, 0, 0, 0, 0, 8), o);        // heartbeat
        case 2: return order_frame({}, o);                                     // pure ACK
        case 3: {                                                              // ARP
            EthOpts e;
            e.ethertype = 0x0806;
            return eth_frame(e, Bytes(28, 0x11));
        }
        case 4: {  // UDP
            Ipv4Opts ip;
            return udp_frame(Bytes(40, 3), {}, ip);
        }
        case 5: {  // truncated order: ends inside the price/quantity
            Bytes f = order(110, price, qty, o);
            size_t msg = f.size() - 68;  // where the message starts
            f.resize(msg + 28 + r.below(32));
            return f;
        }
        case 6: {  // an order followed by a long tail (another message in the segment)
            Bytes m = cb_order_msg(110, price, qty);
            Bytes tail(r.below(900), 0x44);
            m.insert(m.end(), tail.begin(), tail.end());
            return order_frame(m, o);
        }
        default: {
            static const uint16_t t[] = {110, 110, 111, 120};
            return order(t[r.below(4)], price, qty, o);
        }
    }
}

}  // namespace

TEST_CASE("egress_gate: generated traffic against the reference checks") {
    for (const auto& p : profiles()) {
        SUBCASE(p.name) {
            Rng r(p.seed * 13);
            Cfg c;
            c.max_qty = 800;
            c.max_notional = 500'000ull * 1'000'000'000ull;
            Bench b(p, c);
            std::vector<Bytes> frames;
            for (int i = 0; i < 1500; ++i) frames.push_back(random_frame(r));
            for (const auto& f : order_captures()) frames.push_back(f);
            std::array<uint64_t, N_VERDICT> n{};
            std::vector<Bytes> want;
            for (const auto& f : frames) {
                Verdict v = judge(f, c);
                ++n[v];
                if (v == PASS_ORDER || v == PASS_OTHER) want.push_back(f);
                b.src.push(f);
            }
            REQUIRE(b.h.run_until_idle(5000000));
            check_sink_protocol(b.sink);
            REQUIRE(b.sink.frames.size() == want.size());
            for (size_t i = 0; i < want.size(); ++i) {
                INFO("passed frame " << i);
                CHECK(hex(b.sink.frames[i].bytes, 4096) == hex(want[i], 4096));
            }
            auto got = b.counters();
            for (int k = 0; k < N_VERDICT; ++k) {
                INFO(verdict_name[k]);
                CHECK(got[size_t(k)] == n[size_t(k)]);
                if (k != BLK_KILL && k != BLK_THROTTLE) CHECK(n[size_t(k)] > 0);
            }
        }
    }
}

TEST_CASE("egress_gate: real NewOrder capture against the ceilings, exact boundaries") {
    Bytes no = order_captures()[0];  // NewOrder: price 2230.5, quantity 20
    REQUIRE(classify(no).cls == ORDER);
    REQUIRE(classify(no).qty == 20);
    const uint64_t notional = 2230500000000ull * 20;  // 44,610 quote units, 1e-9 scale
    struct Case {
        uint32_t max_qty;
        uint64_t max_notional;
        Verdict v;
    } cases[] = {
        {20, notional, PASS_ORDER},        // both exactly at the ceiling
        {19, notional, BLK_QTY},           // one contract over
        {20, notional - 1, BLK_NOTIONAL},  // one nano-unit over
        {0, UINT64_MAX, BLK_QTY},
    };
    for (const auto& k : cases) {
        Cfg c;
        c.max_qty = k.max_qty;
        c.max_notional = k.max_notional;
        Bench b(profiles()[1], c);
        b.src.push(no);
        REQUIRE(b.h.run_until_idle(10000));
        CHECK(b.sink.frames.size() == (k.v == PASS_ORDER ? 1u : 0u));
        CHECK(b.counters()[k.v] == 1);
        CHECK(judge(no, c) == k.v);
    }
}

TEST_CASE("egress_gate: kill switch blocks every frame and releases") {
    Cfg c;
    Bench b(profiles()[2], c);
    auto caps = order_captures();
    for (const auto& f : caps) b.src.push(f);
    REQUIRE(b.h.run_until_idle(10000));
    CHECK(b.sink.frames.size() == caps.size());
    c.kill = true;
    b.set(c);
    for (const auto& f : caps) b.src.push(f);
    b.src.push(order_frame({}));  // even a pure ACK
    REQUIRE(b.h.run_until_idle(10000));
    CHECK(b.sink.frames.size() == caps.size());
    CHECK(b.counters()[BLK_KILL] == caps.size() + 1);
    c.kill = false;
    b.set(c);
    b.src.push(caps[0]);
    REQUIRE(b.h.run_until_idle(10000));
    CHECK(b.sink.frames.size() == caps.size() + 1);
    CHECK(b.counters()[PASS_ORDER] == 3);  // NewOrder and ReplaceOrder, then NewOrder again
}

TEST_CASE("egress_gate: token bucket allows the burst, then one order per interval") {
    Cfg c;
    c.burst = 3;
    c.interval = 2000;
    Bench b(profiles()[0], c);
    CHECK(b.h.m->stat_tokens == 3);
    Bytes o = order(110, 2230500000000, 5);
    Bytes cancel = order_frame(cb_order_msg(130, 0, 0, 44, 1, 20));
    for (int i = 0; i < 5; ++i) b.src.push(o);
    b.src.push(cancel);  // non-orders never take tokens
    REQUIRE(b.h.run_until_idle(20000, 16));
    REQUIRE(b.h.cycle < 1900);  // all of it inside the first refill interval
    CHECK(b.counters()[PASS_ORDER] == 3);
    CHECK(b.counters()[BLK_THROTTLE] == 2);
    CHECK(b.counters()[PASS_OTHER] == 1);
    CHECK(b.h.m->stat_tokens == 0);
    // one token per 2000 cycles after reset, capped at the burst
    while (b.h.cycle < 2000 + 4 + 8) b.h.step();
    CHECK(b.h.m->stat_tokens == 1);
    b.src.push(o);
    b.src.push(o);
    REQUIRE(b.h.run_until_idle(1000, 16));
    CHECK(b.counters()[PASS_ORDER] == 4);
    CHECK(b.counters()[BLK_THROTTLE] == 3);
    b.h.run(20000);
    CHECK(b.h.m->stat_tokens == 3);
    CHECK(b.sink.frames.size() == 5);
}

TEST_CASE("egress_gate: latency stated in the module header") {
    Bench b(profiles()[0], Cfg{});
    b.src.push(order_captures()[0]);
    REQUIRE(b.h.run_until_idle(1000));
    REQUIRE(b.sink.frames.size() == 1);
    uint64_t first = b.sink.frames[0].first_cycle - b.src.accepted()[0].first_cycle;
    uint64_t last = b.sink.frames[0].last_cycle - b.src.accepted()[0].last_cycle;
    MESSAGE("first " << first << " last " << last);
    CHECK(first == 24u);
    CHECK(last == 24u);
}
