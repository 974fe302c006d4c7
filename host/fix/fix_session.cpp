#include "host/fix/fix_engine.hpp"
#include "host/fix/fix_session.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "host/fix/fix_common.hpp"

namespace pw::fix {

using namespace oe;

namespace {

constexpr uint32_t kSentRing = 8192;  // outgoing requests by sequence number, for Reject 3


}  // namespace

// The QuickFIX application: its callbacks run inside FixSession::poll() (or a send_* call), in
// the caller's thread.
struct FixSession::Impl final : public FIX::Application {
  struct Ids {
    uint32_t next_version = 1;   // of the next replace or cancel
    uint32_t working = 0;        // version of the ClOrdID the venue holds the order under
    uint32_t pending = 0;        // version of the replace in flight
  };
  struct Sent {
    uint32_t seq = 0;
    char type = 0;               // 'D', 'F', 'G'
    int64_t cid = 0;
  };

  FixSession& s;
  FIX::SessionID id;
  FixEngineParts parts;
  std::unique_ptr<FIX::SocketInitiator> initiator;
  std::unordered_map<int64_t, Ids> ids;
  std::vector<Sent> sent = std::vector<Sent>(kSentRing);
  std::string reconcile_id;       // TestReqID whose Heartbeat ends a reconciliation
  uint64_t reconcile_count = 0;
  bool logging_out = false;

  explicit Impl(FixSession& session) : s(session) { ids.reserve(session.config_.max_orders); }

  FIX::Session* session() const { return FIX::Session::lookupSession(id); }

  // ---- FIX::Application ---------------------------------------------------------------------------
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override {
    s.state_ = SessionState::active;
    ++s.counters_.logons;
    OrderEvent e{};
    e.type = OrderEventType::session_active;
    e.time = s.now_;
    s.app_.push(e);
    if (s.logged_on_once_) {
      // Whatever the venue reported meanwhile comes back through QuickFIX's resend request, ahead
      // of the answer to this test request: its Heartbeat ends the reconciliation.
      s.reconciling_ = true;
      reconcile_id = "pw-reconcile-" + std::to_string(++reconcile_count);
      FIX::Message t;
      t.getHeader().setField(35, "1");
      t.setField(112, reconcile_id);
      try {
        FIX::Session::sendToTarget(t, id);
      } catch (const std::exception&) {
      }
    }
    s.logged_on_once_ = true;
    if (s.kill_cancel_pending_) {
      s.kill_cancel_pending_ = false;
      s.cancel_every_open_order();
    }
  }
  void onLogout(const FIX::SessionID&) override {
    const bool was_up = s.state_ == SessionState::active || s.state_ == SessionState::logout_sent;
    s.state_ = logging_out ? SessionState::disconnected : SessionState::connecting;
    ++s.counters_.logouts;
    s.reconciling_ = false;
    // Fills and cancels may happen while nobody listens: open orders are unknown until the resumed
    // session has replayed what the venue reported meanwhile.
    s.app_.table().for_each([&](OrderRecord& r) {
      if (!is_open(r.state)) return;
      r.state_before_disconnect = r.state;
      r.state = OrderState::unknown_after_disconnect;
    });
    if (!was_up) return;
    OrderEvent e{};
    e.type = OrderEventType::session_down;
    e.time = s.now_;
    e.text.assign(logging_out ? "logged out" : "disconnected");
    s.app_.push(e);
  }
  void toAdmin(FIX::Message& m, const FIX::SessionID&) override {
    const std::string_view type = field(m.getHeader(), 35);
    if (type == "A") {
      if (s.state_ == SessionState::connecting) s.state_ = SessionState::logon_sent;
      if (!s.config_.username.empty()) m.setField(553, s.config_.username);
      if (!s.config_.password.empty()) m.setField(554, s.config_.password);
    } else if (type == "3") {
      ++s.counters_.refused_messages;  // QuickFIX refused a venue message (dictionary, format)
    }
  }
  void toApp(FIX::Message& m, const FIX::SessionID&) override {
    FIX::Header& h = m.getHeader();
    const std::string_view type = field(h, 35);
    if (type == "j") {
      ++s.counters_.refused_messages;  // a venue message of a type perpwire does not handle
      return;
    }
    if (!s.config_.sender_sub_id.empty()) h.setField(50, s.config_.sender_sub_id);
    ++s.counters_.app_messages_out;
    int64_t seq = 0, cid = 0;
    uint32_t version = 0;
    if (field_int(h, 34, seq) && parse_cl_ord_id(field(m, 11), cid, version) && !type.empty())
      sent[(uint64_t)seq % kSentRing] = Sent{(uint32_t)seq, type[0], cid};
  }
  void fromAdmin(const FIX::Message& m, const FIX::SessionID&) override {
    const std::string_view type = field(m.getHeader(), 35);
    if (type == "3") {
      ++s.counters_.session_rejects_in;
      int64_t ref = 0;
      if (!field_int(m, 45, ref)) return;
      const Sent& x = sent[(uint64_t)ref % kSentRing];
      if (x.seq != (uint32_t)ref || x.type == 0) return;  // a session message, or too old
      request_refused(x.type, x.cid, field(m, 58));
    } else if (type == "0" && s.reconciling_ && field(m, 112) == reconcile_id) {
      finish_reconcile();
    } else if (type == "5" && s.state_ == SessionState::logon_sent) {
      // The venue refused the logon (credentials, CompIDs): trying again would only be refused
      // again, so the session stays down until start() (as the SBE session after LoggedOut).
      s.last_error_ = "logon refused: " + std::string(field(m, 58));
      logging_out = true;
      if (FIX::Session* fs = session()) fs->logout();
    }
  }
  void fromApp(const FIX::Message& m, const FIX::SessionID&) override {
    ++s.counters_.app_messages_in;
    const std::string_view type = field(m.getHeader(), 35);
    if (type == "8") execution_report(m);
    else if (type == "9") cancel_reject(m);
    else if (type == "j") business_reject(m);
    else ++s.counters_.unmapped_messages;
  }

  // ---- inbound ------------------------------------------------------------------------------------
  OrderRecord* record_of(const FIX::Message& m, uint32_t& version) {
    int64_t cid = 0;
    OrderRecord* r = parse_cl_ord_id(field(m, 11), cid, version) ? s.app_.table().find(cid) : nullptr;
    if (r == nullptr) ++s.counters_.unknown_order_events;
    return r;
  }

  OrderEvent reply(OrderEventType type, const OrderRecord& r, const FIX::Message& m) const {
    OrderEvent e = SessionOrders::event(type, r, s.now_);
    int64_t v = 0;
    if (field_int(m, 17, v)) e.exec_id = v;
    e.possible_resend = field(m.getHeader(), 43) == "Y";
    e.text.assign(field(m, 58));
    int64_t t = 0;
    if (parse_utc_ns(field(m, 60), t)) e.time = t;  // the venue's time of the report
    return e;
  }

  void execution_report(const FIX::Message& m) {
    ++s.counters_.execution_reports;
    uint32_t version = 0;
    OrderRecord* r = record_of(m, version);
    if (r == nullptr) return;
    Ids& x = ids[r->client_order_id];
    int64_t order_id = 0;
    if (field_int(m, 37, order_id)) r->order_id = order_id;
    int32_t cum = 0, leaves = 0;
    // CumQty and LeavesQty as an order can have them: their sum (the order quantity) an int32.
    const bool have_qty = field_qty(m, 14, cum) && field_qty(m, 151, leaves) && (int64_t)cum + leaves <= INT32_MAX;
    r->last_update = s.now_;
    switch (field_char(m, 150)) {
      case '0': {  // New
        const OrderState st = known_state(*r);
        r->state = st == OrderState::pending_new ? OrderState::active : st;
        s.app_.push(reply(OrderEventType::entered, *r, m));
        break;
      }
      case '5': {  // Replaced
        if (r->replace_pending) r->price = r->pending_price;
        r->replace_pending = false;
        x.working = version;
        if (have_qty) {
          r->filled = cum;
          r->remaining = leaves;
          r->quantity = cum + leaves;
        }
        r->state = r->remaining > 0 ? open_state(r->filled) : (r->filled > 0 ? OrderState::filled : OrderState::canceled);
        s.app_.push(reply(OrderEventType::replaced, *r, m));
        break;
      }
      case '4':    // Canceled
      case 'C': {  // Expired
        r->state = OrderState::canceled;
        if (have_qty) r->filled = cum;
        r->remaining = 0;
        r->cancel_pending = r->replace_pending = false;
        r->reason = field_char(m, 150) == 'C' ? (uint8_t)CancelReason::expired : (uint8_t)CancelReason::canceled_by_user;
        OrderEvent e = reply(OrderEventType::canceled, *r, m);
        e.reason = r->reason;
        s.app_.push(e);
        break;
      }
      case '8': {  // Rejected: the order itself, or (Coinbase) a replace of it
        int64_t reason = 0;
        field_int(m, 103, reason);
        OrderEventType type;
        if (!SessionOrders::take_reject(*r, version != 0 && r->replace_pending, type)) {
          ++s.counters_.unmapped_messages;
          return;
        }
        r->reason = (uint8_t)reason;
        OrderEvent e = reply(type, *r, m);
        e.reason = (uint8_t)reason;
        s.app_.push(e);
        break;
      }
      case 'F': {  // Trade
        int32_t last_qty = 0;
        int64_t last_px = 0, avg = 0;
        if (!have_qty || !field_qty(m, 32, last_qty) || !field_e9(m, 31, last_px)) {
          ++s.counters_.unmapped_messages;
          return;
        }
        r->filled = cum;
        r->remaining = leaves;
        r->quantity = cum + leaves;
        if (field_e9(m, 6, avg)) r->vwap = avg;
        if (leaves == 0) {
          r->state = OrderState::filled;
          r->cancel_pending = r->replace_pending = false;
        } else {
          r->state = OrderState::partially_filled;
        }
        OrderEvent e = reply(OrderEventType::filled, *r, m);
        e.price = last_px;
        e.quantity = last_qty;
        e.aggressor = field(m, 1057) == "Y";
        s.app_.push(e);
        break;
      }
      default: ++s.counters_.unmapped_messages; break;  // 3 done for day, L triggered: nothing to book
    }
  }

  void cancel_reject(const FIX::Message& m) {
    ++s.counters_.cancel_rejects;
    uint32_t version = 0;
    OrderRecord* r = record_of(m, version);
    if (r == nullptr) return;
    int64_t reason = 0;
    field_int(m, 102, reason);
    r->last_update = s.now_;
    OrderEventType type;
    if (field_char(m, 434) == '2') {
      r->replace_pending = false;
      type = OrderEventType::replace_rejected;
    } else {
      r->cancel_pending = false;
      type = OrderEventType::cancel_rejected;
    }
    r->state = known_state(*r);
    OrderEvent e = reply(type, *r, m);
    e.reason = (uint8_t)reason;
    s.app_.push(e);
  }

  void business_reject(const FIX::Message& m) {
    ++s.counters_.business_rejects_in;
    int64_t cid = 0, ref = 0;
    uint32_t version = 0;
    const std::string_view ref_type = field(m, 372);
    if (ref_type.size() == 1 && parse_cl_ord_id(field(m, 379), cid, version)) {
      request_refused(ref_type[0], cid, field(m, 58));
      return;
    }
    // QuickFIX's own BusinessMessageReject names the request by its sequence number only.
    if (field_int(m, 45, ref)) {
      const Sent& x = sent[(uint64_t)ref % kSentRing];
      if (x.seq == (uint32_t)ref && x.type != 0) {
        request_refused(x.type, x.cid, field(m, 58));
        return;
      }
    }
    ++s.counters_.unmapped_messages;
  }

  // A request the venue refused without an execution report (Reject 3, BusinessMessageReject j).
  void request_refused(char type, int64_t cid, std::string_view text) {
    OrderRecord* r = s.app_.table().find(cid);
    if (r == nullptr) {
      ++s.counters_.unknown_order_events;
      return;
    }
    OrderEventType et;
    if (type == 'D' && known_state(*r) == OrderState::pending_new) {
      r->state = OrderState::rejected;
      r->remaining = 0;
      et = OrderEventType::rejected;
    } else if (type == 'G' && r->replace_pending) {
      r->replace_pending = false;
      r->state = known_state(*r);
      et = OrderEventType::replace_rejected;
    } else if (type == 'F' && r->cancel_pending) {
      r->cancel_pending = false;
      r->state = known_state(*r);
      et = OrderEventType::cancel_rejected;
    } else {
      ++s.counters_.unmapped_messages;
      return;
    }
    r->last_update = s.now_;
    OrderEvent e = SessionOrders::event(et, *r, s.now_);
    e.text.assign(text);
    s.app_.push(e);
  }

  void finish_reconcile() {
    s.reconciling_ = false;
    ++s.counters_.reconciliations;
    int32_t restored = 0;
    s.app_.table().for_each([&](OrderRecord& r) {
      if (r.state != OrderState::unknown_after_disconnect) return;
      r.state = r.state_before_disconnect;  // no report while away: nothing changed
      ++restored;
    });
    OrderEvent e{};
    e.type = OrderEventType::reconciled;
    e.time = s.now_;
    e.quantity = restored;
    s.app_.push(e);
  }

  // ---- outbound -----------------------------------------------------------------------------------
  FIX::Message order_message(const char* type, const OrderRecord& r) const {
    FIX::Message m;
    m.getHeader().setField(35, type);
    if (!s.config_.account.empty()) m.setField(1, s.config_.account);
    m.setField(55, symbol_of(s.config_.symbols, r.instrument_id));
    m.setField(167, "FUT");
    m.setField(54, r.side > 0 ? "1" : "2");
    char t[32];
    const int64_t wall = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    format_utc_ns(s.now_ > 0 ? s.now_ : wall, t);
    m.setField(60, t);  // TransactTime: the time the caller's loop gave poll() / start()
    return m;
  }
  bool send(FIX::Message& m) {
    try {
      return FIX::Session::sendToTarget(m, id);
    } catch (const std::exception& e) {
      s.last_error_ = std::string("FIX send: ") + e.what();
      return false;
    }
  }
};

FixSession::FixSession(const FixSessionConfig& config)
    : config_(config), impl_(std::make_unique<Impl>(*this)), state_(SessionState::disconnected),
      app_(config.max_orders, config.event_queue, counters_.local_rejects, counters_.event_queue_overflows) {}

FixSession::~FixSession() {
  if (impl_) stop_fix_engine(impl_->initiator);
}

void FixSession::start(int64_t now_ns) {
  now_ = now_ns;
  if (impl_->initiator) {
    if (FIX::Session* fs = impl_->session()) {
      impl_->logging_out = false;
      fs->logon();  // after a logout: enable the session again
      state_ = SessionState::connecting;
    }
    return;
  }
  try {
    ::mkdir(config_.store_dir.c_str(), 0755);
    impl_->id = FIX::SessionID(kBeginString, config_.sender_comp_id, config_.target_comp_id);
    if (FIX::Session::doesSessionExist(impl_->id)) {
      // QuickFIX keeps one registry per process: a second session of the same ids would be the first.
      last_error_ = "FIX session: session " + impl_->id.toString() + " already exists in this process";
      return;
    }
    FIX::Dictionary d = session_dictionary("initiator", config_.dictionary, config_.store_dir, config_.heartbeat_seconds);
    d.setString("SocketConnectHost", config_.host);
    d.setInt("SocketConnectPort", config_.port);
    d.setInt("ReconnectInterval", config_.reconnect_seconds < 1 ? 1 : config_.reconnect_seconds);
    impl_->initiator = make_fix_engine<FIX::SocketInitiator>(*impl_, impl_->id, d, config_.store_dir, config_.log_dir, impl_->parts);
    // The session exists from here (dictionary and store read); it connects and sends its Logon at
    // the first poll, so a reset of the store comes before that, never between two Logons.
    if (config_.reset_store_on_start)
      if (FIX::Session* fs = impl_->session()) fs->reset();
    state_ = SessionState::connecting;
    impl_->initiator->poll(0.0);
  } catch (const std::exception& e) {
    last_error_ = std::string("FIX session: ") + e.what();
    impl_->initiator.reset();
    state_ = SessionState::disconnected;
  }
}

void FixSession::logout(std::string_view reason) {
  FIX::Session* fs = impl_->initiator ? impl_->session() : nullptr;
  if (fs == nullptr) return;
  impl_->logging_out = true;
  if (state_ == SessionState::active) state_ = SessionState::logout_sent;
  fs->logout(std::string(reason));
}

void FixSession::poll(int64_t now_ns) {
  now_ = now_ns;
  if (!impl_->initiator) return;
  try {
    impl_->initiator->poll(0.0);
  } catch (const std::exception& e) {
    last_error_ = std::string("FIX poll: ") + e.what();
  }
  if (impl_->logging_out && state_ == SessionState::logout_sent) {
    FIX::Session* fs = impl_->session();
    if (fs != nullptr && !fs->isLoggedOn()) state_ = SessionState::disconnected;
  }
}

uint64_t FixSession::messages_sent() const {
  FIX::Session* fs = impl_->initiator ? impl_->session() : nullptr;
  return fs == nullptr ? 0 : fs->getExpectedSenderNum() - 1;
}
SessionHealth FixSession::health() const {
  SessionHealth h;
  h.logons = counters_.logons;
  h.disconnects = counters_.logouts;
  h.refused_messages = counters_.refused_messages;
  h.protocol_errors = counters_.unmapped_messages + counters_.session_rejects_in + counters_.business_rejects_in;
  h.unknown_order_events = counters_.unknown_order_events;
  h.local_rejects = counters_.local_rejects;
  return h;
}

uint64_t FixSession::messages_received() const {
  FIX::Session* fs = impl_->initiator ? impl_->session() : nullptr;
  return fs == nullptr ? 0 : fs->getExpectedTargetNum() - 1;
}

uint32_t FixSession::forget_final_orders() {
  std::vector<int64_t> gone;
  app_.table().for_each([&](const OrderRecord& r) {
    if (is_final(r.state)) gone.push_back(r.client_order_id);
  });
  for (int64_t cid : gone) impl_->ids.erase(cid);
  return app_.table().erase_final();
}

// ---- events -------------------------------------------------------------------------------------

// ---- requests -----------------------------------------------------------------------------------

LocalReject FixSession::send_new_order(const OrderParams& p) {
  OrderRecord* r = nullptr;
  const LocalReject why = app_.admit_new(p, killed_, state_ == SessionState::active, LocalReject::none, now_, r);
  if (why != LocalReject::none) return why;
  impl_->ids[p.client_order_id] = Impl::Ids{};
  FIX::Message m = impl_->order_message("D", *r);
  m.setField(11, wire_cl_ord_id(p.client_order_id, 0));
  m.setField(38, std::to_string(p.quantity));
  m.setField(40, "2");  // limit
  set_e9(m, 44, p.price);
  m.setField(59, "0");  // day
  if (FIX::Session* fs = impl_->session()) r->new_order_seq = (uint32_t)fs->getExpectedSenderNum();
  impl_->send(m);  // stored by QuickFIX even if the write fails: resent after the next logon
  return LocalReject::none;
}

LocalReject FixSession::send_replace(int64_t client_order_id, int64_t new_price, int32_t new_quantity) {
  OrderRecord* r = nullptr;
  const LocalReject why = app_.admit_replace(client_order_id, killed_, state_ == SessionState::active, LocalReject::none, now_, r);
  if (why != LocalReject::none) return why;
  r->replace_pending = true;
  r->pending_price = new_price;
  r->pending_quantity = new_quantity;
  Impl::Ids& x = impl_->ids[client_order_id];
  x.pending = x.next_version++;
  FIX::Message m = impl_->order_message("G", *r);
  m.setField(41, wire_cl_ord_id(client_order_id, x.working));
  m.setField(11, wire_cl_ord_id(client_order_id, x.pending));
  if (r->order_id != 0) m.setField(37, std::to_string(r->order_id));
  m.setField(38, std::to_string(new_quantity));
  m.setField(40, "2");
  set_e9(m, 44, new_price);
  m.setField(59, "0");
  impl_->send(m);
  return LocalReject::none;
}

LocalReject FixSession::send_cancel(int64_t client_order_id) {
  OrderRecord* r = nullptr;
  const LocalReject why = app_.admit_cancel(client_order_id, state_ == SessionState::active, LocalReject::none, now_, r);
  if (why != LocalReject::none) return why;
  r->cancel_pending = true;
  Impl::Ids& x = impl_->ids[client_order_id];
  FIX::Message m = impl_->order_message("F", *r);
  m.setField(41, wire_cl_ord_id(client_order_id, x.working));
  m.setField(11, wire_cl_ord_id(client_order_id, x.next_version++));
  if (r->order_id != 0) m.setField(37, std::to_string(r->order_id));
  m.setField(38, std::to_string(r->quantity));
  impl_->send(m);
  return LocalReject::none;
}

void FixSession::kill_switch() {
  killed_ = true;
  if (state_ == SessionState::active) cancel_every_open_order();
  else kill_cancel_pending_ = true;  // sent right after the next logon
}

void FixSession::cancel_every_open_order() {
  // Oldest first (the venue's order ids grow with entry), as a mass cancel acts. Off the order
  // path: the list is built here.
  std::vector<std::pair<int64_t, int64_t>> open;  // (order id or MAX while pending, client order id)
  app_.table().for_each([&](const OrderRecord& r) {
    const OrderState st = known_state(r);
    if (is_open(st) && !r.cancel_pending) open.emplace_back(r.order_id != 0 ? r.order_id : INT64_MAX, r.client_order_id);
  });
  std::sort(open.begin(), open.end());
  for (const auto& o : open) send_cancel(o.second);
}

}  // namespace pw::fix
