#include "app/run/kalshi_feed.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <filesystem>

#include "host/fix/kalshi_md_client.hpp"
#include "host/fix/kalshi_md_sim.hpp"
#include "host/fix/kalshi_session_script.hpp"

namespace pw {

namespace {
constexpr size_t kBatch = 64;  // steps published per round: the client reads a batch before the next
}

KalshiFeed::KalshiFeed() = default;

KalshiFeed::~KalshiFeed() {
  client_.reset();
  sim_.reset();
  if (!temp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp_dir_, ec);
  }
}

bool KalshiFeed::start(const Config& c, EventSink& sink, std::string& error) {
  config_ = &c;
  const MarketDataConfig& md = c.market_data;
  std::vector<std::string> symbols = md.symbols;
  if (symbols.empty())
    for (const InstrumentConfig& in : c.instruments) symbols.push_back(in.symbol);
  std::string store = md.store_dir;
  if (store.empty() || md.simulator) {
    char tmpl[] = "/tmp/perpwire_kalshi_md_XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      error = "KalshiMD: cannot create a temporary directory for the stores";
      return false;
    }
    temp_dir_ = tmpl;
    if (store.empty()) store = temp_dir_ + "/client";
  }
  if (md.simulator) {
    script_ = std::make_unique<fix::KalshiScript>();
    if (!fix::kalshi_script_from_capture(md.simulator_capture, fix::KalshiScriptOptions{}, *script_, error)) {
      error = "KalshiMD simulator: " + error;
      return false;
    }
    fix::KalshiMdSimConfig sc;
    sc.port = md.port;
    sc.target_comp_id = md.sender_comp_id;
    sc.sender_comp_id = md.target_comp_id;
    sc.transport_dictionary = md.transport_dictionary;
    sc.app_dictionary = md.app_dictionary;
    sc.store_dir = temp_dir_ + "/publisher";
    sc.heartbeat_seconds = (int32_t)(md.heartbeat_ns / 1000000000);
    sc.symbol = symbols.front();
    sc.qty_decimals = md.qty_decimals;
    sim_ = std::make_unique<fix::KalshiMdSim>(sc, *script_);
    if (!sim_->listen(error)) return false;
  }
  fix::KalshiMdConfig cc;
  cc.host = md.host;
  cc.port = md.port;
  cc.sender_comp_id = md.sender_comp_id;
  cc.target_comp_id = md.target_comp_id;
  cc.transport_dictionary = md.transport_dictionary;
  cc.app_dictionary = md.app_dictionary;
  cc.store_dir = store;
  cc.heartbeat_seconds = (int32_t)(md.heartbeat_ns / 1000000000);
  cc.qty_decimals = md.qty_decimals;
  for (const std::string& sym : symbols) {
    const int i = c.instrument_index(sym);
    if (i < 0) continue;  // the config check refuses it
    const InstrumentConfig& in = c.instruments[(size_t)i];
    cc.instruments.push_back(fix::KalshiMdInstrument{in.symbol, in.id, in.channel, in.tick, in.contract_size});
  }
  client_ = std::make_unique<fix::KalshiMdClient>(cc, sink);
  return client_->start(error);
}

void KalshiFeed::poll(int64_t now_ns) {
  if (sim_) {
    if (client_->logged_on() && sim_->subscribed() && client_->messages_received() == sim_->messages_sent()) sim_->publish(kBatch);
    sim_->poll_once(0);
  }
  client_->poll(now_ns);
}

bool KalshiFeed::finished() const {
  return sim_ && sim_->done() && client_->messages_received() == sim_->messages_sent() && sim_->messages_sent() > 0;
}

std::string KalshiFeed::describe() const {
  const MarketDataConfig& md = config_->market_data;
  std::string s = fmt::format("Kalshi FIX {}:{} ({} → {})", md.host, md.port, md.sender_comp_id, md.target_comp_id);
  if (sim_) s += fmt::format(", simulated publisher replaying {} ({} steps)", md.simulator_capture, script_->steps.size());
  return s;
}

std::string KalshiFeed::summary() const {
  const fix::KalshiMdCounters& k = client_->counters();
  std::string distrust;
  for (size_t i = 0; i < k.distrusted.size(); ++i)
    if (k.distrusted[i] != 0) distrust += fmt::format(" {}={}", fix::md_distrust_name((fix::MdDistrust)i), k.distrusted[i]);
  return fmt::format("KalshiMD: {} logon(s), {} messages, {} snapshots, {} incrementals ({} level updates, {} trades), {} requests, "
                     "{} session rejects, books distrusted:{}",
                     k.logons, k.messages, k.snapshots, k.incrementals, k.level_updates, k.trades, k.requests_sent, client_->rejects(),
                     distrust.empty() ? " never" : distrust);
}

}  // namespace pw
