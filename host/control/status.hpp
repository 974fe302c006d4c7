// What GET /status shows, and the glue between the control plane and the rest of the program:
// the pipeline publishes a StatusSnapshot now and then (not per packet), the control thread renders
// the latest one; kill requests are resolved from names to the risk engine's indices; reload goes
// through the ConfigStore and applies only a fully valid config.
#pragma once
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
  bool killed = false;
  int64_t cash = 0;                // ×1e-9
  int64_t equity = INT64_MIN;      // ×1e-9, unknown when INT64_MIN
  int64_t margin_requirement = INT64_MIN;
  std::vector<int64_t> positions;  // contracts per instrument index (the snapshot's instruments)
  uint64_t accepted = 0, rejected = 0;
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

}  // namespace pw
