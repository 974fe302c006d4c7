#include "host/firm/firm_view.hpp"

#include <charconv>

#include <fmt/format.h>

#include "core/fixed_point.hpp"
#include "host/firm/fill_record.hpp"
#include "host/firm/firm_bucket.hpp"
#include "host/firm/firm_agent.hpp"
#include "host/firm/nats_link.hpp"
#include "host/firm/slice_client.hpp"

namespace pw::firm {

std::string decimal_text(int64_t v) {
  char buf[24];
  return std::string(buf, (size_t)format_fixed9(v, buf));
}

namespace {

constexpr const char* kConnectionName = "perpwire firm";

void add(FirmUse& u, const FillRecord& f, const std::string& day) {
  ++u.fills;
  if (f.day == day) u.notional_today += f.notional;
  if (!f.group.empty()) u.units[f.group] += f.units();
}

}  // namespace

bool read_firm_view(const FirmConfig& firm, FirmView& view, std::string& error) {
  NatsLink link;
  if (!link.open(link_options(firm, kConnectionName), error)) return false;
  view = FirmView{};
  view.day = utc_day();
  if (!read_kill(link, view.kill, error)) return false;
  SliceClient slices(link);
  for (const FirmLimit& l : firm_limits(firm, view.day)) {
    Allocation a;
    std::string e;
    if (slices.read(l.key, a, e)) view.limits[l.key] = std::move(a);  // a limit no host has created yet is simply absent
  }
  std::set<std::string> ids;
  return link.read_all(
      [&](std::string_view, std::string_view data) {
        ++view.fill_messages;
        std::string e;
        auto f = FillRecord::decode(data, e);
        if (!f) {
          ++view.unreadable;
          return;
        }
        if (!ids.insert(f->message_id()).second) {
          ++view.repeated;
          return;
        }
        add(view.by_host[f->venue + " " + f->host], *f, view.day);
        add(view.total, *f, view.day);
      },
      error);
}

std::string firm_view_text(const FirmView& v) {
  std::string t = fmt::format("firm kill switch: {}\n", v.kill ? "ENGAGED" : "off");
  for (const auto& [key, a] : v.limits) {
    t += fmt::format("{}: limit {}, granted {}, free {}\n", key, decimal_text(a.limit), decimal_text(a.granted()), decimal_text(a.free()));
    for (const auto& [holder, amount] : a.grants) t += fmt::format("  {:<48} {}\n", holder, decimal_text(amount));
  }
  t += fmt::format("fills in the stream: {} ({} unreadable, {} repeated)\n", v.fill_messages, v.unreadable, v.repeated);
  auto use_line = [&](const std::string& who, const FirmUse& u) {
    std::string groups;
    for (const auto& [g, units] : u.units) groups += fmt::format(", {} position {}", g, decimal_text(units));
    t += fmt::format("  {:<40} {} fills, notional today {}{}\n", who, u.fills, decimal_text(u.notional_today), groups);
  };
  for (const auto& [who, u] : v.by_host) use_line(who, u);
  use_line("firm total", v.total);
  return t;
}

std::string firm_view_prometheus(const FirmView& v) {
  std::string t;
  t += "# HELP perpwire_firm_kill 1 while the firm kill switch is engaged\n# TYPE perpwire_firm_kill gauge\n";
  t += fmt::format("perpwire_firm_kill {}\n", v.kill ? 1 : 0);
  t += "# HELP perpwire_firm_limit a firm-wide limit\n# TYPE perpwire_firm_limit gauge\n";
  for (const auto& [key, a] : v.limits) t += fmt::format("perpwire_firm_limit{{limit=\"{}\"}} {}\n", key, decimal_text(a.limit));
  t += "# HELP perpwire_firm_granted slices of a firm limit granted to a holder\n# TYPE perpwire_firm_granted gauge\n";
  for (const auto& [key, a] : v.limits)
    for (const auto& [holder, amount] : a.grants)
      t += fmt::format("perpwire_firm_granted{{limit=\"{}\",holder=\"{}\"}} {}\n", key, holder, decimal_text(amount));
  t += "# HELP perpwire_firm_fills_total fills in the firm's stream\n# TYPE perpwire_firm_fills_total counter\n";
  t += "# HELP perpwire_firm_notional_today gross notional filled today\n# TYPE perpwire_firm_notional_today gauge\n";
  t += "# HELP perpwire_firm_position net position of a firm group, underlying units\n# TYPE perpwire_firm_position gauge\n";
  for (const auto& [who, u] : v.by_host) {
    const size_t sp = who.find(' ');
    const std::string labels = fmt::format("venue=\"{}\",host=\"{}\"", who.substr(0, sp), who.substr(sp + 1));
    t += fmt::format("perpwire_firm_fills_total{{{}}} {}\n", labels, u.fills);
    t += fmt::format("perpwire_firm_notional_today{{{}}} {}\n", labels, decimal_text(u.notional_today));
    for (const auto& [g, units] : u.units)
      t += fmt::format("perpwire_firm_position{{{},group=\"{}\"}} {}\n", labels, g, decimal_text(units));
  }
  return t;
}

nlohmann::json firm_status_json(const FirmStatus& s) {
  nlohmann::json slices = nlohmann::json::array();
  for (const FirmHolding& h : s.holdings)
    slices.push_back({{"limit", h.key}, {"holder", h.holder}, {"held", decimal_text(h.held)},
                      {"used_before", decimal_text(h.base)}, {"used", decimal_text(h.used)}});
  return {{"connected", s.connected},
          {"kill_switch", s.kill},
          {"kill_switch_known", s.kill_known},
          {"slices", std::move(slices)},
          {"grants", s.grants},
          {"grant_failures", s.grant_failures},
          {"fills", {{"stored", s.fills_published}, {"already_stored", s.fills_duplicate}, {"waiting", s.fills_pending},
                     {"overflowed", s.fills_overflowed}, {"recovered", s.fills_recovered}}},
          {"last_error", s.last_error}};
}

bool reclaim_lease(const FirmConfig& firm, const std::string& host, int64_t silent_for_ms, std::string& report,
                   std::string& error) {
  NatsLink link;
  if (!link.open(link_options(firm, kConnectionName), error)) return false;
  std::string value;
  uint64_t rev = 0;
  const KvResult alive = link.get(alive_key(host), value, rev, error);
  if (alive == KvResult::error) return false;
  if (alive == KvResult::ok && value != kStopped) {
    const int64_t now_ms = wall_ms();
    int64_t seen_ms = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), seen_ms);
    if (ec != std::errc() || now_ms - seen_ms < silent_for_ms) {
      error = fmt::format("host {} was running {} s ago: stop it (or wait until it has been silent {} s) before "
                          "taking its slices",
                          host, ec != std::errc() ? 0.0 : (double)(now_ms - seen_ms) / 1000.0,
                          (double)silent_for_ms / 1000.0);
      return false;
    }
  }
  RecordedUse use;
  use.host = host;
  use.day = utc_day();
  if (!read_recorded_use(link, use, error)) return false;
  SliceClient slices(link);
  const std::string prefix = host + "/";
  for (const FirmLimit& l : firm_limits(firm, use.day)) {
    const std::string& key = l.key;
    Allocation a;
    if (!slices.read(key, a, error)) continue;  // a limit nobody holds yet
    for (const auto& [holder, held] : a.grants) {
      if (holder.compare(0, prefix.size(), prefix) != 0) continue;
      const int64_t used = use.used(holder);
      if (held <= used) {
        report += fmt::format("{} {}: keeps {} (all used by its fills)\n", key, holder, decimal_text(held));
        continue;
      }
      GrantResult g = slices.release(key, holder, held - used);
      if (!g.ok) {
        error = g.error;
        return false;
      }
      report += fmt::format("{} {}: {} given back, keeps {} (used by its fills)\n", key, holder, decimal_text(g.added),
                            decimal_text(g.held));
    }
  }
  if (report.empty()) report = fmt::format("host {} holds no slice\n", host);
  return true;
}

bool set_firm_kill(const FirmConfig& firm, bool engage, std::string& error) {
  NatsLink link;
  if (!link.open(link_options(firm, kConnectionName), error)) return false;
  return link.put(kKillKey, engage ? kKillEngaged : kKillReleased, error) == KvResult::ok;
}

}  // namespace pw::firm
