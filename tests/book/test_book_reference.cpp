// Property test: core/book.hpp against the reference book (tests/book/book_reference.hpp) on long
// random sequences of adds, replaces (price, quantity and side), deletes (known and unknown),
// trades (partial, full, overfilled, both sides resting, none resting), snapshots (good, wrong
// count, misordered, stray messages, empty sides), invalid events, reported gaps and capacity
// overflows. After every event: trust state, counters, order count, every level of both sides,
// best bid/offer, mid and impact prices at several notionals; every order by id now and then.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/book.hpp"
#include "tests/book/book_reference.hpp"

namespace {

using namespace pw;
using namespace pw::test;

// Under AddressSanitizer (a Debug build, every step compared in full) the sequences are shorter:
// the same paths, a fraction of the steps, so the sanitizer run stays within CI's budget.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kStepDivisor = 4;
#else
constexpr int kStepDivisor = 1;
#endif

struct Config {
  int64_t tick;            // ×1e-9
  int64_t center_ticks;    // bids below, asks above (the generated book never crosses)
  int depth_ticks;         // prices spread over this many ticks per side
  int target_orders;       // the generator keeps the exchange's book around this size
  int max_qty;
  int64_t contract_size;   // ×1e-9
  std::vector<int64_t> notionals;
  int steps;
  int drift_every = 0;     // the market moves one tick up every this many steps (0: never)
};

// The exchange: the true book, unlimited, which generates the events.
struct Exchange {
  std::unordered_map<int64_t, RefBook::Order> orders;
  std::vector<int64_t> ids;
  std::unordered_map<int64_t, size_t> pos;
  int64_t next_id = 1000;

  void add(int64_t id, const RefBook::Order& o) {
    orders[id] = o;
    pos[id] = ids.size();
    ids.push_back(id);
  }
  void erase(int64_t id) {
    orders.erase(id);
    size_t i = pos[id];
    pos[ids.back()] = i;
    ids[i] = ids.back();
    ids.pop_back();
    pos.erase(id);
  }
  int64_t pick(std::mt19937_64& rng) const { return ids[rng() % ids.size()]; }
  int64_t pick_side(std::mt19937_64& rng, int8_t side) const {
    for (int k = 0; k < 20 && !ids.empty(); ++k) {
      int64_t id = pick(rng);
      if (orders.at(id).side == side) return id;
    }
    return kNullI64;
  }
};

// Fails with the first difference found (plain comparisons: millions of them per run).
#define EXPECT_EQ(a, b)                                                                    \
  do {                                                                                     \
    const auto va_ = (a);                                                                  \
    const auto vb_ = (b);                                                                  \
    if (!(va_ == vb_)) {                                                                   \
      FAIL(#a << " = " << va_ << ", reference " << #b << " = " << vb_ << " " << where);   \
    }                                                                                      \
  } while (0)

template <class B>
void compare(const B& book, const RefBook& ref, const Config& cfg, bool full_scan) {
  std::string where;
  EXPECT_EQ(book.trusted(), ref.trusted());
  EXPECT_EQ(std::string(book_error_name(book.broken_reason())), std::string(book_error_name(ref.broken)));
  EXPECT_EQ(book.in_snapshot(), ref.in_snapshot);
  EXPECT_EQ(book.order_count(), (int)ref.orders.size());
  const BookCounters& a = book.counters();
  const BookCounters& b = ref.c;
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.adds, b.adds);
  EXPECT_EQ(a.replaces, b.replaces);
  EXPECT_EQ(a.deletes, b.deletes);
  EXPECT_EQ(a.trades, b.trades);
  EXPECT_EQ(a.snapshots, b.snapshots);
  EXPECT_EQ(a.unknown_order, b.unknown_order);
  EXPECT_EQ(a.order_capacity, b.order_capacity);
  EXPECT_EQ(a.level_capacity, b.level_capacity);
  EXPECT_EQ(a.invalid_event, b.invalid_event);
  EXPECT_EQ(a.trade_overfill, b.trade_overfill);
  EXPECT_EQ(a.snapshot_count, b.snapshot_count);
  EXPECT_EQ(a.snapshot_misorder, b.snapshot_misorder);
  EXPECT_EQ(a.snapshot_stray, b.snapshot_stray);

  static BookLevel buf[B::kLevelCapacity];
  for (int8_t side : {kBid, kAsk}) {
    where = "side " + std::to_string(side);
    const std::vector<BookLevel> want = ref.levels(side);
    EXPECT_EQ(book.level_count(side), (int)want.size());
    const int n = book.top_levels(side, buf, B::kLevelCapacity);
    EXPECT_EQ(n, (int)want.size());
    for (int i = 0; i < n; ++i) {
      if (buf[i].price != want[i].price || buf[i].qty != want[i].qty || buf[i].count != want[i].count) {
        where += " depth " + std::to_string(i);
        EXPECT_EQ(buf[i].price, want[i].price);
        EXPECT_EQ(buf[i].qty, want[i].qty);
        EXPECT_EQ(buf[i].count, want[i].count);
      }
    }
    // top-N with a smaller N, and the level() accessor past the end
    EXPECT_EQ(book.top_levels(side, buf, 3), std::min(3, (int)want.size()));
    EXPECT_EQ(book.level(side, (int)want.size()).price, kNullI64);
    const BookLevel best = side == kBid ? book.best_bid() : book.best_ask();
    EXPECT_EQ(best.price, (want.empty() ? kNullI64 : want[0].price));
    EXPECT_EQ(best.qty, (want.empty() ? 0 : want[0].qty));
    for (int64_t notional : cfg.notionals) {
      where = "impact side " + std::to_string(side) + " notional " + std::to_string(notional);
      EXPECT_EQ(book.impact(side, notional, cfg.contract_size), ref.impact(side, notional, cfg.contract_size));
    }
  }
  where.clear();
  const auto bl = ref.levels(kBid), al = ref.levels(kAsk);
  const int64_t mid = bl.empty() || al.empty() ? kNullI64 : div_round(bl[0].price + al[0].price, 2);
  EXPECT_EQ(book.mid(), mid);
  if (full_scan) {
    for (const auto& [id, o] : ref.orders) {
      where = "order " + std::to_string(id);
      const RestingOrder* r = book.order(id);
      EXPECT_EQ(r != nullptr, true);
      EXPECT_EQ((int)r->side, (int)o.side);
      EXPECT_EQ(r->price, o.price);
      EXPECT_EQ(r->qty, o.qty);
    }
  }
}

uint64_t g_recentres = 0;  // window re-basings over the runs of a test case

// The book's tick by seed: none (every level outside the window), the prices' tick (the window
// holds what it covers), twice the prices' tick (half the prices off the grid: both places
// interleaved) switched to the prices' tick half-way (the window emptied and refilled).
template <int kOrders, int kLevels, int kWindow = 64>
void run(const Config& cfg, uint64_t seed, uint64_t& overflow_runs) {
  std::mt19937_64 rng(seed * 7919 + 17);
  auto book = std::make_unique<Book<kOrders, kLevels, kWindow>>();
  const int tick_mode = (int)(seed % 3);
  if (tick_mode == 1) book->set_tick(cfg.tick);
  if (tick_mode == 2) book->set_tick(2 * cfg.tick);
  int step = 0;
  RefBook ref(kOrders, kLevels);
  Exchange ex;
  bool overflowed = false;
  auto rnd = [&](int n) { return (int)(rng() % (uint64_t)n); };
  auto price_for = [&](int8_t side) {
    const int64_t off = 1 + rnd(cfg.depth_ticks);
    const int64_t center = cfg.center_ticks + (cfg.drift_every ? step / cfg.drift_every : 0);
    return (center + (side == kBid ? -off : off)) * cfg.tick;
  };
  auto send = [&](const MarketEvent& e) {
    const BookError got = book->apply(e);
    const BookError want = ref.apply(e);
    if (got != want) FAIL("event answer " << book_error_name(got) << ", reference " << book_error_name(want));
  };

  for (step = 0; step < cfg.steps / kStepDivisor; ++step) {
    INFO("seed " << seed << " step " << step);
    if (tick_mode == 2 && step == cfg.steps / kStepDivisor / 2) book->set_tick(cfg.tick);
    const int r = rnd(1000);
    const bool grow = (int)ex.ids.size() < cfg.target_orders;
    if (ex.ids.empty() || r < 330 || (r >= 950 && grow)) {
      const int8_t side = rnd(2) ? kBid : kAsk;
      const int64_t id = ex.next_id++;
      const RefBook::Order o{side, price_for(side), 1 + rnd(cfg.max_qty)};
      ex.add(id, o);
      send(ev_put(id, side, o.price, o.qty));
    } else if (r < 530) {  // replace
      const int64_t id = ex.pick(rng);
      RefBook::Order o = ex.orders[id];
      const int v = rnd(10);
      if (v < 4) {
        o.qty = 1 + rnd(cfg.max_qty);
      } else if (v < 9) {
        o.price = price_for(o.side);
        if (rnd(2)) o.qty = 1 + rnd(cfg.max_qty);
      } else {
        o.side = (int8_t)-o.side;
        o.price = price_for(o.side);
      }
      ex.orders[id] = o;
      send(ev_put(id, o.side, o.price, o.qty));
    } else if (r < 730 || (r >= 950 && !grow)) {  // delete
      if (rnd(20) == 0) {
        send(ev_delete(ex.next_id + 1000000 + rnd(1000)));
      } else {
        const int64_t id = ex.pick(rng);
        ex.erase(id);
        send(ev_delete(id));
      }
    } else if (r < 880) {  // trade
      const int v = rnd(20);
      if (v == 0) {  // neither resting
        send(ev_trade(ex.next_id + 2000000, ex.next_id + 2000001, cfg.center_ticks * cfg.tick, 1 + rnd(5)));
      } else if (v == 1) {  // both resting
        const int64_t b = ex.pick_side(rng, kBid), a = ex.pick_side(rng, kAsk);
        if (b == kNullI64 || a == kNullI64) continue;
        const int32_t q = 1 + rnd(std::min(ex.orders[b].qty, ex.orders[a].qty) + 2);
        for (int64_t id : {b, a}) {
          if (q >= ex.orders[id].qty) ex.erase(id);
          else ex.orders[id].qty -= q;
        }
        send(ev_trade(b, a, cfg.center_ticks * cfg.tick, q));
      } else {
        const int64_t id = ex.pick(rng);
        RefBook::Order& o = ex.orders[id];
        const int32_t q = v == 2 ? o.qty + 1 + rnd(5) : 1 + rnd(o.qty);
        const int64_t aggressor = ex.next_id++;
        const int64_t buy = o.side == kBid ? id : aggressor, sell = o.side == kBid ? aggressor : id;
        const int64_t px = o.price;
        if (q >= o.qty) ex.erase(id);
        else o.qty -= q;
        send(ev_trade(buy, sell, px, q));
      }
    } else if (r < 895) {  // snapshot of the exchange's book
      std::vector<std::pair<int64_t, RefBook::Order>> bids, asks;
      for (const auto& [id, o] : ex.orders) (o.side == kBid ? bids : asks).emplace_back(id, o);
      std::sort(bids.begin(), bids.end(), [](auto& x, auto& y) { return x.second.price != y.second.price ? x.second.price > y.second.price : x.first < y.first; });
      std::sort(asks.begin(), asks.end(), [](auto& x, auto& y) { return x.second.price != y.second.price ? x.second.price < y.second.price : x.first < y.first; });
      const int v = rnd(20);
      if (v == 0 && asks.size() >= 2 && asks.front().second.price != asks.back().second.price) std::swap(asks.front(), asks.back());
      int32_t count = (int32_t)(bids.size() + asks.size());
      if (v == 1) count += 1 + rnd(3);
      send(ev_snapshot_start(count));
      compare(*book, ref, cfg, false);
      for (const auto* side : {&bids, &asks})
        for (const auto& [id, o] : *side) {
          send(ev_snapshot_order(id, o.price, o.qty));
          compare(*book, ref, cfg, false);
        }
      if (v != 2) send(ev_snapshot_end());  // v == 2: the end is lost; the next snapshot recovers
      // The exchange's truth after the empty-bid ambiguity: orders the convention took as bids
      // get their true side back with the next put for them (the generator just carries on).
    } else if (r < 910) {  // invalid events
      const int v = rnd(4);
      if (v == 0) send(ev_put(ex.next_id++, kBid, cfg.center_ticks * cfg.tick, 0));
      else if (v == 1) send(ev_put(ex.next_id++, 0, cfg.center_ticks * cfg.tick, 5));
      else if (v == 2) send(ev_put(ex.next_id++, kAsk, kNullI64, 5));
      else send(ev_trade(ex.ids.empty() ? 1 : ex.pick(rng), kNullI64, cfg.center_ticks * cfg.tick, 0));
    } else if (r < 915) {  // stray snapshot messages
      if (rnd(2)) send(ev_snapshot_order(ex.next_id++, cfg.center_ticks * cfg.tick, 3));
      else send(ev_snapshot_end());
    } else if (r < 920) {  // a gap reported by the feed session
      book->mark_unsynced();
      ref.mark_unsynced();
    } else {
      const int8_t side = rnd(2) ? kBid : kAsk;
      const int64_t id = ex.next_id++;
      const RefBook::Order o{side, price_for(side), 1 + rnd(cfg.max_qty)};
      ex.add(id, o);
      send(ev_put(id, side, o.price, o.qty));
    }
    overflowed = overflowed || book->overflowed();
    if (book->overflowed() && book->trusted()) FAIL("overflowed but trusted");
    compare(*book, ref, cfg, step % 97 == 0);
  }
  if (overflowed) ++overflow_runs;
  g_recentres += book->recentres();
}

}  // namespace

TEST_CASE("book = reference: small capacities, frequent overflow") {
  const Config cfg{5 * kPriceScale, 19000, 24, 70, 40, 10000000, {usd(500), usd(20000), usd(300000)}, 2500};
  uint64_t overflow_runs = 0;
  for (uint64_t seed = 1; seed <= 120; ++seed) run<64, 16>(cfg, seed, overflow_runs);
  CHECK(overflow_runs > 100);  // the capacity paths were exercised
}

TEST_CASE("book = reference: realistic depth") {
  const Config cfg{5 * kPriceScale, 19000, 180, 500, 60, 10000000, {usd(1000), usd(50000), usd(1000000), usd(5000000)}, 8000};
  uint64_t overflow_runs = 0;
  for (uint64_t seed = 1; seed <= 16; ++seed) run<2048, 256>(cfg, seed, overflow_runs);
  CHECK(overflow_runs == 0);
}

TEST_CASE("book = reference: a moving market (the window re-based, levels moving in and out)") {
  const Config cfg{5 * kPriceScale, 19000, 60, 300, 60, 10000000, {usd(1000), usd(50000), usd(1000000)}, 8000, 20};
  uint64_t overflow_runs = 0;
  g_recentres = 0;
  for (uint64_t seed = 1; seed <= 9; ++seed) run<1024, 256>(cfg, seed, overflow_runs);
  CHECK(g_recentres > 50);  // the window followed the market
}

TEST_CASE("book = reference: large prices and notionals (192-bit impact division)") {
  // $2,000,000 prices, 1 unit per contract, notionals up to $3e9: T·p passes 2^127.
  const Config cfg{kPriceScale / 2, 4000000, 60, 150, 5000, kPriceScale, {usd(1000000), usd(500000000), usd(3000000000)}, 3000};
  uint64_t overflow_runs = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) run<256, 64>(cfg, seed, overflow_runs);
}

TEST_CASE("book = reference: per-contract prices below one dollar") {
  // Kalshi-style: $0.53 per contract, 1 cent ticks, contract size 1 (prices already per contract).
  const Config cfg{kPriceScale / 100, 53, 40, 120, 300, kPriceScale, {usd(10), usd(500), usd(5000)}, 3000};
  uint64_t overflow_runs = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) run<512, 64>(cfg, seed, overflow_runs);
}
