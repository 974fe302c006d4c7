// Long random sequences of orders, replaces, cancels, exchange answers, market moves, funding,
// kill switches and limit reloads, run through the engine and through a plain reference model:
// std::map of orders, every aggregate (open quantities, best prices, reserved notional, margin)
// recomputed from scratch by scanning, the same integer formulas written out naively. Decisions,
// positions, reservations, cash and counters must match after every step.
#include <doctest/doctest.h>

#include <algorithm>
#include <deque>
#include <initializer_list>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/risk/risk_fixture.hpp"

using namespace pw_test;

namespace {

constexpr int NA = 4, NI = 4, NO = 64, NW = 32, NS = 2;
static_assert(Engine::accounts == NA && Engine::instruments == NI && Engine::open_order_capacity == NO &&
                  Engine::dedup_window == NW && Engine::sessions == NS,
              "the model mirrors the fixture's engine");

using i128 = __int128;
i128 floor_div(i128 n, i128 d) {
  i128 q = n / d;
  if (n % d != 0 && ((n < 0) != (d < 0))) --q;
  return q;
}
i128 ceil_div(i128 n, i128 d) { return -floor_div(-n, d); }
int64_t notional(int64_t p, int64_t q, int64_t cs) { return (int64_t)ceil_div((i128)p * q * cs, U); }

struct Bucket {
  int64_t tokens = 0;
  int64_t last = 0;
  bool has_last = false;
  int64_t level(int64_t rate, int64_t burst, int64_t t) const {
    i128 v = tokens;
    if (has_last && t > last) v += (i128)(t - last) * rate;
    return (int64_t)std::min<i128>(v, (i128)burst * kTokenScale);
  }
  void take(int64_t level, int64_t t, int64_t weight) {
    tokens = std::max<int64_t>(0, level - weight * kTokenScale);  // a cancel takes at most what is there
    if (!has_last || t > last) last = t;
    has_last = true;
  }
};

struct ROrder {
  int64_t id;
  int account, instrument, side;
  uint8_t flags;
  int64_t price, qty, filled = 0;
  bool entered = false, pending = false;
  int64_t new_price = 0, new_qty = 0;
};
struct RPos {
  int64_t position = 0, entry = 0, realized = 0, funding = 0;
  std::vector<std::pair<int64_t, int64_t>> fills;  // (exchange time, contracts), every fill, in arrival order
  int64_t paused_until = INT64_MIN;                // fill-rate cool-down
};
struct RAccount {
  bool configured = false, killed = false, loss_killed = false;
  AccountLimits limits{};
  int64_t cash = 0, filled = 0;
  Bucket bucket;
  std::vector<OrderRequest> accepted_new;  // every accepted new order, oldest first
};
struct RInstrument {
  bool configured = false, killed = false;
  InstrumentLimits limits{};
  InstrumentMarket market{};
  // Jump band: each series' window value and start, and the end of the untrusted period.
  int64_t mark_ref = 0, mark_since = 0, mid_ref = 0, mid_since = 0;
  int64_t jump_until = INT64_MIN;
};
struct RSession {
  bool configured = false;
  SessionLimits limits{};
  Bucket bucket;
};
struct RDecision {
  RejectReason reason = RejectReason::none;
  RejectDetail detail = RejectDetail::none;
  int64_t qty = 0, notional = 0;
};
struct Res {
  int64_t qty, notional, eff;
};

class Model {
 public:
  RAccount acc[NA];
  RInstrument ins[NI];
  RSession ses[NS];
  RPos pos[NA][NI];
  std::map<int64_t, ROrder> orders;
  std::deque<int64_t> window;
  bool kill_global = false;
  uint64_t accepted = 0, cancels = 0, unknown = 0, overfills = 0, rejected[kRejectReasonCount] = {};

  Res res_of(const ROrder& o) const {
    int64_t cs = ins[o.instrument].market.contract_size;
    int64_t rem = std::max<int64_t>(0, o.qty - o.filled);
    Res r{rem, notional(o.price, rem, cs), o.price};
    if (o.pending) {
      int64_t nrem = std::max<int64_t>(0, o.new_qty - o.filled);
      r.qty = std::max(r.qty, nrem);
      r.notional = std::max(r.notional, notional(o.new_price, nrem, cs));
      r.eff = o.side > 0 ? std::max(o.price, o.new_price) : std::min(o.price, o.new_price);
    }
    return r;
  }
  struct Agg {
    int64_t open_buy = 0, open_sell = 0, best_buy = kNoBuyPrice, best_sell = kNoSellPrice;
  };
  Agg agg(const std::map<int64_t, ROrder>& os, int a, int i) const {
    Agg g;
    for (const auto& kv : os) {
      const ROrder& o = kv.second;
      if (o.account != a || o.instrument != i) continue;
      Res r = res_of(o);
      if (o.side > 0) {
        g.open_buy += r.qty;
        g.best_buy = std::max(g.best_buy, r.eff);
      } else {
        g.open_sell += r.qty;
        g.best_sell = std::min(g.best_sell, r.eff);
      }
    }
    return g;
  }
  int64_t reserved_notional(const std::map<int64_t, ROrder>& os, int a) const {
    int64_t s = 0;
    for (const auto& kv : os)
      if (kv.second.account == a) s += res_of(kv.second).notional;
    return s;
  }
  static int64_t tiered(int64_t n, const MarginTable& t) {
    int64_t im = 0;
    for (int k = 0; k < t.count; ++k) {
      int64_t lo = k == 0 ? 0 : t.tiers[k - 1].notional_cap;
      bool last = k == t.count - 1;
      if (n <= lo) break;
      int64_t hi = last ? n : std::min(n, t.tiers[k].notional_cap);
      im += (int64_t)ceil_div(hi - lo, t.tiers[k].max_leverage);
    }
    return im;
  }
  AccountMargin margin(const std::map<int64_t, ROrder>& os, int a) const {
    i128 req = 0, eq = acc[a].cash;
    for (int i = 0; i < NI; ++i) {
      Agg g = agg(os, a, i);
      const RPos& p = pos[a][i];
      if (p.position == 0 && g.open_buy == 0 && g.open_sell == 0) continue;
      const InstrumentMarket& m = ins[i].market;
      int64_t mark = m.mark > 0 ? m.mark : p.entry;
      int64_t cs = m.contract_size;
      int64_t worst = std::max(p.position + g.open_buy, g.open_sell - p.position);
      if (worst > 0) req += tiered(notional(mark, worst, cs), ins[i].limits.margin);
      if (g.open_buy > 0 && g.best_buy > mark) req += ceil_div((i128)(g.best_buy - mark) * g.open_buy * cs, U);
      if (g.open_sell > 0 && g.best_sell < mark) req += ceil_div((i128)(mark - g.best_sell) * g.open_sell * cs, U);
      if (p.position != 0) {
        eq += floor_div((i128)p.position * (mark - p.entry) * cs, U);
        i128 owed = ceil_div((i128)p.position * mark * cs * m.funding_rate, (i128)U * U);
        if (owed > 0) eq -= owed;
      }
    }
    return AccountMargin{(int64_t)req, (int64_t)eq};
  }

  RDecision reject(RejectReason r, RejectDetail d) {
    ++rejected[(int)r];
    RDecision x;
    x.reason = r;
    x.detail = d;
    return x;
  }

  RDecision check(const OrderRequest& r) {
    using RR = RejectReason;
    using RD = RejectDetail;
    if (r.kind == OrderKind::cancel) {
      ++cancels;
      // Never refused; with a cancel weight it takes tokens from configured buckets.
      if (r.session < NS && ses[r.session].configured && ses[r.session].limits.throttle_weight_cancel > 0) {
        RSession& S = ses[r.session];
        S.bucket.take(S.bucket.level(S.limits.orders_per_second, S.limits.order_burst, r.time), r.time, S.limits.throttle_weight_cancel);
      }
      if (r.account < NA && acc[r.account].configured && acc[r.account].limits.throttle_weight_cancel > 0) {
        RAccount& A = acc[r.account];
        A.bucket.take(A.bucket.level(A.limits.orders_per_second, A.limits.order_burst, r.time), r.time, A.limits.throttle_weight_cancel);
      }
      return RDecision{};
    }
    const bool is_new = r.kind == OrderKind::new_order;
    if (!is_new && r.kind != OrderKind::replace) return reject(RR::invalid_request, RD::kind_invalid);
    if (r.account >= NA || !acc[r.account].configured) return reject(RR::invalid_request, RD::account_unknown);
    if (r.session >= NS || !ses[r.session].configured) return reject(RR::invalid_request, RD::session_unknown);
    int side = r.side;
    uint8_t flags = r.flags;
    if (is_new) {
      if (side != 1 && side != -1) return reject(RR::invalid_request, RD::side_invalid);
    } else {
      auto it = orders.find(r.client_order_id);
      if (it == orders.end()) return reject(RR::invalid_request, RD::order_unknown);
      const ROrder& o = it->second;
      if (o.account != r.account || o.instrument != r.instrument) return reject(RR::invalid_request, RD::order_mismatch);
      if (o.pending) return reject(RR::invalid_request, RD::replace_pending);
      if (o.flags & kOrderIoc) return reject(RR::invalid_request, RD::replace_ioc);
      side = o.side;
      flags = o.flags;
    }
    const int a = r.account, i = r.instrument;
    RAccount& A = acc[a];
    if (kill_global) return reject(RR::kill_switch, RD::kill_global);
    if (A.killed) return reject(RR::kill_switch, RD::kill_account);
    if (A.loss_killed) return reject(RR::kill_switch, RD::kill_loss_limit);
    if (i < NI && ins[i].killed) return reject(RR::kill_switch, RD::kill_instrument);
    if (i >= NI || !ins[i].configured) return reject(RR::instrument_not_tradable, RD::instrument_unknown);
    const InstrumentMarket& m = ins[i].market;
    const InstrumentLimits& L = ins[i].limits;
    if (!m.tradable) return reject(RR::instrument_not_tradable, RD::instrument_not_tradable);
    if (m.trading_status != 1) return reject(RR::instrument_not_tradable, RD::trading_status_not_open);
    if (!m.synced) return reject(RR::market_data_untrusted, RD::book_unsynced);
    if (m.best_bid != kNullI64 && m.best_ask != kNullI64 && m.best_bid >= m.best_ask)
      return reject(RR::market_data_untrusted, RD::book_crossed);
    if (m.mark <= 0 || m.contract_size <= 0) return reject(RR::market_data_untrusted, RD::no_mark);
    if (m.last_update == kNullI64 || (i128)r.time - m.last_update > L.max_staleness_ns)
      return reject(RR::market_data_untrusted, RD::market_data_stale);
    if (L.max_jump_bps > 0 && r.time < ins[i].jump_until) return reject(RR::market_data_untrusted, RD::price_jump);
    const int64_t p = r.price, q = r.quantity;
    if (p <= 0 || (m.limit_down != kNullI64 && p < m.limit_down)) return reject(RR::price_band, RD::price_below_band);
    if (m.limit_up != kNullI64 && p > m.limit_up) return reject(RR::price_band, RD::price_above_band);
    i128 dev = p > m.mark ? p - m.mark : m.mark - p;
    if (dev * 10000 > (i128)L.collar_bps * m.mark) return reject(RR::price_collar, RD::price_collar);
    if (q <= 0) return reject(RR::order_size, RD::quantity_not_positive);
    if (q > L.max_order_qty) return reject(RR::order_size, RD::quantity_above_max);
    if (notional(p, q, m.contract_size) > L.max_order_notional) return reject(RR::order_size, RD::notional_above_max);

    // The open orders as if this request were accepted. A new order gets a key of its own: its id
    // may still belong to an open order (check 11 comes later), which keeps its reservation.
    std::map<int64_t, ROrder> hyp = orders;
    const int64_t key = is_new ? kNullI64 : r.client_order_id;
    if (is_new) {
      ROrder o{};
      o.id = r.client_order_id;
      o.account = a;
      o.instrument = i;
      o.side = side;
      o.flags = flags;
      o.price = p;
      o.qty = q;
      hyp[key] = o;
    } else {
      ROrder& o = hyp[r.client_order_id];
      o.pending = true;
      o.new_price = p;
      o.new_qty = q;
    }
    const int64_t position = pos[a][i].position;
    Agg g = agg(hyp, a, i);
    int64_t worst = side > 0 ? position + g.open_buy : g.open_sell - position;
    if (worst > std::min(L.max_position, A.limits.max_position)) return reject(RR::position_limit, RD::position_limit);
    AccountMargin am = margin(hyp, a);
    if (am.requirement > am.equity) return reject(RR::margin, RD::margin);
    if ((i128)A.filled + reserved_notional(hyp, a) > A.limits.daily_notional_limit)
      return reject(RR::credit_limit, RD::credit_limit);
    RSession& S = ses[r.session];
    const int64_t ws = is_new ? S.limits.throttle_weight_new : S.limits.throttle_weight_replace;
    const int64_t wa = is_new ? A.limits.throttle_weight_new : A.limits.throttle_weight_replace;
    int64_t sl = S.bucket.level(S.limits.orders_per_second, S.limits.order_burst, r.time);
    if ((i128)sl < (i128)ws * kTokenScale) return reject(RR::throttle, RD::throttle_session);
    int64_t al = A.bucket.level(A.limits.orders_per_second, A.limits.order_burst, r.time);
    if ((i128)al < (i128)wa * kTokenScale) return reject(RR::throttle, RD::throttle_account);
    if (is_new && (orders.count(r.client_order_id) ||
                   std::find(window.begin(), window.end(), r.client_order_id) != window.end()))
      return reject(RR::duplicate_client_order_id, RD::duplicate_client_order_id);
    if (flags & kOrderReduceOnly) {
      int64_t open_side = side > 0 ? g.open_buy : g.open_sell;
      if (open_side > std::max<int64_t>(0, side > 0 ? -position : position)) return reject(RR::reduce_only, RD::reduce_only);
    }
    Agg now = agg(orders, a, i);
    if (side > 0 ? p >= now.best_sell : p <= now.best_buy) return reject(RR::self_match, RD::self_match);
    if (A.limits.owner != 0) {  // any account of the same owner, scanned
      for (int b = 0; b < NA; ++b) {
        if (!acc[b].configured || acc[b].limits.owner != A.limits.owner) continue;
        Agg other = agg(orders, b, i);
        if (side > 0 ? p >= other.best_sell : p <= other.best_buy) return reject(RR::self_match, RD::self_match_owner);
      }
    }
    if (is_new && (A.limits.max_open_orders > 0 || A.limits.max_open_orders_per_instrument > 0)) {
      int64_t in_account = 0, in_instrument = 0;
      for (const auto& [id, o] : orders)
        if (o.account == a) ++in_account, in_instrument += o.instrument == i;
      if (A.limits.max_open_orders > 0 && in_account >= A.limits.max_open_orders)
        return reject(RR::max_open_orders, RD::open_orders_account);
      if (A.limits.max_open_orders_per_instrument > 0 && in_instrument >= A.limits.max_open_orders_per_instrument)
        return reject(RR::max_open_orders, RD::open_orders_instrument);
    }
    if (is_new && A.limits.duplicate_window_ns > 0) {
      const size_t n = A.accepted_new.size(), from = n > (size_t)kDuplicateHistory ? n - kDuplicateHistory : 0;
      for (size_t k = from; k < n; ++k) {
        const OrderRequest& o = A.accepted_new[k];
        if (o.instrument == r.instrument && o.side == r.side && o.price == r.price && o.quantity == r.quantity &&
            (i128)r.time - o.time <= A.limits.duplicate_window_ns)
          return reject(RR::duplicate_order, RD::duplicate_content);
      }
    }
    if (is_new && r.time < pos[a][i].paused_until) return reject(RR::fill_rate, RD::fill_rate_paused);
    if (is_new && (int)orders.size() == NO) return reject(RR::order_capacity, RD::order_capacity);

    // Accepted.
    ++accepted;
    if (ws > 0) S.bucket.take(sl, r.time, ws);
    if (wa > 0) A.bucket.take(al, r.time, wa);
    if (is_new) {
      A.accepted_new.push_back(r);
      window.push_back(r.client_order_id);
      if ((int)window.size() > NW) window.pop_front();
    }
    orders[r.client_order_id] = hyp[key];
    Res res = res_of(orders[r.client_order_id]);
    RDecision d;
    d.qty = res.qty;
    d.notional = res.notional;
    return d;
  }

  // A market update: the jump band's series (mark; mid as bid + ask when both sides are there and
  // not crossed), each against the value that started its window.
  void set_market(int i, const InstrumentMarket& mk) {
    RInstrument& I = ins[i];
    I.market = mk;
    const InstrumentLimits& L = I.limits;
    if (L.max_jump_bps <= 0 || mk.last_update == kNullI64) return;
    const int64_t t = mk.last_update;
    auto step = [&](int64_t& ref, int64_t& since, int64_t x) {
      if (x <= 0) return false;
      if (ref <= 0 || (i128)t - since > L.jump_window_ns) {
        ref = x, since = t;
        return false;
      }
      const i128 dev = x > ref ? (i128)x - ref : (i128)ref - x;
      if (dev * 10000 <= (i128)L.max_jump_bps * ref) return false;
      ref = x, since = t;
      return true;
    };
    bool jump = step(I.mark_ref, I.mark_since, mk.mark);
    if (mk.best_bid != kNullI64 && mk.best_ask != kNullI64 && mk.best_bid > 0 && mk.best_bid < mk.best_ask)
      jump = step(I.mid_ref, I.mid_since, mk.best_bid + mk.best_ask) || jump;
    if (jump) I.jump_until = t + L.jump_settle_ns;
  }
  void set_instrument_limits(int i, const InstrumentLimits& l) {
    ins[i].limits = l;
    if (l.max_jump_bps <= 0) ins[i].mark_ref = ins[i].mid_ref = 0, ins[i].jump_until = INT64_MIN;
  }

  void fill_position(int a, int i, int side, int64_t q, int64_t price) {
    RPos& p = pos[a][i];
    int64_t cs = ins[i].market.contract_size;
    int64_t held = p.position < 0 ? -p.position : p.position;
    if (p.position == 0 || (p.position > 0) == (side > 0)) {
      i128 num = (i128)held * p.entry + (i128)q * price;
      p.entry = (int64_t)(side > 0 ? ceil_div(num, held + q) : floor_div(num, held + q));
      p.position += side * q;
    } else {
      int64_t closed = std::min(q, held);
      int64_t sign = p.position > 0 ? 1 : -1;
      int64_t realized = (int64_t)floor_div((i128)sign * closed * (price - p.entry) * cs, U);
      p.realized += realized;
      acc[a].cash += realized;
      p.position += side * q;
      if (p.position == 0) p.entry = 0;
      else if (q > held) p.entry = price;
    }
    acc[a].filled += notional(price, q, cs);
  }

  ROrder* find(int64_t id) {
    auto it = orders.find(id);
    if (it == orders.end()) {
      ++unknown;
      return nullptr;
    }
    return &it->second;
  }
  bool on_entered(int64_t id) {
    ROrder* o = find(id);
    if (!o) return false;
    o->entered = true;
    return true;
  }
  // The fill-rate throttle as docs/risk.md states it: of the last kFillRateHistory fills (this
  // one included), those within the window counted and summed; a fill before them still within
  // the window counts as past both limits.
  void count_fill(int a, int i, int64_t q, int64_t t) {
    RPos& p = pos[a][i];
    p.fills.emplace_back(t, q);
    const AccountLimits& l = acc[a].limits;
    if (l.fill_rate_fills <= 0 && l.fill_rate_qty <= 0) return;
    const size_t n = p.fills.size(), kept = std::min<size_t>(n, kFillRateHistory);
    int64_t count = 0;
    i128 sum = 0;
    for (size_t k = n - kept; k < n; ++k)
      if ((i128)t - p.fills[k].first <= l.fill_rate_window_ns) ++count, sum += p.fills[k].second;
    const bool overflow = n > kept && (i128)t - p.fills[n - kept - 1].first <= l.fill_rate_window_ns;
    if ((l.fill_rate_fills > 0 && (overflow || count > l.fill_rate_fills)) || (l.fill_rate_qty > 0 && (overflow || sum > l.fill_rate_qty)))
      p.paused_until = std::max<i128>(p.paused_until, std::min<i128>((i128)t + l.fill_rate_cooldown_ns, INT64_MAX));
  }
  // Realized + unrealized at mark − funding paid, over the account's instruments.
  i128 loss_pnl(int a) const {
    i128 pnl = 0;
    for (int i = 0; i < NI; ++i) {
      const RPos& p = pos[a][i];
      const InstrumentMarket& m = ins[i].market;
      const int64_t mark = m.mark > 0 ? m.mark : p.entry;
      pnl += (i128)p.realized - p.funding;
      if (p.position != 0) pnl += floor_div((i128)p.position * (mark - p.entry) * m.contract_size, U);
    }
    return pnl;
  }
  void check_loss(int a) {
    const int64_t limit = acc[a].limits.loss_limit;
    if (limit > 0 && loss_pnl(a) < -(i128)limit) acc[a].loss_killed = true;
  }
  void check_loss_all() {
    for (int a = 0; a < NA; ++a) check_loss(a);
  }
  bool on_fill(int64_t id, int64_t q, int64_t price, int64_t t) {
    ROrder* o = find(id);
    if (!o) return false;
    if (q <= 0) return true;
    const int a = o->account, i = o->instrument;
    fill_position(a, i, o->side, q, price);
    if (q > res_of(*o).qty) ++overfills;
    o->filled += q;
    if (o->filled >= o->qty) orders.erase(id);
    count_fill(a, i, q, t);
    check_loss(a);
    return true;
  }
  bool on_cancel(int64_t id) {
    if (!find(id)) return false;
    orders.erase(id);
    return true;
  }
  bool on_reject(int64_t id) {
    ROrder* o = find(id);
    if (!o) return false;
    if (o->pending) {
      o->pending = false;
      return true;
    }
    if (o->entered) return false;
    orders.erase(id);
    return true;
  }
  bool on_replace(int64_t id) {
    ROrder* o = find(id);
    if (!o || !o->pending) return false;
    o->price = o->new_price;
    o->qty = o->new_qty;
    o->pending = false;
    o->entered = true;
    if (o->filled >= o->qty) orders.erase(id);
    return true;
  }
  void apply_funding(int i, int64_t mark, int64_t rate) {
    for (int a = 0; a < NA; ++a) {
      RPos& p = pos[a][i];
      if (p.position == 0) continue;
      int64_t pay = (int64_t)ceil_div((i128)p.position * mark * ins[i].market.contract_size * rate, (i128)U * U);
      acc[a].cash -= pay;
      p.funding += pay;
    }
    check_loss_all();
  }
};

// Compares every piece of visible state.
void compare(const Engine& e, const Model& m) {
  for (int a = 0; a < NA; ++a) {
    CAPTURE(a);
    REQUIRE(e.account(a).cash == m.acc[a].cash);
    REQUIRE(e.account(a).filled_notional == m.acc[a].filled);
    REQUIRE(e.account(a).reserved_notional == m.reserved_notional(m.orders, a));
    REQUIRE(e.kill_loss(a) == m.acc[a].loss_killed);
    REQUIRE((i128)e.loss_pnl(a) == m.loss_pnl(a));
    if (m.acc[a].configured) {
      AccountMargin x = e.account_margin(a), y = m.margin(m.orders, a);
      REQUIRE(x.requirement == y.requirement);
      REQUIRE(x.equity == y.equity);
    }
    for (int i = 0; i < NI; ++i) {
      CAPTURE(i);
      const PositionState& ps = e.position(a, i);
      const RPos& rp = m.pos[a][i];
      Model::Agg g = m.agg(m.orders, a, i);
      REQUIRE(ps.exposure.position == rp.position);
      REQUIRE(ps.exposure.entry_price == rp.entry);
      REQUIRE(ps.realized_pnl == rp.realized);
      REQUIRE(ps.funding_paid == rp.funding);
      REQUIRE(e.fill_paused_until(a, i) == rp.paused_until);
      REQUIRE(ps.exposure.open_buy == g.open_buy);
      REQUIRE(ps.exposure.open_sell == g.open_sell);
      REQUIRE(ps.exposure.best_buy == g.best_buy);
      REQUIRE(ps.exposure.best_sell == g.best_sell);
    }
  }
  REQUIRE(e.open_orders() == (int)m.orders.size());
  for (const auto& kv : m.orders) {
    const ROrder& o = kv.second;
    const OpenOrder* x = e.find_order(o.id);
    REQUIRE(x != nullptr);
    Res r = m.res_of(o);
    REQUIRE(x->price == o.price);
    REQUIRE(x->qty == o.qty);
    REQUIRE(x->filled == o.filled);
    REQUIRE(x->res_qty == r.qty);
    REQUIRE(x->res_notional == r.notional);
    REQUIRE(x->eff_price == r.eff);
    REQUIRE((bool)x->replace_pending == o.pending);
    REQUIRE((bool)x->entered == o.entered);
  }
  const RiskCounters& c = e.counters();
  REQUIRE(c.accepted == m.accepted);
  REQUIRE(c.cancels == m.cancels);
  REQUIRE(c.unknown_events == m.unknown);
  REQUIRE(c.overfills == m.overfills);
  for (int k = 0; k < kRejectReasonCount; ++k) REQUIRE(c.rejected[k] == m.rejected[k]);
}

// Details the sequences reached (the reasons are in the engine's counters).
uint64_t details_seen[(int)RejectDetail::count_] = {};

// The request through evaluate() and check() of the engine and through the model: same decision.
void same_decision(Engine& e, Model& m, const OrderRequest& r) {
  RiskDecision ev = e.evaluate(r);
  RiskDecision d = e.check(r);
  RDecision x = m.check(r);
  REQUIRE(ev.reason == d.reason);
  REQUIRE(ev.detail == d.detail);
  REQUIRE(d.reason == x.reason);
  REQUIRE(d.detail == x.detail);
  REQUIRE(d.accepted == (x.reason == RejectReason::none));
  REQUIRE(d.reserved_qty == x.qty);
  REQUIRE(d.reserved_notional == x.notional);
  ++details_seen[(int)d.detail];
}

struct Gen {
  std::mt19937_64 rng;
  explicit Gen(uint64_t seed) : rng(seed) {}
  int64_t range(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); }
  bool chance(int per_mille) { return range(0, 999) < per_mille; }
};

InstrumentLimits random_limits(Gen& g, int i) {
  InstrumentLimits l{};
  l.max_staleness_ns = g.range(2000, 20000) * 1000;
  l.collar_bps = g.range(50, 300);
  l.max_order_qty = g.range(20, 60);
  const int64_t unit_value[3] = {1000 * U, 300 * U, 123 * U};  // mark × contract size, roughly
  l.max_order_notional = unit_value[i] * g.range(25, 70);
  l.max_position = g.range(60, 150);
  l.margin.count = (int32_t)g.range(1, 4);
  int64_t cap = unit_value[i] * g.range(5, 30), lev = g.range(40, 100);
  for (int k = 0; k < l.margin.count; ++k) {
    l.margin.tiers[k] = MarginTier{cap, lev};
    cap += unit_value[i] * g.range(5, 40) + g.range(0, 999);
    lev = std::max<int64_t>(1, lev - g.range(1, 25));
    if (k + 1 < l.margin.count && lev <= 1) l.margin.count = k + 1;
  }
  // The jump band on some instruments (the market moves below are up to 30 bps a step).
  if (g.chance(500)) {
    l.max_jump_bps = g.range(15, 60);
    l.jump_window_ns = g.range(2, 20) * 1000000;
    l.jump_settle_ns = g.range(1, 30) * 100000;
  }
  if (g.chance(100)) l.collar_bps = -g.range(0, 5);  // a bad value: the reload must be refused
  return l;
}

AccountLimits random_account_limits(Gen& g) {
  AccountLimits l{};
  l.max_position = g.range(50, 200);
  l.daily_notional_limit = g.range(50000, 500000) * U;
  l.orders_per_second = g.range(50, 1000);
  l.order_burst = g.range(3, 30);
  if (g.chance(100)) l.order_burst = 0;
  // Max open orders on some accounts only, so that the table still fills up in quiet phases.
  if (g.chance(400)) l.max_open_orders = g.range(4, 40);
  if (g.chance(400)) l.max_open_orders_per_instrument = g.range(2, 20);
  if (g.chance(5)) l.max_open_orders = -1;  // a bad value: refused
  // Duplicate content on some accounts, windows around the sequences' time steps.
  if (g.chance(400)) l.duplicate_window_ns = g.range(1, 3000) * 1000000;
  // Owners: most accounts in one of two groups, so that accounts cross each other's orders.
  l.owner = g.chance(700) ? g.range(1, 2) : 0;
  // Throttle weights on some accounts: replaces and cancels counted, new orders sometimes free.
  if (g.chance(400)) {
    l.throttle_weight_new = g.range(0, 3);
    l.throttle_weight_replace = g.range(0, 4);
    l.throttle_weight_cancel = g.range(0, 3);
    if (g.chance(50)) l.throttle_weight_cancel = l.order_burst + 1;  // a bad value: refused
  }
  // The fill-rate throttle on some accounts (windows and cool-downs around the time steps), and
  // a loss limit on a few; now and then a bad value.
  if (g.chance(400)) {
    l.fill_rate_fills = g.chance(700) ? g.range(1, 6) : 0;
    l.fill_rate_qty = g.chance(500) ? g.range(5, 60) : 0;
    if (l.fill_rate_fills == 0 && l.fill_rate_qty == 0) l.fill_rate_fills = 2;
    l.fill_rate_window_ns = g.range(1, 20) * 1000000;
    l.fill_rate_cooldown_ns = g.range(1, 20) * 1000000;
    if (g.chance(5)) l.fill_rate_fills = kMaxConfigFillRateFills + 1;  // refused: past the ring
    if (g.chance(5)) l.fill_rate_window_ns = 0;                        // refused: required
  }
  if (g.chance(50)) l.loss_limit = g.range(1, 3000) * U;
  return l;
}

// Runs one random sequence; returns the engine's counters.
// `path`, when given, gains how check 8 was answered (threshold or computed).
RiskCounters run(uint64_t seed, int steps, MarginPathCounters* path = nullptr) {
  Gen g(seed);
  Engine e;
  Model m;
  int64_t now = kT0;

  const int64_t base_mark[3] = {100000 * U + 123456789, 3000 * U + 987654321, 1234500000};
  const int64_t cs[3] = {U / 100, U / 10, 100 * U};
  for (int i = 0; i < 3; ++i) {
    InstrumentLimits l = random_limits(g, i);
    if (!validate(l).ok()) l.collar_bps = 100;
    REQUIRE(e.set_instrument_limits(i, l).ok());
    m.ins[i].limits = l;
    m.ins[i].configured = true;
    InstrumentMarket mk{};
    mk.mark = base_mark[i];
    mk.best_bid = mk.best_ask = kNullI64;
    mk.limit_down = base_mark[i] / 100 * 95;
    mk.limit_up = base_mark[i] / 100 * 105;
    mk.contract_size = cs[i];
    mk.funding_rate = g.range(-100000, 100000);
    mk.last_update = now;
    mk.tradable = 1;
    mk.trading_status = 1;
    mk.synced = 1;
    e.set_market(i, mk);
    m.set_market(i, mk);
  }
  {  // instrument 3 has a market but no limits: unknown to the gate
    InstrumentMarket mk = m.ins[0].market;
    e.set_market(3, mk);
    m.set_market(3, mk);
  }
  for (int a = 0; a < 3; ++a) {  // account 3 stays unconfigured
    AccountLimits l = random_account_limits(g);
    if (!validate(l).ok()) {  // the first limits of each account must hold: the bad values drawn are dropped
      l.order_burst = 10, l.max_open_orders = 0, l.throttle_weight_cancel = std::min<int64_t>(l.throttle_weight_cancel, 2);
      l.fill_rate_fills = std::min<int64_t>(l.fill_rate_fills, kMaxConfigFillRateFills);
      if ((l.fill_rate_fills != 0 || l.fill_rate_qty != 0) && l.fill_rate_window_ns == 0) l.fill_rate_window_ns = 1000000;
    }
    REQUIRE(e.set_account_limits(a, l).ok());
    m.acc[a].limits = l;
    m.acc[a].configured = true;
    m.acc[a].bucket.tokens = l.order_burst * kTokenScale;
    int64_t cash = g.range(500, 20000) * U + g.range(0, 999999999);
    e.set_cash(a, cash);
    m.acc[a].cash = cash;
  }
  {  // session 0 only; session 1 unconfigured
    SessionLimits l{g.range(500, 5000), g.range(5, 40)};
    if (g.chance(500)) l.throttle_weight_replace = 2, l.throttle_weight_cancel = 1;
    REQUIRE(e.set_session_limits(0, l).ok());
    m.ses[0].limits = l;
    m.ses[0].configured = true;
    m.ses[0].bucket.tokens = l.order_burst * kTokenScale;
  }

  int64_t next_id = 1;
  std::vector<int64_t> used_ids;
  auto random_open_id = [&]() -> int64_t {
    if (m.orders.empty() || g.chance(30)) return g.range(1, next_id + 5);
    auto it = m.orders.begin();
    std::advance(it, g.range(0, (int64_t)m.orders.size() - 1));
    return it->first;
  };
  // Mostly inside the collar (so later checks get their turn), sometimes around and past it.
  auto random_price = [&](int i) -> int64_t {
    i = std::min(i, 2);
    const InstrumentMarket& mk = m.ins[i].market;
    int64_t mark = mk.mark > 0 ? mk.mark : base_mark[i];
    if (g.chance(10)) return g.chance(500) ? 0 : mk.limit_up + g.range(0, 2);
    int64_t collar = m.ins[i].limits.collar_bps > 0 ? m.ins[i].limits.collar_bps : 100;
    int64_t bps = g.chance(850) ? g.range(-collar * 6 / 10, collar * 6 / 10) : g.range(-collar * 13 / 10, collar * 13 / 10);
    return mark + (int64_t)((i128)mark * bps / 10000) + g.range(-999, 999);
  };

  std::vector<OrderRequest> recent_new;  // the last new orders sent, for repeats of their content
  for (int step = 0; step < steps; ++step) {
    CAPTURE(seed);
    CAPTURE(step);
    // The slow path catches up on most steps, not all: check 8 is answered both ways.
    if (step % 4 != 0) e.refresh_margin_thresholds();
    now += g.range(0, 200000);
    // Phases of a quiet exchange (few answers, small orders): open orders pile up to the table's capacity.
    const bool quiet = (step / 1500) % 4 == 3;
    int op = (int)g.range(0, 999);
    if (quiet && op >= 540 && op < 900 && !g.chance(100)) op = (int)g.range(0, 539);
    if (op < 420) {  // new order
      OrderRequest r{};
      r.kind = OrderKind::new_order;
      r.account = (uint16_t)(g.chance(20) ? 3 : g.range(0, 2));
      r.instrument = (uint16_t)(g.chance(15) ? g.range(3, 5) : g.range(0, 2));
      r.session = (uint8_t)(g.chance(10) ? g.range(1, 2) : 0);
      r.side = (int8_t)(g.chance(10) ? 0 : (g.chance(500) ? 1 : -1));
      r.price = random_price(r.instrument);
      const int64_t max_qty = m.ins[std::min<int>(r.instrument, 2)].limits.max_order_qty;
      r.quantity = (int32_t)(g.chance(20) ? g.range(-2, 0) : g.chance(900) ? g.range(1, quiet ? 3 : max_qty) : g.range(1, 70));
      r.flags = (uint8_t)((g.chance(150) ? kOrderReduceOnly : 0) | (g.chance(100) ? kOrderIoc : 0));
      r.time = g.chance(30) ? now - g.range(0, 30000000) : now;
      if (g.chance(40) && !recent_new.empty()) {  // the content of a recent new order again (duplicate content)
        const OrderRequest& o = recent_new[(size_t)g.range(0, (int64_t)recent_new.size() - 1)];
        r.account = o.account;
        r.instrument = o.instrument;
        r.side = o.side;
        r.price = o.price;
        r.quantity = o.quantity;
        r.flags = o.flags;
      }
      if (g.chance(60) && !used_ids.empty()) r.client_order_id = used_ids[(size_t)g.range(0, (int64_t)used_ids.size() - 1)];
      else r.client_order_id = next_id++;
      used_ids.push_back(r.client_order_id);
      if (used_ids.size() > 200) used_ids.erase(used_ids.begin());
      recent_new.push_back(r);
      if (recent_new.size() > 24) recent_new.erase(recent_new.begin());
      same_decision(e, m, r);
    } else if (op < 520) {  // replace
      int64_t id = random_open_id();
      auto it = m.orders.find(id);
      OrderRequest r{};
      r.kind = OrderKind::replace;
      r.client_order_id = id;
      r.account = (uint16_t)(it != m.orders.end() && !g.chance(20) ? it->second.account : g.range(0, 3));
      r.instrument = (uint16_t)(it != m.orders.end() && !g.chance(20) ? it->second.instrument : g.range(0, 3));
      r.session = 0;
      r.price = random_price(r.instrument);
      r.quantity = (int32_t)g.range(0, 70);
      r.time = now;
      same_decision(e, m, r);
    } else if (op < 540) {  // cancel request
      OrderRequest r = cancel(random_open_id(), now);
      REQUIRE(e.check(r).accepted);
      m.check(r);
    } else if (op < 900) {  // the exchange answers
      int64_t id = random_open_id();
      int kind = (int)g.range(0, 9);
      if (kind < 2) {
        REQUIRE(e.on_entered(id) == m.on_entered(id));
      } else if (kind < 6) {
        auto it = m.orders.find(id);
        int64_t rem = it == m.orders.end() ? 5 : std::max<int64_t>(1, m.res_of(it->second).qty);
        int64_t q = g.chance(30) ? rem + g.range(1, 3) : g.range(1, rem);
        int64_t px = it == m.orders.end() ? base_mark[0] : it->second.price + g.range(-50, 50) * U / 100 + g.range(-9, 9);
        const int64_t t = now - (g.chance(30) ? g.range(0, 5000000) : 0);  // exchange times may lag, out of order
        REQUIRE(e.on_fill(id, q, px, t) == m.on_fill(id, q, px, t));
      } else if (kind < 8) {
        REQUIRE(e.on_cancel(id) == m.on_cancel(id));
      } else if (kind < 9) {
        REQUIRE(e.on_reject(id) == m.on_reject(id));
      } else {
        REQUIRE(e.on_replace(id) == m.on_replace(id));
      }
    } else if (op < 960) {  // market moves
      int i = (int)g.range(0, 2);
      InstrumentMarket mk = m.ins[i].market;
      if (g.chance(20)) mk.mark = g.chance(500) ? kNullI64 : 0;
      else {
        int64_t mark = mk.mark > 0 ? mk.mark : base_mark[i];
        mk.mark = mark + (int64_t)((i128)mark * g.range(-30, 30) / 10000) + g.range(-999999, 999999);
      }
      int64_t ref = mk.mark > 0 ? mk.mark : base_mark[i];
      mk.limit_down = g.chance(50) ? kNullI64 : ref / 1000 * g.range(940, 995);
      mk.limit_up = g.chance(50) ? kNullI64 : ref / 1000 * g.range(1005, 1060);
      mk.funding_rate = g.range(-1000000, 1000000);
      mk.synced = g.chance(30) ? 0 : 1;
      if (g.chance(300)) {  // a book top now and then (the mid of the jump band; check 3 reads crossing)
        const int64_t spread = g.range(1, 40) * (ref / 100000);
        mk.best_bid = ref - spread + g.range(-2, 2) * (ref / 1000);
        mk.best_ask = ref + spread;
      } else if (g.chance(300)) {
        mk.best_bid = mk.best_ask = kNullI64;
      }
      mk.trading_status = g.chance(20) ? 2 : 1;
      mk.tradable = g.chance(10) ? 0 : 1;
      mk.last_update = now;
      e.set_market(i, mk);
      m.set_market(i, mk);
      m.check_loss_all();
    } else if (op < 965) {  // kill switches
      int scope = (int)g.range(0, 2);
      bool on = g.chance(100);
      if (scope == 0) {
        e.set_kill_global(on);
        m.kill_global = on;
      } else if (scope == 1) {
        int a = (int)g.range(0, 3);
        e.set_kill_account(a, on);
        m.acc[a].killed = on;
        if (!on && g.chance(500)) {  // the operator also releases a loss-limit kill
          e.clear_loss_kill(a);
          m.acc[a].loss_killed = false;
        }
      } else {
        int i = (int)g.range(0, 3);
        e.set_kill_instrument(i, on);
        m.ins[i].killed = on;
      }
    } else if (op < 975) {  // funding time
      int i = (int)g.range(0, 2);
      int64_t mark = m.ins[i].market.mark > 0 ? m.ins[i].market.mark : base_mark[i];
      int64_t rate = g.range(-2000000, 2000000);
      e.apply_funding(i, mark, rate);
      m.apply_funding(i, mark, rate);
    } else if (op < 978) {  // a new day
      e.reset_daily();
      for (auto& a : m.acc) a.filled = 0;
    } else if (op < 985) {  // collateral moves
      int a = (int)g.range(0, 2);
      int64_t cash = g.range(500, 30000) * U + g.range(0, 999999999);
      e.set_cash(a, cash);
      m.acc[a].cash = cash;
    } else if (op < 990) {  // a fill of an order the gate never saw
      int a = (int)g.range(0, 2), i = (int)g.range(0, 2);
      int8_t side = g.chance(500) ? kBuy : kSell;
      int64_t q = g.range(1, 20);
      int64_t px = base_mark[i] + g.range(-999999, 999999);
      e.on_untracked_fill(a, i, side, q, px, now);
      m.fill_position(a, i, side, q, px);
      m.count_fill(a, i, q, now);
      m.check_loss(a);
    } else {  // limits reload, sometimes with a bad value that must be refused
      if (g.chance(500)) {
        int i = (int)g.range(0, 2);
        InstrumentLimits l = random_limits(g, i);
        bool ok = e.set_instrument_limits(i, l).ok();
        REQUIRE(ok == validate(l).ok());
        if (ok) m.set_instrument_limits(i, l);
      } else {
        int a = (int)g.range(0, 2);
        AccountLimits l = random_account_limits(g);
        bool ok = e.set_account_limits(a, l).ok();
        REQUIRE(ok == validate(l).ok());
        if (ok) m.acc[a].limits = l;
        if (ok) m.check_loss(a);
      }
    }
    compare(e, m);
  }
  CHECK(e.counters().accepted > (uint64_t)steps / 25);
  if (path != nullptr) {
    path->by_threshold += e.margin_path().by_threshold;
    path->computed += e.margin_path().computed;
  }
  return e.counters();
}

}  // namespace

TEST_CASE("engine and reference model agree on long random sequences") {
  RiskCounters total{};
  MarginPathCounters path{};
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    RiskCounters c = run(seed, 25000, &path);
    total.accepted += c.accepted;
    total.overfills += c.overfills;
    total.unknown_events += c.unknown_events;
    for (int k = 0; k < kRejectReasonCount; ++k) total.rejected[k] += c.rejected[k];
  }
  // The sequences exercised every reason, overfills and unknown ids.
  for (int k = 1; k < kRejectReasonCount; ++k) {
    INFO("reason ", std::string(reject_reason_name((RejectReason)k)));
    CHECK(total.rejected[k] > 10);
  }
  CHECK(total.overfills > 0);
  CHECK(total.unknown_events > 0);
  // Controls that share a reason with others: their own details.
  for (RejectDetail d : {RejectDetail::self_match, RejectDetail::self_match_owner, RejectDetail::throttle_session,
                         RejectDetail::throttle_account, RejectDetail::price_jump}) {
    INFO("detail ", std::string(reject_detail_name(d)));
    CHECK(details_seen[(int)d] > 10);
  }
  // Check 8 was decided on its thresholds for most orders (these prices straddle the mark: many
  // lie beyond the reference price), and computed for the rest.
  MESSAGE("check 8 by threshold: ", path.by_threshold, ", computed: ", path.computed);
  CHECK(path.by_threshold > path.computed);
  CHECK(path.computed > 1000);
}
