// The pre-trade risk gate between the order flow and the order-entry session: every request is
// checked by the risk engine (core/risk_engine.hpp), logged as a decision record, counted by
// reason, and only then sent; the exchange's answers release or convert the reservations. With the
// in-process simulated exchange, step() drives it in the caller's thread in feed time: an answer
// is there once the replay clock has passed the order's time plus [order_entry] ack_latency, so a
// replay decides the same way every time and nothing waits for an answer.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/risk_engine.hpp"
#include "core/state_records.hpp"
#include "host/config/config.hpp"
#include "host/exchange_sim/exchange_sim.hpp"
#include "host/journal/journal_reader.hpp"
#include "host/journal/journal_replay.hpp"
#include "host/metrics/app_metrics.hpp"
#include "host/orders/order_entry_session.hpp"
#include "host/orders/order_session.hpp"
#include "host/pipeline/state_log.hpp"

namespace pw {

class DemoStrategy;
namespace fix {
class FixVenueSim;
}
namespace firm {
class FillRing;
}
namespace journal {
class JournalWriter;
}

using HostRiskEngine = RiskEngine<kConfigMaxAccounts, kConfigMaxInstruments, 1024, 4096, 8>;

struct OrderGateCounters {
  uint64_t requests = 0;
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  uint64_t sent = 0;
  uint64_t refused_by_session = 0;  // accepted by the gate, not sent (session down, killed)
  uint64_t fills = 0;
  uint64_t settle_timeouts = 0;     // a step whose bytes were still not read by the other side after 2 s
  uint64_t delivery_waits = 0;      // steps that found bytes still in flight and looked again
  uint64_t batches = 0;             // packets whose orders went out in one write
  uint64_t refused_journal = 0;     // new requests refused: the journal cannot record them
  uint64_t refused_reconcile = 0;   // new requests refused: restarted, open orders not yet reconciled
  std::array<uint64_t, (size_t)RejectDetail::count_> rejected_by_detail{};  // which condition inside the reason
  uint64_t loss_limit_kills = 0;    // accounts whose loss limit engaged their kill switch
  uint64_t loss_limit_cancels = 0;  // open orders canceled for it
  uint64_t loss_limit_releases = 0; // loss-limit stops released (the control plane's /unkill?account=)
  uint64_t session_drops = 0;       // the order-entry session went down (dropped or logged out)
  uint64_t session_recoveries = 0;  // ... and came back logged on and reconciled
  uint64_t refused_session_down = 0;  // new requests refused: session not logged on or not reconciled
  uint64_t disconnect_cancels = 0;  // orders open at a drop, still open once back: cancels sent
  uint64_t unsynced_outages = 0;    // an instrument's book unsynced longer than [risk] cancel_after
  uint64_t unsynced_cancels = 0;    // its open orders: cancels sent
};

class OrderGate {
 public:
  // `decisions` receives a decision record per request (may be closed: no log).
  OrderGate(const Config& config, AppMetrics& metrics, StateLogWriter& decisions);
  ~OrderGate();

  // Limits, cash and the session bucket from a config (start and reload). A bad value leaves the
  // previous limits in force and comes back in `errors`.
  void apply_limits(const Config& config, std::vector<std::string>& errors);

  // Starts the simulated exchange (when configured) and the session; waits until it is active.
  bool connect(std::string& error);
  void disconnect();

  // The market the gate checks against; the simulated exchange (if any) matches against the same
  // book top with these quantities from the next step() on.
  void set_market(int instrument, const InstrumentMarket& m, int32_t bid_qty, int32_t ask_qty);
  // The exchange's funding at a funding time: cash moves by each position's payment.
  void apply_funding(int instrument, int64_t mark, int64_t rate);

  // Checks and (when accepted) sends one request; `rx_ns` is the receive time (TscClock) of the
  // frame that caused it, 0 for none. Returns the decision. submit = decide, then send.
  RiskDecision submit(const OrderRequest& r, int64_t rx_ns);
  // The two halves, for a packet's orders: every one decided first, then the accepted ones
  // encoded, so that no decision waits for the encoding of the orders before it (they all leave
  // in end_batch's one write anyway). A send the session refuses releases the reservation.
  RiskDecision decide(const OrderRequest& r, int64_t rx_ns);
  void send(const OrderRequest& r, const RiskDecision& d, int64_t rx_ns);
  // The orders submitted between begin_batch and end_batch (one packet's) go out in one write;
  // rx_to_order is taken when end_batch has handed them to the socket.
  void begin_batch(int64_t rx_ns);
  void end_batch();
  // Where rx_to_order ends for a batch: when end_batch() has handed the orders to the socket
  // (sent, the default), or when they are encoded in the session's send buffer, just before that
  // write (encoded: the software path's own cost, for benchmarks).
  enum class OrderStamp : uint8_t { sent, encoded };
  void set_order_stamp(OrderStamp s) { order_stamp_ = s; }
  // Reads the session and hands the exchange's answers to the engine and the strategy.
  void poll(DemoStrategy* strategy);
  // Once per loop round, after the packet's orders went out: with the simulated exchange, moves
  // its clock to `feed_ns`, lets it act on what is due and read what was sent, and takes its
  // answers (checking that each side has read what the other wrote); else poll().
  void step(int64_t feed_ns, DemoStrategy* strategy);
  // End of the feed: the simulated exchange answers everything it still holds.
  void finish(DemoStrategy* strategy);

  // Every input the risk state depends on is also appended to the journal (host/journal/);
  // null: none. While it cannot take a record, requests are refused (journal_unavailable).
  void set_journal(journal::JournalWriter* j) { journal_ = j; }
  // Rebuilds the engine from the journal at `path` (reset, then every record through the engine's
  // entry points); `open_ids` gets the orders it holds open afterwards. With no records (no file,
  // or an empty one) the engine is as the config made it. Not ok: corrupt in the middle, or a
  // request answered otherwise than journaled; the engine must not trade then.
  journal::ReadResult restore(const std::string& path, journal::ReplaySummary& summary, std::vector<int64_t>& open_ids);
  // The limits and (first start only) the cash of `config`, journaled as a limit set loaded from
  // its file now, for `why`; the engine already has them (constructor, apply_limits).
  void journal_limits(const Config& config, journal::LimitsWhy why, bool with_cash);
  // Journals the kill switches that differ from the last journaled ones, as changed by `who`.
  void journal_kills(journal::KillWho who);
  // The kill switches as they are now are the journaled ones (after a replay).
  void sync_journaled_kills();
  // Releases account a's loss-limit stop, if engaged (journaled as changed by `who`): its orders
  // pass again, and a new dip below the limit stops it and cancels its orders again. False: it
  // was not engaged.
  bool release_loss_kill(int a, journal::KillWho who);
  // A new trading day: daily usage starts again (journaled).
  void roll_day(int64_t time);
  // Until reconciled, new requests are refused (reconcile_pending); cancels still pass.
  void set_reconcile_pending(bool on) { reconcile_pending_ = on; }
  bool reconcile_pending() const { return reconcile_pending_; }
  // The order-entry session is down or not yet reconciled after its logon: new orders and replaces
  // are refused (session_down); cancels still pass when the session can send them.
  bool session_down() const { return session_down_; }
  // Reconciling: an order rebuilt as open that the exchange does not hold is released (journaled
  // as canceled).
  void release_unknown_order(int64_t client_order_id);
  // One answer of the exchange (or of the session) to the engine, the journal and the strategy.
  void on_event(const oe::OrderEvent& e, DemoStrategy* strategy);

  // Every fill is also handed to the firm agent (docs/firm.md); null: not part of a firm.
  void set_fill_ring(firm::FillRing* ring) { fill_ring_ = ring; }

  HostRiskEngine& engine() { return *engine_; }
  const OrderGateCounters& counters() const { return counters_; }
  oe::OrderEntrySession* session() { return session_.get(); }
  // What the session recovered and set aside (after disconnect(): as it ended).
  oe::SessionHealth session_health() const { return session_ ? session_->health() : final_health_; }
  // The SBE session ([order_entry] protocol = "sbe"; its kill switch), else null.
  oe::OrderSession* sbe_session() { return sbe_session_; }
  oe::ExchangeSim* simulator() { return sim_.get(); }
  fix::FixVenueSim* fix_simulator() { return fix_sim_.get(); }
  bool dirty() const { return dirty_; }

 private:
  // A cancel the gate sends on its own (not the strategy's): counted per cause when it went out.
  void cancel_for(int64_t client_order_id, GateCancelCause cause, uint64_t& counter);
  // After fills, mark moves and funding: the open orders of an account whose loss limit has just
  // engaged its kill switch are canceled (new ones are refused by the engine).
  void cancel_loss_limited();
  // The session went down: new requests are refused from now on, and (cancel_on_disconnect) the
  // orders open now are noted, to be canceled once it is back.
  void on_session_down();
  // After each poll while down: once the session is logged on and reconciled, requests pass again
  // and the noted orders still open are canceled.
  void check_session_back();
  // Each step: an instrument whose book has been unsynced for longer than [risk] cancel_after (feed
  // time) has its open orders canceled, once per outage.
  void cancel_unsynced(int64_t feed_ns);
  void write_decision(const OrderRequest& r, const RiskDecision& d);
  bool start_simulator(std::string& error);
  bool has_simulator() const { return sim_ || fix_sim_; }
  void simulator_poll(int timeout_ms);
  void simulator_set_feed_time(int64_t feed_ns);
  // Numbered messages the simulated venue has read and written.
  uint64_t simulator_received() const;
  uint64_t simulator_sent() const;
  void write_decisions();
  template <class T>
  void journal_record(journal::RecordType type, const T& rec);
  // The loss-limit stop of account a engaged or released (the audit trail's kill record).
  void journal_loss_stop(int a, bool on, journal::KillWho who);
  void journal_markets();
  RiskDecision refuse(const OrderRequest& r, RejectDetail detail);

  struct PendingDecision {
    OrderRequest request;
    RiskDecision decision;
  };

  const Config& config_;
  AppMetrics& metrics_;
  StateLogWriter& decisions_;
  std::unique_ptr<HostRiskEngine> engine_;
  std::unique_ptr<oe::ExchangeSim> sim_;
  std::unique_ptr<fix::FixVenueSim> fix_sim_;
  std::unique_ptr<oe::OrderEntrySession> session_;  // SBE or FIX, behind one interface
  oe::OrderSession* sbe_session_ = nullptr;          // session_ when it is the SBE one
  oe::SessionHealth final_health_;                   // the session's, kept when it is closed
  std::string fix_temp_dir_;                         // the run's FIX store when none is configured
  std::vector<int32_t> exchange_ids_;   // risk-engine instrument index → exchange instrument id
  std::vector<int64_t> send_time_;      // wall clock of the last send, by client order id slot
  struct SimMarket {
    int64_t bid, ask;
    int32_t bid_qty, ask_qty;
    bool pending;                       // set since the last step(): the simulator has not seen it
  };
  std::vector<SimMarket> sim_markets_;  // by risk-engine instrument
  OrderGateCounters counters_;
  firm::FillRing* fill_ring_ = nullptr;
  journal::JournalWriter* journal_ = nullptr;
  bool reconcile_pending_ = false;
  bool session_down_ = false;
  bool closing_ = false;                // disconnect(): logging out on purpose
  std::vector<int64_t> open_at_drop_;   // client order ids open when the session went down
  std::vector<int64_t> unsynced_since_;    // by instrument: feed time its book was first seen unsynced, 0 synced, −1 never synced yet
  std::vector<uint8_t> unsynced_canceled_; // by instrument: this outage's cancels were sent
  std::vector<InstrumentMarket> markets_;  // the engine's, by instrument: journaled before what was checked against them
  std::vector<uint8_t> market_journaled_;
  std::vector<uint8_t> kill_journaled_;    // [0] global, then accounts, then instruments
  bool dirty_ = false;                  // sent something or moved the simulated market since step()
  uint64_t loss_kill_seen_ = 0;         // the engine's loss_kill_generation() last acted on
  std::vector<uint8_t> loss_canceled_;  // by account: its loss-limit mass cancel was sent
  std::vector<uint8_t> loss_journaled_; // by account: its loss-limit stop is journaled as engaged
  uint64_t seen_out_ = 0;               // the session's messages_sent() at the last step
  int64_t last_sim_poll_ns_ = 0;
  int64_t last_session_poll_ns_ = 0;
  bool batching_ = false;
  OrderStamp order_stamp_ = OrderStamp::sent;
  int64_t batch_rx_ = 0;
  std::vector<int64_t> batch_ids_ = std::vector<int64_t>(1024);  // client order ids of the open batch
  size_t batch_count_ = 0;
  std::vector<PendingDecision> pending_decisions_;  // decision records of the open batch, logged by end_batch()
};

}  // namespace pw
