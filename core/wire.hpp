// Little-endian loads and stores on byte buffers. Byte-by-byte shifts keep them portable and
// synthesizable; compilers turn them into single moves on little-endian hosts.
#pragma once
#include <cstdint>
#include <cstddef>
#include <type_traits>

namespace pw {

template <typename T>
inline T load_le(const uint8_t* p) {
  typedef typename std::make_unsigned<T>::type U;
  U v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= (U)((U)p[i] << (8 * i));
  return (T)v;
}

template <typename T>
inline void store_le(uint8_t* p, T value) {
  typedef typename std::make_unsigned<T>::type U;
  U v = (U)value;
  for (size_t i = 0; i < sizeof(T); ++i) p[i] = (uint8_t)(v >> (8 * i));
}

// Big-endian (network order) for Ethernet/IP/UDP headers.
inline uint16_t load_be16(const uint8_t* p) { return (uint16_t)((p[0] << 8) | p[1]); }
inline uint32_t load_be32(const uint8_t* p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
inline void store_be16(uint8_t* p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
inline void store_be32(uint8_t* p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

}  // namespace pw
