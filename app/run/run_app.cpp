#include "host/app/run_app.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <deque>
#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <memory>
#include <thread>

#include "core/net_parse.hpp"
#include "host/app/order_gate.hpp"
#include "host/control/control_server.hpp"
#include "host/control/status.hpp"
#include "host/dpdk/feed_input.hpp"
#include "host/metrics/app_metrics.hpp"
#include "host/pipeline/feed_pipeline.hpp"
#include "host/pipeline/market_stage.hpp"
#include "host/pipeline/replay.hpp"
#include "host/pipeline/state_log.hpp"
#include "host/report/run_report.hpp"
#include "host/strategy/demo_strategy.hpp"
#include "host/strategy/order_file.hpp"
#ifdef PERPWIRE_HAVE_HLS_CSIM_BACKEND
#include "hls/replay/hls_csim_path.hpp"
#endif

namespace pw {
namespace {

std::atomic<int> g_stop_signal{0};

extern "C" void on_stop_signal(int sig) { g_stop_signal.store(sig); }

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Everything the run keeps per configured instrument besides the market state itself.
struct InstrumentRun {
  int32_t exchange_id = 0;
  std::string symbol;
  bool changed = false;          // market moved since the strategy last looked
  BookTopRecord top{};
  int64_t exchange_mark = kNullI64;
  int64_t exchange_rate = kNullI64;
  int64_t our_rate = kNullI64;
  int64_t funded_until = kNullI64;  // latest funding time charged to the accounts
  int64_t next_funding = 0;
  uint64_t events = 0;
  InstrumentSeries series;
  int64_t last_mark_point = kNullI64;
  int64_t last_funding_point = kNullI64;
};

constexpr int64_t kSeriesStepNs = 1000000000;  // one point per second of event time and series
// An instrument whose channel has been silent this long (feed time, while others tick) is
// published as stale until its next event; the risk gate refuses it meanwhile.
constexpr int64_t kFeedStaleNs = 5000000000;

class ShadowCompare;

// Index of the configured instrument with this exchange id, or −1 (not configured).
int configured_index(const std::vector<InstrumentRun>& instruments, int32_t exchange_id) {
  for (size_t i = 0; i < instruments.size(); ++i)
    if (instruments[i].exchange_id == exchange_id) return (int)i;
  return -1;
}

// State records → state log, metrics, report series, funding charges, and the strategy's cue.
class RunRecords final : public RecordSink {
 public:
  RunRecords(std::vector<InstrumentRun>& instruments, AppMetrics& metrics, StateLogWriter& log, OrderGate& gate)
      : instruments_(instruments), metrics_(metrics), log_(log), gate_(gate) {}

  // Defined after ShadowCompare, which it feeds first.
  void on_record(const StateRecord& r, const char* symbol) override;

 private:
  void apply(const StateRecord& r, const char* symbol) {
    ++records;
    log_.write(r, symbol);
    const int i = configured_index(instruments_, r.instrument_id);
    if (i < 0) return;  // not configured: books are kept, nothing is traded
    InstrumentRun& in = instruments_[(size_t)i];
    InstrumentMetrics& m = metrics_.instrument(i);
    in.changed = true;
    switch ((StateKind)r.kind) {
      case StateKind::book_top:
        in.top = r.top;
        m.best_bid->set(r.top.bid_price == kNullI64 ? 0 : r.top.bid_price);
        m.best_ask->set(r.top.ask_price == kNullI64 ? 0 : r.top.ask_price);
        break;
      case StateKind::sync: m.book_synced->set(r.sync.synced); break;
      case StateKind::mark:
        if (r.mark.mark != kNullI64) {
          m.mark->set(r.mark.mark);
          if (in.last_mark_point == kNullI64 || r.time - in.last_mark_point >= kSeriesStepNs) {
            in.series.mark.push_back({r.time, r.mark.mark});
            in.last_mark_point = r.time;
          }
        }
        break;
      case StateKind::funding: {
        const FundingRecord& f = r.funding;
        in.our_rate = f.ours;
        in.next_funding = f.interval_end;
        if (f.ours != kNullI64) m.funding_rate->set(f.ours);
        if (f.exchange != kNullI64) m.exchange_funding_rate->set(f.exchange);
        if (f.exchange_mark != kNullI64) {
          m.exchange_mark->set(f.exchange_mark);
          if (f.exchange_mark != in.exchange_mark) in.series.exchange_mark.push_back({r.time, f.exchange_mark});
        }
        if (f.exchange != kNullI64 && f.exchange != in.exchange_rate) in.series.exchange_funding.push_back({r.time, f.exchange});
        if (f.ours != kNullI64 && (in.last_funding_point == kNullI64 || r.time - in.last_funding_point >= kSeriesStepNs)) {
          in.series.funding.push_back({r.time, f.ours});
          in.last_funding_point = r.time;
        }
        in.exchange_mark = f.exchange_mark;
        in.exchange_rate = f.exchange;
        // The exchange's final rate for a funding time: what it charges. Charge it once.
        if (f.is_final && f.exchange != kNullI64 && f.exchange_mark != kNullI64 && f.interval_end != in.funded_until) {
          gate_.apply_funding(i, f.exchange_mark, f.exchange);
          in.funded_until = f.interval_end;
          ++fundings;
        }
        break;
      }
      default: break;
    }
  }


 public:
  uint64_t records = 0;
  uint64_t fundings = 0;
  ShadowCompare* shadow = nullptr;

 private:
  std::vector<InstrumentRun>& instruments_;
  AppMetrics& metrics_;
  StateLogWriter& log_;
  OrderGate& gate_;
};

// Counts events per configured instrument on their way to the market state.
class EventCounter final : public EventSink {
 public:
  EventCounter(EventSink& next, std::vector<InstrumentRun>& instruments, AppMetrics& metrics)
      : next_(next), instruments_(instruments), metrics_(metrics) {}
  void on_event(const MarketEvent& e) override {
    const int i = configured_index(instruments_, e.instrument_id);
    if (i >= 0) {
      ++instruments_[(size_t)i].events;
      metrics_.instrument(i).events->inc();
    }
    next_.on_event(e);
  }
  void on_packet_gap(uint16_t channel, int64_t first, int64_t last, int64_t time_ns) override {
    metrics_.gaps().inc();
    next_.on_packet_gap(channel, first, last, time_ns);
  }

 private:
  EventSink& next_;
  std::vector<InstrumentRun>& instruments_;
  AppMetrics& metrics_;
};

// The selected backend beside the software path: it gets the same frames, and every state record it
// makes is compared, in order, with the software path's. The software path's answers drive the
// gate; a difference is counted and the first one reported.
class ShadowCompare final : public RecordSink {
 public:
  void expect(const StateRecord& r) { pending_.push_back(r); }
  void on_record(const StateRecord& r, const char*) override {
    ++compared;
    if (pending_.empty()) {
      ++unexpected;
      return;
    }
    if (!same_record(pending_.front(), r) && mismatches++ == 0)
      first_mismatch = "software " + format_state_record(pending_.front(), "") + " vs backend " + format_state_record(r, "");
    pending_.pop_front();
  }
  size_t outstanding() const { return pending_.size(); }
  uint64_t compared = 0, mismatches = 0, unexpected = 0;
  std::string first_mismatch;

 private:
  std::deque<StateRecord> pending_;
};

void RunRecords::on_record(const StateRecord& r, const char* symbol) {
  if (shadow != nullptr) shadow->expect(r);
  apply(r, symbol);
}

const char* backend_name(BackendKind k) { return to_string(k); }

class RunApp {
 public:
  explicit RunApp(const RunOptions& opt) : opt_(opt) {}
  int run();

 private:
  bool choose_backend(const Config& c);
  void trade(int64_t frame_time);
  void publish_status(const char* state);
  void apply_control();
  void progress(bool final_line);
  void pace(int64_t capture_ns);
  void kill_drill();
  RunData report_data(double seconds) const;

  const RunOptions& opt_;
  std::unique_ptr<ConfigStore> store_;
  std::shared_ptr<const Config> config_;
  std::string backend_ = "software";
  std::vector<std::string> notes_;
  std::unique_ptr<MetricsRegistry> registry_;
  std::unique_ptr<AppMetrics> metrics_;
  StateLogWriter state_log_, decision_log_;
  std::unique_ptr<OrderGate> gate_;
  std::vector<InstrumentRun> instruments_;
  std::unique_ptr<RunRecords> records_;
  std::unique_ptr<MarketStage> market_;
  std::unique_ptr<EventCounter> counter_;
  std::unique_ptr<FeedPipeline> feed_;
  bool shadow_hls_ = false;
  std::unique_ptr<ShadowCompare> shadow_;
  ReplayInputs shadow_inputs_;
#ifdef PERPWIRE_HAVE_HLS_CSIM_BACKEND
  std::unique_ptr<hlsk::HlsCsimPath> shadow_path_;
  std::unique_ptr<FeedPipeline> shadow_feed_;
#endif
  std::unique_ptr<DemoStrategy> strategy_;
  std::unique_ptr<OrderFile> order_file_;
  StatusBoard status_;
  KillSwitchBoard kills_;
  uint64_t kill_generation_ = 0, config_generation_ = 0;
  std::vector<OrderRequest> requests_;
  int64_t event_time_ = 0;
  uint64_t frames_ = 0;
  int64_t started_ns_ = 0, last_progress_ns_ = 0, last_status_ns_ = 0;
  int64_t first_capture_ns_ = 0;
  int64_t first_event_ns_ = 0;
  int drill_state_ = 0;  // 0 before, 1 engaged, 2 over
  std::string feed_description_;
  std::string stop_reason_;
};

bool RunApp::choose_backend(const Config& c) {
  const std::string want = !opt_.backend.empty() ? opt_.backend : backend_name(c.backend.kind);
  const bool strict = opt_.strict_backend || c.backend.strict;
  if (want == "software") return true;
  std::string reason;
  if (want == "xrt") {
    if (opt_.open_xrt && opt_.open_xrt(c.backend.xclbin, reason)) {
      // The card's kernels check the same packets; the software path's decisions are the ones
      // sent until the card's results are wired into the order path.
      backend_ = "xrt";
      return true;
    }
    if (!opt_.open_xrt) reason = "this program was built without XRT";
  } else if (want == "hls-csim") {
#ifdef PERPWIRE_HAVE_HLS_CSIM_BACKEND
    backend_ = "hls-csim (beside the software path, every record compared)";
    shadow_hls_ = true;
    return true;
#else
    reason = "this program was built without the HLS C-simulation";
#endif
  } else if (want == "verilator") {
    reason = "the verilator backend runs on captures: `perpwire replay --backend verilator` (the RTL model takes the "
             "whole capture, and runs about 20 times slower than the software path)";
  } else {
    reason = fmt::format("unknown backend '{}'", want);
  }
  if (strict) {
    std::fprintf(stderr, "perpwire run: backend %s cannot start: %s (--strict-backend)\n", want.c_str(), reason.c_str());
    return false;
  }
  notes_.push_back(fmt::format("backend {}: {}; running the software path", want, reason));
  return true;
}

void RunApp::kill_drill() {
  if (opt_.kill_drill_ns <= 0 || drill_state_ == 2 || event_time_ == 0) return;
  if (first_event_ns_ == 0) first_event_ns_ = event_time_;
  const int64_t start = first_event_ns_ + opt_.kill_drill_start_ns;
  KillTarget t;
  if (drill_state_ == 0 && event_time_ >= start) {
    t.engage = true;
    kills_.set(t);
    drill_state_ = 1;
    notes_.push_back(fmt::format("kill-switch drill: global kill switch engaged at feed time {} for {} s", event_time_,
                                 (double)opt_.kill_drill_ns / 1e9));
  } else if (drill_state_ == 1 && event_time_ >= start + opt_.kill_drill_ns) {
    t.engage = false;
    kills_.set(t);
    drill_state_ = 2;
  }
}

void RunApp::apply_control() {
  const uint64_t kg = kills_.generation();
  if (kg != kill_generation_) {
    kill_generation_ = kg;
    kills_.apply_to(gate_->engine(), (int)config_->accounts.size(), (int)config_->instruments.size());
    metrics_->kill_global().set(kills_.global() ? 1 : 0);
    if (oe::OrderSession* s = gate_->session()) {
      if (kills_.global() && !s->killed()) s->kill_switch();  // mass cancel and block at the session too
      if (!kills_.global() && s->killed()) s->unkill();
    }
  }
  const uint64_t cg = store_->generation();
  if (cg != config_generation_) {
    config_generation_ = cg;
    std::vector<std::string> errors;
    gate_->apply_limits(*store_->current(), errors);
    for (const std::string& e : errors) std::fprintf(stderr, "perpwire run: reload: %s (previous limit kept)\n", e.c_str());
  }
}

void RunApp::trade(int64_t frame_time) {
  const HostMarketState& st = market_->state();
  requests_.clear();
  for (size_t i = 0; i < instruments_.size(); ++i) {
    InstrumentRun& in = instruments_[i];
    if (!in.changed) continue;
    in.changed = false;
    const int slot = st.find(in.exchange_id);
    if (slot < 0) continue;
    const InstrumentMarket m = st.market(slot);
    gate_->set_market((int)i, m, in.top.bid_qty, in.top.ask_qty);
    if (strategy_) strategy_->on_market((int)i, m, event_time_, requests_);
  }
  OrderRequest r;
  while (order_file_ && event_time_ > 0 && order_file_->due(event_time_, r)) requests_.push_back(r);
  for (const OrderRequest& q : requests_) {
    const RiskDecision d = gate_->submit(q, frame_time);
    if (strategy_) strategy_->on_decision(q, d);
  }
  gate_->settle(strategy_.get());
}

void RunApp::publish_status(const char* state) {
  StatusSnapshot s;
  s.time_ns = event_time_;
  s.backend = backend_;
  s.state = state;
  s.kill_global = gate_->engine().kill_global();
  const FeedCounters& fc = feed_->counters();
  s.frames[0] = fc.frames[0];
  s.frames[1] = fc.frames[1];
  s.gaps = feed_->sequencing().gaps;
  const HostMarketState& st = market_->state();
  for (size_t i = 0; i < instruments_.size(); ++i) {
    const InstrumentRun& in = instruments_[i];
    InstrumentStatus is;
    is.symbol = in.symbol;
    is.killed = gate_->engine().kill_instrument((int)i);
    is.best_bid = in.top.bid_price;
    is.best_ask = in.top.ask_price;
    const int slot = st.find(in.exchange_id);
    if (slot >= 0) {
      const auto& sl = st.slot(slot);
      is.book_synced = sl.synced != 0;
      is.mark = sl.mf.mark;
      is.funding_rate = in.our_rate;
    }
    is.exchange_mark = in.exchange_mark;
    is.exchange_funding_rate = in.exchange_rate;
    is.next_funding_ns = in.next_funding;
    is.events = in.events;
    s.instruments.push_back(is);
  }
  for (size_t a = 0; a < config_->accounts.size(); ++a) {
    AccountStatus as;
    as.name = config_->accounts[a].name;
    as.killed = gate_->engine().kill_account((int)a);
    as.cash = gate_->engine().account((int)a).cash;
    const AccountMargin am = gate_->engine().account_margin((int)a);
    as.equity = am.equity;
    as.margin_requirement = am.requirement;
    for (size_t i = 0; i < instruments_.size(); ++i) as.positions.push_back(gate_->engine().position((int)a, (int)i).exposure.position);
    as.accepted = metrics_->account((int)a).accepted->value();
    as.rejected = metrics_->account((int)a).rejected->value();
    s.accounts.push_back(std::move(as));
  }
  status_.publish(std::move(s));
}

// Waits until the frame is due at the requested pace (replays for demos and tests); a stop signal
// ends the wait.
void RunApp::pace(int64_t capture_ns) {
  if (first_capture_ns_ == 0) first_capture_ns_ = capture_ns;
  const int64_t due = started_ns_ + (int64_t)((double)(capture_ns - first_capture_ns_) / opt_.speed);
  while (steady_ns() < due && g_stop_signal.load(std::memory_order_relaxed) == 0) {
    const int64_t left = due - steady_ns();
    std::this_thread::sleep_for(std::chrono::nanoseconds(left > 1000000 ? 1000000 : left));
    if (steady_ns() - last_status_ns_ > 100000000) {
      last_status_ns_ = steady_ns();
      publish_status("running");
    }
  }
}

void RunApp::progress(bool final_line) {
  if (!opt_.progress) return;
  const OrderGateCounters& g = gate_->counters();
  std::fprintf(stderr, "\rrun: %llu frames, %llu events, %llu orders (%llu accepted, %llu rejected, %llu fills)%s",
               (unsigned long long)frames_, (unsigned long long)feed_->counters().events, (unsigned long long)g.requests,
               (unsigned long long)g.accepted, (unsigned long long)g.rejected, (unsigned long long)g.fills,
               final_line ? "\n" : "");
  std::fflush(stderr);
}

RunData RunApp::report_data(double seconds) const {
  RunData d;
  d.title = "perpwire run";
  const FeedCounters& fc = feed_->counters();
  const SequencerCounters& sc = feed_->sequencing();
  const OrderGateCounters& g = gate_->counters();
  d.facts.push_back({"config", config_->path});
  d.facts.push_back({"backend", backend_});
  d.facts.push_back({"feed", feed_description_});
  d.facts.push_back({"ended", stop_reason_.empty() ? "end of the feed" : stop_reason_});
  d.facts.push_back({"wall time", fmt::format("{:.2f} s", seconds)});
  d.facts.push_back({"frames", fmt::format("{} (line A {}, line B {})", frames_, fc.frames[0], fc.frames[1])});
  d.facts.push_back({"events", fmt::format("{} ({:.2f} M/s)", fc.events, seconds > 0 ? (double)fc.events / seconds / 1e6 : 0.0)});
  d.facts.push_back({"arbitration", fmt::format("{} duplicates dropped, {} gaps ({} packets lost on both lines)", sc.duplicates, sc.gaps, sc.missing)});
  const MarketStateCounters& mc = market_->state().counters();
  d.facts.push_back({"recovery", fmt::format("{} snapshot recoveries, {} InstrSeqNum gaps", mc.recoveries, mc.instr_seq_gaps)});
  d.facts.push_back({"orders", fmt::format("{} requests: {} accepted, {} rejected; {} sent, {} fills, {} funding charges",
                                           g.requests, g.accepted, g.rejected, g.sent, g.fills, records_->fundings)});
  for (const std::string& n : notes_) d.facts.push_back({"note", n});
  // The software path applies book and mark/funding inside the frame's processing: those stages
  // are part of feed_decode (frame in → events applied) and have no samples of their own.
  for (int s = 0; s < kLatencyStageCount; ++s) {
    LatencySeries ls = LatencySeries::from_histogram(latency_stage_name((LatencyStage)s), metrics_->latency((LatencyStage)s).snapshot());
    if (ls.count() > 0) d.latency.push_back(std::move(ls));
  }
  d.facts.push_back({"latency stages", "feed_decode = frame in → decoded, books, mark and funding updated; pretrade_risk = the "
                                       "risk check; wire_to_decision = frame in → decision; order_ack = order sent → exchange ack"});
  for (const InstrumentRun& in : instruments_) {
    InstrumentSeries s = in.series;
    s.symbol = in.symbol;
    d.instruments.push_back(std::move(s));
  }
  d.orders_accepted = g.accepted;
  const RiskCounters& rc = gate_->engine().counters();
  for (int r = 1; r < kRejectReasonCount; ++r)
    if (rc.rejected[r] != 0) d.rejects.push_back({reject_reason_name((RejectReason)r), rc.rejected[r]});
  return d;
}

int RunApp::run() {
  // Configuration.
  ConfigResult cr = load_config(opt_.config_path);
  if (!cr.ok()) {
    std::fprintf(stderr, "%s", cr.error_text().c_str());
    std::fprintf(stderr, "perpwire run: %zu error(s) in %s\n", cr.errors.size(), opt_.config_path.c_str());
    return 2;
  }
  store_ = std::make_unique<ConfigStore>(cr.config);
  config_ = cr.config;
  const Config& c = *config_;
  if (!choose_backend(c)) return 2;
  const std::string out_dir = !opt_.output_dir.empty() ? opt_.output_dir : c.output.dir;
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  std::string error;
  if (!decision_log_.open(out_dir + "/decisions.jsonl", error) || (!opt_.state_log.empty() && !state_log_.open(opt_.state_log, error))) {
    std::fprintf(stderr, "perpwire run: %s\n", error.c_str());
    return 1;
  }

  // Metrics, instruments, the gate and the market state.
  std::vector<std::string> symbols, accounts;
  for (const InstrumentConfig& ic : c.instruments) symbols.push_back(ic.symbol);
  for (const AccountConfig& ac : c.accounts) accounts.push_back(ac.name);
  registry_ = std::make_unique<MetricsRegistry>();
  metrics_ = std::make_unique<AppMetrics>(*registry_, symbols, accounts);
  gate_ = std::make_unique<OrderGate>(c, *metrics_, decision_log_);
  for (const InstrumentConfig& ic : c.instruments) {
    InstrumentRun in;
    in.exchange_id = ic.id;
    in.symbol = ic.symbol;
    in.top.bid_price = in.top.ask_price = kNullI64;
    instruments_.push_back(std::move(in));
  }
  records_ = std::make_unique<RunRecords>(instruments_, *metrics_, state_log_, *gate_);
  ReplayInputs setup;
  if (!inputs_from_config(c, setup, error)) {
    std::fprintf(stderr, "perpwire run: %s\n", error.c_str());
    return 2;
  }
  market_ = std::make_unique<MarketStage>(*records_, &setup.defaults);
  for (const InstrumentSetup& s : setup.instruments) market_->add_instrument(s.id, s.channel, s.params, s.contract_size);
  counter_ = std::make_unique<EventCounter>(*market_, instruments_, *metrics_);
  feed_ = std::make_unique<FeedPipeline>(*counter_, c.feeds.reorder_wait_ns);
#ifdef PERPWIRE_HAVE_HLS_CSIM_BACKEND
  if (shadow_hls_) {
    shadow_ = std::make_unique<ShadowCompare>();
    records_->shadow = shadow_.get();
    shadow_inputs_ = setup;
    shadow_path_ = std::make_unique<hlsk::HlsCsimPath>(*shadow_, shadow_inputs_);
    if (!shadow_path_->setup(error)) {
      std::fprintf(stderr, "perpwire run: hls-csim: %s\n", error.c_str());
      return 2;
    }
    shadow_feed_ = std::make_unique<FeedPipeline>(*shadow_path_, c.feeds.reorder_wait_ns);
    shadow_feed_->set_datagram_sink(shadow_path_.get());
  }
#endif

  // Order flow.
  if (opt_.demo) {
    std::vector<StrategyInstrument> si;
    for (size_t i = 0; i < c.instruments.size(); ++i)
      si.push_back({(int)i, c.instruments[i].id, c.instruments[i].tick, c.instruments[i].contract_size, c.instruments[i].limits});
    strategy_ = std::make_unique<DemoStrategy>(DemoStrategyConfig{}, si, (int)c.accounts.size());
    strategy_->set_accounts(c);
    requests_.reserve((size_t)strategy_->max_requests_per_call() + 64);
  }
  if (!opt_.orders_file.empty()) {
    order_file_ = std::make_unique<OrderFile>();
    std::vector<std::string> errors;
    if (!order_file_->load(opt_.orders_file, c, errors)) {
      for (const std::string& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
      std::fprintf(stderr, "perpwire run: %zu error(s) in %s\n", errors.size(), opt_.orders_file.c_str());
      return 2;
    }
  }

  // Control plane.
  ControlHandlers h;
  h.metrics = [this] { return registry_->render_prometheus(); };
  h.status = [this] { return status_.json(); };
  h.kill = make_kill_handler(*store_, kills_, metrics_.get());
  h.reload = make_reload_handler(*store_, metrics_.get());
  ControlServer control(h);
  if (c.control.enabled) {
    ControlServerOptions co;
    co.bind = c.control.bind;
    co.port = c.control.port;
    co.allow_remote = c.control.allow_remote;
    if (!control.start(co, error)) {
      std::fprintf(stderr, "perpwire run: control plane: %s\n", error.c_str());
      return 1;
    }
  }
  publish_status("starting");

  // Order entry.
  if (!gate_->connect(error)) {
    std::fprintf(stderr, "perpwire run: %s\n", error.c_str());
    return 1;
  }

  // Feed lines.
  FeedInput input;
  std::vector<std::string> feed_notes;
  if (!input.open(c.feeds, opt_.eal_args, {}, error, feed_notes)) {
    std::fprintf(stderr, "perpwire run: %s\n", error.c_str());
    return 1;
  }
  for (const std::string& n : feed_notes) {
    std::fprintf(stderr, "perpwire run: %s\n", n.c_str());
    notes_.push_back(n);
  }
  for (const std::string& n : notes_)
    if (std::find(feed_notes.begin(), feed_notes.end(), n) == feed_notes.end()) std::fprintf(stderr, "perpwire run: %s\n", n.c_str());
  feed_description_ = input.describe();
  std::printf("perpwire run: %s\n  backend %s; feed %s\n", c.path.c_str(), backend_.c_str(), feed_description_.c_str());
  if (control.running()) std::printf("  control plane %s (/metrics, /status, POST /kill, /unkill, /reload)\n", control.url().c_str());
  std::printf("  order entry: %s\n", c.order_entry.enabled ? (c.order_entry.simulator ? "simulated exchange on loopback" : (c.order_entry.host + ":" + std::to_string(c.order_entry.port)).c_str()) : "none");
  std::fflush(stdout);

  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  struct sigaction old_int {}, old_term {};
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  g_stop_signal.store(0);

  // The hot loop.
  started_ns_ = steady_ns();
  FeedFrame f;
  L4View v;
  for (;;) {
    if (const int sig = g_stop_signal.load(std::memory_order_relaxed)) {
      stop_reason_ = sig == SIGTERM ? "stopped by SIGTERM" : "stopped by SIGINT";
      break;
    }
    const FeedInput::Poll p = input.poll(f);
    if (p == FeedInput::Poll::end) break;
    const int64_t now = steady_ns();
    if (p == FeedInput::Poll::frame) {
      if (opt_.speed > 0) pace(f.timestamp_ns);
      ++frames_;
      metrics_->frames(f.line).inc();
      metrics_->frame_bytes(f.line).inc(f.length);
      const uint64_t events_before = feed_->counters().events;
      const NetError ne = parse_ethernet(f.data, f.length, false, v);
      if (ne != NetError::none) {
        feed_->on_net_drop(f.line, ne);
        metrics_->frames_dropped(f.line).inc();
      } else {
        feed_->on_datagram(f.line, f.timestamp_ns, v.payload, v.payload_len);
      }
#ifdef PERPWIRE_HAVE_HLS_CSIM_BACKEND
      if (shadow_feed_) {
        if (ne != NetError::none) shadow_feed_->on_net_drop(f.line, ne);
        else shadow_feed_->on_datagram(f.line, f.timestamp_ns, v.payload, v.payload_len);
      }
#endif
      if (feed_->counters().events != events_before) {
        metrics_->latency(LatencyStage::feed_decode).observe((uint64_t)(steady_ns() - now));
        // Requests carry the feed's own time (what staleness and throttles are measured in), never
        // the receive time: a replay decides the same way through any port.
        for (const InstrumentRun& in : instruments_)
          if (in.changed) {
            const int slot = market_->state().find(in.exchange_id);
            if (slot >= 0 && market_->state().slot(slot).last_update > event_time_) event_time_ = market_->state().slot(slot).last_update;
          }
      }
    }
    if ((frames_ & 0x3FF) == 0) market_->check_stale(event_time_, kFeedStaleNs);
    kill_drill();
    apply_control();
    trade(now);
    gate_->poll(strategy_.get());
    if (now - last_status_ns_ > 100000000) {
      last_status_ns_ = now;
      publish_status("running");
      if (now - last_progress_ns_ > 500000000) {
        last_progress_ns_ = now;
        progress(false);
      }
    }
  }
  feed_->finish(f.timestamp_ns);
  trade(0);
#ifdef PERPWIRE_HAVE_HLS_CSIM_BACKEND
  if (shadow_feed_) {
    shadow_feed_->finish(f.timestamp_ns);
    if (!shadow_path_->flush()) notes_.push_back("hls-csim: " + shadow_path_->error());
  }
#endif
  bool shadow_failed = false;
  if (shadow_) {
    const bool same = shadow_->mismatches == 0 && shadow_->unexpected == 0 && shadow_->outstanding() == 0;
    // Stopped early, the kernels may not have caught up: records still outstanding are not a difference.
    shadow_failed = shadow_->mismatches != 0 || shadow_->unexpected != 0 || (stop_reason_.empty() && shadow_->outstanding() != 0);
    notes_.push_back(fmt::format("hls-csim beside the software path: {} state records compared, {} differ, {} only from the "
                                 "kernels, {} not produced by them{}",
                                 shadow_->compared, shadow_->mismatches, shadow_->unexpected, shadow_->outstanding(),
                                 same ? " — identical" : ""));
    if (!shadow_->first_mismatch.empty()) notes_.push_back("first difference: " + shadow_->first_mismatch);
  }
  progress(true);
  const double seconds = (double)(steady_ns() - started_ns_) / 1e9;
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);

  gate_->disconnect();
  publish_status(stop_reason_.empty() ? "replay finished" : "stopped");
  control.stop();
  decision_log_.close();
  state_log_.close();

  const RunData data = report_data(seconds);
  const ReportResult rr = write_report(data, out_dir);
  std::printf("%s", rr.summary.c_str());
  if (!rr.ok) {
    std::fprintf(stderr, "perpwire run: report: %s\n", rr.error.c_str());
    return 1;
  }
  if (!rr.plots) std::printf("plots skipped: %s\n", rr.plots_note.c_str());
  if (shadow_failed) {
    std::fprintf(stderr, "perpwire run: the hls-csim backend differs from the software path (see the report)\n");
    if (opt_.strict_backend || config_->backend.strict) return 1;
  }
  std::printf("report: %s/report.md; decisions: %s/decisions.jsonl\n", out_dir.c_str(), out_dir.c_str());
  return 0;
}

}  // namespace

int run_main(const RunOptions& options) {
  RunApp app(options);
  return app.run();
}

}  // namespace pw
