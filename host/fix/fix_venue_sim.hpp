// Simulated Coinbase Derivatives FIX 4.4 order-entry venue, in process: a QuickFIX acceptor for one
// client session that reads NewOrderSingle D / OrderCancelRequest F / OrderCancelReplaceRequest G
// and answers with ExecutionReport 8 (ExecType 0/4/5/8/F), OrderCancelReject 9. Validation,
// matching and the feed-clock queue are SimMatcher's (host/exchange_sim/sim_matcher.hpp), the same
// object ExchangeSim uses, so the FIX and SBE venues match identically.
//
// QuickFIX does the session (logon, heartbeats, resend of what the client missed, file store).
// Driven from the caller's thread with poll_once() (SocketAcceptor::poll, no QuickFIX thread).
// Reports produced while the client is away take sequence numbers and are stored; the resumed
// logon gets them through QuickFIX's resend. Fault hooks: drop the connection, send a message
// outside the dictionary.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "host/exchange_sim/sim_matcher.hpp"

namespace pw::fix {

struct FixVenueConfig {
  uint16_t port = 0;                      // 0: a free loopback port is picked (see port())
  std::string sender_comp_id = "COIND";
  std::string target_comp_id;             // the client's CompID
  std::string username;                   // Logon Username (553) / Password (554) required; empty: any
  std::string password;
  std::string dictionary;
  std::string store_dir;
  std::string log_dir;                  // QuickFIX message and event logs; empty: none
  int32_t heartbeat_seconds = 30;
  bool reset_store_on_start = true;       // a fresh venue: both directions start at 1
  bool feed_clock = false;                // see ExchangeSimConfig::feed_clock
  int64_t ack_latency_ns = 0;
  std::vector<std::pair<int32_t, std::string>> symbols;  // instrument id → Symbol (55)
};

struct FixVenueCounters {
  uint64_t logons = 0;
  uint64_t logon_rejects = 0;             // wrong Username / Password: refused with a Logout
  uint64_t logouts = 0;
  uint64_t requests = 0;                  // D, F, G read
  uint64_t possible_resends = 0;          // of those, flagged PossDupFlag
  uint64_t unusable_requests = 0;         // D/F/G whose fields perpwire could not read
  uint64_t execution_reports = 0;
  uint64_t cancel_rejects = 0;
  uint64_t rejects_received = 0;          // Reject 3 from the client
  uint64_t faults_injected = 0;
};

class FixVenueSim {
 public:
  explicit FixVenueSim(FixVenueConfig config);
  ~FixVenueSim();
  FixVenueSim(const FixVenueSim&) = delete;
  FixVenueSim& operator=(const FixVenueSim&) = delete;

  // Builds the acceptor and listens; false with a reason (dictionary, store, port).
  bool listen(std::string& error);
  // One round: accepts, reads, answers, runs QuickFIX's timers. Waits up to `timeout_ms`.
  void poll_once(int timeout_ms);
  uint16_t port() const { return port_; }

  void add_instrument(int32_t instrument_id, int64_t tick_size) { matcher_->add_instrument(instrument_id, tick_size); }
  bool set_market(int32_t instrument_id, int64_t bid_px, int32_t bid_qty, int64_t ask_px, int32_t ask_qty) {
    return matcher_->set_market(instrument_id, bid_px, bid_qty, ask_px, ask_qty);
  }
  void set_feed_time(int64_t feed_ns) { matcher_->set_feed_time(feed_ns); }
  size_t requests_waiting() const { return matcher_->requests_waiting(); }

  // Fault hooks. Closes the client's connection (the client sees end of stream).
  void drop_connection();
  // Sends a message the client's dictionary refuses (QuickFIX at the client answers Reject 3): an
  // ExecutionReport with a tag outside the dictionary, a MsgType the dictionary lacks, a quantity
  // that is not a number, or an ExecutionReport without its required ExecType.
  enum class Malformed : uint8_t { unknown_tag, unknown_msg_type, bad_value, missing_required };
  bool send_malformed(Malformed kind);

  bool logged_on() const;
  const oe::SimOrder* find_order(int64_t client_order_id) const;
  std::vector<oe::SimOrder> orders() const;
  const FixVenueCounters& counters() const { return counters_; }
  const oe::SimMatchCounters& match_counters() const { return matcher_->counters(); }
  // Sequence numbers: sent = next outgoing − 1, received = next expected − 1.
  uint64_t messages_sent() const;
  uint64_t messages_received() const;

  struct Impl;

 private:
  friend struct Impl;
  FixVenueConfig config_;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<oe::SimMatcher> matcher_;
  uint16_t port_ = 0;
  FixVenueCounters counters_;
};

}  // namespace pw::fix
