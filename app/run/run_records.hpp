// What `perpwire run` keeps per configured instrument besides the market state, and the two sinks
// that keep it: state records → state log, metrics, report series, funding charges and the
// strategy's cue (RunRecords); events counted per instrument on their way to the market state
// (EventCounter).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "app/run/shadow_backend.hpp"
#include "host/gate/order_gate.hpp"
#include "host/metrics/app_metrics.hpp"
#include "host/pipeline/feed_pipeline.hpp"
#include "host/pipeline/replay.hpp"
#include "host/pipeline/state_log.hpp"
#include "host/report/run_report.hpp"

namespace pw {

struct InstrumentRun {
  int32_t exchange_id = 0;
  std::string symbol;
  bool changed = false;          // market moved since the strategy last looked
  BookTopRecord top{};
  int64_t exchange_mark = kNullI64;
  int64_t exchange_rate = kNullI64;
  int64_t our_rate = kNullI64;
  int64_t funded_until = kNullI64;  // latest funding time charged to the accounts
  int64_t next_funding = 0;
  uint64_t events = 0;
  InstrumentSeries series;
  int64_t last_mark_point = kNullI64;
  int64_t last_funding_point = kNullI64;
};

// Index of the configured instrument with this exchange id, or −1 (not configured).
int configured_index(const std::vector<InstrumentRun>& instruments, int32_t exchange_id);

class RunRecords final : public RecordSink {
 public:
  RunRecords(std::vector<InstrumentRun>& instruments, AppMetrics& metrics, StateLogWriter& log, OrderGate& gate)
      : instruments_(instruments), metrics_(metrics), log_(log), gate_(gate) {}
  void on_record(const StateRecord& r, const char* symbol) override;

  uint64_t records = 0;
  uint64_t fundings = 0;
  // A backend beside the software path expects every record, or null.
  ShadowCompare* compare = nullptr;

 private:
  std::vector<InstrumentRun>& instruments_;
  AppMetrics& metrics_;
  StateLogWriter& log_;
  OrderGate& gate_;
};

class EventCounter final : public EventSink {
 public:
  EventCounter(EventSink& next, std::vector<InstrumentRun>& instruments, AppMetrics& metrics)
      : next_(next), instruments_(instruments), metrics_(metrics) {}
  void on_event(const MarketEvent& e) override;
  void on_packet_gap(uint16_t channel, int64_t first, int64_t last, int64_t time_ns) override;

 private:
  EventSink& next_;
  std::vector<InstrumentRun>& instruments_;
  AppMetrics& metrics_;
};

}  // namespace pw
