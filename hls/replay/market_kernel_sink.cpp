#include "hls/replay/market_kernel_sink.hpp"

#include <fmt/format.h>

#include <cstring>

namespace pw {
namespace hlsk {
namespace {

bool sets_symbol(const MarketEvent& e) {
  return e.type == (uint8_t)EventType::instrument_definition || e.type == (uint8_t)EventType::snapshot_start;
}

}  // namespace

bool MarketKernelSink::setup(const ReplayInputs& in, std::string& error) {
  market_.reset(in.defaults);
  for (const InstrumentSetup& s : in.instruments)
    if (market_.add_instrument(s.id, s.channel, s.params, s.contract_size) < 0) {
      error = fmt::format("instrument {}: cannot be added (repeated id, invalid parameters or more than {})", s.id,
                          kMarketInstruments);
      return false;
    }
  refresh_symbols();
  return true;
}

void MarketKernelSink::on_event(const MarketEvent& e) {
  words_.push_back(e);
  if (words_.size() >= kBatch) flush();
}

void MarketKernelSink::on_packet_gap(uint16_t channel, int64_t first, int64_t last, int64_t time_ns) {
  words_.push_back(gap_notice(channel, first, last, time_ns));
}

bool MarketKernelSink::flush() {
  if (!error_.empty()) return false;
  // In segments: an event that may set a symbol (definition, snapshot start) runs alone, so each
  // record goes out with the symbol its instrument had right after its event.
  size_t start = 0;
  while (start < words_.size()) {
    size_t end = start;
    if (sets_symbol(words_[start])) ++end;
    else
      while (end < words_.size() && !sets_symbol(words_[end])) ++end;
    records_.clear();
    if (!market_.run(words_.data() + start, end - start, records_)) {
      error_ = market_.error();
      return false;
    }
    if (sets_symbol(words_[start]) || market_.status().count != known_slots_) refresh_symbols();
    for (const StateRecord& r : records_) {
      const auto it = symbols_.find(r.instrument_id);
      sink_.on_record(r, it == symbols_.end() ? "" : it->second.c_str());
    }
    start = end;
  }
  words_.clear();
  return true;
}

void MarketKernelSink::refresh_symbols() {
  const MarketStatus keep = market_.status();
  const int n = keep.count;
  for (int i = 0; i < n; ++i)
    if (market_.read_slot((uint32_t)i)) {
      const MarketStatus& s = market_.status();
      symbols_[s.slot_id] = std::string(s.slot_symbol, strnlen(s.slot_symbol, sizeof s.slot_symbol));
    }
  known_slots_ = n;
}

}  // namespace hlsk
}  // namespace pw
