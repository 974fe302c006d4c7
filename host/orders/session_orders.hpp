// The application side of an order-entry session, the same whatever protocol it speaks (Orders SBE:
// OrderSession; FIX 4.4: FixSession): what the caller hands over (OrderParams), what it gets back
// (OrderEvents, queued until it drains them), the order-state table, and the local refusals — a
// request the session does not send gets a record and a rejected event, so that every client order
// id is in exactly one state. Sized at construction; nothing here allocates afterwards.
#pragma once
#include <cstdint>
#include <memory>

#include "host/orders/order_messages.hpp"
#include "host/orders/order_table.hpp"

namespace pw::oe {

struct OrderParams {
  int64_t client_order_id = 0;
  int32_t instrument_id = 0;
  int8_t side = 0;               // 1 buy, -1 sell
  int64_t price = 0;             // limit price ×1e-9
  int32_t quantity = 0;
  uint16_t good_til_date = 0;    // epoch day; 0 for a day order
  uint8_t order_flags = 0;
};

enum class OrderEventType : uint8_t {
  entered,             // OrderEntered
  replaced,            // OrderReplaced
  canceled,            // OrderCanceled (reason = CancelReason)
  filled,              // OrderFilled (partial or full: see state)
  rejected,            // new order refused: OrderReject (reason) or locally (local_reason)
  replace_rejected,    // replace refused; the order stands as before
  cancel_rejected,     // CancelOrderReject (reason) or locally; the order stands
  mass_cancel_ack,     // quantity = canceled count
  mass_cancel_reject,
  session_active,      // LogonConf received
  session_down,        // connection lost or logged out; text says why
  reconciled,          // after a resumed logon every missed message was processed; quantity =
                       // orders whose state unknown_after_disconnect was resolved
};

inline const char* order_event_name(OrderEventType t) {
  switch (t) {
    case OrderEventType::entered: return "entered";
    case OrderEventType::replaced: return "replaced";
    case OrderEventType::canceled: return "canceled";
    case OrderEventType::filled: return "filled";
    case OrderEventType::rejected: return "rejected";
    case OrderEventType::replace_rejected: return "replace_rejected";
    case OrderEventType::cancel_rejected: return "cancel_rejected";
    case OrderEventType::mass_cancel_ack: return "mass_cancel_ack";
    case OrderEventType::mass_cancel_reject: return "mass_cancel_reject";
    case OrderEventType::session_active: return "session_active";
    case OrderEventType::session_down: return "session_down";
    case OrderEventType::reconciled: return "reconciled";
    default: return "invalid";
  }
}

struct OrderEvent {
  OrderEventType type;
  OrderState state;          // of the order after the event (order events only)
  LocalReject local_reason;  // none unless the session refused the request itself
  uint8_t reason;            // the exchange's reject / cancel reason
  bool possible_resend;      // arrived in answer to a resend request
  bool aggressor;            // fills
  int32_t instrument_id;
  int32_t quantity;          // fill quantity (fills), order quantity, or a count
  int32_t total_filled;
  int32_t remaining;         // open quantity at the exchange
  int64_t client_order_id;
  int64_t correlation_id;
  int64_t order_id;
  int64_t exec_id;
  int64_t price;             // fill price (fills), else the order's limit price
  int64_t vwap;
  int64_t time;              // exchange timestamp, or the session's time for local events
  FixedText<63> text;        // reject details, logout or disconnect reason
};

class SessionOrders {
 public:
  // `local_rejects` and `event_queue_overflows` are the owning session's counters, counted here.
  SessionOrders(uint32_t max_orders, uint32_t event_queue, uint64_t& local_rejects, uint64_t& event_queue_overflows)
      : table_(max_orders), cap_(event_queue < 1 ? 1 : event_queue), events_(new OrderEvent[cap_]),
        local_rejects_(local_rejects), overflows_(event_queue_overflows) {}

  OrderTable& table() { return table_; }
  const OrderTable& table() const { return table_; }

  // Queues an event for the caller; a full queue drops it and counts (the table keeps every state).
  void push(const OrderEvent& e) {
    if (count_ == cap_) {
      ++overflows_;
      return;
    }
    events_[(head_ + count_) % cap_] = e;
    ++count_;
  }
  bool next(OrderEvent& e) {
    if (count_ == 0) return false;
    e = events_[head_];
    head_ = (head_ + 1) % cap_;
    --count_;
    return true;
  }

  // An event about an order, from its record, at `now`.
  static OrderEvent event(OrderEventType type, const OrderRecord& r, int64_t now) {
    OrderEvent e{};
    e.type = type;
    e.state = r.state;
    e.local_reason = r.local_reject;
    e.reason = r.reason;
    e.instrument_id = r.instrument_id;
    e.quantity = r.quantity;
    e.total_filled = r.filled;
    e.remaining = r.remaining;
    e.client_order_id = r.client_order_id;
    e.order_id = r.order_id;
    e.price = r.price;
    e.vwap = r.vwap;
    e.time = now;
    return e;
  }

  // The venue refused the request in flight on `r`: a replace (`replace_in_flight`) leaves the
  // order as it stood, a new order ends rejected. False when nothing was in flight to refuse.
  static bool take_reject(OrderRecord& r, bool replace_in_flight, OrderEventType& type) {
    if (replace_in_flight) {
      r.replace_pending = false;
      r.state = known_state(r);
      type = OrderEventType::replace_rejected;
      return true;
    }
    if (known_state(r) != OrderState::pending_new) return false;
    r.state = OrderState::rejected;
    r.remaining = 0;
    type = OrderEventType::rejected;
    return true;
  }

  // The rules every protocol applies before it sends, in this order. `wire` is the session's own
  // reason not to send now (its send buffer full), none when it can. On none, `r` is the order's
  // record: a new one in pending_new for a new order (the caller adds the protocol's fields).
  LocalReject admit_new(const OrderParams& p, bool killed, bool active, LocalReject wire, int64_t now, OrderRecord*& r) {
    if (table_.find(p.client_order_id) != nullptr) {
      ++local_rejects_;  // the id's existing record is left as it is
      return LocalReject::duplicate_client_order_id;
    }
    if (killed) return refuse_new(p, LocalReject::kill_switch, now);
    if (!active) return refuse_new(p, LocalReject::not_logged_on, now);
    if (wire != LocalReject::none) return refuse_new(p, wire, now);
    r = table_.insert(p.client_order_id);
    if (r == nullptr) return refuse_new(p, LocalReject::order_table_full, now);
    take_params(*r, p, OrderState::pending_new, now);
    r->remaining = p.quantity;
    return LocalReject::none;
  }
  LocalReject admit_replace(int64_t client_order_id, bool killed, bool active, LocalReject wire, int64_t now, OrderRecord*& r) {
    r = table_.find(client_order_id);
    if (r == nullptr) {
      ++local_rejects_;
      return LocalReject::unknown_order;
    }
    const OrderEventType t = OrderEventType::replace_rejected;
    if (is_final(r->state)) return refuse_request(*r, t, LocalReject::order_not_open, now);
    if (r->state == OrderState::unknown_after_disconnect) return refuse_request(*r, t, LocalReject::order_state_unknown, now);
    if (r->replace_pending || r->cancel_pending) return refuse_request(*r, t, LocalReject::request_pending, now);
    if (killed) return refuse_request(*r, t, LocalReject::kill_switch, now);
    if (!active) return refuse_request(*r, t, LocalReject::not_logged_on, now);
    if (wire != LocalReject::none) return refuse_request(*r, t, wire, now);
    return LocalReject::none;
  }
  // Cancels stay allowed under the kill switch and for orders of unknown state: they only ever
  // reduce what is at the venue.
  LocalReject admit_cancel(int64_t client_order_id, bool active, LocalReject wire, int64_t now, OrderRecord*& r) {
    r = table_.find(client_order_id);
    if (r == nullptr) {
      ++local_rejects_;
      return LocalReject::unknown_order;
    }
    const OrderEventType t = OrderEventType::cancel_rejected;
    if (is_final(r->state)) return refuse_request(*r, t, LocalReject::order_not_open, now);
    if (r->cancel_pending) return refuse_request(*r, t, LocalReject::request_pending, now);
    if (!active) return refuse_request(*r, t, LocalReject::not_logged_on, now);
    if (wire != LocalReject::none) return refuse_request(*r, t, wire, now);
    return LocalReject::none;
  }

 private:
  static void take_params(OrderRecord& r, const OrderParams& p, OrderState state, int64_t now) {
    r.price = p.price;
    r.quantity = p.quantity;
    r.instrument_id = p.instrument_id;
    r.side = p.side;
    r.state = state;
    r.last_update = now;
  }
  // A new order that is not sent: its record says rejected (with the reason) and so does an event.
  LocalReject refuse_new(const OrderParams& p, LocalReject why, int64_t now) {
    ++local_rejects_;
    OrderRecord tmp{};
    OrderRecord* r = table_.insert(p.client_order_id);  // null only when the table is full
    if (r == nullptr) r = &tmp;
    r->client_order_id = p.client_order_id;
    take_params(*r, p, OrderState::rejected, now);
    r->local_reject = why;
    OrderEvent e = event(OrderEventType::rejected, *r, now);
    e.text.assign(local_reject_name(why));
    push(e);
    return why;
  }
  // A replace or cancel of an existing order that is not sent: the order stands; an event says why.
  LocalReject refuse_request(OrderRecord& r, OrderEventType type, LocalReject why, int64_t now) {
    ++local_rejects_;
    OrderEvent e = event(type, r, now);
    e.local_reason = why;
    e.text.assign(local_reject_name(why));
    push(e);
    return why;
  }
  OrderTable table_;
  uint32_t cap_;
  std::unique_ptr<OrderEvent[]> events_;
  uint32_t head_ = 0;
  uint32_t count_ = 0;
  uint64_t& local_rejects_;
  uint64_t& overflows_;
};

}  // namespace pw::oe
