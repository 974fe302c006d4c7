#include "app/run/run_app.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "app/run/kalshi_feed.hpp"
#include "app/run/run_records.hpp"
#include "app/run/shadow_backend.hpp"
#include "host/control/control_options.hpp"
#include "host/control/control_server.hpp"
#include "host/control/status.hpp"
#include "host/firm/firm_agent.hpp"
#include "host/firm/firm_view.hpp"
#include "host/dpdk/feed_input.hpp"
#include "host/gate/order_gate.hpp"
#include "host/journal/journal_replay.hpp"
#include "host/journal/journal_writer.hpp"
#include "host/metrics/tsc_clock.hpp"
#include "host/pipeline/market_stage.hpp"
#include "host/strategy/demo_strategy.hpp"
#include "host/strategy/order_file.hpp"

namespace pw {
namespace {

std::atomic<int> g_stop_signal{0};

extern "C" void on_stop_signal(int sig) { g_stop_signal.store(sig); }

int64_t clock_ns() { return TscClock::now_ns(); }

// An instrument whose channel has been silent this long (feed time, while others tick) is
// published as stale until its next event; the risk gate refuses it meanwhile.
constexpr int64_t kFeedStaleNs = 5000000000;

const char* backend_name(BackendKind k) { return to_string(k); }

std::string firm_summary(const firm::FirmStatus& s) {
  std::string text = fmt::format(
      "firm: {} slice grant(s), {} failed; fills: {} stored in the firm's stream, {} were already there, {} not "
      "stored (NATS away), {} overflowed, {} of earlier runs counted",
      s.grants, s.grant_failures, s.fills_published, s.fills_duplicate, s.fills_pending, s.fills_overflowed,
      s.fills_recovered);
  for (const auto& [key, amount] : s.released) text += fmt::format("; {} given back of {}", firm::decimal_text(amount), key);
  if (s.kill) text += "; the firm kill switch is engaged";
  if (!s.last_error.empty()) text += "; last error: " + s.last_error;
  return text;
}

class RunApp {
 public:
  explicit RunApp(const RunOptions& opt) : opt_(opt) {}
  // Configuration, logs, metrics, the gate, market state, order flow, control plane, order entry
  // and feed lines; 0 when all is ready, or the exit status.
  int setup();
  // The hot loop: until the feed ends or a stop signal.
  void loop();
  // Drains the backends, stops the sessions and writes the report; the exit status.
  int finish();

 private:
  bool choose_backend(const Config& c);
  int setup_market(const Config& c, std::string& error);
  int setup_order_flow(const Config& c);
  int setup_control(const Config& c, std::string& error);
  int setup_journal(const Config& c);
  void reconcile(const Config& c);
  void check_journal();
  int setup_feed(const Config& c, std::string& error);
  void setup_firm(const Config& c);
  void firm_round(int64_t now);
  void on_frame(const FeedFrame& f, int64_t now);
  void advance_event_time();
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
  std::string out_dir_;
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
  ShadowCompare shadow_compare_;
  std::unique_ptr<ShadowBackend> shadow_;
  std::unique_ptr<DemoStrategy> strategy_;
  std::unique_ptr<OrderFile> order_file_;
  std::unique_ptr<ControlServer> control_;
  FeedInput input_;
  std::unique_ptr<KalshiFeed> kalshi_;  // market_data.source = "kalshi_fix": in place of input_
  StatusBoard status_;
  KillSwitchBoard kills_;
  std::unique_ptr<journal::JournalWriter> journal_;
  journal::KillWho kill_who_ = journal::KillWho::control_plane;  // who set the switches the next apply_control() takes
  std::vector<int64_t> reconcile_ids_;  // open orders rebuilt from the journal, to reconcile after logon
  bool journal_failure_reported_ = false;
  std::unique_ptr<firm::FirmAgent> firm_;
  firm::FirmCaps firm_caps_{};
  bool firm_kill_ = false;
  int64_t last_firm_usage_ns_ = 0;
  uint64_t kill_generation_ = 0, config_generation_ = 0;
  std::vector<uint32_t> loss_releases_seen_;  // by account: the board's releases acted on
  std::vector<OrderRequest> requests_;
  std::vector<RiskDecision> decisions_;  // of requests_, by index
  int64_t event_time_ = 0;
  int64_t last_frame_time_ = 0;
  uint64_t frames_ = 0;
  uint64_t rounds_ = 0;  // KalshiMD loop rounds (the staleness check's cadence there)
  int64_t started_ns_ = 0, last_progress_ns_ = 0, last_status_ns_ = 0;
  int64_t first_capture_ns_ = 0;
  int64_t first_event_ns_ = 0;
  int drill_state_ = 0;  // 0 before, 1 engaged, 2 over
  std::string feed_description_;
  std::string stop_reason_;
  struct sigaction old_int_ {}, old_term_ {};
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
    backend_ = "hls-csim (beside the software path, every record compared)";
    shadow_hls_ = true;
    return true;
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
    kill_who_ = journal::KillWho::drill;
    kills_.set(t);
    drill_state_ = 1;
    notes_.push_back(fmt::format("kill-switch drill: global kill switch engaged at feed time {} for {} s", event_time_,
                                 (double)opt_.kill_drill_ns / 1e9));
  } else if (drill_state_ == 1 && event_time_ >= start + opt_.kill_drill_ns) {
    t.engage = false;
    kill_who_ = journal::KillWho::drill;
    kills_.set(t);
    drill_state_ = 2;
  }
}

void RunApp::apply_control() {
  const uint64_t kg = kills_.generation();
  const bool firm_kill = firm_ && firm_->kill();
  if (kg != kill_generation_ || firm_kill != firm_kill_) {
    const bool firm_changed = firm_kill != firm_kill_;
    kill_generation_ = kg;
    firm_kill_ = firm_kill;
    kills_.apply_to(gate_->engine(), (int)config_->accounts.size(), (int)config_->instruments.size());
    // /unkill?account=A releases A's loss-limit stop as well as its own switch.
    kills_.take_loss_releases(loss_releases_seen_, (int)config_->accounts.size(),
                              [&](int a) { gate_->release_loss_kill(a, journal::KillWho::control_plane); });
    const bool global = kills_.global() || firm_kill;  // the firm's switch and this host's, either stops it
    gate_->engine().set_kill_global(global);
    metrics_->kill_global().set(global ? 1 : 0);
    if (oe::OrderEntrySession* s = gate_->session()) {
      if (global && !s->killed()) s->kill_switch();  // mass cancel and block at the session too
      if (!global && s->killed()) s->unkill();
    }
    gate_->journal_kills(firm_changed ? journal::KillWho::firm : kill_who_);
    kill_who_ = journal::KillWho::control_plane;
  }
  const uint64_t cg = store_->generation();
  if (cg != config_generation_) {
    config_generation_ = cg;
    std::vector<std::string> errors;
    gate_->apply_limits(*store_->current(), errors);
    gate_->journal_limits(*store_->current(), journal::LimitsWhy::reload, false);
    for (const std::string& e : errors) std::fprintf(stderr, "perpwire run: reload: %s (previous limit kept)\n", e.c_str());
  }
}

// The firm agent's hand-offs: new caps from the slices it holds, and (every millisecond) what
// this host uses of them. Copies of a few hundred numbers, no wait.
void RunApp::firm_round(int64_t now) {
  HostRiskEngine& e = gate_->engine();
  const int accounts = (int)config_->accounts.size(), instruments = (int)config_->instruments.size();
  if (firm_->take_caps(firm_caps_))
    for (int a = 0; a < accounts; ++a) {
      if (e.notional_cap(a) != firm_caps_.notional[a]) e.set_notional_cap(a, firm_caps_.notional[a]);
      for (int i = 0; i < instruments; ++i)
        if (e.position_cap(a, i) != firm_caps_.contracts[a][i]) e.set_position_cap(a, i, firm_caps_.contracts[a][i]);
    }
  if (now - last_firm_usage_ns_ < 1000000) return;
  last_firm_usage_ns_ = now;
  firm::FirmUsage& u = firm_->usage().back();
  for (int a = 0; a < accounts; ++a) {
    u.notional[a] = e.account(a).filled_notional + e.account(a).reserved_notional;
    for (int i = 0; i < instruments; ++i) {
      const Exposure& x = e.position(a, i).exposure;
      u.contracts[a][i] = firm::worst_case_contracts(x.position, x.open_buy, x.open_sell);
    }
  }
  firm_->usage().publish();
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
  if (requests_.empty()) return;
  // The packet's orders: all decided, then the accepted ones encoded, then one write.
  gate_->begin_batch(frame_time);
  const size_t n = requests_.size();
  decisions_.resize(n);
  for (size_t k = 0; k < n; ++k) decisions_[k] = gate_->decide(requests_[k], frame_time);
  for (size_t k = 0; k < n; ++k) gate_->send(requests_[k], decisions_[k], frame_time);
  gate_->end_batch();
  if (strategy_)
    for (size_t k = 0; k < n; ++k) strategy_->on_decision(requests_[k], decisions_[k]);
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
    as.loss_limit_stop = gate_->engine().kill_loss((int)a);
    as.killed = gate_->engine().kill_account((int)a) || as.loss_limit_stop;
    as.cash = gate_->engine().account((int)a).cash;
    const AccountMargin am = gate_->engine().account_margin((int)a);
    as.equity = am.equity;
    as.margin_requirement = am.requirement;
    for (size_t i = 0; i < instruments_.size(); ++i) as.positions.push_back(gate_->engine().position((int)a, (int)i).exposure.position);
    as.accepted = metrics_->account((int)a).accepted->value();
    as.rejected = metrics_->account((int)a).rejected->value();
    as.daily_notional_used = gate_->engine().account((int)a).filled_notional;
    as.reserved_notional = gate_->engine().account((int)a).reserved_notional;
    as.open_orders = gate_->engine().open_orders((int)a);
    s.accounts.push_back(std::move(as));
  }
  status_.publish(std::move(s));
}

// Waits until the frame is due at the requested pace (replays for demos and tests); a stop signal
// ends the wait.
void RunApp::pace(int64_t capture_ns) {
  if (first_capture_ns_ == 0) first_capture_ns_ = capture_ns;
  const int64_t due = started_ns_ + (int64_t)((double)(capture_ns - first_capture_ns_) / opt_.speed);
  while (clock_ns() < due && g_stop_signal.load(std::memory_order_relaxed) == 0) {
    const int64_t left = due - clock_ns();
    std::this_thread::sleep_for(std::chrono::nanoseconds(left > 1000000 ? 1000000 : left));
    if (clock_ns() - last_status_ns_ > 100000000) {
      last_status_ns_ = clock_ns();
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
  {
    const oe::SessionHealth h = gate_->session_health();
    d.facts.push_back({"order entry", fmt::format("logons {}, disconnects {}, resend requests {}; set aside: duplicates {}, refused "
                                                  "messages {}, protocol errors {}, reports of unknown orders {}, reports with "
                                                  "impossible quantities {}; requests refused by the session {}",
                                                  h.logons, h.disconnects, h.resend_requests, h.duplicates_ignored, h.refused_messages,
                                                  h.protocol_errors, h.unknown_order_events, h.impossible_quantities, h.local_rejects)});
  }
  if (g.loss_limit_kills > 0 || g.loss_limit_releases > 0)
    d.facts.push_back({"loss limit", fmt::format("{} account(s) stopped by their loss limit, {} open orders canceled; {} "
                                                 "stop(s) released by the control plane",
                                                 g.loss_limit_kills, g.loss_limit_cancels, g.loss_limit_releases)});
  if (strategy_) {
    // Each probe kind: refused for the reason (and detail) it aims at / sent.
    const ProbeStats& ps = strategy_->probe_stats();
    std::string text;
    for (int k = 0; k < kProbeKindCount; ++k)
      if (ps.sent[k] != 0)
        text += fmt::format("{}{} {}/{}", text.empty() ? "" : ", ", probe_kind_name((ProbeKind)k), ps.hit[k], ps.sent[k]);
    if (!text.empty()) d.facts.push_back({"probes", "refused as aimed / sent: " + text});
  }
  if (g.session_drops > 0)
    d.facts.push_back({"session down", fmt::format("{} drop(s) of the order-entry session, {} back logged on and reconciled; {} new "
                                                   "requests refused meanwhile (session_down); {} orders open at a drop canceled once back",
                                                   g.session_drops, g.session_recoveries, g.refused_session_down, g.disconnect_cancels)});
  if (g.unsynced_outages > 0)
    d.facts.push_back({"unsynced book", fmt::format("{} time(s) a book stayed unsynced longer than [risk] cancel_after; {} open orders "
                                                    "canceled", g.unsynced_outages, g.unsynced_cancels)});
  for (const std::string& n : notes_) d.facts.push_back({"note", n});
  for (int s = 0; s < kLatencyStageCount; ++s) {
    LatencySeries ls = LatencySeries::from_histogram(latency_stage_name((LatencyStage)s), metrics_->latency((LatencyStage)s).snapshot());
    if (ls.count() > 0) d.latency.push_back(std::move(ls));
  }
  d.facts.push_back({"latency stages", "rx_to_book = frame received → decoded, books, mark and funding updated; rx_to_decision = "
                                       "frame received → risk decision; rx_to_order = frame received → order bytes handed to the "
                                       "socket; risk_check = the risk gate alone; order_to_ack = order sent → exchange ack"});
  for (const InstrumentRun& in : instruments_) {
    InstrumentSeries s = in.series;
    s.symbol = in.symbol;
    d.instruments.push_back(std::move(s));
  }
  d.orders_accepted = g.accepted;
  const RiskCounters& rc = gate_->engine().counters();
  for (int r = 1; r < kRejectReasonCount; ++r)
    if (rc.rejected[r] != 0) d.rejects.push_back({reject_reason_name((RejectReason)r), rc.rejected[r]});
  for (int k = 1; k < (int)RejectDetail::count_; ++k) {
    const uint64_t n = g.rejected_by_detail[(size_t)k];
    if (n != 0) {
      std::string name = reject_reason_name(reason_of((RejectDetail)k));
      name += " / ";
      name += reject_detail_name((RejectDetail)k);
      d.reject_details.push_back({name, n});
    }
  }
  return d;
}

int RunApp::setup() {
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
  out_dir_ = !opt_.output_dir.empty() ? opt_.output_dir : c.output.dir;
  std::error_code ec;
  std::filesystem::create_directories(out_dir_, ec);
  std::string error;
  if (!decision_log_.open(out_dir_ + "/decisions.jsonl", error) || (!opt_.state_log.empty() && !state_log_.open(opt_.state_log, error))) {
    std::fprintf(stderr, "perpwire run: %s\n", error.c_str());
    return 1;
  }
  if (const int rc = setup_market(c, error)) return rc;
  if (const int rc = setup_order_flow(c)) return rc;
  if (const int rc = setup_journal(c)) return rc;
  if (c.firm.enabled) setup_firm(c);
  if (const int rc = setup_control(c, error)) return rc;
  publish_status("starting");
  if (!gate_->connect(error)) {
    std::fprintf(stderr, "perpwire run: %s\n", error.c_str());
    return 1;
  }
  reconcile(c);
  return setup_feed(c, error);
}

// The risk journal: an existing one is replayed through the engine (the state it rebuilds is the
// run's starting state), then appended to. Errors here stop the start: never trade on a state
// that could not be rebuilt.
int RunApp::setup_journal(const Config& c) {
  if (c.journal.dir.empty()) return 0;
  std::error_code ec;
  std::filesystem::create_directories(c.journal.dir, ec);
  if (ec) {
    std::fprintf(stderr, "perpwire run: journal: cannot create %s: %s\n", c.journal.dir.c_str(), ec.message().c_str());
    return 2;
  }
  const std::string path = (std::filesystem::path(c.journal.dir) / journal::kFileName).string();
  HostRiskEngine& e = gate_->engine();
  journal::ReplaySummary sum;
  const journal::ReadResult rr = gate_->restore(path, sum, reconcile_ids_);
  if (!rr.ok) {
    std::fprintf(stderr, "perpwire run: %s\n", rr.error.c_str());
    return 2;
  }
  const bool restored = rr.records > 0;
  if (restored) {  // the config's limits take force from now on; cash stays as rebuilt
    std::vector<std::string> errors;
    gate_->apply_limits(c, errors);
  }
  if (rr.torn_bytes > 0 && rr.valid_bytes == 0) std::filesystem::remove(path, ec);  // not even a whole header
  journal::WriterOptions wo;
  wo.sync_within_ns = c.journal.sync_within_ns;
  journal_ = std::make_unique<journal::JournalWriter>();
  std::string error;
  if (!journal_->open(path, rr.torn_bytes > 0 ? rr.valid_bytes : 0, wo, error)) {
    std::fprintf(stderr, "perpwire run: %s\n", error.c_str());
    return 2;
  }
  gate_->set_journal(journal_.get());
  gate_->journal_limits(c, restored ? journal::LimitsWhy::restart : journal::LimitsWhy::start, !restored);
  if (!restored) {
    notes_.push_back(fmt::format("journal {}: new (sync within {} us)", path, c.journal.sync_within_ns / 1000));
    return 0;
  }
  // The switches rebuilt are the control plane's from now on (a later /kill or /unkill changes them).
  KillTarget t;
  std::string kills;
  if (e.kill_global()) {
    t.scope = KillTarget::Scope::global;
    kills_.set(t);
    kills += " global";
  }
  for (size_t a = 0; a < c.accounts.size(); ++a)
    if (e.kill_account((int)a)) {
      t.scope = KillTarget::Scope::account;
      t.index = (int)a;
      kills_.set(t);
      kills += " " + c.accounts[a].name;
    }
  for (size_t i = 0; i < c.instruments.size(); ++i)
    if (e.kill_instrument((int)i)) {
      t.scope = KillTarget::Scope::instrument;
      t.index = (int)i;
      kills_.set(t);
      kills += " " + c.instruments[i].symbol;
    }
  for (size_t a = 0; a < c.accounts.size(); ++a)  // the engine's own: released by /unkill?account=
    if (e.kill_loss((int)a)) kills += " " + c.accounts[a].name + " (loss limit)";
  std::string positions;
  for (size_t a = 0; a < c.accounts.size(); ++a) {
    positions += fmt::format("; {}: cash {:.2f}, daily notional used {:.2f}", c.accounts[a].name, (double)e.account((int)a).cash / 1e9,
                             (double)e.account((int)a).filled_notional / 1e9);
    for (size_t i = 0; i < c.instruments.size(); ++i)
      if (const int64_t p = e.position((int)a, (int)i).exposure.position) positions += fmt::format(", {} {}", c.instruments[i].symbol, p);
  }
  notes_.push_back(fmt::format("journal {}: restored from {} records ({} requests replayed, {} accepted; {} fills; {} limit sets, "
                               "the last from {} ({}); {} kill-switch changes): {} open orders, kill switches:{}{}",
                               path, rr.records, sum.by_type[(int)journal::RecordType::request], sum.accepted,
                               sum.by_type[(int)journal::RecordType::fill], sum.limit_loads, sum.limits_source,
                               journal::limits_why_name(sum.limits_why), sum.kill_changes, reconcile_ids_.size(),
                               kills.empty() ? " none" : kills, positions));
  if (!rr.torn.empty()) notes_.push_back("journal: the last record was damaged by the stop before this start: " + rr.torn);
  if (!reconcile_ids_.empty() && c.order_entry.enabled) gate_->set_reconcile_pending(true);
  return 0;
}

// After logon: the open orders rebuilt from the journal against the exchange's. The simulated
// exchange runs in this process and starts empty, so it holds none of them: each is released
// (journaled as canceled). A real venue's order status is not asked yet: new orders stay refused.
void RunApp::reconcile(const Config& c) {
  if (reconcile_ids_.empty() || !gate_->reconcile_pending()) return;
  if (!c.order_entry.simulator) {
    notes_.push_back(fmt::format("reconcile: {} open orders rebuilt from the journal; asking the venue for their status is not "
                                 "supported yet, so new orders stay refused (reconcile_pending)",
                                 reconcile_ids_.size()));
    return;
  }
  for (int64_t id : reconcile_ids_) gate_->release_unknown_order(id);
  gate_->set_reconcile_pending(false);
  notes_.push_back(fmt::format("reconcile: {} open orders rebuilt from the journal, 0 of them open at the simulated exchange "
                               "(it starts empty): {} differences, each released as canceled; trading resumed",
                               reconcile_ids_.size(), reconcile_ids_.size()));
}

// A journal that failed stops new orders (the gate refuses them); said once, in one line.
void RunApp::check_journal() {
  if (!journal_ || journal_->healthy() || journal_failure_reported_) return;
  journal_failure_reported_ = true;
  notes_.push_back(journal_->failure() + ": new orders refused from then on (journal_unavailable)");
  std::fprintf(stderr, "perpwire run: %s\n", notes_.back().c_str());
}

// Metrics, instruments, the gate, the market state and the backend beside the software path.
int RunApp::setup_market(const Config& c, std::string& error) {
  std::vector<std::string> symbols, accounts;
  for (const InstrumentConfig& ic : c.instruments) symbols.push_back(ic.symbol);
  for (const AccountConfig& ac : c.accounts) accounts.push_back(ac.name);
  registry_ = std::make_unique<MetricsRegistry>();
  metrics_ = std::make_unique<AppMetrics>(*registry_, symbols, accounts);
  gate_ = std::make_unique<OrderGate>(c, *metrics_, decision_log_);
  gate_->set_order_stamp(opt_.order_sink == OrderSink::memory ? OrderGate::OrderStamp::encoded : OrderGate::OrderStamp::sent);
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
  if (shadow_hls_) {
    shadow_ = make_hls_csim_shadow(setup, c.feeds.reorder_wait_ns, shadow_compare_, error);
    if (!shadow_) {
      std::fprintf(stderr, "perpwire run: hls-csim: %s\n", error.c_str());
      return 2;
    }
    records_->compare = &shadow_compare_;
  }
  return 0;
}

// The demo strategy and the orders file.
int RunApp::setup_order_flow(const Config& c) {
  if (opt_.demo) {
    std::vector<StrategyInstrument> si;
    for (size_t i = 0; i < c.instruments.size(); ++i)
      si.push_back({(int)i, c.instruments[i].id, c.instruments[i].tick, c.instruments[i].contract_size, c.instruments[i].limits});
    strategy_ = std::make_unique<DemoStrategy>(DemoStrategyConfig{}, si, (int)c.accounts.size());
    strategy_->set_accounts(c);
    requests_.reserve((size_t)strategy_->max_requests_per_call() + 64);
    decisions_.reserve(requests_.capacity());
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
  return 0;
}

// The firm agent: connects, takes over this host's lease, asks for the first slices, and hands the
// engine its caps and the firm kill flag before the first order.
void RunApp::setup_firm(const Config& c) {
  std::string venue = c.firm.venue;
  // The simulated exchange's execution ids start over with every run; the run's start time keeps
  // its fills apart from an earlier run's in the firm's stream.
  if (c.order_entry.simulator)
    venue += fmt::format(".run{}", firm::wall_ms());
  firm_ = std::make_unique<firm::FirmAgent>(c, venue, registry_.get());
  firm_->set_spool(out_dir_ + "/firm_unsent_fills.txt");
  firm_->start();
  gate_->set_fill_ring(&firm_->fills());
  firm_round(clock_ns());
  apply_control();
  const firm::FirmStatus st = firm_->status();
  if (opt_.print) {
    std::printf("  firm %s as %s: %s, %zu slice(s), kill switch %s\n", c.firm.servers.front().c_str(), c.firm.host_id.c_str(),
                st.connected ? "connected" : "NATS unreachable", st.holdings.size(),
                !st.kill_known ? "unknown (fail closed: nothing held)" : st.kill ? "ENGAGED" : "off");
  }
  if (!st.connected)
    notes_.push_back("firm: NATS unreachable at start (" + st.last_error + "): trading only inside slices held (none until it answers)");
}

int RunApp::setup_control(const Config& c, std::string& error) {
  ControlHandlers h;
  h.metrics = [this] { return registry_->render_prometheus(); };
  h.status = [this] {
    if (!firm_) return status_.json();
    nlohmann::json doc = nlohmann::json::parse(status_.json());
    doc["firm"] = firm::firm_status_json(firm_->status());
    return doc.dump();
  };
  h.kill = make_kill_handler(*store_, kills_, metrics_.get());
  h.reload = make_reload_handler(*store_, metrics_.get());
  control_ = std::make_unique<ControlServer>(h);
  if (c.control.enabled) {
    ControlServerOptions co;
    std::string token_path;
    if (!control_server_options(c.control, out_dir_, registry_.get(), co, token_path, error) || !control_->start(co, error)) {
      std::fprintf(stderr, "perpwire run: control plane: %s\n", error.c_str());
      return 1;
    }
  }
  return 0;
}

// The feed lines; a line with no usable source (a capture that cannot be read, or of a link type
// perpwire does not parse) is a bad configuration.
int RunApp::setup_feed(const Config& c, std::string& error) {
  std::vector<std::string> feed_notes;
  if (c.market_data.source == MarketDataSource::kalshi_fix) {
    kalshi_ = std::make_unique<KalshiFeed>();
    if (!kalshi_->start(c, *counter_, error)) {
      std::fprintf(stderr, "perpwire run: %s\n", error.c_str());
      return 2;
    }
  } else if (!input_.open(c.feeds, opt_.eal_args, {}, error, feed_notes)) {
    std::fprintf(stderr, "perpwire run: %s\n", error.c_str());
    return 2;
  }
  for (const std::string& n : feed_notes) {
    std::fprintf(stderr, "perpwire run: %s\n", n.c_str());
    notes_.push_back(n);
  }
  for (const std::string& n : notes_)
    if (std::find(feed_notes.begin(), feed_notes.end(), n) == feed_notes.end()) std::fprintf(stderr, "perpwire run: %s\n", n.c_str());
  feed_description_ = kalshi_ ? kalshi_->describe() : input_.describe();
  if (opt_.print) {
    std::printf("perpwire run: %s\n  backend %s; feed %s\n", c.path.c_str(), backend_.c_str(), feed_description_.c_str());
    if (control_->running()) std::printf("  control plane %s (/metrics, /status, POST /kill, /unkill, /reload)\n", control_->url().c_str());
    const char* protocol = c.order_entry.protocol == OrderEntryProtocol::fix ? "FIX 4.4" : "Orders SBE";
    std::printf("  order entry: %s%s%s\n", c.order_entry.enabled ? (c.order_entry.simulator ? "simulated exchange on loopback" : (c.order_entry.host + ":" + std::to_string(c.order_entry.port)).c_str()) : "none",
                c.order_entry.enabled ? ", " : "", c.order_entry.enabled ? protocol : "");
    std::fflush(stdout);
  }

  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
  g_stop_signal.store(0);
  return 0;
}

// `rx` is the frame's receive time: every latency stage of the orders it causes starts there.
void RunApp::on_frame(const FeedFrame& f, int64_t rx) {
  ++frames_;
  last_frame_time_ = f.timestamp_ns;
  metrics_->frames(f.line).inc();
  metrics_->frame_bytes(f.line).inc(f.length);
  const uint64_t events_before = feed_->counters().events;
  if (feed_->on_frame(f.line, f.timestamp_ns, f.link, f.data, f.length) != NetError::none) metrics_->frames_dropped(f.line).inc();
  if (feed_->counters().events != events_before) {
    metrics_->latency(LatencyStage::rx_to_book).observe((uint64_t)(clock_ns() - rx));
    advance_event_time();
  }
  if (shadow_) shadow_->on_frame(f);  // the backend beside the software path, outside its timing
}

// Requests carry the feed's own time (what staleness and throttles are measured in), never the
// receive time: a replay decides the same way through any port.
void RunApp::advance_event_time() {
  for (const InstrumentRun& in : instruments_)
    if (in.changed) {
      const int slot = market_->state().find(in.exchange_id);
      if (slot >= 0 && market_->state().slot(slot).last_update > event_time_) event_time_ = market_->state().slot(slot).last_update;
    }
}

void RunApp::loop() {
  TscClock::calibrate();
  started_ns_ = clock_ns();
  FeedFrame f;
  for (;;) {
    if (const int sig = g_stop_signal.load(std::memory_order_relaxed)) {
      stop_reason_ = sig == SIGTERM ? "stopped by SIGTERM" : "stopped by SIGINT";
      break;
    }
    FeedInput::Poll p = FeedInput::Poll::idle;
    if (kalshi_) {  // KalshiMD: its events go straight to the market stage (event times: SendingTime)
      if (kalshi_->finished()) break;
      kalshi_->poll(clock_ns());
      advance_event_time();
      ++rounds_;
    } else {
      p = input_.poll(f);
    }
    if (p == FeedInput::Poll::end) break;
    if (p == FeedInput::Poll::frame && opt_.speed > 0) pace(f.timestamp_ns);
    const int64_t now = clock_ns();
    if (p == FeedInput::Poll::frame) on_frame(f, now);
    if (((kalshi_ ? rounds_ : frames_) & 0x3FF) == 0) market_->check_stale(event_time_, kFeedStaleNs);
    kill_drill();
    apply_control();
    if (firm_) firm_round(now);
    trade(now);
    // The exchange's answers due by this feed time; never a wait for one.
    gate_->step(event_time_, strategy_.get());
    // The frame's orders are out: the slow path catches up on the margin thresholds they left stale.
    gate_->engine().refresh_margin_thresholds();
    if (now - last_status_ns_ > 100000000) {
      last_status_ns_ = now;
      publish_status("running");
      check_journal();
      if (now - last_progress_ns_ > 500000000) {
        last_progress_ns_ = now;
        progress(false);
      }
    }
  }
}

int RunApp::finish() {
  feed_->finish(last_frame_time_);
  if (kalshi_) notes_.push_back(kalshi_->summary());
  trade(0);
  gate_->finish(strategy_.get());
  if (firm_) {
    last_firm_usage_ns_ = 0;
    firm_round(clock_ns() + 1000000);  // the final usage: what the agent keeps when it gives back the rest
    firm_->stop(true);  // a clean stop gives back what it did not use
    notes_.push_back(firm_summary(firm_->status()));
  }
  bool shadow_failed = false;
  if (shadow_) {
    shadow_->finish(last_frame_time_, notes_);
    shadow_failed = shadow_compare_.differs(!stop_reason_.empty());
    notes_.push_back(shadow_compare_.summary("hls-csim"));
    if (!shadow_compare_.first_mismatch.empty()) notes_.push_back("first difference: " + shadow_compare_.first_mismatch);
  }
  progress(true);
  const double seconds = (double)(clock_ns() - started_ns_) / 1e9;
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);

  gate_->disconnect();
  if (journal_) {
    journal_->flush();
    check_journal();
    journal_->close();
    const journal::WriterCounters jc = journal_->counters();
    const OrderGateCounters& g = gate_->counters();
    notes_.push_back(fmt::format("journal {}: {} records durable in {} batches (slowest write + fdatasync {:.3f} ms), {} not "
                                 "written; requests refused: {} journal_unavailable, {} reconcile_pending",
                                 journal_->path(), jc.records, jc.batches, (double)jc.max_batch_ns / 1e6, jc.dropped,
                                 g.refused_journal, g.refused_reconcile));
  }
  publish_status(stop_reason_.empty() ? "replay finished" : "stopped");
  control_->stop();
  decision_log_.close();
  state_log_.close();

  const RunData data = report_data(seconds);
  if (opt_.latency) *opt_.latency = data.latency;
  const ReportResult rr = write_report(data, out_dir_);
  if (opt_.print) std::printf("%s", rr.summary.c_str());
  if (!rr.ok) {
    std::fprintf(stderr, "perpwire run: report: %s\n", rr.error.c_str());
    return 1;
  }
  if (!rr.plots && opt_.print) std::printf("plots skipped: %s\n", rr.plots_note.c_str());
  if (shadow_failed) {
    std::fprintf(stderr, "perpwire run: the hls-csim backend differs from the software path (see the report)\n");
    if (opt_.strict_backend || config_->backend.strict) return 1;
  }
  // Frames came in but none carried a market event: every one was dropped (wrong link layer,
  // wrong port, damaged). Never report success for a run that processed nothing.
  const FeedCounters& fc = feed_->counters();
  if (frames_ > 0 && fc.events == 0 && stop_reason_.empty()) {
    const std::string drops = feed_drops_text(fc);  // " reason=count…"
    std::fprintf(stderr, "perpwire run: %llu frames but no market event decoded: every frame was dropped (%s)\n",
                 (unsigned long long)frames_, drops.empty() ? "no datagram decoded" : drops.c_str() + 1);
    return 1;
  }
  if (opt_.print) std::printf("report: %s/report.md; decisions: %s/decisions.jsonl\n", out_dir_.c_str(), out_dir_.c_str());
  return 0;
}

}  // namespace

int run_main(const RunOptions& options) {
  RunApp app(options);
  if (const int rc = app.setup()) return rc;
  app.loop();
  return app.finish();
}

}  // namespace pw
