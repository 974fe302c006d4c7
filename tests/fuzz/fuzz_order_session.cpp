// libFuzzer target: the order-entry session's receive path. The input is a script played against
// one OrderSession over an in-memory link: the exchange side writes raw bytes (fragments, garbage)
// or well-framed messages with chosen sequence numbers (duplicates, gaps, resends) and chosen field
// values (inconsistent quantities, unknown orders), drops the connection, and moves the clock;
// the client side sends orders, replaces, cancels and mass cancels and engages the kill switch.
// Besides memory and UB errors (ASan, UBSan), after every step the target checks that
//  - every order the session accepted to send has a record, and every record is coherent
//    (0 ≤ filled, 0 ≤ remaining, filled + remaining ≤ quantity, a known state);
//  - every order event names an order with a record and carries a known type; the last event of a
//    poll for an order carries the record's state;
//  - the counters only grow, and the session is active or says why it went down.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <vector>

#include "host/orders/order_messages.hpp"
#include "host/orders/order_session.hpp"
#include "host/orders/transport.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace pw;
using namespace pw::oe;

namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kT0 = 1'700'000'000'000'000'000;
constexpr int kOrderIds = 8;  // client order ids 1..8: answers mostly name orders the session knows

SessionConfig fuzz_config() {
  SessionConfig c;
  c.username = "trader1";
  c.password = "secret";
  c.reconnect_delay_ns = 100 * kMs;
  c.max_orders = 64;
  c.resend_store = 32;
  c.hold_messages = 16;
  c.event_queue = 64;
  c.recv_buffer_bytes = 4096;
  c.send_buffer_bytes = 8192;
  return c;
}

struct Script {
  explicit Script(const uint8_t* data, size_t size) : in(data, size), session(fuzz_config(), link.client()) {}

  FuzzedDataProvider in;
  MemoryLink link;
  OrderSession session;
  int64_t now = kT0;
  uint32_t next_out = 1;
  std::vector<int64_t> sent;  // client order ids handed to the exchange
  SessionCounters before{};

  int64_t order_id() { return in.ConsumeIntegralInRange<int64_t>(1, kOrderIds + 1); }
  // Mostly plausible quantities, sometimes anything an int32 holds.
  int32_t quantity() {
    return in.ConsumeBool() ? in.ConsumeIntegralInRange<int32_t>(0, 20) : in.ConsumeIntegral<int32_t>();
  }

  template <typename T>
  void send(const T& msg) {
    uint32_t seq = next_out;
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
      case 0: seq = next_out > 1 ? next_out - 1 : next_out; break;            // duplicate
      case 1: seq = next_out + in.ConsumeIntegralInRange<uint32_t>(1, 20); break;  // gap
      case 2: seq = in.ConsumeIntegral<uint32_t>(); break;                    // anything
      default: break;
    }
    if (seq >= next_out) next_out = seq + 1;
    const uint8_t flags = in.ConsumeBool() ? kFlagPossibleResend : 0;
    uint8_t buf[kMaxMessageSize];
    const size_t n = encode(buf, sizeof buf, SendHeader{seq, in.ConsumeIntegral<uint32_t>(), now, flags}, msg);
    FUZZ_CHECK(n != 0);
    // Sometimes only a prefix now and the rest later (a TCP stream cut anywhere).
    const size_t first = in.ConsumeBool() ? n : in.ConsumeIntegralInRange<size_t>(0, n);
    link.peer_write(buf, first);
    if (first < n) {
      poll();
      link.peer_write(buf + first, n - first);
    }
  }

  void exchange_step() {
    switch (in.ConsumeIntegralInRange<int>(0, 12)) {
      case 0: {
        const std::vector<uint8_t> raw = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 96));
        link.peer_write(raw.data(), raw.size());
        break;
      }
      case 1: send(LogonConf{in.ConsumeIntegralInRange<int32_t>(-1, 40)}); break;
      case 2: send(Heartbeat{in.ConsumeIntegral<int64_t>()}); break;
      case 3: send(TestRequest{in.ConsumeIntegral<int64_t>()}); break;
      case 4: send(ResendRequest{in.ConsumeIntegralInRange<uint32_t>(0, 40), in.ConsumeIntegralInRange<uint32_t>(0, 40)}); break;
      case 5: send(GapFill{in.ConsumeIntegralInRange<uint32_t>(0, next_out + 20), 0}); break;
      case 6: {
        LoggedOut x;
        x.reason.assign("fuzz");
        send(x);
        break;
      }
      case 7: {
        OrderEntered x;
        x.timestamp = now;
        x.client_order_id = order_id();
        x.order_id = in.ConsumeIntegral<int64_t>();
        send(x);
        break;
      }
      case 8: {
        OrderFilled x;
        x.timestamp = now;
        x.client_order_id = order_id();
        x.total_filled = quantity();
        x.available_qty = quantity();
        x.fill_qty = quantity();
        x.fill_price = in.ConsumeIntegral<int64_t>();
        x.filled_vwap = in.ConsumeIntegral<int64_t>();
        x.instrument_id = 1;
        send(x);
        break;
      }
      case 9: {
        OrderCanceled x;
        x.timestamp = now;
        x.client_order_id = order_id();
        x.total_filled = quantity();
        x.cancel_reason = in.ConsumeIntegral<uint8_t>();
        send(x);
        break;
      }
      case 10: {
        OrderReplaced x;
        x.timestamp = now;
        x.client_order_id = order_id();
        x.total_filled = quantity();
        x.available_qty = quantity();
        send(x);
        break;
      }
      case 11: {
        OrderReject x;
        x.timestamp = now;
        x.client_order_id = order_id();
        x.order_reject_reason = in.ConsumeIntegral<uint8_t>();
        send(x);
        break;
      }
      default: {
        CancelOrderReject x;
        x.timestamp = now;
        x.client_order_id = order_id();
        send(x);
        break;
      }
    }
  }

  void client_step() {
    switch (in.ConsumeIntegralInRange<int>(0, 6)) {
      case 0: {
        OrderParams p;
        p.client_order_id = order_id();
        p.instrument_id = 1;
        p.side = in.ConsumeBool() ? 1 : -1;
        p.price = in.ConsumeIntegralInRange<int64_t>(1, 100'000) * 1'000'000'000;
        p.quantity = in.ConsumeIntegralInRange<int32_t>(1, 10);
        if (session.send_new_order(p) == LocalReject::none) sent.push_back(p.client_order_id);
        break;
      }
      case 1: session.send_cancel(order_id()); break;
      case 2: session.send_replace(order_id(), in.ConsumeIntegralInRange<int64_t>(1, 100'000) * 1'000'000'000,
                                   in.ConsumeIntegralInRange<int32_t>(1, 12)); break;
      case 3: session.send_mass_cancel(); break;
      case 4: session.kill_switch(); break;
      case 5: session.unkill(); break;
      default: session.begin_batch(); break;  // ended by the next poll's end_batch
    }
  }

  void poll() {
    session.end_batch();
    session.poll(now);
    link.to_peer().clear();  // the exchange has read what the client wrote
    OrderEvent e;
    last.clear();
    while (session.next_event(e)) check_event(e);
    for (const LastEvent& l : last) {
      const OrderRecord* r = session.find_order(l.client_order_id);
      FUZZ_CHECK(r != nullptr);
      FUZZ_CHECK(l.state == r->state || l.type == OrderEventType::filled);
    }
  }

  // An event carries the order's state when it happened. One poll can give several events for one
  // order (messages held behind a gap are applied together when it closes), so it is the last of
  // them that must match the record, unless a later session_down or reconciled event re-marked
  // every open order at once.
  struct LastEvent {
    int64_t client_order_id;
    OrderEventType type;
    OrderState state;
  };
  std::vector<LastEvent> last;

  void check_event(const OrderEvent& e) {
    FUZZ_CHECK(e.type <= OrderEventType::reconciled);
    if (e.type == OrderEventType::session_down || e.type == OrderEventType::reconciled) last.clear();
    if (e.type <= OrderEventType::cancel_rejected && e.local_reason == LocalReject::none) {
      FUZZ_CHECK(session.find_order(e.client_order_id) != nullptr);
      bool seen = false;
      for (LastEvent& l : last)
        if (l.client_order_id == e.client_order_id) l = LastEvent{e.client_order_id, e.type, e.state}, seen = true;
      if (!seen) last.push_back(LastEvent{e.client_order_id, e.type, e.state});
    }
  }

  void check_state() {
    for (int64_t cid : sent) {
      const OrderRecord* r = session.find_order(cid);
      FUZZ_CHECK(r != nullptr);
      FUZZ_CHECK(r->state <= OrderState::unknown_after_disconnect);
      FUZZ_CHECK(r->filled >= 0 && r->remaining >= 0 && r->quantity >= 0);
      FUZZ_CHECK((int64_t)r->filled + r->remaining <= r->quantity);
    }
    const SessionCounters& c = session.counters();
    FUZZ_CHECK(c.messages_in >= before.messages_in && c.messages_out >= before.messages_out);
    FUZZ_CHECK(c.disconnects >= before.disconnects && c.protocol_errors >= before.protocol_errors);
    before = c;
    FUZZ_CHECK(session.active() || session.state() != SessionState::disconnected || !session.last_error().empty() ||
               c.disconnects == 0);
  }

  void run() {
    session.start(now);
    poll();
    send(LogonConf{2});
    poll();
    while (in.remaining_bytes() > 0) {
      switch (in.ConsumeIntegralInRange<int>(0, 5)) {
        case 0:
        case 1: exchange_step(); break;
        case 2: client_step(); break;
        case 3: now += in.ConsumeIntegralInRange<int64_t>(0, 10'000) * kMs; break;
        case 4:
          if (in.ConsumeBool()) link.peer_close();
          break;
        default: break;
      }
      poll();
      check_state();
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Script(data, size).run();
  return 0;
}
