// Fixed-size records (core/) <-> one AXI-Stream word of the record's size. Byte i of the record is
// bits [8i+7 : 8i] of the word, as for the event words (event_pack.hpp): a stream between two
// kernels carries exactly the bytes the software path compares with memcmp.
#pragma once
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "core/byte_order.hpp"
#include "perpwire_hls/hls_compat.hpp"

namespace pw {
namespace hlsk {

// Word width of a record type: its size in bits (records are multiples of 8 bytes).
template <typename T>
struct RecordWordOf {
  static_assert(std::is_trivially_copyable<T>::value, "stream records are trivially copyable");
  static_assert(sizeof(T) % 8 == 0 && sizeof(T) * 8 <= 1024, "a record is whole 64-bit lanes, at most 1024 bits");
  static constexpr int kBytes = (int)sizeof(T);
  static constexpr int kLanes = kBytes / 8;
  typedef ap_uint<kBytes * 8> type;
};

template <typename T>
inline typename RecordWordOf<T>::type pack_record(const T& r) {
  typedef RecordWordOf<T> W;
  uint8_t raw[W::kBytes];
#pragma HLS ARRAY_PARTITION variable=raw complete
  std::memcpy(raw, &r, W::kBytes);
  typename W::type w = 0;
pack_record_lanes:
  for (int i = 0; i < W::kLanes; ++i) {
#pragma HLS UNROLL
    w.range(64 * i + 63, 64 * i) = load_le<uint64_t>(raw + 8 * i);
  }
  return w;
}

template <typename T>
inline void unpack_record(const typename RecordWordOf<T>::type& w, T& r) {
  typedef RecordWordOf<T> W;
  uint8_t raw[W::kBytes];
#pragma HLS ARRAY_PARTITION variable=raw complete
unpack_record_lanes:
  for (int i = 0; i < W::kLanes; ++i) {
#pragma HLS UNROLL
    store_le<uint64_t>(raw + 8 * i, (uint64_t)w.range(64 * i + 63, 64 * i).to_uint64());
  }
  std::memcpy(&r, raw, W::kBytes);
}

}  // namespace hlsk
}  // namespace pw
