// Bench around perpwire_nic_top: both RX lines, the feed output, the order path, the multicast
// table, the counter read port. Shared by tb_nic_top and cycle_report.
#pragma once

#include <map>
#include <string>

#include "Vperpwire_nic_top.h"
#include "axis_driver.hpp"
#include "tb_frames.hpp"

namespace pw_sim {

// Counter read-port addresses (docs/rtl.md).
namespace cnt {
constexpr uint8_t kLineB = 0x10;  // add to a line-A address
constexpr uint8_t eth_frames = 0x00, eth_ok = 0x01, eth_non_ipv4 = 0x02, eth_runt = 0x03,
                  eth_mac_err = 0x04;
constexpr uint8_t ip_frames = 0x05, ip_ok = 0x06, ip_bad_hdr = 0x07, ip_bad_len = 0x08,
                  ip_bad_csum = 0x09, ip_frag = 0x0a, ip_not_udp = 0x0b, ip_bad_udp_len = 0x0c,
                  ip_aborted = 0x0d;
constexpr uint8_t mc_match = 0x0e, mc_nomatch = 0x0f;
constexpr uint8_t arb_pass = 0x20, arb_dup = 0x21, arb_late = 0x22, arb_gap = 0x23,
                  arb_gap_pkts = 0x24, arb_runt = 0x25, arb_bad_chan = 0x26, arb_aborted = 0x27,
                  arb_win_a = 0x28, arb_win_b = 0x29;
constexpr uint8_t gate_pass_order = 0x30, gate_pass_other = 0x31, gate_blk_kill = 0x32,
                  gate_blk_malformed = 0x33, gate_blk_qty = 0x34, gate_blk_notional = 0x35,
                  gate_blk_throttle = 0x36, gate_tokens = 0x37, feed_out = 0x38, tx_out = 0x39;
}  // namespace cnt

struct FeedSide {
    uint64_t ts;
    bool gap, line;
    uint8_t chan;
};
inline FeedSide feed_side(const OutFrame& f) {
    return {f.sb[0], f.sb[1] != 0, f.sb[2] != 0, uint8_t(f.sb[3])};
}

class NicTopBench {
public:
    Harness<Vperpwire_nic_top> h{"perpwire_nic_top"};
    AxisSource rx_a, rx_b, order;
    AxisSink feed, tx;

    struct McastEntry {
        uint32_t group;
        uint16_t port;
        bool line;
        uint8_t chan;
        uint16_t chan_id;
    };

    NicTopBench(uint64_t seed, double idle, double stall)
        : rx_a(h.m->s_axis_rx_a_tdata, h.m->s_axis_rx_a_tkeep, h.m->s_axis_rx_a_tvalid,
               h.m->s_axis_rx_a_tready, h.m->s_axis_rx_a_tlast, &h.m->s_axis_rx_a_tuser, seed,
               idle),
          rx_b(h.m->s_axis_rx_b_tdata, h.m->s_axis_rx_b_tkeep, h.m->s_axis_rx_b_tvalid,
               h.m->s_axis_rx_b_tready, h.m->s_axis_rx_b_tlast, &h.m->s_axis_rx_b_tuser, seed + 1,
               idle),
          order(h.m->s_axis_order_tdata, h.m->s_axis_order_tkeep, h.m->s_axis_order_tvalid,
                h.m->s_axis_order_tready, h.m->s_axis_order_tlast, &h.m->s_axis_order_tuser,
                seed + 2, idle),
          feed(h.m->m_axis_feed_tdata, h.m->m_axis_feed_tkeep, h.m->m_axis_feed_tvalid,
               h.m->m_axis_feed_tready, h.m->m_axis_feed_tlast,
               [this] { return (h.m->m_axis_feed_tuser[2] >> 1 & 1) != 0; },
               [this] {
                   const auto& u = h.m->m_axis_feed_tuser;
                   return std::vector<uint64_t>{uint64_t(u[1]) << 32 | u[0], u[2] & 1,
                                                u[2] >> 2 & 1, u[2] >> 3 & 3};
               },
               seed + 3, stall),
          tx(h.m->m_axis_tx_tdata, h.m->m_axis_tx_tkeep, h.m->m_axis_tx_tvalid,
             h.m->m_axis_tx_tready, h.m->m_axis_tx_tlast,
             [this] { return h.m->m_axis_tx_tuser != 0; }, {}, seed + 4, stall) {
        h.add(&rx_a);
        h.add(&rx_b);
        h.add(&order);
        h.add(&feed);
        h.add(&tx);
        auto* m = h.m.get();
        m->cfg_max_qty = 1000;
        m->cfg_max_notional = ~0ull;
        m->cfg_tb_burst = 0;
        m->cfg_tb_interval = 0;
        m->cfg_kill = 0;
        h.reset();
    }

    void program(int idx, const McastEntry& e) {
        auto* m = h.m.get();
        m->cfg_mcast_wr_en = 1;
        m->cfg_mcast_wr_idx = uint8_t(idx);
        m->cfg_mcast_wr_valid = 1;
        m->cfg_mcast_wr_group = e.group;
        m->cfg_mcast_wr_port = e.port;
        m->cfg_mcast_wr_line = e.line;
        m->cfg_mcast_wr_chan = e.chan;
        m->cfg_mcast_wr_chan_id = e.chan_id;
        h.step();
        m->cfg_mcast_wr_en = 0;
    }

    uint64_t counter(uint8_t addr) {
        h.m->cnt_rd_addr = addr;
        h.m->eval();
        return h.m->cnt_rd_data;
    }
};

// The market-data captures as this bench uses them: one channel slot per multicast group; the
// B line is the same datagram sent to the group's B twin (third octet + 1).
struct CaptureFeed {
    std::string name;
    Bytes frame;  // line A frame as captured
    Bytes payload;
    uint32_t group;
    uint16_t port;
    uint64_t seq;
    uint16_t chan_id;
};

inline std::vector<CaptureFeed> capture_feeds() {
    std::vector<CaptureFeed> out;
    for (const auto& n : md_capture_names())
        for (auto& f : read_pcap(md_capture_path(n))) {
            CaptureFeed c{n, f, udp_payload_of(f), get_be(f, 30, 4), uint16_t(get_be(f, 36, 2)), 0, 0};
            c.seq = get_le(c.payload, 8, 8);
            c.chan_id = uint16_t(get_le(c.payload, 16, 2));
            out.push_back(std::move(c));
        }
    return out;
}

inline uint32_t b_twin(uint32_t group) { return group + 0x100; }

// The datagram of `c` rebuilt as a line-B frame.
inline Bytes b_frame(const CaptureFeed& c) {
    Ipv4Opts ip;
    ip.src = get_be(c.frame, 26, 4);
    ip.dst = b_twin(c.group);
    UdpOpts u;
    u.sport = uint16_t(get_be(c.frame, 34, 2));
    u.dport = c.port;
    EthOpts e;
    e.dst[5] = uint8_t(ip.dst);
    return udp_frame(c.payload, e, ip, u);
}

// Program one slot per group (both lines) for the captures; returns group -> slot.
inline std::map<uint32_t, uint8_t> program_capture_groups(NicTopBench& b,
                                                          const std::vector<CaptureFeed>& cs) {
    std::map<uint32_t, uint8_t> slot;
    int idx = 0;
    for (const auto& c : cs) {
        if (slot.count(c.group)) continue;
        uint8_t s = uint8_t(slot.size());
        slot[c.group] = s;
        b.program(idx++, {c.group, c.port, false, s, c.chan_id});
        b.program(idx++, {b_twin(c.group), c.port, true, s, c.chan_id});
    }
    return slot;
}

}  // namespace pw_sim
