// Turns one decoded market-data message into the fixed-size MarketEvent of core/events.hpp.
// Every field is named through PW_FIELD (core/sbe_schema.hpp): its offset and size come from the
// layout tables (core/md_schema.hpp) at compile time, a name the layout lacks does not compile,
// and each read is as wide as its field. Trailing fields that an older sender did not include
// read as null.
#pragma once
#include "core/events.hpp"
#include "core/md_decode.hpp"

namespace pw {
namespace md {

namespace detail {

constexpr int64_t kQuantity8ToE9 = 10;  // Quantity8 (×1e-8) → ×1e-9

// Copies the NUL-padded text field F of the message into a NUL-padded record field. A text that
// fills the field on the wire (24 characters of a char24 symbol) fills the record field too: no
// terminator is added.
template <typename F>
inline void copy_text(char* dst, size_t cap, const Message& m) {
  size_t n = 0;
  for (; n < F::size && n < cap && (uint32_t)F::offset + n < m.block_length; ++n) {
    char c = (char)m.body[F::offset + n];
    if (c == 0) break;
    dst[n] = c;
  }
  for (; n < cap; ++n) dst[n] = 0;
}

// The InstrHeader that opens the body of every incremental template.
template <const TemplateDef& T>
inline void fill_instr_header(const uint8_t* b, MarketEvent& e) {
  e.side = load_field<int8_t, PW_FIELD(T, instrument_side)>(b);
  e.instrument_id = load_field<int32_t, PW_FIELD(T, instrument_id)>(b);
  e.instr_seq_num = load_field<uint32_t, PW_FIELD(T, instr_seq_num)>(b);
  e.transact_time = load_field<int64_t, PW_FIELD(T, transact_time)>(b);
}

// The daily price band of layouts that carry one.
template <const TemplateDef& T>
inline void read_limits(const uint8_t* b, int64_t& limit_down, int64_t& limit_up) {
  limit_down = load_field<int64_t, PW_FIELD(T, limit_down_price)>(b);
  limit_up = load_field<int64_t, PW_FIELD(T, limit_up_price)>(b);
}

// Contract size: the v1.9 Quantity8 value when sent (not null), else the v1.2 whole-unit value.
inline int64_t contract_size_e9(int64_t q8, int32_t q0) {
  if (q8 != kNullI64) {
    // A value that cannot be expressed ×1e-9 is no contract size: report it as absent.
    if (q8 > INT64_MAX / kQuantity8ToE9 || q8 < INT64_MIN / kQuantity8ToE9) return kNullI64;
    return q8 * kQuantity8ToE9;
  }
  return q0 == kNullI32 ? kNullI64 : (int64_t)q0 * kPriceScale;  // |int32| × 1e9 fits in int64
}

// Layouts with both contract-size fields (outright definitions and snapshots).
template <const TemplateDef& T>
inline int64_t contract_size_e9(const Message& m) {
  return contract_size_e9(read_or_null<PW_FIELD(T, contract_size)>(m, kNullI64),
                          read_or_null<PW_FIELD(T, old_contract_size)>(m, kNullI32));
}

// Layouts with only the v1.2 whole-unit field (spreads).
template <const TemplateDef& T>
inline int64_t old_contract_size_e9(const Message& m) {
  return contract_size_e9(kNullI64, read_or_null<PW_FIELD(T, old_contract_size)>(m, kNullI32));
}

template <const TemplateDef& T>
inline void fill_definition(const Message& m, MarketEvent& e, InstrumentKind kind) {
  InstrumentPayload& d = e.instrument;
  fill_instr_header<T>(m.body, e);
  copy_text<PW_FIELD(T, symbol)>(d.symbol, sizeof d.symbol, m);
  d.kind = (uint8_t)kind;
  d.trading_status = load_field<uint8_t, PW_FIELD(T, trading_status)>(m.body);
  d.product_id = load_field<int32_t, PW_FIELD(T, product_id)>(m.body);
  d.settlement_price = load_field<int64_t, PW_FIELD(T, settlement_price)>(m.body);
  d.limit_down = kNullI64;
  d.limit_up = kNullI64;
  d.funding_interval_minutes = 0;
  d.order_count = 0;
}

// The three order ids of a trade, an amend and a bust.
template <const TemplateDef& T>
inline void fill_trade_ids(const uint8_t* b, TradePayload& t) {
  t.match_id = load_field<int64_t, PW_FIELD(T, match_id)>(b);
  t.buy_order_id = load_field<int64_t, PW_FIELD(T, buy_order_id)>(b);
  t.sell_order_id = load_field<int64_t, PW_FIELD(T, sell_order_id)>(b);
}

// Product, resting-order count and status of a StartOf*InstrumentSnapshot.
template <const TemplateDef& T>
inline void fill_snapshot_product(const uint8_t* b, InstrumentPayload& d) {
  d.product_id = load_field<int32_t, PW_FIELD(T, product_id)>(b);
  d.order_count = load_field<int32_t, PW_FIELD(T, order_count)>(b);
  d.trading_status = load_field<uint8_t, PW_FIELD(T, trading_status)>(b);
}

}  // namespace detail

// Fills `e` from the message. Returns false for messages that carry no market event (a
// RetransmitRequest is a client message and never belongs on the feed).
inline bool normalize(const PacketHeader& ph, const Message& m, MarketEvent& e) {
  using namespace detail;
  clear_event(e);
  e.packet_flags = ph.packet_flags;
  e.msg_index = m.index;
  e.channel_id = ph.channel_id;
  e.template_id = m.template_id;
  e.seq_num = ph.seq_num;
  e.sending_time = ph.sending_time;
  e.transact_time = kNullI64;
  const uint8_t* b = m.body;
  switch (m.template_id) {
    case kOutrightInstrumentDefinitionId: {
      constexpr const TemplateDef& T = kOutrightInstrumentDefinition;
      e.type = (uint8_t)EventType::instrument_definition;
      fill_definition<T>(m, e, InstrumentKind::outright);
      e.instrument.tick_size = load_field<int64_t, PW_FIELD(T, tick_size)>(b);
      read_limits<T>(b, e.instrument.limit_down, e.instrument.limit_up);
      e.instrument.contract_size = contract_size_e9<T>(m);
      e.instrument.funding_interval_minutes = read_or_null<PW_FIELD(T, funding_interval_minutes)>(m, (int32_t)0);
      return true;
    }
    case kSpreadInstrumentDefinitionId: {
      constexpr const TemplateDef& T = kSpreadInstrumentDefinition;
      e.type = (uint8_t)EventType::instrument_definition;
      fill_definition<T>(m, e, InstrumentKind::spread);
      e.instrument.tick_size = load_field<int64_t, PW_FIELD(T, tick_size)>(b);
      read_limits<T>(b, e.instrument.limit_down, e.instrument.limit_up);
      e.instrument.contract_size = old_contract_size_e9<T>(m);
      return true;
    }
    case kOptionInstrumentDefinitionId: {
      constexpr const TemplateDef& T = kOptionInstrumentDefinition;
      e.type = (uint8_t)EventType::instrument_definition;
      fill_definition<T>(m, e, InstrumentKind::option);
      e.instrument.tick_size = load_field<int64_t, PW_FIELD(T, small_tick)>(b);
      e.instrument.contract_size = kNullI64;
      return true;
    }
    case kTradingStatusUpdateId: {
      constexpr const TemplateDef& T = kTradingStatusUpdate;
      e.type = (uint8_t)EventType::trading_status;
      fill_instr_header<T>(b, e);
      read_limits<T>(b, e.status.limit_down, e.status.limit_up);
      e.status.trading_status = load_field<uint8_t, PW_FIELD(T, trading_status)>(b);
      return true;
    }
    case kOrderPutId: {
      constexpr const TemplateDef& T = kOrderPut;
      e.type = (uint8_t)EventType::order_put;
      fill_instr_header<T>(b, e);
      e.order.order_id = load_field<int64_t, PW_FIELD(T, order_id)>(b);
      e.order.price = load_field<int64_t, PW_FIELD(T, price)>(b);
      e.order.quantity = load_field<int32_t, PW_FIELD(T, quantity)>(b);
      return true;
    }
    case kOrderDeleteId: {
      constexpr const TemplateDef& T = kOrderDelete;
      e.type = (uint8_t)EventType::order_delete;
      fill_instr_header<T>(b, e);
      e.order.order_id = load_field<int64_t, PW_FIELD(T, order_id)>(b);
      e.order.price = kNullI64;
      e.order.quantity = kNullI32;
      return true;
    }
    case kImpliedOrderUpdateId: {
      constexpr const TemplateDef& T = kImpliedOrderUpdate;
      e.type = (uint8_t)EventType::implied_update;
      fill_instr_header<T>(b, e);
      e.implied.best_price = load_field<int64_t, PW_FIELD(T, best_price)>(b);
      e.implied.next_price = load_field<int64_t, PW_FIELD(T, next_price)>(b);
      e.implied.best_qty = load_field<int32_t, PW_FIELD(T, best_qty)>(b);
      e.implied.next_qty = load_field<int32_t, PW_FIELD(T, next_qty)>(b);
      return true;
    }
    case kTradeId: {
      constexpr const TemplateDef& T = kTrade;
      e.type = (uint8_t)EventType::trade;
      fill_instr_header<T>(b, e);
      fill_trade_ids<T>(b, e.trade);
      e.trade.price = load_field<int64_t, PW_FIELD(T, price)>(b);
      e.trade.old_price = kNullI64;
      e.trade.quantity = load_field<int32_t, PW_FIELD(T, quantity)>(b);
      return true;
    }
    case kTradeAmendId:
    case kSpreadTradeAmendId: {
      constexpr const TemplateDef& T = kTradeAmend;  // the spread form shares the first 62 bytes
      e.type = (uint8_t)EventType::trade_amend;
      fill_instr_header<T>(b, e);
      fill_trade_ids<T>(b, e.trade);
      e.trade.old_price = load_field<int64_t, PW_FIELD(T, old_price)>(b);
      e.trade.price = load_field<int64_t, PW_FIELD(T, new_price)>(b);
      e.trade.quantity = kNullI32;
      return true;
    }
    case kTradeBustId: {
      constexpr const TemplateDef& T = kTradeBust;
      e.type = (uint8_t)EventType::trade_bust;
      fill_instr_header<T>(b, e);
      fill_trade_ids<T>(b, e.trade);
      e.trade.price = kNullI64;
      e.trade.old_price = kNullI64;
      e.trade.quantity = kNullI32;
      return true;
    }
    case kTradeSummaryId: {
      constexpr const TemplateDef& T = kTradeSummary;
      e.type = (uint8_t)EventType::trade_summary;
      fill_instr_header<T>(b, e);
      e.summary.aggressor_order_id = load_field<int64_t, PW_FIELD(T, aggressor_order_id)>(b);
      e.summary.aggressor_receive_time = load_field<int64_t, PW_FIELD(T, aggressor_receive_time)>(b);
      e.summary.vwap_price = load_field<int64_t, PW_FIELD(T, vwap_price)>(b);
      e.summary.deepest_price = load_field<int64_t, PW_FIELD(T, deepest_price)>(b);
      e.summary.quantity = load_field<int32_t, PW_FIELD(T, quantity)>(b);
      return true;
    }
    case kMarketStatId: {
      constexpr const TemplateDef& T = kMarketStat;
      e.type = (uint8_t)EventType::statistic;
      fill_instr_header<T>(b, e);
      e.stat.kind = (uint8_t)StatisticKind::market_stat;
      e.stat.price = load_field<int64_t, PW_FIELD(T, price)>(b);
      e.stat.quantity = kNullI32;
      e.stat.stat_type = (char)load_field<uint8_t, PW_FIELD(T, stat_type)>(b);
      return true;
    }
    case kTradeSessionVolumeId: {
      constexpr const TemplateDef& T = kTradeSessionVolume;
      e.type = (uint8_t)EventType::statistic;
      fill_instr_header<T>(b, e);
      e.stat.kind = (uint8_t)StatisticKind::session_volume;
      e.stat.price = load_field<int64_t, PW_FIELD(T, vwap_price)>(b);
      e.stat.quantity = load_field<int32_t, PW_FIELD(T, trade_volume)>(b);
      return true;
    }
    case kOpenInterestId: {
      constexpr const TemplateDef& T = kOpenInterest;
      e.type = (uint8_t)EventType::statistic;
      fill_instr_header<T>(b, e);
      e.stat.kind = (uint8_t)StatisticKind::open_interest;
      e.stat.price = kNullI64;
      e.stat.quantity = load_field<int32_t, PW_FIELD(T, quantity)>(b);
      return true;
    }
    case kFundingRateId: {
      constexpr const TemplateDef& T = kFundingRate;
      e.type = (uint8_t)EventType::funding_rate;
      fill_instr_header<T>(b, e);
      e.funding.rate = load_field<int64_t, PW_FIELD(T, funding_rate)>(b);
      e.funding.futures_mark = load_field<int64_t, PW_FIELD(T, futures_mark_price_price)>(b);
      e.funding.spot_mark = load_field<int64_t, PW_FIELD(T, spot_mark_price_price)>(b);
      e.funding.fair_value = load_field<int64_t, PW_FIELD(T, fair_value_price)>(b);
      e.funding.final_time = load_field<int64_t, PW_FIELD(T, final_funding_rate_timestamp)>(b);
      e.funding.correlation_id = load_field<int64_t, PW_FIELD(T, correlation_id)>(b);
      e.funding.is_final = load_field<uint8_t, PW_FIELD(T, flags)>(b) & 0x01;
      return true;
    }
    case kStartOfOutrightInstrumentSnapshotId:
    case kStartOfSpreadInstrumentSnapshotId:
    case kStartOfOptionInstrumentSnapshotId: {
      // The three share the first 70 bytes (and outright and spread the first 114); later
      // offsets differ per kind.
      constexpr const TemplateDef& O = kStartOfOutrightInstrumentSnapshot;
      constexpr const TemplateDef& S = kStartOfSpreadInstrumentSnapshot;
      constexpr const TemplateDef& P = kStartOfOptionInstrumentSnapshot;
      e.type = (uint8_t)EventType::snapshot_start;
      e.instrument_id = ph.snapshot_instrument_id;
      e.instr_seq_num = load_field<uint32_t, PW_FIELD(O, last_instr_seq_num)>(b);
      InstrumentPayload& d = e.instrument;
      d.snapshot_seq = load_field<uint16_t, PW_FIELD(O, snapshot_seq_num)>(b);
      copy_text<PW_FIELD(O, symbol)>(d.symbol, sizeof d.symbol, m);
      d.limit_down = kNullI64;
      d.limit_up = kNullI64;
      d.settlement_price = kNullI64;
      if (m.template_id == kStartOfOptionInstrumentSnapshotId) {
        d.kind = (uint8_t)InstrumentKind::option;
        d.tick_size = load_field<int64_t, PW_FIELD(P, small_tick)>(b);
        fill_snapshot_product<P>(b, d);
        d.contract_size = kNullI64;
        return true;
      }
      d.tick_size = load_field<int64_t, PW_FIELD(O, tick_size)>(b);
      fill_snapshot_product<O>(b, d);
      if (m.template_id == kStartOfSpreadInstrumentSnapshotId) {
        d.kind = (uint8_t)InstrumentKind::spread;
        d.contract_size = old_contract_size_e9<S>(m);
        return true;
      }
      d.kind = (uint8_t)InstrumentKind::outright;
      d.contract_size = contract_size_e9<O>(m);
      d.funding_interval_minutes = read_or_null<PW_FIELD(O, funding_interval_minutes)>(m, (int32_t)0);
      return true;
    }
    case kOrderSnapshotId: {
      constexpr const TemplateDef& T = kOrderSnapshot;
      e.type = (uint8_t)EventType::snapshot_order;
      e.instrument_id = ph.snapshot_instrument_id;
      e.side = 0;  // not on the wire: the book infers it from the snapshot's order (see core/book.hpp)
      e.transact_time = load_field<int64_t, PW_FIELD(T, transact_time)>(b);
      e.order.snapshot_seq = load_field<uint16_t, PW_FIELD(T, snapshot_seq_num)>(b);
      e.order.order_id = load_field<int64_t, PW_FIELD(T, order_id)>(b);
      e.order.price = load_field<int64_t, PW_FIELD(T, price)>(b);
      e.order.quantity = load_field<int32_t, PW_FIELD(T, quantity)>(b);
      return true;
    }
    case kEndOfSnapshotId: {
      constexpr const TemplateDef& T = kEndOfSnapshot;
      e.type = (uint8_t)EventType::snapshot_end;
      e.instrument_id = ph.snapshot_instrument_id;
      SnapshotEndPayload& s = e.snapshot_end;
      s.snapshot_seq = load_field<uint16_t, PW_FIELD(T, snapshot_seq_num)>(b);
      s.last_trade_price = load_field<int64_t, PW_FIELD(T, last_trade_price)>(b);
      e.transact_time = load_field<int64_t, PW_FIELD(T, last_trade_time)>(b);
      read_limits<T>(b, s.limit_down, s.limit_up);
      s.open_interest = read_or_null<PW_FIELD(T, open_interest)>(m, kNullI32);
      s.final_funding_rate = read_or_null<PW_FIELD(T, final_funding_rate)>(m, kNullI64);
      s.final_funding_time = read_or_null<PW_FIELD(T, final_funding_rate_timestamp)>(m, kNullI64);
      s.futures_mark = read_or_null<PW_FIELD(T, futures_mark_price_price_optional)>(m, kNullI64);
      s.predicted_funding_rate = read_or_null<PW_FIELD(T, predicted_funding_rate)>(m, kNullI64);
      s.spot_mark = read_or_null<PW_FIELD(T, spot_mark_price_price_optional)>(m, kNullI64);
      return true;
    }
    case kEndOfCycleId:
      e.type = (uint8_t)EventType::end_of_cycle;
      e.cycle.active_instrument_count = load_field<int32_t, PW_FIELD(kEndOfCycle, active_instrument_count)>(b);
      return true;
    case kRetransmitRejectId:
      e.type = (uint8_t)EventType::retransmit_reject;
      e.cycle.retry_delay_ns = load_field<int64_t, PW_FIELD(kRetransmitReject, retry_delay_nanos)>(b);
      e.cycle.reject_reason = load_field<uint8_t, PW_FIELD(kRetransmitReject, reason)>(b);
      return true;
    default:
      return false;
  }
}

}  // namespace md
}  // namespace pw
