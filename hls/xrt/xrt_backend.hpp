// The `xrt` backend: feed_decode on an Alveo card through XRT. The host replays datagrams through
// the card's memory-mapped decoder (feed_decode_mm, built into the xclbin by
// scripts/build_xclbin.sh) and reads back the same 128-byte MarketEvent records and counters the
// software and hls-csim paths produce.
//
// When it cannot run — no XRT runtime, no card at that index, no xclbin, an xclbin without the
// kernel — open() returns false and reason() says what is missing in one line, so the caller can
// fall back to the software path or stop (--strict-backend). XRT types stay inside the .cpp: this
// header needs no XRT include path.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/events.hpp"
#include "hls/csim/feed_decode_runner.hpp"

namespace pw {

class XrtBackend {
 public:
  static constexpr const char* kKernelName = "feed_decode_mm";

  XrtBackend();
  ~XrtBackend();
  XrtBackend(const XrtBackend&) = delete;
  XrtBackend& operator=(const XrtBackend&) = delete;

  // Opens card `device_index`, loads `xclbin_path` and finds the decoder kernel. False with
  // reason() set when any of it is missing.
  bool open(const std::string& xclbin_path, unsigned device_index = 0);
  bool is_open() const;

  // Runs the datagrams through the card; their events are appended to `events` in order and the
  // kernel's counters accumulate in counts(). False with reason() on failure.
  bool process(const hlsk::DatagramView* datagrams, size_t n, std::vector<MarketEvent>& events);
  bool process(const std::vector<std::vector<uint8_t>>& payloads, std::vector<MarketEvent>& events);

  const hlsk::FeedDecodeCounts& counts() const { return counts_; }
  // One line, "xrt backend: ..." — empty while nothing has failed.
  const std::string& reason() const { return reason_; }
  // The card's name as XRT reports it (empty until open).
  const std::string& device_name() const { return device_name_; }

  // Datagrams per kernel call (bounds the device buffers).
  static constexpr size_t kBatch = 16384;

 private:
  struct Impl;
  bool fail(const std::string& what);
  std::unique_ptr<Impl> impl_;
  hlsk::FeedDecodeCounts counts_;
  std::string reason_;
  std::string device_name_;
};

}  // namespace pw
