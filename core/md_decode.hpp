// Zero-copy, bounds-checked reader of Coinbase Derivatives market-data datagrams:
// packet_header (24 bytes) followed by MessageCount SBE messages, each framed by FrameLength.
// Nothing is trusted: every length is checked against the datagram before a byte is read, and
// every failure comes back as a DecodeFault with the numbers that explain it.
#pragma once
#include <cstdint>
#include <cstddef>
#include "core/md_schema.hpp"

namespace pw {
namespace md {

enum class DecodeError : uint8_t {
  none = 0,
  packet_truncated,        // datagram shorter than the packet header
  header_truncated,        // a message header does not fit in what is left of the datagram
  frame_length_too_small,  // FrameLength shorter than the message header (0 included)
  frame_past_end,          // FrameLength runs past the end of the datagram
  block_past_frame,        // message header + BlockLength is longer than FrameLength
  block_too_short,         // BlockLength shorter than the fields the layout requires
  wrong_schema,            // SchemaId is not 1201
  unknown_template,        // TemplateId not in the schema
  message_count_too_large, // MessageCount promises more messages than the datagram holds
  trailing_bytes,          // bytes left after the MessageCount messages
  count_
};

inline const char* decode_error_name(DecodeError e) {
  switch (e) {
    case DecodeError::none: return "none";
    case DecodeError::packet_truncated: return "packet_truncated";
    case DecodeError::header_truncated: return "header_truncated";
    case DecodeError::frame_length_too_small: return "frame_length_too_small";
    case DecodeError::frame_past_end: return "frame_past_end";
    case DecodeError::block_past_frame: return "block_past_frame";
    case DecodeError::block_too_short: return "block_too_short";
    case DecodeError::wrong_schema: return "wrong_schema";
    case DecodeError::unknown_template: return "unknown_template";
    case DecodeError::message_count_too_large: return "message_count_too_large";
    case DecodeError::trailing_bytes: return "trailing_bytes";
    default: return "unknown";
  }
}

struct PacketHeader {
  int64_t sending_time;
  int64_t seq_num;
  uint16_t channel_id;
  uint8_t packet_flags;
  uint8_t message_count;
  int32_t snapshot_instrument_id;
};

struct Message {
  const uint8_t* header;        // message header (10 bytes)
  const uint8_t* body;          // BlockLength bytes of body
  const TemplateDef* layout;    // never null for a message returned by next()
  uint16_t offset;              // offset of the header in the datagram
  uint16_t frame_length;
  uint16_t block_length;
  uint16_t template_id;
  uint16_t schema_id;
  uint16_t version;
  uint8_t index;                // 0-based position in the packet
};

// The packet header at the start of a datagram of at least kPacketHeaderSize bytes.
inline PacketHeader read_packet_header(const uint8_t* p) {
  PacketHeader h;
  h.sending_time = load_field<int64_t, PW_FIELD(kPacketHeader, sending_time)>(p);
  h.seq_num = load_field<int64_t, PW_FIELD(kPacketHeader, seq_num)>(p);
  h.channel_id = load_field<uint16_t, PW_FIELD(kPacketHeader, channel_id)>(p);
  h.packet_flags = load_field<uint8_t, PW_FIELD(kPacketHeader, packet_flags)>(p);
  h.message_count = load_field<uint8_t, PW_FIELD(kPacketHeader, message_count)>(p);
  h.snapshot_instrument_id = load_field<int32_t, PW_FIELD(kPacketHeader, snapshot_instrument_id)>(p);
  return h;
}

// The fields of the message header at `h` (kMessageHeaderSize bytes) into `m`.
inline void read_message_header(const uint8_t* h, Message& m) {
  m.frame_length = load_field<uint16_t, PW_FIELD(kMessageHeader, frame_length)>(h);
  m.block_length = load_field<uint16_t, PW_FIELD(kMessageHeader, block_length)>(h);
  m.template_id = load_field<uint16_t, PW_FIELD(kMessageHeader, template_id)>(h);
  m.schema_id = load_field<uint16_t, PW_FIELD(kMessageHeader, schema_id)>(h);
  m.version = load_field<uint16_t, PW_FIELD(kMessageHeader, version)>(h);
}

// What went wrong, where, and the numbers: `value` is the offending quantity (a length, an id,
// a count) and `limit` what it was checked against.
struct DecodeFault {
  DecodeError error;
  uint8_t index;      // message position in the packet
  uint16_t offset;    // byte offset in the datagram
  uint32_t value;
  uint32_t limit;
};

enum class Step : uint8_t { message, fault, end };

class PacketReader {
 public:
  // Reads the packet header. Returns a fault with error none when the datagram is usable.
  DecodeFault open(const uint8_t* data, size_t len) {
    data_ = data;
    len_ = len > 0xFFFF ? 0xFFFF : (uint32_t)len;
    pos_ = kPacketHeaderSize;
    index_ = 0;
    done_ = false;
    if (len < kPacketHeaderSize) {
      done_ = true;
      return DecodeFault{DecodeError::packet_truncated, 0, 0, (uint32_t)len, kPacketHeaderSize};
    }
    hdr_ = read_packet_header(data);
    return DecodeFault{DecodeError::none, 0, 0, 0, 0};
  }

  const PacketHeader& header() const { return hdr_; }

  // Steps to the next message. Step::fault reports one bad message; when the framing itself is
  // broken the rest of the datagram cannot be located and the following call returns Step::end.
  // Unknown templates, foreign schema ids and short blocks are stepped over by FrameLength.
  Step next(Message& m, DecodeFault& f) {
    const Step s = next_frame(m, f);
    if (s != Step::message) return s;
    if (m.schema_id != kSchemaId) {
      f = DecodeFault{DecodeError::wrong_schema, m.index, m.offset, m.schema_id, kSchemaId};
      return Step::fault;
    }
    m.layout = find_template(m.template_id);
    if (m.layout == nullptr) {
      f = DecodeFault{DecodeError::unknown_template, m.index, m.offset, m.template_id, 0};
      return Step::fault;
    }
    if (m.block_length < m.layout->min_block) {
      f = DecodeFault{DecodeError::block_too_short, m.index, m.offset, m.block_length, m.layout->min_block};
      return Step::fault;
    }
    return Step::message;
  }

  // The framing part of next(): every check whose failure is damage (is_damage), none of the
  // schema, template or block-size checks; m.layout stays null. check_framing walks with this.
  Step next_frame(Message& m, DecodeFault& f) {
    if (done_) return Step::end;
    const uint32_t left = len_ - pos_;
    if (index_ >= hdr_.message_count) {
      done_ = true;
      if (left != 0) {
        f = DecodeFault{DecodeError::trailing_bytes, index_, (uint16_t)pos_, left, 0};
        return Step::fault;
      }
      return Step::end;
    }
    if (left == 0) {
      done_ = true;
      f = DecodeFault{DecodeError::message_count_too_large, index_, (uint16_t)pos_, hdr_.message_count, index_};
      return Step::fault;
    }
    if (left < kMessageHeaderSize) {
      done_ = true;
      f = DecodeFault{DecodeError::header_truncated, index_, (uint16_t)pos_, left, kMessageHeaderSize};
      return Step::fault;
    }
    const uint8_t* h = data_ + pos_;
    m.header = h;
    m.offset = (uint16_t)pos_;
    m.index = index_;
    read_message_header(h, m);
    m.body = h + kMessageHeaderSize;
    m.layout = nullptr;
    if (m.frame_length < kMessageHeaderSize) {
      done_ = true;
      f = DecodeFault{DecodeError::frame_length_too_small, index_, (uint16_t)pos_, m.frame_length, kMessageHeaderSize};
      return Step::fault;
    }
    if (m.frame_length > left) {
      done_ = true;
      f = DecodeFault{DecodeError::frame_past_end, index_, (uint16_t)pos_, m.frame_length, left};
      return Step::fault;
    }
    // The frame is sound: whatever is wrong inside it, the next message starts after it.
    pos_ += m.frame_length;
    ++index_;
    if ((uint32_t)kMessageHeaderSize + m.block_length > m.frame_length) {
      f = DecodeFault{DecodeError::block_past_frame, m.index, m.offset, m.block_length,
                      (uint32_t)(m.frame_length - kMessageHeaderSize)};
      return Step::fault;
    }
    return Step::message;
  }

 private:
  const uint8_t* data_ = nullptr;
  uint32_t len_ = 0;
  uint32_t pos_ = 0;
  uint8_t index_ = 0;
  bool done_ = true;
  PacketHeader hdr_{};
};

// Whether a fault means the datagram itself is damaged (its framing cannot be trusted), as opposed
// to a well-framed message this decoder does not know (foreign schema, unknown template, a body
// shorter than needed). A damaged copy must not win A/B arbitration over an intact one.
inline bool is_damage(DecodeError e) {
  return e == DecodeError::packet_truncated || e == DecodeError::header_truncated ||
         e == DecodeError::frame_length_too_small || e == DecodeError::frame_past_end ||
         e == DecodeError::block_past_frame || e == DecodeError::message_count_too_large ||
         e == DecodeError::trailing_bytes;
}

// Walks every message header of a datagram and returns the first damage fault (error none when
// the framing is sound). The framing checks only (next_frame): the faults they leave out are
// never damage, so the answer is the same as walking with next().
inline DecodeFault check_framing(const uint8_t* data, size_t len) {
  PacketReader r;
  DecodeFault f = r.open(data, len);
  if (f.error != DecodeError::none) return f;
  Message m;
  for (;;) {
    const Step s = r.next_frame(m, f);
    if (s == Step::end) return DecodeFault{DecodeError::none, 0, 0, 0, 0};
    if (s == Step::fault && is_damage(f.error)) return f;
  }
}

// Reads a field of a message, or `null_value` when the sender's (shorter) block does not hold it.
template <typename T>
inline T read_or_null(const Message& m, uint16_t offset, T null_value) {
  return (uint32_t)offset + sizeof(T) <= m.block_length ? load_le<T>(m.body + offset) : null_value;
}

// The same for a field F (a PW_FIELD) of the message's layout; V must be as wide as the field.
template <typename F, typename V>
inline V read_or_null(const Message& m, V null_value) {
  static_assert(sizeof(V) == F::size, "V is not as wide as the field");
  return read_or_null<V>(m, F::offset, null_value);
}

}  // namespace md
}  // namespace pw
