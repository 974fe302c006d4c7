// pretrade_risk: order requests, the market of each instrument (from market_state) and the
// exchange's answers in; one decision per order request out. core/risk_engine.hpp, unchanged, is
// the gate: the 13 checks in their fixed order, reservations, fills, funding.
//
// Streams (AXI4-Stream, one record per transfer, record byte i in bits 8i+7..8i):
//   orders     OrderRequest (core/risk_types.hpp, 320 bits) from the strategy / order-entry path
//   markets    MarketUpdate (market_state.hpp, 640 bits): RiskEngine::set_market(slot, market)
//   exchange   ExchangeEvent (below, 384 bits): the exchange's answers, funding, start of day
//   decisions  RiskDecision (256 bits), one per order request, in request order
// Within a call, a waiting market update goes first, then a waiting exchange answer, then an order:
// an order is checked against every market and answer that arrived before it.
//
// Limits, cash, carried positions and kill switches are set through s_axilite (RiskControl), one
// operation per call; they apply from the next order on.
#pragma once
#include <cstdint>

#include "core/risk_engine.hpp"
#include "core/risk_types.hpp"
#include "hls/common/record_pack.hpp"
#include "hls/market_state/market_state.hpp"
#include "perpwire_hls/hls_compat.hpp"

namespace pw {
namespace hlsk {

// Capacities: accounts, instruments (= market_state slots), open orders, dedup window of client
// order ids, order-entry sessions.
constexpr int kRiskAccounts = 16;
constexpr int kRiskInstruments = kMarketInstruments;
constexpr int kRiskOpenOrders = 1024;
constexpr int kRiskDedupWindow = 4096;
constexpr int kRiskSessions = 8;
typedef RiskEngine<kRiskAccounts, kRiskInstruments, kRiskOpenOrders, kRiskDedupWindow, kRiskSessions> KernelRiskEngine;

typedef RecordWordOf<OrderRequest>::type OrderWord;        // 320 bits
typedef RecordWordOf<RiskDecision>::type DecisionWord;     // 256 bits

enum class ExchangeKind : uint8_t {
  entered = 1,         // on_entered(client_order_id)
  fill = 2,            // on_fill(client_order_id, qty, price)
  canceled = 3,        // on_cancel(client_order_id)
  rejected = 4,        // on_reject(client_order_id)
  replaced = 5,        // on_replace(client_order_id)
  untracked_fill = 6,  // on_untracked_fill(account, instrument, side, qty, price)
  funding = 7,         // apply_funding(instrument, mark, rate)
  new_day = 8,         // reset_daily()
};

struct ExchangeEvent {
  int64_t client_order_id;
  int64_t qty;
  int64_t price;       // fill price
  int64_t mark;        // funding
  int64_t rate;        // funding
  uint8_t kind;        // ExchangeKind
  int8_t side;         // untracked_fill
  uint16_t account;    // untracked_fill
  uint16_t instrument; // untracked_fill, funding
  uint16_t reserved;
};
static_assert(sizeof(ExchangeEvent) == 48, "ExchangeEvent is a 48-byte record");
typedef RecordWordOf<ExchangeEvent>::type ExchangeWord;    // 384 bits

enum RiskOp : uint32_t {
  kRiskRun = 0,              // consume `items` input records (markets, exchange answers, orders)
  kRiskReset = 1,            // forget everything
  kRiskAccountLimits = 2,    // set_account_limits(index, account)
  kRiskInstrumentLimits = 3, // set_instrument_limits(index, instrument)
  kRiskSessionLimits = 4,    // set_session_limits(index, session)
  kRiskCash = 5,             // set_cash(index, value)
  kRiskPosition = 6,         // set_position(index, index2, value, value2)
  kRiskKillGlobal = 7,       // set_kill_global(on)
  kRiskKillAccount = 8,      // set_kill_account(index, on)
  kRiskKillInstrument = 9,   // set_kill_instrument(index, on)
};

struct RiskControl {
  uint32_t op;     // RiskOp
  uint32_t items;  // kRiskRun
  int32_t index;
  int32_t index2;
  int64_t value;
  int64_t value2;
  uint8_t on;
  uint8_t reserved[7];
  AccountLimits account;
  InstrumentLimits instrument;
  SessionLimits session;
};

struct RiskStatus {
  LimitsError limits;       // the limits operations' answer (ok otherwise)
  uint8_t reserved;
  uint32_t consumed;        // kRiskRun: input records consumed
  uint32_t decisions;       // kRiskRun: decisions written
  uint32_t unmatched;       // kRiskRun: exchange answers the engine answered false to
  uint32_t open_orders;
  uint32_t reserved2;
  RiskCounters counters;    // since the last reset
};

}  // namespace hlsk
}  // namespace pw

extern "C" void pretrade_risk(hls::stream<pw::hlsk::OrderWord>& orders, hls::stream<pw::hlsk::MarketWord>& markets,
                              hls::stream<pw::hlsk::ExchangeWord>& exchange,
                              hls::stream<pw::hlsk::DecisionWord>& decisions, pw::hlsk::RiskControl ctl,
                              pw::hlsk::RiskStatus* status);
