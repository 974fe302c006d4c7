// A straightforward reference order book (std::map per side, unordered_map of orders) with the
// same documented policy as core/book.hpp (capacities, errors, snapshot side convention), and an
// impact price checked with exact 256-bit products instead of the book's division.
#pragma once
#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

#include "core/book.hpp"

namespace pw::test {

// ---------------------------------------------------------------------------------------------
// 256-bit unsigned products, for exact comparisons of a·b with c·d.
struct U256 {
  uint64_t w[4] = {0, 0, 0, 0};  // little-endian limbs
};
inline U256 mul_u128(unsigned __int128 a, unsigned __int128 b) {
  const uint64_t x[2] = {(uint64_t)a, (uint64_t)(a >> 64)};
  const uint64_t y[2] = {(uint64_t)b, (uint64_t)(b >> 64)};
  U256 r;
  for (int i = 0; i < 2; ++i) {
    unsigned __int128 carry = 0;
    for (int j = 0; j < 2; ++j) {
      unsigned __int128 t = (unsigned __int128)x[i] * y[j] + r.w[i + j] + carry;
      r.w[i + j] = (uint64_t)t;
      carry = t >> 64;
    }
    for (int k = i + 2; k < 4 && carry != 0; ++k) {
      unsigned __int128 t = (unsigned __int128)r.w[k] + carry;
      r.w[k] = (uint64_t)t;
      carry = t >> 64;
    }
  }
  return r;
}
inline int cmp(const U256& a, const U256& b) {
  for (int i = 3; i >= 0; --i) {
    if (a.w[i] != b.w[i]) return a.w[i] < b.w[i] ? -1 : 1;
  }
  return 0;
}

// Exact impact price of a list of (price, qty) levels, best first: ⌊T·p/D⌋ for the bid side,
// ⌈T·p/D⌉ for the ask side (see core/impact_price.hpp), found from a floating estimate corrected
// with exact 256-bit comparisons. kNullI64 when the levels cannot fill the notional.
inline int64_t reference_impact(const std::vector<std::pair<int64_t, int64_t>>& levels, int8_t side, int64_t notional,
                                int64_t cs) {
  using i128 = __int128;
  using u128 = unsigned __int128;
  if (notional <= 0 || cs <= 0) return kNullI64;
  const i128 target = (i128)notional * 1000000000;
  i128 filled = 0, base = 0;
  for (const auto& [p, q] : levels) {
    if (p <= 0 || q <= 0) return kNullI64;
    const i128 bq = (i128)q * cs;
    // (all test values keep p·q·cs far below 2^127)
    const i128 l = bq * p;
    if (filled + l >= target) {
      const i128 rest = target - filled;
      const i128 den = base * p + rest;
      const long double est = (long double)target * (long double)p / (long double)den;
      int64_t q0 = (int64_t)est - 2;
      if (q0 < 0) q0 = 0;
      const U256 num = mul_u128((u128)target, (u128)p);
      // Smallest q with (q+1)·D > T·p is the floor.
      int64_t fl = q0;
      for (int k = 0; k < 8; ++k) {
        if (cmp(mul_u128((u128)(fl + 1), (u128)den), num) > 0) break;
        ++fl;
      }
      const bool exact = cmp(mul_u128((u128)fl, (u128)den), num) == 0;
      return side == kBid || exact ? fl : fl + 1;
    }
    filled += l;
    base += bq;
  }
  return kNullI64;
}

// ---------------------------------------------------------------------------------------------
// The reference book.
class RefBook {
 public:
  struct Order {
    int8_t side;
    int64_t price;
    int32_t qty;
  };
  struct Lvl {
    int64_t qty = 0;
    int32_t count = 0;
  };

  RefBook(int max_orders, int max_levels) : max_orders_(max_orders), max_levels_(max_levels) {}

  BookError apply(const MarketEvent& e) {
    ++c.events;
    switch ((EventType)e.type) {
      case EventType::order_put: return put(e.order.order_id, e.side, e.order.price, e.order.quantity);
      case EventType::order_delete: return remove(e.order.order_id);
      case EventType::trade: return trade(e.trade.buy_order_id, e.trade.sell_order_id, e.trade.quantity);
      case EventType::snapshot_start:
        orders.clear();
        bids.clear();
        asks.clear();
        broken = BookError::ok;
        in_snapshot = true;
        expected = e.instrument.order_count;
        received = 0;
        snap_side = kBid;
        snap_last = kNullI64;
        return BookError::ok;
      case EventType::snapshot_order: {
        if (!in_snapshot) return fail(BookError::snapshot_stray);
        ++received;
        int8_t side = e.side;
        const int64_t price = e.order.price;
        if (side == 0 && price != kNullI64) {
          if (snap_side == kBid && snap_last != kNullI64 && price > snap_last) {
            snap_side = kAsk;
          } else if (snap_side == kAsk && price < snap_last) {
            snap_last = price;
            return fail(BookError::snapshot_misorder);
          }
          snap_last = price;
          side = snap_side;
        }
        return put(e.order.order_id, side, price, e.order.quantity);
      }
      case EventType::snapshot_end:
        if (!in_snapshot) return fail(BookError::snapshot_stray);
        in_snapshot = false;
        if (received != expected) return fail(BookError::snapshot_count);
        if (broken == BookError::ok) ++c.snapshots;
        return BookError::ok;
      default: return BookError::ok;
    }
  }

  void mark_unsynced() {
    if (broken == BookError::ok) broken = BookError::unsynced;
  }

  BookError put(int64_t id, int8_t side, int64_t price, int32_t qty) {
    if (id == kNullI64 || price == kNullI64 || qty <= 0 || (side != kBid && side != kAsk)) return fail(BookError::invalid_event);
    auto it = orders.find(id);
    if (it != orders.end()) {
      ++c.replaces;
      Order& o = it->second;
      level_sub(o.side, o.price, o.qty);
      if (!level_can_take(side, price)) {
        orders.erase(it);
        return fail(BookError::level_capacity);
      }
      level_add(side, price, qty);
      o = Order{side, price, qty};
      return BookError::ok;
    }
    if ((int)orders.size() >= max_orders_) return fail(BookError::order_capacity);
    if (!level_can_take(side, price)) return fail(BookError::level_capacity);
    level_add(side, price, qty);
    orders[id] = Order{side, price, qty};
    ++c.adds;
    return BookError::ok;
  }

  BookError remove(int64_t id) {
    auto it = orders.find(id);
    if (it == orders.end()) {
      ++c.unknown_order;
      return BookError::unknown_order;
    }
    level_sub(it->second.side, it->second.price, it->second.qty);
    orders.erase(it);
    ++c.deletes;
    return BookError::ok;
  }

  BookError trade(int64_t buy, int64_t sell, int32_t qty) {
    if (qty <= 0) return fail(BookError::invalid_event);
    bool any = false, over = false;
    std::vector<int64_t> ids = {buy};
    if (sell != buy) ids.push_back(sell);
    for (int64_t id : ids) {
      auto it = orders.find(id);
      if (id == kNullI64 || it == orders.end()) continue;
      any = true;
      Order& o = it->second;
      const int32_t take = qty < o.qty ? qty : o.qty;
      over = over || qty > o.qty;
      level_sub(o.side, o.price, take, take == o.qty);
      o.qty -= take;
      if (o.qty == 0) orders.erase(it);
    }
    if (!any) {
      ++c.unknown_order;
      return BookError::unknown_order;
    }
    ++c.trades;
    if (over) {
      ++c.trade_overfill;
      return BookError::trade_overfill;
    }
    return BookError::ok;
  }

  bool trusted() const { return broken == BookError::ok && !in_snapshot; }

  // Levels best first.
  std::vector<BookLevel> levels(int8_t side) const {
    std::vector<BookLevel> out;
    if (side == kBid) {
      for (auto it = bids.rbegin(); it != bids.rend(); ++it) out.push_back(BookLevel{it->first, it->second.qty, it->second.count});
    } else {
      for (const auto& [p, l] : asks) out.push_back(BookLevel{p, l.qty, l.count});
    }
    return out;
  }
  int64_t impact(int8_t side, int64_t notional, int64_t cs) const {
    std::vector<std::pair<int64_t, int64_t>> lv;
    for (const BookLevel& l : levels(side)) lv.emplace_back(l.price, l.qty);
    return reference_impact(lv, side, notional, cs);
  }

  std::unordered_map<int64_t, Order> orders;
  std::map<int64_t, Lvl> bids, asks;  // by price ascending
  BookCounters c;
  BookError broken = BookError::ok;
  bool in_snapshot = false;

 private:
  std::map<int64_t, Lvl>& side_map(int8_t side) { return side == kBid ? bids : asks; }
  bool level_can_take(int8_t side, int64_t price) {
    auto& m = side_map(side);
    return m.count(price) != 0 || (int)m.size() < max_levels_;
  }
  void level_add(int8_t side, int64_t price, int32_t qty) {
    Lvl& l = side_map(side)[price];
    l.qty += qty;
    ++l.count;
  }
  void level_sub(int8_t side, int64_t price, int32_t qty, bool order_leaves = true) {
    auto& m = side_map(side);
    Lvl& l = m.at(price);
    l.qty -= qty;
    if (order_leaves && --l.count == 0) m.erase(price);
  }
  BookError fail(BookError e) {
    switch (e) {
      case BookError::order_capacity: ++c.order_capacity; break;
      case BookError::level_capacity: ++c.level_capacity; break;
      case BookError::invalid_event: ++c.invalid_event; break;
      case BookError::snapshot_count: ++c.snapshot_count; break;
      case BookError::snapshot_misorder: ++c.snapshot_misorder; break;
      case BookError::snapshot_stray: ++c.snapshot_stray; break;
      default: break;
    }
    if (broken == BookError::ok) broken = e;
    return e;
  }

  int max_orders_, max_levels_;
  int32_t expected = 0, received = 0;
  int8_t snap_side = kBid;
  int64_t snap_last = kNullI64;
};

// ---------------------------------------------------------------------------------------------
// Event builders.
inline MarketEvent ev_put(int64_t id, int8_t side, int64_t price, int32_t qty) {
  MarketEvent e;
  clear_event(e);
  e.type = (uint8_t)EventType::order_put;
  e.side = side;
  e.order.order_id = id;
  e.order.price = price;
  e.order.quantity = qty;
  return e;
}
inline MarketEvent ev_delete(int64_t id) {
  MarketEvent e;
  clear_event(e);
  e.type = (uint8_t)EventType::order_delete;
  e.order.order_id = id;
  e.order.price = kNullI64;
  e.order.quantity = kNullI32;
  return e;
}
inline MarketEvent ev_trade(int64_t buy, int64_t sell, int64_t price, int32_t qty) {
  MarketEvent e;
  clear_event(e);
  e.type = (uint8_t)EventType::trade;
  e.trade.buy_order_id = buy;
  e.trade.sell_order_id = sell;
  e.trade.price = price;
  e.trade.old_price = kNullI64;
  e.trade.quantity = qty;
  return e;
}
inline MarketEvent ev_snapshot_start(int32_t order_count) {
  MarketEvent e;
  clear_event(e);
  e.type = (uint8_t)EventType::snapshot_start;
  e.instrument.order_count = order_count;
  e.instrument.contract_size = kNullI64;
  e.instrument.limit_down = kNullI64;
  e.instrument.limit_up = kNullI64;
  return e;
}
inline MarketEvent ev_snapshot_order(int64_t id, int64_t price, int32_t qty) {
  MarketEvent e;
  clear_event(e);
  e.type = (uint8_t)EventType::snapshot_order;
  e.side = 0;
  e.order.order_id = id;
  e.order.price = price;
  e.order.quantity = qty;
  return e;
}
inline MarketEvent ev_snapshot_end() {
  MarketEvent e;
  clear_event(e);
  e.type = (uint8_t)EventType::snapshot_end;
  SnapshotEndPayload& s = e.snapshot_end;
  s.last_trade_price = s.limit_down = s.limit_up = s.futures_mark = s.spot_mark = kNullI64;
  s.predicted_funding_rate = s.final_funding_rate = s.final_funding_time = kNullI64;
  s.open_interest = kNullI32;
  return e;
}

constexpr int64_t usd(int64_t whole) { return whole * kPriceScale; }

}  // namespace pw::test
