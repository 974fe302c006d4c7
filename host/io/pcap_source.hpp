// Reads capture files (pcap and pcapng, through libpcap) frame by frame, and writes pcap files.
#pragma once
#include <cstdint>
#include <string>
#include "core/net_parse.hpp"

typedef struct pcap pcap_t;
typedef struct pcap_dumper pcap_dumper_t;

namespace pw {

struct Frame {
  uint64_t number;        // 1-based position in the file
  int64_t timestamp_ns;   // capture time
  const uint8_t* data;
  uint32_t caplen;        // bytes captured
  uint32_t wirelen;       // bytes on the wire
};

class PcapSource {
 public:
  PcapSource() = default;
  PcapSource(const PcapSource&) = delete;
  PcapSource& operator=(const PcapSource&) = delete;
  ~PcapSource();

  // Opens a capture; on failure returns false and error() says why (missing file, not a capture…).
  bool open(const std::string& path);
  // Next frame, or false at the end of the file (error() is set when the file is damaged).
  bool next(Frame& f);
  // Parses a frame of this capture down to UDP/TCP (core/net_parse.hpp parse_frame).
  NetError parse(const Frame& f, bool accept_tcp, L4View& v) const { return parse_frame(link_, f.data, f.caplen, accept_tcp, v); }
  const std::string& error() const { return error_; }
  LinkType link() const { return link_; }

 private:
  pcap_t* handle_ = nullptr;
  LinkType link_ = LinkType::ethernet;
  uint64_t count_ = 0;
  std::string error_;
};

// Writes Ethernet frames to a classic pcap file with nanosecond timestamps.
class PcapWriter {
 public:
  PcapWriter() = default;
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;
  ~PcapWriter();
  bool open(const std::string& path);
  void write(int64_t timestamp_ns, const uint8_t* data, uint32_t len);
  void close();
  const std::string& error() const { return error_; }

 private:
  pcap_t* dead_ = nullptr;
  pcap_dumper_t* dumper_ = nullptr;
  std::string error_;
};

}  // namespace pw
