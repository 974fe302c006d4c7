// The order-state table of an order-entry session: client order id → what the session knows about
// the order. Every order the application hands to the session gets a record (orders refused
// locally included), so that at any moment each client order id is in exactly one state.
// An IdMapView (core/id_map.hpp) over buckets allocated once at construction for the configured
// capacity; no allocation after that.
#pragma once
#include <cstdint>
#include <memory>

#include "core/id_map.hpp"
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
  // Room for `max_orders` records (the id map's capacity rule: core/id_map.hpp).
  explicit OrderTable(uint32_t max_orders)
      : buckets_(new Map::Bucket[Map::buckets_for(clamp(max_orders))]()), map_(buckets_.get(), clamp(max_orders)) {}

  void clear() { map_.clear(); }

  uint32_t size() const { return (uint32_t)map_.size(); }
  uint32_t capacity() const { return (uint32_t)map_.capacity(); }
  bool full() const { return map_.full(); }
  // Inserts refused below capacity because the id's buckets were full (see core/id_map.hpp).
  uint64_t overflows() const { return map_.overflows(); }

  OrderRecord* find(int64_t cid) {
    const int32_t s = map_.find(cid);
    return s == Map::kNone ? nullptr : &map_.at(s);
  }
  const OrderRecord* find(int64_t cid) const { return const_cast<OrderTable*>(this)->find(cid); }

  // A zeroed record for a new id, or nullptr when the id exists or there is no room for it.
  OrderRecord* insert(int64_t cid) {
    if (full() || map_.find(cid) != Map::kNone) return nullptr;
    OrderRecord rec{};
    rec.client_order_id = cid;
    const int32_t s = map_.insert(cid, rec);
    return s == Map::kNone ? nullptr : &map_.at(s);
  }

  // Removes every record in a final state (filled, canceled, rejected); returns how many.
  uint32_t erase_final() {
    return (uint32_t)map_.erase_if([](int64_t, const OrderRecord& r) { return is_final(r.state); });
  }

  template <typename F>
  void for_each(F&& f) {
    map_.for_each([&](int64_t, OrderRecord& r) { f(r); });
  }
  template <typename F>
  void for_each(F&& f) const {
    map_.for_each([&](int64_t, const OrderRecord& r) { f(r); });
  }

 private:
  using Map = IdMapView<OrderRecord>;
  static int32_t clamp(uint32_t n) { return n < 1 ? 1 : n > (uint32_t)INT32_MAX ? INT32_MAX : (int32_t)n; }

  std::unique_ptr<Map::Bucket[]> buckets_;
  Map map_;
};

}  // namespace pw::oe
