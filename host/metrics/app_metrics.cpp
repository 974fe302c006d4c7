#include "host/metrics/app_metrics.hpp"

#include "core/risk_decide.hpp"

namespace pw {

const char* latency_stage_name(LatencyStage s) {
  switch (s) {
    case LatencyStage::rx_to_book: return "rx_to_book";
    case LatencyStage::rx_to_decision: return "rx_to_decision";
    case LatencyStage::rx_to_order: return "rx_to_order";
    case LatencyStage::risk_check: return "risk_check";
    case LatencyStage::order_to_ack: return "order_to_ack";
    default: return "unknown";
  }
}

const char* gate_cancel_cause_name(GateCancelCause c) {
  switch (c) {
    case GateCancelCause::loss_limit: return "loss_limit";
    case GateCancelCause::disconnect: return "disconnect";
    case GateCancelCause::unsynced: return "unsynced";
    default: return "unknown";
  }
}

AppMetrics::AppMetrics(MetricsRegistry& reg, const std::vector<std::string>& instruments, const std::vector<std::string>& accounts)
    : registry_(reg) {
  const char* lines[2] = {"A", "B"};
  for (int l = 0; l < 2; ++l) {
    frames_[l] = &reg.counter("perpwire_feed_frames_total", "Frames received per feed line.", {{"line", lines[l]}});
    frame_bytes_[l] = &reg.counter("perpwire_feed_bytes_total", "Bytes of the frames received per feed line.", {{"line", lines[l]}});
    frames_dropped_[l] = &reg.counter("perpwire_feed_frames_dropped_total",
                                      "Frames that were not a well-formed datagram of a configured feed channel.", {{"line", lines[l]}});
  }
  gaps_ = &reg.counter("perpwire_feed_gaps_total", "Sequence gaps that neither line filled (recovery needed).");
  for (int s = 0; s < kLatencyStageCount; ++s)
    latency_[(size_t)s] = &reg.histogram("perpwire_stage_latency_seconds", "Latency per pipeline stage.",
                                         {{"stage", latency_stage_name((LatencyStage)s)}});
  for (int r = 1; r < kRejectReasonCount; ++r)
    rejects_[(size_t)r] = &reg.counter("perpwire_order_rejects_total", "Orders rejected by the pre-trade risk gate, by the first failed check.",
                                       {{"reason", reject_reason_name((RejectReason)r)}});
  // Index 0 (none) is never a reject; point it at a series so a stray call cannot crash.
  rejects_[0] = rejects_[(size_t)RejectReason::invalid_request];
  for (int k = 1; k < (int)RejectDetail::count_; ++k)
    reject_details_[(size_t)k] = &reg.counter("perpwire_order_reject_details_total",
                                              "Orders rejected by the pre-trade risk gate, by the condition that failed inside the reason.",
                                              {{"reason", reject_reason_name(reason_of((RejectDetail)k))}, {"detail", reject_detail_name((RejectDetail)k)}});
  reject_details_[0] = reject_details_[(size_t)RejectDetail::kind_invalid];
  for (int c = 0; c < (int)GateCancelCause::count_; ++c)
    gate_cancels_[(size_t)c] = &reg.counter("perpwire_gate_cancels_total", "Open orders the risk gate canceled itself, by cause.",
                                            {{"cause", gate_cancel_cause_name((GateCancelCause)c)}});
  kill_global_ = &reg.gauge("perpwire_kill_switch", "Kill switch engaged (1) per scope.", {{"scope", "global"}});
  reloads_ok_ = &reg.counter("perpwire_config_reloads_total", "Config reloads by result.", {{"result", "ok"}});
  reloads_failed_ = &reg.counter("perpwire_config_reloads_total", "Config reloads by result.", {{"result", "error"}});

  for (const auto& sym : instruments) {
    InstrumentMetrics m;
    const MetricLabels l = {{"instrument", sym}};
    m.events = &reg.counter("perpwire_market_events_total", "Normalized market events applied per instrument.", l);
    m.book_synced = &reg.gauge("perpwire_book_synced", "Book in sync (1) or waiting for recovery (0).", l);
    m.best_bid = &reg.gauge("perpwire_best_bid", "Best bid price.", l, 9);
    m.best_ask = &reg.gauge("perpwire_best_ask", "Best ask price.", l, 9);
    m.mark = &reg.gauge("perpwire_mark_price", "Mark price by source (perpwire's own or the exchange's).", {{"instrument", sym}, {"source", "own"}}, 9);
    m.exchange_mark = &reg.gauge("perpwire_mark_price", "Mark price by source (perpwire's own or the exchange's).", {{"instrument", sym}, {"source", "exchange"}}, 9);
    m.funding_rate = &reg.gauge("perpwire_funding_rate", "Funding rate per interval by source.", {{"instrument", sym}, {"source", "own"}}, 9);
    m.exchange_funding_rate = &reg.gauge("perpwire_funding_rate", "Funding rate per interval by source.", {{"instrument", sym}, {"source", "exchange"}}, 9);
    m.kill = &reg.gauge("perpwire_kill_switch", "Kill switch engaged (1) per scope.", {{"scope", "instrument"}, {"instrument", sym}});
    instruments_.push_back(m);
  }
  for (const auto& name : accounts) {
    AccountMetrics m;
    m.accepted = &reg.counter("perpwire_orders_total", "Orders through the risk gate by account and result.", {{"account", name}, {"result", "accepted"}});
    m.rejected = &reg.counter("perpwire_orders_total", "Orders through the risk gate by account and result.", {{"account", name}, {"result", "rejected"}});
    m.kill = &reg.gauge("perpwire_kill_switch", "Kill switch engaged (1) per scope.", {{"scope", "account"}, {"account", name}});
    m.cash = &reg.gauge("perpwire_account_cash", "Account cash (collateral, realized PnL and funding).", {{"account", name}}, 9);
    for (const auto& sym : instruments)
      m.position.push_back(&reg.gauge("perpwire_position_contracts", "Position in contracts (negative: short).", {{"account", name}, {"instrument", sym}}));
    accounts_.push_back(std::move(m));
  }
}

}  // namespace pw
