// Link layer (Ethernet II + 802.1Q, Linux cooked v1/v2, raw IPv4, BSD loopback) / IPv4 / UDP or TCP
// parsing with every check a feed handler needs: the one parse every input goes through (DPDK
// ports, pcap and pcapng replay, the dump tool). Each rejected frame maps to one NetError so that
// drops are counted by reason.
#pragma once
#include <cstdint>
#include <cstddef>
#include "core/wire.hpp"

namespace pw {

enum class NetError : uint8_t {
  none = 0,
  frame_truncated,      // shorter than the Ethernet (+VLAN) header
  not_ipv4,             // ethertype is not IPv4
  ip_truncated,         // shorter than the IPv4 header it announces
  ip_bad_version,       // version field is not 4
  ip_bad_header_length, // IHL < 5
  ip_bad_checksum,      // IPv4 header checksum does not verify
  ip_bad_total_length,  // total length shorter than the header or longer than the frame
  ip_fragment,          // MF flag or fragment offset set: feed datagrams are never fragmented
  not_udp,              // protocol is neither UDP nor (when accepted) TCP
  udp_truncated,        // fewer than 8 bytes for the UDP header
  udp_bad_length,       // UDP length disagrees with the IPv4 payload
  tcp_truncated,        // TCP header or data offset past the IPv4 payload
  not_ipv4_family,      // BSD loopback frame of an address family other than IPv4
  count_
};

inline const char* net_error_name(NetError e) {
  switch (e) {
    case NetError::none: return "none";
    case NetError::frame_truncated: return "frame_truncated";
    case NetError::not_ipv4: return "not_ipv4";
    case NetError::ip_truncated: return "ip_truncated";
    case NetError::ip_bad_version: return "ip_bad_version";
    case NetError::ip_bad_header_length: return "ip_bad_header_length";
    case NetError::ip_bad_checksum: return "ip_bad_checksum";
    case NetError::ip_bad_total_length: return "ip_bad_total_length";
    case NetError::ip_fragment: return "ip_fragment";
    case NetError::not_udp: return "not_udp";
    case NetError::udp_truncated: return "udp_truncated";
    case NetError::udp_bad_length: return "udp_bad_length";
    case NetError::tcp_truncated: return "tcp_truncated";
    case NetError::not_ipv4_family: return "not_ipv4_family";
    default: return "unknown";
  }
}

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeVlan = 0x8100;
constexpr uint8_t kIpProtoTcp = 6;
constexpr uint8_t kIpProtoUdp = 17;

struct L4View {
  const uint8_t* payload;
  uint32_t payload_len;
  uint32_t src_ip;
  uint32_t dst_ip;
  uint16_t src_port;
  uint16_t dst_port;
  uint16_t vlan_id;   // 0xFFFF when untagged
  uint8_t protocol;   // kIpProtoUdp or kIpProtoTcp
  uint32_t tcp_seq;   // TCP only
};

// One's-complement sum over an IPv4 header; 0 when the stored checksum is right.
inline uint16_t ipv4_checksum(const uint8_t* h, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += (uint32_t)((h[i] << 8) | h[i + 1]);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return (uint16_t)~sum;
}

// Parses from the IPv4 header on (`ip` points at it, `len` bytes remain in the frame).
inline NetError parse_ipv4(const uint8_t* ip, size_t len, bool accept_tcp, L4View& v) {
  if (len < 20) return NetError::ip_truncated;
  if ((ip[0] >> 4) != 4) return NetError::ip_bad_version;
  const size_t ihl = (size_t)(ip[0] & 0x0F) * 4;
  if (ihl < 20) return NetError::ip_bad_header_length;
  if (ihl > len) return NetError::ip_truncated;
  const size_t total = load_be16(ip + 2);
  if (total < ihl || total > len) return NetError::ip_bad_total_length;
  if (ipv4_checksum(ip, ihl) != 0) return NetError::ip_bad_checksum;
  const uint16_t frag = load_be16(ip + 6);
  if ((frag & 0x2000) != 0 || (frag & 0x1FFF) != 0) return NetError::ip_fragment;
  v.protocol = ip[9];
  v.src_ip = load_be32(ip + 12);
  v.dst_ip = load_be32(ip + 16);
  const uint8_t* l4 = ip + ihl;
  const size_t l4len = total - ihl;
  if (v.protocol == kIpProtoUdp) {
    if (l4len < 8) return NetError::udp_truncated;
    const size_t ulen = load_be16(l4 + 4);
    if (ulen < 8 || ulen > l4len) return NetError::udp_bad_length;
    v.src_port = load_be16(l4);
    v.dst_port = load_be16(l4 + 2);
    v.payload = l4 + 8;
    v.payload_len = (uint32_t)(ulen - 8);
    v.tcp_seq = 0;
    return NetError::none;
  }
  if (v.protocol == kIpProtoTcp && accept_tcp) {
    if (l4len < 20) return NetError::tcp_truncated;
    const size_t off = (size_t)(l4[12] >> 4) * 4;
    if (off < 20 || off > l4len) return NetError::tcp_truncated;
    v.src_port = load_be16(l4);
    v.dst_port = load_be16(l4 + 2);
    v.tcp_seq = load_be32(l4 + 4);
    v.payload = l4 + off;
    v.payload_len = (uint32_t)(l4len - off);
    return NetError::none;
  }
  return NetError::not_udp;
}

// Parses an Ethernet II frame, with at most one 802.1Q tag.
inline NetError parse_ethernet(const uint8_t* f, size_t len, bool accept_tcp, L4View& v) {
  if (len < 14) return NetError::frame_truncated;
  size_t off = 12;
  uint16_t type = load_be16(f + off);
  v.vlan_id = 0xFFFF;
  if (type == kEtherTypeVlan) {
    if (len < 18) return NetError::frame_truncated;
    v.vlan_id = load_be16(f + 14) & 0x0FFF;
    off += 4;
    type = load_be16(f + off);
  }
  if (type != kEtherTypeIpv4) return NetError::not_ipv4;
  off += 2;
  return parse_ipv4(f + off, len - off, accept_tcp, v);
}

// The link layers a feed line can carry. A capture's link type is mapped to one of these when it is
// opened (host/io/pcap_source.cpp); DPDK ports carry Ethernet.
enum class LinkType : uint8_t {
  ethernet = 0,       // Ethernet II, optionally one 802.1Q tag
  linux_sll = 1,      // Linux cooked v1: 16-byte header, protocol at offset 14
  linux_sll2 = 2,     // Linux cooked v2: 20-byte header, protocol at offset 0
  raw_ipv4 = 3,       // the IPv4 header first
  bsd_loopback = 4,   // 4-byte address family in host order, then IPv4 (AF_INET = 2)
};

inline const char* link_type_name(LinkType t) {
  switch (t) {
    case LinkType::ethernet: return "Ethernet";
    case LinkType::linux_sll: return "Linux cooked v1";
    case LinkType::linux_sll2: return "Linux cooked v2";
    case LinkType::raw_ipv4: return "raw IPv4";
    case LinkType::bsd_loopback: return "BSD loopback";
  }
  return "?";
}

// Parses one frame of link type `link` down to its UDP (or, when accepted, TCP) payload.
inline NetError parse_frame(LinkType link, const uint8_t* f, size_t len, bool accept_tcp, L4View& v) {
  v.vlan_id = 0xFFFF;
  switch (link) {
    case LinkType::ethernet: return parse_ethernet(f, len, accept_tcp, v);
    case LinkType::linux_sll:
      if (len < 16) return NetError::frame_truncated;
      if (load_be16(f + 14) != kEtherTypeIpv4) return NetError::not_ipv4;
      return parse_ipv4(f + 16, len - 16, accept_tcp, v);
    case LinkType::linux_sll2:
      if (len < 20) return NetError::frame_truncated;
      if (load_be16(f) != kEtherTypeIpv4) return NetError::not_ipv4;
      return parse_ipv4(f + 20, len - 20, accept_tcp, v);
    case LinkType::raw_ipv4: return parse_ipv4(f, len, accept_tcp, v);
    case LinkType::bsd_loopback: {
      if (len < 4) return NetError::frame_truncated;
      // The family is in the capturing host's byte order: 2 either way round.
      const uint32_t family = (uint32_t)f[0] | (uint32_t)f[1] << 8 | (uint32_t)f[2] << 16 | (uint32_t)f[3] << 24;
      if (family != 2u && family != 0x02000000u) return NetError::not_ipv4_family;
      return parse_ipv4(f + 4, len - 4, accept_tcp, v);
    }
  }
  return NetError::frame_truncated;
}

}  // namespace pw
