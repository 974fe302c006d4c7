#include "host/fix/fix_engine.hpp"
#include "host/fix/kalshi_md_sim.hpp"

#include <sys/stat.h>

#include "host/fix/fix_decimal.hpp"
#include "host/fix/kalshi_md_settings.hpp"
#include "host/fix/loopback_port.hpp"

namespace pw::fix {

namespace {

std::string_view text_of(const FIX::FieldMap& m, int tag) {
  if (!m.isSetField(tag)) return std::string_view();
  return std::string_view(m.getFieldRef(tag).getString());
}

// v ×1e-9 with exactly `decimals` decimals, as Kalshi writes them ("19.5000", "10.00").
std::string fixed(int64_t v, int decimals) {
  char buf[32];
  format_e9(v, buf);
  std::string s(buf);
  size_t dot = s.find('.');
  if (dot == std::string::npos) {
    s += '.';
    dot = s.size() - 1;
  }
  while ((int)(s.size() - dot - 1) < decimals) s += '0';
  return s;
}

}  // namespace

struct KalshiMdSim::Impl final : public FIX::Application {
  KalshiMdSim& v;
  FIX::SessionID id;
  FixEngineParts parts;
  std::unique_ptr<FIX::SocketAcceptor> acceptor;
  bool logged_on = false;
  int64_t unit = 1;  // ×1e-9 per size unit

  explicit Impl(KalshiMdSim& sim) : v(sim) {
    for (int k = sim.config_.qty_decimals; k < 9; ++k) unit *= 10;
  }

  FIX::Session* session() const { return FIX::Session::lookupSession(id); }

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override {
    logged_on = true;
    ++v.counters_.logons;
  }
  void onLogout(const FIX::SessionID&) override {
    if (logged_on) ++v.counters_.logouts;
    logged_on = false;
    v.subscribed_ = false;  // a new session subscribes again
  }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) override {}
  void fromApp(const FIX::Message& m, const FIX::SessionID&) override {
    if (text_of(m.getHeader(), 35) != "V") throw FIX::UnsupportedMessageType();
    ++v.counters_.requests;
    if (v.ignore_ > 0) {
      --v.ignore_;
      return;
    }
    if (v.reject_ > 0) {
      --v.reject_;
      FIX::Message y;
      y.getHeader().setField(35, "Y");
      y.setField(281, "2");
      y.setField(58, "request or session symbol limit");
      ++v.counters_.request_rejects;
      send(y);
      return;
    }
    const std::string_view type = text_of(m, 263);
    const int n = (int)m.groupCount(146);
    if (type == "2") {
      for (int k = 1; k <= n; ++k)
        if (text_of(m.getGroupRef(k, 146), 55) == v.config_.symbol) v.subscribed_ = false;
      if (n == 0) v.subscribed_ = false;
      return;
    }
    for (int k = 1; k <= n; ++k) {
      const std::string symbol(text_of(m.getGroupRef(k, 146), 55));
      const bool ours = symbol == v.config_.symbol;
      snapshot(symbol, ours);
      if (ours && type == "1") v.subscribed_ = true;
    }
  }

  void send(FIX::Message& m) {
    try {
      FIX::Session::sendToTarget(m, id);
    } catch (const std::exception&) {
    }
  }

  void snapshot(const std::string& symbol, bool ours) {
    FIX::Message m;
    m.getHeader().setField(35, "W");
    m.setField(55, symbol);
    int n = 0;
    if (ours) {
      // Bids best (highest) first, then offers best (lowest) first.
      for (auto it = v.levels_.rbegin(); it != v.levels_.rend(); ++it)
        if (it->first.first > 0) add_level(m, it->first.first, it->first.second, it->second, n);
      for (auto it = v.levels_.begin(); it != v.levels_.end(); ++it)
        if (it->first.first < 0) add_level(m, it->first.first, it->first.second, it->second, n);
    }
    if (n == 0) m.setField(268, "0");
    ++v.counters_.snapshots;
    send(m);
  }
  void add_level(FIX::Message& m, int8_t side, int64_t price, int32_t qty, int& n) {
    FIX::Group g(268, 269);
    g.setField(269, side > 0 ? "0" : "1");
    g.setField(270, fixed(price, 4));
    g.setField(271, fixed(qty * unit, v.config_.qty_decimals));
    m.addGroup(g);
    ++n;
  }

  FIX::Message incremental(const KalshiStep& s, const std::vector<char>& actions) const {
    FIX::Message m;
    m.getHeader().setField(35, "X");
    for (size_t k = 0; k < s.entries.size(); ++k) {
      const KalshiEntry& e = s.entries[k];
      FIX::Group g(268, 279);
      g.setField(279, std::string(1, actions[k]));
      g.setField(55, v.config_.symbol);
      g.setField(269, e.trade ? "2" : e.side > 0 ? "0" : "1");
      g.setField(270, fixed(e.price, 4));
      g.setField(271, fixed((int64_t)e.qty * unit, v.config_.qty_decimals));
      if (e.trade && e.side != 0) g.setField(2446, e.side > 0 ? "1" : "2");
      m.addGroup(g);
    }
    return m;
  }
};

KalshiMdSim::KalshiMdSim(KalshiMdSimConfig config, const KalshiScript& script)
    : config_(std::move(config)), script_(script), impl_(std::make_unique<Impl>(*this)) {}

KalshiMdSim::~KalshiMdSim() {
  stop_fix_engine(impl_->acceptor);
}

bool KalshiMdSim::listen(std::string& error) {
  if (impl_->acceptor) return true;
  try {
    ::mkdir(config_.store_dir.c_str(), 0755);
    port_ = config_.port != 0 ? config_.port : free_loopback_port();
    impl_->id = FIX::SessionID(kFixtBeginString, config_.sender_comp_id, config_.target_comp_id);
    if (FIX::Session::doesSessionExist(impl_->id)) {
      error = "simulated KalshiMD: session " + impl_->id.toString() + " already exists in this process";
      return false;
    }
    FIX::Dictionary d = kalshi_md_settings("acceptor", config_.transport_dictionary, config_.app_dictionary, config_.store_dir,
                                           config_.heartbeat_seconds, false);
    d.setInt("SocketAcceptPort", port_);
    impl_->acceptor = make_fix_engine<FIX::SocketAcceptor>(*impl_, impl_->id, d, config_.store_dir, config_.log_dir, impl_->parts);
    impl_->acceptor->poll(0.0);  // binds
  } catch (const std::exception& e) {
    error = std::string("simulated KalshiMD: ") + e.what();
    impl_->acceptor.reset();
    return false;
  }
  return true;
}

void KalshiMdSim::poll_once(int timeout_ms) {
  if (!impl_->acceptor) return;
  try {
    impl_->acceptor->poll(timeout_ms / 1000.0);
  } catch (const std::exception&) {
  }
}

size_t KalshiMdSim::publish(size_t steps) {
  size_t n = 0;
  std::vector<char> actions;
  for (; n < steps && next_ < script_.steps.size(); ++n) {
    const KalshiStep& s = script_.steps[next_++];
    actions.assign(s.entries.size(), '0');
    for (size_t k = 0; k < s.entries.size(); ++k) {
      const KalshiEntry& e = s.entries[k];
      if (e.trade) continue;
      const auto key = std::make_pair(e.side, e.price);
      auto it = levels_.find(key);
      if (e.qty == 0) {
        actions[k] = '2';
        if (it != levels_.end()) levels_.erase(it);
      } else {
        actions[k] = it == levels_.end() ? '0' : '1';
        levels_[key] = e.qty;
      }
    }
    if (!subscribed_ || !impl_->logged_on) continue;
    FIX::Session* fs = impl_->session();
    if (skip_ > 0 && fs != nullptr) {
      --skip_;
      ++counters_.skipped;
      fs->setNextSenderMsgSeqNum(fs->getExpectedSenderNum() + 1);  // used, never sent: a hole
      continue;
    }
    FIX::Message m = impl_->incremental(s, actions);
    ++counters_.incrementals;
    impl_->send(m);
  }
  return n;
}

void KalshiMdSim::drop_connection() {
  if (FIX::Session* s = impl_->session()) s->disconnect();
  ++counters_.faults_injected;
}

bool KalshiMdSim::send_malformed(Malformed kind) {
  FIX::Message m;
  if (kind == Malformed::unknown_msg_type) {
    m.getHeader().setField(35, "ZZ");
    m.setField(58, "not in the dictionary");
  } else {
    m.getHeader().setField(35, "X");
    FIX::Group g(268, 279);
    g.setField(279, "1");
    g.setField(55, config_.symbol);
    g.setField(269, "0");
    g.setField(270, kind == Malformed::bad_value ? "nine" : "1.0000");
    g.setField(271, "1.00");
    if (kind == Malformed::unknown_tag) g.setField(4999, "outside the dictionary");
    m.addGroup(g);
  }
  ++counters_.faults_injected;
  try {
    return FIX::Session::sendToTarget(m, impl_->id);
  } catch (const std::exception&) {
    return false;
  }
}

bool KalshiMdSim::logged_on() const { return impl_->logged_on; }

uint64_t KalshiMdSim::messages_sent() const {
  FIX::Session* s = impl_->acceptor ? impl_->session() : nullptr;
  return s == nullptr ? 0 : s->getExpectedSenderNum() - 1;
}

}  // namespace pw::fix
