// The order-state table of an order-entry session: client order id → what the session knows about
// the order. Every order the application hands to the session gets a record (orders refused
// locally included), so that at any moment each client order id is in exactly one state.
// Client order ids are mostly consecutive (a session numbers its orders), so a record lives at the
// id's place in a direct-mapped window (id modulo a power of two ≥ the capacity): a batch of new
// orders reads and writes neighbouring memory, a line or two per order, where a
// hashed table costs a cache and TLB miss or two per order (≈ 400 ns measured on the main job's
// bursts). An id whose place holds another live record goes to an IdMapView (core/id_map.hpp);
// each place counts the ids it sent there, so a lookup probes the map only when one may be there.
// Memory is allocated once at construction for the configured capacity; no allocation after that.
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
  bool replace_overtaken;  // the order ended with a replace in flight: the exchange's reject of it is still to come
  uint8_t reason;          // last reject / cancel reason of the exchange
  LocalReject local_reject;
};

// State of an order seen through a disconnect: what it was before, for events that only refine it.
inline OrderState known_state(const OrderRecord& r) {
  return r.state == OrderState::unknown_after_disconnect ? r.state_before_disconnect : r.state;
}
inline OrderState open_state(int32_t filled) { return filled > 0 ? OrderState::partially_filled : OrderState::active; }

class OrderTable {
 public:
  // Room for `max_orders` records.
  explicit OrderTable(uint32_t max_orders)
      : capacity_(clamp(max_orders)),
        mask_((uint32_t)detail::pow2_at_least(capacity_) - 1),
        direct_(new Slot[(size_t)mask_ + 1]()),
        buckets_(new Map::Bucket[Map::buckets_for(capacity_)]()),
        map_(buckets_.get(), capacity_) {}

  void clear() {
    for (uint32_t i = 0; i <= mask_; ++i) direct_[i] = Slot{};
    direct_count_ = 0;
    map_.clear();
  }

  uint32_t size() const { return direct_count_ + (uint32_t)map_.size(); }
  uint32_t capacity() const { return (uint32_t)capacity_; }
  bool full() const { return size() >= (uint32_t)capacity_; }
  // Inserts refused below capacity because the id's buckets were full (see core/id_map.hpp).
  uint64_t overflows() const { return map_.overflows(); }

  OrderRecord* find(int64_t cid) {
    Slot& d = slot_of(cid);
    if (d.live && d.rec.client_order_id == cid) return &d.rec;
    if (d.elsewhere == 0) return nullptr;  // no id of this slot is in the map: no probe
    const int32_t s = map_.find(cid);
    return s == Map::kNone ? nullptr : &map_.at(s);
  }
  const OrderRecord* find(int64_t cid) const { return const_cast<OrderTable*>(this)->find(cid); }

  // A zeroed record for a new id, or nullptr when the id exists or there is no room for it.
  OrderRecord* insert(int64_t cid) {
    if (full() || find(cid) != nullptr) return nullptr;
    Slot& d = slot_of(cid);
    if (!d.live) {
      d.live = true;
      d.rec = OrderRecord{};
      d.rec.client_order_id = cid;
      ++direct_count_;
      return &d.rec;
    }
    OrderRecord rec{};
    rec.client_order_id = cid;
    const int32_t s = map_.insert(cid, rec);
    if (s == Map::kNone) return nullptr;
    ++d.elsewhere;
    return &map_.at(s);
  }

  // Removes every record in a final state (filled, canceled, rejected); returns how many.
  uint32_t erase_final() {
    uint32_t removed = 0;
    for (uint32_t i = 0; i <= mask_; ++i) {
      Slot& d = direct_[i];
      if (d.live && is_final(d.rec.state)) {
        d.live = false;
        --direct_count_;
        ++removed;
      }
    }
    removed += (uint32_t)map_.erase_if([this](int64_t cid, const OrderRecord& r) {
      if (!is_final(r.state)) return false;
      --slot_of(cid).elsewhere;
      return true;
    });
    return removed;
  }

  template <typename F>
  void for_each(F&& f) {
    for (uint32_t i = 0; i <= mask_; ++i)
      if (direct_[i].live) f(direct_[i].rec);
    map_.for_each([&](int64_t, OrderRecord& r) { f(r); });
  }
  template <typename F>
  void for_each(F&& f) const {
    for (uint32_t i = 0; i <= mask_; ++i)
      if (direct_[i].live) f(static_cast<const OrderRecord&>(direct_[i].rec));
    map_.for_each([&](int64_t, const OrderRecord& r) { f(r); });
  }

 private:
  using Map = IdMapView<OrderRecord>;
  // A record at the id's place in the direct-mapped window, and how many ids of this place are in
  // the map instead (their place was taken when they arrived).
  struct Slot {
    OrderRecord rec;
    bool live;
    uint32_t elsewhere;
  };
  static int32_t clamp(uint32_t n) {
    return n < 1 ? 1 : n > (uint32_t)id_map_detail::kMaxCapacity ? id_map_detail::kMaxCapacity : (int32_t)n;
  }
  Slot& slot_of(int64_t cid) { return direct_[(uint64_t)cid & mask_]; }

  int32_t capacity_;
  uint32_t mask_;
  std::unique_ptr<Slot[]> direct_;
  uint32_t direct_count_ = 0;
  std::unique_ptr<Map::Bucket[]> buckets_;
  Map map_;
};

}  // namespace pw::oe
