// risk_merge: the one place on the card where the order of the risk gate's inputs is decided.
// Control operations' apply records and the exchange's answers and order requests (from the
// host) and market updates (from market_state) arrive on four streams; risk_merge numbers them
// into one sequence for pretrade_risk and writes the merge log (which record took which number)
// to the host, so that the software path applies the same records in the same order and the two
// compare decision for decision.
//
// When several streams have a record waiting, a control operation goes first (a kill switch or
// new limits before any order still waiting), then the market, then the exchange's answer, then
// the order: an order is checked against the freshest market the card has. Which records were
// waiting is a matter of timing; the log records the outcome, so timing can change the order but
// never make the two paths disagree.
//
// Streams (record byte i in bits 8i+7..8i): control ControlApply (64 bits), markets MarketUpdate
// (640), exchange ExchangeEvent (448), orders OrderRequest (320) in; inputs RiskInput (768) and
// log MergeLogEntry (192) out, one of each per record.
//
// Free-running (ap_ctrl_none): one record per call (per clock), no start, no count.
#pragma once
#include <cstdint>

#include "hls/pretrade_risk/risk_input.hpp"
#include "perpwire_hls/hls_compat.hpp"

namespace pw {
namespace hlsk {

// Control (s_axilite, read every call): a new `reset_seq` restarts the numbering at 1 (with
// pretrade_risk's reset) and zeroes the counts.
struct RiskMergeControl {
  uint32_t reset_seq;
  uint32_t reserved;
};

// Since the last reset, current after every call.
struct RiskMergeStatus {
  uint64_t last_seq;   // the last number given
  uint32_t reset_seq;  // the reset last done
  uint32_t controls;
  uint32_t markets;
  uint32_t answers;
  uint32_t orders;
  uint32_t reserved;
};

}  // namespace hlsk
}  // namespace pw

extern "C" void risk_merge(hls::stream<pw::hlsk::ControlWord>& control, hls::stream<pw::hlsk::MarketWord>& markets,
                           hls::stream<pw::hlsk::ExchangeWord>& exchange, hls::stream<pw::hlsk::OrderWord>& orders,
                           hls::stream<pw::hlsk::RiskInputWord>& inputs, hls::stream<pw::hlsk::MergeLogWord>& log,
                           const pw::hlsk::RiskMergeControl& ctl, pw::hlsk::RiskMergeStatus& status);
