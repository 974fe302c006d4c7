// Coinbase Derivatives Orders SBE (order entry over TCP), layout v1.8: every template's fields with
// their offsets, sizes and kinds, for encoding and decoding. Session messages (schema 1100) and
// application messages (schema 1101) have separate template spaces: template 102 is ResendRequest
// in the session space and Ping in the application space; 202 is GapFill and Pong. Real v1.4
// captures carry ProtocolId 241 on both, so the schema id is what tells them apart.
// `min_block` is the shortest body accepted: v1.4 (version 3) sends NewOrder with block 33 and
// ReplaceOrder with block 32 (without the trailing flags/good-til-date/time-in-force fields).
// Ping and Pong end in a var-data field (uint8 length, then the bytes) after their fixed block.
#pragma once
#include "core/sbe_schema.hpp"

namespace pw {
namespace orders {

constexpr uint16_t kSessionSchemaId = 1100;
constexpr uint16_t kApplicationSchemaId = 1101;
constexpr uint16_t kSessionVersion = 0;
constexpr uint16_t kApplicationVersion = 8;
constexpr uint8_t kProtocolId = 241;
constexpr uint16_t kHeaderSize = 32;

inline constexpr FieldDef kMessageHeaderFields[] = {
    {"protocol_id", 0, 1, FieldKind::uint_, 0, 0},
    {"flags", 1, 1, FieldKind::uint_, 0, 0},
    {"is_resend", 1, 1, FieldKind::bits, 0, 1},
    {"reserved_bits", 1, 1, FieldKind::bits, 1, 7},
    {"message_length", 2, 2, FieldKind::uint_, 0, 0},
    {"sequence_number", 4, 4, FieldKind::uint_, 0, 0},
    {"last_processed_seq_no", 8, 4, FieldKind::uint_, 0, 0},
    {"reserved", 12, 4, FieldKind::uint_, 0, 0},
    {"send_time_epoch_nanos", 16, 8, FieldKind::int_, 0, 0},
    {"block_length", 24, 2, FieldKind::uint_, 0, 0},
    {"template_id", 26, 2, FieldKind::uint_, 0, 0},
    {"schema_id", 28, 2, FieldKind::uint_, 0, 0},
    {"version", 30, 2, FieldKind::uint_, 0, 0},
};

inline constexpr TemplateDef kMessageHeader = {0, "message_header", kHeaderSize, kHeaderSize, kMessageHeaderFields, sizeof(kMessageHeaderFields) / sizeof(FieldDef), false};

inline constexpr FieldDef kHeartbeatFields[] = {
    {"correlation_id", 0, 8, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kTestRequestFields[] = {
    {"correlation_id", 0, 8, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kLogonFields[] = {
    {"username", 0, 16, FieldKind::text, 0, 0},
    {"password", 16, 32, FieldKind::text, 0, 0},
    {"reset_seq_num", 48, 1, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kLogoutFields[] = {
    {"reason", 0, 64, FieldKind::text, 0, 0},
};

inline constexpr FieldDef kPingFields[] = {
    {"correlation_id", 0, 8, FieldKind::int_, 0, 0},
    {"request_time", 8, 8, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kResendRequestFields[] = {
    {"from_sequence_number", 0, 4, FieldKind::uint_, 0, 0},
    {"to_sequence_number", 4, 4, FieldKind::uint_, 0, 0},
};

inline constexpr FieldDef kInstrumentInfoRequestFields[] = {
    {"correlation_id", 0, 8, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kSetAccountFields[] = {
    {"correlation_id", 0, 8, FieldKind::int_, 0, 0},
    {"account", 8, 16, FieldKind::text, 0, 0},
};

inline constexpr FieldDef kSetTraderFields[] = {
    {"correlation_id", 0, 8, FieldKind::int_, 0, 0},
    {"trader", 8, 16, FieldKind::text, 0, 0},
};

inline constexpr FieldDef kNewOrderFields[] = {
    {"client_order_id", 0, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 8, 8, FieldKind::int_, 0, 0},
    {"limit_price", 16, 8, FieldKind::price, 0, 0},
    {"quantity", 24, 4, FieldKind::int_, 0, 0},
    {"instrument_id", 28, 4, FieldKind::int_, 0, 0},
    {"side", 32, 1, FieldKind::int_, 0, 0},
    {"order_flags", 33, 1, FieldKind::uint_, 0, 0},
    {"good_til_date", 34, 2, FieldKind::uint_, 0, 0},
};

inline constexpr FieldDef kNewIocOrderFields[] = {
    {"client_order_id", 0, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 8, 8, FieldKind::int_, 0, 0},
    {"limit_price", 16, 8, FieldKind::price, 0, 0},
    {"quantity", 24, 4, FieldKind::int_, 0, 0},
    {"min_qty", 28, 4, FieldKind::int_, 0, 0},
    {"instrument_id", 32, 4, FieldKind::int_, 0, 0},
    {"side", 36, 1, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kReplaceOrderFields[] = {
    {"client_order_id", 0, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 8, 8, FieldKind::int_, 0, 0},
    {"new_limit_price", 16, 8, FieldKind::price, 0, 0},
    {"new_quantity", 24, 4, FieldKind::int_, 0, 0},
    {"instrument_id", 28, 4, FieldKind::int_, 0, 0},
    {"good_til_date", 32, 2, FieldKind::uint_, 0, 0},
    {"time_in_force", 34, 1, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kObsoleteStreamOrderFields[] = {
    {"client_order_id", 0, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 8, 8, FieldKind::int_, 0, 0},
    {"last_processed_fill_id", 16, 8, FieldKind::int_, 0, 0},
    {"limit_price", 24, 8, FieldKind::price, 0, 0},
    {"quantity", 32, 4, FieldKind::int_, 0, 0},
    {"instrument_id", 36, 4, FieldKind::int_, 0, 0},
    {"side", 40, 1, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kCancelOrderFields[] = {
    {"client_order_id", 0, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 8, 8, FieldKind::int_, 0, 0},
    {"instrument_id", 16, 4, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kMassCancelOrderFields[] = {
    {"correlation_id", 0, 8, FieldKind::int_, 0, 0},
    {"limit_price", 8, 8, FieldKind::price, 0, 0},
    {"instrument_id", 16, 4, FieldKind::int_, 0, 0},
    {"side", 20, 1, FieldKind::int_, 0, 0},
    {"current_session_only", 21, 1, FieldKind::int_, 0, 0},
    {"request_trading_lock", 22, 1, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kUnlockTradingFields[] = {
    {"correlation_id", 0, 8, FieldKind::int_, 0, 0},
    {"current_session_only", 8, 1, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kLastExecIdRequestFields[] = {
    {"correlation_id", 0, 8, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kEventResendRequestFields[] = {
    {"correlation_id", 0, 8, FieldKind::int_, 0, 0},
    {"begin_exec_id", 8, 8, FieldKind::int_, 0, 0},
    {"end_exec_id", 16, 8, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kResetOptionsFillProtectionFields[] = {
    {"correlation_id", 0, 8, FieldKind::int_, 0, 0},
    {"product_id", 8, 4, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kLogonConfFields[] = {
    {"heartbeat_interval_seconds", 0, 4, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kLoggedOutFields[] = {
    {"reason", 0, 64, FieldKind::text, 0, 0},
};

inline constexpr FieldDef kGapFillFields[] = {
    {"new_sequence_number", 0, 4, FieldKind::uint_, 0, 0},
    {"gap_fill_padding", 4, 4, FieldKind::uint_, 0, 0},
};

inline constexpr FieldDef kPongFields[] = {
    {"correlation_id", 0, 8, FieldKind::int_, 0, 0},
    {"request_time", 8, 8, FieldKind::int_, 0, 0},
    {"server_time", 16, 8, FieldKind::int_, 0, 0},
    {"trading_instrument_status", 24, 1, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kInstrumentInfoFields[] = {
    {"correlation_id", 0, 8, FieldKind::int_, 0, 0},
    {"instrument_id", 8, 4, FieldKind::int_, 0, 0},
    {"security_type", 12, 1, FieldKind::uint_, 0, 0},
    {"instrument_status", 13, 1, FieldKind::uint_, 0, 0},
    {"is_last_message", 14, 1, FieldKind::int_, 0, 0},
    {"reserved_byte", 15, 1, FieldKind::int_, 0, 0},
    {"symbol", 16, 32, FieldKind::text, 0, 0},
};

inline constexpr FieldDef kSetAckFields[] = {
    {"correlation_id", 0, 8, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kOrderEnteredFields[] = {
    {"timestamp", 0, 8, FieldKind::int_, 0, 0},
    {"exec_id", 8, 8, FieldKind::int_, 0, 0},
    {"client_order_id", 16, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 24, 8, FieldKind::int_, 0, 0},
    {"order_id", 32, 8, FieldKind::int_, 0, 0},
    {"receive_time", 40, 8, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kOrderReplacedFields[] = {
    {"timestamp", 0, 8, FieldKind::int_, 0, 0},
    {"exec_id", 8, 8, FieldKind::int_, 0, 0},
    {"client_order_id", 16, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 24, 8, FieldKind::int_, 0, 0},
    {"order_id", 32, 8, FieldKind::int_, 0, 0},
    {"receive_time", 40, 8, FieldKind::int_, 0, 0},
    {"total_filled", 48, 4, FieldKind::int_, 0, 0},
    {"available_qty", 52, 4, FieldKind::int_, 0, 0},
    {"instrument_id", 56, 4, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kOrderRejectFields[] = {
    {"timestamp", 0, 8, FieldKind::int_, 0, 0},
    {"client_order_id", 8, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 16, 8, FieldKind::int_, 0, 0},
    {"order_id_optional", 24, 8, FieldKind::int_, 0, 0},
    {"order_reject_reason", 32, 1, FieldKind::uint_, 0, 0},
    {"order_reject_details", 33, 47, FieldKind::text, 0, 0},
};

inline constexpr FieldDef kOrderCanceledFields[] = {
    {"timestamp", 0, 8, FieldKind::int_, 0, 0},
    {"exec_id", 8, 8, FieldKind::int_, 0, 0},
    {"client_order_id", 16, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 24, 8, FieldKind::int_, 0, 0},
    {"order_id", 32, 8, FieldKind::int_, 0, 0},
    {"receive_time", 40, 8, FieldKind::int_, 0, 0},
    {"total_filled", 48, 4, FieldKind::int_, 0, 0},
    {"instrument_id", 52, 4, FieldKind::int_, 0, 0},
    {"cancel_reason", 56, 1, FieldKind::uint_, 0, 0},
};

inline constexpr FieldDef kMassCancelOrderAckFields[] = {
    {"timestamp", 0, 8, FieldKind::int_, 0, 0},
    {"exec_id", 8, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 16, 8, FieldKind::int_, 0, 0},
    {"canceled_count", 24, 4, FieldKind::int_, 0, 0},
    {"only_current_session", 28, 1, FieldKind::int_, 0, 0},
    {"trading_lock_applied", 29, 1, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kMassCancelOrderRejectFields[] = {
    {"timestamp", 0, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 8, 8, FieldKind::int_, 0, 0},
    {"error_message", 16, 32, FieldKind::text, 0, 0},
};

inline constexpr FieldDef kCancelOrderRejectFields[] = {
    {"timestamp", 0, 8, FieldKind::int_, 0, 0},
    {"client_order_id", 8, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 16, 8, FieldKind::int_, 0, 0},
    {"order_id_optional", 24, 8, FieldKind::int_, 0, 0},
    {"cancel_order_reject_reason", 32, 1, FieldKind::uint_, 0, 0},
    {"cancel_order_reject_details", 33, 31, FieldKind::text, 0, 0},
};

inline constexpr FieldDef kUnlockTradingAckFields[] = {
    {"timestamp", 0, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 8, 8, FieldKind::int_, 0, 0},
    {"num_users_affected", 16, 4, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kUnlockTradingRejectFields[] = {
    {"timestamp", 0, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 8, 8, FieldKind::int_, 0, 0},
    {"error_message", 16, 32, FieldKind::text, 0, 0},
};

inline constexpr FieldDef kOrderFilledFields[] = {
    {"timestamp", 0, 8, FieldKind::int_, 0, 0},
    {"exec_id", 8, 8, FieldKind::int_, 0, 0},
    {"match_id", 16, 8, FieldKind::int_, 0, 0},
    {"client_order_id", 24, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 32, 8, FieldKind::int_, 0, 0},
    {"order_id", 40, 8, FieldKind::int_, 0, 0},
    {"filled_vwap", 48, 8, FieldKind::price, 0, 0},
    {"total_filled", 56, 4, FieldKind::int_, 0, 0},
    {"available_qty", 60, 4, FieldKind::int_, 0, 0},
    {"fill_price", 64, 8, FieldKind::price, 0, 0},
    {"fill_qty", 72, 4, FieldKind::int_, 0, 0},
    {"instrument_id", 76, 4, FieldKind::int_, 0, 0},
    {"is_aggressor", 80, 1, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kSpreadOrderFilledFields[] = {
    {"timestamp", 0, 8, FieldKind::int_, 0, 0},
    {"exec_id", 8, 8, FieldKind::int_, 0, 0},
    {"match_id", 16, 8, FieldKind::int_, 0, 0},
    {"client_order_id", 24, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 32, 8, FieldKind::int_, 0, 0},
    {"order_id", 40, 8, FieldKind::int_, 0, 0},
    {"filled_vwap", 48, 8, FieldKind::price, 0, 0},
    {"total_filled", 56, 4, FieldKind::int_, 0, 0},
    {"available_qty", 60, 4, FieldKind::int_, 0, 0},
    {"fill_price", 64, 8, FieldKind::price, 0, 0},
    {"leg_1_fill_price", 72, 8, FieldKind::price, 0, 0},
    {"leg_2_fill_price", 80, 8, FieldKind::price, 0, 0},
    {"fill_qty", 88, 4, FieldKind::int_, 0, 0},
    {"instrument_id", 92, 4, FieldKind::int_, 0, 0},
    {"is_aggressor", 96, 1, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kLastExecIdFields[] = {
    {"timestamp", 0, 8, FieldKind::int_, 0, 0},
    {"last_exec_id", 8, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 16, 8, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kEventResendCompleteFields[] = {
    {"correlation_id", 0, 8, FieldKind::int_, 0, 0},
    {"resent_event_count", 8, 4, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kEventResendRejectFields[] = {
    {"correlation_id", 0, 8, FieldKind::int_, 0, 0},
    {"resend_reject_reason", 8, 1, FieldKind::int_, 0, 0},
    {"details_string_55", 9, 55, FieldKind::text, 0, 0},
};

inline constexpr FieldDef kResetOptionsFillProtectionAckFields[] = {
    {"timestamp", 0, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 8, 8, FieldKind::int_, 0, 0},
    {"product_id", 16, 4, FieldKind::int_, 0, 0},
};

inline constexpr FieldDef kResetOptionsFillProtectionRejectFields[] = {
    {"timestamp", 0, 8, FieldKind::int_, 0, 0},
    {"correlation_id", 8, 8, FieldKind::int_, 0, 0},
    {"error_message", 16, 32, FieldKind::text, 0, 0},
};

inline constexpr TemplateDef kHeartbeat = {10, "heartbeat", 8, 8, kHeartbeatFields, sizeof(kHeartbeatFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kTestRequest = {11, "test_request", 8, 8, kTestRequestFields, sizeof(kTestRequestFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kLogon = {100, "logon", 49, 49, kLogonFields, sizeof(kLogonFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kLogout = {101, "logout", 64, 64, kLogoutFields, sizeof(kLogoutFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kResendRequest = {102, "resend_request", 8, 8, kResendRequestFields, sizeof(kResendRequestFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kLogonConf = {200, "logon_conf", 4, 4, kLogonConfFields, sizeof(kLogonConfFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kLoggedOut = {201, "logged_out", 64, 64, kLoggedOutFields, sizeof(kLoggedOutFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kGapFill = {202, "gap_fill", 8, 8, kGapFillFields, sizeof(kGapFillFields) / sizeof(FieldDef), false};

inline constexpr TemplateDef kPing = {102, "ping", 16, 16, kPingFields, sizeof(kPingFields) / sizeof(FieldDef), true};
inline constexpr TemplateDef kInstrumentInfoRequest = {103, "instrument_info_request", 8, 8, kInstrumentInfoRequestFields, sizeof(kInstrumentInfoRequestFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kSetAccount = {105, "set_account", 24, 24, kSetAccountFields, sizeof(kSetAccountFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kSetTrader = {106, "set_trader", 24, 24, kSetTraderFields, sizeof(kSetTraderFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kNewOrder = {110, "new_order", 36, 33, kNewOrderFields, sizeof(kNewOrderFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kNewIocOrder = {111, "new_ioc_order", 37, 37, kNewIocOrderFields, sizeof(kNewIocOrderFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kReplaceOrder = {120, "replace_order", 35, 32, kReplaceOrderFields, sizeof(kReplaceOrderFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kObsoleteStreamOrder = {121, "obsolete_stream_order", 41, 41, kObsoleteStreamOrderFields, sizeof(kObsoleteStreamOrderFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kCancelOrder = {130, "cancel_order", 20, 20, kCancelOrderFields, sizeof(kCancelOrderFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kMassCancelOrder = {131, "mass_cancel_order", 23, 23, kMassCancelOrderFields, sizeof(kMassCancelOrderFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kUnlockTrading = {132, "unlock_trading", 9, 9, kUnlockTradingFields, sizeof(kUnlockTradingFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kLastExecIdRequest = {150, "last_exec_id_request", 8, 8, kLastExecIdRequestFields, sizeof(kLastExecIdRequestFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kEventResendRequest = {152, "event_resend_request", 24, 24, kEventResendRequestFields, sizeof(kEventResendRequestFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kResetOptionsFillProtection = {160, "reset_options_fill_protection", 12, 12, kResetOptionsFillProtectionFields, sizeof(kResetOptionsFillProtectionFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kPong = {202, "pong", 25, 25, kPongFields, sizeof(kPongFields) / sizeof(FieldDef), true};
inline constexpr TemplateDef kInstrumentInfo = {203, "instrument_info", 48, 48, kInstrumentInfoFields, sizeof(kInstrumentInfoFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kSetAck = {205, "set_ack", 8, 8, kSetAckFields, sizeof(kSetAckFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kOrderEntered = {210, "order_entered", 48, 48, kOrderEnteredFields, sizeof(kOrderEnteredFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kOrderReplaced = {220, "order_replaced", 60, 60, kOrderReplacedFields, sizeof(kOrderReplacedFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kOrderReject = {221, "order_reject", 80, 80, kOrderRejectFields, sizeof(kOrderRejectFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kOrderCanceled = {230, "order_canceled", 57, 57, kOrderCanceledFields, sizeof(kOrderCanceledFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kMassCancelOrderAck = {231, "mass_cancel_order_ack", 30, 30, kMassCancelOrderAckFields, sizeof(kMassCancelOrderAckFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kMassCancelOrderReject = {232, "mass_cancel_order_reject", 48, 48, kMassCancelOrderRejectFields, sizeof(kMassCancelOrderRejectFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kCancelOrderReject = {233, "cancel_order_reject", 64, 64, kCancelOrderRejectFields, sizeof(kCancelOrderRejectFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kUnlockTradingAck = {234, "unlock_trading_ack", 20, 20, kUnlockTradingAckFields, sizeof(kUnlockTradingAckFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kUnlockTradingReject = {235, "unlock_trading_reject", 48, 48, kUnlockTradingRejectFields, sizeof(kUnlockTradingRejectFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kOrderFilled = {240, "order_filled", 81, 81, kOrderFilledFields, sizeof(kOrderFilledFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kSpreadOrderFilled = {241, "spread_order_filled", 97, 97, kSpreadOrderFilledFields, sizeof(kSpreadOrderFilledFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kLastExecId = {250, "last_exec_id", 24, 24, kLastExecIdFields, sizeof(kLastExecIdFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kEventResendComplete = {252, "event_resend_complete", 12, 12, kEventResendCompleteFields, sizeof(kEventResendCompleteFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kEventResendReject = {253, "event_resend_reject", 64, 64, kEventResendRejectFields, sizeof(kEventResendRejectFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kResetOptionsFillProtectionAck = {260, "reset_options_fill_protection_ack", 20, 20, kResetOptionsFillProtectionAckFields, sizeof(kResetOptionsFillProtectionAckFields) / sizeof(FieldDef), false};
inline constexpr TemplateDef kResetOptionsFillProtectionReject = {261, "reset_options_fill_protection_reject", 48, 48, kResetOptionsFillProtectionRejectFields, sizeof(kResetOptionsFillProtectionRejectFields) / sizeof(FieldDef), false};

enum SessionTemplateId : uint16_t {
  kHeartbeatId = kHeartbeat.id,
  kTestRequestId = kTestRequest.id,
  kLogonId = kLogon.id,
  kLogoutId = kLogout.id,
  kResendRequestId = kResendRequest.id,
  kLogonConfId = kLogonConf.id,
  kLoggedOutId = kLoggedOut.id,
  kGapFillId = kGapFill.id,
};

inline constexpr const TemplateDef* kSessionTemplates[] = {
    &kHeartbeat,
    &kTestRequest,
    &kLogon,
    &kLogout,
    &kResendRequest,
    &kLogonConf,
    &kLoggedOut,
    &kGapFill,
};

enum ApplicationTemplateId : uint16_t {
  kPingId = kPing.id,
  kInstrumentInfoRequestId = kInstrumentInfoRequest.id,
  kSetAccountId = kSetAccount.id,
  kSetTraderId = kSetTrader.id,
  kNewOrderId = kNewOrder.id,
  kNewIocOrderId = kNewIocOrder.id,
  kReplaceOrderId = kReplaceOrder.id,
  kObsoleteStreamOrderId = kObsoleteStreamOrder.id,
  kCancelOrderId = kCancelOrder.id,
  kMassCancelOrderId = kMassCancelOrder.id,
  kUnlockTradingId = kUnlockTrading.id,
  kLastExecIdRequestId = kLastExecIdRequest.id,
  kEventResendRequestId = kEventResendRequest.id,
  kResetOptionsFillProtectionId = kResetOptionsFillProtection.id,
  kPongId = kPong.id,
  kInstrumentInfoId = kInstrumentInfo.id,
  kSetAckId = kSetAck.id,
  kOrderEnteredId = kOrderEntered.id,
  kOrderReplacedId = kOrderReplaced.id,
  kOrderRejectId = kOrderReject.id,
  kOrderCanceledId = kOrderCanceled.id,
  kMassCancelOrderAckId = kMassCancelOrderAck.id,
  kMassCancelOrderRejectId = kMassCancelOrderReject.id,
  kCancelOrderRejectId = kCancelOrderReject.id,
  kUnlockTradingAckId = kUnlockTradingAck.id,
  kUnlockTradingRejectId = kUnlockTradingReject.id,
  kOrderFilledId = kOrderFilled.id,
  kSpreadOrderFilledId = kSpreadOrderFilled.id,
  kLastExecIdId = kLastExecId.id,
  kEventResendCompleteId = kEventResendComplete.id,
  kEventResendRejectId = kEventResendReject.id,
  kResetOptionsFillProtectionAckId = kResetOptionsFillProtectionAck.id,
  kResetOptionsFillProtectionRejectId = kResetOptionsFillProtectionReject.id,
};

inline constexpr const TemplateDef* kApplicationTemplates[] = {
    &kPing,
    &kInstrumentInfoRequest,
    &kSetAccount,
    &kSetTrader,
    &kNewOrder,
    &kNewIocOrder,
    &kReplaceOrder,
    &kObsoleteStreamOrder,
    &kCancelOrder,
    &kMassCancelOrder,
    &kUnlockTrading,
    &kLastExecIdRequest,
    &kEventResendRequest,
    &kResetOptionsFillProtection,
    &kPong,
    &kInstrumentInfo,
    &kSetAck,
    &kOrderEntered,
    &kOrderReplaced,
    &kOrderReject,
    &kOrderCanceled,
    &kMassCancelOrderAck,
    &kMassCancelOrderReject,
    &kCancelOrderReject,
    &kUnlockTradingAck,
    &kUnlockTradingReject,
    &kOrderFilled,
    &kSpreadOrderFilled,
    &kLastExecId,
    &kEventResendComplete,
    &kEventResendReject,
    &kResetOptionsFillProtectionAck,
    &kResetOptionsFillProtectionReject,
};

// Layout of a template in the given schema, or nullptr when the pair is unknown.
constexpr const TemplateDef* find_template(uint16_t schema_id, uint16_t id) {
  if (schema_id == kSessionSchemaId) {
    switch (id) {
      case kHeartbeatId: return &kHeartbeat;
      case kTestRequestId: return &kTestRequest;
      case kLogonId: return &kLogon;
      case kLogoutId: return &kLogout;
      case kResendRequestId: return &kResendRequest;
      case kLogonConfId: return &kLogonConf;
      case kLoggedOutId: return &kLoggedOut;
      case kGapFillId: return &kGapFill;
      default: return nullptr;
    }
  }
  if (schema_id == kApplicationSchemaId) {
    switch (id) {
      case kPingId: return &kPing;
      case kInstrumentInfoRequestId: return &kInstrumentInfoRequest;
      case kSetAccountId: return &kSetAccount;
      case kSetTraderId: return &kSetTrader;
      case kNewOrderId: return &kNewOrder;
      case kNewIocOrderId: return &kNewIocOrder;
      case kReplaceOrderId: return &kReplaceOrder;
      case kObsoleteStreamOrderId: return &kObsoleteStreamOrder;
      case kCancelOrderId: return &kCancelOrder;
      case kMassCancelOrderId: return &kMassCancelOrder;
      case kUnlockTradingId: return &kUnlockTrading;
      case kLastExecIdRequestId: return &kLastExecIdRequest;
      case kEventResendRequestId: return &kEventResendRequest;
      case kResetOptionsFillProtectionId: return &kResetOptionsFillProtection;
      case kPongId: return &kPong;
      case kInstrumentInfoId: return &kInstrumentInfo;
      case kSetAckId: return &kSetAck;
      case kOrderEnteredId: return &kOrderEntered;
      case kOrderReplacedId: return &kOrderReplaced;
      case kOrderRejectId: return &kOrderReject;
      case kOrderCanceledId: return &kOrderCanceled;
      case kMassCancelOrderAckId: return &kMassCancelOrderAck;
      case kMassCancelOrderRejectId: return &kMassCancelOrderReject;
      case kCancelOrderRejectId: return &kCancelOrderReject;
      case kUnlockTradingAckId: return &kUnlockTradingAck;
      case kUnlockTradingRejectId: return &kUnlockTradingReject;
      case kOrderFilledId: return &kOrderFilled;
      case kSpreadOrderFilledId: return &kSpreadOrderFilled;
      case kLastExecIdId: return &kLastExecId;
      case kEventResendCompleteId: return &kEventResendComplete;
      case kEventResendRejectId: return &kEventResendReject;
      case kResetOptionsFillProtectionAckId: return &kResetOptionsFillProtectionAck;
      case kResetOptionsFillProtectionRejectId: return &kResetOptionsFillProtectionReject;
      default: return nullptr;
    }
  }
  return nullptr;
}

// Every layout of both lists is found by its schema and id (and so no id is used twice in a space).
constexpr bool every_template_found() {
  for (const TemplateDef* t : kSessionTemplates)
    if (find_template(kSessionSchemaId, t->id) != t) return false;
  for (const TemplateDef* t : kApplicationTemplates)
    if (find_template(kApplicationSchemaId, t->id) != t) return false;
  return true;
}
static_assert(every_template_found(), "the template lists and find_template disagree");

}  // namespace orders
}  // namespace pw
