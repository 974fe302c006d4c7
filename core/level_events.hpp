// Level-based feeds (Kalshi's FIX market data: price levels with aggregate sizes, no orders) as
// the event contract's order events, so the one order book (core/book.hpp) and market state serve
// both kinds of feed. Each price level of a side is one resting "order" whose id is derived from
// (side, price): setting a level's size is an order_put of that id (a replace when it rests), a
// size of 0 an order_delete; a full refresh is snapshot_start (order_count = levels), one
// snapshot_order per level with its side given, snapshot_end. Trades name no order
// (buy_order_id = sell_order_id = null): the book leaves them alone (the level changes they cause
// arrive as level updates) and the mark takes their price. Header-only C++17.
#pragma once
#include <cstdint>
#include <cstring>

#include "core/book.hpp"
#include "core/events.hpp"
#include "core/fixed_point.hpp"

namespace pw {

// Prices a level id can carry: positive and below 2^61 (×1e-9: 2.3 billion per contract).
inline bool level_price_ok(int64_t price) { return price > 0 && price < ((int64_t)1 << 61); }

// The id of the level (side, price): price × 2, + 1 on the ask side. Distinct per (side, price).
inline int64_t level_order_id(int8_t side, int64_t price) { return price * 2 + (side == kAsk ? 1 : 0); }

// An event of `instrument` stamped with `time` (transact and sending time: the feed gives one).
inline void level_event_begin(MarketEvent& e, EventType type, int32_t instrument, uint16_t channel, int64_t time) {
  clear_event(e);
  e.type = (uint8_t)type;
  e.instrument_id = instrument;
  e.channel_id = channel;
  e.sending_time = time;
  e.transact_time = time;
}

// A level's new aggregate size (0: the level is gone).
inline void level_update(MarketEvent& e, int32_t instrument, uint16_t channel, int64_t time, int8_t side, int64_t price,
                         int32_t qty) {
  level_event_begin(e, qty > 0 ? EventType::order_put : EventType::order_delete, instrument, channel, time);
  e.side = side;
  e.order.order_id = level_order_id(side, price);
  e.order.price = qty > 0 ? price : kNullI64;
  e.order.quantity = qty > 0 ? qty : kNullI32;
}

// A full refresh: begin (the definition the slot keeps: symbol, tick, contract size), `levels`
// level events, end.
inline void level_snapshot_begin(MarketEvent& e, int32_t instrument, uint16_t channel, int64_t time, const char* symbol,
                                 int64_t tick, int64_t contract_size, int32_t levels) {
  level_event_begin(e, EventType::snapshot_start, instrument, channel, time);
  e.packet_flags = kPacketSnapshot;
  InstrumentPayload& d = e.instrument;
  if (symbol != nullptr) std::strncpy(d.symbol, symbol, sizeof d.symbol - 1);
  d.tick_size = tick;
  d.contract_size = contract_size;
  d.limit_down = d.limit_up = d.settlement_price = kNullI64;
  d.order_count = levels;
  d.trading_status = 1;  // open: a market with a book (the feed carries no status here)
}
inline void level_snapshot_level(MarketEvent& e, int32_t instrument, uint16_t channel, int64_t time, int8_t side,
                                 int64_t price, int32_t qty) {
  level_event_begin(e, EventType::snapshot_order, instrument, channel, time);
  e.packet_flags = kPacketSnapshot;
  e.side = side;
  e.order.order_id = level_order_id(side, price);
  e.order.price = price;
  e.order.quantity = qty;
}
inline void level_snapshot_end(MarketEvent& e, int32_t instrument, uint16_t channel, int64_t time) {
  level_event_begin(e, EventType::snapshot_end, instrument, channel, time);
  e.packet_flags = kPacketSnapshot;
  SnapshotEndPayload& x = e.snapshot_end;
  x.last_trade_price = x.limit_down = x.limit_up = x.futures_mark = x.spot_mark = kNullI64;
  x.predicted_funding_rate = x.final_funding_rate = x.final_funding_time = kNullI64;
  x.open_interest = kNullI32;
}

// A trade at `price` for `qty`; `aggressor` 1 buy, −1 sell, 0 unknown.
inline void level_trade(MarketEvent& e, int32_t instrument, uint16_t channel, int64_t time, int8_t aggressor, int64_t price,
                        int32_t qty) {
  level_event_begin(e, EventType::trade, instrument, channel, time);
  e.side = aggressor;
  e.trade.match_id = kNullI64;
  e.trade.buy_order_id = e.trade.sell_order_id = kNullI64;
  e.trade.price = price;
  e.trade.old_price = kNullI64;
  e.trade.quantity = qty;
}

}  // namespace pw
