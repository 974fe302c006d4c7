// Host side of the market_state and pretrade_risk kernels in C-simulation: records in, kernel
// calls, records out. Not synthesized: ordinary host C++.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/events.hpp"
#include "core/mark_funding.hpp"
#include "core/risk_types.hpp"
#include "core/state_records.hpp"
#include "hls/market_state/market_state.hpp"
#include "hls/pretrade_risk/pretrade_risk.hpp"

namespace pw {
namespace hlsk {

// The market_state kernel (one instance: the kernel's state is its own).
class MarketStateCsim {
 public:
  void reset(const MarkFundingParams& defaults);
  // The slot, or −1 (invalid parameters, repeated id, table full).
  int add_instrument(int32_t id, uint16_t channel, const MarkFundingParams& params, int64_t contract_size);
  // `n` input words (events and gap notices) through the free-running kernel (one call per word);
  // records appended to `records`, market updates to `markets` when given. False (see error())
  // when the kernel did not take exactly the `n` words.
  bool run(const MarketEvent* words, size_t n, std::vector<StateRecord>& records,
           std::vector<MarketUpdate>* markets = nullptr);
  // Slot `i` as the kernel holds it (status().slot_*); false past the table.
  bool read_slot(uint32_t i);
  const MarketStatus& status() const { return status_; }
  const std::string& error() const { return error_; }

 private:
  void call();
  void operation(MarketControl c);  // rings the doorbell: `c` runs once
  hls::stream<EventWord> in_{"market_state.events"};
  hls::stream<RecordWord> records_{"market_state.records"};
  hls::stream<MarketWord> markets_{"market_state.markets"};
  MarketStatus status_{};
  std::string error_;
};

// The pretrade_risk kernel with RiskEngine's interface. Markets, exchange answers and orders are
// numbered in call order into the kernel's one input stream (as risk_merge does on the card) and
// run by flush(); limits, cash, positions, kill switches and the reset are staged in the kernel's
// registers and applied in-band (a ControlApply record) after what is queued.
class PretradeRiskCsim {
 public:
  void reset();
  LimitsError set_account_limits(int a, const AccountLimits& l);
  LimitsError set_instrument_limits(int i, const InstrumentLimits& l);
  LimitsError set_session_limits(int s, const SessionLimits& l);
  void set_cash(int a, int64_t cash);
  void set_position(int a, int i, int64_t position, int64_t entry_price);
  void set_kill_global(bool on);
  void set_kill_account(int a, bool on);
  void set_kill_instrument(int i, bool on);

  void set_market(int i, const InstrumentMarket& m);
  void check(const OrderRequest& r);            // its decision arrives in decisions()
  void exchange(const ExchangeEvent& x);        // on_entered / on_fill / … as one record

  // Runs what is queued; decisions are appended to decisions().
  bool flush();
  std::vector<RiskDecision>& decisions() { return decisions_; }
  // The sequence number of each decision's order request, in the same order.
  const std::vector<uint64_t>& decision_seqs() const { return decision_seqs_; }
  const RiskStatus& status() const { return status_; }
  uint64_t unmatched() const { return unmatched_; }  // exchange answers that named no open order
  const std::string& error() const { return error_; }

 private:
  template <typename T>
  void queue(RiskInputKind kind, const T& record);
  void call();
  void control(RiskControl& c);  // staged in the registers, applied where its record stands
  bool run_queued(bool reset);
  hls::stream<RiskInputWord> inputs_{"pretrade_risk.inputs"};
  hls::stream<DecisionWord> out_{"pretrade_risk.decisions"};
  uint32_t queued_ = 0;
  uint64_t seq_ = 0;
  uint32_t version_ = 0;  // of the last control operation applied
  uint64_t unmatched_ = 0;
  std::vector<RiskDecision> decisions_;
  std::vector<uint64_t> decision_seqs_;
  RiskStatus status_{};
  std::string error_;
};

}  // namespace hlsk
}  // namespace pw
