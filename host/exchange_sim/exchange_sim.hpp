// Simulated Coinbase Derivatives order-entry endpoint: a TCP server (loopback, port chosen by the
// OS unless configured) speaking Orders SBE v1.8 like the real one — logon → LogonConf, heartbeats
// and test requests, sequence numbers both ways with ResendRequest / GapFill, order validation,
// entered / replaced / canceled / rejected / filled reports, mass cancel — plus hooks that inject
// faults (dropped connection, skipped sequence numbers, duplicated message, garbage bytes, silence).
//
// Validation, matching and the feed-clock queue are SimMatcher's (sim_matcher.hpp), shared with the
// FIX venue (host/fix/fix_venue_sim.hpp): this class turns its reports into SBE messages.
// See docs/order_entry.md.
//
// Sessions are keyed by username and outlive their connections: messages produced while a client
// is away (fills of its resting orders) take sequence numbers and are stored, and a resumed logon
// gets them through the ordinary resend request.
//
// Thread-safe: start() runs the poll loop in its own thread and every public call locks; or call
// listen() once and drive poll_once() from the caller's own loop (perpwire run does, with the
// feed clock: see ExchangeSimConfig::feed_clock).
#pragma once
#include <poll.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "host/orders/order_messages.hpp"
#include "host/orders/order_table.hpp"
#include "host/orders/session_sequencing.hpp"
#include "host/exchange_sim/sim_matcher.hpp"

namespace pw::oe {

struct ExchangeSimConfig {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 0;                    // 0: chosen by the OS (see port())
  int32_t heartbeat_interval_seconds = 5;
  bool cancel_on_disconnect = false;    // cancel a session's resting orders (reason 3) when it drops
  // Accepted username → password; empty accepts any credentials.
  std::map<std::string, std::string> users;
  uint32_t resend_store = 16384;        // application messages kept per session
  // Feed time (replays): the caller moves the clock with set_feed_time(); an order, replace or
  // cancel is acted on — matched and answered — once that clock has passed its arrival by
  // `ack_latency_ns`, and answers carry that time. Heartbeats and timeouts stay on the wall clock.
  // Off: requests are acted on as they are read, stamped with the wall clock.
  bool feed_clock = false;
  int64_t ack_latency_ns = 0;
};

// The matcher's counts (orders entered, rejected, fills…) and the SBE server's own.
struct ExchangeSimCounters : SimMatchCounters {
  uint64_t connections_accepted = 0;
  uint64_t logons = 0;
  uint64_t logon_rejects = 0;
  uint64_t disconnects = 0;
  uint64_t messages_in = 0;
  uint64_t messages_out = 0;
  uint64_t heartbeats_sent = 0;
  uint64_t test_requests_sent = 0;
  uint64_t client_timeouts = 0;
  uint64_t duplicates_ignored = 0;      // client messages numbered below the expected one
  uint64_t gaps_detected = 0;
  uint64_t resend_requests_sent = 0;
  uint64_t resend_requests_received = 0;
  uint64_t messages_resent = 0;
  uint64_t gap_fills_sent = 0;
  uint64_t gap_fills_received = 0;
  uint64_t possible_resends_processed = 0;  // client messages flagged possible-resend, in order
  uint64_t garbage_from_clients = 0;
  uint64_t duplicates_injected = 0;
  uint64_t sequence_numbers_skipped = 0;
  uint64_t garbage_injected = 0;
};

class ExchangeSim : private SimReports {
 public:
  explicit ExchangeSim(ExchangeSimConfig config = {});
  ~ExchangeSim();
  ExchangeSim(const ExchangeSim&) = delete;
  ExchangeSim& operator=(const ExchangeSim&) = delete;

  // Binds and listens; false with a reason when the address or port cannot be used.
  bool listen(std::string& error);
  // listen() and run the poll loop in a thread of its own until stop().
  bool start(std::string& error);
  void stop();
  // One round of the loop: waits up to `timeout_ms` for activity, then reads, answers, writes and
  // runs the heartbeat timers. For callers that drive the simulator themselves.
  void poll_once(int timeout_ms);
  uint16_t port() const { return port_; }
  // Feed clock only: moves the exchange's clock to `feed_ns` (never back) and acts on the requests
  // that have become due. No wait, no syscall beyond writing the answers.
  void set_feed_time(int64_t feed_ns);
  // Feed clock only: requests read but not yet acted on.
  size_t requests_waiting() const;

  // ---- market -----------------------------------------------------------------------------------
  // Instruments the simulator accepts orders for; prices must be multiples of `tick_size` (×1e-9).
  void add_instrument(int32_t instrument_id, int64_t tick_size);
  // Reference market of a known instrument (null price or zero quantity: that side is empty).
  // Resting client orders the new market crosses fill at once. False for an unknown instrument.
  bool set_market(int32_t instrument_id, int64_t bid_px, int32_t bid_qty, int64_t ask_px, int32_t ask_qty);

  // ---- fault injection (every logged-on session) -------------------------------------------------
  // Closes every client connection (the client sees end of stream).
  void drop_connections();
  // The next message of each session goes out `n` sequence numbers later (a gap the client must
  // ask to have filled; the skipped numbers are answered with GapFill).
  void skip_outgoing_seq(uint32_t n);
  // The next application message of each session is written twice, same sequence number.
  void duplicate_next_message();
  // Writes these bytes into every logged-on connection at once.
  void send_garbage(const std::vector<uint8_t>& bytes);
  // Stops (true) or resumes (false) every write: no heartbeats, no answers. Messages produced
  // meanwhile still take sequence numbers and are stored.
  void set_silent(bool silent);

  // ---- views --------------------------------------------------------------------------------------
  bool find_order(const std::string& username, int64_t client_order_id, SimOrder& out) const;
  std::vector<SimOrder> orders_of(const std::string& username) const;
  ExchangeSimCounters counters() const;
  uint32_t logged_on_sessions() const;
  // Sequence numbers of a session (0 when the username never logged on).
  uint32_t next_outgoing_seq(const std::string& username) const;
  uint32_t expected_incoming_seq(const std::string& username) const;

 private:
  struct Connection;
  struct Session {
    std::string username;
    uint32_t next_out = 1;
    uint32_t skip = 0;             // numbers to skip before the next message
    bool duplicate_next = false;
    InboundSequence inbound;
    std::unique_ptr<ResendStore> store;
    Connection* conn = nullptr;
  };
  struct Connection {
    int fd = -1;
    bool dead = false;             // closed or to be closed; fd released by the loop
    bool close_after_flush = false;
    Session* session = nullptr;
    std::vector<uint8_t> in;
    size_t in_len = 0;
    std::vector<uint8_t> out;
    size_t out_pos = 0;
    int64_t last_recv = 0;
    int64_t last_send = 0;
    bool test_request_outstanding = false;
  };

  static int64_t now_ns();
  // The time answers carry: the feed clock, or the wall clock.
  int64_t exchange_time() const { return matcher_.time(); }
  void wake();
  void accept_all();
  void read_connection(Connection& c);
  void on_message(Connection& c, const orders::Message& m);
  void on_logon(Connection& c, const orders::Message& m);
  void refuse_logon(Connection& c, const std::string& reason);
  void on_session_message(Connection& c, Session& s, const orders::Message& m);
  void on_application_message(Session& s, const orders::Message& m);
  void process(Connection& c, Session& s, const orders::Message& m);
  void drain_held(Connection& c, Session& s);
  void request_resend(Session& s, uint32_t seq, bool held);
  void run_timers(Connection& c, int64_t now);
  void disconnect(Connection& c, const char* why);

  // SimReports: the matcher's reports as SBE messages to the owner's session.
  Session& session_of(const std::string& owner);
  void entered(const SimOrder& o, int64_t exec_id, int64_t time) override;
  void new_rejected(const std::string& owner, const SimNewOrder& r, OrderRejectReason reason, const char* why,
                    int64_t time) override;
  void replaced(const SimOrder& o, int64_t exec_id, int64_t time) override;
  void replace_rejected(const std::string& owner, const SimReplace& r, const SimOrder* o, OrderRejectReason reason,
                        const char* why, int64_t time) override;
  void canceled(const SimOrder& o, CancelReason reason, int64_t exec_id, int64_t time) override;
  void cancel_rejected(const std::string& owner, const SimCancel& r, const SimOrder* o, int64_t time) override;
  void filled(const SimOrder& o, int64_t price, int32_t qty, bool aggressor, int64_t exec_id, int64_t match_id,
              int64_t time) override;
  void mass_cancel_ack(const std::string& owner, const SimMassCancel& r, int32_t count, int64_t exec_id,
                       int64_t time) override;
  void mass_cancel_rejected(const std::string& owner, const SimMassCancel& r, const char* why, int64_t time) override;

  // Outgoing messages. Application messages take a sequence number and are stored whether or not
  // the client is connected; session messages go only to a live connection.
  template <typename T>
  void emit_application(Session& s, const T& msg);
  template <typename T>
  void emit_session(Connection& c, const T& msg);
  uint32_t take_seq(Session& s);
  bool transmit(Connection& c, const uint8_t* data, size_t len);
  void flush(Connection& c);

  ExchangeSimConfig config_;
  mutable std::mutex mutex_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> running_{false};
  std::thread loop_;
  bool silent_ = false;
  std::vector<pollfd> poll_fds_;
  std::vector<Connection*> polled_;

  SimMatcher matcher_;
  std::map<std::string, std::unique_ptr<Session>> sessions_;
  std::vector<std::unique_ptr<Connection>> connections_;
  ExchangeSimCounters counters_;
};

}  // namespace pw::oe
