// The feed lines of a run as one stream of frames, whatever each line's source: DPDK ports where
// the config names one (the EAL initialised once from the arguments after `--`), libpcap replay
// otherwise — and libpcap replay as the fallback when DPDK cannot start, with one line saying why.
//
//   pw::FeedInput in;
//   std::vector<std::string> notes;
//   if (!in.open(config.feeds, eal_args, {}, error, notes)) { fail(error); }
//   for (auto& n : notes) print(n);                      // e.g. the DPDK fallback reason
//   pw::FeedFrame f;
//   while (in.next(f)) pipeline.on_frame(f.line, f.timestamp_ns, f.link, f.data, f.length);
//   // or, to do timed work while a live line is quiet: switch (in.poll(f)) { … }
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "host/config/config.hpp"
#include "host/dpdk/dpdk_port.hpp"
#include "host/io/line_merger.hpp"
#include "host/io/pcap_source.hpp"

namespace pw {

struct FeedFrame {
  uint8_t line;          // 0 = A, 1 = B
  LinkType link;         // the line's link layer (DPDK ports: Ethernet; captures: their link type)
  int64_t timestamp_ns;  // capture time (replay) or receive time
  const uint8_t* data;   // valid until the next call to next()
  uint32_t length;
};

struct FeedInputOptions {
  bool replay = true;                // DPDK lines end after `idle_ns` without frames (net_pcap plays once)
  int64_t idle_ns = 200000000;       // 200 ms
};

class FeedInput {
 public:
  FeedInput() = default;
  FeedInput(const FeedInput&) = delete;
  FeedInput& operator=(const FeedInput&) = delete;
  ~FeedInput();

  // Opens line A and, when configured, line B. False with a one-line `error` when a line has no
  // usable source at all; `notes` gets one line per fallback.
  bool open(const FeedsConfig& feeds, const std::vector<std::string>& eal_args, const FeedInputOptions& options,
            std::string& error, std::vector<std::string>& notes);
  enum class Poll : uint8_t { frame, idle, end };
  // One step: a frame, nothing right now (DPDK lines, where the caller can do timed work), or the
  // end of every line (replay; a live DPDK line never ends). Captures replayed together come in
  // capture-time order; DPDK lines in arrival order, a burst at a time.
  Poll poll(FeedFrame& f);
  // The next frame, waiting through idle polls; false at the end.
  bool next(FeedFrame& f);
  // "line A: DPDK port net_pcap0; line B: libpcap out/session/feed_b.pcap".
  std::string describe() const;
  bool uses_dpdk() const;
  // Port statistics of a DPDK line (zeros for libpcap lines).
  DpdkPortStats dpdk_stats(uint8_t line) const;

 private:
  struct Line {
    bool enabled = false;
    bool ended = false;
    std::string description;
    std::unique_ptr<DpdkPort> port;  // DPDK source
    std::unique_ptr<PcapSource> pcap;  // libpcap source when the lines are not merged
    RxIdleDetector idle;
    DpdkFrame burst[DpdkPort::kMaxBurst];
    uint16_t burst_size = 0, burst_pos = 0;
  };
  Poll poll_line(uint8_t line, FeedFrame& f);

  FeedInputOptions options_;
  Line lines_[2];
  std::unique_ptr<LineMerger> merger_;  // both lines from captures: merged in capture-time order
  uint8_t turn_ = 0;
};

// The capture a net_pcap device replays (rx_pcap=FILE in its --vdev argument), or "".
std::string vdev_rx_pcap(const std::vector<std::string>& eal_args, const std::string& device);

// Splits a command line at the first "--": returns what follows (the EAL's arguments) and sets
// argc so that the program's own parser sees only what precedes it.
std::vector<std::string> take_args_after_double_dash(int& argc, char** argv);

}  // namespace pw
