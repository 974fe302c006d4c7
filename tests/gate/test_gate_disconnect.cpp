// Cancel-on-disconnect (docs/risk.md, "Session down"): the simulated exchange drops the gate's
// order-entry session with an order resting; until the session is logged on again and reconciled,
// new orders and replaces are refused (session_down) while cancels still pass the gate; once it is
// back, the gate cancels the order that was open at the drop and new orders are accepted again —
// over Orders SBE and over FIX. And [risk] cancel_after: an unsynced book's orders canceled.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "host/config/config.hpp"
#include "host/fix/fix_venue_sim.hpp"
#include "host/gate/order_gate.hpp"
#include "host/metrics/app_metrics.hpp"
#include "tests/gate/gate_harness.hpp"

using namespace pw;

namespace {

using namespace pw::test;

// The default config with `cancel_on_disconnect` as given and, when not empty, [risk]
// cancel_after; Orders SBE, or FIX.
std::shared_ptr<const Config> config(bool cancel_on_disconnect, const std::string& cancel_after, bool fix) {
  std::vector<std::pair<std::string, std::string>> edits;
  edits.emplace_back("cancel_on_disconnect = true", cancel_on_disconnect ? "cancel_on_disconnect = true" : "cancel_on_disconnect = false");
  if (fix) {
    edits.emplace_back("# protocol = \"fix\"", "protocol = \"fix\"");
    edits.emplace_back("# fix_dictionary =", "fix_dictionary =");
  }
  if (!cancel_after.empty()) edits.emplace_back("# funding_source = \"own\"", "cancel_after = \"" + cancel_after + "\"");
  return gate_config(edits);
}

InstrumentMarket market(int i) { return gate_market(i, i == 0 ? kMark : 3000 * kE9); }

OrderRequest order(int64_t id, OrderKind kind, int64_t price, int k, uint16_t instrument = 0) {
  OrderRequest r{};
  r.instrument = instrument;
  r.client_order_id = id;
  r.kind = kind;
  r.price = price;
  r.quantity = 1;
  r.side = kBuy;
  r.time = kT0 + (int64_t)k * 1000000;  // k ms into the script
  return r;
}

struct Harness : GateHarness {
  explicit Harness(bool cancel_on_disconnect = true, const std::string& cancel_after = "", bool fix = false)
      : GateHarness(config(cancel_on_disconnect, cancel_after, fix)) {
    for (int i = 0; i < 2; ++i) gate->set_market(i, market(i), 10, 10);
    std::string error;
    REQUIRE_MESSAGE(gate->connect(error), error);
  }
  void drop() {
    if (gate->simulator()) gate->simulator()->drop_connections();
    else gate->fix_simulator()->drop_connection();
  }
};

void dropped_session(bool fix) {
  Harness h(true, "", fix);
  OrderGate& g = *h.gate;
  // An order resting at the venue (ten ticks under the bid), acknowledged.
  const int64_t rest = 101;
  REQUIRE(h.submit(order(rest, OrderKind::new_order, kMark - 10 * kTick, 1)).accepted);
  REQUIRE(h.step_until([&] { return g.session()->orders().find(rest) && g.session()->orders().find(rest)->state == oe::OrderState::active; }));
  CHECK_FALSE(g.session_down());

  h.drop();
  REQUIRE(h.step_until([&] { return g.session_down(); }));
  CHECK(g.counters().session_drops == 1);

  // Fail closed while down: a new order and a replace are refused with session_down (reason
  // kill_switch), counted; a cancel only lowers the risk and is not refused by the gate.
  const RiskDecision n = h.submit(order(102, OrderKind::new_order, kMark - 11 * kTick, 2));
  CHECK_FALSE(n.accepted);
  CHECK(n.detail == RejectDetail::session_down);
  CHECK(n.reason == RejectReason::kill_switch);
  const RiskDecision rp = h.submit(order(rest, OrderKind::replace, kMark - 12 * kTick, 3));
  CHECK_FALSE(rp.accepted);
  CHECK(rp.detail == RejectDetail::session_down);
  CHECK(g.counters().refused_session_down == 2);
  CHECK(g.counters().rejected_by_detail[(size_t)RejectDetail::session_down] == 2);
  CHECK(h.metrics.reject_details(RejectDetail::session_down).value() == 2);
  const RiskDecision c = g.decide(order(rest, OrderKind::cancel, 0, 4), 0);
  CHECK(c.detail != RejectDetail::session_down);
  CHECK(g.engine().find_order(rest) != nullptr);  // still open: nobody knows better yet

  // The session reconnects by itself, resumes, reconciles; then the order open at the drop is canceled.
  REQUIRE(h.step_until([&] { return !g.session_down(); }));
  CHECK(g.session()->active());
  CHECK_FALSE(g.session()->reconciling());
  CHECK(g.counters().session_recoveries == 1);
  CHECK(g.counters().disconnect_cancels == 1);
  CHECK(h.metrics.gate_cancels(GateCancelCause::disconnect).value() == 1);
  REQUIRE(h.step_until([&] { return g.engine().find_order(rest) == nullptr; }));
  CHECK(g.session()->orders().find(rest)->state == oe::OrderState::canceled);

  // Trading again.
  const RiskDecision again = h.submit(order(103, OrderKind::new_order, kMark - 13 * kTick, 1500));
  CHECK_MESSAGE(again.accepted, reject_detail_name(again.detail));
  REQUIRE(h.step_until([&] { return g.session()->orders().find(103) && g.session()->orders().find(103)->state == oe::OrderState::active; }));
  CHECK(g.counters().refused_session_down == 2);
  CHECK(g.counters().disconnect_cancels == 1);
}

}  // namespace

TEST_CASE("a dropped session: refused while down, the orders open at the drop canceled once back and reconciled") {
  SUBCASE("Orders SBE") { dropped_session(false); }
  SUBCASE("FIX 4.4") { dropped_session(true); }
}

TEST_CASE("cancel_on_disconnect = false: still refused while down, the orders stand once back") {
  Harness h(/*cancel_on_disconnect=*/false);
  OrderGate& g = *h.gate;
  const int64_t rest = 201;
  REQUIRE(h.submit(order(rest, OrderKind::new_order, kMark - 10 * kTick, 1)).accepted);
  REQUIRE(h.step_until([&] { return g.session()->orders().find(rest) && g.session()->orders().find(rest)->state == oe::OrderState::active; }));
  h.drop();
  REQUIRE(h.step_until([&] { return g.session_down(); }));
  CHECK(h.submit(order(202, OrderKind::new_order, kMark - 11 * kTick, 2)).detail == RejectDetail::session_down);
  REQUIRE(h.step_until([&] { return !g.session_down(); }));
  CHECK(g.counters().disconnect_cancels == 0);
  CHECK(g.engine().find_order(rest) != nullptr);
  CHECK(g.session()->orders().find(rest)->state == oe::OrderState::active);
  CHECK(h.submit(order(203, OrderKind::new_order, kMark - 12 * kTick, 1500)).accepted);
}

TEST_CASE("the end of the run is no outage") {
  Harness h;
  h.gate->disconnect();
  CHECK(h.gate->counters().session_drops == 0);
}

TEST_CASE("[risk] cancel_after: a book unsynced longer than that has its instrument's open orders canceled, once") {
  Harness h(true, "100ms");
  OrderGate& g = *h.gate;
  auto resting = [&](int64_t id) {
    const oe::OrderRecord* r = g.session()->orders().find(id);
    return r && r->state == oe::OrderState::active;
  };
  REQUIRE(h.submit(order(301, OrderKind::new_order, kMark - 10 * kTick, 1, 0)).accepted);
  REQUIRE(h.submit(order(302, OrderKind::new_order, 3000 * kE9 - 10 * kE9 / 2, 1, 1)).accepted);
  REQUIRE(h.step_until([&] { return resting(301) && resting(302); }));

  InstrumentMarket lost = market(0);
  lost.synced = 0;
  g.set_market(0, lost, 10, 10);
  g.step(h.feed, nullptr);  // first seen unsynced here
  const int64_t since = h.feed;
  g.step(since + 100000000, nullptr);  // exactly cancel_after: not yet
  CHECK(g.counters().unsynced_cancels == 0);
  g.step(since + 100000001, nullptr);  // one nanosecond longer: canceled
  CHECK(g.counters().unsynced_outages == 1);
  CHECK(g.counters().unsynced_cancels == 1);
  CHECK(h.metrics.gate_cancels(GateCancelCause::unsynced).value() == 1);
  h.feed = since + 100000001;
  REQUIRE(h.step_until([&] { return g.engine().find_order(301) == nullptr; }));
  CHECK(resting(302));  // the other instrument's order stands
  g.step(h.feed + 1000000000, nullptr);
  CHECK(g.counters().unsynced_outages == 1);  // once per outage

  // Synced again, then lost again: a new outage.
  g.set_market(0, market(0), 10, 10);
  g.step(h.feed += 1000, nullptr);
  REQUIRE(h.submit(order(303, OrderKind::new_order, kMark - 11 * kTick, 2, 0)).accepted);
  REQUIRE(h.step_until([&] { return resting(303); }));
  g.set_market(0, lost, 10, 10);
  g.step(h.feed, nullptr);
  g.step(h.feed + 200000000, nullptr);
  CHECK(g.counters().unsynced_outages == 2);
  CHECK(g.counters().unsynced_cancels == 2);
}

TEST_CASE("[risk] cancel_after left out: an unsynced book cancels nothing") {
  Harness h;
  OrderGate& g = *h.gate;
  REQUIRE(h.submit(order(401, OrderKind::new_order, kMark - 10 * kTick, 1, 0)).accepted);
  REQUIRE(h.step_until([&] { return g.engine().find_order(401) && g.engine().find_order(401)->entered; }));
  InstrumentMarket lost = market(0);
  lost.synced = 0;
  g.set_market(0, lost, 10, 10);
  g.step(h.feed, nullptr);
  g.step(h.feed + 3600LL * kE9, nullptr);
  CHECK(g.counters().unsynced_cancels == 0);
  CHECK(g.engine().find_order(401) != nullptr);
}
