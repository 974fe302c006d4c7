// Rewrites an Ethernet capture as another link type libpcap reports (Linux cooked v1 and v2, raw
// IPv4, BSD loopback) with the same IPv4 packets and timestamps, so that tests can require every
// command to read it exactly as it reads the Ethernet original. `ip_ethertype` lets a test write
// cooked frames that claim another protocol (every frame then a drop).
#pragma once
#include <pcap/pcap.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace pw::test {

// `dlt` is the output's link type: DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_NULL, or any other
// (e.g. DLT_IEEE802_11) to get a capture of a link type perpwire refuses, frames copied as they are.
inline bool convert_link_type(const std::string& in, const std::string& out, int dlt, std::string& error,
                              uint16_t ip_ethertype = 0x0800) {
  char err[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* src = pcap_open_offline_with_tstamp_precision(in.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  if (src == nullptr) {
    error = err;
    return false;
  }
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(dlt, 65535, PCAP_TSTAMP_PRECISION_NANO);
  pcap_dumper_t* d = pcap_dump_open(dead, out.c_str());
  if (d == nullptr) {
    error = pcap_geterr(dead);
    pcap_close(dead);
    pcap_close(src);
    return false;
  }
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  std::vector<uint8_t> f;
  while (pcap_next_ex(src, &h, &data) == 1) {
    size_t ip = 14;  // the IPv4 header after Ethernet (+ one 802.1Q tag)
    if (h->caplen >= 18 && data[12] == 0x81 && data[13] == 0x00) ip = 18;
    if (h->caplen < ip) continue;
    const uint8_t* pkt = data + ip;
    const size_t n = h->caplen - ip;
    f.clear();
    switch (dlt) {
      case DLT_LINUX_SLL:
        f.assign(16, 0);
        f[1] = 0;                                   // packet sent to us
        f[3] = 1;                                   // ARPHRD_ETHER
        f[5] = 6;                                   // address length
        std::memcpy(f.data() + 6, data + 6, 6);     // source MAC
        f[14] = (uint8_t)(ip_ethertype >> 8);
        f[15] = (uint8_t)ip_ethertype;
        break;
      case DLT_LINUX_SLL2:
        f.assign(20, 0);
        f[0] = (uint8_t)(ip_ethertype >> 8);
        f[1] = (uint8_t)ip_ethertype;
        f[7] = 2;                                   // interface index
        f[9] = 1;                                   // ARPHRD_ETHER
        f[11] = 6;                                  // address length
        std::memcpy(f.data() + 12, data + 6, 6);
        break;
      case DLT_RAW: break;
      case DLT_NULL: f = {2, 0, 0, 0}; break;     // AF_INET, little-endian capturing host
      default: f.assign(data, data + ip); break;
    }
    f.insert(f.end(), pkt, pkt + n);
    pcap_pkthdr oh = *h;
    oh.caplen = oh.len = (uint32_t)f.size();
    pcap_dump((u_char*)d, &oh, f.data());
  }
  pcap_dump_close(d);
  pcap_close(dead);
  pcap_close(src);
  return true;
}

}  // namespace pw::test
