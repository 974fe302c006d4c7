// FIX 4.4 order entry (host/fix/): the QuickFIX client session against the in-process simulated
// FIX venue over loopback, both driven from this thread. Every flow checks the OrderEvents the
// risk gate consumes and the simulator's view of the same orders.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "host/fix/fix_decimal.hpp"
#include "host/fix/fix_session.hpp"
#include "host/fix/fix_venue_sim.hpp"

using namespace pw;
using namespace pw::oe;
using namespace pw::fix;

namespace {

constexpr int32_t kInst = 44;
constexpr int64_t kTick = 500'000'000;        // 0.5
constexpr int64_t kPx = 2230'500'000'000;     // 2230.5
constexpr int32_t kUnlisted = 45;

std::string dictionary() { return std::string(PERPWIRE_SOURCE_DIR) + "/config/fix/coinbase_derivatives_fix44.xml"; }

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/pw_fix_XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

struct Harness {
  TempDir dir;
  std::unique_ptr<FixVenueSim> venue;
  std::unique_ptr<FixSession> client;
  std::vector<OrderEvent> events;

  explicit Harness(const std::string& account = "ACC1", bool feed_clock = false) {
    FixVenueConfig vc;
    vc.target_comp_id = "EBR123";
    vc.dictionary = dictionary();
    vc.store_dir = dir.path + "/venue";
    if (std::getenv("PW_FIX_LOG")) vc.log_dir = std::getenv("PW_FIX_LOG");
    vc.symbols = {{kInst, "BIT-31JAN25-CDE"}};
    vc.feed_clock = feed_clock;
    vc.ack_latency_ns = 50'000;
    venue = std::make_unique<FixVenueSim>(vc);
    std::string error;
    REQUIRE_MESSAGE(venue->listen(error), error);
    venue->add_instrument(kInst, kTick);
    FixSessionConfig cc;
    cc.port = venue->port();
    cc.sender_comp_id = "EBR123";
    cc.account = account;
    cc.dictionary = dictionary();
    cc.store_dir = dir.path + "/client";
    if (std::getenv("PW_FIX_LOG")) cc.log_dir = std::getenv("PW_FIX_LOG");
    cc.symbols = vc.symbols;
    cc.symbols.emplace_back(kUnlisted, "NOT-LISTED");  // the client knows it, the venue does not
    client = std::make_unique<FixSession>(cc);
    client->start(0);
    REQUIRE_MESSAGE(client->last_error().empty(), client->last_error());
    REQUIRE(pump([&] { return client->active() && venue->logged_on(); }));
  }

  // Drives both sides until `done` holds (false after 6 s: the test fails on the check).
  bool pump(const std::function<bool()>& done, int seconds = 6) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      venue->poll_once(0);
      client->poll(0);
      OrderEvent e;
      while (client->next_event(e)) events.push_back(e);
      if (done()) return true;
      ::usleep(200);
    }
    return false;
  }
  // Until both sides have read every numbered message of the other.
  bool settle() {
    return pump([&] {
      return client->messages_sent() == venue->messages_received() && venue->messages_sent() == client->messages_received();
    });
  }
  int count(OrderEventType t, int64_t cid) const {
    int n = 0;
    for (const OrderEvent& e : events) n += e.type == t && e.client_order_id == cid;
    return n;
  }
  const OrderEvent* last(OrderEventType t, int64_t cid) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->type == t && it->client_order_id == cid) return &*it;
    return nullptr;
  }
  OrderState state(int64_t cid) const {
    const OrderRecord* r = client->find_order(cid);
    return r == nullptr ? OrderState::rejected : r->state;
  }
};

OrderParams order(int64_t cid, int8_t side, int64_t price, int32_t qty) {
  OrderParams p;
  p.client_order_id = cid;
  p.instrument_id = kInst;
  p.side = side;
  p.price = price;
  p.quantity = qty;
  return p;
}

}  // namespace

TEST_CASE("fix decimals convert exactly both ways") {
  char buf[32];
  const int64_t values[] = {0, 1, 500'000'000, kPx, -kPx, 7'000'000'000, INT64_MAX, -INT64_MAX, 123'456'789};
  for (int64_t v : values) {
    format_e9(v, buf);
    int64_t back = 0;
    CHECK(parse_e9(buf, back));
    CHECK(back == v);
  }
  format_e9(kPx, buf);
  CHECK(std::string(buf) == "2230.5");
  int64_t x = 0;
  // UTCTimestamps with nanoseconds.
  const int64_t times[] = {0, 1'700'000'000'123'456'789, 951'782'400'000'000'000 /* 2000-02-29 */, 4'102'444'799'999'999'999};
  for (int64_t t : times) {
    format_utc_ns(t, buf);
    CHECK(parse_utc_ns(buf, x));
    CHECK(x == t);
  }
  format_utc_ns(1'700'000'000'123'456'789, buf);
  CHECK(std::string(buf) == "20231114-22:13:20.123456789");
  CHECK(parse_utc_ns("20231114-22:13:20.123", x));
  CHECK(x == 1'700'000'000'123'000'000);
  CHECK(parse_utc_ns("20231114-22:13:20", x));
  CHECK_FALSE(parse_utc_ns("20231314-22:13:20", x));
  CHECK_FALSE(parse_utc_ns("2023111422:13:20", x));
  CHECK_FALSE(parse_e9("1.0000000001", x));
  CHECK_FALSE(parse_e9("abc", x));
  CHECK_FALSE(parse_e9("", x));
  CHECK(parse_e9("2.5000000000", x));
  CHECK(x == 2'500'000'000);
}

TEST_CASE("fix new order, replace, cancel") {
  Harness h;
  REQUIRE(h.client->send_new_order(order(1, 1, kPx, 10)) == LocalReject::none);
  REQUIRE(h.pump([&] { return h.count(OrderEventType::entered, 1) == 1; }));
  CHECK(h.state(1) == OrderState::active);
  const SimOrder* v = h.venue->find_order(1);
  REQUIRE(v != nullptr);
  CHECK(v->price == kPx);
  CHECK(v->quantity == 10);
  CHECK(h.client->find_order(1)->order_id == v->order_id);

  REQUIRE(h.client->send_replace(1, kPx - kTick, 12) == LocalReject::none);
  CHECK(h.client->send_replace(1, kPx, 12) == LocalReject::request_pending);
  REQUIRE(h.pump([&] { return h.count(OrderEventType::replaced, 1) == 1; }));
  CHECK(h.client->find_order(1)->price == kPx - kTick);
  CHECK(h.client->find_order(1)->quantity == 12);
  CHECK(h.venue->find_order(1)->price == kPx - kTick);

  // A second replace names the first one's ClOrdID as its OrigClOrdID.
  REQUIRE(h.client->send_replace(1, kPx - 2 * kTick, 12) == LocalReject::none);
  REQUIRE(h.pump([&] { return h.count(OrderEventType::replaced, 1) == 2; }));
  CHECK(h.venue->find_order(1)->price == kPx - 2 * kTick);

  REQUIRE(h.client->send_cancel(1) == LocalReject::none);
  REQUIRE(h.pump([&] { return h.count(OrderEventType::canceled, 1) == 1; }));
  CHECK(h.state(1) == OrderState::canceled);
  CHECK(h.venue->find_order(1)->state == OrderState::canceled);
  CHECK(h.client->send_cancel(1) == LocalReject::order_not_open);
  CHECK(h.client->counters().refused_messages == 0);
  CHECK(h.venue->counters().unusable_requests == 0);
}

TEST_CASE("fix partial and full fills, aggressive and passive") {
  Harness h;
  h.venue->set_market(kInst, kPx - kTick, 5, kPx, 4);
  REQUIRE(h.client->send_new_order(order(2, 1, kPx, 10)) == LocalReject::none);  // crosses 4 at the ask
  REQUIRE(h.pump([&] { return h.count(OrderEventType::filled, 2) == 1; }));
  const OrderEvent* f = h.last(OrderEventType::filled, 2);
  CHECK(f->quantity == 4);
  CHECK(f->price == kPx);
  CHECK(f->aggressor);
  CHECK(f->state == OrderState::partially_filled);
  CHECK(f->total_filled == 4);
  CHECK(f->remaining == 6);

  // The market trades through the resting rest: it fills at its own price, passively.
  h.venue->set_market(kInst, kPx - 2 * kTick, 5, kPx - kTick, 100);
  REQUIRE(h.pump([&] { return h.count(OrderEventType::filled, 2) == 2; }));
  f = h.last(OrderEventType::filled, 2);
  CHECK(f->quantity == 6);
  CHECK(f->price == kPx);
  CHECK_FALSE(f->aggressor);
  CHECK(f->state == OrderState::filled);
  CHECK(h.state(2) == OrderState::filled);
  CHECK(h.client->find_order(2)->vwap == kPx);
  CHECK(h.venue->find_order(2)->state == OrderState::filled);

  // A sell at the bid fills completely at once.
  REQUIRE(h.client->send_new_order(order(3, -1, kPx - 2 * kTick, 5)) == LocalReject::none);
  REQUIRE(h.pump([&] { return h.state(3) == OrderState::filled; }));
  CHECK(h.count(OrderEventType::entered, 3) == 1);
  CHECK(h.last(OrderEventType::filled, 3)->quantity == 5);
}

TEST_CASE("fix rejects and cancel rejects") {
  Harness h;
  // Off the tick: ExecutionReport 150=8.
  REQUIRE(h.client->send_new_order(order(4, 1, kPx + 1, 10)) == LocalReject::none);
  REQUIRE(h.pump([&] { return h.count(OrderEventType::rejected, 4) == 1; }));
  CHECK(h.state(4) == OrderState::rejected);
  CHECK(h.last(OrderEventType::rejected, 4)->local_reason == LocalReject::none);
  CHECK(h.last(OrderEventType::rejected, 4)->reason == 99);
  // Unknown instrument.
  OrderParams p = order(5, 1, kPx, 1);
  p.instrument_id = 77;
  REQUIRE(h.client->send_new_order(p) == LocalReject::none);
  REQUIRE(h.pump([&] { return h.count(OrderEventType::rejected, 5) == 1; }));
  CHECK(h.last(OrderEventType::rejected, 5)->reason == 1);

  // A replace below the filled quantity: OrderCancelReject 9, CxlRejResponseTo 2.
  h.venue->set_market(kInst, kPx - kTick, 5, kPx, 3);
  REQUIRE(h.client->send_new_order(order(6, 1, kPx, 10)) == LocalReject::none);
  REQUIRE(h.pump([&] { return h.count(OrderEventType::filled, 6) == 1; }));
  REQUIRE(h.client->send_replace(6, kPx, 2) == LocalReject::none);
  REQUIRE(h.pump([&] { return h.count(OrderEventType::replace_rejected, 6) == 1; }));
  CHECK(h.state(6) == OrderState::partially_filled);
  CHECK_FALSE(h.client->find_order(6)->replace_pending);
  CHECK(h.client->find_order(6)->price == kPx);

  // A cancel the venue cannot act on (the order filled meanwhile): OrderCancelReject, 434=1.
  h.venue->set_market(kInst, kPx - kTick, 5, kPx - kTick, 100);  // fills the rest passively
  REQUIRE(h.client->send_cancel(6) == LocalReject::none);
  REQUIRE(h.pump([&] { return h.count(OrderEventType::cancel_rejected, 6) == 1 || h.count(OrderEventType::canceled, 6) == 1; }));
  CHECK(h.count(OrderEventType::cancel_rejected, 6) == 1);
  CHECK(h.state(6) == OrderState::filled);
  CHECK(h.client->counters().cancel_rejects == 2);

  // Local refusals never reach the wire.
  CHECK(h.client->send_new_order(order(6, 1, kPx, 1)) == LocalReject::duplicate_client_order_id);
  CHECK(h.client->send_replace(999, kPx, 1) == LocalReject::unknown_order);
  CHECK(h.settle());
  CHECK(h.venue->match_counters().orders_rejected == 2);
}

TEST_CASE("fix disconnect: orders unknown, fills while away resent from the file store, reconciled") {
  Harness h;
  REQUIRE(h.client->send_new_order(order(7, 1, kPx - kTick, 10)) == LocalReject::none);
  REQUIRE(h.client->send_new_order(order(8, -1, kPx + 4 * kTick, 10)) == LocalReject::none);
  REQUIRE(h.pump([&] { return h.count(OrderEventType::entered, 7) == 1 && h.count(OrderEventType::entered, 8) == 1; }));
  REQUIRE(h.settle());

  h.venue->drop_connection();
  REQUIRE(h.pump([&] { return !h.client->active(); }));
  CHECK(h.state(7) == OrderState::unknown_after_disconnect);
  CHECK(h.state(8) == OrderState::unknown_after_disconnect);
  CHECK(h.client->send_new_order(order(9, 1, kPx, 1)) == LocalReject::not_logged_on);
  CHECK(h.state(9) == OrderState::rejected);

  // While the client is away order 7 fills; its report is numbered and stored by the venue.
  h.venue->set_market(kInst, kPx - 3 * kTick, 5, kPx - kTick, 4);
  h.venue->poll_once(0);
  CHECK(h.venue->find_order(7)->filled == 4);

  // QuickFIX reconnects (ReconnectInterval 1 s), the venue's Logon is numbered above what the client
  // expects, the client asks for the gap and the fill arrives as a possible resend.
  const bool resumed =
      h.pump([&] { return h.client->active() && !h.client->reconciling() && h.client->counters().reconciliations == 1; }, 10);
  INFO("state " << std::string(session_state_name(h.client->state())) << " logons " << h.client->counters().logons << " reconciling "
                << h.client->reconciling() << " venue logons " << h.venue->counters().logons << " error " << h.client->last_error());
  REQUIRE(resumed);
  const OrderEvent* f = h.last(OrderEventType::filled, 7);
  REQUIRE(f != nullptr);
  CHECK(f->quantity == 4);
  CHECK(f->possible_resend);
  CHECK(h.state(7) == OrderState::partially_filled);
  CHECK(h.state(8) == OrderState::active);  // nothing happened to it: restored
  CHECK(h.client->counters().logons == 2);

  // The session continues with the same numbers.
  REQUIRE(h.client->send_cancel(8) == LocalReject::none);
  REQUIRE(h.pump([&] { return h.state(8) == OrderState::canceled; }));
  CHECK(h.settle());
}

TEST_CASE("fix messages outside the dictionary are refused, counted, and the session continues") {
  Harness h;
  using M = FixVenueSim::Malformed;
  uint64_t refused = 0;
  for (M kind : {M::unknown_tag, M::unknown_msg_type, M::bad_value, M::missing_required}) {
    CAPTURE((int)kind);
    REQUIRE(h.venue->send_malformed(kind));
    ++refused;
    REQUIRE(h.pump([&] { return h.client->counters().refused_messages == refused; }));
    CHECK(h.client->active());
  }
  REQUIRE(h.pump([&] { return h.venue->counters().rejects_received == refused; }));
  CHECK(h.client->counters().unknown_order_events == 0);  // none reached the order mapping
  CHECK(h.client->counters().execution_reports == 0);

  REQUIRE(h.client->send_new_order(order(10, 1, kPx, 1)) == LocalReject::none);
  REQUIRE(h.pump([&] { return h.count(OrderEventType::entered, 10) == 1; }));
  CHECK(h.settle());
}

TEST_CASE("fix requests the venue refuses without a report: Reject 3 and BusinessMessageReject j") {
  // No account: the venue's dictionary requires Account (1) on a NewOrderSingle, so QuickFIX there
  // answers with a session-level Reject naming the order's sequence number.
  {
    Harness h(/*account=*/"");
    REQUIRE(h.client->send_new_order(order(11, 1, kPx, 1)) == LocalReject::none);
    REQUIRE(h.pump([&] { return h.count(OrderEventType::rejected, 11) == 1; }));
    CHECK(h.state(11) == OrderState::rejected);
    CHECK(h.client->counters().session_rejects_in == 1);
    CHECK(h.venue->find_order(11) == nullptr);
  }

  // A symbol the venue does not list: well formed, but not an order it can take: it answers with
  // BusinessMessageReject j (unsupported message), naming the request's sequence number.
  Harness k;
  OrderParams p = order(12, 1, kPx, 1);
  p.instrument_id = kUnlisted;
  REQUIRE(k.client->send_new_order(p) == LocalReject::none);
  REQUIRE(k.pump([&] { return k.count(OrderEventType::rejected, 12) == 1; }));
  CHECK(k.client->counters().business_rejects_in == 1);
  CHECK(k.venue->counters().unusable_requests == 1);
  CHECK(k.settle());
}

TEST_CASE("fix kill switch cancels every open order and refuses new ones until unkill") {
  Harness h;
  for (int64_t cid = 20; cid < 24; ++cid) REQUIRE(h.client->send_new_order(order(cid, 1, kPx - kTick, 1)) == LocalReject::none);
  REQUIRE(h.pump([&] { return h.count(OrderEventType::entered, 23) == 1; }));
  h.client->kill_switch();
  CHECK(h.client->send_new_order(order(30, 1, kPx, 1)) == LocalReject::kill_switch);
  CHECK(h.client->send_replace(20, kPx, 2) == LocalReject::request_pending);  // its cancel is in flight
  REQUIRE(h.pump([&] {
    for (int64_t cid = 20; cid < 24; ++cid)
      if (h.state(cid) != OrderState::canceled) return false;
    return true;
  }));
  for (int64_t cid = 20; cid < 24; ++cid) CHECK(h.venue->find_order(cid)->state == OrderState::canceled);
  h.client->unkill();
  REQUIRE(h.client->send_new_order(order(31, 1, kPx, 1)) == LocalReject::none);
  REQUIRE(h.pump([&] { return h.count(OrderEventType::entered, 31) == 1; }));
}

TEST_CASE("fix venue in feed time: a request is answered once the feed clock has passed its ack latency") {
  Harness h("ACC1", /*feed_clock=*/true);
  const int64_t t0 = 1'700'000'000'000'000'000;
  h.venue->set_feed_time(t0);
  REQUIRE(h.client->send_new_order(order(40, 1, kPx, 1)) == LocalReject::none);
  REQUIRE(h.pump([&] { return h.venue->requests_waiting() == 1; }));
  CHECK(h.settle());
  CHECK(h.count(OrderEventType::entered, 40) == 0);  // read, not yet due
  h.venue->set_feed_time(t0 + 49'999);
  CHECK(h.settle());
  CHECK(h.count(OrderEventType::entered, 40) == 0);
  h.venue->set_feed_time(t0 + 50'000);
  REQUIRE(h.pump([&] { return h.count(OrderEventType::entered, 40) == 1; }));
  CHECK(h.last(OrderEventType::entered, 40)->time == t0 + 50'000);  // TransactTime: the feed time, to the ns
}

TEST_CASE("a second venue for the same session ids fails to listen with the reason") {
  TempDir dir;
  FixVenueConfig vc;
  vc.target_comp_id = "EBR123";
  vc.dictionary = dictionary();
  vc.store_dir = dir.path + "/venue";
  FixVenueSim a(vc), b(vc);
  std::string error;
  REQUIRE_MESSAGE(a.listen(error), error);
  CHECK_FALSE(b.listen(error));
  CHECK(error.find("already exists") != std::string::npos);
  a.poll_once(0);
  b.poll_once(0);  // harmless when not listening
}

TEST_CASE("fix file store: a restarted session resumes its numbers, reset_store_on_start starts at 1") {
  Harness h;
  REQUIRE(h.client->send_new_order(order(50, 1, kPx - kTick, 1)) == LocalReject::none);
  REQUIRE(h.pump([&] { return h.count(OrderEventType::entered, 50) == 1; }));
  REQUIRE(h.settle());
  const uint64_t sent = h.client->messages_sent();
  CHECK(sent >= 2);  // Logon, NewOrderSingle
  FixSessionConfig cc;
  cc.sender_comp_id = "EBR123";
  cc.dictionary = dictionary();
  cc.store_dir = h.dir.path + "/client";
  cc.port = h.venue->port();
  h.client.reset();  // stops QuickFIX (a Logout goes out)
  {
    FixSession again(cc);
    again.start(0);
    CHECK(again.messages_sent() >= sent);  // read back from the file store
  }
  cc.reset_store_on_start = true;
  FixSession fresh(cc);
  fresh.start(0);
  CHECK(fresh.messages_sent() <= 1);  // reset before the first Logon (which may already be out)
}

TEST_CASE("fix logon with a wrong password is refused and the session stays down") {
  TempDir dir;
  FixVenueConfig vc;
  vc.target_comp_id = "EBR123";
  vc.username = "trader1";
  vc.password = "right";
  vc.dictionary = dictionary();
  vc.store_dir = dir.path + "/venue";
  FixVenueSim venue(vc);
  std::string error;
  REQUIRE_MESSAGE(venue.listen(error), error);
  FixSessionConfig cc;
  cc.port = venue.port();
  cc.sender_comp_id = "EBR123";
  cc.username = "trader1";
  cc.password = "wrong";
  cc.dictionary = dictionary();
  cc.store_dir = dir.path + "/client";
  FixSession s(cc);
  s.start(0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < deadline) {  // long enough for a reconnect to show
    venue.poll_once(0);
    s.poll(0);
    ::usleep(500);
  }
  CHECK_FALSE(s.active());
  CHECK(s.state() == SessionState::disconnected);
  CHECK(s.last_error().find("logon refused") != std::string::npos);
  CHECK(venue.counters().logon_rejects == 1);  // not retried
  CHECK(venue.counters().logons == 0);
}

TEST_CASE("fix session with a missing dictionary stays down with the reason") {
  TempDir dir;
  FixSessionConfig cc;
  cc.port = 1;
  cc.sender_comp_id = "EBR123";
  cc.dictionary = dir.path + "/missing.xml";
  cc.store_dir = dir.path + "/client";
  FixSession s(cc);
  s.start(0);
  CHECK_FALSE(s.last_error().empty());
  CHECK(s.state() == SessionState::disconnected);
  CHECK(s.send_new_order(order(1, 1, kPx, 1)) == LocalReject::not_logged_on);
}
