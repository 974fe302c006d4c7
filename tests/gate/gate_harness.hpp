// What the gate tests share: the shipped config with the simulated exchange on a free port (and the
// test's own edits), a market for each of its two instruments, and a gate stepped in feed time.
#pragma once
#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "host/config/config.hpp"
#include "host/gate/order_gate.hpp"
#include "host/metrics/app_metrics.hpp"
#include "tests/support/slurp.hpp"

namespace pw::test {

constexpr int64_t kT0 = 1750000000000000000LL;
constexpr int64_t kE9 = 1000000000LL;
constexpr int64_t kTick = 5 * kE9;  // BIP-20DEC30-CDE
constexpr int64_t kMark = 60000 * kE9;

// config/perpwire.toml with the simulated exchange on port 0 and each edit applied (the first
// occurrence of `first` replaced by `second`).
inline std::shared_ptr<const Config> gate_config(const std::vector<std::pair<std::string, std::string>>& edits = {}) {
  std::string text = slurp(std::string(PERPWIRE_SOURCE_DIR) + "/config/perpwire.toml");
  auto set = [&](const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, from);
    text.replace(at, from.size(), to);
  };
  set("port = 9100", "port = 0");
  for (const auto& [from, to] : edits) set(from, to);
  ConfigResult r = parse_config(text, std::string(PERPWIRE_SOURCE_DIR) + "/config/perpwire.toml");
  REQUIRE_MESSAGE(r.ok(), r.error_text());
  return r.config;
}

// A synced, open market of instrument i (0: BTC, 1: ETH of the shipped config) at `mark`, one
// tick each side.
inline InstrumentMarket gate_market(int i, int64_t mark) {
  InstrumentMarket m{};
  const int64_t tick = i == 0 ? kTick : kE9 / 2;
  m.mark = mark;
  m.best_bid = m.mark - tick;
  m.best_ask = m.mark + tick;
  m.limit_down = m.limit_up = kNullI64;
  m.contract_size = i == 0 ? kE9 / 100 : kE9 / 10;
  m.last_update = kT0;
  m.tradable = 1;
  m.trading_status = kTradingStatusOpen;
  m.synced = 1;
  return m;
}

inline std::vector<std::string> instrument_names(const Config& c) {
  std::vector<std::string> v;
  for (const InstrumentConfig& i : c.instruments) v.push_back(i.symbol);
  return v;
}
inline std::vector<std::string> account_names(const Config& c) {
  std::vector<std::string> v;
  for (const AccountConfig& a : c.accounts) v.push_back(a.name);
  return v;
}

// A gate on `cfg` (not yet connected), stepped in feed time.
struct GateHarness {
  std::shared_ptr<const Config> cfg;
  MetricsRegistry registry;
  AppMetrics metrics;
  StateLogWriter log;
  std::unique_ptr<OrderGate> gate;
  int64_t feed = kT0;

  explicit GateHarness(std::shared_ptr<const Config> c)
      : cfg(std::move(c)), metrics(registry, instrument_names(*cfg), account_names(*cfg)) {
    gate = std::make_unique<OrderGate>(*cfg, metrics, log);
  }
  // Steps the gate (and the venue) in feed time until `done`, for at most 5 s of wall time.
  bool step_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      feed += 100000;
      gate->step(feed, nullptr);
    }
    return true;
  }
  RiskDecision submit(const OrderRequest& r) {
    feed = std::max(feed, r.time);
    return gate->submit(r, 0);
  }
};

}  // namespace pw::test
