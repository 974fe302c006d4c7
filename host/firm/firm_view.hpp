// `perpwire firm`: the firm-wide picture any host (or the risk desk) reads from NATS — each firm
// limit with the slices granted and who holds them, the kill flag, and what the fill stream says
// every venue and host has used (today's gross notional, the net position of each group) — as text
// or Prometheus metrics; and the firm kill switch (the persisted flag every host watches).
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/config/config.hpp"
#include "host/firm/allocation.hpp"

namespace pw::firm {

struct FirmUse {
  uint64_t fills = 0;
  int64_t notional_today = 0;            // money ×1e-9, gross
  std::map<std::string, int64_t> units;  // group → net position, underlying ×1e-9
};

struct FirmView {
  std::string day;
  bool kill = false;
  std::map<std::string, Allocation> limits;    // key → record
  std::map<std::string, FirmUse> by_host;      // "venue host" → use
  FirmUse total;
  uint64_t fill_messages = 0, unreadable = 0;  // unreadable: messages that are not fill records
  uint64_t repeated = 0;  // fills whose venue + execution id came before (counted once; 0 unless the dedup window passed)
};

// A ×1e-9 amount as its exact decimal ("1250.5").
std::string decimal_text(int64_t v);

bool read_firm_view(const FirmConfig& firm, FirmView& view, std::string& error);
std::string firm_view_text(const FirmView& view);
std::string firm_view_prometheus(const FirmView& view);
struct FirmStatus;
// A running host's firm part for GET /status: link, kill flag, slices held and used, fills.
nlohmann::json firm_status_json(const FirmStatus& s);
// The risk desk takes back the slices of a host that is gone, once its fills are accounted for:
// each of its slices is cut to what the fills in the stream used (today's notional, the net
// position it still has). Refused while the host was seen running within `silent_for_ms`.
bool reclaim_lease(const FirmConfig& firm, const std::string& host, int64_t silent_for_ms, std::string& report,
                   std::string& error);
// Sets the firm kill flag (engage) or clears it; every host obeys within milliseconds.
bool set_firm_kill(const FirmConfig& firm, bool engage, std::string& error);

}  // namespace pw::firm
