#include "app/run/run_records.hpp"

namespace pw {
namespace {
constexpr int64_t kSeriesStepNs = 1000000000;  // one point per second of event time and series
}  // namespace

// Index of the configured instrument with this exchange id, or −1 (not configured).
int configured_index(const std::vector<InstrumentRun>& instruments, int32_t exchange_id) {
  for (size_t i = 0; i < instruments.size(); ++i)
    if (instruments[i].exchange_id == exchange_id) return (int)i;
  return -1;
}

void RunRecords::on_record(const StateRecord& r, const char* symbol) {
  if (compare != nullptr) compare->expect(r);
  ++records;
  log_.write(r, symbol);
  const int i = configured_index(instruments_, r.instrument_id);
  if (i < 0) return;  // not configured: books are kept, nothing is traded
  InstrumentRun& in = instruments_[(size_t)i];
  InstrumentMetrics& m = metrics_.instrument(i);
  in.changed = true;
  switch ((StateKind)r.kind) {
    case StateKind::book_top:
      in.top = r.top;
      m.best_bid->set(r.top.bid_price == kNullI64 ? 0 : r.top.bid_price);
      m.best_ask->set(r.top.ask_price == kNullI64 ? 0 : r.top.ask_price);
      break;
    case StateKind::sync: m.book_synced->set(r.sync.synced); break;
    case StateKind::mark:
      if (r.mark.mark != kNullI64) {
        m.mark->set(r.mark.mark);
        if (in.last_mark_point == kNullI64 || r.time - in.last_mark_point >= kSeriesStepNs) {
          in.series.mark.push_back({r.time, r.mark.mark});
          in.last_mark_point = r.time;
        }
      }
      break;
    case StateKind::funding: {
      const FundingRecord& f = r.funding;
      in.our_rate = f.ours;
      in.next_funding = f.interval_end;
      if (f.ours != kNullI64) m.funding_rate->set(f.ours);
      if (f.exchange != kNullI64) m.exchange_funding_rate->set(f.exchange);
      if (f.exchange_mark != kNullI64) {
        m.exchange_mark->set(f.exchange_mark);
        if (f.exchange_mark != in.exchange_mark) in.series.exchange_mark.push_back({r.time, f.exchange_mark});
      }
      if (f.exchange != kNullI64 && f.exchange != in.exchange_rate) in.series.exchange_funding.push_back({r.time, f.exchange});
      if (f.ours != kNullI64 && (in.last_funding_point == kNullI64 || r.time - in.last_funding_point >= kSeriesStepNs)) {
        in.series.funding.push_back({r.time, f.ours});
        in.last_funding_point = r.time;
      }
      in.exchange_mark = f.exchange_mark;
      in.exchange_rate = f.exchange;
      // The exchange's final rate for a funding time: what it charges. Charge it once.
      if (f.is_final && f.exchange != kNullI64 && f.exchange_mark != kNullI64 && f.interval_end != in.funded_until) {
        gate_.apply_funding(i, f.exchange_mark, f.exchange);
        in.funded_until = f.interval_end;
        ++fundings;
      }
      break;
    }
    default: break;
  }
}

void EventCounter::on_event(const MarketEvent& e) {
  const int i = configured_index(instruments_, e.instrument_id);
  if (i >= 0) {
    ++instruments_[(size_t)i].events;
    metrics_.instrument(i).events->inc();
  }
  next_.on_event(e);
}

void EventCounter::on_packet_gap(uint16_t channel, int64_t first, int64_t last, int64_t time_ns) {
  metrics_.gaps().inc();
  next_.on_packet_gap(channel, first, last, time_ns);
}

}  // namespace pw
