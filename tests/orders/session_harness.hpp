// Test helpers for the order-entry session: a scripted exchange over the in-memory link (every
// byte and every clock tick chosen by the test), a client driven against the simulated exchange
// over loopback TCP with a bounded poll loop, and the "no order unaccounted for" check.
#pragma once
#include <doctest/doctest.h>
#include <poll.h>

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "host/exchange_sim/exchange_sim.hpp"
#include "host/orders/order_session.hpp"

namespace pw::oe::test {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kSec;  // a fixed epoch for scripted tests

inline int64_t px(double v) { return (int64_t)(v * 1e9 + (v >= 0 ? 0.5 : -0.5)); }

// One message the client wrote, kept whole so that its view stays valid.
struct Sent {
  std::vector<uint8_t> bytes;
  orders::Message m{};
};

// The exchange side of a MemoryLink, played by the test.
class ScriptedExchange {
 public:
  explicit ScriptedExchange(MemoryLink& link) : link_(link) {}

  // Takes every complete message the client has written so far.
  void collect() {
    auto& q = link_.to_peer();
    pending_.insert(pending_.end(), q.begin(), q.end());
    q.clear();
    size_t pos = 0;
    for (;;) {
      Sent s;
      orders::DecodeFault f{};
      size_t at = pos;
      const orders::Step st = orders::read_message(pending_.data(), pending_.size(), at, s.m, f);
      if (st != orders::Step::message) {
        REQUIRE_MESSAGE(st != orders::Step::fault, "client wrote a malformed message: ", orders::decode_error_name(f.error));
        break;
      }
      s.bytes.assign(pending_.begin() + (long)pos, pending_.begin() + (long)at);
      pos = at;
      received.push_back(std::move(s));
    }
    pending_.erase(pending_.begin(), pending_.begin() + (long)pos);
    // Views point into each message's own bytes.
    for (auto& r : received) {
      size_t p = 0;
      orders::DecodeFault f{};
      orders::read_message(r.bytes.data(), r.bytes.size(), p, r.m, f);
    }
  }

  // Messages of type T received so far (decoded), oldest first.
  template <typename T>
  std::vector<T> all() {
    collect();
    std::vector<T> out;
    for (auto& r : received) {
      T x;
      if (decode(r.m, x)) out.push_back(x);
    }
    return out;
  }
  template <typename T>
  size_t count() { return all<T>().size(); }
  // The last message received, whatever its type.
  const Sent& last() {
    collect();
    REQUIRE(!received.empty());
    return received.back();
  }

  // Sends `msg` numbered `seq` (0: the next number), with `flags`.
  template <typename T>
  void send(const T& msg, uint32_t seq = 0, uint8_t flags = 0) {
    if (seq == 0) seq = next_out++;
    uint8_t buf[kMaxMessageSize];
    const size_t n = encode(buf, sizeof buf, SendHeader{seq, last_processed, kT0, flags}, msg);
    link_.peer_write(buf, n);
  }
  void send_raw(const std::vector<uint8_t>& bytes) { link_.peer_write(bytes.data(), bytes.size()); }

  void clear() {
    collect();
    received.clear();
  }

  std::vector<Sent> received;
  uint32_t next_out = 1;
  uint32_t last_processed = 0;

 private:
  MemoryLink& link_;
  std::vector<uint8_t> pending_;
};

// A session over a MemoryLink with a clock the test moves.
struct ScriptedClient {
  explicit ScriptedClient(SessionConfig cfg = default_config()) : config(cfg), session(cfg, link.client()), exchange(link) {}

  static SessionConfig default_config() {
    SessionConfig c;
    c.username = "trader1";
    c.password = "secret";
    c.reconnect_delay_ns = 100 * kMs;
    c.max_orders = 64;
    c.resend_store = 64;
    c.event_queue = 256;
    return c;
  }

  void poll() {
    session.poll(now);
    OrderEvent e;
    while (session.next_event(e)) events.push_back(e);
  }
  void advance(int64_t ns) {
    now += ns;
    poll();
  }
  // Starts, answers the Logon with LogonConf(heartbeat), and checks the session is active.
  void log_on(int32_t heartbeat_seconds = 2) {
    session.start(now);
    poll();
    REQUIRE(exchange.count<Logon>() >= 1);
    exchange.send(LogonConf{heartbeat_seconds});
    poll();
    REQUIRE(session.active());
    events.clear();
  }
  std::vector<OrderEvent> take_events() {
    poll();
    std::vector<OrderEvent> out;
    out.swap(events);
    return out;
  }
  OrderState state(int64_t cid) const {
    const OrderRecord* r = session.find_order(cid);
    REQUIRE(r != nullptr);
    return r->state;
  }

  int64_t now = kT0;
  SessionConfig config;
  MemoryLink link;
  OrderSession session;
  ScriptedExchange exchange;
  std::vector<OrderEvent> events;
};

// ---- against the simulated exchange over TCP ---------------------------------------------------

inline SessionConfig tcp_config(uint16_t port, const std::string& user = "trader1") {
  SessionConfig c;
  c.host = "127.0.0.1";
  c.port = port;
  c.username = user;
  c.password = "secret";
  c.reconnect_delay_ns = 20 * kMs;
  c.max_orders = 1024;
  c.resend_store = 1024;
  c.event_queue = 4096;
  return c;
}

// A session to the simulator, polled with the wall clock plus `offset` (tests move the offset to
// exercise heartbeat timers without waiting for them).
struct TcpClient {
  explicit TcpClient(const SessionConfig& cfg) : session(cfg) {}

  int64_t now() const { return OrderSession::wall_clock_ns() + offset; }
  void poll() {
    session.poll(now());
    OrderEvent e;
    while (session.next_event(e)) events.push_back(e);
  }
  // Polls (waiting on the socket at most 1 ms at a time) until `done` or `timeout_ms` pass.
  bool run_until(const std::function<bool()>& done, int timeout_ms = 3000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      poll();
      if (done()) return true;
      if (std::chrono::steady_clock::now() > deadline) return false;
      const int fd = session.fd();
      if (fd >= 0) {
        pollfd p{fd, (short)(POLLIN | (session.wants_write() ? POLLOUT : 0)), 0};
        ::poll(&p, 1, 1);
      } else {
        ::poll(nullptr, 0, 1);
      }
    }
  }
  // Polls for `ms` regardless (lets in-flight messages arrive).
  void settle(int ms) {
    run_until([] { return false; }, ms);
  }
  bool log_on() {
    session.start(now());
    return run_until([&] { return session.active(); });
  }
  OrderState state(int64_t cid) const {
    const OrderRecord* r = session.find_order(cid);
    REQUIRE_MESSAGE(r != nullptr, "client order id ", cid, " has no record");
    return r->state;
  }
  bool has_state(int64_t cid, OrderState s) const {
    const OrderRecord* r = session.find_order(cid);
    return r != nullptr && r->state == s;
  }
  size_t count(OrderEventType t, int64_t cid = 0) const {
    size_t n = 0;
    for (const auto& e : events)
      if (e.type == t && (cid == 0 || e.client_order_id == cid)) ++n;
    return n;
  }

  OrderSession session;
  int64_t offset = 0;
  std::vector<OrderEvent> events;
};

inline OrderParams order(int64_t cid, int8_t side, double price, int32_t qty, int32_t instrument = 1) {
  OrderParams p;
  p.client_order_id = cid;
  p.instrument_id = instrument;
  p.side = side;
  p.price = px(price);
  p.quantity = qty;
  return p;
}

// No order unaccounted for: every client order id the test used has a record; a record's state is
// final, explicitly unknown, or open — and then the simulator holds the same open order with the
// same quantities; a final state agrees with the simulator's (an order the session refused locally
// never reached it); and the simulator holds no order the session does not know.
inline void check_accounted(const TcpClient& c, const ExchangeSim& sim, const std::string& user,
                            const std::vector<int64_t>& cids) {
  for (int64_t cid : cids) {
    CAPTURE(cid);
    const OrderRecord* r = c.session.find_order(cid);
    REQUIRE_MESSAGE(r != nullptr, "client order id without a record");
    CAPTURE(order_state_name(r->state));
    SimOrder x;
    const bool at_exchange = sim.find_order(user, cid, x);
    CAPTURE(at_exchange);
    switch (r->state) {
      case OrderState::unknown_after_disconnect: break;  // explicitly unknown
      case OrderState::rejected:
        // The simulator keeps no record of orders it refused; only "client order id in use" (3)
        // names an order it does hold — the earlier one with that id.
        if (r->local_reject != LocalReject::none || r->reason != (uint8_t)OrderRejectReason::client_order_id_in_use)
          CHECK_FALSE(at_exchange);
        break;
      case OrderState::filled:
      case OrderState::canceled:
        REQUIRE(at_exchange);
        CHECK(x.state == r->state);
        CHECK(x.filled == r->filled);
        break;
      case OrderState::pending_new:
      case OrderState::active:
      case OrderState::partially_filled:
        REQUIRE(at_exchange);
        CHECK(is_open(x.state));
        CHECK(x.filled == r->filled);
        CHECK(x.remaining == r->remaining);
        if (r->state != OrderState::pending_new) CHECK(x.state == r->state);
        break;
    }
  }
  std::set<int64_t> known(cids.begin(), cids.end());
  for (const SimOrder& x : sim.orders_of(user)) {
    CAPTURE(x.client_order_id);
    CHECK(known.count(x.client_order_id) == 1);
  }
}

// Every id final (or explicitly unknown): nothing is left open.
inline void check_all_closed(const TcpClient& c, const std::vector<int64_t>& cids) {
  for (int64_t cid : cids) {
    CAPTURE(cid);
    const OrderRecord* r = c.session.find_order(cid);
    REQUIRE(r != nullptr);
    CAPTURE(order_state_name(r->state));
    CHECK((is_final(r->state) || r->state == OrderState::unknown_after_disconnect));
  }
}

}  // namespace pw::oe::test
