// MarketEvent (core/events.hpp, 128 bytes) <-> one 1024-bit stream word. Byte i of the record is
// bits [8i+7 : 8i] of the word (little-endian byte lanes, as on every AXI-Stream of the design), so
// a kernel-to-kernel event stream carries exactly the bytes the software path compares with memcmp.
#pragma once
#include <cstdint>
#include <cstring>

#include "core/events.hpp"
#include "core/byte_order.hpp"
#include "perpwire_hls/hls_compat.hpp"

namespace pw {
namespace hlsk {

constexpr int kEventBytes = 128;
constexpr int kEventBits = kEventBytes * 8;
constexpr int kEventLanes = kEventBits / 64;
static_assert(sizeof(MarketEvent) == kEventBytes, "one event record is one stream word");

typedef ap_uint<kEventBits> EventWord;

inline EventWord pack_event(const MarketEvent& e) {
  uint8_t raw[kEventBytes];
#pragma HLS ARRAY_PARTITION variable=raw complete
  std::memcpy(raw, &e, kEventBytes);
  EventWord w = 0;
pack_lanes:
  for (int i = 0; i < kEventLanes; ++i) {
#pragma HLS UNROLL
    w.range(64 * i + 63, 64 * i) = load_le<uint64_t>(raw + 8 * i);
  }
  return w;
}

inline void unpack_event(const EventWord& w, MarketEvent& e) {
  uint8_t raw[kEventBytes];
#pragma HLS ARRAY_PARTITION variable=raw complete
unpack_lanes:
  for (int i = 0; i < kEventLanes; ++i) {
#pragma HLS UNROLL
    store_le<uint64_t>(raw + 8 * i, (uint64_t)w.range(64 * i + 63, 64 * i).to_uint64());
  }
  std::memcpy(&e, raw, kEventBytes);
}

inline MarketEvent unpack_event(const EventWord& w) {
  MarketEvent e;
  unpack_event(w, e);
  return e;
}

}  // namespace hlsk
}  // namespace pw
