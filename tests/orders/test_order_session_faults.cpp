// Session faults against the simulated exchange over loopback TCP: a dropped connection in the
// middle of a flow, gaps in both directions, duplicated messages, garbage bytes, and a random mix
// of all of them. Each test ends by checking that no order is unaccounted for: every client order
// id has a record whose state agrees with the exchange's, and after a final mass cancel every one
// is final (or, where the protocol cannot tell, explicitly unknown).
#include <doctest/doctest.h>

#include <cstdlib>
#include <random>

#include "tests/orders/session_harness.hpp"

using namespace pw;
using namespace pw::oe;
using namespace pw::oe::test;

namespace {

const std::string kUser = "trader1";

struct Rig {
  explicit Rig(bool cancel_on_disconnect = false, bool reset_on_reconnect = false) : sim(config(cancel_on_disconnect)) {
    sim.add_instrument(1, px(0.5));
    std::string error;
    REQUIRE_MESSAGE(sim.start(error), error);
    REQUIRE(sim.set_market(1, px(100), 10, px(101), 10));
    SessionConfig cfg = tcp_config(sim.port(), kUser);
    cfg.reset_seq_num_on_reconnect = reset_on_reconnect;
    client = std::make_unique<TcpClient>(cfg);
    REQUIRE(client->log_on());
  }
  static ExchangeSimConfig config(bool cancel_on_disconnect) {
    ExchangeSimConfig c;
    c.users = {{kUser, "secret"}};
    c.cancel_on_disconnect = cancel_on_disconnect;
    return c;
  }
  TcpClient& c() { return *client; }

  // Waits until the session is active and has processed everything it missed.
  void settle_session() {
    REQUIRE(c().run_until([&] { return c().session.active() && !c().session.reconciling(); }));
    // Let any answers still in flight land (resends of the client's own orders among them).
    REQUIRE(c().run_until([&] {
      bool pending = false;
      c().session.orders().for_each([&](const OrderRecord& r) {
        if (r.state == OrderState::pending_new || r.replace_pending || r.cancel_pending) pending = true;
      });
      return !pending;
    }));
  }

  // The end of every fault test: states agree with the exchange; a mass cancel closes the rest.
  void finish(const std::vector<int64_t>& cids) {
    settle_session();
    check_accounted(c(), sim, kUser, cids);
    const size_t acks = c().count(OrderEventType::mass_cancel_ack);
    REQUIRE(c().session.send_mass_cancel() == LocalReject::none);
    REQUIRE(c().run_until([&] { return c().count(OrderEventType::mass_cancel_ack) == acks + 1; }));
    check_accounted(c(), sim, kUser, cids);
    check_all_closed(c(), cids);
    for (const SimOrder& x : sim.orders_of(kUser)) CHECK_FALSE(is_open(x.state));
  }

  ExchangeSim sim;
  std::unique_ptr<TcpClient> client;
};

}  // namespace

TEST_CASE("connection dropped mid-flow: orders while down refused, fills while down learned on the resumed logon") {
  Rig rig;
  TcpClient& c = rig.c();
  REQUIRE(c.session.send_new_order(order(1, 1, 99, 5)) == LocalReject::none);    // rests
  REQUIRE(c.session.send_new_order(order(2, 1, 101, 15)) == LocalReject::none);  // 10 filled, 5 rest
  REQUIRE(c.session.send_new_order(order(3, -1, 105, 2)) == LocalReject::none);  // rests
  REQUIRE(c.run_until([&] {
    return c.has_state(1, OrderState::active) && c.has_state(2, OrderState::partially_filled) && c.has_state(3, OrderState::active);
  }));

  rig.sim.drop_connections();
  REQUIRE(c.run_until([&] { return c.session.state() != SessionState::active; }));
  CHECK(c.session.state() == SessionState::disconnected);
  for (int64_t cid : {1, 2, 3}) CHECK(c.state(cid) == OrderState::unknown_after_disconnect);

  // Nothing is sent (or queued) while down.
  CHECK(c.session.send_new_order(order(4, 1, 99, 1)) == LocalReject::not_logged_on);
  CHECK(c.state(4) == OrderState::rejected);
  CHECK(c.session.send_replace(1, px(98), 5) == LocalReject::order_state_unknown);

  // The market trades through order 2 and order 1 while nobody listens.
  REQUIRE(rig.sim.set_market(1, px(100), 10, px(99), 20));
  SimOrder x;
  REQUIRE(rig.sim.find_order(kUser, 1, x));
  CHECK(x.state == OrderState::filled);

  // Reconnect, log on (resume), get the missed fills through the resend; order 3 is restored.
  rig.settle_session();
  CHECK(c.session.counters().logons == 2);
  CHECK(c.session.counters().resend_requests_sent >= 1);
  CHECK(c.state(1) == OrderState::filled);
  CHECK(c.state(2) == OrderState::filled);
  CHECK(c.state(3) == OrderState::active);
  CHECK(c.session.find_order(2)->filled == 15);
  CHECK(c.count(OrderEventType::reconciled) == 1);
  CHECK(c.session.find_order(4)->local_reject == LocalReject::not_logged_on);
  rig.finish({1, 2, 3, 4});
}

TEST_CASE("an exchange that cancels on disconnect: the cancels (reason 3) arrive with the resumed logon") {
  Rig rig(/*cancel_on_disconnect=*/true);
  TcpClient& c = rig.c();
  REQUIRE(c.session.send_new_order(order(1, 1, 99, 5)) == LocalReject::none);
  REQUIRE(c.session.send_new_order(order(2, -1, 105, 5)) == LocalReject::none);
  REQUIRE(c.run_until([&] { return c.has_state(1, OrderState::active) && c.has_state(2, OrderState::active); }));
  rig.sim.drop_connections();
  rig.settle_session();
  for (int64_t cid : {1, 2}) {
    CHECK(c.state(cid) == OrderState::canceled);
    CHECK(c.session.find_order(cid)->reason == (uint8_t)CancelReason::client_disconnect);
  }
  rig.finish({1, 2});
}

TEST_CASE("reset on reconnect: nothing can be asked for, open orders stay explicitly unknown until an event settles them") {
  Rig rig(false, /*reset_on_reconnect=*/true);
  TcpClient& c = rig.c();
  REQUIRE(c.session.send_new_order(order(1, 1, 99, 5)) == LocalReject::none);
  REQUIRE(c.session.send_new_order(order(2, -1, 105, 5)) == LocalReject::none);
  REQUIRE(c.run_until([&] { return c.has_state(1, OrderState::active) && c.has_state(2, OrderState::active); }));
  rig.sim.drop_connections();
  REQUIRE(c.run_until([&] { return c.session.state() != SessionState::active; }));
  REQUIRE(rig.sim.set_market(1, px(100), 10, px(99), 20));  // fills order 1 while down: never resent
  REQUIRE(c.run_until([&] { return c.session.active(); }));
  c.settle(20);
  CHECK(c.state(1) == OrderState::unknown_after_disconnect);
  CHECK(c.state(2) == OrderState::unknown_after_disconnect);
  check_all_closed(c, {1, 2});
  // The exchange still holds order 2: the final mass cancel settles it.
  REQUIRE(c.session.send_mass_cancel() == LocalReject::none);
  REQUIRE(c.run_until([&] { return c.has_state(2, OrderState::canceled); }));
  CHECK(c.state(1) == OrderState::unknown_after_disconnect);  // its fill went out while down
  check_all_closed(c, {1, 2});
}

TEST_CASE("gap from the exchange: skipped numbers are asked for and gap-filled; the order's events arrive once, in order") {
  Rig rig;
  TcpClient& c = rig.c();
  rig.sim.skip_outgoing_seq(3);
  REQUIRE(c.session.send_new_order(order(1, 1, 101, 3)) == LocalReject::none);  // entered + filled
  REQUIRE(c.run_until([&] { return c.has_state(1, OrderState::filled); }));
  CHECK(c.session.counters().gaps_detected >= 1);
  CHECK(c.session.counters().resend_requests_sent >= 1);
  CHECK(c.session.counters().gap_fills_received >= 1);
  CHECK(c.count(OrderEventType::entered, 1) == 1);
  CHECK(c.count(OrderEventType::filled, 1) == 1);
  CHECK(rig.sim.counters().sequence_numbers_skipped == 3);
  CHECK(rig.sim.counters().gap_fills_sent >= 1);
  REQUIRE(c.run_until([&] { return c.session.expected_incoming_seq() == rig.sim.next_outgoing_seq(kUser); }));
  rig.finish({1});
}

TEST_CASE("gap from the client: the exchange holds the order, asks for the skipped numbers, the client gap-fills them") {
  Rig rig;
  TcpClient& c = rig.c();
  c.session.skip_outgoing_seq(2);
  REQUIRE(c.session.send_new_order(order(1, 1, 99, 5)) == LocalReject::none);
  REQUIRE(c.run_until([&] { return c.has_state(1, OrderState::active); }));
  const auto sc = rig.sim.counters();
  CHECK(sc.gaps_detected >= 1);
  CHECK(sc.resend_requests_sent >= 1);
  CHECK(sc.gap_fills_received >= 1);
  CHECK(sc.possible_resends_processed == 0);  // the order itself was held, not asked for again
  CHECK(sc.orders_entered == 1);
  CHECK(c.session.counters().messages_resent == 0);
  CHECK(c.session.counters().gap_fills_sent == 1);
  REQUIRE(c.run_until([&] { return rig.sim.expected_incoming_seq(kUser) == c.session.next_outgoing_seq(); }));
  rig.finish({1});
}

TEST_CASE("a duplicated message is ignored and counted") {
  Rig rig;
  TcpClient& c = rig.c();
  rig.sim.duplicate_next_message();
  REQUIRE(c.session.send_new_order(order(1, 1, 99, 5)) == LocalReject::none);
  REQUIRE(c.run_until([&] { return c.has_state(1, OrderState::active) && c.session.counters().duplicates_ignored == 1; }));
  c.settle(10);
  CHECK(c.count(OrderEventType::entered, 1) == 1);
  CHECK(rig.sim.counters().duplicates_injected == 1);
  rig.finish({1});
}

TEST_CASE("garbage from the exchange: counted, connection reset, logon again, nothing lost") {
  Rig rig;
  TcpClient& c = rig.c();
  REQUIRE(c.session.send_new_order(order(1, 1, 99, 5)) == LocalReject::none);
  REQUIRE(c.run_until([&] { return c.has_state(1, OrderState::active); }));
  rig.sim.send_garbage({0xF1, 0x00, 0x07, 0x00, 0xDE, 0xAD, 0xBE});  // MessageLength 7 < 32
  REQUIRE(rig.sim.set_market(1, px(98), 10, px(99), 2));             // a fill right behind it
  REQUIRE(c.run_until([&] { return c.session.counters().garbage_resets == 1; }));
  rig.settle_session();
  CHECK(c.session.counters().logons == 2);
  CHECK(c.state(1) == OrderState::partially_filled);
  CHECK(c.session.find_order(1)->filled == 2);
  CHECK(c.count(OrderEventType::filled, 1) == 1);
  rig.finish({1});
}

TEST_CASE("a random mix of orders, market moves and faults leaves no order unaccounted for") {
  Rig rig;
  TcpClient& c = rig.c();
  // Fixed by default so that a failure repeats (timing aside); PERPWIRE_ORDERS_SEED explores others.
  const char* env = std::getenv("PERPWIRE_ORDERS_SEED");
  const uint32_t seed = env != nullptr && *env != 0 ? (uint32_t)std::strtoul(env, nullptr, 0) : 20240611u;
  CAPTURE(seed);
  std::mt19937 rng(seed);
  std::vector<int64_t> cids;
  int64_t next_cid = 1;
  double mid = 100.5;
  for (int step = 0; step < 250; ++step) {
    const int what = (int)(rng() % 100);
    if (what < 45) {
      const int8_t side = (rng() & 1) ? 1 : -1;
      const double price = mid + side * (-2.0 + 0.5 * (double)(rng() % 7));  // some cross, most rest
      const int64_t cid = next_cid++;
      cids.push_back(cid);
      c.session.send_new_order(order(cid, side, price, 1 + (int32_t)(rng() % 8)));
    } else if (what < 60 && !cids.empty()) {
      const int64_t cid = cids[rng() % cids.size()];
      const OrderRecord* r = c.session.find_order(cid);
      if (r != nullptr) c.session.send_replace(cid, r->price + (rng() & 1 ? px(0.5) : -px(0.5)), r->quantity + 1);
    } else if (what < 72 && !cids.empty()) {
      c.session.send_cancel(cids[rng() % cids.size()]);
    } else if (what < 85) {
      mid += 0.5 * ((int)(rng() % 5) - 2);
      rig.sim.set_market(1, px(mid - 0.5), 1 + (int32_t)(rng() % 10), px(mid + 0.5), 1 + (int32_t)(rng() % 10));
    } else if (what < 89) {
      rig.sim.drop_connections();
    } else if (what < 93) {
      rig.sim.skip_outgoing_seq(1 + rng() % 3);
    } else if (what < 96) {
      rig.sim.duplicate_next_message();
    } else if (what < 98) {
      rig.sim.send_garbage({0x01, 0x02, 0x03, 0x00});
    } else {
      c.session.skip_outgoing_seq(1 + rng() % 2);
    }
    c.settle(1 + (int)(rng() % 3));
  }
  rig.finish(cids);
  const auto& k = c.session.counters();
  MESSAGE("orders ", cids.size(), ", disconnects ", k.disconnects, ", gaps ", k.gaps_detected, ", duplicates ",
          k.duplicates_ignored, ", garbage resets ", k.garbage_resets, ", resent ", k.messages_resent,
          ", local rejects ", k.local_rejects);
  CHECK(k.disconnects >= 1);
  CHECK(k.gaps_detected >= 1);
  size_t unknown = 0;
  for (int64_t cid : cids) unknown += c.state(cid) == OrderState::unknown_after_disconnect ? 1 : 0;
  CHECK(unknown == 0);  // resumed logons recover everything
}
