// The pre-trade risk gate: the 13 checks of DESIGN.md "Pre-trade risk", in their fixed order (the
// first failure is the reject reason), the reservation of accepted orders' worst-case exposure,
// and the bookkeeping of the exchange's answers (entered, fill, cancel, reject, replaced) and of
// funding payments. One engine serves every account of a firm.
//
// Header-only C++17 in synthesizable style: every capacity is a template parameter, storage is
// fixed arrays inside the object, every loop has a fixed bound (early exits only), no heap,
// exceptions, virtuals, recursion or OS calls. The HLS `pretrade_risk` kernel instantiates this
// class unchanged; the software path calls it directly. Formulas and rounding: docs/risk.md.
#pragma once
#include <cstdint>

#include "core/fixed_point.hpp"
#include "core/hls_pragma.hpp"
#include "core/id_map.hpp"
#include "core/margin.hpp"
#include "core/client_id_window.hpp"
#include "core/risk_decide.hpp"
#include "core/risk_thresholds.hpp"
#include "core/risk_types.hpp"

namespace pw {

// An order the gate accepted and the exchange has not finished with.
struct OpenOrder {
  int64_t client_order_id;
  int64_t price;         // limit price of the order as the exchange holds it
  int64_t new_price;     // the replace in flight (replace_pending)
  int64_t eff_price;     // the more aggressive of price / new_price while a replace is in flight
  int64_t res_notional;  // reserved notional (money ×1e-9)
  int64_t qty;           // total order quantity
  int64_t new_qty;       // total quantity of the replace in flight
  int64_t filled;
  int64_t res_qty;       // reserved contracts
  int32_t next;          // list of the open orders of one account × instrument × side
  int32_t prev;
  uint16_t account;
  uint16_t instrument;
  int8_t side;
  uint8_t flags;
  uint8_t entered;          // the exchange acknowledged the order
  uint8_t replace_pending;  // a replace was accepted and not yet answered
};

// One account's state in one instrument.
struct PositionState {
  Exposure exposure;     // position, average entry, open quantities, most aggressive open prices
  MarginParts margin;    // instrument_margin() of the exposure at the current market (zero when flat)
  int64_t realized_pnl;  // cumulative, money ×1e-9 (already in cash)
  int64_t funding_paid;  // cumulative funding paid (negative: received), already in cash
  int32_t head[2];       // open-order lists: [0] buys, [1] sells
};

struct AccountState {
  int64_t cash;               // money ×1e-9: deposits + realized PnL − funding paid
  int64_t filled_notional;    // gross notional filled since the last reset_daily()
  int64_t reserved_notional;  // Σ reserved notional of the open orders
  TokenBucket bucket;
  AccountLimits limits;
  uint8_t configured;
  uint8_t killed;
};

struct AccountMargin {
  int64_t requirement;  // Σ instruments (initial margin + open-order loss)
  int64_t equity;       // cash + Σ (unrealized PnL − funding owed)
};

// Σ of an account's PositionState::margin over its instruments, kept in step with them.
struct MarginTotals {
  i128 requirement;
  i128 equity;  // without cash
};

// How check 8 was answered: on the thresholds, or by computing the requirement (docs/risk.md).
// Kept apart from RiskCounters: how often each happens depends on when the slow path ran, the
// decisions do not.
struct MarginPathCounters {
  uint64_t by_threshold;
  uint64_t computed;
};

struct RiskCounters {
  uint64_t accepted;                       // new orders and replaces accepted
  uint64_t cancels;                        // cancel requests passed through
  uint64_t rejected[kRejectReasonCount];   // by RejectReason
  uint64_t unknown_events;                 // exchange events naming no open order
  uint64_t overfills;                      // fills larger than the order's reservation
  uint64_t funding_events;
  uint64_t fill_rate_pauses;               // fills that started (or lengthened) a fill-rate cool-down
  uint64_t loss_limit_kills;               // accounts whose loss limit engaged their kill switch
};

template <int kAccounts = 16, int kInstruments = 8, int kOpenOrders = 1024, int kDedupWindow = 4096,
          int kSessions = 8>
class RiskEngine {
  static_assert(kAccounts > 0 && kAccounts <= 65535, "account index is 16-bit");
  static_assert(kInstruments > 0 && kInstruments <= 65535, "instrument index is 16-bit");
  static_assert(kSessions > 0 && kSessions <= 256, "session index is 8-bit");
  static_assert(kOpenOrders > 0 && kDedupWindow > 0, "capacities are positive");

 public:
  static constexpr int accounts = kAccounts;
  static constexpr int instruments = kInstruments;
  static constexpr int open_order_capacity = kOpenOrders;
  static constexpr int dedup_window = kDedupWindow;
  static constexpr int sessions = kSessions;

  constexpr RiskEngine() { reset(); }

  // Forgets everything: limits, market, positions, cash, orders, counters.
  constexpr void reset() {
    kill_global_ = 0;
    for (int a = 0; a < kAccounts; ++a) {
      accounts_[a] = Account{};
      for (int i = 0; i < kInstruments; ++i) {
        PositionState& p = pos_[a][i];
        p = PositionState{};
        p.exposure.best_buy = kNoBuyPrice;
        p.exposure.best_sell = kNoSellPrice;
        p.head[0] = p.head[1] = -1;
      }
    }
    for (int i = 0; i < kInstruments; ++i) {
      instruments_[i] = Instrument{};
      instruments_[i].jump_until = INT64_MIN;
      instruments_[i].market.mark = kNullI64;
      instruments_[i].market.best_bid = kNullI64;
      instruments_[i].market.best_ask = kNullI64;
      instruments_[i].market.limit_down = kNullI64;
      instruments_[i].market.limit_up = kNullI64;
      instruments_[i].market.last_update = kNullI64;
    }
    for (int s = 0; s < kSessions; ++s) sessions_[s] = Session{};
    for (int k = 0; k < kOpenOrders; ++k) free_[k] = kOpenOrders - 1 - k;
    free_count_ = kOpenOrders;
    index_.clear();
    pending_index_n_ = 0;
    ids_.clear();
    for (int k = 0; k < kOpenOrders; ++k) order_live_[k] = 0;
    counters_ = RiskCounters{};
    margin_path_ = MarginPathCounters{};
    margin_dirty_count_ = 0;
    for (int a = 0; a < kAccounts; ++a) {
      notional_cap_[a] = INT64_MAX;
      open_count_[a] = 0;
      recent_next_[a] = 0;
      for (int k = 0; k < kDuplicateHistory; ++k) recent_[a][k] = RecentOrder{};
      loss_killed_[a] = 0;
      pnl_base_[a] = 0;
      unrealized_[a] = 0;
      for (int i = 0; i < kInstruments; ++i) {
        fill_ring_[a][i] = FillRing{};
        fill_paused_until_[a][i] = INT64_MIN;
        position_cap_[a][i] = INT64_MAX;
        open_count_ai_[a][i] = 0;
        margin_t_[a][i][0] = margin_t_[a][i][1] = MarginThreshold{};
        margin_dirty_[a][i] = 0;
        req_stale_[a][i] = 0;
      }
      req_stale_n_[a] = 0;
    }
    for (int a = 0; a < kAccounts; ++a) owner_of_[a] = 0;
    for (int g = 0; g <= kAccounts; ++g)
      for (int i = 0; i < kInstruments; ++i) owner_best_[g][i][0] = kNoBuyPrice, owner_best_[g][i][1] = kNoSellPrice;
    for (int a = 0; a < kAccounts; ++a) account_rate_[a] = BucketRate{0, 0, 0, 0, 0};
    for (int ss = 0; ss < kSessions; ++ss) session_rate_[ss] = BucketRate{0, 0, 0, 0, 0};
    for (int i = 0; i < kInstruments; ++i) refresh_instrument_thresholds(i, true);
    for (int a = 0; a < kAccounts; ++a) refresh_account_thresholds(a);
    for (int ss = 0; ss < kSessions; ++ss) session_ready_[ss][0] = session_ready_[ss][1] = -money::kI128Max;
    loss_kill_generation_ = 0;
  }

  // ---- configuration (a bad value leaves the previous limits in force) -----------------------

  LimitsError set_account_limits(int a, const AccountLimits& l) {
    if (a < 0 || a >= kAccounts) return bad_index();
    LimitsError e = validate(l);
    if (e.ok() && l.owner > kAccounts) e = LimitsError{LimitsErrc::too_large, LimitField::owner, 0};
    if (!e.ok()) return e;
    AccountState& s = accounts_[a].state;
    if (!s.configured) s.bucket = TokenBucket{l.order_burst * kTokenScale, kNullI64};
    s.limits = l;
    s.configured = 1;
    account_rate_[a] = bucket_rate(l.orders_per_second, l.order_burst);
    if (owner_of_[a] != (uint16_t)l.owner) {
      const int old = owner_of_[a];
      owner_of_[a] = (uint16_t)l.owner;
      for (int i = 0; i < kInstruments; ++i) {
        for (int side_ix = 0; side_ix < 2; ++side_ix) {
          refresh_owner_best(old, i, side_ix);
          refresh_owner_best(owner_of_[a], i, side_ix);
        }
      }
    }
    refresh_account_thresholds(a);
    for (int i = 0; i < kInstruments; ++i) refresh_margin(a, i);
    check_loss(a);
    return e;
  }
  LimitsError set_instrument_limits(int i, const InstrumentLimits& l) {
    if (i < 0 || i >= kInstruments) return bad_index();
    LimitsError e = validate(l);
    if (!e.ok()) return e;
    instruments_[i].limits = l;
    instruments_[i].configured = 1;
    if (l.max_jump_bps <= 0) {  // off: the windows and an untrusted period are forgotten
      instruments_[i].jump_mark = instruments_[i].jump_mid = JumpAnchor{0, 0};
      instruments_[i].jump_until = INT64_MIN;
    }
    refresh_instrument(i);  // the tiers may have changed
    refresh_instrument_thresholds(i, true);
    return e;
  }
  LimitsError set_session_limits(int s, const SessionLimits& l) {
    if (s < 0 || s >= kSessions) return bad_index();
    LimitsError e = validate(l);
    if (!e.ok()) return e;
    Session& ss = sessions_[s];
    if (!ss.configured) ss.bucket = TokenBucket{l.order_burst * kTokenScale, kNullI64};
    ss.limits = l;
    ss.configured = 1;
    session_rate_[s] = bucket_rate(l.orders_per_second, l.order_burst);
    refresh_session_ready(s);
    return e;
  }
  // Caps from outside the configured limits (a firm-wide slice held by this host, docs/firm.md):
  // check 9 uses min(daily_notional_limit, notional cap), check 7 min(max_position, position cap).
  // INT64_MAX = no cap; 0 refuses every order that adds to it.
  void set_notional_cap(int a, int64_t cap) {
    if (a < 0 || a >= kAccounts) return;
    notional_cap_[a] = cap < 0 ? 0 : cap;
    refresh_credit(a);
  }
  void set_position_cap(int a, int i, int64_t contracts) {
    if (a < 0 || a >= kAccounts || i < 0 || i >= kInstruments) return;
    position_cap_[a][i] = contracts < 0 ? 0 : contracts;
    refresh_sides(a, i);
  }
  int64_t notional_cap(int a) const { return notional_cap_[a]; }
  int64_t position_cap(int a, int i) const { return position_cap_[a][i]; }

  // Collateral: the account's cash (money ×1e-9).
  void set_cash(int a, int64_t cash) {
    if (a >= 0 && a < kAccounts) accounts_[a].state.cash = cash;
  }
  // A position carried over (start of day, recovery).
  void set_position(int a, int i, int64_t position, int64_t entry_price) {
    if (a < 0 || a >= kAccounts || i < 0 || i >= kInstruments) return;
    pos_[a][i].exposure.position = position;
    pos_[a][i].exposure.entry_price = position == 0 ? 0 : entry_price;
    refresh(a, i);
    check_loss(a);
  }
  // Market state from the market-state stage (book, mark/funding, trading status): the only way
  // the market changes. A new mark, contract size or funding rate re-marks every account holding
  // a position or open orders in the instrument (kAccounts steps), so that checks stay O(1).
  // Returns true when the update moved the jump band's state (a window began, or a jump fired):
  // such an update must be journaled as it comes, the others only before the next input.
  bool set_market(int i, const InstrumentMarket& m) {
    if (i < 0 || i >= kInstruments) return false;
    InstrumentMarket& cur = instruments_[i].market;
    bool remark = m.mark != cur.mark || m.contract_size != cur.contract_size || m.funding_rate != cur.funding_rate;
    cur = m;
    const bool jump_state = note_jumps(i);
    if (remark) {
      instruments_[i].mark_value = contract_value(m.mark > 0 ? m.mark : 0, m.contract_size);
      refresh_instrument(i);
      for (int a = 0; a < kAccounts; ++a) check_loss(a);
    }
    refresh_instrument_thresholds(i, remark);
    return jump_state;
  }
  const InstrumentMarket& market(int i) const { return instruments_[i].market; }

  // ---- kill switches ---------------------------------------------------------------------------

  void set_kill_global(bool on) { kill_global_ = on; }
  void set_kill_account(int a, bool on) {
    if (a >= 0 && a < kAccounts) accounts_[a].state.killed = on;
  }
  void set_kill_instrument(int i, bool on) {
    if (i >= 0 && i < kInstruments) instruments_[i].killed = on;
  }
  bool kill_global() const { return kill_global_; }
  bool kill_account(int a) const { return accounts_[a].state.killed; }
  bool kill_instrument(int i) const { return instruments_[i].killed; }
  // The loss limit's kill switch (apart from the account's own: set_kill_account leaves it; the
  // host's /unkill?account= clears both).
  bool kill_loss(int a) const { return loss_killed_[a] != 0; }
  void clear_loss_kill(int a) {
    if (a >= 0 && a < kAccounts) loss_killed_[a] = 0;
  }
  // Moves each time a loss limit engages a kill switch (the host mass-cancels that account).
  uint64_t loss_kill_generation() const { return loss_kill_generation_; }
  // The account's PnL as the loss limit sees it: realized + unrealized at mark − funding paid.
  int64_t loss_pnl(int a) const { return money::sat64(pnl_base_[a] + unrealized_[a]); }
  // New orders of the account × instrument are refused before this time (fill-rate cool-down).
  int64_t fill_paused_until(int a, int i) const { return fill_paused_until_[a][i]; }

  // ---- the gate ----------------------------------------------------------------------------------

  // Runs the checks; an accepted new order or replace reserves its exposure and consumes a token
  // from the session's and the account's buckets. Cancels always pass (they only reduce risk) and
  // change nothing until the exchange confirms them (on_cancel).
  PW_FLATTEN RiskDecision check(const OrderRequest& r) {
    Plan p;
    RiskDecision d = evaluate(r, p);
    if (!d.accepted) {
      ++counters_.rejected[(int)d.reason];
      if (d.reason == RejectReason::margin) ++(p.margin_computed ? margin_path_.computed : margin_path_.by_threshold);
      return d;
    }
    if (r.kind == OrderKind::cancel) {
      ++counters_.cancels;
      take_cancel_tokens(r);
      return d;
    }
    ++counters_.accepted;
    ++(p.margin_computed ? margin_path_.computed : margin_path_.by_threshold);
    // Check 8 passed on the threshold: the instrument's requirement with the order is not computed
    // here; the slow path does it (requirement_stale), and the threshold shifts by the contracts
    // the order added (docs/risk.md "Check 8 on thresholds").
    const MarginParts* req = p.margin_computed ? &p.requirement : nullptr;
    take_tokens(r);
    if (r.kind == OrderKind::new_order) {
      int32_t slot = free_[--free_count_];
      orders_[slot] = OpenOrder{r.client_order_id, r.price, 0, r.price, 0, r.quantity, 0, 0, 0, -1, -1,
                                r.account, r.instrument, r.side, r.flags, 0, 0};
      defer_index_insert(r.client_order_id, slot);
      order_seq_[slot] = ids_.enter(r.client_order_id, slot, [this](int32_t s, uint64_t seq) {
        return order_live_[s] != 0 && order_seq_[s] == seq;
      });
      order_live_[slot] = 1;
      link(slot);
      count_open(r.account, r.instrument, +1);
      remember_new_order(r);
      if (req) reserve(slot, p.res_qty, p.res_notional, p.eff_price, Commit::computed, req);
      else reserve_new_on_threshold(slot, p.res_qty, p.res_notional);
    } else {
      OpenOrder& o = orders_[p.slot];
      o.new_price = r.price;
      o.new_qty = r.quantity;
      o.replace_pending = 1;
      reserve(p.slot, p.res_qty, p.res_notional, p.eff_price, req ? Commit::computed : Commit::by_threshold, req);
    }
    return d;
  }

  // The same decision without changing anything (what-if, tests, tooling).
  RiskDecision evaluate(const OrderRequest& r) const {
    Plan p;
    return evaluate(r, p);
  }

  // ---- the exchange's answers ----------------------------------------------------------------
  // Each names the order by client order id and returns false when no open order has that id.

  // OrderEntered: the order rests (or is working) at the exchange.
  bool on_entered(int64_t client_order_id) {
    int32_t slot = event_slot(client_order_id);
    if (slot < 0) return false;
    orders_[slot].entered = 1;
    return true;
  }

  // OrderFilled: `qty` contracts at `price`, at the exchange's transact time `time` (ns since the
  // epoch). Moves the reservation into the position; realized PnL goes to cash; the fill's
  // notional counts toward the daily gross notional; the fill-rate throttle and the loss limit
  // look at it.
  bool on_fill(int64_t client_order_id, int64_t qty, int64_t price, int64_t time) {
    int32_t slot = event_slot(client_order_id);
    if (slot < 0 || qty <= 0) return slot >= 0;
    OpenOrder& o = orders_[slot];
    const int a = o.account, i = o.instrument;
    fill_position(a, i, o.side, qty, price);
    if (qty > o.res_qty) ++counters_.overfills;
    o.filled += qty;
    settle(slot);  // filled in full, the order is done (a replace in flight is moot)
    count_fill(a, i, qty, time);
    check_loss(a);
    return true;
  }

  // A fill of an order the gate does not track (entered before a restart, or by another route):
  // the position, cash and daily notional move; no reservation changes.
  void on_untracked_fill(int a, int i, int8_t side, int64_t qty, int64_t price, int64_t time) {
    if (a < 0 || a >= kAccounts || i < 0 || i >= kInstruments || qty <= 0 || (side != kBuy && side != kSell)) return;
    fill_position(a, i, side, qty, price);
    refresh(a, i);
    count_fill(a, i, qty, time);
    check_loss(a);
  }

  // OrderCanceled (by the user, IOC remainder, the exchange): releases the reservation.
  bool on_cancel(int64_t client_order_id) {
    int32_t slot = event_slot(client_order_id);
    if (slot < 0) return false;
    remove(slot);
    return true;
  }

  // OrderReject: a replace in flight was refused (the order stands as before), or a new order was
  // refused (released). A reject for an acknowledged order with no replace in flight changes
  // nothing and returns false.
  bool on_reject(int64_t client_order_id) {
    int32_t slot = event_slot(client_order_id);
    if (slot < 0) return false;
    OpenOrder& o = orders_[slot];
    if (o.replace_pending) {
      o.replace_pending = 0;
      settle(slot);
      return true;
    }
    if (o.entered) return false;
    remove(slot);
    return true;
  }

  // OrderReplaced: the replace in flight took effect; the reservation becomes the new order's.
  bool on_replace(int64_t client_order_id) {
    int32_t slot = event_slot(client_order_id);
    if (slot < 0 || !orders_[slot].replace_pending) return false;
    OpenOrder& o = orders_[slot];
    o.price = o.new_price;
    o.qty = o.new_qty;
    o.replace_pending = 0;
    o.entered = 1;
    settle(slot);
    return true;
  }

  // Funding time of `instrument`: every account with a position pays (or receives)
  // funding_payment(position, mark, contract size, rate) out of (into) cash.
  void apply_funding(int instrument, int64_t mark, int64_t rate) {
    if (instrument < 0 || instrument >= kInstruments) return;
    int64_t cs = instruments_[instrument].market.contract_size;
    for (int a = 0; a < kAccounts; ++a) {
      PositionState& ps = pos_[a][instrument];
      if (ps.exposure.position == 0) continue;
      int64_t pay = funding_payment(ps.exposure.position, mark, cs, rate);
      accounts_[a].state.cash -= pay;
      ps.funding_paid += pay;
      pnl_base_[a] -= pay;
      check_loss(a);
    }
    ++counters_.funding_events;
  }

  // Start of a trading day: the daily gross notional counts from zero again.
  void reset_daily() {
    for (int a = 0; a < kAccounts; ++a) {
      accounts_[a].state.filled_notional = 0;
      refresh_credit(a);
    }
  }

  // ---- inspection --------------------------------------------------------------------------------

  const PositionState& position(int a, int i) const { return pos_[a][i]; }
  const AccountState& account(int a) const { return accounts_[a].state; }
  const RiskCounters& counters() const { return counters_; }
  const MarginPathCounters& margin_path() const { return margin_path_; }
  const MarginThreshold& margin_threshold_of(int a, int i, int side_ix) const { return margin_t_[a][i][side_ix]; }

  // The slow path of check 8 for what accepted orders left behind: recomputes the margin
  // thresholds of every account × instrument whose exposure an accepted order changed since. Call
  // it when the order path is idle; until then those orders' instruments compute the requirement
  // (same decisions, slower). Returns how many account × instrument pairs were listed.
  int refresh_margin_thresholds() {
    flush_index();
    const int n = margin_dirty_count_;
    for (int k = 0; k < n; ++k) {
      PW_HLS_PRAGMA(HLS LOOP_TRIPCOUNT min=0 max=8 avg=1)
      const int a = margin_dirty_list_[k] / kInstruments, i = margin_dirty_list_[k] % kInstruments;
      margin_dirty_[a][i] = 0;
      resolve_requirements(a);
      if (!margin_t_[a][i][0].valid || !margin_t_[a][i][1].valid) refresh_margin(a, i);
    }
    margin_dirty_count_ = 0;
    return n;
  }
  int open_orders() const { return kOpenOrders - free_count_; }
  // Open orders of one account, in all and in one instrument (max open orders).
  int open_orders(int a) const { return open_count_[a]; }
  int open_orders(int a, int i) const { return open_count_ai_[a][i]; }
  // Calls f(order) for each open order of account `a` (a mass cancel; kOpenOrders steps, slow path).
  template <typename F>
  void for_each_open_order(int a, F f) const {
    for (int k = 0; k < kOpenOrders; ++k)
      if (order_live_[k] && orders_[k].account == a) f(orders_[k]);
  }
  const OpenOrder* find_order(int64_t client_order_id) const {
    int32_t slot = find_slot(client_order_id);
    return slot < 0 ? nullptr : &orders_[slot];
  }
  // The account's margin requirement and equity as check 8 sees them (without a new order).
  AccountMargin account_margin(int a) const {
    const Account& acc = accounts_[a];
    return AccountMargin{money::sat64(exact_requirement_total(a)), money::sat64(acc.totals.equity + acc.state.cash)};
  }

 private:
  struct Account {
    AccountState state;
    MarginTotals totals;
  };
  struct Instrument {
    InstrumentLimits limits;
    InstrumentMarket market;
    ContractValue mark_value;  // one contract at the mark (kept by set_market)
    JumpAnchor jump_mark, jump_mid;  // check 3's jump band: each series' window
    int64_t jump_until;              // untrusted before this time after a jump (INT64_MIN: none)
    uint8_t configured;
    uint8_t killed;
  };
  struct Session {
    SessionLimits limits;
    TokenBucket bucket;
    uint8_t configured;
  };
  struct Reservation {
    int64_t qty;
    int64_t notional;
    int64_t eff_price;
  };
  // What an accepted request will change.
  struct Plan {
    int32_t slot;  // replace: the order's slot
    int64_t res_qty;
    int64_t res_notional;
    int64_t eff_price;
    MarginParts requirement;  // initial margin and open loss of the instrument with the order
    int64_t q_add;            // contracts the order adds to its side (check 8)
    int side_ix;
    bool margin_computed;     // check 8 computed `requirement` (else the threshold answered)
  };

  static LimitsError bad_index() { return LimitsError{LimitsErrc::bad_index, LimitField::none, 0}; }

  static RiskDecision reject(RiskDecision d, RejectReason r, RejectDetail detail) {
    d.accepted = false;
    d.reason = r;
    d.detail = detail;
    return d;
  }

  // The open-order index (id -> slot). An accepted order's insertion waits in a short list for the
  // slow path (flush_index: between orders, or before the index is next read), so the order path
  // does not probe the map; reads flush first, so every answer is the map's own. The index and
  // the list are one logical state: flushing inside a const read changes nothing observable, but
  // it writes, so even const calls belong to the engine's one thread.
  void defer_index_insert(int64_t id, int32_t slot) {
    if (pending_index_n_ == kPendingIndex) flush_index();
    pending_index_[pending_index_n_++] = PendingIndex{id, slot};
  }
  void flush_index() const {
    for (int k = 0; k < pending_index_n_; ++k) {
      PW_HLS_PRAGMA(HLS LOOP_TRIPCOUNT min=0 max=8 avg=1)
      index_.insert(pending_index_[k].id, pending_index_[k].slot);
    }
    pending_index_n_ = 0;
  }
  // Room for a new id: certain without flushing when even the listed insertions, each taking a
  // victim entry at worst, leave the map below capacity and its victim area with a free entry
  // (then has_room is true whatever they do); otherwise the map answers after a flush.
  bool index_has_room(int64_t id) const {
    if (pending_index_n_ > 0) {
      if (index_.size() + pending_index_n_ < index_.capacity() &&
          index_.in_victim_area() + pending_index_n_ < id_map_detail::kVictims)
        return true;
      flush_index();
    }
    return index_.has_room(id);
  }
  int32_t find_slot(int64_t client_order_id) const {
    if (pending_index_n_ > 0) flush_index();
    return index_.value_or(client_order_id, -1);
  }
  int32_t event_slot(int64_t client_order_id) {
    int32_t slot = find_slot(client_order_id);
    if (slot < 0) ++counters_.unknown_events;
    return slot;
  }

  // A fill's effect on the position (average entry, realized PnL into cash) and daily notional.
  // The caller refreshes the margin parts (after moving the order's reservation too).
  void fill_position(int a, int i, int8_t side, int64_t qty, int64_t price) {
    PositionState& ps = pos_[a][i];
    AccountState& acc = accounts_[a].state;
    int64_t cs = instruments_[i].market.contract_size;
    int64_t realized = apply_fill(ps.exposure.position, ps.exposure.entry_price, side, qty, price, cs);
    acc.cash += realized;
    ps.realized_pnl += realized;
    pnl_base_[a] += realized;
    acc.filled_notional += money::notional_ceil(price, qty, cs);
    refresh_credit(a);
  }

  // Recomputes the margin parts of an account × instrument after its exposure, its market or its
  // tiers changed, and moves the account's totals by the difference.
  void refresh(int a, int i) {
    PositionState& ps = pos_[a][i];
    const Instrument& ins = instruments_[i];
    MarginParts m{0, 0, 0, 0};
    if (!is_flat(ps.exposure))
      m = instrument_margin(ps.exposure, ins.market.mark, ins.market.contract_size, ins.market.funding_rate, ins.limits.margin);
    accounts_[a].totals.requirement += m.requirement() - ps.margin.requirement();
    accounts_[a].totals.equity += m.equity() - ps.margin.equity();
    unrealized_[a] += (i128)m.unrealized - ps.margin.unrealized;
    ps.margin = m;
    clear_requirement_stale(a, i);
    refresh_sides(a, i);
    refresh_margin(a, i);
  }
  void refresh_instrument(int i) {
    for (int a = 0; a < kAccounts; ++a) refresh(a, i);
  }

  // The reservation of an order: its remaining quantity at its limit price; while a replace is in
  // flight, the larger of the old and new remaining quantities and notionals, and the more
  // aggressive of the two prices (either may be what the exchange ends up holding).
  static Reservation reservation(int8_t side, int64_t price, int64_t qty, int64_t filled, bool replace_pending,
                                 int64_t new_price, int64_t new_qty, int64_t cs) {
    int64_t rem = qty - filled > 0 ? qty - filled : 0;
    Reservation v{rem, money::notional_ceil(price, rem, cs), price};
    if (replace_pending) {
      int64_t new_rem = new_qty - filled > 0 ? new_qty - filled : 0;
      int64_t new_notional = money::notional_ceil(new_price, new_rem, cs);
      if (new_rem > v.qty) v.qty = new_rem;
      if (new_notional > v.notional) v.notional = new_notional;
      if (side > 0 ? new_price > price : new_price < price) v.eff_price = new_price;
    }
    return v;
  }
  Reservation reservation_of(const OpenOrder& o) const {
    return reservation(o.side, o.price, o.qty, o.filled, o.replace_pending, o.new_price, o.new_qty,
                       instruments_[o.instrument].market.contract_size);
  }

  // Most aggressive effective price on one side of an account × instrument, by walking its list.
  int64_t scan_best(const PositionState& ps, int side_ix) const {
    int64_t best = side_ix == 0 ? kNoBuyPrice : kNoSellPrice;
    int32_t s = ps.head[side_ix];
    for (int n = 0; n < kOpenOrders; ++n) {
      if (s < 0) break;
      int64_t p = orders_[s].eff_price;
      if (side_ix == 0 ? p > best : p < best) best = p;
      s = orders_[s].next;
    }
    return best;
  }

  // Sets an order's reservation, keeping the aggregates (open quantity, reserved notional, most
  // aggressive price) of its account × instrument × side exact.
  // `requirement`, when given, is the instrument's margin requirement with the new reservation,
  // already computed by the check; otherwise it is recomputed.
  enum class Commit : uint8_t { refresh, computed, by_threshold };
  void reserve(int32_t slot, int64_t qty, int64_t notional, int64_t eff_price, Commit how = Commit::refresh,
               const MarginParts* requirement = nullptr) {
    OpenOrder& o = orders_[slot];
    const int64_t q_add = qty - o.res_qty;
    PositionState& ps = pos_[o.account][o.instrument];
    int side_ix = o.side > 0 ? 0 : 1;
    int64_t& open = side_ix == 0 ? ps.exposure.open_buy : ps.exposure.open_sell;
    int64_t& best = side_ix == 0 ? ps.exposure.best_buy : ps.exposure.best_sell;
    open += qty - o.res_qty;
    accounts_[o.account].state.reserved_notional += notional - o.res_notional;
    refresh_credit(o.account);
    int64_t old_eff = o.eff_price;
    o.res_qty = qty;
    o.res_notional = notional;
    o.eff_price = eff_price;
    const int64_t best_before = best;
    bool more_aggressive = side_ix == 0 ? eff_price >= best : eff_price <= best;
    if (more_aggressive) best = eff_price;
    else if (old_eff == best) best = scan_best(ps, side_ix);
    owner_best_moved(o.account, o.instrument, side_ix, side_ix == 0 ? best < best_before : best > best_before);
    if (how == Commit::refresh) {
      refresh(o.account, o.instrument);
      return;
    }
    if (how == Commit::computed) {
      MarginParts m = ps.margin;  // the position, hence its equity part, is unchanged
      m.initial = requirement->initial;
      m.open_loss = requirement->open_loss;
      // (a stale ps.margin is stale in the totals by the same amount: the difference is exact)
      accounts_[o.account].totals.requirement += m.requirement() - ps.margin.requirement();
      ps.margin = m;
      clear_requirement_stale(o.account, o.instrument);
      refresh_sides(o.account, o.instrument);
      defer_margin(o.account, o.instrument);
      return;
    }
    // By threshold: the requirement waits for the slow path; the order's side keeps its
    // threshold, shifted by the contracts added (R'(q) = R(q + q_add): the order is at or inside
    // the side's reference price, so the exposure changed by q_add contracts only), the other side
    // is recomputed by the slow path.
    mark_requirement_stale(o.account, o.instrument);
    refresh_sides(o.account, o.instrument);
    MarginThreshold& own = margin_t_[o.account][o.instrument][side_ix];
    const bool kept = own.valid;
    defer_margin(o.account, o.instrument);
    if (kept) {
      own.valid = 1;
      own.qty -= q_add;
    }
  }

  // reserve() for a new order that passed check 8 on its threshold, in O(1) and without a division:
  // each threshold the order consumed moves by what it took — the side's position and reduce-only
  // rooms by its contracts, the account's credit by its notional, the other side's self-match
  // price to the new best, the side's margin threshold shifted — which is what refresh_sides /
  // refresh_credit would recompute (docs/risk.md "Fast path and slow path").
  void reserve_new_on_threshold(int32_t slot, int64_t qty, int64_t notional) {
    OpenOrder& o = orders_[slot];  // res_qty = res_notional = 0, eff_price = price
    const int a = o.account, i = o.instrument;
    PositionState& ps = pos_[a][i];
    const int side_ix = o.side > 0 ? 0 : 1;
    int64_t& best = side_ix == 0 ? ps.exposure.best_buy : ps.exposure.best_sell;
    (side_ix == 0 ? ps.exposure.open_buy : ps.exposure.open_sell) += qty;
    accounts_[a].state.reserved_notional += notional;
    AccountThresholds& at = acc_t_[a];
    at.credit -= notional;
    at.credit_x = at.credit >= (i128)INT64_MAX ? kNoCeiling : at.credit * kPriceScale;
    o.res_qty = qty;
    o.res_notional = notional;
    if (side_ix == 0 ? o.eff_price >= best : o.eff_price <= best) best = o.eff_price;
    SideThresholds& own = side_t_[a][i][side_ix];
    own.position_room -= qty;
    own.reduce_room -= qty;
    side_t_[a][i][1 - side_ix].opposite_best = best;
    owner_best_moved(a, i, side_ix, false);
    mark_requirement_stale(a, i);
    MarginThreshold& m = margin_t_[a][i][side_ix];
    defer_margin(a, i);
    m.valid = 1;  // (it answered this order, so it was valid)
    m.qty -= qty;
  }

  // Re-derives an order's reservation after a fill or an answer of the exchange; an order filled
  // in full leaves.
  void settle(int32_t slot) {
    OpenOrder& o = orders_[slot];
    if (o.filled >= o.qty) {
      remove(slot);
      return;
    }
    Reservation v = reservation_of(o);
    reserve(slot, v.qty, v.notional, v.eff_price);
  }

  void link(int32_t slot) {
    OpenOrder& o = orders_[slot];
    PositionState& ps = pos_[o.account][o.instrument];
    int side_ix = o.side > 0 ? 0 : 1;
    o.prev = -1;
    o.next = ps.head[side_ix];
    if (o.next >= 0) orders_[o.next].prev = slot;
    ps.head[side_ix] = slot;
  }

  void remove(int32_t slot) {
    OpenOrder& o = orders_[slot];
    count_open(o.account, o.instrument, -1);
    PositionState& ps = pos_[o.account][o.instrument];
    int side_ix = o.side > 0 ? 0 : 1;
    (side_ix == 0 ? ps.exposure.open_buy : ps.exposure.open_sell) -= o.res_qty;
    accounts_[o.account].state.reserved_notional -= o.res_notional;
    refresh_credit(o.account);
    if (o.prev >= 0) orders_[o.prev].next = o.next;
    else ps.head[side_ix] = o.next;
    if (o.next >= 0) orders_[o.next].prev = o.prev;
    int64_t& best = side_ix == 0 ? ps.exposure.best_buy : ps.exposure.best_sell;
    if (o.eff_price == best) {
      best = scan_best(ps, side_ix);
      owner_best_moved(o.account, o.instrument, side_ix, true);
    }
    refresh(o.account, o.instrument);
    flush_index();
    index_.erase_key(o.client_order_id);
    order_live_[slot] = 0;
    ids_.leave(o.client_order_id, order_seq_[slot]);
    free_[free_count_++] = slot;
  }

  // ---- thresholds (the slow path: after every change of the state they derive from) ----------

  // Check 3's jump band (the slow path of every market update):
  // the mark and the mid (bid + ask, both present and not crossed) each against their window.
  // Returns whether the state moved: an anchor changed or a jump fired.
  bool note_jumps(int i) {
    Instrument& ins = instruments_[i];
    const InstrumentMarket& m = ins.market;
    const int64_t t = m.last_update;
    const JumpAnchor mark_before = ins.jump_mark, mid_before = ins.jump_mid;
    bool jump = jump_step(ins.jump_mark, m.mark, t, ins.limits);
    if (m.best_bid != kNullI64 && m.best_ask != kNullI64 && m.best_bid > 0 && m.best_bid < m.best_ask) {
      const i128 sum = (i128)m.best_bid + m.best_ask;
      jump |= jump_step(ins.jump_mid, sum > (i128)INT64_MAX ? INT64_MAX : (int64_t)sum, t, ins.limits);
    }
    if (jump) ins.jump_until = risk_detail::clamp64((i128)t + ins.limits.jump_settle_ns);
    return jump || mark_before.ref != ins.jump_mark.ref || mark_before.since != ins.jump_mark.since ||
           mid_before.ref != ins.jump_mid.ref || mid_before.since != ins.jump_mid.since;
  }
  constexpr void refresh_instrument_thresholds(int i, bool prices) {
    const Instrument& ins = instruments_[i];
    refresh_instrument_flags(ins_t_[i], ins.configured != 0, ins.limits, ins.market);
    ins_t_[i].jump_until = ins.limits.max_jump_bps > 0 ? ins.jump_until : INT64_MIN;
    if (prices) refresh_instrument_prices(ins_t_[i], ins.limits, ins.market);
  }
  constexpr void refresh_sides(int a, int i) {
    const int64_t il = instruments_[i].limits.max_position, al = accounts_[a].state.limits.max_position;
    const int64_t cap = position_cap_[a][i];
    const int64_t local = il < al ? il : al;
    const int64_t limit = cap < local ? cap : local;
    for (int side_ix = 0; side_ix < 2; ++side_ix) side_t_[a][i][side_ix] = side_thresholds(pos_[a][i].exposure, side_ix, limit);
  }
  // Check 8's budget for one instrument of an account: equity + cash − the other instruments'
  // requirements.
  // Exact while requirements are stale: instrument i's own stale part cancels out; the other
  // instruments' are computed on the side (rare: the slow path resolves them between orders).
  i128 margin_budget(int a, int i) const {
    const Account& acc = accounts_[a];
    i128 b = acc.totals.equity + acc.state.cash - acc.totals.requirement + pos_[a][i].margin.requirement();
    if (req_stale_n_[a] > req_stale_[a][i]) b -= stale_requirements_except(a, i);
    return b;
  }
  // What the account's stale requirements other than instrument i's are short by (the rare case).
  PW_NOINLINE i128 stale_requirements_except(int a, int i) const {
    i128 d = 0;
    for (int j = 0; j < kInstruments; ++j) {
      if (j != i && req_stale_[a][j]) d += current_requirement(a, j).requirement() - pos_[a][j].margin.requirement();
    }
    return d;
  }
  MarginParts requirement_of(int a, int i, int side_ix, int64_t q_add, int64_t eff) const {
    const Instrument& ins = instruments_[i];
    return requirement_with_order(pos_[a][i].exposure, side_ix, q_add, eff, ins.market.mark, ins.mark_value,
                                  ins.market.contract_size, ins.limits.margin);
  }
  // (The pair's place in the stale list is kept until the list drains: at most one each.)
  void refresh_margin(int a, int i) {
    resolve_requirements(a);  // the budget below needs the account's exact totals
    const Instrument& ins = instruments_[i];
    if (!accounts_[a].state.configured || !ins.configured || ins.market.mark <= 0 || ins.market.contract_size <= 0) {
      margin_t_[a][i][0].valid = margin_t_[a][i][1].valid = 0;
      return;
    }
    const i128 budget = margin_budget(a, i);
    for (int side_ix = 0; side_ix < 2; ++side_ix) {
      const int64_t room = side_t_[a][i][side_ix].position_room;
      const int64_t q_max = room < ins.limits.max_order_qty ? room : ins.limits.max_order_qty;
      margin_t_[a][i][side_ix] = margin_threshold(pos_[a][i].exposure, side_ix, q_max, budget, ins.market.mark,
                                                  ins.mark_value, ins.market.contract_size, ins.limits.margin);
    }
  }
  // The instrument's requirement (initial margin, open-order loss) after orders accepted on the
  // threshold: ps.margin and the account's totals are stale together, by the same amount, until
  // resolved. The budget of check 8 for that same instrument adds its own requirement back, so it
  // is exact meanwhile; for the account's other instruments evaluate() resolves it on the side.
  void mark_requirement_stale(int a, int i) {
    if (req_stale_[a][i]) return;
    req_stale_[a][i] = 1;
    ++req_stale_n_[a];
  }
  void clear_requirement_stale(int a, int i) {
    if (!req_stale_[a][i]) return;
    req_stale_[a][i] = 0;
    --req_stale_n_[a];
  }
  MarginParts current_requirement(int a, int i) const {
    const Instrument& ins = instruments_[i];
    // (no order added: q_add 0 at a price that moves no best price)
    return requirement_with_order(pos_[a][i].exposure, 0, 0, kNoBuyPrice, ins.market.mark, ins.mark_value,
                                  ins.market.contract_size, ins.limits.margin);
  }
  void resolve_requirements(int a) {
    if (req_stale_n_[a] > 0) resolve_stale_requirements(a);
  }
  PW_NOINLINE void resolve_stale_requirements(int a) {
    for (int i = 0; i < kInstruments && req_stale_n_[a] > 0; ++i) {
      if (!req_stale_[a][i]) continue;
      PositionState& ps = pos_[a][i];
      const MarginParts r = current_requirement(a, i);
      MarginParts m = ps.margin;
      m.initial = r.initial;
      m.open_loss = r.open_loss;
      accounts_[a].totals.requirement += m.requirement() - ps.margin.requirement();
      ps.margin = m;
      clear_requirement_stale(a, i);
    }
  }
  // The account's requirement total with every stale instrument resolved, without changing it.
  i128 exact_requirement_total(int a) const {
    i128 t = accounts_[a].totals.requirement;
    for (int i = 0; i < kInstruments && req_stale_n_[a] > 0; ++i) {
      if (req_stale_[a][i]) t += current_requirement(a, i).requirement() - pos_[a][i].margin.requirement();
    }
    return t;
  }
  void defer_margin(int a, int i) {
    margin_t_[a][i][0].valid = margin_t_[a][i][1].valid = 0;
    if (margin_dirty_[a][i]) return;
    margin_dirty_[a][i] = 1;
    margin_dirty_list_[margin_dirty_count_++] = a * kInstruments + i;  // at most once per pair: fits
  }
  constexpr void refresh_credit(int a) {
    const AccountState& s = accounts_[a].state;
    AccountLimits l = s.limits;
    if (notional_cap_[a] < l.daily_notional_limit) l.daily_notional_limit = notional_cap_[a];
    acc_t_[a] = account_thresholds(l, s.filled_notional, s.reserved_notional);
  }
  // Duplicate order content: the same instrument, side, price and quantity as one of the
  // account's last kDuplicateHistory accepted new orders, accepted at most duplicate_window_ns
  // before this request (or at a later time: the request times of one account need not rise).
  // Every place compared side by side.
  bool repeats_recent_order(const OrderRequest& r) const {
    const int64_t window = accounts_[r.account].state.limits.duplicate_window_ns;
    if (window <= 0) return false;
    bool hit = false;
    for (int k = 0; k < kDuplicateHistory; ++k) {
      PW_HLS_PRAGMA(HLS UNROLL)
      const RecentOrder& o = recent_[r.account][k];
      hit |= o.used != 0 && o.instrument == r.instrument && o.side == r.side && o.price == r.price && o.qty == r.quantity &&
             (i128)r.time - o.time <= window;
    }
    return hit;
  }
  void remember_new_order(const OrderRequest& r) {
    int32_t& next = recent_next_[r.account];
    recent_[r.account][next] = RecentOrder{r.price, r.time, r.quantity, r.instrument, r.side, 1};
    next = next + 1 == kDuplicateHistory ? 0 : next + 1;
  }
  // Self-match across an owner's accounts: per owner group × instrument × side, the best open price
  // over the group's accounts (the threshold check 13 compares an order of any of them against).
  // An account's best that grew more aggressive moves it in O(1) (the order path); one that backed
  // off (an order left or was replaced less aggressively) rescans the group's accounts (kAccounts
  // steps, only on exchange answers and such replaces).
  void owner_best_moved(int a, int i, int side_ix, bool backed_off) {
    const int g = owner_of_[a];
    if (g == 0) return;
    if (backed_off) {
      refresh_owner_best(g, i, side_ix);
      return;
    }
    const Exposure& e = pos_[a][i].exposure;
    int64_t& ob = owner_best_[g][i][side_ix];
    if (side_ix == 0 ? e.best_buy > ob : e.best_sell < ob) ob = side_ix == 0 ? e.best_buy : e.best_sell;
  }
  void refresh_owner_best(int g, int i, int side_ix) {
    if (g == 0) return;
    int64_t best = side_ix == 0 ? kNoBuyPrice : kNoSellPrice;
    for (int b = 0; b < kAccounts; ++b) {
      if (owner_of_[b] != g) continue;
      const Exposure& e = pos_[b][i].exposure;
      if (side_ix == 0 ? e.best_buy > best : e.best_sell < best) best = side_ix == 0 ? e.best_buy : e.best_sell;
    }
    owner_best_[g][i][side_ix] = best;
  }
  // Repeated execution: the fill enters its account × instrument's ring (the oldest leaves when
  // full); when the fills within the window, this one included, are more than fill_rate_fills or
  // sum to more than fill_rate_qty, new orders there wait until time + fill_rate_cooldown_ns. A
  // fill pushing out a fill still inside the window means more fills in it than the ring holds:
  // that counts as past both limits (fail closed; fill_rate_fills < kFillRateHistory anyway).
  // One fixed pass over the ring: O(1) per fill, nothing on the order path but the compare.
  void count_fill(int a, int i, int64_t qty, int64_t time) {
    FillRing& f = fill_ring_[a][i];
    const AccountLimits& l = accounts_[a].state.limits;
    const i128 window = l.fill_rate_window_ns;
    const bool overflow = f.count == kFillRateHistory && (i128)time - f.time[f.next] <= window;
    f.time[f.next] = time;
    f.qty[f.next] = qty;
    f.next = f.next + 1 == kFillRateHistory ? 0 : f.next + 1;
    if (f.count < kFillRateHistory) ++f.count;
    if (l.fill_rate_fills <= 0 && l.fill_rate_qty <= 0) return;
    int64_t n = 0;
    i128 q = 0;
    for (int k = 0; k < kFillRateHistory; ++k) {
      PW_HLS_PRAGMA(HLS UNROLL)
      const bool in = k < f.count && (i128)time - f.time[k] <= window;
      n += in ? 1 : 0;
      q += in ? (i128)f.qty[k] : (i128)0;
    }
    const bool past = (l.fill_rate_fills > 0 && (overflow || n > l.fill_rate_fills)) ||
                      (l.fill_rate_qty > 0 && (overflow || q > l.fill_rate_qty));
    if (!past) return;
    int64_t until;
    if (__builtin_add_overflow(time, l.fill_rate_cooldown_ns, &until)) until = INT64_MAX;
    if (until > fill_paused_until_[a][i]) fill_paused_until_[a][i] = until;
    ++counters_.fill_rate_pauses;
  }
  // Loss limit: realized + unrealized − funding paid below −loss_limit engages the account's
  // loss kill switch (once; it stays until cleared).
  void check_loss(int a) {
    const int64_t limit = accounts_[a].state.limits.loss_limit;
    if (limit <= 0 || loss_killed_[a] || pnl_base_[a] + unrealized_[a] >= -(i128)limit) return;
    loss_killed_[a] = 1;
    ++loss_kill_generation_;
    ++counters_.loss_limit_kills;
  }
  // Max open orders: the counts move as orders open and finish; the rooms (the thresholds the fast
  // path compares) follow the counts and the limits (0: no limit, INT64_MAX room).
  static constexpr int64_t open_room(int64_t limit, int32_t open) { return limit <= 0 ? INT64_MAX : limit - open; }
  constexpr void refresh_open_rooms(int a, int i) {
    const AccountLimits& l = accounts_[a].state.limits;
    open_room_[a] = open_room(l.max_open_orders, open_count_[a]);
    open_room_ai_[a][i] = open_room(l.max_open_orders_per_instrument, open_count_ai_[a][i]);
  }
  void count_open(int a, int i, int32_t delta) {
    open_count_[a] += delta;
    open_count_ai_[a][i] += delta;
    refresh_open_rooms(a, i);
  }
  constexpr void refresh_account_thresholds(int a) {
    for (int i = 0; i < kInstruments; ++i) refresh_open_rooms(a, i);
    for (int i = 0; i < kInstruments; ++i) refresh_sides(a, i);
    refresh_credit(a);
    refresh_account_ready(a);
  }
  // Check 10's thresholds: per bucket, the time a new order (0) and a replace (1) of its weights
  // find enough tokens (one computation when both weights are equal). Cancels are never refused.
  static constexpr void ready_pair(i128 (&ready)[2], const TokenBucket& b, const BucketRate& r, int64_t w_new, int64_t w_replace) {
    ready[0] = bucket_ready(b, r, w_new);
    ready[1] = w_replace == w_new ? ready[0] : bucket_ready(b, r, w_replace);
  }
  constexpr void refresh_account_ready(int a) {
    const AccountState& s = accounts_[a].state;
    ready_pair(account_ready_[a], s.bucket, account_rate_[a], s.limits.throttle_weight_new, s.limits.throttle_weight_replace);
  }
  void refresh_session_ready(int ss) {
    const Session& s = sessions_[ss];
    ready_pair(session_ready_[ss], s.bucket, session_rate_[ss], s.limits.throttle_weight_new, s.limits.throttle_weight_replace);
  }
  // An accepted request takes its weight in tokens from its session's and its account's bucket: a
  // multiply each, and the next ready times by the rate's precomputed reciprocal (no division).
  void take_tokens(const OrderRequest& r) {
    Session& ss = sessions_[r.session];
    AccountState& acc = accounts_[r.account].state;
    const bool is_new = r.kind == OrderKind::new_order;
    const int64_t ws = is_new ? ss.limits.throttle_weight_new : ss.limits.throttle_weight_replace;
    const int64_t wa = is_new ? acc.limits.throttle_weight_new : acc.limits.throttle_weight_replace;
    if (ws > 0) {
      bucket_take(ss.bucket, bucket_level(ss.bucket, session_rate_[r.session], r.time), r.time, ws);
      refresh_session_ready(r.session);
    }
    if (wa > 0) {
      bucket_take(acc.bucket, bucket_level(acc.bucket, account_rate_[r.account], r.time), r.time, wa);
      refresh_account_ready(r.account);
    }
  }
  // A cancel is never refused (it only reduces risk, and a kill switch must not stop it); with a
  // cancel weight it takes that many tokens, or what the buckets hold when less, so that a storm
  // of cancels delays the next new orders and replaces. A cancel naming no configured account or
  // session takes nothing.
  void take_cancel_tokens(const OrderRequest& r) {
    if (r.session < kSessions && sessions_[r.session].configured && sessions_[r.session].limits.throttle_weight_cancel > 0) {
      Session& ss = sessions_[r.session];
      bucket_take(ss.bucket, bucket_level(ss.bucket, session_rate_[r.session], r.time), r.time, ss.limits.throttle_weight_cancel);
      refresh_session_ready(r.session);
    }
    if (r.account < kAccounts && accounts_[r.account].state.configured && accounts_[r.account].state.limits.throttle_weight_cancel > 0) {
      AccountState& acc = accounts_[r.account].state;
      bucket_take(acc.bucket, bucket_level(acc.bucket, account_rate_[r.account], r.time), r.time, acc.limits.throttle_weight_cancel);
      refresh_account_ready(r.account);
    }
  }

  // ---- the decision: request validity, then the fast path over the thresholds -----------------

  RiskDecision evaluate(const OrderRequest& r, Plan& p) const {
    RiskDecision d{r.client_order_id, r.time, 0, 0, true, RejectReason::none, RejectDetail::none, 0};
    if (r.kind == OrderKind::cancel) return d;

    // Request validity (before the checks: they need the account, the session and the side).
    const bool is_new = r.kind == OrderKind::new_order;
    if (!is_new && r.kind != OrderKind::replace) return reject(d, RejectReason::invalid_request, RejectDetail::kind_invalid);
    if (r.account >= kAccounts || !accounts_[r.account].state.configured)
      return reject(d, RejectReason::invalid_request, RejectDetail::account_unknown);
    if (r.session >= kSessions || !sessions_[r.session].configured)
      return reject(d, RejectReason::invalid_request, RejectDetail::session_unknown);
    OrderView v{r.price, r.quantity, r.quantity, r.time, r.side, r.flags, is_new, 0, 0, 0, 0};
    p.slot = -1;
    if (is_new) {
      if (r.side != kBuy && r.side != kSell) return reject(d, RejectReason::invalid_request, RejectDetail::side_invalid);
    } else {
      p.slot = find_slot(r.client_order_id);
      if (p.slot < 0) return reject(d, RejectReason::invalid_request, RejectDetail::order_unknown);
      const OpenOrder& o = orders_[p.slot];
      if (o.account != r.account || o.instrument != r.instrument)
        return reject(d, RejectReason::invalid_request, RejectDetail::order_mismatch);
      if (o.replace_pending) return reject(d, RejectReason::invalid_request, RejectDetail::replace_pending);
      if (o.flags & kOrderIoc) return reject(d, RejectReason::invalid_request, RejectDetail::replace_ioc);
      // The reservation the replace would hold: the larger of the old and new remaining quantities.
      v.side = o.side;
      v.flags = o.flags;
      v.old_notional = o.res_notional;
      v.old_price = o.price;
      v.old_rem = o.qty - o.filled > 0 ? o.qty - o.filled : 0;
      v.new_rem = (int64_t)r.quantity - o.filled > 0 ? (int64_t)r.quantity - o.filled : 0;
      v.q_add = (v.new_rem > v.old_rem ? v.new_rem : v.old_rem) - o.res_qty;
    }
    const bool known = r.instrument < kInstruments;
    const int ix = known ? r.instrument : 0;  // read only when known
    const int side_ix = v.side > 0 ? 0 : 1;
    DecideInputs in{kill_global_,
                    accounts_[r.account].state.killed != 0,
                    instruments_[ix].killed != 0,
                    known,
                    &ins_t_[ix],
                    &side_t_[r.account][ix][side_ix],
                    &acc_t_[r.account],
                    session_ready_[r.session][is_new ? 0 : 1],
                    account_ready_[r.account][is_new ? 0 : 1],
                    is_new ? (uint8_t)ids_.lookup(r.client_order_id) : (uint8_t)0,
                    free_count_ > 0 && (!v.is_new || index_has_room(r.client_order_id)),
                    open_room_[r.account],
                    open_room_ai_[r.account][ix],
                    is_new && repeats_recent_order(r),
                    owner_best_[owner_of_[r.account]][ix][1 - side_ix],
                    fill_paused_until_[r.account][ix],
                    loss_killed_[r.account] != 0};
    // Check 8: Σ (initial margin of the worst case + open-order loss) ≤ equity with the order.
    // The side's threshold answers when it can; otherwise this instrument's requirement with the
    // order is computed afresh (docs/risk.md "Check 8 on thresholds").
    p.side_ix = side_ix;
    p.margin_computed = false;
    auto margin_ok = [&](int64_t q_add, int64_t price) {
      int64_t eff = price;
      if (!is_new) {
        const int64_t old_price = orders_[p.slot].price;
        eff = (v.side > 0 ? price > old_price : price < old_price) ? price : old_price;
      }
      p.eff_price = eff;
      p.q_add = q_add;
      const i128 budget = margin_budget(r.account, ix);
      const MarginAnswer fast = margin_answer(margin_t_[r.account][ix][side_ix], v.side, q_add, eff, budget);
      if (fast != MarginAnswer::compute) return fast == MarginAnswer::pass;
      p.margin_computed = true;
      p.requirement = requirement_of(r.account, ix, side_ix, q_add, eff);
      return p.requirement.requirement() <= budget;
    };
    const RejectDetail fail = decide(v, in, margin_ok);
    if (fail != RejectDetail::none) return reject(d, reason_of(fail), fail);

    // Accepted: the reservation (the decision records it).
    const int64_t cs = instruments_[ix].market.contract_size;
    if (is_new) {
      p.res_qty = v.qty;
      p.res_notional = money::notional_ceil(v.price, v.qty, cs);
    } else {
      const OpenOrder& o = orders_[p.slot];
      Reservation res = reservation(o.side, o.price, o.qty, o.filled, true, v.price, v.qty, cs);
      p.res_qty = res.qty;
      p.res_notional = res.notional;
      p.eff_price = res.eff_price;
    }
    d.reserved_qty = (int32_t)p.res_qty;
    d.reserved_notional = p.res_notional;
    return d;
  }

  Account accounts_[kAccounts]{};
  PositionState pos_[kAccounts][kInstruments]{};
  Instrument instruments_[kInstruments]{};
  Session sessions_[kSessions]{};
  OpenOrder orders_[kOpenOrders]{};
  int32_t free_[kOpenOrders]{};
  int32_t free_count_{};
  mutable IdMap<int32_t, kOpenOrders> index_{};
  struct PendingIndex {
    int64_t id;
    int32_t slot;
  };
  static constexpr int kPendingIndex = 8;
  mutable PendingIndex pending_index_[kPendingIndex]{};  // accepted, not yet in index_
  mutable int32_t pending_index_n_{};
  ClientIdWindow<kDedupWindow, kOpenOrders> ids_{};
  uint64_t order_seq_[kOpenOrders]{};  // acceptance number of the order in each slot (ids_)
  uint8_t order_live_[kOpenOrders]{};
  InstrumentThresholds ins_t_[kInstruments]{};
  SideThresholds side_t_[kAccounts][kInstruments][2]{};
  AccountThresholds acc_t_[kAccounts]{};
  int64_t notional_cap_[kAccounts]{};
  int64_t position_cap_[kAccounts][kInstruments]{};
  int32_t open_count_[kAccounts]{};                 // open orders of each account
  int32_t open_count_ai_[kAccounts][kInstruments]{};
  int64_t open_room_[kAccounts]{};                  // new orders each may still open (max open orders)
  int64_t open_room_ai_[kAccounts][kInstruments]{};
  // Duplicate order content: each account's last kDuplicateHistory accepted new orders, a ring.
  struct RecentOrder {
    int64_t price;
    int64_t time;
    int32_t qty;
    uint16_t instrument;
    int8_t side;
    uint8_t used;  // 0: an empty place (all-zero memory is an empty ring)
  };
  RecentOrder recent_[kAccounts][kDuplicateHistory]{};
  int32_t recent_next_[kAccounts]{};  // the place the next accepted new order takes
  uint16_t owner_of_[kAccounts]{};    // owner group of each account (0: none)
  int64_t owner_best_[kAccounts + 1][kInstruments][2]{};  // best open buy / sell per owner group (row 0: none, never set)
  i128 account_ready_[kAccounts][2]{};  // check 10: when a new order [0] / a replace [1] finds its tokens
  i128 session_ready_[kSessions][2]{};
  // Repeated execution: each account × instrument's last kFillRateHistory fills (exchange time,
  // contracts), a ring, and the time its new orders wait for.
  struct FillRing {
    int64_t time[kFillRateHistory];
    int64_t qty[kFillRateHistory];
    int32_t next;   // the place the next fill takes (the oldest once full)
    int32_t count;  // places used, up to kFillRateHistory (from place 0)
  };
  FillRing fill_ring_[kAccounts][kInstruments]{};
  int64_t fill_paused_until_[kAccounts][kInstruments]{};
  // Loss limit: Σ realized − funding paid, Σ unrealized at mark (kept with the margin parts), and
  // whether it engaged the account's kill switch.
  i128 pnl_base_[kAccounts]{};
  i128 unrealized_[kAccounts]{};
  uint8_t loss_killed_[kAccounts]{};
  uint64_t loss_kill_generation_{};
  BucketRate account_rate_[kAccounts]{};  // the buckets' rates, prepared when the limits are set
  BucketRate session_rate_[kSessions]{};
  RiskCounters counters_{};
  MarginPathCounters margin_path_{};
  MarginThreshold margin_t_[kAccounts][kInstruments][2]{};
  uint8_t margin_dirty_[kAccounts][kInstruments]{};
  uint8_t req_stale_[kAccounts][kInstruments]{};  // requirement waiting for the slow path
  int32_t req_stale_n_[kAccounts]{};
  int32_t margin_dirty_list_[kAccounts * kInstruments]{};
  int32_t margin_dirty_count_{};
  bool kill_global_{};
};

}  // namespace pw
