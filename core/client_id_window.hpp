// Check 11 in one lookup: the client order ids that are "live" — used by an open order, or among
// the last kWindow accepted new orders — kept in a direct-mapped set of buckets, kWays ids per
// bucket side by side (one 64-byte line for 7 ids and the bucket's live mask), chosen by the id's
// low bits. A lookup reads one bucket and compares its ways (fixed count, no probe sequence).
//
// Exact while no bucket holds more than kWays live ids. With kBuckets ≥ kWindow + kOpenOrders
// and ids that a session numbers upward (the order-entry protocols require it), the ids of the
// window fall into distinct buckets; a bucket fills only when kWays − 1 open orders, each at least
// kBuckets ids older than the window, share its low bits. A new id whose bucket is full is refused
// (RejectDetail::id_window_full under check 11): the set may only refuse more, never forget a live
// id. docs/risk.md "Duplicate client order ids".
//
// All-zero memory is the empty set (empty ways are the clear bits of `live`).
#pragma once
#include <cstdint>

namespace pw {

namespace risk_detail {
constexpr int pow2_ceil(int n) {
  int p = 1;
  while (p < n) p *= 2;
  return p;
}
}  // namespace risk_detail

constexpr int kClientIdWays = 7;

template <int kWindow, int kOpenOrders>
class ClientIdWindow {
 public:
  static constexpr int kBuckets = risk_detail::pow2_ceil(kWindow + kOpenOrders);
  static constexpr uint64_t kMask = (uint64_t)kBuckets - 1;

  enum class Lookup : uint8_t { free = 0, live = 1, full = 2 };

  constexpr void clear() {
    for (int b = 0; b < kBuckets; ++b) buckets_[b].live = 0;
    for (int k = 0; k < kWindow; ++k) ring_[k] = RingEntry{0, 0, 0};
    head_ = 0;
    count_ = 0;
    accepted_ = 0;
  }

  // The fast-path question: is `id` live, and if not, is there room for it?
  Lookup lookup(int64_t id) const {
    const Bucket& b = buckets_[bucket_of(id)];
    uint32_t hit = 0;
    for (int w = 0; w < kClientIdWays; ++w) {
      hit |= (uint32_t)(b.ids[w] == id) << w;
    }
    if (hit & b.live) return Lookup::live;
    return b.live == kAllWays ? Lookup::full : Lookup::free;
  }

  // An accepted new order: `id` (free per lookup) becomes live; the id accepted kWindow orders ago
  // leaves the window and, unless its order is still open (`still_open(slot, seq)`), the set.
  // Returns the order's acceptance number (give it back to leave()).
  template <typename StillOpen>
  uint64_t enter(int64_t id, int32_t slot, StillOpen still_open) {
    if (count_ == kWindow) {
      const RingEntry& old = ring_[head_];
      if (!still_open(old.slot, old.seq)) drop(old.id);
    } else {
      ++count_;
    }
    Bucket& b = buckets_[bucket_of(id)];
    uint32_t free_ways = ~b.live & kAllWays;
    uint32_t way = (uint32_t)__builtin_ctz(free_ways);  // lookup() said free: a way is empty
    b.ids[way] = id;
    b.live |= 1u << way;
    const uint64_t seq = accepted_++;
    ring_[head_] = RingEntry{id, seq, slot};
    head_ = head_ + 1 == kWindow ? 0 : head_ + 1;
    return seq;
  }

  // The order accepted as number `seq` with `id` is done: its id leaves the set unless it is still
  // inside the window (then it leaves with the window).
  void leave(int64_t id, uint64_t seq) {
    if (accepted_ - seq > (uint64_t)kWindow) drop(id);
  }

 private:
  static constexpr uint32_t kAllWays = (1u << kClientIdWays) - 1;
  struct Bucket {
    int64_t ids[kClientIdWays];
    uint32_t live;  // bit w: ids[w] is live
    uint32_t reserved;
  };
  struct RingEntry {
    int64_t id;
    uint64_t seq;
    int32_t slot;
  };
  static uint32_t bucket_of(int64_t id) { return (uint32_t)((uint64_t)id & kMask); }
  void drop(int64_t id) {
    Bucket& b = buckets_[bucket_of(id)];
    for (int w = 0; w < kClientIdWays; ++w) {
      if ((b.live >> w & 1u) && b.ids[w] == id) b.live &= ~(1u << w);
    }
  }

  Bucket buckets_[kBuckets]{};
  RingEntry ring_[kWindow]{};
  int32_t head_ = 0;
  int32_t count_ = 0;
  uint64_t accepted_ = 0;
};

}  // namespace pw
