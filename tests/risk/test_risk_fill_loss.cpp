// The controls driven by fills and PnL: the repeated-execution (fill-rate) throttle per account ×
// instrument and the loss limit per account, at their boundaries (docs/risk.md).
#include <doctest/doctest.h>

#include <initializer_list>

#include "tests/risk/risk_fixture.hpp"

namespace {

using namespace pw_test;

constexpr RejectDetail OK = RejectDetail::none;
constexpr int64_t P = 100000 * U;  // the mark of btc_market()
constexpr int64_t kMs = 1000000;

RejectDetail outcome(Engine& e, const OrderRequest& r) {
  const RiskDecision d = e.check(r);
  CHECK(d.accepted == (d.reason == RejectReason::none));
  CHECK(reason_of(d.detail) == d.reason);
  return d.detail;
}

AccountLimits fill_rate(int64_t fills, int64_t qty, int64_t window_ns, int64_t cooldown_ns) {
  AccountLimits l = account_limits();
  l.fill_rate_fills = fills;
  l.fill_rate_qty = qty;
  l.fill_rate_window_ns = window_ns;
  l.fill_rate_cooldown_ns = cooldown_ns;
  return l;
}

// Resting buys far below the mark (ids from `id`), filled one contract each at the given times.
void fills_at(Engine& e, int64_t id, std::initializer_list<int64_t> times, int32_t qty = 1) {
  for (int64_t t : times) {
    REQUIRE(outcome(e, order(id, kBuy, P - 100 * U - id * U, qty, kT0)) == OK);
    REQUIRE(e.on_fill(id, qty, P - 100 * U - id * U, t));
    ++id;
  }
}

}  // namespace

TEST_CASE("fill-rate throttle: N fills within the window pass, one more pauses new orders for the cool-down") {
  Engine e;
  setup(e);
  e.set_instrument_limits(1, btc_limits());
  e.set_market(1, btc_market());
  REQUIRE(e.set_account_limits(0, fill_rate(3, 0, 1 * kMs, 10 * kMs)).ok());

  fills_at(e, 1, {kT0, kT0 + 1, kT0 + 2});  // 3 fills: at the limit
  CHECK(e.fill_paused_until(0, 0) == INT64_MIN);
  CHECK(outcome(e, order(50, kSell, P + 10 * U, 1, kT0 + 3)) == OK);
  // The 4th fill exactly one window after the first: inside it (t − t₀ ≤ T), one past N.
  const int64_t t4 = kT0 + 1 * kMs;
  fills_at(e, 4, {t4});
  CHECK(e.fill_paused_until(0, 0) == t4 + 10 * kMs);
  CHECK(e.counters().fill_rate_pauses == 1);
  const RiskDecision d = e.check(order(51, kSell, P + 11 * U, 1, t4 + 10 * kMs - 1));
  CHECK(d.reason == RejectReason::fill_rate);
  CHECK(d.detail == RejectDetail::fill_rate_paused);
  CHECK(e.counters().rejected[(int)RejectReason::fill_rate] == 1);
  // Replaces and cancels still pass (they pull quotes away); the other instrument is not paused.
  CHECK(outcome(e, replace(50, P + 12 * U, 1, t4)) == OK);
  CHECK(outcome(e, cancel(50, t4)) == OK);
  CHECK(outcome(e, order(52, kSell, P + 10 * U, 1, t4, 0, 1)) == OK);
  // The cool-down's end: accepted.
  CHECK(outcome(e, order(53, kSell, P + 13 * U, 1, t4 + 10 * kMs)) == OK);
  // Another account is not paused either.
  e.set_account_limits(1, account_limits());
  e.set_cash(1, 1000000 * U);
  CHECK(outcome(e, order(54, kSell, P + 10 * U, 1, t4, 1)) == OK);
}

TEST_CASE("fill-rate throttle: a fill one ns past the window no longer counts") {
  Engine e;
  setup(e);
  REQUIRE(e.set_account_limits(0, fill_rate(3, 0, 1 * kMs, 10 * kMs)).ok());
  fills_at(e, 1, {kT0, kT0 + 1, kT0 + 2, kT0 + 1 * kMs + 1});  // the first left the window
  CHECK(e.fill_paused_until(0, 0) == INT64_MIN);
  fills_at(e, 5, {kT0 + 1 * kMs + 1});  // fills 2, 3, 4, 5 within 1 ms: four
  CHECK(e.fill_paused_until(0, 0) == kT0 + 11 * kMs + 1);
}

TEST_CASE("fill-rate throttle: Q filled contracts within the window pass, one more pauses") {
  Engine e;
  setup(e);
  REQUIRE(e.set_account_limits(0, fill_rate(0, 10, 1 * kMs, 5 * kMs)).ok());
  fills_at(e, 1, {kT0}, 4);
  fills_at(e, 2, {kT0 + 10}, 6);  // 10 contracts: at the limit
  CHECK(e.fill_paused_until(0, 0) == INT64_MIN);
  fills_at(e, 3, {kT0 + 20}, 1);  // 11
  CHECK(e.fill_paused_until(0, 0) == kT0 + 20 + 5 * kMs);
  CHECK(outcome(e, order(4, kSell, P + 10 * U, 1, kT0 + 20 + 5 * kMs - 1)) == RejectDetail::fill_rate_paused);
  // A later fill in the cool-down lengthens it; an earlier-stamped one never shortens it.
  e.on_untracked_fill(0, 0, kSell, 1, P, kT0 + 30);
  CHECK(e.fill_paused_until(0, 0) == kT0 + 30 + 5 * kMs);
  e.on_untracked_fill(0, 0, kSell, 1, P, kT0 + 25);
  CHECK(e.fill_paused_until(0, 0) == kT0 + 30 + 5 * kMs);
  // Untracked fills count too.
  Engine f;
  setup(f);
  REQUIRE(f.set_account_limits(0, fill_rate(0, 10, 1 * kMs, 5 * kMs)).ok());
  f.on_untracked_fill(0, 0, kBuy, 10, P, kT0);
  CHECK(f.fill_paused_until(0, 0) == INT64_MIN);
  f.on_untracked_fill(0, 0, kSell, 1, P, kT0 + 1);
  CHECK(f.fill_paused_until(0, 0) == kT0 + 1 + 5 * kMs);
}

TEST_CASE("fill-rate throttle: more fills within the window than the ring holds pause (fail closed)") {
  Engine e;
  setup(e);
  REQUIRE(e.set_account_limits(0, fill_rate(0, 1000, 1 * kMs, 5 * kMs)).ok());
  for (int k = 0; k < kFillRateHistory; ++k) e.on_untracked_fill(0, 0, k % 2 ? kBuy : kSell, 1, P, kT0 + k);
  CHECK(e.fill_paused_until(0, 0) == INT64_MIN);  // 32 contracts, all in the ring
  e.on_untracked_fill(0, 0, kBuy, 1, P, kT0 + 40);  // the 33rd within 1 ms: its sum is no longer exact
  CHECK(e.fill_paused_until(0, 0) == kT0 + 40 + 5 * kMs);
}

TEST_CASE("fill-rate limits: off by default, N below the ring, window and cool-down required, bad ones refused") {
  CHECK(validate(account_limits()).ok());
  CHECK(validate(fill_rate(kMaxConfigFillRateFills, 0, 1, 1)).ok());
  CHECK(validate(fill_rate(kMaxConfigFillRateFills + 1, 0, 1, 1)).field == LimitField::fill_rate_fills);
  CHECK(validate(fill_rate(-1, 0, 1, 1)).field == LimitField::fill_rate_fills);
  CHECK(validate(fill_rate(0, kMaxConfigQty + 1, 1, 1)).field == LimitField::fill_rate_qty);
  CHECK(validate(fill_rate(3, 0, 0, 1)).field == LimitField::fill_rate_window_ns);
  CHECK(validate(fill_rate(0, 5, kMaxConfigFillRateWindowNs + 1, 1)).field == LimitField::fill_rate_window_ns);
  CHECK(validate(fill_rate(3, 0, 1, 0)).field == LimitField::fill_rate_cooldown_ns);
  CHECK(validate(fill_rate(3, 0, 1, kMaxConfigFillRateCooldownNs + 1)).field == LimitField::fill_rate_cooldown_ns);
  CHECK(validate(fill_rate(0, 0, 0, 0)).ok());  // both counts off: nothing else needed
  // With the throttle off the fills are still remembered: turned on, it sees them.
  Engine e;
  setup(e);
  fills_at(e, 1, {kT0, kT0 + 1});
  REQUIRE(e.set_account_limits(0, fill_rate(2, 0, 1 * kMs, 1 * kMs)).ok());
  fills_at(e, 3, {kT0 + 2});
  CHECK(e.fill_paused_until(0, 0) == kT0 + 2 + 1 * kMs);
}

TEST_CASE("fill-rate cool-down comes after duplicate content and before the table's capacity") {
  Engine e;  // 64 open orders
  setup(e);
  AccountLimits al = fill_rate(1, 0, 1 * kMs, 100 * kMs);
  al.duplicate_window_ns = 1000 * kMs;
  REQUIRE(e.set_account_limits(0, al).ok());
  for (int id = 1; id <= 64; ++id) REQUIRE(outcome(e, order(id, kSell, P + (10 + id) * U, 1)) == OK);
  e.on_untracked_fill(0, 0, kBuy, 1, P, kT0);
  e.on_untracked_fill(0, 0, kSell, 1, P, kT0 + 1);  // two fills within 1 ms: paused
  CHECK(outcome(e, order(65, kSell, P + 74 * U, 1, kT0 + 5)) == RejectDetail::duplicate_content);  // id 64's content
  CHECK(outcome(e, order(65, kSell, P + 200 * U, 1, kT0 + 5)) == RejectDetail::fill_rate_paused);  // then the pause
  al.fill_rate_fills = 0;
  REQUIRE(e.set_account_limits(0, al).ok());  // (the pause set stays until its end)
  CHECK(outcome(e, order(65, kSell, P + 200 * U, 1, kT0 + 100 * kMs + 1)) == RejectDetail::order_capacity);
}

TEST_CASE("loss limit: PnL at −X keeps trading, one unit below engages the account's kill switch") {
  Engine e;
  setup(e);
  AccountLimits al = account_limits();
  al.loss_limit = 1000 * U;
  REQUIRE(e.set_account_limits(0, al).ok());
  // Long 100 contracts of 0.01 at 100 000: one point of mark is 1.00 of PnL.
  REQUIRE(outcome(e, order(1, kBuy, P, 100)) == OK);
  REQUIRE(e.on_fill(1, 100, P, kT0));
  edit_market(e, 0, [](InstrumentMarket& m) { m.mark = P - 1000 * U; });
  CHECK(e.loss_pnl(0) == -1000 * U);
  CHECK_FALSE(e.kill_loss(0));
  CHECK(outcome(e, order(2, kSell, P + 10 * U, 1)) == OK);
  edit_market(e, 0, [](InstrumentMarket& m) { m.mark = P - 1000 * U - 1; });  // one unit below −X
  CHECK(e.loss_pnl(0) == -1000 * U - 1);
  CHECK(e.kill_loss(0));
  CHECK(e.counters().loss_limit_kills == 1);
  const RiskDecision d = e.check(order(3, kSell, P + 11 * U, 1));
  CHECK(d.reason == RejectReason::kill_switch);
  CHECK(d.detail == RejectDetail::kill_loss_limit);
  CHECK(outcome(e, cancel(2)) == OK);  // cancels pass
  // The account's own switch is another one: releasing it alone leaves the loss kill on (the host's
  // /unkill?account= releases both: KillSwitchBoard::take_loss_releases → clear_loss_kill).
  e.set_kill_account(0, false);
  CHECK(outcome(e, order(4, kSell, P + 12 * U, 1)) == RejectDetail::kill_loss_limit);
  // A recovery does not release it by itself; clearing it does (and a new dip engages it again).
  edit_market(e, 0, [](InstrumentMarket& m) { m.mark = P; });
  CHECK(e.kill_loss(0));
  e.clear_loss_kill(0);
  CHECK(outcome(e, order(5, kSell, P + 13 * U, 1)) == OK);
  edit_market(e, 0, [](InstrumentMarket& m) { m.mark = P - 2000 * U; });
  CHECK(e.kill_loss(0));
  CHECK(e.counters().loss_limit_kills == 2);
  CHECK(e.loss_kill_generation() == 2);
}

TEST_CASE("loss limit: realized losses and funding paid count, funding owed not yet paid does not") {
  Engine e;
  setup(e);
  AccountLimits al = account_limits();
  al.loss_limit = 1000 * U;
  REQUIRE(e.set_account_limits(0, al).ok());
  REQUIRE(outcome(e, order(1, kBuy, P, 100)) == OK);
  REQUIRE(e.on_fill(1, 100, P, kT0));
  // Funding rate 0.05 % accrues (owed, not paid): no effect on the loss limit.
  edit_market(e, 0, [](InstrumentMarket& m) {
    m.mark = P - 950 * U;
    m.funding_rate = 500000;
  });
  CHECK(e.loss_pnl(0) == -950 * U);
  // Paid at the funding time: 100 × 0.01 × 100 000 × 0.0005 = 50.00 → PnL −1000: at the limit.
  e.apply_funding(0, P, 500000);
  CHECK(e.loss_pnl(0) == -1000 * U);
  CHECK_FALSE(e.kill_loss(0));
  // Selling 10 at the mark realizes −95.00 and leaves −855.00 unrealized: still −1000 in all.
  REQUIRE(outcome(e, order(2, kSell, P - 950 * U, 10)) == OK);
  REQUIRE(e.on_fill(2, 10, P - 950 * U, kT0));
  CHECK(e.position(0, 0).realized_pnl == -95 * U);
  CHECK(e.loss_pnl(0) == -1000 * U);
  CHECK_FALSE(e.kill_loss(0));
  // One more funding payment of 45.00 (90 contracts): below −X.
  e.apply_funding(0, P, 500000);
  CHECK(e.kill_loss(0));
  // Off (0) by default; a negative limit is refused.
  al.loss_limit = -1;
  CHECK(validate(al).field == LimitField::loss_limit);
  CHECK(validate(account_limits()).ok());
}
