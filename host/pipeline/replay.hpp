// `perpwire replay`: runs captures of feed lines A and B through a backend (software, hls-csim,
// verilator) and reports per instrument the book top, mark, index, premium, our vs the
// exchange's funding, gaps and recoveries, and the drops by reason; optionally writes every state
// record as the state log (JSON Lines) — the record other backends must reproduce exactly.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/funding_presets.hpp"
#include "core/mark_funding.hpp"
#include "host/config/config.hpp"
#include "host/pipeline/market_stage.hpp"

namespace pw {

struct InstrumentSetup {
  int32_t id = 0;
  uint16_t channel = 0;
  int64_t contract_size = 0;
  MarkFundingParams params{};
};

// What every backend is given.
struct ReplayInputs {
  std::string pcap_a;
  std::string pcap_b;                      // empty: line A only
  int64_t reorder_wait_ns = 1000000;       // how long a hole waits for the other line
  std::vector<InstrumentSetup> instruments; // configured instruments (others get `defaults`)
  MarkFundingParams defaults = coinbase_preset();
  // Called now and then with the frames and events so far (progress display).
  std::function<void(uint64_t frames, uint64_t events)> progress;
};

// What a backend says about its run besides the records.
struct BackendReport {
  uint64_t frames = 0;
  uint64_t events = 0;
  std::string counters;  // lines of drops, arbitration and recovery counts
};

// A backend: packets of the inputs in, state records out to `sink`. False with `error` when an
// input cannot be read or the backend cannot run.
using ReplayBackend = std::function<bool(const ReplayInputs&, RecordSink&, BackendReport&, std::string& error)>;

// The software path: libpcap → Ethernet/IPv4/UDP checks → framing → A/B arbitration → decode →
// core/market_state.hpp.
bool replay_software(const ReplayInputs& in, RecordSink& sink, BackendReport& report, std::string& error);

// Feeds frames of both lines in capture-time order into a FeedPipeline, reporting progress; shared
// by the backends whose feed stage is the software one.
bool pump_captures(const ReplayInputs& in, FeedPipeline& feed, uint64_t& frames, std::string& error);

// Drops, arbitration and recovery counters of the software feed and market stages, as report lines.
std::string describe_counters(const FeedPipeline& feed, const MarketStateCounters& market);
// "3 InstrSeqNum gaps, … 0 book errors": the market state's counters, whichever backend ran it.
std::string market_counters_text(const MarketStateCounters& mc);
// " reason=count …" for the frames and datagrams the feed stage dropped before arbitration ("" when none).
std::string feed_drops_text(const FeedCounters& fc);

// Instruments, their mark/funding parameters, the reorder wait and (unless already given) the
// captures from a configuration. False with `error` naming the instrument when a preset or an
// override does not validate.
bool inputs_from_config(const Config& c, ReplayInputs& in, std::string& error);

struct ReplayOptions {
  ReplayInputs inputs;
  std::string state_log;  // empty: none
  bool progress = true;
};

struct ReplaySummary {
  uint64_t frames = 0;
  uint64_t events = 0;
  uint64_t records = 0;
  double seconds = 0;
  std::string text;  // the end-of-run report
};

bool run_replay(const ReplayOptions& opt, const ReplayBackend& backend, ReplaySummary& summary, std::string& error);

}  // namespace pw
