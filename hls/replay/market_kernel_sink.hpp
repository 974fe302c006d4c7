// The market_state kernel in C-simulation behind pw::EventSink: events and packet-gap notices are
// collected in arrival order and run through the kernel in batches; its state records go to a
// RecordSink with their instrument's symbol. The hls-csim backend feeds it from feed_decode in
// C-simulation, the verilator backend from the RTL front end + feed_decode co-simulation.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "hls/csim/market_state_runner.hpp"
#include "host/pipeline/replay.hpp"

namespace pw {
namespace hlsk {

class MarketKernelSink final : public EventSink {
 public:
  explicit MarketKernelSink(RecordSink& sink) : sink_(sink) {}

  // The kernel's default parameters and configured instruments. False with `error`.
  bool setup(const ReplayInputs& in, std::string& error);

  void on_event(const MarketEvent& e) override;
  void on_packet_gap(uint16_t channel, int64_t first, int64_t last, int64_t time_ns) override;

  // Runs what was collected. False once a kernel call went wrong (error()).
  bool flush();

  const MarketStatus& status() const { return market_.status(); }
  const std::string& error() const { return error_; }

 private:
  static constexpr size_t kBatch = 4096;  // words per flush while streaming
  void refresh_symbols();

  RecordSink& sink_;
  MarketStateCsim market_;
  std::vector<MarketEvent> words_;
  std::vector<StateRecord> records_;
  std::map<int32_t, std::string> symbols_;
  int32_t known_slots_ = 0;
  std::string error_;
};

}  // namespace hlsk
}  // namespace pw
