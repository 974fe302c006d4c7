// Turns one decoded market-data message into the fixed-size MarketEvent of core/events.hpp.
// Offsets come from the layout tables (core/md_schema.hpp); trailing fields that an older sender
// did not include read as null.
#pragma once
#include "core/events.hpp"
#include "core/md_decode.hpp"

namespace pw {
namespace md {

namespace detail {

constexpr int64_t kQuantity8ToE9 = 10;  // Quantity8 (×1e-8) → ×1e-9
constexpr uint16_t kNotInLayout = 0xFFFF;  // offset of a field the template does not have

// Copies a NUL-padded text field into a NUL-padded record field. A text that fills the field on the
// wire (24 characters of a char24 symbol) fills the record field too: no terminator is added.
inline void copy_text(char* dst, size_t cap, const Message& m, uint16_t off, uint16_t size) {
  size_t n = 0;
  for (; n < size && n < cap && (uint32_t)off + n < m.block_length; ++n) {
    char c = (char)m.body[off + n];
    if (c == 0) break;
    dst[n] = c;
  }
  for (; n < cap; ++n) dst[n] = 0;
}

inline void fill_instr_header(const Message& m, MarketEvent& e) {
  e.side = (int8_t)m.body[1];
  e.instrument_id = load_le<int32_t>(m.body + 2);
  e.instr_seq_num = load_le<uint32_t>(m.body + 6);
  e.transact_time = load_le<int64_t>(m.body + 14);
}

// Contract size: the v1.9 Quantity8 field when sent, else the v1.2 whole-unit field.
inline int64_t contract_size_e9(const Message& m, uint16_t q8_off, uint16_t q0_off) {
  int64_t q8 = read_or_null<int64_t>(m, q8_off, kNullI64);
  if (q8 != kNullI64) {
    // A value that cannot be expressed ×1e-9 is no contract size: report it as absent.
    if (q8 > INT64_MAX / kQuantity8ToE9 || q8 < INT64_MIN / kQuantity8ToE9) return kNullI64;
    return q8 * kQuantity8ToE9;
  }
  int32_t q0 = read_or_null<int32_t>(m, q0_off, kNullI32);
  return q0 == kNullI32 ? kNullI64 : (int64_t)q0 * kPriceScale;  // |int32| × 1e9 fits in int64
}

template <const TemplateDef& T>
inline void fill_definition(const Message& m, MarketEvent& e, InstrumentKind kind) {
  InstrumentPayload& d = e.instrument;
  copy_text(d.symbol, sizeof d.symbol, m, field_offset(T, "symbol"), 24);
  d.kind = (uint8_t)kind;
  d.trading_status = m.body[field_offset(T, "trading_status")];
  d.product_id = load_le<int32_t>(m.body + field_offset(T, "product_id"));
  d.settlement_price = load_le<int64_t>(m.body + field_offset(T, "settlement_price"));
  d.limit_down = kNullI64;
  d.limit_up = kNullI64;
  d.funding_interval_minutes = 0;
  d.order_count = 0;
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
      fill_instr_header(m, e);
      fill_definition<T>(m, e, InstrumentKind::outright);
      e.instrument.tick_size = load_le<int64_t>(b + field_offset(T, "tick_size"));
      e.instrument.limit_down = load_le<int64_t>(b + field_offset(T, "limit_down_price"));
      e.instrument.limit_up = load_le<int64_t>(b + field_offset(T, "limit_up_price"));
      e.instrument.contract_size =
          contract_size_e9(m, field_offset(T, "contract_size"), field_offset(T, "old_contract_size"));
      e.instrument.funding_interval_minutes = read_or_null<int32_t>(m, field_offset(T, "funding_interval_minutes"), 0);
      return true;
    }
    case kSpreadInstrumentDefinitionId: {
      constexpr const TemplateDef& T = kSpreadInstrumentDefinition;
      e.type = (uint8_t)EventType::instrument_definition;
      fill_instr_header(m, e);
      fill_definition<T>(m, e, InstrumentKind::spread);
      e.instrument.tick_size = load_le<int64_t>(b + field_offset(T, "tick_size"));
      e.instrument.limit_down = load_le<int64_t>(b + field_offset(T, "limit_down_price"));
      e.instrument.limit_up = load_le<int64_t>(b + field_offset(T, "limit_up_price"));
      e.instrument.contract_size = contract_size_e9(m, kNotInLayout, field_offset(T, "old_contract_size"));
      return true;
    }
    case kOptionInstrumentDefinitionId: {
      constexpr const TemplateDef& T = kOptionInstrumentDefinition;
      e.type = (uint8_t)EventType::instrument_definition;
      fill_instr_header(m, e);
      fill_definition<T>(m, e, InstrumentKind::option);
      e.instrument.tick_size = load_le<int64_t>(b + field_offset(T, "small_tick"));
      e.instrument.contract_size = kNullI64;
      return true;
    }
    case kTradingStatusUpdateId: {
      constexpr const TemplateDef& T = kTradingStatusUpdate;
      e.type = (uint8_t)EventType::trading_status;
      fill_instr_header(m, e);
      e.status.limit_down = load_le<int64_t>(b + field_offset(T, "limit_down_price"));
      e.status.limit_up = load_le<int64_t>(b + field_offset(T, "limit_up_price"));
      e.status.trading_status = b[field_offset(T, "trading_status")];
      return true;
    }
    case kOrderPutId: {
      constexpr const TemplateDef& T = kOrderPut;
      e.type = (uint8_t)EventType::order_put;
      fill_instr_header(m, e);
      e.order.order_id = load_le<int64_t>(b + field_offset(T, "order_id"));
      e.order.price = load_le<int64_t>(b + field_offset(T, "price"));
      e.order.quantity = load_le<int32_t>(b + field_offset(T, "quantity"));
      return true;
    }
    case kOrderDeleteId: {
      e.type = (uint8_t)EventType::order_delete;
      fill_instr_header(m, e);
      e.order.order_id = load_le<int64_t>(b + field_offset(kOrderDelete, "order_id"));
      e.order.price = kNullI64;
      e.order.quantity = kNullI32;
      return true;
    }
    case kImpliedOrderUpdateId: {
      constexpr const TemplateDef& T = kImpliedOrderUpdate;
      e.type = (uint8_t)EventType::implied_update;
      fill_instr_header(m, e);
      e.implied.best_price = load_le<int64_t>(b + field_offset(T, "best_price"));
      e.implied.next_price = load_le<int64_t>(b + field_offset(T, "next_price"));
      e.implied.best_qty = load_le<int32_t>(b + field_offset(T, "best_qty"));
      e.implied.next_qty = load_le<int32_t>(b + field_offset(T, "next_qty"));
      return true;
    }
    case kTradeId: {
      constexpr const TemplateDef& T = kTrade;
      e.type = (uint8_t)EventType::trade;
      fill_instr_header(m, e);
      e.trade.match_id = load_le<int64_t>(b + field_offset(T, "match_id"));
      e.trade.buy_order_id = load_le<int64_t>(b + field_offset(T, "buy_order_id"));
      e.trade.sell_order_id = load_le<int64_t>(b + field_offset(T, "sell_order_id"));
      e.trade.price = load_le<int64_t>(b + field_offset(T, "price"));
      e.trade.old_price = kNullI64;
      e.trade.quantity = load_le<int32_t>(b + field_offset(T, "quantity"));
      return true;
    }
    case kTradeAmendId:
    case kSpreadTradeAmendId: {
      constexpr const TemplateDef& T = kTradeAmend;  // the spread form shares the first 62 bytes
      e.type = (uint8_t)EventType::trade_amend;
      fill_instr_header(m, e);
      e.trade.match_id = load_le<int64_t>(b + field_offset(T, "match_id"));
      e.trade.buy_order_id = load_le<int64_t>(b + field_offset(T, "buy_order_id"));
      e.trade.sell_order_id = load_le<int64_t>(b + field_offset(T, "sell_order_id"));
      e.trade.old_price = load_le<int64_t>(b + field_offset(T, "old_price"));
      e.trade.price = load_le<int64_t>(b + field_offset(T, "new_price"));
      e.trade.quantity = kNullI32;
      return true;
    }
    case kTradeBustId: {
      constexpr const TemplateDef& T = kTradeBust;
      e.type = (uint8_t)EventType::trade_bust;
      fill_instr_header(m, e);
      e.trade.match_id = load_le<int64_t>(b + field_offset(T, "match_id"));
      e.trade.buy_order_id = load_le<int64_t>(b + field_offset(T, "buy_order_id"));
      e.trade.sell_order_id = load_le<int64_t>(b + field_offset(T, "sell_order_id"));
      e.trade.price = kNullI64;
      e.trade.old_price = kNullI64;
      e.trade.quantity = kNullI32;
      return true;
    }
    case kTradeSummaryId: {
      constexpr const TemplateDef& T = kTradeSummary;
      e.type = (uint8_t)EventType::trade_summary;
      fill_instr_header(m, e);
      e.summary.aggressor_order_id = load_le<int64_t>(b + field_offset(T, "aggressor_order_id"));
      e.summary.aggressor_receive_time = load_le<int64_t>(b + field_offset(T, "aggressor_receive_time"));
      e.summary.vwap_price = load_le<int64_t>(b + field_offset(T, "vwap_price"));
      e.summary.deepest_price = load_le<int64_t>(b + field_offset(T, "deepest_price"));
      e.summary.quantity = load_le<int32_t>(b + field_offset(T, "quantity"));
      return true;
    }
    case kMarketStatId: {
      e.type = (uint8_t)EventType::statistic;
      fill_instr_header(m, e);
      e.stat.kind = (uint8_t)StatisticKind::market_stat;
      e.stat.price = load_le<int64_t>(b + field_offset(kMarketStat, "price"));
      e.stat.quantity = kNullI32;
      e.stat.stat_type = (char)b[field_offset(kMarketStat, "stat_type")];
      return true;
    }
    case kTradeSessionVolumeId: {
      e.type = (uint8_t)EventType::statistic;
      fill_instr_header(m, e);
      e.stat.kind = (uint8_t)StatisticKind::session_volume;
      e.stat.price = load_le<int64_t>(b + field_offset(kTradeSessionVolume, "vwap_price"));
      e.stat.quantity = load_le<int32_t>(b + field_offset(kTradeSessionVolume, "trade_volume"));
      return true;
    }
    case kOpenInterestId: {
      e.type = (uint8_t)EventType::statistic;
      fill_instr_header(m, e);
      e.stat.kind = (uint8_t)StatisticKind::open_interest;
      e.stat.price = kNullI64;
      e.stat.quantity = load_le<int32_t>(b + field_offset(kOpenInterest, "quantity"));
      return true;
    }
    case kFundingRateId: {
      constexpr const TemplateDef& T = kFundingRate;
      e.type = (uint8_t)EventType::funding_rate;
      fill_instr_header(m, e);
      e.funding.rate = load_le<int64_t>(b + field_offset(T, "funding_rate"));
      e.funding.futures_mark = load_le<int64_t>(b + field_offset(T, "futures_mark_price_price"));
      e.funding.spot_mark = load_le<int64_t>(b + field_offset(T, "spot_mark_price_price"));
      e.funding.fair_value = load_le<int64_t>(b + field_offset(T, "fair_value_price"));
      e.funding.final_time = load_le<int64_t>(b + field_offset(T, "final_funding_rate_timestamp"));
      e.funding.correlation_id = load_le<int64_t>(b + field_offset(T, "correlation_id"));
      e.funding.is_final = b[field_offset(T, "flags")] & 0x01;
      return true;
    }
    case kStartOfOutrightInstrumentSnapshotId:
    case kStartOfSpreadInstrumentSnapshotId:
    case kStartOfOptionInstrumentSnapshotId: {
      // The three share the first 70 bytes; later offsets differ per kind.
      constexpr const TemplateDef& O = kStartOfOutrightInstrumentSnapshot;
      constexpr const TemplateDef& S = kStartOfSpreadInstrumentSnapshot;
      constexpr const TemplateDef& P = kStartOfOptionInstrumentSnapshot;
      e.type = (uint8_t)EventType::snapshot_start;
      e.instrument_id = ph.snapshot_instrument_id;
      e.instr_seq_num = load_le<uint32_t>(b + field_offset(O, "last_instr_seq_num"));
      InstrumentPayload& d = e.instrument;
      d.snapshot_seq = load_le<uint16_t>(b + field_offset(O, "snapshot_seq_num"));
      copy_text(d.symbol, sizeof d.symbol, m, field_offset(O, "symbol"), 24);
      d.limit_down = kNullI64;
      d.limit_up = kNullI64;
      d.settlement_price = kNullI64;
      if (m.template_id == kStartOfOptionInstrumentSnapshotId) {
        d.kind = (uint8_t)InstrumentKind::option;
        d.tick_size = load_le<int64_t>(b + field_offset(P, "small_tick"));
        d.product_id = load_le<int32_t>(b + field_offset(P, "product_id"));
        d.order_count = load_le<int32_t>(b + field_offset(P, "order_count"));
        d.trading_status = b[field_offset(P, "trading_status")];
        d.contract_size = kNullI64;
        return true;
      }
      d.tick_size = load_le<int64_t>(b + field_offset(O, "tick_size"));
      d.product_id = load_le<int32_t>(b + field_offset(O, "product_id"));
      d.order_count = load_le<int32_t>(b + field_offset(O, "order_count"));
      d.trading_status = b[field_offset(O, "trading_status")];
      if (m.template_id == kStartOfSpreadInstrumentSnapshotId) {
        d.kind = (uint8_t)InstrumentKind::spread;
        d.contract_size = contract_size_e9(m, kNotInLayout, field_offset(S, "old_contract_size"));
        return true;
      }
      d.kind = (uint8_t)InstrumentKind::outright;
      d.contract_size = contract_size_e9(m, field_offset(O, "contract_size"), field_offset(O, "old_contract_size"));
      d.funding_interval_minutes = read_or_null<int32_t>(m, field_offset(O, "funding_interval_minutes"), 0);
      return true;
    }
    case kOrderSnapshotId: {
      constexpr const TemplateDef& T = kOrderSnapshot;
      e.type = (uint8_t)EventType::snapshot_order;
      e.instrument_id = ph.snapshot_instrument_id;
      e.side = 0;  // not on the wire: the book infers it from the snapshot's order (see core/book.hpp)
      e.transact_time = load_le<int64_t>(b + field_offset(T, "transact_time"));
      e.order.snapshot_seq = load_le<uint16_t>(b + field_offset(T, "snapshot_seq_num"));
      e.order.order_id = load_le<int64_t>(b + field_offset(T, "order_id"));
      e.order.price = load_le<int64_t>(b + field_offset(T, "price"));
      e.order.quantity = load_le<int32_t>(b + field_offset(T, "quantity"));
      return true;
    }
    case kEndOfSnapshotId: {
      constexpr const TemplateDef& T = kEndOfSnapshot;
      e.type = (uint8_t)EventType::snapshot_end;
      e.instrument_id = ph.snapshot_instrument_id;
      SnapshotEndPayload& s = e.snapshot_end;
      s.snapshot_seq = load_le<uint16_t>(b + field_offset(T, "snapshot_seq_num"));
      s.last_trade_price = load_le<int64_t>(b + field_offset(T, "last_trade_price"));
      e.transact_time = load_le<int64_t>(b + field_offset(T, "last_trade_time"));
      s.limit_down = load_le<int64_t>(b + field_offset(T, "limit_down_price"));
      s.limit_up = load_le<int64_t>(b + field_offset(T, "limit_up_price"));
      s.open_interest = read_or_null<int32_t>(m, field_offset(T, "open_interest"), kNullI32);
      s.final_funding_rate = read_or_null<int64_t>(m, field_offset(T, "final_funding_rate"), kNullI64);
      s.final_funding_time = read_or_null<int64_t>(m, field_offset(T, "final_funding_rate_timestamp"), kNullI64);
      s.futures_mark = read_or_null<int64_t>(m, field_offset(T, "futures_mark_price_price_optional"), kNullI64);
      s.predicted_funding_rate = read_or_null<int64_t>(m, field_offset(T, "predicted_funding_rate"), kNullI64);
      s.spot_mark = read_or_null<int64_t>(m, field_offset(T, "spot_mark_price_price_optional"), kNullI64);
      return true;
    }
    case kEndOfCycleId:
      e.type = (uint8_t)EventType::end_of_cycle;
      e.cycle.active_instrument_count = load_le<int32_t>(b);
      return true;
    case kRetransmitRejectId:
      e.type = (uint8_t)EventType::retransmit_reject;
      e.cycle.retry_delay_ns = load_le<int64_t>(b + field_offset(kRetransmitReject, "retry_delay_nanos"));
      e.cycle.reject_reason = b[field_offset(kRetransmitReject, "reason")];
      return true;
    default:
      return false;
  }
}

}  // namespace md
}  // namespace pw
