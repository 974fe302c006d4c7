// Frame builder for the testbenches: Ethernet II (+ one 802.1Q tag), IPv4 (+ options), UDP,
// TCP, Coinbase Derivatives market-data packets and order-entry messages — correct by default,
// with knobs to break each field a parser checks. Also reads libpcap captures.
#pragma once

#include <pcap/pcap.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace pw_sim {

using Bytes = std::vector<uint8_t>;

inline void put_be16(Bytes& b, size_t off, uint16_t v) {
    b[off] = uint8_t(v >> 8);
    b[off + 1] = uint8_t(v);
}
inline void put_be32(Bytes& b, size_t off, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[off + i] = uint8_t(v >> (24 - 8 * i));
}
inline void put_le(Bytes& b, size_t off, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b[off + i] = uint8_t(v >> (8 * i));
}
inline uint64_t get_le(const Bytes& b, size_t off, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t(b[off + i]) << (8 * i);
    return v;
}
inline uint32_t get_be(const Bytes& b, size_t off, int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | b[off + i];
    return v;
}

inline uint16_t ones_complement_sum(const uint8_t* p, size_t n) {
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2) s += uint32_t(p[i]) << 8 | p[i + 1];
    if (n & 1) s += uint32_t(p[n - 1]) << 8;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return uint16_t(s);
}

struct EthOpts {
    bool vlan = false;
    uint16_t tpid = 0x8100;
    uint8_t pcp = 0;
    uint16_t vid = 0;
    uint16_t ethertype = 0x0800;
    uint8_t dst[6] = {0x01, 0x00, 0x5e, 0x76, 0xfa, 0x87};
    uint8_t src[6] = {0x00, 0x1c, 0x73, 0xc5, 0x19, 0x7b};
    size_t pad_to = 60;  // minimum frame length without FCS
};

inline Bytes eth_frame(const EthOpts& o, const Bytes& l3) {
    Bytes f(o.dst, o.dst + 6);
    f.insert(f.end(), o.src, o.src + 6);
    if (o.vlan) {
        f.push_back(uint8_t(o.tpid >> 8));
        f.push_back(uint8_t(o.tpid));
        uint16_t tci = uint16_t(o.pcp << 13 | (o.vid & 0xfff));
        f.push_back(uint8_t(tci >> 8));
        f.push_back(uint8_t(tci));
    }
    f.push_back(uint8_t(o.ethertype >> 8));
    f.push_back(uint8_t(o.ethertype));
    f.insert(f.end(), l3.begin(), l3.end());
    while (f.size() < o.pad_to) f.push_back(0);
    return f;
}

struct Ipv4Opts {
    uint8_t version = 4;
    uint8_t ihl = 5;
    uint16_t id = 0x1234;
    uint16_t flags_frag = 0x4000;  // DF
    uint8_t ttl = 15;
    uint8_t proto = 17;
    uint32_t src = 0xd0348289;  // 208.52.130.137
    uint32_t dst = 0xe9f6fa87;  // 233.246.250.135
    int tot_len_delta = 0;      // added to the correct total length
    bool bad_csum = false;
};

inline Bytes ipv4_packet(const Ipv4Opts& o, const Bytes& l4) {
    size_t hl = size_t(o.ihl) * 4;
    if (hl < 20) hl = 20;
    Bytes p(hl + l4.size(), 0);
    p[0] = uint8_t(o.version << 4 | (o.ihl & 0xf));
    put_be16(p, 2, uint16_t(int(hl + l4.size()) + o.tot_len_delta));
    put_be16(p, 4, o.id);
    put_be16(p, 6, o.flags_frag);
    p[8] = o.ttl;
    p[9] = o.proto;
    put_be32(p, 12, o.src);
    put_be32(p, 16, o.dst);
    for (size_t i = 20; i < hl; ++i) p[i] = i + 1 == hl ? 0 : 1;  // NOP options, then EOL
    uint16_t c = uint16_t(~ones_complement_sum(p.data(), hl));
    if (o.bad_csum) c ^= 0x0100;
    put_be16(p, 10, c);
    std::copy(l4.begin(), l4.end(), p.begin() + long(hl));
    return p;
}

struct UdpOpts {
    uint16_t sport = 0xdfb0;
    uint16_t dport = 0x1466;
    int len_delta = 0;
};

inline Bytes udp_datagram(const UdpOpts& o, const Bytes& payload) {
    Bytes d(8 + payload.size(), 0);
    put_be16(d, 0, o.sport);
    put_be16(d, 2, o.dport);
    put_be16(d, 4, uint16_t(int(8 + payload.size()) + o.len_delta));
    std::copy(payload.begin(), payload.end(), d.begin() + 8);
    return d;
}

inline Bytes tcp_segment(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                         size_t option_bytes, const Bytes& payload, uint8_t flags = 0x18) {
    size_t hl = 20 + (option_bytes + 3) / 4 * 4;
    Bytes s(hl + payload.size(), 0);
    put_be16(s, 0, sport);
    put_be16(s, 2, dport);
    put_be32(s, 4, seq);
    put_be32(s, 8, ack);
    s[12] = uint8_t((hl / 4) << 4);
    s[13] = flags;
    put_be16(s, 14, 0x006b);
    for (size_t i = 20; i < hl; ++i) s[i] = 1;  // NOP options
    std::copy(payload.begin(), payload.end(), s.begin() + long(hl));
    return s;
}

inline Bytes udp_frame(const Bytes& payload, const EthOpts& e = {}, const Ipv4Opts& ip = {},
                       const UdpOpts& u = {}) {
    return eth_frame(e, ipv4_packet(ip, udp_datagram(u, payload)));
}

// Coinbase Derivatives market-data packet: 24-byte packet header + `body` filler bytes.
inline Bytes cb_md_packet(uint64_t seq, uint16_t channel, size_t body_len, uint8_t fill = 0x5a) {
    Bytes p(24 + body_len, fill);
    put_le(p, 0, 1624882449052899830ull + seq * 1000, 8);  // SendingTime
    put_le(p, 8, seq, 8);                                 // SeqNum
    put_le(p, 16, channel, 2);                            // ChannelId
    p[18] = 0x01;                                         // incremental update
    p[19] = body_len ? 1 : 0;                             // MessageCount
    put_le(p, 20, 0, 4);
    for (size_t i = 0; i < body_len; ++i) p[24 + i] = uint8_t(fill + i * 7 + seq);
    return p;
}

// Coinbase Derivatives order-entry message: 32-byte header + body. Templates 110 / 111 / 120
// carry price at body+16 and quantity at body+24.
inline Bytes cb_order_msg(uint16_t tmpl, int64_t price, int32_t qty, int32_t instrument = 44,
                          int8_t side = 1, uint16_t block_len = 36) {
    Bytes m(32 + block_len, 0);
    m[0] = 0xf1;                               // ProtocolId (application messages)
    put_le(m, 2, 32 + block_len, 2);           // MessageLength
    put_le(m, 4, 0x29b931, 4);                 // SequenceNumber
    put_le(m, 16, 1624882449052899830ull, 8);  // SendTimeEpochNanos
    put_le(m, 24, block_len, 2);
    put_le(m, 26, tmpl, 2);
    put_le(m, 28, 1101, 2);
    put_le(m, 30, 3, 2);
    if (block_len >= 8) put_le(m, 32, 65, 8);  // ClOrdId
    if (block_len >= 24) put_le(m, 48, uint64_t(price), 8);
    if (block_len >= 28) put_le(m, 56, uint32_t(qty), 4);
    if (block_len >= 32) put_le(m, 60, uint32_t(instrument), 4);
    if (block_len >= 33) m[64] = uint8_t(side);
    return m;
}

struct TcpFrameOpts {
    EthOpts eth;
    Ipv4Opts ip;
    size_t tcp_option_bytes = 12;
    uint8_t tcp_flags = 0x18;
};

inline Bytes order_frame(const Bytes& tcp_payload, TcpFrameOpts o = {}) {
    o.ip.proto = 6;
    o.ip.src = 0x0a0208ed;
    o.ip.dst = 0x0a02088b;
    o.ip.ttl = 64;
    o.eth.dst[0] = 0x02;
    return eth_frame(o.eth, ipv4_packet(o.ip, tcp_segment(0xa65a, 0x1842, 0x1c3a3452, 0x0283af4f,
                                                          o.tcp_option_bytes, tcp_payload,
                                                          o.tcp_flags)));
}

// Every frame of a capture (Ethernet link type).
inline std::vector<Bytes> read_pcap(const std::string& path) {
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_open_offline(path.c_str(), err);
    if (!p) throw std::runtime_error("pcap_open_offline(" + path + "): " + err);
    std::vector<Bytes> frames;
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(p, &h, &data) == 1) frames.emplace_back(data, data + h->caplen);
    pcap_close(p);
    return frames;
}

// The UDP payload of an untagged Ethernet/IPv4/UDP frame (for expectations on captures).
inline Bytes udp_payload_of(const Bytes& f, size_t l2 = 14) {
    size_t ihl = size_t(f[l2] & 0xf) * 4;
    size_t udp = l2 + ihl;
    size_t ulen = get_be(f, udp + 4, 2);
    return Bytes(f.begin() + long(udp + 8), f.begin() + long(udp + ulen));
}

inline const std::vector<std::string>& md_capture_names() {
    static const std::vector<std::string> names = {
        "OrderDeleteMessage", "OrderPutMessage", "OrderSnapshotMessage",
        "StartOfOutrightInstrumentSnapshotMessage", "StartOfSpreadInstrumentSnapshotMessage"};
    return names;
}
inline std::string md_capture_path(const std::string& name) {
    return "tests/data/coinbase/md/" + name + ".pcap";
}

}  // namespace pw_sim
