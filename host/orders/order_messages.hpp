// Typed messages of the Coinbase Derivatives Orders SBE v1.8 protocol that the order-entry session
// and the simulated exchange exchange. Each is a plain struct with a `write_body` / `read_body`
// pair over core/orders_codec.hpp; field positions are compile-time constants taken from the
// layout tables (field_offset is evaluated by the compiler, so no name is looked up at run time).
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
#include <cstring>
#include <string_view>

#include "core/orders_codec.hpp"

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

// A NUL-padded fixed-width string field, kept NUL-terminated for printing.
template <size_t N>
struct FixedText {
  char text[N + 1] = {};
  FixedText() = default;
  FixedText(std::string_view s) { assign(s); }  // NOLINT: implicit from literals is the point
  void assign(std::string_view s) {
    const size_t n = s.size() < N ? s.size() : N;
    std::memcpy(text, s.data(), n);
    std::memset(text + n, 0, N + 1 - n);
  }
  std::string_view view() const { return std::string_view(text); }
  bool operator==(const FixedText& o) const { return view() == o.view(); }
};

namespace detail {

template <size_t N>
inline void put_text(uint8_t* body, uint16_t off, const FixedText<N>& t) {
  // The body is zeroed by begin_message, so copying up to the first NUL pads the rest.
  for (size_t i = 0; i < N && t.text[i] != 0; ++i) body[off + i] = (uint8_t)t.text[i];
}

template <size_t N>
inline void get_text(const uint8_t* body, uint16_t block_length, uint16_t off, FixedText<N>& t) {
  size_t i = 0;
  for (; i < N && (size_t)off + i < block_length && body[off + i] != 0; ++i) t.text[i] = (char)body[off + i];
  std::memset(t.text + i, 0, N + 1 - i);
}

// Reads a little-endian value when the field lies inside the received block, else zero.
template <typename T>
inline T get(const uint8_t* body, uint16_t block_length, uint16_t off) {
  return (size_t)off + sizeof(T) <= block_length ? load_le<T>(body + off) : T{};
}

}  // namespace detail

#define PW_OE_OFF(layout, name) static constexpr uint16_t name = field_offset(orders::layout, #name)

// ---- session messages (schema 1100) ------------------------------------------------------------

struct Heartbeat {
  static constexpr const TemplateDef& kLayout = orders::kHeartbeat;
  static constexpr uint16_t kSchema = orders::kSessionSchemaId;
  struct at {
    PW_OE_OFF(kHeartbeat, correlation_id);
  };
  int64_t correlation_id = 0;
};

struct TestRequest {
  static constexpr const TemplateDef& kLayout = orders::kTestRequest;
  static constexpr uint16_t kSchema = orders::kSessionSchemaId;
  struct at {
    PW_OE_OFF(kTestRequest, correlation_id);
  };
  int64_t correlation_id = 0;
};

struct Logon {
  static constexpr const TemplateDef& kLayout = orders::kLogon;
  static constexpr uint16_t kSchema = orders::kSessionSchemaId;
  struct at {
    PW_OE_OFF(kLogon, username);
    PW_OE_OFF(kLogon, password);
    PW_OE_OFF(kLogon, reset_seq_num);
  };
  FixedText<16> username;
  FixedText<32> password;
  bool reset_seq_num = false;
};

struct Logout {
  static constexpr const TemplateDef& kLayout = orders::kLogout;
  static constexpr uint16_t kSchema = orders::kSessionSchemaId;
  struct at {
    PW_OE_OFF(kLogout, reason);
  };
  FixedText<64> reason;
};

struct ResendRequest {
  static constexpr const TemplateDef& kLayout = orders::kResendRequest;
  static constexpr uint16_t kSchema = orders::kSessionSchemaId;
  struct at {
    PW_OE_OFF(kResendRequest, from_sequence_number);
    PW_OE_OFF(kResendRequest, to_sequence_number);
  };
  uint32_t from_sequence_number = 0;
  uint32_t to_sequence_number = 0;  // inclusive; 0 = up to the latest sent
};

struct LogonConf {
  static constexpr const TemplateDef& kLayout = orders::kLogonConf;
  static constexpr uint16_t kSchema = orders::kSessionSchemaId;
  struct at {
    PW_OE_OFF(kLogonConf, heartbeat_interval_seconds);
  };
  int32_t heartbeat_interval_seconds = 0;
};

struct LoggedOut {
  static constexpr const TemplateDef& kLayout = orders::kLoggedOut;
  static constexpr uint16_t kSchema = orders::kSessionSchemaId;
  struct at {
    PW_OE_OFF(kLoggedOut, reason);
  };
  FixedText<64> reason;
};

// Sent with the header sequence number of the first message it replaces and the possible-resend
// flag; `new_sequence_number` is the next sequence number the receiver should expect.
struct GapFill {
  static constexpr const TemplateDef& kLayout = orders::kGapFill;
  static constexpr uint16_t kSchema = orders::kSessionSchemaId;
  struct at {
    PW_OE_OFF(kGapFill, new_sequence_number);
  };
  uint32_t new_sequence_number = 0;
};

// ---- application messages (schema 1101): client → exchange ------------------------------------

struct NewOrder {
  static constexpr const TemplateDef& kLayout = orders::kNewOrder;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  struct at {
    PW_OE_OFF(kNewOrder, client_order_id);
    PW_OE_OFF(kNewOrder, correlation_id);
    PW_OE_OFF(kNewOrder, limit_price);
    PW_OE_OFF(kNewOrder, quantity);
    PW_OE_OFF(kNewOrder, instrument_id);
    PW_OE_OFF(kNewOrder, side);
    PW_OE_OFF(kNewOrder, order_flags);
    PW_OE_OFF(kNewOrder, good_til_date);
  };
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int64_t limit_price = 0;  // ×1e-9
  int32_t quantity = 0;
  int32_t instrument_id = 0;
  int8_t side = 0;          // 1 buy, -1 sell
  uint8_t order_flags = 0;
  uint16_t good_til_date = 0;  // epoch day; 0 with a day order
};

// `new_quantity` is the new total quantity of the order, filled contracts included.
struct ReplaceOrder {
  static constexpr const TemplateDef& kLayout = orders::kReplaceOrder;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  struct at {
    PW_OE_OFF(kReplaceOrder, client_order_id);
    PW_OE_OFF(kReplaceOrder, correlation_id);
    PW_OE_OFF(kReplaceOrder, new_limit_price);
    PW_OE_OFF(kReplaceOrder, new_quantity);
    PW_OE_OFF(kReplaceOrder, instrument_id);
    PW_OE_OFF(kReplaceOrder, good_til_date);
    PW_OE_OFF(kReplaceOrder, time_in_force);
  };
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int64_t new_limit_price = 0;
  int32_t new_quantity = 0;
  int32_t instrument_id = 0;
  uint16_t good_til_date = 0;
  int8_t time_in_force = 0;  // 0 day, 1 good-till-date
};

struct CancelOrder {
  static constexpr const TemplateDef& kLayout = orders::kCancelOrder;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  struct at {
    PW_OE_OFF(kCancelOrder, client_order_id);
    PW_OE_OFF(kCancelOrder, correlation_id);
    PW_OE_OFF(kCancelOrder, instrument_id);
  };
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int32_t instrument_id = 0;
};

struct MassCancelOrder {
  static constexpr const TemplateDef& kLayout = orders::kMassCancelOrder;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  struct at {
    PW_OE_OFF(kMassCancelOrder, correlation_id);
    PW_OE_OFF(kMassCancelOrder, limit_price);
    PW_OE_OFF(kMassCancelOrder, instrument_id);
    PW_OE_OFF(kMassCancelOrder, side);
    PW_OE_OFF(kMassCancelOrder, current_session_only);
    PW_OE_OFF(kMassCancelOrder, request_trading_lock);
  };
  int64_t correlation_id = 0;
  int64_t limit_price = kNullI64;        // null: any price
  int32_t instrument_id = kAllInstruments;
  int8_t side = kBothSides;
  bool current_session_only = false;
  bool request_trading_lock = false;
};

// ---- application messages: exchange → client ---------------------------------------------------

struct OrderEntered {
  static constexpr const TemplateDef& kLayout = orders::kOrderEntered;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  struct at {
    PW_OE_OFF(kOrderEntered, timestamp);
    PW_OE_OFF(kOrderEntered, exec_id);
    PW_OE_OFF(kOrderEntered, client_order_id);
    PW_OE_OFF(kOrderEntered, correlation_id);
    PW_OE_OFF(kOrderEntered, order_id);
    PW_OE_OFF(kOrderEntered, receive_time);
  };
  int64_t timestamp = 0;
  int64_t exec_id = 0;
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int64_t order_id = 0;
  int64_t receive_time = 0;
};

struct OrderReplaced {
  static constexpr const TemplateDef& kLayout = orders::kOrderReplaced;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  struct at {
    PW_OE_OFF(kOrderReplaced, timestamp);
    PW_OE_OFF(kOrderReplaced, exec_id);
    PW_OE_OFF(kOrderReplaced, client_order_id);
    PW_OE_OFF(kOrderReplaced, correlation_id);
    PW_OE_OFF(kOrderReplaced, order_id);
    PW_OE_OFF(kOrderReplaced, receive_time);
    PW_OE_OFF(kOrderReplaced, total_filled);
    PW_OE_OFF(kOrderReplaced, available_qty);
    PW_OE_OFF(kOrderReplaced, instrument_id);
  };
  int64_t timestamp = 0;
  int64_t exec_id = 0;
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int64_t order_id = 0;
  int64_t receive_time = 0;
  int32_t total_filled = 0;
  int32_t available_qty = 0;
  int32_t instrument_id = 0;
};

struct OrderReject {
  static constexpr const TemplateDef& kLayout = orders::kOrderReject;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  struct at {
    PW_OE_OFF(kOrderReject, timestamp);
    PW_OE_OFF(kOrderReject, client_order_id);
    PW_OE_OFF(kOrderReject, correlation_id);
    PW_OE_OFF(kOrderReject, order_id_optional);
    PW_OE_OFF(kOrderReject, order_reject_reason);
    PW_OE_OFF(kOrderReject, order_reject_details);
  };
  int64_t timestamp = 0;
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int64_t order_id_optional = kNullI64;
  uint8_t order_reject_reason = 0;
  FixedText<47> order_reject_details;
};

struct OrderCanceled {
  static constexpr const TemplateDef& kLayout = orders::kOrderCanceled;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  struct at {
    PW_OE_OFF(kOrderCanceled, timestamp);
    PW_OE_OFF(kOrderCanceled, exec_id);
    PW_OE_OFF(kOrderCanceled, client_order_id);
    PW_OE_OFF(kOrderCanceled, correlation_id);
    PW_OE_OFF(kOrderCanceled, order_id);
    PW_OE_OFF(kOrderCanceled, receive_time);
    PW_OE_OFF(kOrderCanceled, total_filled);
    PW_OE_OFF(kOrderCanceled, instrument_id);
    PW_OE_OFF(kOrderCanceled, cancel_reason);
  };
  int64_t timestamp = 0;
  int64_t exec_id = 0;
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int64_t order_id = 0;
  int64_t receive_time = 0;
  int32_t total_filled = 0;
  int32_t instrument_id = 0;
  uint8_t cancel_reason = 0;
};

struct OrderFilled {
  static constexpr const TemplateDef& kLayout = orders::kOrderFilled;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  struct at {
    PW_OE_OFF(kOrderFilled, timestamp);
    PW_OE_OFF(kOrderFilled, exec_id);
    PW_OE_OFF(kOrderFilled, match_id);
    PW_OE_OFF(kOrderFilled, client_order_id);
    PW_OE_OFF(kOrderFilled, correlation_id);
    PW_OE_OFF(kOrderFilled, order_id);
    PW_OE_OFF(kOrderFilled, filled_vwap);
    PW_OE_OFF(kOrderFilled, total_filled);
    PW_OE_OFF(kOrderFilled, available_qty);
    PW_OE_OFF(kOrderFilled, fill_price);
    PW_OE_OFF(kOrderFilled, fill_qty);
    PW_OE_OFF(kOrderFilled, instrument_id);
    PW_OE_OFF(kOrderFilled, is_aggressor);
  };
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
};

struct MassCancelOrderAck {
  static constexpr const TemplateDef& kLayout = orders::kMassCancelOrderAck;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  struct at {
    PW_OE_OFF(kMassCancelOrderAck, timestamp);
    PW_OE_OFF(kMassCancelOrderAck, exec_id);
    PW_OE_OFF(kMassCancelOrderAck, correlation_id);
    PW_OE_OFF(kMassCancelOrderAck, canceled_count);
    PW_OE_OFF(kMassCancelOrderAck, only_current_session);
    PW_OE_OFF(kMassCancelOrderAck, trading_lock_applied);
  };
  int64_t timestamp = 0;
  int64_t exec_id = 0;
  int64_t correlation_id = 0;
  int32_t canceled_count = 0;
  bool only_current_session = false;
  bool trading_lock_applied = false;
};

struct MassCancelOrderReject {
  static constexpr const TemplateDef& kLayout = orders::kMassCancelOrderReject;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  struct at {
    PW_OE_OFF(kMassCancelOrderReject, timestamp);
    PW_OE_OFF(kMassCancelOrderReject, correlation_id);
    PW_OE_OFF(kMassCancelOrderReject, error_message);
  };
  int64_t timestamp = 0;
  int64_t correlation_id = 0;
  FixedText<32> error_message;
};

struct CancelOrderReject {
  static constexpr const TemplateDef& kLayout = orders::kCancelOrderReject;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  struct at {
    PW_OE_OFF(kCancelOrderReject, timestamp);
    PW_OE_OFF(kCancelOrderReject, client_order_id);
    PW_OE_OFF(kCancelOrderReject, correlation_id);
    PW_OE_OFF(kCancelOrderReject, order_id_optional);
    PW_OE_OFF(kCancelOrderReject, cancel_order_reject_reason);
    PW_OE_OFF(kCancelOrderReject, cancel_order_reject_details);
  };
  int64_t timestamp = 0;
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
  int64_t order_id_optional = kNullI64;
  uint8_t cancel_order_reject_reason = 0;
  FixedText<31> cancel_order_reject_details;
};

#undef PW_OE_OFF

// ---- bodies -------------------------------------------------------------------------------------
// write_body fills a zeroed body of the current layout; read_body reads a body of `bl` bytes.

using detail::get;
using detail::get_text;
using detail::put_text;

inline void write_body(uint8_t* b, const Heartbeat& m) { store_le<int64_t>(b + Heartbeat::at::correlation_id, m.correlation_id); }
inline void read_body(const uint8_t* b, uint16_t bl, Heartbeat& m) { m.correlation_id = get<int64_t>(b, bl, Heartbeat::at::correlation_id); }

inline void write_body(uint8_t* b, const TestRequest& m) { store_le<int64_t>(b + TestRequest::at::correlation_id, m.correlation_id); }
inline void read_body(const uint8_t* b, uint16_t bl, TestRequest& m) { m.correlation_id = get<int64_t>(b, bl, TestRequest::at::correlation_id); }

inline void write_body(uint8_t* b, const Logon& m) {
  put_text(b, Logon::at::username, m.username);
  put_text(b, Logon::at::password, m.password);
  b[Logon::at::reset_seq_num] = m.reset_seq_num ? 1 : 0;
}
inline void read_body(const uint8_t* b, uint16_t bl, Logon& m) {
  get_text(b, bl, Logon::at::username, m.username);
  get_text(b, bl, Logon::at::password, m.password);
  m.reset_seq_num = get<int8_t>(b, bl, Logon::at::reset_seq_num) == 1;
}

inline void write_body(uint8_t* b, const Logout& m) { put_text(b, Logout::at::reason, m.reason); }
inline void read_body(const uint8_t* b, uint16_t bl, Logout& m) { get_text(b, bl, Logout::at::reason, m.reason); }

inline void write_body(uint8_t* b, const ResendRequest& m) {
  store_le<uint32_t>(b + ResendRequest::at::from_sequence_number, m.from_sequence_number);
  store_le<uint32_t>(b + ResendRequest::at::to_sequence_number, m.to_sequence_number);
}
inline void read_body(const uint8_t* b, uint16_t bl, ResendRequest& m) {
  m.from_sequence_number = get<uint32_t>(b, bl, ResendRequest::at::from_sequence_number);
  m.to_sequence_number = get<uint32_t>(b, bl, ResendRequest::at::to_sequence_number);
}

inline void write_body(uint8_t* b, const LogonConf& m) { store_le<int32_t>(b + LogonConf::at::heartbeat_interval_seconds, m.heartbeat_interval_seconds); }
inline void read_body(const uint8_t* b, uint16_t bl, LogonConf& m) { m.heartbeat_interval_seconds = get<int32_t>(b, bl, LogonConf::at::heartbeat_interval_seconds); }

inline void write_body(uint8_t* b, const LoggedOut& m) { put_text(b, LoggedOut::at::reason, m.reason); }
inline void read_body(const uint8_t* b, uint16_t bl, LoggedOut& m) { get_text(b, bl, LoggedOut::at::reason, m.reason); }

inline void write_body(uint8_t* b, const GapFill& m) { store_le<uint32_t>(b + GapFill::at::new_sequence_number, m.new_sequence_number); }
inline void read_body(const uint8_t* b, uint16_t bl, GapFill& m) { m.new_sequence_number = get<uint32_t>(b, bl, GapFill::at::new_sequence_number); }

inline void write_body(uint8_t* b, const NewOrder& m) {
  store_le<int64_t>(b + NewOrder::at::client_order_id, m.client_order_id);
  store_le<int64_t>(b + NewOrder::at::correlation_id, m.correlation_id);
  store_le<int64_t>(b + NewOrder::at::limit_price, m.limit_price);
  store_le<int32_t>(b + NewOrder::at::quantity, m.quantity);
  store_le<int32_t>(b + NewOrder::at::instrument_id, m.instrument_id);
  store_le<int8_t>(b + NewOrder::at::side, m.side);
  store_le<uint8_t>(b + NewOrder::at::order_flags, m.order_flags);
  store_le<uint16_t>(b + NewOrder::at::good_til_date, m.good_til_date);
}
inline void read_body(const uint8_t* b, uint16_t bl, NewOrder& m) {
  m.client_order_id = get<int64_t>(b, bl, NewOrder::at::client_order_id);
  m.correlation_id = get<int64_t>(b, bl, NewOrder::at::correlation_id);
  m.limit_price = get<int64_t>(b, bl, NewOrder::at::limit_price);
  m.quantity = get<int32_t>(b, bl, NewOrder::at::quantity);
  m.instrument_id = get<int32_t>(b, bl, NewOrder::at::instrument_id);
  m.side = get<int8_t>(b, bl, NewOrder::at::side);
  m.order_flags = get<uint8_t>(b, bl, NewOrder::at::order_flags);
  m.good_til_date = get<uint16_t>(b, bl, NewOrder::at::good_til_date);
}

inline void write_body(uint8_t* b, const ReplaceOrder& m) {
  store_le<int64_t>(b + ReplaceOrder::at::client_order_id, m.client_order_id);
  store_le<int64_t>(b + ReplaceOrder::at::correlation_id, m.correlation_id);
  store_le<int64_t>(b + ReplaceOrder::at::new_limit_price, m.new_limit_price);
  store_le<int32_t>(b + ReplaceOrder::at::new_quantity, m.new_quantity);
  store_le<int32_t>(b + ReplaceOrder::at::instrument_id, m.instrument_id);
  store_le<uint16_t>(b + ReplaceOrder::at::good_til_date, m.good_til_date);
  store_le<int8_t>(b + ReplaceOrder::at::time_in_force, m.time_in_force);
}
inline void read_body(const uint8_t* b, uint16_t bl, ReplaceOrder& m) {
  m.client_order_id = get<int64_t>(b, bl, ReplaceOrder::at::client_order_id);
  m.correlation_id = get<int64_t>(b, bl, ReplaceOrder::at::correlation_id);
  m.new_limit_price = get<int64_t>(b, bl, ReplaceOrder::at::new_limit_price);
  m.new_quantity = get<int32_t>(b, bl, ReplaceOrder::at::new_quantity);
  m.instrument_id = get<int32_t>(b, bl, ReplaceOrder::at::instrument_id);
  m.good_til_date = get<uint16_t>(b, bl, ReplaceOrder::at::good_til_date);
  m.time_in_force = get<int8_t>(b, bl, ReplaceOrder::at::time_in_force);
}

inline void write_body(uint8_t* b, const CancelOrder& m) {
  store_le<int64_t>(b + CancelOrder::at::client_order_id, m.client_order_id);
  store_le<int64_t>(b + CancelOrder::at::correlation_id, m.correlation_id);
  store_le<int32_t>(b + CancelOrder::at::instrument_id, m.instrument_id);
}
inline void read_body(const uint8_t* b, uint16_t bl, CancelOrder& m) {
  m.client_order_id = get<int64_t>(b, bl, CancelOrder::at::client_order_id);
  m.correlation_id = get<int64_t>(b, bl, CancelOrder::at::correlation_id);
  m.instrument_id = get<int32_t>(b, bl, CancelOrder::at::instrument_id);
}

inline void write_body(uint8_t* b, const MassCancelOrder& m) {
  store_le<int64_t>(b + MassCancelOrder::at::correlation_id, m.correlation_id);
  store_le<int64_t>(b + MassCancelOrder::at::limit_price, m.limit_price);
  store_le<int32_t>(b + MassCancelOrder::at::instrument_id, m.instrument_id);
  store_le<int8_t>(b + MassCancelOrder::at::side, m.side);
  b[MassCancelOrder::at::current_session_only] = m.current_session_only ? 1 : 0;
  b[MassCancelOrder::at::request_trading_lock] = m.request_trading_lock ? 1 : 0;
}
inline void read_body(const uint8_t* b, uint16_t bl, MassCancelOrder& m) {
  m.correlation_id = get<int64_t>(b, bl, MassCancelOrder::at::correlation_id);
  m.limit_price = get<int64_t>(b, bl, MassCancelOrder::at::limit_price);
  m.instrument_id = get<int32_t>(b, bl, MassCancelOrder::at::instrument_id);
  m.side = get<int8_t>(b, bl, MassCancelOrder::at::side);
  m.current_session_only = get<int8_t>(b, bl, MassCancelOrder::at::current_session_only) == 1;
  m.request_trading_lock = get<int8_t>(b, bl, MassCancelOrder::at::request_trading_lock) == 1;
}

inline void write_body(uint8_t* b, const OrderEntered& m) {
  store_le<int64_t>(b + OrderEntered::at::timestamp, m.timestamp);
  store_le<int64_t>(b + OrderEntered::at::exec_id, m.exec_id);
  store_le<int64_t>(b + OrderEntered::at::client_order_id, m.client_order_id);
  store_le<int64_t>(b + OrderEntered::at::correlation_id, m.correlation_id);
  store_le<int64_t>(b + OrderEntered::at::order_id, m.order_id);
  store_le<int64_t>(b + OrderEntered::at::receive_time, m.receive_time);
}
inline void read_body(const uint8_t* b, uint16_t bl, OrderEntered& m) {
  m.timestamp = get<int64_t>(b, bl, OrderEntered::at::timestamp);
  m.exec_id = get<int64_t>(b, bl, OrderEntered::at::exec_id);
  m.client_order_id = get<int64_t>(b, bl, OrderEntered::at::client_order_id);
  m.correlation_id = get<int64_t>(b, bl, OrderEntered::at::correlation_id);
  m.order_id = get<int64_t>(b, bl, OrderEntered::at::order_id);
  m.receive_time = get<int64_t>(b, bl, OrderEntered::at::receive_time);
}

inline void write_body(uint8_t* b, const OrderReplaced& m) {
  store_le<int64_t>(b + OrderReplaced::at::timestamp, m.timestamp);
  store_le<int64_t>(b + OrderReplaced::at::exec_id, m.exec_id);
  store_le<int64_t>(b + OrderReplaced::at::client_order_id, m.client_order_id);
  store_le<int64_t>(b + OrderReplaced::at::correlation_id, m.correlation_id);
  store_le<int64_t>(b + OrderReplaced::at::order_id, m.order_id);
  store_le<int64_t>(b + OrderReplaced::at::receive_time, m.receive_time);
  store_le<int32_t>(b + OrderReplaced::at::total_filled, m.total_filled);
  store_le<int32_t>(b + OrderReplaced::at::available_qty, m.available_qty);
  store_le<int32_t>(b + OrderReplaced::at::instrument_id, m.instrument_id);
}
inline void read_body(const uint8_t* b, uint16_t bl, OrderReplaced& m) {
  m.timestamp = get<int64_t>(b, bl, OrderReplaced::at::timestamp);
  m.exec_id = get<int64_t>(b, bl, OrderReplaced::at::exec_id);
  m.client_order_id = get<int64_t>(b, bl, OrderReplaced::at::client_order_id);
  m.correlation_id = get<int64_t>(b, bl, OrderReplaced::at::correlation_id);
  m.order_id = get<int64_t>(b, bl, OrderReplaced::at::order_id);
  m.receive_time = get<int64_t>(b, bl, OrderReplaced::at::receive_time);
  m.total_filled = get<int32_t>(b, bl, OrderReplaced::at::total_filled);
  m.available_qty = get<int32_t>(b, bl, OrderReplaced::at::available_qty);
  m.instrument_id = get<int32_t>(b, bl, OrderReplaced::at::instrument_id);
}

inline void write_body(uint8_t* b, const OrderReject& m) {
  store_le<int64_t>(b + OrderReject::at::timestamp, m.timestamp);
  store_le<int64_t>(b + OrderReject::at::client_order_id, m.client_order_id);
  store_le<int64_t>(b + OrderReject::at::correlation_id, m.correlation_id);
  store_le<int64_t>(b + OrderReject::at::order_id_optional, m.order_id_optional);
  b[OrderReject::at::order_reject_reason] = m.order_reject_reason;
  put_text(b, OrderReject::at::order_reject_details, m.order_reject_details);
}
inline void read_body(const uint8_t* b, uint16_t bl, OrderReject& m) {
  m.timestamp = get<int64_t>(b, bl, OrderReject::at::timestamp);
  m.client_order_id = get<int64_t>(b, bl, OrderReject::at::client_order_id);
  m.correlation_id = get<int64_t>(b, bl, OrderReject::at::correlation_id);
  m.order_id_optional = get<int64_t>(b, bl, OrderReject::at::order_id_optional);
  m.order_reject_reason = get<uint8_t>(b, bl, OrderReject::at::order_reject_reason);
  get_text(b, bl, OrderReject::at::order_reject_details, m.order_reject_details);
}

inline void write_body(uint8_t* b, const OrderCanceled& m) {
  store_le<int64_t>(b + OrderCanceled::at::timestamp, m.timestamp);
  store_le<int64_t>(b + OrderCanceled::at::exec_id, m.exec_id);
  store_le<int64_t>(b + OrderCanceled::at::client_order_id, m.client_order_id);
  store_le<int64_t>(b + OrderCanceled::at::correlation_id, m.correlation_id);
  store_le<int64_t>(b + OrderCanceled::at::order_id, m.order_id);
  store_le<int64_t>(b + OrderCanceled::at::receive_time, m.receive_time);
  store_le<int32_t>(b + OrderCanceled::at::total_filled, m.total_filled);
  store_le<int32_t>(b + OrderCanceled::at::instrument_id, m.instrument_id);
  b[OrderCanceled::at::cancel_reason] = m.cancel_reason;
}
inline void read_body(const uint8_t* b, uint16_t bl, OrderCanceled& m) {
  m.timestamp = get<int64_t>(b, bl, OrderCanceled::at::timestamp);
  m.exec_id = get<int64_t>(b, bl, OrderCanceled::at::exec_id);
  m.client_order_id = get<int64_t>(b, bl, OrderCanceled::at::client_order_id);
  m.correlation_id = get<int64_t>(b, bl, OrderCanceled::at::correlation_id);
  m.order_id = get<int64_t>(b, bl, OrderCanceled::at::order_id);
  m.receive_time = get<int64_t>(b, bl, OrderCanceled::at::receive_time);
  m.total_filled = get<int32_t>(b, bl, OrderCanceled::at::total_filled);
  m.instrument_id = get<int32_t>(b, bl, OrderCanceled::at::instrument_id);
  m.cancel_reason = get<uint8_t>(b, bl, OrderCanceled::at::cancel_reason);
}

inline void write_body(uint8_t* b, const OrderFilled& m) {
  store_le<int64_t>(b + OrderFilled::at::timestamp, m.timestamp);
  store_le<int64_t>(b + OrderFilled::at::exec_id, m.exec_id);
  store_le<int64_t>(b + OrderFilled::at::match_id, m.match_id);
  store_le<int64_t>(b + OrderFilled::at::client_order_id, m.client_order_id);
  store_le<int64_t>(b + OrderFilled::at::correlation_id, m.correlation_id);
  store_le<int64_t>(b + OrderFilled::at::order_id, m.order_id);
  store_le<int64_t>(b + OrderFilled::at::filled_vwap, m.filled_vwap);
  store_le<int32_t>(b + OrderFilled::at::total_filled, m.total_filled);
  store_le<int32_t>(b + OrderFilled::at::available_qty, m.available_qty);
  store_le<int64_t>(b + OrderFilled::at::fill_price, m.fill_price);
  store_le<int32_t>(b + OrderFilled::at::fill_qty, m.fill_qty);
  store_le<int32_t>(b + OrderFilled::at::instrument_id, m.instrument_id);
  b[OrderFilled::at::is_aggressor] = m.is_aggressor ? 1 : 0;
}
inline void read_body(const uint8_t* b, uint16_t bl, OrderFilled& m) {
  m.timestamp = get<int64_t>(b, bl, OrderFilled::at::timestamp);
  m.exec_id = get<int64_t>(b, bl, OrderFilled::at::exec_id);
  m.match_id = get<int64_t>(b, bl, OrderFilled::at::match_id);
  m.client_order_id = get<int64_t>(b, bl, OrderFilled::at::client_order_id);
  m.correlation_id = get<int64_t>(b, bl, OrderFilled::at::correlation_id);
  m.order_id = get<int64_t>(b, bl, OrderFilled::at::order_id);
  m.filled_vwap = get<int64_t>(b, bl, OrderFilled::at::filled_vwap);
  m.total_filled = get<int32_t>(b, bl, OrderFilled::at::total_filled);
  m.available_qty = get<int32_t>(b, bl, OrderFilled::at::available_qty);
  m.fill_price = get<int64_t>(b, bl, OrderFilled::at::fill_price);
  m.fill_qty = get<int32_t>(b, bl, OrderFilled::at::fill_qty);
  m.instrument_id = get<int32_t>(b, bl, OrderFilled::at::instrument_id);
  m.is_aggressor = get<int8_t>(b, bl, OrderFilled::at::is_aggressor) == 1;
}

inline void write_body(uint8_t* b, const MassCancelOrderAck& m) {
  store_le<int64_t>(b + MassCancelOrderAck::at::timestamp, m.timestamp);
  store_le<int64_t>(b + MassCancelOrderAck::at::exec_id, m.exec_id);
  store_le<int64_t>(b + MassCancelOrderAck::at::correlation_id, m.correlation_id);
  store_le<int32_t>(b + MassCancelOrderAck::at::canceled_count, m.canceled_count);
  b[MassCancelOrderAck::at::only_current_session] = m.only_current_session ? 1 : 0;
  b[MassCancelOrderAck::at::trading_lock_applied] = m.trading_lock_applied ? 1 : 0;
}
inline void read_body(const uint8_t* b, uint16_t bl, MassCancelOrderAck& m) {
  m.timestamp = get<int64_t>(b, bl, MassCancelOrderAck::at::timestamp);
  m.exec_id = get<int64_t>(b, bl, MassCancelOrderAck::at::exec_id);
  m.correlation_id = get<int64_t>(b, bl, MassCancelOrderAck::at::correlation_id);
  m.canceled_count = get<int32_t>(b, bl, MassCancelOrderAck::at::canceled_count);
  m.only_current_session = get<int8_t>(b, bl, MassCancelOrderAck::at::only_current_session) == 1;
  m.trading_lock_applied = get<int8_t>(b, bl, MassCancelOrderAck::at::trading_lock_applied) == 1;
}

inline void write_body(uint8_t* b, const MassCancelOrderReject& m) {
  store_le<int64_t>(b + MassCancelOrderReject::at::timestamp, m.timestamp);
  store_le<int64_t>(b + MassCancelOrderReject::at::correlation_id, m.correlation_id);
  put_text(b, MassCancelOrderReject::at::error_message, m.error_message);
}
inline void read_body(const uint8_t* b, uint16_t bl, MassCancelOrderReject& m) {
  m.timestamp = get<int64_t>(b, bl, MassCancelOrderReject::at::timestamp);
  m.correlation_id = get<int64_t>(b, bl, MassCancelOrderReject::at::correlation_id);
  get_text(b, bl, MassCancelOrderReject::at::error_message, m.error_message);
}

inline void write_body(uint8_t* b, const CancelOrderReject& m) {
  store_le<int64_t>(b + CancelOrderReject::at::timestamp, m.timestamp);
  store_le<int64_t>(b + CancelOrderReject::at::client_order_id, m.client_order_id);
  store_le<int64_t>(b + CancelOrderReject::at::correlation_id, m.correlation_id);
  store_le<int64_t>(b + CancelOrderReject::at::order_id_optional, m.order_id_optional);
  b[CancelOrderReject::at::cancel_order_reject_reason] = m.cancel_order_reject_reason;
  put_text(b, CancelOrderReject::at::cancel_order_reject_details, m.cancel_order_reject_details);
}
inline void read_body(const uint8_t* b, uint16_t bl, CancelOrderReject& m) {
  m.timestamp = get<int64_t>(b, bl, CancelOrderReject::at::timestamp);
  m.client_order_id = get<int64_t>(b, bl, CancelOrderReject::at::client_order_id);
  m.correlation_id = get<int64_t>(b, bl, CancelOrderReject::at::correlation_id);
  m.order_id_optional = get<int64_t>(b, bl, CancelOrderReject::at::order_id_optional);
  m.cancel_order_reject_reason = get<uint8_t>(b, bl, CancelOrderReject::at::cancel_order_reject_reason);
  get_text(b, bl, CancelOrderReject::at::cancel_order_reject_details, m.cancel_order_reject_details);
}

// ---- whole messages -----------------------------------------------------------------------------

// Header + body of `msg` into `out`. Returns the message length, 0 when `cap` is too small.
template <typename T>
inline size_t encode(uint8_t* out, size_t cap, const SendHeader& header, const T& msg) {
  const size_t n = orders::begin_message(out, cap, T::kLayout, T::kSchema, header);
  if (n != 0) write_body(out + orders::kHeaderSize, msg);
  return n;
}

// True when `m` (a message read by orders::read_message) is a `T`; its body is then read into
// `out`. The layout pointer identifies schema and template together.
template <typename T>
inline bool decode(const orders::Message& m, T& out) {
  if (m.layout != &T::kLayout) return false;
  read_body(m.body, m.block_length, out);
  return true;
}

template <typename T>
inline bool is(const orders::Message& m) {
  return m.layout == &T::kLayout;
}

}  // namespace pw::oe
