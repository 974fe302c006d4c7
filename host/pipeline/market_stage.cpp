#include "host/pipeline/market_stage.hpp"

namespace pw {

MarketStage::MarketStage(RecordSink& sink, const MarkFundingParams* defaults)
    : sink_(sink), state_(std::make_unique<HostMarketState>()) {
  state_->reset(defaults);
}

MarketStage::~MarketStage() = default;

bool MarketStage::add_instrument(int32_t id, uint16_t channel, const MarkFundingParams& params, int64_t contract_size) {
  if (validate(params) != ParamsError::ok) return false;
  return state_->add_instrument(id, channel, params, contract_size) >= 0;
}

void MarketStage::on_event(const MarketEvent& e) {
  const int n = state_->apply(e, out_);
  if (n == 0) return;
  const char* symbol = state_->slot(state_->find(e.instrument_id)).symbol;
  for (int i = 0; i < n; ++i) sink_.on_record(out_[i], symbol);
}

void MarketStage::check_stale(int64_t now, int64_t limit_ns) {
  if (limit_ns <= 0) return;
  const int n = state_->check_stale(now, limit_ns, out_);
  for (int i = 0; i < n; ++i) sink_.on_record(out_[i], state_->slot(state_->find(out_[i].instrument_id)).symbol);
}

void MarketStage::on_packet_gap(uint16_t channel, int64_t first_missing, int64_t last_missing, int64_t time_ns) {
  const int n = state_->packet_gap(channel, first_missing, last_missing, time_ns, out_);
  for (int i = 0; i < n; ++i) sink_.on_record(out_[i], state_->slot(state_->find(out_[i].instrument_id)).symbol);
}

}  // namespace pw
