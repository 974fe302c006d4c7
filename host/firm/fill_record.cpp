#include "host/firm/fill_record.hpp"

#include <charconv>

#include <fmt/format.h>

namespace pw::firm {

std::string FillRecord::encode() const {
  return fmt::format("venue={}\nhost={}\naccount={}\nsymbol={}\nday={}\nexec_id={}\nside={}\nqty={}\nprice={}\n"
                     "contract_size={}\nnotional={}\ntime={}\ngroup={}\n",
                     venue, host, account, symbol, day, exec_id, side > 0 ? "buy" : "sell", qty, price, contract_size,
                     notional, time, group);
}

std::optional<FillRecord> FillRecord::decode(std::string_view text, std::string& error) {
  FillRecord f;
  int seen = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty()) continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      error = fmt::format("fill record: expected key=value, got '{}'", line);
      return std::nullopt;
    }
    const std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
    auto number = [&](int64_t& out) {
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
      if (ec != std::errc() || p != value.data() + value.size()) {
        error = fmt::format("fill record: {} is not an integer: '{}'", key, value);
        return false;
      }
      return true;
    };
    bool ok = true;
    if (key == "venue") f.venue = value;
    else if (key == "host") f.host = value;
    else if (key == "account") f.account = value;
    else if (key == "symbol") f.symbol = value;
    else if (key == "day") f.day = value;
    else if (key == "group") {
      f.group = value;
      continue;  // optional
    }
    else if (key == "exec_id") ok = number(f.exec_id);
    else if (key == "qty") ok = number(f.qty);
    else if (key == "price") ok = number(f.price);
    else if (key == "contract_size") ok = number(f.contract_size);
    else if (key == "notional") ok = number(f.notional);
    else if (key == "time") ok = number(f.time);
    else if (key == "side") {
      if (value == "buy") f.side = 1;
      else if (value == "sell") f.side = -1;
      else {
        error = fmt::format("fill record: side is buy or sell, got '{}'", value);
        return std::nullopt;
      }
    } else {
      continue;  // a newer writer's field: ignored, never fatal
    }
    if (!ok) return std::nullopt;
    ++seen;
  }
  if (seen < 12 || f.venue.empty() || f.host.empty() || f.qty <= 0) {
    error = "fill record: a field is missing (venue, host, account, symbol, day, exec_id, side, qty, price, "
            "contract_size, notional, time)";
    return std::nullopt;
  }
  return f;
}

}  // namespace pw::firm
