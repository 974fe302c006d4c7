// cycle_report: latency and throughput of perpwire_nic_top in clock cycles, measured in
// Verilator. Latencies are between AXI-Stream handshakes (input beat accepted -> output beat
// accepted) with the pipeline empty, no idle input cycles and no output backpressure.
// Throughput: frames offered back to back, steady-state rate of first-beat handshakes.
//
//   cycle_report            print the table (text)
//   cycle_report --markdown print the table as markdown (docs/rtl.md)
//   cycle_report --check    also fail (exit 1) if a figure is worse than the bound beside it
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "nic_top_bench.hpp"

using namespace pw_sim;

namespace {

constexpr double kClockMHz = 322.265625;  // 10G/25G MAC, 64-bit datapath
constexpr uint32_t kGroupA = 0xe9f6fa87, kGroupB = 0xe9f6fb87;
constexpr uint16_t kPort = 5222, kChanA = 44849, kChanB = 44850;

struct Row {
    std::string what;
    std::string metric;
    double value;
    std::string unit;
    double bound;  // worst acceptable (latency: max, rate: min); 0 = none
    bool higher_is_better;
};

Bytes md_frame(uint64_t seq, size_t payload_len, bool line_b = false, uint16_t chan = kChanA) {
    Bytes pl = cb_md_packet(seq, chan, payload_len > 24 ? payload_len - 24 : 0);
    pl.resize(payload_len);  // an 18-byte payload keeps SeqNum and ChannelId: a 64-byte frame
    Ipv4Opts ip;
    ip.dst = line_b ? kGroupB : kGroupA;
    UdpOpts u;
    u.dport = kPort;
    return udp_frame(pl, {}, ip, u);
}

void setup(NicTopBench& b) {
    b.program(0, {kGroupA, kPort, false, 0, kChanA});
    b.program(1, {kGroupB, kPort, true, 0, kChanA});
    b.program(2, {kGroupA, kPort, false, 1, kChanB});  // never hit: entry 0 wins
    b.program(3, {0xe9f6fa89, 5223, false, 2, 44850});  // the OrderPut capture's group
    b.h.run(4);
}

struct Lat {
    double first, last;
};

Lat feed_latency(const Bytes& f) {
    NicTopBench b(1, 0.0, 0.0);
    setup(b);
    b.rx_a.push(f);
    b.h.run_until_idle(10000);
    const auto& in = b.rx_a.accepted().at(0);
    const auto& out = b.feed.frames.at(0);
    return {double(out.first_cycle - in.first_cycle), double(out.last_cycle - in.last_cycle)};
}

Lat order_latency(const Bytes& f) {
    NicTopBench b(1, 0.0, 0.0);
    b.order.push(f);
    b.h.run_until_idle(10000);
    const auto& in = b.order.accepted().at(0);
    const auto& out = b.tx.frames.at(0);
    return {double(out.first_cycle - in.first_cycle), double(out.last_cycle - in.last_cycle)};
}

double rate(const std::vector<uint64_t>& first_cycles) {
    if (first_cycles.size() < 2) return 0;
    // skip the ramp-up: the second half of the run
    size_t a = first_cycles.size() / 2, z = first_cycles.size() - 1;
    return double(z - a) / double(first_cycles[z] - first_cycles[a]);
}

struct Rates {
    double in, out;
    size_t out_frames;
};

Rates feed_rate(size_t n, size_t payload, int mode) {
    // mode 0: line A only; 1: A and B carry different channels; 2: A and B carry copies
    NicTopBench b(1, 0.0, 0.0);
    setup(b);
    if (mode == 1) b.program(1, {kGroupB, kPort, true, 1, kChanB});
    for (size_t i = 0; i < n; ++i) {
        b.rx_a.push(md_frame(100 + i, payload));
        if (mode == 1) b.rx_b.push(md_frame(100 + i, payload, true, kChanB));
        if (mode == 2) b.rx_b.push(md_frame(100 + i, payload, true));
    }
    b.h.run_until_idle(10'000'000);
    std::vector<uint64_t> in_a, out;
    for (const auto& t : b.rx_a.accepted()) in_a.push_back(t.first_cycle);
    for (const auto& f : b.feed.frames) out.push_back(f.first_cycle);
    double in = rate(in_a);
    if (mode != 0) {
        std::vector<uint64_t> in_b;
        for (const auto& t : b.rx_b.accepted()) in_b.push_back(t.first_cycle);
        in += rate(in_b);
    }
    return {in, rate(out), b.feed.frames.size()};
}

Rates order_rate(size_t n, const Bytes& f) {
    NicTopBench b(1, 0.0, 0.0);
    for (size_t i = 0; i < n; ++i) b.order.push(f);
    b.h.run_until_idle(1'000'000);
    std::vector<uint64_t> in, out;
    for (const auto& t : b.order.accepted()) in.push_back(t.first_cycle);
    for (const auto& o : b.tx.frames) out.push_back(o.first_cycle);
    return {rate(in), rate(out), b.tx.frames.size()};
}

}  // namespace

int main(int argc, char** argv) {
    bool markdown = false, check = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--markdown")) markdown = true;
        else if (!std::strcmp(argv[i], "--check")) check = true;
        else {
            std::fprintf(stderr, "usage: %s [--markdown] [--check]\n", argv[0]);
            return 2;
        }
    }
    std::vector<Row> rows;
    auto lat_rows = [&](const std::string& what, Lat l, double bound_first, double bound_last) {
        rows.push_back({what, "first beat in -> first beat out", l.first, "cycles", bound_first, false});
        rows.push_back({what, "last beat in -> last beat out", l.last, "cycles", bound_last, false});
    };

    lat_rows("feed, 64-byte frame (18-byte payload)", feed_latency(md_frame(7, 18)), 18, 13);
    {
        EthOpts e;
        e.vlan = true;
        e.vid = 100;
        Ipv4Opts ip;
        UdpOpts u;
        u.dport = kPort;
        lat_rows("feed, 64-byte frame + 802.1Q tag",
                 feed_latency(udp_frame(cb_md_packet(7, kChanA, 0), e, ip, u)), 19, 13);
    }
    auto put = read_pcap(md_capture_path("OrderPutMessage")).at(0);
    lat_rows("feed, OrderPut capture (122 bytes)", feed_latency(put), 18, 12);
    lat_rows("feed, 1514-byte frame", feed_latency(md_frame(7, 1472)), 18, 12);
    auto no = read_pcap("tests/data/coinbase/orders/NewOrderMessage.pcap").at(0);
    lat_rows("order, NewOrder capture (131 bytes)", order_latency(no), 24, 24);

    const size_t n = 4000;
    Rates r0 = feed_rate(n, 18, 0);
    Rates r1 = feed_rate(n, 18, 1);
    Rates r2 = feed_rate(n, 18, 2);
    Rates ro = order_rate(1000, no);
    rows.push_back({"feed, 64-byte frames back to back, line A", "frames accepted per cycle", r0.in, "frames/cycle", 0.125, true});
    rows.push_back({"feed, 64-byte frames back to back, line A", "frames out per cycle", r0.out, "frames/cycle", 0.125, true});
    rows.push_back({"feed, 64-byte frames on A and B, two channels", "frames accepted per cycle (A+B)", r1.in, "frames/cycle", 0.25, true});
    rows.push_back({"feed, 64-byte frames on A and B, two channels", "frames out per cycle", r1.out, "frames/cycle", 0.25, true});
    rows.push_back({"feed, 64-byte A/B copies of one channel", "frames accepted per cycle (A+B)", r2.in, "frames/cycle", 0.25, true});
    rows.push_back({"feed, 64-byte A/B copies of one channel", "frames out per cycle", r2.out, "frames/cycle", 0.125, true});
    rows.push_back({"order, NewOrder frames back to back", "frames per cycle", ro.out, "frames/cycle", 1.0 / 17, true});

    bool ok = r0.out_frames == n && r1.out_frames == 2 * n && r2.out_frames == n && ro.out_frames == 1000;
    const double ns = 1000.0 / kClockMHz;
    if (markdown) {
        std::printf("| path | measurement | cycles or rate | at %.2f MHz |\n|---|---|---:|---:|\n", kClockMHz);
    } else {
        std::printf("perpwire_nic_top cycle report (Verilator; clock for ns/Mpps: %.6f MHz)\n\n", kClockMHz);
        std::printf("%-48s %-34s %14s %14s\n", "path", "measurement", "value", "at clock");
    }
    for (const auto& r : rows) {
        char v[64], t[64];
        if (r.unit == "cycles") {
            std::snprintf(v, sizeof v, "%.0f cycles", r.value);
            std::snprintf(t, sizeof t, "%.1f ns", r.value * ns);
        } else {
            std::snprintf(v, sizeof v, "%.4f /cycle", r.value);
            std::snprintf(t, sizeof t, "%.1f Mpps", r.value * kClockMHz);
        }
        if (markdown) std::printf("| %s | %s | %s | %s |\n", r.what.c_str(), r.metric.c_str(), v, t);
        else std::printf("%-48s %-34s %14s %14s\n", r.what.c_str(), r.metric.c_str(), v, t);
        if (r.bound > 0) {
            bool good = r.higher_is_better ? r.value >= r.bound - 1e-9 : r.value <= r.bound;
            if (!good) {
                std::fprintf(stderr, "worse than bound %.4f: %s / %s\n", r.bound, r.what.c_str(), r.metric.c_str());
                ok = false;
            }
        }
    }
    if (!ok) std::fprintf(stderr, "cycle_report: a figure is off its bound or frames went missing\n");
    return check && !ok ? 1 : 0;
}
