// Compiled (never run) by the ctest cases of tests/orders/CMakeLists.txt, once per FIELD_LIST_CASE:
// a correct CancelOrder-shaped message compiles (case 0), and each kind of mistake in a field list
// stops the compile with its own message. `encode` instantiates the list as the session would.
#include "host/orders/order_messages.hpp"

using namespace pw;

struct CancelLike {
  static constexpr const TemplateDef& kLayout = orders::kCancelOrder;
  static constexpr uint16_t kSchema = orders::kApplicationSchemaId;
  int64_t client_order_id = 0;
  int64_t correlation_id = 0;
#if FIELD_LIST_CASE == 0  // correct
  int32_t instrument_id = 0;
  PW_OE_FIELDS(client_order_id, correlation_id, instrument_id)
#elif FIELD_LIST_CASE == 1  // a name the layout lacks
  int32_t instrument = 0;
  PW_OE_FIELDS(client_order_id, correlation_id, instrument)
#elif FIELD_LIST_CASE == 2  // a member wider than the layout's 4-byte field
  int64_t instrument_id = 0;
  PW_OE_FIELDS(client_order_id, correlation_id, instrument_id)
#elif FIELD_LIST_CASE == 3  // unsigned for a signed field
  uint32_t instrument_id = 0;
  PW_OE_FIELDS(client_order_id, correlation_id, instrument_id)
#elif FIELD_LIST_CASE == 4  // a layout field left out of the list
  int32_t instrument_id = 0;
  PW_OE_FIELDS(client_order_id, correlation_id)
#elif FIELD_LIST_CASE == 5  // a field named twice
  int32_t instrument_id = 0;
  PW_OE_FIELDS(client_order_id, correlation_id, instrument_id, client_order_id)
#endif
};

size_t encode_one(uint8_t* out, size_t cap) { return oe::encode(out, cap, orders::SendHeader{}, CancelLike{}); }
