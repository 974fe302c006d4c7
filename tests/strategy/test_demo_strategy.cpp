// DemoStrategy: quotes on the tick and skewed by inventory, replaces only when the target moved,
// no quotes on an unsynced book, every probe refused by a real risk engine (limits of
// config/perpwire.toml) for the reason it targets, and the same requests for the same seed.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/risk_engine.hpp"
#include "host/config/config.hpp"
#include "host/strategy/demo_strategy.hpp"

namespace {

using namespace pw;
using Engine = RiskEngine<16, 8, 1024, 4096, 8>;

constexpr int64_t U = kPriceScale;
constexpr int64_t kT0 = 1795960680LL * 1000000000LL;

std::shared_ptr<const Config> config() {
  static std::shared_ptr<const Config> c = [] {
    ConfigResult r = load_config(std::string(PERPWIRE_SOURCE_DIR) + "/config/perpwire.toml");
    REQUIRE_MESSAGE(r.ok(), r.error_text());
    return r.config;
  }();
  return c;
}

InstrumentMarket market(int i, int64_t mark, int64_t now) {
  InstrumentMarket m{};
  const InstrumentConfig& ic = config()->instruments[i];
  const int64_t tick = ic.tick;
  m.mark = mark;
  m.best_bid = mark / tick * tick;
  m.best_ask = m.best_bid + tick;
  m.limit_down = mark / 100 * 95 / tick * tick;  // ±5 % band
  m.limit_up = mark / 100 * 105 / tick * tick;
  m.contract_size = ic.contract_size;
  m.funding_rate = 0;
  m.last_update = now;
  m.tradable = 1;
  m.trading_status = kTradingStatusOpen;
  m.synced = 1;
  return m;
}

// An engine configured from config/perpwire.toml; `cash1` overrides desk-b's cash when ≥ 0.
void configure(Engine& e, const Config& c, int64_t cash1 = -1) {
  e.reset();
  for (size_t i = 0; i < c.instruments.size(); ++i) REQUIRE(e.set_instrument_limits((int)i, c.instruments[i].limits).ok());
  for (size_t a = 0; a < c.accounts.size(); ++a) {
    REQUIRE(e.set_account_limits((int)a, c.accounts[a].limits).ok());
    e.set_cash((int)a, a == 1 && cash1 >= 0 ? cash1 : c.accounts[a].cash);
  }
  REQUIRE(e.set_session_limits(0, c.order_entry.limits).ok());
}

DemoStrategy make(const DemoStrategyConfig& sc, int64_t cash1 = -1) {
  const Config& c = *config();
  DemoStrategy s(sc, strategy_instruments(c), (int)c.accounts.size());
  s.set_accounts(c);
  if (cash1 >= 0) s.set_account(1, c.accounts[1].limits, cash1);
  return s;
}

// The strategy against the engine and a minimal exchange: accepted orders rest, replaces and
// cancels take effect at once, resting orders fill when the book trades through them.
struct Harness {
  Engine engine;
  DemoStrategy strategy;
  std::vector<OrderRequest> out;
  std::vector<OrderRequest> all;  // every request, in order
  std::vector<RiskDecision> decisions;
  struct Resting {
    int64_t id;
    int instrument;
    int8_t side;
    int64_t price;
    int32_t qty;
  };
  std::vector<Resting> resting;
  bool fills = true;

  explicit Harness(const DemoStrategyConfig& sc, int64_t cash1 = -1) : strategy(make(sc, cash1)) {
    configure(engine, *config(), cash1);
    out.reserve((size_t)strategy.max_requests_per_call());
  }

  void step(int i, const InstrumentMarket& m, int64_t now) {
    engine.set_market(i, m);
    // Trades through resting orders first.
    for (size_t k = 0; k < resting.size();) {
      Resting& o = resting[k];
      const bool hit = fills && o.instrument == i && (o.side > 0 ? m.best_ask <= o.price : m.best_bid >= o.price);
      if (!hit) {
        ++k;
        continue;
      }
      engine.on_fill(o.id, o.qty, o.price, now);
      strategy.on_fill(o.id, o.qty, o.price);
      strategy.on_done(o.id);
      resting.erase(resting.begin() + (ptrdiff_t)k);
    }
    out.clear();
    strategy.on_market(i, m, now, out);
    for (const OrderRequest& r : out) {
      all.push_back(r);
      const RiskDecision d = engine.check(r);
      decisions.push_back(d);
      strategy.on_decision(r, d);
      if (!d.accepted) continue;
      if (r.kind == OrderKind::new_order) {
        engine.on_entered(r.client_order_id);
        strategy.on_entered(r.client_order_id);
        resting.push_back(Resting{r.client_order_id, r.instrument, r.side, r.price, r.quantity});
      } else if (r.kind == OrderKind::replace) {
        engine.on_replace(r.client_order_id);
        strategy.on_replaced(r.client_order_id);
        for (Resting& o : resting)
          if (o.id == r.client_order_id) o.price = r.price, o.qty = r.quantity;
      } else {
        engine.on_cancel(r.client_order_id);
        strategy.on_done(r.client_order_id);
        for (size_t k = 0; k < resting.size(); ++k)
          if (resting[k].id == r.client_order_id) {
            resting.erase(resting.begin() + (ptrdiff_t)k);
            break;
          }
      }
    }
  }
};

// A seeded walk of both marks, 100 ms apart per instrument, with an unsynced stretch on ETH.
void run_session(Harness& h, int seconds, uint64_t seed) {
  uint64_t x = seed * 2654435761u + 1;
  auto rnd = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  int64_t mark[2] = {95000 * U, 3500 * U};
  for (int step = 0; step < seconds * 10; ++step) {
    for (int i = 0; i < 2; ++i) {
      const int64_t now = kT0 + (int64_t)step * 100000000 + i * 1000000;
      mark[i] += (int64_t)(rnd() % 7) * mark[i] / 10000 - 3 * mark[i] / 10000;  // ±3 bps
      InstrumentMarket m = market(i, mark[i], now);
      if (i == 1 && step >= 300 && step < 330) m.synced = 0;
      h.step(i, m, now);
    }
  }
}

}  // namespace

TEST_CASE("quotes are on the tick, around the mark, and skewed against the inventory") {
  DemoStrategyConfig sc;
  sc.probes = false;
  Harness h(sc);
  const int64_t mark = 95003 * U;
  h.step(0, market(0, mark, kT0), kT0);
  REQUIRE(h.out.size() == 2);
  const int64_t bid = h.strategy.quote_price(0, kBuy), ask = h.strategy.quote_price(0, kSell);
  // 95003 × 0.9995 = 94955.4985 → down to 94955; 95003 × 1.0005 = 95050.5015 → up to 95055.
  CHECK(bid == 94955 * U);
  CHECK(ask == 95055 * U);
  CHECK(h.out[0].quantity == 2);
  CHECK(h.out[0].side == kBuy);
  CHECK(h.out[1].side == kSell);
  CHECK(h.out[1].client_order_id > h.out[0].client_order_id);
  for (const RiskDecision& d : h.decisions) CHECK(d.accepted);

  // The bid fills: long 2 contracts, so both quotes move down by 2 bps.
  const int64_t bid_id = h.strategy.quote_id(0, kBuy);
  h.engine.on_fill(bid_id, 2, bid, kT0);
  h.strategy.on_fill(bid_id, 2, bid);
  h.strategy.on_done(bid_id);
  for (size_t k = 0; k < h.resting.size(); ++k)
    if (h.resting[k].id == bid_id) h.resting.erase(h.resting.begin() + (ptrdiff_t)k);
  CHECK(h.strategy.position(0, 0) == 2);
  const int64_t t1 = kT0 + sc.requote_interval_ns;
  h.step(0, market(0, mark, t1), t1);
  // 95003 × (1 − 7 bps) = 94936.4979 → 94935; 95003 × (1 + 3 bps) = 95031.5009 → 95035.
  CHECK(h.strategy.quote_price(0, kBuy) == 94935 * U);
  CHECK(h.strategy.quote_price(0, kSell) == 95035 * U);
  REQUIRE(h.out.size() == 2);
  CHECK(h.out[0].kind == OrderKind::new_order);  // a new bid (the old one filled)
  CHECK(h.out[1].kind == OrderKind::replace);    // the ask moved
  for (const RiskDecision& d : h.decisions) CHECK(d.accepted);

  // ETH: tick 0.5 → 3500 × 0.9995 = 3498.25 → 3498, 3500 × 1.0005 = 3501.75 → 3502.
  h.step(1, market(1, 3500 * U, t1), t1);
  CHECK(h.strategy.quote_price(1, kBuy) == 3498 * U);
  CHECK(h.strategy.quote_price(1, kSell) == 3502 * U);
}

TEST_CASE("quotes are replaced only when the target moved by a tick, and not before the interval") {
  DemoStrategyConfig sc;
  sc.probes = false;
  Harness h(sc);
  h.fills = false;
  h.step(0, market(0, 95000 * U, kT0), kT0);
  REQUIRE(h.out.size() == 2);
  const int64_t bid_id = h.strategy.quote_id(0, kBuy), ask_id = h.strategy.quote_id(0, kSell);

  // Before the interval: nothing, even though the mark moved a lot.
  h.step(0, market(0, 95100 * U, kT0 + 1000000), kT0 + 1000000);
  CHECK(h.out.empty());
  // After it, the same mark: nothing.
  int64_t t = kT0 + sc.requote_interval_ns;
  h.step(0, market(0, 95000 * U, t), t);
  CHECK(h.out.empty());
  // A move that leaves both rounded targets where they are (95000 → 95001: 94953.49 → 94950,
  // 95048.50 → 95050): nothing.
  t += sc.requote_interval_ns;
  h.step(0, market(0, 95001 * U, t), t);
  CHECK(h.out.empty());
  // A move of 20 USD: both quotes replaced, same ids.
  t += sc.requote_interval_ns;
  h.step(0, market(0, 95020 * U, t), t);
  REQUIRE(h.out.size() == 2);
  CHECK(h.out[0].kind == OrderKind::replace);
  CHECK(h.out[0].client_order_id == bid_id);
  CHECK(h.out[1].kind == OrderKind::replace);
  CHECK(h.out[1].client_order_id == ask_id);
  CHECK(h.strategy.quote_price(0, kBuy) == 94970 * U);  // 94972.49 → 94970
  CHECK(h.strategy.quote_price(0, kSell) == 95070 * U); // 95067.51 → 95070
  for (const RiskDecision& d : h.decisions) CHECK(d.accepted);
  CHECK(h.strategy.counters().quotes_replaced == 2);
}

TEST_CASE("no quotes while the book is unsynced or has no mark; resting quotes are pulled") {
  DemoStrategyConfig sc;
  sc.probes = false;
  Harness h(sc);
  InstrumentMarket m = market(0, 95000 * U, kT0);
  m.synced = 0;
  h.step(0, m, kT0);
  CHECK(h.out.empty());
  m = market(0, 95000 * U, kT0 + 1);
  m.mark = kNullI64;
  h.step(0, m, kT0 + 1);
  CHECK(h.out.empty());

  int64_t t = kT0 + 1000000000;
  h.step(0, market(0, 95000 * U, t), t);
  REQUIRE(h.out.size() == 2);
  t += sc.requote_interval_ns;
  m = market(0, 95000 * U, t);
  m.synced = 0;
  h.step(0, m, t);
  REQUIRE(h.out.size() == 2);
  CHECK(h.out[0].kind == OrderKind::cancel);
  CHECK(h.out[1].kind == OrderKind::cancel);
  CHECK(h.strategy.open_orders() == 0);
  t += sc.requote_interval_ns;
  h.step(0, m, t);
  CHECK(h.out.empty());
  // Back in sync: quotes again.
  t += sc.requote_interval_ns;
  h.step(0, market(0, 95000 * U, t), t);
  CHECK(h.out.size() == 2);
}

TEST_CASE("every probe is refused by the risk engine for the reason it targets") {
  DemoStrategyConfig sc;
  sc.seed = 7;
  // desk-b with 5 000 USD: a buy of 53 BTC contracts needs more initial margin than that.
  Harness h(sc, 5000 * U);
  run_session(h, 240, 3);  // long enough for every probe kind to come round

  const ProbeStats& ps = h.strategy.probe_stats();
  for (int k = 0; k < kProbeKindCount; ++k) {
    INFO("probe " << std::string(probe_kind_name((ProbeKind)k)) << " sent " << ps.sent[k] << " hit " << ps.hit[k] << " missed " << ps.missed[k]);
    CHECK(ps.sent[k] >= 1);
    CHECK(ps.hit[k] >= 1);
    CHECK(ps.missed[k] == 0);
    for (int r = 0; r < kRejectReasonCount; ++r)
      if (ps.missed_by[k][r]) MESSAGE(std::string(probe_kind_name((ProbeKind)k)) << " missed: " << std::string(reject_reason_name((RejectReason)r)));
    if ((ProbeKind)k != ProbeKind::throttle) CHECK(ps.hit[k] == ps.sent[k]);
  }
  // Every reject the engine counted has one of the probes' reasons; quotes were never refused.
  const RiskCounters& c = h.engine.counters();
  for (int r = 0; r < kRejectReasonCount; ++r) {
    bool targeted = false;
    for (int k = 0; k < kProbeKindCount; ++k) targeted |= (int)probe_target((ProbeKind)k) == r;
    INFO("reason " << std::string(reject_reason_name((RejectReason)r)) << ": " << c.rejected[r]);
    if (targeted) CHECK(c.rejected[r] >= 1);
    else CHECK(c.rejected[r] == 0);
  }
  CHECK(h.strategy.counters().quote_rejects == 0);
  CHECK(c.accepted > 500);
  CHECK(h.strategy.counters().fills > 0);
  // Client order ids of new orders increase (the duplicate-id probe re-uses a quote's on purpose).
  int64_t last = 0;
  for (size_t k = 0; k < h.all.size(); ++k) {
    const OrderRequest& r = h.all[k];
    if (r.kind != OrderKind::new_order || h.decisions[k].reason == RejectReason::duplicate_client_order_id) continue;
    CHECK(r.client_order_id > last);
    last = r.client_order_id;
  }
}

TEST_CASE("the probes with ample cash on desk-b: margin is passed over, the rest still hit") {
  DemoStrategyConfig sc;
  Harness h(sc, 100000 * pw::kPriceScale);
  run_session(h, 240, 5);  // long enough for every probe kind to come round
  const ProbeStats& ps = h.strategy.probe_stats();
  CHECK(ps.sent[(int)ProbeKind::margin] == 0);
  for (int k = 0; k < kProbeKindCount; ++k) {
    INFO("probe " << std::string(probe_kind_name((ProbeKind)k)));
    CHECK(ps.missed[k] == 0);
    if ((ProbeKind)k != ProbeKind::margin) CHECK(ps.hit[k] >= 1);
  }
  CHECK(h.engine.counters().rejected[(int)RejectReason::margin] == 0);
}

TEST_CASE("the same seed gives the same requests; another seed other probe times") {
  DemoStrategyConfig sc;
  sc.seed = 11;
  Harness a(sc), b(sc);
  run_session(a, 40, 1);
  run_session(b, 40, 1);
  REQUIRE(a.all.size() == b.all.size());
  CHECK(std::memcmp(a.all.data(), b.all.data(), a.all.size() * sizeof(OrderRequest)) == 0);
  sc.seed = 12;
  Harness c(sc);
  run_session(c, 40, 1);
  bool same = c.all.size() == a.all.size() &&
              std::memcmp(a.all.data(), c.all.data(), a.all.size() * sizeof(OrderRequest)) == 0;
  CHECK_FALSE(same);
}

TEST_CASE("the loss-limit probe: a round trip across the spread stops desk-d, then one order is refused for it") {
  DemoStrategyConfig sc;
  sc.seed = 7;
  Harness h(sc, 5000 * U);
  const Config& c = *config();
  const int d = c.account_index("desk-d");
  REQUIRE(d > 0);
  const int64_t limit = c.accounts[(size_t)d].limits.loss_limit;
  REQUIRE(limit > 0);
  run_session(h, 240, 3);

  std::vector<size_t> mine;  // desk-d's new orders, in order
  for (size_t k = 0; k < h.all.size(); ++k)
    if (h.all[k].account == d && h.all[k].kind == OrderKind::new_order) mine.push_back(k);
  REQUIRE(mine.size() == 4);  // once stopped, it is left alone
  const OrderRequest &rest = h.all[mine[0]], &buy = h.all[mine[1]], &sell = h.all[mine[2]], &probe = h.all[mine[3]];
  const InstrumentConfig& ic = c.instruments[rest.instrument];
  // q: the fewest contracts whose round trip across one tick loses more than the limit.
  const int64_t q = limit / (ic.tick * ic.contract_size / U) + 1;
  CHECK(rest.side == kBuy);
  CHECK(rest.quantity == 1);
  CHECK(buy.side == kBuy);
  CHECK(buy.quantity == q);
  CHECK(buy.price > rest.price);
  CHECK(sell.side == kSell);
  CHECK(sell.quantity == q);
  CHECK(sell.price > rest.price);  // never crosses its own resting buy
  CHECK(h.decisions[mine[0]].accepted);
  CHECK(h.decisions[mine[1]].accepted);
  // The sell is accepted (the buy alone stayed within the limit at mark) or refused by the stop.
  CHECK((h.decisions[mine[2]].accepted || h.decisions[mine[2]].detail == RejectDetail::kill_loss_limit));
  CHECK_FALSE(h.decisions[mine[3]].accepted);
  CHECK(h.decisions[mine[3]].detail == RejectDetail::kill_loss_limit);
  CHECK(probe.quantity == 1);
  CHECK(h.engine.kill_loss(d));
  CHECK(h.engine.loss_pnl(d) < -limit);
  CHECK(h.engine.counters().loss_limit_kills == 1);
  const ProbeStats& ps = h.strategy.probe_stats();
  CHECK(ps.sent[(int)ProbeKind::loss_limit] == 1);
  CHECK(ps.hit[(int)ProbeKind::loss_limit] == 1);
  // No other probe picked desk-d, and no other account has a loss limit to stop.
  for (size_t k = 0; k < h.all.size(); ++k)
    if (h.all[k].account != d) CHECK(h.decisions[k].detail != RejectDetail::kill_loss_limit);
}

TEST_CASE("the loss-limit probe on an account already stopped (a restart): its first order is the hit") {
  DemoStrategyConfig sc;
  sc.seed = 7;
  Harness h(sc, 5000 * U);
  const int d = config()->account_index("desk-d");
  REQUIRE(d > 0);
  h.engine.set_market(0, market(0, 95000 * U, kT0));
  h.engine.set_position(d, 0, 5, 96000 * U);  // 50 USD under water, as a journal would rebuild it
  REQUIRE(h.engine.kill_loss(d));
  run_session(h, 240, 3);
  size_t n = 0;
  for (size_t k = 0; k < h.all.size(); ++k)
    if (h.all[k].account == d && h.all[k].kind == OrderKind::new_order) {
      ++n;
      CHECK(h.decisions[k].detail == RejectDetail::kill_loss_limit);
    }
  CHECK(n == 2);  // the resting buy and the buy through the ask, both refused; then left alone
  const ProbeStats& ps = h.strategy.probe_stats();
  CHECK(ps.sent[(int)ProbeKind::loss_limit] == 1);
  CHECK(ps.hit[(int)ProbeKind::loss_limit] == 1);
  CHECK(ps.missed[(int)ProbeKind::loss_limit] == 0);
}
