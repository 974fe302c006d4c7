#include "app/run/shadow_backend.hpp"

#include <fmt/format.h>

#include "hls/replay/hls_csim_path.hpp"
#include "host/pipeline/state_log.hpp"

namespace pw {

void ShadowCompare::on_record(const StateRecord& r, const char*) {
  ++compared;
  if (pending_.empty()) {
    ++unexpected;
    return;
  }
  if (!same_record(pending_.front(), r) && mismatches++ == 0)
    first_mismatch = "software " + format_state_record(pending_.front(), "") + " vs backend " + format_state_record(r, "");
  pending_.pop_front();
}

std::string ShadowCompare::summary(const std::string& backend) const {
  const bool same = mismatches == 0 && unexpected == 0 && outstanding() == 0;
  return fmt::format("{} beside the software path: {} state records compared, {} differ, {} only from the kernels, {} not "
                     "produced by them{}",
                     backend, compared, mismatches, unexpected, outstanding(), same ? " — identical" : "");
}

namespace {

class HlsCsimShadow final : public ShadowBackend {
 public:
  HlsCsimShadow(const ReplayInputs& inputs, int64_t reorder_wait_ns, RecordSink& out)
      : inputs_(inputs), path_(out, inputs_), feed_(path_, reorder_wait_ns) {
    feed_.set_datagram_sink(&path_);
  }
  bool setup(std::string& error) { return path_.setup(error); }
  void on_frame(const FeedFrame& f) override { feed_.on_frame(f.line, f.timestamp_ns, f.link, f.data, f.length); }
  void finish(int64_t time_ns, std::vector<std::string>& notes) override {
    feed_.finish(time_ns);
    if (!path_.flush()) notes.push_back("hls-csim: " + path_.error());
  }

 private:
  ReplayInputs inputs_;
  hlsk::HlsCsimPath path_;
  FeedPipeline feed_;
};

}  // namespace

std::unique_ptr<ShadowBackend> make_hls_csim_shadow(const ReplayInputs& inputs, int64_t reorder_wait_ns, RecordSink& out,
                                                    std::string& error) {
  auto b = std::make_unique<HlsCsimShadow>(inputs, reorder_wait_ns, out);
  if (!b->setup(error)) return nullptr;
  return b;
}

}  // namespace pw
