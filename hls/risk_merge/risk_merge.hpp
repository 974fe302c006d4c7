// risk_merge: the one place on the card where the order of the risk gate's inputs is decided.
// Market updates (from market_state), the exchange's answers and order requests (from the host)
// arrive on three streams; risk_merge numbers them into one sequence for pretrade_risk and writes
// the merge log (which record took which number) to the host, so that the software path applies
// the same records in the same order and the two compare decision for decision.
//
// When several streams have a record waiting, the market goes first, then the exchange's answer,
// then the order: an order is checked against the freshest market the card has. Which records
// were waiting is a matter of timing; the log records the outcome, so timing can change the order
// but never make the two paths disagree.
//
// Streams (record byte i in bits 8i+7..8i): markets MarketUpdate (640 bits), exchange
// ExchangeEvent (448), orders OrderRequest (320) in; inputs RiskInput (768) and log MergeLogEntry
// (192) out, one of each per record.
#pragma once
#include <cstdint>

#include "hls/pretrade_risk/risk_input.hpp"
#include "perpwire_hls/hls_compat.hpp"

namespace pw {
namespace hlsk {

enum RiskMergeOp : uint32_t {
  kMergeRun = 0,    // merge `items` records
  kMergeReset = 1,  // numbering starts again at 1 (with pretrade_risk's reset)
};

struct RiskMergeControl {
  uint32_t op;     // RiskMergeOp
  uint32_t items;  // kMergeRun
};

struct RiskMergeStatus {
  uint64_t last_seq;   // the last number given
  uint32_t merged;     // kMergeRun: records merged by this call
  uint32_t markets;
  uint32_t answers;
  uint32_t orders;
};

}  // namespace hlsk
}  // namespace pw

extern "C" void risk_merge(hls::stream<pw::hlsk::MarketWord>& markets, hls::stream<pw::hlsk::ExchangeWord>& exchange,
                           hls::stream<pw::hlsk::OrderWord>& orders, hls::stream<pw::hlsk::RiskInputWord>& inputs,
                           hls::stream<pw::hlsk::MergeLogWord>& log, pw::hlsk::RiskMergeControl ctl,
                           pw::hlsk::RiskMergeStatus* status);
