#include "host/fix/fix_engine.hpp"
#include "host/fix/kalshi_md_client.hpp"

#include <sys/stat.h>

#include "core/level_events.hpp"
#include "host/fix/fix_decimal.hpp"
#include "host/fix/kalshi_md_settings.hpp"

namespace pw::fix {

const char* md_distrust_name(MdDistrust r) {
  switch (r) {
    case MdDistrust::seq_gap: return "seq_gap";
    case MdDistrust::disconnect: return "disconnect";
    case MdDistrust::rejected_message: return "rejected_message";
    case MdDistrust::bad_entry: return "bad_entry";
    case MdDistrust::request_rejected: return "request_rejected";
    default: return "unknown";
  }
}

namespace {

std::string_view text_of(const FIX::FieldMap& m, int tag) {
  if (!m.isSetField(tag)) return std::string_view();
  return std::string_view(m.getFieldRef(tag).getString());
}
char char_of(const FIX::FieldMap& m, int tag) {
  const std::string_view s = text_of(m, tag);
  return s.size() == 1 ? s[0] : '\0';
}

struct Level {
  int8_t side;
  int64_t price;
  int32_t qty;
};

}  // namespace

struct KalshiMdClient::Impl final : public FIX::Application {
  KalshiMdClient& c;
  FIX::SessionID id;
  FixEngineParts parts;
  std::unique_ptr<FIX::SocketInitiator> initiator;
  std::vector<Level> levels;  // one W's levels, read whole before any is applied
  bool logged_on = false;

  explicit Impl(KalshiMdClient& client) : c(client) { levels.reserve(4096); }

  FIX::Session* session() const { return FIX::Session::lookupSession(id); }

  int instrument_of(std::string_view symbol) const {
    for (size_t i = 0; i < c.config_.instruments.size(); ++i)
      if (c.config_.instruments[i].symbol == symbol) return (int)i;
    return -1;
  }

  // Size text → book units; false unless a non-negative multiple of the unit within int32.
  bool qty_of(const FIX::FieldMap& m, int32_t& out) const {
    int64_t v = 0;
    if (!parse_e9(text_of(m, 271), v) || v < 0 || v % c.qty_unit_ != 0 || v / c.qty_unit_ > INT32_MAX) return false;
    out = (int32_t)(v / c.qty_unit_);
    return true;
  }
  static bool price_of(const FIX::FieldMap& m, int64_t& out) { return parse_e9(text_of(m, 270), out) && level_price_ok(out); }
  static int8_t side_of(char entry_type) { return entry_type == '0' ? kBid : entry_type == '1' ? kAsk : 0; }

  int64_t time_of(const FIX::Message& m) const {
    int64_t t = 0;
    return parse_utc_ns(text_of(m.getHeader(), 52), t) ? t : c.now_;
  }

  // ---- FIX::Application ---------------------------------------------------------------------------
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override {
    logged_on = true;
    ++c.counters_.logons;
    c.subscribe_due_ = true;  // sent from poll(), after QuickFIX's round
  }
  void onLogout(const FIX::SessionID&) override {
    if (!logged_on) return;
    logged_on = false;
    ++c.counters_.logouts;
    c.subscribe_due_ = false;
    c.distrust_all(MdDistrust::disconnect);
  }
  void toAdmin(FIX::Message& m, const FIX::SessionID&) override {
    const std::string_view type = text_of(m.getHeader(), 35);
    if (type == "2") {  // we ask for a resend: messages are missing, and KalshiMD has none to resend
      int64_t first = 0, last = 0;
      parse_int(text_of(m, 7), first);
      parse_int(text_of(m, 16), last);
      c.distrust_all(MdDistrust::seq_gap, first, last);
    } else if (type == "3") {  // QuickFIX refused a venue message (dictionary, format)
      int64_t reason = kSessionRejectReasons - 1;
      if (!parse_int(text_of(m, 373), reason) || reason >= kSessionRejectReasons - 1) reason = kSessionRejectReasons - 1;
      ++c.counters_.session_rejects[(size_t)reason];
      c.distrust_all(MdDistrust::rejected_message);
    }
  }
  void toApp(FIX::Message&, const FIX::SessionID&) override {}
  void fromAdmin(const FIX::Message& m, const FIX::SessionID&) override {
    if (text_of(m.getHeader(), 35) == "4" && text_of(m, 123) == "Y") ++c.counters_.gap_fills;
  }
  void fromApp(const FIX::Message& m, const FIX::SessionID&) override {
    ++c.counters_.messages;
    const std::string_view type = text_of(m.getHeader(), 35);
    if (type == "W") snapshot(m);
    else if (type == "X") incremental(m);
    else if (type == "Y" || type == "j") c.distrust_all(MdDistrust::request_rejected, 0, 0, false);
    else ++c.counters_.unmapped_messages;
  }

  // ---- inbound ------------------------------------------------------------------------------------
  void snapshot(const FIX::Message& m) {
    const int i = instrument_of(text_of(m, 55));
    if (i < 0) {
      ++c.counters_.unknown_symbols;
      return;
    }
    const KalshiMdInstrument& in = c.config_.instruments[(size_t)i];
    levels.clear();
    const int n = (int)m.groupCount(268);
    for (int k = 1; k <= n; ++k) {
      const FIX::FieldMap& g = m.getGroupRef(k, 268);
      Level l{side_of(char_of(g, 269)), 0, 0};
      if (l.side == 0 || !price_of(g, l.price) || !qty_of(g, l.qty) || l.qty == 0) {
        c.distrust((size_t)i, MdDistrust::bad_entry, 0, 0);
        return;  // a snapshot with a level that cannot be one is no snapshot
      }
      levels.push_back(l);
    }
    const int64_t t = time_of(m);
    MarketEvent e;
    level_snapshot_begin(e, in.id, in.channel, t, in.symbol.c_str(), in.tick, in.contract_size, (int32_t)levels.size());
    c.sink_.on_event(e);
    for (const Level& l : levels) {
      level_snapshot_level(e, in.id, in.channel, t, l.side, l.price, l.qty);
      c.sink_.on_event(e);
    }
    level_snapshot_end(e, in.id, in.channel, t);
    c.sink_.on_event(e);
    ++c.counters_.snapshots;
    c.awaiting_[(size_t)i] = 0;
    c.requested_[(size_t)i] = 0;
  }

  void incremental(const FIX::Message& m) {
    ++c.counters_.incrementals;
    const int64_t t = time_of(m);
    const int n = (int)m.groupCount(268);
    MarketEvent e;
    for (int k = 1; k <= n; ++k) {
      const FIX::FieldMap& g = m.getGroupRef(k, 268);
      const int i = instrument_of(text_of(g, 55));
      if (i < 0) {
        ++c.counters_.unknown_symbols;
        continue;
      }
      const KalshiMdInstrument& in = c.config_.instruments[(size_t)i];
      const char type = char_of(g, 269), action = char_of(g, 279);
      int64_t price = 0;
      int32_t qty = 0;
      const bool values = price_of(g, price) && qty_of(g, qty);
      if (type == '2') {
        const char a = char_of(g, 2446);
        if (!values || qty == 0) {
          c.distrust((size_t)i, MdDistrust::bad_entry, 0, 0);
          continue;
        }
        level_trade(e, in.id, in.channel, t, a == '1' ? 1 : a == '2' ? -1 : 0, price, qty);
        ++c.counters_.trades;
      } else {
        const int8_t side = side_of(type);
        if (side == 0 || !values || (action != '0' && action != '1' && action != '2')) {
          c.distrust((size_t)i, MdDistrust::bad_entry, 0, 0);
          continue;
        }
        level_update(e, in.id, in.channel, t, side, price, action == '2' ? 0 : qty);
        ++c.counters_.level_updates;
      }
      c.sink_.on_event(e);
    }
  }

  // ---- outbound -----------------------------------------------------------------------------------
  // V for the symbols whose flag is set (all when `flags` is null): 263 = `type`.
  void request(char type, const std::vector<uint8_t>* flags) {
    FIX::Message m;
    m.getHeader().setField(35, "V");
    m.setField(263, std::string(1, type));
    int n = 0;
    for (size_t i = 0; i < c.config_.instruments.size(); ++i) {
      if (flags != nullptr && !(*flags)[i]) continue;
      FIX::Group g(146, 55);
      g.setField(55, c.config_.instruments[i].symbol);
      m.addGroup(g);
      ++n;
    }
    if (n == 0) return;
    try {
      if (FIX::Session::sendToTarget(m, id)) ++c.counters_.requests_sent;
    } catch (const std::exception& ex) {
      c.last_error_ = std::string("KalshiMD request: ") + ex.what();
    }
  }
};

KalshiMdClient::KalshiMdClient(KalshiMdConfig config, EventSink& sink)
    : config_(std::move(config)), sink_(sink), impl_(std::make_unique<Impl>(*this)),
      awaiting_(config_.instruments.size(), 1), requested_(config_.instruments.size(), 0),
      requested_at_(config_.instruments.size(), 0) {}

KalshiMdClient::~KalshiMdClient() { stop(); }

bool KalshiMdClient::start(std::string& error) {
  if (impl_->initiator) return true;
  if (config_.instruments.empty()) {
    error = "KalshiMD: no symbols to subscribe to";
    return false;
  }
  if (config_.qty_decimals < 0 || config_.qty_decimals > 6) {
    error = "KalshiMD: qty_decimals must be 0 … 6";
    return false;
  }
  qty_unit_ = 1;
  for (int k = config_.qty_decimals; k < 9; ++k) qty_unit_ *= 10;
  try {
    ::mkdir(config_.store_dir.c_str(), 0755);
    impl_->id = FIX::SessionID(kFixtBeginString, config_.sender_comp_id, config_.target_comp_id);
    if (FIX::Session::doesSessionExist(impl_->id)) {
      error = "KalshiMD: session " + impl_->id.toString() + " already exists in this process";
      return false;
    }
    FIX::Dictionary d = kalshi_md_settings("initiator", config_.transport_dictionary, config_.app_dictionary,
                                           config_.store_dir, config_.heartbeat_seconds, true);
    d.setString("SocketConnectHost", config_.host);
    d.setInt("SocketConnectPort", config_.port);
    d.setInt("ReconnectInterval", config_.reconnect_seconds < 1 ? 1 : config_.reconnect_seconds);
    impl_->initiator = make_fix_engine<FIX::SocketInitiator>(*impl_, impl_->id, d, config_.store_dir, config_.log_dir, impl_->parts);
    impl_->initiator->poll(0.0);
  } catch (const std::exception& e) {
    error = std::string("KalshiMD: ") + e.what();
    impl_->initiator.reset();
    return false;
  }
  return true;
}

void KalshiMdClient::poll(int64_t now_ns) {
  now_ = now_ns;
  if (!impl_->initiator) return;
  try {
    impl_->initiator->poll(0.0);
  } catch (const std::exception& e) {
    last_error_ = std::string("KalshiMD poll: ") + e.what();
  }
  if (!impl_->logged_on) return;
  if (subscribe_due_) {
    subscribe_due_ = false;
    impl_->request('1', nullptr);  // snapshot plus updates: the W of each symbol comes first
    for (size_t i = 0; i < requested_.size(); ++i) {
      requested_[i] = 1;
      requested_at_[i] = now_ns;
    }
  }
  for (size_t i = 0; i < awaiting_.size(); ++i)
    if (awaiting_[i] && requested_[i] && now_ns - requested_at_[i] >= config_.snapshot_retry_ns) requested_[i] = 0;
  bool any = false;
  for (size_t i = 0; i < awaiting_.size(); ++i) any = any || (awaiting_[i] && !requested_[i]);
  if (!any) return;  // the common case: nothing allocated
  std::vector<uint8_t> flags(awaiting_.size(), 0);
  for (size_t i = 0; i < awaiting_.size(); ++i)
    if (awaiting_[i] && !requested_[i]) {
      flags[i] = requested_[i] = 1;
      requested_at_[i] = now_ns;
    }
  impl_->request('0', &flags);  // a fresh snapshot of the distrusted books
}

void KalshiMdClient::stop() {
  if (impl_ && impl_->initiator) {
    stop_fix_engine(impl_->initiator);
    impl_->initiator.reset();
  }
}

bool KalshiMdClient::logged_on() const { return impl_->logged_on; }

uint64_t KalshiMdClient::rejects() const {
  uint64_t n = 0;
  for (uint64_t v : counters_.session_rejects) n += v;
  return n;
}

uint64_t KalshiMdClient::messages_received() const {
  FIX::Session* s = impl_->initiator ? impl_->session() : nullptr;
  return s == nullptr ? 0 : s->getExpectedTargetNum() - 1;
}

void KalshiMdClient::distrust(size_t i, MdDistrust why, int64_t first, int64_t last) {
  ++counters_.distrusted[(size_t)why];
  awaiting_[i] = 1;
  requested_[i] = 0;  // ask again: a snapshot already on its way may predate the fault
  sink_.on_packet_gap(config_.instruments[i].channel, first, last, now_);
}

void KalshiMdClient::distrust_all(MdDistrust why, int64_t first, int64_t last, bool ask_now) {
  ++counters_.distrusted[(size_t)why];
  for (size_t i = 0; i < config_.instruments.size(); ++i) {
    awaiting_[i] = 1;
    requested_[i] = ask_now ? 0 : 1;
    if (!ask_now) requested_at_[i] = now_;
    sink_.on_packet_gap(config_.instruments[i].channel, first, last, now_);
  }
}

}  // namespace pw::fix
