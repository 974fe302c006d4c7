#include "host/io/pcap_source.hpp"

#include <pcap/pcap.h>

namespace pw {

namespace {

// libpcap's link-layer types (DLT_*) that map to a link layer core/net_parse.hpp parses.
bool link_type_of(int dlt, LinkType& link) {
  switch (dlt) {
    case DLT_EN10MB: link = LinkType::ethernet; return true;
    case DLT_LINUX_SLL: link = LinkType::linux_sll; return true;
#ifdef DLT_LINUX_SLL2
    case DLT_LINUX_SLL2: link = LinkType::linux_sll2; return true;
#endif
    case DLT_RAW:
#if defined(DLT_IPV4)
    case DLT_IPV4:
#endif
    case 101:  // LINKTYPE_RAW, as pcap files store DLT_RAW
      link = LinkType::raw_ipv4;
      return true;
    case DLT_NULL: link = LinkType::bsd_loopback; return true;
    default: return false;
  }
}

constexpr const char* kSupportedLinkTypes =
    "Ethernet (1), Linux cooked v1 (113) and v2 (276), raw IPv4 (12, 101, 228) and BSD loopback (0)";

}  // namespace

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
  const int dlt = pcap_datalink(handle_);
  if (!link_type_of(dlt, link_)) {
    const char* name = pcap_datalink_val_to_name(dlt);
    error_ = "capture '" + path + "' has link type " + std::to_string(dlt) + (name != nullptr ? std::string(" (") + name + ")" : "") +
             ", which perpwire does not read (it reads " + kSupportedLinkTypes + ")";
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
