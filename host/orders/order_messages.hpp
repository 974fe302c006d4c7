// Typed messages of the Coinbase Derivatives Orders SBE v1.8 protocol that the order-entry session
// and the simulated exchange exchange. Each is a plain struct whose members are named once, in its
// PW_OE_FIELDS list (host/orders/message_fields.hpp): the compiler finds each name in the layout
// table of core/orders_schema.hpp and checks the member's type against the field's size and kind,
// and the same list drives the writer and the reader, so no name is looked up at run time.
//
//   uint8_t buf[kMaxMessageSize];
//   size_t n = encode(buf, sizeof buf, header, NewOrder{...});   // 0 when buf is too small
//   ...
//   orders::Message m; ... read_message(...) ...
//   NewOrder o; if (decode(m, o)) ...                          // false for another template
//
// Bodies shorter than the current layout (v1.4 senders) read the missing trailing fields as zero.
#pragma once
#include <cstdint>

#include "core/orders_codec.hpp"
#include "host/orders/message_fields.hpp"

namespace pw::oe {

using orders::SendHeader;

// Longest message the session sends or receives among the typed ones (order_filled: 32 + 81).
constexpr size_t kMaxMessageSize = 128;

constexpr uint8_t kFlagPossibleResend = 0x01;  // header Flags bit 0

// Mass cancel "all" values (assumption of this project, see docs/order_entry.md): a null
// instrument id cancels every instrument, side 0 both sides, a null price any price.
constexpr int32_t kAllInstruments = kNullI32;
constexpr int8_t kBothSides = 0;

// OrderRejectReason values of the spec.
enum class OrderRejectReason : uint8_t {
  error = 1,
  invalid_instrument = 2,
  client_order_id_in_use = 3,
  validation_failure = 8,
  unknown_order = 9,
};

// CancelReason values of the spec.
enum class CancelReason : uint8_t {
  expired = 0,
  canceled_by_user = 1,
  self_match_prevention = 2,
  client_disconnect = 3,
  price_limit = 4,
  admin_cancel = 5,
  mass_cancel = 6,
  stream_replaced = 7,
  active_limit_exceeded = 8,
};

// ---- session messages (schema 1100) ------------------------------------------------------------

struct Heartbeat {
  static constexpr const TemplateDef& kLayout = orders::kHeartbeat;
  static constexpr uint16_t kSchema = orders::kSessionSchemaId;
  int64_t correlation_id = 0;
  PW_OE_FIELDS(correlation_id)
};

struct TestRequest {
  static constexpr const TemplateDef& kLayout = orders::kTestRequest;
  static constexpr uint16_t kSchema = orders::kSessionSchemaId;
  int64_t correlation_id = 0;
  PW_OE_FIELDS(correlation_id)
};

struct Logon {
  static constexpr const TemplateDef& kLayout = orders::kLogon;
  static constexpr uint16_t kSchema = orders::kSessionSchemaId;
  FixedText<16> username;
  FixedText<32> password;
  bool reset_seq_num = false;
  PW_OE_FIELDS(username, password, reset_seq_num)
};

struct Logout {
  static constexpr const TemplateDef& kLayout = orders::kLogout;
  static constexpr uint16_t kSchema = orders::kSessionSchemaId;
  FixedText<64> reason;
  PW_OE_FIELDS(reason)
};

struct ResendRequest {
  static constexpr const TemplateDef& kLayout = orders::kResendRequest;
  static constexpr uint16_t kSchema = orders::kSessionSchemaId;
  uint32_t from_sequence_number = 0;
  uint32_t to_sequence_number = 0;  // inclusive; 0 = up to the latest sent
  PW_OE_FIELDS(from_sequence_number, to_sequence_number)
};

struct LogonConf {
  static constexpr const TemplateDef& kLayout = orders::kLogonConf;
  static constexpr uint16_t kSchema = orders::kSessionSchemaId;
  int32_t heartbeat_interval_seconds = 0;
  PW_OE_FIELDS(heartbeat_interval_seconds)
};

struct LoggedOut {
  static constexpr const TemplateDef& kLayout = orders::kLoggedOut;
  static constexpr uint16_t kSchema = orders::kSessionSchemaId;
  FixedText<64> reason;
  PW_OE_FIELDS(reason)
};

// Sent with the header sequence number of the first message it replaces and the possible-resend
// flag; `new_sequence_number` is the next sequence number the receiver should expect.
struct GapFill {
  static constexpr const TemplateDef& kLayout = orders::kGapFill;
  static constexpr uint16_t kSchema = orders::kSessionSchemaId;
  uint32_t new_sequence_number = 0;
  uint32_t gap_fill_padding = 0;
  PW_OE_FIELDS(new_sequence_number, gap_fill_padding)
};

// ---- application messages (schema 1101): client → exchange ------------------------------------

struct NewOrder {
  static constexpr const TemplateDef& kLayout = orders::kNewOrder;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int64_t limit_price = 0;  // ×1e-9
  int32_t quantity = 0;
  int32_t instrument_id = 0;
  int8_t side = 0;          // 1 buy, -1 sell
  uint8_t order_flags = 0;
  uint16_t good_til_date = 0;  // epoch day; 0 with a day order
  PW_OE_FIELDS(client_order_id, correlation_id, limit_price, quantity, instrument_id, side, order_flags,
               good_til_date)
};

// `new_quantity` is the new total quantity of the order, filled contracts included.
struct ReplaceOrder {
  static constexpr const TemplateDef& kLayout = orders::kReplaceOrder;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int64_t new_limit_price = 0;
  int32_t new_quantity = 0;
  int32_t instrument_id = 0;
  uint16_t good_til_date = 0;
  int8_t time_in_force = 0;  // 0 day, 1 good-till-date
  PW_OE_FIELDS(client_order_id, correlation_id, new_limit_price, new_quantity, instrument_id, good_til_date,
               time_in_force)
};

struct CancelOrder {
  static constexpr const TemplateDef& kLayout = orders::kCancelOrder;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int32_t instrument_id = 0;
  PW_OE_FIELDS(client_order_id, correlation_id, instrument_id)
};

struct MassCancelOrder {
  static constexpr const TemplateDef& kLayout = orders::kMassCancelOrder;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t correlation_id = 0;
  int64_t limit_price = kNullI64;        // null: any price
  int32_t instrument_id = kAllInstruments;
  int8_t side = kBothSides;
  bool current_session_only = false;
  bool request_trading_lock = false;
  PW_OE_FIELDS(correlation_id, limit_price, instrument_id, side, current_session_only, request_trading_lock)
};

// Recovery after a restart: the last execution id the exchange holds for this session, and the
// execution reports [begin_exec_id, end_exec_id] sent again (as new sequenced messages).
struct LastExecIdRequest {
  static constexpr const TemplateDef& kLayout = orders::kLastExecIdRequest;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t correlation_id = 0;
  PW_OE_FIELDS(correlation_id)
};

struct EventResendRequest {
  static constexpr const TemplateDef& kLayout = orders::kEventResendRequest;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t correlation_id = 0;
  int64_t begin_exec_id = 0;
  int64_t end_exec_id = 0;  // inclusive
  PW_OE_FIELDS(correlation_id, begin_exec_id, end_exec_id)
};

// ---- application messages: exchange → client ---------------------------------------------------

struct OrderEntered {
  static constexpr const TemplateDef& kLayout = orders::kOrderEntered;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t timestamp = 0;
  int64_t exec_id = 0;
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int64_t order_id = 0;
  int64_t receive_time = 0;
  PW_OE_FIELDS(timestamp, exec_id, client_order_id, correlation_id, order_id, receive_time)
};

struct OrderReplaced {
  static constexpr const TemplateDef& kLayout = orders::kOrderReplaced;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t timestamp = 0;
  int64_t exec_id = 0;
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int64_t order_id = 0;
  int64_t receive_time = 0;
  int32_t total_filled = 0;
  int32_t available_qty = 0;
  int32_t instrument_id = 0;
  PW_OE_FIELDS(timestamp, exec_id, client_order_id, correlation_id, order_id, receive_time, total_filled,
               available_qty, instrument_id)
};

struct OrderReject {
  static constexpr const TemplateDef& kLayout = orders::kOrderReject;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t timestamp = 0;
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int64_t order_id_optional = kNullI64;
  uint8_t order_reject_reason = 0;
  FixedText<47> order_reject_details;
  PW_OE_FIELDS(timestamp, client_order_id, correlation_id, order_id_optional, order_reject_reason,
               order_reject_details)
};

struct OrderCanceled {
  static constexpr const TemplateDef& kLayout = orders::kOrderCanceled;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t timestamp = 0;
  int64_t exec_id = 0;
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int64_t order_id = 0;
  int64_t receive_time = 0;
  int32_t total_filled = 0;
  int32_t instrument_id = 0;
  uint8_t cancel_reason = 0;
  PW_OE_FIELDS(timestamp, exec_id, client_order_id, correlation_id, order_id, receive_time, total_filled,
               instrument_id, cancel_reason)
};

struct OrderFilled {
  static constexpr const TemplateDef& kLayout = orders::kOrderFilled;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t timestamp = 0;
  int64_t exec_id = 0;
  int64_t match_id = 0;
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int64_t order_id = 0;
  int64_t filled_vwap = 0;
  int32_t total_filled = 0;
  int32_t available_qty = 0;
  int64_t fill_price = 0;
  int32_t fill_qty = 0;
  int32_t instrument_id = 0;
  bool is_aggressor = false;
  PW_OE_FIELDS(timestamp, exec_id, match_id, client_order_id, correlation_id, order_id, filled_vwap,
               total_filled, available_qty, fill_price, fill_qty, instrument_id, is_aggressor)
};

struct MassCancelOrderAck {
  static constexpr const TemplateDef& kLayout = orders::kMassCancelOrderAck;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t timestamp = 0;
  int64_t exec_id = 0;
  int64_t correlation_id = 0;
  int32_t canceled_count = 0;
  bool only_current_session = false;
  bool trading_lock_applied = false;
  PW_OE_FIELDS(timestamp, exec_id, correlation_id, canceled_count, only_current_session, trading_lock_applied)
};

struct MassCancelOrderReject {
  static constexpr const TemplateDef& kLayout = orders::kMassCancelOrderReject;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t timestamp = 0;
  int64_t correlation_id = 0;
  FixedText<32> error_message;
  PW_OE_FIELDS(timestamp, correlation_id, error_message)
};

struct CancelOrderReject {
  static constexpr const TemplateDef& kLayout = orders::kCancelOrderReject;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t timestamp = 0;
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int64_t order_id_optional = kNullI64;
  uint8_t cancel_order_reject_reason = 0;
  FixedText<31> cancel_order_reject_details;
  PW_OE_FIELDS(timestamp, client_order_id, correlation_id, order_id_optional, cancel_order_reject_reason,
               cancel_order_reject_details)
};

struct LastExecId {
  static constexpr const TemplateDef& kLayout = orders::kLastExecId;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t timestamp = 0;
  int64_t last_exec_id = 0;
  int64_t correlation_id = 0;
  PW_OE_FIELDS(timestamp, last_exec_id, correlation_id)
};

struct EventResendComplete {
  static constexpr const TemplateDef& kLayout = orders::kEventResendComplete;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t correlation_id = 0;
  int32_t resent_event_count = 0;
  PW_OE_FIELDS(correlation_id, resent_event_count)
};

// ResendRejectReason: the spec names the field without listing values; this project sends 1 for a
// range the exchange no longer holds and 2 for a malformed one (docs/order_entry.md).
enum class ResendRejectReason : uint8_t { range_not_available = 1, invalid_range = 2 };

struct EventResendReject {
  static constexpr const TemplateDef& kLayout = orders::kEventResendReject;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t correlation_id = 0;
  uint8_t resend_reject_reason = 0;
  FixedText<55> details_string_55;
  PW_OE_FIELDS(correlation_id, resend_reject_reason, details_string_55)
};

// ---- whole messages -----------------------------------------------------------------------------

// Header + body of `msg` into `out`. Returns the message length, 0 when `cap` is too small.
template <typename T>
inline size_t encode(uint8_t* out, size_t cap, const SendHeader& header, const T& msg) {
  static_assert(lists_every_field_once<T>(), "the message's field list must name every field of its layout once");
  const size_t n = orders::begin_message(out, cap, T::kLayout, T::kSchema, header);
  if (n != 0) {
    BodyWriter w{out + orders::kHeaderSize};
    T::fields(msg, w);
  }
  return n;
}

// True when `m` (a message read by orders::read_message) is a `T`; its body is then read into
// `out`. The layout pointer identifies schema and template together.
template <typename T>
inline bool decode(const orders::Message& m, T& out) {
  static_assert(lists_every_field_once<T>(), "the message's field list must name every field of its layout once");
  if (m.layout != &T::kLayout) return false;
  BodyReader r{m.body, m.block_length};
  T::fields(out, r);
  return true;
}

template <typename T>
inline bool is(const orders::Message& m) {
  return m.layout == &T::kLayout;
}

}  // namespace pw::oe
