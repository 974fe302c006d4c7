// Shared setup of the risk tests: one BTC-like perpetual, one account, one session, and request
// builders. Money and prices ×1e-9.
#pragma once
#include "core/risk_engine.hpp"

namespace pw_test {

using namespace pw;

constexpr int64_t U = kPriceScale;       // one unit (1.0) in ×1e-9
constexpr int64_t kT0 = 1700000000LL * U;  // request time base, ns

// Small capacities so that capacity and dedup-window eviction are reachable in tests.
using Engine = RiskEngine<4, 4, 64, 32, 2>;

// Tiers of docs/risk.md: ≤ 100 000 at 50×, ≤ 500 000 at 20×, above at 10×.
inline MarginTable doc_tiers() {
  MarginTable t{};
  t.tiers[0] = MarginTier{100000 * U, 50};
  t.tiers[1] = MarginTier{500000 * U, 20};
  t.tiers[2] = MarginTier{0, 10};
  t.count = 3;
  return t;
}

inline InstrumentLimits btc_limits() {
  InstrumentLimits l{};
  l.max_staleness_ns = 1000000000;  // 1 s
  l.collar_bps = 500;               // 5 %
  l.max_order_qty = 1000;
  l.max_order_notional = 5000000 * U;
  l.max_position = 2000;
  l.margin = doc_tiers();
  return l;
}

inline AccountLimits account_limits() {
  AccountLimits l{};
  l.max_position = 1000000;
  l.daily_notional_limit = 100000000 * U;
  l.orders_per_second = 1000;
  l.order_burst = 100;
  return l;
}

inline SessionLimits session_limits() { return SessionLimits{10000, 1000}; }

inline InstrumentMarket btc_market() {
  InstrumentMarket m{};
  m.mark = 100000 * U;
  m.best_bid = 99999 * U;
  m.best_ask = 100001 * U;
  m.limit_down = 90000 * U;
  m.limit_up = 110000 * U;
  m.contract_size = U / 100;  // 0.01
  m.funding_rate = 0;
  m.last_update = kT0;
  m.tradable = 1;
  m.trading_status = kTradingStatusOpen;
  m.synced = 1;
  return m;
}

// Instrument 0 and account 0 / session 0 configured, cash 1 000 000.
template <typename E>
inline void setup(E& e) {
  e.reset();
  e.set_instrument_limits(0, btc_limits());
  e.set_market(0, btc_market());
  e.set_account_limits(0, account_limits());
  e.set_session_limits(0, session_limits());
  e.set_cash(0, 1000000 * U);
}

// Changes an instrument's market through set_market(), as the market-state stage does.
template <typename E, typename F>
inline void edit_market(E& e, int i, F change) {
  InstrumentMarket m = e.market(i);
  change(m);
  e.set_market(i, m);
}

inline OrderRequest order(int64_t id, int8_t side, int64_t price, int32_t qty, int64_t time = kT0, uint16_t account = 0,
                          uint16_t instrument = 0, uint8_t flags = 0, uint8_t session = 0) {
  OrderRequest r{};
  r.client_order_id = id;
  r.price = price;
  r.time = time;
  r.quantity = qty;
  r.account = account;
  r.instrument = instrument;
  r.kind = OrderKind::new_order;
  r.side = side;
  r.flags = flags;
  r.session = session;
  return r;
}

inline OrderRequest replace(int64_t id, int64_t price, int32_t qty, int64_t time = kT0, uint16_t account = 0,
                            uint16_t instrument = 0) {
  OrderRequest r = order(id, 0, price, qty, time, account, instrument);
  r.kind = OrderKind::replace;
  return r;
}

inline OrderRequest cancel(int64_t id, int64_t time = kT0, uint16_t account = 0, uint16_t instrument = 0) {
  OrderRequest r = order(id, 0, 0, 0, time, account, instrument);
  r.kind = OrderKind::cancel;
  return r;
}

}  // namespace pw_test
