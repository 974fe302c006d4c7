// core/level_events.hpp: a level-based feed (Kalshi's FIX market data) through the order book —
// level sizes set, changed and removed as synthetic orders, a full refresh with explicit sides,
// trades that name no order, and level ids distinct per (side, price).
#include <doctest/doctest.h>

#include <memory>

#include "core/book.hpp"
#include "core/level_events.hpp"

using namespace pw;

namespace {

using LevelBook = Book<256, 64>;
constexpr int64_t kTick = 100000;  // 0.0001 per contract
int64_t px(int64_t ticks) { return ticks * kTick; }

BookError update(LevelBook& b, int8_t side, int64_t price, int32_t qty) {
  MarketEvent e;
  level_update(e, 1, 1, 1000, side, price, qty);
  return b.apply(e);
}

}  // namespace

TEST_CASE("level ids: distinct per side and price, only for prices a level can carry") {
  CHECK(level_order_id(kBid, px(95000)) != level_order_id(kAsk, px(95000)));
  CHECK(level_order_id(kBid, px(95000)) != level_order_id(kBid, px(95001)));
  CHECK(level_order_id(kAsk, px(95000)) != level_order_id(kBid, px(95001)));
  CHECK(level_price_ok(1));
  CHECK_FALSE(level_price_ok(0));
  CHECK_FALSE(level_price_ok(-5));
  CHECK_FALSE(level_price_ok((int64_t)1 << 61));
}

TEST_CASE("level updates set, change and remove aggregate sizes; a trade naming no order leaves the book") {
  auto b = std::make_unique<LevelBook>();
  b->set_tick(kTick);
  CHECK(update(*b, kBid, px(95000), 1037) == BookError::ok);  // 10.37 contracts in hundredths
  CHECK(update(*b, kBid, px(94990), 500) == BookError::ok);
  CHECK(update(*b, kAsk, px(95010), 250) == BookError::ok);
  CHECK(b->best_bid().price == px(95000));
  CHECK(b->best_bid().qty == 1037);
  CHECK(b->best_bid().count == 1);  // one "order" per level
  CHECK(update(*b, kBid, px(95000), 1500) == BookError::ok);  // change: the new size, not a delta
  CHECK(b->best_bid().qty == 1500);
  CHECK(b->level_count(kBid) == 2);
  CHECK(update(*b, kBid, px(95000), 0) == BookError::ok);     // removed
  CHECK(b->best_bid().price == px(94990));
  CHECK(b->level_count(kBid) == 1);

  MarketEvent t;
  level_trade(t, 1, 1, 2000, 1, px(95010), 100);
  CHECK(t.trade.buy_order_id == kNullI64);
  CHECK(b->apply(t) == BookError::ok);
  CHECK(b->best_ask().qty == 250);  // the level's own update says what the trade took
  CHECK(b->counters().unknown_order == 0);
  CHECK(b->trusted());
  // An order-based trade for orders that do not rest is still an unknown order.
  t.trade.buy_order_id = 12345;
  CHECK(b->apply(t) == BookError::unknown_order);
}

TEST_CASE("a full refresh of levels replaces the book, sides as given, and restores trust") {
  auto b = std::make_unique<LevelBook>();
  b->set_tick(kTick);
  update(*b, kBid, px(90000), 100);
  b->mark_unsynced();
  CHECK_FALSE(b->trusted());
  MarketEvent e;
  level_snapshot_begin(e, 1, 1, 5000, "KXBTCPERP", kTick, 100000, 3);
  CHECK(e.instrument.order_count == 3);
  CHECK(b->apply(e) == BookError::ok);
  // An empty bid side is no ambiguity here: every level carries its side.
  const int8_t sides[3] = {kAsk, kAsk, kAsk};
  const int64_t prices[3] = {px(95010), px(95020), px(95030)};
  for (int i = 0; i < 3; ++i) {
    level_snapshot_level(e, 1, 1, 5000, sides[i], prices[i], 100 * (i + 1));
    CHECK(b->apply(e) == BookError::ok);
  }
  level_snapshot_end(e, 1, 1, 5000);
  CHECK(b->apply(e) == BookError::ok);
  CHECK(b->trusted());
  CHECK(b->level_count(kBid) == 0);
  CHECK(b->level_count(kAsk) == 3);
  CHECK(b->best_ask().price == px(95010));
  CHECK(b->level(kAsk, 2).qty == 300);
}
