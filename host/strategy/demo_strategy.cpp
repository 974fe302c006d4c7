#include "host/strategy/demo_strategy.hpp"

#include <algorithm>

#include "host/config/config.hpp"

namespace pw {

namespace {

constexpr int kMaxBurst = 256;       // orders in one throttle burst, at most
constexpr int64_t kProbeBps = 50;    // passive probe prices: this far from the mark (or half the collar)
constexpr int64_t kLossProbeWindowNs = 2'000'000'000;  // event time the loss probe's round trip may take

int64_t floor_tick(int64_t p, int64_t tick) { return tick > 0 ? div_floor(p, tick) * tick : p; }
int64_t ceil_tick(int64_t p, int64_t tick) { return tick > 0 ? div_ceil(p, tick) * tick : p; }

// mark × (10000 + bps) / 10000, rounded down or up.
int64_t scale_bps(int64_t mark, int64_t bps, bool up) {
  i128 num = (i128)mark * (10000 + bps);
  i128 q = num / 10000;
  i128 r = num % 10000;
  if (r != 0 && (up ? r > 0 : r < 0)) q += up ? 1 : -1;
  if (q > INT64_MAX) return INT64_MAX;
  if (q < 0) return 0;
  return (int64_t)q;
}

bool outside_collar(int64_t price, int64_t mark, int64_t collar_bps) {
  const int64_t dev = price > mark ? price - mark : mark - price;
  return (i128)dev * 10000 > (i128)collar_bps * mark;
}

bool in_band(const InstrumentMarket& m, int64_t price) {
  if (price <= 0) return false;
  if (m.limit_down != kNullI64 && price < m.limit_down) return false;
  if (m.limit_up != kNullI64 && price > m.limit_up) return false;
  return true;
}

// ⌈price × qty × contract size / 1e9⌉ as the risk gate computes it, saturated.
int64_t notional_of(int64_t price, int64_t qty, int64_t cs) {
  i128 n = (i128)price * qty * cs;
  i128 q = n / kPriceScale + (n % kPriceScale != 0 ? 1 : 0);
  return q > INT64_MAX ? INT64_MAX : (int64_t)q;
}

}  // namespace

const char* probe_kind_name(ProbeKind k) {
  switch (k) {
    case ProbeKind::price_collar: return "price_collar";
    case ProbeKind::order_size: return "order_size";
    case ProbeKind::price_band: return "price_band";
    case ProbeKind::duplicate_client_order_id: return "duplicate_client_order_id";
    case ProbeKind::reduce_only: return "reduce_only";
    case ProbeKind::self_match: return "self_match";
    case ProbeKind::throttle: return "throttle";
    case ProbeKind::position_limit: return "position_limit";
    case ProbeKind::margin: return "margin";
    case ProbeKind::credit_limit: return "credit_limit";
    case ProbeKind::instrument_not_tradable: return "instrument_not_tradable";
    case ProbeKind::duplicate_order: return "duplicate_order";
    case ProbeKind::self_match_owner: return "self_match_owner";
    case ProbeKind::throttle_cancels: return "throttle_cancels";
    case ProbeKind::fill_rate: return "fill_rate";
    case ProbeKind::max_open_orders: return "max_open_orders";
    case ProbeKind::loss_limit: return "loss_limit";
    case ProbeKind::market_data_untrusted: return "market_data_untrusted";
    default: return "unknown";
  }
}

RejectReason probe_target(ProbeKind k) {
  switch (k) {
    case ProbeKind::price_collar: return RejectReason::price_collar;
    case ProbeKind::order_size: return RejectReason::order_size;
    case ProbeKind::price_band: return RejectReason::price_band;
    case ProbeKind::duplicate_client_order_id: return RejectReason::duplicate_client_order_id;
    case ProbeKind::reduce_only: return RejectReason::reduce_only;
    case ProbeKind::self_match: return RejectReason::self_match;
    case ProbeKind::throttle: return RejectReason::throttle;
    case ProbeKind::position_limit: return RejectReason::position_limit;
    case ProbeKind::margin: return RejectReason::margin;
    case ProbeKind::credit_limit: return RejectReason::credit_limit;
    case ProbeKind::instrument_not_tradable: return RejectReason::instrument_not_tradable;
    case ProbeKind::duplicate_order: return RejectReason::duplicate_order;
    case ProbeKind::self_match_owner: return RejectReason::self_match;
    case ProbeKind::throttle_cancels: return RejectReason::throttle;
    case ProbeKind::fill_rate: return RejectReason::fill_rate;
    case ProbeKind::max_open_orders: return RejectReason::max_open_orders;
    case ProbeKind::loss_limit: return RejectReason::kill_switch;
    case ProbeKind::market_data_untrusted: return RejectReason::market_data_untrusted;
    default: return RejectReason::none;
  }
}

RejectDetail probe_target_detail(ProbeKind k) {
  // kill_switch is also the drill's and the control plane's: only the loss limit's stop counts.
  return k == ProbeKind::loss_limit ? RejectDetail::kill_loss_limit : RejectDetail::none;
}

std::vector<StrategyInstrument> strategy_instruments(const Config& config) {
  std::vector<StrategyInstrument> v;
  v.reserve(config.instruments.size());
  for (size_t i = 0; i < config.instruments.size(); ++i) {
    const InstrumentConfig& c = config.instruments[i];
    v.push_back(StrategyInstrument{(int)i, c.id, c.tick, c.contract_size, c.limits});
  }
  return v;
}

// ---------------------------------------------------------------------------------------------

DemoStrategy::DemoStrategy(const DemoStrategyConfig& cfg, std::vector<StrategyInstrument> instruments, int accounts)
    : cfg_(cfg), rng_(cfg.seed), next_id_(cfg.first_client_order_id) {
  if (accounts < 1) accounts = 1;
  if (cfg_.quote_qty < 1) cfg_.quote_qty = 1;
  if (cfg_.requote_interval_ns < 0) cfg_.requote_interval_ns = 0;
  if (cfg_.probe_jitter_ns < 1) cfg_.probe_jitter_ns = 1;
  instruments_.reserve(instruments.size());
  for (const StrategyInstrument& s : instruments) {
    Inst in{};
    in.cfg = s;
    in.have_market = false;
    in.was_synced = false;
    in.next_quote = INT64_MIN;
    in.quote[0] = in.quote[1] = -1;
    instruments_.push_back(in);
  }
  accounts_.assign((size_t)accounts, Acct{AccountLimits{}, 0, false});
  positions_.assign((size_t)accounts * instruments_.size(), 0);
  open_.assign((size_t)accounts * instruments_.size() * 2, 0);
  live_other_.assign((size_t)accounts, 0);
  loss_stopped_.assign((size_t)accounts, 0);
  first_of_account_.assign((size_t)accounts, -1);
  tracked_.assign(kMaxTracked, Tracked{});
  free_.reserve(kMaxTracked);
  for (int k = kMaxTracked - 1; k >= 0; --k) free_.push_back(k);
  // Mix the seed so that nearby seeds give unrelated sequences.
  for (int k = 0; k < 4; ++k) next_random();
  probe_cursor_ = (int)(next_random() % (uint64_t)kCycleKinds);
}

void DemoStrategy::set_account(int account, const AccountLimits& limits, int64_t cash) {
  if (account < 0 || account >= (int)accounts_.size()) return;
  accounts_[account] = Acct{limits, cash, true};
}

void DemoStrategy::set_accounts(const Config& config) {
  for (size_t a = 0; a < config.accounts.size() && a < accounts_.size(); ++a)
    set_account((int)a, config.accounts[a].limits, config.accounts[a].cash);
}

int DemoStrategy::max_requests_per_call() const { return 16 + 2 * std::max(1, cfg_.max_bulk_per_event); }

uint64_t DemoStrategy::next_random() {  // splitmix64
  uint64_t z = (rng_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int DemoStrategy::find(int64_t id) const { return index_.value_or(id, -1); }

int64_t DemoStrategy::position(int account, int instrument) const {
  if (account < 0 || account >= (int)accounts_.size() || instrument < 0 || instrument >= (int)instruments_.size())
    return 0;
  return positions_[(size_t)account * instruments_.size() + instrument];
}

int64_t DemoStrategy::quote_price(int instrument, int8_t side) const {
  int s = quote_id_slot(instrument, side);
  return s < 0 ? 0 : tracked_[s].price;
}

int64_t DemoStrategy::quote_id(int instrument, int8_t side) const {
  int s = quote_id_slot(instrument, side);
  return s < 0 ? 0 : tracked_[s].id;
}

int DemoStrategy::quote_id_slot(int instrument, int8_t side) const {
  if (instrument < 0 || instrument >= (int)instruments_.size()) return -1;
  return instruments_[instrument].quote[side > 0 ? 0 : 1];
}

int64_t& DemoStrategy::open_ref(int account, int instrument, int8_t side) {
  return open_[((size_t)account * instruments_.size() + instrument) * 2 + (side > 0 ? 0 : 1)];
}

int64_t DemoStrategy::open_qty(int account, int instrument, int8_t side) const {
  return open_[((size_t)account * instruments_.size() + instrument) * 2 + (side > 0 ? 0 : 1)];
}

int64_t DemoStrategy::position_limit(int account, int instrument) const {
  int64_t l = instruments_[instrument].cfg.limits.max_position;
  const Acct& a = accounts_[account];
  if (a.known && a.limits.max_position < l) l = a.limits.max_position;
  return l;
}

// Worst case on `side` after adding `qty` contracts there stays within the position limit.
bool DemoStrategy::fits_position(int account, int instrument, int8_t side, int64_t qty) const {
  const int64_t p = position(account, instrument);
  const int64_t worst = side > 0 ? p + open_qty(account, instrument, kBuy) + qty : open_qty(account, instrument, kSell) + qty - p;
  return worst <= position_limit(account, instrument);
}

bool DemoStrategy::market_ok(const Inst& in, int64_t now) const {
  const InstrumentMarket& m = in.market;
  if (!in.have_market || !m.synced || m.mark <= 0 || m.mark == kNullI64 || !m.tradable ||
      m.trading_status != kTradingStatusOpen || m.contract_size <= 0)
    return false;
  if (m.last_update == kNullI64) return false;
  return now - m.last_update <= in.cfg.limits.max_staleness_ns;
}

// A price `bps` basis points on the passive side of the mark, on the tick, inside the band.
int64_t DemoStrategy::passive_price(const Inst& in, int8_t side, int64_t bps) const {
  const int64_t tick = in.cfg.tick;
  const InstrumentMarket& m = in.market;
  int64_t p = side > 0 ? floor_tick(scale_bps(m.mark, -bps, false), tick) : ceil_tick(scale_bps(m.mark, bps, true), tick);
  if (side > 0 && m.limit_down != kNullI64 && p < m.limit_down) p = ceil_tick(m.limit_down, tick);
  if (side < 0 && m.limit_up != kNullI64 && p > m.limit_up) p = floor_tick(m.limit_up, tick);
  if (p <= 0) p = tick > 0 ? tick : 1;
  return p;
}

int64_t DemoStrategy::probe_bps(const Inst& in) const {
  const int64_t half = in.cfg.limits.collar_bps / 2;
  return std::max<int64_t>(0, std::min<int64_t>(kProbeBps, half));
}

// Highest own buy (side kBuy) or lowest own sell (kSell) of an account in an instrument, counting
// both prices of a replace in flight; 0 when there is none. Walks the account's own list, not
// the whole table.
int64_t DemoStrategy::own_best(int account, int instrument, int8_t side) const {
  int64_t best = 0;
  auto consider = [&](const Tracked& t) {
    if (t.state == State::free || t.account != account || t.instrument != instrument || t.side != side) return;
    const int64_t lo = std::min(t.price, t.old_price), hi = std::max(t.price, t.old_price);
    const int64_t p = side > 0 ? hi : lo;
    if (best == 0 || (side > 0 ? p > best : p < best)) best = p;
  };
  if (live_other_[account] == 0 && account == 0) {
    const Inst& in = instruments_[instrument];
    const int s = in.quote[side > 0 ? 0 : 1];
    if (s >= 0) consider(tracked_[s]);
    return best;
  }
  if (account < 0 || (size_t)account >= first_of_account_.size()) return best;
  for (int s = first_of_account_[(size_t)account]; s >= 0; s = tracked_[s].next_of_account) consider(tracked_[s]);
  return best;
}

OrderRequest DemoStrategy::request(OrderKind kind, int64_t id, int account, int instrument, int8_t side, int64_t price,
                                   int32_t qty, uint8_t flags, int64_t now) const {
  OrderRequest r{};
  r.client_order_id = id;
  r.price = price;
  r.time = now;
  r.quantity = qty;
  r.account = (uint16_t)account;
  r.instrument = (uint16_t)instrument;
  r.kind = kind;
  r.side = side;
  r.flags = flags;
  r.session = 0;
  return r;
}

int DemoStrategy::track(const OrderRequest& r, Role role, ProbeKind probe) {
  if (free_.empty()) {
    ++counters_.table_full;
    return -1;
  }
  const int slot = free_.back();
  free_.pop_back();
  Tracked& t = tracked_[slot];
  t = Tracked{};
  t.id = r.client_order_id;
  t.price = t.old_price = r.price;
  t.replace_time = INT64_MIN;
  t.qty = r.quantity;
  t.filled = 0;
  t.account = r.account;
  t.instrument = r.instrument;
  t.side = r.side;
  t.role = role;
  t.state = State::pending_new;
  t.probe = probe;
  index_.insert(t.id, slot);
  ++tracked_count_;
  if (t.instrument < instruments_.size() && t.account < accounts_.size()) open_ref(t.account, t.instrument, t.side) += t.qty;
  if (role != Role::quote) ++live_other_[t.account];
  t.prev_of_account = -1;
  t.next_of_account = -1;
  if (t.account < first_of_account_.size()) {
    int32_t& head = first_of_account_[t.account];
    t.next_of_account = head;
    if (head >= 0) tracked_[head].prev_of_account = slot;
    head = slot;
  }
  return slot;
}

void DemoStrategy::release(int slot) {
  Tracked& t = tracked_[slot];
  if (t.state == State::free) return;
  if (t.instrument < instruments_.size() && t.account < accounts_.size()) {
    const int64_t rem = t.qty - t.filled;
    if (rem > 0) open_ref(t.account, t.instrument, t.side) -= rem;
    if (t.role == Role::quote) {
      Inst& in = instruments_[t.instrument];
      for (int s = 0; s < 2; ++s)
        if (in.quote[s] == slot) in.quote[s] = -1;
    }
  }
  if (t.role != Role::quote) --live_other_[t.account];
  if (t.account < first_of_account_.size()) {
    if (t.prev_of_account >= 0) tracked_[t.prev_of_account].next_of_account = t.next_of_account;
    else first_of_account_[t.account] = t.next_of_account;
    if (t.next_of_account >= 0) tracked_[t.next_of_account].prev_of_account = t.prev_of_account;
  }
  index_.erase_key(t.id);
  t.state = State::free;
  free_.push_back(slot);
  --tracked_count_;
}

// ---------------------------------------------------------------------------------------------
// Market events

void DemoStrategy::on_market(int instrument, const InstrumentMarket& m, int64_t now, std::vector<OrderRequest>& out) {
  if (instrument < 0 || instrument >= (int)instruments_.size()) return;
  Inst& in = instruments_[instrument];
  const bool was_synced = in.was_synced;
  in.market = m;
  in.have_market = true;
  in.was_synced = m.synced != 0;

  if (now >= leftover_check_) cancel_leftovers(now, out);
  if (burst_.active) continue_burst(now, out);
  if (storm_.active) continue_cancel_storm(out, now);
  if (fill_probe_.active && cfg_.probes) continue_fill_probe(now, out);
  if (loss_probe_.active && cfg_.probes) continue_loss_probe(now, out);

  const bool quotable = m.synced && m.mark > 0 && m.mark != kNullI64 && m.tradable && m.trading_status == kTradingStatusOpen;
  if (!quotable) pull_quotes(instrument, now, out);
  else if (now >= in.next_quote && now >= quote_pause_until_) {
    in.next_quote = now + cfg_.requote_interval_ns;
    quote(instrument, now, out);
  }

  if (!cfg_.probes) return;

  // A book that just went out of sync: one order to show the gate refusing it.
  if (!m.synced && m.tradable && m.trading_status == kTradingStatusOpen && (was_synced || last_untrusted_probe_ == INT64_MIN) &&
      (last_untrusted_probe_ == INT64_MIN || now - last_untrusted_probe_ >= cfg_.probe_interval_ns)) {
    last_untrusted_probe_ = now;
    const int64_t tick = in.cfg.tick > 0 ? in.cfg.tick : 1;
    const int64_t price = m.mark > 0 && m.mark != kNullI64 ? floor_tick(m.mark, tick) : tick;
    OrderRequest r = request(OrderKind::new_order, next_id(), 0, instrument, kBuy, price, 1, 0, now);
    if (track(r, Role::probe, ProbeKind::market_data_untrusted) >= 0) {
      ++probe_stats_.sent[(int)ProbeKind::market_data_untrusted];
      out.push_back(r);
    }
  }

  if (next_probe_ == INT64_MIN) next_probe_ = now + cfg_.probe_start_ns;
  if (now < next_probe_ || !market_ok(in, now)) return;
  // The next kind in the cycle that can be built now, on this instrument or another one whose
  // market is good (kinds whose preconditions hold nowhere are passed over).
  const int n = (int)instruments_.size();
  bool sent = false;
  for (int k = 0; k < kCycleKinds && !sent; ++k) {
    const ProbeKind kind = (ProbeKind)probe_cursor_;
    probe_cursor_ = (probe_cursor_ + 1) % kCycleKinds;
    for (int j = 0; j < n && !sent; ++j) {
      const int i = (instrument + j) % n;
      if (!market_ok(instruments_[i], now) || !probe(kind, i, now, out)) continue;
      // (those two count their probe, not their leads)
      if (kind != ProbeKind::fill_rate && kind != ProbeKind::loss_limit) ++probe_stats_.sent[(int)kind];
      sent = true;
    }
  }
  next_probe_ = now + cfg_.probe_interval_ns + (int64_t)(next_random() % (uint64_t)cfg_.probe_jitter_ns);
}

void DemoStrategy::quote(int instrument, int64_t now, std::vector<OrderRequest>& out) {
  Inst& in = instruments_[instrument];
  const InstrumentMarket& m = in.market;
  const int64_t tick = in.cfg.tick > 0 ? in.cfg.tick : 1;
  const int64_t hs = cfg_.half_spread_bps;
  // Skew bounded so that the quotes stay inside the collar.
  const int64_t max_skew = std::max<int64_t>(0, in.cfg.limits.collar_bps - hs - 10);
  const int64_t pos = position(0, instrument);
  i128 skew = (i128)pos * cfg_.skew_bps_per_contract;
  if (skew > max_skew) skew = max_skew;
  if (skew < -max_skew) skew = -max_skew;
  int64_t target[2];
  target[0] = floor_tick(scale_bps(m.mark, -hs - (int64_t)skew, false), tick);
  target[1] = ceil_tick(scale_bps(m.mark, hs - (int64_t)skew, true), tick);
  if (target[1] <= target[0]) target[1] = target[0] + tick;
  if (target[0] <= 0) return;

  for (int s = 0; s < 2; ++s) {
    const int8_t side = s == 0 ? kBuy : kSell;
    // Never cross our own resting orders on the other side (the replace of the other quote may
    // still be in flight: both of its prices count).
    const int64_t other = own_best(0, instrument, (int8_t)-side);
    if (other != 0 && (side > 0 ? target[s] >= other : target[s] <= other)) continue;
    const int slot = in.quote[s];
    if (slot < 0) {
      if (!fits_position(0, instrument, side, cfg_.quote_qty)) continue;
      OrderRequest r = request(OrderKind::new_order, next_id(), 0, instrument, side, target[s], cfg_.quote_qty, 0, now);
      const int t = track(r, Role::quote, ProbeKind::count_);
      if (t < 0) continue;
      in.quote[s] = t;
      ++counters_.quotes_new;
      out.push_back(r);
      continue;
    }
    Tracked& t = tracked_[slot];
    if (t.state != State::live || t.replace_sent) continue;
    if (t.replace_pending) {
      if (now - t.replace_time < cfg_.requote_interval_ns) continue;
      t.replace_pending = false;  // no answer came through on_replaced: taken as applied
      t.old_price = t.price;
    }
    const int64_t moved = target[s] > t.price ? target[s] - t.price : t.price - target[s];
    if (moved < tick) continue;
    OrderRequest r = request(OrderKind::replace, t.id, 0, instrument, side, target[s], t.qty, 0, now);
    t.replace_sent = true;
    out.push_back(r);
  }
}

void DemoStrategy::pull_quotes(int instrument, int64_t now, std::vector<OrderRequest>& out) {
  Inst& in = instruments_[instrument];
  for (int s = 0; s < 2; ++s) {
    const int slot = in.quote[s];
    if (slot < 0) continue;
    Tracked& t = tracked_[slot];
    if (t.state != State::live || t.replace_sent) continue;
    t.state = State::canceling;
    ++counters_.cancels;
    out.push_back(request(OrderKind::cancel, t.id, t.account, t.instrument, t.side, t.price, t.qty, 0, now));
  }
}

void DemoStrategy::cancel_leftovers(int64_t now, std::vector<OrderRequest>& out) {
  leftover_check_ = INT64_MAX;
  int sent = 0;
  for (Tracked& t : tracked_) {
    if (t.state != State::live || t.role == Role::quote) continue;
    // The loss probe's resting order is there for the gate to cancel: left alone until it ends.
    if (loss_probe_.active && t.probe == ProbeKind::loss_limit && t.account == loss_probe_.account) continue;
    if (sent == std::max(1, cfg_.max_bulk_per_event)) {
      leftover_check_ = now;  // the rest at the next market event
      break;
    }
    ++sent;
    t.state = State::canceling;
    ++counters_.cancels;
    out.push_back(request(OrderKind::cancel, t.id, t.account, t.instrument, t.side, t.price, t.qty, 0, now));
  }
}

// ---------------------------------------------------------------------------------------------
// Probes: each returns false when its preconditions do not hold now (the cycle moves on).

bool DemoStrategy::probe(ProbeKind kind, int instrument, int64_t now, std::vector<OrderRequest>& out) {
  Inst& in = instruments_[instrument];
  const InstrumentMarket& m = in.market;
  const InstrumentLimits& lim = in.cfg.limits;
  const int64_t tick = in.cfg.tick > 0 ? in.cfg.tick : 1;
  const int64_t bps = probe_bps(in);
  const int64_t cs = m.contract_size;

  auto send = [&](int account, int instr, int8_t side, int64_t price, int64_t qty, uint8_t flags) {
    OrderRequest r = request(OrderKind::new_order, next_id(), account, instr, side, price, (int32_t)qty, flags, now);
    if (track(r, Role::probe, kind) < 0) return false;
    out.push_back(r);
    return true;
  };
  // A buy (or, when buys do not fit the position limit, a sell) of one contract on the passive side.
  auto passive_side = [&](int account) -> int8_t {
    if (fits_position(account, instrument, kBuy, 1)) return kBuy;
    if (fits_position(account, instrument, kSell, 1)) return kSell;
    return 0;
  };

  switch (kind) {
    case ProbeKind::price_collar: {
      const int8_t side = passive_side(0);
      if (side == 0) return false;
      // 10 % away from the mark, or just outside the collar when the band is narrower.
      int64_t p = side > 0 ? floor_tick(scale_bps(m.mark, -1000, false), tick) : ceil_tick(scale_bps(m.mark, 1000, true), tick);
      if (!in_band(m, p))
        p = side > 0 ? floor_tick(scale_bps(m.mark, -(lim.collar_bps + 20), false), tick)
                     : ceil_tick(scale_bps(m.mark, lim.collar_bps + 20, true), tick);
      if (!in_band(m, p) || !outside_collar(p, m.mark, lim.collar_bps)) return false;
      return send(0, instrument, side, p, 1, 0);
    }
    case ProbeKind::order_size: {
      if (lim.max_order_qty >= INT32_MAX) return false;
      const int8_t side = passive_side(0);
      if (side == 0) return false;
      return send(0, instrument, side, passive_price(in, side, bps), lim.max_order_qty + 1, 0);
    }
    case ProbeKind::price_band: {
      if (m.limit_up != kNullI64 && m.limit_up > 0) {
        const int64_t p = floor_tick(m.limit_up, tick) + tick;  // the first tick above the band
        return send(0, instrument, kSell, p, 1, 0);
      }
      if (m.limit_down != kNullI64 && m.limit_down > tick) {
        const int64_t p = ceil_tick(m.limit_down, tick) - tick;
        if (p <= 0) return false;
        return send(0, instrument, kBuy, p, 1, 0);
      }
      return false;
    }
    case ProbeKind::duplicate_client_order_id: {
      for (int s = 0; s < 2; ++s) {
        const int slot = in.quote[s];
        if (slot < 0) continue;
        const Tracked& q = tracked_[slot];
        if (q.state != State::live || q.replace_sent) continue;
        const int8_t side = q.side;
        if (!fits_position(0, instrument, side, 1)) continue;
        // Not tracked: the id belongs to the quote. on_decision tells the two apart.
        OrderRequest r = request(OrderKind::new_order, q.id, 0, instrument, side, passive_price(in, side, bps), 1, 0, now);
        dup_probe_id_ = q.id;
        out.push_back(r);
        return true;
      }
      return false;
    }
    case ProbeKind::reduce_only: {
      // An order on the side that grows the position (either side when flat).
      const int8_t side = position(0, instrument) >= 0 ? kBuy : kSell;
      if (!fits_position(0, instrument, side, 1)) return false;
      int64_t p = passive_price(in, side, bps);
      const int64_t other = own_best(0, instrument, (int8_t)-side);
      if (other != 0 && (side > 0 ? p >= other : p <= other)) return false;
      return send(0, instrument, side, p, 1, kOrderReduceOnly);
    }
    case ProbeKind::self_match: {
      const int slot = in.quote[1];
      if (slot < 0) return false;
      const Tracked& ask = tracked_[slot];
      // Not while its replace waits in the same batch: the gate would see the new price first.
      if (ask.state != State::live || ask.replace_sent || !fits_position(0, instrument, kBuy, 1)) return false;
      const int64_t p = std::max(ask.price, ask.old_price);  // at or above our own ask
      if (!in_band(m, p) || outside_collar(p, m.mark, lim.collar_bps)) return false;
      return send(0, instrument, kBuy, p, 1, 0);
    }
    case ProbeKind::self_match_owner: {
      // Another account of account 0's owner buys at or above account 0's resting ask: its own
      // orders are not crossed, every earlier check passes, the owner's order is.
      const int slot = in.quote[1];
      if (slot < 0 || !accounts_[0].known || accounts_[0].limits.owner == 0) return false;
      const Tracked& ask = tracked_[slot];
      if (ask.state != State::live || ask.replace_sent) return false;
      const int64_t p = std::max(ask.price, ask.old_price);
      if (!in_band(m, p) || outside_collar(p, m.mark, lim.collar_bps)) return false;
      for (int a = 1; a < (int)accounts_.size(); ++a) {
        const Acct& acc = accounts_[a];
        if (!acc.known || acc.limits.owner != accounts_[0].limits.owner || !fits_position(a, instrument, kBuy, 1)) continue;
        const int64_t own_sell = own_best(a, instrument, kSell);
        if (own_sell != 0 && p >= own_sell) continue;
        return send(a, instrument, kBuy, p, 1, 0);
      }
      return false;
    }
    case ProbeKind::throttle_cancels: {
      // An account (not account 0) whose cancels take tokens: k = ⌈burst / cancel weight⌉ passive
      // orders of one contract; once the gate accepted them, their k cancels at once take at least
      // the whole bucket, so the order after them finds it empty whatever it held (the probe).
      if (storm_.active) return false;
      for (int a = (int)accounts_.size() - 1; a > 0; --a) {
        const Acct& acc = accounts_[a];
        const int64_t w = acc.limits.throttle_weight_cancel, burst = acc.limits.order_burst;
        if (!acc.known || w <= 0 || burst < 1) continue;
        const int64_t k = (burst + w - 1) / w;
        if (k > 4 || !fits_position(a, instrument, kBuy, k + 1)) continue;  // (max_requests_per_call)
        const int64_t p = passive_price(in, kBuy, bps);
        const int64_t other = own_best(a, instrument, kSell);
        if (other != 0 && p >= other) continue;
        if (!in_band(m, p - k * tick) || outside_collar(p - k * tick, m.mark, lim.collar_bps)) continue;
        if ((i128)notional_of(p, k + 1, cs) * 2 > acc.limits.daily_notional_limit) continue;
        storm_ = CancelStorm{true, a, instrument, 0, {}, p - k * tick};
        for (int64_t j = 0; j < k; ++j) {
          OrderRequest lead = request(OrderKind::new_order, next_id(), a, instrument, kBuy, p - j * tick, 1, 0, now);
          if (track(lead, Role::lead, kind) < 0) break;
          out.push_back(lead);
          storm_.ids[storm_.n++] = lead.client_order_id;
        }
        return true;
      }
      return false;
    }
    case ProbeKind::throttle: return throttle_burst(instrument, now, out);
    case ProbeKind::loss_limit: return loss_probe(instrument, now, out);
    case ProbeKind::duplicate_order: {
      // An account refusing duplicate content (not account 0: its quotes keep going): a passive
      // order of one contract, then the same order under a new id — the second is the probe.
      for (int a = (int)accounts_.size() - 1; a > 0; --a) {
        const Acct& acc = accounts_[a];
        if (!acc.known || acc.limits.duplicate_window_ns <= 0) continue;
        const int8_t side = fits_position(a, instrument, kBuy, 2) ? kBuy : fits_position(a, instrument, kSell, 2) ? kSell : 0;
        if (side == 0) continue;
        int64_t p = passive_price(in, side, bps);
        const int64_t other = own_best(a, instrument, (int8_t)-side);
        if (other != 0 && (side > 0 ? p >= other : p <= other)) continue;
        if (!in_band(m, p) || outside_collar(p, m.mark, lim.collar_bps)) continue;
        OrderRequest lead = request(OrderKind::new_order, next_id(), a, instrument, side, p, 1, 0, now);
        if (track(lead, Role::lead, kind) < 0) return false;
        out.push_back(lead);
        return send(a, instrument, side, p, 1, 0);
      }
      return false;
    }
    case ProbeKind::fill_rate: {
      // An account with a fill-rate throttle of a few fills, nothing open, room for a contract
      // either way (not account 0: its quotes keep going).
      if (fill_probe_.active) return false;
      for (int a = (int)accounts_.size() - 1; a > 0; --a) {
        const Acct& acc = accounts_[a];
        if (!acc.known || acc.limits.fill_rate_fills <= 0 || acc.limits.fill_rate_fills > 3 || live_other_[a] != 0) continue;
        if (!fits_position(a, instrument, kBuy, 1) || !fits_position(a, instrument, kSell, 1)) continue;
        fill_probe_ = FillProbe{true, a, instrument, 0, 0, acc.limits.fill_rate_fills + 1, now + acc.limits.fill_rate_window_ns};
        if (fill_lead(now, out)) return true;
        fill_probe_.active = false;
      }
      return false;
    }
    case ProbeKind::max_open_orders: {
      // An account with a small max_open_orders and nothing open: that many passive buys a tick
      // apart, then one more (not account 0: its quotes keep going).
      for (int a = (int)accounts_.size() - 1; a > 0; --a) {
        const Acct& acc = accounts_[a];
        const int64_t n = acc.limits.max_open_orders;
        if (!acc.known || n <= 0 || n > 8 || live_other_[a] != 0 || !fits_position(a, instrument, kBuy, n + 1)) continue;
        const int64_t p0 = passive_price(in, kBuy, bps), last = p0 - n * tick;
        if (last <= 0 || !in_band(m, last) || outside_collar(last, m.mark, lim.collar_bps)) continue;
        if ((i128)notional_of(p0, 1, cs) * (n + 1) * 4 > acc.limits.daily_notional_limit) continue;
        for (int64_t k = 0; k < n; ++k) {
          OrderRequest lead = request(OrderKind::new_order, next_id(), a, instrument, kBuy, p0 - k * tick, 1, 0, now);
          if (track(lead, Role::lead, kind) < 0) return false;
          out.push_back(lead);
        }
        return send(a, instrument, kBuy, last, 1, 0);
      }
      return false;
    }
    case ProbeKind::position_limit: {
      // The account and side where the smallest order crosses the position limit; marketable.
      for (int a = (int)accounts_.size() - 1; a >= 0; --a) {
        for (int s = 0; s < 2; ++s) {
          const int8_t side = s == 0 ? kBuy : kSell;
          const int64_t p0 = position(a, instrument);
          const int64_t worst = side > 0 ? p0 + open_qty(a, instrument, kBuy) : open_qty(a, instrument, kSell) - p0;
          const int64_t q = position_limit(a, instrument) - worst + 1;
          if (q < 1 || q > lim.max_order_qty) continue;
          int64_t p = side > 0 ? m.best_ask : m.best_bid;
          if (p == kNullI64 || p <= 0 || !in_band(m, p) || outside_collar(p, m.mark, lim.collar_bps))
            p = side > 0 ? ceil_tick(scale_bps(m.mark, bps / 2, true), tick) : floor_tick(scale_bps(m.mark, -bps / 2, false), tick);
          if (!in_band(m, p) || notional_of(p, q, cs) > lim.max_order_notional) continue;
          return send(a, instrument, side, p, q, 0);
        }
      }
      return false;
    }
    case ProbeKind::margin: {
      // An account with known cash, no position and no open order: a passive buy whose initial
      // margin alone (at the first tier's leverage, the lowest rate) exceeds the cash.
      const int64_t lev0 = lim.margin.count > 0 ? lim.margin.tiers[0].max_leverage : 0;
      if (lev0 <= 0) return false;
      for (int a = (int)accounts_.size() - 1; a >= 0; --a) {
        const Acct& acc = accounts_[a];
        if (!acc.known || acc.cash < 0 || live_other_[a] != 0) continue;
        bool flat = true;
        for (int i = 0; i < (int)instruments_.size(); ++i)
          if (position(a, i) != 0 || open_qty(a, i, kBuy) != 0 || open_qty(a, i, kSell) != 0) flat = false;
        if (!flat) continue;
        const int64_t p = passive_price(in, kBuy, bps);
        const int64_t unit = notional_of(m.mark, 1, cs);  // one contract at the mark
        if (unit <= 0) continue;
        const i128 q128 = (i128)acc.cash * lev0 / unit + 1;
        if (q128 > lim.max_order_qty || q128 > position_limit(a, instrument)) continue;
        const int64_t q = (int64_t)q128;
        if (notional_of(p, q, cs) > lim.max_order_notional) continue;
        return send(a, instrument, kBuy, p, q, 0);
      }
      return false;
    }
    case ProbeKind::credit_limit: {
      // An account whose daily gross notional limit is below what one order may carry: a passive
      // order worth more than the whole day's limit, inside every earlier check (size, position,
      // margin at the first tier's leverage with half the cash).
      const int64_t lev0 = lim.margin.count > 0 ? lim.margin.tiers[0].max_leverage : 0;
      const int64_t unit = notional_of(m.mark, 1, cs);
      if (lev0 <= 0 || unit <= 0) return false;
      for (int a = 0; a < (int)accounts_.size(); ++a) {
        const Acct& acc = accounts_[a];
        const int64_t daily = acc.limits.daily_notional_limit;
        if (!acc.known || daily <= 0 || daily >= lim.max_order_notional || live_other_[a] != 0) continue;
        const int64_t p = passive_price(in, kBuy, bps);
        const int64_t q = daily / notional_of(p, 1, cs) + 1;
        if (q > lim.max_order_qty || position(a, instrument) + open_qty(a, instrument, kBuy) + q > position_limit(a, instrument)) continue;
        const int64_t n = notional_of(p, q, cs);
        if (n <= daily || n > lim.max_order_notional || n / lev0 > acc.cash / 2) continue;
        return send(a, instrument, kBuy, p, q, 0);
      }
      return false;
    }
    case ProbeKind::instrument_not_tradable: {
      // An instrument that is not open for trading, else the index one past the configured ones.
      for (int i = 0; i < (int)instruments_.size(); ++i) {
        const Inst& j = instruments_[i];
        if (j.have_market && (!j.market.tradable || j.market.trading_status != kTradingStatusOpen)) {
          const int64_t t = j.cfg.tick > 0 ? j.cfg.tick : 1;
          const int64_t p = j.market.mark > 0 && j.market.mark != kNullI64 ? floor_tick(j.market.mark, t) : t;
          return send(0, i, kBuy, p, 1, 0);
        }
      }
      if (instruments_.size() >= 65535) return false;
      OrderRequest r = request(OrderKind::new_order, next_id(), 0, (int)instruments_.size(), kBuy,
                               passive_price(in, kBuy, bps), 1, 0, now);
      if (track(r, Role::probe, kind) < 0) return false;
      out.push_back(r);
      return true;
    }
    default: return false;
  }
}

// More orders at one instant than the account's token bucket holds. Prefers an account without
// quotes (the market maker's flow keeps going); the orders are passive, alternate sides, and what
// the gate accepts is canceled at the next market event.
bool DemoStrategy::throttle_burst(int instrument, int64_t now, std::vector<OrderRequest>& out) {
  if (burst_.active) return false;  // the last one is still going out
  Inst& in = instruments_[instrument];
  const InstrumentMarket& m = in.market;
  const InstrumentLimits& lim = in.cfg.limits;
  const int64_t bps = probe_bps(in);
  const int64_t lev_last = lim.margin.count > 0 ? lim.margin.tiers[lim.margin.count - 1].max_leverage : 1;
  const int64_t unit = notional_of(m.mark, 1, m.contract_size);

  int best = -1;
  int64_t best_n = 0;
  for (int a = (int)accounts_.size() - 1; a >= 0; --a) {
    const Acct& acc = accounts_[a];
    const int64_t n = acc.known ? acc.limits.order_burst + 5 : cfg_.throttle_burst;
    if (n < 1 || n > kMaxBurst || n > (int64_t)free_.size() - 8) continue;
    // The burst repeats one buy and one sell: an account refusing duplicate content would refuse
    // it for that before the bucket ran dry.
    if (acc.known && acc.limits.duplicate_window_ns > 0) continue;
    // Nor one whose open orders or fills are limited: those would refuse it first.
    if (acc.known && (acc.limits.max_open_orders > 0 || acc.limits.max_open_orders_per_instrument > 0 ||
                      acc.limits.fill_rate_fills > 0 || acc.limits.fill_rate_qty > 0))
      continue;
    // Nor the loss probe's kind of account: a burst resting there would keep that probe out.
    if (acc.known && acc.limits.loss_limit > 0) continue;
    const int64_t per_side = (n + 1) / 2;
    if (!fits_position(a, instrument, kBuy, per_side) || !fits_position(a, instrument, kSell, per_side)) continue;
    // Margin headroom: the worst case of one side at the lowest leverage within half the cash.
    if (acc.known && lev_last > 0 && (i128)(per_side + std::abs(position(a, instrument))) * unit / lev_last * 2 > acc.cash)
      continue;
    if (acc.known && (i128)n * unit * 2 > acc.limits.daily_notional_limit) continue;
    if (best < 0 || (a != 0 && best == 0) || ((a != 0) == (best != 0) && n < best_n)) {
      best = a;
      best_n = n;
    }
  }
  if (best < 0) return false;
  int64_t buy = passive_price(in, kBuy, bps), sell = passive_price(in, kSell, bps);
  const int64_t own_sell = own_best(best, instrument, kSell), own_buy = own_best(best, instrument, kBuy);
  const int64_t tick = in.cfg.tick > 0 ? in.cfg.tick : 1;
  if (own_sell != 0 && buy >= own_sell) buy = floor_tick(own_sell - 1, tick);
  if (own_buy != 0 && sell <= own_buy) sell = ceil_tick(own_buy + 1, tick);
  if (!in_band(m, buy) || !in_band(m, sell) || outside_collar(buy, m.mark, lim.collar_bps) ||
      outside_collar(sell, m.mark, lim.collar_bps))
    return false;
  burst_hit_ = false;
  burst_ = Burst{true, best, instrument, buy, sell, 0, best_n, 0};
  continue_burst(now, out);
  return true;
}

// The next orders of the throttle burst, at most max_bulk_per_event; it ends once its size is
// sent and the gate has refused one for the throttle, at twice its size, or when the order table
// is full. The decisions on one event's orders are known by the next event.
void DemoStrategy::continue_burst(int64_t now, std::vector<OrderRequest>& out) {
  Burst& b = burst_;
  if ((b.sent >= b.size && b.throttled > 0) || b.sent >= 2 * b.size) {
    b.active = false;
    return;
  }
  // Up to its size in full chunks; past it (the bucket refilled meanwhile) 5 at a time, so that
  // it stops soon after the first refusal.
  const int64_t chunk = b.sent < b.size ? std::min<int64_t>(std::max(1, cfg_.max_bulk_per_event), b.size - b.sent) : 5;
  for (int64_t k = 0; k < chunk && b.sent < 2 * b.size; ++k) {
    const int8_t side = (b.sent % 2 == 0) ? kBuy : kSell;
    OrderRequest r = request(OrderKind::new_order, next_id(), b.account, b.instrument, side, side > 0 ? b.buy : b.sell, 1, 0, now);
    if (track(r, Role::burst, ProbeKind::throttle) < 0) {
      b.active = false;
      return;
    }
    out.push_back(r);
    ++b.sent;
  }
  if (b.account == 0) {
    // Our own quotes would find the bucket empty: let it refill first.
    const Acct& acc = accounts_[0];
    const int64_t rate = acc.known && acc.limits.orders_per_second > 0 ? acc.limits.orders_per_second : 1;
    quote_pause_until_ = now + std::min<int64_t>(1'000'000'000, (int64_t)8 * 1'000'000'000 / rate + 1);
  }
}

// The throttle_cancels probe's second half: once every order of it is decided, the accepted ones
// are canceled at once and the probe order follows them.
void DemoStrategy::continue_cancel_storm(std::vector<OrderRequest>& out, int64_t now) {
  CancelStorm& c = storm_;
  for (int j = 0; j < c.n; ++j) {
    const int slot = find(c.ids[j]);
    if (slot >= 0 && tracked_[slot].state == State::pending_new) return;  // decisions not in yet
  }
  c.active = false;
  for (int j = 0; j < c.n; ++j) {
    const int slot = find(c.ids[j]);
    if (slot < 0 || tracked_[slot].state != State::live) continue;
    Tracked& t = tracked_[slot];
    t.state = State::canceling;
    ++counters_.cancels;
    out.push_back(request(OrderKind::cancel, t.id, t.account, t.instrument, t.side, t.price, t.qty, 0, now));
  }
  OrderRequest r = request(OrderKind::new_order, next_id(), c.account, c.instrument, kBuy, c.price, 1, 0, now);
  if (track(r, Role::probe, ProbeKind::throttle_cancels) >= 0) out.push_back(r);
}

// The fill-rate probe's next lead: one contract through the book's other side (a buy two ticks
// above the ask, or a sell two below the bid: it fills even when the top moves a little), toward
// flat, so that the account stays within a contract of flat.
bool DemoStrategy::fill_lead(int64_t now, std::vector<OrderRequest>& out) {
  FillProbe& f = fill_probe_;
  const Inst& in = instruments_[f.instrument];
  const InstrumentMarket& m = in.market;
  // Toward flat first (the account ends the probe without a position the margin probe would trip over).
  const int64_t pos = position(f.account, f.instrument);
  const int8_t side = pos > 0 ? kSell : pos < 0 ? kBuy : (f.fills % 2 == 0 ? kBuy : kSell);
  const int64_t top = side > 0 ? m.best_ask : m.best_bid;
  const int64_t tick = in.cfg.tick > 0 ? in.cfg.tick : 1;
  const int64_t p = top == kNullI64 ? kNullI64 : top + side * 2 * tick;
  if (p == kNullI64 || p <= 0 || !in_band(m, p) || outside_collar(p, m.mark, in.cfg.limits.collar_bps) ||
      !fits_position(f.account, f.instrument, side, 1))
    return false;
  OrderRequest r = request(OrderKind::new_order, next_id(), f.account, f.instrument, side, p, 1, 0, now);
  if (track(r, Role::lead, ProbeKind::fill_rate) < 0) return false;
  out.push_back(r);
  f.lead_id = r.client_order_id;
  return true;
}

// Once every lead has filled, the probe: a passive order in the same account × instrument, now
// in its cool-down. Given up when the leads do not all fill within the window.
void DemoStrategy::continue_fill_probe(int64_t now, std::vector<OrderRequest>& out) {
  FillProbe& f = fill_probe_;
  Inst& in = instruments_[f.instrument];
  if (!market_ok(in, now)) return;
  if (f.fills >= f.needed) {
    f.active = false;
    const int8_t side = fits_position(f.account, f.instrument, kBuy, 1) ? kBuy : kSell;
    OrderRequest r = request(OrderKind::new_order, next_id(), f.account, f.instrument, side,
                             passive_price(in, side, probe_bps(in)), 1, 0, now);
    if (track(r, Role::probe, ProbeKind::fill_rate) < 0) return;
    ++probe_stats_.sent[(int)ProbeKind::fill_rate];
    out.push_back(r);
    return;
  }
  if (now > f.deadline) {
    f.active = false;  // a lead still resting is canceled with the other leftovers
    return;
  }
  if (f.lead_id == 0 && !fill_lead(now, out)) f.active = false;
}

// An account with a loss limit (not account 0: its quotes keep going), flat, nothing open, not
// stopped: a passive buy of one contract that rests, and a buy of q contracts two ticks through the
// ask, q the fewest whose round trip across a one-tick spread loses more than the limit. The sell
// and the probe follow in continue_loss_probe.
bool DemoStrategy::loss_probe(int instrument, int64_t now, std::vector<OrderRequest>& out) {
  if (loss_probe_.active) return false;
  const Inst& in = instruments_[instrument];
  const InstrumentMarket& m = in.market;
  const InstrumentLimits& lim = in.cfg.limits;
  const int64_t tick = in.cfg.tick > 0 ? in.cfg.tick : 1;
  const int64_t cs = m.contract_size;
  const int64_t lev0 = lim.margin.count > 0 ? lim.margin.tiers[0].max_leverage : 0;
  const int64_t tick_value = (int64_t)((i128)tick * cs / kPriceScale);  // a tick on one contract, rounded down
  if (lev0 <= 0 || tick_value <= 0 || m.best_ask == kNullI64 || m.best_bid == kNullI64 || m.best_bid <= 0) return false;
  const int64_t buy = m.best_ask + 2 * tick, rest = passive_price(in, kBuy, probe_bps(in));
  if (!in_band(m, buy) || outside_collar(buy, m.mark, lim.collar_bps) || !in_band(m, rest) ||
      outside_collar(rest, m.mark, lim.collar_bps) || rest + 2 * tick >= m.best_bid)
    return false;
  for (int a = (int)accounts_.size() - 1; a > 0; --a) {
    const Acct& acc = accounts_[a];
    const int64_t limit = acc.limits.loss_limit;
    if (!acc.known || limit <= 0 || loss_stopped_[a] || live_other_[a] != 0) continue;
    bool flat = true;
    for (int i = 0; i < (int)instruments_.size(); ++i)
      if (position(a, i) != 0 || open_qty(a, i, kBuy) != 0 || open_qty(a, i, kSell) != 0) flat = false;
    if (!flat) continue;
    const int64_t q = limit / tick_value + 1;
    if (q > lim.max_order_qty || !fits_position(a, instrument, kBuy, q + 1)) continue;
    const int64_t n = notional_of(buy, q + 1, cs);
    if (notional_of(buy, q, cs) > lim.max_order_notional || n / lev0 > acc.cash / 2 || (i128)n * 4 > acc.limits.daily_notional_limit)
      continue;
    loss_probe_ = LossProbe{true, a, instrument, 0, (int32_t)q, 0, now + kLossProbeWindowNs};
    OrderRequest r = request(OrderKind::new_order, next_id(), a, instrument, kBuy, rest, 1, 0, now);
    if (track(r, Role::lead, ProbeKind::loss_limit) < 0) {
      loss_probe_.active = false;
      return false;
    }
    out.push_back(r);
    OrderRequest b = request(OrderKind::new_order, next_id(), a, instrument, kBuy, buy, (int32_t)q, 0, now);
    if (track(b, Role::lead, ProbeKind::loss_limit) < 0) {
      end_loss_probe(now);
      return true;
    }
    out.push_back(b);
    loss_probe_.lead_id = b.client_order_id;
    return true;
  }
  return false;
}

// Once the buy has filled, the sell of as many two ticks through the bid (above the resting buy);
// once that is done, the probe: a passive buy, which the account's loss-limit stop refuses.
void DemoStrategy::continue_loss_probe(int64_t now, std::vector<OrderRequest>& out) {
  LossProbe& p = loss_probe_;
  if (now > p.deadline) {
    end_loss_probe(now);  // what still rests is canceled with the other leftovers
    return;
  }
  if (p.lead_id != 0) return;
  const Inst& in = instruments_[p.instrument];
  if (!market_ok(in, now)) return;
  const InstrumentMarket& m = in.market;
  const int64_t tick = in.cfg.tick > 0 ? in.cfg.tick : 1;
  if (p.stage == 1) {
    if (m.best_bid == kNullI64 || m.best_bid <= 0) return;
    int64_t price = m.best_bid - 2 * tick;
    const int64_t own = own_best(p.account, p.instrument, kBuy);
    if (own != 0 && price <= own) price = own + tick;
    if (price <= 0 || !in_band(m, price) || outside_collar(price, m.mark, in.cfg.limits.collar_bps)) return;
    OrderRequest r = request(OrderKind::new_order, next_id(), p.account, p.instrument, kSell, price, p.qty, 0, now);
    if (track(r, Role::lead, ProbeKind::loss_limit) < 0) {
      end_loss_probe(now);
      return;
    }
    out.push_back(r);
    p.lead_id = r.client_order_id;
    p.stage = 2;
    return;
  }
  OrderRequest r = request(OrderKind::new_order, next_id(), p.account, p.instrument, kBuy,
                           passive_price(in, kBuy, probe_bps(in)), 1, 0, now);
  if (track(r, Role::probe, ProbeKind::loss_limit) >= 0) {
    ++probe_stats_.sent[(int)ProbeKind::loss_limit];
    out.push_back(r);
  }
  end_loss_probe(now);
}

void DemoStrategy::end_loss_probe(int64_t now) {
  loss_probe_.active = false;
  loss_probe_.lead_id = 0;
  if (now + cfg_.requote_interval_ns < leftover_check_) leftover_check_ = now + cfg_.requote_interval_ns;
}

// ---------------------------------------------------------------------------------------------
// Answers

void DemoStrategy::miss(int kind, const RiskDecision& d) {
  ++probe_stats_.missed[kind];
  ++probe_stats_.missed_by[kind][(int)d.reason < kRejectReasonCount ? (int)d.reason : 0];
}

void DemoStrategy::on_decision(const OrderRequest& r, const RiskDecision& d) {
  const int slot = find(r.client_order_id);
  if (r.kind == OrderKind::new_order && (slot < 0 || tracked_[slot].state != State::pending_new)) {
    // The duplicate-id probe (its id is a resting quote's), or a request we do not track.
    if (r.client_order_id == dup_probe_id_) {
      dup_probe_id_ = 0;
      const int k = (int)ProbeKind::duplicate_client_order_id;
      if (!d.accepted && d.reason == RejectReason::duplicate_client_order_id) ++probe_stats_.hit[k];
      else miss(k, d);
    }
    return;
  }
  // Stopped by its loss limit: the account is left alone for the rest of the run (the demo does not
  // watch the control plane's releases).
  if (r.account < loss_stopped_.size() && !d.accepted && d.detail == RejectDetail::kill_loss_limit) loss_stopped_[r.account] = 1;
  if (slot < 0) return;
  Tracked& t = tracked_[slot];
  switch (r.kind) {
    case OrderKind::new_order: {
      if (t.role == Role::lead) {
        if (d.accepted && r.time + cfg_.requote_interval_ns < leftover_check_) leftover_check_ = r.time + cfg_.requote_interval_ns;
        if (!d.accepted && loss_probe_.active && t.probe == ProbeKind::loss_limit && loss_probe_.stage == 0 &&
            d.detail == RejectDetail::kill_loss_limit) {
          // Stopped before the probe began (rebuilt from the journal at a restart): its first order
          // is the refusal the probe is after.
          ++probe_stats_.sent[(int)ProbeKind::loss_limit];
          ++probe_stats_.hit[(int)ProbeKind::loss_limit];
          end_loss_probe(r.time);
        } else if (!d.accepted && loss_probe_.active && r.client_order_id == loss_probe_.lead_id) {
          // The buy refused: given up. The sell refused (the buy's loss at mark stopped the
          // account already): the probe comes next.
          loss_probe_.lead_id = 0;
          if (loss_probe_.stage == 0) end_loss_probe(r.time);
        }
      } else if (t.role != Role::quote) {
        const int k = (int)t.probe;
        const RejectDetail detail = probe_target_detail(t.probe);
        const bool hit = !d.accepted && d.reason == probe_target(t.probe) && (detail == RejectDetail::none || d.detail == detail);
        if (t.role == Role::burst) {
          if (hit) ++burst_.throttled;
          if (hit && !burst_hit_) {
            burst_hit_ = true;
            ++probe_stats_.hit[k];
          } else if (!d.accepted && !hit) {
            miss(k, d);
          }
        } else if (hit) {
          ++probe_stats_.hit[k];
        } else {
          miss(k, d);
        }
        if (d.accepted && r.time + cfg_.requote_interval_ns < leftover_check_) leftover_check_ = r.time + cfg_.requote_interval_ns;
      }
      if (d.accepted) {
        t.state = State::live;
      } else {
        if (t.role == Role::quote) ++counters_.quote_rejects;
        release(slot);
      }
      break;
    }
    case OrderKind::replace: {
      t.replace_sent = false;
      if (d.accepted) {
        t.old_price = t.price;
        t.price = r.price;
        t.replace_pending = true;
        t.replace_time = r.time;
        ++counters_.quotes_replaced;
      } else {
        ++counters_.quote_rejects;
      }
      break;
    }
    case OrderKind::cancel: {
      if (!d.accepted && t.state == State::canceling) t.state = State::live;
      break;
    }
    default: break;
  }
}

void DemoStrategy::on_entered(int64_t client_order_id) {
  const int slot = find(client_order_id);
  if (slot < 0) return;
  Tracked& t = tracked_[slot];
  t.entered = true;
  if (t.replace_pending) {
    t.replace_pending = false;
    t.old_price = t.price;
  }
}

void DemoStrategy::on_replaced(int64_t client_order_id) {
  const int slot = find(client_order_id);
  if (slot < 0) return;
  Tracked& t = tracked_[slot];
  t.replace_pending = false;
  t.old_price = t.price;
}

void DemoStrategy::on_replace_rejected(int64_t client_order_id) {
  const int slot = find(client_order_id);
  if (slot < 0) return;
  Tracked& t = tracked_[slot];
  if (!t.replace_pending) return;
  t.replace_pending = false;
  t.price = t.old_price;
}

void DemoStrategy::on_fill(int64_t client_order_id, int32_t qty, int64_t price) {
  (void)price;
  const int slot = find(client_order_id);
  if (slot < 0 || qty <= 0) return;
  Tracked& t = tracked_[slot];
  ++counters_.fills;
  if (fill_probe_.active && client_order_id == fill_probe_.lead_id && t.filled + qty >= t.qty) {
    fill_probe_.lead_id = 0;
    ++fill_probe_.fills;
  }
  if (loss_probe_.active && client_order_id == loss_probe_.lead_id && t.filled + qty >= t.qty) {
    loss_probe_.lead_id = 0;
    if (loss_probe_.stage == 0) loss_probe_.stage = 1;
  }
  if (t.account < accounts_.size() && t.instrument < instruments_.size()) {
    pos(t.account, t.instrument) += (int64_t)t.side * qty;
    const int64_t rem = t.qty - t.filled;
    open_ref(t.account, t.instrument, t.side) -= std::min<int64_t>(qty, rem > 0 ? rem : 0);
  }
  t.filled += qty;
  if (t.filled >= t.qty) {
    t.filled = t.qty;  // the open quantity was already taken off
    release(slot);
  }
}

void DemoStrategy::on_done(int64_t client_order_id) {
  if (loss_probe_.active && client_order_id == loss_probe_.lead_id) {
    // Canceled before it filled (the gate's loss-limit cancel, after a partial fill): the probe next.
    loss_probe_.lead_id = 0;
    loss_probe_.stage = 2;
  }
  const int slot = find(client_order_id);
  if (slot >= 0) release(slot);
}

}  // namespace pw
