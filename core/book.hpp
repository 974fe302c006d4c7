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
//                  traded quantity, removing an order at zero; neither resting = unknown_order; both
//                  null = a level-based feed's trade (core/level_events.hpp): the book is unchanged
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

// Price levels (docs/hls.md, market_state). A side's levels live in one of two places:
//   the window   kWindowTicks levels indexed directly by their tick offset from base_ (the book's
//                tick, set_tick(), from the instrument definition), with a bit per level in an
//                occupancy bitmap (64-bit words + a summary word): the best level is a priority
//                encode of the bitmap, an update one indexed read-modify-write; no search
//   outside      every other level (off the tick grid, beyond the window, or no tick known): a
//                sorted array, best last, as small as the market's tails are
// Invariant: a level whose price has a window index is in the window, every other one outside.
// Every level of both places is exact (L2 is exact everywhere); queries merge the two in price
// order. The window is centred on the market: after a put, when the market's reference price
// (mid, or the best of the only side) leaves the middle of the window, the window is re-based on
// it and levels move between the two places (counted: recentres, a rare multi-cycle step).
// Capacities are as before: kMaxLevels levels per side in both places together.
constexpr int kBookWindowTicks = 1024;

template <int kMaxOrders, int kMaxLevels, int kWindowTicks = kBookWindowTicks>
class Book {
  static_assert(kMaxLevels >= 1 && kMaxLevels <= (1 << 20), "level capacity out of range");
  static_assert(kWindowTicks >= 64 && kWindowTicks <= 4096 && kWindowTicks % 64 == 0, "window: 64…4096 ticks, whole words");

 public:
  static constexpr int kOrderCapacity = kMaxOrders;
  static constexpr int kLevelCapacity = kMaxLevels;
  static constexpr int kWindow = kWindowTicks;
  static constexpr int kWords = kWindowTicks / 64;

  constexpr Book() {
    tick_ = 0;
    recentres_ = 0;
    reset();
  }

  // Empties the book, counters and tick kept. A fresh book is trusted (a channel seen from its
  // beginning). The window is re-based on the next market.
  constexpr void reset() {
    orders_.clear();
    n_[0] = n_[1] = 0;
    no_[0] = no_[1] = 0;
    for (int s = 0; s < 2; ++s) {
      summary_[s] = 0;
      for (int w = 0; w < kWords; ++w) bits_[s][w] = 0;
      wbest_[s] = kNoIndex;
    }
    anchored_ = false;
    broken_ = BookError::ok;
    in_snapshot_ = false;
  }

  // The instrument's tick (price ×1e-9; ≤ 0 or null: unknown, every level outside). A change
  // moves every window level outside; the window is re-based on the next put.
  void set_tick(int64_t tick) {
    if (tick == kNullI64 || tick <= 0 || tick > ((int64_t)1 << 40)) tick = 0;
    if (tick == tick_) return;
    move_window_out();
    tick_ = tick;
    recip_ = tick > 0 ? ~(uint64_t)0 / (uint64_t)tick : 0;  // configuration time, not per event
    span_ = (uint64_t)tick * (uint64_t)kWindowTicks;
  }
  int64_t tick() const { return tick_; }
  // Times the window was re-based (diagnostics, the HLS stall count).
  uint64_t recentres() const { return recentres_; }
  // Levels of a side held outside the window (counted, exact).
  int outside_levels(int8_t side) const { return no_[sx(side)]; }

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
        level_change(side, price, (int64_t)qty - o.qty);
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
      follow_market();
      return BookError::ok;
    }
    if (!orders_.has_room(id)) return fail(BookError::order_capacity);  // full (or its buckets are: core/id_map.hpp)
    if (!level_add(side, price, qty)) return fail(BookError::level_capacity);
    orders_.insert(id, RestingOrder{price, qty, side});
    ++c_.adds;
    follow_market();
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
    if (buy_id == kNullI64 && sell_id == kNullI64) return BookError::ok;  // its levels change by updates of their own
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
        level_change(o.side, o.price, -(int64_t)qty);
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
    Walk w = walk_begin(s);
    for (int d = 0; d < kMaxLevels; ++d) {
      if (d >= depth) break;
      walk_next(s, w);
    }
    return walk_level(s, w);
  }
  BookLevel best_bid() const { return best(0); }
  BookLevel best_ask() const { return best(1); }

  // (best bid + best ask) / 2 rounded half away from zero (div2_round); null if a side is empty.
  int64_t mid() const {
    if (n_[0] == 0 || n_[1] == 0) return kNullI64;
    return div2_round(best(0).price + best(1).price);
  }

  // Copies up to max_levels levels of a side, best first; returns how many.
  int top_levels(int8_t side, BookLevel* out, int max_levels) const {
    const int s = sx(side);
    int n = 0;
    Walk w = walk_begin(s);
    for (int d = 0; d < kMaxLevels; ++d) {
      if (d >= max_levels || d >= n_[s]) break;
      out[n++] = walk_level(s, w);
      walk_next(s, w);
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
    ImpactWalk iw;
    iw.init(side == kBid ? 1 : -1, notional, contract_size);
    const int s = sx(side);
    Walk w = walk_begin(s);
    for (int d = 0; d < kMaxLevels; ++d) {
      if (d >= n_[s]) break;
      const BookLevel l = walk_level(s, w);
      if (iw.add_level(l.price, l.qty)) break;
      walk_next(s, w);
    }
    return iw.result();
  }

 private:
  using Index = IdMap<RestingOrder, kMaxOrders, id_map_detail::SequentialFirstBucket>;  // exchange order ids rise

  // key = price for bids, −price for asks: a higher key is a better level on either side.
  static constexpr int sx(int8_t side) { return side == kBid ? 0 : 1; }
  static constexpr int8_t side_of(int s) { return s == 0 ? kBid : kAsk; }
  static constexpr int64_t key_of(int8_t side, int64_t price) { return side == kBid ? price : -price; }
  static constexpr int64_t price_of(int8_t side, int64_t key) { return side == kBid ? key : -key; }
  static constexpr int kSearchSteps = detail::log2_exact(detail::pow2_at_least(kMaxLevels)) + 1;
  static constexpr int kNoIndex = -1;
  static constexpr int64_t kFarPrice = (int64_t)1 << 61;

  // ---- window: index of a price, occupancy bitmap and its priority encoders

  // Window index of `price`, or kNoIndex (not on the grid, outside the window, no tick). A
  // multiplication by the tick's reciprocal and one correction step: no division per event.
  int win_index(int64_t price) const {
    if (!anchored_ || price < base_) return kNoIndex;
    const uint64_t off = (uint64_t)price - (uint64_t)base_;
    if (off >= span_) return kNoIndex;
    uint64_t q = (uint64_t)(((unsigned __int128)off * recip_) >> 64);  // q or q − 1 (off < 2^52)
    uint64_t r = off - q * (uint64_t)tick_;
    if (r >= (uint64_t)tick_) {
      ++q;
      r -= (uint64_t)tick_;
    }
    return r == 0 ? (int)q : kNoIndex;
  }
  int64_t win_price(int i) const { return base_ + (int64_t)i * tick_; }

  // The occupancy bits keep wbest_ equal to the priority encode of the side (win_best): a level
  // set better than it becomes it, and clearing it encodes the next one from there. The best is
  // read several times per event (the pre-event mid, the recentring check, the book-top record):
  // a register read instead of a chain of leading-zero counts (in HLS: the encoder runs only when
  // the best level empties).
  void bit_set(int s, int i) {
    bits_[s][i >> 6] |= (uint64_t)1 << (i & 63);
    summary_[s] |= (uint64_t)1 << (i >> 6);
    if (wbest_[s] == kNoIndex || (s == 0 ? i > wbest_[s] : i < wbest_[s])) wbest_[s] = i;
  }
  void bit_clear(int s, int i) {
    uint64_t& w = bits_[s][i >> 6];
    w &= ~((uint64_t)1 << (i & 63));
    if (w == 0) summary_[s] &= ~((uint64_t)1 << (i >> 6));
    if (i == wbest_[s]) wbest_[s] = win_after(s, i);
  }
  bool bit_test(int s, int i) const { return (bits_[s][i >> 6] >> (i & 63)) & 1u; }

  // Highest occupied index ≤ i (bids walk down), or kNoIndex.
  int highest_at_or_below(int s, int i) const {
    if (i < 0) return kNoIndex;
    const int wd = i >> 6;
    const uint64_t m = (i & 63) == 63 ? ~(uint64_t)0 : (((uint64_t)1 << ((i & 63) + 1)) - 1);
    const uint64_t here = bits_[s][wd] & m;
    if (here) return (wd << 6) + 63 - __builtin_clzll(here);
    const uint64_t below = summary_[s] & (((uint64_t)1 << wd) - 1);
    if (!below) return kNoIndex;
    const int w2 = 63 - __builtin_clzll(below);
    return (w2 << 6) + 63 - __builtin_clzll(bits_[s][w2]);
  }
  // Lowest occupied index ≥ i (asks walk up), or kNoIndex.
  int lowest_at_or_above(int s, int i) const {
    if (i >= kWindowTicks) return kNoIndex;
    const int wd = i >> 6;
    const uint64_t here = bits_[s][wd] & (~(uint64_t)0 << (i & 63));
    if (here) return (wd << 6) + __builtin_ctzll(here);
    const uint64_t above = wd + 1 >= 64 ? 0 : summary_[s] & (~(uint64_t)0 << (wd + 1));
    if (!above) return kNoIndex;
    const int w2 = __builtin_ctzll(above);
    return (w2 << 6) + __builtin_ctzll(bits_[s][w2]);
  }
  // The best window index of a side (bids: highest price, asks: lowest), or kNoIndex: the
  // priority encode of its bitmap (highest_at_or_below(0, kWindowTicks − 1) for bids,
  // lowest_at_or_above(1, 0) for asks), kept in wbest_ by bit_set / bit_clear.
  int win_best(int s) const { return wbest_[s]; }
  int win_after(int s, int i) const { return s == 0 ? highest_at_or_below(0, i - 1) : lowest_at_or_above(1, i + 1); }

  // ---- merged walk of a side, best first: window index wi and outside position oi

  struct Walk {
    int wi;  // current window index (kNoIndex: window exhausted)
    int oi;  // next outside position, counting down from the best (−1: exhausted)
  };
  Walk walk_begin(int s) const { return Walk{win_best(s), no_[s] - 1}; }
  // True when the walk's current level is the window's (its key is the higher of the two heads).
  bool walk_in_window(int s, const Walk& w) const {
    if (w.wi == kNoIndex) return false;
    if (w.oi < 0) return true;
    return key_of(side_of(s), win_price(w.wi)) > key_[s][w.oi];
  }
  BookLevel walk_level(int s, const Walk& w) const {
    if (walk_in_window(s, w)) return BookLevel{win_price(w.wi), wq_[s][w.wi], wc_[s][w.wi]};
    if (w.oi < 0) return BookLevel{kNullI64, 0, 0};
    return BookLevel{price_of(side_of(s), key_[s][w.oi]), level_qty_[s][w.oi], level_cnt_[s][w.oi]};
  }
  void walk_next(int s, Walk& w) const {
    if (walk_in_window(s, w)) w.wi = win_after(s, w.wi);
    else --w.oi;
  }
  BookLevel best(int s) const { return walk_level(s, walk_begin(s)); }

  // ---- outside: sorted array, ascending key, best last (most updates happen near the top)

  // First index whose key is ≥ key (n when none): scan the best 4 levels first, then bisect.
  int lower_bound(int s, int64_t key) const {
    const int n = no_[s];
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

  // Inserts a level that is not outside yet at its place (the caller has checked the capacity).
  void outside_insert(int s, int64_t key, int64_t qty, int32_t cnt) {
    const int pos = lower_bound(s, key);
    for (int k = 0; k < kMaxLevels; ++k) {  // shift [pos, n) up by one, from the top end
      const int i = no_[s] - k;
      if (i <= pos || i <= 0) break;  // (pos ≥ 0 always; the second test is for the compiler)
      key_[s][i] = key_[s][i - 1];
      level_qty_[s][i] = level_qty_[s][i - 1];
      level_cnt_[s][i] = level_cnt_[s][i - 1];
    }
    key_[s][pos] = key;
    level_qty_[s][pos] = qty;
    level_cnt_[s][pos] = cnt;
    ++no_[s];
  }
  void outside_erase(int s, int pos) {
    for (int k = 0; k < kMaxLevels; ++k) {  // shift (pos, n) down by one
      const int i = pos + k;
      if (i >= no_[s] - 1) break;
      key_[s][i] = key_[s][i + 1];
      level_qty_[s][i] = level_qty_[s][i + 1];
      level_cnt_[s][i] = level_cnt_[s][i + 1];
    }
    --no_[s];
  }

  // ---- levels (window or outside by the invariant)

  bool level_add(int8_t side, int64_t price, int32_t qty) {
    const int s = sx(side);
    const int w = win_index(price);
    if (w != kNoIndex) {
      if (bit_test(s, w)) {
        wq_[s][w] += qty;
        ++wc_[s][w];
        return true;
      }
      if (n_[s] >= kMaxLevels) return false;
      wq_[s][w] = qty;
      wc_[s][w] = 1;
      bit_set(s, w);
      ++n_[s];
      return true;
    }
    const int64_t key = key_of(side, price);
    const int pos = lower_bound(s, key);
    if (pos < no_[s] && key_[s][pos] == key) {
      level_qty_[s][pos] += qty;
      ++level_cnt_[s][pos];
      return true;
    }
    if (n_[s] >= kMaxLevels) return false;
    outside_insert(s, key, qty, 1);
    ++n_[s];
    return true;
  }

  // Quantity change of an existing level (the caller knows it exists).
  void level_change(int8_t side, int64_t price, int64_t delta) {
    const int s = sx(side);
    const int w = win_index(price);
    if (w != kNoIndex) wq_[s][w] += delta;
    else level_qty_[s][lower_bound(s, key_of(side, price))] += delta;
  }

  void level_remove(int8_t side, int64_t price, int32_t qty) {
    const int s = sx(side);
    const int w = win_index(price);
    if (w != kNoIndex) {
      wq_[s][w] -= qty;
      if (--wc_[s][w] > 0) return;
      bit_clear(s, w);
      --n_[s];
      return;
    }
    const int pos = lower_bound(s, key_of(side, price));
    level_qty_[s][pos] -= qty;
    if (--level_cnt_[s][pos] > 0) return;
    outside_erase(s, pos);
    --n_[s];
  }

  // ---- recentring

  // After a put: when the market's reference price has left the middle half of the window (or
  // the window has no base yet), re-base the window on it. O(1) when nothing moves.
  void follow_market() {
    if (tick_ == 0) return;
    const bool b = n_[0] > 0, a = n_[1] > 0;
    if (!b && !a) return;
    const int64_t bp = b ? best(0).price : 0, ap = a ? best(1).price : 0;
    const int64_t ref = b && a ? (int64_t)(((__int128)bp + ap) >> 1) : b ? bp : ap;
    if (anchored_ && ref >= guard_lo_ && ref < guard_hi_) return;
    if (ref > kFarPrice || ref < -kFarPrice) return;  // no base near the int64 range's ends
    rebase(ref);
  }

  // Moves every window level outside (the window empty afterwards, and without a base).
  void move_window_out() {
    if (!anchored_) return;
    for (int s = 0; s < 2; ++s) {
      for (int k = 0; k < kWindowTicks; ++k) {
        const int i = win_best(s);
        if (i == kNoIndex) break;
        outside_insert(s, key_of(side_of(s), win_price(i)), wq_[s][i], wc_[s][i]);
        bit_clear(s, i);
      }
    }
    anchored_ = false;
  }

  // The window's base so that `ref` sits in its middle, on the tick grid (a division: a rare step,
  // not per event); then every outside level the window now covers moves in.
  void rebase(int64_t ref) {
    move_window_out();
    ++recentres_;
    const int64_t half = (int64_t)(kWindowTicks / 2) * tick_;
    const int64_t grid = div_floor(ref, tick_) * tick_;
    base_ = grid - half;
    guard_lo_ = base_ + half / 2;
    guard_hi_ = base_ + half + half / 2;
    anchored_ = true;
    for (int s = 0; s < 2; ++s) {
      int j = 0;
      for (int i = 0; i < kMaxLevels; ++i) {
        if (i >= no_[s]) break;
        const int w = win_index(price_of(side_of(s), key_[s][i]));
        if (w != kNoIndex) {
          wq_[s][w] = level_qty_[s][i];
          wc_[s][w] = level_cnt_[s][i];
          bit_set(s, w);
        } else {
          key_[s][j] = key_[s][i];
          level_qty_[s][j] = level_qty_[s][i];
          level_cnt_[s][j] = level_cnt_[s][i];
          ++j;
        }
      }
      no_[s] = j;
    }
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

  Index orders_{};
  // Window: quantity and order count by tick offset, valid where the occupancy bit is set.
  int64_t wq_[2][kWindowTicks]{};
  int32_t wc_[2][kWindowTicks]{};
  uint64_t bits_[2][kWords]{};
  uint64_t summary_[2]{};  // bit w: bits_[s][w] ≠ 0
  int32_t wbest_[2]{};     // win_best(s), kept by bit_set / bit_clear
  // Outside: sorted levels.
  int64_t key_[2][kMaxLevels]{};
  int64_t level_qty_[2][kMaxLevels]{};
  int32_t level_cnt_[2][kMaxLevels]{};
  int32_t no_[2]{};  // outside levels
  int32_t n_[2]{};   // all levels (the capacity counts these)
  int64_t tick_{};
  uint64_t recip_{};  // ⌊(2^64 − 1) / tick⌋
  uint64_t span_{};   // tick × kWindowTicks
  int64_t base_{};    // price of window index 0
  int64_t guard_lo_ = 0, guard_hi_ = 0;  // the middle half: a reference price outside it re-bases
  bool anchored_{};
  uint64_t recentres_{};
  BookCounters c_{};
  BookError broken_ = BookError::ok;
  bool in_snapshot_ = false;
  int8_t snap_side_ = kBid;
  int32_t snap_expected_ = 0;
  int32_t snap_received_ = 0;
  int64_t snap_last_price_ = kNullI64;
};

}  // namespace pw
