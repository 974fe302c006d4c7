#include "host/fix/kalshi_session_script.hpp"

#include <map>
#include <utility>

#include "core/fixed_point.hpp"
#include "host/pipeline/feed_pipeline.hpp"
#include "host/pipeline/replay.hpp"

namespace pw::fix {

namespace {

struct Resting {
  int8_t side;
  int64_t price;
  int32_t qty;
};

struct Collect final : EventSink {
  std::vector<MarketEvent> events;
  void on_event(const MarketEvent& e) override { events.push_back(e); }
  void on_packet_gap(uint16_t, int64_t, int64_t, int64_t) override {}
};

class Builder {
 public:
  Builder(const KalshiScriptOptions& opt, KalshiScript& out) : opt_(opt), out_(out) {}

  bool apply(const MarketEvent& e, std::string& error) {
    if (e.instrument_id != opt_.instrument_id) return true;
    step_.entries.clear();
    step_.time = e.transact_time;
    touched_.clear();
    KalshiEntry trade;
    bool has_trade = false;
    switch (e.kind()) {
      case EventType::instrument_definition:
        if (e.instrument.tick_size > 0 && !convert(e.instrument.tick_size, out_.tick, error)) return false;
        return true;
      case EventType::order_put: {
        auto it = orders_.find(e.order.order_id);
        if (it != orders_.end()) take(it->second, -it->second.qty);
        Resting r{e.side, e.order.price, e.order.quantity};
        orders_[e.order.order_id] = r;
        take(r, r.qty);
        break;
      }
      case EventType::order_delete: {
        auto it = orders_.find(e.order.order_id);
        if (it == orders_.end()) return true;
        take(it->second, -it->second.qty);
        orders_.erase(it);
        break;
      }
      case EventType::trade: {
        const int64_t ids[2] = {e.trade.buy_order_id, e.trade.sell_order_id};
        for (int64_t id : ids) {
          auto it = orders_.find(id);
          if (it == orders_.end()) continue;
          const int32_t q = e.trade.quantity < it->second.qty ? e.trade.quantity : it->second.qty;
          take(it->second, -q);
          it->second.qty -= q;
          if (it->second.qty == 0) orders_.erase(it);
        }
        KalshiEntry t;
        t.trade = true;
        t.side = e.side;
        if (!convert(e.trade.price, t.price, error)) return false;
        t.qty = e.trade.quantity * opt_.size_per_lot;
        trade = t;
        has_trade = true;
        break;
      }
      default: return true;
    }
    for (const auto& key : touched_) {
      const int64_t now = levels_[key];
      int64_t& was = published_[key];
      if (now == was) continue;
      KalshiEntry l;
      l.side = key.first;
      if (!convert(key.second, l.price, error)) return false;
      l.qty = (int32_t)(now * opt_.size_per_lot);
      was = now;
      step_.entries.push_back(l);
    }
    if (has_trade) step_.entries.push_back(trade);  // after the level changes it caused
    if (!step_.entries.empty()) out_.steps.push_back(step_);
    return true;
  }

 private:
  void take(const Resting& r, int32_t delta) {
    const std::pair<int8_t, int64_t> key{r.side, r.price};
    levels_[key] += delta;
    for (const auto& k : touched_)
      if (k == key) return;
    touched_.push_back(key);
  }
  bool convert(int64_t generated, int64_t& out, std::string& error) const {
    if (generated % opt_.price_divisor != 0) {
      error = "generated price " + std::to_string(generated) + " is not a multiple of the divisor";
      return false;
    }
    out = generated / opt_.price_divisor;
    return true;
  }

  const KalshiScriptOptions& opt_;
  KalshiScript& out_;
  std::map<int64_t, Resting> orders_;
  std::map<std::pair<int8_t, int64_t>, int64_t> levels_, published_;  // generated lots per level
  std::vector<std::pair<int8_t, int64_t>> touched_;
  KalshiStep step_;
};

}  // namespace

bool kalshi_script_from_events(const std::vector<MarketEvent>& events, const KalshiScriptOptions& opt, KalshiScript& out,
                               std::string& error) {
  out = KalshiScript{};
  Builder b(opt, out);
  for (const MarketEvent& e : events)
    if (!b.apply(e, error)) return false;
  if (out.tick <= 0) {
    error = "the generated session has no definition of instrument " + std::to_string(opt.instrument_id);
    return false;
  }
  return true;
}

bool kalshi_script_generate(const GenOptions& gen, const std::string& dir, const KalshiScriptOptions& opt, KalshiScript& out,
                            std::string& error) {
  GenOptions g = gen;
  g.faults = FaultOptions{};
  GenResult r;
  if (!generate_session(g, dir, r, error)) return false;
  return kalshi_script_from_capture(dir + "/feed_a.pcap", opt, out, error);
}

bool kalshi_script_from_capture(const std::string& pcap, const KalshiScriptOptions& opt, KalshiScript& out, std::string& error) {
  ReplayInputs in;
  in.pcap_a = pcap;
  Collect sink;
  FeedPipeline feed(sink, in.reorder_wait_ns);
  uint64_t frames = 0;
  if (!pump_captures(in, feed, frames, error)) return false;
  return kalshi_script_from_events(sink.events, opt, out, error);
}

}  // namespace pw::fix
