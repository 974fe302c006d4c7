// The order-state table of an order-entry session: client order id → what the session knows about
// the order. Every order the application hands to the session gets a record (orders refused
// locally included), so that at any moment each client order id is in exactly one state.
// Open addressing with linear probing over a table sized once; no allocation after construction.
#pragma once
#include <cstdint>
#include <memory>

#include "host/orders/order_messages.hpp"

namespace pw::oe {

enum class OrderState : uint8_t {
  pending_new = 0,           // sent, no answer yet
  active = 1,                // entered at the exchange, nothing filled
  partially_filled = 2,
  filled = 3,                // final
  canceled = 4,              // final
  rejected = 5,              // final (by the exchange, or locally before it was sent)
  unknown_after_disconnect = 6,  // the connection dropped while the order was open
};

inline bool is_final(OrderState s) {
  return s == OrderState::filled || s == OrderState::canceled || s == OrderState::rejected;
}
inline bool is_open(OrderState s) {
  return s == OrderState::pending_new || s == OrderState::active || s == OrderState::partially_filled;
}

inline const char* order_state_name(OrderState s) {
  switch (s) {
    case OrderState::pending_new: return "pending_new";
    case OrderState::active: return "active";
    case OrderState::partially_filled: return "partially_filled";
    case OrderState::filled: return "filled";
    case OrderState::canceled: return "canceled";
    case OrderState::rejected: return "rejected";
    case OrderState::unknown_after_disconnect: return "unknown_after_disconnect";
    default: return "invalid";
  }
}

// Why the session refused a request without sending it.
enum class LocalReject : uint8_t {
  none = 0,
  not_logged_on,              // the session is not active (down, connecting, logging on or out)
  kill_switch,                // the kill switch is engaged (new orders and replaces)
  duplicate_client_order_id,  // the id already names an order of this session
  order_table_full,
  unknown_order,              // replace/cancel of an id this session never sent
  order_not_open,             // replace/cancel of an order already filled, canceled or rejected
  order_state_unknown,        // replace of an order whose state is unknown after a disconnect
  request_pending,            // a replace or cancel of the order is already in flight
  send_buffer_full,           // the connection does not drain; the request was not sent
  count_
};

inline const char* local_reject_name(LocalReject r) {
  switch (r) {
    case LocalReject::none: return "none";
    case LocalReject::not_logged_on: return "not_logged_on";
    case LocalReject::kill_switch: return "kill_switch";
    case LocalReject::duplicate_client_order_id: return "duplicate_client_order_id";
    case LocalReject::order_table_full: return "order_table_full";
    case LocalReject::unknown_order: return "unknown_order";
    case LocalReject::order_not_open: return "order_not_open";
    case LocalReject::order_state_unknown: return "order_state_unknown";
    case LocalReject::request_pending: return "request_pending";
    case LocalReject::send_buffer_full: return "send_buffer_full";
    default: return "invalid";
  }
}

struct OrderRecord {
  int64_t client_order_id;
  int64_t order_id;        // the exchange's, 0 until entered
  int64_t price;           // limit price as the exchange holds it (×1e-9)
  int64_t pending_price;   // of a replace in flight
  int64_t vwap;            // of the fills so far (×1e-9)
  int64_t last_update;     // time of the last change (exchange timestamp or local time)
  int32_t quantity;        // total order quantity, filled included
  int32_t pending_quantity;
  int32_t filled;
  int32_t remaining;       // open quantity at the exchange
  int32_t instrument_id;
  uint32_t new_order_seq;  // sequence number the NewOrder went out with (0: never sent)
  int8_t side;
  OrderState state;
  OrderState state_before_disconnect;  // restored when reconciliation finds nothing changed
  bool replace_pending;
  bool cancel_pending;
  uint8_t reason;          // last reject / cancel reason of the exchange
  LocalReject local_reject;
};

class OrderTable {
 public:
  // Room for `max_orders` records; the slot array is twice that (rounded to a power of two) so
  // probes stay short.
  explicit OrderTable(uint32_t max_orders) : max_orders_(max_orders < 1 ? 1 : max_orders) {
    uint32_t n = 2;
    while (n < 2 * max_orders_) n <<= 1;
    mask_ = n - 1;
    slots_.reset(new Slot[n]);
    clear();
  }

  void clear() {
    for (uint32_t i = 0; i <= mask_; ++i) slots_[i].used = false;
    size_ = 0;
  }

  uint32_t size() const { return size_; }
  uint32_t capacity() const { return max_orders_; }
  bool full() const { return size_ >= max_orders_; }

  OrderRecord* find(int64_t cid) {
    for (uint32_t i = hash(cid);; i = (i + 1) & mask_) {
      if (!slots_[i].used) return nullptr;
      if (slots_[i].rec.client_order_id == cid) return &slots_[i].rec;
    }
  }
  const OrderRecord* find(int64_t cid) const { return const_cast<OrderTable*>(this)->find(cid); }

  // A zeroed record for a new id, or nullptr when the id exists or the table is full.
  OrderRecord* insert(int64_t cid) {
    if (full()) return nullptr;
    uint32_t i = hash(cid);
    for (; slots_[i].used; i = (i + 1) & mask_)
      if (slots_[i].rec.client_order_id == cid) return nullptr;
    slots_[i].used = true;
    slots_[i].rec = OrderRecord{};
    slots_[i].rec.client_order_id = cid;
    ++size_;
    return &slots_[i].rec;
  }

  // Removes every record in a final state (filled, canceled, rejected); returns how many.
  // Backward-shift deletion keeps every remaining record reachable without tombstones.
  uint32_t erase_final() {
    uint32_t removed = 0;
    for (uint32_t i = 0; i <= mask_; ++i) {
      while (slots_[i].used && is_final(slots_[i].rec.state)) {
        erase_at(i);
        ++removed;
      }
    }
    return removed;
  }

  template <typename F>
  void for_each(F&& f) {
    for (uint32_t i = 0; i <= mask_; ++i)
      if (slots_[i].used) f(slots_[i].rec);
  }
  template <typename F>
  void for_each(F&& f) const {
    for (uint32_t i = 0; i <= mask_; ++i)
      if (slots_[i].used) f(static_cast<const OrderRecord&>(slots_[i].rec));
  }

 private:
  struct Slot {
    OrderRecord rec;
    bool used;
  };

  uint32_t hash(int64_t cid) const {
    uint64_t x = (uint64_t)cid * 0x9E3779B97F4A7C15ull;  // Fibonacci hashing: sequential ids spread
    return (uint32_t)(x >> 32) & mask_;
  }

  void erase_at(uint32_t i) {
    slots_[i].used = false;
    --size_;
    for (uint32_t j = (i + 1) & mask_; slots_[j].used; j = (j + 1) & mask_) {
      const uint32_t home = hash(slots_[j].rec.client_order_id);
      // Move j into the hole when its home position does not lie cyclically in (i, j].
      const bool home_in_range = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (home_in_range) continue;
      slots_[i] = slots_[j];
      slots_[j].used = false;
      i = j;
    }
  }

  uint32_t max_orders_;
  uint32_t mask_ = 0;
  uint32_t size_ = 0;
  std::unique_ptr<Slot[]> slots_;
};

}  // namespace pw::oe
