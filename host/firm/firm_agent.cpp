#include "host/firm/firm_agent.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/margin.hpp"
#include "host/metrics/metrics.hpp"

namespace pw::firm {

namespace {

constexpr int64_t kMs = 1000000;
constexpr int64_t kRetryConnectNs = 1000 * kMs;  // NATS never reached: try again every second
constexpr int64_t kRetryGrantNs = 200 * kMs;     // after a failed or empty grant
constexpr int64_t kRetryPublishNs = 100 * kMs;   // after a failed publish
constexpr int64_t kKillPollNs = 50 * kMs;        // the kill flag, while its watch cannot be set up
constexpr int64_t kStopPublishNs = 15000 * kMs;  // a stop waits this long for the stream (a leader election)
constexpr const char* kSpoolSeparator = "--\n";

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int64_t FirmHolding::used_in(const FirmUsage& u) const {
  return instrument < 0 ? u.notional[account] : u.contracts[account][instrument] * contract_size;
}

FirmAgent::FirmAgent(const Config& config, std::string fill_venue, MetricsRegistry* metrics)
    : config_(config), venue_(std::move(fill_venue)), day_(utc_day()),
      link_options_(link_options(config.firm, "perpwire " + config.firm.host_id)) {
  const FirmConfig& f = config.firm;

  std::vector<FirmHolding>& hs = status_.holdings;
  if (f.daily_notional_limit > 0)
    for (size_t a = 0; a < config.accounts.size() && a < (size_t)kAccounts; ++a) {
      FirmHolding h;
      h.key = notional_key(day_);
      h.holder = notional_holder(f.host_id, config.accounts[a].name);
      h.account = (int)a;
      h.slice = f.notional_slice;
      hs.push_back(h);
    }
  group_of_.assign(config.instruments.size(), "");
  for (const FirmGroupConfig& g : f.groups)
    for (const std::string& sym : g.instruments)
      for (size_t i = 0; i < config.instruments.size() && i < (size_t)kInstruments; ++i) {
        if (config.instruments[i].symbol != sym) continue;
        group_of_[i] = g.name;
        for (size_t a = 0; a < config.accounts.size() && a < (size_t)kAccounts; ++a) {
          FirmHolding h;
          h.key = position_key(g.name);
          h.holder = position_holder(f.host_id, config.accounts[a].name, sym);
          h.account = (int)a;
          h.instrument = (int)i;
          h.contract_size = config.instruments[i].contract_size;
          h.slice = g.slice;
          hs.push_back(h);
        }
      }
  if (metrics) {
    connected_gauge_ = &metrics->gauge("perpwire_firm_connected", "1 while the firm's NATS cluster is reachable");
    kill_gauge_ = &metrics->gauge("perpwire_firm_kill", "1 while the firm kill switch is engaged");
    pending_gauge_ = &metrics->gauge("perpwire_firm_fills_pending", "fills not yet stored in the firm's stream");
    published_counter_ = &metrics->counter("perpwire_firm_fills_published_total", "fills stored in the firm's stream");
    grant_failure_counter_ =
        &metrics->counter("perpwire_firm_grant_failures_total", "slice requests the bucket did not answer");
    for (const FirmHolding& h : hs) {
      const MetricLabels labels = {{"limit", h.key}, {"holder", h.holder}};
      held_gauges_.push_back(&metrics->gauge("perpwire_firm_slice_held", "slice of a firm limit this host holds", labels, 9));
      used_gauges_.push_back(&metrics->gauge("perpwire_firm_slice_used", "what this host used of its slice", labels, 9));
    }
  }
  publish_caps();  // nothing held yet: every firm-limited cap is zero until a slice is granted
}

FirmAgent::~FirmAgent() { stop(false); }

void FirmAgent::set_error(std::string e) {
  std::lock_guard<std::mutex> lock(status_mutex_);
  status_.last_error = std::move(e);
}

FirmStatus FirmAgent::status() const {
  std::lock_guard<std::mutex> lock(status_mutex_);
  FirmStatus s = status_;
  s.connected = opened_ && link_.connected();
  s.kill = kill();
  s.fills_overflowed = fills_.overflowed();
  return s;
}

void FirmAgent::load_spool() {
  if (spool_path_.empty()) return;
  std::ifstream in(spool_path_);
  if (!in) return;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  size_t at = 0, bad = 0;
  while (at < text.size()) {
    size_t end = text.find(kSpoolSeparator, at);
    if (end == std::string::npos) end = text.size();
    std::string e;
    if (auto f = FillRecord::decode(std::string_view(text).substr(at, end - at), e)) pending_.push_back(std::move(*f));
    else ++bad;
    at = end + std::strlen(kSpoolSeparator);
  }
  spool_loaded_ = true;
  if (bad) set_error(fmt::format("{}: {} unreadable fill record(s) skipped", spool_path_, bad));
}

void FirmAgent::write_spool() {
  if (spool_path_.empty() || pending_.empty()) return;
  std::string text;
  for (const FillRecord& r : pending_) text += r.encode() + kSpoolSeparator;
  const std::string tmp = spool_path_ + ".tmp";
  std::ofstream out(tmp, std::ios::trunc);
  out << text;
  out.close();
  if (!out || std::rename(tmp.c_str(), spool_path_.c_str()) != 0)
    set_error(fmt::format("{}: cannot keep {} fill(s) not stored in the stream", spool_path_, pending_.size()));
}

void FirmAgent::start() {
  load_spool();
  connect(steady_ns());
  thread_ = std::thread([this] {
    while (!stop_.load(std::memory_order_acquire)) {
      run_once(steady_ns());
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
}

void FirmAgent::stop(bool give_back) {
  stop_.store(true, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
  drain_fills();
  // The stream may be electing a leader (a node just lost): wait for it a while before keeping
  // the fills in the spool for the next start.
  for (const int64_t until = steady_ns() + kStopPublishNs; opened_ && !pending_.empty() && steady_ns() < until;) {
    if (link_.connected()) publish_pending();
    if (!pending_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  write_spool();
  {
    std::lock_guard<std::mutex> lock(status_mutex_);
    status_.fills_pending = pending_.size();
  }
  if (!opened_) return;
  if (!give_back || !link_.connected()) {
    link_.close();
    opened_ = false;
    return;
  }
  FirmUsage u;
  const bool fresh = usage_.take(u);
  std::lock_guard<std::mutex> lock(status_mutex_);
  for (FirmHolding& h : status_.holdings) {
    if (fresh) h.used = h.used_in(u);
    // What this host still needs stays held: today's notional, the position it still has.
    const int64_t unused = h.held - h.base - h.used;
    if (unused <= 0) continue;
    GrantResult g = slices_.release(h.key, h.holder, unused);
    if (g.ok) {
      h.held = g.held;
      status_.released[h.key] += g.added;
    } else {
      status_.last_error = g.error;
    }
  }
  std::string error;
  link_.put(alive_key(config_.firm.host_id), kStopped, error);  // a clean stop: nothing of it is running
  link_.close();
  opened_ = false;
}

void FirmAgent::connect(int64_t now_ns) {
  if (opened_ || now_ns < next_connect_ns_) return;
  next_connect_ns_ = now_ns + kRetryConnectNs;
  std::string error;
  if (!link_.open(link_options_, error)) {
    set_error(error);
    return;
  }
  opened_ = true;
  watching_ = false;
  if (!adopt_and_recover()) {  // the record could not be read: nothing is trusted, start over later
    link_.close();
    opened_ = false;
    return;
  }
  publish_caps();
  grant_where_low(now_ns);  // the first slices before the first order
}

// The firm's record comes first: the kill flag, the limits as the bucket has them, the slices this
// host already holds (a lease from an earlier run), and what its recorded fills already used.
bool FirmAgent::adopt_and_recover() {
  std::string error;
  bool engaged = false;
  if (!read_kill(link_, engaged, error)) {
    set_error(error);
    return false;
  }
  kill_.store(engaged, std::memory_order_release);
  watch_kill(steady_ns());

  std::map<std::string, Allocation> allocations;
  for (const FirmLimit& l : firm_limits(config_.firm, day_)) {
    int64_t in_bucket = 0;
    Allocation a;
    if (!slices_.ensure(l.key, l.limit, in_bucket, error) || !slices_.read(l.key, a, error)) {
      set_error(error);
      return false;
    }
    allocations[l.key] = std::move(a);
  }

  // Fills of this host's earlier runs; those kept in the spool by an earlier stop and not yet in
  // the stream count the same way.
  RecordedUse use;
  use.host = config_.firm.host_id;
  use.day = day_;
  if (!read_recorded_use(link_, use, error)) {
    set_error(error);
    return false;
  }
  for (const FillRecord& f : pending_)
    if (f.host == use.host && !use.ids.count(f.message_id())) use.add(f);
  std::lock_guard<std::mutex> lock(status_mutex_);
  status_.fills_recovered = use.fills;
  status_.kill_known = true;
  for (FirmHolding& h : status_.holdings) {
    h.held = allocations[h.key].held_by(h.holder);
    h.base = use.used(h.holder);
  }
  return true;
}

// The kill flag is pushed by a watch (about a millisecond to every host). Setting one up needs a
// consumer on the bucket, which a cluster that just lost a node may not place at once: until it
// is there, the flag is read every 50 ms instead.
void FirmAgent::watch_kill(int64_t now_ns) {
  if (watching_) return;
  std::string error;
  if (now_ns >= next_watch_ns_) {
    next_watch_ns_ = now_ns + kRetryConnectNs;
    watching_ = link_.watch(
        kKillKey, [this](std::string_view v) { kill_.store(kill_engaged(v), std::memory_order_release); }, error);
    if (watching_) return;
    set_error(error);
  }
  if (now_ns < next_kill_poll_ns_) return;
  next_kill_poll_ns_ = now_ns + kKillPollNs;
  bool engaged = false;
  if (read_kill(link_, engaged, error)) kill_.store(engaged, std::memory_order_release);
}

void FirmAgent::heartbeat(int64_t now_ns) {
  if (now_ns < next_heartbeat_ns_) return;
  next_heartbeat_ns_ = now_ns + kRetryConnectNs;
  std::string error;
  if (link_.put(alive_key(config_.firm.host_id), std::to_string(wall_ms()), error) != KvResult::ok) set_error(error);
}

int64_t FirmAgent::headroom(const FirmHolding& h) const { return h.held - h.base - h.used; }

void FirmAgent::drain_fills() {
  FirmFill f;
  while (fills_.pop(f)) {
    if (f.account < 0 || f.account >= (int)config_.accounts.size() || f.instrument < 0 ||
        f.instrument >= (int)config_.instruments.size())
      continue;
    const InstrumentConfig& in = config_.instruments[f.instrument];
    FillRecord r;
    r.venue = venue_;
    r.host = config_.firm.host_id;
    r.account = config_.accounts[f.account].name;
    r.symbol = in.symbol;
    r.group = group_of_[f.instrument];
    r.day = day_;
    r.exec_id = f.exec_id;
    r.side = f.side;
    r.qty = f.qty;
    r.price = f.price;
    r.contract_size = in.contract_size;
    r.notional = money::notional_ceil(f.price, f.qty, in.contract_size);
    r.time = f.time;
    pending_.push_back(std::move(r));
  }
}

void FirmAgent::publish_pending() {
  const std::string subject = link_options_.fills_subject + "." + venue_ + "." + config_.firm.host_id;
  uint64_t published = 0, duplicates = 0;
  std::string error;
  while (!pending_.empty() && link_.connected()) {
    const FillRecord& r = pending_.front();
    bool duplicate = false;
    if (!link_.publish(subject, r.message_id(), r.encode(), duplicate, error)) {
      set_error(error);
      next_publish_ns_ = steady_ns() + kRetryPublishNs;
      break;
    }
    ++(duplicate ? duplicates : published);
    pending_.pop_front();
  }
  if (pending_.empty() && spool_loaded_) {
    std::remove(spool_path_.c_str());  // everything it kept is in the stream now
    spool_loaded_ = false;
  }
  if (published_counter_) published_counter_->inc(published);
  std::lock_guard<std::mutex> lock(status_mutex_);
  status_.fills_published += published;
  status_.fills_duplicate += duplicates;
  status_.fills_pending = pending_.size();
}

void FirmAgent::grant_where_low(int64_t now_ns) {
  bool changed = false;
  // The holdings are only written on this thread; the lock is for the readers of status().
  std::unique_lock<std::mutex> lock(status_mutex_);
  for (FirmHolding& h : status_.holdings) {
    const int64_t low = (int64_t)((__int128)h.slice * config_.firm.low_water / 1000000000);
    if (headroom(h) >= low && h.held > 0) continue;
    if (h.asked_at_ns != 0 && now_ns - h.asked_at_ns < kRetryGrantNs) continue;
    h.asked_at_ns = now_ns;
    lock.unlock();
    GrantResult g = slices_.grant(h.key, h.holder, h.slice, 1);
    lock.lock();
    if (!g.ok) {
      ++status_.grant_failures;
      status_.last_error = g.error;
      if (grant_failure_counter_) grant_failure_counter_->inc();
      continue;
    }
    if (g.added == 0) continue;  // the firm limit is used up: retried after the back-off
    h.held = g.held;
    h.asked_at_ns = 0;
    ++status_.grants;
    changed = true;
  }
  lock.unlock();
  if (changed) publish_caps();
}

void FirmAgent::publish_caps() {
  FirmCaps& c = caps_.back();
  for (int a = 0; a < kAccounts; ++a) {
    c.notional[a] = kNoCap;
    for (int i = 0; i < kInstruments; ++i) c.contracts[a][i] = kNoCap;
  }
  {
    std::lock_guard<std::mutex> lock(status_mutex_);
    for (const FirmHolding& h : status_.holdings) {
      const int64_t room = h.held - h.base > 0 ? h.held - h.base : 0;
      if (h.instrument < 0) c.notional[h.account] = room;
      else c.contracts[h.account][h.instrument] = h.contract_size > 0 ? room / h.contract_size : 0;
    }
  }
  caps_.publish();
}

void FirmAgent::run_once(int64_t now_ns) {
  connect(now_ns);
  drain_fills();
  FirmUsage u;
  const bool fresh = usage_.take(u);
  {
    std::lock_guard<std::mutex> lock(status_mutex_);
    status_.fills_pending = pending_.size();
    if (fresh)
      for (FirmHolding& h : status_.holdings)
        h.used = h.used_in(u);
  }
  const bool up = opened_ && link_.connected();
  if (up) watch_kill(now_ns);
  if (up) heartbeat(now_ns);
  if (up && now_ns >= next_publish_ns_) publish_pending();
  if (up) grant_where_low(now_ns);
  if (connected_gauge_) {
    connected_gauge_->set(up ? 1 : 0);
    kill_gauge_->set(kill() ? 1 : 0);
    pending_gauge_->set((int64_t)pending_.size());
    std::lock_guard<std::mutex> lock(status_mutex_);
    for (size_t k = 0; k < status_.holdings.size(); ++k) {
      held_gauges_[k]->set(status_.holdings[k].held);
      used_gauges_[k]->set(status_.holdings[k].base + status_.holdings[k].used);
    }
  }
}

}  // namespace pw::firm
