// What the risk gate needs from an order-entry session, whatever protocol it speaks: Orders SBE
// (OrderSession, host/orders/order_session.hpp) or FIX 4.4 (FixSession, host/fix/fix_session.hpp).
// Both produce the same OrderEvents and keep the same OrderTable, so the risk engine and the
// strategy are driven the same way. One virtual call per request: nothing here allocates.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "host/orders/order_table.hpp"

namespace pw::oe {

struct OrderParams;
struct OrderEvent;
enum class SessionState : uint8_t;

// What a session recovered and what it set aside, whatever its protocol (the run report's
// order-entry line). A count a protocol does not have stays 0.
struct SessionHealth {
  uint64_t logons = 0;
  uint64_t disconnects = 0;
  uint64_t resend_requests = 0;        // asked the venue for missed messages
  uint64_t duplicates_ignored = 0;     // venue messages numbered below the expected one
  uint64_t refused_messages = 0;       // malformed, undecodable or outside the dictionary
  uint64_t protocol_errors = 0;        // messages the client never expects, or unusable ones
  uint64_t unknown_order_events = 0;   // reports naming no order of this session
  uint64_t impossible_quantities = 0;  // reports whose quantities no order can have: not applied
  uint64_t local_rejects = 0;          // requests the session refused without sending
};

class OrderEntrySession {
 public:
  virtual ~OrderEntrySession() = default;
  virtual void start(int64_t now_ns) = 0;
  virtual void logout(std::string_view reason) = 0;
  virtual void poll(int64_t now_ns) = 0;
  virtual LocalReject send_new_order(const OrderParams& order) = 0;
  virtual LocalReject send_replace(int64_t client_order_id, int64_t new_price, int32_t new_quantity) = 0;
  virtual LocalReject send_cancel(int64_t client_order_id) = 0;
  // Cancels every open order at the venue (at once, or right after the next logon) and refuses new
  // orders and replaces with LocalReject::kill_switch until unkill().
  virtual void kill_switch() = 0;
  virtual void unkill() = 0;
  virtual bool killed() const = 0;
  virtual void begin_batch() = 0;
  virtual void end_batch() = 0;
  virtual bool next_event(OrderEvent& e) = 0;
  virtual const OrderTable& orders() const = 0;
  virtual uint32_t forget_final_orders() = 0;
  virtual SessionState state() const = 0;
  virtual bool active() const = 0;
  // Logged on again after a drop, until every message missed while down has been processed: the
  // open orders' states are not known yet.
  virtual bool reconciling() const = 0;
  // Messages this side has written and read (sequence-numbered), for the feed-time gate to check
  // that each side has read what the other wrote.
  virtual uint64_t messages_sent() const = 0;
  virtual uint64_t messages_received() const = 0;
  virtual const std::string& last_error() const = 0;
  virtual SessionHealth health() const = 0;
};

}  // namespace pw::oe
