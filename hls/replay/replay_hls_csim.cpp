#include "hls/replay/replay_hls_csim.hpp"

#include <fmt/format.h>

#include <cstring>
#include <map>
#include <vector>

#include "hls/replay/hls_csim_path.hpp"
#include "host/pipeline/feed_pipeline.hpp"

namespace pw {

using hlsk::HlsCsimPath;


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
