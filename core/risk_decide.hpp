// The fast path of the pre-trade check: one order against its thresholds (core/risk_thresholds.hpp),
// the 13 checks of DESIGN.md "Pre-trade risk" in their fixed order, then max open orders,
// duplicate order content and the fill-rate cool-down, the first failure the reason.
// Compares only, plus p·q (checks 6 and 9) and p·q·cs (check 9); no loop, no division, no probe.
// Check 8 (margin) is the caller's: `margin_ok(q_add, price)`, answered on its threshold when it can
// (docs/risk.md "Check 8 on thresholds").
#pragma once
#include <cstdint>

#include "core/hls_pragma.hpp"
#include "core/risk_thresholds.hpp"
#include "core/risk_types.hpp"

namespace pw {

// The order as the checks see it once request validity has been settled (a replace resolved to
// the order it acts on).
struct OrderView {
  int64_t price;
  int64_t qty;       // the request's quantity (a replace: the new total)
  int64_t q_add;     // contracts the side's open quantity grows by (a replace: new − old reservation)
  int64_t time;
  int8_t side;       // kBuy / kSell (a replace: the order's)
  uint8_t flags;     // a replace: the order's
  bool is_new;
  // A replace only: the reservation it replaces, and the two notionals it will hold the larger of.
  int64_t old_notional;
  int64_t old_price, old_rem, new_rem;
};

// Everything one decision reads.
struct DecideInputs {
  bool kill_global, kill_account, kill_instrument;
  bool known_instrument;  // the index is inside the engine's capacity
  const InstrumentThresholds* ins;
  const SideThresholds* side;
  const AccountThresholds* account;
  i128 session_ready, account_ready;
  uint8_t id_lookup;      // ClientIdWindow::Lookup: 0 free, 1 live, 2 full (new orders)
  bool capacity_left;
  // New orders the account may still open, in all and in the order's instrument (INT64_MAX: no
  // limit; core/risk_engine.hpp keeps them as orders open and close).
  int64_t open_room_account, open_room_instrument;
  // A new order whose content repeats a recent accepted one (core/risk_engine.hpp compares).
  bool duplicate_content;
  // Check 13 across the owner's accounts: the best open price on the other side over every account
  // of the order's owner (kNoBuyPrice / kNoSellPrice without an owner or such orders).
  int64_t owner_opposite_best;
  // New orders of the account × instrument wait until this time (fill-rate cool-down; set by
  // core/risk_engine.hpp when a fill arrives, INT64_MIN: not paused).
  int64_t fill_paused_until;
  bool kill_loss;  // the account's loss limit engaged its kill switch
};

namespace risk_detail {
// ⌈x / 1e9⌉ ≤ H for x = pq·cs, with today's saturations: H ≥ INT64_MAX always holds; a pq past
// pq_cap makes x larger than any smaller H × 1e9.
inline bool within_credit(i128 pq, const InstrumentThresholds& t, i128 h_x) {
  if (h_x == kNoCeiling) return true;
  return pq <= t.pq_cap && pq * t.contract_size <= h_x;
}
}  // namespace risk_detail

template <typename MarginOk>
PW_ALWAYS_INLINE RejectDetail decide(const OrderView& o, const DecideInputs& in, MarginOk margin_ok) {
  // 1. kill switch
  if (in.kill_global) return RejectDetail::kill_global;
  if (in.kill_account) return RejectDetail::kill_account;
  if (in.kill_loss) return RejectDetail::kill_loss_limit;
  if (in.known_instrument && in.kill_instrument) return RejectDetail::kill_instrument;
  // 2-3. instrument and market data
  if (!in.known_instrument) return RejectDetail::instrument_unknown;
  const InstrumentThresholds& t = *in.ins;
  if (t.gate != RejectDetail::none) return t.gate;
  if (o.time > t.stale_after) return RejectDetail::market_data_stale;
  if (o.time < t.jump_until) return RejectDetail::price_jump;
  // 4. band, 5. collar
  if (o.price < t.band_lo) return RejectDetail::price_below_band;
  if (o.price > t.band_hi) return RejectDetail::price_above_band;
  if (o.price < t.collar_lo || o.price > t.collar_hi) return RejectDetail::price_collar;
  // 6. size
  if (o.qty <= 0) return RejectDetail::quantity_not_positive;
  if (o.qty > t.max_qty) return RejectDetail::quantity_above_max;
  const i128 pq = (i128)o.price * o.qty;  // < 2^94
  if (pq > t.notional_pq) return RejectDetail::notional_above_max;
  // 7. position
  const SideThresholds& s = *in.side;
  if (o.q_add > s.position_room) return RejectDetail::position_limit;
  // 8. margin
  if (!margin_ok(o.q_add, o.price)) return RejectDetail::margin;
  // 9. credit: new notional ≤ headroom + the notional the request gives back
  const AccountThresholds& a = *in.account;
  if (o.is_new) {
    if (!risk_detail::within_credit(pq, t, a.credit_x)) return RejectDetail::credit_limit;
  } else {
    const i128 h = a.credit + o.old_notional;
    const i128 h_x = h >= (i128)INT64_MAX ? kNoCeiling : h * kPriceScale;
    if (!risk_detail::within_credit((i128)o.old_price * o.old_rem, t, h_x) ||
        !risk_detail::within_credit((i128)o.price * o.new_rem, t, h_x))
      return RejectDetail::credit_limit;
  }
  // 10. throttle
  if ((i128)o.time < in.session_ready) return RejectDetail::throttle_session;
  if ((i128)o.time < in.account_ready) return RejectDetail::throttle_account;
  // 11. duplicate id
  if (o.is_new && in.id_lookup == 1) return RejectDetail::duplicate_client_order_id;
  if (o.is_new && in.id_lookup == 2) return RejectDetail::id_window_full;
  // 12. reduce-only
  if ((o.flags & kOrderReduceOnly) && o.q_add > s.reduce_room) return RejectDetail::reduce_only;
  // 13. self-match
  if (o.side > 0 ? o.price >= s.opposite_best : o.price <= s.opposite_best) return RejectDetail::self_match;
  if (o.side > 0 ? o.price >= in.owner_opposite_best : o.price <= in.owner_opposite_best) return RejectDetail::self_match_owner;
  // max open orders (after 13, before the table's own capacity): a replace opens no order
  if (o.is_new && in.open_room_account <= 0) return RejectDetail::open_orders_account;
  if (o.is_new && in.open_room_instrument <= 0) return RejectDetail::open_orders_instrument;
  // duplicate order content (after max open orders, before the table's capacity)
  if (o.is_new && in.duplicate_content) return RejectDetail::duplicate_content;
  // fill-rate cool-down (after duplicate content, before the table's capacity)
  if (o.is_new && o.time < in.fill_paused_until) return RejectDetail::fill_rate_paused;
  if (o.is_new && !in.capacity_left) return RejectDetail::order_capacity;
  return RejectDetail::none;
}

// The reason a detail belongs to.
inline RejectReason reason_of(RejectDetail d) {
  switch (d) {
    case RejectDetail::none: return RejectReason::none;
    case RejectDetail::kill_global:
    case RejectDetail::kill_account:
    case RejectDetail::kill_instrument:
    case RejectDetail::kill_loss_limit:
    case RejectDetail::journal_unavailable:
    case RejectDetail::reconcile_pending:
    case RejectDetail::session_down: return RejectReason::kill_switch;
    case RejectDetail::instrument_unknown:
    case RejectDetail::instrument_not_tradable:
    case RejectDetail::trading_status_not_open: return RejectReason::instrument_not_tradable;
    case RejectDetail::book_unsynced:
    case RejectDetail::book_crossed:
    case RejectDetail::price_jump:
    case RejectDetail::no_mark:
    case RejectDetail::market_data_stale: return RejectReason::market_data_untrusted;
    case RejectDetail::price_below_band:
    case RejectDetail::price_above_band: return RejectReason::price_band;
    case RejectDetail::price_collar: return RejectReason::price_collar;
    case RejectDetail::quantity_not_positive:
    case RejectDetail::quantity_above_max:
    case RejectDetail::notional_above_max: return RejectReason::order_size;
    case RejectDetail::position_limit: return RejectReason::position_limit;
    case RejectDetail::margin: return RejectReason::margin;
    case RejectDetail::credit_limit: return RejectReason::credit_limit;
    case RejectDetail::throttle_session:
    case RejectDetail::throttle_account: return RejectReason::throttle;
    case RejectDetail::duplicate_client_order_id:
    case RejectDetail::id_window_full: return RejectReason::duplicate_client_order_id;
    case RejectDetail::reduce_only: return RejectReason::reduce_only;
    case RejectDetail::self_match:
    case RejectDetail::self_match_owner: return RejectReason::self_match;
    case RejectDetail::order_capacity: return RejectReason::order_capacity;
    case RejectDetail::open_orders_account:
    case RejectDetail::open_orders_instrument: return RejectReason::max_open_orders;
    case RejectDetail::duplicate_content: return RejectReason::duplicate_order;
    case RejectDetail::fill_rate_paused: return RejectReason::fill_rate;
    default: return RejectReason::invalid_request;
  }
}

}  // namespace pw
