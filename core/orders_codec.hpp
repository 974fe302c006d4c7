// Zero-copy reader and writer of Coinbase Derivatives Orders SBE messages (order entry over TCP).
// Every message = 32-byte header (MessageLength frames the TCP stream) + body. The reader works on
// a contiguous buffer and says `incomplete` when the last message has not fully arrived yet, so a
// TCP receiver keeps the remainder and calls again with more bytes.
#pragma once
#include <cstdint>
#include <cstddef>
#include "core/orders_schema.hpp"

namespace pw {
namespace orders {

enum class DecodeError : uint8_t {
  none = 0,
  message_length_too_small,  // MessageLength shorter than the 32-byte header
  block_past_message,        // header + BlockLength longer than MessageLength
  var_data_past_message,     // Ping/Pong data length runs past MessageLength
  unknown_schema,            // neither the session (1100) nor the application (1101) schema
  unknown_template,
  block_too_short,           // BlockLength shorter than the fields the layout requires
  count_
};

inline const char* decode_error_name(DecodeError e) {
  switch (e) {
    case DecodeError::none: return "none";
    case DecodeError::message_length_too_small: return "message_length_too_small";
    case DecodeError::block_past_message: return "block_past_message";
    case DecodeError::var_data_past_message: return "var_data_past_message";
    case DecodeError::unknown_schema: return "unknown_schema";
    case DecodeError::unknown_template: return "unknown_template";
    case DecodeError::block_too_short: return "block_too_short";
    default: return "unknown";
  }
}

struct Message {
  const uint8_t* header;
  const uint8_t* body;
  const TemplateDef* layout;  // null when the message is faulty
  const uint8_t* var_data;    // Ping/Pong data (null otherwise)
  uint32_t offset;            // of the header in the buffer
  uint8_t protocol_id;
  uint8_t flags;
  uint16_t message_length;
  uint32_t sequence_number;
  uint32_t last_processed_seq_no;
  int64_t send_time;
  uint16_t block_length;
  uint16_t template_id;
  uint16_t schema_id;
  uint16_t version;
  uint8_t var_length;
};

struct DecodeFault {
  DecodeError error;
  uint32_t offset;
  uint32_t value;
  uint32_t limit;
};

enum class Step : uint8_t { message, fault, incomplete, end };

// Reads the message at `data[pos]`. On `message` and on `fault` (when the framing is sound) `pos`
// advances past it; on a broken MessageLength the stream cannot be re-framed and `pos` stays.
inline Step read_message(const uint8_t* data, size_t len, size_t& pos, Message& m, DecodeFault& f) {
  if (pos >= len) return Step::end;
  const size_t left = len - pos;
  if (left < 4) return Step::incomplete;
  const uint8_t* h = data + pos;
  m.header = h;
  m.offset = (uint32_t)pos;
  m.layout = nullptr;
  m.var_data = nullptr;
  m.var_length = 0;
  m.message_length = load_le<uint16_t>(h + 2);
  if (m.message_length < kHeaderSize) {
    f = DecodeFault{DecodeError::message_length_too_small, (uint32_t)pos, m.message_length, kHeaderSize};
    return Step::fault;
  }
  if (m.message_length > left) return Step::incomplete;
  m.protocol_id = h[0];
  m.flags = h[1];
  m.sequence_number = load_le<uint32_t>(h + 4);
  m.last_processed_seq_no = load_le<uint32_t>(h + 8);
  m.send_time = load_le<int64_t>(h + 16);
  m.block_length = load_le<uint16_t>(h + 24);
  m.template_id = load_le<uint16_t>(h + 26);
  m.schema_id = load_le<uint16_t>(h + 28);
  m.version = load_le<uint16_t>(h + 30);
  m.body = h + kHeaderSize;
  pos += m.message_length;
  const uint32_t room = (uint32_t)m.message_length - kHeaderSize;
  if (m.block_length > room) {
    f = DecodeFault{DecodeError::block_past_message, m.offset, m.block_length, room};
    return Step::fault;
  }
  if (m.schema_id != kSessionSchemaId && m.schema_id != kApplicationSchemaId) {
    f = DecodeFault{DecodeError::unknown_schema, m.offset, m.schema_id, 0};
    return Step::fault;
  }
  const TemplateDef* t = find_template(m.schema_id, m.template_id);
  if (t == nullptr) {
    f = DecodeFault{DecodeError::unknown_template, m.offset, m.template_id, m.schema_id};
    return Step::fault;
  }
  if (m.block_length < t->min_block) {
    f = DecodeFault{DecodeError::block_too_short, m.offset, m.block_length, t->min_block};
    return Step::fault;
  }
  if (t->var_data) {
    const uint32_t at = m.block_length;
    if (at + 1 > room || at + 1 + m.body[at] > room) {
      f = DecodeFault{DecodeError::var_data_past_message, m.offset, at + 1u + (at < room ? m.body[at] : 0u), room};
      return Step::fault;
    }
    m.var_length = m.body[at];
    m.var_data = m.body + at + 1;
  }
  m.layout = t;
  return Step::message;
}

// Header values a sender chooses per message.
struct SendHeader {
  uint32_t sequence_number;
  uint32_t last_processed_seq_no;
  int64_t send_time;
  uint8_t flags;  // bit 0: possible resend
};

// Writes header + zeroed body of template `t` (current layout length). Returns the message length,
// or 0 when `cap` is too small. Fill the body with store_le at field_offset(...) positions.
inline size_t begin_message(uint8_t* out, size_t cap, const TemplateDef& t, uint16_t schema_id,
                            const SendHeader& sh, uint8_t var_length = 0) {
  const size_t total = kHeaderSize + t.block_length + (t.var_data ? 1u + var_length : 0u);
  if (total > cap || total > 0xFFFF) return 0;
  for (size_t i = 0; i < total; ++i) out[i] = 0;
  out[0] = kProtocolId;
  out[1] = sh.flags;
  store_le<uint16_t>(out + 2, (uint16_t)total);
  store_le<uint32_t>(out + 4, sh.sequence_number);
  store_le<uint32_t>(out + 8, sh.last_processed_seq_no);
  store_le<int64_t>(out + 16, sh.send_time);
  store_le<uint16_t>(out + 24, t.block_length);
  store_le<uint16_t>(out + 26, t.id);
  store_le<uint16_t>(out + 28, schema_id);
  store_le<uint16_t>(out + 30, schema_id == kSessionSchemaId ? kSessionVersion : kApplicationVersion);
  if (t.var_data) out[kHeaderSize + t.block_length] = var_length;
  return total;
}

// Schema a template belongs to (by identity of its layout).
inline uint16_t schema_of(const TemplateDef& t) {
  for (const TemplateDef* s : kSessionTemplates)
    if (s == &t) return kSessionSchemaId;
  return kApplicationSchemaId;
}

}  // namespace orders
}  // namespace pw
