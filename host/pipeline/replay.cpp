#include "host/pipeline/replay.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <map>

#include "core/fixed_point.hpp"
#include "core/funding_presets.hpp"
#include "host/io/line_merger.hpp"
#include "host/pipeline/instrument_params.hpp"
#include "host/pipeline/state_log.hpp"

namespace pw {
namespace {

std::string px(int64_t v) {
  if (v == kNullI64) return "-";
  char buf[24];
  return std::string(buf, (size_t)format_fixed9(v, buf));
}

// A rate ×1e-9 as basis points with two decimals.
std::string bps(int64_t rate) {
  if (rate == kNullI64) return "-";
  return fmt::format("{:.2f}bp", (double)rate / 1e5);
}

// Keeps the latest record of each kind per instrument for the report and writes the state log.
class SummarySink final : public RecordSink {
 public:
  explicit SummarySink(StateLogWriter& log) : log_(log) {}

  struct Instrument {
    std::string symbol;
    StateRecord top{}, mark{}, funding{};
    bool has_top = false, has_mark = false, has_funding = false;
    bool synced = false;
    uint8_t reason = 0;
    uint64_t losses = 0, recoveries = 0, funding_finals = 0;
  };

  void on_record(const StateRecord& r, const char* symbol) override {
    ++records;
    log_.write(r, symbol);
    Instrument& in = instruments[r.instrument_id];
    if (symbol != nullptr && symbol[0] != 0) in.symbol = symbol;
    switch ((StateKind)r.kind) {
      case StateKind::book_top: in.top = r; in.has_top = true; break;
      case StateKind::mark: in.mark = r; in.has_mark = true; break;
      case StateKind::funding:
        if (r.funding.is_final && !(in.has_funding && in.funding.funding.is_final)) ++in.funding_finals;
        in.funding = r;
        in.has_funding = true;
        break;
      case StateKind::sync:
        in.synced = r.sync.synced != 0;
        in.reason = r.sync.reason;
        if (in.synced && r.sync.reason == (uint8_t)SyncReason::snapshot) ++in.recoveries;
        if (!in.synced && r.sync.reason != (uint8_t)SyncReason::stale) ++in.losses;
        break;
      default: break;
    }
  }

  uint64_t records = 0;
  std::map<int32_t, Instrument> instruments;

 private:
  StateLogWriter& log_;
};

const char* reason_text(uint8_t r) {
  switch ((SyncReason)r) {
    case SyncReason::start: return "from start";
    case SyncReason::snapshot: return "snapshot";
    case SyncReason::packet_gap: return "packet gap";
    case SyncReason::instr_seq_gap: return "InstrSeqNum gap";
    case SyncReason::book_overflow: return "book capacity";
    case SyncReason::book_error: return "book error";
    case SyncReason::stale: return "stale";
    case SyncReason::resumed: return "resumed";
    default: return "never synced";
  }
}

}  // namespace

bool pump_captures(const ReplayInputs& in, FeedPipeline& feed, uint64_t& frames, std::string& error) {
  LineMerger lines;
  if (!lines.open(in.pcap_a, in.pcap_b, error)) return false;
  Frame f;
  uint8_t line = 0;
  int64_t last_time = 0;
  while (lines.next(f, line)) {
    ++frames;
    last_time = f.timestamp_ns;
    feed.on_frame(line, f.timestamp_ns, lines.source(line).link(), f.data, f.caplen);
    if ((frames & 0x3FFF) == 0 && in.progress) in.progress(frames, feed.counters().events);
  }
  feed.finish(last_time);
  if (!lines.error().empty()) {
    error = lines.error();
    return false;
  }
  return true;
}

std::string market_counters_text(const MarketStateCounters& mc) {
  return fmt::format("{} InstrSeqNum gaps, {} stale incrementals skipped, {} snapshot recoveries, {} snapshots of synced "
                     "books skipped, {} snapshots failed, {} book errors",
                     mc.instr_seq_gaps, mc.instr_seq_stale, mc.recoveries, mc.snapshots_skipped, mc.snapshots_failed,
                     mc.book_errors);
}

std::string feed_drops_text(const FeedCounters& fc) {
  std::string drops;
  for (size_t i = 1; i < fc.net_drops.size(); ++i)
    if (fc.net_drops[i]) drops += fmt::format(" {}={}", net_error_name((NetError)i), fc.net_drops[i]);
  for (size_t i = 1; i < fc.damaged.size(); ++i)
    if (fc.damaged[i]) drops += fmt::format(" {}={}", md::decode_error_name((md::DecodeError)i), fc.damaged[i]);
  return drops;
}

std::string describe_counters(const FeedPipeline& feed, const MarketStateCounters& mc) {
  const FeedCounters& fc = feed.counters();
  const SequencerCounters& sc = feed.sequencing();
  std::string t;
  t += fmt::format("frames: line A {}, line B {}; {} datagrams offered, {} in sequence, {} events\n", fc.frames[0],
                   fc.frames[1], fc.datagrams, sc.delivered, fc.events);
  t += fmt::format("arbitration: {} duplicates dropped, {} reordered, {} late, {} gaps ({} packets lost on both lines)\n",
                   sc.duplicates, sc.reordered, sc.late, sc.gaps, sc.missing);
  t += "market state: " + market_counters_text(mc) + "\n";
  const RetransmitCounters& rc = feed.retransmit();
  t += fmt::format("retransmit: {} requests for {} packets within budget; {} gaps too large and {} over budget left to the "
                   "snapshot cycle\n",
                   rc.requests, rc.packets, rc.too_large, rc.over_budget);
  std::string drops = feed_drops_text(fc);
  for (size_t i = 1; i < fc.skipped.size(); ++i)
    if (fc.skipped[i]) drops += fmt::format(" skipped_{}={}", md::decode_error_name((md::DecodeError)i), fc.skipped[i]);
  if (mc.instruments_full) drops += fmt::format(" instrument_table_full={}", mc.instruments_full);
  t += "drops by reason:" + (drops.empty() ? std::string(" none") : drops) + "\n";
  return t;
}

bool replay_software(const ReplayInputs& in, RecordSink& sink, BackendReport& report, std::string& error) {
  MarketStage market(sink, &in.defaults);
  for (const InstrumentSetup& s : in.instruments)
    if (!market.add_instrument(s.id, s.channel, s.params, s.contract_size)) {
      error = fmt::format("instrument {}: cannot be added (repeated id, invalid parameters or more than {})", s.id,
                          HostMarketState::capacity);
      return false;
    }
  FeedPipeline feed(market, in.reorder_wait_ns);
  if (!pump_captures(in, feed, report.frames, error)) return false;
  report.events = feed.counters().events;
  report.counters = describe_counters(feed, market.state().counters());
  return true;
}

bool inputs_from_config(const Config& c, ReplayInputs& in, std::string& error) {
  in.instruments.clear();
  for (const InstrumentConfig& ic : c.instruments) {
    InstrumentSetup s;
    s.id = ic.id;
    s.channel = ic.channel;
    s.contract_size = ic.contract_size;
    if (!mark_params_for(ic, c.risk, s.params, error)) return false;
    in.instruments.push_back(s);
  }
  in.reorder_wait_ns = c.feeds.reorder_wait_ns;
  if (in.pcap_a.empty()) in.pcap_a = c.feeds.line_a.pcap;
  if (in.pcap_b.empty() && c.feeds.line_b.enabled) in.pcap_b = c.feeds.line_b.pcap;
  return true;
}

bool run_replay(const ReplayOptions& opt, const ReplayBackend& backend, ReplaySummary& summary, std::string& error) {
  StateLogWriter log;
  if (!opt.state_log.empty() && !log.open(opt.state_log, error)) return false;
  SummarySink sink(log);
  ReplayInputs in = opt.inputs;
  const auto started = std::chrono::steady_clock::now();
  if (opt.progress) {
    auto last = started;
    in.progress = [&sink, &last](uint64_t frames, uint64_t events) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last < std::chrono::milliseconds(250)) return;
      last = now;
      std::fprintf(stderr, "\rreplay: %llu frames, %llu events, %llu state records", (unsigned long long)frames,
                   (unsigned long long)events, (unsigned long long)sink.records);
      std::fflush(stderr);
    };
  }
  BackendReport report;
  const bool ok = backend(in, sink, report, error);
  if (opt.progress) std::fprintf(stderr, "\r%*s\r", 72, "");
  log.close();
  if (!ok) return false;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  summary.frames = report.frames;
  summary.events = report.events;
  summary.records = sink.records;

  std::string& t = summary.text;
  t += fmt::format("replayed {} frames in {:.2f} s: {} events, {} state records\n", report.frames, summary.seconds,
                   report.events, sink.records);
  t += report.counters;
  t += fmt::format("\n{:<16} {:<22} {:>17} {:>17} {:>13} {:>13} {:>9} {:>9} {:>9} {:>9} {:>5} {:>5}\n", "instrument",
                   "synced", "bid", "ask", "mark", "index", "premium", "funding", "exchange", "diff", "gaps", "recov");
  for (const auto& [id, s] : sink.instruments) {
    const std::string name = s.symbol.empty() ? fmt::format("id {}", id) : s.symbol;
    const std::string synced = s.synced ? "yes" : fmt::format("NO ({})", reason_text(s.reason));
    const BookTopRecord& top = s.top.top;
    const MarkRecord& m = s.mark.mark;
    const FundingRecord& f = s.funding.funding;
    t += fmt::format("{:<16} {:<22} {:>17} {:>17} {:>13} {:>13} {:>9} {:>9} {:>9} {:>9} {:>5} {:>5}\n", name, synced,
                     s.has_top ? fmt::format("{} x {}", top.bid_qty, px(top.bid_price)) : "-",
                     s.has_top ? fmt::format("{} x {}", top.ask_qty, px(top.ask_price)) : "-",
                     s.has_mark ? px(m.mark) : "-", s.has_mark ? px(m.index) : "-", s.has_mark ? bps(m.premium) : "-",
                     s.has_funding ? bps(f.ours) : "-", s.has_funding ? bps(f.exchange) : "-",
                     s.has_funding && f.diff_e2bps != kNullI64 ? fmt::format("{:.2f}bp", (double)f.diff_e2bps / 100.0) : "-",
                     s.losses, s.recoveries);
  }
  return true;
}

}  // namespace pw
