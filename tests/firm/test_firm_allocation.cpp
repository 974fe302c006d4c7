// The firm limit's allocation record (grants never exceed the limit; text form round trips; bad
// records refused) and the risk engine's caps from a slice (check 9 and check 7 at the cap and one
// unit past it; no cap = the configured limits exactly).
#include <doctest/doctest.h>

#include "host/firm/allocation.hpp"
#include "tests/risk/risk_fixture.hpp"

using pw::firm::Allocation;
using namespace pw_test;

TEST_CASE("allocation: grants stop at the limit and releases give back") {
  Allocation a;
  a.limit = 100;
  CHECK(a.grant("h1/acct", 40, 1) == 40);
  CHECK(a.grant("h2/acct", 70, 1) == 60);  // only what is free
  CHECK(a.free() == 0);
  CHECK(a.grant("h3/acct", 10, 1) == 0);
  CHECK(a.release("h1/acct", 15) == 15);
  CHECK(a.grant("h3/acct", 10, 20) == 0);  // less than the minimum asked: nothing
  CHECK(a.grant("h3/acct", 10, 5) == 10);
  CHECK(a.release("h2/acct", 1000) == 60);  // never more than held
  CHECK(a.held_by("h2/acct") == 0);
  CHECK(a.granted() == 35);
  a.limit = 20;  // lowered below what is granted: nothing more is granted, nothing is taken away
  CHECK(a.grant("h1/acct", 1, 1) == 0);
  CHECK(a.held_by("h1/acct") == 25);
}

TEST_CASE("allocation: text form round trips; bad records are errors") {
  Allocation a;
  a.limit = 5000000000000;
  a.grant("host-a/acct0", 1000, 1);
  a.grant("host-b/acct0/BIP-20DEC30-CDE", 7, 1);
  std::string err;
  auto b = Allocation::decode(a.encode(), err);
  REQUIRE(b);
  CHECK(b->limit == a.limit);
  CHECK(b->grants == a.grants);
  for (const char* bad : {"", "grant.h=5\n", "limit=x\n", "limit=5\ngrant.h=-1\n", "limit=5\nother=1\n", "limit=-5\n"}) {
    CAPTURE(bad);
    CHECK_FALSE(Allocation::decode(bad, err));
    CHECK_FALSE(err.empty());
  }
}

TEST_CASE("engine caps: check 9 at the notional cap, check 7 at the position cap") {
  Engine e;
  setup(e);
  // price 100 000 × qty 10 × 0.01 = 10 000 of notional.
  e.set_notional_cap(0, 10000 * U);
  CHECK(e.check(order(1, kBuy, 100000 * U, 10)).accepted);
  RiskDecision d = e.check(order(2, kBuy, 100000 * U, 1));
  CHECK_FALSE(d.accepted);
  CHECK(d.reason == RejectReason::credit_limit);
  e.set_notional_cap(0, INT64_MAX);
  CHECK(e.check(order(3, kBuy, 100000 * U, 1)).accepted);

  e.set_position_cap(0, 0, 15);  // 11 contracts open on the buy side
  CHECK(e.check(order(4, kBuy, 100000 * U, 4)).accepted);
  d = e.check(order(5, kBuy, 100000 * U, 1));
  CHECK_FALSE(d.accepted);
  CHECK(d.reason == RejectReason::position_limit);
  CHECK(e.check(order(6, kSell, 100010 * U, 15)).accepted);  // the sell side has its own room
  e.set_position_cap(0, 0, 0);
  CHECK(e.check(order(7, kSell, 100010 * U, 1)).reason == RejectReason::position_limit);
}
