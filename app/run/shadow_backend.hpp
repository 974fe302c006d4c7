// A backend beside the software path in `perpwire run`: it gets every frame the software path gets,
// and every state record it makes is compared, in order, with the software path's. The software
// path's answers drive the gate; a difference is counted and the first one reported.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "host/dpdk/feed_input.hpp"
#include "host/pipeline/replay.hpp"

namespace pw {

class ShadowBackend {
 public:
  virtual ~ShadowBackend() = default;
  // Every frame of the feed lines, in the order the software path takes them.
  virtual void on_frame(const FeedFrame& f) = 0;
  // End of the feed: runs what is still collected; a failure becomes a note.
  virtual void finish(int64_t time_ns, std::vector<std::string>& notes) = 0;
};

// The software path's records (expect) against the backend's (on_record), in order.
class ShadowCompare final : public RecordSink {
 public:
  void expect(const StateRecord& r) { pending_.push_back(r); }
  void on_record(const StateRecord& r, const char*) override;
  size_t outstanding() const { return pending_.size(); }
  // Stopped early, the backend may not have caught up: records still outstanding are then no
  // difference.
  bool differs(bool stopped_early) const { return mismatches != 0 || unexpected != 0 || (!stopped_early && outstanding() != 0); }
  std::string summary(const std::string& backend) const;

  uint64_t compared = 0, mismatches = 0, unexpected = 0;
  std::string first_mismatch;

 private:
  std::deque<StateRecord> pending_;
};

// The HLS kernels in C-simulation (feed_decode → market_state) after the software A/B arbitration.
// Null with `error` when the kernels cannot be set up for the configured instruments.
std::unique_ptr<ShadowBackend> make_hls_csim_shadow(const ReplayInputs& inputs, int64_t reorder_wait_ns, RecordSink& out,
                                                    std::string& error);

}  // namespace pw
