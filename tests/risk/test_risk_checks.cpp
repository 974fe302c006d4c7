// The 13 pre-trade checks: each accepts at its boundary and rejects one unit beyond it, and an order
// failing several checks reports the first (docs/risk.md, "The checks").
#include <doctest/doctest.h>

#include <cstring>
#include <initializer_list>

#include "tests/risk/risk_fixture.hpp"

using namespace pw_test;

namespace {

// Runs the request through evaluate() (no side effects) and check(); both must agree. Returns the
// detail (RejectDetail::none when accepted).
RejectDetail outcome(Engine& e, const OrderRequest& r) {
  RiskDecision ev = e.evaluate(r);
  RiskDecision d = e.check(r);
  CHECK(std::memcmp(&ev, &d, sizeof d) == 0);
  CHECK(d.client_order_id == r.client_order_id);
  CHECK(d.time == r.time);
  CHECK(d.accepted == (d.reason == RejectReason::none));
  if (!d.accepted) CHECK(d.reserved_qty == 0);
  return d.detail;
}

RejectReason reason_of(Engine& e, const OrderRequest& r) { return e.check(r).reason; }

constexpr RejectDetail OK = RejectDetail::none;
constexpr int64_t P = 100000 * U;  // the mark of btc_market()

}  // namespace

TEST_CASE("names are stable snake_case") {
  CHECK(std::strcmp(reject_reason_name(RejectReason::none), "none") == 0);
  CHECK(std::strcmp(reject_reason_name(RejectReason::kill_switch), "kill_switch") == 0);
  CHECK(std::strcmp(reject_reason_name(RejectReason::price_collar), "price_collar") == 0);
  CHECK(std::strcmp(reject_reason_name(RejectReason::duplicate_client_order_id), "duplicate_client_order_id") == 0);
  CHECK(std::strcmp(reject_reason_name(RejectReason::self_match), "self_match") == 0);
  CHECK((int)RejectReason::kill_switch == 1);
  CHECK((int)RejectReason::self_match == 13);
  CHECK((int)RejectReason::max_open_orders == 16);
  CHECK((int)RejectReason::duplicate_order == 17);
  CHECK(std::strcmp(reject_reason_name(RejectReason::max_open_orders), "max_open_orders") == 0);
  for (int i = 0; i < kRejectReasonCount; ++i) {
    const char* n = reject_reason_name((RejectReason)i);
    CHECK(std::strcmp(n, "unknown") != 0);
    for (const char* c = n; *c; ++c) CHECK(((*c >= 'a' && *c <= 'z') || *c == '_'));
  }
  for (int i = 0; i < (int)RejectDetail::count_; ++i) CHECK(std::strcmp(reject_detail_name((RejectDetail)i), "unknown") != 0);
}

TEST_CASE("a plain order is accepted and reserves its exposure") {
  Engine e;
  setup(e);
  RiskDecision d = e.check(order(1, kBuy, P, 10));
  CHECK(d.accepted);
  CHECK(d.reserved_qty == 10);
  CHECK(d.reserved_notional == 10000 * U);  // 100 000 × 10 × 0.01
  CHECK(e.position(0, 0).exposure.open_buy == 10);
  CHECK(e.position(0, 0).exposure.best_buy == P);
  CHECK(e.account(0).reserved_notional == 10000 * U);
  CHECK(e.counters().accepted == 1);
}

TEST_CASE("request validity comes before the checks") {
  Engine e;
  setup(e);
  e.set_kill_global(true);
  CHECK(outcome(e, order(1, kBuy, P, 1, kT0, /*account*/ 3)) == RejectDetail::account_unknown);
  CHECK(outcome(e, order(1, kBuy, P, 1, kT0, /*account*/ 9)) == RejectDetail::account_unknown);
  CHECK(outcome(e, order(1, kBuy, P, 1, kT0, 0, 0, 0, /*session*/ 1)) == RejectDetail::session_unknown);
  CHECK(outcome(e, order(1, kBuy, P, 1, kT0, 0, 0, 0, /*session*/ 7)) == RejectDetail::session_unknown);
  CHECK(outcome(e, order(1, 0, P, 1)) == RejectDetail::side_invalid);
  CHECK(outcome(e, order(1, 2, P, 1)) == RejectDetail::side_invalid);
  OrderRequest bad = order(1, kBuy, P, 1);
  bad.kind = (OrderKind)7;
  CHECK(outcome(e, bad) == RejectDetail::kind_invalid);
  CHECK(outcome(e, replace(5, P, 1)) == RejectDetail::order_unknown);
  CHECK(e.counters().rejected[(int)RejectReason::invalid_request] == 8);

  e.set_kill_global(false);
  e.set_instrument_limits(1, btc_limits());
  e.set_market(1, btc_market());
  REQUIRE(outcome(e, order(1, kBuy, P, 1)) == OK);
  CHECK(outcome(e, replace(1, P, 2, kT0, 0, /*instrument*/ 1)) == RejectDetail::order_mismatch);
  e.set_account_limits(1, account_limits());
  CHECK(outcome(e, replace(1, P, 2, kT0, /*account*/ 1, 0)) == RejectDetail::order_mismatch);
  REQUIRE(outcome(e, replace(1, P, 2)) == OK);
  CHECK(outcome(e, replace(1, P, 3)) == RejectDetail::replace_pending);
  REQUIRE(outcome(e, order(2, kBuy, P, 1, kT0, 0, 0, kOrderIoc)) == OK);
  CHECK(outcome(e, replace(2, P, 3)) == RejectDetail::replace_ioc);
}

TEST_CASE("cancels always pass and change nothing") {
  Engine e;
  setup(e);
  REQUIRE(outcome(e, order(1, kBuy, P, 10)) == OK);
  e.set_kill_global(true);
  edit_market(e, 0, [&](InstrumentMarket& m) { m.synced = 0; });
  RiskDecision d = e.check(cancel(1));
  CHECK(d.accepted);
  CHECK(d.reserved_qty == 0);
  CHECK(e.check(cancel(12345)).accepted);  // unknown ids go to the exchange, which answers them
  CHECK(e.position(0, 0).exposure.open_buy == 10);
  CHECK(e.counters().cancels == 2);
  CHECK(e.counters().accepted == 1);
}

TEST_CASE("check 1: kill switch, global / account / instrument") {
  Engine e;
  setup(e);
  e.set_kill_global(true);
  CHECK(outcome(e, order(1, kBuy, P, 1)) == RejectDetail::kill_global);
  e.set_kill_global(false);
  e.set_kill_account(0, true);
  CHECK(outcome(e, order(1, kBuy, P, 1)) == RejectDetail::kill_account);
  e.set_kill_account(0, false);
  e.set_kill_instrument(0, true);
  CHECK(outcome(e, order(1, kBuy, P, 1)) == RejectDetail::kill_instrument);
  // Another instrument of the same account still trades.
  e.set_instrument_limits(1, btc_limits());
  e.set_market(1, btc_market());
  CHECK(outcome(e, order(2, kBuy, P, 1, kT0, 0, 1)) == OK);
  e.set_kill_instrument(0, false);
  CHECK(outcome(e, order(1, kBuy, P, 1)) == OK);
  CHECK(e.counters().rejected[(int)RejectReason::kill_switch] == 3);
}

TEST_CASE("check 2: instrument unknown, not tradable, not Open") {
  Engine e;
  setup(e);
  CHECK(outcome(e, order(1, kBuy, P, 1, kT0, 0, /*instrument*/ 1)) == RejectDetail::instrument_unknown);  // no limits
  CHECK(outcome(e, order(1, kBuy, P, 1, kT0, 0, /*instrument*/ 4)) == RejectDetail::instrument_unknown);  // out of range
  edit_market(e, 0, [&](InstrumentMarket& m) { m.tradable = 0; });
  CHECK(outcome(e, order(1, kBuy, P, 1)) == RejectDetail::instrument_not_tradable);
  edit_market(e, 0, [&](InstrumentMarket& m) { m.tradable = 1; });
  for (uint8_t status : {0, 2, 3, 4, 5, 6}) {
    edit_market(e, 0, [&](InstrumentMarket& m) { m.trading_status = status; });
    CHECK(outcome(e, order(1, kBuy, P, 1)) == RejectDetail::trading_status_not_open);
  }
  edit_market(e, 0, [&](InstrumentMarket& m) { m.trading_status = kTradingStatusOpen; });
  CHECK(outcome(e, order(1, kBuy, P, 1)) == OK);
}

TEST_CASE("check 3: market data trust, staleness to the nanosecond") {
  Engine e;
  setup(e);
  const int64_t max_age = btc_limits().max_staleness_ns;
  edit_market(e, 0, [&](InstrumentMarket& m) { m.synced = 0; });
  CHECK(outcome(e, order(1, kBuy, P, 1)) == RejectDetail::book_unsynced);
  edit_market(e, 0, [&](InstrumentMarket& m) { m.synced = 1; });
  // Synced but crossed or locked: not trusted; one tick apart: trusted again.
  InstrumentMarket before{};
  edit_market(e, 0, [&](InstrumentMarket& m) {
    before = m;
    m.best_bid = P;
    m.best_ask = P;
  });
  CHECK(outcome(e, order(1, kBuy, P - U, 1)) == RejectDetail::book_crossed);
  CHECK(e.check(order(1, kBuy, P - U, 1)).reason == RejectReason::market_data_untrusted);
  edit_market(e, 0, [&](InstrumentMarket& m) { m.best_ask = P - 1; });
  CHECK(outcome(e, order(1, kBuy, P - U, 1)) == RejectDetail::book_crossed);
  edit_market(e, 0, [&](InstrumentMarket& m) { m.best_ask = P + 1; });
  CHECK(outcome(e, order(101, kBuy, P - U, 1)) == OK);
  edit_market(e, 0, [&](InstrumentMarket& m) { m.best_ask = kNullI64; });  // one side empty: nothing to compare
  CHECK(outcome(e, order(102, kBuy, P - U, 1)) == OK);
  edit_market(e, 0, [&](InstrumentMarket& m) { m = before; });
  edit_market(e, 0, [&](InstrumentMarket& m) { m.mark = kNullI64; });
  CHECK(outcome(e, order(1, kBuy, P, 1)) == RejectDetail::no_mark);
  edit_market(e, 0, [&](InstrumentMarket& m) { m.mark = P; });
  edit_market(e, 0, [&](InstrumentMarket& m) { m.contract_size = 0; });
  CHECK(outcome(e, order(1, kBuy, P, 1)) == RejectDetail::no_mark);
  edit_market(e, 0, [&](InstrumentMarket& m) { m.contract_size = U / 100; });
  edit_market(e, 0, [&](InstrumentMarket& m) { m.last_update = kNullI64; });
  CHECK(outcome(e, order(1, kBuy, P, 1)) == RejectDetail::market_data_stale);
  edit_market(e, 0, [&](InstrumentMarket& m) { m.last_update = kT0; });
  CHECK(outcome(e, order(1, kBuy, P, 1, kT0 + max_age + 1)) == RejectDetail::market_data_stale);
  CHECK(outcome(e, order(1, kBuy, P, 1, kT0 + max_age)) == OK);
  // A request stamped before the last update is fresh.
  CHECK(outcome(e, order(2, kBuy, P, 1, kT0 - 5)) == OK);
}

TEST_CASE("check 3, jump band: a mark or mid move past max_jump_bps within the window is untrusted until it settles") {
  Engine e;
  setup(e);
  constexpr int64_t MS = 1000000;
  InstrumentLimits l = btc_limits();
  l.max_jump_bps = 100;  // 1 %
  l.jump_window_ns = 1000 * MS;
  l.jump_settle_ns = 500 * MS;
  REQUIRE(e.set_instrument_limits(0, l).ok());
  // The windows start: mark P, mid (bid + ask) 2P.
  edit_market(e, 0, [&](InstrumentMarket& m) { m.best_bid = P - 2 * U, m.best_ask = P + 2 * U, m.last_update = kT0; });
  auto at = [&](int64_t t, int64_t mark, int64_t bid, int64_t ask) {
    edit_market(e, 0, [&](InstrumentMarket& m) { m.mark = mark, m.best_bid = bid, m.best_ask = ask, m.last_update = t; });
  };
  SUBCASE("a mark move of exactly the band passes; one unit more is a jump, refused until settle") {
    at(kT0 + 100 * MS, P + 1000 * U, P - 2 * U, P + 2 * U);  // +1 % exactly
    CHECK(outcome(e, order(1, kBuy, P, 1, kT0 + 100 * MS)) == OK);
    at(kT0 + 200 * MS, P + 1000 * U + 1, P - 2 * U, P + 2 * U);  // 1 % and 1e-9 from the window's P
    CHECK(outcome(e, order(2, kBuy, P, 1, kT0 + 200 * MS)) == RejectDetail::price_jump);
    CHECK(e.counters().rejected[(int)RejectReason::market_data_untrusted] == 1);
    CHECK(outcome(e, order(2, kBuy, P, 1, kT0 + 700 * MS - 1)) == RejectDetail::price_jump);
    CHECK(outcome(e, order(2, kBuy, P, 1, kT0 + 700 * MS)) == OK);  // settled: 500 ms without a jump
    // Another jump within the settle time restarts it (the window now starts at the jumped value).
    at(kT0 + 800 * MS, P + 2100 * U, P - 2 * U, P + 2 * U);
    CHECK(outcome(e, order(3, kBuy, P + 1000 * U, 1, kT0 + 1300 * MS - 1)) == RejectDetail::price_jump);
    CHECK(outcome(e, order(3, kBuy, P + 1000 * U, 1, kT0 + 1300 * MS)) == OK);
  }
  SUBCASE("the window: a value more than its length after the window's start starts a new one") {
    at(kT0 + 1000 * MS, P + 900 * U, P - 2 * U, P + 2 * U);      // within the window, in the band
    at(kT0 + 1000 * MS + 1, P + 1500 * U, P - 2 * U, P + 2 * U);  // 1.5 % but a new window: no jump
    CHECK(outcome(e, order(1, kBuy, P + 1000 * U, 1, kT0 + 1000 * MS + 1)) == OK);
    at(kT0 + 1000 * MS + 2, P + 1500 * U - 1100 * U, P - 2 * U, P + 2 * U);  // back 1.08 % from it: a jump
    CHECK(outcome(e, order(2, kBuy, P, 1, kT0 + 1000 * MS + 2)) == RejectDetail::price_jump);
  }
  SUBCASE("the mid: the book top jumping with an unchanged mark") {
    at(kT0 + 10 * MS, P, P + 1000 * U - 2 * U, P + 1000 * U + 2 * U);  // mid +1 % exactly
    CHECK(outcome(e, order(1, kBuy, P, 1, kT0 + 10 * MS)) == OK);
    at(kT0 + 20 * MS, P, P + 1000 * U - 2 * U, P + 1000 * U + 3 * U);  // mid +1.0005 %
    CHECK(outcome(e, order(2, kBuy, P, 1, kT0 + 20 * MS)) == RejectDetail::price_jump);
    at(kT0 + 30 * MS, P, kNullI64, P + 2 * U);  // one side empty: the mid is not read
    CHECK(outcome(e, order(2, kBuy, P, 1, kT0 + 520 * MS)) == OK);
  }
  SUBCASE("off, and validation") {
    at(kT0 + 10 * MS, P + 5000 * U, P - 2 * U, P + 2 * U);
    CHECK(outcome(e, order(1, kBuy, P + 5000 * U, 1, kT0 + 10 * MS)) == RejectDetail::price_jump);
    InstrumentLimits off = l;
    off.max_jump_bps = 0;
    REQUIRE(e.set_instrument_limits(0, off).ok());
    CHECK(outcome(e, order(1, kBuy, P + 5000 * U, 1, kT0 + 10 * MS)) == OK);
    InstrumentLimits bad = l;
    bad.jump_settle_ns = 0;
    CHECK(e.set_instrument_limits(0, bad).field == LimitField::jump_settle_ns);
    bad = l;
    bad.jump_window_ns = 0;
    CHECK(e.set_instrument_limits(0, bad).field == LimitField::jump_window_ns);
    bad = l;
    bad.max_jump_bps = -1;
    CHECK(e.set_instrument_limits(0, bad).field == LimitField::max_jump_bps);
  }
}

TEST_CASE("check 4: price band, one raw unit and one tick beyond") {
  Engine e;
  setup(e);
  const InstrumentMarket m = btc_market();
  InstrumentLimits wide = btc_limits();
  wide.collar_bps = 10000;  // the band, not the collar, is under test
  e.set_instrument_limits(0, wide);
  CHECK(outcome(e, order(1, kBuy, m.limit_up + 1, 1)) == RejectDetail::price_above_band);
  CHECK(outcome(e, order(1, kBuy, m.limit_up + U / 100, 1)) == RejectDetail::price_above_band);
  CHECK(outcome(e, order(1, kBuy, m.limit_up, 1)) == OK);
  CHECK(outcome(e, order(2, kSell, m.limit_down - 1, 1)) == RejectDetail::price_below_band);
  CHECK(outcome(e, order(2, kSell, m.limit_down - U / 100, 1)) == RejectDetail::price_below_band);
  CHECK(outcome(e, order(3, kBuy, 0, 1)) == RejectDetail::price_below_band);
  CHECK(outcome(e, order(3, kBuy, -U, 1)) == RejectDetail::price_below_band);
  e.check(cancel(1));
  CHECK(e.on_cancel(1));
  CHECK(outcome(e, order(2, kSell, m.limit_down, 1)) == OK);
  // Null bounds are not tested.
  edit_market(e, 0, [&](InstrumentMarket& m) { m.limit_up = kNullI64; });
  edit_market(e, 0, [&](InstrumentMarket& m) { m.limit_down = kNullI64; });
  CHECK(outcome(e, order(4, kBuy, 150000 * U, 1)) == RejectDetail::self_match);  // passes 4, crosses own sell
}

TEST_CASE("check 5: price collar, exact cross-multiplied comparison") {
  Engine e;
  setup(e);
  // 500 bps of 100 000 = 5 000.
  CHECK(outcome(e, order(1, kBuy, P + 5000 * U + 1, 1)) == RejectDetail::price_collar);
  CHECK(outcome(e, order(1, kBuy, P + 5000 * U, 1)) == OK);
  e.on_cancel(1);
  CHECK(outcome(e, order(2, kSell, P - 5000 * U - 1, 1)) == RejectDetail::price_collar);
  CHECK(outcome(e, order(2, kSell, P - 5000 * U, 1)) == OK);

  SUBCASE("a mark whose collar is not a whole number of raw units") {
    // mark 99 999.999999999, 1 bp: the bound is 9.9999999999999; 9.999999999 is inside, 10 is not
    // (a rounded division mark × bps / 10000 = 10.000000000 would wrongly accept it).
    e.on_cancel(2);
    InstrumentLimits l = btc_limits();
    l.collar_bps = 1;
    e.set_instrument_limits(0, l);
    const int64_t mark = 99999999999999;
    edit_market(e, 0, [&](InstrumentMarket& m) { m.mark = mark; });
    CHECK(outcome(e, order(3, kBuy, mark + 10 * U, 1)) == RejectDetail::price_collar);
    CHECK(outcome(e, order(3, kSell, mark - 10 * U, 1)) == RejectDetail::price_collar);
    CHECK(outcome(e, order(3, kBuy, mark + 9999999999, 1)) == OK);
    e.on_cancel(3);
    CHECK(outcome(e, order(4, kSell, mark - 9999999999, 1)) == OK);
  }
}

TEST_CASE("check 6: quantity and notional, one contract and one raw unit beyond") {
  Engine e;
  setup(e);
  CHECK(outcome(e, order(1, kBuy, P, 0)) == RejectDetail::quantity_not_positive);
  CHECK(outcome(e, order(1, kBuy, P, -5)) == RejectDetail::quantity_not_positive);
  CHECK(outcome(e, order(1, kBuy, P, 1001)) == RejectDetail::quantity_above_max);
  CHECK(outcome(e, order(1, kBuy, P, 1000)) == OK);
  CHECK(outcome(e, order(2, kBuy, P, 1)) == OK);

  Engine f;
  setup(f);
  InstrumentLimits l = btc_limits();
  l.max_order_notional = 10000 * U - 1;  // 10 contracts at 100 000 × 0.01 = 10 000
  f.set_instrument_limits(0, l);
  CHECK(outcome(f, order(1, kBuy, P, 10)) == RejectDetail::notional_above_max);
  l.max_order_notional = 10000 * U;
  f.set_instrument_limits(0, l);
  CHECK(outcome(f, order(1, kBuy, P, 10)) == OK);
  CHECK(outcome(f, order(2, kBuy, P, 11)) == RejectDetail::notional_above_max);
  // The notional rounds up: 1 contract at 100 000.000000001 × 0.01 = 1 000.00000000001 → 1 000.000000001.
  l.max_order_notional = 1000 * U;
  f.set_instrument_limits(0, l);
  CHECK(outcome(f, order(3, kBuy, P + 1, 1)) == RejectDetail::notional_above_max);
  l.max_order_notional = 1000 * U + 1;
  f.set_instrument_limits(0, l);
  CHECK(outcome(f, order(3, kBuy, P + 1, 1)) == OK);
}

TEST_CASE("check 7: position limit on the worst case of the order's side") {
  Engine e;
  setup(e);  // instrument max_position 2000, max_order_qty 1000
  SUBCASE("buys count every open buy") {
    REQUIRE(outcome(e, order(1, kBuy, P, 1000)) == OK);
    REQUIRE(outcome(e, order(2, kBuy, P, 999)) == OK);
    CHECK(outcome(e, order(3, kBuy, P, 2)) == RejectDetail::position_limit);
    CHECK(outcome(e, order(3, kBuy, P, 1)) == OK);
    CHECK(outcome(e, order(4, kBuy, P, 1)) == RejectDetail::position_limit);
    // The sell side has its own worst case.
    CHECK(outcome(e, order(5, kSell, P + 100 * U, 1000)) == OK);
  }
  SUBCASE("sells against a long position") {
    e.set_position(0, 0, 500, P);
    REQUIRE(outcome(e, order(1, kSell, P, 1000)) == OK);
    REQUIRE(outcome(e, order(2, kSell, P, 1000)) == OK);
    CHECK(outcome(e, order(3, kSell, P, 501)) == RejectDetail::position_limit);
    CHECK(outcome(e, order(3, kSell, P, 500)) == OK);  // worst short = 2500 − 500 = 2000
    // The long side: 500 + buys ≤ 2000.
    CHECK(outcome(e, order(4, kBuy, P - 100 * U, 1000)) == OK);
    CHECK(outcome(e, order(5, kBuy, P - 100 * U, 501)) == RejectDetail::position_limit);
    CHECK(outcome(e, order(5, kBuy, P - 100 * U, 500)) == OK);
  }
  SUBCASE("the account's limit when it is the tighter") {
    AccountLimits a = account_limits();
    a.max_position = 10;
    e.set_account_limits(0, a);
    CHECK(outcome(e, order(1, kBuy, P, 11)) == RejectDetail::position_limit);
    CHECK(outcome(e, order(1, kBuy, P, 10)) == OK);
  }
  SUBCASE("a replace counts its new size instead of its old one") {
    REQUIRE(outcome(e, order(1, kBuy, P, 1000)) == OK);
    REQUIRE(outcome(e, order(2, kBuy, P, 500)) == OK);
    REQUIRE(outcome(e, order(3, kBuy, P, 400)) == OK);
    CHECK(outcome(e, replace(3, P, 501)) == RejectDetail::position_limit);
    CHECK(outcome(e, replace(3, P, 500)) == OK);
    CHECK(e.position(0, 0).exposure.open_buy == 2000);
  }
}

TEST_CASE("check 8: margin, to the last 1e-9 of cash") {
  Engine e;
  setup(e);
  // docs/risk.md "Example: tiers": 700 contracts at mark 100 000.123456789 × 0.01 = 700 000.864197523,
  // IM 42 000.086419753. A buy at 100 000 (below mark) adds no open-order loss.
  edit_market(e, 0, [&](InstrumentMarket& m) { m.mark = 100000 * U + 123456789; });
  const int64_t im = 42000086419753;
  e.set_cash(0, im - 1);
  CHECK(outcome(e, order(1, kBuy, P, 700)) == RejectDetail::margin);
  e.set_cash(0, im);
  CHECK(outcome(e, order(1, kBuy, P, 700)) == OK);
  CHECK(outcome(e, order(2, kBuy, P, 1)) == RejectDetail::margin);
  AccountMargin am = e.account_margin(0);
  CHECK(am.requirement == im);
  CHECK(am.equity == im);

  SUBCASE("a buy above mark adds its loss against mark") {
    // (100 050 − 100 000.123456789) × 700 × 0.01 = 349.135802477, exact.
    CHECK(e.on_cancel(1));
    const int64_t loss = 349135802477;
    e.set_cash(0, im + loss - 1);
    CHECK(outcome(e, order(3, kBuy, 100050 * U, 700)) == RejectDetail::margin);
    e.set_cash(0, im + loss);
    CHECK(outcome(e, order(3, kBuy, 100050 * U, 700)) == OK);
  }
  SUBCASE("unrealized losses lower equity") {
    CHECK(e.on_cancel(1));
    e.set_position(0, 0, 100, 100001 * U);  // long 100 above mark: −(0.876543211 × 100 × 0.01) = −0.876543211
    e.set_cash(0, 1000000 * U);
    AccountMargin m = e.account_margin(0);
    CHECK(m.equity == 1000000 * U - 876543211);
  }
}

TEST_CASE("check 9: daily gross notional") {
  Engine e;
  setup(e);
  AccountLimits a = account_limits();
  a.daily_notional_limit = 10000 * U - 1;
  e.set_account_limits(0, a);
  CHECK(outcome(e, order(1, kBuy, P, 10)) == RejectDetail::credit_limit);
  a.daily_notional_limit = 10000 * U;
  e.set_account_limits(0, a);
  CHECK(outcome(e, order(1, kBuy, P, 10)) == OK);
  CHECK(outcome(e, order(2, kSell, P + U, 1)) == RejectDetail::credit_limit);  // gross: sells count too
  // Filled notional stays used after the reservation is gone; a new day frees it.
  CHECK(e.on_fill(1, 10, P, kT0));
  CHECK(e.account(0).reserved_notional == 0);
  CHECK(e.account(0).filled_notional == 10000 * U);
  CHECK(outcome(e, order(2, kSell, P + U, 1)) == RejectDetail::credit_limit);
  e.reset_daily();
  CHECK(outcome(e, order(2, kSell, P + U, 1)) == OK);
}

TEST_CASE("check 10: throttle, session then account, to the token") {
  Engine e;
  setup(e);
  SUBCASE("session bucket") {
    e.set_session_limits(1, SessionLimits{10, 3});  // one token per 100 ms, burst 3
    for (int i = 1; i <= 3; ++i) CHECK(outcome(e, order(i, kBuy, P, 1, kT0, 0, 0, 0, 1)) == OK);
    CHECK(outcome(e, order(4, kBuy, P, 1, kT0, 0, 0, 0, 1)) == RejectDetail::throttle_session);
    CHECK(outcome(e, order(4, kBuy, P, 1, kT0 + 100000000 - 1, 0, 0, 0, 1)) == RejectDetail::throttle_session);
    CHECK(outcome(e, order(4, kBuy, P, 1, kT0 + 100000000, 0, 0, 0, 1)) == OK);
    CHECK(outcome(e, order(5, kBuy, P, 1, kT0 + 100000000, 0, 0, 0, 1)) == RejectDetail::throttle_session);
    // Session 0 has its own bucket.
    CHECK(outcome(e, order(5, kBuy, P, 1, kT0 + 100000000, 0, 0, 0, 0)) == OK);
    // An earlier time refills nothing.
    CHECK(outcome(e, order(6, kBuy, P, 1, kT0, 0, 0, 0, 1)) == RejectDetail::throttle_session);
  }
  SUBCASE("account bucket") {
    AccountLimits a = account_limits();
    a.orders_per_second = 4;  // one token per 250 ms
    a.order_burst = 2;
    e.set_account_limits(0, a);  // the bucket keeps its level, capped at the new burst
    e.set_account_limits(1, a);
    e.set_cash(1, 1000000 * U);
    CHECK(outcome(e, order(1, kBuy, P, 1)) == OK);
    CHECK(outcome(e, order(2, kBuy, P, 1)) == OK);
    CHECK(outcome(e, order(3, kBuy, P, 1)) == RejectDetail::throttle_account);
    CHECK(outcome(e, order(3, kBuy, P, 1, kT0 + 250000000 - 1)) == RejectDetail::throttle_account);
    CHECK(outcome(e, order(3, kBuy, P, 1, kT0 + 250000000)) == OK);
    CHECK(outcome(e, order(4, kBuy, P, 1, kT0 + 250000000, /*account*/ 1)) == OK);  // own bucket
    // Replaces take a token too; a full bucket never holds more than the burst.
    CHECK(outcome(e, replace(1, P, 2, kT0 + 250000000)) == RejectDetail::throttle_account);
    const int64_t later = kT0 + 900000000000;  // 15 minutes: the bucket is full again, 2 tokens
    edit_market(e, 0, [&](InstrumentMarket& m) { m.last_update = later; });
    CHECK(outcome(e, replace(1, P, 2, later)) == OK);
    CHECK(outcome(e, order(5, kBuy, P, 1, later)) == OK);
    CHECK(outcome(e, order(6, kBuy, P, 1, later)) == RejectDetail::throttle_account);
    CHECK(outcome(e, order(6, kBuy, P, 1, later + 250000000)) == OK);  // the rejected request took nothing
  }
}

TEST_CASE("check 10 with throttle weights: replaces and cancels counted, cancels never refused") {
  Engine e;
  setup(e);
  constexpr int64_t MS = 1000000;  // one token per ms at 1000 orders per second
  AccountLimits a = account_limits();
  a.orders_per_second = 1000;
  a.order_burst = 5;
  a.throttle_weight_new = 1;
  a.throttle_weight_replace = 3;
  a.throttle_weight_cancel = 2;
  REQUIRE(e.set_account_limits(0, a).ok());
  SUBCASE("a replace needs and takes its weight: accepted at 3 tokens, refused one ns short of them") {
    REQUIRE(outcome(e, order(1, kBuy, P, 1)) == OK);       // 5 -> 4
    REQUIRE(outcome(e, order(2, kBuy, P, 1)) == OK);       // 4 -> 3
    REQUIRE(outcome(e, replace(1, P, 2)) == OK);           // 3 -> 0: at exactly its weight
    CHECK(e.account(0).bucket.tokens == 0);
    CHECK(outcome(e, replace(2, P, 2, kT0 + 3 * MS - 1)) == RejectDetail::throttle_account);
    CHECK(outcome(e, order(3, kBuy, P, 1, kT0 + 3 * MS - 1)) == OK);  // a new order needs 1 only
    CHECK(outcome(e, replace(2, P, 2, kT0 + 4 * MS - 1)) == RejectDetail::throttle_account);
    CHECK(outcome(e, replace(2, P, 2, kT0 + 4 * MS)) == OK);
  }
  SUBCASE("cancels take their weight, or what is left, and are never refused") {
    REQUIRE(outcome(e, order(1, kBuy, P, 1)) == OK);  // 5 -> 4
    CHECK(e.check(cancel(1)).accepted);               // 4 -> 2
    CHECK(e.account(0).bucket.tokens == 2 * kTokenScale);
    CHECK(e.check(cancel(1)).accepted);               // 2 -> 0
    e.set_kill_account(0, true);
    CHECK(e.check(cancel(1)).accepted);               // an empty bucket and a kill switch: still passes
    e.set_kill_account(0, false);
    CHECK(e.account(0).bucket.tokens == 0);
    CHECK(e.counters().cancels == 3);
    CHECK(outcome(e, order(2, kBuy, P, 1, kT0 + MS - 1)) == RejectDetail::throttle_account);
    CHECK(outcome(e, order(2, kBuy, P, 1, kT0 + MS)) == OK);
    // One token left and a cancel of weight 2: the bucket empties (no debt).
    CHECK(outcome(e, order(3, kBuy, P, 1, kT0 + 3 * MS)) == OK);  // 2 -> 1
    CHECK(e.check(cancel(3, kT0 + 3 * MS)).accepted);                // 1 -> 0
    CHECK(outcome(e, order(4, kBuy, P, 1, kT0 + 4 * MS)) == OK);     // one ms later: one token again
  }
  SUBCASE("weight 0: the kind never waits for that bucket; the session's weights apply to it alone") {
    a.throttle_weight_new = 0;
    REQUIRE(e.set_account_limits(0, a).ok());
    const TokenBucket before = e.account(0).bucket;
    for (int id = 1; id <= 20; ++id) CHECK(outcome(e, order(id, kBuy, P - id * U, 1)) == OK);
    CHECK(e.account(0).bucket.tokens == before.tokens);  // untouched
    REQUIRE(e.set_session_limits(1, SessionLimits{1000, 4, 2, 2, 4}).ok());
    CHECK(outcome(e, order(30, kBuy, P, 1, kT0, 0, 0, 0, 1)) == OK);  // 4 -> 2
    CHECK(e.check(cancel(30, kT0, 0, 0)).accepted);                   // (session 0: weight 0)
    OrderRequest c = cancel(30);
    c.session = 1;
    CHECK(e.check(c).accepted);                                       // 2 -> 0
    CHECK(outcome(e, order(31, kBuy, P, 1, kT0 + 2 * MS - 1, 0, 0, 0, 1)) == RejectDetail::throttle_session);
    CHECK(outcome(e, order(31, kBuy, P, 1, kT0 + 2 * MS, 0, 0, 0, 1)) == OK);
  }
  SUBCASE("weights are validated: 0 up to the burst and 1000") {
    AccountLimits bad = a;
    bad.throttle_weight_cancel = 6;  // more than the burst: could never be met
    CHECK(e.set_account_limits(0, bad).field == LimitField::throttle_weight_cancel);
    CHECK(e.set_account_limits(0, bad).code == LimitsErrc::too_large);
    bad = a;
    bad.throttle_weight_replace = -1;
    CHECK(e.set_account_limits(0, bad).field == LimitField::throttle_weight_replace);
    bad = a;
    bad.order_burst = 2000;
    bad.throttle_weight_new = 1001;
    CHECK(e.set_account_limits(0, bad).code == LimitsErrc::too_large);
    bad.throttle_weight_new = 1000;
    CHECK(e.set_account_limits(0, bad).ok());
    CHECK(e.set_session_limits(0, SessionLimits{10, 3, 1, 4, 0}).field == LimitField::throttle_weight_replace);
    a.throttle_weight_replace = 5;  // = the burst
    CHECK(e.set_account_limits(0, a).ok());
  }
}

TEST_CASE("check 11: duplicate client order id within the window") {
  Engine e;  // dedup window of 32
  setup(e);
  REQUIRE(outcome(e, order(1, kBuy, P, 1)) == OK);
  CHECK(outcome(e, order(1, kBuy, P, 1)) == RejectDetail::duplicate_client_order_id);  // open
  CHECK(e.on_cancel(1));
  CHECK(outcome(e, order(1, kBuy, P, 1)) == RejectDetail::duplicate_client_order_id);  // in the window
  // 31 more ids: id 1 is the oldest of 32, still remembered.
  for (int64_t id = 2; id <= 32; ++id) {
    REQUIRE(outcome(e, order(id, kBuy, P, 1, kT0 + id * 10000000)) == OK);
    e.on_cancel(id);
  }
  CHECK(outcome(e, order(1, kBuy, P, 1, kT0 + 330000000)) == RejectDetail::duplicate_client_order_id);
  REQUIRE(outcome(e, order(33, kBuy, P, 1, kT0 + 330000000)) == OK);  // pushes id 1 out
  CHECK(outcome(e, order(1, kBuy, P, 1, kT0 + 340000000)) == OK);  // pushes id 2 out
  CHECK(outcome(e, order(3, kBuy, P, 1, kT0 + 340000000)) == RejectDetail::duplicate_client_order_id);
  CHECK(outcome(e, order(2, kBuy, P, 1, kT0 + 340000000)) == OK);
  // A rejected request leaves no trace: the id stays free.
  CHECK(outcome(e, order(500, kBuy, 1, 1, kT0 + 340000000)) == RejectDetail::price_below_band);
  CHECK(outcome(e, order(500, kBuy, P, 1, kT0 + 340000000)) == OK);
}

TEST_CASE("check 12: reduce-only, to the contract") {
  Engine e;
  setup(e);
  SUBCASE("flat: nothing to reduce") {
    CHECK(outcome(e, order(1, kSell, P, 1, kT0, 0, 0, kOrderReduceOnly)) == RejectDetail::reduce_only);
    CHECK(outcome(e, order(1, kBuy, P, 1, kT0, 0, 0, kOrderReduceOnly)) == RejectDetail::reduce_only);
  }
  SUBCASE("long 10") {
    e.set_position(0, 0, 10, P);
    CHECK(outcome(e, order(1, kBuy, P, 1, kT0, 0, 0, kOrderReduceOnly)) == RejectDetail::reduce_only);
    CHECK(outcome(e, order(1, kSell, P, 11, kT0, 0, 0, kOrderReduceOnly)) == RejectDetail::reduce_only);
    CHECK(outcome(e, order(1, kSell, P, 10, kT0, 0, 0, kOrderReduceOnly)) == OK);
    CHECK(e.on_cancel(1));
    // Every open sell counts, reduce-only or not.
    REQUIRE(outcome(e, order(2, kSell, P + U, 4)) == OK);
    CHECK(outcome(e, order(3, kSell, P, 7, kT0, 0, 0, kOrderReduceOnly)) == RejectDetail::reduce_only);
    CHECK(outcome(e, order(3, kSell, P, 6, kT0, 0, 0, kOrderReduceOnly)) == OK);
    CHECK(outcome(e, order(4, kSell, P, 1, kT0, 0, 0, kOrderReduceOnly)) == RejectDetail::reduce_only);
    // A replace of a reduce-only order keeps the flag: 4 + 6 → 4 + 7 is too much.
    CHECK(outcome(e, replace(3, P, 7)) == RejectDetail::reduce_only);
  }
  SUBCASE("short 5") {
    e.set_position(0, 0, -5, P);
    CHECK(outcome(e, order(1, kBuy, P, 6, kT0, 0, 0, kOrderReduceOnly)) == RejectDetail::reduce_only);
    CHECK(outcome(e, order(1, kBuy, P, 5, kT0, 0, 0, kOrderReduceOnly)) == OK);
  }
}

TEST_CASE("check 13: self-match against the account's own open orders") {
  Engine e;
  setup(e);
  SUBCASE("a buy against an own sell") {
    REQUIRE(outcome(e, order(1, kSell, P + 10 * U, 1)) == OK);
    CHECK(outcome(e, order(2, kBuy, P + 10 * U, 1)) == RejectDetail::self_match);
    CHECK(outcome(e, order(2, kBuy, P + 10 * U - 1, 1)) == OK);
    // Another account may cross it.
    e.set_account_limits(1, account_limits());
    e.set_cash(1, 1000000 * U);
    CHECK(outcome(e, order(3, kBuy, P + 20 * U, 1, kT0, 1)) == OK);
  }
  SUBCASE("a sell against an own buy") {
    REQUIRE(outcome(e, order(1, kBuy, P - 10 * U, 1)) == OK);
    CHECK(outcome(e, order(2, kSell, P - 10 * U, 1)) == RejectDetail::self_match);
    CHECK(outcome(e, order(2, kSell, P - 10 * U + 1, 1)) == OK);
  }
  SUBCASE("the best price follows cancels") {
    REQUIRE(outcome(e, order(1, kSell, P + 10 * U, 1)) == OK);
    REQUIRE(outcome(e, order(2, kSell, P + 20 * U, 1)) == OK);
    CHECK(outcome(e, order(3, kBuy, P + 15 * U, 1)) == RejectDetail::self_match);
    CHECK(e.on_cancel(1));
    CHECK(e.position(0, 0).exposure.best_sell == P + 20 * U);
    CHECK(outcome(e, order(3, kBuy, P + 15 * U, 1)) == OK);
  }
}

TEST_CASE("check 13 across an owner's accounts: self_match_owner at the other account's price, one unit inside passes") {
  Engine e;
  setup(e);
  AccountLimits owned = account_limits();
  owned.owner = 1;
  for (int a = 0; a < 3; ++a) {
    AccountLimits l = a < 2 ? owned : account_limits();  // accounts 0 and 1 share owner 1; 2 has none
    REQUIRE(e.set_account_limits(a, l).ok());
    e.set_cash(a, 1000000 * U);
  }
  REQUIRE(outcome(e, order(1, kSell, P + 10 * U, 1, kT0, 0)) == OK);
  REQUIRE(outcome(e, order(2, kBuy, P - 10 * U, 1, kT0, 0)) == OK);
  SUBCASE("the other account of the owner may not cross, at the price or beyond; one unit inside passes") {
    CHECK(outcome(e, order(3, kBuy, P + 10 * U, 1, kT0, 1)) == RejectDetail::self_match_owner);
    CHECK(outcome(e, order(3, kBuy, P + 20 * U, 1, kT0, 1)) == RejectDetail::self_match_owner);
    CHECK(outcome(e, order(3, kSell, P - 10 * U, 1, kT0, 1)) == RejectDetail::self_match_owner);
    CHECK(e.counters().rejected[(int)RejectReason::self_match] == 3);
    CHECK(e.evaluate(order(3, kBuy, P + 10 * U - 1, 1, kT0, 1)).accepted);
    CHECK(e.evaluate(order(4, kSell, P - 10 * U + 1, 1, kT0, 1)).accepted);
  }
  SUBCASE("the account's own order is reported as self_match first") {
    CHECK(outcome(e, order(3, kBuy, P + 10 * U, 1, kT0, 0)) == RejectDetail::self_match);
  }
  SUBCASE("an account without owner, and another instrument, are not affected") {
    CHECK(outcome(e, order(3, kBuy, P + 20 * U, 1, kT0, 2)) == OK);
    e.set_instrument_limits(1, btc_limits());
    e.set_market(1, btc_market());
    CHECK(outcome(e, order(4, kBuy, P + 20 * U, 1, kT0, 1, 1)) == OK);
  }
  SUBCASE("the owner's best price follows the orders as they leave, back off and are replaced") {
    REQUIRE(outcome(e, order(3, kSell, P + 12 * U, 1, kT0, 1)) == OK);  // the other account's sell, behind
    CHECK(outcome(e, order(4, kBuy, P + 11 * U, 1, kT0, 1)) == RejectDetail::self_match_owner);
    CHECK(e.on_cancel(1));  // account 0's sell at +10 leaves: +12 (account 1's own) is the best
    CHECK(outcome(e, order(4, kBuy, P + 11 * U, 1, kT0, 2)) == OK);       // (no owner)
    CHECK(outcome(e, order(5, kBuy, P + 11 * U, 1, kT0, 0)) == OK);       // below account 1's +12
    CHECK(outcome(e, order(6, kBuy, P + 12 * U, 1, kT0, 0)) == RejectDetail::self_match_owner);
    CHECK(outcome(e, replace(3, P + 30 * U, 1, kT0, 1)) == OK);          // in flight: +12 still counts
    CHECK(outcome(e, order(6, kBuy, P + 12 * U, 1, kT0, 0)) == RejectDetail::self_match_owner);
    CHECK(e.on_replace(3));                                              // now at +30
    CHECK(outcome(e, order(6, kBuy, P + 12 * U, 1, kT0, 0)) == OK);
    CHECK(outcome(e, order(7, kBuy, P + 30 * U, 1, kT0, 0)) == RejectDetail::self_match_owner);
  }
  SUBCASE("leaving the owner (a limits reload) ends it; joining starts it") {
    REQUIRE(e.set_account_limits(0, account_limits()).ok());
    CHECK(outcome(e, order(3, kBuy, P + 10 * U, 1, kT0, 1)) == OK);
    REQUIRE(e.set_account_limits(0, owned).ok());
    CHECK(outcome(e, order(4, kBuy, P + 11 * U, 1, kT0, 0)) == RejectDetail::self_match);  // its own sell
    CHECK(outcome(e, order(4, kSell, P + 10 * U, 1, kT0, 1)) == RejectDetail::self_match);  // account 1's own buy at +10
    CHECK(outcome(e, order(5, kSell, P + 10 * U, 1, kT0, 0)) == RejectDetail::self_match_owner);
  }
  SUBCASE("owner numbers are validated") {
    AccountLimits bad = account_limits();
    bad.owner = -1;
    CHECK(e.set_account_limits(3, bad).field == LimitField::owner);
    bad.owner = Engine::accounts + 1;  // more groups than the engine has accounts
    CHECK(e.set_account_limits(3, bad).code == LimitsErrc::too_large);
    bad.owner = Engine::accounts;
    CHECK(e.set_account_limits(3, bad).ok());
  }
}

TEST_CASE("order capacity: every check passed but no slot is free") {
  Engine e;  // 64 open orders
  setup(e);
  for (int id = 1; id <= 64; ++id) REQUIRE(outcome(e, order(id, kBuy, P, 1)) == OK);
  CHECK(e.open_orders() == 64);
  CHECK(outcome(e, order(65, kBuy, P, 1)) == RejectDetail::order_capacity);
  CHECK(e.on_fill(7, 1, P, kT0));
  CHECK(outcome(e, order(65, kBuy, P, 1)) == OK);
}

TEST_CASE("max open orders: per account and per account × instrument, accepted at the limit, rejected one past") {
  Engine e;
  setup(e);
  e.set_instrument_limits(1, btc_limits());
  e.set_market(1, btc_market());
  AccountLimits al = account_limits();
  al.max_open_orders = 5;
  al.max_open_orders_per_instrument = 3;
  REQUIRE(e.set_account_limits(0, al).ok());

  // Instrument 0: the 3rd order is at the per-instrument limit and accepted, the 4th is one past.
  for (int id = 1; id <= 3; ++id) REQUIRE(outcome(e, order(id, kBuy, P, 1)) == OK);
  CHECK(e.open_orders(0, 0) == 3);
  CHECK(outcome(e, order(4, kBuy, P, 1)) == RejectDetail::open_orders_instrument);
  CHECK(e.check(order(4, kBuy, P, 1)).reason == RejectReason::max_open_orders);
  // Instrument 1 has its own 3, but the account's 5 run out first: the 5th is accepted, the 6th not.
  CHECK(outcome(e, order(11, kBuy, P, 1, kT0, 0, 1)) == OK);
  CHECK(outcome(e, order(12, kBuy, P, 1, kT0, 0, 1)) == OK);
  CHECK(e.open_orders(0) == 5);
  CHECK(outcome(e, order(13, kBuy, P, 1, kT0, 0, 1)) == RejectDetail::open_orders_account);
  // The account limit is checked before the instrument's.
  CHECK(outcome(e, order(5, kBuy, P, 1)) == RejectDetail::open_orders_account);

  // A replace opens no order: it passes at the limit. Cancels pass too.
  CHECK(outcome(e, replace(1, P, 2)) == OK);
  CHECK(outcome(e, cancel(2)) == OK);
  CHECK(e.open_orders(0) == 5);  // until the exchange confirms it

  // An order that finishes (cancel confirmed, filled) frees its place, in all and in its instrument.
  CHECK(e.on_cancel(2));
  CHECK(e.open_orders(0) == 4);
  CHECK(e.open_orders(0, 0) == 2);
  CHECK(outcome(e, order(13, kBuy, P, 1, kT0, 0, 1)) == OK);  // instrument 1: its 3rd
  CHECK(outcome(e, order(14, kBuy, P, 1)) == RejectDetail::open_orders_account);
  CHECK(e.on_fill(11, 1, P, kT0));
  CHECK(outcome(e, order(14, kBuy, P, 1)) == OK);  // instrument 0: its 3rd again
  CHECK(outcome(e, order(15, kBuy, P, 1)) == RejectDetail::open_orders_account);

  // Other accounts are not affected.
  e.set_account_limits(1, account_limits());
  e.set_cash(1, 1000000 * U);
  CHECK(outcome(e, order(20, kBuy, P, 1, kT0, 1)) == OK);

  // Limits apply live; 0 is no limit; a negative or too large one is refused and the old stays.
  al.max_open_orders = 6;
  REQUIRE(e.set_account_limits(0, al).ok());
  CHECK(outcome(e, order(15, kBuy, P, 1)) == RejectDetail::open_orders_instrument);     // instrument 0 holds 3
  CHECK(outcome(e, order(16, kBuy, P, 1, kT0, 0, 1)) == OK);                            // the account's 6th
  CHECK(outcome(e, order(17, kBuy, P, 1, kT0, 0, 1)) == RejectDetail::open_orders_account);
  al.max_open_orders = 7;
  al.max_open_orders_per_instrument = 0;
  REQUIRE(e.set_account_limits(0, al).ok());
  CHECK(outcome(e, order(17, kBuy, P, 1)) == OK);  // instrument 0's 4th: no per-instrument limit now
  CHECK(outcome(e, order(18, kBuy, P, 1)) == RejectDetail::open_orders_account);
  AccountLimits bad = al;
  bad.max_open_orders = -1;
  CHECK(e.set_account_limits(0, bad).field == LimitField::max_open_orders);
  bad = al;
  bad.max_open_orders_per_instrument = kMaxConfigOpenOrders + 1;
  CHECK(e.set_account_limits(0, bad).code == LimitsErrc::too_large);
  CHECK(outcome(e, order(18, kBuy, P, 1)) == RejectDetail::open_orders_account);
  CHECK(e.counters().rejected[(int)RejectReason::max_open_orders] >= 9);
}

TEST_CASE("max open orders comes after check 13 and before the table's capacity") {
  Engine e;  // 64 open orders
  setup(e);
  AccountLimits al = account_limits();
  al.max_open_orders = 64;
  REQUIRE(e.set_account_limits(0, al).ok());
  REQUIRE(outcome(e, order(1, kSell, P + 10 * U, 1)) == OK);
  for (int id = 2; id <= 64; ++id) REQUIRE(outcome(e, order(id, kSell, P + 10 * U, 1)) == OK);
  CHECK(outcome(e, order(65, kBuy, P + 10 * U, 1)) == RejectDetail::self_match);      // 13 first
  CHECK(outcome(e, order(65, kBuy, P, 1)) == RejectDetail::open_orders_account);      // then max open orders
  al.max_open_orders = 0;
  REQUIRE(e.set_account_limits(0, al).ok());
  CHECK(outcome(e, order(65, kBuy, P, 1)) == RejectDetail::order_capacity);           // then capacity
}

TEST_CASE("duplicate order content: the same order within the window is refused, one ns past it is not") {
  Engine e;
  setup(e);
  e.set_instrument_limits(1, btc_limits());
  e.set_market(1, btc_market());
  AccountLimits al = account_limits();
  al.duplicate_window_ns = 1000000;  // 1 ms
  REQUIRE(e.set_account_limits(0, al).ok());

  REQUIRE(outcome(e, order(1, kBuy, P, 2, kT0)) == OK);
  // Same instrument, side, price and quantity, a new id: refused at the window's end, accepted one ns past.
  CHECK(outcome(e, order(2, kBuy, P, 2, kT0 + 1000000)) == RejectDetail::duplicate_content);
  CHECK(e.check(order(2, kBuy, P, 2, kT0 + 1000000)).reason == RejectReason::duplicate_order);
  CHECK(outcome(e, order(3, kBuy, P, 2, kT0 + 1000001)) == OK);
  // Any field that differs makes it another order.
  CHECK(outcome(e, order(4, kBuy, P, 3, kT0 + 1000001)) == OK);                // quantity
  CHECK(outcome(e, order(5, kBuy, P - U, 2, kT0 + 1000001)) == OK);            // price
  CHECK(outcome(e, order(6, kSell, P + 10 * U, 2, kT0 + 1000001)) == OK);      // side
  CHECK(outcome(e, order(7, kSell, P + 10 * U, 2, kT0 + 1000001, 0, 1)) == OK);  // instrument
  // The refused copy left no trace: the window still runs from the accepted order (3).
  CHECK(outcome(e, order(8, kBuy, P, 2, kT0 + 2000001)) == RejectDetail::duplicate_content);
  CHECK(outcome(e, order(8, kBuy, P, 2, kT0 + 2000002)) == OK);
  // Other accounts do not see this account's orders.
  e.set_account_limits(1, al);
  e.set_cash(1, 1000000 * U);
  CHECK(outcome(e, order(20, kBuy, P, 2, kT0 + 2000002, 1)) == OK);
  // Replaces and cancels are not new orders: never refused for it.
  CHECK(outcome(e, replace(8, P, 2)) == OK);
  CHECK(outcome(e, cancel(3)) == OK);
  // The history is the last kDuplicateHistory accepted new orders: one older is forgotten.
  const int64_t t = kT0 + 3000000;
  REQUIRE(outcome(e, order(100, kBuy, P - 50 * U, 1, t)) == OK);
  for (int k = 1; k < kDuplicateHistory; ++k) REQUIRE(outcome(e, order(100 + k, kBuy, P - 50 * U - k * U, 1, t)) == OK);
  CHECK(outcome(e, order(200, kBuy, P - 50 * U, 1, t)) == RejectDetail::duplicate_content);  // the 16th back: still seen
  REQUIRE(outcome(e, order(201, kBuy, P - 80 * U, 1, t)) == OK);
  CHECK(outcome(e, order(202, kBuy, P - 50 * U, 1, t)) == OK);  // now 17 back: forgotten
  // 0 turns it off; a window past an hour is refused and the old one stays.
  AccountLimits bad = al;
  bad.duplicate_window_ns = kMaxConfigDuplicateWindowNs + 1;
  CHECK(e.set_account_limits(0, bad).field == LimitField::duplicate_window_ns);
  bad.duplicate_window_ns = -1;
  CHECK(e.set_account_limits(0, bad).field == LimitField::duplicate_window_ns);
  CHECK(outcome(e, order(203, kBuy, P - 80 * U, 1, t)) == RejectDetail::duplicate_content);
  al.duplicate_window_ns = 0;
  REQUIRE(e.set_account_limits(0, al).ok());
  CHECK(outcome(e, order(203, kBuy, P - 80 * U, 1, t)) == OK);
}

TEST_CASE("duplicate order content comes after max open orders and before the table's capacity") {
  Engine e;  // 64 open orders
  setup(e);
  AccountLimits al = account_limits();
  al.max_open_orders = 64;
  al.duplicate_window_ns = 1000000000;
  REQUIRE(e.set_account_limits(0, al).ok());
  for (int id = 1; id <= 64; ++id) REQUIRE(outcome(e, order(id, kSell, P + (10 + id) * U, 1)) == OK);
  CHECK(outcome(e, order(65, kSell, P + 11 * U, 1)) == RejectDetail::open_orders_account);  // max open orders first
  al.max_open_orders = 0;
  REQUIRE(e.set_account_limits(0, al).ok());
  CHECK(outcome(e, order(65, kSell, P + 64 * U, 1)) == RejectDetail::duplicate_content);    // then duplicate content
  CHECK(outcome(e, order(65, kSell, P + 11 * U, 1)) == RejectDetail::order_capacity);       // (16 back: forgotten) then capacity
}

TEST_CASE("check order: an order failing every check reports each in turn") {
  Engine e;
  setup(e);
  e.set_session_limits(0, SessionLimits{10, 3});
  // Resting orders and a position that the request will run into, accepted while all is well.
  REQUIRE(outcome(e, order(100, kBuy, 99000 * U, 5)) == OK);    // own buy: the request would cross it
  REQUIRE(outcome(e, order(101, kSell, 101000 * U, 10)) == OK); // open sells: worst short and reduce-only
  REQUIRE(outcome(e, order(102, kBuy, 98000 * U, 1)) == OK);    // its id gets reused below
  e.on_cancel(102);
  e.set_position(0, 0, 2, P);

  // Now break every check. The request: reduce-only sell 5 at 99 000, id 102. Session bucket: empty.
  OrderRequest r = order(102, kSell, 99000 * U, 5, kT0, 0, 0, kOrderReduceOnly);
  e.set_kill_global(true);
  edit_market(e, 0, [&](InstrumentMarket& m) { m.trading_status = 2; });
  edit_market(e, 0, [&](InstrumentMarket& m) { m.synced = 0; });
  edit_market(e, 0, [&](InstrumentMarket& m) { m.limit_down = 99500 * U; });
  InstrumentLimits il = btc_limits();
  il.collar_bps = 50;     // 99 000 is 100 bps off
  il.max_order_qty = 4;
  e.set_instrument_limits(0, il);
  AccountLimits al = account_limits();
  al.max_position = 12;   // worst short = 15 − 2 = 13
  al.daily_notional_limit = U;
  e.set_account_limits(0, al);
  e.set_cash(0, -1000000 * U);

  const RejectReason expected[] = {
      RejectReason::kill_switch, RejectReason::instrument_not_tradable, RejectReason::market_data_untrusted,
      RejectReason::price_band, RejectReason::price_collar, RejectReason::order_size,
      RejectReason::position_limit, RejectReason::margin, RejectReason::credit_limit,
      RejectReason::throttle, RejectReason::duplicate_client_order_id, RejectReason::reduce_only,
      RejectReason::self_match, RejectReason::none};
  for (int step = 0; step < 14; ++step) {
    CAPTURE(step);
    CHECK(reason_of(e, r) == expected[step]);
    switch (step) {  // repair the check that just failed
      case 0: e.set_kill_global(false); break;
      case 1: edit_market(e, 0, [&](InstrumentMarket& m) { m.trading_status = kTradingStatusOpen; }); break;
      case 2: edit_market(e, 0, [&](InstrumentMarket& m) { m.synced = 1; }); break;
      case 3: edit_market(e, 0, [&](InstrumentMarket& m) { m.limit_down = 90000 * U; }); break;
      case 4: il.collar_bps = 500; e.set_instrument_limits(0, il); break;
      case 5: il.max_order_qty = 1000; e.set_instrument_limits(0, il); break;
      case 6: al.max_position = 13; e.set_account_limits(0, al); break;
      case 7: e.set_cash(0, 1000000 * U); break;
      case 8: al.daily_notional_limit = 100000000 * U; e.set_account_limits(0, al); break;
      case 9: r.time = kT0 + 100000000; edit_market(e, 0, [&](InstrumentMarket& m) { m.last_update = r.time; }); break;
      case 10: r.client_order_id = 103; break;
      case 11: r.flags = 0; break;
      case 12: e.on_cancel(100); break;
      default: break;
    }
  }
  for (int k = 1; k <= 13; ++k) CHECK(e.counters().rejected[k] == 1);
}
