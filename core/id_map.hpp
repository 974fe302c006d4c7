// Fixed-capacity map from a 64-bit id to a value: the order book's resting orders (core/book.hpp),
// the risk engine's open orders and dedup window (core/risk_engine.hpp) and the order-entry
// session's order table (host/orders/order_table.hpp). Header-only C++17 in synthesizable style:
// no heap, no exceptions, no virtuals, every loop has a fixed trip count.
//
// Layout: two tables of buckets, each bucket kWays = 8 ways (key, generation, value), plus a
// victim area of kVictims = 8 entries. An id has one candidate bucket in each table: by default two
// independent bit ranges of one 64-bit mix of the id; with SequentialFirstBucket (the book's order
// index: exchange order ids are handed out in increasing order) the table-0 bucket keeps
// neighbouring ids together instead (below). A lookup reads those two buckets (one read of each
// table: two memories side by side on the card) and the victim area, and compares every way at
// once — fixed-trip loops that HLS unrolls. Each table-0 bucket counts the ids that chose it first
// but live in their table-1 bucket (spill); while that count is 0 the table-1 bucket cannot hold
// the id and the CPU skips reading it (the card reads both anyway), so a lookup of an id that is
// not there — every new order — touches one bucket, not two. An insert goes to the id's table-0 bucket
// while that has fewer than 6 live ways, else to the emptier of its two buckets (so on the CPU
// most ids are found in the first bucket read, and the pair stays balanced); only when both are
// full does it take a victim entry, and an erase
// from a bucket pulls a victim that belongs there back in, so the victim area holds only ids whose
// two buckets are both full at that moment.
//
// Capacity rule. `capacity` ids always fit unless the ids were chosen against the hash:
//   - the tables hold 2 × kWays × pow2_at_least(⌈capacity / kWays⌉) ≥ 2 × capacity ways: the
//     load is at most 1/2;
//   - two choices keep the buckets balanced (the load of the fuller bucket grows only as
//     log log n), so both buckets of an id are rarely full together (a simulation of 2·10^7
//     churned inserts at full capacity: at most 1 id in the victim area at capacity 64, none at
//     1024 or 65536), and the victim area absorbs 8 such ids at once: on random ids, sequential ids,
//     ids strided by any power of two and ids that differ only in their high bits, no insert has
//     failed in the tests (tests/core/test_id_map.cpp, millions of churned inserts at full
//     capacity);
//   - any 2 × kWays + kVictims = 24 ids fit whatever they are (a capacity ≤ 8 is one bucket per
//     table, so it always fits);
//   - ids picked so that more than 24 share both buckets (someone who inverts the hash) fill the
//     pair and the victim area before the capacity: insert then returns kNone and counts it in
//     overflows(). Callers treat that exactly as a full table (the book marks itself untrusted,
//     the risk gate rejects with order_capacity, the session refuses with order_table_full).
//
// Empty is all-zero memory (Vitis never runs constructors; memories power up zero): a way is live
// when its generation equals live() = epoch + 1, which is never 0, so zeroed ways and a zeroed map
// (epoch 0, size 0, nothing in the victim area) are empty. clear() is O(1): it moves to the next
// generation, which empties every way at once; once every 65534 clears the generations are
// wiped (bounded loop) before they would wrap.
//
// Two forms share the algorithm: IdMap<V, kCapacity> holds its buckets in a fixed array (core,
// HLS); IdMapView<V> works on buckets the caller provides, for a capacity configured at run time
// (the host's session table); neither allocates.
#pragma once
#include <cstdint>

#include "core/hls_pragma.hpp"

namespace pw {

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

namespace id_map_detail {

constexpr int kWays = 8;
constexpr int kVictims = 8;
constexpr int32_t kMaxCapacity = 1 << 27;  // slot numbers stay below 2^31

// Buckets in each of the two tables for a capacity: 2 × kWays × this ≥ 2 × capacity.
constexpr uint32_t buckets_per_table(int32_t capacity) {
  return (uint32_t)detail::pow2_at_least(((capacity < 1 ? 1 : capacity) + kWays - 1) / kWays);
}

// The two halves of the 128-bit product with a 64-bit odd constant, folded (the "mum" mix): one
// multiplication, and every bit of the result depends on every bit of the id, so the two bucket
// numbers (high and low half) are independent even for sequential or strided ids.
inline uint64_t mix(int64_t key) {
  const unsigned __int128 p = (unsigned __int128)(uint64_t)key * 0x9E3779B97F4A7C15ull;
  return (uint64_t)(p >> 64) ^ (uint64_t)p;
}

// Table 0's bucket number (before masking to the table's `bits` bits) of `key`, whose mix is `h`.
// The default: the mix's high half, independent of the low half that picks the table-1 bucket.
struct MixedFirstBucket {
  static uint64_t first(int64_t, uint64_t h, int) { return h >> 32; }
};

// For ids handed out in increasing order (the exchange's order ids): ids that differ only in their
// low 3 bits share a bucket and consecutive groups of 8 take consecutive buckets (at most 2 groups
// per bucket over a table's worth), so a new id lands in the bucket its predecessors brought into
// the cache, or the next one, which the hardware prefetcher streams in ahead, instead of a cold
// random one. The id's higher bits are folded in, a sum of chunks as wide as the table number, so
// ids strided by a power of two or differing only in high bits still spread over the table (every
// chunk of the id reaches the bucket number; ids differing in one chunk, or in a power-of-two
// stride spanning two, get distinct buckets). Table 1 stays the mix's low half: the pair's second
// choice is still random (the capacity rule below holds on the tests' patterns).
struct SequentialFirstBucket {
  static uint64_t first(int64_t key, uint64_t, int bits) {
    if (bits <= 0) return 0;
    const uint64_t x = (uint64_t)key >> 3;
    uint64_t f = 0;
    for (int i = 0; i < 64; ++i) {
      PW_HLS_PRAGMA(HLS UNROLL)
      if (i * bits >= 61) break;
      f += x >> (i * bits);
    }
    return f;
  }
};

template <typename V>
struct Bucket {
  int64_t key[kWays];
  uint16_t gen[kWays];  // live when equal to the map's live(); 0 is always empty
  uint16_t spill_gen;   // table 0: `spill` counts in this generation (else it is 0)
  uint32_t spill;       // table 0: ids whose first choice this is that live in their table-1 bucket (≤ capacity)
  V val[kWays];
};

template <typename V>
struct Victim {
  int64_t key;
  uint16_t gen;
  V val;
};

template <typename V, int32_t kCapacity>
struct FixedStorage {
  static constexpr uint32_t kPerTable = buckets_per_table(kCapacity);
  static constexpr uint32_t per_table() { return kPerTable; }
  static constexpr int bits() { return detail::log2_exact((int)kPerTable); }
  static constexpr int32_t capacity() { return kCapacity; }
  Bucket<V> buckets[2 * kPerTable];
};

template <typename V>
struct CallerStorage {
  uint32_t per_table() const { return per_table_; }
  int bits() const { return detail::log2_exact((int)per_table_); }
  int32_t capacity() const { return capacity_; }
  Bucket<V>* buckets = nullptr;
  uint32_t per_table_ = 1;
  int32_t capacity_ = 1;
};

}  // namespace id_map_detail

// The algorithm over either storage. Slots (from find/insert, valid until the next insert or
// erase) number the ways: bucket × kWays + way, then the victim entries (≥ 0: taken apart unsigned,
// a shift and a mask, never a signed division). `First` picks the
// table-0 bucket (MixedFirstBucket, SequentialFirstBucket).
template <typename V, typename Storage, typename First = id_map_detail::MixedFirstBucket>
class BasicIdMap {
 public:
  using Bucket = id_map_detail::Bucket<V>;
  static constexpr int kWays = id_map_detail::kWays;
  static constexpr int kVictims = id_map_detail::kVictims;
  static constexpr int32_t kNone = -1;
  static constexpr int kPreferFirst = 6;

  int32_t size() const { return count_; }
  int32_t capacity() const { return store_.capacity(); }
  bool full() const { return count_ >= store_.capacity(); }
  // Inserts refused below capacity: both buckets and the victim area were full (see the rule above).
  uint64_t overflows() const { return overflows_; }
  // Ids currently in the victim area (diagnostics, tests).
  int32_t in_victim_area() const { return victims_used_; }

  // Forgets every id in O(1).
  constexpr void clear() {
    count_ = 0;
    victims_used_ = 0;
    if (++epoch_ == 0xFFFF) wipe_generations();
  }

  // Slot of `key`, or kNone.
  int32_t find(int64_t key) const {
    const uint64_t h = id_map_detail::mix(key);
    const uint16_t g = live();
    const uint32_t b0 = bucket_of(0, key, h);
    for (int t = 0; t < 2; ++t) {
      PW_HLS_PRAGMA(HLS UNROLL)
      // table 1 only when an id that chose b0 first lives there (the spill count; exact)
      if (t == 1 && spill_of(store_.buckets[b0], g) == 0) break;
      const uint32_t b = t == 0 ? b0 : bucket_of(1, key, h);
      // every way compared at once into a mask, then one branch: which way holds the id is random,
      // and a branch per way would mispredict on it for nearly every id found
      const uint32_t hit = match_mask(store_.buckets[b], key, g);
      if (hit != 0) return (int32_t)(b * kWays + lowest_way(hit));
    }
    if (victims_used_ > 0) {
      for (int v = 0; v < kVictims; ++v) {
        PW_HLS_PRAGMA(HLS UNROLL)
        if (victims_[v].gen == g && victims_[v].key == key) return victim_slot(v);
      }
    }
    return kNone;
  }

  // The value of `key`, or `absent`.
  V value_or(int64_t key, V absent) const {
    const int32_t s = find(key);
    return s == kNone ? absent : at(s);
  }

  V& at(int32_t slot) { return slot < victim_slot(0) ? way_bucket(slot).val[(uint32_t)slot % kWays] : victims_[slot - victim_slot(0)].val; }
  const V& at(int32_t slot) const {
    return slot < victim_slot(0) ? way_bucket(slot).val[(uint32_t)slot % kWays] : victims_[slot - victim_slot(0)].val;
  }
  int64_t key_at(int32_t slot) const {
    return slot < victim_slot(0) ? way_bucket(slot).key[(uint32_t)slot % kWays] : victims_[slot - victim_slot(0)].key;
  }

  // Whether insert(key, …) would succeed now.
  bool has_room(int64_t key) const {
    if (full()) return false;
    if (victims_used_ < kVictims) return true;
    const uint64_t h = id_map_detail::mix(key);
    return live_ways(bucket_of(0, key, h)) < kWays || live_ways(bucket_of(1, key, h)) < kWays;
  }

  // Inserts a key that is not in the map. Returns its slot, or kNone when the map holds capacity()
  // ids or (counted in overflows()) when both buckets and the victim area are full.
  int32_t insert(int64_t key, const V& val) {
    if (full()) return kNone;
    const uint64_t h = id_map_detail::mix(key);
    const uint16_t g = live();
    // Table 0 while its bucket has fewer than kPreferFirst live ways, else the emptier bucket
    // (table 0 on a tie): most ids are found in the first bucket read, and the pair stays balanced.
    const uint32_t b0 = bucket_of(0, key, h);
    uint32_t b = b0;
    uint32_t m = live_mask(store_.buckets[b], g);
    if (ways_in(m) >= kPreferFirst) {
      const uint32_t b1 = bucket_of(1, key, h);
      const uint32_t m1 = live_mask(store_.buckets[b1], g);
      if (ways_in(m1) < ways_in(m)) {
        b = b1;
        m = m1;
      }
    }
    const uint32_t free = ~m & ((1u << kWays) - 1);
    if (free != 0) {
      Bucket& k = store_.buckets[b];
      const int w = lowest_way(free);
      k.key[w] = key;
      k.gen[w] = g;
      k.val[w] = val;
      if (b != b0) spill_add(b0, g, 1);
      ++count_;
      return (int32_t)(b * kWays + w);
    }
    for (int v = 0; v < kVictims; ++v) {
      PW_HLS_PRAGMA(HLS UNROLL)
      if (victims_[v].gen != g) {
        victims_[v].key = key;
        victims_[v].gen = g;
        victims_[v].val = val;
        ++victims_used_;
        ++count_;
        return victim_slot(v);
      }
    }
    ++overflows_;
    return kNone;
  }

  // Removes the id in `slot` (from find/insert). A victim whose bucket this was moves into the
  // freed way, so other slots may change.
  void erase(int32_t slot) {
    --count_;
    if (slot >= victim_slot(0)) {
      victims_[slot - victim_slot(0)].gen = 0;
      --victims_used_;
      return;
    }
    const uint32_t b = (uint32_t)slot / kWays;
    const int w = (int)((uint32_t)slot % kWays);
    Bucket& k = store_.buckets[b];
    const uint16_t g = live();
    const int t = b < store_.per_table() ? 0 : 1;
    k.gen[w] = 0;
    if (t == 1) spill_add(first_bucket(k.key[w]), g, -1);
    if (victims_used_ == 0) return;
    for (int v = 0; v < kVictims; ++v) {
      PW_HLS_PRAGMA(HLS UNROLL)
      const int64_t vk = victims_[v].key;
      if (victims_[v].gen == g && bucket_of(t, vk, id_map_detail::mix(vk)) == b) {
        k.key[w] = vk;
        k.gen[w] = g;
        k.val[w] = victims_[v].val;
        victims_[v].gen = 0;
        --victims_used_;
        if (t == 1) spill_add(first_bucket(vk), g, 1);
        return;
      }
    }
  }

  // Removes `key` if present; returns whether it was.
  bool erase_key(int64_t key) {
    const int32_t s = find(key);
    if (s == kNone) return false;
    erase(s);
    return true;
  }

  // Visits every id: f(int64_t key, V& value) (const V& on a const map). Order: slot order.
  template <typename F>
  void for_each(F&& f) {
    for (int32_t s = 0; s < slot_count(); ++s)
      if (live_slot(s)) f(key_at(s), at(s));
  }
  template <typename F>
  void for_each(F&& f) const {
    for (int32_t s = 0; s < slot_count(); ++s)
      if (live_slot(s)) f(key_at(s), static_cast<const V&>(at(s)));
  }

  // Removes every id for which pred(key, const V&) holds; returns how many.
  template <typename P>
  int32_t erase_if(P&& pred) {
    int32_t removed = 0;
    for (int32_t s = 0; s < slot_count(); ++s) {
      for (int k = 0; k <= kVictims; ++k) {  // an erase may pull a victim into s: test it too
        if (!live_slot(s) || !pred(key_at(s), static_cast<const V&>(at(s)))) break;
        erase(s);
        ++removed;
      }
    }
    return removed;
  }

 protected:
  // Zeroes every way, value and counter: the state all-zero memory is in.
  void wipe() {
    const uint32_t n = 2 * store_.per_table();
    for (uint32_t i = 0; i < n; ++i) store_.buckets[i] = Bucket{};
    for (int v = 0; v < kVictims; ++v) victims_[v] = id_map_detail::Victim<V>{};
    count_ = 0;
    victims_used_ = 0;
    overflows_ = 0;
    epoch_ = 0;
  }

  Storage store_{};

 private:
  uint16_t live() const { return (uint16_t)(epoch_ + 1); }
  int32_t victim_slot(int v) const { return (int32_t)(2 * store_.per_table() * kWays) + v; }
  int32_t slot_count() const { return victim_slot(kVictims); }
  const Bucket& way_bucket(int32_t slot) const { return store_.buckets[(uint32_t)slot / kWays]; }
  Bucket& way_bucket(int32_t slot) { return store_.buckets[(uint32_t)slot / kWays]; }
  bool live_slot(int32_t s) const {
    return s < victim_slot(0) ? way_bucket(s).gen[(uint32_t)s % kWays] == live() : victims_[s - victim_slot(0)].gen == live();
  }

  // Bucket (index into both tables) of `key`, mixed to `h`, in table t: First for table 0, the
  // mix's low half for table 1.
  uint32_t bucket_of(int t, int64_t key, uint64_t h) const {
    const uint32_t mask = store_.per_table() - 1;
    return t == 0 ? ((uint32_t)First::first(key, h, store_.bits()) & mask) : store_.per_table() + ((uint32_t)h & mask);
  }
  uint32_t first_bucket(int64_t key) const { return bucket_of(0, key, id_map_detail::mix(key)); }

  // The spill count of a table-0 bucket (0 when last written in an earlier generation).
  static uint32_t spill_of(const Bucket& k, uint16_t g) { return k.spill_gen == g ? k.spill : 0u; }
  void spill_add(uint32_t b0, uint16_t g, int d) {
    Bucket& k = store_.buckets[b0];
    const uint32_t now = spill_of(k, g);
    k.spill_gen = g;
    k.spill = d < 0 ? (now > 0 ? now - 1 : 0) : now + 1;
  }

  // Bit w set: way w of `k` is live (and, for matches, holds `key`). Compared side by side.
  static uint32_t live_mask(const Bucket& k, uint16_t g) {
    uint32_t m = 0;
    for (int w = 0; w < kWays; ++w) {
      PW_HLS_PRAGMA(HLS UNROLL)
      m |= (uint32_t)(k.gen[w] == g) << w;
    }
    return m;
  }
  // Bit w set: way w of `k` is live and holds `key` (at most one: keys are unique).
  static uint32_t match_mask(const Bucket& k, int64_t key, uint16_t g) {
    uint32_t m = 0;
    for (int w = 0; w < kWays; ++w) {
      PW_HLS_PRAGMA(HLS UNROLL)
      m |= (uint32_t)((k.key[w] == key) & (k.gen[w] == g)) << w;
    }
    return m;
  }
  // Lowest set bit of a non-zero way mask (a priority encoder).
  static int lowest_way(uint32_t m) {
#if defined(__GNUC__) && !defined(__SYNTHESIS__)
    return __builtin_ctz(m);
#else
    int w = 0;
    for (int i = kWays - 1; i >= 0; --i) {
      PW_HLS_PRAGMA(HLS UNROLL)
      if ((m >> i) & 1u) w = i;
    }
    return w;
#endif
  }
  static int ways_in(uint32_t m) {
    int n = 0;
    for (int w = 0; w < kWays; ++w) {
      PW_HLS_PRAGMA(HLS UNROLL)
      n += (int)((m >> w) & 1u);
    }
    return n;
  }
  int live_ways(uint32_t b) const { return ways_in(live_mask(store_.buckets[b], live())); }

  constexpr void wipe_generations() {
    const uint32_t n = 2 * store_.per_table();
    for (uint32_t i = 0; i < n; ++i) {
      for (int w = 0; w < kWays; ++w) store_.buckets[i].gen[w] = 0;
      store_.buckets[i].spill_gen = 0;
    }
    for (int v = 0; v < kVictims; ++v) victims_[v].gen = 0;
    epoch_ = 0;
  }

  id_map_detail::Victim<V> victims_[kVictims]{};
  int32_t count_ = 0;
  int32_t victims_used_ = 0;
  uint64_t overflows_ = 0;
  uint16_t epoch_ = 0;
};

// Buckets inside the object: core and HLS.
template <typename V, int kCapacity, typename First = id_map_detail::MixedFirstBucket>
class IdMap : public BasicIdMap<V, id_map_detail::FixedStorage<V, kCapacity>, First> {
  static_assert(kCapacity >= 1 && kCapacity <= id_map_detail::kMaxCapacity, "id map capacity out of range");

 public:
  // All-zero is empty (store_ and victims_ are value-initialized): constant initialization, no
  // constructor code, so a kernel's static map needs none either.
  constexpr IdMap() {}
};

// Buckets the caller provides (buckets_for(capacity) of them, alive as long as the view), for a
// capacity set at run time. Movable, not copyable: a copy would share the buckets but not the
// victim area.
template <typename V>
class IdMapView : public BasicIdMap<V, id_map_detail::CallerStorage<V>> {
 public:
  using Bucket = id_map_detail::Bucket<V>;
  static uint32_t buckets_for(int32_t capacity) { return 2 * id_map_detail::buckets_per_table(clamp(capacity)); }

  IdMapView(Bucket* buckets, int32_t capacity) {
    this->store_.buckets = buckets;
    this->store_.capacity_ = clamp(capacity);
    this->store_.per_table_ = id_map_detail::buckets_per_table(this->store_.capacity_);
    this->wipe();
  }
  IdMapView(const IdMapView&) = delete;
  IdMapView& operator=(const IdMapView&) = delete;
  IdMapView(IdMapView&&) = default;
  IdMapView& operator=(IdMapView&&) = default;

 private:
  static int32_t clamp(int32_t c) {
    return c < 1 ? 1 : c > id_map_detail::kMaxCapacity ? id_map_detail::kMaxCapacity : c;
  }
};

}  // namespace pw
