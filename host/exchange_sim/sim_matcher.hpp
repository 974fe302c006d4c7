// The protocol-independent core of the simulated venues: the books of client orders, validation,
// matching against the reference market and the feed-clock queue of requests. ExchangeSim (Orders
// SBE) and FixVenueSim (FIX 4.4) each own one and turn its reports into their own wire messages, so
// both simulators match identically — there is one copy of the matching rules.
//
// Matching: each instrument has a reference market (best bid and ask with their quantities, set by
// set_market — the replayed book feeds it). A buy at or above the ask fills at the ask, up to the
// quantity shown there (consumed until the next set_market); the rest rests. A resting order fills
// at its own price when set_market moves the opposite side through it, best price first, then time.
// Client orders never match each other. Orders are keyed by owner (the session's name) and client
// order id. Not thread-safe: the owning simulator locks around it.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "host/orders/order_messages.hpp"
#include "host/orders/order_table.hpp"

namespace pw::oe {

// The simulator's view of one order.
struct SimOrder {
  std::string username;
  int64_t client_order_id = 0;
  int64_t order_id = 0;
  int64_t correlation_id = 0;           // of the last request on the order
  int64_t price = 0;
  int32_t instrument_id = 0;
  int32_t quantity = 0;                 // total, filled included
  int32_t filled = 0;
  int32_t remaining = 0;
  int64_t vwap = 0;
  int8_t side = 0;
  OrderState state = OrderState::active;  // active, partially_filled, filled, canceled
  uint8_t cancel_reason = 0;
  uint64_t priority = 0;                // time priority among resting orders
  __int128 notional = 0;                // Σ price × qty of the fills, for the vwap
};

// Requests, whatever protocol carried them.
struct SimNewOrder {
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int32_t instrument_id = 0;
  int8_t side = 0;        // 1 buy, -1 sell
  int64_t price = 0;      // ×1e-9
  int32_t quantity = 0;
};
struct SimReplace {
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int32_t instrument_id = 0;
  int64_t price = 0;
  int32_t quantity = 0;   // new total, filled included
};
struct SimCancel {
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
};
struct SimMassCancel {
  int64_t correlation_id = 0;
  int32_t instrument_id = kAllInstruments;
  int8_t side = kBothSides;
  bool current_session_only = false;
};
using SimRequest = std::variant<SimNewOrder, SimReplace, SimCancel, SimMassCancel>;

// What the matcher reports; the simulator writes each as its protocol's message. `time` is the
// exchange's (feed clock or wall clock); `exec_id` is unique per report that carries one.
class SimReports {
 public:
  virtual ~SimReports() = default;
  virtual void entered(const SimOrder& o, int64_t exec_id, int64_t time) = 0;
  virtual void new_rejected(const std::string& owner, const SimNewOrder& r, OrderRejectReason reason,
                            const char* why, int64_t time) = 0;
  virtual void replaced(const SimOrder& o, int64_t exec_id, int64_t time) = 0;
  // `o` is the order named (nullptr when there is none).
  virtual void replace_rejected(const std::string& owner, const SimReplace& r, const SimOrder* o,
                                OrderRejectReason reason, const char* why, int64_t time) = 0;
  virtual void canceled(const SimOrder& o, CancelReason reason, int64_t exec_id, int64_t time) = 0;
  virtual void cancel_rejected(const std::string& owner, const SimCancel& r, const SimOrder* o, int64_t time) = 0;
  virtual void filled(const SimOrder& o, int64_t price, int32_t qty, bool aggressor, int64_t exec_id,
                      int64_t match_id, int64_t time) = 0;
  virtual void mass_cancel_ack(const std::string& owner, const SimMassCancel& r, int32_t count, int64_t exec_id,
                               int64_t time) = 0;
  virtual void mass_cancel_rejected(const std::string& owner, const SimMassCancel& r, const char* why,
                                    int64_t time) = 0;
};

struct SimMatchCounters {
  uint64_t orders_entered = 0;
  uint64_t orders_rejected = 0;
  uint64_t replaces = 0;
  uint64_t replace_rejects = 0;
  uint64_t cancels = 0;
  uint64_t cancel_rejects = 0;
  uint64_t mass_cancels = 0;
  uint64_t fills = 0;
  uint64_t requests_delayed = 0;   // feed clock: requests held until their ack latency had passed
};

class SimMatcher {
 public:
  // feed_clock: requests wait until set_feed_time has passed their arrival by ack_latency_ns and
  // reports carry that time; off: acted on at once, stamped with the wall clock.
  SimMatcher(SimReports& reports, bool feed_clock, int64_t ack_latency_ns);

  void add_instrument(int32_t instrument_id, int64_t tick_size);
  bool known_instrument(int32_t instrument_id) const { return markets_.count(instrument_id) != 0; }
  // Null price or zero quantity: that side is empty. Resting orders it crosses fill at once.
  bool set_market(int32_t instrument_id, int64_t bid_px, int32_t bid_qty, int64_t ask_px, int32_t ask_qty);

  // A request just read from `owner`: acted on now, or queued until its ack latency has passed.
  void submit(const std::string& owner, const SimRequest& r);
  // Feed clock: moves the clock to `feed_ns` (never back) and acts on what has become due.
  void set_feed_time(int64_t feed_ns);
  size_t requests_waiting() const { return pending_.size(); }
  // The time reports carry now.
  int64_t time() const;

  // Cancels every open order of `owner` (oldest first) with `reason`.
  void cancel_all(const std::string& owner, CancelReason reason);

  const SimOrder* find(const std::string& owner, int64_t client_order_id) const;
  std::vector<SimOrder> orders_of(const std::string& owner) const;  // by order id
  const SimMatchCounters& counters() const { return counters_; }

  static int64_t wall_ns();

 private:
  struct Market {
    int64_t tick_size = 1;
    int64_t bid_px = kNullI64;
    int64_t ask_px = kNullI64;
    int32_t bid_qty = 0;  // quantity still available at the bid (fills consume it)
    int32_t ask_qty = 0;
  };
  struct Pending {
    std::string owner;
    int64_t due = 0;
    SimRequest request;
  };
  using Book = std::unordered_map<int64_t, SimOrder*>;

  void act_on(const std::string& owner, const SimRequest& r);
  void run_due();
  void on_new_order(const std::string& owner, const SimNewOrder& o);
  void on_replace(const std::string& owner, const SimReplace& o);
  void on_cancel(const std::string& owner, const SimCancel& o);
  void on_mass_cancel(const std::string& owner, const SimMassCancel& o);
  void match_aggressive(SimOrder& o);
  void match_resting(int32_t instrument_id);
  void fill(SimOrder& o, int64_t price, int32_t qty, bool aggressor);
  void cancel(SimOrder& o, CancelReason reason);
  void remove_resting(SimOrder& o);
  SimOrder* lookup(const std::string& owner, int64_t cid);

  SimReports& reports_;
  bool feed_clock_;
  int64_t ack_latency_ns_;
  int64_t feed_now_ = 0;
  std::deque<Pending> pending_;
  std::map<int32_t, Market> markets_;
  std::map<std::string, Book> books_;                  // owner → client order id → order
  std::deque<SimOrder> all_orders_;                    // stable addresses
  std::map<int32_t, std::vector<SimOrder*>> resting_;  // per instrument
  int64_t next_order_id_ = 1000;
  int64_t next_exec_id_ = 1;
  int64_t next_match_id_ = 1;
  uint64_t next_priority_ = 1;
  SimMatchCounters counters_;
};

}  // namespace pw::oe
