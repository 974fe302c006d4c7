// FIX 4.4 order-entry session (Coinbase Derivatives dialect), client side, on QuickFIX.
//
// QuickFIX does the session: logon, heartbeats and test requests, sequence numbers with resend
// requests, gap fills and sequence resets, the file store of numbers and sent messages, validation
// of every incoming message against the data dictionary (config/fix/). This class maps perpwire's
// requests to NewOrderSingle D / OrderCancelRequest F / OrderCancelReplaceRequest G and the
// venue's ExecutionReport 8, OrderCancelReject 9, Reject 3 and BusinessMessageReject j to the same
// OrderEvents and OrderTable the SBE session (host/orders/order_session.hpp) produces, so the risk
// gate drives the risk engine the same way whichever protocol is configured.
//
// Single-threaded: QuickFIX runs inside poll() (SocketInitiator::poll with a zero timeout), no
// QuickFIX thread, no wait. Client order ids on the wire: the order's id for its NewOrderSingle,
// "<id>.<n>" for its n-th replace or cancel, so every ClOrdID is unique and names its order.
// See docs/order_entry.md#fix-order-entry.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "host/orders/order_entry_session.hpp"
#include "host/orders/order_session.hpp"

namespace pw::fix {

struct FixSessionConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string sender_comp_id;           // the firm's CompID, e.g. EBR123
  std::string target_comp_id = "COIND";
  std::string sender_sub_id = "TEST";   // SenderSubID (50) on application messages: PROD or TEST
  std::string username;                 // Logon Username (553) / Password (554), when set
  std::string password;
  std::string account;                  // Account (1) of every order
  std::string dictionary;               // QuickFIX data dictionary (config/fix/*.xml)
  std::string store_dir;                // file store of sequence numbers and sent messages
  std::string log_dir;                  // QuickFIX message and event logs; empty: none
  int32_t heartbeat_seconds = 30;
  int32_t reconnect_seconds = 1;
  // Start both directions at 1 (the store is reset before the first logon). Off: resume the
  // numbers the store holds, as after a restart within the venue's week.
  bool reset_store_on_start = false;
  // Exchange instrument id → Symbol (55); an id without one is sent as its decimal number.
  std::vector<std::pair<int32_t, std::string>> symbols;
  uint32_t max_orders = 65536;
  uint32_t event_queue = 65536;
};

struct FixSessionCounters {
  uint64_t logons = 0;
  uint64_t logouts = 0;                 // session down (disconnect or logout)
  uint64_t app_messages_out = 0;        // D, F, G (resends included)
  uint64_t app_messages_in = 0;         // 8, 9, j that passed the dictionary
  uint64_t execution_reports = 0;
  uint64_t cancel_rejects = 0;
  uint64_t session_rejects_in = 0;      // Reject 3 from the venue
  uint64_t business_rejects_in = 0;     // BusinessMessageReject j from the venue
  uint64_t refused_messages = 0;        // venue messages QuickFIX refused (Reject 3 or j sent back)
  uint64_t unknown_order_events = 0;    // reports naming no order of this session
  uint64_t unmapped_messages = 0;       // well-formed but not usable (e.g. an ExecType perpwire ignores)
  uint64_t local_rejects = 0;
  uint64_t event_queue_overflows = 0;
  uint64_t reconciliations = 0;
};

class FixSession final : public oe::OrderEntrySession {
 public:
  explicit FixSession(const FixSessionConfig& config);
  ~FixSession() override;
  FixSession(const FixSession&) = delete;
  FixSession& operator=(const FixSession&) = delete;

  // Builds the QuickFIX initiator (dictionary, store) and connects from poll(). On a bad
  // dictionary or store the session stays down and last_error() says why.
  void start(int64_t now_ns) override;
  void logout(std::string_view reason) override;
  void poll(int64_t now_ns) override;

  oe::LocalReject send_new_order(const oe::OrderParams& order) override;
  oe::LocalReject send_replace(int64_t client_order_id, int64_t new_price, int32_t new_quantity) override;
  oe::LocalReject send_cancel(int64_t client_order_id) override;
  // One OrderCancelRequest per open order (oldest first; the dialect's order entry has no mass
  // cancel), now or right after the next logon; new orders and replaces are then refused.
  void kill_switch() override;
  void unkill() override { killed_ = false; }
  bool killed() const override { return killed_; }
  // QuickFIX writes each message as it is sent: a batch is one write per message.
  void begin_batch() override {}
  void end_batch() override {}

  bool next_event(oe::OrderEvent& e) override { return app_.next(e); }
  const oe::OrderTable& orders() const override { return app_.table(); }
  const oe::OrderRecord* find_order(int64_t cid) const { return app_.table().find(cid); }
  uint32_t forget_final_orders() override;
  oe::SessionState state() const override { return state_; }
  bool active() const override { return state_ == oe::SessionState::active; }
  bool reconciling() const override { return reconciling_; }
  // Sequence numbers: sent = next outgoing − 1, received = next expected − 1.
  uint64_t messages_sent() const override;
  uint64_t messages_received() const override;
  const std::string& last_error() const override { return last_error_; }
  const FixSessionCounters& counters() const { return counters_; }
  // QuickFIX keeps the sequence numbers, resends and duplicates to itself: those stay 0.
  oe::SessionHealth health() const override;

  struct Impl;  // the QuickFIX application (fix_session.cpp)

 private:
  friend struct Impl;

  FixSessionConfig config_;
  std::unique_ptr<Impl> impl_;
  oe::SessionState state_{};
  bool reconciling_ = false;
  bool logged_on_once_ = false;
  bool killed_ = false;
  bool kill_cancel_pending_ = false;  // kill switch engaged while down: cancels at the next logon
  void cancel_every_open_order();
  int64_t now_ = 0;
  std::string last_error_;
  FixSessionCounters counters_;
  oe::SessionOrders app_;  // the order table, the event queue, the local refusals (counted in counters_)
};

}  // namespace pw::fix
