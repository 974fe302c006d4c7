#include "host/orders/order_session.hpp"

#include <time.h>

#include <cstring>

namespace pw::oe {

namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;

std::string ms_text(int64_t ns) { return std::to_string(ns / 1'000'000) + " ms"; }

}  // namespace

int64_t OrderSession::wall_clock_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * kNsPerSecond + ts.tv_nsec;
}

OrderSession::OrderSession(const SessionConfig& config)
    : config_(config),
      owned_transport_(std::make_unique<TcpTransport>(config.host, config.port)),
      transport_(owned_transport_.get()),
      inbound_(config.hold_messages),
      store_(config.resend_store),
      in_(new uint8_t[config.recv_buffer_bytes]),
      out_(new uint8_t[config.send_buffer_bytes]),
      app_(config.max_orders, config.event_queue, counters_.local_rejects, counters_.event_queue_overflows) {}

OrderSession::OrderSession(const SessionConfig& config, Transport& transport)
    : config_(config),
      transport_(&transport),
      inbound_(config.hold_messages),
      store_(config.resend_store),
      in_(new uint8_t[config.recv_buffer_bytes]),
      out_(new uint8_t[config.send_buffer_bytes]),
      app_(config.max_orders, config.event_queue, counters_.local_rejects, counters_.event_queue_overflows) {}

OrderSession::~OrderSession() { transport_->close(); }

// ---- connection life cycle ----------------------------------------------------------------------

SessionHealth OrderSession::health() const {
  SessionHealth h;
  h.logons = counters_.logons;
  h.disconnects = counters_.disconnects;
  h.resend_requests = counters_.resend_requests_sent;
  h.duplicates_ignored = counters_.duplicates_ignored;
  h.refused_messages = counters_.undecodable_messages + counters_.garbage_resets;
  h.protocol_errors = counters_.protocol_errors;
  h.unknown_order_events = counters_.unknown_order_events;
  h.impossible_quantities = counters_.impossible_quantities;
  h.local_rejects = counters_.local_rejects;
  return h;
}

void OrderSession::start(int64_t now_ns) {
  now_ = now_ns;
  started_ = true;
  if (state_ == SessionState::disconnected) connect_now();
}

void OrderSession::connect_now() {
  reconnect_pending_ = false;
  state_ = SessionState::connecting;
  state_since_ = now_;
  in_len_ = 0;
  out_pos_ = out_len_ = 0;
  ++counters_.connects;
  switch (transport_->start_connect()) {
    case Transport::Connect::connected: on_connected(); break;
    case Transport::Connect::in_progress: break;
    case Transport::Connect::failed:
      ++counters_.connect_failures;
      go_down(transport_->last_error(), true);
      break;
  }
}

void OrderSession::on_connected() {
  state_ = SessionState::logon_sent;
  state_since_ = now_;
  last_recv_ = last_send_ = now_;
  test_request_outstanding_ = false;
  inbound_.new_connection();
  reset_logon_ = logged_on_once_ ? config_.reset_seq_num_on_reconnect : config_.reset_seq_num_on_first_logon;
  peer_reset_ = false;
  if (reset_logon_) {
    next_out_ = 1;
    inbound_.reset(1);
    store_.clear();
  }
  Logon logon;
  logon.username.assign(config_.username);
  logon.password.assign(config_.password);
  logon.reset_seq_num = reset_logon_;
  send(logon, false);
}

void OrderSession::logout(std::string_view reason) {
  started_ = false;  // no reconnect after this
  reconnect_pending_ = false;
  if (state_ == SessionState::disconnected) return;
  if (state_ == SessionState::connecting) {
    go_down("logout before logon", false);
    return;
  }
  Logout l;
  l.reason.assign(reason);
  state_ = SessionState::logout_sent;
  state_since_ = now_;
  send(l, false);
}

void OrderSession::go_down(const std::string& reason, bool reconnect) {
  const bool was_up = state_ == SessionState::logon_sent || state_ == SessionState::active ||
                      state_ == SessionState::logout_sent;
  transport_->close();
  ++generation_;
  in_len_ = 0;
  out_pos_ = out_len_ = 0;
  state_ = SessionState::disconnected;
  state_since_ = now_;
  reconciling_ = false;
  test_request_outstanding_ = false;
  last_error_ = reason;
  if (was_up) {
    ++counters_.disconnects;
    // Fills and cancels may happen while nobody listens: an open order's state is now unknown
    // until the exchange's messages from this gap have been seen (or never, after a reset).
    app_.table().for_each([&](OrderRecord& r) {
      if (!is_open(r.state)) return;
      r.state_before_disconnect = r.state;
      r.state = OrderState::unknown_after_disconnect;
      r.last_update = now_;
    });
    OrderEvent e{};
    e.type = OrderEventType::session_down;
    e.time = now_;
    e.text.assign(reason);
    app_.push(e);
  }
  reconnect_pending_ = reconnect && config_.auto_reconnect && started_;
  reconnect_at_ = now_ + config_.reconnect_delay_ns;
}

void OrderSession::poll(int64_t now_ns) {
  now_ = now_ns;
  switch (state_) {
    case SessionState::disconnected:
      if (reconnect_pending_ && now_ >= reconnect_at_) connect_now();
      break;
    case SessionState::connecting:
      switch (transport_->finish_connect()) {
        case Transport::Connect::connected: on_connected(); break;
        case Transport::Connect::failed:
          ++counters_.connect_failures;
          go_down(transport_->last_error(), true);
          break;
        case Transport::Connect::in_progress:
          if (now_ - state_since_ >= config_.connect_timeout_ns)
            go_down("connect to the exchange timed out after " + ms_text(config_.connect_timeout_ns), true);
          break;
      }
      break;
    default: break;
  }
  if (state_ == SessionState::disconnected || state_ == SessionState::connecting) return;
  read_input();
  if (state_ == SessionState::disconnected) return;
  run_timers();
  if (state_ != SessionState::disconnected) flush();
}

void OrderSession::run_timers() {
  switch (state_) {
    case SessionState::logon_sent:
      if (now_ - state_since_ >= config_.logon_timeout_ns)
        go_down("no LogonConf within " + ms_text(config_.logon_timeout_ns), true);
      break;
    case SessionState::logout_sent:
      if (now_ - state_since_ >= config_.logout_timeout_ns)
        go_down("logout not confirmed within " + ms_text(config_.logout_timeout_ns), false);
      break;
    case SessionState::active: {
      // A kill switch whose mass cancel found no room in the send buffer tries again.
      if (kill_cancel_pending_ && has_room(orders::kHeaderSize + MassCancelOrder::kLayout.block_length)) {
        kill_cancel_pending_ = false;
        send_mass_cancel();
        if (state_ != SessionState::active) return;
      }
      const int64_t silent = now_ - last_recv_;
      if (silent >= 3 * heartbeat_ns_) {
        ++counters_.heartbeat_timeouts;
        go_down("nothing from the exchange for " + ms_text(silent) + " (3 heartbeat intervals)", true);
        return;
      }
      if (silent >= heartbeat_ns_ + heartbeat_ns_ / 2 && !test_request_outstanding_) {
        TestRequest t;
        t.correlation_id = next_correlation_id_++;
        if (send(t, false)) {
          test_request_outstanding_ = true;
          ++counters_.test_requests_sent;
        }
      }
      if (state_ == SessionState::active && now_ - last_send_ >= heartbeat_ns_) {
        Heartbeat h;
        if (send(h, false)) ++counters_.heartbeats_sent;
      }
      break;
    }
    default: break;
  }
}

// ---- receiving ----------------------------------------------------------------------------------

void OrderSession::read_input() {
  const uint64_t generation = generation_;
  const size_t cap = config_.recv_buffer_bytes;
  for (;;) {
    const long n = transport_->read(in_.get() + in_len_, cap - in_len_);
    if (n < 0) {
      go_down(transport_->last_error(), true);
      return;
    }
    if (n == 0) return;
    in_len_ += (size_t)n;

    size_t pos = 0;
    orders::Message m{};
    orders::DecodeFault f{};
    for (;;) {
      const orders::Step step = orders::read_message(in_.get(), in_len_, pos, m, f);
      if (step == orders::Step::end || step == orders::Step::incomplete) break;
      if (step == orders::Step::fault) {
        // A broken length, a body that overruns its message or an unknown schema means the bytes
        // are not this protocol: nothing after them can be trusted, so the connection is reset
        // and the resumed logon recovers what was lost.
        if (f.error == orders::DecodeError::message_length_too_small || f.error == orders::DecodeError::block_past_message ||
            f.error == orders::DecodeError::unknown_schema) {
          ++counters_.garbage_resets;
          go_down(std::string("garbage from the exchange (") + orders::decode_error_name(f.error) + ", value " +
                      std::to_string(f.value) + "): connection reset",
                  true);
          return;
        }
        // Well framed but unreadable (a template this client does not know): it still takes
        // its sequence number, and is sequenced like any other message below.
        ++counters_.undecodable_messages;
      }
      if (m.protocol_id != orders::kProtocolId) {
        ++counters_.garbage_resets;
        go_down("garbage from the exchange (ProtocolId " + std::to_string(m.protocol_id) + "): connection reset", true);
        return;
      }
      if (!handle_message(m, generation)) return;
    }
    if (pos > 0) {
      std::memmove(in_.get(), in_.get() + pos, in_len_ - pos);
      in_len_ -= pos;
    }
    if (in_len_ == cap) {  // cannot happen with MessageLength ≤ 65535 and the default buffer
      ++counters_.garbage_resets;
      go_down("message larger than the receive buffer: connection reset", true);
      return;
    }
  }
}

bool OrderSession::handle_message(const orders::Message& m, uint64_t generation) {
  ++counters_.messages_in;
  last_recv_ = now_;
  test_request_outstanding_ = false;
  const bool readable = m.layout != nullptr;
  const bool session = readable && m.schema_id == orders::kSessionSchemaId;

  if (readable && is<GapFill>(m)) {
    ++counters_.gap_fills_received;
    GapFill g;
    decode(m, g);
    if (inbound_.apply_gap_fill(m.sequence_number, g.new_sequence_number)) {
      drain_held(generation);
      maybe_finish_reconcile();
      return generation == generation_;
    }
    // The GapFill itself lies beyond a gap: held below like any message in a gap.
  } else if (readable && (is<LoggedOut>(m) || is<Logout>(m))) {
    // The end of the session whatever its number says (a refused logon comes before any
    // numbering was agreed on).
    if (inbound_.check(m.sequence_number) == SeqCheck::in_order) inbound_.advance();
    handle_session_message(m);
    return false;
  } else if (readable && is<LogonConf>(m) && state_ == SessionState::logon_sent &&
             m.sequence_number < inbound_.expected()) {
    // The exchange starts over from a lower number: what it sent before cannot be asked for.
    ++counters_.peer_sequence_resets;
    inbound_.reset(m.sequence_number);
    peer_reset_ = true;
  }

  switch (inbound_.check(m.sequence_number)) {
    case SeqCheck::duplicate: ++counters_.duplicates_ignored; return true;
    case SeqCheck::gap: {
      ++counters_.gaps_detected;
      // Session messages are acted on at once (a ResendRequest or TestRequest cannot wait for
      // our own gap); application messages wait their turn so that each order sees its events
      // in order.
      const bool act_now = session && !is<GapFill>(m);
      if (act_now) {
        handle_session_message(m);
        if (generation != generation_) return false;
      }
      const bool held = inbound_.hold(m.sequence_number, m.header, m.message_length, act_now || !readable);
      if (held) ++counters_.held_out_of_order;
      else ++counters_.dropped_in_gap;
      request_missing(m.sequence_number, held);
      return generation == generation_;
    }
    case SeqCheck::in_order: break;
  }
  inbound_.advance();
  if (session) handle_session_message(m);
  else if (readable) handle_application_message(m);
  if (generation != generation_) return false;
  drain_held(generation);
  maybe_finish_reconcile();
  return generation == generation_;
}

void OrderSession::request_missing(uint32_t seq, bool held) {
  uint32_t from = 0, to = 0;
  if (!inbound_.missing(seq, held, from, to)) return;
  ResendRequest r;
  r.from_sequence_number = from;
  r.to_sequence_number = to;
  if (send(r, false)) ++counters_.resend_requests_sent;
}

void OrderSession::drain_held(uint64_t generation) {
  uint8_t buf[HeldMessage::kMaxSize];
  while (generation == generation_) {
    const HeldMessage* h = inbound_.next_held();
    if (h == nullptr) return;
    const bool acted_on = h->acted_on;
    const size_t len = h->len;
    std::memcpy(buf, h->bytes, len);  // processing may hold further messages
    size_t pos = 0;
    orders::Message m{};
    orders::DecodeFault f{};
    if (acted_on || orders::read_message(buf, len, pos, m, f) != orders::Step::message) {
      inbound_.advance();
    } else if (is<GapFill>(m)) {
      GapFill g;
      decode(m, g);
      const uint32_t before = inbound_.expected();
      inbound_.apply_gap_fill(m.sequence_number, g.new_sequence_number);
      if (inbound_.expected() == before) inbound_.advance();  // a GapFill that fills nothing
    } else {
      inbound_.advance();
      if (m.schema_id == orders::kSessionSchemaId) handle_session_message(m);
      else handle_application_message(m);
    }
    maybe_finish_reconcile();
  }
}

void OrderSession::handle_session_message(const orders::Message& m) {
  switch (m.template_id) {
    case orders::kHeartbeatId: ++counters_.heartbeats_received; break;
    case orders::kTestRequestId: {
      ++counters_.test_requests_received;
      TestRequest t;
      decode(m, t);
      Heartbeat h;
      h.correlation_id = t.correlation_id;
      if (send(h, false)) ++counters_.heartbeats_sent;
      break;
    }
    case orders::kResendRequestId: {
      ++counters_.resend_requests_received;
      ResendRequest r;
      decode(m, r);
      const ResendAnswer a = answer_resend(r, next_out_, inbound_.last_processed(), now_, store_,
                                           [&](const uint8_t* p, size_t n) { return write_raw(p, n); });
      counters_.messages_resent += a.messages_resent;
      counters_.gap_fills_sent += a.gap_fills;
      break;
    }
    case orders::kLogonConfId:
      if (state_ == SessionState::logon_sent) on_logon_conf(m);
      else ++counters_.protocol_errors;
      break;
    case orders::kLogoutId: {
      Logout l;
      decode(m, l);
      go_down("logged out by the exchange: " + std::string(l.reason.view()), false);
      break;
    }
    case orders::kLoggedOutId: {
      LoggedOut l;
      decode(m, l);
      if (state_ == SessionState::logout_sent) go_down("logged out: " + std::string(l.reason.view()), false);
      else go_down("logged out by the exchange: " + std::string(l.reason.view()), false);
      break;
    }
    default: ++counters_.protocol_errors; break;  // Logon: only the exchange receives it
  }
}

void OrderSession::on_logon_conf(const orders::Message& m) {
  LogonConf c;
  decode(m, c);
  const int64_t seconds = c.heartbeat_interval_seconds > 0 ? c.heartbeat_interval_seconds : config_.default_heartbeat_seconds;
  heartbeat_ns_ = seconds * kNsPerSecond;
  state_ = SessionState::active;
  state_since_ = now_;
  logged_on_once_ = true;
  ++counters_.logons;
  // A resumed stream lets every missed message be asked for: once the numbers up to this
  // LogonConf have all been processed, whatever still looks unknown did not change.
  reconciling_ = !reset_logon_ && !peer_reset_;
  reconcile_seq_ = m.sequence_number;
  OrderEvent e{};
  e.type = OrderEventType::session_active;
  e.time = now_;
  app_.push(e);
  if (kill_cancel_pending_) {
    kill_cancel_pending_ = false;
    if (send_mass_cancel() != LocalReject::none) kill_cancel_pending_ = true;
  }
}

void OrderSession::maybe_finish_reconcile() {
  if (!reconciling_ || inbound_.expected() <= reconcile_seq_) return;
  reconciling_ = false;
  ++counters_.reconciliations;
  int32_t restored = 0;
  app_.table().for_each([&](OrderRecord& r) {
    if (r.state != OrderState::unknown_after_disconnect) return;
    r.state = r.state_before_disconnect;
    r.last_update = now_;
    ++restored;
  });
  OrderEvent e{};
  e.type = OrderEventType::reconciled;
  e.time = now_;
  e.quantity = restored;
  app_.push(e);
}

void OrderSession::handle_application_message(const orders::Message& m) {
  const bool resend = (m.flags & kFlagPossibleResend) != 0;
  // A reply about one order: its body, and the order's record (null, counted, when unknown).
  auto record_of = [&](auto& x) -> OrderRecord* {
    decode(m, x);
    OrderRecord* r = app_.table().find(x.client_order_id);
    if (r == nullptr) ++counters_.unknown_order_events;
    return r;
  };
  // What every reply carries into its event: the exchange's time, the correlation id, whether it
  // may be a resend, and the execution id where the layout has one (every layout field is a
  // member of the same name, see message_fields.hpp).
  auto reply = [&](OrderEvent e, const auto& x) {
    if constexpr (requires { x.exec_id; }) e.exec_id = x.exec_id;
    e.correlation_id = x.correlation_id;
    e.time = x.timestamp;
    e.possible_resend = resend;
    return e;
  };
  // A report's quantities as an order can have them: filled and open quantities not negative,
  // their sum an int32, a fill of at least one contract within the filled total. Anything else
  // would corrupt the order's record (and the risk state fed from it): counted, not applied, and
  // the record keeps its last good quantities (its open quantity stays reserved).
  auto possible = [&](int64_t filled, int64_t open, int64_t fill) {
    const bool ok = filled >= 0 && open >= 0 && filled + open <= INT32_MAX && fill >= 0 && fill <= filled &&
                    (m.template_id != orders::kOrderFilledId || fill > 0);
    if (!ok) ++counters_.impossible_quantities;
    return ok;
  };
  switch (m.template_id) {
    case orders::kOrderEnteredId: {
      OrderEntered x;
      OrderRecord* r = record_of(x);
      if (r == nullptr) return;
      r->order_id = x.order_id;
      const OrderState s = known_state(*r);
      r->state = s == OrderState::pending_new ? OrderState::active : s;
      r->last_update = x.timestamp;
      app_.push(reply(SessionOrders::event(OrderEventType::entered, *r, now_), x));
      break;
    }
    case orders::kOrderReplacedId: {
      OrderReplaced x;
      OrderRecord* r = record_of(x);
      if (r == nullptr || !possible(x.total_filled, x.available_qty, 0)) return;
      if (r->replace_pending) r->price = r->pending_price;
      else ++counters_.protocol_errors;  // no replace in flight: quantities still taken as given
      r->replace_pending = false;
      r->order_id = x.order_id;
      r->filled = x.total_filled;
      r->remaining = x.available_qty;
      r->quantity = x.total_filled + x.available_qty;
      r->state = x.available_qty > 0 ? open_state(x.total_filled) : (x.total_filled > 0 ? OrderState::filled : OrderState::canceled);
      r->last_update = x.timestamp;
      app_.push(reply(SessionOrders::event(OrderEventType::replaced, *r, now_), x));
      break;
    }
    case orders::kOrderRejectId: {
      OrderReject x;
      OrderRecord* r = record_of(x);
      if (r == nullptr) return;
      OrderEventType type;
      if (!SessionOrders::take_reject(*r, r->replace_pending, type)) {
        // The replace crossed the fill or cancel that ended the order: its reject is expected and
        // changes nothing. Any other reject for an order with nothing in flight is an error.
        if (r->replace_overtaken) ++counters_.late_replace_rejects;
        else ++counters_.protocol_errors;
        r->replace_overtaken = false;
        return;
      }
      r->reason = x.order_reject_reason;
      r->last_update = x.timestamp;
      OrderEvent e = reply(SessionOrders::event(type, *r, now_), x);
      e.reason = x.order_reject_reason;
      e.text.assign(x.order_reject_details.view());
      app_.push(e);
      break;
    }
    case orders::kOrderCanceledId: {
      OrderCanceled x;
      OrderRecord* r = record_of(x);
      if (r == nullptr || !possible(x.total_filled, (int64_t)r->quantity - x.total_filled, 0)) return;
      r->state = OrderState::canceled;
      r->filled = x.total_filled;
      r->remaining = 0;
      r->replace_overtaken = r->replace_pending;
      r->cancel_pending = r->replace_pending = false;
      r->reason = x.cancel_reason;
      r->last_update = x.timestamp;
      OrderEvent e = reply(SessionOrders::event(OrderEventType::canceled, *r, now_), x);
      e.reason = x.cancel_reason;
      app_.push(e);
      break;
    }
    case orders::kOrderFilledId: {
      OrderFilled x;
      OrderRecord* r = record_of(x);
      if (r == nullptr || !possible(x.total_filled, x.available_qty, x.fill_qty)) return;
      r->order_id = x.order_id;
      r->filled = x.total_filled;
      r->remaining = x.available_qty;
      r->quantity = x.total_filled + x.available_qty;
      r->vwap = x.filled_vwap;
      if (x.available_qty == 0) {
        r->state = OrderState::filled;
        r->replace_overtaken = r->replace_pending;
        r->cancel_pending = r->replace_pending = false;
      } else {
        r->state = OrderState::partially_filled;
      }
      r->last_update = x.timestamp;
      OrderEvent e = reply(SessionOrders::event(OrderEventType::filled, *r, now_), x);
      e.price = x.fill_price;
      e.quantity = x.fill_qty;
      e.aggressor = x.is_aggressor;
      app_.push(e);
      break;
    }
    case orders::kCancelOrderRejectId: {
      CancelOrderReject x;
      OrderRecord* r = record_of(x);
      if (r == nullptr) return;
      r->cancel_pending = false;
      r->state = known_state(*r);
      r->last_update = x.timestamp;
      OrderEvent e = reply(SessionOrders::event(OrderEventType::cancel_rejected, *r, now_), x);
      e.reason = x.cancel_order_reject_reason;
      e.text.assign(x.cancel_order_reject_details.view());
      app_.push(e);
      break;
    }
    case orders::kMassCancelOrderAckId: {
      MassCancelOrderAck x;
      decode(m, x);
      OrderEvent e{};
      e.type = OrderEventType::mass_cancel_ack;
      e.quantity = x.canceled_count;
      app_.push(reply(e, x));
      break;
    }
    case orders::kMassCancelOrderRejectId: {
      MassCancelOrderReject x;
      decode(m, x);
      OrderEvent e = reply(OrderEvent{}, x);
      e.type = OrderEventType::mass_cancel_reject;
      e.text.assign(x.error_message.view());
      app_.push(e);
      break;
    }
    default: break;  // instrument info, set acks, pongs: not this session's business
  }
}

// ---- sending ------------------------------------------------------------------------------------

bool OrderSession::has_room(size_t len) const {
  return config_.send_buffer_bytes - out_len_ + out_pos_ >= len;
}

template <typename T>
bool OrderSession::send(const T& msg, bool application) {
  const size_t len = orders::kHeaderSize + T::kLayout.block_length;
  if (state_ == SessionState::disconnected || state_ == SessionState::connecting || !has_room(len)) return false;
  if (config_.send_buffer_bytes - out_len_ < len) {  // room only after moving the unsent bytes down
    std::memmove(out_.get(), out_.get() + out_pos_, out_len_ - out_pos_);
    out_len_ -= out_pos_;
    out_pos_ = 0;
  }
  uint8_t* p = out_.get() + out_len_;
  const SendHeader h{next_out_, inbound_.last_processed(), now_, 0};
  const size_t n = encode(p, config_.send_buffer_bytes - out_len_, h, msg);
  if (application) store_.put(next_out_, p, n);
  ++next_out_;
  out_len_ += n;
  ++counters_.messages_out;
  last_send_ = now_;
  if (!batching_) flush();
  return true;
}

bool OrderSession::write_raw(const uint8_t* data, size_t len) {
  if (state_ == SessionState::disconnected || !has_room(len)) return false;
  if (config_.send_buffer_bytes - out_len_ < len) {
    std::memmove(out_.get(), out_.get() + out_pos_, out_len_ - out_pos_);
    out_len_ -= out_pos_;
    out_pos_ = 0;
  }
  std::memcpy(out_.get() + out_len_, data, len);
  out_len_ += len;
  ++counters_.messages_out;
  last_send_ = now_;
  flush();
  return state_ != SessionState::disconnected;
}

void OrderSession::flush() {
  while (out_pos_ < out_len_) {
    const long n = transport_->write(out_.get() + out_pos_, out_len_ - out_pos_);
    if (n < 0) {
      go_down(transport_->last_error(), true);
      return;
    }
    if (n == 0) break;
    out_pos_ += (size_t)n;
  }
  if (out_pos_ == out_len_) out_pos_ = out_len_ = 0;
}

// ---- order entry --------------------------------------------------------------------------------

LocalReject OrderSession::send_new_order(const OrderParams& p) {
  OrderRecord* r = nullptr;
  const LocalReject why = app_.admit_new(p, killed_, state_ == SessionState::active,
                                         room_for(orders::kHeaderSize + NewOrder::kLayout.block_length), now_, r);
  if (why != LocalReject::none) return why;
  r->new_order_seq = next_out_;
  NewOrder o;
  o.client_order_id = p.client_order_id;
  o.correlation_id = next_correlation_id_++;
  o.limit_price = p.price;
  o.quantity = p.quantity;
  o.instrument_id = p.instrument_id;
  o.side = p.side;
  o.order_flags = p.order_flags;
  o.good_til_date = p.good_til_date;
  send(o, true);  // room was checked; a write failure shows up as the order turning unknown
  return LocalReject::none;
}

LocalReject OrderSession::send_replace(int64_t client_order_id, int64_t new_price, int32_t new_quantity) {
  OrderRecord* r = nullptr;
  const LocalReject why = app_.admit_replace(client_order_id, killed_, state_ == SessionState::active,
                                             room_for(orders::kHeaderSize + ReplaceOrder::kLayout.block_length), now_, r);
  if (why != LocalReject::none) return why;
  r->replace_pending = true;
  r->pending_price = new_price;
  r->pending_quantity = new_quantity;
  ReplaceOrder o;
  o.client_order_id = client_order_id;
  o.correlation_id = next_correlation_id_++;
  o.new_limit_price = new_price;
  o.new_quantity = new_quantity;
  o.instrument_id = r->instrument_id;
  send(o, true);
  return LocalReject::none;
}

LocalReject OrderSession::send_cancel(int64_t client_order_id) {
  OrderRecord* r = nullptr;
  const LocalReject why = app_.admit_cancel(client_order_id, state_ == SessionState::active,
                                            room_for(orders::kHeaderSize + CancelOrder::kLayout.block_length), now_, r);
  if (why != LocalReject::none) return why;
  r->cancel_pending = true;
  CancelOrder o;
  o.client_order_id = client_order_id;
  o.correlation_id = next_correlation_id_++;
  o.instrument_id = r->instrument_id;
  send(o, true);
  return LocalReject::none;
}

LocalReject OrderSession::send_mass_cancel(int32_t instrument_id, int8_t side) {
  LocalReject why = LocalReject::none;
  if (state_ != SessionState::active) why = LocalReject::not_logged_on;
  else if (!has_room(orders::kHeaderSize + MassCancelOrder::kLayout.block_length)) why = LocalReject::send_buffer_full;
  if (why != LocalReject::none) {
    ++counters_.local_rejects;
    OrderEvent e{};
    e.type = OrderEventType::mass_cancel_reject;
    e.local_reason = why;
    e.instrument_id = instrument_id;
    e.time = now_;
    e.text.assign(local_reject_name(why));
    app_.push(e);
    return why;
  }
  MassCancelOrder o;
  o.correlation_id = next_correlation_id_++;
  o.instrument_id = instrument_id;
  o.side = side;
  send(o, true);
  return LocalReject::none;
}

void OrderSession::kill_switch() {
  killed_ = true;
  if (state_ == SessionState::active && send_mass_cancel() == LocalReject::none) return;
  kill_cancel_pending_ = true;  // sent right after the next LogonConf
}

}  // namespace pw::oe
