#include "sim/cosim/replay_verilator.hpp"

#include <fmt/format.h>

#include "hls/replay/market_kernel_sink.hpp"
#include "sim/cosim/cosim_feed.hpp"

namespace pw {
namespace {

// Counts events for the report and the progress line on the way to the market stage.
class CountingSink final : public EventSink {
 public:
  CountingSink(EventSink& next, const ReplayInputs& in) : next_(next), in_(in) {}
  void on_event(const MarketEvent& e) override {
    ++events;
    if ((events & 0x3FFF) == 0 && in_.progress) in_.progress(0, events);
    next_.on_event(e);
  }
  void on_packet_gap(uint16_t channel, int64_t first, int64_t last, int64_t time_ns) override {
    ++gaps;
    next_.on_packet_gap(channel, first, last, time_ns);
  }
  uint64_t events = 0, gaps = 0;

 private:
  EventSink& next_;
  const ReplayInputs& in_;
};

}  // namespace

bool replay_verilator(const ReplayInputs& in, RecordSink& sink, BackendReport& report, std::string& error) {
  hlsk::MarketKernelSink market(sink);
  if (!market.setup(in, error)) return false;
  CountingSink counting(market, in);
  cosim::CosimCounters c{};
  // With a reorder wait the arbiter gets the same hold window and the frames their wire times;
  // without one, the merged capture order (the two are then specified equal, docs/rtl.md).
  cosim::CosimFeedOptions fo;
  fo.hold_ns = in.reorder_wait_ns;
  fo.in_order = in.reorder_wait_ns <= 0;
  if (!cosim::run_cosim_feed(in.pcap_a, in.pcap_b, counting, error, fo, &c)) return false;
  if (!market.flush()) {
    error = "verilator backend: market_state: " + market.error();
    return false;
  }
  report.frames = c.frames_in[0] + c.frames_in[1];
  report.events = counting.events;
  const MarketStateCounters& mc = market.status().counters;
  report.counters = fmt::format("front end (Verilator): frames line A {}, line B {}; {} passed arbitration, {} duplicates, {} late, "
                                "{} gaps ({} packets lost on both lines)\n",
                                c.frames_in[0], c.frames_in[1], c.arb_pass, c.arb_dup, c.arb_late, c.arb_gap, c.arb_gap_pkts);
  std::string drops;
  for (int l = 0; l < 2; ++l) {
    const auto& x = c.line[l];
    const uint64_t v[] = {x.eth_non_ipv4, x.eth_runt, x.eth_mac_err, x.ip_bad_hdr, x.ip_bad_len, x.ip_bad_csum, x.ip_frag, x.ip_not_udp, x.ip_bad_udp_len, x.ip_aborted, x.mc_nomatch};
    const char* n[] = {"non_ipv4", "runt", "mac_error", "bad_ip_header", "bad_ip_length", "bad_ip_checksum", "fragment", "not_udp", "bad_udp_length", "aborted", "not_subscribed"};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; ++k)
      if (v[k]) drops += fmt::format(" {}_{}={}", l == 0 ? "a" : "b", n[k], v[k]);
  }
  report.counters += "drops by reason:" + (drops.empty() ? std::string(" none") : drops) + "\n";
  report.counters += fmt::format("feed_decode (C-simulation): {} datagrams, {} events\n", c.datagrams, counting.events);
  report.counters += "market_state (C-simulation): " + market_counters_text(mc) + "\n";
  return true;
}

}  // namespace pw
