// What GET /status shows, and the glue between the control plane and the rest of the program:
// the pipeline publishes a StatusSnapshot now and then (not per packet), the control thread renders
// the latest one; kill requests are resolved from names to the risk engine's indices; reload goes
// through the ConfigStore and applies only a fully valid config.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "host/config/config.hpp"
#include "host/control/control_server.hpp"

namespace pw {

struct InstrumentStatus {
  std::string symbol;
  bool book_synced = false;
  bool killed = false;
  // ×1e-9, INT64_MIN (kNullI64) when unknown; shown as exact decimals, null when unknown.
  int64_t best_bid = INT64_MIN, best_ask = INT64_MIN;
  int64_t mark = INT64_MIN, exchange_mark = INT64_MIN;
  int64_t funding_rate = INT64_MIN, exchange_funding_rate = INT64_MIN;
  int64_t next_funding_ns = 0;  // ns since the epoch, 0 when unknown
  uint64_t events = 0;
};

struct AccountStatus {
  std::string name;
  bool killed = false;             // its own switch or its loss-limit stop
  bool loss_limit_stop = false;    // the loss-limit stop (released by /unkill?account= too)
  int64_t cash = 0;                // ×1e-9
  int64_t equity = INT64_MIN;      // ×1e-9, unknown when INT64_MIN
  int64_t margin_requirement = INT64_MIN;
  std::vector<int64_t> positions;  // contracts per instrument index (the snapshot's instruments)
  uint64_t accepted = 0, rejected = 0;
  int64_t daily_notional_used = 0;  // ×1e-9: filled since the day began (what a restart must keep)
  int64_t reserved_notional = 0;    // ×1e-9: reserved by the open orders
  int64_t open_orders = 0;
};

struct StatusSnapshot {
  int64_t time_ns = 0;  // event time of the last data applied
  std::string backend;  // "software", …
  std::string state;    // "starting", "running", "replay finished", …
  bool kill_global = false;
  uint64_t frames[2] = {0, 0};
  uint64_t gaps = 0;
  std::vector<InstrumentStatus> instruments;
  std::vector<AccountStatus> accounts;
};

// The JSON document of GET /status.
std::string status_json(const StatusSnapshot& s);

// The latest snapshot, handed from the pipeline thread to the control thread.
class StatusBoard {
 public:
  void publish(StatusSnapshot s);
  StatusSnapshot latest() const;
  std::string json() const { return status_json(latest()); }

 private:
  mutable std::mutex mutex_;
  StatusSnapshot latest_;
};

// A kill request resolved against the config.
struct KillTarget {
  enum class Scope : uint8_t { global, account, instrument } scope = Scope::global;
  int index = -1;  // account or instrument index
  bool engage = true;
};

// Names → indices; nullopt with a 404 reply naming what exists when the name is unknown.
std::optional<KillTarget> resolve_kill(const Config& config, const KillRequest& request, ControlReply& error);

// POST /reload: reload `store` from its file; when valid, `apply` gets the new config (set the risk
// engine's limits, the funding source…) and the reply is ok; otherwise the reply carries every error
// and nothing changes.
ControlReply reload_and_apply(ConfigStore& store, const std::function<void(const Config&)>& apply);

// Kill switches set from the control thread and applied by the hot thread, which owns the risk
// engine: the control thread stores flags and bumps a generation; the hot thread compares the
// generation (one relaxed load per loop) and, when it moved, copies the flags into the engine.
// Releasing an account's switch also releases its loss-limit stop: that stop is the engine's, not
// a flag here, so the board counts the releases and the hot thread clears the stop once per
// release it has not seen (take_loss_releases).
class KillSwitchBoard {
 public:
  static constexpr int kMax = 64;  // accounts and instruments each
  void set(const KillTarget& t);
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  bool global() const { return global_.load(std::memory_order_relaxed); }
  bool account(int a) const { return a >= 0 && a < kMax && account_[a].load(std::memory_order_relaxed); }
  bool instrument(int i) const { return i >= 0 && i < kMax && instrument_[i].load(std::memory_order_relaxed); }
  // Copies every switch into anything with the risk engine's set_kill_global/account/instrument.
  template <class Engine>
  void apply_to(Engine& engine, int accounts, int instruments) const {
    engine.set_kill_global(global());
    for (int a = 0; a < accounts && a < kMax; ++a) engine.set_kill_account(a, account(a));
    for (int i = 0; i < instruments && i < kMax; ++i) engine.set_kill_instrument(i, instrument(i));
  }
  // Releases of account a's switch so far.
  uint32_t loss_releases(int a) const { return a >= 0 && a < kMax ? loss_release_[a].load(std::memory_order_relaxed) : 0; }
  // f(a) for each account released since `seen` (one count per account, sized here) was updated.
  template <class F>
  void take_loss_releases(std::vector<uint32_t>& seen, int accounts, F&& f) const {
    if (seen.size() < (size_t)accounts) seen.resize((size_t)accounts, 0);
    for (int a = 0; a < accounts && a < kMax; ++a) {
      const uint32_t n = loss_releases(a);
      if (n == seen[(size_t)a]) continue;
      seen[(size_t)a] = n;
      f(a);
    }
  }

 private:
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> global_{false};
  std::atomic<bool> account_[kMax] = {};
  std::atomic<bool> instrument_[kMax] = {};
  std::atomic<uint32_t> loss_release_[kMax] = {};
};

class AppMetrics;

// Ready-made handlers for ControlHandlers::kill and ::reload: names resolved against the config in
// force, switches set on `board`, the kill-switch and reload metrics kept (when `metrics` is given).
// `apply` (may be empty) runs on the control thread after a successful reload; the hot thread can
// equally watch store.generation().
std::function<ControlReply(const KillRequest&)> make_kill_handler(ConfigStore& store, KillSwitchBoard& board, AppMetrics* metrics);
std::function<ControlReply()> make_reload_handler(ConfigStore& store, AppMetrics* metrics, std::function<void(const Config&)> apply = {});

}  // namespace pw
