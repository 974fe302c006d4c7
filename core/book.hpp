// The order book of one instrument, built from normalized market events (core/events.hpp):
// L3 (every resting order by id) in, L2 (price levels with aggregate quantity and order count),
// best bid/offer, mid and impact prices out. Header-only C++17 in synthesizable style: fixed-size
// arrays sized by template parameters, no heap, no exceptions, no virtuals, fixed loop bounds.
// Formulas, rounding and the snapshot convention: docs/formulas.md.
//
// Events (apply()):
//   order_put      add, or replace (new side/price/qty) when the id already rests; side from the event
//   order_delete   remove; an unknown id is counted (unknown_order) and changes nothing
//   trade          reduces whichever of buy_order_id / sell_order_id rests (both if both do) by the
//                  traded quantity, removing an order at zero; neither resting = unknown_order
//   snapshot_start clears the book and expects instrument.order_count snapshot orders
//   snapshot_order adds one order; its side is inferred (below)
//   snapshot_end   completes the snapshot: the book is trusted again if the count matched and
//                  nothing overflowed
//   others         ignored (the book has nothing to do with them)
//
// Snapshot side convention. OrderSnapshot (template 120) carries no side. The exchange sends an
// instrument's bids first, best to worst (descending price), then its asks, best to worst
// (ascending price): the real capture (TECZ21, tests/captures) shows 32.70, 32.69, 32.56, then
// 32.71. So snapshot orders are bids until the first STRICT price increase, and asks from there on
// (equal prices stay on the current side: orders of one level arrive together). One ambiguity is
// left: with an empty bid side, the first ask level looks like a bid level (nothing precedes it to
// rise from), so its orders are taken as bids until the next, higher ask level; with a single ask
// level and no bids, all asks are taken as bids. The feed gives no way to tell; the next order_put
// for such an order carries its true side and moves it. A price DROP after the switch breaks the
// convention: it is counted (snapshot_misorder) and the book is not trusted until the next snapshot.
//
// Errors never crash and are never silent: each is returned by the call, counted, and those that
// leave the book unlike the exchange's (capacity exceeded, invalid event, snapshot count mismatch,
// misordered snapshot) make trusted() false until the next complete snapshot. An unknown order id
// on delete/trade and a trade for more than the resting quantity are counted only.
#pragma once
#include <cstdint>

#include "core/events.hpp"
#include "core/fixed_point.hpp"
#include "core/impact_price.hpp"
#include "core/id_map.hpp"

namespace pw {

enum class BookError : uint8_t {
  ok = 0,
  unknown_order = 1,      // delete/trade for an id that does not rest (counted, book unchanged)
  order_capacity = 2,     // more than kMaxOrders resting orders (book untrusted)
  level_capacity = 3,     // more than kMaxLevels price levels on a side (book untrusted)
  invalid_event = 4,      // null id/price, quantity ≤ 0, side not ±1 (book untrusted)
  trade_overfill = 5,     // trade larger than the resting quantity: the order is removed (counted)
  snapshot_count = 6,     // snapshot_end after a different number of orders than announced (untrusted)
  snapshot_misorder = 7,  // snapshot prices break the bids-then-asks convention (untrusted)
  snapshot_stray = 8,     // snapshot_order/snapshot_end without snapshot_start (untrusted)
  unsynced = 9,           // marked by the feed session (sequence gap) until the next snapshot
};

inline const char* book_error_name(BookError e) {
  switch (e) {
    case BookError::ok: return "ok";
    case BookError::unknown_order: return "unknown_order";
    case BookError::order_capacity: return "order_capacity";
    case BookError::level_capacity: return "level_capacity";
    case BookError::invalid_event: return "invalid_event";
    case BookError::trade_overfill: return "trade_overfill";
    case BookError::snapshot_count: return "snapshot_count";
    case BookError::snapshot_misorder: return "snapshot_misorder";
    case BookError::snapshot_stray: return "snapshot_stray";
    case BookError::unsynced: return "unsynced";
  }
  return "unknown";
}

struct BookCounters {
  uint64_t events = 0;             // events applied (all types passed to apply())
  uint64_t adds = 0;
  uint64_t replaces = 0;
  uint64_t deletes = 0;
  uint64_t trades = 0;             // trade events that reduced at least one resting order
  uint64_t snapshots = 0;          // snapshot_end that made the book trusted
  uint64_t unknown_order = 0;
  uint64_t order_capacity = 0;
  uint64_t level_capacity = 0;
  uint64_t invalid_event = 0;
  uint64_t trade_overfill = 0;
  uint64_t snapshot_count = 0;
  uint64_t snapshot_misorder = 0;
  uint64_t snapshot_stray = 0;
};

// One price level, L2: price, aggregate resting quantity, number of orders.
struct BookLevel {
  int64_t price;  // ×1e-9, kNullI64 when there is no such level
  int64_t qty;    // contracts
  int32_t count;  // orders
};

constexpr int8_t kBid = 1;
constexpr int8_t kAsk = -1;

// A resting order, the value of the book's order index (id → order).
struct RestingOrder {
  int64_t price;  // ×1e-9
  int32_t qty;    // contracts, > 0
  int8_t side;    // 1 bid, -1 ask
};

template <int kMaxOrders, int kMaxLevels>
class Book {
  static_assert(kMaxLevels >= 1 && kMaxLevels <= (1 << 20), "level capacity out of range");

 public:
  static constexpr int kOrderCapacity = kMaxOrders;
  static constexpr int kLevelCapacity = kMaxLevels;

  Book() { reset(); }

  // Empties the book, counters kept. A fresh book is trusted (a channel seen from its beginning).
  void reset() {
    orders_.clear();
    n_[0] = n_[1] = 0;
    broken_ = BookError::ok;
    in_snapshot_ = false;
  }

  // ------------------------------------------------------------------------------------------
  // Events

  BookError apply(const MarketEvent& e) {
    ++c_.events;
    switch ((EventType)e.type) {
      case EventType::order_put: return put(e.order.order_id, e.side, e.order.price, e.order.quantity);
      case EventType::order_delete: return remove(e.order.order_id);
      case EventType::trade: return trade(e.trade.buy_order_id, e.trade.sell_order_id, e.trade.quantity);
      case EventType::snapshot_start: return snapshot_begin(e.instrument.order_count);
      case EventType::snapshot_order: return snapshot_add(e.order.order_id, e.side, e.order.price, e.order.quantity);
      case EventType::snapshot_end: return snapshot_finish();
      default: return BookError::ok;
    }
  }

  // Add, or replace when `id` rests (side, price and quantity all taken from the call).
  BookError put(int64_t id, int8_t side, int64_t price, int32_t qty) {
    if (id == kNullI64 || price == kNullI64 || qty <= 0 || (side != kBid && side != kAsk)) return fail(BookError::invalid_event);
    int slot = orders_.find(id);
    if (slot != Index::kNone) {
      RestingOrder& o = orders_.at(slot);
      ++c_.replaces;
      if (o.side == side && o.price == price) {
        level_qty_[sx(side)][find_level(sx(side), key_of(side, price))] += (int64_t)qty - o.qty;
        o.qty = qty;
        return BookError::ok;
      }
      level_remove(o.side, o.price, o.qty);
      if (!level_add(side, price, qty)) {
        orders_.erase(slot);  // no level for it: drop the order so levels and orders stay consistent
        return fail(BookError::level_capacity);
      }
      o.side = side;
      o.price = price;
      o.qty = qty;
      return BookError::ok;
    }
    if (!orders_.has_room(id)) return fail(BookError::order_capacity);  // full (or its buckets are: core/id_map.hpp)
    if (!level_add(side, price, qty)) return fail(BookError::level_capacity);
    orders_.insert(id, RestingOrder{price, qty, side});
    ++c_.adds;
    return BookError::ok;
  }

  BookError remove(int64_t id) {
    int slot = id == kNullI64 ? Index::kNone : orders_.find(id);
    if (slot == Index::kNone) {
      ++c_.unknown_order;
      return BookError::unknown_order;
    }
    const RestingOrder& o = orders_.at(slot);
    level_remove(o.side, o.price, o.qty);
    orders_.erase(slot);
    ++c_.deletes;
    return BookError::ok;
  }

  BookError trade(int64_t buy_id, int64_t sell_id, int32_t qty) {
    if (qty <= 0) return fail(BookError::invalid_event);
    bool any = false, overfill = false;
    const int64_t ids[2] = {buy_id, sell_id};
    for (int k = 0; k < 2; ++k) {
      if (ids[k] == kNullI64 || (k == 1 && ids[1] == ids[0])) continue;
      int slot = orders_.find(ids[k]);
      if (slot == Index::kNone) continue;
      any = true;
      RestingOrder& o = orders_.at(slot);
      if (qty >= o.qty) {
        overfill = overfill || qty > o.qty;
        level_remove(o.side, o.price, o.qty);
        orders_.erase(slot);
      } else {
        level_qty_[sx(o.side)][find_level(sx(o.side), key_of(o.side, o.price))] -= qty;
        o.qty -= qty;
      }
    }
    if (!any) {
      ++c_.unknown_order;
      return BookError::unknown_order;
    }
    ++c_.trades;
    if (overfill) {
      ++c_.trade_overfill;
      return BookError::trade_overfill;
    }
    return BookError::ok;
  }

  BookError snapshot_begin(int32_t expected_orders) {
    reset();
    in_snapshot_ = true;
    snap_expected_ = expected_orders;
    snap_received_ = 0;
    snap_side_ = kBid;
    snap_last_price_ = kNullI64;
    return BookError::ok;
  }

  // `side` 0 = infer (the feed's case); ±1 is taken as given (a future layout that carries it).
  BookError snapshot_add(int64_t id, int8_t side, int64_t price, int32_t qty) {
    if (!in_snapshot_) return fail(BookError::snapshot_stray);
    ++snap_received_;
    if (side == 0 && price != kNullI64) {
      if (snap_side_ == kBid && snap_last_price_ != kNullI64 && price > snap_last_price_) snap_side_ = kAsk;
      else if (snap_side_ == kAsk && price < snap_last_price_) {
        snap_last_price_ = price;
        return fail(BookError::snapshot_misorder);
      }
      snap_last_price_ = price;
      side = snap_side_;
    }
    return put(id, side, price, qty);
  }

  BookError snapshot_finish() {
    if (!in_snapshot_) return fail(BookError::snapshot_stray);
    in_snapshot_ = false;
    if (snap_received_ != snap_expected_) return fail(BookError::snapshot_count);
    if (broken_ == BookError::ok) ++c_.snapshots;
    return BookError::ok;
  }

  // The feed session lost data for this instrument: untrusted until the next snapshot (the first
  // reason is kept when the book was already untrusted).
  void mark_unsynced() {
    if (broken_ == BookError::ok) broken_ = BookError::unsynced;
  }

  // ------------------------------------------------------------------------------------------
  // State

  // True when the book matches the exchange's as far as it can tell: no capacity overflow, no
  // invalid or misordered event, no gap reported, and not in the middle of a snapshot.
  bool trusted() const { return broken_ == BookError::ok && !in_snapshot_; }
  bool overflowed() const { return broken_ == BookError::order_capacity || broken_ == BookError::level_capacity; }
  bool in_snapshot() const { return in_snapshot_; }
  // First error that made the book untrusted since the last snapshot (ok when trusted).
  BookError broken_reason() const { return broken_; }
  const BookCounters& counters() const { return c_; }
  int order_count() const { return orders_.size(); }
  int level_count(int8_t side) const { return n_[sx(side)]; }

  // Resting order by id (nullptr when unknown).
  const RestingOrder* order(int64_t id) const {
    int slot = id == kNullI64 ? Index::kNone : orders_.find(id);
    return slot == Index::kNone ? nullptr : &orders_.at(slot);
  }

  // ------------------------------------------------------------------------------------------
  // Queries

  // Level `depth` (0 = best) of a side; price kNullI64 (qty 0, count 0) past the last level.
  BookLevel level(int8_t side, int depth) const {
    const int s = sx(side);
    if (depth < 0 || depth >= n_[s]) return BookLevel{kNullI64, 0, 0};
    const int i = n_[s] - 1 - depth;
    return BookLevel{price_of(side, key_[s][i]), level_qty_[s][i], level_cnt_[s][i]};
  }
  BookLevel best_bid() const { return level(kBid, 0); }
  BookLevel best_ask() const { return level(kAsk, 0); }

  // (best bid + best ask) / 2 rounded half away from zero (div_round); null if a side is empty.
  int64_t mid() const {
    if (n_[0] == 0 || n_[1] == 0) return kNullI64;
    return div_round(price_of(kBid, key_[0][n_[0] - 1]) + price_of(kAsk, key_[1][n_[1] - 1]), 2);
  }

  // Copies up to max_levels levels of a side, best first; returns how many.
  int top_levels(int8_t side, BookLevel* out, int max_levels) const {
    const int s = sx(side);
    int n = 0;
    for (int d = 0; d < kMaxLevels; ++d) {
      if (d >= max_levels || d >= n_[s]) break;
      const int i = n_[s] - 1 - d;
      out[n++] = BookLevel{price_of(side, key_[s][i]), level_qty_[s][i], level_cnt_[s][i]};
    }
    return n;
  }

  // Average fill price of selling `notional` (quote ×1e-9) into the bids, rounded down;
  // kNullI64 when the bids cannot fill it. Contract size ×1e-9 (use kPriceScale when prices are
  // quoted per contract). See core/impact_price.hpp.
  int64_t impact_bid(int64_t notional, int64_t contract_size) const { return impact(kBid, notional, contract_size); }
  // Average fill price of buying `notional` from the asks, rounded up; kNullI64 when it cannot fill.
  int64_t impact_ask(int64_t notional, int64_t contract_size) const { return impact(kAsk, notional, contract_size); }

  int64_t impact(int8_t side, int64_t notional, int64_t contract_size) const {
    ImpactWalk w;
    w.init(side == kBid ? 1 : -1, notional, contract_size);
    const int s = sx(side);
    for (int d = 0; d < kMaxLevels; ++d) {
      if (d >= n_[s]) break;
      const int i = n_[s] - 1 - d;
      if (w.add_level(price_of(side, key_[s][i]), level_qty_[s][i])) break;
    }
    return w.result();
  }

 private:
  using Index = IdMap<RestingOrder, kMaxOrders>;

  // Levels of a side sit in ascending key order, best LAST (most updates happen near the top, so
  // inserts and removals there shift few entries). key = price for bids, −price for asks.
  static constexpr int sx(int8_t side) { return side == kBid ? 0 : 1; }
  static constexpr int64_t key_of(int8_t side, int64_t price) { return side == kBid ? price : -price; }
  static constexpr int64_t price_of(int8_t side, int64_t key) { return side == kBid ? key : -key; }
  static constexpr int kSearchSteps = detail::log2_exact(detail::pow2_at_least(kMaxLevels)) + 1;

  // First index whose key is ≥ key (n when none): scan the best 4 levels first, then bisect.
  int lower_bound(int s, int64_t key) const {
    const int n = n_[s];
    int hi = n;
    for (int k = 0; k < 4; ++k) {
      if (hi == 0 || key_[s][hi - 1] < key) return hi;
      --hi;
    }
    int lo = 0;
    for (int step = 0; step < kSearchSteps; ++step) {
      if (lo >= hi) break;
      int m = (lo + hi) >> 1;
      if (key_[s][m] < key) lo = m + 1;
      else hi = m;
    }
    return lo;
  }
  // Index of an existing level (the caller knows it exists).
  int find_level(int s, int64_t key) const { return lower_bound(s, key); }

  bool level_add(int8_t side, int64_t price, int32_t qty) {
    const int s = sx(side);
    const int64_t key = key_of(side, price);
    const int pos = lower_bound(s, key);
    if (pos < n_[s] && key_[s][pos] == key) {
      level_qty_[s][pos] += qty;
      ++level_cnt_[s][pos];
      return true;
    }
    if (n_[s] >= kMaxLevels) return false;
    for (int k = 0; k < kMaxLevels; ++k) {  // shift [pos, n) up by one, from the top end
      const int i = n_[s] - k;
      if (i <= pos || i <= 0) break;  // (pos ≥ 0 always; the second test is for the compiler)
      key_[s][i] = key_[s][i - 1];
      level_qty_[s][i] = level_qty_[s][i - 1];
      level_cnt_[s][i] = level_cnt_[s][i - 1];
    }
    key_[s][pos] = key;
    level_qty_[s][pos] = qty;
    level_cnt_[s][pos] = 1;
    ++n_[s];
    return true;
  }

  void level_remove(int8_t side, int64_t price, int32_t qty) {
    const int s = sx(side);
    const int pos = find_level(s, key_of(side, price));
    level_qty_[s][pos] -= qty;
    if (--level_cnt_[s][pos] > 0) return;
    for (int k = 0; k < kMaxLevels; ++k) {  // shift (pos, n) down by one
      const int i = pos + k;
      if (i >= n_[s] - 1) break;
      key_[s][i] = key_[s][i + 1];
      level_qty_[s][i] = level_qty_[s][i + 1];
      level_cnt_[s][i] = level_cnt_[s][i + 1];
    }
    --n_[s];
  }

  BookError fail(BookError e) {
    switch (e) {
      case BookError::order_capacity: ++c_.order_capacity; break;
      case BookError::level_capacity: ++c_.level_capacity; break;
      case BookError::invalid_event: ++c_.invalid_event; break;
      case BookError::snapshot_count: ++c_.snapshot_count; break;
      case BookError::snapshot_misorder: ++c_.snapshot_misorder; break;
      case BookError::snapshot_stray: ++c_.snapshot_stray; break;
      default: break;
    }
    if (broken_ == BookError::ok) broken_ = e;
    return e;
  }

  Index orders_;
  int64_t key_[2][kMaxLevels];
  int64_t level_qty_[2][kMaxLevels];
  int32_t level_cnt_[2][kMaxLevels];
  int32_t n_[2];
  BookCounters c_;
  BookError broken_ = BookError::ok;
  bool in_snapshot_ = false;
  int8_t snap_side_ = kBid;
  int32_t snap_expected_ = 0;
  int32_t snap_received_ = 0;
  int64_t snap_last_price_ = kNullI64;
};

}  // namespace pw
