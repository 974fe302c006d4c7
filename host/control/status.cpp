#include "host/control/status.hpp"

#include <nlohmann/json.hpp>

#include "core/fixed_point.hpp"
#include "host/metrics/app_metrics.hpp"

namespace pw {

namespace {

using nlohmann::json;

// Exact decimal text of a ×1e-9 value, null when unknown: JSON numbers would round through double.
json fixed9(int64_t v) {
  if (v == INT64_MIN) return nullptr;
  char buf[24];
  return std::string(buf, (size_t)format_fixed9(v, buf));
}

}  // namespace

std::string status_json(const StatusSnapshot& s) {
  json doc;
  doc["time_ns"] = s.time_ns;
  doc["backend"] = s.backend;
  doc["state"] = s.state;
  doc["kill_switch"] = json{{"global", s.kill_global}};
  doc["feed"] = json{{"frames_a", s.frames[0]}, {"frames_b", s.frames[1]}, {"gaps", s.gaps}};
  json instruments = json::array();
  for (const auto& in : s.instruments) {
    json j{{"symbol", in.symbol},
           {"book_synced", in.book_synced},
           {"killed", in.killed},
           {"best_bid", fixed9(in.best_bid)},
           {"best_ask", fixed9(in.best_ask)},
           {"mark", fixed9(in.mark)},
           {"exchange_mark", fixed9(in.exchange_mark)},
           {"funding_rate", fixed9(in.funding_rate)},
           {"exchange_funding_rate", fixed9(in.exchange_funding_rate)},
           {"events", in.events}};
    // Differences in basis points, for reading only (the exact values are above).
    if (in.mark != INT64_MIN && in.exchange_mark != INT64_MIN && in.exchange_mark != 0)
      j["mark_diff_bps"] = (double)(in.mark - in.exchange_mark) * 1e4 / (double)in.exchange_mark;
    if (in.funding_rate != INT64_MIN && in.exchange_funding_rate != INT64_MIN)
      j["funding_diff_bps"] = (double)(in.funding_rate - in.exchange_funding_rate) * 1e4 / 1e9;
    if (in.next_funding_ns) j["next_funding_ns"] = in.next_funding_ns;
    instruments.push_back(std::move(j));
  }
  doc["instruments"] = std::move(instruments);
  json accounts = json::array();
  for (const auto& a : s.accounts) {
    json positions = json::object();
    for (size_t i = 0; i < a.positions.size(); ++i)
      positions[i < s.instruments.size() ? s.instruments[i].symbol : std::to_string(i)] = a.positions[i];
    accounts.push_back(json{{"name", a.name},
                            {"killed", a.killed},
                            {"loss_limit_stop", a.loss_limit_stop},
                            {"cash", fixed9(a.cash)},
                            {"equity", fixed9(a.equity)},
                            {"margin_requirement", fixed9(a.margin_requirement)},
                            {"positions", std::move(positions)},
                            {"orders_accepted", a.accepted},
                            {"orders_rejected", a.rejected},
                            {"daily_notional_used", fixed9(a.daily_notional_used)},
                            {"reserved_notional", fixed9(a.reserved_notional)},
                            {"open_orders", a.open_orders}});
  }
  doc["accounts"] = std::move(accounts);
  return doc.dump(2) + "\n";
}

void StatusBoard::publish(StatusSnapshot s) {
  std::lock_guard<std::mutex> lock(mutex_);
  latest_ = std::move(s);
}

StatusSnapshot StatusBoard::latest() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return latest_;
}

std::optional<KillTarget> resolve_kill(const Config& config, const KillRequest& request, ControlReply& error) {
  KillTarget t;
  t.engage = request.engage;
  if (!request.account.empty()) {
    t.scope = KillTarget::Scope::account;
    t.index = config.account_index(request.account);
    if (t.index < 0) {
      std::string names;
      for (const auto& a : config.accounts) names += (names.empty() ? "" : ", ") + a.name;
      error = ControlReply{false, "unknown account '" + request.account + "' (accounts: " + names + ")", {}, 404};
      return std::nullopt;
    }
  } else if (!request.instrument.empty()) {
    t.scope = KillTarget::Scope::instrument;
    t.index = config.instrument_index(request.instrument);
    if (t.index < 0) {
      std::string names;
      for (const auto& i : config.instruments) names += (names.empty() ? "" : ", ") + i.symbol;
      error = ControlReply{false, "unknown instrument '" + request.instrument + "' (instruments: " + names + ")", {}, 404};
      return std::nullopt;
    }
  }
  return t;
}

ControlReply reload_and_apply(ConfigStore& store, const std::function<void(const Config&)>& apply) {
  ConfigResult r = store.reload();
  ControlReply reply;
  if (!r.ok()) {
    reply.ok = false;
    reply.message = "config not reloaded: " + std::to_string(r.errors.size()) + (r.errors.size() == 1 ? " error" : " errors") +
                    "; the running config stays in force";
    for (const auto& e : r.errors) reply.errors.push_back(e.to_string());
    return reply;
  }
  if (apply) apply(*r.config);
  reply.message = "config reloaded from " + r.config->path;
  return reply;
}

void KillSwitchBoard::set(const KillTarget& t) {
  switch (t.scope) {
    case KillTarget::Scope::global: global_.store(t.engage, std::memory_order_relaxed); break;
    case KillTarget::Scope::account:
      if (t.index >= 0 && t.index < kMax) {
        account_[t.index].store(t.engage, std::memory_order_relaxed);
        if (!t.engage) loss_release_[t.index].fetch_add(1, std::memory_order_relaxed);
      }
      break;
    case KillTarget::Scope::instrument:
      if (t.index >= 0 && t.index < kMax) instrument_[t.index].store(t.engage, std::memory_order_relaxed);
      break;
  }
  generation_.fetch_add(1, std::memory_order_release);
}

std::function<ControlReply(const KillRequest&)> make_kill_handler(ConfigStore& store, KillSwitchBoard& board, AppMetrics* metrics) {
  return [&store, &board, metrics](const KillRequest& req) {
    ControlReply reply;
    std::shared_ptr<const Config> config = store.current();
    std::optional<KillTarget> t = resolve_kill(*config, req, reply);
    if (!t) return reply;
    board.set(*t);
    std::string what = t->scope == KillTarget::Scope::global ? "global kill switch"
                       : t->scope == KillTarget::Scope::account ? "kill switch of account " + req.account
                                                                 : "kill switch of instrument " + req.instrument;
    if (metrics) {
      const int64_t on = t->engage ? 1 : 0;
      if (t->scope == KillTarget::Scope::global) metrics->kill_global().set(on);
      else if (t->scope == KillTarget::Scope::account && (size_t)t->index < metrics->account_count()) metrics->account(t->index).kill->set(on);
      else if (t->scope == KillTarget::Scope::instrument && (size_t)t->index < metrics->instrument_count()) metrics->instrument(t->index).kill->set(on);
    }
    reply.message = what + (t->engage                                   ? " engaged"
                            : t->scope == KillTarget::Scope::account ? " released, and its loss-limit stop if engaged"
                                                                     : " released");
    return reply;
  };
}

std::function<ControlReply()> make_reload_handler(ConfigStore& store, AppMetrics* metrics, std::function<void(const Config&)> apply) {
  return [&store, metrics, apply = std::move(apply)] {
    ControlReply r = reload_and_apply(store, apply);
    if (metrics) metrics->config_reloads(r.ok).inc();
    return r;
  };
}

}  // namespace pw
