#include "host/io/pcap_source.hpp"

#include <pcap/pcap.h>

namespace pw {

PcapSource::~PcapSource() {
  if (handle_ != nullptr) pcap_close(handle_);
}

bool PcapSource::open(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {0};
  handle_ = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  if (handle_ == nullptr) {
    error_ = "cannot read capture '" + path + "': " + err;
    return false;
  }
  linktype_ = pcap_datalink(handle_);
  if (linktype_ != DLT_EN10MB && linktype_ != DLT_LINUX_SLL) {
    error_ = "capture '" + path + "' has link type " + std::to_string(linktype_) +
             "; only Ethernet (1) and Linux cooked (113) are supported";
    pcap_close(handle_);
    handle_ = nullptr;
    return false;
  }
  return true;
}

bool PcapSource::next(Frame& f) {
  if (handle_ == nullptr) return false;
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(handle_, &h, &data);
  if (rc == 1) {
    f.number = ++count_;
    f.timestamp_ns = (int64_t)h->ts.tv_sec * 1000000000LL + (int64_t)h->ts.tv_usec;
    f.data = data;
    f.caplen = h->caplen;
    f.wirelen = h->len;
    return true;
  }
  if (rc == PCAP_ERROR) error_ = std::string("capture damaged after frame ") + std::to_string(count_) + ": " + pcap_geterr(handle_);
  return false;
}

NetError PcapSource::parse(const Frame& f, bool accept_tcp, L4View& v) const {
  if (linktype_ == DLT_LINUX_SLL) {
    // 16-byte cooked header; protocol type at offset 14.
    if (f.caplen < 16) return NetError::frame_truncated;
    if (load_be16(f.data + 14) != kEtherTypeIpv4) return NetError::not_ipv4;
    v.vlan_id = 0xFFFF;
    return parse_ipv4(f.data + 16, f.caplen - 16, accept_tcp, v);
  }
  return parse_ethernet(f.data, f.caplen, accept_tcp, v);
}

PcapWriter::~PcapWriter() { close(); }

bool PcapWriter::open(const std::string& path) {
  dead_ = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
  dumper_ = pcap_dump_open(dead_, path.c_str());
  if (dumper_ == nullptr) {
    error_ = "cannot write '" + path + "': " + pcap_geterr(dead_);
    pcap_close(dead_);
    dead_ = nullptr;
    return false;
  }
  return true;
}

void PcapWriter::write(int64_t timestamp_ns, const uint8_t* data, uint32_t len) {
  pcap_pkthdr h{};
  h.ts.tv_sec = timestamp_ns / 1000000000LL;
  h.ts.tv_usec = timestamp_ns % 1000000000LL;  // nanoseconds: the file is nanosecond precision
  h.caplen = len;
  h.len = len;
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, data);
}

void PcapWriter::close() {
  if (dumper_ != nullptr) pcap_dump_close(dumper_);
  if (dead_ != nullptr) pcap_close(dead_);
  dumper_ = nullptr;
  dead_ = nullptr;
}

}  // namespace pw
