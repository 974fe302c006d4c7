// The order-entry session against an exchange played byte by byte by the test over the in-memory
// link, with a clock the test moves: logon, heartbeats and test requests, timeouts, sequence gaps
// both ways, duplicates, garbage, disconnect and reconciliation, kill switch, local refusals.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "tests/orders/session_harness.hpp"

using namespace pw;
using namespace pw::oe;
using namespace pw::oe::test;

// Counts heap allocations, to show that the send path makes none.
// Out of line, so that the compiler does not pair an inlined free() with a new-expression.
static std::atomic<uint64_t> g_allocations{0};
__attribute__((noinline)) void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
__attribute__((noinline)) void* operator new[](std::size_t n) { return operator new(n); }
__attribute__((noinline)) void operator delete(void* p) noexcept { std::free(p); }
__attribute__((noinline)) void operator delete(void* p, std::size_t) noexcept { std::free(p); }
__attribute__((noinline)) void operator delete[](void* p) noexcept { std::free(p); }
__attribute__((noinline)) void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

OrderEntered entered(int64_t cid, int64_t order_id = 0) {
  OrderEntered e;
  e.timestamp = kT0;
  e.exec_id = cid * 10;
  e.client_order_id = cid;
  e.order_id = order_id != 0 ? order_id : 1000 + cid;
  return e;
}

OrderFilled filled(int64_t cid, int32_t fill_qty, int32_t total, int32_t left, double price) {
  OrderFilled f;
  f.timestamp = kT0;
  f.exec_id = cid * 10 + total;
  f.client_order_id = cid;
  f.order_id = 1000 + cid;
  f.fill_price = px(price);
  f.filled_vwap = px(price);
  f.fill_qty = fill_qty;
  f.total_filled = total;
  f.available_qty = left;
  f.instrument_id = 1;
  return f;
}

OrderCanceled canceled(int64_t cid, int32_t total_filled, CancelReason why) {
  OrderCanceled c;
  c.timestamp = kT0;
  c.client_order_id = cid;
  c.order_id = 1000 + cid;
  c.total_filled = total_filled;
  c.instrument_id = 1;
  c.cancel_reason = (uint8_t)why;
  return c;
}

size_t count(const std::vector<OrderEvent>& ev, OrderEventType t) {
  size_t n = 0;
  for (const auto& e : ev)
    if (e.type == t) ++n;
  return n;
}

// A transport that takes every byte and allocates nothing.
class DiscardTransport final : public Transport {
 public:
  Connect start_connect() override { return Connect::connected; }
  Connect finish_connect() override { return Connect::connected; }
  long write(const uint8_t*, size_t len) override { return (long)len; }
  long read(uint8_t* data, size_t cap) override {
    if (inbound.empty()) return 0;
    const size_t n = inbound.size() < cap ? inbound.size() : cap;
    std::memcpy(data, inbound.data(), n);
    inbound.erase(inbound.begin(), inbound.begin() + (long)n);
    return (long)n;
  }
  void close() override {}
  const std::string& last_error() const override { return error; }
  std::vector<uint8_t> inbound;
  std::string error;
};

}  // namespace

TEST_CASE("logon carries the credentials, the reset flag and number 1; nothing else goes out before LogonConf") {
  ScriptedClient c;
  c.session.start(c.now);
  c.poll();
  CHECK(c.session.state() == SessionState::logon_sent);
  const auto logons = c.exchange.all<Logon>();
  REQUIRE(logons.size() == 1);
  CHECK(logons[0].username.view() == "trader1");
  CHECK(logons[0].password.view() == "secret");
  CHECK(logons[0].reset_seq_num);
  CHECK(c.exchange.received[0].m.sequence_number == 1);
  CHECK(c.exchange.received[0].m.schema_id == orders::kSessionSchemaId);

  // Before LogonConf an order is refused on the spot, recorded, and reported.
  CHECK(c.session.send_new_order(order(1, 1, 100, 1)) == LocalReject::not_logged_on);
  CHECK(c.state(1) == OrderState::rejected);
  CHECK(c.session.find_order(1)->local_reject == LocalReject::not_logged_on);
  auto ev = c.take_events();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].type == OrderEventType::rejected);
  CHECK(ev[0].local_reason == LocalReject::not_logged_on);
  CHECK(c.exchange.count<NewOrder>() == 0);

  c.exchange.send(LogonConf{2});
  c.poll();
  CHECK(c.session.active());
  CHECK(c.session.heartbeat_interval_ns() == 2 * kSec);
  ev = c.take_events();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].type == OrderEventType::session_active);
  CHECK(c.session.counters().logons == 1);
}

TEST_CASE("heartbeat after one quiet interval, TestRequest after 1.5, disconnect after 3, then reconnect and resume") {
  ScriptedClient c;
  c.log_on(2);
  c.exchange.clear();

  c.advance(2 * kSec - 1);
  CHECK(c.exchange.count<Heartbeat>() == 0);
  c.advance(1);
  CHECK(c.exchange.count<Heartbeat>() == 1);  // nothing sent for one interval

  c.advance(1 * kSec);  // nothing received for 1.5 intervals
  const auto trs = c.exchange.all<TestRequest>();
  REQUIRE(trs.size() == 1);
  c.advance(100 * kMs);
  CHECK(c.exchange.count<TestRequest>() == 1);  // one outstanding at a time

  // Answered: the exchange is alive.
  c.exchange.send(Heartbeat{trs[0].correlation_id});
  c.poll();
  c.advance(2900 * kMs);
  CHECK(c.session.active());

  // Silence from here: a second TestRequest at 1.5 intervals, the drop at 3.
  c.advance(100 * kMs);
  CHECK(c.exchange.count<TestRequest>() == 2);
  c.advance(3 * kSec - 1);  // 6 s - 1 ns after the last message received
  CHECK(c.session.active());
  c.advance(1);
  CHECK(c.session.state() == SessionState::disconnected);
  CHECK(c.session.counters().heartbeat_timeouts == 1);
  CHECK(c.session.last_error().find("3 heartbeat intervals") != std::string::npos);
  auto ev = c.take_events();
  REQUIRE(count(ev, OrderEventType::session_down) == 1);

  // Reconnects after the delay and resumes numbering (no reset).
  const uint32_t next = c.session.next_outgoing_seq();
  c.exchange.clear();
  c.advance(99 * kMs);
  CHECK(c.link.connections() == 1);
  c.advance(1 * kMs);
  CHECK(c.link.connections() == 2);
  const auto logons = c.exchange.all<Logon>();
  REQUIRE(logons.size() == 1);
  CHECK_FALSE(logons[0].reset_seq_num);
  CHECK(c.exchange.received[0].m.sequence_number == next);
  c.exchange.send(LogonConf{2});
  c.poll();
  CHECK(c.session.active());
  CHECK(c.session.counters().logons == 2);
}

TEST_CASE("a TestRequest from the exchange is answered with its correlation id") {
  ScriptedClient c;
  c.log_on(30);
  c.exchange.clear();
  c.exchange.send(TestRequest{4242});
  c.poll();
  const auto hb = c.exchange.all<Heartbeat>();
  REQUIRE(hb.size() == 1);
  CHECK(hb[0].correlation_id == 4242);
}

TEST_CASE("an incoming gap: later messages are held, only the missing numbers are asked for, then all run in order") {
  ScriptedClient c;
  c.log_on(30);  // LogonConf was number 1
  REQUIRE(c.session.send_new_order(order(1, 1, 100, 5)) == LocalReject::none);
  c.exchange.clear();

  // Numbers 2 and 3 never arrive; 4 does.
  c.exchange.send(filled(1, 2, 2, 3, 100), 4);
  c.poll();
  auto rr = c.exchange.all<ResendRequest>();
  REQUIRE(rr.size() == 1);
  CHECK(rr[0].from_sequence_number == 2);
  CHECK(rr[0].to_sequence_number == 3);
  CHECK(c.session.counters().gaps_detected == 1);
  CHECK(c.session.counters().held_out_of_order == 1);
  CHECK(c.state(1) == OrderState::pending_new);  // the fill waits for what came before it

  // 5 follows 4 directly: held too, nothing new is missing, no second request.
  c.exchange.send(Heartbeat{}, 5);
  c.poll();
  CHECK(c.exchange.count<ResendRequest>() == 1);

  // The answer: 2 was a session message (gap-filled), 3 is resent; then 4 and 5 run from the hold.
  c.exchange.send(GapFill{3}, 2, kFlagPossibleResend);
  c.exchange.send(entered(1), 3, kFlagPossibleResend);
  c.poll();
  CHECK(c.state(1) == OrderState::partially_filled);
  CHECK(c.session.expected_incoming_seq() == 6);
  auto ev = c.take_events();
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].type == OrderEventType::entered);
  CHECK(ev[0].possible_resend);
  // Each event carries the order's state when it happened, not the state at the end of the poll.
  CHECK(ev[0].state == OrderState::active);
  CHECK(ev[1].type == OrderEventType::filled);
  CHECK(ev[1].state == OrderState::partially_filled);
  CHECK_FALSE(ev[1].possible_resend);
  CHECK(ev[1].quantity == 2);
  CHECK(ev[1].remaining == 3);

  // A copy of 4 arriving late is a duplicate.
  c.exchange.send(filled(1, 2, 2, 3, 100), 4, kFlagPossibleResend);
  c.poll();
  CHECK(c.session.counters().duplicates_ignored == 1);
  CHECK(c.take_events().empty());

  // A TestRequest above a gap is answered at once, and its number is not asked for.
  c.exchange.clear();
  c.exchange.send(TestRequest{99}, 8);
  c.poll();
  const auto hb = c.exchange.all<Heartbeat>();
  REQUIRE(hb.size() == 1);
  CHECK(hb[0].correlation_id == 99);
  rr = c.exchange.all<ResendRequest>();
  REQUIRE(rr.size() == 1);
  CHECK(rr[0].from_sequence_number == 6);
  CHECK(rr[0].to_sequence_number == 7);
  c.exchange.send(GapFill{8}, 6, kFlagPossibleResend);
  c.poll();
  CHECK(c.session.expected_incoming_seq() == 9);
}

TEST_CASE("the exchange's ResendRequest gets stored orders again (possible resend) and GapFill for session messages") {
  ScriptedClient c;
  c.log_on(30);                                                        // Logon = 1
  REQUIRE(c.session.send_new_order(order(1, 1, 100, 5)) == LocalReject::none);  // 2
  c.advance(30 * kSec);                                                // Heartbeat = 3
  c.exchange.send(entered(1));
  c.poll();
  REQUIRE(c.session.send_cancel(1) == LocalReject::none);             // 4
  c.exchange.collect();
  REQUIRE(c.exchange.received.size() == 4);
  const std::vector<uint8_t> original_new = c.exchange.received[1].bytes;
  const std::vector<uint8_t> original_cancel = c.exchange.received[3].bytes;
  c.exchange.clear();

  c.exchange.send(ResendRequest{1, 0});  // 0: up to the latest
  c.poll();
  c.exchange.collect();
  const auto& got = c.exchange.received;
  REQUIRE(got.size() == 4);
  GapFill g;
  REQUIRE(decode(got[0].m, g));
  CHECK(got[0].m.sequence_number == 1);
  CHECK(g.new_sequence_number == 2);
  CHECK((got[0].m.flags & kFlagPossibleResend) != 0);

  REQUIRE(is<NewOrder>(got[1].m));
  CHECK(got[1].m.sequence_number == 2);
  CHECK((got[1].m.flags & kFlagPossibleResend) != 0);
  // Same bytes as the original apart from the flag and LastProcessedSeqNo.
  std::vector<uint8_t> a = got[1].bytes, b = original_new;
  a[1] = b[1] = 0;
  std::fill(a.begin() + 8, a.begin() + 12, 0);
  std::fill(b.begin() + 8, b.begin() + 12, 0);
  CHECK(a == b);

  REQUIRE(decode(got[2].m, g));
  CHECK(got[2].m.sequence_number == 3);
  CHECK(g.new_sequence_number == 4);
  REQUIRE(is<CancelOrder>(got[3].m));
  CHECK(got[3].m.sequence_number == 4);
  CHECK(got[3].bytes.size() == original_cancel.size());
  CHECK(c.session.counters().messages_resent == 2);
  CHECK(c.session.counters().gap_fills_sent == 2);
  CHECK(c.session.next_outgoing_seq() == 5);  // answering takes no new numbers
}

TEST_CASE("a duplicate message is ignored and counted") {
  ScriptedClient c;
  c.log_on(30);
  REQUIRE(c.session.send_new_order(order(1, 1, 100, 5)) == LocalReject::none);
  c.exchange.send(entered(1), 2);
  c.exchange.send(entered(1), 2);
  c.poll();
  CHECK(c.session.counters().duplicates_ignored == 1);
  auto ev = c.take_events();
  CHECK(count(ev, OrderEventType::entered) == 1);
  CHECK(c.state(1) == OrderState::active);
}

TEST_CASE("garbage from the exchange resets the connection; the session logs on again and resumes") {
  ScriptedClient c;
  c.log_on(30);
  REQUIRE(c.session.send_new_order(order(1, 1, 100, 5)) == LocalReject::none);
  c.exchange.send(entered(1));  // 2
  c.poll();
  c.exchange.send_raw({0xF1, 0x00, 0x05, 0x00, 0xDE, 0xAD, 0xBE, 0xEF});  // MessageLength 5 < 32
  c.exchange.send(filled(1, 5, 5, 0, 100));                              // 3: lost with the stream
  c.poll();
  CHECK(c.session.counters().garbage_resets == 1);
  CHECK(c.session.state() == SessionState::disconnected);
  CHECK(c.session.last_error().find("garbage") != std::string::npos);
  CHECK(c.state(1) == OrderState::unknown_after_disconnect);

  c.exchange.clear();
  c.advance(100 * kMs);
  const auto logons = c.exchange.all<Logon>();
  REQUIRE(logons.size() == 1);
  CHECK_FALSE(logons[0].reset_seq_num);
  // The exchange resumes at 4: the client asks for 3 and gets the fill.
  c.exchange.send(LogonConf{30}, 4);
  c.poll();
  const auto rr = c.exchange.all<ResendRequest>();
  REQUIRE(rr.size() == 1);
  CHECK(rr[0].from_sequence_number == 3);
  CHECK(rr[0].to_sequence_number == 3);
  CHECK(c.session.reconciling());
  c.exchange.send(filled(1, 5, 5, 0, 100), 3, kFlagPossibleResend);
  c.poll();
  CHECK_FALSE(c.session.reconciling());
  CHECK(c.state(1) == OrderState::filled);
}

TEST_CASE("disconnect: open orders become unknown, orders while down are refused, a resumed logon reconciles") {
  ScriptedClient c;
  c.log_on(30);
  for (int64_t cid = 1; cid <= 4; ++cid) REQUIRE(c.session.send_new_order(order(cid, 1, 100, 5)) == LocalReject::none);
  c.exchange.send(entered(1));                // 2
  c.exchange.send(entered(2));                // 3
  c.exchange.send(filled(2, 2, 2, 3, 100));   // 4
  c.exchange.send(entered(4));                // 5
  c.exchange.send(filled(4, 5, 5, 0, 100));   // 6
  c.poll();
  CHECK(c.state(1) == OrderState::active);
  CHECK(c.state(2) == OrderState::partially_filled);
  CHECK(c.state(3) == OrderState::pending_new);
  CHECK(c.state(4) == OrderState::filled);
  c.take_events();

  c.link.peer_close();
  c.poll();
  CHECK(c.session.state() == SessionState::disconnected);
  CHECK(c.state(1) == OrderState::unknown_after_disconnect);
  CHECK(c.state(2) == OrderState::unknown_after_disconnect);
  CHECK(c.state(3) == OrderState::unknown_after_disconnect);
  CHECK(c.state(4) == OrderState::filled);

  // While down: refused at once, never queued.
  CHECK(c.session.send_new_order(order(5, 1, 100, 5)) == LocalReject::not_logged_on);
  CHECK(c.state(5) == OrderState::rejected);
  CHECK(c.session.send_replace(1, px(101), 5) == LocalReject::order_state_unknown);
  CHECK(c.session.send_cancel(1) == LocalReject::not_logged_on);
  CHECK(c.session.send_mass_cancel() == LocalReject::not_logged_on);
  auto ev = c.take_events();
  CHECK(count(ev, OrderEventType::session_down) == 1);
  CHECK(count(ev, OrderEventType::rejected) == 1);
  CHECK(count(ev, OrderEventType::replace_rejected) == 1);
  CHECK(count(ev, OrderEventType::cancel_rejected) == 1);
  CHECK(count(ev, OrderEventType::mass_cancel_reject) == 1);

  // Reconnect. While the client was away the exchange filled order 2 (7) and entered order 3 (8).
  c.exchange.clear();
  c.advance(100 * kMs);
  REQUIRE(c.exchange.count<Logon>() == 1);
  CHECK(c.exchange.count<NewOrder>() == 0);  // nothing but the Logon until LogonConf
  c.exchange.send(LogonConf{30}, 9);
  c.poll();
  CHECK(c.session.active());
  CHECK(c.session.reconciling());
  const auto rr = c.exchange.all<ResendRequest>();
  REQUIRE(rr.size() == 1);
  CHECK(rr[0].from_sequence_number == 7);
  CHECK(rr[0].to_sequence_number == 8);
  c.exchange.send(filled(2, 3, 5, 0, 100), 7, kFlagPossibleResend);
  c.exchange.send(entered(3), 8, kFlagPossibleResend);
  c.poll();
  CHECK_FALSE(c.session.reconciling());
  CHECK(c.state(1) == OrderState::active);  // nothing happened to it: restored
  CHECK(c.state(2) == OrderState::filled);
  CHECK(c.state(3) == OrderState::active);
  CHECK(c.state(4) == OrderState::filled);
  CHECK(c.state(5) == OrderState::rejected);
  ev = c.take_events();
  REQUIRE(count(ev, OrderEventType::reconciled) == 1);
  for (const auto& e : ev)
    if (e.type == OrderEventType::reconciled) CHECK(e.quantity == 1);
  CHECK(c.session.counters().reconciliations == 1);
}

TEST_CASE("an order the exchange never received is sent again when the exchange asks for it") {
  ScriptedClient c;
  c.log_on(30);                                                                 // Logon = 1
  REQUIRE(c.session.send_new_order(order(1, 1, 100, 5)) == LocalReject::none);  // 2, lost
  c.link.peer_close();
  c.poll();
  CHECK(c.state(1) == OrderState::unknown_after_disconnect);
  c.exchange.clear();
  c.advance(100 * kMs);
  REQUIRE(c.exchange.count<Logon>() == 1);
  CHECK(c.exchange.received[0].m.sequence_number == 3);
  // The exchange processed only the Logon (1): it confirms, then asks for 2..3.
  c.exchange.last_processed = 1;
  c.exchange.send(LogonConf{30}, 2);
  c.exchange.send(ResendRequest{2, 3}, 3);
  c.poll();
  CHECK(c.state(1) == OrderState::pending_new);  // reconciled: nothing was missed from the exchange
  c.exchange.collect();
  size_t resent = 0;
  for (const auto& s : c.exchange.received) {
    if (!is<NewOrder>(s.m)) continue;
    ++resent;
    CHECK(s.m.sequence_number == 2);
    CHECK((s.m.flags & kFlagPossibleResend) != 0);
  }
  CHECK(resent == 1);
  c.exchange.send(entered(1), 4);
  c.poll();
  CHECK(c.state(1) == OrderState::active);
}

TEST_CASE("kill switch: mass cancel of everything, new orders and replaces refused until unkill") {
  ScriptedClient c;
  c.log_on(30);
  REQUIRE(c.session.send_new_order(order(1, 1, 100, 5)) == LocalReject::none);
  c.exchange.send(entered(1));
  c.poll();
  c.exchange.clear();

  c.session.kill_switch();
  CHECK(c.session.killed());
  auto mc = c.exchange.all<MassCancelOrder>();
  REQUIRE(mc.size() == 1);
  CHECK(mc[0].instrument_id == kAllInstruments);
  CHECK(mc[0].side == kBothSides);
  CHECK(c.session.send_new_order(order(2, 1, 100, 5)) == LocalReject::kill_switch);
  CHECK(c.state(2) == OrderState::rejected);
  CHECK(c.session.send_replace(1, px(99), 5) == LocalReject::kill_switch);
  CHECK(c.session.send_cancel(1) == LocalReject::none);  // cancels only reduce risk
  c.exchange.send(canceled(1, 0, CancelReason::mass_cancel));
  MassCancelOrderAck ack;
  ack.canceled_count = 1;
  ack.correlation_id = mc[0].correlation_id;
  c.exchange.send(ack);
  CancelOrderReject cr;
  cr.client_order_id = 1;
  cr.cancel_order_reject_reason = 9;
  c.exchange.send(cr);
  c.poll();
  CHECK(c.state(1) == OrderState::canceled);
  auto ev = c.take_events();
  CHECK(count(ev, OrderEventType::mass_cancel_ack) == 1);
  CHECK(count(ev, OrderEventType::cancel_rejected) == 1);

  c.session.unkill();
  CHECK(c.session.send_new_order(order(3, 1, 100, 5)) == LocalReject::none);

  // Engaged while down: the mass cancel goes out right after the next LogonConf.
  c.link.peer_close();
  c.poll();
  c.session.kill_switch();
  c.exchange.clear();
  c.advance(100 * kMs);
  CHECK(c.exchange.count<MassCancelOrder>() == 0);
  c.exchange.send(LogonConf{30}, c.session.expected_incoming_seq());
  c.poll();
  CHECK(c.exchange.count<MassCancelOrder>() == 1);
}

TEST_CASE("local refusals: duplicate id, unknown order, final order, request in flight; exchange rejects of a replace") {
  ScriptedClient c;
  c.log_on(30);
  REQUIRE(c.session.send_new_order(order(1, 1, 100, 5)) == LocalReject::none);
  c.exchange.send(entered(1));
  c.poll();
  c.take_events();

  // A duplicate id leaves the existing order untouched and reports nothing about it.
  CHECK(c.session.send_new_order(order(1, -1, 200, 9)) == LocalReject::duplicate_client_order_id);
  CHECK(c.state(1) == OrderState::active);
  CHECK(c.session.find_order(1)->side == 1);
  CHECK(c.take_events().empty());

  CHECK(c.session.send_replace(77, px(100), 5) == LocalReject::unknown_order);
  CHECK(c.session.send_cancel(77) == LocalReject::unknown_order);

  REQUIRE(c.session.send_replace(1, px(101), 6) == LocalReject::none);
  CHECK(c.session.send_replace(1, px(102), 6) == LocalReject::request_pending);
  // The exchange refuses the replace: the order stands as it was.
  OrderReject rj;
  rj.client_order_id = 1;
  rj.order_reject_reason = (uint8_t)OrderRejectReason::validation_failure;
  rj.order_reject_details.assign("price not a positive multiple of the tick");
  c.exchange.send(rj);
  c.poll();
  CHECK(c.state(1) == OrderState::active);
  CHECK(c.session.find_order(1)->price == px(100));
  auto ev = c.take_events();
  REQUIRE(count(ev, OrderEventType::replace_rejected) == 2);  // one local, one from the exchange
  CHECK(ev.back().reason == (uint8_t)OrderRejectReason::validation_failure);
  CHECK(std::string(ev.back().text.view()) == "price not a positive multiple of the tick");

  // A replace that goes through takes the new price and quantity.
  REQUIRE(c.session.send_replace(1, px(101), 6) == LocalReject::none);
  OrderReplaced rp;
  rp.client_order_id = 1;
  rp.order_id = 1001;
  rp.total_filled = 0;
  rp.available_qty = 6;
  c.exchange.send(rp);
  c.poll();
  CHECK(c.session.find_order(1)->price == px(101));
  CHECK(c.session.find_order(1)->quantity == 6);

  // A cancel may follow a replace in flight (it only reduces risk); a second cancel may not.
  REQUIRE(c.session.send_replace(1, px(102), 6) == LocalReject::none);
  REQUIRE(c.session.send_cancel(1) == LocalReject::none);
  CHECK(c.session.send_cancel(1) == LocalReject::request_pending);
  ev = c.take_events();
  CHECK(count(ev, OrderEventType::cancel_rejected) == 1);
  c.exchange.send(canceled(1, 0, CancelReason::canceled_by_user));
  c.poll();
  CHECK(c.state(1) == OrderState::canceled);
  CHECK_FALSE(c.session.find_order(1)->replace_pending);
  CHECK(c.session.send_cancel(1) == LocalReject::order_not_open);
  CHECK(c.session.send_replace(1, px(100), 5) == LocalReject::order_not_open);

  // A new order refused by the exchange is final.
  REQUIRE(c.session.send_new_order(order(2, 1, 100, 0)) == LocalReject::none);
  rj.client_order_id = 2;
  c.exchange.send(rj);
  c.poll();
  CHECK(c.state(2) == OrderState::rejected);
  CHECK(c.session.find_order(2)->reason == (uint8_t)OrderRejectReason::validation_failure);

  // Events for ids this session never sent are counted, not invented.
  c.exchange.send(entered(555));
  c.poll();
  CHECK(c.session.counters().unknown_order_events == 1);
  CHECK(c.session.find_order(555) == nullptr);
}

TEST_CASE("reports with quantities no order can have are counted and not applied") {
  ScriptedClient c;
  c.log_on();
  REQUIRE(c.session.send_new_order(order(1, 1, 100, 5)) == LocalReject::none);
  c.exchange.send(entered(1));
  c.exchange.send(filled(1, 2, 2, 3, 100));
  c.poll();
  REQUIRE(c.state(1) == OrderState::partially_filled);
  c.events.clear();
  // A fill whose totals overflow an int32, a negative open quantity, a fill of nothing, a fill
  // above the filled total, a replace with a negative total, a cancel filled beyond the order.
  c.exchange.send(filled(1, 1, 2'000'000'000, 2'000'000'000, 100));
  c.exchange.send(filled(1, 1, 3, -1, 100));
  c.exchange.send(filled(1, 0, 3, 2, 100));
  c.exchange.send(filled(1, 4, 3, 2, 100));
  OrderReplaced rp;
  rp.client_order_id = 1;
  rp.total_filled = -1;
  rp.available_qty = 4;
  c.exchange.send(rp);
  c.exchange.send(canceled(1, 6, CancelReason::canceled_by_user));
  c.poll();
  CHECK(c.session.counters().impossible_quantities == 6);
  CHECK(c.session.health().impossible_quantities == 6);
  CHECK(c.events.empty());
  const OrderRecord* r = c.session.find_order(1);
  CHECK(r->state == OrderState::partially_filled);
  CHECK(r->filled == 2);
  CHECK(r->remaining == 3);
  CHECK(r->quantity == 5);
  // The session goes on: a good fill after them is applied.
  c.exchange.send(filled(1, 3, 5, 0, 100));
  c.poll();
  CHECK(c.state(1) == OrderState::filled);
  CHECK(c.session.counters().impossible_quantities == 6);
}

TEST_CASE("a full send buffer refuses the request instead of queueing part of it") {
  SessionConfig cfg = ScriptedClient::default_config();
  cfg.send_buffer_bytes = 256;
  ScriptedClient c(cfg);
  c.log_on(30);
  c.link.set_write_limit(0);  // the socket takes nothing
  int accepted = 0;
  LocalReject last = LocalReject::none;
  for (int64_t cid = 1; cid <= 10 && last == LocalReject::none; ++cid) {
    last = c.session.send_new_order(order(cid, 1, 100, 1));
    if (last == LocalReject::none) ++accepted;
  }
  CHECK(last == LocalReject::send_buffer_full);
  CHECK(accepted == 256 / 68);
  c.link.set_write_limit(-1);
  c.exchange.clear();
  c.poll();
  CHECK(c.exchange.count<NewOrder>() == (size_t)accepted);
}

TEST_CASE("a refused logon (LoggedOut) ends the session without reconnecting") {
  ScriptedClient c;
  c.session.start(c.now);
  c.poll();
  LoggedOut lo;
  lo.reason.assign("invalid username or password");
  c.exchange.send(lo, 1);
  c.poll();
  CHECK(c.session.state() == SessionState::disconnected);
  CHECK(c.session.last_error() == "logged out by the exchange: invalid username or password");
  c.advance(10 * kSec);
  CHECK(c.link.connections() == 1);
}

TEST_CASE("logout: Logout, then LoggedOut closes the session; open orders are explicitly unknown") {
  ScriptedClient c;
  c.log_on(30);
  REQUIRE(c.session.send_new_order(order(1, 1, 100, 5)) == LocalReject::none);
  c.exchange.send(entered(1));
  c.poll();
  c.session.logout("end of day");
  CHECK(c.session.state() == SessionState::logout_sent);
  const auto lo = c.exchange.all<Logout>();
  REQUIRE(lo.size() == 1);
  CHECK(lo[0].reason.view() == "end of day");
  CHECK(c.session.send_new_order(order(2, 1, 100, 5)) == LocalReject::not_logged_on);
  LoggedOut done;
  done.reason.assign("logout acknowledged");
  c.exchange.send(done);
  c.poll();
  CHECK(c.session.state() == SessionState::disconnected);
  CHECK(c.state(1) == OrderState::unknown_after_disconnect);
  c.advance(10 * kSec);
  CHECK(c.link.connections() == 1);

  // Unanswered logout: closed after the timeout.
  ScriptedClient d;
  d.log_on(30);
  d.session.logout("bye");
  d.advance(d.config.logout_timeout_ns);
  CHECK(d.session.state() == SessionState::disconnected);
}

TEST_CASE("an exchange that restarts its numbering leaves the orders explicitly unknown") {
  ScriptedClient c;
  c.log_on(30);
  REQUIRE(c.session.send_new_order(order(1, 1, 100, 5)) == LocalReject::none);
  c.exchange.send(entered(1));  // 2
  c.exchange.send(Heartbeat{}); // 3
  c.poll();
  c.link.peer_close();
  c.poll();
  c.advance(100 * kMs);
  c.exchange.send(LogonConf{30}, 1);  // below the expected 4
  c.poll();
  CHECK(c.session.active());
  CHECK(c.session.counters().peer_sequence_resets == 1);
  CHECK_FALSE(c.session.reconciling());
  CHECK(c.state(1) == OrderState::unknown_after_disconnect);
  // A later event still settles it.
  c.exchange.send(canceled(1, 0, CancelReason::admin_cancel), 2);
  c.poll();
  CHECK(c.state(1) == OrderState::canceled);
}

TEST_CASE("with reset on reconnect nothing can be asked for: open orders stay explicitly unknown") {
  SessionConfig cfg = ScriptedClient::default_config();
  cfg.reset_seq_num_on_reconnect = true;
  ScriptedClient c(cfg);
  c.log_on(30);
  REQUIRE(c.session.send_new_order(order(1, 1, 100, 5)) == LocalReject::none);
  c.exchange.send(entered(1));
  c.poll();
  c.link.peer_close();
  c.poll();
  c.exchange.clear();
  c.advance(100 * kMs);
  const auto logons = c.exchange.all<Logon>();
  REQUIRE(logons.size() == 1);
  CHECK(logons[0].reset_seq_num);
  CHECK(c.exchange.received[0].m.sequence_number == 1);
  c.exchange.send(LogonConf{30}, 1);
  c.poll();
  CHECK(c.session.active());
  CHECK_FALSE(c.session.reconciling());
  CHECK(c.state(1) == OrderState::unknown_after_disconnect);
}

TEST_CASE("the order table: records for every id, final ones can be dropped to make room") {
  SessionConfig cfg = ScriptedClient::default_config();
  cfg.max_orders = 4;
  ScriptedClient c(cfg);
  c.log_on(30);
  for (int64_t cid = 1; cid <= 4; ++cid) REQUIRE(c.session.send_new_order(order(cid, 1, 100, 1)) == LocalReject::none);
  CHECK(c.session.send_new_order(order(5, 1, 100, 1)) == LocalReject::order_table_full);
  CHECK(c.session.find_order(5) == nullptr);  // no room for its record either: the event says it
  auto ev = c.take_events();
  REQUIRE(count(ev, OrderEventType::rejected) == 1);
  CHECK(ev.back().client_order_id == 5);
  CHECK(ev.back().local_reason == LocalReject::order_table_full);
  for (int64_t cid = 1; cid <= 2; ++cid) c.exchange.send(canceled(cid, 0, CancelReason::canceled_by_user), 1 + (uint32_t)cid);
  c.poll();
  CHECK(c.session.forget_final_orders() == 2);
  CHECK(c.session.find_order(1) == nullptr);
  CHECK(c.state(3) == OrderState::pending_new);
  CHECK(c.state(4) == OrderState::pending_new);
  CHECK(c.session.send_new_order(order(5, 1, 100, 1)) == LocalReject::none);
}

TEST_CASE("OrderTable keeps every record reachable through erase of final records") {
  OrderTable t(256);
  std::vector<int64_t> ids;
  for (int64_t i = 0; i < 256; ++i) ids.push_back(i * 7919 + (i % 3) * 1000003);
  for (int64_t id : ids) {
    OrderRecord* r = t.insert(id);
    REQUIRE(r != nullptr);
    r->state = (id % 2) ? OrderState::filled : OrderState::active;
  }
  CHECK(t.full());
  CHECK(t.insert(-1) == nullptr);
  CHECK(t.insert(ids[0]) == nullptr);
  size_t finals = 0;
  for (int64_t id : ids) finals += (id % 2) ? 1 : 0;
  CHECK(t.erase_final() == finals);
  for (int64_t id : ids) {
    CAPTURE(id);
    if (id % 2) CHECK(t.find(id) == nullptr);
    else REQUIRE(t.find(id) != nullptr);
  }
}

TEST_CASE("OrderTable: ids whose place in the window is taken live in the map, and stay reachable") {
  OrderTable t(64);  // a window of 64 places
  // Consecutive ids take their places; ids 64 apart meet a live record and go to the map.
  for (int64_t id = 1; id <= 32; ++id) REQUIRE(t.insert(id) != nullptr);
  for (int64_t id = 65; id <= 80; ++id) REQUIRE(t.insert(id) != nullptr);
  CHECK(t.size() == 48);
  for (int64_t id = 1; id <= 32; ++id) REQUIRE(t.find(id) != nullptr);
  for (int64_t id = 65; id <= 80; ++id) {
    REQUIRE(t.find(id) != nullptr);
    CHECK(t.find(id)->client_order_id == id);
  }
  CHECK(t.find(129) == nullptr);     // same place as 1 and 65, never inserted
  CHECK(t.insert(65) == nullptr);    // a duplicate is found in the map
  // The window's records final, the map's open: the map's stay found through the empty places.
  for (int64_t id = 1; id <= 32; ++id) t.find(id)->state = OrderState::filled;
  for (int64_t id = 65; id <= 80; ++id) t.find(id)->state = OrderState::active;
  CHECK(t.erase_final() == 32);
  for (int64_t id = 1; id <= 32; ++id) CHECK(t.find(id) == nullptr);
  for (int64_t id = 65; id <= 80; ++id) REQUIRE(t.find(id) != nullptr);
  // A new id takes the freed place; the map's ids of that place are still found.
  REQUIRE(t.insert(129) != nullptr);
  CHECK(t.find(65) != nullptr);
  CHECK(t.find(129)->client_order_id == 129);
  // The map's records final: erased, and their places no longer send a lookup to the map.
  for (int64_t id = 65; id <= 80; ++id) t.find(id)->state = OrderState::canceled;
  CHECK(t.erase_final() == 16);
  CHECK(t.size() == 1);
  for (int64_t id = 65; id <= 80; ++id) CHECK(t.find(id) == nullptr);
  size_t seen = 0;
  t.for_each([&](const OrderRecord& r) {
    CHECK(r.client_order_id == 129);
    ++seen;
  });
  CHECK(seen == 1);
  // Full at the capacity, whichever of the two holds the records.
  for (int64_t id = 1000; t.size() < t.capacity(); ++id) REQUIRE(t.insert(id * 64) != nullptr);
  CHECK(t.full());
  CHECK(t.insert(7) == nullptr);
  t.clear();
  CHECK(t.size() == 0);
  CHECK(t.find(129) == nullptr);
  CHECK(t.insert(129) != nullptr);
}

TEST_CASE("the send path allocates nothing") {
  DiscardTransport tr;
  SessionConfig cfg = ScriptedClient::default_config();
  cfg.max_orders = 4096;
  OrderSession s(cfg, tr);
  s.start(kT0);
  uint8_t buf[kMaxMessageSize];
  const size_t n = encode(buf, sizeof buf, SendHeader{1, 1, kT0, 0}, LogonConf{30});
  tr.inbound.assign(buf, buf + n);
  s.poll(kT0);
  REQUIRE(s.active());
  OrderEvent e;
  while (s.next_event(e)) {
  }
  const uint64_t before = g_allocations.load();
  for (int64_t cid = 1; cid <= 1000; ++cid) {
    REQUIRE(s.send_new_order(order(cid, (cid & 1) ? 1 : -1, 100, 1)) == LocalReject::none);
    REQUIRE(s.send_replace(cid, px(101), 2) == LocalReject::none);
  }
  for (int64_t cid = 1; cid <= 1000; ++cid) REQUIRE(s.send_cancel(cid) == LocalReject::none);
  for (int64_t cid = 1; cid <= 1000; ++cid) REQUIRE(s.send_cancel(cid) == LocalReject::request_pending);
  REQUIRE(s.send_mass_cancel() == LocalReject::none);
  s.poll(kT0 + 1);
  CHECK(g_allocations.load() == before);

  // Nor does the receive path: entries and fills for every order, and the events they make.
  std::vector<uint8_t> stream;
  uint32_t seq = 2;
  for (int64_t cid = 1; cid <= 1000; ++cid) {
    size_t k = encode(buf, sizeof buf, SendHeader{seq++, 0, kT0, 0}, entered(cid));
    stream.insert(stream.end(), buf, buf + k);
    k = encode(buf, sizeof buf, SendHeader{seq++, 0, kT0, 0}, filled(cid, 2, 2, 0, 100));
    stream.insert(stream.end(), buf, buf + k);
  }
  tr.inbound = std::move(stream);
  const uint64_t before_receive = g_allocations.load();
  s.poll(kT0 + 2);
  CHECK(g_allocations.load() == before_receive);
  CHECK(s.expected_incoming_seq() == seq);
  CHECK(s.find_order(1000)->state == OrderState::filled);
}

TEST_CASE("a replace that crosses the fill or cancel ending the order: its reject is expected, not a protocol error") {
  ScriptedClient c;
  c.log_on();
  OrderReject late;
  late.order_reject_reason = (uint8_t)OrderRejectReason::unknown_order;
  late.order_reject_details.assign("no open order with this client order id");

  // Filled in full while the replace is on its way.
  REQUIRE(c.session.send_new_order(order(1, 1, 100, 5)) == LocalReject::none);
  c.exchange.send(entered(1));
  c.poll();
  REQUIRE(c.session.send_replace(1, px(101), 5) == LocalReject::none);
  c.exchange.send(filled(1, 5, 5, 0, 100));
  late.client_order_id = 1;
  c.exchange.send(late);
  c.poll();
  CHECK(c.state(1) == OrderState::filled);
  CHECK(c.session.counters().late_replace_rejects == 1);
  CHECK(c.session.counters().protocol_errors == 0);

  // Canceled while the replace is on its way.
  REQUIRE(c.session.send_new_order(order(2, -1, 105, 4)) == LocalReject::none);
  c.exchange.send(entered(2));
  c.poll();
  REQUIRE(c.session.send_replace(2, px(104), 4) == LocalReject::none);
  c.exchange.send(canceled(2, 0, CancelReason::canceled_by_user));
  late.client_order_id = 2;
  c.exchange.send(late);
  c.poll();
  CHECK(c.state(2) == OrderState::canceled);
  CHECK(c.session.counters().late_replace_rejects == 2);
  CHECK(c.session.counters().protocol_errors == 0);

  // The expected reject comes once: a second one, or one for an order that ended with nothing in
  // flight, is a protocol error.
  c.exchange.send(late);
  REQUIRE(c.session.send_new_order(order(3, 1, 100, 2)) == LocalReject::none);
  c.exchange.send(entered(3));
  c.exchange.send(filled(3, 2, 2, 0, 100));
  late.client_order_id = 3;
  c.exchange.send(late);
  c.poll();
  CHECK(c.state(3) == OrderState::filled);
  CHECK(c.session.counters().late_replace_rejects == 2);
  CHECK(c.session.counters().protocol_errors == 2);
}
