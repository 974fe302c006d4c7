// The two order-entry protocols side by side: one random script of orders, replaces, cancels and
// market moves goes to the SBE session against ExchangeSim and to the FIX session against
// FixVenueSim. Both venues match with the same SimMatcher and both sessions map to the same
// OrderEvents, so after every step the event streams (type, order, state, quantities, prices)
// and every order's record agree. PERPWIRE_ORDERS_SEED=<n> picks another script.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "host/exchange_sim/exchange_sim.hpp"
#include "host/fix/fix_session.hpp"
#include "host/fix/fix_venue_sim.hpp"
#include "host/orders/order_session.hpp"

using namespace pw;
using namespace pw::oe;

namespace {

constexpr int32_t kInst = 44;
constexpr int64_t kTick = 500'000'000;
constexpr int64_t kMid = 2230'000'000'000;

bool pump_until(const std::function<void()>& step, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(6);
  while (std::chrono::steady_clock::now() < deadline) {
    step();
    if (done()) return true;
    ::usleep(100);
  }
  return false;
}

struct Seen {
  OrderEventType type;
  int64_t cid;
  OrderState state;
  int32_t quantity, total_filled, remaining;
  int64_t price;
  bool operator==(const Seen&) const = default;
};

std::string describe(const Seen& s) {
  return std::string(order_event_name(s.type)) + " cid " + std::to_string(s.cid) + " " + order_state_name(s.state) + " q " +
         std::to_string(s.quantity) + " filled " + std::to_string(s.total_filled) + " rem " + std::to_string(s.remaining) +
         " px " + std::to_string(s.price);
}

}  // namespace

TEST_CASE("a random script gives the same events and orders over SBE and over FIX") {
  const char* env = std::getenv("PERPWIRE_ORDERS_SEED");
  const uint64_t seed = env ? std::strtoull(env, nullptr, 10) : 16;
  CAPTURE(seed);
  std::mt19937_64 rng(seed);

  // SBE: ExchangeSim driven from this thread, acting on requests as it reads them.
  ExchangeSim xsim(ExchangeSimConfig{});
  std::string error;
  REQUIRE_MESSAGE(xsim.listen(error), error);
  xsim.add_instrument(kInst, kTick);
  SessionConfig sc;
  sc.port = xsim.port();
  sc.username = "u1";
  sc.password = "p";
  OrderSession sbe(sc);
  sbe.start(OrderSession::wall_clock_ns());

  // FIX: FixVenueSim likewise.
  char tmpl[] = "/tmp/pw_fix_diff_XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  const std::string dict = std::string(PERPWIRE_SOURCE_DIR) + "/config/fix/coinbase_derivatives_fix44.xml";
  fix::FixVenueConfig vc;
  vc.target_comp_id = "DIF001";
  vc.dictionary = dict;
  vc.store_dir = dir + "/venue";
  auto fvenue = std::make_unique<fix::FixVenueSim>(vc);
  REQUIRE_MESSAGE(fvenue->listen(error), error);
  fvenue->add_instrument(kInst, kTick);
  fix::FixSessionConfig fc;
  fc.port = fvenue->port();
  fc.sender_comp_id = "DIF001";
  fc.account = "ACC1";
  fc.dictionary = dict;
  fc.store_dir = dir + "/client";
  auto fsess = std::make_unique<fix::FixSession>(fc);
  fsess->start(0);

  std::vector<Seen> seen_sbe, seen_fix;
  auto take = [](OrderEntrySession& s, std::vector<Seen>& out) {
    OrderEvent e;
    while (s.next_event(e))
      if (e.type <= OrderEventType::cancel_rejected)  // order events; session ones differ in kind
        out.push_back(Seen{e.type, e.client_order_id, e.state, e.quantity, e.total_filled, e.remaining, e.price});
  };
  auto step_sbe = [&] {
    xsim.poll_once(0);
    sbe.poll(OrderSession::wall_clock_ns());
    take(sbe, seen_sbe);
  };
  auto step_fix = [&] {
    fvenue->poll_once(0);
    fsess->poll(0);
    take(*fsess, seen_fix);
  };
  auto settled_sbe = [&] {
    const ExchangeSimCounters c = xsim.counters();
    return sbe.active() && c.messages_in == sbe.messages_sent() && c.messages_out == sbe.messages_received();
  };
  auto settled_fix = [&] {
    return fsess->active() && fvenue->messages_received() == fsess->messages_sent() &&
           fvenue->messages_sent() == fsess->messages_received();
  };
  REQUIRE(pump_until(step_sbe, settled_sbe));
  REQUIRE(pump_until(step_fix, settled_fix));

  std::vector<int64_t> ids;
  int64_t next_cid = 1;
  for (int round = 0; round < 300; ++round) {
    CAPTURE(round);
    const int what = (int)(rng() % 10);
    if (what < 4 || ids.empty()) {  // a new order around the market, sometimes off the tick
      OrderParams p;
      p.client_order_id = next_cid++;
      p.instrument_id = kInst;
      p.side = (rng() & 1) ? 1 : -1;
      p.price = kMid + ((int64_t)(rng() % 9) - 4) * kTick + (rng() % 25 == 0 ? 1 : 0);
      p.quantity = (int32_t)(1 + rng() % 8);
      CHECK(sbe.send_new_order(p) == fsess->send_new_order(p));
      ids.push_back(p.client_order_id);
    } else if (what < 6) {
      const int64_t cid = ids[rng() % ids.size()];
      const int64_t price = kMid + ((int64_t)(rng() % 9) - 4) * kTick;
      const int32_t qty = (int32_t)(1 + rng() % 10);
      CHECK(sbe.send_replace(cid, price, qty) == fsess->send_replace(cid, price, qty));
    } else if (what < 7) {
      const int64_t cid = ids[rng() % ids.size()];
      CHECK(sbe.send_cancel(cid) == fsess->send_cancel(cid));
    } else {  // the market moves: resting orders it crosses fill
      const int64_t bid = kMid + ((int64_t)(rng() % 7) - 4) * kTick;
      const int64_t ask = bid + (int64_t)(1 + rng() % 3) * kTick;
      const int32_t bq = (int32_t)(rng() % 12), aq = (int32_t)(rng() % 12);
      xsim.set_market(kInst, bid, bq, ask, aq);
      fvenue->set_market(kInst, bid, bq, ask, aq);
    }
    REQUIRE(pump_until(step_sbe, settled_sbe));
    REQUIRE(pump_until(step_fix, settled_fix));
    REQUIRE(seen_sbe.size() == seen_fix.size());
    for (size_t k = 0; k < seen_sbe.size(); ++k) {
      INFO("event " << k << ": sbe " << describe(seen_sbe[k]) << " / fix " << describe(seen_fix[k]));
      REQUIRE(seen_sbe[k] == seen_fix[k]);
    }
  }
  CHECK(seen_sbe.size() > 200);
  size_t fills = 0;
  for (const Seen& s : seen_sbe) fills += s.type == OrderEventType::filled;
  CHECK(fills > 20);
  for (int64_t cid : ids) {
    CAPTURE(cid);
    const OrderRecord* a = sbe.find_order(cid);
    const OrderRecord* b = fsess->find_order(cid);
    REQUIRE(a != nullptr);
    REQUIRE(b != nullptr);
    CHECK(a->state == b->state);
    CHECK(a->filled == b->filled);
    CHECK(a->remaining == b->remaining);
    CHECK(a->quantity == b->quantity);
    CHECK(a->price == b->price);
    CHECK(a->vwap == b->vwap);
    SimOrder x;
    const bool at_sbe = xsim.find_order("u1", cid, x);
    const SimOrder* y = fvenue->find_order(cid);
    REQUIRE(at_sbe == (y != nullptr));
    if (y != nullptr) {
      CHECK(x.state == y->state);
      CHECK(x.filled == y->filled);
      CHECK(x.vwap == y->vwap);
    }
  }
  fsess.reset();
  fvenue.reset();
  std::filesystem::remove_all(dir);
}
