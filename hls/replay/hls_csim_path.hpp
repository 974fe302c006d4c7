// The hls-csim backend's path from arbitrated datagrams to state records: the datagrams and
// gap notices are collected in arrival order and run through the kernels in batches —
// feed_decode over each run of datagrams, then market_state over the events with the gap notices
// in their places. `perpwire replay --backend hls-csim` drives it from the captures; `perpwire
// run --backend hls-csim` from the live frames, beside the software path it is compared with.
#pragma once
#include <fmt/format.h>

#include <cstring>
#include <string>
#include <vector>

#include "hls/csim/feed_decode_runner.hpp"
#include "hls/replay/market_kernel_sink.hpp"
#include "host/pipeline/feed_pipeline.hpp"
#include "host/pipeline/replay.hpp"

namespace pw {
namespace hlsk {

class HlsCsimPath final : public EventSink, public DatagramSink {
 public:
  HlsCsimPath(RecordSink& sink, const ReplayInputs& in) : in_(in), market_(sink) {}

  bool setup(std::string& error) { return market_.setup(in_, error); }

  void on_arbitrated(int64_t, const uint8_t* data, uint32_t len) override {
    items_.push_back(Item{false, bytes_.size(), len, {}});
    bytes_.insert(bytes_.end(), data, data + len);
    if (++datagrams_ >= kBatch) flush();
  }

  void on_packet_gap(uint16_t channel, int64_t first, int64_t last, int64_t time_ns) override {
    Item it{true, 0, 0, gap_notice(channel, first, last, time_ns)};
    items_.push_back(it);
    ++gaps;
  }

  void on_event(const MarketEvent&) override {}  // not called: the datagrams come to on_arbitrated

  // Runs everything collected. False once a kernel call went wrong (error()).
  bool flush() {
    if (!error_.empty()) return false;
    words_.clear();
    size_t k = 0;
    while (k < items_.size()) {
      if (items_[k].gap) {
        words_.push_back(items_[k++].notice);
        continue;
      }
      views_.clear();
      for (; k < items_.size() && !items_[k].gap; ++k) views_.push_back(DatagramView{bytes_.data() + items_[k].offset, items_[k].len});
      if (!decoder_.decode(views_.data(), views_.size(), words_)) {
        error_ = decoder_.error();
        return false;
      }
    }
    items_.clear();
    bytes_.clear();
    datagrams_ = 0;
    events = decoder_.counts().events();
    if (in_.progress) in_.progress(0, events);
    for (const MarketEvent& w : words_) market_.on_event(w);
    if (!market_.flush()) {
      error_ = market_.error();
      return false;
    }
    return true;
  }

  const FeedDecodeCounts& decode_counts() const { return decoder_.counts(); }
  const MarketStatus& market_status() const { return market_.status(); }
  const std::string& error() const { return error_; }

  uint64_t events = 0, gaps = 0;

 private:
  static constexpr uint32_t kBatch = 256;
  struct Item {
    bool gap;
    size_t offset;
    uint32_t len;
    MarketEvent notice;
  };

  const ReplayInputs& in_;
  FeedDecodeCsim decoder_;
  MarketKernelSink market_;
  std::vector<Item> items_;
  std::vector<uint8_t> bytes_;
  std::vector<DatagramView> views_;
  std::vector<MarketEvent> words_;
  uint32_t datagrams_ = 0;
  std::string error_;
};

}  // namespace hlsk
}  // namespace pw
