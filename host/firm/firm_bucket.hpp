// What the firm's bucket and stream hold, named once for the agent, `perpwire firm` and the tests:
// the limit keys and their holders, the kill flag, the heartbeat, the link options from [firm], and
// what a host's recorded fills used of each of its slices.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "host/config/config.hpp"
#include "host/firm/fill_record.hpp"
#include "host/firm/nats_link.hpp"

namespace pw::firm {

// "kill": "1" engaged, anything else (or never written) released.
constexpr const char* kKillKey = "kill";
constexpr const char* kKillEngaged = "1";
constexpr const char* kKillReleased = "0";
inline bool kill_engaged(std::string_view value) { return value == kKillEngaged; }
// "alive.HOST": the host's wall clock (ms since the epoch) once a second while it runs, "stopped"
// after a clean stop; `perpwire firm reclaim` refuses to take the slices of a host seen lately.
std::string alive_key(const std::string& host);
constexpr const char* kStopped = "stopped";

// The trading day's notional limit, "notional.YYYYMMDD", and a group's position limit, "position.BTC".
std::string notional_key(const std::string& day);
std::string position_key(const std::string& group);
// Who holds a slice: a host's account (notional) or its account × symbol (position).
std::string notional_holder(const std::string& host, const std::string& account);
std::string position_holder(const std::string& host, const std::string& account, const std::string& symbol);

// Today's date (UTC) as YYYYMMDD, and the wall clock in ms since the epoch.
std::string utc_day();
int64_t wall_ms();

struct FirmLimit {
  std::string key;
  int64_t limit;  // as this config names it (the bucket's record wins where it exists)
};
// The limits [firm] names for `day`: the daily notional (if any), then each group's position.
std::vector<FirmLimit> firm_limits(const FirmConfig& firm, const std::string& day);

NatsLinkOptions link_options(const FirmConfig& firm, std::string connection_name);

// The kill flag as the bucket has it (never written: released). False with `error` when NATS did not answer.
bool read_kill(NatsLink& link, bool& engaged, std::string& error);

// What a host's recorded fills used, by holder: today's notional per account, the size of the net
// position per account × symbol.
struct RecordedUse {
  std::string host, day;
  std::map<std::string, int64_t> by_holder;  // notional: money ×1e-9; position: signed units ×1e-9
  std::set<std::string> ids;                 // message ids counted
  uint64_t fills = 0;

  void add(const FillRecord& f);
  int64_t used(const std::string& holder) const;  // ≥ 0
};
// Counts every fill of `use.host` the stream holds.
bool read_recorded_use(NatsLink& link, RecordedUse& use, std::string& error);

}  // namespace pw::firm
