// Test-side model of both wire protocols: random values for every field of a layout table, the
// bytes that carry them (written with write_field and the tables of core/), and what the decoder
// and the JSON rendering of `perpwire decode` must give back for each field.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/md_schema.hpp"
#include "core/orders_codec.hpp"
#include "core/sbe_schema.hpp"

namespace pw::test {

using Rng = std::mt19937_64;

// What a field must read back as: `num` for the integer kinds (read_field's value), `text` for
// text fields (without the NUL padding). `present` is false for a field past the sent BlockLength.
struct FieldValue {
  int64_t num = 0;
  std::string text;
  bool present = true;
};

inline const FieldDef* field_by_name(const TemplateDef& t, const std::string& name) {
  for (uint8_t i = 0; i < t.field_count; ++i)
    if (name == t.fields[i].name) return &t.fields[i];
  return nullptr;
}

inline int field_index(const TemplateDef& t, const std::string& name) {
  for (uint8_t i = 0; i < t.field_count; ++i)
    if (name == t.fields[i].name) return i;
  return -1;
}

// Signed range of an integer field of `size` bytes.
inline int64_t signed_min(uint8_t size) { return size >= 8 ? INT64_MIN : -(int64_t)(1ULL << (8 * size - 1)); }
inline int64_t signed_max(uint8_t size) { return size >= 8 ? INT64_MAX : (int64_t)((1ULL << (8 * size - 1)) - 1); }

// Random value for one field: edge values (null sentinel, extremes, 0, ±1) a quarter of the time,
// uniform over the field's range otherwise.
inline FieldValue random_value(Rng& rng, const FieldDef& f) {
  FieldValue v;
  const bool edge = rng() % 4 == 0;
  switch (f.kind) {
    case FieldKind::text: {
      const size_t n = edge ? (rng() % 2 ? 0 : f.size) : rng() % (f.size + 1u);
      for (size_t i = 0; i < n; ++i) v.text += (char)(0x20 + rng() % 95);  // printable ASCII
      return v;
    }
    case FieldKind::character:
      v.num = edge ? 0 : (int64_t)(0x20 + rng() % 95);
      return v;
    case FieldKind::bits:
      v.num = edge ? (rng() % 2 ? 0 : (int64_t)((1ULL << f.width) - 1)) : (int64_t)(rng() & ((1ULL << f.width) - 1));
      return v;
    case FieldKind::uint_: {
      const uint64_t max = f.size >= 8 ? UINT64_MAX : (1ULL << (8 * f.size)) - 1;
      if (edge) {
        const uint64_t picks[] = {0, 1, max, max - 1};
        v.num = (int64_t)picks[rng() % 4];
      } else {
        v.num = (int64_t)(rng() & max);
      }
      return v;
    }
    case FieldKind::int_:
    case FieldKind::price: {
      const int64_t lo = signed_min(f.size), hi = signed_max(f.size);
      if (edge) {
        const int64_t picks[] = {lo, lo, lo + 1, hi, 0, 1, -1};
        v.num = picks[rng() % 7];
      } else if (f.kind == FieldKind::price && rng() % 2) {
        // a realistic price: a few decimals, either sign
        v.num = (int64_t)(rng() % 10000000) * 10000 * (rng() % 2 ? 1 : -1);
      } else {
        const uint64_t bits = f.size >= 8 ? rng() : rng() & ((1ULL << (8 * f.size)) - 1);
        // sign-extend the random bits of the field's width
        const int shift = 64 - 8 * f.size;
        v.num = shift == 0 ? (int64_t)bits : (int64_t)(bits << shift) >> shift;
        if (v.num < lo || v.num > hi) v.num = 0;
      }
      return v;
    }
  }
  return v;
}

inline void write_text(uint8_t* body, const FieldDef& f, const std::string& s) {
  for (size_t i = 0; i < f.size; ++i) body[f.offset + i] = i < s.size() ? (uint8_t)s[i] : 0;
}

// Writes one value (integer kinds through write_field, text NUL-padded).
inline void put_value(uint8_t* body, const FieldDef& f, const FieldValue& v) {
  if (f.kind == FieldKind::text) write_text(body, f, v.text);
  else write_field(body, f, v.num);
}

// Whether field `b` is a bits subfield of container `c`.
inline bool is_subfield_of(const FieldDef& b, const FieldDef& c) {
  return b.kind == FieldKind::bits && c.kind != FieldKind::bits && b.offset == c.offset && b.size == c.size;
}

// Unsigned value of the `size` low bytes of v.
inline uint64_t low_bytes(int64_t v, uint8_t size) {
  return size >= 8 ? (uint64_t)v : (uint64_t)v & ((1ULL << (8 * size)) - 1);
}

// Gives every field of `t` a random value in `body` (t.block_length bytes): whole fields first,
// then the bits subfields, whose values are merged into their container. Returns what each field
// must read back as; the container's value is composed here from the subfield values.
inline std::vector<FieldValue> fill_random(Rng& rng, const TemplateDef& t, uint8_t* body) {
  std::vector<FieldValue> values(t.field_count);
  for (uint8_t i = 0; i < t.field_count; ++i) {
    if (t.fields[i].kind == FieldKind::bits) continue;
    values[i] = random_value(rng, t.fields[i]);
    put_value(body, t.fields[i], values[i]);
  }
  for (uint8_t i = 0; i < t.field_count; ++i) {
    if (t.fields[i].kind != FieldKind::bits) continue;
    values[i] = random_value(rng, t.fields[i]);
    put_value(body, t.fields[i], values[i]);
  }
  for (uint8_t c = 0; c < t.field_count; ++c) {
    const FieldDef& cf = t.fields[c];
    if (cf.kind == FieldKind::bits || cf.kind == FieldKind::text) continue;
    uint64_t composed = low_bytes(values[c].num, cf.size);
    bool has_bits = false;
    for (uint8_t b = 0; b < t.field_count; ++b) {
      if (!is_subfield_of(t.fields[b], cf)) continue;
      has_bits = true;
      const uint64_t mask = ((1ULL << t.fields[b].width) - 1) << t.fields[b].shift;
      composed = (composed & ~mask) | (((uint64_t)values[b].num << t.fields[b].shift) & mask);
    }
    if (!has_bits) continue;
    values[c].num = (int64_t)composed;  // containers are unsigned
  }
  return values;
}

// Sets a whole (non-bits) field to `v` in the body and in the expected values, keeping the bits
// subfields consistent.
inline void override_field(const TemplateDef& t, uint8_t* body, std::vector<FieldValue>& values, const char* name,
                           int64_t v) {
  const int i = field_index(t, name);
  if (i < 0) return;
  const FieldDef& f = t.fields[i];
  write_field(body, f, v);
  values[i].num = read_field(body, f);
  for (uint8_t b = 0; b < t.field_count; ++b)
    if (is_subfield_of(t.fields[b], f)) values[b].num = read_field(body, t.fields[b]);
}

// ---- JSON expectations ----------------------------------------------------------------------

struct JsonExpect {
  enum Kind { null, number, string } kind = null;
  std::string text;
  bool operator==(const JsonExpect& o) const { return kind == o.kind && text == o.text; }
};

// Decimal text of a ×1e-9 fixed-point value: integer part, then the fraction without trailing zeros.
inline std::string decimal9(int64_t v) {
  const bool neg = v < 0;
  const uint64_t mag = neg ? 0 - (uint64_t)v : (uint64_t)v;
  char frac[16];
  std::snprintf(frac, sizeof frac, "%09llu", (unsigned long long)(mag % 1000000000ULL));
  std::string f = frac;
  while (!f.empty() && f.back() == '0') f.pop_back();
  std::string s = neg ? "-" : "";
  s += std::to_string(mag / 1000000000ULL);
  if (!f.empty()) s += "." + f;
  return s;
}

inline bool is_int_null(const FieldDef& f, int64_t v) {
  return (f.kind == FieldKind::int_ || f.kind == FieldKind::price) && v == signed_min(f.size);
}

inline JsonExpect expected_json(const FieldDef& f, const FieldValue& v) {
  if (!v.present) return {};
  switch (f.kind) {
    case FieldKind::text:
      if (v.text.empty()) return {};
      return {JsonExpect::string, v.text};
    case FieldKind::character:
      if (v.num == 0) return {};
      return {JsonExpect::string, std::string(1, (char)v.num)};
    case FieldKind::price:
      if (is_int_null(f, v.num)) return {};
      return {JsonExpect::number, decimal9(v.num)};
    case FieldKind::int_:
      if (is_int_null(f, v.num)) return {};
      return {JsonExpect::number, std::to_string(v.num)};
    case FieldKind::uint_:
      return {JsonExpect::number, std::to_string(low_bytes(v.num, f.size))};
    case FieldKind::bits:
      return {JsonExpect::number, std::to_string(v.num)};
  }
  return {};
}

// ---- market data ----------------------------------------------------------------------------

struct MdMessage {
  const TemplateDef* t = nullptr;
  size_t offset = 0;            // of the message header in the datagram
  uint16_t frame_length = 0;
  uint16_t block_length = 0;    // as sent
  uint16_t template_id = 0;
  uint16_t schema_id = md::kSchemaId;
  uint16_t version = md::kSchemaVersion;
  std::vector<FieldValue> values;  // per field of *t
};

struct MdDatagram {
  std::vector<uint8_t> bytes;
  std::vector<FieldValue> header;  // per field of md::kPacketHeader
  std::vector<MdMessage> messages;
};

// How one message is laid out on the wire.
struct MdShape {
  const TemplateDef* t;
  int block_length = -1;  // -1: the current layout's
  int padding = -1;       // bytes after the body inside FrameLength; -1: pad to 8 like the exchange
};

inline void set_header_field(const TemplateDef& table, uint8_t* at, const char* name, int64_t v) {
  write_field(at, *field_by_name(table, name), v);
}

// A datagram carrying one message per shape, every field random. Bytes past a short body and
// past the known layout (newer fields, padding) are random too: the decoder must not read them.
inline MdDatagram make_md_datagram(Rng& rng, const std::vector<MdShape>& shapes) {
  MdDatagram d;
  d.bytes.assign(md::kPacketHeaderSize, 0);
  d.header = fill_random(rng, md::kPacketHeader, d.bytes.data());
  override_field(md::kPacketHeader, d.bytes.data(), d.header, "message_count", (int64_t)shapes.size());
  for (const MdShape& s : shapes) {
    MdMessage m;
    m.t = s.t;
    m.template_id = s.t->id;
    m.block_length = (uint16_t)(s.block_length < 0 ? s.t->block_length : s.block_length);
    size_t pad = s.padding >= 0 ? (size_t)s.padding : (8 - (md::kMessageHeaderSize + m.block_length) % 8) % 8;
    m.frame_length = (uint16_t)(md::kMessageHeaderSize + m.block_length + pad);
    m.offset = d.bytes.size();
    std::vector<uint8_t> full(s.t->block_length, 0);
    m.values = fill_random(rng, *s.t, full.data());
    for (uint8_t i = 0; i < s.t->field_count; ++i) m.values[i].present = field_present(s.t->fields[i], m.block_length);
    d.bytes.resize(m.offset + m.frame_length);
    uint8_t* h = d.bytes.data() + m.offset;
    set_header_field(md::kMessageHeader, h, "frame_length", m.frame_length);
    set_header_field(md::kMessageHeader, h, "block_length", m.block_length);
    set_header_field(md::kMessageHeader, h, "template_id", m.template_id);
    set_header_field(md::kMessageHeader, h, "schema_id", m.schema_id);
    set_header_field(md::kMessageHeader, h, "version", m.version);
    uint8_t* body = h + md::kMessageHeaderSize;
    for (size_t i = 0; i < (size_t)m.frame_length - md::kMessageHeaderSize; ++i)
      body[i] = i < m.block_length && i < full.size() ? full[i] : (uint8_t)rng();
    d.messages.push_back(std::move(m));
  }
  return d;
}

// Expected JSON object of message `i` of a datagram as `perpwire decode` prints it.
inline std::vector<std::pair<std::string, JsonExpect>> expected_md_line(const MdDatagram& d, size_t i,
                                                                        uint64_t frame) {
  std::vector<std::pair<std::string, JsonExpect>> e;
  e.push_back({"frame", {JsonExpect::number, std::to_string(frame)}});
  for (uint8_t k = 0; k < md::kPacketHeader.field_count; ++k)
    e.push_back({md::kPacketHeader.fields[k].name, expected_json(md::kPacketHeader.fields[k], d.header[k])});
  const MdMessage& m = d.messages[i];
  const int64_t hv[] = {m.frame_length, m.block_length, m.template_id, m.schema_id, m.version};
  for (uint8_t k = 0; k < md::kMessageHeader.field_count; ++k)
    e.push_back({md::kMessageHeader.fields[k].name, {JsonExpect::number, std::to_string(hv[k])}});
  e.push_back({"message", {JsonExpect::string, m.t->name}});
  for (uint8_t k = 0; k < m.t->field_count; ++k) e.push_back({m.t->fields[k].name, expected_json(m.t->fields[k], m.values[k])});
  return e;
}

// ---- order entry ----------------------------------------------------------------------------

struct OrdersMessage {
  const TemplateDef* t = nullptr;
  uint16_t schema_id = 0;
  size_t offset = 0;             // in the stream
  uint16_t message_length = 0;
  uint16_t block_length = 0;     // as sent
  std::vector<FieldValue> header;  // per field of orders::kMessageHeader
  std::vector<FieldValue> values;  // per field of *t
  std::vector<uint8_t> var;        // Ping/Pong data
};

struct OrdersStream {
  std::vector<uint8_t> bytes;
  std::vector<OrdersMessage> messages;
};

struct OrdersShape {
  const TemplateDef* t;
  int block_length = -1;  // -1: the current layout's
};

inline uint16_t schema_of_layout(const TemplateDef& t) {
  for (const TemplateDef* s : orders::kSessionTemplates)
    if (s == &t) return orders::kSessionSchemaId;
  return orders::kApplicationSchemaId;
}

// Appends one message with random header values and fields. The header is written by
// orders::begin_message; a body longer or shorter than the current layout is then re-framed.
inline void append_orders_message(Rng& rng, OrdersStream& s, const OrdersShape& shape) {
  const TemplateDef& t = *shape.t;
  OrdersMessage m;
  m.t = &t;
  m.schema_id = schema_of_layout(t);
  m.offset = s.bytes.size();
  m.block_length = (uint16_t)(shape.block_length < 0 ? t.block_length : shape.block_length);
  if (t.var_data) {
    m.var.resize(rng() % 4 == 0 ? (rng() % 2 ? 0 : 255) : rng() % 40);
    for (auto& b : m.var) b = (uint8_t)rng();
  }
  orders::SendHeader sh;
  sh.sequence_number = (uint32_t)rng();
  sh.last_processed_seq_no = (uint32_t)rng();
  sh.send_time = (int64_t)rng();
  sh.flags = (uint8_t)rng();
  std::vector<uint8_t> std_msg(orders::kHeaderSize + t.block_length + 1 + m.var.size());
  const size_t std_len = orders::begin_message(std_msg.data(), std_msg.size(), t, m.schema_id, sh, (uint8_t)m.var.size());
  std_msg.resize(std_len);
  m.message_length = (uint16_t)(orders::kHeaderSize + m.block_length + (t.var_data ? 1 + m.var.size() : 0));
  std::vector<uint8_t> msg(m.message_length, 0);
  for (size_t i = 0; i < orders::kHeaderSize && i < std_msg.size(); ++i) msg[i] = std_msg[i];
  set_header_field(orders::kMessageHeader, msg.data(), "message_length", m.message_length);
  set_header_field(orders::kMessageHeader, msg.data(), "block_length", m.block_length);
  const uint32_t reserved = rng() % 2 ? 0 : (uint32_t)rng();
  set_header_field(orders::kMessageHeader, msg.data(), "reserved", reserved);
  // what the header must read back as, from the values chosen above
  const uint16_t version = m.schema_id == orders::kSessionSchemaId ? orders::kSessionVersion : orders::kApplicationVersion;
  const int64_t hv[] = {orders::kProtocolId, sh.flags, sh.flags & 1, sh.flags >> 1, m.message_length,
                        sh.sequence_number, sh.last_processed_seq_no, reserved, sh.send_time, m.block_length,
                        t.id, m.schema_id, version};
  static_assert(sizeof hv / sizeof hv[0] == sizeof orders::kMessageHeaderFields / sizeof(FieldDef));
  for (int64_t v : hv) m.header.push_back(FieldValue{v, "", true});
  std::vector<uint8_t> full(t.block_length, 0);
  m.values = fill_random(rng, t, full.data());
  for (uint8_t i = 0; i < t.field_count; ++i) m.values[i].present = field_present(t.fields[i], m.block_length);
  uint8_t* body = msg.data() + orders::kHeaderSize;
  for (size_t i = 0; i < m.block_length; ++i) body[i] = i < full.size() ? full[i] : (uint8_t)rng();
  if (t.var_data) {
    body[m.block_length] = (uint8_t)m.var.size();
    for (size_t i = 0; i < m.var.size(); ++i) body[m.block_length + 1 + i] = m.var[i];
  }
  s.bytes.insert(s.bytes.end(), msg.begin(), msg.end());
  s.messages.push_back(std::move(m));
}

inline OrdersStream make_orders_stream(Rng& rng, const std::vector<OrdersShape>& shapes) {
  OrdersStream s;
  for (const auto& sh : shapes) append_orders_message(rng, s, sh);
  return s;
}

inline std::string hex(const std::vector<uint8_t>& v) {
  std::string s;
  char b[3];
  for (uint8_t c : v) {
    std::snprintf(b, sizeof b, "%02x", c);
    s += b;
  }
  return s;
}

inline std::vector<std::pair<std::string, JsonExpect>> expected_orders_line(const OrdersMessage& m, uint64_t frame) {
  std::vector<std::pair<std::string, JsonExpect>> e;
  e.push_back({"frame", {JsonExpect::number, std::to_string(frame)}});
  for (uint8_t k = 0; k < orders::kMessageHeader.field_count; ++k)
    e.push_back({orders::kMessageHeader.fields[k].name, expected_json(orders::kMessageHeader.fields[k], m.header[k])});
  e.push_back({"message", {JsonExpect::string, m.t->name}});
  for (uint8_t k = 0; k < m.t->field_count; ++k) e.push_back({m.t->fields[k].name, expected_json(m.t->fields[k], m.values[k])});
  if (m.t->var_data) e.push_back({"data", {JsonExpect::string, hex(m.var)}});
  return e;
}

}  // namespace pw::test
