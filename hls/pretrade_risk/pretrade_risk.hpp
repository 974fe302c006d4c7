// pretrade_risk: one sequence of inputs — market updates (from market_state, through risk_merge),
// the exchange's answers, order requests and control operations — in; one decision per order
// request out.
// core/risk_engine.hpp, unchanged, is the gate: the 13 checks in their fixed order, reservations,
// fills, funding.
//
// Streams (AXI4-Stream, one record per transfer, record byte i in bits 8i+7..8i):
//   inputs     RiskInput (risk_input.hpp, 768 bits): the records in the order the gate applies
//              them, numbered; from risk_merge on the card, from the host in C-simulation
//   decisions  SequencedDecision (384 bits): each order request's decision, sequence number and
//              the version of the control operations it met
// The kernel applies the inputs strictly in their order: an order is checked against every market
// and answer before it in the sequence, and against none after it — the same on the card as in
// the software path replaying the merge log.
//
// Limits, cash, carried positions, kill switches and the reset are control operations: each waits
// in the s_axilite registers (RiskControl, tagged with a version) and takes effect where its
// ControlApply record stands in the input sequence — between two inputs, at the same point on the
// card and in the software path. The kernel is free-running (ap_ctrl_none): one input per call,
// no start, no count; status is current after every call.
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
  kRiskNop = 0,              // power-up value of the registers
  kRiskReset = 1,            // forget everything (limits, positions, orders, counters); the next input follows the reset record
  kRiskAccountLimits = 2,    // set_account_limits(index, account)
  kRiskInstrumentLimits = 3, // set_instrument_limits(index, instrument)
  kRiskSessionLimits = 4,    // set_session_limits(index, session)
  kRiskCash = 5,             // set_cash(index, value)
  kRiskPosition = 6,         // set_position(index, index2, value, value2)
  kRiskKillGlobal = 7,       // set_kill_global(on)
  kRiskKillAccount = 8,      // set_kill_account(index, on)
  kRiskKillInstrument = 9,   // set_kill_instrument(index, on)
};

// The staged control operation. The host writes it, sends ControlApply{version} through
// risk_merge's control stream, and waits for status.applied_version == version before it stages
// the next one.
struct RiskControl {
  uint32_t op;       // RiskOp
  uint32_t version;  // the ControlApply that applies it
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

// Since the last reset (the host takes differences, modulo 2³²), current after every call.
struct RiskStatus {
  LimitsError limits;       // the last limits operation's answer (a bad value keeps the old limits)
  uint8_t reserved;
  uint32_t applied_version; // version of the last control operation applied
  uint32_t control_mismatch;// ControlApply records naming another version than the registers hold (not applied)
  uint32_t consumed;        // input records taken
  uint32_t out_of_order;    // inputs whose sequence number was not the last one + 1 (applied; counted)
  uint32_t decisions;       // decisions written
  uint32_t unmatched;       // exchange answers the engine answered false to
  uint32_t open_orders;
  uint32_t bad_kind;        // inputs of no known kind (skipped)
  RiskCounters counters;
};

}  // namespace hlsk
}  // namespace pw

extern "C" void pretrade_risk(hls::stream<pw::hlsk::RiskInputWord>& inputs,
                              hls::stream<pw::hlsk::DecisionWord>& decisions, const pw::hlsk::RiskControl& staged,
                              pw::hlsk::RiskStatus& status);
