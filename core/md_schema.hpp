// Coinbase Derivatives Market Data SBE, schema 1201, layout v1.9: every template's fields with
// their offsets, sizes and kinds. The decoder, the normalizer, `perpwire decode`, the session
// generator and the tests all read layouts from here, so each offset is written exactly once.
// Field names are the layout's labels in snake_case (InstrHeader fields at the top level).
// `min_block` is the shortest body the normalizer accepts: the fields it needs. Older versions send
// shorter bodies (v1.2 sends version 2 with e.g. StartOfOutrightInstrumentSnapshot block 114);
// fields beyond BlockLength read as null.
#pragma once
#include "core/sbe_schema.hpp"

namespace pw {
namespace md {

constexpr uint16_t kSchemaId = 1201;
constexpr uint16_t kSchemaVersion = 9;
constexpr uint16_t kPacketHeaderSize = 24;
constexpr uint16_t kMessageHeaderSize = 10;

inline constexpr FieldDef kPacketHeaderFields[] = {
    {"sending_time", 0, 8, FieldKind::int_, 0, 0},
    {"seq_num", 8, 8, FieldKind::int_, 0, 0},
    {"channel_id", 16, 2, FieldKind::uint_, 0, 0},
    {"packet_flags", 18, 1, FieldKind::uint_, 0, 0},
    {"incremental_update", 18, 1, FieldKind::bits, 0, 1},
    {"snapshot", 18, 1, FieldKind::bits, 1, 1},
    {"retransmit", 18, 1, FieldKind::bits, 2, 1},
    {"reserved_bits", 18, 1, FieldKind::bits, 3, 5},
    {"message_count", 19, 1, FieldKind::uint_, 0, 0},
    {"snapshot_instrument_id", 20, 4, FieldKind::int_, 0, 0},
};

inline constexpr TemplateDef kPacketHeader = {0, "packet_header", kPacketHeaderSize, kPacketHeaderSize, kPacketHeaderFields, sizeof(kPacketHeaderFields) / sizeof(FieldDef), false};

inline constexpr FieldDef kMessageHeaderFields[] = {
    {"frame_length", 0, 2, FieldKind::uint_, 0, 0},
    {"block_length", 2, 2, FieldKind::uint_, 0, 0},
    {"template_id", 4, 2, FieldKind::uint_, 0, 0},
    {"schema_id", 6, 2, FieldKind::uint_, 0, 0},
    {"version", 8, 2, FieldKind::uint_, 0, 0},
};

inline constexpr TemplateDef kMessageHeader = {0, "message_header", kMessageHeaderSize, kMessageHeaderSize, kMessageHeaderFields, sizeof(kMessageHeaderFields) / sizeof(FieldDef), false};

inline constexpr FieldDef kOutrightInstrumentDefinitionFields[] = {
    {"instrument_flags", 0, 1, FieldKind::uint_, 0, 0},
    {"instrument_side", 1, 1, FieldKind::int_, 0, 0},
    {"instrument_id", 2, 4, FieldKind::int_, 0, 0},
    {"instr_seq_num", 6, 4, FieldKind::uint_, 0, 0},
    {"trading_session_date", 10, 2, FieldKind::uint_, 0, 0},
    {"reserved", 12, 2, FieldKind::int_, 0, 0},
    {"transact_time", 14, 8, FieldKind::int_, 0, 0},
    {"symbol", 22, 24, FieldKind::text, 0, 0},
    {"product_code", 46, 8, FieldKind::text, 0, 0},
    {"description", 54, 32, FieldKind::text, 0, 0},
    {"tick_size", 86, 8, FieldKind::price, 0, 0},
    {"cfi_code", 94, 8, FieldKind::text, 0, 0},
    {"currency", 102, 8, FieldKind::text, 0, 0},
    {"first_trading_session_date", 110, 2, FieldKind::uint_, 0, 0},
    {"last_trading_session_date", 112, 2, FieldKind::uint_, 0, 0},
    {"old_contract_size", 114, 4, FieldKind::int_, 0, 0},
    {"prior_settlement_price_optional", 118, 8, FieldKind::price, 0, 0},
    {"settlement_price", 126, 8, FieldKind::price, 0, 0},
    {"limit_down_price", 134, 8, FieldKind::price, 0, 0},
    {"limit_up_price", 142, 8, FieldKind::price, 0, 0},
    {"product_id", 150, 4, FieldKind::int_, 0, 0},
    {"product_group", 154, 1, FieldKind::int_, 0, 0},
    {"trading_status", 155, 1, FieldKind::int_, 0, 0},
    {"definition_flags", 156, 2, FieldKind::uint_, 0, 0},
    {"is_prior_settlement_theoretical", 156, 2, FieldKind::bits, 0, 1},
    {"reserved15", 156, 2, FieldKind::bits, 1, 15},
    {"contract_size", 158, 8, FieldKind::int_, 0, 0},
    {"logical_expiry_year", 166, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_month", 168, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_week_of_month", 170, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_day_of_month", 172, 2, FieldKind::int_, 0, 0},
    {"funding_interval_minutes", 174, 4, FieldKind::int_, 0, 0},
    {"fair_value_limit", 178, 4, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kSpreadInstrumentDefinitionFields[] = {
    {"instrument_flags", 0, 1, FieldKind::uint_, 0, 0},
    {"instrument_side", 1, 1, FieldKind::int_, 0, 0},
    {"instrument_id", 2, 4, FieldKind::int_, 0, 0},
    {"instr_seq_num", 6, 4, FieldKind::uint_, 0, 0},
    {"trading_session_date", 10, 2, FieldKind::uint_, 0, 0},
    {"reserved", 12, 2, FieldKind::int_, 0, 0},
    {"transact_time", 14, 8, FieldKind::int_, 0, 0},
    {"symbol", 22, 24, FieldKind::text, 0, 0},
    {"product_code", 46, 8, FieldKind::text, 0, 0},
    {"description", 54, 32, FieldKind::text, 0, 0},
    {"tick_size", 86, 8, FieldKind::price, 0, 0},
    {"cfi_code", 94, 8, FieldKind::text, 0, 0},
    {"currency", 102, 8, FieldKind::text, 0, 0},
    {"first_trading_session_date", 110, 2, FieldKind::uint_, 0, 0},
    {"last_trading_session_date", 112, 2, FieldKind::uint_, 0, 0},
    {"old_contract_size", 114, 4, FieldKind::int_, 0, 0},
    {"prior_settlement_price_optional", 118, 8, FieldKind::price, 0, 0},
    {"settlement_price", 126, 8, FieldKind::price, 0, 0},
    {"limit_down_price", 134, 8, FieldKind::price, 0, 0},
    {"limit_up_price", 142, 8, FieldKind::price, 0, 0},
    {"product_id", 150, 4, FieldKind::int_, 0, 0},
    {"product_group", 154, 1, FieldKind::int_, 0, 0},
    {"trading_status", 155, 1, FieldKind::int_, 0, 0},
    {"leg_1_instrument_id", 156, 4, FieldKind::int_, 0, 0},
    {"leg_2_instrument_id", 160, 4, FieldKind::int_, 0, 0},
    {"spread_buy_convention", 164, 1, FieldKind::int_, 0, 0},
    {"definition_flags", 165, 2, FieldKind::uint_, 0, 0},
    {"is_prior_settlement_theoretical", 165, 2, FieldKind::bits, 0, 1},
    {"reserved15", 165, 2, FieldKind::bits, 1, 15},
    {"logical_expiry_year", 167, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_month", 169, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_week_of_month", 171, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_day_of_month", 173, 2, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kOptionInstrumentDefinitionFields[] = {
    {"instrument_flags", 0, 1, FieldKind::uint_, 0, 0},
    {"instrument_side", 1, 1, FieldKind::int_, 0, 0},
    {"instrument_id", 2, 4, FieldKind::int_, 0, 0},
    {"instr_seq_num", 6, 4, FieldKind::uint_, 0, 0},
    {"trading_session_date", 10, 2, FieldKind::uint_, 0, 0},
    {"reserved", 12, 2, FieldKind::int_, 0, 0},
    {"transact_time", 14, 8, FieldKind::int_, 0, 0},
    {"symbol", 22, 24, FieldKind::text, 0, 0},
    {"product_code", 46, 8, FieldKind::text, 0, 0},
    {"description", 54, 32, FieldKind::text, 0, 0},
    {"small_tick", 86, 8, FieldKind::price, 0, 0},
    {"cfi_code", 94, 8, FieldKind::text, 0, 0},
    {"large_tick", 102, 8, FieldKind::price, 0, 0},
    {"large_tick_threshold", 110, 8, FieldKind::price, 0, 0},
    {"strike_price", 118, 8, FieldKind::price, 0, 0},
    {"first_trading_session_date", 126, 2, FieldKind::uint_, 0, 0},
    {"last_trading_session_date", 128, 2, FieldKind::uint_, 0, 0},
    {"prior_settlement_price", 130, 8, FieldKind::price, 0, 0},
    {"settlement_price", 138, 8, FieldKind::price, 0, 0},
    {"product_id", 146, 4, FieldKind::int_, 0, 0},
    {"underlying_instrument_id", 150, 4, FieldKind::int_, 0, 0},
    {"product_group", 154, 1, FieldKind::int_, 0, 0},
    {"trading_status", 155, 1, FieldKind::int_, 0, 0},
    {"definition_flags", 156, 2, FieldKind::uint_, 0, 0},
    {"is_prior_settlement_theoretical", 156, 2, FieldKind::bits, 0, 1},
    {"reserved15", 156, 2, FieldKind::bits, 1, 15},
    {"option_expiry_type", 158, 1, FieldKind::int_, 0, 0},
    {"logical_expiry_year", 159, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_month", 161, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_week_of_month", 163, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_day_of_month", 165, 2, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kTradingStatusUpdateFields[] = {
    {"instrument_flags", 0, 1, FieldKind::uint_, 0, 0},
    {"instrument_side", 1, 1, FieldKind::int_, 0, 0},
    {"instrument_id", 2, 4, FieldKind::int_, 0, 0},
    {"instr_seq_num", 6, 4, FieldKind::uint_, 0, 0},
    {"trading_session_date", 10, 2, FieldKind::uint_, 0, 0},
    {"reserved", 12, 2, FieldKind::int_, 0, 0},
    {"transact_time", 14, 8, FieldKind::int_, 0, 0},
    {"limit_down_price", 22, 8, FieldKind::price, 0, 0},
    {"limit_up_price", 30, 8, FieldKind::price, 0, 0},
    {"trading_status", 38, 1, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kOrderPutFields[] = {
    {"instrument_flags", 0, 1, FieldKind::uint_, 0, 0},
    {"instrument_side", 1, 1, FieldKind::int_, 0, 0},
    {"instrument_id", 2, 4, FieldKind::int_, 0, 0},
    {"instr_seq_num", 6, 4, FieldKind::uint_, 0, 0},
    {"trading_session_date", 10, 2, FieldKind::uint_, 0, 0},
    {"reserved", 12, 2, FieldKind::int_, 0, 0},
    {"transact_time", 14, 8, FieldKind::int_, 0, 0},
    {"order_id", 22, 8, FieldKind::int_, 0, 0},
    {"price", 30, 8, FieldKind::price, 0, 0},
    {"quantity", 38, 4, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kOrderDeleteFields[] = {
    {"instrument_flags", 0, 1, FieldKind::uint_, 0, 0},
    {"instrument_side", 1, 1, FieldKind::int_, 0, 0},
    {"instrument_id", 2, 4, FieldKind::int_, 0, 0},
    {"instr_seq_num", 6, 4, FieldKind::uint_, 0, 0},
    {"trading_session_date", 10, 2, FieldKind::uint_, 0, 0},
    {"reserved", 12, 2, FieldKind::int_, 0, 0},
    {"transact_time", 14, 8, FieldKind::int_, 0, 0},
    {"order_id", 22, 8, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kImpliedOrderUpdateFields[] = {
    {"instrument_flags", 0, 1, FieldKind::uint_, 0, 0},
    {"instrument_side", 1, 1, FieldKind::int_, 0, 0},
    {"instrument_id", 2, 4, FieldKind::int_, 0, 0},
    {"instr_seq_num", 6, 4, FieldKind::uint_, 0, 0},
    {"trading_session_date", 10, 2, FieldKind::uint_, 0, 0},
    {"reserved", 12, 2, FieldKind::int_, 0, 0},
    {"transact_time", 14, 8, FieldKind::int_, 0, 0},
    {"best_price", 22, 8, FieldKind::price, 0, 0},
    {"next_price", 30, 8, FieldKind::price, 0, 0},
    {"best_qty", 38, 4, FieldKind::int_, 0, 0},
    {"next_qty", 42, 4, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kTradeFields[] = {
    {"instrument_flags", 0, 1, FieldKind::uint_, 0, 0},
    {"instrument_side", 1, 1, FieldKind::int_, 0, 0},
    {"instrument_id", 2, 4, FieldKind::int_, 0, 0},
    {"instr_seq_num", 6, 4, FieldKind::uint_, 0, 0},
    {"trading_session_date", 10, 2, FieldKind::uint_, 0, 0},
    {"reserved", 12, 2, FieldKind::int_, 0, 0},
    {"transact_time", 14, 8, FieldKind::int_, 0, 0},
    {"match_id", 22, 8, FieldKind::int_, 0, 0},
    {"buy_order_id", 30, 8, FieldKind::int_, 0, 0},
    {"sell_order_id", 38, 8, FieldKind::int_, 0, 0},
    {"price", 46, 8, FieldKind::price, 0, 0},
    {"quantity", 54, 4, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kTradeAmendFields[] = {
    {"instrument_flags", 0, 1, FieldKind::uint_, 0, 0},
    {"instrument_side", 1, 1, FieldKind::int_, 0, 0},
    {"instrument_id", 2, 4, FieldKind::int_, 0, 0},
    {"instr_seq_num", 6, 4, FieldKind::uint_, 0, 0},
    {"trading_session_date", 10, 2, FieldKind::uint_, 0, 0},
    {"reserved", 12, 2, FieldKind::int_, 0, 0},
    {"transact_time", 14, 8, FieldKind::int_, 0, 0},
    {"match_id", 22, 8, FieldKind::int_, 0, 0},
    {"buy_order_id", 30, 8, FieldKind::int_, 0, 0},
    {"sell_order_id", 38, 8, FieldKind::int_, 0, 0},
    {"old_price", 46, 8, FieldKind::price, 0, 0},
    {"new_price", 54, 8, FieldKind::price, 0, 0},
};

inline constexpr FieldDef kTradeBustFields[] = {
    {"instrument_flags", 0, 1, FieldKind::uint_, 0, 0},
    {"instrument_side", 1, 1, FieldKind::int_, 0, 0},
    {"instrument_id", 2, 4, FieldKind::int_, 0, 0},
    {"instr_seq_num", 6, 4, FieldKind::uint_, 0, 0},
    {"trading_session_date", 10, 2, FieldKind::uint_, 0, 0},
    {"reserved", 12, 2, FieldKind::int_, 0, 0},
    {"transact_time", 14, 8, FieldKind::int_, 0, 0},
    {"match_id", 22, 8, FieldKind::int_, 0, 0},
    {"buy_order_id", 30, 8, FieldKind::int_, 0, 0},
    {"sell_order_id", 38, 8, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kTradeSummaryFields[] = {
    {"instrument_flags", 0, 1, FieldKind::uint_, 0, 0},
    {"instrument_side", 1, 1, FieldKind::int_, 0, 0},
    {"instrument_id", 2, 4, FieldKind::int_, 0, 0},
    {"instr_seq_num", 6, 4, FieldKind::uint_, 0, 0},
    {"trading_session_date", 10, 2, FieldKind::uint_, 0, 0},
    {"reserved", 12, 2, FieldKind::int_, 0, 0},
    {"transact_time", 14, 8, FieldKind::int_, 0, 0},
    {"aggressor_order_id", 22, 8, FieldKind::int_, 0, 0},
    {"aggressor_receive_time", 30, 8, FieldKind::int_, 0, 0},
    {"vwap_price", 38, 8, FieldKind::price, 0, 0},
    {"deepest_price", 46, 8, FieldKind::price, 0, 0},
    {"quantity", 54, 4, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kSpreadTradeAmendFields[] = {
    {"instrument_flags", 0, 1, FieldKind::uint_, 0, 0},
    {"instrument_side", 1, 1, FieldKind::int_, 0, 0},
    {"instrument_id", 2, 4, FieldKind::int_, 0, 0},
    {"instr_seq_num", 6, 4, FieldKind::uint_, 0, 0},
    {"trading_session_date", 10, 2, FieldKind::uint_, 0, 0},
    {"reserved", 12, 2, FieldKind::int_, 0, 0},
    {"transact_time", 14, 8, FieldKind::int_, 0, 0},
    {"match_id", 22, 8, FieldKind::int_, 0, 0},
    {"buy_order_id", 30, 8, FieldKind::int_, 0, 0},
    {"sell_order_id", 38, 8, FieldKind::int_, 0, 0},
    {"old_price", 46, 8, FieldKind::price, 0, 0},
    {"new_price", 54, 8, FieldKind::price, 0, 0},
    {"old_leg_1_price", 62, 8, FieldKind::price, 0, 0},
    {"new_leg_1_price", 70, 8, FieldKind::price, 0, 0},
    {"old_leg_2_price", 78, 8, FieldKind::price, 0, 0},
    {"new_leg_2_price", 86, 8, FieldKind::price, 0, 0},
};

inline constexpr FieldDef kMarketStatFields[] = {
    {"instrument_flags", 0, 1, FieldKind::uint_, 0, 0},
    {"instrument_side", 1, 1, FieldKind::int_, 0, 0},
    {"instrument_id", 2, 4, FieldKind::int_, 0, 0},
    {"instr_seq_num", 6, 4, FieldKind::uint_, 0, 0},
    {"trading_session_date", 10, 2, FieldKind::uint_, 0, 0},
    {"reserved", 12, 2, FieldKind::int_, 0, 0},
    {"transact_time", 14, 8, FieldKind::int_, 0, 0},
    {"price", 22, 8, FieldKind::price, 0, 0},
    {"stat_type", 30, 1, FieldKind::character, 0, 0},
};

inline constexpr FieldDef kTradeSessionVolumeFields[] = {
    {"instrument_flags", 0, 1, FieldKind::uint_, 0, 0},
    {"instrument_side", 1, 1, FieldKind::int_, 0, 0},
    {"instrument_id", 2, 4, FieldKind::int_, 0, 0},
    {"instr_seq_num", 6, 4, FieldKind::uint_, 0, 0},
    {"trading_session_date", 10, 2, FieldKind::uint_, 0, 0},
    {"reserved", 12, 2, FieldKind::int_, 0, 0},
    {"transact_time", 14, 8, FieldKind::int_, 0, 0},
    {"vwap_price", 22, 8, FieldKind::price, 0, 0},
    {"trade_volume", 30, 4, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kOpenInterestFields[] = {
    {"instrument_flags", 0, 1, FieldKind::uint_, 0, 0},
    {"instrument_side", 1, 1, FieldKind::int_, 0, 0},
    {"instrument_id", 2, 4, FieldKind::int_, 0, 0},
    {"instr_seq_num", 6, 4, FieldKind::uint_, 0, 0},
    {"trading_session_date", 10, 2, FieldKind::uint_, 0, 0},
    {"reserved", 12, 2, FieldKind::int_, 0, 0},
    {"transact_time", 14, 8, FieldKind::int_, 0, 0},
    {"quantity", 22, 4, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kFundingRateFields[] = {
    {"instrument_flags", 0, 1, FieldKind::uint_, 0, 0},
    {"instrument_side", 1, 1, FieldKind::int_, 0, 0},
    {"instrument_id", 2, 4, FieldKind::int_, 0, 0},
    {"instr_seq_num", 6, 4, FieldKind::uint_, 0, 0},
    {"trading_session_date", 10, 2, FieldKind::uint_, 0, 0},
    {"reserved", 12, 2, FieldKind::int_, 0, 0},
    {"transact_time", 14, 8, FieldKind::int_, 0, 0},
    {"funding_rate", 22, 8, FieldKind::price, 0, 0},
    {"futures_mark_price_price", 30, 8, FieldKind::price, 0, 0},
    {"spot_mark_price_price", 38, 8, FieldKind::price, 0, 0},
    {"fair_value_price", 46, 8, FieldKind::price, 0, 0},
    {"final_funding_rate_timestamp", 54, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 62, 8, FieldKind::int_, 0, 0},
    {"flags", 70, 1, FieldKind::uint_, 0, 0},
    {"is_final", 70, 1, FieldKind::bits, 0, 1},
    {"reserved_flags", 70, 1, FieldKind::bits, 1, 7},
};

inline constexpr FieldDef kStartOfOutrightInstrumentSnapshotFields[] = {
    {"snapshot_seq_num", 0, 2, FieldKind::uint_, 0, 0},
    {"last_instr_seq_num", 2, 4, FieldKind::uint_, 0, 0},
    {"symbol", 6, 24, FieldKind::text, 0, 0},
    {"product_code", 30, 8, FieldKind::text, 0, 0},
    {"description", 38, 32, FieldKind::text, 0, 0},
    {"tick_size", 70, 8, FieldKind::price, 0, 0},
    {"cfi_code", 78, 8, FieldKind::text, 0, 0},
    {"currency", 86, 8, FieldKind::text, 0, 0},
    {"product_id", 94, 4, FieldKind::int_, 0, 0},
    {"old_contract_size", 98, 4, FieldKind::int_, 0, 0},
    {"order_count", 102, 4, FieldKind::int_, 0, 0},
    {"first_trading_session_date", 106, 2, FieldKind::uint_, 0, 0},
    {"last_trading_session_date", 108, 2, FieldKind::uint_, 0, 0},
    {"trading_session_date", 110, 2, FieldKind::uint_, 0, 0},
    {"product_group", 112, 1, FieldKind::int_, 0, 0},
    {"trading_status", 113, 1, FieldKind::int_, 0, 0},
    {"contract_size", 114, 8, FieldKind::int_, 0, 0},
    {"logical_expiry_year", 122, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_month", 124, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_week_of_month", 126, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_day_of_month", 128, 2, FieldKind::int_, 0, 0},
    {"funding_interval_minutes", 130, 4, FieldKind::int_, 0, 0},
    {"fair_value_limit", 134, 4, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kStartOfSpreadInstrumentSnapshotFields[] = {
    {"snapshot_seq_num", 0, 2, FieldKind::uint_, 0, 0},
    {"last_instr_seq_num", 2, 4, FieldKind::uint_, 0, 0},
    {"symbol", 6, 24, FieldKind::text, 0, 0},
    {"product_code", 30, 8, FieldKind::text, 0, 0},
    {"description", 38, 32, FieldKind::text, 0, 0},
    {"tick_size", 70, 8, FieldKind::price, 0, 0},
    {"cfi_code", 78, 8, FieldKind::text, 0, 0},
    {"currency", 86, 8, FieldKind::text, 0, 0},
    {"product_id", 94, 4, FieldKind::int_, 0, 0},
    {"old_contract_size", 98, 4, FieldKind::int_, 0, 0},
    {"order_count", 102, 4, FieldKind::int_, 0, 0},
    {"first_trading_session_date", 106, 2, FieldKind::uint_, 0, 0},
    {"last_trading_session_date", 108, 2, FieldKind::uint_, 0, 0},
    {"trading_session_date", 110, 2, FieldKind::uint_, 0, 0},
    {"product_group", 112, 1, FieldKind::int_, 0, 0},
    {"trading_status", 113, 1, FieldKind::int_, 0, 0},
    {"leg_1_instrument_id", 114, 4, FieldKind::int_, 0, 0},
    {"leg_2_instrument_id", 118, 4, FieldKind::int_, 0, 0},
    {"spread_buy_convention", 122, 1, FieldKind::int_, 0, 0},
    {"logical_expiry_year", 123, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_month", 125, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_week_of_month", 127, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_day_of_month", 129, 2, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kStartOfOptionInstrumentSnapshotFields[] = {
    {"snapshot_seq_num", 0, 2, FieldKind::uint_, 0, 0},
    {"last_instr_seq_num", 2, 4, FieldKind::uint_, 0, 0},
    {"symbol", 6, 24, FieldKind::text, 0, 0},
    {"product_code", 30, 8, FieldKind::text, 0, 0},
    {"description", 38, 32, FieldKind::text, 0, 0},
    {"small_tick", 70, 8, FieldKind::price, 0, 0},
    {"cfi_code", 78, 8, FieldKind::text, 0, 0},
    {"large_tick", 86, 8, FieldKind::price, 0, 0},
    {"large_tick_threshold", 94, 8, FieldKind::price, 0, 0},
    {"strike_price", 102, 8, FieldKind::price, 0, 0},
    {"product_id", 110, 4, FieldKind::int_, 0, 0},
    {"underlying_instrument_id", 114, 4, FieldKind::int_, 0, 0},
    {"order_count", 118, 4, FieldKind::int_, 0, 0},
    {"first_trading_session_date", 122, 2, FieldKind::uint_, 0, 0},
    {"last_trading_session_date", 124, 2, FieldKind::uint_, 0, 0},
    {"trading_session_date", 126, 2, FieldKind::uint_, 0, 0},
    {"product_group", 128, 1, FieldKind::int_, 0, 0},
    {"trading_status", 129, 1, FieldKind::int_, 0, 0},
    {"definition_flags", 130, 2, FieldKind::uint_, 0, 0},
    {"is_prior_settlement_theoretical", 130, 2, FieldKind::bits, 0, 1},
    {"reserved15", 130, 2, FieldKind::bits, 1, 15},
    {"option_expiry_type", 132, 1, FieldKind::int_, 0, 0},
    {"logical_expiry_year", 133, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_month", 135, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_week_of_month", 137, 2, FieldKind::int_, 0, 0},
    {"logical_expiry_day_of_month", 139, 2, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kOrderSnapshotFields[] = {
    {"snapshot_seq_num", 0, 2, FieldKind::uint_, 0, 0},
    {"quantity", 2, 4, FieldKind::int_, 0, 0},
    {"transact_time", 6, 8, FieldKind::int_, 0, 0},
    {"order_id", 14, 8, FieldKind::int_, 0, 0},
    {"price", 22, 8, FieldKind::price, 0, 0},
};

inline constexpr FieldDef kEndOfSnapshotFields[] = {
    {"snapshot_seq_num", 0, 2, FieldKind::uint_, 0, 0},
    {"trade_volume", 2, 4, FieldKind::int_, 0, 0},
    {"indicative_open_price", 6, 8, FieldKind::price, 0, 0},
    {"day_open_price", 14, 8, FieldKind::price, 0, 0},
    {"close_price", 22, 8, FieldKind::price, 0, 0},
    {"low_price", 30, 8, FieldKind::price, 0, 0},
    {"high_price", 38, 8, FieldKind::price, 0, 0},
    {"vwap_price_optional", 46, 8, FieldKind::price, 0, 0},
    {"settlement_price", 54, 8, FieldKind::price, 0, 0},
    {"last_trade_price", 62, 8, FieldKind::price, 0, 0},
    {"last_trade_time", 70, 8, FieldKind::int_, 0, 0},
    {"best_bid_implied_price", 78, 8, FieldKind::price, 0, 0},
    {"best_ask_implied_price", 86, 8, FieldKind::price, 0, 0},
    {"next_bid_implied_price", 94, 8, FieldKind::price, 0, 0},
    {"next_ask_implied_price", 102, 8, FieldKind::price, 0, 0},
    {"limit_down_price", 110, 8, FieldKind::price, 0, 0},
    {"limit_up_price", 118, 8, FieldKind::price, 0, 0},
    {"last_trade_qty", 126, 4, FieldKind::int_, 0, 0},
    {"open_interest", 130, 4, FieldKind::int_, 0, 0},
    {"best_bid_implied_qty", 134, 4, FieldKind::int_, 0, 0},
    {"best_ask_implied_qty", 138, 4, FieldKind::int_, 0, 0},
    {"next_bid_implied_qty", 142, 4, FieldKind::int_, 0, 0},
    {"next_ask_implied_qty", 146, 4, FieldKind::int_, 0, 0},
    {"prior_settlement_price_optional", 150, 8, FieldKind::price, 0, 0},
    {"definition_flags", 158, 2, FieldKind::uint_, 0, 0},
    {"is_prior_settlement_theoretical", 158, 2, FieldKind::bits, 0, 1},
    {"reserved15", 158, 2, FieldKind::bits, 1, 15},
    {"final_funding_rate", 160, 8, FieldKind::price, 0, 0},
    {"final_futures_mark_price", 168, 8, FieldKind::price, 0, 0},
    {"final_funding_rate_timestamp", 176, 8, FieldKind::int_, 0, 0},
    {"futures_mark_price_price_optional", 184, 8, FieldKind::price, 0, 0},
    {"predicted_funding_rate", 192, 8, FieldKind::price, 0, 0},
    {"spot_mark_price_price_optional", 200, 8, FieldKind::price, 0, 0},
    {"fair_value_price_optional", 208, 8, FieldKind::price, 0, 0},
};

inline constexpr FieldDef kEndOfCycleFields[] = {
    {"active_instrument_count", 0, 4, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kRetransmitRequestFields[] = {
    {"begin_seq_num", 0, 8, FieldKind::int_, 0, 0},
    {"request_message_count", 8, 1, FieldKind::uint_, 0, 0},
};

inline constexpr FieldDef kRetransmitRejectFields[] = {
    {"retry_delay_nanos", 0, 8, FieldKind::int_, 0, 0},
    {"details", 8, 40, FieldKind::text, 0, 0},
    {"reason", 48, 1, FieldKind::int_, 0, 0},
};

inline constexpr TemplateDef kOutrightInstrumentDefinition = {10, "outright_instrument_definition", 182, 156, kOutrightInstrumentDefinitionFields, sizeof(kOutrightInstrumentDefinitionFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kSpreadInstrumentDefinition = {11, "spread_instrument_definition", 175, 156, kSpreadInstrumentDefinitionFields, sizeof(kSpreadInstrumentDefinitionFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kOptionInstrumentDefinition = {12, "option_instrument_definition", 167, 156, kOptionInstrumentDefinitionFields, sizeof(kOptionInstrumentDefinitionFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kTradingStatusUpdate = {17, "trading_status_update", 39, 39, kTradingStatusUpdateFields, sizeof(kTradingStatusUpdateFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kOrderPut = {20, "order_put", 42, 42, kOrderPutFields, sizeof(kOrderPutFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kOrderDelete = {21, "order_delete", 30, 30, kOrderDeleteFields, sizeof(kOrderDeleteFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kImpliedOrderUpdate = {22, "implied_order_update", 46, 46, kImpliedOrderUpdateFields, sizeof(kImpliedOrderUpdateFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kTrade = {30, "trade", 58, 58, kTradeFields, sizeof(kTradeFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kTradeAmend = {31, "trade_amend", 62, 62, kTradeAmendFields, sizeof(kTradeAmendFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kTradeBust = {32, "trade_bust", 46, 46, kTradeBustFields, sizeof(kTradeBustFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kTradeSummary = {33, "trade_summary", 58, 58, kTradeSummaryFields, sizeof(kTradeSummaryFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kSpreadTradeAmend = {34, "spread_trade_amend", 94, 94, kSpreadTradeAmendFields, sizeof(kSpreadTradeAmendFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kMarketStat = {40, "market_stat", 31, 31, kMarketStatFields, sizeof(kMarketStatFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kTradeSessionVolume = {41, "trade_session_volume", 34, 34, kTradeSessionVolumeFields, sizeof(kTradeSessionVolumeFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kOpenInterest = {42, "open_interest", 26, 26, kOpenInterestFields, sizeof(kOpenInterestFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kFundingRate = {43, "funding_rate", 71, 71, kFundingRateFields, sizeof(kFundingRateFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kStartOfOutrightInstrumentSnapshot = {110, "start_of_outright_instrument_snapshot", 138, 114, kStartOfOutrightInstrumentSnapshotFields, sizeof(kStartOfOutrightInstrumentSnapshotFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kStartOfSpreadInstrumentSnapshot = {111, "start_of_spread_instrument_snapshot", 131, 123, kStartOfSpreadInstrumentSnapshotFields, sizeof(kStartOfSpreadInstrumentSnapshotFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kStartOfOptionInstrumentSnapshot = {112, "start_of_option_instrument_snapshot", 141, 130, kStartOfOptionInstrumentSnapshotFields, sizeof(kStartOfOptionInstrumentSnapshotFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kOrderSnapshot = {120, "order_snapshot", 30, 30, kOrderSnapshotFields, sizeof(kOrderSnapshotFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kEndOfSnapshot = {122, "end_of_snapshot", 216, 126, kEndOfSnapshotFields, sizeof(kEndOfSnapshotFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kEndOfCycle = {124, "end_of_cycle", 4, 4, kEndOfCycleFields, sizeof(kEndOfCycleFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kRetransmitRequest = {200, "retransmit_request", 9, 9, kRetransmitRequestFields, sizeof(kRetransmitRequestFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kRetransmitReject = {202, "retransmit_reject", 49, 49, kRetransmitRejectFields, sizeof(kRetransmitRejectFields) / sizeof(FieldDef), false};

enum TemplateId : uint16_t {
  kOutrightInstrumentDefinitionId = kOutrightInstrumentDefinition.id,
  kSpreadInstrumentDefinitionId = kSpreadInstrumentDefinition.id,
  kOptionInstrumentDefinitionId = kOptionInstrumentDefinition.id,
  kTradingStatusUpdateId = kTradingStatusUpdate.id,
  kOrderPutId = kOrderPut.id,
  kOrderDeleteId = kOrderDelete.id,
  kImpliedOrderUpdateId = kImpliedOrderUpdate.id,
  kTradeId = kTrade.id,
  kTradeAmendId = kTradeAmend.id,
  kTradeBustId = kTradeBust.id,
  kTradeSummaryId = kTradeSummary.id,
  kSpreadTradeAmendId = kSpreadTradeAmend.id,
  kMarketStatId = kMarketStat.id,
  kTradeSessionVolumeId = kTradeSessionVolume.id,
  kOpenInterestId = kOpenInterest.id,
  kFundingRateId = kFundingRate.id,
  kStartOfOutrightInstrumentSnapshotId = kStartOfOutrightInstrumentSnapshot.id,
  kStartOfSpreadInstrumentSnapshotId = kStartOfSpreadInstrumentSnapshot.id,
  kStartOfOptionInstrumentSnapshotId = kStartOfOptionInstrumentSnapshot.id,
  kOrderSnapshotId = kOrderSnapshot.id,
  kEndOfSnapshotId = kEndOfSnapshot.id,
  kEndOfCycleId = kEndOfCycle.id,
  kRetransmitRequestId = kRetransmitRequest.id,
  kRetransmitRejectId = kRetransmitReject.id,
};

inline constexpr const TemplateDef* kTemplates[] = {
    &kOutrightInstrumentDefinition,
    &kSpreadInstrumentDefinition,
    &kOptionInstrumentDefinition,
    &kTradingStatusUpdate,
    &kOrderPut,
    &kOrderDelete,
    &kImpliedOrderUpdate,
    &kTrade,
    &kTradeAmend,
    &kTradeBust,
    &kTradeSummary,
    &kSpreadTradeAmend,
    &kMarketStat,
    &kTradeSessionVolume,
    &kOpenInterest,
    &kFundingRate,
    &kStartOfOutrightInstrumentSnapshot,
    &kStartOfSpreadInstrumentSnapshot,
    &kStartOfOptionInstrumentSnapshot,
    &kOrderSnapshot,
    &kEndOfSnapshot,
    &kEndOfCycle,
    &kRetransmitRequest,
    &kRetransmitReject,
};

// Layout of a template id, or nullptr when the id is not part of the schema: the switch, which
// the kernels synthesize as a small decoder (find_template on the card).
constexpr const TemplateDef* find_template_switch(uint16_t id) {
  switch (id) {
    case kOutrightInstrumentDefinitionId: return &kOutrightInstrumentDefinition;
    case kSpreadInstrumentDefinitionId: return &kSpreadInstrumentDefinition;
    case kOptionInstrumentDefinitionId: return &kOptionInstrumentDefinition;
    case kTradingStatusUpdateId: return &kTradingStatusUpdate;
    case kOrderPutId: return &kOrderPut;
    case kOrderDeleteId: return &kOrderDelete;
    case kImpliedOrderUpdateId: return &kImpliedOrderUpdate;
    case kTradeId: return &kTrade;
    case kTradeAmendId: return &kTradeAmend;
    case kTradeBustId: return &kTradeBust;
    case kTradeSummaryId: return &kTradeSummary;
    case kSpreadTradeAmendId: return &kSpreadTradeAmend;
    case kMarketStatId: return &kMarketStat;
    case kTradeSessionVolumeId: return &kTradeSessionVolume;
    case kOpenInterestId: return &kOpenInterest;
    case kFundingRateId: return &kFundingRate;
    case kStartOfOutrightInstrumentSnapshotId: return &kStartOfOutrightInstrumentSnapshot;
    case kStartOfSpreadInstrumentSnapshotId: return &kStartOfSpreadInstrumentSnapshot;
    case kStartOfOptionInstrumentSnapshotId: return &kStartOfOptionInstrumentSnapshot;
    case kOrderSnapshotId: return &kOrderSnapshot;
    case kEndOfSnapshotId: return &kEndOfSnapshot;
    case kEndOfCycleId: return &kEndOfCycle;
    case kRetransmitRequestId: return &kRetransmitRequest;
    case kRetransmitRejectId: return &kRetransmitReject;
    default: return nullptr;
  }
}

// Position in kTemplates by template id (kNoTemplate: not in the schema). On the CPU a table load
// instead of the switch's jump table: that indirect jump on the message type, which varies from
// message to message, mispredicted once per message ahead of normalize()'s own dispatch.
constexpr uint8_t kNoTemplate = 0xFF;
constexpr int kTemplateIdLimit = 256;  // every template id is below it (checked below)
struct TemplateSlots {
  uint8_t at[kTemplateIdLimit];
};
constexpr TemplateSlots make_template_slots() {
  TemplateSlots t{};
  for (int i = 0; i < kTemplateIdLimit; ++i) t.at[i] = kNoTemplate;
  for (int k = 0; k < (int)(sizeof kTemplates / sizeof kTemplates[0]); ++k)
    if (kTemplates[k]->id < kTemplateIdLimit) t.at[kTemplates[k]->id] = (uint8_t)k;
  return t;
}
inline constexpr TemplateSlots kTemplateSlots = make_template_slots();

constexpr const TemplateDef* find_template(uint16_t id) {
#if defined(__SYNTHESIS__)
  return find_template_switch(id);
#else
  if (id >= kTemplateIdLimit) return nullptr;
  const uint8_t k = kTemplateSlots.at[id];
  return k == kNoTemplate ? nullptr : kTemplates[k];
#endif
}

// Every layout of kTemplates is found by its id (and so no id is used twice), every id is below
// kTemplateIdLimit, and the table and the switch agree on every id below it (above it both are
// null: no template has such an id).
constexpr bool every_template_found() {
  for (const TemplateDef* t : kTemplates)
    if (t->id >= kTemplateIdLimit || find_template_switch(t->id) != t || find_template(t->id) != t) return false;
  for (int id = 0; id < kTemplateIdLimit; ++id)
    if (find_template_switch((uint16_t)id) != find_template((uint16_t)id)) return false;
  return find_template(kTemplateIdLimit) == nullptr && find_template(0xFFFF) == nullptr;
}
static_assert(every_template_found(), "kTemplates, the id table and find_template_switch disagree");

}  // namespace md
}  // namespace pw
