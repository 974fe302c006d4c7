// pretrade_risk: one sequence of inputs — market updates (from market_state, through risk_merge),
// the exchange's answers and order requests — in; one decision per order request out.
// core/risk_engine.hpp, unchanged, is the gate: the 13 checks in their fixed order, reservations,
// fills, funding.
//
// Streams (AXI4-Stream, one record per transfer, record byte i in bits 8i+7..8i):
//   inputs     RiskInput (risk_input.hpp, 768 bits): the records in the order the gate applies
//              them, numbered; from risk_merge on the card, from the host in C-simulation
//   decisions  SequencedDecision (320 bits): each order request's decision and sequence number
// The kernel applies the inputs strictly in their order: an order is checked against every market
// and answer before it in the sequence, and against none after it — the same on the card as in
// the software path replaying the merge log.
//
// Limits, cash, carried positions and kill switches are set through s_axilite (RiskControl), one
// operation per call; they apply from the next input on.
#pragma once
#include <cstdint>

#include "core/risk_engine.hpp"
#include "core/risk_types.hpp"
#include "hls/common/record_pack.hpp"
#include "hls/market_state/market_state.hpp"
#include "hls/pretrade_risk/risk_input.hpp"
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

enum RiskOp : uint32_t {
  kRiskRun = 0,              // consume `items` input records
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
  uint32_t out_of_order;    // kRiskRun: inputs whose sequence number was not the last one + 1 (applied; counted)
  uint32_t decisions;       // kRiskRun: decisions written
  uint32_t unmatched;       // kRiskRun: exchange answers the engine answered false to
  uint32_t open_orders;
  uint32_t bad_kind;        // kRiskRun: inputs of no known kind (skipped)
  RiskCounters counters;    // since the last reset
};

}  // namespace hlsk
}  // namespace pw

extern "C" void pretrade_risk(hls::stream<pw::hlsk::RiskInputWord>& inputs,
                              hls::stream<pw::hlsk::DecisionWord>& decisions, pw::hlsk::RiskControl ctl,
                              pw::hlsk::RiskStatus* status);
