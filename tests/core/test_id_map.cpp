// core/id_map.hpp: insert/find/erase/clear against std::unordered_map, the capacity rule of the
// header comment (random, structured and hash-adversarial ids), and all-zero memory as the empty
// map.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "core/id_map.hpp"

using namespace pw;

namespace {

struct Val {
  int64_t a;
  int32_t b;
};

template <typename Map>
void check_against(const Map& m, const std::unordered_map<int64_t, int32_t>& ref) {
  REQUIRE(m.size() == (int32_t)ref.size());
  for (const auto& [k, v] : ref) {
    const int32_t s = m.find(k);
    REQUIRE(s != Map::kNone);
    REQUIRE(m.key_at(s) == k);
    REQUIRE(m.at(s) == v);
  }
  int32_t n = 0;
  m.for_each([&](int64_t k, const int32_t& v) {
    ++n;
    auto it = ref.find(k);
    REQUIRE(it != ref.end());
    REQUIRE(it->second == v);
  });
  REQUIRE(n == (int32_t)ref.size());
}

// Fills `m` to capacity with ids from `next`, then replaces a random id by a fresh one `churn`
// times. Every insert must succeed: the capacity rule for ids not chosen against the hash.
template <typename Map>
void fill_and_churn(Map& m, const std::function<int64_t()>& next, int churn, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> live;
  m.clear();
  while (m.size() < m.capacity()) {
    const int64_t id = next();
    if (m.find(id) != Map::kNone) continue;
    REQUIRE(m.has_room(id));
    REQUIRE(m.insert(id, (int32_t)id) != Map::kNone);
    live.push_back(id);
  }
  CHECK(m.full());
  for (int step = 0; step < churn; ++step) {
    const size_t k = rng() % live.size();
    REQUIRE(m.erase_key(live[k]));
    int64_t id = next();
    while (m.find(id) != Map::kNone) id = next();
    REQUIRE(m.insert(id, (int32_t)id) != Map::kNone);
    live[k] = id;
  }
  CHECK(m.size() == m.capacity());
  CHECK(m.overflows() == 0);
  for (int64_t id : live) REQUIRE(m.find(id) != Map::kNone);
}

// Id patterns that defeat simple hashes: each returns a generator of distinct ids.
std::vector<std::pair<const char*, std::function<std::function<int64_t()>(uint64_t)>>> patterns() {
  return {
      {"random", [](uint64_t s) { auto r = std::make_shared<std::mt19937_64>(s); return [r] { return (int64_t)(*r)(); }; }},
      {"sequential", [](uint64_t s) { auto n = std::make_shared<int64_t>((int64_t)(s * 1000003)); return [n] { return (*n)++; }; }},
      {"negative sequential", [](uint64_t) { auto n = std::make_shared<int64_t>(-1); return [n] { return (*n)--; }; }},
      {"stride 2^10", [](uint64_t) { auto n = std::make_shared<int64_t>(0); return [n] { return (*n)++ << 10; }; }},
      {"stride 2^20", [](uint64_t) { auto n = std::make_shared<int64_t>(0); return [n] { return (*n)++ << 20; }; }},
      {"stride 2^32", [](uint64_t) { auto n = std::make_shared<int64_t>(1); return [n] { return (*n)++ << 32; }; }},
      {"high bits only", [](uint64_t) { auto n = std::make_shared<uint64_t>(1); return [n] { return (int64_t)((*n)++ << 44); }; }},
      {"clustered", [](uint64_t s) {
         auto r = std::make_shared<std::mt19937_64>(s);
         return [r] { return ((*r)() % 4 == 0) ? (int64_t)(*r)() : (int64_t)((*r)() % 1000000) * 1024; };
       }},
  };
}

// Ids whose two buckets are the given pair (found by search: what someone inverting the hash does).
template <int kCapacity>
std::vector<int64_t> colliding_ids(int count, uint64_t seed) {
  constexpr uint32_t mask = id_map_detail::buckets_per_table(kCapacity) - 1;
  std::vector<int64_t> ids;
  for (int64_t k = (int64_t)seed; (int)ids.size() < count; ++k) {
    const uint64_t h = id_map_detail::mix(k);
    if (((uint32_t)(h >> 32) & mask) == (3 & mask) && ((uint32_t)h & mask) == (5 & mask)) ids.push_back(k);
  }
  return ids;
}

}  // namespace

TEST_CASE("insert, find, value_or, erase; keys 0, -1 and the int64 extremes are ordinary keys") {
  auto m = std::make_unique<IdMap<Val, 16>>();
  using M = IdMap<Val, 16>;
  CHECK(m->size() == 0);
  CHECK(m->capacity() == 16);
  for (int64_t k : {int64_t{0}, int64_t{-1}, INT64_MIN, INT64_MAX}) CHECK(m->find(k) == M::kNone);
  const int64_t keys[] = {0, -1, INT64_MIN, INT64_MAX, 42};
  for (int64_t k : keys) REQUIRE(m->insert(k, Val{(int64_t)((uint64_t)k * 3), (int32_t)(k & 0x7fff)}) != M::kNone);
  CHECK(m->size() == 5);
  for (int64_t k : keys) {
    const int32_t s = m->find(k);
    REQUIRE(s != M::kNone);
    CHECK(m->key_at(s) == k);
    CHECK(m->at(s).a == (int64_t)((uint64_t)k * 3));
  }
  m->at(m->find(42)).b = 7;
  CHECK(m->value_or(42, Val{0, -1}).b == 7);
  CHECK(m->value_or(43, Val{0, -1}).b == -1);
  CHECK(m->erase_key(0));
  CHECK_FALSE(m->erase_key(0));
  CHECK(m->find(0) == M::kNone);
  CHECK(m->find(-1) != M::kNone);
  m->erase(m->find(-1));
  CHECK(m->size() == 3);
  CHECK(m->find(-1) == M::kNone);
}

TEST_CASE("random inserts and erases against unordered_map; clear by generation, through its wrap") {
  using M = IdMap<int32_t, 512>;
  auto m = std::make_unique<M>();
  std::unordered_map<int64_t, int32_t> ref;
  std::vector<int64_t> ids;
  std::mt19937_64 rng(5);
  for (int step = 0; step < 200000; ++step) {
    const int r = (int)(rng() % 100);
    if (r < 50 && !m->full()) {
      const int64_t id = (rng() % 4 == 0) ? (int64_t)rng() : (int64_t)(rng() % 4096) * 1024;
      if (m->find(id) != M::kNone) continue;
      REQUIRE(m->insert(id, (int32_t)(id & 0xFFFF)) != M::kNone);
      ref[id] = (int32_t)(id & 0xFFFF);
      ids.push_back(id);
    } else if (r < 95 && !ids.empty()) {
      const size_t k = rng() % ids.size();
      const int32_t s = m->find(ids[k]);
      REQUIRE(s != M::kNone);
      m->erase(s);
      ref.erase(ids[k]);
      ids[k] = ids.back();
      ids.pop_back();
    } else if (r == 99) {
      m->clear();
      ref.clear();
      ids.clear();
    }
    REQUIRE(m->size() == (int32_t)ref.size());
    if (step % 1000 == 0) check_against(*m, ref);
  }
  CHECK(m->overflows() == 0);
  // the 16-bit generation wraps: every clear still empties the map
  for (int i = 0; i < 70000; ++i) {
    m->clear();
    if (i % 9973 == 0 || i >= 65530) {
      REQUIRE(m->find(3) == M::kNone);
      REQUIRE(m->size() == 0);
      REQUIRE(m->insert(3, 1) != M::kNone);
      REQUIRE(m->find(3) != M::kNone);
    }
  }
}

TEST_CASE("a full map refuses an insert without counting an overflow") {
  using M = IdMap<int32_t, 512>;
  auto m = std::make_unique<M>();
  for (int i = 0; i < 512; ++i) REQUIRE(m->insert(i, i) != M::kNone);
  CHECK(m->full());
  CHECK_FALSE(m->has_room(1000));
  CHECK(m->insert(1000, 0) == M::kNone);
  CHECK(m->overflows() == 0);
  m->erase(m->find(7));
  CHECK(m->has_room(1000));
  CHECK(m->insert(1000, 0) != M::kNone);
}

TEST_CASE("the configured capacity always fits: random and structured ids, filled and churned") {
  for (const auto& [name, make] : patterns()) {
    CAPTURE(name);
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      { auto m = std::make_unique<IdMap<int32_t, 1>>(); fill_and_churn(*m, make(seed), 2000, seed); }
      { auto m = std::make_unique<IdMap<int32_t, 8>>(); fill_and_churn(*m, make(seed), 20000, seed); }
      { auto m = std::make_unique<IdMap<int32_t, 9>>(); fill_and_churn(*m, make(seed), 20000, seed); }
      { auto m = std::make_unique<IdMap<int32_t, 64>>(); fill_and_churn(*m, make(seed), 100000, seed); }
      { auto m = std::make_unique<IdMap<int32_t, 1024>>(); fill_and_churn(*m, make(seed), 100000, seed); }
      { auto m = std::make_unique<IdMap<int32_t, 16384>>(); fill_and_churn(*m, make(seed), 50000, seed); }
    }
  }
}

TEST_CASE("SequentialFirstBucket (the book's order index): the configured capacity always fits on the same patterns") {
  using id_map_detail::SequentialFirstBucket;
  for (const auto& [name, make] : patterns()) {
    CAPTURE(name);
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      { auto m = std::make_unique<IdMap<int32_t, 1, SequentialFirstBucket>>(); fill_and_churn(*m, make(seed), 2000, seed); }
      { auto m = std::make_unique<IdMap<int32_t, 8, SequentialFirstBucket>>(); fill_and_churn(*m, make(seed), 20000, seed); }
      { auto m = std::make_unique<IdMap<int32_t, 9, SequentialFirstBucket>>(); fill_and_churn(*m, make(seed), 20000, seed); }
      { auto m = std::make_unique<IdMap<int32_t, 64, SequentialFirstBucket>>(); fill_and_churn(*m, make(seed), 100000, seed); }
      { auto m = std::make_unique<IdMap<int32_t, 1024, SequentialFirstBucket>>(); fill_and_churn(*m, make(seed), 100000, seed); }
      { auto m = std::make_unique<IdMap<int32_t, 16384, SequentialFirstBucket>>(); fill_and_churn(*m, make(seed), 50000, seed); }
    }
  }
}

TEST_CASE("SequentialFirstBucket: neighbouring ids share a bucket, a run of groups spreads over the table") {
  using id_map_detail::SequentialFirstBucket;
  const int bits = 11;  // 2048 buckets per table (capacity 16384)
  const uint32_t mask = (1u << bits) - 1;
  auto first = [&](int64_t id) { return (uint32_t)SequentialFirstBucket::first(id, 0, bits) & mask; };
  const int64_t base = (int64_t)8 * 2048 * 489;  // a run of 2048 groups that starts on a table boundary
  for (int64_t g = 0; g < 100; ++g) {
    for (int r = 1; r < 8; ++r) CHECK(first(base + 8 * g + r) == first(base + 8 * g));
  }
  // 2048 consecutive groups (16384 sequential ids) from a table boundary: every bucket exactly once
  std::vector<int> hits(1u << bits, 0);
  for (int64_t g = 0; g < (1 << bits); ++g) ++hits[first(base + 8 * g)];
  for (int h : hits) REQUIRE(h == 1);
  // from anywhere (the exchange's ids start where they start): at most 2 groups per bucket
  for (const int64_t start : {(int64_t)1000001, (int64_t)123456789, (int64_t)987654321987}) {
    std::vector<int> any(1u << bits, 0);
    for (int64_t g = 0; g < (1 << bits); ++g) ++any[first(start + 8 * g)];
    for (int h : any) REQUIRE(h <= 2);
  }
  // ids differing in one chunk of the table's width, or only in their high bits, get distinct buckets
  std::vector<int> chunk(1u << bits, 0);
  for (int64_t j = 0; j < (1 << bits); ++j) ++chunk[first((j << (3 + 2 * bits)) | 5)];
  for (int h : chunk) REQUIRE(h == 1);
  CHECK(SequentialFirstBucket::first(12345, 0, 0) == 0);  // one bucket per table
}

// Heavy collisions in table 0 (4096 candidate ids, neighbouring ones sharing buckets, at up to
// the capacity): many ids spill into table 1 and the victim area, and a lookup that skips table 1
// because no id of its first bucket lives there must still be exact. Against unordered_map, with
// clear() by generation in between (the spill counts of the old generation are forgotten).
TEST_CASE("the spill count lets a lookup skip table 1 exactly: random churn against unordered_map") {
  using id_map_detail::MixedFirstBucket;
  using id_map_detail::SequentialFirstBucket;
  auto run = [](auto& m, uint64_t seed) {
    using M = std::remove_reference_t<decltype(m)>;
    std::unordered_map<int64_t, int32_t> ref;
    std::vector<int64_t> ids;
    std::mt19937_64 rng(seed);
    for (int step = 0; step < 300000; ++step) {
      const int r = (int)(rng() % 1000);
      if (r < 520 && !m.full()) {
        const int64_t id = (int64_t)(rng() % 4096);
        const bool there = ref.count(id) != 0;
        REQUIRE((m.find(id) != M::kNone) == there);
        if (there || !m.has_room(id)) continue;
        REQUIRE(m.insert(id, (int32_t)step) != M::kNone);
        ref[id] = (int32_t)step;
        ids.push_back(id);
      } else if (r < 999 && !ids.empty()) {
        const size_t k = rng() % ids.size();
        const int32_t s = m.find(ids[k]);
        REQUIRE(s != M::kNone);
        REQUIRE(m.key_at(s) == ids[k]);
        m.erase(s);
        ref.erase(ids[k]);
        REQUIRE(m.find(ids[k]) == M::kNone);
        ids[k] = ids.back();
        ids.pop_back();
      } else {
        m.clear();
        ref.clear();
        ids.clear();
      }
      if (step % 997 == 0) check_against(m, ref);
    }
    check_against(m, ref);
  };
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    { auto m = std::make_unique<IdMap<int32_t, 512, SequentialFirstBucket>>(); run(*m, seed); }
    { auto m = std::make_unique<IdMap<int32_t, 512, MixedFirstBucket>>(); run(*m, seed); }
    { auto m = std::make_unique<IdMap<int32_t, 64, SequentialFirstBucket>>(); run(*m, seed); }
  }
}

TEST_CASE("ids chosen to share both buckets: 24 fit, the next overflows and is counted") {
  using M = IdMap<int32_t, 1024>;
  auto m = std::make_unique<M>();
  const std::vector<int64_t> ids = colliding_ids<1024>(26, 1);
  const int kFit = 2 * M::kWays + M::kVictims;
  for (int i = 0; i < kFit; ++i) {
    REQUIRE(m->has_room(ids[i]));
    REQUIRE(m->insert(ids[i], i) != M::kNone);
  }
  CHECK(m->in_victim_area() == M::kVictims);
  CHECK_FALSE(m->has_room(ids[kFit]));
  CHECK(m->insert(ids[kFit], kFit) == M::kNone);
  CHECK(m->overflows() == 1);
  CHECK(m->size() == kFit);
  CHECK(m->has_room(12345));  // other buckets are unaffected
  for (int i = 0; i < kFit; ++i) REQUIRE(m->value_or(ids[i], -1) == i);
  // freeing a way pulls a victim back into it; the victim area then has room again
  m->erase(m->find(ids[0]));
  CHECK(m->in_victim_area() == M::kVictims - 1);
  REQUIRE(m->insert(ids[kFit], kFit) != M::kNone);
  CHECK(m->in_victim_area() == M::kVictims);
  for (int i = 1; i <= kFit; ++i) REQUIRE(m->value_or(ids[i], -1) == i);
  // erase_if through the victim area and the ways that pull victims back
  const int32_t removed = m->erase_if([](int64_t, const int32_t& v) { return v % 2 == 0; });
  CHECK(removed == kFit / 2);
  for (int i = 1; i <= kFit; ++i) CHECK((m->find(ids[i]) != M::kNone) == (i % 2 == 1));
  CHECK(m->in_victim_area() == 0);  // 12 ids left: all back in their two buckets
  m->clear();
  CHECK(m->in_victim_area() == 0);
  for (int i = 0; i < kFit; ++i) REQUIRE(m->insert(ids[i], i) != M::kNone);
}

TEST_CASE("a capacity of at most 8 fits whatever the ids (one bucket per table)") {
  using M = IdMap<int32_t, 8>;
  auto m = std::make_unique<M>();
  const std::vector<int64_t> ids = colliding_ids<8>(8, 99);  // every id collides here
  for (int i = 0; i < 8; ++i) REQUIRE(m->insert(ids[i], i) != M::kNone);
  CHECK(m->full());
  CHECK(m->overflows() == 0);
}

TEST_CASE("all-zero memory is the empty map (the card's power-up state; Vitis runs no constructor)") {
  using M = IdMap<int32_t, 64>;
  static_assert(std::is_trivially_copyable<M>::value, "the map is plain memory");
  auto m = std::make_unique<M>();
  for (int i = 0; i < 64; ++i) REQUIRE(m->insert(i - 1, i) != M::kNone);  // keys -1, 0, 1, ...
  std::memset((void*)m.get(), 0, sizeof(M));
  CHECK(m->size() == 0);
  CHECK(m->in_victim_area() == 0);
  CHECK(m->overflows() == 0);
  for (int64_t k : {int64_t{0}, int64_t{-1}, int64_t{1}, INT64_MIN}) CHECK(m->find(k) == M::kNone);
  int visited = 0;
  m->for_each([&](int64_t, const int32_t&) { ++visited; });
  CHECK(visited == 0);
  REQUIRE(m->insert(0, 5) != M::kNone);
  CHECK(m->value_or(0, -1) == 5);
  m->clear();
  CHECK(m->find(0) == M::kNone);
}

TEST_CASE("IdMapView on caller buckets behaves as IdMap of the same capacity, slot for slot") {
  using M = IdMap<int32_t, 100>;
  using V = IdMapView<int32_t>;
  auto fixed = std::make_unique<M>();
  std::vector<V::Bucket> storage(V::buckets_for(100));
  V view(storage.data(), 100);
  CHECK(view.capacity() == 100);
  std::mt19937_64 rng(11);
  std::vector<int64_t> ids;
  for (int step = 0; step < 100000; ++step) {
    if (rng() % 2 == 0) {
      const int64_t id = (int64_t)(rng() % 5000);
      REQUIRE(fixed->find(id) == view.find(id));
      if (fixed->find(id) != M::kNone) continue;
      const int32_t s = fixed->insert(id, (int32_t)step);
      REQUIRE(view.insert(id, (int32_t)step) == s);
      if (s != M::kNone) ids.push_back(id);
    } else if (!ids.empty()) {
      const size_t k = rng() % ids.size();
      const int32_t s = fixed->find(ids[k]);
      REQUIRE(view.find(ids[k]) == s);
      fixed->erase(s);
      view.erase(s);
      ids[k] = ids.back();
      ids.pop_back();
    }
    REQUIRE(fixed->size() == view.size());
  }
  V moved = std::move(view);
  for (int64_t id : ids) REQUIRE(moved.find(id) == fixed->find(id));
}
