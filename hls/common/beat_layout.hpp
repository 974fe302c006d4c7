// How a datagram travels as 64-bit beats: byte i in beat i/8, lane i%8; the last beat's tkeep
// covers the tail; an empty datagram is one beat with tkeep 0 and tlast. The same layout is used
// for the memory-mapped packet buffer of feed_decode_mm: datagram after datagram, each starting on
// a fresh 64-bit word and taking beats_for(len) words.
#pragma once
#include <cstdint>

namespace pw {
namespace hlsk {

inline uint32_t beats_for(uint32_t len) { return len == 0 ? 1u : (len + 7u) / 8u; }

// tkeep of beat `beat` (0-based) of a datagram of `len` bytes.
inline uint8_t keep_for(uint32_t len, uint32_t beat) {
  const uint32_t first = beat * 8u;
  if (len <= first) return 0;
  const uint32_t n = len - first;
  return n >= 8u ? (uint8_t)0xFF : (uint8_t)((1u << n) - 1u);
}

}  // namespace hlsk
}  // namespace pw
