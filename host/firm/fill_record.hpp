// One fill as the firm's fill stream carries it: who (venue, host, account), what (symbol, side,
// contracts, price, contract size) and when (exchange time, trading day). Text, one `key=value` per
// line like the allocation record, so `nats stream view` shows it readably. The stream's message
// id is `venue.exec_id`: a fill published twice is stored once.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pw::firm {

struct FillRecord {
  std::string venue, host, account, symbol;
  std::string group;          // the firm position group of the symbol ("BTC"), empty for none
  std::string day;            // YYYYMMDD (UTC) the host counted it in
  int64_t exec_id = 0;
  int8_t side = 0;            // +1 buy, -1 sell
  int64_t qty = 0;            // contracts
  int64_t price = 0;          // ×1e-9
  int64_t contract_size = 0;  // underlying units per contract ×1e-9
  int64_t notional = 0;       // money ×1e-9, rounded up as the risk engine counts it
  int64_t time = 0;           // exchange timestamp, ns

  std::string message_id() const { return venue + "." + std::to_string(exec_id); }
  // Underlying units ×1e-9 the fill moved, signed.
  int64_t units() const { return side * qty * contract_size; }
  std::string encode() const;
  static std::optional<FillRecord> decode(std::string_view text, std::string& error);
};

}  // namespace pw::firm
