// The order-entry session against the simulated exchange over real loopback TCP: logon, order,
// replace, cancel, fills (aggressive and passive), mass cancel, validation rejects, heartbeats
// and test requests, logout. Every loop is bounded; waiting is on the socket, 1 ms at a time.
#include <doctest/doctest.h>

#include "tests/orders/session_harness.hpp"

using namespace pw;
using namespace pw::oe;
using namespace pw::oe::test;

namespace {

struct SimFixture {
  SimFixture() : SimFixture(config()) {}
  explicit SimFixture(ExchangeSimConfig cfg) : sim(std::move(cfg)) {
    sim.add_instrument(1, px(0.5));
    sim.add_instrument(2, px(0.01));
    std::string error;
    REQUIRE_MESSAGE(sim.start(error), error);
    REQUIRE(sim.port() != 0);
  }
  static ExchangeSimConfig config() {
    ExchangeSimConfig c;
    c.users = {{"trader1", "secret"}};
    c.heartbeat_interval_seconds = 5;
    return c;
  }
  ExchangeSim sim;
};

const OrderEvent* last_event(const TcpClient& c, OrderEventType t, int64_t cid) {
  for (auto it = c.events.rbegin(); it != c.events.rend(); ++it)
    if (it->type == t && it->client_order_id == cid) return &*it;
  return nullptr;
}

}  // namespace

TEST_CASE("full flow over TCP: logon, order, replace, cancel, fills, mass cancel, logout") {
  SimFixture f;
  ExchangeSim& sim = f.sim;
  REQUIRE(sim.set_market(1, px(100), 10, px(101), 10));
  TcpClient c(tcp_config(sim.port()));
  REQUIRE(c.log_on());
  CHECK(c.session.heartbeat_interval_ns() == 5 * kSec);
  CHECK(sim.logged_on_sessions() == 1);
  CHECK(c.count(OrderEventType::session_active) == 1);

  // A buy below the ask rests.
  REQUIRE(c.session.send_new_order(order(1, 1, 99.5, 5)) == LocalReject::none);
  CHECK(c.state(1) == OrderState::pending_new);
  REQUIRE(c.run_until([&] { return c.has_state(1, OrderState::active); }));
  CHECK(c.session.find_order(1)->order_id != 0);
  REQUIRE(c.count(OrderEventType::entered, 1) == 1);

  // Replace: new price and total quantity.
  REQUIRE(c.session.send_replace(1, px(100), 7) == LocalReject::none);
  REQUIRE(c.run_until([&] { return c.count(OrderEventType::replaced, 1) == 1; }));
  const OrderRecord* r1 = c.session.find_order(1);
  CHECK(r1->price == px(100));
  CHECK(r1->quantity == 7);
  CHECK(r1->remaining == 7);
  CHECK_FALSE(r1->replace_pending);

  // Cancel: reason 1.
  REQUIRE(c.session.send_cancel(1) == LocalReject::none);
  REQUIRE(c.run_until([&] { return c.has_state(1, OrderState::canceled); }));
  CHECK(last_event(c, OrderEventType::canceled, 1)->reason == (uint8_t)CancelReason::canceled_by_user);

  // An aggressive buy takes the 10 shown at the ask; the other 5 rest.
  REQUIRE(c.session.send_new_order(order(2, 1, 101.5, 15)) == LocalReject::none);
  REQUIRE(c.run_until([&] { return c.has_state(2, OrderState::partially_filled); }));
  const OrderEvent* fill = last_event(c, OrderEventType::filled, 2);
  REQUIRE(fill != nullptr);
  CHECK(fill->price == px(101));
  CHECK(fill->quantity == 10);
  CHECK(fill->aggressor);
  CHECK(fill->remaining == 5);
  CHECK(fill->vwap == px(101));
  CHECK(c.count(OrderEventType::entered, 2) == 1);

  // The market moves through the resting 5: passive fills at the order's own price.
  REQUIRE(sim.set_market(1, px(100), 10, px(101.5), 3));
  REQUIRE(c.run_until([&] { return c.session.find_order(2)->filled == 13; }));
  fill = last_event(c, OrderEventType::filled, 2);
  CHECK(fill->price == px(101.5));
  CHECK(fill->quantity == 3);
  CHECK_FALSE(fill->aggressor);
  CHECK(fill->vwap == (px(101) * 10 + px(101.5) * 3 + 6) / 13);
  REQUIRE(sim.set_market(1, px(100), 10, px(101), 10));
  REQUIRE(c.run_until([&] { return c.has_state(2, OrderState::filled); }));
  CHECK(c.session.find_order(2)->remaining == 0);

  // Sells and another instrument, then one mass cancel for all: reason 6 each, one ack.
  REQUIRE(c.session.send_new_order(order(3, -1, 102, 2)) == LocalReject::none);
  REQUIRE(c.session.send_new_order(order(4, -1, 103, 1)) == LocalReject::none);
  REQUIRE(c.session.send_new_order(order(5, 1, 50.01, 1, 2)) == LocalReject::none);
  REQUIRE(c.run_until([&] {
    return c.has_state(3, OrderState::active) && c.has_state(4, OrderState::active) && c.has_state(5, OrderState::active);
  }));
  REQUIRE(c.session.send_mass_cancel() == LocalReject::none);
  REQUIRE(c.run_until([&] { return c.count(OrderEventType::mass_cancel_ack) == 1; }));
  for (int64_t cid : {3, 4, 5}) {
    CAPTURE(cid);
    CHECK(c.state(cid) == OrderState::canceled);
    CHECK(last_event(c, OrderEventType::canceled, cid)->reason == (uint8_t)CancelReason::mass_cancel);
  }
  for (const auto& e : c.events)
    if (e.type == OrderEventType::mass_cancel_ack) CHECK(e.quantity == 3);

  check_accounted(c, sim, "trader1", {1, 2, 3, 4, 5});
  check_all_closed(c, {1, 2, 3, 4, 5});

  // Logout: LoggedOut, disconnected, no reconnect.
  c.session.logout("end of day");
  REQUIRE(c.run_until([&] { return c.session.state() == SessionState::disconnected; }));
  CHECK(c.session.last_error() == "logged out: logout acknowledged");
  c.settle(60);
  CHECK(c.session.state() == SessionState::disconnected);
  CHECK(c.session.counters().logons == 1);
  CHECK(c.session.counters().duplicates_ignored == 0);
  CHECK(c.session.counters().gaps_detected == 0);
  CHECK(sim.counters().logons == 1);
}

TEST_CASE("the simulated exchange validates orders with the spec's reject reasons") {
  SimFixture f;
  ExchangeSim& sim = f.sim;
  REQUIRE(sim.set_market(1, px(100), 10, px(101), 10));
  TcpClient c(tcp_config(sim.port()));
  REQUIRE(c.log_on());

  REQUIRE(c.session.send_new_order(order(1, 1, 100, 1, 9)) == LocalReject::none);   // unknown instrument
  REQUIRE(c.session.send_new_order(order(2, 1, 100, 0)) == LocalReject::none);      // quantity 0
  REQUIRE(c.session.send_new_order(order(3, 1, 100.25, 1)) == LocalReject::none);   // off the 0.5 tick
  REQUIRE(c.session.send_new_order(order(4, 0, 100, 1)) == LocalReject::none);      // no side
  REQUIRE(c.session.send_new_order(order(5, 1, -100, 1)) == LocalReject::none);     // negative price
  REQUIRE(c.run_until([&] {
    for (int64_t cid = 1; cid <= 5; ++cid)
      if (!c.has_state(cid, OrderState::rejected)) return false;
    return true;
  }));
  CHECK(c.session.find_order(1)->reason == (uint8_t)OrderRejectReason::invalid_instrument);
  for (int64_t cid = 2; cid <= 5; ++cid) CHECK(c.session.find_order(cid)->reason == (uint8_t)OrderRejectReason::validation_failure);
  CHECK(std::string(last_event(c, OrderEventType::rejected, 3)->text.view()) == "price not a positive multiple of the tick");

  // A replace to a quantity not above what is filled is refused; the order stands.
  REQUIRE(c.session.send_new_order(order(6, 1, 101, 15)) == LocalReject::none);
  REQUIRE(c.run_until([&] { return c.has_state(6, OrderState::partially_filled); }));
  REQUIRE(c.session.send_replace(6, px(101), 10) == LocalReject::none);
  REQUIRE(c.run_until([&] { return c.count(OrderEventType::replace_rejected, 6) == 1; }));
  CHECK(c.state(6) == OrderState::partially_filled);
  CHECK(c.session.find_order(6)->remaining == 5);

  // A client order id the exchange has seen before is "in use" (3), even once forgotten here.
  REQUIRE(c.session.send_cancel(6) == LocalReject::none);
  REQUIRE(c.run_until([&] { return c.has_state(6, OrderState::canceled); }));
  CHECK(c.session.forget_final_orders() == 6);
  REQUIRE(c.session.send_new_order(order(6, 1, 99, 1)) == LocalReject::none);
  REQUIRE(c.run_until([&] { return c.has_state(6, OrderState::rejected); }));
  CHECK(c.session.find_order(6)->reason == (uint8_t)OrderRejectReason::client_order_id_in_use);
  CHECK(sim.counters().orders_rejected == 6);
}

TEST_CASE("heartbeats over TCP: TestRequest answered keeps the session; a silent exchange is dropped and logged on to again") {
  ExchangeSimConfig cfg = SimFixture::config();
  cfg.heartbeat_interval_seconds = 1;
  SimFixture f(cfg);
  ExchangeSim& sim = f.sim;
  TcpClient c(tcp_config(sim.port()));
  REQUIRE(c.log_on());
  CHECK(c.session.heartbeat_interval_ns() == 1 * kSec);

  // Time moves 1.5 intervals at once: the client's TestRequest is answered.
  c.offset += 1500 * kMs;
  REQUIRE(c.run_until([&] { return c.session.counters().test_requests_sent == 1 && c.session.counters().heartbeats_received >= 1; }));
  CHECK(c.session.active());

  // The exchange goes quiet; three intervals later the client drops the connection.
  sim.set_silent(true);
  c.offset += 1500 * kMs;
  c.settle(20);
  CHECK(c.session.active());
  c.offset += 1600 * kMs;
  REQUIRE(c.run_until([&] { return c.session.state() != SessionState::active; }));
  CHECK(c.session.counters().heartbeat_timeouts == 1);

  // Talking again: the client reconnects, resumes, and has the numbers it missed gap-filled.
  sim.set_silent(false);
  REQUIRE(c.run_until([&] { return c.session.active() && !c.session.reconciling(); }));
  CHECK(c.session.counters().logons == 2);
  CHECK(sim.counters().logons == 2);
  CHECK(c.session.expected_incoming_seq() == sim.next_outgoing_seq("trader1"));
}

TEST_CASE("wrong credentials: LoggedOut with the reason, no reconnect") {
  SimFixture f;
  SessionConfig cfg = tcp_config(f.sim.port());
  cfg.password = "wrong";
  TcpClient c(cfg);
  c.session.start(c.now());
  REQUIRE(c.run_until([&] { return c.session.last_error().size() > 0; }));
  CHECK(c.session.state() == SessionState::disconnected);
  CHECK(c.session.last_error() == "logged out by the exchange: invalid username or password");
  c.settle(60);
  CHECK(f.sim.counters().connections_accepted == 1);
  CHECK(f.sim.counters().logon_rejects == 1);
}

TEST_CASE("no listener: the connect fails with a clear reason and is retried") {
  uint16_t port = 0;
  {
    SimFixture f;  // a port that was just free
    port = f.sim.port();
  }
  TcpClient c(tcp_config(port));
  c.session.start(c.now());
  REQUIRE(c.run_until([&] { return c.session.counters().connect_failures >= 2; }));
  CHECK(c.session.last_error().find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
  CHECK(c.session.send_new_order(order(1, 1, 100, 1)) == LocalReject::not_logged_on);
}
