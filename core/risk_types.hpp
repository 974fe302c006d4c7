// Pre-trade risk records and limits: the order request the strategy (or the order-entry session)
// hands to the risk gate, the decision it gets back, the per-instrument market state the risk gate
// reads, and the configured limits with their validation. Fixed size, trivially copyable, no
// pointers: the HLS `pretrade_risk` kernel streams the same records. See docs/risk.md.
#pragma once
#include <cstdint>
#include <type_traits>

#include "core/fixed_point.hpp"
#include "core/margin.hpp"

namespace pw {

// ---------------------------------------------------------------------------------------------
// Order requests and decisions

enum class OrderKind : uint8_t { new_order = 0, replace = 1, cancel = 2 };

constexpr int8_t kBuy = 1;    // the order-entry wire's Side values
constexpr int8_t kSell = -1;

constexpr uint8_t kOrderReduceOnly = 0x01;  // may only reduce the position
constexpr uint8_t kOrderIoc = 0x02;         // immediate-or-cancel (never rests; cannot be replaced)

// One request. `client_order_id` names the order for its whole life: a replace or a cancel carries
// the id of the order it acts on (the order-entry protocol has no separate original id).
struct OrderRequest {
  int64_t client_order_id;
  int64_t price;       // limit price ×1e-9 (new and replace)
  int64_t time;        // request time, ns since the epoch (staleness, throttle)
  int32_t quantity;    // contracts; a replace gives the new total order quantity (filled included)
  uint16_t account;    // account index, < the engine's account capacity
  uint16_t instrument; // instrument index, < the engine's instrument capacity
  OrderKind kind;
  int8_t side;         // kBuy / kSell (new orders; a replace keeps the resting order's side)
  uint8_t flags;       // kOrderReduceOnly | kOrderIoc (new orders; a replace keeps the order's flags)
  uint8_t session;     // order-entry session index (per-session throttle)
};
static_assert(sizeof(OrderRequest) == 40, "OrderRequest is a 40-byte record");
static_assert(std::is_trivially_copyable<OrderRequest>::value, "OrderRequest is trivially copyable");

// The 13 checks in their evaluation order (codes 1..13), then two conditions outside them.
// Codes are stable: they appear in decision logs (StateRecord::decision.reason) and metrics.
enum class RejectReason : uint8_t {
  none = 0,
  kill_switch = 1,                 // global, account or instrument kill switch engaged
  instrument_not_tradable = 2,     // unknown instrument, not tradable, or trading status not Open
  market_data_untrusted = 3,       // book unsynced, no mark, or older than max_staleness_ns
  price_band = 4,                  // outside the exchange's limit-down / limit-up band
  price_collar = 5,                // |limit − mark| / mark > collar_bps
  order_size = 6,                  // quantity ≤ 0, > max_order_qty, or notional > max_order_notional
  position_limit = 7,              // worst-case position on the order's side > limit
  margin = 8,                      // initial margin + open-order loss > equity
  credit_limit = 9,                // daily gross notional
  throttle = 10,                   // order-rate token bucket (session or account) empty
  duplicate_client_order_id = 11,  // id used by an open order or within the dedup window
  reduce_only = 12,                // reduce-only order that could increase the position
  self_match = 13,                 // would cross the account's own open order
  invalid_request = 14,            // malformed request, evaluated before check 1 (see RejectDetail)
  order_capacity = 15,             // every check passed but the open-order table is full
  max_open_orders = 16,            // the account's open orders (overall or in the instrument) at their limit
  duplicate_order = 17,            // the same order as one the account sent moments before (content, not id)
  fill_rate = 18,                  // the account × instrument filled too often or too much lately: paused
  count_
};
constexpr int kRejectReasonCount = (int)RejectReason::count_;

// Which condition inside a reason fired (decision logs; metrics count by RejectReason).
enum class RejectDetail : uint8_t {
  none = 0,
  kill_global,
  kill_account,
  kill_instrument,
  instrument_unknown,
  instrument_not_tradable,
  trading_status_not_open,
  book_unsynced,
  no_mark,
  market_data_stale,
  price_below_band,
  price_above_band,
  price_collar,
  quantity_not_positive,
  quantity_above_max,
  notional_above_max,
  position_limit,
  margin,
  credit_limit,
  throttle_session,
  throttle_account,
  duplicate_client_order_id,
  reduce_only,
  self_match,
  account_unknown,
  session_unknown,
  side_invalid,
  kind_invalid,
  order_unknown,       // replace of an id with no open order
  order_mismatch,      // replace names another account or instrument than the open order
  replace_pending,     // the order already has a replace in flight
  replace_ioc,         // IOC orders never rest and cannot be replaced
  order_capacity,
  id_window_full,      // check 11: the new id's bucket of live ids is full (core/client_id_window.hpp)
  open_orders_account,     // the account already has max_open_orders open orders
  open_orders_instrument,  // it has max_open_orders_per_instrument open in the order's instrument
  duplicate_content,       // instrument, side, price and quantity of an accepted new order within duplicate_window_ns
  book_crossed,            // check 3: the book shows a bid at or above its ask (implausible: not trusted)
  journal_unavailable,     // the gate's journal cannot record the order (host/journal/): trading stopped
  reconcile_pending,       // after a restart, until the rebuilt open orders are reconciled with the exchange
  self_match_owner,        // check 13: would cross an open order of another account of the same owner
  price_jump,              // check 3: the mark or the mid jumped beyond max_jump_bps and has not settled yet
  fill_rate_paused,        // the account × instrument is in its fill-rate cool-down (fill_rate_cooldown_ns)
  kill_loss_limit,         // check 1: the account's kill switch, engaged by its loss limit
  session_down,            // the order-entry session is not logged on, or not yet reconciled after its logon
  count_
};

// Answer to one request. Accepted new orders and replaces reserve the order's worst-case exposure
// (reserved_qty contracts, reserved_notional at the limit price); cancels reserve nothing.
struct RiskDecision {
  int64_t client_order_id;
  int64_t time;               // the request's time
  int64_t reserved_notional;  // money ×1e-9 (rounded up), 0 when rejected
  int32_t reserved_qty;       // contracts, 0 when rejected
  bool accepted;
  RejectReason reason;        // none when accepted
  RejectDetail detail;
  uint8_t reserved_;
};
static_assert(sizeof(RiskDecision) == 32, "RiskDecision is a 32-byte record");
static_assert(std::is_trivially_copyable<RiskDecision>::value, "RiskDecision is trivially copyable");

inline const char* reject_reason_name(RejectReason r) {
  switch (r) {
    case RejectReason::none: return "none";
    case RejectReason::kill_switch: return "kill_switch";
    case RejectReason::instrument_not_tradable: return "instrument_not_tradable";
    case RejectReason::market_data_untrusted: return "market_data_untrusted";
    case RejectReason::price_band: return "price_band";
    case RejectReason::price_collar: return "price_collar";
    case RejectReason::order_size: return "order_size";
    case RejectReason::position_limit: return "position_limit";
    case RejectReason::margin: return "margin";
    case RejectReason::credit_limit: return "credit_limit";
    case RejectReason::throttle: return "throttle";
    case RejectReason::duplicate_client_order_id: return "duplicate_client_order_id";
    case RejectReason::reduce_only: return "reduce_only";
    case RejectReason::self_match: return "self_match";
    case RejectReason::invalid_request: return "invalid_request";
    case RejectReason::order_capacity: return "order_capacity";
    case RejectReason::max_open_orders: return "max_open_orders";
    case RejectReason::duplicate_order: return "duplicate_order";
    case RejectReason::fill_rate: return "fill_rate";
    default: return "unknown";
  }
}

inline const char* reject_detail_name(RejectDetail d) {
  switch (d) {
    case RejectDetail::none: return "none";
    case RejectDetail::kill_global: return "kill_global";
    case RejectDetail::kill_account: return "kill_account";
    case RejectDetail::kill_instrument: return "kill_instrument";
    case RejectDetail::instrument_unknown: return "instrument_unknown";
    case RejectDetail::instrument_not_tradable: return "instrument_not_tradable";
    case RejectDetail::trading_status_not_open: return "trading_status_not_open";
    case RejectDetail::book_unsynced: return "book_unsynced";
    case RejectDetail::no_mark: return "no_mark";
    case RejectDetail::market_data_stale: return "market_data_stale";
    case RejectDetail::price_below_band: return "price_below_band";
    case RejectDetail::price_above_band: return "price_above_band";
    case RejectDetail::price_collar: return "price_collar";
    case RejectDetail::quantity_not_positive: return "quantity_not_positive";
    case RejectDetail::quantity_above_max: return "quantity_above_max";
    case RejectDetail::notional_above_max: return "notional_above_max";
    case RejectDetail::position_limit: return "position_limit";
    case RejectDetail::margin: return "margin";
    case RejectDetail::credit_limit: return "credit_limit";
    case RejectDetail::throttle_session: return "throttle_session";
    case RejectDetail::throttle_account: return "throttle_account";
    case RejectDetail::duplicate_client_order_id: return "duplicate_client_order_id";
    case RejectDetail::reduce_only: return "reduce_only";
    case RejectDetail::self_match: return "self_match";
    case RejectDetail::account_unknown: return "account_unknown";
    case RejectDetail::session_unknown: return "session_unknown";
    case RejectDetail::side_invalid: return "side_invalid";
    case RejectDetail::kind_invalid: return "kind_invalid";
    case RejectDetail::order_unknown: return "order_unknown";
    case RejectDetail::order_mismatch: return "order_mismatch";
    case RejectDetail::replace_pending: return "replace_pending";
    case RejectDetail::replace_ioc: return "replace_ioc";
    case RejectDetail::order_capacity: return "order_capacity";
    case RejectDetail::id_window_full: return "id_window_full";
    case RejectDetail::open_orders_account: return "open_orders_account";
    case RejectDetail::open_orders_instrument: return "open_orders_instrument";
    case RejectDetail::duplicate_content: return "duplicate_content";
    case RejectDetail::book_crossed: return "book_crossed";
    case RejectDetail::journal_unavailable: return "journal_unavailable";
    case RejectDetail::reconcile_pending: return "reconcile_pending";
    case RejectDetail::self_match_owner: return "self_match_owner";
    case RejectDetail::price_jump: return "price_jump";
    case RejectDetail::fill_rate_paused: return "fill_rate_paused";
    case RejectDetail::kill_loss_limit: return "kill_loss_limit";
    case RejectDetail::session_down: return "session_down";
    default: return "unknown";
  }
}

// ---------------------------------------------------------------------------------------------
// Market state the risk gate reads, one per instrument, filled in by the market-state stage
// (book + mark/funding). Null prices are INT64_MIN as everywhere else.

constexpr uint8_t kTradingStatusOpen = 1;  // the feed's SecurityTradingStatus Open

struct InstrumentMarket {
  int64_t mark;           // mark price ×1e-9 (null or ≤ 0: no mark yet)
  int64_t best_bid;       // book top ×1e-9, null when the side is empty (carried, not checked)
  int64_t best_ask;
  int64_t limit_down;     // exchange price band ×1e-9, null = no bound on that side
  int64_t limit_up;
  int64_t contract_size;  // underlying units per contract ×1e-9
  int64_t funding_rate;   // running funding rate for the current interval ×1e-9 (longs pay when > 0)
  int64_t last_update;    // ns since the epoch of the last market data applied
  uint8_t tradable;       // instrument defined and enabled for trading
  uint8_t trading_status; // kTradingStatusOpen = 1
  uint8_t synced;         // book in sync (no unrecovered gap)
  uint8_t reserved_[5];
};
static_assert(sizeof(InstrumentMarket) == 72, "InstrumentMarket is a 72-byte record");
static_assert(std::is_trivially_copyable<InstrumentMarket>::value, "InstrumentMarket is trivially copyable");

// ---------------------------------------------------------------------------------------------
// Limits (from config). Money is ×1e-9 of the quote currency, quantities are contracts.

struct InstrumentLimits {
  int64_t max_staleness_ns;    // check 3: market data older than this is not trusted
  int64_t collar_bps;          // check 5: |limit − mark| × 10000 ≤ collar_bps × mark
  int64_t max_order_qty;       // check 6
  int64_t max_order_notional;  // check 6: price × qty × contract size, rounded up
  int64_t max_position;        // check 7: contracts, per account (the tighter of this and the account's)
  MarginTable margin;          // check 8: leverage tiers by position notional
  // Check 3, market-data sanity: a mark or mid move of more than max_jump_bps from its value at the
  // start of the current window (at most jump_window_ns old) makes the instrument untrusted until
  // jump_settle_ns have passed without another such move (docs/risk.md "Jump band"); 0: off.
  int64_t max_jump_bps = 0;
  int64_t jump_window_ns = 0;
  int64_t jump_settle_ns = 0;
};

struct AccountLimits {
  int64_t max_position;          // check 7: contracts per instrument
  int64_t daily_notional_limit;  // check 9: gross notional filled today + reserved by open orders
  int64_t orders_per_second;     // check 10: token refill rate
  int64_t order_burst;           // check 10: bucket size in orders
  // Open orders (accepted, not yet finished by the exchange) the account may hold, in all and per
  // instrument; 0: no limit. Checked for new orders after check 13 (docs/risk.md).
  int64_t max_open_orders = 0;
  int64_t max_open_orders_per_instrument = 0;
  // Duplicate order content: a new order with the instrument, side, limit price and quantity of
  // one of the account's last kDuplicateHistory accepted new orders, accepted at most this many ns
  // before it, is refused (a strategy repeating itself by mistake); 0: off. After max open orders.
  int64_t duplicate_window_ns = 0;
  // Self-match across accounts: accounts with the same non-zero owner group may not cross each
  // other's open orders (check 13, after the account's own); 0: no owner. Groups are numbered
  // 1 … the engine's account capacity (the config gives 1 + the index of the owner's first account).
  int64_t owner = 0;
  // Check 10: tokens a request of each kind needs and takes from the account's bucket (0 … burst,
  // at most kMaxConfigThrottleWeight). A cancel is never refused: it takes its weight, or what the
  // bucket holds when that is less (docs/risk.md "Throttle weights").
  int64_t throttle_weight_new = 1;
  int64_t throttle_weight_replace = 1;
  int64_t throttle_weight_cancel = 0;
  // Repeated execution (fill-rate throttle, per account × instrument): more than fill_rate_fills
  // fills, or more than fill_rate_qty filled contracts, within fill_rate_window_ns (a fill's
  // exchange time minus an earlier one's ≤ the window) pauses new orders there until the fill's
  // time + fill_rate_cooldown_ns. 0 turns a count off; with either on, window and cool-down are
  // required. After duplicate order content (docs/risk.md).
  int64_t fill_rate_fills = 0;
  int64_t fill_rate_qty = 0;
  int64_t fill_rate_window_ns = 0;
  int64_t fill_rate_cooldown_ns = 0;
  // Loss limit: when the account's realized PnL + unrealized PnL at mark − funding paid, over all
  // instruments, falls below −loss_limit (money ×1e-9), its kill switch engages (kill_loss_limit)
  // until cleared; 0: off. Evaluated on fills, mark moves and funding charges, never per order.
  int64_t loss_limit = 0;
};

struct SessionLimits {
  int64_t orders_per_second;  // check 10: token refill rate of the order-entry session
  int64_t order_burst;
  // Tokens per request kind, as AccountLimits' (the exchange's message limit may count cancels).
  int64_t throttle_weight_new = 1;
  int64_t throttle_weight_replace = 1;
  int64_t throttle_weight_cancel = 0;
};

// Validation bounds: they keep every intermediate product of the checks inside 128 bits and every
// quantity sum inside 64 bits (see docs/risk.md, "Ranges").
constexpr int64_t kMaxConfigQty = 1000000000;                   // 1e9 contracts
constexpr int64_t kMaxConfigCollarBps = 1000000;                // 10000 %
constexpr int64_t kMaxConfigOrdersPerSecond = 1000000000;       // one per ns
constexpr int64_t kMaxConfigBurst = 1000000000;                 // tokens ×1e9 stays < 2^63
constexpr int64_t kMaxConfigOpenOrders = 1000000;                // open orders per account (and instrument)
constexpr int64_t kMaxConfigDuplicateWindowNs = 3600LL * 1000000000;  // an hour
constexpr int64_t kMaxConfigJumpNs = 3600LL * 1000000000;         // jump window and settle time: an hour
constexpr int64_t kMaxConfigThrottleWeight = 1000;              // tokens one request may need (deficits ≤ 1e12 nano-tokens)
constexpr int64_t kMaxConfigOwner = 65535;                      // owner group numbers (the engine: ≤ its accounts)
constexpr int kDuplicateHistory = 16;  // accepted new orders per account the duplicate check compares with
constexpr int kFillRateHistory = 32;  // fills per account × instrument the fill-rate throttle keeps (a ring)
constexpr int64_t kMaxConfigFillRateFills = kFillRateHistory - 1;  // N + 1 fills must fit the ring
constexpr int64_t kMaxConfigFillRateWindowNs = 3600LL * 1000000000;    // an hour
constexpr int64_t kMaxConfigFillRateCooldownNs = 24LL * 3600 * 1000000000;  // a day
constexpr int64_t kMaxConfigLeverage = 1000000;

enum class LimitsErrc : uint8_t { ok = 0, not_positive = 1, too_large = 2, not_increasing = 3, bad_count = 4, bad_index = 5 };

enum class LimitField : uint8_t {
  none = 0,
  max_staleness_ns,
  collar_bps,
  max_order_qty,
  max_order_notional,
  max_position,
  margin_tier_count,
  margin_tier_cap,       // index = the tier
  margin_tier_leverage,  // index = the tier
  daily_notional_limit,
  orders_per_second,
  order_burst,
  max_open_orders,
  max_open_orders_per_instrument,
  duplicate_window_ns,
  owner,
  throttle_weight_new,
  throttle_weight_replace,
  throttle_weight_cancel,
  max_jump_bps,
  jump_window_ns,
  jump_settle_ns,
  fill_rate_fills,
  fill_rate_qty,
  fill_rate_window_ns,
  fill_rate_cooldown_ns,
  loss_limit,
};

// What validate() found: the first bad field (and the tier index for tier fields).
struct LimitsError {
  LimitsErrc code;
  LimitField field;
  uint8_t index;
  bool ok() const { return code == LimitsErrc::ok; }
};

inline const char* limits_errc_name(LimitsErrc c) {
  switch (c) {
    case LimitsErrc::ok: return "ok";
    case LimitsErrc::not_positive: return "not_positive";
    case LimitsErrc::too_large: return "too_large";
    case LimitsErrc::not_increasing: return "not_increasing";
    case LimitsErrc::bad_count: return "bad_count";
    case LimitsErrc::bad_index: return "bad_index";
    default: return "unknown";
  }
}

inline const char* limit_field_name(LimitField f) {
  switch (f) {
    case LimitField::none: return "none";
    case LimitField::max_staleness_ns: return "max_staleness_ns";
    case LimitField::collar_bps: return "collar_bps";
    case LimitField::max_order_qty: return "max_order_qty";
    case LimitField::max_order_notional: return "max_order_notional";
    case LimitField::max_position: return "max_position";
    case LimitField::margin_tier_count: return "margin_tier_count";
    case LimitField::margin_tier_cap: return "margin_tier_cap";
    case LimitField::margin_tier_leverage: return "margin_tier_leverage";
    case LimitField::daily_notional_limit: return "daily_notional_limit";
    case LimitField::orders_per_second: return "orders_per_second";
    case LimitField::order_burst: return "order_burst";
    case LimitField::max_open_orders: return "max_open_orders";
    case LimitField::max_open_orders_per_instrument: return "max_open_orders_per_instrument";
    case LimitField::duplicate_window_ns: return "duplicate_window_ns";
    case LimitField::owner: return "owner";
    case LimitField::throttle_weight_new: return "throttle_weight_new";
    case LimitField::throttle_weight_replace: return "throttle_weight_replace";
    case LimitField::throttle_weight_cancel: return "throttle_weight_cancel";
    case LimitField::max_jump_bps: return "max_jump_bps";
    case LimitField::jump_window_ns: return "jump_window_ns";
    case LimitField::jump_settle_ns: return "jump_settle_ns";
    case LimitField::fill_rate_fills: return "fill_rate_fills";
    case LimitField::fill_rate_qty: return "fill_rate_qty";
    case LimitField::fill_rate_window_ns: return "fill_rate_window_ns";
    case LimitField::fill_rate_cooldown_ns: return "fill_rate_cooldown_ns";
    case LimitField::loss_limit: return "loss_limit";
    default: return "unknown";
  }
}

namespace risk_detail {
constexpr LimitsError limits_ok() { return LimitsError{LimitsErrc::ok, LimitField::none, 0}; }
// 0 < v ≤ max, else the error for `field`.
constexpr LimitsError in_range(int64_t v, int64_t max, LimitField field) {
  return v <= 0 ? LimitsError{LimitsErrc::not_positive, field, 0}
                : v > max ? LimitsError{LimitsErrc::too_large, field, 0} : limits_ok();
}
}  // namespace risk_detail

// Tiers: 1..kMaxMarginTiers of them; caps positive and strictly increasing (the last tier's cap is
// not read: it covers everything above the previous cap); leverage ≥ 1, ≤ kMaxConfigLeverage and
// strictly decreasing, so the margin rate strictly increases from tier to tier.
inline LimitsError validate(const MarginTable& t) {
  if (t.count < 1 || t.count > kMaxMarginTiers) return LimitsError{LimitsErrc::bad_count, LimitField::margin_tier_count, 0};
  for (int k = 0; k < kMaxMarginTiers; ++k) {
    if (k >= t.count) break;
    const MarginTier& tier = t.tiers[k];
    LimitsError e = risk_detail::in_range(tier.max_leverage, kMaxConfigLeverage, LimitField::margin_tier_leverage);
    if (e.ok() && k > 0 && tier.max_leverage >= t.tiers[k - 1].max_leverage)
      e = LimitsError{LimitsErrc::not_increasing, LimitField::margin_tier_leverage, 0};
    if (e.ok() && k + 1 < t.count) {
      e = risk_detail::in_range(tier.notional_cap, INT64_MAX, LimitField::margin_tier_cap);
      if (e.ok() && k > 0 && tier.notional_cap <= t.tiers[k - 1].notional_cap)
        e = LimitsError{LimitsErrc::not_increasing, LimitField::margin_tier_cap, 0};
    }
    if (!e.ok()) {
      e.index = (uint8_t)k;
      return e;
    }
  }
  return risk_detail::limits_ok();
}

namespace risk_detail {
// A throttle weight: 0 … min(burst, kMaxConfigThrottleWeight) (a weight above the burst could never
// be met).
inline LimitsError weight_ok(int64_t w, int64_t burst, LimitField f) {
  if (w < 0) return LimitsError{LimitsErrc::not_positive, f, 0};
  if (w > kMaxConfigThrottleWeight || w > burst) return LimitsError{LimitsErrc::too_large, f, 0};
  return limits_ok();
}
inline LimitsError weights_ok(int64_t w_new, int64_t w_replace, int64_t w_cancel, int64_t burst) {
  LimitsError e = weight_ok(w_new, burst, LimitField::throttle_weight_new);
  if (e.ok()) e = weight_ok(w_replace, burst, LimitField::throttle_weight_replace);
  if (e.ok()) e = weight_ok(w_cancel, burst, LimitField::throttle_weight_cancel);
  return e;
}
}  // namespace risk_detail

inline LimitsError validate(const InstrumentLimits& l) {
  using risk_detail::in_range;
  LimitsError e = in_range(l.max_staleness_ns, INT64_MAX, LimitField::max_staleness_ns);
  if (e.ok()) e = in_range(l.collar_bps, kMaxConfigCollarBps, LimitField::collar_bps);
  if (e.ok()) e = in_range(l.max_order_qty, INT32_MAX, LimitField::max_order_qty);
  if (e.ok()) e = in_range(l.max_order_notional, INT64_MAX, LimitField::max_order_notional);
  if (e.ok()) e = in_range(l.max_position, kMaxConfigQty, LimitField::max_position);
  if (e.ok()) e = validate(l.margin);
  if (e.ok() && l.max_jump_bps != 0) {
    e = in_range(l.max_jump_bps, kMaxConfigCollarBps, LimitField::max_jump_bps);
    if (e.ok()) e = in_range(l.jump_window_ns, kMaxConfigJumpNs, LimitField::jump_window_ns);
    if (e.ok()) e = in_range(l.jump_settle_ns, kMaxConfigJumpNs, LimitField::jump_settle_ns);
  }
  return e;
}

inline LimitsError validate(const AccountLimits& l) {
  using risk_detail::in_range;
  LimitsError e = in_range(l.max_position, kMaxConfigQty, LimitField::max_position);
  if (e.ok()) e = in_range(l.daily_notional_limit, INT64_MAX, LimitField::daily_notional_limit);
  if (e.ok()) e = in_range(l.orders_per_second, kMaxConfigOrdersPerSecond, LimitField::orders_per_second);
  if (e.ok()) e = in_range(l.order_burst, kMaxConfigBurst, LimitField::order_burst);
  // 0 is "no limit"; negative is an error.
  if (e.ok() && l.max_open_orders != 0) e = in_range(l.max_open_orders, kMaxConfigOpenOrders, LimitField::max_open_orders);
  if (e.ok() && l.max_open_orders_per_instrument != 0)
    e = in_range(l.max_open_orders_per_instrument, kMaxConfigOpenOrders, LimitField::max_open_orders_per_instrument);
  if (e.ok() && l.duplicate_window_ns != 0)
    e = in_range(l.duplicate_window_ns, kMaxConfigDuplicateWindowNs, LimitField::duplicate_window_ns);
  if (e.ok() && l.owner != 0) e = in_range(l.owner, kMaxConfigOwner, LimitField::owner);
  if (e.ok()) e = risk_detail::weights_ok(l.throttle_weight_new, l.throttle_weight_replace, l.throttle_weight_cancel, l.order_burst);
  if (e.ok() && l.fill_rate_fills != 0) e = in_range(l.fill_rate_fills, kMaxConfigFillRateFills, LimitField::fill_rate_fills);
  if (e.ok() && l.fill_rate_qty != 0) e = in_range(l.fill_rate_qty, kMaxConfigQty, LimitField::fill_rate_qty);
  if (e.ok() && (l.fill_rate_fills != 0 || l.fill_rate_qty != 0)) {
    e = in_range(l.fill_rate_window_ns, kMaxConfigFillRateWindowNs, LimitField::fill_rate_window_ns);
    if (e.ok()) e = in_range(l.fill_rate_cooldown_ns, kMaxConfigFillRateCooldownNs, LimitField::fill_rate_cooldown_ns);
  }
  if (e.ok() && l.loss_limit != 0) e = in_range(l.loss_limit, INT64_MAX, LimitField::loss_limit);
  return e;
}

inline LimitsError validate(const SessionLimits& l) {
  using risk_detail::in_range;
  LimitsError e = in_range(l.orders_per_second, kMaxConfigOrdersPerSecond, LimitField::orders_per_second);
  if (e.ok()) e = in_range(l.order_burst, kMaxConfigBurst, LimitField::order_burst);
  if (e.ok()) e = risk_detail::weights_ok(l.throttle_weight_new, l.throttle_weight_replace, l.throttle_weight_cancel, l.order_burst);
  return e;
}

}  // namespace pw
