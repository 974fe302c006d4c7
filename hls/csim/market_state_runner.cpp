#include "hls/csim/market_state_runner.hpp"

#include <cstring>

namespace pw {
namespace hlsk {

namespace {
MarketControl control_for(MarketOp op) {
  MarketControl c;
  std::memset(&c, 0, sizeof c);
  c.op = op;
  c.params = coinbase_preset();
  return c;
}
// The kernel's control registers: one kernel, one register file, whichever runner drives it (a new
// runner's first operation must ring a new doorbell, not one an earlier runner already rang).
MarketControl& market_registers() {
  static MarketControl r{};
  return r;
}
// pretrade_risk's staged control operation: the kernel's registers, as for market_state.
RiskControl& risk_registers() {
  static RiskControl r{};
  return r;
}
RiskControl risk_control(RiskOp op) {
  RiskControl c{};  // every field zero (the limits' defaults are zero too)
  c.op = op;
  return c;
}
}  // namespace

void MarketStateCsim::call() { market_state(in_, records_, markets_, market_registers(), status_); }

void MarketStateCsim::operation(MarketControl c) {
  MarketControl& regs = market_registers();
  c.seq = regs.seq + 1;  // the doorbell, as the host writes it last
  c.emit_markets = regs.emit_markets;
  regs = c;
  call();
}

void MarketStateCsim::reset(const MarkFundingParams& defaults) {
  MarketControl c = control_for(kMarketReset);
  c.params = defaults;
  operation(c);
}

int MarketStateCsim::add_instrument(int32_t id, uint16_t channel, const MarkFundingParams& params, int64_t contract_size) {
  MarketControl c = control_for(kMarketAddInstrument);
  c.instrument_id = id;
  c.channel = channel;
  c.params = params;
  c.contract_size = contract_size;
  operation(c);
  return status_.result;
}

bool MarketStateCsim::run(const MarketEvent* words, size_t n, std::vector<StateRecord>& records,
                          std::vector<MarketUpdate>* markets) {
  error_.clear();
  for (size_t i = 0; i < n; ++i) in_.write(pack_event(words[i]));
  market_registers().emit_markets = markets != nullptr;
  const uint32_t before = status_.words;
  // The kernel runs free: one call per clock it is given; each takes one word when one is there.
  for (size_t i = 0; i < n; ++i) call();
  while (!records_.empty()) {
    StateRecord r;
    unpack_record(records_.read(), r);
    records.push_back(r);
  }
  while (!markets_.empty()) {
    MarketUpdate u;
    unpack_record(markets_.read(), u);
    if (markets != nullptr) markets->push_back(u);
  }
  if (!in_.empty()) error_ = "market_state left " + std::to_string(in_.size()) + " words unread";
  else if (status_.words - before != (uint32_t)n)
    error_ = "market_state counted " + std::to_string(status_.words - before) + " of " + std::to_string(n) + " words";
  return error_.empty();
}

bool MarketStateCsim::read_slot(uint32_t i) {
  MarketControl c = control_for(kMarketReadSlot);
  c.slot = i;
  operation(c);
  return status_.slot_id != -1 || i < (uint32_t)status_.count;
}

// ---------------------------------------------------------------------------------------------

void PretradeRiskCsim::call() { pretrade_risk(inputs_, out_, risk_registers(), status_); }

// Staged in the registers, applied in-band: what was queued before meets the old values, what is
// queued after the new ones. The reset record restarts the numbering (it is number 1).
void PretradeRiskCsim::control(RiskControl& c) {
  if (!flush()) return;
  RiskControl& regs = risk_registers();
  c.version = regs.version + 1;
  regs = c;
  const bool reset = (RiskOp)c.op == kRiskReset;
  if (reset) seq_ = 0;
  queue(kInputControl, ControlApply{c.version, 0});
  version_ = c.version;
  if (run_queued(reset) && status_.applied_version != c.version)
    error_ = "pretrade_risk did not apply control version " + std::to_string(c.version) + " (it shows " +
             std::to_string(status_.applied_version) + ", " + std::to_string(status_.control_mismatch) + " mismatched)";
}

void PretradeRiskCsim::reset() {
  RiskControl c = risk_control(kRiskReset);
  control(c);
  unmatched_ = 0;
}
LimitsError PretradeRiskCsim::set_account_limits(int a, const AccountLimits& l) {
  RiskControl c = risk_control(kRiskAccountLimits);
  c.index = a;
  c.account = l;
  control(c);
  return status_.limits;
}
LimitsError PretradeRiskCsim::set_instrument_limits(int i, const InstrumentLimits& l) {
  RiskControl c = risk_control(kRiskInstrumentLimits);
  c.index = i;
  c.instrument = l;
  control(c);
  return status_.limits;
}
LimitsError PretradeRiskCsim::set_session_limits(int s, const SessionLimits& l) {
  RiskControl c = risk_control(kRiskSessionLimits);
  c.index = s;
  c.session = l;
  control(c);
  return status_.limits;
}
void PretradeRiskCsim::set_cash(int a, int64_t cash) {
  RiskControl c = risk_control(kRiskCash);
  c.index = a;
  c.value = cash;
  control(c);
}
void PretradeRiskCsim::set_position(int a, int i, int64_t position, int64_t entry_price) {
  RiskControl c = risk_control(kRiskPosition);
  c.index = a;
  c.index2 = i;
  c.value = position;
  c.value2 = entry_price;
  control(c);
}
void PretradeRiskCsim::set_kill_global(bool on) {
  RiskControl c = risk_control(kRiskKillGlobal);
  c.on = on;
  control(c);
}
void PretradeRiskCsim::set_kill_account(int a, bool on) {
  RiskControl c = risk_control(kRiskKillAccount);
  c.index = a;
  c.on = on;
  control(c);
}
void PretradeRiskCsim::set_kill_instrument(int i, bool on) {
  RiskControl c = risk_control(kRiskKillInstrument);
  c.index = i;
  c.on = on;
  control(c);
}

template <typename T>
void PretradeRiskCsim::queue(RiskInputKind kind, const T& record) {
  inputs_.write(pack_record(risk_input(++seq_, kind, record)));
  ++queued_;
}

void PretradeRiskCsim::set_market(int i, const InstrumentMarket& m) {
  MarketUpdate u;
  std::memset(&u, 0, sizeof u);
  u.slot = (uint32_t)i;
  u.market = m;
  queue(kInputMarket, u);
}

void PretradeRiskCsim::exchange(const ExchangeEvent& x) { queue(kInputExchange, x); }

void PretradeRiskCsim::check(const OrderRequest& r) { queue(kInputOrder, r); }

bool PretradeRiskCsim::flush() { return run_queued(false); }

bool PretradeRiskCsim::run_queued(bool reset) {
  error_.clear();
  if (queued_ == 0) return true;
  // The status counts since the last reset: a batch that is a reset record counts from zero.
  const RiskStatus before = reset ? RiskStatus{} : status_;
  // The kernel runs free: one call per clock it is given; each takes one input when one is there.
  for (uint32_t k = 0; k < queued_; ++k) call();
  const uint32_t consumed = status_.consumed - before.consumed;
  if (consumed != queued_)
    error_ = "pretrade_risk consumed " + std::to_string(consumed) + " of " + std::to_string(queued_) + " records";
  else if (status_.out_of_order != before.out_of_order || status_.bad_kind != before.bad_kind)
    error_ = "pretrade_risk saw " + std::to_string(status_.out_of_order - before.out_of_order) +
             " inputs out of sequence and " + std::to_string(status_.bad_kind - before.bad_kind) + " of no known kind";
  unmatched_ += status_.unmatched - before.unmatched;
  queued_ = 0;
  while (!out_.empty()) {
    SequencedDecision d;
    unpack_record(out_.read(), d);
    // Nothing is queued behind a control record (control() runs it at once): every decision of a
    // batch met the version applied last.
    if (d.limits_version != version_ && error_.empty())
      error_ = "decision of seq " + std::to_string(d.seq) + " met control version " + std::to_string(d.limits_version) +
               ", not " + std::to_string(version_);
    decisions_.push_back(d.decision);
    decision_seqs_.push_back(d.seq);
  }
  return error_.empty();
}

}  // namespace hlsk
}  // namespace pw
