#include "host/pipeline/state_log.hpp"

#include <fmt/format.h>

#include <cstring>

#include "core/fixed_point.hpp"
#include "core/risk_types.hpp"
#include "host/dump/message_json.hpp"

namespace pw {
namespace {

void price(std::string& s, const char* name, int64_t v) {
  s += ",\"";
  s += name;
  s += "\":";
  if (v == kNullI64) {
    s += "null";
    return;
  }
  char buf[24];
  s.append(buf, (size_t)format_fixed9(v, buf));
}

void integer(std::string& s, const char* name, int64_t v) { fmt::format_to(std::back_inserter(s), ",\"{}\":{}", name, v); }

const char* sync_reason_name(uint8_t r) {
  switch ((SyncReason)r) {
    case SyncReason::start: return "start";
    case SyncReason::snapshot: return "snapshot";
    case SyncReason::packet_gap: return "packet_gap";
    case SyncReason::instr_seq_gap: return "instr_seq_gap";
    case SyncReason::book_overflow: return "book_overflow";
    case SyncReason::stale: return "stale";
    case SyncReason::book_error: return "book_error";
    case SyncReason::resumed: return "resumed";
    default: return "none";
  }
}

}  // namespace

std::string format_state_record(const StateRecord& r, const char* symbol) {
  std::string s = fmt::format("{{\"time\":{},\"seq_num\":{},\"instrument_id\":{}", r.time, r.seq_num, r.instrument_id);
  if (symbol != nullptr && symbol[0] != 0) {
    s += ",\"symbol\":";
    append_json_string(s, symbol, std::strlen(symbol));
  }
  switch ((StateKind)r.kind) {
    case StateKind::book_top:
      s += ",\"kind\":\"book_top\"";
      price(s, "bid_price", r.top.bid_price);
      integer(s, "bid_qty", r.top.bid_qty);
      price(s, "ask_price", r.top.ask_price);
      integer(s, "ask_qty", r.top.ask_qty);
      integer(s, "synced", r.top.synced);
      break;
    case StateKind::mark:
      s += ",\"kind\":\"mark\"";
      price(s, "mark", r.mark.mark);
      price(s, "index", r.mark.index);
      price(s, "mid", r.mark.mid);
      price(s, "impact_bid", r.mark.impact_bid);
      price(s, "impact_ask", r.mark.impact_ask);
      price(s, "premium", r.mark.premium);
      break;
    case StateKind::funding:
      s += ",\"kind\":\"funding\"";
      price(s, "ours", r.funding.ours);
      price(s, "exchange", r.funding.exchange);
      if (r.funding.diff_e2bps == kNullI64) s += ",\"diff_bps\":null";
      else fmt::format_to(std::back_inserter(s), ",\"diff_bps\":{:.2f}", (double)r.funding.diff_e2bps / 100.0);
      price(s, "exchange_mark", r.funding.exchange_mark);
      integer(s, "interval_end", r.funding.interval_end);
      integer(s, "is_final", r.funding.is_final);
      break;
    case StateKind::sync:
      s += ",\"kind\":\"sync\"";
      integer(s, "synced", r.sync.synced);
      fmt::format_to(std::back_inserter(s), ",\"reason\":\"{}\"", sync_reason_name(r.sync.reason));
      if (r.sync.reason == (uint8_t)SyncReason::packet_gap || r.sync.reason == (uint8_t)SyncReason::instr_seq_gap) {
        integer(s, "first_missing", r.sync.first_missing);
        integer(s, "last_missing", r.sync.last_missing);
      }
      if (r.sync.book_error != 0) integer(s, "book_error", r.sync.book_error);
      break;
    case StateKind::decision:
      s += ",\"kind\":\"decision\"";
      integer(s, "account", r.decision.account);
      integer(s, "client_order_id", r.decision.client_order_id);
      integer(s, "side", r.decision.side);
      price(s, "price", r.decision.price);
      integer(s, "quantity", r.decision.quantity);
      integer(s, "accepted", r.decision.accepted);
      integer(s, "reason", r.decision.reason);
      fmt::format_to(std::back_inserter(s), ",\"reason_name\":\"{}\"", r.decision.accepted ? "accepted" : reject_reason_name((RejectReason)r.decision.reason));
      break;
  }
  s += '}';
  return s;
}

StateLogWriter::~StateLogWriter() { close(); }

bool StateLogWriter::open(const std::string& path, std::string& error) {
  file_ = std::fopen(path.c_str(), "w");
  if (file_ == nullptr) {
    error = fmt::format("cannot write state log '{}': {}", path, std::strerror(errno));
    return false;
  }
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);  // one write call per megabyte of records
  return true;
}

void StateLogWriter::write(const StateRecord& r, const char* symbol) {
  if (file_ == nullptr) return;
  const std::string line = format_state_record(r, symbol);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fputc('\n', file_);
}

void StateLogWriter::close() {
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
}

}  // namespace pw
