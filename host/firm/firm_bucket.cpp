#include "host/firm/firm_bucket.hpp"

#include <chrono>
#include <ctime>

#include <fmt/format.h>

namespace pw::firm {

std::string alive_key(const std::string& host) { return "alive." + host; }
std::string notional_key(const std::string& day) { return "notional." + day; }
std::string position_key(const std::string& group) { return "position." + group; }
std::string notional_holder(const std::string& host, const std::string& account) { return host + "/" + account; }
std::string position_holder(const std::string& host, const std::string& account, const std::string& symbol) {
  return host + "/" + account + "/" + symbol;
}

std::string utc_day() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}{:02}{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<FirmLimit> firm_limits(const FirmConfig& firm, const std::string& day) {
  std::vector<FirmLimit> out;
  if (firm.daily_notional_limit > 0) out.push_back({notional_key(day), firm.daily_notional_limit});
  for (const FirmGroupConfig& g : firm.groups) out.push_back({position_key(g.name), g.max_position});
  return out;
}

NatsLinkOptions link_options(const FirmConfig& firm, std::string connection_name) {
  NatsLinkOptions o;
  o.servers = firm.servers;
  o.credentials_file = firm.credentials_file;
  o.name = std::move(connection_name);
  o.bucket = firm.bucket;
  o.stream = firm.stream;
  o.replicas = firm.replicas;
  return o;
}

bool read_kill(NatsLink& link, bool& engaged, std::string& error) {
  std::string value;
  uint64_t rev = 0;
  const KvResult r = link.get(kKillKey, value, rev, error);
  if (r == KvResult::error) return false;
  engaged = r == KvResult::ok && kill_engaged(value);
  return true;
}

void RecordedUse::add(const FillRecord& f) {
  ids.insert(f.message_id());
  ++fills;
  if (f.day == day) by_holder[notional_holder(host, f.account)] += f.notional;
  by_holder[position_holder(host, f.account, f.symbol)] += f.units();
}

int64_t RecordedUse::used(const std::string& holder) const {
  const auto it = by_holder.find(holder);
  if (it == by_holder.end()) return 0;
  return it->second < 0 ? -it->second : it->second;
}

bool read_recorded_use(NatsLink& link, RecordedUse& use, std::string& error) {
  return link.read_all(
      [&](std::string_view, std::string_view data) {
        std::string e;
        auto f = FillRecord::decode(data, e);
        if (f && f->host == use.host) use.add(*f);
      },
      error);
}

}  // namespace pw::firm
