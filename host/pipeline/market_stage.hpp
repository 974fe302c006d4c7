// The market-state stage of the host: core/market_state.hpp behind the feed pipeline's EventSink,
// handing every state record to a RecordSink (state log, risk gate, metrics, report).
#pragma once
#include <cstdint>
#include <memory>

#include "core/market_state.hpp"
#include "host/pipeline/feed_pipeline.hpp"

namespace pw {

// Capacities of the host's market state: instruments, resting orders and price levels per side of
// one book. The generated and real sessions use a small fraction; exceeding them is a counted
// book_overflow that leaves the instrument unsynced, never a crash.
using HostMarketState = MarketState<8, 16384, 2048>;

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // `symbol` is the instrument's symbol ("" before its definition was seen).
  virtual void on_record(const StateRecord& r, const char* symbol) = 0;
};

class MarketStage final : public EventSink {
 public:
  explicit MarketStage(RecordSink& sink, const MarkFundingParams* defaults = nullptr);
  ~MarketStage() override;

  // A configured instrument; false when the table is full, the id repeats or the parameters are
  // invalid.
  bool add_instrument(int32_t id, uint16_t channel, const MarkFundingParams& params, int64_t contract_size);

  void on_event(const MarketEvent& e) override;
  void on_packet_gap(uint16_t channel, int64_t first_missing, int64_t last_missing, int64_t time_ns) override;

  // Publishes instruments silent for longer than `limit_ns` at `now` as stale (0: never).
  void check_stale(int64_t now, int64_t limit_ns);

  const HostMarketState& state() const { return *state_; }

 private:
  RecordSink& sink_;
  std::unique_ptr<HostMarketState> state_;  // large (books): on the heap, allocated once
  StateRecord out_[HostMarketState::capacity > kMaxRecordsPerEvent ? HostMarketState::capacity : kMaxRecordsPerEvent];
};

}  // namespace pw
