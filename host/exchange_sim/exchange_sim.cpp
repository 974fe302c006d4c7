#include "host/exchange_sim/exchange_sim.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pw::oe {

namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;
constexpr size_t kReadBuffer = 1 << 17;

}  // namespace

int64_t ExchangeSim::now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * kNsPerSecond + ts.tv_nsec;
}

ExchangeSim::ExchangeSim(ExchangeSimConfig config)
    : config_(std::move(config)), matcher_(*this, config_.feed_clock, config_.ack_latency_ns) {}

ExchangeSim::~ExchangeSim() {
  stop();
  for (auto& c : connections_)
    if (c->fd >= 0) ::close(c->fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

bool ExchangeSim::listen(std::string& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (listen_fd_ >= 0) return true;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(config_.port);
  if (::inet_pton(AF_INET, config_.bind_address.c_str(), &addr.sin_addr) != 1) {
    error = "exchange simulator: bind address '" + config_.bind_address + "' is not an IPv4 address";
    return false;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("exchange simulator: socket: ") + std::strerror(errno);
    return false;
  }
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
    error = "exchange simulator: cannot listen on " + config_.bind_address + ":" + std::to_string(config_.port) +
            ": " + std::strerror(errno);
    ::close(fd);
    return false;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  listen_fd_ = fd;
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  return true;
}

bool ExchangeSim::start(std::string& error) {
  if (!listen(error)) return false;
  if (running_.exchange(true)) return true;
  loop_ = std::thread([this] {
    while (running_.load()) poll_once(100);
  });
  return true;
}

void ExchangeSim::stop() {
  if (!running_.exchange(false)) return;
  wake();
  if (loop_.joinable()) loop_.join();
}

void ExchangeSim::wake() {
  if (wake_fd_ < 0) return;
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

// ---- the loop -----------------------------------------------------------------------------------

void ExchangeSim::poll_once(int timeout_ms) {
  // Reused between rounds: a caller polling every packet does not allocate.
  std::vector<pollfd>& fds = poll_fds_;
  std::vector<Connection*>& polled = polled_;
  fds.clear();
  polled.clear();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (listen_fd_ < 0) return;
    fds.push_back({listen_fd_, POLLIN, 0});
    fds.push_back({wake_fd_, POLLIN, 0});
    for (auto& c : connections_) {
      // Connections closed by another thread are released here, where no poll() waits on them.
      if (c->dead) continue;
      short events = POLLIN;
      if (c->out.size() > c->out_pos) events |= POLLOUT;
      fds.push_back({c->fd, events, 0});
      polled.push_back(c.get());
    }
    // Anything dead has nothing left to poll: skip the wait so it is released at once.
    for (auto& c : connections_)
      if (c->dead) timeout_ms = 0;
  }
  ::poll(fds.data(), fds.size(), timeout_ms);

  std::lock_guard<std::mutex> lock(mutex_);
  if (fds[1].revents & POLLIN) {
    uint64_t v = 0;
    [[maybe_unused]] ssize_t n = ::read(wake_fd_, &v, sizeof v);
  }
  if (fds[0].revents & POLLIN) accept_all();
  const int64_t now = now_ns();
  for (size_t i = 0; i < polled.size(); ++i) {
    Connection& c = *polled[i];
    if (c.dead) continue;
    if (fds[i + 2].revents & (POLLIN | POLLHUP | POLLERR)) read_connection(c);
    if (!c.dead) flush(c);
    if (!c.dead) run_timers(c, now);
  }
  connections_.erase(std::remove_if(connections_.begin(), connections_.end(),
                                    [](const std::unique_ptr<Connection>& c) {
                                      if (!c->dead) return false;
                                      if (c->fd >= 0) ::close(c->fd);
                                      return true;
                                    }),
                     connections_.end());
  if (config_.feed_clock) matcher_.set_feed_time(0);  // acts on whatever has become due
}

void ExchangeSim::accept_all() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    c->in.resize(kReadBuffer);
    c->last_recv = c->last_send = now_ns();
    connections_.push_back(std::move(c));
    ++counters_.connections_accepted;
  }
}

void ExchangeSim::disconnect(Connection& c, const char*) {
  if (c.dead) return;
  c.dead = true;
  if (c.fd >= 0) ::shutdown(c.fd, SHUT_RDWR);
  ++counters_.disconnects;
  Session* s = c.session;
  c.session = nullptr;
  if (s == nullptr) return;
  s->conn = nullptr;
  if (config_.cancel_on_disconnect) matcher_.cancel_all(s->username, CancelReason::client_disconnect);
  wake();
}

void ExchangeSim::read_connection(Connection& c) {
  for (;;) {
    if (c.in_len == c.in.size()) {
      disconnect(c, "message larger than the receive buffer");
      return;
    }
    const ssize_t n = ::recv(c.fd, c.in.data() + c.in_len, c.in.size() - c.in_len, 0);
    if (n == 0) {
      disconnect(c, "closed by the client");
      return;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      disconnect(c, "read error");
      return;
    }
    c.in_len += (size_t)n;
    size_t pos = 0;
    orders::Message m{};
    orders::DecodeFault f{};
    for (;;) {
      const orders::Step step = orders::read_message(c.in.data(), c.in_len, pos, m, f);
      if (step == orders::Step::end || step == orders::Step::incomplete) break;
      if (step == orders::Step::fault || m.protocol_id != orders::kProtocolId) {
        ++counters_.garbage_from_clients;
        disconnect(c, "garbage from the client");
        return;
      }
      on_message(c, m);
      if (c.dead) return;
    }
    if (pos > 0) {
      std::memmove(c.in.data(), c.in.data() + pos, c.in_len - pos);
      c.in_len -= pos;
    }
  }
}

void ExchangeSim::run_timers(Connection& c, int64_t now) {
  if (c.session == nullptr || silent_) return;
  const int64_t hb = (int64_t)config_.heartbeat_interval_seconds * kNsPerSecond;
  if (hb <= 0) return;
  const int64_t quiet = now - c.last_recv;
  if (quiet >= 3 * hb) {
    ++counters_.client_timeouts;
    disconnect(c, "client silent for 3 heartbeat intervals");
    return;
  }
  if (quiet >= hb + hb / 2 && !c.test_request_outstanding) {
    TestRequest t;
    t.correlation_id = (int64_t)now;
    emit_session(c, t);
    c.test_request_outstanding = true;
    ++counters_.test_requests_sent;
  }
  if (!c.dead && now - c.last_send >= hb) {
    emit_session(c, Heartbeat{});
    ++counters_.heartbeats_sent;
  }
}

// ---- incoming messages --------------------------------------------------------------------------

void ExchangeSim::on_message(Connection& c, const orders::Message& m) {
  ++counters_.messages_in;
  c.last_recv = now_ns();
  c.test_request_outstanding = false;
  if (c.session == nullptr) {
    if (is<Logon>(m)) on_logon(c, m);
    else refuse_logon(c, "the first message must be a Logon");
    return;
  }
  Session& s = *c.session;
  if (is<Logout>(m)) {
    if (s.inbound.check(m.sequence_number) == SeqCheck::in_order) s.inbound.advance();
    LoggedOut l;
    l.reason.assign("logout acknowledged");
    emit_session(c, l);
    c.close_after_flush = true;
    flush(c);
    return;
  }
  if (is<GapFill>(m)) {
    ++counters_.gap_fills_received;
    GapFill g;
    decode(m, g);
    if (s.inbound.apply_gap_fill(m.sequence_number, g.new_sequence_number)) {
      drain_held(c, s);
      return;
    }
  }
  switch (s.inbound.check(m.sequence_number)) {
    case SeqCheck::duplicate: ++counters_.duplicates_ignored; return;
    case SeqCheck::gap: {
      ++counters_.gaps_detected;
      // Session messages are acted on at once (the same rule as the client's); orders wait.
      const bool act_now = m.schema_id == orders::kSessionSchemaId && !is<GapFill>(m);
      if (act_now) on_session_message(c, s, m);
      if (c.dead) return;
      const bool held = s.inbound.hold(m.sequence_number, m.header, m.message_length, act_now);
      request_resend(s, m.sequence_number, held);
      return;
    }
    case SeqCheck::in_order: break;
  }
  s.inbound.advance();
  process(c, s, m);
  drain_held(c, s);
}

void ExchangeSim::process(Connection& c, Session& s, const orders::Message& m) {
  if (m.flags & kFlagPossibleResend) ++counters_.possible_resends_processed;
  if (m.schema_id == orders::kSessionSchemaId) on_session_message(c, s, m);
  else on_application_message(s, m);
}

void ExchangeSim::drain_held(Connection& c, Session& s) {
  uint8_t buf[HeldMessage::kMaxSize];
  while (!c.dead && c.session == &s) {
    const HeldMessage* h = s.inbound.next_held();
    if (h == nullptr) return;
    const bool acted_on = h->acted_on;
    const size_t len = h->len;
    std::memcpy(buf, h->bytes, len);
    size_t pos = 0;
    orders::Message m{};
    orders::DecodeFault f{};
    if (acted_on || orders::read_message(buf, len, pos, m, f) != orders::Step::message) {
      s.inbound.advance();
    } else if (is<GapFill>(m)) {
      GapFill g;
      decode(m, g);
      const uint32_t before = s.inbound.expected();
      s.inbound.apply_gap_fill(m.sequence_number, g.new_sequence_number);
      if (s.inbound.expected() == before) s.inbound.advance();
    } else {
      s.inbound.advance();
      process(c, s, m);
    }
  }
}

void ExchangeSim::refuse_logon(Connection& c, const std::string& reason) {
  ++counters_.logon_rejects;
  LoggedOut l;
  l.reason.assign(reason);
  emit_session(c, l);
  c.close_after_flush = true;
  flush(c);
}

void ExchangeSim::on_logon(Connection& c, const orders::Message& m) {
  Logon l;
  decode(m, l);
  const std::string user(l.username.view());
  if (!config_.users.empty()) {
    auto it = config_.users.find(user);
    if (it == config_.users.end() || it->second != l.password.view()) {
      refuse_logon(c, "invalid username or password");
      return;
    }
  }
  auto& slot = sessions_[user];
  if (!slot) {
    slot = std::make_unique<Session>();
    slot->username = user;
    slot->store = std::make_unique<ResendStore>(config_.resend_store);
  }
  Session& s = *slot;
  // A client that reconnects may be faster than the end of its old connection reaches this loop:
  // read the old one first, which notices a close and processes anything still buffered there.
  if (s.conn != nullptr && s.conn != &c) read_connection(*s.conn);
  if (s.conn != nullptr) {
    refuse_logon(c, "session already logged on");
    return;
  }
  if (l.reset_seq_num) {
    s.next_out = 1;
    s.inbound.reset(m.sequence_number);
    s.store->clear();
  } else if (m.sequence_number < s.inbound.expected()) {
    refuse_logon(c, "sequence number " + std::to_string(m.sequence_number) + " below expected " +
                        std::to_string(s.inbound.expected()));
    return;
  }
  s.inbound.new_connection();
  c.session = &s;
  s.conn = &c;
  ++counters_.logons;
  const bool gap = s.inbound.check(m.sequence_number) == SeqCheck::gap;
  if (!gap) s.inbound.advance();
  LogonConf conf;
  conf.heartbeat_interval_seconds = config_.heartbeat_interval_seconds;
  emit_session(c, conf);
  // Client messages lost with the previous connection: the Logon waits for its turn (already
  // acted on) and the numbers before it are asked for.
  if (gap) request_resend(s, m.sequence_number, s.inbound.hold(m.sequence_number, m.header, m.message_length, true));
}

void ExchangeSim::request_resend(Session& s, uint32_t seq, bool held) {
  uint32_t from = 0, to = 0;
  if (!s.inbound.missing(seq, held, from, to) || s.conn == nullptr) return;
  ResendRequest r;
  r.from_sequence_number = from;
  r.to_sequence_number = to;
  emit_session(*s.conn, r);
  ++counters_.resend_requests_sent;
}

void ExchangeSim::on_session_message(Connection& c, Session& s, const orders::Message& m) {
  switch (m.template_id) {
    case orders::kTestRequestId: {
      TestRequest t;
      decode(m, t);
      Heartbeat h;
      h.correlation_id = t.correlation_id;
      emit_session(c, h);
      break;
    }
    case orders::kResendRequestId: {
      ++counters_.resend_requests_received;
      ResendRequest r;
      decode(m, r);
      const ResendAnswer a = answer_resend(r, s.next_out, s.inbound.last_processed(), now_ns(), *s.store,
                                           [&](const uint8_t* p, size_t n) { return transmit(c, p, n); });
      counters_.messages_resent += a.messages_resent;
      counters_.gap_fills_sent += a.gap_fills;
      break;
    }
    default: break;  // heartbeats; a second Logon is ignored
  }
}

void ExchangeSim::on_application_message(Session& s, const orders::Message& m) {
  SimRequest r;
  switch (m.template_id) {
    case orders::kNewOrderId: {
      NewOrder o;
      decode(m, o);
      r = SimNewOrder{o.client_order_id, o.correlation_id, o.instrument_id, o.side, o.limit_price, o.quantity};
      break;
    }
    case orders::kReplaceOrderId: {
      ReplaceOrder o;
      decode(m, o);
      r = SimReplace{o.client_order_id, o.correlation_id, o.instrument_id, o.new_limit_price, o.new_quantity};
      break;
    }
    case orders::kCancelOrderId: {
      CancelOrder o;
      decode(m, o);
      r = SimCancel{o.client_order_id, o.correlation_id};
      break;
    }
    case orders::kMassCancelOrderId: {
      MassCancelOrder o;
      decode(m, o);
      r = SimMassCancel{o.correlation_id, o.instrument_id, o.side, o.current_session_only != 0};
      break;
    }
    default: return;
  }
  matcher_.submit(s.username, r);
}

void ExchangeSim::set_feed_time(int64_t feed_ns) {
  std::lock_guard<std::mutex> lock(mutex_);
  matcher_.set_feed_time(feed_ns);
}

size_t ExchangeSim::requests_waiting() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return matcher_.requests_waiting();
}

// ---- the matcher's reports as SBE messages ------------------------------------------------------

ExchangeSim::Session& ExchangeSim::session_of(const std::string& owner) {
  std::unique_ptr<Session>& s = sessions_[owner];
  if (!s) {  // orders come only from logged-on sessions; kept total for safety
    s = std::make_unique<Session>();
    s->username = owner;
    s->store = std::make_unique<ResendStore>(config_.resend_store);
  }
  return *s;
}

void ExchangeSim::entered(const SimOrder& x, int64_t exec_id, int64_t now) {
  OrderEntered e;
  e.timestamp = now;
  e.exec_id = exec_id;
  e.client_order_id = x.client_order_id;
  e.correlation_id = x.correlation_id;
  e.order_id = x.order_id;
  e.receive_time = now;
  emit_application(session_of(x.username), e);
}

void ExchangeSim::new_rejected(const std::string& owner, const SimNewOrder& o, OrderRejectReason reason,
                               const char* why, int64_t now) {
  OrderReject r;
  r.timestamp = now;
  r.client_order_id = o.client_order_id;
  r.correlation_id = o.correlation_id;
  r.order_reject_reason = (uint8_t)reason;
  r.order_reject_details.assign(why);
  emit_application(session_of(owner), r);
}

void ExchangeSim::replaced(const SimOrder& x, int64_t exec_id, int64_t now) {
  OrderReplaced r;
  r.timestamp = now;
  r.exec_id = exec_id;
  r.client_order_id = x.client_order_id;
  r.correlation_id = x.correlation_id;
  r.order_id = x.order_id;
  r.receive_time = now;
  r.total_filled = x.filled;
  r.available_qty = x.remaining;
  r.instrument_id = x.instrument_id;
  emit_application(session_of(x.username), r);
}

void ExchangeSim::replace_rejected(const std::string& owner, const SimReplace& o, const SimOrder*,
                                   OrderRejectReason reason, const char* why, int64_t now) {
  OrderReject r;  // the SBE protocol answers a refused replace with OrderReject
  r.timestamp = now;
  r.client_order_id = o.client_order_id;
  r.correlation_id = o.correlation_id;
  r.order_reject_reason = (uint8_t)reason;
  r.order_reject_details.assign(why);
  emit_application(session_of(owner), r);
}

void ExchangeSim::canceled(const SimOrder& o, CancelReason reason, int64_t exec_id, int64_t now) {
  OrderCanceled c;
  c.timestamp = now;
  c.exec_id = exec_id;
  c.client_order_id = o.client_order_id;
  c.correlation_id = o.correlation_id;
  c.order_id = o.order_id;
  c.receive_time = now;
  c.total_filled = o.filled;
  c.instrument_id = o.instrument_id;
  c.cancel_reason = (uint8_t)reason;
  emit_application(session_of(o.username), c);
}

void ExchangeSim::cancel_rejected(const std::string& owner, const SimCancel& o, const SimOrder* x, int64_t now) {
  CancelOrderReject r;
  r.timestamp = now;
  r.client_order_id = o.client_order_id;
  r.correlation_id = o.correlation_id;
  r.order_id_optional = x != nullptr ? x->order_id : kNullI64;
  r.cancel_order_reject_reason = (uint8_t)OrderRejectReason::unknown_order;
  r.cancel_order_reject_details.assign("no open order with this id");
  emit_application(session_of(owner), r);
}

void ExchangeSim::filled(const SimOrder& o, int64_t price, int32_t qty, bool aggressor, int64_t exec_id,
                         int64_t match_id, int64_t now) {
  OrderFilled f;
  f.timestamp = now;
  f.exec_id = exec_id;
  f.match_id = match_id;
  f.client_order_id = o.client_order_id;
  f.correlation_id = o.correlation_id;
  f.order_id = o.order_id;
  f.filled_vwap = o.vwap;
  f.total_filled = o.filled;
  f.available_qty = o.remaining;
  f.fill_price = price;
  f.fill_qty = qty;
  f.instrument_id = o.instrument_id;
  f.is_aggressor = aggressor;
  emit_application(session_of(o.username), f);
}

void ExchangeSim::mass_cancel_ack(const std::string& owner, const SimMassCancel& o, int32_t count, int64_t exec_id,
                                  int64_t now) {
  MassCancelOrderAck a;
  a.timestamp = now;
  a.exec_id = exec_id;
  a.correlation_id = o.correlation_id;
  a.canceled_count = count;
  a.only_current_session = o.current_session_only;
  a.trading_lock_applied = false;
  emit_application(session_of(owner), a);
}

void ExchangeSim::mass_cancel_rejected(const std::string& owner, const SimMassCancel& o, const char* why,
                                       int64_t now) {
  MassCancelOrderReject r;
  r.timestamp = now;
  r.correlation_id = o.correlation_id;
  r.error_message.assign(why);
  emit_application(session_of(owner), r);
}

// ---- outgoing -----------------------------------------------------------------------------------

uint32_t ExchangeSim::take_seq(Session& s) {
  if (s.skip != 0) {
    counters_.sequence_numbers_skipped += s.skip;
    s.next_out += s.skip;
    s.skip = 0;
  }
  return s.next_out++;
}

template <typename T>
void ExchangeSim::emit_application(Session& s, const T& msg) {
  uint8_t buf[kMaxMessageSize];
  const SendHeader h{take_seq(s), s.inbound.last_processed(), exchange_time(), 0};
  const size_t n = encode(buf, sizeof buf, h, msg);
  s.store->put(h.sequence_number, buf, n);
  if (s.conn == nullptr || silent_) return;
  Connection& c = *s.conn;
  transmit(c, buf, n);
  if (s.duplicate_next && !c.dead) {
    s.duplicate_next = false;
    ++counters_.duplicates_injected;
    transmit(c, buf, n);
  }
}

template <typename T>
void ExchangeSim::emit_session(Connection& c, const T& msg) {
  uint8_t buf[kMaxMessageSize];
  Session* s = c.session;
  // A refused logon is answered before any numbering was agreed on: it goes out as number 1.
  const SendHeader h{s != nullptr ? take_seq(*s) : 1u, s != nullptr ? s->inbound.last_processed() : 0u, now_ns(), 0};
  const size_t n = encode(buf, sizeof buf, h, msg);
  if (silent_) return;
  transmit(c, buf, n);
}

bool ExchangeSim::transmit(Connection& c, const uint8_t* data, size_t len) {
  if (c.dead) return false;
  c.out.insert(c.out.end(), data, data + len);
  ++counters_.messages_out;
  c.last_send = now_ns();
  flush(c);
  return !c.dead;
}

void ExchangeSim::flush(Connection& c) {
  while (!c.dead && c.out_pos < c.out.size()) {
    const ssize_t n = ::send(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.out_pos += (size_t)n;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      wake();  // the loop polls for POLLOUT
      return;
    }
    disconnect(c, "write error");
    return;
  }
  if (c.out_pos == c.out.size()) {
    c.out.clear();
    c.out_pos = 0;
    if (c.close_after_flush) disconnect(c, "logged out");
  }
}

// ---- public calls -------------------------------------------------------------------------------

void ExchangeSim::add_instrument(int32_t instrument_id, int64_t tick_size) {
  std::lock_guard<std::mutex> lock(mutex_);
  matcher_.add_instrument(instrument_id, tick_size);
}

bool ExchangeSim::set_market(int32_t instrument_id, int64_t bid_px, int32_t bid_qty, int64_t ask_px, int32_t ask_qty) {
  std::lock_guard<std::mutex> lock(mutex_);
  return matcher_.set_market(instrument_id, bid_px, bid_qty, ask_px, ask_qty);
}

void ExchangeSim::drop_connections() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& c : connections_) disconnect(*c, "dropped by fault injection");
}

void ExchangeSim::skip_outgoing_seq(uint32_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& kv : sessions_)
    if (kv.second->conn != nullptr) kv.second->skip += n;
}

void ExchangeSim::duplicate_next_message() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& kv : sessions_)
    if (kv.second->conn != nullptr) kv.second->duplicate_next = true;
}

void ExchangeSim::send_garbage(const std::vector<uint8_t>& bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& kv : sessions_) {
    Connection* c = kv.second->conn;
    if (c == nullptr) continue;
    ++counters_.garbage_injected;
    c->out.insert(c->out.end(), bytes.begin(), bytes.end());
    flush(*c);
  }
}

void ExchangeSim::set_silent(bool silent) {
  std::lock_guard<std::mutex> lock(mutex_);
  silent_ = silent;
}

bool ExchangeSim::find_order(const std::string& username, int64_t client_order_id, SimOrder& out) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const SimOrder* o = matcher_.find(username, client_order_id);
  if (o == nullptr) return false;
  out = *o;
  return true;
}

std::vector<SimOrder> ExchangeSim::orders_of(const std::string& username) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return matcher_.orders_of(username);
}

ExchangeSimCounters ExchangeSim::counters() const {
  std::lock_guard<std::mutex> lock(mutex_);
  ExchangeSimCounters c = counters_;
  static_cast<SimMatchCounters&>(c) = matcher_.counters();
  return c;
}

uint32_t ExchangeSim::logged_on_sessions() const {
  std::lock_guard<std::mutex> lock(mutex_);
  uint32_t n = 0;
  for (auto& kv : sessions_)
    if (kv.second->conn != nullptr) ++n;
  return n;
}

uint32_t ExchangeSim::next_outgoing_seq(const std::string& username) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto s = sessions_.find(username);
  return s == sessions_.end() ? 0 : s->second->next_out;
}

uint32_t ExchangeSim::expected_incoming_seq(const std::string& username) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto s = sessions_.find(username);
  return s == sessions_.end() ? 0 : s->second->inbound.expected();
}

}  // namespace pw::oe
