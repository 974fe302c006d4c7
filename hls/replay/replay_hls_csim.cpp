#include "hls/replay/replay_hls_csim.hpp"

#include <fmt/format.h>

#include <cstring>
#include <map>
#include <vector>

#include "hls/driver/feed_decode_runner.hpp"
#include "hls/replay/market_kernel_sink.hpp"
#include "host/pipeline/feed_pipeline.hpp"

namespace pw {
namespace {

using hlsk::DatagramView;

// Collects arbitrated datagrams and gap notices in arrival order and runs them through the kernels
// in batches: feed_decode over each run of datagrams, then market_state over the events with the
// gap notices in their places.
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
    Item it{true, 0, 0, hlsk::gap_notice(channel, first, last, time_ns)};
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

  const hlsk::FeedDecodeCounts& decode_counts() const { return decoder_.counts(); }
  const hlsk::MarketStatus& market_status() const { return market_.status(); }
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
  hlsk::FeedDecodeCsim decoder_;
  hlsk::MarketKernelSink market_;
  std::vector<Item> items_;
  std::vector<uint8_t> bytes_;
  std::vector<DatagramView> views_;
  std::vector<MarketEvent> words_;
  uint32_t datagrams_ = 0;
  std::string error_;
};

}  // namespace

bool replay_hls_csim(const ReplayInputs& in, RecordSink& sink, BackendReport& report, std::string& error) {
  HlsCsimPath path(sink, in);
  if (!path.setup(error)) return false;
  FeedPipeline feed(path, in.reorder_wait_ns);
  feed.set_datagram_sink(&path);
  if (!pump_captures(in, feed, report.frames, error)) return false;
  if (!path.flush()) {
    error = "hls-csim: " + path.error();
    return false;
  }
  report.events = path.events;
  const FeedCounters& fc = feed.counters();
  const SequencerCounters& sc = feed.sequencing();
  const hlsk::FeedDecodeCounts& dc = path.decode_counts();
  const hlsk::MarketStatus& ms = path.market_status();
  const MarketStateCounters& mc = ms.counters;
  std::string& t = report.counters;
  t += fmt::format("frames: line A {}, line B {}; {} datagrams offered, {} in sequence\n", fc.frames[0], fc.frames[1],
                   fc.datagrams, sc.delivered);
  t += fmt::format("arbitration (software, as the RTL front end): {} duplicates dropped, {} reordered, {} late, {} gaps "
                   "({} packets lost on both lines)\n",
                   sc.duplicates, sc.reordered, sc.late, sc.gaps, sc.missing);
  t += fmt::format("feed_decode (C-simulation): {} datagrams, {} beats, {} messages, {} events\n", dc.packets(), dc.beats(),
                   dc.messages(), dc.events());
  t += "market_state (C-simulation): " + market_counters_text(mc) + fmt::format(", {} records\n", mc.records);
  std::string drops = feed_drops_text(fc);
  for (int e = 1; e < (int)md::DecodeError::count_; ++e)
    if (dc.errors((md::DecodeError)e))
      drops += fmt::format(" skipped_{}={}", md::decode_error_name((md::DecodeError)e), dc.errors((md::DecodeError)e));
  if (mc.instruments_full) drops += fmt::format(" instrument_table_full={}", mc.instruments_full);
  t += "drops by reason:" + (drops.empty() ? std::string(" none") : drops) + "\n";
  return true;
}

}  // namespace pw
