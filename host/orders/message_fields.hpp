// One field list per order-entry message, visited in both directions (SBE's flyweight idea by
// hand). A message struct names its members once, in `PW_OE_FIELDS(a, b, ...)`; each name is
// looked up in the struct's layout table (core/orders_schema.hpp) by the compiler, so a name the
// layout lacks, or a member whose type does not match the layout field's size and kind, stops the
// compile. `T::fields(m, io)` then calls `io.field<F>(m.a)` for every field, with `F` the field's
// place (offset, size, kind, index) as a compile-time value: BodyWriter and BodyReader below, and
// any other visitor (test listings, printers), all walk the same list.
#pragma once
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "core/orders_codec.hpp"

namespace pw::oe {

// A NUL-padded fixed-width string field, kept NUL-terminated for printing.
template <size_t N>
struct FixedText {
  static constexpr size_t kWidth = N;
  char text[N + 1] = {};
  FixedText() = default;
  FixedText(std::string_view s) { assign(s); }  // NOLINT: implicit from literals is the point
  void assign(std::string_view s) {
    const size_t n = s.size() < N ? s.size() : N;
    if (n > 0) std::memcpy(text, s.data(), n);  // an empty view may carry a null pointer
    std::memset(text + n, 0, N + 1 - n);
  }
  std::string_view view() const { return std::string_view(text); }
  bool operator==(const FixedText& o) const { return view() == o.view(); }
};

template <class T>
struct is_fixed_text : std::false_type {};
template <size_t N>
struct is_fixed_text<FixedText<N>> : std::true_type {};

// A field of a layout as a compile-time value (a structural type, so it can be a template argument).
struct FieldAt {
  const TemplateDef* layout;
  uint8_t index;  // in layout->fields
  uint16_t offset;
  uint8_t size;
  FieldKind kind;
  constexpr const char* name() const { return layout->fields[index].name; }
};

// Reached only for a name the layout lacks; not constexpr, so the compile stops at that name.
inline void field_name_not_in_layout() {}

consteval FieldAt layout_field(const TemplateDef& t, const char* name) {
  for (uint8_t i = 0; i < t.field_count; ++i)
    if (str_equal(t.fields[i].name, name)) return FieldAt{&t, i, t.fields[i].offset, t.fields[i].size, t.fields[i].kind};
  field_name_not_in_layout();
  return FieldAt{};
}

// Whether a member of type T can carry field F: text of the same width; a bool in a one-byte
// integer; an integer of the field's size, signed for the signed kinds (int, price).
template <FieldAt F, class T>
consteval bool member_fits() {
  if constexpr (is_fixed_text<T>::value) return F.kind == FieldKind::text && T::kWidth == F.size;
  else if constexpr (std::is_same_v<T, bool>) return F.kind == FieldKind::int_ && F.size == 1;
  else if constexpr (std::is_integral_v<T>)
    return sizeof(T) == F.size && (F.kind == FieldKind::int_ || F.kind == FieldKind::price || F.kind == FieldKind::uint_) &&
           std::is_signed_v<T> == (F.kind != FieldKind::uint_);
  else return false;
}

template <FieldAt F, class IO, class Member>
constexpr void visit_field(IO& io, Member& member) {
  static_assert(member_fits<F, std::remove_cv_t<Member>>(),
                "the member's type does not match the layout field's size and kind");
  io.template field<F>(member);
}

// PW_OE_FOR_EACH(macro, a, b, c) → macro(a) macro(b) macro(c): the usual __VA_OPT__ recursion
// (up to 256 names).
#define PW_OE_PARENS ()
#define PW_OE_EXPAND(...) PW_OE_EXPAND3(PW_OE_EXPAND3(PW_OE_EXPAND3(PW_OE_EXPAND3(__VA_ARGS__))))
#define PW_OE_EXPAND3(...) PW_OE_EXPAND2(PW_OE_EXPAND2(PW_OE_EXPAND2(PW_OE_EXPAND2(__VA_ARGS__))))
#define PW_OE_EXPAND2(...) PW_OE_EXPAND1(PW_OE_EXPAND1(PW_OE_EXPAND1(PW_OE_EXPAND1(__VA_ARGS__))))
#define PW_OE_EXPAND1(...) __VA_ARGS__
#define PW_OE_FOR_EACH(macro, ...) __VA_OPT__(PW_OE_EXPAND(PW_OE_FOR_EACH_STEP(macro, __VA_ARGS__)))
#define PW_OE_FOR_EACH_STEP(macro, first, ...) macro(first) __VA_OPT__(PW_OE_FOR_EACH_AGAIN PW_OE_PARENS(macro, __VA_ARGS__))
#define PW_OE_FOR_EACH_AGAIN() PW_OE_FOR_EACH_STEP

#define PW_OE_FIELD(name) ::pw::oe::visit_field<::pw::oe::layout_field(kLayout, #name)>(io, m.name);

// Inside a message struct with `kLayout`: `fields(m, io)` visits the named members in order; `m`
// is the message, const when it is being written.
#define PW_OE_FIELDS(...)                                \
  template <class Self, class IO>                        \
  static constexpr void fields(Self& m, IO& io) {        \
    PW_OE_FOR_EACH(PW_OE_FIELD, __VA_ARGS__)             \
  }

// Writes each field into a body that begin_message zeroed.
struct BodyWriter {
  uint8_t* body;

  template <FieldAt F, class T>
  void field(const T& v) const {
    if constexpr (is_fixed_text<T>::value) {
      // Copying up to the first NUL pads the rest, the body being zeroed.
      for (size_t i = 0; i < T::kWidth && v.text[i] != 0; ++i) body[F.offset + i] = (uint8_t)v.text[i];
    } else if constexpr (std::is_same_v<T, bool>) {
      body[F.offset] = v ? 1 : 0;
    } else {
      store_le<T>(body + F.offset, v);
    }
  }
};

// Reads each field of a body of `block_length` bytes; a field that does not lie inside the block
// (a shorter, older layout) reads as zero, a text up to the block's end. A bool is true only for 1.
struct BodyReader {
  const uint8_t* body;
  uint16_t block_length;

  template <FieldAt F, class T>
  void field(T& v) const {
    if constexpr (is_fixed_text<T>::value) {
      size_t i = 0;
      for (; i < T::kWidth && (size_t)F.offset + i < block_length && body[F.offset + i] != 0; ++i) v.text[i] = (char)body[F.offset + i];
      std::memset(v.text + i, 0, T::kWidth + 1 - i);
    } else if constexpr (std::is_same_v<T, bool>) {
      v = load<int8_t, F.offset>() == 1;
    } else {
      v = load<T, F.offset>();
    }
  }

 private:
  template <class T, uint16_t Offset>
  T load() const {
    return (size_t)Offset + sizeof(T) <= block_length ? load_le<T>(body + Offset) : T{};
  }
};

// Marks the layout fields a message visits: used to check at compile time that its list names
// every field of the layout exactly once.
struct FieldCoverage {
  uint64_t seen = 0;
  bool twice = false;
  template <FieldAt F, class T>
  constexpr void field(T&) {
    if ((seen >> F.index) & 1) twice = true;
    seen |= 1ULL << F.index;
  }
};

template <class T>
consteval bool lists_every_field_once() {
  static_assert(T::kLayout.field_count < 64, "FieldCoverage holds 63 fields");
  T m{};
  FieldCoverage c;
  T::fields(m, c);
  return !c.twice && c.seen == (1ULL << T::kLayout.field_count) - 1;
}

}  // namespace pw::oe
