// Wraps a payload in Ethernet II / IPv4 / UDP headers with a correct IPv4 header checksum, as a
// multicast feed datagram appears on the wire.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/net_parse.hpp"

namespace pw {

struct UdpEndpoint {
  uint32_t src_ip;
  uint32_t dst_ip;  // multicast group
  uint16_t src_port;
  uint16_t dst_port;
};

inline std::vector<uint8_t> build_udp_frame(const UdpEndpoint& ep, const uint8_t* payload, size_t len,
                                            uint16_t ip_id = 0) {
  std::vector<uint8_t> f(14 + 20 + 8 + len);
  uint8_t* p = f.data();
  // Multicast MAC 01:00:5e + low 23 bits of the group.
  const uint8_t dst_mac[6] = {0x01, 0x00, 0x5e, (uint8_t)((ep.dst_ip >> 16) & 0x7F), (uint8_t)(ep.dst_ip >> 8),
                              (uint8_t)ep.dst_ip};
  const uint8_t src_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  std::memcpy(p, dst_mac, 6);
  std::memcpy(p + 6, src_mac, 6);
  store_be16(p + 12, kEtherTypeIpv4);
  uint8_t* ip = p + 14;
  ip[0] = 0x45;
  ip[1] = 0;
  store_be16(ip + 2, (uint16_t)(20 + 8 + len));
  store_be16(ip + 4, ip_id);
  store_be16(ip + 6, 0x4000);  // don't fragment
  ip[8] = 64;
  ip[9] = kIpProtoUdp;
  store_be32(ip + 12, ep.src_ip);
  store_be32(ip + 16, ep.dst_ip);
  store_be16(ip + 10, ipv4_checksum(ip, 20));
  uint8_t* udp = ip + 20;
  store_be16(udp, ep.src_port);
  store_be16(udp + 2, ep.dst_port);
  store_be16(udp + 4, (uint16_t)(8 + len));
  store_be16(udp + 6, 0);  // no UDP checksum, as many feeds send
  if (len != 0) std::memcpy(udp + 8, payload, len);
  return f;
}

// Shortens the UDP payload of a frame built above to `new_len` bytes, keeping IPv4/UDP lengths and
// the checksum consistent (a datagram the sender cut short, not a damaged frame).
inline void shorten_udp_payload(std::vector<uint8_t>& f, size_t new_len) {
  f.resize(14 + 20 + 8 + new_len);
  uint8_t* ip = f.data() + 14;
  store_be16(ip + 2, (uint16_t)(20 + 8 + new_len));
  store_be16(ip + 10, 0);
  store_be16(ip + 10, ipv4_checksum(ip, 20));
  store_be16(ip + 20 + 4, (uint16_t)(8 + new_len));
}

}  // namespace pw
