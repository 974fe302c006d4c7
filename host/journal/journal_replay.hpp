// Rebuilding the risk state from a journal: every record is handed to the engine's own entry
// point (limits, cash, kill switches, market, check(), the exchange's answers, funding, the day
// roll), in the order it happened, so whatever state those entry points keep is rebuilt as it
// was — nothing of the engine's internals is stored. A replayed request must get the answer it
// got then; one that does not stops the replay (the journal would not rebuild this state).
#pragma once
#include <cstdint>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "host/journal/journal_reader.hpp"

namespace pw::journal {

struct ReplaySummary {
  uint64_t by_type[(int)RecordType::count_] = {};
  uint64_t accepted = 0;  // replayed requests the engine accepted
  // The last limit set loaded: where from, when and why (the limit-change audit trail's end).
  std::string limits_source;
  int64_t limits_wall_ns = 0;
  LimitsWhy limits_why = LimitsWhy::start;
  uint64_t limit_loads = 0;
  uint64_t kill_changes = 0;
  // The highest exchange execution id among the answers replayed (0: none journaled one).
  int64_t last_exec_id = 0;
};

template <class T>
bool payload_as(const RecordView& v, T& out, std::string& error) {
  if (v.length != sizeof(T)) {
    error = fmt::format("payload of {} bytes, {} expected", v.length, sizeof(T));
    return false;
  }
  std::memcpy(&out, v.payload, sizeof(T));
  return true;
}

// As payload_as, also taking the record's shorter version-2 layout (`old_size` bytes): the fields
// it lacks at the end read as zero.
template <class T>
bool payload_as_or_older(const RecordView& v, T& out, size_t old_size, std::string& error) {
  if (v.length != old_size) return payload_as(v, out, error);
  out = T{};
  std::memcpy(&out, v.payload, old_size);
  return true;
}

// Applies one record to `engine`; false with `error` when the record is malformed or a request's
// answer differs from the journaled one.
template <class Engine>
bool apply_record(Engine& engine, const RecordView& v, ReplaySummary& s, std::string& error) {
  if ((int)v.type <= 0 || v.type >= RecordType::count_) {
    error = "unknown record type";
    return false;
  }
  ++s.by_type[(int)v.type];
  switch (v.type) {
    case RecordType::limits_loaded: {
      LimitsLoaded l;
      if (v.length < sizeof(l)) {
        error = "limits record cut short";
        return false;
      }
      std::memcpy(&l, v.payload, sizeof(l));
      s.limits_source.assign(reinterpret_cast<const char*>(v.payload) + sizeof(l), v.length - sizeof(l));
      s.limits_wall_ns = l.wall_ns;
      s.limits_why = (LimitsWhy)l.why;
      ++s.limit_loads;
      return true;
    }
    case RecordType::account_limits: {
      AccountLimitsRec r;
      if (!payload_as(v, r, error)) return false;
      engine.set_account_limits(r.account, r.limits);  // a value the engine refused then is refused again
      return true;
    }
    case RecordType::instrument_limits: {
      InstrumentLimitsRec r;
      if (!payload_as(v, r, error)) return false;
      engine.set_instrument_limits(r.instrument, r.limits);
      return true;
    }
    case RecordType::session_limits: {
      SessionLimitsRec r;
      if (!payload_as(v, r, error)) return false;
      engine.set_session_limits(r.session, r.limits);
      return true;
    }
    case RecordType::cash: {
      CashRec r;
      if (!payload_as(v, r, error)) return false;
      engine.set_cash(r.account, r.cash);
      return true;
    }
    case RecordType::kill: {
      KillRec r;
      if (!payload_as(v, r, error)) return false;
      ++s.kill_changes;
      if (r.scope == (uint8_t)KillScope::global) engine.set_kill_global(r.on != 0);
      else if (r.scope == (uint8_t)KillScope::account) engine.set_kill_account(r.index, r.on != 0);
      else if (r.scope == (uint8_t)KillScope::instrument) engine.set_kill_instrument(r.index, r.on != 0);
      else if (r.scope == (uint8_t)KillScope::loss_limit) {
        if (r.on == 0) engine.clear_loss_kill(r.index);  // engaged: the records before it engaged it again
      } else {
        error = fmt::format("kill switch scope {}", r.scope);
        return false;
      }
      return true;
    }
    case RecordType::market: {
      MarketRec r;
      if (!payload_as(v, r, error)) return false;
      engine.set_market(r.instrument, r.market);
      return true;
    }
    case RecordType::request: {
      RequestRec r;
      if (!payload_as(v, r, error)) return false;
      const RiskDecision d = engine.check(r.request);
      if (d.accepted != (r.accepted != 0) || (uint8_t)d.reason != r.reason) {
        error = fmt::format("request {} was {} ({}) when journaled, {} ({}) when replayed", r.request.client_order_id,
                            r.accepted ? "accepted" : "rejected", reject_reason_name((RejectReason)r.reason),
                            d.accepted ? "accepted" : "rejected", reject_reason_name(d.reason));
        return false;
      }
      if (d.accepted) ++s.accepted;
      return true;
    }
    case RecordType::entered:
    case RecordType::canceled:
    case RecordType::rejected:
    case RecordType::replaced: {
      OrderIdRec r{};
      if (!payload_as_or_older(v, r, kOrderIdRecV2Size, error)) return false;
      if (r.exec_id > s.last_exec_id) s.last_exec_id = r.exec_id;
      if (v.type == RecordType::entered) engine.on_entered(r.client_order_id);
      else if (v.type == RecordType::canceled) engine.on_cancel(r.client_order_id);
      else if (v.type == RecordType::rejected) engine.on_reject(r.client_order_id);
      else engine.on_replace(r.client_order_id);
      return true;
    }
    case RecordType::fill: {
      FillRec r{};
      if (!payload_as_or_older(v, r, kFillRecV2Size, error)) return false;
      if (r.exec_id > s.last_exec_id) s.last_exec_id = r.exec_id;
      engine.on_fill(r.client_order_id, r.quantity, r.price, r.time);
      return true;
    }
    case RecordType::funding: {
      FundingRec r;
      if (!payload_as(v, r, error)) return false;
      engine.apply_funding(r.instrument, r.mark, r.rate);
      return true;
    }
    case RecordType::day_roll: {
      DayRollRec r;
      if (!payload_as(v, r, error)) return false;
      engine.reset_daily();
      return true;
    }
    default: break;
  }
  error = "unknown record type";
  return false;
}

// Reads `path` into `engine` (which should be freshly reset).
template <class Engine>
ReadResult replay_journal(const std::string& path, Engine& engine, ReplaySummary& summary) {
  return read_journal(path, [&](const RecordView& v, std::string& error) { return apply_record(engine, v, summary, error); });
}

}  // namespace pw::journal
