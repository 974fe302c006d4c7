// The firm agent: this host's side of the firm-wide limits (docs/firm.md), on its own thread so the
// trading thread never waits for the network. It
// - holds slices of each firm limit (the day's gross notional per account, a group's position per
//   account × instrument), asks for another slice when the headroom falls below the low-water mark,
//   and gives the unused part back on a clean stop (a crash leaves the lease counted as used);
// - turns the slices into caps for the risk engine (fail closed: no slice, no cap above zero);
// - publishes every fill to the firm's stream (message id venue.exec_id: never counted twice),
//   queueing them while NATS is away;
// - on start, counts what this host's earlier runs already used from the fills the stream holds;
// - watches the firm kill flag in the bucket (and reads it before the first order).
// The trading thread talks to it through lock-free hand-offs only: usage() and fills() in,
// take_caps() and kill() out.
#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "host/config/config.hpp"
#include "host/firm/fill_record.hpp"
#include "host/firm/firm_bucket.hpp"
#include "host/firm/fill_ring.hpp"
#include "host/firm/latest_value.hpp"
#include "host/firm/nats_link.hpp"
#include "host/firm/slice_client.hpp"

namespace pw {
class MetricsRegistry;
class Gauge;
class Counter;
}  // namespace pw

namespace pw::firm {

constexpr int kAccounts = kConfigMaxAccounts;
constexpr int kInstruments = kConfigMaxInstruments;
constexpr int64_t kNoCap = INT64_MAX;

// What this host uses of the firm limits right now, from the risk engine (trading thread).
struct FirmUsage {
  int64_t notional[kAccounts];                 // filled + reserved today, money ×1e-9
  int64_t contracts[kAccounts][kInstruments];  // worst-case side (position and open orders), contracts
};

// What the risk engine may use: kNoCap where no firm limit applies.
struct FirmCaps {
  int64_t notional[kAccounts];
  int64_t contracts[kAccounts][kInstruments];
};

// One slice this host holds.
struct FirmHolding {
  std::string key;     // "notional.20261203", "position.BTC"
  std::string holder;  // "host-a/desk-a", "host-a/desk-a/BIP-20DEC30-CDE"
  int account = -1;
  int instrument = -1;         // -1: the account's notional
  int64_t contract_size = 0;   // position holdings: underlying units per contract ×1e-9
  int64_t slice = 0;           // asked per grant
  int64_t held = 0;            // granted to this holder in the bucket
  int64_t base = 0;            // used by this host's earlier runs (notional today; |net position| units)
  int64_t used = 0;            // used by this run (notional; worst-case units), last seen
  int64_t asked_at_ns = 0;     // last grant attempt (failures back off)

  // What `u` says the host uses of this slice: notional, or worst-case contracts as units.
  int64_t used_in(const FirmUsage& u) const;
};

struct FirmStatus {
  bool connected = false;
  bool kill = false;
  bool kill_known = false;  // the flag was read from the bucket (false while NATS was never reached)
  uint64_t grants = 0, grant_failures = 0, fills_published = 0, fills_duplicate = 0, fills_pending = 0,
           fills_overflowed = 0, fills_recovered = 0;
  std::map<std::string, int64_t> released;  // limit key → given back at the clean stop
  std::string last_error;
  std::vector<FirmHolding> holdings;
};

class FirmAgent {
 public:
  // `fill_venue` names this host's fills in message ids (the config's venue; with the in-process
  // simulated exchange, whose execution ids start over every run, the caller makes it unique).
  FirmAgent(const Config& config, std::string fill_venue, MetricsRegistry* metrics = nullptr);
  // Stops without giving anything back, as a crash would: the lease stays counted as used.
  ~FirmAgent();
  FirmAgent(const FirmAgent&) = delete;
  FirmAgent& operator=(const FirmAgent&) = delete;

  // Connects, reads the kill flag, creates or binds the limits, takes over this host's slices from
  // earlier runs, counts the fills they recorded and asks for the first slices; then starts the
  // thread. NATS unreachable is not an error: the caps stay at what is held (nothing) and the
  // thread keeps trying; `status().last_error` says why.
  void start();
  // Where fills that could not be stored by the stop are kept (one file per host, beside its
  // decision log); start() queues the ones it finds there again. Empty: none kept.
  void set_spool(std::string path) { spool_path_ = std::move(path); }
  // Publishes what is queued, gives back the unused part of every slice (`give_back`), stops.
  void stop(bool give_back);

  // Trading thread.
  LatestValue<FirmUsage>& usage() { return usage_; }
  FillRing& fills() { return fills_; }
  bool take_caps(FirmCaps& out) { return caps_.take(out); }
  bool kill() const { return kill_.load(std::memory_order_acquire); }

  FirmStatus status() const;
  // The agent's work of one round (tests drive it without the thread).
  void run_once(int64_t now_ns);

 private:
  void connect(int64_t now_ns);
  bool adopt_and_recover();
  void drain_fills();
  void publish_pending();
  void grant_where_low(int64_t now_ns);
  void publish_caps();
  void set_error(std::string e);
  void watch_kill(int64_t now_ns);
  void heartbeat(int64_t now_ns);
  void load_spool();
  void write_spool();
  int64_t headroom(const FirmHolding& h) const;

  const Config& config_;
  std::string venue_;
  std::string day_;  // YYYYMMDD, UTC, when the agent started
  std::vector<std::string> group_of_;  // by instrument: its firm group, or empty
  NatsLinkOptions link_options_;
  NatsLink link_;
  SliceClient slices_{link_};
  std::atomic<bool> opened_{false};
  int64_t next_connect_ns_ = 0, next_publish_ns_ = 0, next_watch_ns_ = 0, next_kill_poll_ns_ = 0;
  bool watching_ = false;
  int64_t next_heartbeat_ns_ = 0;

  LatestValue<FirmUsage> usage_;
  LatestValue<FirmCaps> caps_;
  FillRing fills_;
  std::atomic<bool> kill_{false};
  std::deque<FillRecord> pending_;  // fills not yet acknowledged by the stream
  std::string spool_path_;
  bool spool_loaded_ = false;

  mutable std::mutex status_mutex_;  // status_ is read by the control plane and the report
  FirmStatus status_;

  std::atomic<bool> stop_{false};
  std::thread thread_;

  Gauge* connected_gauge_ = nullptr;
  Gauge* kill_gauge_ = nullptr;
  Gauge* pending_gauge_ = nullptr;
  Counter* published_counter_ = nullptr;
  Counter* grant_failure_counter_ = nullptr;
  std::vector<Gauge*> held_gauges_, used_gauges_;
};

// Worst-case contracts of a position with its open orders: max(|pos + open buys|, |pos − open sells|).
inline int64_t worst_case_contracts(int64_t position, int64_t open_buy, int64_t open_sell) {
  const int64_t up = position + open_buy, down = position - open_sell;
  const int64_t a = up < 0 ? -up : up, b = down < 0 ? -down : down;
  return a > b ? a : b;
}

}  // namespace pw::firm
