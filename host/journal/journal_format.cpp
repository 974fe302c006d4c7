#include "host/journal/journal_format.hpp"

#include <cstring>

#include "host/journal/crc32c.hpp"

namespace pw::journal {

FileHeader make_header() {
  FileHeader h{};
  std::memcpy(h.magic, kMagic, sizeof(kMagic));
  h.version = kFormatVersion;
  h.account_limits_size = (uint16_t)sizeof(AccountLimits);
  h.instrument_limits_size = (uint16_t)sizeof(InstrumentLimits);
  h.session_limits_size = (uint16_t)sizeof(SessionLimits);
  h.order_request_size = (uint16_t)sizeof(OrderRequest);
  h.market_size = (uint16_t)sizeof(InstrumentMarket);
  h.crc = crc32c(&h, offsetof(FileHeader, crc));
  return h;
}

size_t encode_record(RecordType type, const void* payload, size_t n, uint8_t* out) {
  RecordHead head{};
  head.length = (uint32_t)n;
  head.type = (uint8_t)type;
  std::memcpy(out, &head, sizeof(head));
  if (n > 0) std::memcpy(out + sizeof(head), payload, n);
  const uint32_t crc = crc32c(out, sizeof(head) + n);
  std::memcpy(out + sizeof(head) + n, &crc, kCrcBytes);
  return encoded_size(n);
}

const char* record_type_name(RecordType t) {
  switch (t) {
    case RecordType::limits_loaded: return "limits_loaded";
    case RecordType::account_limits: return "account_limits";
    case RecordType::instrument_limits: return "instrument_limits";
    case RecordType::session_limits: return "session_limits";
    case RecordType::cash: return "cash";
    case RecordType::kill: return "kill";
    case RecordType::market: return "market";
    case RecordType::request: return "request";
    case RecordType::entered: return "entered";
    case RecordType::fill: return "fill";
    case RecordType::canceled: return "canceled";
    case RecordType::rejected: return "rejected";
    case RecordType::replaced: return "replaced";
    case RecordType::funding: return "funding";
    case RecordType::day_roll: return "day_roll";
    default: return "unknown";
  }
}

const char* limits_why_name(LimitsWhy w) {
  switch (w) {
    case LimitsWhy::start: return "start";
    case LimitsWhy::reload: return "reload";
    case LimitsWhy::restart: return "restart";
  }
  return "unknown";
}

const char* kill_who_name(KillWho w) {
  switch (w) {
    case KillWho::control_plane: return "control plane";
    case KillWho::drill: return "drill";
    case KillWho::firm: return "firm";
    case KillWho::engine: return "engine";
  }
  return "unknown";
}

}  // namespace pw::journal
