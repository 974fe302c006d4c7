// Replays the captures of feed line A and (optionally) line B as one stream in capture-time order,
// each frame tagged with its line — what two NIC ports deliver to a colocated server.
#pragma once
#include <memory>
#include <string>

#include "host/io/pcap_source.hpp"

namespace pw {

class LineMerger {
 public:
  // Opens line A (required) and line B (empty path: no B line). False with `error` on failure.
  bool open(const std::string& path_a, const std::string& path_b, std::string& error);
  // Next frame of either line, earliest capture time first (A first on ties).
  bool next(Frame& f, uint8_t& line);
  const PcapSource& source(uint8_t line) const { return *src_[line]; }
  std::string error() const;

 private:
  std::unique_ptr<PcapSource> src_[2];
  Frame head_[2]{};
  bool has_[2] = {false, false};
  bool pending_advance_ = false;
  uint8_t pending_line_ = 0;
};

}  // namespace pw
