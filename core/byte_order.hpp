// Little-endian (SBE) and big-endian (network order) loads and stores on byte buffers.
// On the host a load is std::memcpy into a local, byte-swapped only when the host's order differs:
// GCC 12 at -O3 on x86-64 compiles load_le<int64_t> to one `movq` and load_be32 to `movl` + `bswap`
// (checked with `g++ -std=c++17 -O3 -S`); the byte-by-byte shift form it replaces stayed 8 byte
// loads + shifts + ors. Under Vitis HLS synthesis (__SYNTHESIS__) the byte form is kept: it maps
// to wires on a partitioned byte array, where memcpy would not.
#pragma once
#include <cstdint>
#include <cstddef>
#include <cstring>
#include <type_traits>

namespace pw {

namespace byte_order_detail {

constexpr bool kHostLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

template <typename U>
inline U byte_swap(U v) {
  if constexpr (sizeof(U) == 1) return v;
  else if constexpr (sizeof(U) == 2) return (U)__builtin_bswap16(v);
  else if constexpr (sizeof(U) == 4) return (U)__builtin_bswap32(v);
  else return (U)__builtin_bswap64(v);
}

// The sizeof(U) bytes at p as an unsigned integer; `little` names their order.
template <typename U, bool little>
inline U load_bytes(const uint8_t* p) {
#if defined(__SYNTHESIS__)
  U v = 0;
  for (size_t i = 0; i < sizeof(U); ++i) {
#pragma HLS UNROLL
    const size_t shift = little ? 8 * i : 8 * (sizeof(U) - 1 - i);
    v |= (U)((U)p[i] << shift);
  }
  return v;
#else
  U v;
  std::memcpy(&v, p, sizeof(U));
  if (kHostLittleEndian != little) v = byte_swap(v);
  return v;
#endif
}

template <typename U, bool little>
inline void store_bytes(uint8_t* p, U v) {
#if defined(__SYNTHESIS__)
  for (size_t i = 0; i < sizeof(U); ++i) {
#pragma HLS UNROLL
    const size_t shift = little ? 8 * i : 8 * (sizeof(U) - 1 - i);
    p[i] = (uint8_t)(v >> shift);
  }
#else
  if (kHostLittleEndian != little) v = byte_swap(v);
  std::memcpy(p, &v, sizeof(U));
#endif
}

}  // namespace byte_order_detail

template <typename T>
inline T load_le(const uint8_t* p) {
  typedef typename std::make_unsigned<T>::type U;
  return (T)byte_order_detail::load_bytes<U, true>(p);
}

template <typename T>
inline void store_le(uint8_t* p, T value) {
  typedef typename std::make_unsigned<T>::type U;
  byte_order_detail::store_bytes<U, true>(p, (U)value);
}

// Big-endian (network order) for Ethernet/IP/UDP headers.
inline uint16_t load_be16(const uint8_t* p) { return byte_order_detail::load_bytes<uint16_t, false>(p); }
inline uint32_t load_be32(const uint8_t* p) { return byte_order_detail::load_bytes<uint32_t, false>(p); }
inline void store_be16(uint8_t* p, uint16_t v) { byte_order_detail::store_bytes<uint16_t, false>(p, v); }
inline void store_be32(uint8_t* p, uint32_t v) { byte_order_detail::store_bytes<uint32_t, false>(p, v); }

}  // namespace pw
