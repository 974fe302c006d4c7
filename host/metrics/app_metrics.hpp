// perpwire's standard metric series, registered once at start for the configured instruments and
// accounts so the pipeline's hot thread holds plain references (see metrics.hpp). Names follow
// Prometheus conventions: *_total counters, *_seconds histograms, prices and rates as exact decimals.
// docs/control_plane.md lists them.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "core/risk_types.hpp"
#include "host/metrics/metrics.hpp"

namespace pw {

// Where latency is measured. Each is observed in ns and rendered in seconds.
// The stages a trader reads, all on the TscClock scale; "rx" is the frame's receive time, taken
// once when the hot thread polls it.
enum class LatencyStage : uint8_t {
  rx_to_book,      // frame received → decoded, books, mark and funding updated
  rx_to_decision,  // frame received → the risk decision of an order it caused
  rx_to_order,     // frame received → that order's bytes handed to the socket (tick to trade)
  risk_check,      // the risk gate alone
  order_to_ack,    // order sent → the exchange's acknowledgement (round trip)
  count_
};
constexpr int kLatencyStageCount = (int)LatencyStage::count_;
const char* latency_stage_name(LatencyStage s);

// Why the gate itself canceled open orders (perpwire_gate_cancels_total{cause}).
enum class GateCancelCause : uint8_t {
  loss_limit,  // the account's loss limit engaged its kill switch
  disconnect,  // open when the order-entry session dropped, still open once it was back and reconciled
  unsynced,    // in an instrument whose book stayed unsynced longer than [risk] cancel_after
  count_
};
const char* gate_cancel_cause_name(GateCancelCause c);

struct InstrumentMetrics {
  Counter* events;                 // normalized market events applied
  Gauge* book_synced;              // 1 in sync, 0 waiting for recovery
  Gauge* best_bid;                 // ×1e-9
  Gauge* best_ask;
  Gauge* mark;                     // perpwire's mark price ×1e-9
  Gauge* exchange_mark;            // the exchange's published mark
  Gauge* funding_rate;             // perpwire's running funding rate per interval ×1e-9
  Gauge* exchange_funding_rate;    // the exchange's published rate
  Gauge* kill;                     // instrument kill switch
};

struct AccountMetrics {
  Counter* accepted;               // orders the risk gate accepted
  Counter* rejected;               // orders it rejected (any reason)
  Gauge* kill;                     // account kill switch
  Gauge* cash;                     // ×1e-9
  std::vector<Gauge*> position;    // contracts, per instrument index
};

class AppMetrics {
 public:
  AppMetrics(MetricsRegistry& registry, const std::vector<std::string>& instruments, const std::vector<std::string>& accounts);

  MetricsRegistry& registry() { return registry_; }

  Counter& frames(int line) { return *frames_[line & 1]; }          // line 0 = A, 1 = B
  Counter& frame_bytes(int line) { return *frame_bytes_[line & 1]; }
  Counter& frames_dropped(int line) { return *frames_dropped_[line & 1]; }  // not a well-formed feed datagram
  Counter& gaps() { return *gaps_; }                                // sequence gaps not filled by the other line
  Counter& rejects(RejectReason r) { return *rejects_[(size_t)r < rejects_.size() ? (size_t)r : 0]; }
  // By the condition inside the reason (several controls share a reason, e.g. self_match).
  Counter& reject_details(RejectDetail d) { return *reject_details_[(size_t)d < reject_details_.size() ? (size_t)d : 0]; }
  Histogram& latency(LatencyStage s) { return *latency_[(size_t)s]; }
  Gauge& kill_global() { return *kill_global_; }
  Counter& gate_cancels(GateCancelCause c) { return *gate_cancels_[(size_t)c]; }
  Counter& config_reloads(bool ok) { return ok ? *reloads_ok_ : *reloads_failed_; }

  // Index as in the config (−1 or out of range: undefined, check first).
  InstrumentMetrics& instrument(int i) { return instruments_[(size_t)i]; }
  AccountMetrics& account(int a) { return accounts_[(size_t)a]; }
  size_t instrument_count() const { return instruments_.size(); }
  size_t account_count() const { return accounts_.size(); }

 private:
  MetricsRegistry& registry_;
  std::array<Counter*, 2> frames_{}, frame_bytes_{}, frames_dropped_{};
  Counter* gaps_ = nullptr;
  std::array<Counter*, kRejectReasonCount> rejects_{};
  std::array<Counter*, (size_t)RejectDetail::count_> reject_details_{};
  std::array<Histogram*, kLatencyStageCount> latency_{};
  Gauge* kill_global_ = nullptr;
  std::array<Counter*, (size_t)GateCancelCause::count_> gate_cancels_{};
  Counter* reloads_ok_ = nullptr;
  Counter* reloads_failed_ = nullptr;
  std::vector<InstrumentMetrics> instruments_;
  std::vector<AccountMetrics> accounts_;
};

}  // namespace pw
