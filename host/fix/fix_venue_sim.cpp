#include "host/fix/fix_engine.hpp"
#include "host/fix/fix_venue_sim.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unordered_map>

#include "host/fix/fix_common.hpp"
#include "host/fix/loopback_port.hpp"

namespace pw::fix {

using namespace oe;

namespace {

// OrdRejReason (103) for the matcher's reasons.
const char* ord_rej_reason(OrderRejectReason r) {
  switch (r) {
    case OrderRejectReason::invalid_instrument: return "1";      // unknown symbol
    case OrderRejectReason::client_order_id_in_use: return "6";  // duplicate order
    case OrderRejectReason::unknown_order: return "5";
    default: return "99";                                        // other; Text says why
  }
}

char ord_status(OrderState s) {
  switch (s) {
    case OrderState::active: return '0';
    case OrderState::partially_filled: return '1';
    case OrderState::filled: return '2';
    case OrderState::canceled: return '4';
    default: return '8';
  }
}

}  // namespace

struct FixVenueSim::Impl final : public FIX::Application, public SimReports {
  FixVenueSim& v;
  FIX::SessionID id;
  FixEngineParts parts;
  std::unique_ptr<FIX::SocketAcceptor> acceptor;
  std::unordered_map<int64_t, uint32_t> working;  // client order id → version of its working ClOrdID
  bool logged_on = false;

  explicit Impl(FixVenueSim& venue) : v(venue) {}

  const std::string& owner() const { return v.config_.target_comp_id; }

  // ---- FIX::Application ---------------------------------------------------------------------------
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override {
    logged_on = true;
    ++v.counters_.logons;
  }
  void onLogout(const FIX::SessionID&) override {
    if (logged_on) ++v.counters_.logouts;
    logged_on = false;
  }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message& m, const FIX::SessionID&) override {
    m.getHeader().setField(57, "SIM");  // TargetSubID: the trader (one per simulated session)
  }
  void fromAdmin(const FIX::Message& m, const FIX::SessionID&) override {
    const std::string_view type = field(m.getHeader(), 35);
    if (type == "3") ++v.counters_.rejects_received;
    if (type == "A" && !v.config_.username.empty() &&
        (field(m, 553) != v.config_.username || field(m, 554) != v.config_.password)) {
      ++v.counters_.logon_rejects;
      throw FIX::RejectLogon("wrong username or password");  // QuickFIX answers with a Logout
    }
  }
  void fromApp(const FIX::Message& m, const FIX::SessionID&) override {
    const std::string_view type = field(m.getHeader(), 35);
    ++v.counters_.requests;
    if (field(m.getHeader(), 43) == "Y") ++v.counters_.possible_resends;
    int64_t cid = 0;
    uint32_t version = 0;
    int32_t instrument = 0, qty = 0;
    int64_t price = 0;
    const bool ids_ok = parse_cl_ord_id(field(m, 11), cid, version) &&
                        instrument_of(v.config_.symbols, field(m, 55), instrument);
    if (type == "D" && ids_ok && version == 0 && field_qty(m, 38, qty) && field_e9(m, 44, price)) {
      const char side = field_char(m, 54);
      v.matcher_->submit(owner(), SimNewOrder{cid, 0, instrument, (int8_t)(side == '1' ? 1 : side == '2' ? -1 : 0), price, qty});
    } else if (type == "G" && ids_ok && version != 0 && field_qty(m, 38, qty) && field_e9(m, 44, price)) {
      v.matcher_->submit(owner(), SimReplace{cid, (int64_t)version, instrument, price, qty});
    } else if (type == "F" && ids_ok && version != 0) {
      v.matcher_->submit(owner(), SimCancel{cid, (int64_t)version});
    } else {
      ++v.counters_.unusable_requests;
      throw FIX::UnsupportedMessageType();  // QuickFIX answers with BusinessMessageReject j
    }
  }

  // ---- SimReports: the matcher's reports as FIX messages ------------------------------------------
  uint32_t working_of(int64_t cid) const {
    auto it = working.find(cid);
    return it == working.end() ? 0 : it->second;
  }
  // TransactTime (60): the exchange's time of the report — the feed clock in a replay.
  static void set_time(FIX::Message& m, int64_t ns) {
    char buf[32];
    format_utc_ns(ns, buf);
    m.setField(60, buf);
  }
  FIX::Message report(const SimOrder& o, char exec_type, int64_t exec_id, uint32_t cl_version, int64_t time) {
    FIX::Message m;
    m.getHeader().setField(35, "8");
    m.setField(37, std::to_string(o.order_id));
    m.setField(11, wire_cl_ord_id(o.client_order_id, cl_version));
    m.setField(17, std::to_string(exec_id));
    m.setField(150, std::string(1, exec_type));
    m.setField(39, std::string(1, ord_status(o.state)));
    m.setField(55, symbol_of(v.config_.symbols, o.instrument_id));
    m.setField(167, "FUT");
    m.setField(54, o.side > 0 ? "1" : "2");
    m.setField(38, std::to_string(o.quantity));
    m.setField(40, "2");
    set_e9(m, 44, o.price);
    m.setField(151, std::to_string(o.remaining));
    m.setField(14, std::to_string(o.filled));
    set_e9(m, 6, o.vwap);
    set_time(m, time);
    return m;
  }
  void send(FIX::Message& m) {
    try {
      FIX::Session::sendToTarget(m, id);  // stored and numbered even while the client is away
    } catch (const std::exception&) {
    }
  }
  void entered(const SimOrder& o, int64_t exec_id, int64_t time) override {
    working[o.client_order_id] = 0;
    ++v.counters_.execution_reports;
    FIX::Message m = report(o, '0', exec_id, 0, time);
    send(m);
  }
  void new_rejected(const std::string&, const SimNewOrder& r, OrderRejectReason reason, const char* why, int64_t time) override {
    SimOrder o;
    o.client_order_id = r.client_order_id;
    o.instrument_id = r.instrument_id;
    o.side = r.side;
    o.quantity = r.quantity;
    o.price = r.price;
    o.state = OrderState::rejected;
    ++v.counters_.execution_reports;
    FIX::Message m = report(o, '8', 0, 0, time);
    m.setField(37, "NONE");
    m.setField(103, ord_rej_reason(reason));
    m.setField(58, why);
    send(m);
  }
  void replaced(const SimOrder& o, int64_t exec_id, int64_t time) override {
    const uint32_t from = working_of(o.client_order_id);
    const uint32_t to = (uint32_t)o.correlation_id;  // the replace's ClOrdID version
    working[o.client_order_id] = to;
    ++v.counters_.execution_reports;
    FIX::Message m = report(o, '5', exec_id, to, time);
    m.setField(41, wire_cl_ord_id(o.client_order_id, from));
    send(m);
  }
  void cancel_reject_msg(int64_t cid, uint32_t version, const SimOrder* o, char response_to, const char* reason,
                         const char* why, int64_t time) {
    ++v.counters_.cancel_rejects;
    FIX::Message m;
    m.getHeader().setField(35, "9");
    m.setField(37, o != nullptr ? std::to_string(o->order_id) : std::string("NONE"));
    m.setField(11, wire_cl_ord_id(cid, version));
    m.setField(41, wire_cl_ord_id(cid, working_of(cid)));
    m.setField(39, std::string(1, o != nullptr ? ord_status(o->state) : '8'));
    m.setField(434, std::string(1, response_to));
    m.setField(102, reason);
    m.setField(58, why);
    set_time(m, time);
    send(m);
  }
  void replace_rejected(const std::string&, const SimReplace& r, const SimOrder* o, OrderRejectReason reason,
                        const char* why, int64_t time) override {
    cancel_reject_msg(r.client_order_id, (uint32_t)r.correlation_id, o, '2',
                      reason == OrderRejectReason::unknown_order ? "1" : "99", why, time);
  }
  void canceled(const SimOrder& o, CancelReason, int64_t exec_id, int64_t time) override {
    // A cancel the client asked for carries its request's ClOrdID; an unsolicited one the order's.
    const uint32_t version = (uint32_t)o.correlation_id > working_of(o.client_order_id) ? (uint32_t)o.correlation_id
                                                                                         : working_of(o.client_order_id);
    ++v.counters_.execution_reports;
    FIX::Message m = report(o, '4', exec_id, version, time);
    m.setField(41, wire_cl_ord_id(o.client_order_id, working_of(o.client_order_id)));
    send(m);
  }
  void cancel_rejected(const std::string&, const SimCancel& r, const SimOrder* o, int64_t time) override {
    cancel_reject_msg(r.client_order_id, (uint32_t)r.correlation_id, o, '1', "1", "no open order with this id", time);
  }
  void filled(const SimOrder& o, int64_t price, int32_t qty, bool aggressor, int64_t exec_id, int64_t, int64_t time) override {
    ++v.counters_.execution_reports;
    FIX::Message m = report(o, 'F', exec_id, working_of(o.client_order_id), time);
    set_e9(m, 31, price);
    m.setField(32, std::to_string(qty));
    m.setField(1057, aggressor ? "Y" : "N");
    send(m);
  }
  void mass_cancel_ack(const std::string&, const SimMassCancel&, int32_t, int64_t, int64_t) override {}
  void mass_cancel_rejected(const std::string&, const SimMassCancel&, const char*, int64_t) override {}
};

FixVenueSim::FixVenueSim(FixVenueConfig config)
    : config_(std::move(config)), impl_(std::make_unique<Impl>(*this)),
      matcher_(std::make_unique<SimMatcher>(*impl_, config_.feed_clock, config_.ack_latency_ns)) {}

FixVenueSim::~FixVenueSim() {
  stop_fix_engine(impl_->acceptor);
}

bool FixVenueSim::listen(std::string& error) {
  if (impl_->acceptor) return true;
  try {
    ::mkdir(config_.store_dir.c_str(), 0755);
    port_ = config_.port != 0 ? config_.port : free_loopback_port();
    impl_->id = FIX::SessionID(kBeginString, config_.sender_comp_id, config_.target_comp_id);
    if (FIX::Session::doesSessionExist(impl_->id)) {
      // QuickFIX keeps one registry per process: a second session of the same ids would be the first.
      error = "simulated FIX venue: session " + impl_->id.toString() + " already exists in this process";
      return false;
    }
    FIX::Dictionary d = session_dictionary("acceptor", config_.dictionary, config_.store_dir, config_.heartbeat_seconds);
    d.setInt("SocketAcceptPort", port_);
    impl_->acceptor = make_fix_engine<FIX::SocketAcceptor>(*impl_, impl_->id, d, config_.store_dir, config_.log_dir, impl_->parts);
    if (config_.reset_store_on_start)  // before anything is read: the session exists from here
      if (FIX::Session* s = FIX::Session::lookupSession(impl_->id)) s->reset();
    impl_->acceptor->poll(0.0);  // binds
  } catch (const std::exception& e) {
    error = std::string("simulated FIX venue: ") + e.what();
    impl_->acceptor.reset();
    return false;
  }
  return true;
}

void FixVenueSim::poll_once(int timeout_ms) {
  if (!impl_->acceptor) return;
  try {
    impl_->acceptor->poll(timeout_ms / 1000.0);
  } catch (const std::exception&) {
  }
  matcher_->set_feed_time(0);  // acts on whatever has become due
}

void FixVenueSim::drop_connection() {
  if (FIX::Session* s = FIX::Session::lookupSession(impl_->id)) s->disconnect();
  ++counters_.faults_injected;
}

bool FixVenueSim::send_malformed(Malformed kind) {
  FIX::Message m;
  if (kind == Malformed::unknown_msg_type) {
    m.getHeader().setField(35, "ZZ");
    m.setField(58, "not in the dictionary");
  } else {
    // An ExecutionReport about no order, so that one the client wrongly accepted would show up as
    // an unknown-order event.
    m.getHeader().setField(35, "8");
    m.setField(37, "1");
    m.setField(11, "999999999");
    m.setField(17, "0");
    if (kind != Malformed::missing_required) m.setField(150, "0");
    m.setField(39, "0");
    m.setField(55, "0");
    m.setField(54, "1");
    m.setField(151, kind == Malformed::bad_value ? "ten" : "0");
    m.setField(14, "0");
    m.setField(6, "0");
    if (kind == Malformed::unknown_tag) m.setField(4999, "outside the dictionary");
  }
  ++counters_.faults_injected;
  try {
    return FIX::Session::sendToTarget(m, impl_->id);
  } catch (const std::exception&) {
    return false;
  }
}

bool FixVenueSim::logged_on() const { return impl_->logged_on; }

const SimOrder* FixVenueSim::find_order(int64_t cid) const { return matcher_->find(config_.target_comp_id, cid); }
std::vector<SimOrder> FixVenueSim::orders() const { return matcher_->orders_of(config_.target_comp_id); }

uint64_t FixVenueSim::messages_sent() const {
  FIX::Session* s = impl_->acceptor ? FIX::Session::lookupSession(impl_->id) : nullptr;
  return s == nullptr ? 0 : s->getExpectedSenderNum() - 1;
}
uint64_t FixVenueSim::messages_received() const {
  FIX::Session* s = impl_->acceptor ? FIX::Session::lookupSession(impl_->id) : nullptr;
  return s == nullptr ? 0 : s->getExpectedTargetNum() - 1;
}

}  // namespace pw::fix
