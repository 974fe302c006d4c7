// The built-in demo strategy of `perpwire run`: a small market maker that quotes a bid and an ask
// around the mark of every instrument for account 0, skewed against its inventory, and (when
// enabled) a steady cadence of probe orders, each built to be refused by the risk gate for one
// chosen reason — so that a run shows accepted flow and every reject reason for the reason it was
// meant for. Deterministic for a seed; no allocation after construction. See docs/order_flow.md.
#pragma once
#include <cstdint>
#include <vector>

#include "core/id_map.hpp"
#include "core/risk_engine.hpp"
#include "core/risk_types.hpp"

namespace pw {

struct Config;

struct DemoStrategyConfig {
  int64_t requote_interval_ns = 250'000'000;  // event time between quote refreshes per instrument
  int64_t half_spread_bps = 5;                // quotes at mark × (1 ∓ half_spread)
  int64_t skew_bps_per_contract = 1;          // inventory skew: both quotes move against the position
  int32_t quote_qty = 2;                      // contracts per quote
  bool probes = true;                         // also send orders meant to hit each reject reason
  uint64_t seed = 1;
  // Probe cadence: one probe every probe_interval_ns + [0, probe_jitter_ns) (seeded), the first
  // one probe_start_ns after the first market event (so that quotes rest by then).
  int64_t probe_interval_ns = 2'000'000'000;
  int64_t probe_jitter_ns = 2'000'000'000;
  int64_t probe_start_ns = 1'000'000'000;
  // Orders in the throttle burst when the account's order_burst is unknown (set_account not
  // called); with it known, the burst is order_burst + 5, which always empties the bucket.
  int32_t throttle_burst = 30;
  // Orders of a throttle burst, and cancels of leftover probe orders, sent on one market event at
  // most: the rest follow on the next events. A packet that triggers a hundred orders makes the
  // last one wait for the ninety-nine checked and encoded before it; a market maker spreads bulk
  // work over events instead. The burst goes on until the gate has refused at least one order for
  // the throttle (the bucket refills between events) or twice its first size has been sent.
  int32_t max_bulk_per_event = 8;
  int64_t first_client_order_id = 1;
};

struct StrategyInstrument {
  int index;             // risk-engine instrument index
  int32_t exchange_id;
  int64_t tick;          // ×1e-9
  int64_t contract_size; // ×1e-9
  InstrumentLimits limits;
};

// The probe kinds, each named after the reject reason it is built for.
enum class ProbeKind : uint8_t {
  price_collar = 0,
  order_size,
  price_band,
  duplicate_client_order_id,
  reduce_only,
  self_match,
  throttle,
  position_limit,
  margin,
  credit_limit,
  instrument_not_tradable,
  duplicate_order,
  self_match_owner,       // another account of account 0's owner crosses its resting ask
  throttle_cancels,       // orders canceled at once on an account whose cancels weigh: the next order waits
  fill_rate,        // leads that fill one after the other on an account with a fill-rate throttle, then an order
  max_open_orders,  // passive leads up to the account's max_open_orders, then one more
  loss_limit,       // a round trip across the spread past the account's loss limit, then an order (kill_loss_limit)
  market_data_untrusted,  // not in the cycle: sent when an instrument's book goes out of sync
  count_
};
constexpr int kProbeKindCount = (int)ProbeKind::count_;
const char* probe_kind_name(ProbeKind k);
RejectReason probe_target(ProbeKind k);
// The detail a hit must carry too, where the reason is shared (none: any detail of the reason).
RejectDetail probe_target_detail(ProbeKind k);

struct ProbeStats {
  uint64_t sent[kProbeKindCount] = {};
  uint64_t hit[kProbeKindCount] = {};     // rejected with the targeted reason
  uint64_t missed[kProbeKindCount] = {};  // accepted or rejected for another reason
  uint64_t missed_by[kProbeKindCount][kRejectReasonCount] = {};  // the misses by what came instead (none: accepted)
};

struct DemoStrategyCounters {
  uint64_t quotes_new = 0;
  uint64_t quotes_replaced = 0;
  uint64_t cancels = 0;
  uint64_t quote_rejects = 0;   // quotes or replaces the gate refused
  uint64_t fills = 0;
  uint64_t table_full = 0;      // requests not sent because the order table was full
};

class DemoStrategy {
 public:
  static constexpr int kMaxTracked = 1024;  // own orders tracked at once

  DemoStrategy(const DemoStrategyConfig&, std::vector<StrategyInstrument> instruments, int accounts);

  // Account limits and starting cash (optional, before the first on_market): they size the
  // throttle burst and select the accounts and instruments of the position_limit and margin probes.
  void set_account(int account, const AccountLimits& limits, int64_t cash);
  // set_account for every account of a config.
  void set_accounts(const Config& config);

  // After the market of `instrument` (risk-engine index) changed, at event time `now`: appends
  // the requests it wants checked now (new orders, replaces of its resting quotes, cancels).
  // Appends at most max_requests_per_call() requests: reserve that much in `out` to stay
  // allocation-free.
  void on_market(int instrument, const InstrumentMarket& m, int64_t now, std::vector<OrderRequest>& out);
  // What happened to each request / order, so it tracks its own resting quotes and inventory.
  void on_decision(const OrderRequest& r, const RiskDecision& d);
  // The exchange acknowledged the order (OrderEntered); also taken as the answer to a replace in
  // flight when on_replaced is not called.
  void on_entered(int64_t client_order_id);
  void on_fill(int64_t client_order_id, int32_t qty, int64_t price);
  void on_done(int64_t client_order_id);   // canceled, rejected by the exchange, or fully filled
  // The exchange's answer to a replace (OrderReplaced / the replace's OrderReject). Optional: a
  // replace not answered through these counts as applied after requote_interval_ns.
  void on_replaced(int64_t client_order_id);
  void on_replace_rejected(int64_t client_order_id);

  int64_t position(int account, int instrument) const;

  int max_requests_per_call() const;
  const ProbeStats& probe_stats() const { return probe_stats_; }
  const DemoStrategyCounters& counters() const { return counters_; }
  int open_orders() const { return tracked_count_; }
  // The price of account 0's resting quote on a side (kBuy / kSell) of an instrument; 0 if none.
  int64_t quote_price(int instrument, int8_t side) const;
  int64_t quote_id(int instrument, int8_t side) const;

 private:
  // lead: the first of a pair whose second is the probe (duplicate order content); not counted.
  enum class Role : uint8_t { quote, probe, burst, lead };
  enum class State : uint8_t { free, pending_new, live, canceling };
  struct Tracked {
    int64_t id;
    int64_t price;
    int64_t old_price;     // before the replace in flight
    int64_t replace_time;  // event time the replace was sent
    int32_t qty;
    int32_t filled;
    uint16_t account;
    uint16_t instrument;
    int8_t side;
    Role role;
    State state;
    ProbeKind probe;
    bool replace_sent;     // a replace request was emitted, decision not yet seen
    bool replace_pending;  // accepted by the gate, not yet answered by the exchange
    bool entered;
    int32_t prev_of_account;  // the account's other tracked orders (own_best walks them), −1 ends
    int32_t next_of_account;
  };
  struct Inst {
    StrategyInstrument cfg;
    InstrumentMarket market;
    bool have_market;
    bool was_synced;
    int64_t next_quote;
    int32_t quote[2];  // tracked slot of the bid ([0]) and ask ([1]) quote, −1 none
  };
  struct Acct {
    AccountLimits limits;
    int64_t cash;
    bool known;
  };

  uint64_t next_random();
  int64_t next_id() { return next_id_++; }
  int find(int64_t id) const;
  int track(const OrderRequest& r, Role role, ProbeKind probe);
  void release(int slot);
  int64_t& pos(int account, int instrument) { return positions_[(size_t)account * instruments_.size() + instrument]; }
  int64_t& open_ref(int account, int instrument, int8_t side);
  int64_t open_qty(int account, int instrument, int8_t side) const;
  int64_t position_limit(int account, int instrument) const;
  bool fits_position(int account, int instrument, int8_t side, int64_t qty) const;
  int64_t own_best(int account, int instrument, int8_t side) const;
  int quote_id_slot(int instrument, int8_t side) const;
  bool market_ok(const Inst& in, int64_t now) const;
  int64_t passive_price(const Inst& in, int8_t side, int64_t bps) const;
  int64_t probe_bps(const Inst& in) const;
  void quote(int instrument, int64_t now, std::vector<OrderRequest>& out);
  void pull_quotes(int instrument, int64_t now, std::vector<OrderRequest>& out);
  void cancel_leftovers(int64_t now, std::vector<OrderRequest>& out);
  bool probe(ProbeKind k, int instrument, int64_t now, std::vector<OrderRequest>& out);
  void miss(int kind, const RiskDecision& d);
  bool throttle_burst(int instrument, int64_t now, std::vector<OrderRequest>& out);
  bool fill_lead(int64_t now, std::vector<OrderRequest>& out);
  void continue_fill_probe(int64_t now, std::vector<OrderRequest>& out);
  bool loss_probe(int instrument, int64_t now, std::vector<OrderRequest>& out);
  void continue_loss_probe(int64_t now, std::vector<OrderRequest>& out);
  void end_loss_probe(int64_t now);
  void continue_burst(int64_t now, std::vector<OrderRequest>& out);
  void continue_cancel_storm(std::vector<OrderRequest>& out, int64_t now);
  OrderRequest request(OrderKind kind, int64_t id, int account, int instrument, int8_t side, int64_t price,
                       int32_t qty, uint8_t flags, int64_t now) const;

  DemoStrategyConfig cfg_;
  std::vector<Inst> instruments_;
  std::vector<Acct> accounts_;
  static constexpr int kCycleKinds = (int)ProbeKind::market_data_untrusted;  // kinds in the probe cycle

  std::vector<int64_t> positions_;  // [account × instruments]
  std::vector<int64_t> open_;       // [account × instruments × side] remaining quantity of own open orders
  std::vector<int32_t> live_other_; // [account] own open orders that are not quotes
  std::vector<int32_t> first_of_account_;  // [account] head of its tracked orders' list, −1 none
  std::vector<Tracked> tracked_;    // kMaxTracked slots
  std::vector<int32_t> free_;       // free slots
  IdMap<int32_t, kMaxTracked> index_;
  int tracked_count_ = 0;
  uint64_t rng_;
  int64_t next_id_;
  int64_t next_probe_ = INT64_MIN;  // event time of the next probe (INT64_MIN: not yet scheduled)
  int64_t leftover_check_ = INT64_MAX;  // event time after which resting burst / probe orders are canceled
  int probe_cursor_ = 0;
  int64_t last_untrusted_probe_ = INT64_MIN;
  int64_t quote_pause_until_ = INT64_MIN;  // after a throttle burst on account 0
  int64_t dup_probe_id_ = 0;               // the duplicate-id probe awaiting its decision
  bool burst_hit_ = false;
  // The throttle burst under way: its orders go out max_bulk_per_event per market event.
  struct Burst {
    bool active;
    int account;
    int instrument;
    int64_t buy, sell;   // prices of its buys and sells
    int64_t sent;        // orders sent so far
    int64_t size;        // orders to send at least (the bucket plus 5)
    int64_t throttled;   // of them refused for the throttle
  } burst_{};
  // The throttle_cancels probe under way: its orders were sent; once the gate has decided them,
  // the accepted ones are canceled at once and the probe order follows.
  struct CancelStorm {
    bool active;
    int account;
    int instrument;
    int n;
    int64_t ids[8];
    int64_t price;       // the probe order's
  } storm_{};
  // The fill-rate probe under way: marketable leads of one contract, buy then sell, each sent once
  // the one before has filled; when fill_rate_fills + 1 have filled, a passive order (the probe).
  struct FillProbe {
    bool active;
    int account;
    int instrument;
    int64_t lead_id;   // the lead in flight, 0: none
    int64_t fills;     // leads filled
    int64_t needed;    // fill_rate_fills + 1
    int64_t deadline;  // event time after which it is given up (the leads no longer fit the window)
  } fill_probe_{};
  // The loss-limit probe under way: a passive order that rests (the gate's loss-limit cancel has
  // something to cancel), a marketable buy of `qty`, once filled a marketable sell of `qty` — a
  // round trip whose cost across even a one-tick spread is past the account's loss limit — then,
  // once the sell is done (filled, or refused because the buy's loss at mark already stopped the
  // account), a passive order: the probe.
  struct LossProbe {
    bool active;
    int account;
    int instrument;
    int stage;         // 0: buy in flight, 1: buy filled, 2: sell in flight
    int32_t qty;
    int64_t lead_id;   // the buy or sell in flight, 0: none
    int64_t deadline;  // event time after which it is given up
  } loss_probe_{};
  std::vector<uint8_t> loss_stopped_;  // [account] an order of it was refused with kill_loss_limit
  ProbeStats probe_stats_;
  DemoStrategyCounters counters_;
};

// Strategy instruments from a config (index = the config's order).
std::vector<StrategyInstrument> strategy_instruments(const Config& config);

}  // namespace pw
