// Table-driven SBE layouts: a template is a list of fixed-offset fields. Both wire protocols
// (market data and order entry) describe their templates with these types.
#pragma once
#include <cstdint>
#include <cstddef>
#include "core/fixed_point.hpp"
#include "core/byte_order.hpp"

namespace pw {

enum class FieldKind : uint8_t {
  uint_,      // unsigned integer, never null
  int_,       // signed integer, null at its minimum (INT8_MIN … INT64_MIN)
  price,      // int64 ×1e-9, null at INT64_MIN
  text,       // fixed-width NUL-padded characters, empty = null
  character,  // one ASCII character (enum of chars)
  bits,       // `width` bits from `shift` of the integer at offset (flag sets)
};

struct FieldDef {
  const char* name;
  uint16_t offset;
  uint8_t size;
  FieldKind kind;
  uint8_t shift;
  uint8_t width;
};

struct TemplateDef {
  uint16_t id;
  const char* name;
  uint16_t block_length;   // body length of the current layout
  uint16_t min_block;      // shortest body accepted (the fields the pipeline needs)
  const FieldDef* fields;
  uint8_t field_count;
  bool var_data;           // a length-prefixed data field follows the block
};

constexpr bool str_equal(const char* a, const char* b) {
  while (*a != 0 && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

// Position of a named field in a layout; field_count when the layout has no such field.
constexpr uint8_t find_field_index(const TemplateDef& t, const char* name) {
  uint8_t i = 0;
  while (i < t.field_count && !str_equal(t.fields[i].name, name)) ++i;
  return i;
}

// Reached only for a field name that is not in the layout; not constexpr, so a constant
// expression that reaches it fails to compile.
inline uint16_t field_not_found() { return 0xFFFF; }

// Offset of a named field. Only safe in a constant expression (`constexpr auto k =
// field_offset(...)`): called at run time a missing name yields 0xFFFF. Prefer PW_FIELD.
constexpr uint16_t field_offset(const TemplateDef& t, const char* name) {
  return find_field_index(t, name) < t.field_count ? t.fields[find_field_index(t, name)].offset : field_not_found();
}

// Field I of layout T as compile-time constants. A name the layout does not have gives
// I == field_count and stops the build here.
template <const TemplateDef& T, uint8_t I>
struct LayoutField {
  static_assert(I < T.field_count, "no field of that name in this layout");
  static constexpr const FieldDef& def = T.fields[I < T.field_count ? I : 0];
  static constexpr uint16_t offset = def.offset;
  static constexpr uint8_t size = def.size;
  static constexpr FieldKind kind = def.kind;
};

// PW_FIELD(md::kTrade, price): the field `price` of layout md::kTrade, bound when compiling, so a
// misspelt name is a compile error and the offset folds into the code (also under Vitis HLS).
#define PW_FIELD(layout, name) ::pw::LayoutField<layout, ::pw::find_field_index(layout, #name)>
#define PW_OFFSET(layout, name) (PW_FIELD(layout, name)::offset)

// The field F (a PW_FIELD) of `body` as V, which must be exactly as wide as the field.
template <typename V, typename F>
inline V load_field(const uint8_t* body) {
  static_assert(sizeof(V) == F::size, "V is not as wide as the field");
  return load_le<V>(body + F::offset);
}

template <typename F, typename V>
inline void store_field(uint8_t* body, V v) {
  static_assert(sizeof(V) == F::size, "V is not as wide as the field");
  store_le<V>(body + F::offset, v);
}

// The field's value as int64 (sign-extended for signed kinds). `p` points at the body.
inline int64_t read_field(const uint8_t* p, const FieldDef& f) {
  const uint8_t* q = p + f.offset;
  int64_t v = 0;
  bool is_signed = f.kind == FieldKind::int_ || f.kind == FieldKind::price;
  switch (f.size) {
    case 1: v = is_signed ? (int64_t)load_le<int8_t>(q) : (int64_t)load_le<uint8_t>(q); break;
    case 2: v = is_signed ? (int64_t)load_le<int16_t>(q) : (int64_t)load_le<uint16_t>(q); break;
    case 4: v = is_signed ? (int64_t)load_le<int32_t>(q) : (int64_t)load_le<uint32_t>(q); break;
    case 8: v = load_le<int64_t>(q); break;
    default: v = 0; break;
  }
  if (f.kind == FieldKind::bits) v = (int64_t)(((uint64_t)v >> f.shift) & ((1ULL << f.width) - 1));
  return v;
}

// Writes an integer field (bits fields are merged into the existing value).
inline void write_field(uint8_t* p, const FieldDef& f, int64_t v) {
  uint8_t* q = p + f.offset;
  if (f.kind == FieldKind::bits) {
    uint64_t mask = ((1ULL << f.width) - 1) << f.shift;
    uint64_t cur = 0;
    for (uint8_t i = 0; i < f.size; ++i) cur |= (uint64_t)q[i] << (8 * i);
    cur = (cur & ~mask) | (((uint64_t)v << f.shift) & mask);
    v = (int64_t)cur;
  }
  for (uint8_t i = 0; i < f.size; ++i) q[i] = (uint8_t)((uint64_t)v >> (8 * i));
}

// Writes the integer field F (a PW_FIELD) as write_field does, for builders and tests.
template <typename F>
inline void write_field(uint8_t* body, int64_t v) {
  static_assert(F::kind != FieldKind::text, "a text field is written with write_text");
  write_field(body, F::def, v);
}

// Writes the same value into each of the integer fields Fs.
template <typename... Fs>
inline void write_fields(uint8_t* body, int64_t v) {
  (write_field<Fs>(body, v), ...);
}

// Writes the text field F, NUL-padded (a longer text is cut at the field's size).
template <typename F>
inline void write_text(uint8_t* body, const char* s) {
  static_assert(F::kind == FieldKind::text, "an integer field is written with write_field");
  size_t i = 0;
  for (; i < F::size && s[i] != 0; ++i) body[F::offset + i] = (uint8_t)s[i];
  for (; i < F::size; ++i) body[F::offset + i] = 0;
}

// True when an integer/price value is the field's null sentinel.
inline bool is_null_value(const FieldDef& f, int64_t v) {
  if (f.kind == FieldKind::price) return v == kNullI64;
  if (f.kind != FieldKind::int_) return false;
  switch (f.size) {
    case 1: return v == kNullI8;
    case 2: return v == kNullI16;
    case 4: return v == kNullI32;
    default: return v == kNullI64;
  }
}

// Length of a NUL-padded text field (stops at the first NUL).
inline size_t text_length(const uint8_t* p, const FieldDef& f) {
  size_t n = 0;
  while (n < f.size && p[f.offset + n] != 0) ++n;
  return n;
}

// Whether the field lies entirely inside a body of `block_length` bytes.
constexpr bool field_present(const FieldDef& f, uint16_t block_length) {
  return (uint32_t)f.offset + f.size <= block_length;
}

}  // namespace pw
