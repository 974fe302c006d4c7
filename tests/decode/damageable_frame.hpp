// Builds Ethernet II (optionally 802.1Q-tagged) / IPv4 / UDP or TCP frames around a payload, with a
// correct IPv4 header checksum computed here (independently of core/net_parse.hpp), and records
// where each header starts so that tests can damage one field at a time.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace pw::test {

struct FrameSpec {
  uint8_t ip_protocol = 17;       // 17 UDP, 6 TCP, anything else for "not UDP" frames
  uint32_t src_ip = 0x0A000001;   // 10.0.0.1
  uint32_t dst_ip = 0xE0010101;   // 224.1.1.1
  uint16_t src_port = 40001;
  uint16_t dst_port = 6001;
  int vlan_id = -1;               // >= 0: one 802.1Q tag with this id
  uint8_t ip_option_words = 0;    // IHL = 5 + this (options are NOPs)
  uint16_t ip_frag = 0x4000;      // flags + fragment offset (0x4000 = don't fragment)
  uint16_t ip_id = 0;
  uint32_t tcp_seq = 1000;
  uint8_t tcp_option_words = 0;   // data offset = 5 + this
  bool pad_to_minimum = true;     // Ethernet minimum frame of 60 bytes (FCS not captured)
};

struct BuiltFrame {
  std::vector<uint8_t> bytes;
  size_t ip = 0;       // offset of the IPv4 header
  size_t l4 = 0;       // offset of the UDP/TCP header
  size_t payload = 0;  // offset of the payload
};

inline void put_be16(uint8_t* p, uint32_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
inline void put_be32(uint8_t* p, uint32_t v) {
  put_be16(p, v >> 16);
  put_be16(p + 2, v);
}

// RFC 791 header checksum: one's complement of the one's-complement sum of the header's 16-bit
// words, computed with the checksum field taken as zero.
inline uint16_t ipv4_header_checksum(const uint8_t* ip, size_t ihl_bytes) {
  uint64_t sum = 0;
  for (size_t i = 0; i < ihl_bytes; i += 2) {
    if (i == 10) continue;  // the checksum field itself
    sum += ((uint32_t)ip[i] << 8) | ip[i + 1];
  }
  while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
  return (uint16_t)(~sum & 0xFFFF);
}

inline void fix_ipv4_checksum(BuiltFrame& f) {
  uint8_t* ip = f.bytes.data() + f.ip;
  const size_t ihl = (size_t)(ip[0] & 0x0F) * 4;
  put_be16(ip + 10, ipv4_header_checksum(ip, ihl));
}

inline BuiltFrame build_frame(const FrameSpec& s, const uint8_t* payload, size_t len) {
  BuiltFrame f;
  const size_t eth = s.vlan_id >= 0 ? 18 : 14;
  const size_t ihl = 20 + 4u * s.ip_option_words;
  const bool tcp = s.ip_protocol == 6;
  const size_t l4h = tcp ? 20 + 4u * s.tcp_option_words : 8;
  f.ip = eth;
  f.l4 = eth + ihl;
  f.payload = f.l4 + l4h;
  size_t total = f.payload + len;
  if (s.pad_to_minimum && total < 60) total = 60;
  f.bytes.assign(total, 0);
  uint8_t* p = f.bytes.data();
  const uint8_t dst_mac[6] = {0x01, 0x00, 0x5e, (uint8_t)((s.dst_ip >> 16) & 0x7F), (uint8_t)(s.dst_ip >> 8),
                              (uint8_t)s.dst_ip};
  const uint8_t src_mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
  for (int i = 0; i < 6; ++i) {
    p[i] = dst_mac[i];
    p[6 + i] = src_mac[i];
  }
  if (s.vlan_id >= 0) {
    put_be16(p + 12, 0x8100);
    put_be16(p + 14, (uint32_t)(s.vlan_id & 0x0FFF) | 0x2000);  // priority 1
    put_be16(p + 16, 0x0800);
  } else {
    put_be16(p + 12, 0x0800);
  }
  uint8_t* ip = p + f.ip;
  ip[0] = (uint8_t)(0x40 | (ihl / 4));
  ip[1] = 0;
  put_be16(ip + 2, (uint32_t)(ihl + l4h + len));
  put_be16(ip + 4, s.ip_id);
  put_be16(ip + 6, s.ip_frag);
  ip[8] = 64;
  ip[9] = s.ip_protocol;
  put_be32(ip + 12, s.src_ip);
  put_be32(ip + 16, s.dst_ip);
  for (size_t i = 20; i < ihl; ++i) ip[i] = 1;  // NOP options
  uint8_t* l4 = p + f.l4;
  put_be16(l4, s.src_port);
  put_be16(l4 + 2, s.dst_port);
  if (tcp) {
    put_be32(l4 + 4, s.tcp_seq);
    put_be32(l4 + 8, 1);                        // ack
    l4[12] = (uint8_t)((l4h / 4) << 4);
    l4[13] = 0x18;                              // PSH | ACK
    put_be16(l4 + 14, 65535);                   // window
    for (size_t i = 20; i < l4h; ++i) l4[i] = 1;  // NOP options
  } else {
    put_be16(l4 + 4, (uint32_t)(8 + len));
    put_be16(l4 + 6, 0);
  }
  for (size_t i = 0; i < len; ++i) p[f.payload + i] = payload[i];
  fix_ipv4_checksum(f);
  return f;
}

inline BuiltFrame build_frame(const FrameSpec& s, const std::vector<uint8_t>& payload) {
  return build_frame(s, payload.data(), payload.size());
}

}  // namespace pw::test
