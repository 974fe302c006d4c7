// Reservations and the exchange's answers: fills, cancels, rejects, replaces; and the worked margin
// and funding examples of docs/risk.md, checked to the last 1e-9.
#include <doctest/doctest.h>

#include "tests/risk/risk_fixture.hpp"

using namespace pw_test;

namespace {
constexpr int64_t P = 100000 * U;

bool accepted(Engine& e, const OrderRequest& r) { return e.check(r).accepted; }
}  // namespace

TEST_CASE("fills move the reservation into the position") {
  Engine e;
  setup(e);
  REQUIRE(accepted(e, order(1, kBuy, P, 10)));
  CHECK(e.on_entered(1));
  CHECK(e.on_fill(1, 4, P - U, kT0));
  const PositionState& ps = e.position(0, 0);
  CHECK(ps.exposure.position == 4);
  CHECK(ps.exposure.entry_price == P - U);
  CHECK(ps.exposure.open_buy == 6);
  CHECK(e.account(0).reserved_notional == 6000 * U);
  CHECK(e.account(0).filled_notional == 3999960000000);  // 99 999 × 4 × 0.01 = 3 999.96
  CHECK(e.find_order(1)->filled == 4);
  CHECK(e.on_fill(1, 6, P, kT0));
  CHECK(ps.exposure.position == 10);
  CHECK(ps.exposure.entry_price == P - 400000000);  // (4 × 99 999 + 6 × 100 000) / 10 = 99 999.6
  CHECK(ps.exposure.open_buy == 0);
  CHECK(ps.exposure.best_buy == kNoBuyPrice);
  CHECK(e.account(0).reserved_notional == 0);
  CHECK(e.open_orders() == 0);
  CHECK(e.find_order(1) == nullptr);
  // Selling 15 closes 10 (realized (100 010 − 99 999.6) × 10 × 0.01 = 1.04) and opens 5 short at the fill.
  REQUIRE(accepted(e, order(2, kSell, P + 10 * U, 15)));
  CHECK(e.on_fill(2, 15, P + 10 * U, kT0));
  CHECK(ps.exposure.position == -5);
  CHECK(ps.exposure.entry_price == P + 10 * U);
  CHECK(ps.realized_pnl == 1040000000);
  CHECK(e.account(0).cash == 1000001040000000);
}

TEST_CASE("average entry rounds against the position, realized PnL rounds down") {
  int64_t pos = 0, entry = 0;
  const int64_t cs = U / 100;
  CHECK(apply_fill(pos, entry, kBuy, 1, 100 * U, cs) == 0);
  CHECK(apply_fill(pos, entry, kBuy, 2, 101 * U, cs) == 0);
  CHECK(entry == 100666666667);  // 100.666… up for a long
  pos = 0;
  entry = 0;
  apply_fill(pos, entry, kSell, 1, 100 * U, cs);
  apply_fill(pos, entry, kSell, 2, 101 * U, cs);
  CHECK(pos == -3);
  CHECK(entry == 100666666666);  // down for a short
  // Buying back 1 at 100: realized ⌊−1 × (100 − 100.666666666) × 0.01⌋ = ⌊0.00666666666⌋ = 0.006666666.
  CHECK(apply_fill(pos, entry, kBuy, 1, 100 * U, cs) == 6666666);
  // A loss rounds down too: buying 1 back at 101 loses 0.00333333334 → −0.003333334.
  CHECK(apply_fill(pos, entry, kBuy, 1, 101 * U, cs) == -3333334);
  CHECK(pos == -1);
  CHECK(apply_fill(pos, entry, kBuy, 1, 100 * U, cs) == 6666666);
  CHECK(pos == 0);
  CHECK(entry == 0);
}

TEST_CASE("cancels and rejects release") {
  Engine e;
  setup(e);
  REQUIRE(accepted(e, order(1, kBuy, P, 10)));
  REQUIRE(accepted(e, order(2, kBuy, P - U, 5)));
  CHECK(e.position(0, 0).exposure.open_buy == 15);
  CHECK(e.on_cancel(1));
  CHECK(e.position(0, 0).exposure.open_buy == 5);
  CHECK(e.position(0, 0).exposure.best_buy == P - U);
  CHECK(e.account(0).reserved_notional == 4999950000000);  // 5 × 999.99
  // A reject of an order the exchange never acknowledged releases it.
  CHECK(e.on_reject(2));
  CHECK(e.open_orders() == 0);
  CHECK(e.account(0).reserved_notional == 0);
  CHECK(e.position(0, 0).exposure.best_buy == kNoBuyPrice);
  // Once acknowledged, a reject without a replace in flight changes nothing.
  REQUIRE(accepted(e, order(3, kBuy, P, 1)));
  CHECK(e.on_entered(3));
  CHECK_FALSE(e.on_reject(3));
  CHECK(e.open_orders() == 1);
  // Events for ids with no open order are counted.
  CHECK_FALSE(e.on_cancel(1));
  CHECK_FALSE(e.on_fill(99, 1, P, kT0));
  CHECK_FALSE(e.on_entered(99));
  CHECK_FALSE(e.on_replace(3));  // no replace in flight
  CHECK(e.counters().unknown_events == 3);
}

TEST_CASE("a replace in flight reserves the larger of old and new") {
  Engine e;
  setup(e);
  REQUIRE(accepted(e, order(1, kBuy, P, 10)));
  e.on_entered(1);
  RiskDecision d = e.check(replace(1, P - 5 * U, 20));
  REQUIRE(d.accepted);
  CHECK(d.reserved_qty == 20);
  CHECK(d.reserved_notional == 19999 * U);  // max(10 × 1 000, 20 × 999.95)
  const Exposure& x = e.position(0, 0).exposure;
  CHECK(x.open_buy == 20);
  CHECK(x.best_buy == P);  // the old price is still the more aggressive

  SUBCASE("fills on the old order, then the replace lands") {
    CHECK(e.on_fill(1, 3, P, kT0));
    CHECK(x.position == 3);
    CHECK(x.open_buy == 17);                                  // max(10 − 3, 20 − 3)
    CHECK(e.account(0).reserved_notional == 16999150000000);  // max(7 × 1 000, 17 × 999.95)
    CHECK(e.on_replace(1));
    CHECK(x.open_buy == 17);
    CHECK(x.best_buy == P - 5 * U);
    CHECK(e.find_order(1)->price == P - 5 * U);
    CHECK(e.find_order(1)->qty == 20);
  }
  SUBCASE("the replace is refused: back to the old order") {
    CHECK(e.on_reject(1));
    CHECK(x.open_buy == 10);
    CHECK(e.account(0).reserved_notional == 10000 * U);
    CHECK(e.find_order(1)->replace_pending == 0);
  }
  SUBCASE("the old order fills completely before the replace: it is done") {
    CHECK(e.on_fill(1, 10, P, kT0));
    CHECK(e.open_orders() == 0);
    CHECK(x.open_buy == 0);
    CHECK_FALSE(e.on_reject(1));  // the exchange's refusal of the replace finds nothing
  }
}

TEST_CASE("a replace to a more aggressive price takes effect on the best price at once") {
  Engine e;
  setup(e);
  REQUIRE(accepted(e, order(1, kSell, P + 10 * U, 5)));
  REQUIRE(accepted(e, order(2, kSell, P + 20 * U, 5)));
  REQUIRE(accepted(e, replace(2, P + 5 * U, 5)));
  CHECK(e.position(0, 0).exposure.best_sell == P + 5 * U);
  CHECK(e.check(order(3, kBuy, P + 6 * U, 1)).reason == RejectReason::self_match);
  CHECK(e.on_reject(2));  // refused: the sell is back at 100 020, the best at 100 010
  CHECK(e.position(0, 0).exposure.best_sell == P + 10 * U);
  CHECK(accepted(e, order(3, kBuy, P + 6 * U, 1)));
}

TEST_CASE("replace down to the filled quantity finishes the order") {
  Engine e;
  setup(e);
  REQUIRE(accepted(e, order(1, kBuy, P, 10)));
  e.on_fill(1, 6, P, kT0);
  REQUIRE(accepted(e, replace(1, P, 6)));
  CHECK(e.position(0, 0).exposure.open_buy == 4);  // max(4, 0)
  CHECK(e.on_replace(1));
  CHECK(e.open_orders() == 0);
  CHECK(e.position(0, 0).exposure.open_buy == 0);
}

TEST_CASE("overfills and untracked fills still move the position") {
  Engine e;
  setup(e);
  REQUIRE(accepted(e, order(1, kBuy, P, 5)));
  CHECK(e.on_fill(1, 7, P, kT0));
  CHECK(e.position(0, 0).exposure.position == 7);
  CHECK(e.counters().overfills == 1);
  CHECK(e.open_orders() == 0);
  e.on_untracked_fill(0, 0, kSell, 2, P + 100 * U, kT0);
  CHECK(e.position(0, 0).exposure.position == 5);
  CHECK(e.account(0).cash == 1000000 * U + 2 * U);  // 2 × 100 × 0.01
}

TEST_CASE("docs/risk.md: tiered initial margin") {
  const MarginTable t = doc_tiers();
  CHECK(tiered_initial_margin(700000864197523, t) == 42000086419753);
  CHECK(tiered_initial_margin(0, t) == 0);
  CHECK(tiered_initial_margin(1, t) == 1);                        // ⌈1e-9 / 50⌉
  CHECK(tiered_initial_margin(100000 * U, t) == 2000 * U);        // the first cap exactly
  CHECK(tiered_initial_margin(100000 * U + 20, t) == 2000 * U + 1);
  CHECK(tiered_initial_margin(500000 * U, t) == 22000 * U);
  CHECK(tiered_initial_margin(1000000 * U, t) == 72000 * U);
}

TEST_CASE("notional from a contract value equals the direct 128-bit formula") {
  const int64_t prices[] = {1, 999999999, 100000 * U + 123456789, 3000 * U + 987654321, 1234500000, 9 * U / 7};
  const int64_t sizes[] = {1, U / 100, U / 10, 100 * U, 123456789};
  const int64_t qtys[] = {0, 1, 7, 493, 1000000, ((int64_t)1 << 33) - 1, (int64_t)1 << 33, (int64_t)1 << 40};
  for (int64_t p : prices)
    for (int64_t cs : sizes) {
      ContractValue v = contract_value(p, cs);
      CHECK(v.frac >= 0);
      CHECK(v.frac < U);
      for (int64_t q : qtys) {
        CAPTURE(p);
        CAPTURE(cs);
        CAPTURE(q);
        CHECK(notional_ceil(q, v) == money::notional_ceil(p, q, cs));
      }
    }
}

TEST_CASE("docs/risk.md: an account, fill by fill") {
  Engine e;
  setup(e);
  const int64_t mark = 100000 * U + 123456789;
  edit_market(e, 0, [&](InstrumentMarket& m) { m.mark = mark; });
  edit_market(e, 0, [&](InstrumentMarket& m) { m.funding_rate = 100000; });  // 0.0001
  e.set_cash(0, 100000 * U);

  REQUIRE(accepted(e, order(1, kBuy, 98000 * U, 100)));
  e.on_fill(1, 100, 98000 * U, kT0);
  REQUIRE(accepted(e, order(2, kBuy, 98001 * U, 200)));
  e.on_fill(2, 200, 98001 * U, kT0);
  const Exposure& x = e.position(0, 0).exposure;
  CHECK(x.position == 300);
  CHECK(x.entry_price == 98000666666667);
  REQUIRE(accepted(e, order(3, kSell, 100000 * U + 500000000, 7)));
  e.on_fill(3, 7, 100000 * U + 500000000, kT0);
  CHECK(x.position == 293);
  CHECK(x.entry_price == 98000666666667);
  CHECK(e.position(0, 0).realized_pnl == 139988333333);
  CHECK(e.account(0).cash == 100139988333333);

  REQUIRE(accepted(e, order(4, kBuy, 100050 * U, 200)));
  REQUIRE(accepted(e, order(5, kSell, 100150 * U, 300)));
  MarginParts m = instrument_margin(x, mark, U / 100, 100000, doc_tiers());
  CHECK(m.initial == 21650030432099);
  CHECK(m.open_loss == 99753086422);
  CHECK(m.unrealized == 5858408395057);
  CHECK(m.funding_owed == 29300036173);
  AccountMargin am = e.account_margin(0);
  CHECK(am.requirement == 21749783518521);
  CHECK(am.equity == 105969096692217);
  CHECK(am.equity - am.requirement == 84219313173696);
}

TEST_CASE("docs/risk.md: funding") {
  Engine e;
  setup(e);
  e.set_account_limits(1, account_limits());
  e.set_cash(1, 1000 * U);
  const int64_t mark = 100000 * U + 123456789;
  e.set_position(0, 0, 293, 98000666666667);
  e.set_position(1, 0, -41, 100000 * U);
  CHECK(funding_payment(293, mark, U / 100, 100000) == 29300036173);
  CHECK(funding_payment(-41, mark, U / 100, 100000) == -4100005061);
  CHECK(funding_payment(293, mark, U / 100, -250000) == -73250090432);

  e.apply_funding(0, mark, 100000);
  CHECK(e.account(0).cash == 1000000 * U - 29300036173);
  CHECK(e.account(1).cash == 1000 * U + 4100005061);
  CHECK(e.position(0, 0).funding_paid == 29300036173);
  CHECK(e.position(1, 0).funding_paid == -4100005061);
  e.apply_funding(0, mark, -250000);
  CHECK(e.account(0).cash == 1000000 * U - 29300036173 + 73250090432);
  CHECK(e.counters().funding_events == 2);

  // Between funding times only payments lower equity; expected receipts do not raise it.
  edit_market(e, 0, [&](InstrumentMarket& m) { m.mark = mark; });
  edit_market(e, 0, [&](InstrumentMarket& m) { m.funding_rate = 100000; });
  CHECK(instrument_margin(e.position(1, 0).exposure, mark, U / 100, 100000, doc_tiers()).funding_owed == 0);
  CHECK(instrument_margin(e.position(0, 0).exposure, mark, U / 100, 100000, doc_tiers()).funding_owed == 29300036173);
}

TEST_CASE("limits: validate names the bad field, a bad reload keeps the old limits") {
  CHECK(validate(btc_limits()).ok());
  CHECK(validate(account_limits()).ok());
  CHECK(validate(session_limits()).ok());

  InstrumentLimits il = btc_limits();
  il.collar_bps = 0;
  LimitsError err = validate(il);
  CHECK(err.code == LimitsErrc::not_positive);
  CHECK(err.field == LimitField::collar_bps);
  il = btc_limits();
  il.max_order_qty = (int64_t)INT32_MAX + 1;
  CHECK(validate(il).code == LimitsErrc::too_large);
  CHECK(validate(il).field == LimitField::max_order_qty);
  il = btc_limits();
  il.max_staleness_ns = -1;
  CHECK(validate(il).field == LimitField::max_staleness_ns);
  il = btc_limits();
  il.max_position = kMaxConfigQty + 1;
  CHECK(validate(il).field == LimitField::max_position);
  il = btc_limits();
  il.margin.count = 0;
  CHECK(validate(il).code == LimitsErrc::bad_count);
  il.margin.count = kMaxMarginTiers + 1;
  CHECK(validate(il).field == LimitField::margin_tier_count);
  il = btc_limits();
  il.margin.tiers[1].notional_cap = 100000 * U;  // not above tier 0's cap
  err = validate(il);
  CHECK(err.code == LimitsErrc::not_increasing);
  CHECK(err.field == LimitField::margin_tier_cap);
  CHECK(err.index == 1);
  il = btc_limits();
  il.margin.tiers[2].max_leverage = 20;  // rate must strictly increase
  err = validate(il);
  CHECK(err.field == LimitField::margin_tier_leverage);
  CHECK(err.index == 2);
  il.margin.tiers[2].max_leverage = 0;
  CHECK(validate(il).code == LimitsErrc::not_positive);
  il = btc_limits();
  il.margin.tiers[2].notional_cap = -5;  // the last tier's cap is not read
  CHECK(validate(il).ok());

  AccountLimits al = account_limits();
  al.order_burst = 0;
  CHECK(validate(al).field == LimitField::order_burst);
  al = account_limits();
  al.daily_notional_limit = 0;
  CHECK(validate(al).field == LimitField::daily_notional_limit);
  SessionLimits sl{kMaxConfigOrdersPerSecond + 1, 1};
  CHECK(validate(sl).code == LimitsErrc::too_large);
  CHECK(validate(sl).field == LimitField::orders_per_second);

  Engine e;
  setup(e);
  il = btc_limits();
  il.collar_bps = 0;
  CHECK(e.set_instrument_limits(0, il).field == LimitField::collar_bps);
  CHECK(accepted(e, order(1, kBuy, P + 5000 * U, 1)));  // the 500 bp collar still applies
  CHECK(e.check(order(2, kBuy, P + 5000 * U + 1, 1)).reason == RejectReason::price_collar);
  al = account_limits();
  al.max_position = 0;
  CHECK_FALSE(e.set_account_limits(0, al).ok());
  CHECK(e.account(0).limits.max_position == account_limits().max_position);
  CHECK(e.set_account_limits(9, account_limits()).code == LimitsErrc::bad_index);
  CHECK(e.set_session_limits(-1, session_limits()).code == LimitsErrc::bad_index);
  CHECK(e.set_instrument_limits(4, btc_limits()).code == LimitsErrc::bad_index);
}
