#include "host/gate/order_gate.hpp"

#include <fmt/format.h>

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "host/firm/fill_ring.hpp"
#include "host/fix/fix_session.hpp"
#include "host/fix/fix_venue_sim.hpp"
#include "host/journal/journal_writer.hpp"
#include "host/metrics/tsc_clock.hpp"
#include "host/strategy/demo_strategy.hpp"

namespace pw {
using namespace oe;

namespace {

constexpr size_t kSendTimeSlots = 4096;  // order-ack latency: send times by client order id modulo this
// The session's order-state table: room for every order the risk engine can hold open (1024) and
// the most recent final ones, which are forgotten once it is three quarters full. Kept small on
// purpose: every order reads and writes its record (host/orders/order_table.hpp says what a table
// that does not fit the cache costs).
constexpr uint32_t kSessionOrders = 8192;
constexpr uint32_t kForgetFinalAbove = kSessionOrders / 4 * 3;

std::string limits_error_text(const std::string& where, LimitsError e) {
  return fmt::format("{}: {} ({})", where, limit_field_name(e.field), limits_errc_name(e.code));
}

}  // namespace

OrderGate::OrderGate(const Config& config, AppMetrics& metrics, StateLogWriter& decisions)
    : config_(config), metrics_(metrics), decisions_(decisions), engine_(std::make_unique<HostRiskEngine>()),
      send_time_(kSendTimeSlots, 0) {
  pending_decisions_.reserve(1024);
  open_at_drop_.reserve(1024);  // every order the engine can hold open
  for (const InstrumentConfig& ic : config.instruments) exchange_ids_.push_back(ic.id);
  sim_markets_.resize(exchange_ids_.size());
  markets_.resize(exchange_ids_.size());
  unsynced_since_.assign(exchange_ids_.size(), -1);  // never synced yet: nothing can rest there
  unsynced_canceled_.assign(exchange_ids_.size(), 0);
  market_journaled_.assign(exchange_ids_.size(), 1);
  kill_journaled_.assign(1 + config.accounts.size() + config.instruments.size(), 0);
  loss_canceled_.assign(config.accounts.size(), 0);
  loss_journaled_.assign(config.accounts.size(), 0);
  std::vector<std::string> errors;
  apply_limits(config, errors);
  for (size_t a = 0; a < config.accounts.size(); ++a) engine_->set_cash((int)a, config.accounts[a].cash);
}

OrderGate::~OrderGate() { disconnect(); }

void OrderGate::apply_limits(const Config& c, std::vector<std::string>& errors) {
  for (size_t a = 0; a < c.accounts.size(); ++a) {
    const LimitsError e = engine_->set_account_limits((int)a, c.accounts[a].limits);
    if (!e.ok()) errors.push_back(limits_error_text("accounts." + c.accounts[a].name, e));
  }
  for (size_t i = 0; i < c.instruments.size(); ++i) {
    const LimitsError e = engine_->set_instrument_limits((int)i, c.instruments[i].limits);
    if (!e.ok()) errors.push_back(limits_error_text("instruments." + c.instruments[i].symbol, e));
  }
  const LimitsError e = engine_->set_session_limits(0, c.order_entry.limits);
  if (!e.ok()) errors.push_back(limits_error_text("order_entry", e));
}

bool OrderGate::start_simulator(std::string& error) {
  const OrderEntryConfig& oe = config_.order_entry;
  if (oe.protocol == OrderEntryProtocol::fix) {
    fix::FixVenueConfig vc;
    vc.port = oe.port;
    vc.sender_comp_id = oe.fix_target_comp_id;
    vc.target_comp_id = oe.fix_sender_comp_id;
    vc.username = oe.username;
    vc.password = oe.password;
    vc.dictionary = oe.fix_dictionary;
    vc.store_dir = fix_temp_dir_ + "/venue";
    vc.heartbeat_seconds = (int32_t)(oe.heartbeat_ns / 1000000000);
    vc.reset_store_on_start = true;  // a fresh venue every run
    vc.feed_clock = true;
    vc.ack_latency_ns = oe.ack_latency_ns;
    for (const InstrumentConfig& ic : config_.instruments) vc.symbols.emplace_back(ic.id, ic.symbol);
    fix_sim_ = std::make_unique<fix::FixVenueSim>(vc);
    for (const InstrumentConfig& ic : config_.instruments) fix_sim_->add_instrument(ic.id, ic.tick);
    if (!fix_sim_->listen(error)) {
      fix_sim_.reset();
      return false;
    }
    return true;
  }
  ExchangeSimConfig sc;
  sc.port = oe.port;
  sc.users[oe.username] = oe.password;
  // Answers in feed time: the run loop moves the exchange's clock and drives it (step()).
  sc.feed_clock = true;
  sc.ack_latency_ns = oe.ack_latency_ns;
  sim_ = std::make_unique<ExchangeSim>(sc);
  for (const InstrumentConfig& ic : config_.instruments) sim_->add_instrument(ic.id, ic.tick);
  if (!sim_->listen(error)) {
    error = "simulated exchange: " + error;
    sim_.reset();
    return false;
  }
  return true;
}

void OrderGate::simulator_poll(int timeout_ms) {
  if (sim_) sim_->poll_once(timeout_ms);
  if (fix_sim_) fix_sim_->poll_once(timeout_ms);
}

void OrderGate::simulator_set_feed_time(int64_t feed_ns) {
  if (sim_) sim_->set_feed_time(feed_ns);
  if (fix_sim_) fix_sim_->set_feed_time(feed_ns);
}

uint64_t OrderGate::simulator_received() const {
  if (sim_) return sim_->counters().messages_in;
  return fix_sim_ ? fix_sim_->messages_received() : 0;
}

uint64_t OrderGate::simulator_sent() const {
  if (sim_) return sim_->counters().messages_out;
  return fix_sim_ ? fix_sim_->messages_sent() : 0;
}

bool OrderGate::connect(std::string& error) {
  const OrderEntryConfig& oe = config_.order_entry;
  if (!oe.enabled) return true;
  const bool fix = oe.protocol == OrderEntryProtocol::fix;
  if (fix) {
    fix_temp_dir_ = oe.fix_store_dir;
    if (fix_temp_dir_.empty()) {
      char tmpl[] = "/tmp/perpwire-fix-XXXXXX";  // sequence numbers of this run only
      if (::mkdtemp(tmpl) == nullptr) {
        error = "order entry: cannot create a temporary FIX store directory";
        return false;
      }
      fix_temp_dir_ = tmpl;
    } else {
      std::error_code ec;
      std::filesystem::create_directories(fix_temp_dir_, ec);
    }
  }
  if (oe.simulator && !start_simulator(error)) return false;
  const std::string host = oe.host == "localhost" ? "127.0.0.1" : oe.host;
  const uint16_t port = sim_ ? sim_->port() : fix_sim_ ? fix_sim_->port() : oe.port;
  if (fix) {
    fix::FixSessionConfig f;
    f.host = host;
    f.port = port;
    f.sender_comp_id = oe.fix_sender_comp_id;
    f.target_comp_id = oe.fix_target_comp_id;
    f.username = oe.username;
    f.password = oe.password;
    f.account = oe.fix_account;
    f.dictionary = oe.fix_dictionary;
    f.store_dir = fix_temp_dir_ + "/client";
    f.heartbeat_seconds = (int32_t)(oe.heartbeat_ns / 1000000000);
    f.reset_store_on_start = oe.simulator;  // the simulated venue starts fresh; a real one resumes
    for (const InstrumentConfig& ic : config_.instruments) f.symbols.emplace_back(ic.id, ic.symbol);
    session_ = std::make_unique<fix::FixSession>(f);
  } else {
    SessionConfig s;
    s.host = host;
    s.port = port;
    s.username = oe.username;
    s.password = oe.password;
    s.default_heartbeat_seconds = (int32_t)(oe.heartbeat_ns / 1000000000);
    s.max_orders = kSessionOrders;
    auto sbe = std::make_unique<OrderSession>(s);
    sbe_session_ = sbe.get();
    session_ = std::move(sbe);
  }
  session_->start(TscClock::wall_ns());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!session_->active()) {
    session_->poll(TscClock::wall_ns());
    OrderEvent e;
    while (session_->next_event(e)) on_event(e, nullptr);
    if (!session_->last_error().empty() && session_->state() == SessionState::disconnected) {
      error = "order entry: " + session_->last_error();
      return false;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      error = fmt::format("order entry: no logon with {}:{} within 5 s (session {})", host, port,
                          session_state_name(session_->state()));
      return false;
    }
    if (has_simulator()) simulator_poll(1);  // the exchange runs in this thread: its turn
    else std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

void OrderGate::disconnect() {
  if (session_ && session_->active()) {
    closing_ = true;  // the end of the session is no outage
    session_->logout("end of run");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (session_->state() != SessionState::disconnected && std::chrono::steady_clock::now() < deadline) {
      session_->poll(TscClock::wall_ns());
      OrderEvent e;
      while (session_->next_event(e)) on_event(e, nullptr);
      if (has_simulator()) simulator_poll(1);
      else std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  if (session_) final_health_ = session_->health();
  session_.reset();
  sbe_session_ = nullptr;
  if (sim_) sim_->stop();
  sim_.reset();
  fix_sim_.reset();
  if (!fix_temp_dir_.empty() && config_.order_entry.fix_store_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(fix_temp_dir_, ec);  // this run's numbers only
  }
  fix_temp_dir_.clear();
}

void OrderGate::set_market(int i, const InstrumentMarket& m, int32_t bid_qty, int32_t ask_qty) {
  const bool jump_state = engine_->set_market(i, m);
  if (i >= 0 && (size_t)i < markets_.size()) {
    markets_[(size_t)i] = m;
    market_journaled_[(size_t)i] = 0;  // journaled before the next input that is checked against it
    // An update that moved the jump band's window or fired it changes what later checks answer
    // even if no input is checked against it: journaled now, so a restart replays it.
    if (jump_state && journal_) journal_markets();
  }
  cancel_loss_limited();
  if (has_simulator() && i >= 0 && (size_t)i < exchange_ids_.size()) {
    // The simulated venue matches against the replayed book top — at the next step(), after the
    // packet's orders are out: its matching and answers are the venue's work, not this path's.
    sim_markets_[(size_t)i] = SimMarket{m.best_bid, m.best_ask, bid_qty, ask_qty, true};
    dirty_ = true;
  }
}

void OrderGate::apply_funding(int instrument, int64_t mark, int64_t rate) {
  engine_->apply_funding(instrument, mark, rate);
  journal_record(journal::RecordType::funding, journal::FundingRec{instrument, 0, mark, rate});
  cancel_loss_limited();
}

void OrderGate::roll_day(int64_t time) {
  engine_->reset_daily();
  journal_record(journal::RecordType::day_roll, journal::DayRollRec{time});
}

template <class T>
void OrderGate::journal_record(journal::RecordType type, const T& rec) {
  if (!journal_) return;
  journal_markets();
  journal_->append(type, rec);  // a record not taken fails the journal: new requests are refused
}

void OrderGate::journal_markets() {
  for (size_t i = 0; i < markets_.size(); ++i) {
    if (market_journaled_[i]) continue;
    market_journaled_[i] = 1;
    journal::MarketRec rec{};
    rec.instrument = (int32_t)i;
    rec.market = markets_[i];
    journal_->append(journal::RecordType::market, rec);
  }
}

journal::ReadResult OrderGate::restore(const std::string& path, journal::ReplaySummary& sum, std::vector<int64_t>& open_ids) {
  engine_->reset();
  std::vector<int64_t> accepted;
  journal::ReadResult rr = journal::read_journal(path, [&](const journal::RecordView& v, std::string& error) {
    if (!journal::apply_record(*engine_, v, sum, error)) return false;
    if (v.type == journal::RecordType::request) {
      journal::RequestRec r;
      std::memcpy(&r, v.payload, sizeof(r));
      if (r.accepted && r.request.kind == OrderKind::new_order) accepted.push_back(r.request.client_order_id);
    }
    return true;
  });
  if (rr.records == 0) {  // nothing rebuilt: the config's limits and cash, as the gate was made with
    std::vector<std::string> errors;
    engine_->reset();
    apply_limits(config_, errors);
    for (size_t a = 0; a < config_.accounts.size(); ++a) engine_->set_cash((int)a, config_.accounts[a].cash);
  }
  open_ids.clear();
  for (int64_t id : accepted)
    if (engine_->find_order(id)) open_ids.push_back(id);
  loss_kill_seen_ = 0;  // the stops the replay engaged cancel at the next step
  std::fill(loss_canceled_.begin(), loss_canceled_.end(), 0);
  sync_journaled_kills();
  return rr;
}

void OrderGate::journal_limits(const Config& c, journal::LimitsWhy why, bool with_cash) {
  if (!journal_) return;
  uint8_t buf[journal::kMaxPayload];
  journal::LimitsLoaded head{};
  head.wall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  head.why = (uint8_t)why;
  std::memcpy(buf, &head, sizeof(head));
  const size_t path_bytes = std::min(c.path.size(), sizeof(buf) - sizeof(head));
  std::memcpy(buf + sizeof(head), c.path.data(), path_bytes);
  journal_->append(journal::RecordType::limits_loaded, buf, sizeof(head) + path_bytes);
  for (size_t a = 0; a < c.accounts.size(); ++a)
    journal_->append(journal::RecordType::account_limits, journal::AccountLimitsRec{(int32_t)a, 0, c.accounts[a].limits});
  for (size_t i = 0; i < c.instruments.size(); ++i)
    journal_->append(journal::RecordType::instrument_limits, journal::InstrumentLimitsRec{(int32_t)i, 0, c.instruments[i].limits});
  journal_->append(journal::RecordType::session_limits, journal::SessionLimitsRec{0, 0, c.order_entry.limits});
  if (with_cash)
    for (size_t a = 0; a < c.accounts.size(); ++a)
      journal_->append(journal::RecordType::cash, journal::CashRec{(int32_t)a, 0, c.accounts[a].cash});
}

void OrderGate::journal_kills(journal::KillWho who) {
  const size_t accounts = config_.accounts.size();
  const int64_t now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (size_t k = 0; k < kill_journaled_.size(); ++k) {
    journal::KillRec rec{};
    rec.wall_ns = now;
    rec.who = (uint8_t)who;
    bool on;
    if (k == 0) {
      rec.scope = (uint8_t)journal::KillScope::global;
      rec.index = -1;
      on = engine_->kill_global();
    } else if (k <= accounts) {
      rec.scope = (uint8_t)journal::KillScope::account;
      rec.index = (int32_t)(k - 1);
      on = engine_->kill_account(rec.index);
    } else {
      rec.scope = (uint8_t)journal::KillScope::instrument;
      rec.index = (int32_t)(k - 1 - accounts);
      on = engine_->kill_instrument(rec.index);
    }
    if ((kill_journaled_[k] != 0) == on) continue;
    kill_journaled_[k] = on ? 1 : 0;
    rec.on = on ? 1 : 0;
    if (journal_) journal_->append(journal::RecordType::kill, rec);
  }
}

void OrderGate::sync_journaled_kills() {
  const size_t accounts = config_.accounts.size();
  for (size_t k = 0; k < kill_journaled_.size(); ++k) {
    const bool on = k == 0 ? engine_->kill_global()
                  : k <= accounts ? engine_->kill_account((int)(k - 1))
                                  : engine_->kill_instrument((int)(k - 1 - accounts));
    kill_journaled_[k] = on ? 1 : 0;
  }
  // (A rebuilt loss-limit stop still cancels the account's open orders at the next step: whether
  // its cancels went out before the stop is not known.)
  for (size_t a = 0; a < loss_journaled_.size(); ++a) loss_journaled_[a] = engine_->kill_loss((int)a) ? 1 : 0;
}

bool OrderGate::release_loss_kill(int a, journal::KillWho who) {
  if (a < 0 || (size_t)a >= config_.accounts.size() || !engine_->kill_loss(a)) return false;
  engine_->clear_loss_kill(a);
  loss_canceled_[(size_t)a] = 0;
  loss_journaled_[(size_t)a] = 0;
  ++counters_.loss_limit_releases;
  journal_loss_stop(a, false, who);  // after the markets it was released under
  return true;
}

void OrderGate::journal_loss_stop(int a, bool on, journal::KillWho who) {
  journal::KillRec rec{};
  rec.wall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  rec.index = (int32_t)a;
  rec.scope = (uint8_t)journal::KillScope::loss_limit;
  rec.on = on ? 1 : 0;
  rec.who = (uint8_t)who;
  journal_record(journal::RecordType::kill, rec);
}

void OrderGate::release_unknown_order(int64_t client_order_id) {
  if (engine_->on_cancel(client_order_id)) journal_record(journal::RecordType::canceled, journal::OrderIdRec{client_order_id, 0});
}

RiskDecision OrderGate::refuse(const OrderRequest& r, RejectDetail detail) {
  RiskDecision d{};
  d.client_order_id = r.client_order_id;
  d.time = r.time;
  d.accepted = false;
  d.detail = detail;
  d.reason = reason_of(detail);
  if (detail == RejectDetail::journal_unavailable) ++counters_.refused_journal;
  else if (detail == RejectDetail::session_down) ++counters_.refused_session_down;
  else ++counters_.refused_reconcile;
  return d;
}

void OrderGate::cancel_for(int64_t client_order_id, GateCancelCause cause, uint64_t& counter) {
  if (session_->send_cancel(client_order_id) != LocalReject::none) return;
  ++counter;
  metrics_.gate_cancels(cause).inc();
  dirty_ = true;
}

void OrderGate::cancel_loss_limited() {
  if (engine_->loss_kill_generation() == loss_kill_seen_) return;
  loss_kill_seen_ = engine_->loss_kill_generation();
  for (size_t a = 0; a < config_.accounts.size(); ++a) {
    if (!engine_->kill_loss((int)a) || loss_canceled_[a]) continue;
    loss_canceled_[a] = 1;
    ++counters_.loss_limit_kills;
    if (!loss_journaled_[a]) {  // the audit trail's; a replay engages it from the records before this one
      loss_journaled_[a] = 1;
      journal_loss_stop((int)a, true, journal::KillWho::engine);
    }
    if (!session_) continue;
    engine_->for_each_open_order((int)a, [&](const OpenOrder& o) {
      cancel_for(o.client_order_id, GateCancelCause::loss_limit, counters_.loss_limit_cancels);
    });
  }
}

void OrderGate::on_session_down() {
  if (session_down_ || closing_) return;  // a failed reconnect is the same outage
  session_down_ = true;
  ++counters_.session_drops;
  open_at_drop_.clear();
  if (!config_.order_entry.cancel_on_disconnect) return;
  // Nobody watched these orders while the session was down: they are treated as canceled-pending,
  // and whatever the reconciliation still finds open is canceled before trading resumes.
  for (size_t a = 0; a < config_.accounts.size(); ++a)
    engine_->for_each_open_order((int)a, [&](const OpenOrder& o) { open_at_drop_.push_back(o.client_order_id); });
}

void OrderGate::cancel_unsynced(int64_t feed_ns) {
  const int64_t after = config_.risk.cancel_after_ns;
  if (after <= 0 || feed_ns == INT64_MAX) return;  // INT64_MAX: finish(), the end of the feed
  for (size_t i = 0; i < markets_.size(); ++i) {
    if (markets_[i].synced) {
      unsynced_since_[i] = 0;
      unsynced_canceled_[i] = 0;
      continue;
    }
    if (unsynced_since_[i] < 0) continue;
    if (unsynced_since_[i] == 0) unsynced_since_[i] = feed_ns;
    if (unsynced_canceled_[i] || feed_ns - unsynced_since_[i] <= after) continue;
    // New orders are refused meanwhile by check 3 (book_unsynced); the resting ones are priced
    // against a book nobody can see: cancel them.
    unsynced_canceled_[i] = 1;
    ++counters_.unsynced_outages;
    for (size_t a = 0; a < config_.accounts.size(); ++a)
      engine_->for_each_open_order((int)a, [&](const OpenOrder& o) {
        if (o.instrument == i) cancel_for(o.client_order_id, GateCancelCause::unsynced, counters_.unsynced_cancels);
      });
  }
}

void OrderGate::check_session_back() {
  if (!session_down_ || !session_ || !session_->active() || session_->reconciling()) return;
  session_down_ = false;
  ++counters_.session_recoveries;
  for (int64_t id : open_at_drop_) {
    if (!engine_->find_order(id)) continue;  // filled or canceled meanwhile (the reconciliation said so)
    cancel_for(id, GateCancelCause::disconnect, counters_.disconnect_cancels);
  }
  open_at_drop_.clear();
}

RiskDecision OrderGate::submit(const OrderRequest& r, int64_t rx_ns) {
  const RiskDecision d = decide(r, rx_ns);
  send(r, d, rx_ns);
  return d;
}

RiskDecision OrderGate::decide(const OrderRequest& r, int64_t rx_ns) {
  ++counters_.requests;
  // Fail closed: an order the journal cannot record, placed before the open orders of a restart
  // are reconciled, or while the session is down or reconciling, is refused; a cancel only lowers
  // the risk and still passes.
  const bool opens = r.kind != OrderKind::cancel;
  const int64_t t0 = TscClock::now_ns();
  RiskDecision d;
  if (opens && journal_ && !journal_->healthy()) d = refuse(r, RejectDetail::journal_unavailable);
  else if (opens && reconcile_pending_) d = refuse(r, RejectDetail::reconcile_pending);
  else if (opens && session_down_) d = refuse(r, RejectDetail::session_down);
  else {
    d = engine_->check(r);
    if (journal_) {
      journal_markets();
      journal::RequestRec rec{};
      rec.request = r;
      rec.accepted = d.accepted ? 1 : 0;
      rec.reason = (uint8_t)d.reason;
      if (!journal_->append(journal::RecordType::request, rec) && d.accepted && opens) {
        engine_->on_reject(r.client_order_id);  // accepted but not recorded: released, never sent
        d = refuse(r, RejectDetail::journal_unavailable);
      }
    }
  }
  const int64_t t1 = TscClock::now_ns();
  metrics_.latency(LatencyStage::risk_check).observe((uint64_t)(t1 - t0));
  if (rx_ns > 0 && t1 > rx_ns) metrics_.latency(LatencyStage::rx_to_decision).observe((uint64_t)(t1 - rx_ns));

  // Formatting a log line is no work for the path to the order: within a batch the request and
  // its decision wait (40 + 32 bytes) until the packet's orders are out.
  if (batching_ && pending_decisions_.size() < pending_decisions_.capacity()) pending_decisions_.push_back({r, d});
  else write_decision(r, d);

  const bool known_account = r.account < metrics_.account_count();
  if (d.accepted) {
    ++counters_.accepted;
    if (known_account && r.kind != OrderKind::cancel) metrics_.account(r.account).accepted->inc();
  } else {
    ++counters_.rejected;
    metrics_.rejects(d.reason).inc();
    metrics_.reject_details(d.detail).inc();
    if ((size_t)d.detail < counters_.rejected_by_detail.size()) ++counters_.rejected_by_detail[(size_t)d.detail];
    if (known_account) metrics_.account(r.account).rejected->inc();
  }
  return d;
}

void OrderGate::send(const OrderRequest& r, const RiskDecision& d, int64_t rx_ns) {
  if (!d.accepted || !session_) return;  // no order entry configured: the gate's decisions are the output

  LocalReject lr = LocalReject::none;
  switch (r.kind) {
    case OrderKind::new_order: {
      OrderParams p;
      p.client_order_id = r.client_order_id;
      p.instrument_id = exchange_ids_[r.instrument];
      p.side = r.side;
      p.price = r.price;
      p.quantity = r.quantity;
      lr = session_->send_new_order(p);
      if (lr != LocalReject::none) {
        engine_->on_reject(r.client_order_id);  // never sent: release it
        journal_record(journal::RecordType::rejected, journal::OrderIdRec{r.client_order_id, 0});
      }
      break;
    }
    case OrderKind::replace:
      lr = session_->send_replace(r.client_order_id, r.price, r.quantity);
      if (lr != LocalReject::none) {
        engine_->on_reject(r.client_order_id);  // the order stands as before
        journal_record(journal::RecordType::rejected, journal::OrderIdRec{r.client_order_id, 0});
      }
      break;
    case OrderKind::cancel:
      lr = session_->send_cancel(r.client_order_id);
      break;
  }
  if (lr == LocalReject::none) {
    ++counters_.sent;
    if (batching_ && batch_count_ < batch_ids_.size()) {
      batch_ids_[batch_count_++] = r.client_order_id;  // timed when end_batch() hands the bytes over
    } else {
      const int64_t sent = TscClock::now_ns();
      if (rx_ns > 0 && sent > rx_ns) metrics_.latency(LatencyStage::rx_to_order).observe((uint64_t)(sent - rx_ns));
      send_time_[(uint64_t)r.client_order_id % kSendTimeSlots] = sent;
    }
    dirty_ = true;
  } else {
    ++counters_.refused_by_session;
  }
}

void OrderGate::begin_batch(int64_t rx_ns) {
  batch_rx_ = rx_ns;
  batch_count_ = 0;
  batching_ = true;
  if (session_) session_->begin_batch();
}

void OrderGate::end_batch() {
  if (!batching_) return;
  batching_ = false;
  const int64_t encoded = order_stamp_ == OrderStamp::encoded && batch_count_ > 0 ? TscClock::now_ns() : 0;
  if (session_) session_->end_batch();  // one send for every order of the packet
  if (batch_count_ > 0) {
    ++counters_.batches;
    const int64_t sent = encoded != 0 ? encoded : TscClock::now_ns();
    for (size_t k = 0; k < batch_count_; ++k) {
      if (batch_rx_ > 0 && sent > batch_rx_) metrics_.latency(LatencyStage::rx_to_order).observe((uint64_t)(sent - batch_rx_));
      send_time_[(uint64_t)batch_ids_[k] % kSendTimeSlots] = sent;
    }
    batch_count_ = 0;
  }
  write_decisions();
}

void OrderGate::write_decision(const OrderRequest& r, const RiskDecision& d) {
  StateRecord rec;
  clear_record(rec);
  rec.kind = (uint8_t)StateKind::decision;
  rec.instrument_id = r.instrument < exchange_ids_.size() ? exchange_ids_[r.instrument] : -1;
  rec.time = r.time;
  rec.decision.client_order_id = r.client_order_id;
  rec.decision.price = r.price;
  rec.decision.quantity = r.quantity;
  rec.decision.account = r.account;
  rec.decision.side = r.side;
  rec.decision.accepted = d.accepted ? 1 : 0;
  rec.decision.reason = (uint8_t)d.reason;
  decisions_.write(rec, r.instrument < config_.instruments.size() ? config_.instruments[r.instrument].symbol.c_str() : "");
}

void OrderGate::write_decisions() {
  for (const PendingDecision& p : pending_decisions_) write_decision(p.request, p.decision);
  pending_decisions_.clear();
}

void OrderGate::on_event(const OrderEvent& e, DemoStrategy* strategy) {
  const int64_t id = e.client_order_id;
  switch (e.type) {
    case OrderEventType::entered: {
      engine_->on_entered(id);
      journal_record(journal::RecordType::entered, journal::OrderIdRec{id, e.exec_id});
      int64_t& sent = send_time_[(uint64_t)id % kSendTimeSlots];
      if (sent != 0) {
        const int64_t now = TscClock::now_ns();
        if (now > sent) metrics_.latency(LatencyStage::order_to_ack).observe((uint64_t)(now - sent));
        sent = 0;
      }
      if (strategy) strategy->on_entered(id);
      break;
    }
    case OrderEventType::filled:
      ++counters_.fills;
      if (fill_ring_)
        if (const OpenOrder* o = engine_->find_order(id))
          fill_ring_->push({e.exec_id, e.time, e.price, e.quantity, (int16_t)o->account, (int16_t)o->instrument, o->side});
      engine_->on_fill(id, e.quantity, e.price, e.time);
      journal_record(journal::RecordType::fill, journal::FillRec{id, (int64_t)e.quantity, e.price, e.time, e.exec_id});
      if (strategy) {
        strategy->on_fill(id, e.quantity, e.price);
        if (e.state == OrderState::filled) strategy->on_done(id);
      }
      break;
    case OrderEventType::canceled:
      engine_->on_cancel(id);
      journal_record(journal::RecordType::canceled, journal::OrderIdRec{id, e.exec_id});
      if (strategy) strategy->on_done(id);
      break;
    case OrderEventType::rejected:
      // A local reject was already released in submit(); the exchange's releases here.
      if (e.local_reason == LocalReject::none) {
        engine_->on_reject(id);
        journal_record(journal::RecordType::rejected, journal::OrderIdRec{id, 0});
      }
      if (strategy) strategy->on_done(id);
      break;
    case OrderEventType::replaced:
      engine_->on_replace(id);
      journal_record(journal::RecordType::replaced, journal::OrderIdRec{id, e.exec_id});
      if (strategy) strategy->on_replaced(id);
      break;
    case OrderEventType::replace_rejected:
      if (e.local_reason == LocalReject::none) {
        engine_->on_reject(id);
        journal_record(journal::RecordType::rejected, journal::OrderIdRec{id, 0});
      }
      if (strategy) strategy->on_replace_rejected(id);
      break;
    case OrderEventType::session_down: on_session_down(); break;
    default: break;
  }
}

void OrderGate::poll(DemoStrategy* strategy) {
  if (!session_) return;
  session_->poll(TscClock::wall_ns());
  OrderEvent e;
  while (session_->next_event(e)) on_event(e, strategy);
  check_session_back();
  cancel_loss_limited();
  if (session_->orders().size() > kForgetFinalAbove) session_->forget_final_orders();
}

void OrderGate::step(int64_t feed_ns, DemoStrategy* strategy) {
  if (!session_) return;
  cancel_unsynced(feed_ns);
  if (!has_simulator()) {
    poll(strategy);
    return;
  }
  // The venue takes the markets of this round, acts on what has become due at this feed time,
  // then reads what was just sent (held until its own ack latency has passed).
  for (size_t i = 0; i < sim_markets_.size(); ++i) {
    SimMarket& sm = sim_markets_[i];
    if (!sm.pending) continue;
    sm.pending = false;
    if (sim_) sim_->set_market(exchange_ids_[i], sm.bid, sm.bid_qty, sm.ask, sm.ask_qty);
    if (fix_sim_) fix_sim_->set_market(exchange_ids_[i], sm.bid, sm.bid_qty, sm.ask, sm.ask_qty);
  }
  simulator_set_feed_time(feed_ns);
  const bool wrote = session_->messages_sent() != seen_out_;  // the market moves reach the exchange by call
  const int64_t now = TscClock::now_ns();
  if (wrote || now - last_sim_poll_ns_ > 1000000) {  // else only its heartbeat timers, once a millisecond
    last_sim_poll_ns_ = now;
    simulator_poll(0);
  }
  dirty_ = false;
  // The session reads when the venue sent something it has not read (or once a millisecond, for its
  // timers): most rounds of a replay bring no answer, and an empty recv() on each would put a
  // syscall between every two frames, cooling the caches the next frame's path runs in.
  if (simulator_sent() != session_->messages_received() || now - last_session_poll_ns_ > 1000000) {
    last_session_poll_ns_ = now;
    poll(strategy);
  }
  // What each side wrote has been read by the other, so the next packet meets the same answers on
  // every run. The bytes are already in the loopback socket when send() returns, so this normally
  // holds at the first look; a round with bytes still in flight (the kernel deferring loopback
  // delivery) is counted.
  bool counted = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (int spin = 0;; ++spin) {
    if (simulator_received() == session_->messages_sent() && simulator_sent() == session_->messages_received()) break;
    if (!counted) {
      ++counters_.delivery_waits;
      counted = true;
    }
    if (!session_->active() || std::chrono::steady_clock::now() > deadline) {
      ++counters_.settle_timeouts;
      break;
    }
    if (spin > 64) std::this_thread::sleep_for(std::chrono::microseconds(20));
    simulator_poll(0);
    poll(strategy);
  }
  seen_out_ = session_->messages_sent();
}

void OrderGate::finish(DemoStrategy* strategy) {
  if (!has_simulator() || !session_) return;
  // End of the feed: what the exchange still holds is answered now, so the session ends with
  // every order's state known.
  simulator_set_feed_time(INT64_MAX);
  dirty_ = true;
  step(INT64_MAX, strategy);
}

}  // namespace pw
