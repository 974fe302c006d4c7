// Order-entry session to Coinbase Derivatives (Orders SBE v1.8 over TCP), client side.
//
//   disconnected → connecting → logon_sent → active → logout_sent → disconnected
//
// Single-threaded and non-blocking: the owner calls poll(now) in its loop (wait on fd() for
// readability), hands orders to send_*, and drains next_event() after each poll. Sequence
// numbers run both ways; a gap is recovered with ResendRequest / GapFill; a dropped connection
// marks open orders unknown_after_disconnect and, after the next logon, reconciles them from the
// exchange's resent messages. Nothing is sent while the session is not active: such requests are
// refused at once with a LocalReject, never queued. See docs/order_entry.md.
//
// Buffers, the order table, the resend store and the event queue are sized at construction; the
// send path allocates nothing.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "host/orders/order_entry_session.hpp"
#include "host/orders/order_messages.hpp"
#include "host/orders/order_table.hpp"
#include "host/orders/session_orders.hpp"
#include "host/orders/session_sequencing.hpp"
#include "host/orders/transport.hpp"

namespace pw::oe {

enum class SessionState : uint8_t { disconnected, connecting, logon_sent, active, logout_sent };

inline const char* session_state_name(SessionState s) {
  switch (s) {
    case SessionState::disconnected: return "disconnected";
    case SessionState::connecting: return "connecting";
    case SessionState::logon_sent: return "logon_sent";
    case SessionState::active: return "active";
    case SessionState::logout_sent: return "logout_sent";
    default: return "invalid";
  }
}

struct SessionConfig {
  std::string host = "127.0.0.1";   // IPv4, dotted
  uint16_t port = 0;
  std::string username;             // up to 16 characters
  std::string password;             // up to 32 characters
  bool reset_seq_num_on_first_logon = true;   // a fresh session starts both directions at 1
  bool reset_seq_num_on_reconnect = false;    // false: resume, so missed messages can be resent
  bool auto_reconnect = true;       // after a drop (not after a logout or a LoggedOut)
  int64_t reconnect_delay_ns = 200'000'000;
  int64_t connect_timeout_ns = 2'000'000'000;
  int64_t logon_timeout_ns = 5'000'000'000;
  int64_t logout_timeout_ns = 2'000'000'000;
  int32_t default_heartbeat_seconds = 30;  // when LogonConf carries no usable interval
  uint32_t max_orders = 65536;      // order-state table
  uint32_t resend_store = 8192;     // sent application messages kept for resend requests
  uint32_t hold_messages = 1024;    // received above a gap, kept until their turn
  uint32_t event_queue = 65536;
  uint32_t recv_buffer_bytes = 1 << 17;
  uint32_t send_buffer_bytes = 1 << 18;
};

struct SessionCounters {
  uint64_t messages_in = 0;
  uint64_t messages_out = 0;
  uint64_t logons = 0;
  uint64_t connects = 0;
  uint64_t connect_failures = 0;
  uint64_t disconnects = 0;
  uint64_t heartbeats_sent = 0;
  uint64_t heartbeats_received = 0;
  uint64_t test_requests_sent = 0;
  uint64_t test_requests_received = 0;
  uint64_t heartbeat_timeouts = 0;
  uint64_t duplicates_ignored = 0;      // sequence number below the expected one
  uint64_t gaps_detected = 0;           // messages that arrived above the expected number
  uint64_t held_out_of_order = 0;       // kept until the numbers before them were processed
  uint64_t dropped_in_gap = 0;          // could not be kept: asked for again
  uint64_t resend_requests_sent = 0;
  uint64_t resend_requests_received = 0;
  uint64_t messages_resent = 0;
  uint64_t gap_fills_sent = 0;
  uint64_t gap_fills_received = 0;
  uint64_t peer_sequence_resets = 0;    // LogonConf numbered below what was expected
  uint64_t garbage_resets = 0;          // stream could not be re-framed: connection reset
  uint64_t undecodable_messages = 0;    // well framed, unknown template or short block
  uint64_t protocol_errors = 0;         // messages the client never expects (e.g. Logon)
  uint64_t unknown_order_events = 0;    // exchange events naming no order of this session
  uint64_t late_replace_rejects = 0;    // a replace's reject after the order ended (filled or canceled first)
  uint64_t impossible_quantities = 0;   // reports with quantities no order can have: not applied
  uint64_t local_rejects = 0;
  uint64_t event_queue_overflows = 0;
  uint64_t reconciliations = 0;
};

class OrderSession final : public OrderEntrySession {
 public:
  // TCP to config.host:config.port.
  explicit OrderSession(const SessionConfig& config);
  // Any transport (tests use MemoryLink); it must outlive the session.
  OrderSession(const SessionConfig& config, Transport& transport);
  ~OrderSession() override;
  OrderSession(const OrderSession&) = delete;
  OrderSession& operator=(const OrderSession&) = delete;

  // Connects and logs on (from poll). Call again after a logout to start over.
  void start(int64_t now_ns) override;
  // Sends Logout; the session ends on LoggedOut (or after logout_timeout) and does not reconnect.
  void logout(std::string_view reason) override;
  // Reads, processes, writes and runs the timers. `now_ns`: nanoseconds since the epoch; it
  // stamps outgoing messages, so pass a wall clock (wall_clock_ns()) in production.
  void poll(int64_t now_ns) override;

  // Order entry. LocalReject::none = sent. Any other value: nothing was sent, and (except for a
  // duplicate or unknown id) the order's record and a rejected event say the same.
  LocalReject send_new_order(const OrderParams& order) override;
  // New limit price and new total quantity (filled contracts included) of an open order.
  LocalReject send_replace(int64_t client_order_id, int64_t new_price, int32_t new_quantity) override;
  LocalReject send_cancel(int64_t client_order_id) override;
  LocalReject send_mass_cancel(int32_t instrument_id = kAllInstruments, int8_t side = kBothSides);

  // Orders of one packet in one write: between begin_batch() and end_batch() messages are encoded
  // into the send buffer and written together by end_batch() (one send call instead of one per
  // order). Returns from end_batch() once the bytes are handed to the transport (or buffered
  // when it takes no more: the rest goes out from poll()).
  void begin_batch() override { batching_ = true; }
  void end_batch() override {
    batching_ = false;
    if (wants_write()) flush();
  }

  // Cancels every order (MassCancel of all instruments, both sides; sent right after the next
  // logon when the session is down) and refuses new orders and replaces until unkill().
  void kill_switch() override;
  void unkill() override { killed_ = false; }
  bool killed() const override { return killed_; }

  // Next queued event; false when there is none.
  bool next_event(OrderEvent& e) override { return app_.next(e); }

  const OrderRecord* find_order(int64_t client_order_id) const { return app_.table().find(client_order_id); }
  const OrderTable& orders() const override { return app_.table(); }
  // Drops filled, canceled and rejected records (to make room); returns how many.
  uint32_t forget_final_orders() override { return app_.table().erase_final(); }

  SessionState state() const override { return state_; }
  bool active() const override { return state_ == SessionState::active; }
  uint64_t messages_sent() const override { return counters_.messages_out; }
  uint64_t messages_received() const override { return counters_.messages_in; }
  // After a resumed logon, until every message missed while down has been processed.
  bool reconciling() const override { return reconciling_; }
  const SessionCounters& counters() const { return counters_; }
  SessionHealth health() const override;
  // Why the session last went down (empty while it never did).
  const std::string& last_error() const override { return last_error_; }
  int64_t heartbeat_interval_ns() const { return heartbeat_ns_; }
  uint32_t next_outgoing_seq() const { return next_out_; }
  uint32_t expected_incoming_seq() const { return inbound_.expected(); }
  int fd() const { return transport_->fd(); }
  bool wants_write() const { return out_len_ > out_pos_; }

  // Test hook: the next message goes out `n` sequence numbers later than it should (a gap the
  // exchange must detect and have filled).
  void skip_outgoing_seq(uint32_t n) { next_out_ += n; }

  static int64_t wall_clock_ns();

 private:
  void connect_now();
  void on_connected();
  void go_down(const std::string& reason, bool reconnect);
  void read_input();
  bool handle_message(const orders::Message& m, uint64_t generation);
  void handle_session_message(const orders::Message& m);
  void handle_application_message(const orders::Message& m);
  void on_logon_conf(const orders::Message& m);
  void maybe_finish_reconcile();
  void request_missing(uint32_t seq, bool held);
  void drain_held(uint64_t generation);
  void run_timers();

  // Encodes `msg` with the next sequence number into the send buffer and writes. Application
  // messages are kept for resend requests. False when the send buffer has no room (nothing sent).
  template <typename T>
  bool send(const T& msg, bool application);
  bool has_room(size_t len) const;
  // send_buffer_full when `len` more bytes do not fit the send buffer: the reason not to send now.
  LocalReject room_for(size_t len) const { return has_room(len) ? LocalReject::none : LocalReject::send_buffer_full; }
  bool write_raw(const uint8_t* data, size_t len);
  void flush();


  SessionConfig config_;
  std::unique_ptr<Transport> owned_transport_;
  Transport* transport_;

  SessionState state_ = SessionState::disconnected;
  bool started_ = false;
  bool logged_on_once_ = false;
  bool reconnect_pending_ = false;
  bool reconciling_ = false;
  bool reset_logon_ = false;          // the current connection logged on with ResetSeqNum
  bool peer_reset_ = false;           // the exchange's LogonConf restarted its numbering
  bool killed_ = false;
  bool batching_ = false;             // between begin_batch() and end_batch(): encode, do not write
  bool kill_cancel_pending_ = false;  // kill switch engaged while down: mass cancel at logon
  bool test_request_outstanding_ = false;
  uint64_t generation_ = 0;           // bumped on every disconnect; stops processing a dead stream
  int64_t now_ = 0;
  int64_t state_since_ = 0;
  int64_t reconnect_at_ = 0;
  int64_t last_recv_ = 0;
  int64_t last_send_ = 0;
  int64_t heartbeat_ns_ = 0;
  int64_t next_correlation_id_ = 1;
  uint32_t next_out_ = 1;
  uint32_t reconcile_seq_ = 0;        // sequence number of the LogonConf that started it
  InboundSequence inbound_;
  ResendStore store_;
  std::string last_error_;

  std::unique_ptr<uint8_t[]> in_;
  size_t in_len_ = 0;
  std::unique_ptr<uint8_t[]> out_;
  size_t out_pos_ = 0;
  size_t out_len_ = 0;

  SessionCounters counters_;
  SessionOrders app_;  // the order table, the event queue, the local refusals (counted in counters_)
};

}  // namespace pw::oe
