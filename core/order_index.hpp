// Order id → resting order, for the order book (core/book.hpp): a pre-sized open-addressing hash
// table with linear probing and backward-shift deletion (no tombstones, so probe lengths stay short
// however long the book runs). Clearing is O(1): every slot carries the generation it was written
// in, and a slot of an older generation is empty. No heap, fixed loop bounds, C++17.
#pragma once
#include <cstdint>

#include "core/fixed_point.hpp"

namespace pw {

struct RestingOrder {
  int64_t id;      // exchange order id (never kNullI64)
  int64_t price;   // ×1e-9
  int32_t qty;     // contracts, > 0
  int8_t side;     // 1 bid, -1 ask
  uint8_t pad_;
  uint16_t gen;    // generation the slot was written in (internal)
};
static_assert(sizeof(RestingOrder) == 24, "RestingOrder is 24 bytes");

namespace detail {
// Smallest power of two ≥ n (n ≥ 1).
constexpr int pow2_at_least(int n) {
  int p = 1;
  while (p < n) p <<= 1;
  return p;
}
constexpr int log2_exact(int p) {
  int b = 0;
  while ((1 << b) < p) ++b;
  return b;
}
}  // namespace detail

// Holds up to kMaxOrders orders in a table of at least twice as many slots (load factor ≤ 1/2).
template <int kMaxOrders>
class OrderIndex {
  static_assert(kMaxOrders >= 1 && kMaxOrders <= (1 << 28), "order capacity out of range");

 public:
  static constexpr int kCapacity = kMaxOrders;
  static constexpr int kSlots = detail::pow2_at_least(2 * kMaxOrders);
  static constexpr int kBits = detail::log2_exact(kSlots);
  static constexpr uint32_t kMask = (uint32_t)kSlots - 1;
  static constexpr int kNone = -1;

  OrderIndex() { wipe(); }

  int size() const { return count_; }
  bool full() const { return count_ >= kMaxOrders; }

  // Forgets every order in O(1) (a full wipe once every 65535 clears, when the generation wraps).
  void clear() {
    count_ = 0;
    if (++gen_ == 0) wipe();
  }

  // Slot of `id`, or kNone.
  int find(int64_t id) const {
    uint32_t i = home(id);
    for (int probe = 0; probe < kSlots; ++probe) {
      const RestingOrder& s = slots_[i];
      if (s.gen != gen_) return kNone;
      if (s.id == id) return (int)i;
      i = (i + 1) & kMask;
    }
    return kNone;
  }

  RestingOrder& at(int slot) { return slots_[slot]; }
  const RestingOrder& at(int slot) const { return slots_[slot]; }

  // Inserts an id that is not in the table. Returns its slot, or kNone when the table holds
  // kMaxOrders orders already.
  int insert(int64_t id, int64_t price, int32_t qty, int8_t side) {
    if (count_ >= kMaxOrders) return kNone;
    uint32_t i = home(id);
    for (int probe = 0; probe < kSlots; ++probe) {
      RestingOrder& s = slots_[i];
      if (s.gen != gen_) {
        s.id = id;
        s.price = price;
        s.qty = qty;
        s.side = side;
        s.pad_ = 0;
        s.gen = gen_;
        ++count_;
        return (int)i;
      }
      i = (i + 1) & kMask;
    }
    return kNone;  // unreachable: the load factor is at most 1/2
  }

  // Removes the order in `slot` (from find/insert). Backward-shift deletion: later members of the
  // probe run move into the hole when their home position allows it, so no tombstones are needed.
  void erase(int slot) {
    uint32_t hole = (uint32_t)slot;
    uint32_t j = hole;
    for (int probe = 0; probe < kSlots; ++probe) {
      j = (j + 1) & kMask;
      const RestingOrder& s = slots_[j];
      if (s.gen != gen_) break;
      uint32_t h = home(s.id);
      // Move s into the hole unless its home lies cyclically in (hole, j].
      bool home_between = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j);
      if (!home_between) {
        slots_[hole] = s;
        hole = j;
      }
    }
    slots_[hole].gen = (uint16_t)(gen_ - 1);  // any generation other than the current one is empty
    --count_;
  }

  // Visits every resting order (tests, diagnostics): f(const RestingOrder&).
  template <typename F>
  void for_each(F&& f) const {
    for (int i = 0; i < kSlots; ++i)
      if (slots_[i].gen == gen_) f(slots_[i]);
  }

 private:
  static uint32_t home(int64_t id) {
    // Exchange ids are mostly sequential: their low bits, with the higher bits folded in, keep
    // orders placed close in time in neighbouring slots (cache lines already loaded), where a
    // multiplicative hash would send every access to a cold line of a large table.
    const uint64_t u = (uint64_t)id;
    return (uint32_t)(u ^ (u >> kBits) ^ (u >> (2 * kBits)) ^ (u >> 48)) & kMask;
  }

  void wipe() {
    for (int i = 0; i < kSlots; ++i) {
      slots_[i].id = kNullI64;
      slots_[i].price = 0;
      slots_[i].qty = 0;
      slots_[i].side = 0;
      slots_[i].pad_ = 0;
      slots_[i].gen = 0;
    }
    gen_ = 1;
  }

  RestingOrder slots_[kSlots];
  int32_t count_ = 0;
  uint16_t gen_ = 1;
};

}  // namespace pw
