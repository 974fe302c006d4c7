#include "host/exchange_sim/sim_matcher.hpp"

#include <time.h>

#include <algorithm>

namespace pw::oe {

namespace {

int64_t vwap_of(__int128 notional, int32_t filled) {
  if (filled <= 0) return 0;
  __int128 q = notional / filled, r = notional % filled;
  if (r * 2 >= filled) ++q;  // prices are positive: half up
  return (int64_t)q;
}

}  // namespace

int64_t SimMatcher::wall_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1'000'000'000 + ts.tv_nsec;
}

SimMatcher::SimMatcher(SimReports& reports, bool feed_clock, int64_t ack_latency_ns)
    : reports_(reports), feed_clock_(feed_clock), ack_latency_ns_(ack_latency_ns) {}

int64_t SimMatcher::time() const { return feed_clock_ ? feed_now_ : wall_ns(); }

void SimMatcher::add_instrument(int32_t instrument_id, int64_t tick_size) {
  markets_[instrument_id].tick_size = tick_size > 0 ? tick_size : 1;
}

bool SimMatcher::set_market(int32_t instrument_id, int64_t bid_px, int32_t bid_qty, int64_t ask_px, int32_t ask_qty) {
  auto it = markets_.find(instrument_id);
  if (it == markets_.end()) return false;
  Market& mk = it->second;
  mk.bid_px = bid_qty > 0 ? bid_px : kNullI64;
  mk.bid_qty = is_null_price(bid_px) ? 0 : bid_qty;
  mk.ask_px = ask_qty > 0 ? ask_px : kNullI64;
  mk.ask_qty = is_null_price(ask_px) ? 0 : ask_qty;
  match_resting(instrument_id);
  return true;
}

// ---- the feed-clock queue -----------------------------------------------------------------------

void SimMatcher::submit(const std::string& owner, const SimRequest& r) {
  if (!feed_clock_) {
    act_on(owner, r);
    return;
  }
  // In feed time the request is acted on once the replay clock has moved ack_latency past its
  // arrival, whenever the bytes happened to be read: the answer depends on the feed alone.
  Pending p;
  p.owner = owner;
  p.due = feed_now_ > INT64_MAX - ack_latency_ns_ ? INT64_MAX : feed_now_ + ack_latency_ns_;
  p.request = r;
  pending_.push_back(std::move(p));
  ++counters_.requests_delayed;
  if (pending_.back().due <= feed_now_) run_due();
}

void SimMatcher::set_feed_time(int64_t feed_ns) {
  if (feed_ns > feed_now_) feed_now_ = feed_ns;
  run_due();
}

void SimMatcher::run_due() {
  // Requests arrive in feed order and share one latency, so the queue is sorted by due time.
  while (!pending_.empty() && pending_.front().due <= feed_now_) {
    const Pending p = std::move(pending_.front());
    pending_.pop_front();
    act_on(p.owner, p.request);
  }
}

void SimMatcher::act_on(const std::string& owner, const SimRequest& r) {
  if (const auto* o = std::get_if<SimNewOrder>(&r)) on_new_order(owner, *o);
  else if (const auto* o = std::get_if<SimReplace>(&r)) on_replace(owner, *o);
  else if (const auto* o = std::get_if<SimCancel>(&r)) on_cancel(owner, *o);
  else if (const auto* o = std::get_if<SimMassCancel>(&r)) on_mass_cancel(owner, *o);
}

// ---- orders -------------------------------------------------------------------------------------

SimOrder* SimMatcher::lookup(const std::string& owner, int64_t cid) {
  auto b = books_.find(owner);
  if (b == books_.end()) return nullptr;
  auto o = b->second.find(cid);
  return o == b->second.end() ? nullptr : o->second;
}

const SimOrder* SimMatcher::find(const std::string& owner, int64_t cid) const {
  return const_cast<SimMatcher*>(this)->lookup(owner, cid);
}

std::vector<SimOrder> SimMatcher::orders_of(const std::string& owner) const {
  std::vector<SimOrder> out;
  auto b = books_.find(owner);
  if (b == books_.end()) return out;
  for (auto& kv : b->second) out.push_back(*kv.second);
  std::sort(out.begin(), out.end(), [](const SimOrder& a, const SimOrder& b) { return a.order_id < b.order_id; });
  return out;
}

void SimMatcher::on_new_order(const std::string& owner, const SimNewOrder& o) {
  auto mk = markets_.find(o.instrument_id);
  const char* why = nullptr;
  OrderRejectReason reason = OrderRejectReason::validation_failure;
  if (mk == markets_.end()) {
    reason = OrderRejectReason::invalid_instrument;
    why = "unknown instrument";
  } else if (o.quantity <= 0) {
    why = "quantity must be positive";
  } else if (o.side != 1 && o.side != -1) {
    why = "side must be 1 (buy) or -1 (sell)";
  } else if (o.price <= 0 || o.price % mk->second.tick_size != 0) {
    why = "price not a positive multiple of the tick";
  } else if (lookup(owner, o.client_order_id) != nullptr) {
    reason = OrderRejectReason::client_order_id_in_use;
    why = "client order id in use";
  }
  if (why != nullptr) {
    ++counters_.orders_rejected;
    reports_.new_rejected(owner, o, reason, why, time());
    return;
  }
  all_orders_.emplace_back();
  SimOrder& x = all_orders_.back();
  x.username = owner;
  x.client_order_id = o.client_order_id;
  x.order_id = next_order_id_++;
  x.correlation_id = o.correlation_id;
  x.price = o.price;
  x.instrument_id = o.instrument_id;
  x.quantity = o.quantity;
  x.remaining = o.quantity;
  x.side = o.side;
  x.state = OrderState::active;
  x.priority = next_priority_++;
  books_[owner][x.client_order_id] = &x;
  ++counters_.orders_entered;
  reports_.entered(x, next_exec_id_++, time());
  match_aggressive(x);
  if (x.remaining > 0) resting_[x.instrument_id].push_back(&x);
}

void SimMatcher::on_replace(const std::string& owner, const SimReplace& o) {
  SimOrder* x = lookup(owner, o.client_order_id);
  const char* why = nullptr;
  OrderRejectReason reason = OrderRejectReason::validation_failure;
  if (x == nullptr || !is_open(x->state)) {
    reason = OrderRejectReason::unknown_order;
    why = "no open order with this client order id";
  } else if (o.instrument_id != x->instrument_id) {
    why = "instrument does not match the order";
  } else if (o.quantity <= x->filled) {
    why = "new quantity not above the filled quantity";
  } else if (o.price <= 0 || o.price % markets_[x->instrument_id].tick_size != 0) {
    why = "price not a positive multiple of the tick";
  }
  if (why != nullptr) {
    ++counters_.replace_rejects;
    reports_.replace_rejected(owner, o, x, reason, why, time());
    return;
  }
  ++counters_.replaces;
  x->price = o.price;
  x->quantity = o.quantity;
  x->remaining = o.quantity - x->filled;
  x->correlation_id = o.correlation_id;
  x->priority = next_priority_++;  // a replace loses time priority
  reports_.replaced(*x, next_exec_id_++, time());
  match_aggressive(*x);
}

void SimMatcher::on_cancel(const std::string& owner, const SimCancel& o) {
  SimOrder* x = lookup(owner, o.client_order_id);
  if (x == nullptr || !is_open(x->state)) {
    ++counters_.cancel_rejects;
    reports_.cancel_rejected(owner, o, x, time());
    return;
  }
  x->correlation_id = o.correlation_id;
  cancel(*x, CancelReason::canceled_by_user);
}

void SimMatcher::on_mass_cancel(const std::string& owner, const SimMassCancel& o) {
  if (o.instrument_id != kAllInstruments && markets_.count(o.instrument_id) == 0) {
    reports_.mass_cancel_rejected(owner, o, "unknown instrument", time());
    return;
  }
  ++counters_.mass_cancels;
  std::vector<SimOrder*> hit;
  auto b = books_.find(owner);
  if (b != books_.end()) {
    for (auto& kv : b->second) {
      SimOrder* x = kv.second;
      if (!is_open(x->state)) continue;
      if (o.instrument_id != kAllInstruments && x->instrument_id != o.instrument_id) continue;
      if (o.side != kBothSides && x->side != o.side) continue;
      hit.push_back(x);
    }
  }
  std::sort(hit.begin(), hit.end(), [](const SimOrder* a, const SimOrder* b) { return a->order_id < b->order_id; });
  for (SimOrder* x : hit) {
    x->correlation_id = o.correlation_id;
    cancel(*x, CancelReason::mass_cancel);
  }
  reports_.mass_cancel_ack(owner, o, (int32_t)hit.size(), next_exec_id_++, time());
}

void SimMatcher::cancel_all(const std::string& owner, CancelReason reason) {
  auto b = books_.find(owner);
  if (b == books_.end()) return;
  std::vector<SimOrder*> open;
  for (auto& kv : b->second)
    if (is_open(kv.second->state)) open.push_back(kv.second);
  std::sort(open.begin(), open.end(), [](const SimOrder* a, const SimOrder* b) { return a->order_id < b->order_id; });
  for (SimOrder* o : open) cancel(*o, reason);
}

void SimMatcher::cancel(SimOrder& o, CancelReason reason) {
  remove_resting(o);
  o.state = OrderState::canceled;
  o.cancel_reason = (uint8_t)reason;
  o.remaining = 0;
  ++counters_.cancels;
  reports_.canceled(o, reason, next_exec_id_++, time());
}

void SimMatcher::remove_resting(SimOrder& o) {
  auto it = resting_.find(o.instrument_id);
  if (it == resting_.end()) return;
  auto& v = it->second;
  v.erase(std::remove(v.begin(), v.end(), &o), v.end());
}

void SimMatcher::fill(SimOrder& o, int64_t price, int32_t qty, bool aggressor) {
  o.filled += qty;
  o.remaining -= qty;
  o.notional += (__int128)price * qty;
  o.vwap = vwap_of(o.notional, o.filled);
  o.state = o.remaining == 0 ? OrderState::filled : OrderState::partially_filled;
  ++counters_.fills;
  const int64_t exec_id = next_exec_id_++;
  reports_.filled(o, price, qty, aggressor, exec_id, next_match_id_++, time());
  if (o.remaining == 0) remove_resting(o);
}

void SimMatcher::match_aggressive(SimOrder& o) {
  Market& mk = markets_[o.instrument_id];
  if (o.side == 1 && mk.ask_qty > 0 && !is_null_price(mk.ask_px) && o.price >= mk.ask_px) {
    const int32_t q = std::min(o.remaining, mk.ask_qty);
    mk.ask_qty -= q;
    fill(o, mk.ask_px, q, true);
  } else if (o.side == -1 && mk.bid_qty > 0 && !is_null_price(mk.bid_px) && o.price <= mk.bid_px) {
    const int32_t q = std::min(o.remaining, mk.bid_qty);
    mk.bid_qty -= q;
    fill(o, mk.bid_px, q, true);
  }
}

void SimMatcher::match_resting(int32_t instrument_id) {
  Market& mk = markets_[instrument_id];
  std::vector<SimOrder*> book = resting_[instrument_id];
  // Best price first, then time.
  std::sort(book.begin(), book.end(), [](const SimOrder* a, const SimOrder* b) {
    if (a->side != b->side) return a->side > b->side;
    if (a->price != b->price) return a->side == 1 ? a->price > b->price : a->price < b->price;
    return a->priority < b->priority;
  });
  for (SimOrder* o : book) {
    int32_t* avail = nullptr;
    if (o->side == 1 && !is_null_price(mk.ask_px) && mk.ask_px <= o->price) avail = &mk.ask_qty;
    if (o->side == -1 && !is_null_price(mk.bid_px) && mk.bid_px >= o->price) avail = &mk.bid_qty;
    if (avail == nullptr || *avail <= 0) continue;
    const int32_t q = std::min(o->remaining, *avail);
    *avail -= q;
    fill(*o, o->price, q, false);  // the market trades through the resting order: its price
  }
}

}  // namespace pw::oe
